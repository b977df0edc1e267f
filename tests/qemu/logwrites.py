"""tests/qemu/logwrites.py - reads the write log QEMU's `blklogwrites` block
driver keeps (the dm-log-writes format) and replays it onto a disk image.

The log starts with a super block (magic, version, entry count, sector
size); every entry follows at a sector boundary: a 32-byte header (sector,
sector count, flags, data length; little-endian u64s) padded to a sector,
then the written sectors. A FLUSH is an entry with the flush flag and no
data; a write-zeroes request logs its zeros like a write.

    log = WriteLog.read(path)        # log.entries: [Entry], log.count()
    img = bytearray(initial_image)
    log.apply(img, log.entries[:n])  # replay a prefix or any subset
    log.sectors(entries)             # the same writes, one sector each
"""
import struct

MAGIC = 0x6A736677736872
FLUSH, FUA, DISCARD, MARK = 1, 2, 4, 8
_HEADER = struct.Struct("<QQQQ")
_SUPER = struct.Struct("<QQQI")


class LogError(Exception):
    pass


class Entry:
    __slots__ = ("index", "sector", "count", "flags", "data")

    def __init__(self, index, sector, count, flags, data):
        self.index, self.sector, self.count, self.flags, self.data = (
            index, sector, count, flags, data)

    @property
    def is_flush(self):
        return bool(self.flags & FLUSH)

    @property
    def is_write(self):
        return not self.flags & (FLUSH | DISCARD | MARK) and self.count > 0


class WriteLog:
    def __init__(self, sector_size, entries):
        self.sector_size = sector_size
        self.entries = entries

    @staticmethod
    def super_count(path):
        """The entry count the super block records now (QEMU rewrites it at
        every FLUSH, so it names the flush a guest's sync just ended with)."""
        with open(path, "rb") as f:
            head = f.read(_SUPER.size)
        if len(head) < _SUPER.size:
            return 0
        magic, _version, count, _ss = _SUPER.unpack(head)
        if magic != MAGIC:
            raise LogError("not a blklogwrites log (bad magic)")
        return count

    @classmethod
    def read(cls, path):
        with open(path, "rb") as f:
            raw = f.read()
        if len(raw) < _SUPER.size:
            raise LogError("log shorter than its super block")
        magic, version, count, ss = _SUPER.unpack_from(raw)
        if magic != MAGIC or version != 1 or ss < _HEADER.size or ss & (ss - 1):
            raise LogError(f"bad super block: magic {magic:#x} version {version} sector {ss}")
        entries, off = [], ss
        for i in range(count):
            if off + ss > len(raw):
                raise LogError(f"entry {i} header beyond the end of the log")
            sector, nsec, flags, _dlen = _HEADER.unpack_from(raw, off)
            off += ss
            size = nsec * ss if not flags & (FLUSH | DISCARD | MARK) else 0
            if off + size > len(raw):
                raise LogError(f"entry {i} data beyond the end of the log")
            entries.append(Entry(i, sector, nsec, flags, raw[off:off + size]))
            off += size
        return cls(ss, entries)

    def flush_indices(self):
        return [e.index for e in self.entries if e.is_flush]

    def sectors(self, entries):
        """The writes among entries split into single sectors, as (sector,
        data) pairs in log order: a disk promises no more than that each
        sector is written whole."""
        ss = self.sector_size
        return [(e.sector + i, e.data[i * ss:(i + 1) * ss])
                for e in entries if e.is_write for i in range(e.count)]

    def apply(self, image, entries):
        """Writes the data of every write entry in entries onto image (a
        bytearray), in the order given."""
        ss = self.sector_size
        for e in entries:
            if e.is_write:
                start = e.sector * ss
                if start + len(e.data) > len(image):
                    raise LogError(f"entry {e.index} writes beyond the image")
                image[start:start + len(e.data)] = e.data
