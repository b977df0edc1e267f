# lib/wasm: KPIO's WebAssembly runtime (decoder, validator, compiler to
# slot code, interpreter; API in lib/wasm/wasm.h). Built into the kernel
# with floating point enabled (KERNEL_FPU_DIRS), and into host programs:
# host/kpio-wasm (host/kpio-wasm/module.mk), the spec-suite runner
# (tests/spec/module.mk), benchmarks (bench/wasm/module.mk), and the unit
# tests and fuzzers below. disasm.c is a debugging aid for host builds.
LIB_SRCS_wasm := lib/wasm/common.c lib/wasm/decode.c lib/wasm/validate.c lib/wasm/module.c lib/wasm/op_tables.c lib/wasm/compile.c lib/wasm/compile_ops.c \
    lib/wasm/compile_simd.c lib/wasm/interp_simd.c \
    lib/wasm/interp.c lib/wasm/jit.c lib/wasm/jit_ir.c lib/wasm/jit_x86_64.c lib/wasm/jit_x86_64_ops.c \
    lib/wasm/jit_x86_64_simd.c lib/wasm/jit_store.c \
    lib/wasm/instance.c lib/wasm/objects.c
KERNEL_LIB_SRCS += $(LIB_SRCS_wasm)
KERNEL_FPU_DIRS += lib/wasm
LIB_SRCS_wasm_debug := lib/wasm/disasm.c

