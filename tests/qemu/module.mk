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
SYSTEM_SUITES += qemu/shell
SUITE_CMD_qemu/shell := python3 tests/qemu/test_shell.py
