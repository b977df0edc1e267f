# bench/compare: `make bench` runs KPIO and the Linux reference guest through
# the same work and prints them side by side (side_by_side.py). The Linux
# guest is built from Debian's packages by bench/linux-guest/build.sh; when
# the mirror cannot be reached its column is reported as skipped. Once
# built, the guest's own checks (test_bench.py --linux-guest) run first.
# KPIO runs booted from its ISO and by direct kernel boot (kpio-direct);
# the run ends naming the SVG it drew (build/bench-compare/compare.svg).
BENCHES += compare
BENCH_COMPARE_ARGS ?= --runs 3
BENCH_CMD_compare := if bench/linux-guest/build.sh $(BUILD)/linux-guest; then \
    python3 bench/compare/test_bench.py --build $(BUILD) --linux-guest; fi && \
    python3 bench/compare/side_by_side.py --build $(BUILD) $(BENCH_COMPARE_ARGS)
BENCH_DEPS += $(BUILD)/kpio.iso $(BUILD)/kernel/kpio.elf $(BUILD)/apps/fetch.wasm $(BUILD)/apps/cat.wasm \
              $(BUILD)/apps/wc.wasm
# bench/compare's serving figures (serve_guests.py): wrk through hostfwd at
# 1, 16 and 64 connections against KPIO's `serve` (the webapp handler),
# KPIO's httpd app and the Linux guest's busybox httpd on the same QEMU.
BENCHES += compare-serve
BENCH_COMPARE_SERVE_ARGS ?=
BENCH_CMD_compare-serve := python3 bench/compare/serve_guests.py --build $(BUILD) \
    $(BENCH_COMPARE_SERVE_ARGS)
BENCH_DEPS += $(BUILD)/apps/httpd.wasm $(HANDLER_WASMS)
