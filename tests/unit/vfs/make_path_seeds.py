#!/usr/bin/env python3
"""tests/unit/vfs/make_path_seeds.py - seed inputs for the `vfs_path` fuzz
target (tests/fuzz/fuzz_vfs_path.c), written into the folder given.

Each seed is a flag byte (bit 0: a cwd and a path split by a NUL follow;
bit 1: a 64-byte output buffer) and then the path.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "lib"))
from seeds import write_seeds  # noqa: E402

SEEDS = {
    "dots": b"\x00/a/./b/../c/",
    "slashes": b"\x00//a///b//",
    "relative": b"\x01/a/b\x00../../c/./d",
    "file-middle": b"\x00/a/f1/../b",
    "missing-middle": b"\x00/m1/../x",
    "trailing-file": b"\x00/d/file/",
    "deep": b"\x00" + b"/d" * 130,
    "long-name": b"\x00/" + b"n" * 770,
    "small-out": b"\x02/" + b"abcdefgh/" * 10,
    "mounts": b"\x00/mnt/usb/../usbx/mnt",
}


def main():
    write_seeds(sys.argv[1], SEEDS)


if __name__ == "__main__":
    main()
