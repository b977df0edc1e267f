# bench/component: kpio-wasm's wall time for a program as a core module and
# as a WASI 0.2 component (tests/component/args.wat; load + instantiate
# + a one-line run), from the components tests/component/module.mk makes
# (included later, hence the literal folder here).
BENCHES += component
BENCH_CMD_component := python3 bench/component/bench_component.py $(BUILD) \
    $(BUILD)/host/tests/component
BENCH_DEPS += $(BUILD)/rel/bin/kpio-wasm $(BUILD)/host/tests/component/.stamp