# The engine's identity in cached machine code (jit_store.c): a hash of
# lib/wasm's sources, so that code saved by another build is never used.
# jit_store.c is rebuilt whenever one of them changes.
JIT_ENGINE_SRCS := $(sort $(wildcard lib/wasm/*.c lib/wasm/*.h))
JIT_ENGINE_ID := 0x$(shell cat $(JIT_ENGINE_SRCS) | sha256sum | cut -c1-16)ull
$(foreach v,host rel fuzz kernel,$(BUILD)/$(v)/lib/wasm/jit_store.o): $(JIT_ENGINE_SRCS)
$(BUILD)/host/lib/wasm/jit_store.o: HOST_CFLAGS += -DJIT_ENGINE_ID=$(JIT_ENGINE_ID)
$(BUILD)/rel/lib/wasm/jit_store.o: REL_CFLAGS += -DJIT_ENGINE_ID=$(JIT_ENGINE_ID)
$(BUILD)/fuzz/lib/wasm/jit_store.o: FUZZ_CFLAGS += -DJIT_ENGINE_ID=$(JIT_ENGINE_ID)
$(BUILD)/kernel/lib/wasm/jit_store.o: KERNEL_CFLAGS += -DJIT_ENGINE_ID=$(JIT_ENGINE_ID)


# Fuzzing: decode+validate of arbitrary bytes, and instantiate-and-run of
# modules that load (small limits, fuel) on both engines, which must agree.
# Seeds: the spec suite's modules.
WASM_FUZZ_LIBS := $(LIB_SRCS_wasm) host/kpio-wasm/jit_mem.c $(LIB_SRCS_base) host/port/base_env.c
FUZZ_TARGETS += wasm_load wasm_run
$(BUILD)/fuzz/bin/wasm_load: $(call fuzz_objs,tests/fuzz/fuzz_wasm_load.c $(WASM_FUZZ_LIBS))
	$(fuzz_link)
$(BUILD)/fuzz/bin/wasm_run: $(call fuzz_objs,tests/fuzz/fuzz_wasm_run.c $(WASM_FUZZ_LIBS))
	$(fuzz_link)

WASM_TESTSUITE ?= ../shared/wasm-testsuite
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/wasm_load/.stamp $(BUILD)/fuzz/seeds/wasm_run/.stamp
$(BUILD)/fuzz/seeds/wasm_%/.stamp: tests/spec/make_seeds.sh
	@tests/spec/make_seeds.sh '$(WASM_TESTSUITE)' $(@D)
	@touch $@

# Unit tests of the embedding API; their modules are .wat files made into
# .wasm by wat2wasm (Debian's wabt).
WASM_TEST_MODULES := $(patsubst tests/unit/wasm/%.wat,$(BUILD)/host/tests/wasm/%.wasm,\
    $(wildcard tests/unit/wasm/*.wat))
$(BUILD)/host/tests/wasm/%.wasm: tests/unit/wasm/%.wat
	@mkdir -p $(@D)
	@echo "  WAT     $<"
	@wat2wasm --debug-names $< -o $@
# Each runs on the interpreter and on the JIT (the host's executable memory
# comes from host/kpio-wasm/jit_mem.c).
$(BUILD)/host/tests/test_wasm: $(call host_objs,tests/unit/wasm/test_wasm.c tests/unit/wasm/load.c $(LIB_SRCS_wasm) \
    host/kpio-wasm/jit_mem.c $(LIB_SRCS_base) host/port/base_env.c)
	$(host_link) -lcmocka
TEST_DEPS += $(BUILD)/host/tests/test_wasm $(WASM_TEST_MODULES)
UNIT_SUITES += unit/wasm unit/wasm-jit
SUITE_CMD_unit/wasm := $(BUILD)/host/tests/test_wasm $(BUILD)/host/tests/wasm interp
SUITE_CMD_unit/wasm-jit := $(BUILD)/host/tests/test_wasm $(BUILD)/host/tests/wasm jit
$(BUILD)/host/tests/test_wasm_numeric: $(call host_objs,tests/unit/wasm/test_numeric.c \
    $(LIB_SRCS_wasm) $(LIB_SRCS_wasm_debug) host/kpio-wasm/jit_mem.c $(LIB_SRCS_base) \
    host/port/base_env.c)
	$(host_link) -lcmocka -lm
TEST_DEPS += $(BUILD)/host/tests/test_wasm_numeric
UNIT_SUITES += unit/wasm_numeric unit/wasm_numeric-jit unit/wasm_numeric-jit-baseline
SUITE_CMD_unit/wasm_numeric := $(BUILD)/host/tests/test_wasm_numeric $(BUILD)/host/tests/wasm
SUITE_CMD_unit/wasm_numeric-jit := $(BUILD)/host/tests/test_wasm_numeric $(BUILD)/host/tests/wasm jit
SUITE_CMD_unit/wasm_numeric-jit-baseline := $(BUILD)/host/tests/test_wasm_numeric \
    $(BUILD)/host/tests/wasm jit-baseline
# Machine code saved and loaded (jit_store.c), JIT only.
$(BUILD)/host/tests/test_jit_store: $(call host_objs,tests/unit/wasm/test_jit_store.c tests/unit/wasm/load.c \
    $(LIB_SRCS_wasm) host/kpio-wasm/jit_mem.c $(LIB_SRCS_base) host/port/base_env.c)
	$(host_link) -lcmocka
TEST_DEPS += $(BUILD)/host/tests/test_jit_store
UNIT_SUITES += unit/wasm_jit_store
SUITE_CMD_unit/wasm_jit_store := $(BUILD)/host/tests/test_jit_store $(BUILD)/host/tests/wasm

# The loader of saved machine code (jit_store.c); its seeds are the real
# code of the target's own module, which only this build can make.
FUZZ_TARGETS += wasm_jit_store
$(BUILD)/fuzz/bin/wasm_jit_store: $(call fuzz_objs,tests/fuzz/fuzz_wasm_jit_store.c $(WASM_FUZZ_LIBS))
	$(fuzz_link)
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/wasm_jit_store/.stamp
$(BUILD)/fuzz/seeds/wasm_jit_store/.stamp: $(BUILD)/fuzz/bin/wasm_jit_store
	@mkdir -p $(@D)
	@KPIO_FUZZ_SEEDS=$(@D) $<
	@touch $@
