#!/usr/bin/env python3
"""tests/qemu/test_stack.py - recursion without end inside KPIO, on both engines.

tests/wasi/p1_recurse.c (the app run_stack_tests.py runs under kpio-wasm)
recurses directly and mutually from the KPIO shell, once on the JIT and once
booted with `wasm=interp`. At the default call depth (`ulimit -s`, 10000
frames) and at `ulimit -s 600000`, which is deeper than an app thread's
512 KiB stack holds for the JIT's frames, each endless recursion must end in
the trap "call stack exhausted" (status 134), with no panic, and the shell
must go on. A recursion of 100000 calls, which the depth allows, is stopped
by the stack itself (on the JIT, the app thread's native stack floor). A
recursion that fits still succeeds, and `ulimit -s` refuses depths that are
none.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import DiskImage  # noqa: E402
from qemu import SHELL_PROMPT, Qemu, QemuExited, QemuTimeout, build_dir, virtio_disk  # noqa: E402
from tap import Tap  # noqa: E402

ENDLESS = 100000000
TRAP = "trapped: call stack exhausted"
# (label, command, what the output must hold)
STEPS = [
    ("the default depth", "ulimit -s", "\n10000"),
    ("a recursion 5000 deep", "/tests/recurse.wasm deep 5000; echo status $?", "status 0"),
    ("deep, default depth", f"/tests/recurse.wasm deep {ENDLESS}; echo status $?", TRAP),
    ("mutual, default depth", f"/tests/recurse.wasm mutual {ENDLESS}; echo status $?", TRAP),
    ("ulimit -s 600000", "ulimit -s 600000; ulimit -s", "\n600000"),
    ("deep at depth 600000", f"/tests/recurse.wasm deep {ENDLESS}; echo status $?", TRAP),
    ("mutual at depth 600000", f"/tests/recurse.wasm mutual {ENDLESS}; echo status $?", TRAP),
    # the depth allows it; the JIT's native stack floor (the interpreter's
    # value stack) is what stops it
    ("deep 100000 at depth 600000", "/tests/recurse.wasm deep 100000; echo status $?", TRAP),
    ("ulimit -s 5 is refused", "ulimit -s 5; echo status $?",
     "not a number of frames from 100 to 1000000"),
    ("ulimit -s lots is refused", "ulimit -s lots; echo status $?", "status 1"),
    ("the shell goes on", "echo still here", "\nstill here"),
]


def session(t, build, img, engine):
    log = os.path.join(build, "test-logs", f"qemu-stack-{engine}.log")
    cmdline = "wasm=interp" if engine == "interp" else None
    outs = {}
    with Qemu(os.path.join(build, "kpio.iso"), cmdline=cmdline, log=log,
              disks=[virtio_disk(img.path)]) as vm:
        try:
            vm.wait_for(SHELL_PROMPT, timeout=120)
            for label, cmd, _ in STEPS:
                outs[label] = vm.command(cmd, timeout=300)
            vm.send("poweroff\r")
            vm.wait_exit(timeout=60)
        except (QemuTimeout, QemuExited, OSError) as e:
            t.ok(False, f"{engine}: a shell session of endless recursions", f"{e}\n{vm.tail()}")
            return
    for label, cmd, says in STEPS:
        out = outs[label].replace("\r", "")
        good = says in out and "panic" not in out.lower()
        if says == TRAP:
            good = good and "status 134" in out
        t.ok(good, f"{engine}: {label}: {says.strip()!r}", repr(out[-600:]))


def main():
    t = Tap()
    build = build_dir()
    prog = os.path.join(build, "tests", "wasi", "p1_recurse.wasm")
    if not os.path.exists(prog):
        t.skip("recursion in KPIO", "build/tests/wasi/p1_recurse.wasm not built (make)")
        return t.done()
    with tempfile.TemporaryDirectory(prefix="kpio-stack-") as tmp:
        img = DiskImage(os.path.join(tmp, "stack.img"), size_mib=64, cluster_sectors=1)
        img.mkdir("/tests")
        img.put_file("/tests/recurse.wasm", prog)
        for engine in ("jit", "interp"):
            session(t, build, img, engine)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
