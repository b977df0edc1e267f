# lib/component: the WebAssembly component binary format (loader and
# validator; README.md). Freestanding, built into the kernel and into host
# programs; its unit tests and fuzzer are in tests/unit/component and
# tests/fuzz.
LIB_SRCS_component := lib/component/reader.c lib/component/names.c lib/component/load.c \
    lib/component/types.c lib/component/canon.c lib/component/core_scan.c \
    lib/component/flatten.c lib/component/resolve.c \
    lib/component/subtype.c
KERNEL_LIB_SRCS += $(LIB_SRCS_component)
# Instantiation (first part: core instances through lib/wasm).
LIB_SRCS_component_inst := lib/component/instance.c lib/component/resource.c
KERNEL_LIB_SRCS += $(LIB_SRCS_component_inst)

# WASI 0.2 command components over lib/wasi (command.c): imports bound to
# lib/wasi's 0.2 host by name, wasi:cli/run lifted.
LIB_SRCS_component_cmd := lib/component/command.c
KERNEL_LIB_SRCS += $(LIB_SRCS_component_cmd)

# The general canonical ABI (abi.c: lift and lower of every WIT kind, a
# host call of a lifted export): host programs only for now (kpio-wasm
# --invoke; the kernel does not call component exports yet).
LIB_SRCS_component_abi := lib/component/abi_mem.c lib/component/abi.c lib/component/abi_string.c \
    lib/component/abi_call.c lib/component/abi_link.c

# host/kpio-wasm runs components (run_wasi.c) and calls their exports with
# WAVE values (invoke_comp.c, wave.c): both builds link the library.
KPIO_WASM_COMP_SRCS := $(LIB_SRCS_component) $(LIB_SRCS_component_inst) $(LIB_SRCS_component_cmd) \
    $(LIB_SRCS_component_abi) host/kpio-wasm/wave.c host/kpio-wasm/invoke_comp.c
$(BUILD)/rel/bin/kpio-wasm: $(call rel_objs,$(KPIO_WASM_COMP_SRCS))
$(BUILD)/host/bin/kpio-wasm: $(call host_objs,$(KPIO_WASM_COMP_SRCS))
