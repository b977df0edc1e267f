# bench/jitdisk: app start (loaded to compiled) with and without the JIT's
# cache on disk, in KPIO (fetch) and in kpio-wasm (the JS component).
BENCHES += jitdisk
BENCH_CMD_jitdisk := KPIO_BUILD=$(BUILD) python3 bench/jitdisk/bench_jitdisk.py
BENCH_DEPS += $(BUILD)/kpio.iso $(BUILD)/apps/fetch.wasm $(BUILD)/rel/bin/kpio-wasm \
    $(BUILD)/host/tests/component/.stamp
