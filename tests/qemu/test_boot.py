#!/usr/bin/env python3
"""tests/qemu/test_boot.py - boot the ISO under SeaBIOS and OVMF (UEFI) in
test mode and check the kernel's self-tests; power off through ACPI on the
q35 and i440fx machines.

Each in-kernel case becomes one TAP line; a boot that panics, hangs or exits
with a failure status fails with the tail of the serial log.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from qemu import Qemu, QemuExited, QemuTimeout, build_dir, debug_exit_status  # noqa: E402
from tap import Tap  # noqa: E402

BOOT_TIMEOUT = 120


def selftest_boot(t, firmware, machine="q35", memory="512M"):
    build = build_dir()
    log = os.path.join(build, "test-logs", f"qemu-boot-{firmware}-{machine}-{memory}.log")
    name = f"{firmware}/{machine}/{memory}"
    with Qemu(os.path.join(build, "kpio.iso"), firmware=firmware, machine=machine,
              cmdline="test=core", log=log, memory=memory) as vm:
        try:
            vm.wait_for(r"\[test\] done: \d+ passed, \d+ failed", timeout=BOOT_TIMEOUT)
            code = vm.wait_exit(timeout=30)
        except (QemuTimeout, QemuExited) as e:
            t.ok(False, f"{name}: self-tests ran", f"{e}\n--- serial log tail ---\n{vm.tail()}")
            return
        out = vm.output()
        for m in re.finditer(r"^\[test\] (PASS|FAIL) (\S+)(.*)$", out, re.M):
            t.ok(m.group(1) == "PASS", f"{name}: {m.group(2)}", m.group(3).strip())
        status = debug_exit_status(code)
        t.ok(status == 0, f"{name}: QEMU exit status 0 (got code {code})",
             f"--- serial log tail ---\n{vm.tail()}")
        boot = vm.time_of(r"\[test\] suite core")
        if boot is not None:
            t.diag(f"{name}: QEMU start to self-tests {boot:.2f} s, total {vm.elapsed():.2f} s")


def poweroff(t, machine):
    build = build_dir()
    log = os.path.join(build, "test-logs", f"qemu-poweroff-{machine}.log")
    with Qemu(os.path.join(build, "kpio.iso"), machine=machine, cmdline="test=poweroff",
              log=log) as vm:
        try:
            vm.wait_for(r"powering off through ACPI", timeout=BOOT_TIMEOUT)
            code = vm.wait_exit(timeout=30)
        except (QemuTimeout, QemuExited) as e:
            t.ok(False, f"ACPI power-off on {machine}", f"{e}\n{vm.tail()}")
            return
        t.ok(code == 0, f"ACPI power-off on {machine} (QEMU exit code {code})", vm.tail())


def main():
    t = Tap()
    selftest_boot(t, "bios")
    selftest_boot(t, "uefi")
    selftest_boot(t, "bios", memory="2G")
    poweroff(t, "q35")
    poweroff(t, "pc")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
