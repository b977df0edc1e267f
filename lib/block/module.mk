# lib/block: portable block-layer logic (kernel and host): partition tables
# (part.c) over a device seam its caller passes in. Their host tests and fuzz target register here.
LIB_SRCS_block := lib/block/part.c
KERNEL_LIB_SRCS += $(LIB_SRCS_block)

BLOCK_TEST_LIBS := tests/unit/block/memdisk.c $(LIB_SRCS_block) $(LIB_SRCS_base) host/port/base_env.c

# unit tests (cmocka) over an in-memory disk that logs every request; GPT
# CRCs from zlib as the oracle
$(BUILD)/host/tests/test_block_part: $(call host_objs,tests/unit/block/test_part.c $(BLOCK_TEST_LIBS))
	$(host_link) -lcmocka -lz
UNIT_SUITES += unit/block/part
SUITE_CMD_unit/block/part := $(BUILD)/host/tests/test_block_part
TEST_DEPS += $(BUILD)/host/tests/test_block_part

# libFuzzer target over whole disks: MBR, EBR chains, GPT headers and arrays
FUZZ_TARGETS += part
$(BUILD)/fuzz/bin/part: $(call fuzz_objs,tests/fuzz/fuzz_part.c $(LIB_SRCS_block) $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/part/.stamp
$(BUILD)/fuzz/seeds/part/.stamp: tests/unit/block/make_part_seeds.py
	@mkdir -p $(@D)
	@python3 tests/unit/block/make_part_seeds.py $(@D)
	@touch $@
