# bench/wasm: lib/wasm's speed against native code. Each program is the
# same C (bench/wasm/NAME.c) compiled to wasm32-wasi with clang-19 -O2 and
# Debian's wasi-libc (only `run` exported, no WASI imports) and natively
# with gcc -O2; `make bench` runs both and prints seconds and the slowdown.
# Programs in BENCH_WASM_SIMD are also built with -msimd128 (NAME_simd.wasm,
# the same native program): SIMD against scalar code on each engine.
# fmatmul, blur, bytesearch and idot are the SIMD kernels (wasm_simd128.h
# code under __wasm_simd128__); matmul_simd is clang's auto-vectorizer.
# branchy is the CoreMark-like mix of lists, a matrix, a state machine and
# CRC.
BENCH_WASM_NAMES := fib sieve sha256 matmul lz json idot fmatmul blur bytesearch branchy
BENCH_WASM_SIMD := idot fmatmul blur bytesearch matmul
BENCH_WASM_DIR := $(BUILD)/bench/wasm
BENCH_WASM_FILES := $(foreach n,$(BENCH_WASM_NAMES),$(BENCH_WASM_DIR)/$(n).wasm $(BENCH_WASM_DIR)/$(n).native) \
    $(foreach n,$(BENCH_WASM_SIMD),$(BENCH_WASM_DIR)/$(n)_simd.wasm)
BENCH_WASM_FILES += $(BENCH_WASM_DIR)/zlib.wasm $(BENCH_WASM_DIR)/zlib.native
BENCH_WASM_CMDS := $(foreach n,$(BENCH_WASM_SIMD),$(BENCH_WASM_DIR)/$(n)_simd_cmd.wasm)

$(BENCH_WASM_DIR)/%_simd.wasm: bench/wasm/%.c bench/wasm/bench.h
	@mkdir -p $(@D)
	@echo "  WASM    $@"
	@$(WASM_CC) --target=wasm32-wasi -O2 -msimd128 -nostartfiles -Wl,--no-entry -o $@ $<

# NAME_simd_cmd.wasm: the SIMD build as a WASI command (wasi_main.c), for
# running inside KPIO (tests/qemu/test_simdbench.py).
$(BENCH_WASM_DIR)/%_simd_cmd.wasm: bench/wasm/%.c bench/wasm/wasi_main.c bench/wasm/bench.h
	@mkdir -p $(@D)
	@echo "  WASM    $@"
	@$(WASM_CC) --target=wasm32-wasi -O2 -msimd128 -o $@ $< bench/wasm/wasi_main.c

$(BENCH_WASM_DIR)/%.wasm: bench/wasm/%.c bench/wasm/bench.h
	@mkdir -p $(@D)
	@echo "  WASM    $@"
	@$(WASM_CC) --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry -o $@ $<

$(BENCH_WASM_DIR)/%.native: bench/wasm/%.c bench/wasm/native_main.c bench/wasm/bench.h
	@mkdir -p $(@D)
	@echo "  CC(rel) $@"
	@$(REL_CC) $(WARN) -D_GNU_SOURCE -O2 -o $@ $< bench/wasm/native_main.c

BENCHES += wasm
BENCH_CMD_wasm := python3 bench/wasm/run_bench.py --build $(BUILD) --kpio-wasm $(BUILD)/rel/bin/kpio-wasm
BENCH_DEPS += $(BUILD)/rel/bin/kpio-wasm $(BENCH_WASM_FILES)

# zlib: Debian's zlib source package (fetch-zlib.sh into $(BUILD)/zlib, a
# few seconds) under bench/wasm/zlib.c, fetched when the build first needs
# it, for make bench and for make test's bench/kernels alike (in
# BENCH_WASM_FILES above).
ZLIB_DIR := $(BUILD)/zlib/src
ZLIB_SRCS := $(addprefix $(ZLIB_DIR)/,adler32.c crc32.c deflate.c inflate.c inftrees.c \
    inffast.c trees.c zutil.c compress.c uncompr.c)

$(BENCH_WASM_DIR)/zlib.wasm: bench/wasm/zlib.c bench/wasm/bench.h $(ZLIB_DIR)/.stamp
	@mkdir -p $(@D)
	@echo "  WASM    $@"
	@$(WASM_CC) --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry -I$(ZLIB_DIR) -o $@ $< \
	    $(ZLIB_SRCS)

# zlib's own files are built without the project's warning flags.
$(BENCH_WASM_DIR)/zlib.native: bench/wasm/zlib.c bench/wasm/native_main.c bench/wasm/bench.h \
    $(ZLIB_DIR)/.stamp
	@mkdir -p $(@D)
	@echo "  CC(rel) $@"
	@$(REL_CC) -D_GNU_SOURCE -O2 -I$(ZLIB_DIR) -o $@ $< bench/wasm/native_main.c $(ZLIB_SRCS)

$(ZLIB_DIR)/.stamp:
	@bench/wasm/fetch-zlib.sh $(BUILD)/zlib
