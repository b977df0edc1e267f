# apps/: KPIO's WebAssembly apps in C, built with clang-19
# --target=wasm32-wasi -O2, Debian's wasi-libc (sysroot /usr, libraries in
# /usr/lib/wasm32-wasi), compiler-rt's wasm32 builtins and lld-19 into
# $(BUILD)/apps/NAME.wasm. DWARF is stripped; the name section stays so
# that a trap can name its function.
#
# preview1 apps use wasi-libc only. The networking apps also import WASI
# 0.2 functions (apps/include/wasi2/imports.h, generated from the standard's
# signature table by scripts/gen_wasi_imports.py) through the SDK in
# apps/sdk/, and export cabi_realloc. The tests are in tests/apps/.
APPS_P1 := hello echo cat ls cp mv rm mkdir wc sha256sum trap spin sleep simdmix
APPS_NET := fetch nc nslookup httpd
# The file and system userland (issue 21): see their block below.
APPS_UFS := touch stat date env which
# The text tools (head, tail, grep, sort, uniq, tee, seq, true, false,
# test): preview1 apps on the SDK's line reader; grep's regular
# expressions are apps/sdk/regex.c.
APPS_TEXT := head tail grep sort uniq tee seq true false test
APPS := $(APPS_P1) $(APPS_NET) $(APPS_UFS) $(APPS_TEXT)
APPS_DIR := $(BUILD)/apps
APP_WASMS := $(foreach a,$(APPS),$(APPS_DIR)/$(a).wasm)

APP_CFLAGS := --target=wasm32-wasi -O2 $(filter-out -Wshadow=local,$(WARN)) -Wshadow -D_DEFAULT_SOURCE -Iapps/include -Ilib \
    -fno-exceptions -ffunction-sections -fdata-sections -mbulk-memory
APP_LDFLAGS := --target=wasm32-wasi -Wl,--strip-debug -Wl,--gc-sections

# Sources of each app beyond apps/NAME.c.
APP_SDK_CLI := apps/sdk/cli.c
APP_SRCS_hello := $(APP_SDK_CLI)
APP_SRCS_echo := $(APP_SDK_CLI)
APP_SRCS_cat := $(APP_SDK_CLI)
APP_SRCS_ls := $(APP_SDK_CLI) apps/sdk/fsutil.c
APP_SRCS_cp := $(APP_SDK_CLI) apps/sdk/fsutil.c
APP_SRCS_mv := $(APP_SDK_CLI) apps/sdk/fsutil.c
APP_SRCS_rm := $(APP_SDK_CLI) apps/sdk/fsutil.c
APP_SRCS_mkdir := $(APP_SDK_CLI)
APP_SRCS_wc := $(APP_SDK_CLI)
APP_SRCS_sha256sum := $(APP_SDK_CLI) apps/sdk/sha256.c
APP_SRCS_trap := $(APP_SDK_CLI)
APP_SRCS_spin := $(APP_SDK_CLI)
APP_SRCS_sleep := $(APP_SDK_CLI)
APP_SRCS_simdmix := $(APP_SDK_CLI)
# simdmix is the one app built with fixed-width SIMD.
$(APPS_DIR)/obj/apps/simdmix.o: APP_CFLAGS += -msimd128

# File and system userland: touch, stat, date, env, which (df is a
# kernel-shell built-in: WASI has no statvfs).
APP_SRCS_touch := $(APP_SDK_CLI)
APP_SRCS_stat := $(APP_SDK_CLI) apps/sdk/timefmt.c
APP_SRCS_date := $(APP_SDK_CLI) apps/sdk/timefmt.c
APP_SRCS_env := $(APP_SDK_CLI)
APP_SRCS_which := $(APP_SDK_CLI)
APP_SDK_LINES := $(APP_SDK_CLI) apps/sdk/lines.c
APP_SRCS_head := $(APP_SDK_CLI) apps/sdk/textio.c
APP_SRCS_tail := $(APP_SDK_CLI) apps/sdk/textio.c
APP_SRCS_grep := $(APP_SDK_LINES) apps/sdk/regex.c
APP_SRCS_sort := $(APP_SDK_LINES)
APP_SRCS_uniq := $(APP_SDK_LINES)
APP_SRCS_tee := $(APP_SDK_CLI)
APP_SRCS_seq := $(APP_SDK_CLI)
APP_SRCS_true := $(APP_SDK_CLI)
APP_SRCS_false := $(APP_SDK_CLI)
APP_SRCS_test := $(APP_SDK_CLI)

