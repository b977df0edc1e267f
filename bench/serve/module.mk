# bench/serve: requests/s and p50/p99 latency of apps/webapp.c's GET / at 1,
# 16 and 64 keep-alive connections (wrk) on kpio-wasm serve (JIT and the
# interpreter) and on jco serve (the same handler componentized) in one run.
# The JIT compiles the module once; each request's instance gets a relocated
# copy of the code in fresh code memory (alloc, copy, seal).
BENCHES += serve
BENCH_SERVE_ARGS ?=
BENCH_CMD_serve := python3 bench/serve/bench_serve.py --build $(BUILD) $(BENCH_SERVE_ARGS)
BENCH_DEPS += $(BUILD)/rel/bin/kpio-wasm $(HANDLER_WASMS)

# bench/kserve: the same GET / against the shell's serve in KPIO under QEMU
# through hostfwd (wrk at 1 and 16 keep-alive connections), beside KPIO's
# own apps/httpd on a file of the same size in the same boot
# (bench_kserve.py; --cmdline wasm=interp for the interpreter).
BENCHES += kserve
BENCH_KSERVE_ARGS ?=
BENCH_CMD_kserve := python3 bench/serve/bench_kserve.py --build $(BUILD) $(BENCH_KSERVE_ARGS)
BENCH_DEPS += $(BUILD)/kpio.iso
