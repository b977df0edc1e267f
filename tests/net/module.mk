# tests/net: lib/net against Linux's own stack over a TAP device in a network
# namespace made by the test (tests/net/run_net.py), with dnsmasq, python's
# http.server and python sockets as peers, through a fault-injecting relay.
# tap_host is built twice: with ASan/UBSan for the functional checks and
# with gcc -O2 for the 64 MiB and fault-injection transfers (ASan makes
# those several times slower; see run_net.py).
NET_HOST_SRCS := tests/net/tap_host.c tests/net/relay.c tests/net/sha256.c \
    $(LIB_SRCS_net) $(LIB_SRCS_base) host/port/base_env.c

$(BUILD)/host/tests/net/tap_host: $(call host_objs,$(NET_HOST_SRCS))
	$(host_link)
$(BUILD)/rel/tests/net/tap_host: $(call rel_objs,$(NET_HOST_SRCS))
	$(rel_link)

TEST_DEPS += $(BUILD)/host/tests/net/tap_host $(BUILD)/rel/tests/net/tap_host
COMPONENT_SUITES += net/tap
SUITE_CMD_net/tap := python3 tests/net/run_net.py --build $(BUILD)
