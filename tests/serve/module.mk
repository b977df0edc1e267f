# tests/serve: `kpio-wasm serve` with the example handler apps/webapp.c over
# loopback: concurrency, faults, pipelining, trailers, Expect, 64 MiB
# streams both ways, a clean stop (test_serve.py).
COMPONENT_SUITES += serve/host
SUITE_CMD_serve/host := python3 tests/serve/test_serve.py --build $(BUILD)
TEST_DEPS += $(BUILD)/host/bin/kpio-wasm $(HANDLER_WASMS)

# serve/js: a JavaScript handler (tests/serve/handler.js, jco componentize)
# under kpio-wasm serve and jco serve (test_serve_js.py; SKIP without jco).
COMPONENT_SUITES += serve/js
SUITE_CMD_serve/js := python3 tests/serve/test_serve_js.py --build $(BUILD)
TEST_DEPS += $(BUILD)/rel/bin/kpio-wasm

# serve/jco: the C handler apps/webapp.c componentized (jco embed + jco new,
# tests/serve/jco_webapp.py) under jco serve answers as under kpio-wasm
# serve (test_serve_jco.py; SKIP without jco or the WIT).
COMPONENT_SUITES += serve/jco
SUITE_CMD_serve/jco := python3 tests/serve/test_serve_jco.py --build $(BUILD)

# serve/browser: headless Chromium loads a page and its script from the
# handler (--dir), the script's JSON requests fill the DOM; the dumped DOM
# is checked and a screenshot kept in test-logs (test_browser.py; SKIP
# without chromium). qemu/serve-browser runs it against KPIO in QEMU.
COMPONENT_SUITES += serve/browser
SUITE_CMD_serve/browser := python3 tests/serve/test_browser.py --build $(BUILD)

# serve/proxy: the proxy handler apps/proxy.c streams an outgoing request's
# response (tests/lib/httpserve.py) into its own; --handler-timeout also
# bounds a handler waiting in a poll (test_serve_proxy.py).
COMPONENT_SUITES += serve/proxy
SUITE_CMD_serve/proxy := python3 tests/serve/test_serve_proxy.py --build $(BUILD)
