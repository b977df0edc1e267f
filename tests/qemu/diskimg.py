"""tests/qemu/diskimg.py - FAT disk images for system tests, made with the
real tools: mkfs.fat, mtools, fsck.fat; partition tables written here.

    img = DiskImage(path, size_mib=128, layout="gpt", fat=32, cluster_sectors=1)
    (layouts: raw, mbr, logical (in an extended partition), gpt)
    img.mkdir("/out"); img.put("/input.bin", data)
    img.get("/out/x") -> bytes or None; img.fsck() -> (ok, text)
"""
import os
import struct
import subprocess
import uuid
import zlib

SECTOR = 512
PART_START = 2048  # sectors: 1 MiB, as partitioning tools align
BASIC_DATA = uuid.UUID("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7")
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", MTOOLS_NO_VFAT="0")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=ENV, **kw)


def _mbr(total, start, count, ptype):
    entry = struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", ptype, b"\xfe\xff\xff", start, count)
    return b"\0" * 446 + entry + b"\0" * 48 + b"\x55\xaa"


def _gpt_header(current, backup, entries_lba, first, last, disk_guid, entries_crc):
    hdr = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x00010000, 92, 0, 0, current, backup,
                      first, last, disk_guid.bytes_le, entries_lba, 128, 128, entries_crc)
    crc = zlib.crc32(hdr) & 0xffffffff
    hdr = hdr[:16] + struct.pack("<I", crc) + hdr[20:]
    return hdr + b"\0" * (SECTOR - len(hdr))


def write_gpt(f, total, start, count):
    entries = bytearray(128 * 128)
    struct.pack_into("<16s16sQQQ", entries, 0, BASIC_DATA.bytes_le, uuid.uuid4().bytes_le,
                     start, start + count - 1, 0)
    name = "KPIO data".encode("utf-16-le")
    entries[56:56 + len(name)] = name
    ecrc = zlib.crc32(entries) & 0xffffffff
    disk = uuid.uuid4()
    last_usable = total - 34
    f.seek(0)
    f.write(_mbr(total, 1, min(total - 1, 0xffffffff), 0xEE))
    f.write(_gpt_header(1, total - 1, 2, 34, last_usable, disk, ecrc))
    f.write(entries)
    f.seek((total - 33) * SECTOR)
    f.write(entries)
    f.write(_gpt_header(total - 1, 1, total - 33, 34, last_usable, disk, ecrc))


def write_logical(f, total, start, count):
    """An MBR whose only entry is an extended partition from start - 1024;
    its first EBR holds one logical partition (Linux's and KPIO's number 5)
    at start."""
    ext = start - 1024
    f.seek(0)
    f.write(_mbr(total, ext, total - ext, 0x0F))
    f.seek(ext * SECTOR)
    f.write(_mbr(total, start - ext, count, 0x0C))


def damage_primary_gpt(path):
    """Flips a bit of the primary GPT header's disk GUID: only its CRC can
    tell, and a reader must fall back to the backup in the last sector."""
    with open(path, "r+b") as f:
        f.seek(SECTOR + 60)
        b = f.read(1)
        f.seek(SECTOR + 60)
        f.write(bytes([b[0] ^ 1]))


class DiskImage:
    def __init__(self, path, size_mib=128, layout="raw", fat=32, cluster_sectors=None,
                 label="KPIO"):
        self.path = path
        self.total = size_mib * 1024 * 1024 // SECTOR
        with open(path, "wb") as f:
            f.truncate(self.total * SECTOR)
        if layout == "raw":
            self.start, count = 0, self.total
        else:
            self.start = PART_START
            count = self.total - PART_START - (34 if layout == "gpt" else 0)
            with open(path, "r+b") as f:
                if layout == "mbr":
                    f.write(_mbr(self.total, self.start, count, 0x0C))
                elif layout == "logical":
                    write_logical(f, self.total, self.start, count)
                else:
                    write_gpt(f, self.total, self.start, count)
        self.count = count
        cmd = ["mkfs.fat", "-F", str(fat), "-n", label, "-S", str(SECTOR)]
        if cluster_sectors:
            cmd += ["-s", str(cluster_sectors)]
        if self.start:
            cmd += ["--offset", str(self.start)]
        run(cmd + [path, str(count * SECTOR // 1024)])
        self.spec = f"{path}@@{self.start * SECTOR}" if self.start else path

    def mkdir(self, path):
        run(["mmd", "-i", self.spec, "::" + path])

    def put(self, path, data):
        tmp = self.path + ".put"
        with open(tmp, "wb") as f:
            f.write(data)
        try:
            run(["mcopy", "-o", "-i", self.spec, tmp, "::" + path])
        finally:
            os.unlink(tmp)

    def put_file(self, path, host_file):
        run(["mcopy", "-o", "-i", self.spec, host_file, "::" + path])

    def get(self, path):
        r = subprocess.run(["mtype", "-i", self.spec, "::" + path], capture_output=True, env=ENV)
        return r.stdout if r.returncode == 0 else None

    def exists(self, path):
        r = subprocess.run(["mdir", "-i", self.spec, "::" + path], capture_output=True, env=ENV)
        return r.returncode == 0

    def listing(self, path="/"):
        r = subprocess.run(["mdir", "-i", self.spec, "::" + path], capture_output=True, text=True,
                           env=ENV)
        return r.stdout

    def fsck(self):
        """fsck.fat -n on the filesystem (copied out of a partition first).
        Returns (clean, output): clean means exit status 0 and no message
        beyond the summary line."""
        target = self.path
        if self.start:
            target = self.path + ".part"
            with open(self.path, "rb") as src, open(target, "wb") as dst:
                src.seek(self.start * SECTOR)
                left = self.count * SECTOR
                while left:
                    chunk = src.read(min(left, 1 << 22))
                    dst.write(chunk)
                    left -= len(chunk)
        r = subprocess.run(["fsck.fat", "-n", target], capture_output=True, text=True)
        if target != self.path:
            os.unlink(target)
        out = (r.stdout + r.stderr).strip()
        lines = [ln for ln in out.splitlines()
                 if ln and not ln.startswith("fsck.fat ") and " files, " not in ln
                 and not ln.startswith("Checking we can access")]
        return r.returncode == 0 and not lines, out
