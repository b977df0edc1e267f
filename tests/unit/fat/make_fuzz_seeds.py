#!/usr/bin/env python3
"""tests/unit/fat/make_fuzz_seeds.py OUTDIR - seed images for fuzz_fat.

Small FAT12, FAT16 and FAT32 images made by mkfs.fat and filled by mcopy
(nested directories, long names, files across several clusters), with the
trailing zeros cut off (the fuzz device reads zeros past its input).
"""
import os
import subprocess
import sys
import tempfile

IMAGES = [("fat12", ["-F", "12", "-s", "1", "-r", "32"], 200),
          ("fat16", ["-F", "16", "-s", "1", "-r", "64", "-f", "1"], 2200),
          ("fat32", ["-F", "32", "-s", "1", "-f", "1"], 33500)]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1", LC_ALL="C.UTF-8")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src")
        os.makedirs(os.path.join(src, "Sub dir", "deeper"))
        files = {"README.TXT": 10, "a long file name.txt": 1300, "Sub dir/x.bin": 513,
                 "Sub dir/deeper/Zebra ünïcödé.dat": 2100, "empty": 0}
        for name, size in files.items():
            with open(os.path.join(src, name), "wb") as f:
                f.write(bytes((i * 7 + len(name)) & 0xFF for i in range(size)))
        for name, opts, kib in IMAGES:
            img = os.path.join(tmp, name + ".img")
            subprocess.run(["mkfs.fat", "-C"] + opts + [img, str(kib)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run(["mcopy", "-s", "-i", img] +
                           [os.path.join(src, n) for n in os.listdir(src)] + ["::/"],
                           check=True, env=env)
            with open(img, "rb") as f:
                data = f.read()
            end = len(data.rstrip(b"\0"))
            with open(os.path.join(out, name), "wb") as f:
                f.write(data[:(end + 511) // 512 * 512])


if __name__ == "__main__":
    main()
