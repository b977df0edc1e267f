# tests/wasi: lib/wasi's test programs (C compiled to wasm32-wasi with
# clang-19, Debian's wasi-libc and lld-19), run under host/kpio-wasm by
# run_wasi_tests.py: the preview1 calls compared with node's WASI and an
# expected output, WASI 0.2 against real local servers (python's
# http.server-based tests/lib/httpserve.py, TCP and UDP peers), traps for
# misuse, and jco's componentization of the 0.2 modules. Also lib/wasi's
# cmocka unit tests (tests/unit/wasi) and the fuzz target of the path
# confinement (tests/fuzz/fuzz_wasi_path.c).
WASI_TEST_DIR := $(BUILD)/tests/wasi
WASI_TEST_CFLAGS := --target=wasm32-wasi -O2 -Wall -Werror -Wno-unused-result -Itests/wasi
WASI_TEST_PROGS := p1_calls p1_sock p1_grow p2_cli p2_http p2_net p2_traps
WASI_TEST_WASM := $(foreach p,$(WASI_TEST_PROGS),$(WASI_TEST_DIR)/$(p).wasm)

$(WASI_TEST_DIR)/p1_calls.wasm $(WASI_TEST_DIR)/p1_sock.wasm $(WASI_TEST_DIR)/p1_grow.wasm \
    $(WASI_TEST_DIR)/p1_recurse.wasm: $(WASI_TEST_DIR)/%.wasm: tests/wasi/%.c
	@mkdir -p $(@D)
	@echo "  WASM    $@"
	@$(WASM_CC) $(WASI_TEST_CFLAGS) -o $@ $<

# p2_cli is a 0.2 command: it exports wasi:cli/run and no _start.
$(WASI_TEST_DIR)/p2_cli.wasm: tests/wasi/p2_cli.c tests/wasi/cabi.c tests/wasi/wasi02.h
	@mkdir -p $(@D)
	@echo "  WASM    $@"
	@$(WASM_CC) $(WASI_TEST_CFLAGS) -mexec-model=reactor -o $@ $(filter %.c,$^)

$(WASI_TEST_DIR)/%.wasm: tests/wasi/%.c tests/wasi/cabi.c tests/wasi/wasi02.h
	@mkdir -p $(@D)
	@echo "  WASM    $@"
	@$(WASM_CC) $(WASI_TEST_CFLAGS) -o $@ $(filter %.c,$^)

# p1_errno: path calls' corner cases, as wasm (under kpio-wasm) and as a
# native Linux program, the reference its output is compared with
$(WASI_TEST_DIR)/p1_errno.wasm: tests/wasi/p1_errno.c
	@mkdir -p $(@D)
	@echo "  WASM    $@"
	@$(WASM_CC) $(WASI_TEST_CFLAGS) -o $@ $<
$(WASI_TEST_DIR)/p1_errno.native: tests/wasi/p1_errno.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(REL_CC) -O2 -Wall -Werror -o $@ $<

TEST_DEPS += $(WASI_TEST_WASM) $(BUILD)/host/bin/kpio-wasm
TEST_DEPS += $(WASI_TEST_DIR)/p1_errno.wasm $(WASI_TEST_DIR)/p1_errno.native
COMPONENT_SUITES += wasi/programs
SUITE_CMD_wasi/programs := python3 tests/wasi/run_wasi_tests.py --build $(BUILD)

# Hostile apps under `ulimit -v`: refused cleanly, kpio-wasm's resident
# memory under a stated bound (run_hostile.py).
TEST_DEPS += $(BUILD)/rel/bin/kpio-wasm
COMPONENT_SUITES += wasi/hostile
SUITE_CMD_wasi/hostile := python3 tests/wasi/run_hostile.py --build $(BUILD)

# Stack safety: endless recursion traps "call stack exhausted" on every
# engine, whatever --depth and the stack rlimit say (run_stack_tests.py).
TEST_DEPS += $(WASI_TEST_DIR)/p1_recurse.wasm $(BUILD)/rel/bin/kpio-wasm
COMPONENT_SUITES += wasi/stack
SUITE_CMD_wasi/stack := python3 tests/wasi/run_stack_tests.py --build $(BUILD)

# --- unit tests (cmocka, ASan + UBSan) ---------------------------------------
WASI_UNIT_SRCS := tests/unit/wasi/test_wasi.c $(LIB_SRCS_wasi) $(LIB_SRCS_wasm) $(LIB_SRCS_http) \
    $(LIB_SRCS_base) $(WASI_HOST_PORT_SRCS) host/port/base_env.c
