#!/usr/bin/env python3
"""tests/unit/fat/make_fuzz_seeds.py OUTDIR - seed images for fuzz_fat.

Small FAT12, FAT16 and FAT32 images made by mkfs.fat and filled by mcopy
(nested directories, long names, files across several clusters), with the
trailing zeros cut off (the fuzz device reads zeros past its input). The
FAT16 and FAT32 images are also written with the chain of the first
multi-cluster root file bent into a loop ("-loop" seeds), so that the fuzzer
starts next to lib/fat's loop detection.
"""
import os
import struct
import subprocess
import sys
import tempfile

IMAGES = [("fat12", ["-F", "12", "-s", "1", "-r", "32"], 200),
          ("fat16", ["-F", "16", "-s", "1", "-r", "64", "-f", "1"], 2200),
          ("fat32", ["-F", "32", "-s", "1", "-f", "1"], 33500)]


def loop_chain(data):
    """A copy of a FAT16/32 image whose first root file longer than one cluster
    has its first cluster linked to itself, in every FAT copy."""
    img = bytearray(data)
    bps, spc, rsvd, nfats, root_ent = struct.unpack_from("<HBHBH", img, 11)
    fatsz = struct.unpack_from("<H", img, 22)[0] or struct.unpack_from("<I", img, 36)[0]
    fat32 = struct.unpack_from("<H", img, 22)[0] == 0
    root_secs = (root_ent * 32 + bps - 1) // bps
    data_start = rsvd + nfats * fatsz + root_secs
    if fat32:
        root_clus = struct.unpack_from("<I", img, 44)[0]
        root = (data_start + (root_clus - 2) * spc) * bps
        root_len = spc * bps
    else:
        root, root_len = (rsvd + nfats * fatsz) * bps, root_ent * 32
    for off in range(root, root + root_len, 32):
        e = img[off:off + 32]
        if e[0] in (0, 0xE5) or e[11] & 0x18 or e[11] == 0x0F:
            continue
        first = struct.unpack_from("<H", e, 26)[0] | (struct.unpack_from("<H", e, 20)[0] << 16)
        if struct.unpack_from("<I", e, 28)[0] <= spc * bps:
            continue
        for copy in range(nfats):
            fat = (rsvd + copy * fatsz) * bps
            if fat32:
                struct.pack_into("<I", img, fat + 4 * first, first)
            else:
                struct.pack_into("<H", img, fat + 2 * first, first)
        return bytes(img)
    raise SystemExit("make_fuzz_seeds: no multi-cluster file to loop")


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
            if name != "fat12":
                with open(os.path.join(out, name + "-loop"), "wb") as f:
                    f.write(loop_chain(data)[:(end + 511) // 512 * 512])


if __name__ == "__main__":
    main()