# The WASI 0.2 SDK, and what the networking apps take from lib/: URL
# parsing and resolution (lib/http/url.c).
APP_SDK_WASI2 := $(APP_SDK_CLI) apps/sdk/wasi2.c apps/sdk/start.c
APP_SDK_NET := $(APP_SDK_WASI2) apps/sdk/net.c
APP_SDK_HTTP := $(APP_SDK_WASI2) apps/sdk/http.c lib/http/url.c lib/http/fail.c lib/base/str.c
APP_SRCS_fetch := $(APP_SDK_HTTP) apps/sdk/fsutil.c apps/sdk/sha256.c
APP_SRCS_nc := $(APP_SDK_NET)
APP_SRCS_nslookup := $(APP_SDK_NET)
APP_SRCS_httpd := $(APP_SDK_NET) apps/sdk/httpreq.c apps/sdk/fsutil.c

app_objs = $(patsubst %.c,$(APPS_DIR)/obj/%.o,$(1))

$(APPS_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  WASM-CC $<"
	@$(WASM_CC) $(APP_CFLAGS) -MMD -MP -c $< -o $@

# Apps with apps/sdk/start.c bring their own _start (see there).
define app_rule
$(APPS_DIR)/$(1).wasm: $(call app_objs,apps/$(1).c $(APP_SRCS_$(1)))
	@mkdir -p $$(@D)
	@echo "  WASM-LD $$@"
	@$(WASM_CC) $(APP_LDFLAGS) $(if $(filter apps/sdk/start.c,$(APP_SRCS_$(1))),-nostartfiles) \
	    -o $$@ $$(filter %.o,$$^)
endef
$(foreach a,$(APPS),$(eval $(call app_rule,$(a))))

# `[ EXPRESSION ]`: test.c built with TEST_BRACKET into [.wasm, next to the
# other apps (their tests and disk images take every $(APPS_DIR)/*.wasm).
APP_BRACKET := $(APPS_DIR)/[.wasm
APP_BRACKET_OBJ := $(APPS_DIR)/obj/apps/test-bracket.o
$(APP_BRACKET_OBJ): apps/test.c
	@mkdir -p $(@D)
	@echo "  WASM-CC $< (TEST_BRACKET)"
	@$(WASM_CC) $(APP_CFLAGS) -DTEST_BRACKET -MMD -MP -c $< -o $@
$(APP_BRACKET): $(APP_BRACKET_OBJ) $(call app_objs,$(APP_SRCS_test))
	@mkdir -p $(@D)
	@echo "  WASM-LD $@"
	@$(WASM_CC) $(APP_LDFLAGS) -o '$@' $^
APP_WASMS += $(APP_BRACKET)

# wasi:http handlers (sdk/handler.h): reactors exporting
# wasi:http/incoming-handler@0.2.12#handle, served by `kpio-wasm serve`.
# They go to $(BUILD)/handlers, not $(APPS_DIR): the tests that take every
# app there run commands, which a handler is not.
APPS_HANDLER := webapp proxy
APP_SRCS_webapp := apps/sdk/handler.c apps/sdk/wasi2.c apps/sdk/sha256.c
APP_SRCS_proxy := apps/sdk/handler.c apps/sdk/wasi2.c apps/sdk/http.c lib/http/url.c \
    lib/http/fail.c lib/base/str.c
define handler_rule
$(BUILD)/handlers/$(1).wasm: $(call app_objs,apps/$(1).c $(APP_SRCS_$(1)))
	@mkdir -p $$(@D)
	@echo "  WASM-LD $$@"
	@$(WASM_CC) $(APP_LDFLAGS) -mexec-model=reactor -o $$@ $$(filter %.o,$$^)
endef
$(foreach a,$(APPS_HANDLER),$(eval $(call handler_rule,$(a))))
HANDLER_WASMS := $(foreach a,$(APPS_HANDLER),$(BUILD)/handlers/$(a).wasm)
ALL_TARGETS += $(HANDLER_WASMS)

.PHONY: apps
apps: $(APP_WASMS)
ALL_TARGETS += $(APP_WASMS)

-include $(shell find $(APPS_DIR)/obj -name '*.d' -type f 2>/dev/null)
