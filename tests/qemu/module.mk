# tests/qemu: system tests that boot the ISO in QEMU.
TEST_DEPS += $(BUILD)/kpio.iso
SYSTEM_SUITES += qemu/boot
SUITE_CMD_qemu/boot := python3 tests/qemu/test_boot.py
SYSTEM_SUITES += qemu/storage
SUITE_CMD_qemu/storage := python3 tests/qemu/test_storage.py
SYSTEM_SUITES += qemu/net
SUITE_CMD_qemu/net := python3 tests/qemu/test_net.py
