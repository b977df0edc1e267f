#!/usr/bin/env python3
"""tests/qemu/test_storage.py - the storage stack on real virtio disks.

For each variant (virtio transport x partition layout x cluster size x
interrupt mode) a fresh FAT32 image is made with mkfs.fat and filled with
mtools; the kernel's storage self-tests (kernel/test/storage_tests.c) read,
write, rename and delete files on it and power off; then the image is
checked from the host: contents with mtools, hashes, and fsck.fat -n.
"""
import hashlib
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import DiskImage, damage_primary_gpt  # noqa: E402
from qemu import Qemu, QemuExited, QemuTimeout, build_dir, debug_exit_status  # noqa: E402
from tap import Tap  # noqa: E402

BIG_MIB = 40
# FAT32 needs at least 65525 clusters, so the image grows with the cluster.
PROMPT = r"kpio:/\$ "

VARIANTS = [
    # name, machine, transport, layout, cluster sectors, vectors
    ("modern-gpt-512B", "q35", "modern", "gpt", 1, None),
    ("legacy-mbr-4K", "q35", "legacy", "mbr", 8, None),
    ("legacy-raw-2K-intx", "q35", "legacy", "raw", 4, 0),
    ("modern-raw-4K-intx-i440fx", "pc", "modern", "raw", 8, 0),
]
IMAGE_MIB = {1: 128, 4: 300, 8: 320}


def xorshift_bytes(seed, n):
    out = bytearray(n)
    x = seed
    mask = (1 << 64) - 1
    for i in range(0, n, 8):
        x ^= x >> 12
        x ^= (x << 25) & mask
        x ^= x >> 27
        v = (x * 0x2545F4914F6CDD1D) & mask
        out[i:i + 8] = v.to_bytes(8, "little")
    return bytes(out)


def big_file_hash():
    h = hashlib.sha256()
    data = xorshift_bytes(42, BIG_MIB << 20)
    h.update(data)
    return h.hexdigest()


def device(transport, drive_id, vectors):
    dev = f"virtio-blk-pci,drive={drive_id}"
    if transport == "legacy":
        dev += ",disable-modern=on"
    elif transport == "modern":
        dev += ",disable-legacy=on"
    if vectors is not None:
        dev += f",vectors={vectors}"
    return dev


