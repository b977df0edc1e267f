# KPIO top-level build.
#
#   make            kernel, ISO, host tools, apps
#   make run        set up, build, boot the milestone demo in QEMU
#   make test       set up, build, run every test; ends with "N passed, N failed"
#   make bench      benchmark figures as "BENCH name value unit" lines
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS each
#   make check      clang-format and cppcheck over the sources
#
# Each subsystem adds its sources, programs and test suites from its own
# module.mk (included below), so this file only holds the shared rules.

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:
SHELL := /bin/bash

BUILD ?= build
# The node of the build and of every test: scripts/setup.sh installs one into
# $(BUILD)/node when the system's is too old for jco (Debian 12's node 18).
export PATH := $(abspath $(BUILD))/node/bin:$(PATH)

# Compilers. The kernel is built with gcc; host tests and fuzzers with clang-19
# (ASan, UBSan, libFuzzer); release host tools with gcc -O2.
KERNEL_CC ?= gcc
KERNEL_LD ?= ld
HOST_CC ?= clang-19
REL_CC ?= gcc
WASM_CC ?= clang-19

WARN := -std=c11 -Wall -Wextra -Werror -Wvla -Wshadow=local -Wno-missing-field-initializers
ifeq ($(findstring clang,$(HOST_CC)),clang)
HOST_WARN := $(filter-out -Wshadow=local,$(WARN)) -Wshadow
else
HOST_WARN := $(WARN)
endif

INCLUDES := -Ilib -I.
HOST_CFLAGS := $(HOST_WARN) $(INCLUDES) -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_LDFLAGS := -fsanitize=address,undefined
REL_CFLAGS := $(WARN) $(INCLUDES) -D_GNU_SOURCE -g -O2
FUZZ_CFLAGS := $(HOST_WARN) $(INCLUDES) -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -DKPIO_FUZZ
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined

KERNEL_CFLAGS := $(WARN) $(INCLUDES) -ffreestanding -nostdinc \
    -isystem $(shell $(KERNEL_CC) -print-file-name=include 2>/dev/null) \
    -fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel \
    -fno-omit-frame-pointer -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
    -O2 -g -DKPIO_KERNEL
# Files that may use floating point and SIMD registers (the interpreter).
# Everything else in the kernel is integer-only so that interrupt handlers
# never touch FPU state; the scheduler saves it per thread.
KERNEL_FPU_CFLAGS := -msse2
KERNEL_NOFPU_CFLAGS := -mgeneral-regs-only
KERNEL_FPU_DIRS :=

# Helpers for module.mk files. The link helpers link the prerequisites' objects,
# then their static archives (Mbed TLS's, lib/tls/module.mk).
host_objs = $(patsubst %.c,$(BUILD)/host/%.o,$(1))
rel_objs = $(patsubst %.c,$(BUILD)/rel/%.o,$(1))
fuzz_objs = $(patsubst %.c,$(BUILD)/fuzz/%.o,$(1))
host_link = @mkdir -p $(@D) && echo "  LD      $@" && $(HOST_CC) $(HOST_LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^)
rel_link = @mkdir -p $(@D) && echo "  LD      $@" && $(REL_CC) -o $@ $(filter %.o,$^) $(filter %.a,$^)
fuzz_link = @mkdir -p $(@D) && echo "  LD      $@" && $(HOST_CC) $(FUZZ_LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^)

# Filled in by module.mk files.
KERNEL_SRCS :=
KERNEL_ASM :=
KERNEL_LIB_SRCS :=
ALL_TARGETS :=
TEST_DEPS :=
UNIT_SUITES :=
COMPONENT_SUITES :=
SYSTEM_SUITES :=
# Suites that cannot share the machine with another suite (each module.mk
# says why); run_tests.py runs them alone.
SERIAL_SUITES :=
BENCH_DEPS :=
BENCHES :=
FUZZ_TARGETS :=
FUZZ_SEEDS :=

