# lib/vfs: the virtual filesystem's portable path rules (kernel and host):
# resolution against a cwd with "." / ".." / slashes and limits, asking the
# filesystem through an ops table, and the mount that owns a path. Its host
# tests and fuzz target register here.
LIB_SRCS_vfs := lib/vfs/path.c
KERNEL_LIB_SRCS += $(LIB_SRCS_vfs)

# unit tests (cmocka): a table filesystem, and Linux's realpath over a real tree
$(BUILD)/host/tests/test_vfs_path: $(call host_objs,tests/unit/vfs/test_path.c $(LIB_SRCS_vfs) \
    $(LIB_SRCS_base) host/port/base_env.c)
	$(host_link) -lcmocka
UNIT_SUITES += unit/vfs/path
SUITE_CMD_unit/vfs/path := $(BUILD)/host/tests/test_vfs_path
TEST_DEPS += $(BUILD)/host/tests/test_vfs_path

# libFuzzer target: resolution against a made-up filesystem and a model
FUZZ_TARGETS += vfs_path
$(BUILD)/fuzz/bin/vfs_path: $(call fuzz_objs,tests/fuzz/fuzz_vfs_path.c $(LIB_SRCS_vfs) $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/vfs_path/.stamp
$(BUILD)/fuzz/seeds/vfs_path/.stamp: tests/unit/vfs/make_path_seeds.py
	@mkdir -p $(@D)
	@python3 tests/unit/vfs/make_path_seeds.py $(@D)
	@touch $@
