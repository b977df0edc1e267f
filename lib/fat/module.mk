# lib/fat: the FAT12/16/32 filesystem library (kernel and host), its host
# tools, tests, fuzzer and benchmark. Everything of lib/fat registers here.
LIB_SRCS_fat := lib/fat/volume.c lib/fat/name.c lib/fat/dir.c lib/fat/file.c lib/fat/ops.c \
    lib/fat/mount.c
KERNEL_LIB_SRCS += $(LIB_SRCS_fat)

FAT_HOST_DEV := host/kpio-disk/filedev.c
FAT_HOST_LIBS := $(LIB_SRCS_fat) $(LIB_SRCS_base) host/port/base_env.c

# kpio-disk: the host tool (release build for people, sanitizer build for tests)
$(BUILD)/rel/bin/kpio-disk: $(call rel_objs,host/kpio-disk/kpio_disk.c $(FAT_HOST_DEV) $(FAT_HOST_LIBS))
	$(rel_link)
$(BUILD)/host/bin/kpio-disk: $(call host_objs,host/kpio-disk/kpio_disk.c $(FAT_HOST_DEV) $(FAT_HOST_LIBS))
	$(host_link)
ALL_TARGETS += $(BUILD)/rel/bin/kpio-disk

# randomized differential and crash workloads, driven by test_fat_images.py
$(BUILD)/host/tests/fat_stress: $(call host_objs,tests/unit/fat/fat_stress.c $(FAT_HOST_DEV) $(FAT_HOST_LIBS))
	$(host_link)

# lib/fat against mkfs.fat, mtools and fsck.fat (read, write, differential,
# crash); FAT_SEED repeats a run, FAT_TESTS=read,write,diff,crash picks parts
COMPONENT_SUITES += component/fat-images
SUITE_CMD_component/fat-images := python3 tests/unit/fat/test_fat_images.py
TEST_DEPS += $(BUILD)/host/bin/kpio-disk $(BUILD)/host/tests/fat_stress

# unit tests (cmocka) over an in-memory device; images from mkfs.fat
$(BUILD)/host/tests/test_fat: $(call host_objs,tests/unit/fat/test_fat.c $(FAT_HOST_LIBS))
	$(host_link) -lcmocka
UNIT_SUITES += unit/fat
SUITE_CMD_unit/fat := $(BUILD)/host/tests/test_fat
TEST_DEPS += $(BUILD)/host/tests/test_fat

# libFuzzer target over mount, directory walks, reads and a few writes
FUZZ_TARGETS += fat
$(BUILD)/fuzz/bin/fat: $(call fuzz_objs,tests/fuzz/fuzz_fat.c $(LIB_SRCS_fat) $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/fat/.stamp
$(BUILD)/fuzz/seeds/fat/.stamp: tests/unit/fat/make_fuzz_seeds.py
	@mkdir -p $(@D)
	@python3 tests/unit/fat/make_fuzz_seeds.py $(@D)
	@touch $@

# host benchmark: sequential write/read of a 256 MiB file (release build)
$(BUILD)/rel/bench/bench_fat: $(call rel_objs,bench/fat/bench_fat.c $(FAT_HOST_DEV) $(FAT_HOST_LIBS))
	$(rel_link)
BENCHES += fat_host
BENCH_DEPS += $(BUILD)/rel/bench/bench_fat
FAT_BENCH_MIB ?= 256
BENCH_CMD_fat_host := mkdir -p $(BUILD)/bench && $(BUILD)/rel/bench/bench_fat $(BUILD)/bench $(FAT_BENCH_MIB)