def run_variant(t, tmp, variant, big_hash):
    name, machine, transport, layout, csec, vectors = variant
    img = DiskImage(os.path.join(tmp, f"{name}.img"), size_mib=IMAGE_MIB[csec], layout=layout,
                    cluster_sectors=csec)
    ro = DiskImage(os.path.join(tmp, f"{name}-ro.img"), size_mib=33, layout="raw")
    payload = os.urandom(3 * 1024 * 1024 + 123)
    img.put("/input.bin", payload)
    img.put("/todelete.txt", b"delete me\n")
    img.mkdir("/out")
    want = hashlib.sha256(payload).hexdigest()
    build = build_dir()
    bad = os.path.join(tmp, f"{name}-bad.img")
    with open(bad, "wb") as f:
        f.truncate(8 << 20)
    rules = os.path.join(tmp, "blkdebug.conf")
    with open(rules, "w") as f:  # every read and write of vdc fails with EIO
        f.write('[inject-error]\nevent = "read_aio"\nerrno = "5"\n\n'
                '[inject-error]\nevent = "write_aio"\nerrno = "5"\n')
    disks = [["-drive", f"file={img.path},if=none,format=raw,id=d0",
              "-device", device(transport, "d0", vectors)],
             ["-drive", f"file={ro.path},if=none,format=raw,id=d1,readonly=on",
              "-device", device(transport, "d1", vectors)],
             ["-drive", f"file=blkdebug:{rules}:{bad},if=none,format=raw,id=d2",
              "-device", device(transport, "d2", vectors)]]
    log = os.path.join(build, "test-logs", f"qemu-storage-{name}.log")
    with Qemu(os.path.join(build, "kpio.iso"), machine=machine,
              cmdline=f"test=storage expect_input={want} ioerr_disk=vdc", disks=disks,
              log=log) as vm:
        try:
            vm.wait_for(r"\[test\] done: \d+ passed, \d+ failed", timeout=240)
            code = vm.wait_exit(timeout=60)
        except (QemuTimeout, QemuExited) as e:
            t.ok(False, f"{name}: storage self-tests ran", f"{e}\n{vm.tail()}")
            return
        out = vm.output()
        t.ok(re.search(r"\[virtio-blk\] vda: .*%s transport, %s" %
                       (transport, "INTx" if vectors == 0 else "MSI-X"), out),
             f"{name}: vda driven over the {transport} transport with "
             f"{'INTx' if vectors == 0 else 'MSI-X'}", vm.tail())
        t.ok(re.search(r"\[vfs\] mounted fat32 vda%s at /" % ("1" if layout != "raw" else ""), out),
             f"{name}: root mounted from the {layout} layout", vm.tail())
        for m in re.finditer(r"^\[test\] (PASS|FAIL) (\S+)(.*)$", out, re.M):
            t.ok(m.group(1) == "PASS", f"{name}: {m.group(2)}", m.group(3).strip())
        t.ok(debug_exit_status(code) == 0, f"{name}: exit status 0 (QEMU code {code})",
             vm.tail())
        speed = re.search(r"(\d+) MiB written in (\d+) ms, read back in (\d+) ms", out)
        if speed:
            mib, w, r = (int(x) for x in speed.groups())
            t.diag(f"{name}: VFS write {mib * 1000 / max(w, 1):.1f} MiB/s, "
                   f"read {mib * 1000 / max(r, 1):.1f} MiB/s")
    # The host's view of what the kernel wrote.
    t.ok(img.get("/out/renamed.txt") == b"hello from KPIO\n", f"{name}: /out/renamed.txt on the image")
    t.ok(img.get("/out/edit.txt") == b"01ab\0\0END", f"{name}: /out/edit.txt contents")
    big = img.get("/out/big.bin")
    t.ok(big is not None and hashlib.sha256(big).hexdigest() == big_hash,
         f"{name}: /out/big.bin ({BIG_MIB} MiB) byte-identical by sha256")
    t.ok(img.get("/out/moved.txt") == b"", f"{name}: moved file present and empty")
    t.ok(not img.exists("/todelete.txt") and not img.exists("/out/dir"),
         f"{name}: deleted file and directory are gone", img.listing("/") + img.listing("/out"))
    t.ok(img.get("/input.bin") == payload, f"{name}: /input.bin untouched")
    clean, text = img.fsck()
    t.ok(clean, f"{name}: fsck.fat -n reports nothing", text)
    t.diag(f"{name}: fsck.fat -n: {text.splitlines()[-1] if text else ''}")


def flush_operations(vm):
    """The FLUSH requests QEMU's block layer saw from the guest on d0."""
    for dev in vm.qmp("query-blockstats"):
        if dev.get("qdev", "").endswith("d0") or dev.get("device") == "d0":
            return dev["stats"]["flush_operations"]
    raise RuntimeError("query-blockstats: no device d0")


