# lib/wasm: KPIO's WebAssembly runtime (decoder, validator, compiler to
# slot code, interpreter; API in lib/wasm/wasm.h). Built into the kernel
# with floating point enabled (KERNEL_FPU_DIRS), and into host programs:
# host/kpio-wasm, the unit tests, the spec-suite runner (tests/spec/) and
# the fuzzers below.
LIB_SRCS_wasm := lib/wasm/decode.c lib/wasm/validate.c lib/wasm/compile.c lib/wasm/interp.c \
    lib/wasm/instance.c lib/wasm/objects.c
KERNEL_LIB_SRCS += $(LIB_SRCS_wasm)
KERNEL_FPU_DIRS += lib/wasm

# host/kpio-wasm: load a module, call an export (`--invoke NAME ARGS`).
# The release build (gcc -O2) is the one `make` builds and benchmarks use;
# the sanitizer build is for tests.
LIB_SRCS_wasm_debug := lib/wasm/disasm.c
KPIO_WASM_SRCS := host/kpio-wasm/main.c $(LIB_SRCS_wasm) $(LIB_SRCS_wasm_debug) $(LIB_SRCS_base) \
    host/port/base_env.c
$(BUILD)/rel/bin/kpio-wasm: $(call rel_objs,$(KPIO_WASM_SRCS))
	$(rel_link)
$(BUILD)/host/bin/kpio-wasm: $(call host_objs,$(KPIO_WASM_SRCS))
	$(host_link)
ALL_TARGETS += $(BUILD)/rel/bin/kpio-wasm
