# tests/component: lib/component's tests (after lib/*/module.mk, whose
# source lists they use): the unit tests in tests/unit/component, the
# libFuzzer target and the runners' message for components.

# Unit tests: hand-built components and real ones, every app made into a
# command component by jco (tests/unit/component/make_components.py; SKIP
# when jco is missing: JCO_DIR, default tests/lib/jco). The embedded
# core modules are checked with lib/wasm's loader.
COMP_TEST_DIR := $(BUILD)/host/tests/component
$(BUILD)/host/tests/test_component: $(call host_objs,tests/unit/component/test_component.c \
    $(LIB_SRCS_component) $(LIB_SRCS_component_inst) $(LIB_SRCS_component_cmd) $(LIB_SRCS_wasi) \
    $(LIB_SRCS_http) $(LIB_SRCS_wasm) host/kpio-wasm/jit_mem.c $(LIB_SRCS_base) \
    host/port/base_env.c)
	$(host_link) -lcmocka
$(COMP_TEST_DIR)/.stamp: tests/unit/component/make_components.py $(APP_WASMS) \
    tests/component/args.wat tests/component/args.wit
	@python3 tests/unit/component/make_components.py $(BUILD) $(@D)
	@touch $@
TEST_DEPS += $(BUILD)/host/tests/test_component $(COMP_TEST_DIR)/.stamp
UNIT_SUITES += unit/component
SUITE_CMD_unit/component := $(BUILD)/host/tests/test_component $(COMP_TEST_DIR)

# Fuzzing: comp_load of arbitrary bytes, then comp_command_check. Seeds: small components built by
# make_seeds.py and a few of the real ones above.
FUZZ_TARGETS += component_load
$(BUILD)/fuzz/bin/component_load: $(call fuzz_objs,tests/fuzz/fuzz_component_load.c \
    $(LIB_SRCS_component) $(LIB_SRCS_component_inst) $(LIB_SRCS_component_cmd) \
    $(LIB_SRCS_wasi) $(LIB_SRCS_wasm) $(LIB_SRCS_http) $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/component_load/.stamp
$(BUILD)/fuzz/seeds/component_load/.stamp: tests/unit/component/make_seeds.py $(COMP_TEST_DIR)/.stamp
	@python3 tests/unit/component/make_seeds.py $(@D) $(COMP_TEST_DIR)
	@touch $@

# The runners' message for a component (kpio-wasm, the KPIO shell).
COMPONENT_SUITES += component/kpio-wasm
SUITE_CMD_component/kpio-wasm := python3 tests/component/test_runners.py host
TEST_DEPS += $(BUILD)/host/bin/kpio-wasm $(APP_WASMS)
SYSTEM_SUITES += qemu/component
SUITE_CMD_qemu/component := python3 tests/component/test_runners.py qemu

# kpio-wasm runs command components: each one make_components.py made
# prints what its core module prints, and what `jco run` prints; a missing
# import is refused before anything runs (test_run.py).
COMPONENT_SUITES += component/run
SUITE_CMD_component/run := python3 tests/component/test_run.py $(BUILD) $(COMP_TEST_DIR)
TEST_DEPS += $(COMP_TEST_DIR)/.stamp

# The general canonical ABI and WAVE on hand-built types (test_abi.c):
# round trips through memory and flat values, layouts worked out by hand,
# string encodings, traps on malformed memory, WAVE errors with columns.
$(BUILD)/host/tests/test_comp_abi: $(call host_objs,tests/unit/component/test_abi.c \
    $(LIB_SRCS_component) $(LIB_SRCS_component_inst) $(LIB_SRCS_component_abi) \
    host/kpio-wasm/wave.c $(LIB_SRCS_wasm) host/kpio-wasm/jit_mem.c $(LIB_SRCS_base) \
    host/port/base_env.c)
	$(host_link) -lcmocka
TEST_DEPS += $(BUILD)/host/tests/test_comp_abi
UNIT_SUITES += unit/component-abi
SUITE_CMD_unit/component-abi := $(BUILD)/host/tests/test_comp_abi

# The canonical ABI against the reference (test_abi.py): a JavaScript
# component (jco componentize of tests/component/abi/abi.js) and a
# hand-written one (abi/edge.wat through jco parse), each export called
# through kpio-wasm --invoke in WAVE and through jco transpile on node, the
# same results; bad data from the core code traps; bad command lines fail.
COMPONENT_SUITES += component/abi
SUITE_CMD_component/abi := python3 tests/component/test_abi.py $(BUILD)

# Calls between components (test_nest.py): abi/nest.wat's nested library
# and application, each export called through kpio-wasm --invoke and jco
# transpile on node, the same results; handle misuse traps; invalid
# instantiations are refused at load.
COMPONENT_SUITES += component/nest
SUITE_CMD_component/nest := python3 tests/component/test_nest.py $(BUILD)

# Fuzzing the canonical ABI and WAVE (fuzz_abi_lift.c): arbitrary memory
# and flat values lifted by every WIT kind, arbitrary text parsed as WAVE;
# what comes out prints and parses back the same. Seeds: a few WAVE texts
# and memory images.
FUZZ_TARGETS += abi_lift
$(BUILD)/fuzz/bin/abi_lift: $(call fuzz_objs,tests/fuzz/fuzz_abi_lift.c \
    $(LIB_SRCS_component) $(LIB_SRCS_component_inst) $(LIB_SRCS_component_abi) \
    host/kpio-wasm/wave.c $(LIB_SRCS_wasm) $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/abi_lift/.stamp
$(BUILD)/fuzz/seeds/abi_lift/.stamp: tests/component/module.mk
	@mkdir -p $(@D)
	@printf '\002\200{a: 1, b: "x\\n", c: [('"'"'y'"'"', 1.5)]}' > $(@D)/record
	@printf '\003\200circle(1)' > $(@D)/variant
	@printf '\010\201["a", "\303\251\342\230\203"]' > $(@D)/strings
	@printf '\017\202{name: "n", nick: some("k")}' > $(@D)/option
	@printf '\010\000\020\000\000\000\000\000\000\000\030\000\000\000\002\000\000\000\040\000\000\000\001\000\000\000\041\000\000\000\002\000\000\000ab' > $(@D)/list
	@printf '\003\000\000\000\000\000\000\000\000\000\001\000\000\000\000\000\000\000\377' > $(@D)/flat
	@touch $@
