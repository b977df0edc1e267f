# bench/serve: requests/s and p50/p99 latency of apps/webapp.c's GET / at 1,
# 16 and 64 keep-alive connections (wrk) on kpio-wasm serve (JIT and the
# interpreter) and on jco serve (the same handler componentized) in one run.
# The JIT compiles the module once; each request's instance gets a relocated
# copy of the code in fresh code memory (alloc, copy, seal).
BENCHES += serve
BENCH_SERVE_ARGS ?=
BENCH_CMD_serve := python3 bench/serve/bench_serve.py --build $(BUILD) $(BENCH_SERVE_ARGS)
BENCH_DEPS += $(BUILD)/rel/bin/kpio-wasm $(HANDLER_WASMS)
