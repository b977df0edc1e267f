# tests/apps: KPIO's apps on independent WASI hosts and on host/kpio-wasm.
#   apps/p1     the preview1 apps under node:wasi and kpio-wasm, against GNU
#               coreutils as the oracle, and node vs kpio-wasm (test_p1.py)
COMPONENT_SUITES += apps/p1
SUITE_CMD_apps/p1 := python3 tests/apps/test_p1.py --build $(BUILD)
TEST_DEPS += $(APP_WASMS)
#   apps/ufs    the file and system userland (ls -l/-a, touch, stat, date,
#               env, which) under node:wasi and kpio-wasm against GNU
#               coreutils and debianutils' which on the host (test_ufs.py)
COMPONENT_SUITES += apps/ufs
SUITE_CMD_apps/ufs := python3 tests/apps/test_ufs.py --build $(BUILD)
#   apps/net    fetch, nslookup, nc, httpd: componentized with the official
#               WIT by jco (import names and signatures checked), run under
#               `jco run` and kpio-wasm against loopback servers in a network
#               namespace of the test's own, and jco vs kpio-wasm (test_net.py)
COMPONENT_SUITES += apps/net
SUITE_CMD_apps/net := python3 tests/apps/test_net.py --build $(BUILD)

# Host unit tests of the plain-C parts of the SDK (httpd's request parser,
# the cli helpers, SHA-256 against lib/base's, grep's regular expressions) under ASan + UBSan, and a
# libFuzzer target for the request parser.
APPS_SDK_HOST_SRCS := apps/sdk/httpreq.c apps/sdk/cli.c apps/sdk/sha256.c apps/sdk/regex.c
$(call host_objs,tests/apps/test_sdk.c $(APPS_SDK_HOST_SRCS)): HOST_CFLAGS += -Iapps/include
$(BUILD)/host/tests/apps/test_sdk: $(call host_objs,tests/apps/test_sdk.c $(APPS_SDK_HOST_SRCS) \
    lib/base/sha256.c)
	$(host_link) -lcmocka
UNIT_SUITES += unit/apps
SUITE_CMD_unit/apps := $(BUILD)/host/tests/apps/test_sdk
TEST_DEPS += $(BUILD)/host/tests/apps/test_sdk

$(call fuzz_objs,tests/apps/fuzz_apps_httpreq.c apps/sdk/httpreq.c): FUZZ_CFLAGS += -Iapps/include
$(BUILD)/fuzz/bin/apps_httpreq: $(call fuzz_objs,tests/apps/fuzz_apps_httpreq.c apps/sdk/httpreq.c)
	$(fuzz_link)
FUZZ_TARGETS += apps_httpreq
$(BUILD)/fuzz/seeds/apps_httpreq/.stamp: tests/apps/fuzz_seeds.py
	@python3 tests/apps/fuzz_seeds.py $(@D) && touch $@
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/apps_httpreq/.stamp
# and for the time formatting of date and stat (a format from the command line)
$(call fuzz_objs,tests/apps/fuzz_apps_timefmt.c apps/sdk/timefmt.c): FUZZ_CFLAGS += -Iapps/include
$(BUILD)/fuzz/bin/apps_timefmt: $(call fuzz_objs,tests/apps/fuzz_apps_timefmt.c apps/sdk/timefmt.c)
	$(fuzz_link)
FUZZ_TARGETS += apps_timefmt
$(BUILD)/fuzz/seeds/apps_timefmt/.stamp: tests/apps/fuzz_seeds.py
	@python3 tests/apps/fuzz_seeds.py --timefmt $(@D) && touch $@
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/apps_timefmt/.stamp

# make bench: fetch's throughput on the host (64 MiB from loopback, under
# kpio-wasm and jco run) and sha256sum's under kpio-wasm.
BENCHES += apps_fetch
BENCH_CMD_apps_fetch := python3 tests/apps/bench_fetch.py --build $(BUILD)
BENCH_DEPS += $(APP_WASMS) $(BUILD)/rel/bin/kpio-wasm

#   apps/abi    the generated header is fresh, and every app's WASI 0.2
#               imports match core-signatures-0.2.12.tsv (no jco needed)
COMPONENT_SUITES += apps/abi
SUITE_CMD_apps/abi := python3 tests/apps/test_abi.py --build $(BUILD)

#   apps/text   the text tools (head, tail, grep, sort, uniq, tee, seq, true,
#               false, test) under node:wasi and kpio-wasm against GNU
#               coreutils and GNU grep on the same inputs (test_text.py)
COMPONENT_SUITES += apps/text
SUITE_CMD_apps/text := python3 tests/apps/test_text.py --build $(BUILD)

# libFuzzer on grep's regular expressions (apps/sdk/regex.c).
$(call fuzz_objs,tests/apps/fuzz_apps_regex.c apps/sdk/regex.c): FUZZ_CFLAGS += -Iapps/include
$(BUILD)/fuzz/bin/apps_regex: $(call fuzz_objs,tests/apps/fuzz_apps_regex.c apps/sdk/regex.c)
	$(fuzz_link)
FUZZ_TARGETS += apps_regex
$(BUILD)/fuzz/seeds/apps_regex/.stamp: tests/apps/fuzz_regex_seeds.py
	@python3 tests/apps/fuzz_regex_seeds.py $(@D) && touch $@
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/apps_regex/.stamp
