# lib/base: freestanding basics. mem.c is the kernel's C library; host
# programs use libc's and build mem.c only into its unit test.
LIB_SRCS_base := lib/base/str.c lib/base/fmt.c lib/base/error.c lib/base/log.c lib/base/sha256.c
KERNEL_LIB_SRCS += lib/base/mem.c $(LIB_SRCS_base)

$(BUILD)/host/tests/test_base: $(call host_objs,tests/unit/base/test_base.c \
    $(LIB_SRCS_base) host/port/base_env.c) $(BUILD)/host/tests/base_mem_renamed.o
	$(host_link) -lcmocka

# mem.c under other names, so that the test exercises ours and not libc's.
$(BUILD)/host/tests/base_mem_renamed.o: lib/base/mem.c tests/unit/base/mem_rename.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -fno-builtin -include tests/unit/base/mem_rename.h -c $< -o $@

UNIT_SUITES += unit/base
SUITE_CMD_unit/base := $(BUILD)/host/tests/test_base
TEST_DEPS += $(BUILD)/host/tests/test_base
