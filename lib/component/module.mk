# lib/component: the WebAssembly component binary format (loader and
# validator; README.md). Freestanding, built into the kernel and into host
# programs; its unit tests and fuzzer are in tests/unit/component and
# tests/fuzz.
LIB_SRCS_component := lib/component/reader.c lib/component/names.c lib/component/load.c \
    lib/component/types.c lib/component/canon.c lib/component/core_scan.c \
    lib/component/flatten.c lib/component/resolve.c \
    lib/component/subtype.c
KERNEL_LIB_SRCS += $(LIB_SRCS_component)
# Instantiation (first part: core instances through lib/wasm); host
# programs only until a runner uses it.
LIB_SRCS_component_inst := lib/component/instance.c

# host/kpio-wasm tells a component from a core module by its header
# (comp_header): both builds link the library.
$(BUILD)/rel/bin/kpio-wasm: $(call rel_objs,$(LIB_SRCS_component))
$(BUILD)/host/bin/kpio-wasm: $(call host_objs,$(LIB_SRCS_component))
