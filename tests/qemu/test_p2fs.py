#!/usr/bin/env python3
"""tests/qemu/test_p2fs.py - wasi:filesystem (WASI 0.2) on KPIO's FAT32.

The test app of tests/wasi (p2_fs.wasm: every wasi:filesystem function and
its errors, through the app SDK's direct 0.2 imports) runs from /etc/rc on
a FAT32 disk with an empty /data. It finds /data beneath the kernel's "/"
preopen. Its output in KPIO must equal tests/wasi/p2_fs.expected except
the lines listed in FAT32_DIFFERS: what FAT32 and the kernel's VFS cannot
do (symbolic and hard links, setting times, removing an open directory), each
with the answer KPIO must give instead; never a trap or a silent success.
The image must then hold an empty /data and pass fsck.fat.
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import DiskImage  # noqa: E402
from qemu import Qemu, QemuTimeout, build_dir, virtio_disk  # noqa: E402
from tap import Tap  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

# Lines of p2_fs.expected that differ on FAT32, by prefix: the line KPIO
# prints instead (the same for every line with that prefix), or None where
# the value cannot be known.
FAT32_DIFFERS = {
    # lib/fat will not remove a directory that is open (the test holds
    # sub open), and says so before looking at its entries
    "remove-directory-at sub (not empty)": "remove-directory-at sub (not empty): error busy",
    # FAT has neither hard nor symbolic links: unsupported, and then the
    # names those would have made do not exist
    "link-at a.txt hard.txt": "link-at a.txt hard.txt: error unsupported",
    "stat-at a.txt: regular-file size 0 links 2": "stat-at a.txt: regular-file size 0 links 1",
    "unlink-file-at hard.txt": "unlink-file-at hard.txt: error no-entry",
    "symlink-at a.txt ln": "symlink-at a.txt ln: error unsupported",
    "readlink-at ln": "readlink-at ln: error unsupported",
    "readlink-at a.txt": "readlink-at a.txt: error unsupported",
    "stat-at ln:": "stat-at ln: error no-entry",
    "stat-at ln follow": "stat-at ln follow: error no-entry",
    "symlink-at ../.. up": "symlink-at ../.. up: error unsupported",
    "open-at up/etc follow": "open-at up/etc follow: error no-entry",
    "stat-at up/etc follow": "stat-at up/etc follow: error no-entry",
    "unlink-file-at ln": "unlink-file-at ln: error no-entry",
    "unlink-file-at up": "unlink-file-at up: error no-entry",
    # set-times and set-times-at work on FAT (to 2 s: the times the test
    # sets are even seconds, so its mtime lines are exact)
}


def fat32_line(line):
    for prefix, instead in FAT32_DIFFERS.items():
        if line.startswith(prefix):
            return instead
    return line


def kpio_lines(out):
    """The app's output: the lines after "rc> /apps/p2_fs.wasm" up to the
    next rc line, without kernel log lines."""
    m = re.search(r"^rc> /apps/p2_fs\.wasm\s*$(.*?)^rc[:>]", out, re.S | re.M)
    if not m:
        return None
    return [ln for ln in m.group(1).splitlines()
            if ln and not re.match(r"^\[\s*\d+\.\d+\] \[", ln)]


def main():
    t = Tap()
    build = build_dir()
    app = os.path.join(build, "tests", "wasi", "p2_fs.wasm")
    expected = open(os.path.join(ROOT, "tests", "wasi", "p2_fs.expected")).read().splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        img = DiskImage(os.path.join(tmp, "p2fs.img"), size_mib=64)
        for d in ("/apps", "/data", "/etc"):
            img.mkdir(d)
        img.put_file("/apps/p2_fs.wasm", app)
        img.put("/etc/rc", b"/apps/p2_fs.wasm\nsync\npoweroff\n")
        log = os.path.join(build, "test-logs", "qemu-p2fs.log")
        disks = [virtio_disk(img.path)]
        with Qemu(os.path.join(build, "kpio.iso"), disks=disks, log=log) as vm:
            try:
                vm.wait_exit(timeout=240)
            except QemuTimeout as e:
                t.ok(False, "p2_fs ran in KPIO and KPIO powered off", f"{e}\n{vm.tail()}")
                return t.done()
            out = vm.output()
        got = kpio_lines(out)
        # /etc/rc reports a status other than 0 ("rc: 'CMD' exited with status N")
        t.ok(got is not None and got[-1:] == ["done"] and "exited with status" not in out
             and "trap" not in out, "p2_fs: runs to the end in KPIO, status 0", out[-3000:])
        want = [fat32_line(ln) for ln in expected]
        got = got or []
        diff = [f"-{w}\n+{g}" for w, g in zip(want, got) if w != g and w is not None]
        got = [g if w is not None else None for w, g in zip(want, got)] + got[len(want):]
        t.ok(got == want, "p2_fs: KPIO prints p2_fs.expected, with FAT32's answers where FAT32 "
             "cannot do the same", "\n".join(diff[:30]) + f"\n(lines: want {len(want)}, "
             f"got {len(got)})")
        left = img.listing("/data")
        t.ok(re.search(r"^\s+2 files\s", left, re.M) is not None,  # "." and ".." only
             "image: /data is there and empty after the run", left)
        ok, text = img.fsck()
        t.ok(ok, "image: fsck.fat finds no error after the run", text)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
