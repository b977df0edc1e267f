# lib/wasm: KPIO's WebAssembly runtime (decoder, validator, compiler to
# slot code, interpreter; API in lib/wasm/wasm.h). Built into the kernel
# with floating point enabled (KERNEL_FPU_DIRS), and into host programs:
# host/kpio-wasm (host/kpio-wasm/module.mk), the spec-suite runner
# (tests/spec/module.mk), benchmarks (bench/wasm/module.mk), and the unit
# tests and fuzzers below. disasm.c is a debugging aid for host builds.
LIB_SRCS_wasm := lib/wasm/decode.c lib/wasm/validate.c lib/wasm/compile.c lib/wasm/interp.c \
    lib/wasm/instance.c lib/wasm/objects.c
KERNEL_LIB_SRCS += $(LIB_SRCS_wasm)
KERNEL_FPU_DIRS += lib/wasm
LIB_SRCS_wasm_debug := lib/wasm/disasm.c

