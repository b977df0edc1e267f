# lib/block: portable block-layer logic (kernel and host): partition tables
# (part.c) and the sector cache's policy (cache.c), each over a device seam
# its caller passes in. Their host tests and fuzz target register here.
LIB_SRCS_block := lib/block/part.c lib/block/cache.c
KERNEL_LIB_SRCS += $(LIB_SRCS_block)

BLOCK_TEST_LIBS := tests/unit/block/memdisk.c $(LIB_SRCS_block) $(LIB_SRCS_base) host/port/base_env.c

# unit tests (cmocka) over an in-memory disk that logs every request; GPT
# CRCs from zlib as the oracle
$(BUILD)/host/tests/test_block_part: $(call host_objs,tests/unit/block/test_part.c $(BLOCK_TEST_LIBS))
	$(host_link) -lcmocka -lz
$(BUILD)/host/tests/test_block_cache: $(call host_objs,tests/unit/block/test_cache.c $(BLOCK_TEST_LIBS))
	$(host_link) -lcmocka
UNIT_SUITES += unit/block/part unit/block/cache
SUITE_CMD_unit/block/part := $(BUILD)/host/tests/test_block_part
SUITE_CMD_unit/block/cache := $(BUILD)/host/tests/test_block_cache
TEST_DEPS += $(BUILD)/host/tests/test_block_part $(BUILD)/host/tests/test_block_cache

# libFuzzer target over whole disks: MBR, EBR chains, GPT headers and arrays
FUZZ_TARGETS += part
$(BUILD)/fuzz/bin/part: $(call fuzz_objs,tests/fuzz/fuzz_part.c $(LIB_SRCS_block) $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/part/.stamp
$(BUILD)/fuzz/seeds/part/.stamp: tests/unit/block/make_part_seeds.py
	@mkdir -p $(@D)
	@python3 tests/unit/block/make_part_seeds.py $(@D)
	@touch $@
