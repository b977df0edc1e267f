# tests/qemu: system tests that boot the ISO in QEMU.
TEST_DEPS += $(BUILD)/kpio.iso
SYSTEM_SUITES += qemu/boot
SUITE_CMD_qemu/boot := python3 tests/qemu/test_boot.py
SYSTEM_SUITES += qemu/storage
SUITE_CMD_qemu/storage := python3 tests/qemu/test_storage.py
SYSTEM_SUITES += qemu/net
SUITE_CMD_qemu/net := python3 tests/qemu/test_net.py
SYSTEM_SUITES += qemu/e2e
SUITE_CMD_qemu/e2e := python3 tests/qemu/test_e2e.py
SYSTEM_SUITES += qemu/apps
SUITE_CMD_qemu/apps := python3 tests/qemu/test_apps.py
SYSTEM_SUITES += qemu/netapps
SUITE_CMD_qemu/netapps := python3 tests/qemu/test_netapps.py
SYSTEM_SUITES += qemu/https
SUITE_CMD_qemu/https := python3 tests/qemu/test_https.py
SYSTEM_SUITES += qemu/p2fs
SUITE_CMD_qemu/p2fs := python3 tests/qemu/test_p2fs.py
SYSTEM_SUITES += qemu/shell
SUITE_CMD_qemu/shell := python3 tests/qemu/test_shell.py
SYSTEM_SUITES += qemu/crash
SUITE_CMD_qemu/crash := python3 tests/qemu/test_crash.py
SYSTEM_SUITES += qemu/simdbench
SUITE_CMD_qemu/simdbench := python3 tests/qemu/test_simdbench.py
TEST_DEPS += $(BENCH_WASM_CMDS) $(BENCH_WASM_FILES)
SYSTEM_SUITES += qemu/userland
SUITE_CMD_qemu/userland := python3 tests/qemu/test_userland.py
SYSTEM_SUITES += qemu/limits
SUITE_CMD_qemu/limits := python3 tests/qemu/test_limits.py
# qemu/serve: the shell's `serve` with the C handler of serve/host
# (apps/webapp.c), reached through hostfwd (test_serve.py).
SYSTEM_SUITES += qemu/serve
SUITE_CMD_qemu/serve := python3 tests/qemu/test_serve.py
TEST_DEPS += $(HANDLER_WASMS)
SYSTEM_SUITES += qemu/limits-hostile
SUITE_CMD_qemu/limits-hostile := python3 tests/qemu/test_limits_hostile.py
SYSTEM_SUITES += qemu/stack
SUITE_CMD_qemu/stack := python3 tests/qemu/test_stack.py
# qemu/p2http: tests/wasi/p2_http.c's requests started together and polled,
# in KPIO against the host's tests/lib/httpserve.py (test_p2http.py).
SYSTEM_SUITES += qemu/p2http
SUITE_CMD_qemu/p2http := python3 tests/qemu/test_p2http.py
# qemu/serve-proxy: the shell's serve with apps/proxy.c, whose outgoing
# requests reach the host's tests/lib/httpserve.py (test_serve_proxy.py).
SYSTEM_SUITES += qemu/serve-proxy
SUITE_CMD_qemu/serve-proxy := python3 tests/qemu/test_serve_proxy.py
# qemu/jitdisk: apps' machine code cached in /.jit across reboots of one
# image: written, used, damaged copies ignored, jitcache=off, rm -r.
SYSTEM_SUITES += qemu/jitdisk
SUITE_CMD_qemu/jitdisk := python3 tests/qemu/test_jitdisk.py
# qemu/serve-big: serve in KPIO with 64 MiB streams both ways, a slowloris
# client and one gone mid-body (test_serve_big.py).
SYSTEM_SUITES += qemu/serve-big
SUITE_CMD_qemu/serve-big := python3 tests/qemu/test_serve_big.py
# qemu/serve-javascript: serve/js's JavaScript handler (jco componentize)
# served by KPIO, compared with jco serve (test_serve_javascript.py).
SYSTEM_SUITES += qemu/serve-javascript
SUITE_CMD_qemu/serve-javascript := python3 tests/qemu/test_serve_javascript.py
# qemu/serve-browser: headless Chromium loads serve/browser's page from
# KPIO's serve through hostfwd (tests/serve/test_browser.py --target kpio).
SYSTEM_SUITES += qemu/serve-browser
SUITE_CMD_qemu/serve-browser := python3 tests/serve/test_browser.py --build $(BUILD) --target kpio
