# tests/unit/net: lib/net unit tests (cmocka, ASan+UBSan): hand-built frames
# in, assertions on the frames the stack sends (tests/unit/net/net_util.c).
NET_UNIT_DEPS := tests/unit/net/net_util.c $(LIB_SRCS_net) $(LIB_SRCS_base) host/port/base_env.c

$(BUILD)/host/tests/test_net_tcp: $(call host_objs,tests/unit/net/test_tcp.c $(NET_UNIT_DEPS))
	$(host_link) -lcmocka
$(BUILD)/host/tests/test_net_proto: $(call host_objs,tests/unit/net/test_proto.c $(NET_UNIT_DEPS))
	$(host_link) -lcmocka

UNIT_SUITES += unit/net_tcp unit/net_proto
SUITE_CMD_unit/net_tcp := $(BUILD)/host/tests/test_net_tcp
SUITE_CMD_unit/net_proto := $(BUILD)/host/tests/test_net_proto
TEST_DEPS += $(BUILD)/host/tests/test_net_tcp $(BUILD)/host/tests/test_net_proto
