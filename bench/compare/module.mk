# bench/compare: `make bench` runs KPIO and the Linux reference guest through
# the same work and prints them side by side (side_by_side.py). The Linux
# guest is built from Debian's packages by bench/linux-guest/build.sh; when
# the mirror cannot be reached its column is reported as skipped.
BENCHES += compare
BENCH_COMPARE_ARGS ?= --runs 3
BENCH_CMD_compare := { bench/linux-guest/build.sh $(BUILD)/linux-guest || true; } && \
    python3 bench/compare/side_by_side.py --build $(BUILD) $(BENCH_COMPARE_ARGS)
BENCH_DEPS += $(BUILD)/kpio.iso $(BUILD)/apps/fetch.wasm $(BUILD)/apps/cat.wasm $(BUILD)/apps/wc.wasm
