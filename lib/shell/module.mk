# lib/shell: the shell's lexer, parser, expansion and executor (portable,
# built into the kernel's shell); the host shell kpio-sh over a POSIX
# embedder, its comparison with dash (tests/shell), the parser's unit
# tests and its fuzz target.
LIB_SRCS_shell := lib/shell/arena.c lib/shell/common.c lib/shell/lex.c lib/shell/parse.c lib/shell/expand.c \
    lib/shell/glob.c lib/shell/vars.c lib/shell/exec.c lib/shell/builtins.c lib/shell/xargs.c
KERNEL_LIB_SRCS += $(LIB_SRCS_shell)

SHELL_TEST_LIBS := $(LIB_SRCS_shell) $(LIB_SRCS_base) host/port/base_env.c

# --- unit tests (cmocka, ASan + UBSan) ----------------------------------------
$(BUILD)/host/tests/shell/test_parse: $(call host_objs,tests/unit/shell/test_parse.c \
    $(SHELL_TEST_LIBS))
	$(host_link) -lcmocka
UNIT_SUITES += unit/shell
SUITE_CMD_unit/shell := $(BUILD)/host/tests/shell/test_parse
TEST_DEPS += $(BUILD)/host/tests/shell/test_parse

# --- kpio-sh and the corpus compared with dash ---------------------------------
$(BUILD)/host/bin/kpio-sh: $(call host_objs,tests/shell/kpio_sh.c $(SHELL_TEST_LIBS))
	$(host_link)
COMPONENT_SUITES += shell/dash
SUITE_CMD_shell/dash := python3 tests/shell/test_dash.py --build $(BUILD)
TEST_DEPS += $(BUILD)/host/bin/kpio-sh

# --- fuzzing: the parser, and expansion of what it accepts ----------------------
FUZZ_TARGETS += shell_parse
$(BUILD)/fuzz/bin/shell_parse: $(call fuzz_objs,tests/fuzz/fuzz_shell_parse.c $(SHELL_TEST_LIBS))
	$(fuzz_link)
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/shell_parse/.stamp
$(BUILD)/fuzz/seeds/shell_parse/.stamp: $(wildcard tests/shell/corpus/*.sh) tests/shell/errors.txt
	@mkdir -p $(@D)
	@cp tests/shell/corpus/*.sh $(@D)/
	@python3 tests/shell/split_errors.py tests/shell/errors.txt $(@D) && touch $@