def flush_reaches_device(t, tmp):
    """sync and the file system's ordering barriers send virtio-blk FLUSH
    requests, which QEMU counts in its block statistics (a disk with a
    volatile write cache would otherwise lose "synced" data)."""
    build = build_dir()
    img = DiskImage(os.path.join(tmp, "flush.img"), size_mib=64, cluster_sectors=1)
    img.mkdir("/apps")
    img.put_file("/apps/cp.wasm", os.path.join(build, "apps", "cp.wasm"))
    img.put("/a.txt", b"flush me\n" * 1000)
    disks = [["-drive", f"file={img.path},if=none,format=raw,id=d0,cache=writeback",
              "-device", "virtio-blk-pci,drive=d0,id=d0"]]
    log = os.path.join(build, "test-logs", "qemu-storage-flush.log")
    name = "flush"
    with Qemu(os.path.join(build, "kpio.iso"), disks=disks, log=log, qmp=True) as vm:
        try:
            vm.wait_for(PROMPT, timeout=120)
            before = flush_operations(vm)
            start = len(vm.output())
            vm.send("cp /a.txt /b.txt\r")
            vm.wait_for(PROMPT, timeout=120, start=start)
            after_cp = flush_operations(vm)
            start = len(vm.output())
            vm.send("sync\r")
            vm.wait_for(PROMPT, timeout=120, start=start)
            after_sync = flush_operations(vm)
            vm.send("poweroff\r")
            vm.wait_exit(timeout=60)
        except (QemuTimeout, QemuExited, RuntimeError, OSError) as e:
            t.ok(False, f"{name}: a shell session with QMP", f"{e}\n{vm.tail()}")
            return
    counts = f"flush_operations: at the prompt {before}, after cp {after_cp}, after sync {after_sync}"
    t.diag(f"{name}: {counts}")
    t.ok(re.search(r"\[virtio-blk\] vda: .*, flush\r?\n", vm.output()),
         f"{name}: the driver negotiated VIRTIO_BLK_F_FLUSH", vm.output()[-3000:])
    t.ok(after_cp > before, f"{name}: the file system's ordering barriers send FLUSH", counts)
    t.ok(after_sync > after_cp, f"{name}: sync sends a FLUSH the device sees", counts)
    t.ok(img.get("/b.txt") == b"flush me\n" * 1000, f"{name}: the copy is on the image")


def partitions_found(t, tmp):
    """lib/block/part.c in the kernel: a GPT whose primary header is damaged
    is read from its backup, and a logical partition in an extended one
    becomes a device of its own (vdb5); the root file system is then read
    from the partition the backup GPT describes."""
    build = build_dir()
    gpt = DiskImage(os.path.join(tmp, "gpt-backup.img"), size_mib=40, layout="gpt", fat=16)
    gpt.put("/hello.txt", b"read through the backup GPT\n")
    damage_primary_gpt(gpt.path)
    logical = DiskImage(os.path.join(tmp, "logical.img"), size_mib=20, layout="logical", fat=16)
    disks = [["-drive", f"file={img.path},if=none,format=raw,id=d{i}",
              "-device", f"virtio-blk-pci,drive=d{i}"] for i, img in enumerate([gpt, logical])]
    log = os.path.join(build, "test-logs", "qemu-storage-partitions.log")
    name = "partitions"
    with Qemu(os.path.join(build, "kpio.iso"), disks=disks, log=log) as vm:
        try:
            vm.wait_for(PROMPT, timeout=120)
            start = len(vm.output())
            vm.send("cat /hello.txt\r")
            vm.wait_for(PROMPT, timeout=60, start=start)
            cat = vm.output()[start:]
            vm.send("poweroff\r")
            vm.wait_exit(timeout=60)
        except (QemuTimeout, QemuExited) as e:
            t.ok(False, f"{name}: a shell session", f"{e}\n{vm.tail()}")
            return
    out = vm.output()
    backup = r"\[part\] (warning: )?vda: primary GPT header CRC mismatch; using the backup"
    t.ok(re.search(backup, out),
         f"{name}: the damaged primary GPT is reported and the backup used", out[-3000:])
    t.ok(re.search(r"\[vfs\] mounted fat16 vda1 at /", out),
         f"{name}: root mounted from the partition of the backup GPT", out[-3000:])
    t.ok("read through the backup GPT" in cat, f"{name}: a file read from it", cat)
    want = r"\[block\] vdb5: logical partition, sectors %d-%d" % (
        logical.start, logical.start + logical.count - 1)
    t.ok(re.search(want, out), f"{name}: the logical partition is vdb5 at its sectors",
         out[-3000:])


def main():
    t = Tap()
    big_hash = big_file_hash()
    with tempfile.TemporaryDirectory(prefix="kpio-storage-") as tmp:
        for v in VARIANTS:
            run_variant(t, tmp, v, big_hash)
        flush_reaches_device(t, tmp)
        partitions_found(t, tmp)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
