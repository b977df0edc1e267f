# host/kpio-wasm: run a WASI program, or load a module, call an export
# (`--invoke NAME ARGS`), list compiled code (`--dump`); `--help` says how. The release build (gcc -O2) at
# $(BUILD)/rel/bin/kpio-wasm is what `make` builds and the benchmarks use;
# the sanitizer build $(BUILD)/host/bin/kpio-wasm is for tests.
KPIO_WASM_SRCS := host/kpio-wasm/main.c host/kpio-wasm/options.c host/kpio-wasm/jit_mem.c \
    host/kpio-wasm/jit_cache.c host/kpio-wasm/native_stack.c $(LIB_SRCS_wasm) \
    $(LIB_SRCS_wasm_debug) $(LIB_SRCS_base) host/port/base_env.c
$(BUILD)/rel/bin/kpio-wasm: $(call rel_objs,$(KPIO_WASM_SRCS))
	$(rel_link)
$(BUILD)/host/bin/kpio-wasm: $(call host_objs,$(KPIO_WASM_SRCS))
	$(host_link)
ALL_TARGETS += $(BUILD)/rel/bin/kpio-wasm
