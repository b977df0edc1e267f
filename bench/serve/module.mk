# bench/serve: requests/s and p50/p99 latency of apps/webapp.c's GET / at 1,
# 16 and 64 keep-alive connections (wrk) on kpio-wasm serve (JIT and the
# interpreter) and on jco serve (the same handler componentized) in one run.
# The JIT compiles the module again for every request's instance, so its
# figures are mostly compile time (perf: jit_ir.c's sort_handlers ~40%).
BENCHES += serve
BENCH_SERVE_ARGS ?=
BENCH_CMD_serve := python3 bench/serve/bench_serve.py --build $(BUILD) $(BENCH_SERVE_ARGS)
BENCH_DEPS += $(BUILD)/rel/bin/kpio-wasm $(HANDLER_WASMS)