include lib/base/module.mk
-include $(sort $(filter-out lib/base/module.mk,$(wildcard lib/*/module.mk)))
include kernel/module.mk
-include $(sort $(wildcard host/module.mk apps/module.mk bench/module.mk bench/*/module.mk host/*/module.mk))
-include $(sort $(filter-out tests/fuzz/module.mk,$(wildcard tests/*/module.mk)))
include tests/fuzz/module.mk

.PHONY: all setup run test bench fuzz check clean clean-disk
all: $(ALL_TARGETS)

setup:
	@BUILD=$(BUILD) ./scripts/setup.sh

# --- generic compile rules -------------------------------------------------

$(BUILD)/host/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC(rel) $<"
	@$(REL_CC) $(REL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fuzz/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC(fz)  $<"
	@$(HOST_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

kernel_fpu = $(if $(filter $(addsuffix /%,$(KERNEL_FPU_DIRS)),$(1)),$(KERNEL_FPU_CFLAGS),$(KERNEL_NOFPU_CFLAGS))

$(BUILD)/kernel/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC(k)   $<"
	@$(KERNEL_CC) $(KERNEL_CFLAGS) $(call kernel_fpu,$<) -MMD -MP -c $< -o $@

$(BUILD)/kernel/%.o: %.S
	@mkdir -p $(@D)
	@echo "  AS(k)   $<"
	@$(KERNEL_CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(addprefix $(BUILD)/,host rel fuzz kernel) -name '*.d' -type f 2>/dev/null)

# --- the two commands and friends -----------------------------------------

# Jobs of the build that run, test, bench and fuzz start after set-up
# (default: the CPUs).
BUILD_JOBS ?= $(shell nproc 2>/dev/null || echo 1)

run:
	@BUILD=$(BUILD) ./scripts/setup.sh
	@$(MAKE) --no-print-directory -j$(BUILD_JOBS) all
	@BUILD=$(BUILD) python3 scripts/run_demo.py

clean-disk:
	rm -f $(BUILD)/disk.img

TEST_TIMEOUT ?= 1800
# Suites run at once by run_tests.py (empty: the CPUs, at most 4); the
# output stays in the order below either way.
TEST_JOBS ?=
# Suites whose every line is shown (per-file spec counts, E2E timings).
TEST_SHOW ?= spec/core qemu/e2e
test:
	@BUILD=$(BUILD) ./scripts/setup.sh
	@$(MAKE) --no-print-directory -j$(BUILD_JOBS) all $(TEST_DEPS)
	@python3 tests/run_tests.py --build $(BUILD) --timeout $(TEST_TIMEOUT) $(if $(SUITE),--only '$(SUITE)') \
	    $(if $(TEST_JOBS),--jobs $(TEST_JOBS)) $(foreach s,$(SERIAL_SUITES),--serial $(s)) \
	    $(foreach s,$(TEST_SHOW),--show $(s)) \
	    $(foreach s,$(UNIT_SUITES) $(COMPONENT_SUITES) $(SYSTEM_SUITES),'$(s)=$(SUITE_CMD_$(s))')

bench:
	@BUILD=$(BUILD) ./scripts/setup.sh
	@$(MAKE) --no-print-directory -j$(BUILD_JOBS) all $(BENCH_DEPS)
	@set -e; $(foreach b,$(BENCHES),$(BENCH_CMD_$(b));)

FUZZ_SECONDS ?= 60
fuzz:
	@BUILD=$(BUILD) ./scripts/setup.sh
	@$(MAKE) --no-print-directory -j$(BUILD_JOBS) $(foreach t,$(FUZZ_TARGETS),$(BUILD)/fuzz/bin/$(t)) $(FUZZ_SEEDS) \
	    $(FUZZ_REGRESS)
	@python3 tests/fuzz/run_fuzz.py --build $(BUILD) --corpus tests/fuzz/corpus --seconds $(FUZZ_SECONDS) \
	    $(if $(FUZZ_KEEP),--keep) $(FUZZ_TARGETS)

check:
	@KPIO_BUILD=$(BUILD) sh tests/check/run_check.sh

clean:
	rm -rf $(BUILD)
