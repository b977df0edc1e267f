# tests/spec: the official WebAssembly test suite (core/ and simd/) against
# lib/wasm, built with ASan+UBSan. The suite is found through
# WASM_TESTSUITE (default ../shared/wasm-testsuite, relative to the project
# root) and converted with wast2json into $(BUILD)/spec/ at test time.
# `make spec-core` runs it alone and prints every file's counts.
WASM_TESTSUITE ?= ../shared/wasm-testsuite

$(BUILD)/host/tests/spec_runner: $(call host_objs,tests/spec/spec_runner.c \
    host/kpio-wasm/jit_mem.c $(LIB_SRCS_wasm) $(LIB_SRCS_wasm_debug) $(LIB_SRCS_base) \
    host/port/base_env.c)
	$(host_link) -ljansson
TEST_DEPS += $(BUILD)/host/tests/spec_runner

SPEC_CMD = python3 tests/spec/run_spec.py --build $(BUILD) \
    --runner $(BUILD)/host/tests/spec_runner --suite '$(WASM_TESTSUITE)'
COMPONENT_SUITES += spec/core
SUITE_CMD_spec/core := $(SPEC_CMD) --engine interp core
# The same suite with lib/wasm's JIT (every instance compiled to x86-64),
# and with the JIT restricted to what QEMU's default CPU has (no SSE4.1
# rounding, no POPCNT: those operators go through numeric.h).
COMPONENT_SUITES += spec/core-jit spec/core-jit-baseline
SUITE_CMD_spec/core-jit := $(SPEC_CMD) --engine jit core
SUITE_CMD_spec/core-jit-baseline := $(SPEC_CMD) --engine jit-baseline core
# Fixed-width SIMD (simd/, 56 files) on the interpreter. Modules that use
# v128 have wide frames (lib/wasm/README.md).
COMPONENT_SUITES += spec/simd
SUITE_CMD_spec/simd := $(SPEC_CMD) --engine interp simd
# The same with the JIT engines (SSE4.1, and the SSE2-only baseline): every
# instance must be machine code (an instance that fell back to the
# interpreter fails its file); the summary counts the files whose SIMD
# instructions all have code of their own (the rest call interp_simd's
# lane code from machine code, jit_h_simd).
COMPONENT_SUITES += spec/simd-jit spec/simd-jit-baseline
SUITE_CMD_spec/simd-jit := $(SPEC_CMD) --engine jit simd
SUITE_CMD_spec/simd-jit-baseline := $(SPEC_CMD) --engine jit-baseline simd
# KPIO's own tests of wide frames (tests/spec/wide/*.wast): calls between
# instances of both widths (on the JIT: machine code of both widths calling
# each other through C), host calls, v128 globals, recompilation.
SPEC_WIDE_CMD = python3 tests/spec/run_spec.py --build $(BUILD) \
    --runner $(BUILD)/host/tests/spec_runner --suite tests/spec
COMPONENT_SUITES += spec/simd-wide spec/simd-wide-jit
SUITE_CMD_spec/simd-wide := $(SPEC_WIDE_CMD) --engine interp wide
SUITE_CMD_spec/simd-wide-jit := $(SPEC_WIDE_CMD) --engine jit wide

.PHONY: spec-core spec-core-jit spec-simd
spec-core: $(BUILD)/host/tests/spec_runner
	@$(SPEC_CMD) --engine interp core
spec-core-jit: $(BUILD)/host/tests/spec_runner
	@$(SPEC_CMD) --engine jit core
spec-simd: $(BUILD)/host/tests/spec_runner
	@$(SPEC_CMD) --engine interp simd

# Differential test: random programs (gen_diff.py, SIMD in about a third of
# them) in lib/wasm (the interpreter, the JIT and the JIT's SSE2 baseline)
# and in V8; the JIT engines are also compared with the interpreter, which
# needs only wat2wasm.
$(BUILD)/host/tests/wasm_diff: $(call host_objs,tests/spec/wasm_diff.c $(LIB_SRCS_wasm) \
    $(LIB_SRCS_wasm_debug) \
    host/kpio-wasm/jit_mem.c $(LIB_SRCS_base) host/port/base_env.c)
	$(host_link)
TEST_DEPS += $(BUILD)/host/tests/wasm_diff
COMPONENT_SUITES += spec/diff
SUITE_CMD_spec/diff := python3 tests/spec/run_diff.py --build $(BUILD) \
    --runner $(BUILD)/host/tests/wasm_diff --count 200
# The same with SIMD in every module and in much of the code.
COMPONENT_SUITES += spec/diff-simd
SUITE_CMD_spec/diff-simd := python3 tests/spec/run_diff.py --build $(BUILD) \
    --runner $(BUILD)/host/tests/wasm_diff --simd --count 100
