# lib/http: the HTTP/1.1 codec (parser, request writer, URLs, fields) and
# the client over a socket interface; its unit tests, the host client
# program (host/http-get), the component tests against python's http.server
# and nginx (tests/http), the fuzz target and the benchmarks (bench/http).
LIB_SRCS_http := lib/http/parser.c lib/http/request.c lib/http/fields.c lib/http/url.c \
    lib/http/client.c lib/http/fail.c
KERNEL_LIB_SRCS += $(LIB_SRCS_http)

HTTP_TEST_LIBS := $(LIB_SRCS_http) $(LIB_SRCS_base) host/port/base_env.c

# --- unit tests (cmocka, ASan + UBSan) ---------------------------------------
HTTP_UNIT_TESTS := parser url request client

define http_unit_test
$(BUILD)/host/tests/http/test_$(1): $(call host_objs,tests/unit/http/test_$(1).c $(HTTP_TEST_LIBS))
	$$(host_link) -lcmocka
endef
$(foreach t,$(HTTP_UNIT_TESTS),$(eval $(call http_unit_test,$(t))))

UNIT_SUITES += $(foreach t,$(HTTP_UNIT_TESTS),unit/http/$(t))
$(foreach t,$(HTTP_UNIT_TESTS),$(eval SUITE_CMD_unit/http/$(t) := $(BUILD)/host/tests/http/test_$(t)))
TEST_DEPS += $(foreach t,$(HTTP_UNIT_TESTS),$(BUILD)/host/tests/http/test_$(t))
