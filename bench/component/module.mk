# bench/component: kpio-wasm (release) running programs as core modules and
# as WASI 0.2 components: tests/component/args.wat's wall time and its load
# and instantiation times (--time), and the run times of simdmix and
# sha256sum on both engines, from the components tests/component/module.mk
# makes (included later, hence the literal folder here).
BENCHES += component
BENCH_CMD_component := python3 bench/component/bench_component.py $(BUILD) \
    $(BUILD)/host/tests/component
BENCH_DEPS += $(BUILD)/rel/bin/kpio-wasm $(BUILD)/host/tests/component/.stamp
