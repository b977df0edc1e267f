# tests/net: lib/net against Linux's own stack over a TAP device in a network
# namespace made by the test (tests/net/run_net.py), with dnsmasq, python's
# http.server and python sockets as peers, through a fault-injecting relay.
# tap_host is built twice: with ASan/UBSan for the functional checks and
# with gcc -O2 for the 64 MiB and fault-injection transfers (ASan makes
# those several times slower; see run_net.py).
NET_HOST_SRCS := tests/net/tap_host.c tests/net/relay.c $(LIB_SRCS_net) \
    $(LIB_SRCS_base) host/port/base_env.c

$(BUILD)/host/tests/net/tap_host: $(call host_objs,$(NET_HOST_SRCS))
	$(host_link)
$(BUILD)/rel/tests/net/tap_host: $(call rel_objs,$(NET_HOST_SRCS))
	$(rel_link)

TEST_DEPS += $(BUILD)/host/tests/net/tap_host $(BUILD)/rel/tests/net/tap_host
COMPONENT_SUITES += net/tap
SUITE_CMD_net/tap := python3 tests/net/run_net.py --build $(BUILD)

# libFuzzer targets on lib/net's input path (tests/fuzz/fuzz_net_*.c), with
# seeds written by tests/net/fuzz_seeds.py.
NET_FUZZ := net_frame net_tcp net_dns net_dhcp
FUZZ_TARGETS += $(NET_FUZZ)
FUZZ_SEEDS += $(foreach t,$(NET_FUZZ),$(BUILD)/fuzz/seeds/$(t)/.stamp)
$(foreach t,$(NET_FUZZ),$(eval $(BUILD)/fuzz/bin/$(t): \
    $(call fuzz_objs,tests/fuzz/fuzz_$(t).c $(LIB_SRCS_net) $(LIB_SRCS_base) host/port/base_env.c) ; \
	$$(fuzz_link)))
$(foreach t,$(NET_FUZZ),$(BUILD)/fuzz/seeds/$(t)/.stamp): $(BUILD)/fuzz/seeds/%/.stamp: \
    tests/net/fuzz_seeds.py
	@mkdir -p $(@D)
	@python3 tests/net/fuzz_seeds.py $* $(@D)
	@touch $@

# Benchmarks: lib/net's in-memory ceiling (two stacks back to back) and the
# host TAP set-up against Linux (needs root).
$(BUILD)/rel/bench/net/bench_pair: $(call rel_objs,bench/net/bench_pair.c $(LIB_SRCS_net) \
    $(LIB_SRCS_base) host/port/base_env.c)
	$(rel_link)
BENCHES += net_pair net_tap
BENCH_CMD_net_pair := $(BUILD)/rel/bench/net/bench_pair 512
BENCH_CMD_net_tap := python3 bench/net/bench_tap.py --build $(BUILD)
BENCH_DEPS += $(BUILD)/rel/bench/net/bench_pair $(BUILD)/rel/tests/net/tap_host
