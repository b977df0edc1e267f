# tests/apps: KPIO's apps on independent WASI hosts and on host/kpio-wasm.
#   apps/p1     the preview1 apps under node:wasi and kpio-wasm, against GNU
#               coreutils as the oracle, and node vs kpio-wasm (test_p1.py)
COMPONENT_SUITES += apps/p1
SUITE_CMD_apps/p1 := python3 tests/apps/test_p1.py --build $(BUILD)
TEST_DEPS += $(APP_WASMS)
