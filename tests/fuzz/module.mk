# tests/fuzz: every libFuzzer target, run two ways by tests/fuzz/run_fuzz.py.
# `make test` (suite fuzz/smoke) replays the kept corpora, then makes
# FUZZ_SMOKE_RUNS mutations from a fixed random seed: the same inputs on every
# run, so a clean tree never fails by chance. `make fuzz` searches open-ended
# for FUZZ_SECONDS per target, growing a working corpus in build/fuzz/corpus.
#
# Targets register with FUZZ_TARGETS += NAME and a rule for
# $(BUILD)/fuzz/bin/NAME. The kept corpora of a target: its seeds, made by a
# rule for $(BUILD)/fuzz/seeds/NAME/.stamp listed in FUZZ_SEEDS, and its
# regression inputs, tests/fuzz/regress/NAME/ (each a bug once found, kept as
# source: .wat made into .wasm by wat2wasm, anything else copied), built into
# $(BUILD)/fuzz/regress/NAME/, and what earlier campaigns found,
# tests/fuzz/corpus/NAME/ (added by `make fuzz FUZZ_KEEP=1`).
FUZZ_SMOKE_RUNS ?= 2000
FUZZ_SMOKE_SEED ?= 1
FUZZ_REGRESS_SRCS := $(wildcard tests/fuzz/regress/*/*)
FUZZ_REGRESS := $(patsubst tests/fuzz/%.wat,$(BUILD)/fuzz/%.wasm,$(filter %.wat,$(FUZZ_REGRESS_SRCS))) \
    $(patsubst tests/fuzz/%,$(BUILD)/fuzz/%,$(filter-out %.wat,$(FUZZ_REGRESS_SRCS)))
$(BUILD)/fuzz/regress/%.wasm: tests/fuzz/regress/%.wat
	@mkdir -p $(@D)
	@echo "  WAT     $<"
	@wat2wasm $< -o $@
$(BUILD)/fuzz/regress/%: tests/fuzz/regress/%
	@mkdir -p $(@D)
	@cp $< $@
ifneq ($(strip $(FUZZ_TARGETS)),)
TEST_DEPS += $(foreach t,$(FUZZ_TARGETS),$(BUILD)/fuzz/bin/$(t)) $(FUZZ_SEEDS) $(FUZZ_REGRESS)
COMPONENT_SUITES += fuzz/smoke
SUITE_CMD_fuzz/smoke := python3 tests/fuzz/run_fuzz.py --tap --build $(BUILD) \
    --corpus tests/fuzz/corpus --replay --runs $(FUZZ_SMOKE_RUNS) --seed $(FUZZ_SMOKE_SEED) $(FUZZ_TARGETS)
endif
