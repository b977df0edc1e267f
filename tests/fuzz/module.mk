# tests/fuzz: a short smoke run of every libFuzzer target inside `make test`
# (FUZZ_SMOKE_SECONDS each); `make fuzz` runs them longer. Targets register
# with FUZZ_TARGETS += NAME and a rule for $(BUILD)/fuzz/bin/NAME; seeds, if
# any, are made by a rule for $(BUILD)/fuzz/seeds/NAME/.stamp listed in FUZZ_SEEDS.
FUZZ_SMOKE_SECONDS ?= 10
ifneq ($(strip $(FUZZ_TARGETS)),)
TEST_DEPS += $(foreach t,$(FUZZ_TARGETS),$(BUILD)/fuzz/bin/$(t)) $(FUZZ_SEEDS)
COMPONENT_SUITES += fuzz/smoke
SUITE_CMD_fuzz/smoke := python3 tests/fuzz/run_fuzz.py --tap --build $(BUILD) \
    --seconds $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)
endif
