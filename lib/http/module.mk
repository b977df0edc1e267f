# lib/http: the HTTP/1.1 codec (parser, request writer, URLs, fields) and
# the client over a socket interface; its unit tests, the host client
# program (host/http-get), the component tests against python's http.server
# and nginx (tests/http), the fuzz target and the benchmarks (bench/http).
LIB_SRCS_http := lib/http/parser.c lib/http/request.c lib/http/response.c lib/http/fields.c lib/http/url.c \
    lib/http/client.c lib/http/fail.c
KERNEL_LIB_SRCS += $(LIB_SRCS_http)

HTTP_TEST_LIBS := $(LIB_SRCS_http) $(LIB_SRCS_base) host/port/base_env.c

# --- unit tests (cmocka, ASan + UBSan) ---------------------------------------
HTTP_UNIT_TESTS := parser url request client server

define http_unit_test
$(BUILD)/host/tests/http/test_$(1): $(call host_objs,tests/unit/http/test_$(1).c $(HTTP_TEST_LIBS))
	$$(host_link) -lcmocka
endef
$(foreach t,$(HTTP_UNIT_TESTS),$(eval $(call http_unit_test,$(t))))

UNIT_SUITES += $(foreach t,$(HTTP_UNIT_TESTS),unit/http/$(t))
$(foreach t,$(HTTP_UNIT_TESTS),$(eval SUITE_CMD_unit/http/$(t) := $(BUILD)/host/tests/http/test_$(t)))
TEST_DEPS += $(foreach t,$(HTTP_UNIT_TESTS),$(BUILD)/host/tests/http/test_$(t))

# --- host/http-get: the client over Linux sockets -----------------------------
HTTP_GET_SRCS := host/http-get/main.c host/http-get/sock_posix.c \
    $(LIB_SRCS_http) $(LIB_SRCS_base) host/port/base_env.c

# Sanitizer build for the tests, gcc -O2 build for the benchmark and `make`.
$(BUILD)/host/bin/http-get: $(call host_objs,$(HTTP_GET_SRCS))
	$(host_link)
$(BUILD)/rel/bin/http-get: $(call rel_objs,$(HTTP_GET_SRCS))
	$(rel_link)
ALL_TARGETS += $(BUILD)/rel/bin/http-get

# --- component tests: http-get against python's http.server and nginx ----------
COMPONENT_SUITES += http/host
SUITE_CMD_http/host := python3 tests/http/test_http.py --build $(BUILD)
TEST_DEPS += $(BUILD)/host/bin/http-get

# --- fuzzing: the response parser, the URL code, the server side ----------------
FUZZ_TARGETS += http_parse http_url http_request
$(BUILD)/fuzz/bin/http_parse: $(call fuzz_objs,tests/fuzz/fuzz_http_parse.c $(LIB_SRCS_http) \
    $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)
$(BUILD)/fuzz/bin/http_url: $(call fuzz_objs,tests/fuzz/fuzz_http_url.c $(LIB_SRCS_http) \
    $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)
$(BUILD)/fuzz/bin/http_request: $(call fuzz_objs,tests/fuzz/fuzz_http_request.c $(LIB_SRCS_http) \
    $(LIB_SRCS_base) host/port/base_env.c)
	$(fuzz_link)

$(BUILD)/rel/tests/http/make_seeds: $(call rel_objs,tests/unit/http/make_seeds.c)
	$(rel_link)
FUZZ_SEEDS += $(BUILD)/fuzz/seeds/http_parse/.stamp $(BUILD)/fuzz/seeds/http_url/.stamp \
    $(BUILD)/fuzz/seeds/http_request/.stamp
$(BUILD)/fuzz/seeds/http_%/.stamp: $(BUILD)/rel/tests/http/make_seeds
	@mkdir -p $(@D)
	@$< $* $(@D) && touch $@

# --- benchmarks -------------------------------------------------------------------
$(BUILD)/rel/bench/http/bench_parse: $(call rel_objs,bench/http/bench_parse.c $(LIB_SRCS_http) \
    $(LIB_SRCS_base) host/port/base_env.c)
	$(rel_link)
BENCHES += http_parse
BENCH_CMD_http_parse := $(BUILD)/rel/bench/http/bench_parse
BENCH_DEPS += $(BUILD)/rel/bench/http/bench_parse
BENCHES += http_download
BENCH_CMD_http_download := python3 bench/http/bench_download.py --build $(BUILD)
BENCH_DEPS += $(BUILD)/rel/bin/http-get
