# bench/linux-guest/module.mk - the Linux reference guest for the benchmarks
# and the "bench-linux" target that measures it with bench/compare/.
#
#   make linux-guest     build $(BUILD)/linux-guest/linux-guest.iso from
#                        Debian's packages (downloads the .debs once)
#   make bench-linux     build it, check it (bench/compare/test_bench.py
#                        --linux-guest), then run bench/compare/bench.py for
#                        Linux alone (BENCH linux_<metric> lines + a table)
#
# BENCH_LINUX_ARGS passes options to the harness, e.g.
#   make bench-linux BENCH_LINUX_ARGS="--runs 5 --firmware ovmf --cluster 4096"
# Not in BENCHES: the lead combines it with KPIO's figures in "make bench".

LINUX_GUEST_DIR := $(BUILD)/linux-guest
BENCH_LINUX_ARGS ?=

.PHONY: linux-guest bench-linux
linux-guest:
	@bench/linux-guest/build.sh $(LINUX_GUEST_DIR)

# build.sh exits 77 when the Debian mirror cannot be reached and no
# packages were downloaded before: the bench is then skipped, loudly.
bench-linux:
	@./scripts/setup.sh
	@rc=0; bench/linux-guest/build.sh $(LINUX_GUEST_DIR) || rc=$$?; \
	if [ $$rc -eq 77 ]; then \
	  echo "bench-linux: SKIP: the Linux guest needs Debian's kernel and busybox-static packages and the mirror is unreachable"; \
	  exit 0; \
	fi; \
	[ $$rc -eq 0 ] || exit $$rc; \
	python3 bench/compare/test_bench.py --build $(BUILD) --linux-guest && \
	python3 bench/compare/bench.py --guest linux --build $(BUILD) $(BENCH_LINUX_ARGS)

# The harness's own checks (initramfs writer, module resolution, marker
# parsing, figures, disk verification, payload server) and KPIO's guest in
# QEMU: a TAP suite. The Linux guest's checks need the guest, which only the
# benchmarks build (a kernel package and more from Debian's mirror, three
# more QEMU boots): bench-linux and make bench run them (--linux-guest).
COMPONENT_SUITES += bench/compare
SUITE_CMD_bench/compare := python3 bench/compare/test_bench.py --build $(BUILD)
