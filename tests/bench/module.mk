# tests/bench: checks of the benchmark programs themselves (not timings).
#   bench/kernels  bench/wasm's programs, scalar and SIMD builds, return the
#                  native build's checksum on every lib/wasm engine and on
#                  node (test_kernels.py)
COMPONENT_SUITES += bench/kernels
SUITE_CMD_bench/kernels := python3 tests/bench/test_kernels.py --build $(BUILD)
TEST_DEPS += $(BENCH_WASM_FILES) $(BUILD)/rel/bin/kpio-wasm
