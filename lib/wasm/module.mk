# lib/wasm: KPIO's WebAssembly runtime (decoder, validator, compiler to
# slot code, interpreter; API in lib/wasm/wasm.h). Built into the kernel
# with floating point enabled (KERNEL_FPU_DIRS), and into host programs:
# host/kpio-wasm, the unit tests, the spec-suite runner (tests/spec/) and
# the fuzzers below.
LIB_SRCS_wasm := lib/wasm/decode.c lib/wasm/validate.c lib/wasm/compile.c lib/wasm/interp.c \
    lib/wasm/instance.c lib/wasm/objects.c
KERNEL_LIB_SRCS += $(LIB_SRCS_wasm)
KERNEL_FPU_DIRS += lib/wasm