$(BUILD)/host/tests/test_wasi: $(call host_objs,$(WASI_UNIT_SRCS))
	$(host_link) -lcmocka
TEST_DEPS += $(BUILD)/host/tests/test_wasi
UNIT_SUITES += unit/wasi
SUITE_CMD_unit/wasi := $(BUILD)/host/tests/test_wasi

# --- fuzzing: path confinement against a reference model ----------------------
FUZZ_TARGETS += wasi_path
$(BUILD)/fuzz/bin/wasi_path: $(call fuzz_objs,tests/fuzz/fuzz_wasi_path.c lib/wasi/path.c \
    $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)
$(BUILD)/fuzz/seeds/wasi_path/.stamp: tests/wasi/module.mk
	@mkdir -p $(@D)
	@printf '../x' > $(@D)/dotdot
	@printf 'a/./b//c/../d/' > $(@D)/mixed
	@printf '/etc/passwd' > $(@D)/absolute
	@printf 'a/../../b' > $(@D)/escape
	@touch $@
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/wasi_path/.stamp

# --- benchmarks: wasi:http download to a file, preview1 file I/O ----------------
$(WASI_TEST_DIR)/p1_bench.wasm: tests/wasi/p1_bench.c
	@mkdir -p $(@D)
	@echo "  WASM    $@"
	@$(WASM_CC) $(WASI_TEST_CFLAGS) -o $@ $<
BENCHES += wasi
BENCH_CMD_wasi := python3 tests/wasi/bench_wasi.py --build $(BUILD)
BENCH_DEPS += $(BUILD)/rel/bin/kpio-wasm $(WASI_TEST_DIR)/p2_http.wasm $(WASI_TEST_DIR)/p1_bench.wasm

# --- fuzzing: the canonical ABI readers of the 0.2 host functions -------------
FUZZ_TARGETS += wasi_abi
$(BUILD)/fuzz/bin/wasi_abi: $(call fuzz_objs,tests/fuzz/fuzz_wasi_abi.c $(LIB_SRCS_wasi) \
    $(LIB_SRCS_wasm) $(LIB_SRCS_http) $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)

# --- fuzzing: the wasi:filesystem host functions over a fake port -------------
FUZZ_TARGETS += wasi_fs
$(BUILD)/fuzz/bin/wasi_fs: $(call fuzz_objs,tests/fuzz/fuzz_wasi_fs.c $(LIB_SRCS_wasi) \
    $(LIB_SRCS_wasm) $(LIB_SRCS_http) $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)
# Seeds: 17-byte records (function index, 16 parameters; see the target).
# open-at(dir 1, follow, path "sub" at 120, create, read|write, ret 64),
# then write-via-stream on the new handle 3 and stat of it.
$(BUILD)/fuzz/seeds/wasi_fs/.stamp: tests/wasi/module.mk
	@mkdir -p $(@D)
	@printf '\000\001\001\170\003\001\003\100\000\000\000\000\000\000\000\000\000' > $(@D)/open
	@printf '\023\003\000\100\000\000\000\000\000\000\000\000\000\000\000\000\000' >> $(@D)/open
	@printf '\001\003\100\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >> $(@D)/open
	@printf '\025\001\100\000\000\000\000\000\000\000\000\000\000\000\000\000\000' > $(@D)/readdir
	@touch $@
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/wasi_fs/.stamp

# --- wasi:filesystem: p2_fs imports it through the app SDK's header ------------
$(WASI_TEST_DIR)/p2_fs.wasm: tests/wasi/p2_fs.c tests/wasi/cabi.c apps/include/wasi2/imports.h
	@mkdir -p $(@D)
	@echo "  WASM    $@"
	@$(WASM_CC) $(WASI_TEST_CFLAGS) -Iapps/include -o $@ $(filter %.c,$^)
TEST_DEPS += $(WASI_TEST_DIR)/p2_fs.wasm
COMPONENT_SUITES += wasi/fs
SUITE_CMD_wasi/fs := python3 tests/wasi/run_p2_fs.py --build $(BUILD)
# wasi/jit-cache: kpio-wasm --jit-cache across processes (ASLR) and builds.
COMPONENT_SUITES += wasi/jit-cache
SUITE_CMD_wasi/jit-cache := python3 tests/wasi/run_jit_cache.py --build $(BUILD)
