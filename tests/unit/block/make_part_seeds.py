#!/usr/bin/env python3
"""tests/unit/block/make_part_seeds.py - seed disks for the `part` fuzz
target (tests/fuzz/fuzz_part.c), written into the folder given.

Each seed is one flag byte (bit 0: 4096-byte sectors, bit 1: the disk
claims more sectors than the seed holds) and then the disk's first sectors:
MBRs with primaries, an extended partition with a chain of EBRs, GPTs
(CRCs from zlib) with a sound or a damaged primary, a FAT boot sector.
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "lib"))
from seeds import write_seeds  # noqa: E402


def mbr_entry(sector, i, ptype, start, count):
    struct.pack_into("<B3xB3xII", sector, 446 + 16 * i, 0, ptype, start, count)
    sector[510:512] = b"\x55\xaa"


def disk(ss, sectors):
    return bytearray(ss * sectors)


def mbr_primaries():
    d = disk(512, 16)
    for i, (t, s, c) in enumerate([(0x0C, 1, 3), (0x83, 4, 4), (0x07, 8, 4), (0x0B, 12, 4)]):
        mbr_entry(memoryview(d)[0:512], i, t, s, c)
    return b"\x00" + bytes(d)


def mbr_logical():
    d = disk(512, 24)
    mbr_entry(memoryview(d)[0:512], 0, 0x0C, 1, 3)
    mbr_entry(memoryview(d)[0:512], 1, 0x0F, 4, 20)  # extended 4..23
    for ebr, nxt in [(4, 8), (12, 16), (20, 0)]:
        sec = memoryview(d)[ebr * 512:(ebr + 1) * 512]
        mbr_entry(sec, 0, 0x83, 1, 3)
        if nxt:
            mbr_entry(sec, 1, 0x05, nxt, 4)
    return b"\x02" + bytes(d)


def gpt(ss, damage_primary=False):
    entries, esize = 4, 128
    arr_secs = (entries * esize + ss - 1) // ss
    total = 2 * (2 + arr_secs) + 8
    d = disk(ss, total)
    last = total - 1
    mbr_entry(memoryview(d)[0:512], 0, 0xEE, 1, total - 1)
    array = bytearray(entries * esize)
    first_usable, last_usable = 2 + arr_secs, last - 1 - arr_secs
    parts = [(first_usable, first_usable + 2), (first_usable + 3, last_usable)]
    for i, (f, l) in enumerate(parts):
        struct.pack_into("<16s16sQQ", array, i * esize, bytes([0x11 * (i + 1)]) * 16,
                         bytes([i + 1]) * 16, f, l)
    acrc = zlib.crc32(bytes(array))
    backup_array = last - arr_secs
    d[2 * ss:2 * ss + len(array)] = array
    d[backup_array * ss:backup_array * ss + len(array)] = array
    for my, alt, elba in [(1, last, 2), (last, 1, backup_array)]:
        h = bytearray(92)
        struct.pack_into("<8sIIIIQQQQ16sQIII", h, 0, b"EFI PART", 0x10000, 92, 0, 0, my, alt,
                         first_usable, last_usable, b"\xa5" * 16, elba, entries, esize, acrc)
        struct.pack_into("<I", h, 16, zlib.crc32(bytes(h)))
        d[my * ss:my * ss + 92] = h
    if damage_primary:
        d[ss + 60] ^= 1
    return bytes([1 if ss == 4096 else 0]) + bytes(d)


def fat_boot_sector():
    d = disk(512, 2)
    d[0:3] = b"\xeb\x58\x90"
    struct.pack_into("<H", d, 11, 512)
    d[510:512] = b"\x55\xaa"
    return b"\x00" + bytes(d)


def one_sector_gpt():
    """Found by fuzzing: a protective MBR on a disk of one 4096-byte sector
    made the parser read its primary GPT header past the end."""
    d = disk(4096, 1)
    mbr_entry(memoryview(d)[0:512], 0, 0xEE, 1, 0xFFFFFFFF)
    return b"\x01" + bytes(d)


def main():
    write_seeds(sys.argv[1], {
        "mbr-primaries": mbr_primaries(),
        "mbr-logical": mbr_logical(),
        "gpt-512": gpt(512),
        "gpt-4096": gpt(4096),
        "gpt-backup": gpt(512, damage_primary=True),
        "fat-vbr": fat_boot_sector(),
        "regress-one-sector-gpt": one_sector_gpt(),
    })


if __name__ == "__main__":
    main()
