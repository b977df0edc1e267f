#!/usr/bin/env python3
"""bench/compare/test_bench.py - TAP suite for the benchmark harness and
the Linux guest's initramfs writer, checked against outside oracles:
busybox's (or GNU) cpio reads the archives, modules.dep from busybox
depmod, mtools and fsck.fat judge the disk checks, urllib fetches from
the payload servers (plain and https), readelf's view of openssl's
libraries. Then the guests in QEMU: each downloads a 2 MiB payload over
http and https (the certificate verified; the Linux guest refuses a server
its root does not vouch for), and each serving target of serve_guests.py
answers a one-second wrk run.

    test_bench.py [--build DIR] [--linux-guest]

Without --linux-guest (make test's bench/compare): the harness and KPIO's
guest. With it: the checks of the Linux reference guest only (Debian's
modules.dep, openssl's libraries, its https download and refusal, its
busybox httpd), which `make bench` and `make bench-linux` run after
building the guest into $BUILD/linux-guest; a guest not built fails them.
Needs dosfstools, mtools, cpio and wrk (scripts/setup.sh).
"""
import argparse
import hashlib
import os
import shutil
import socket
import ssl
import stat
import struct
import subprocess
import sys
import tempfile
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "bench", "linux-guest"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))

import bench  # noqa: E402
import guests  # noqa: E402
import mkinitramfs  # noqa: E402
import qemu  # noqa: E402
import workload  # noqa: E402
from tap import Tap  # noqa: E402

MIB = workload.MIB


def cpio_tool(build):
    """A cpio reader that is not ours: the guest's busybox, else GNU cpio."""
    bb = os.path.abspath(os.path.join(build, "linux-guest", "busybox", "bin", "busybox"))
    if os.access(bb, os.X_OK):
        return [bb, "cpio"]
    if shutil.which("cpio"):
        return ["cpio"]
    return None


def test_newc(t, build, tmp):
    tool = cpio_tool(build)
    if tool is None:
        t.ok(False, "newc archive read back by cpio", "no busybox (guest not built) and no cpio "
             "(scripts/setup.sh installs it)")
        return
    arc = mkinitramfs.Newc()
    arc.directory("d")
    arc.directory("d/e", 0o700)
    data = os.urandom(1001)  # odd size: exercises the data padding
    arc.file("d/file.bin", data, 0o640)
    arc.file("x", b"", 0o755)  # empty file, 1-char name: name padding
    arc.symlink("d/link", "/d/file.bin")
    arc.chardev("console", 5, 1)
    blob = arc.finish()
    t.ok(len(blob) % 4 == 0, "newc archive is 4-byte aligned")
    out = os.path.join(tmp, "x-out")
    os.makedirs(out)
    p = subprocess.run(tool + ["-i", "-d"], input=blob, cwd=out, capture_output=True)
    t.ok(p.returncode == 0, "cpio -i extracts our archive", p.stderr.decode(errors="replace"))
    with open(os.path.join(out, "d", "file.bin"), "rb") as f:
        t.ok(f.read() == data, "file contents survive the round trip")
    t.ok(os.readlink(os.path.join(out, "d", "link")) == "/d/file.bin", "symlink target")
    t.ok(oct(os.stat(os.path.join(out, "d", "e")).st_mode & 0o777) == oct(0o700), "dir mode")
    t.ok(os.path.getsize(os.path.join(out, "x")) == 0, "empty file")
    st = os.lstat(os.path.join(out, "console"))
    t.ok(stat.S_ISCHR(st.st_mode) and (os.major(st.st_rdev), os.minor(st.st_rdev)) == (5, 1),
         "character device 5,1 extracted as such")
    bad = mkinitramfs.Newc()
    bad.file("a", b"")
    try:
        bad.file("a", b"")
        t.ok(False, "duplicate entry rejected")
    except ValueError:
        t.ok(True, "duplicate entry rejected")


def test_modules(t):
    dep = ("kernel/a/virtio_net.ko: kernel/b/net_failover.ko kernel/c/failover.ko "
           "kernel/v/virtio.ko kernel/v/virtio_ring.ko\n"
           "kernel/b/net_failover.ko: kernel/c/failover.ko\n"
           "kernel/c/failover.ko:\n"
           "kernel/v/virtio.ko: kernel/v/virtio_ring.ko\n"
           "kernel/v/virtio_ring.ko:\n"
           "kernel/fs/nls_iso8859-1.ko:\n"
           "kernel/x/loop1.ko: kernel/x/loop2.ko\n"
           "kernel/x/loop2.ko: kernel/x/loop1.ko\n")
    table = mkinitramfs.parse_modules_dep(dep)
    order = mkinitramfs.resolve_modules(table, ["virtio_net", "nls_iso8859-1"])
    ok = all(order.index(d) < order.index(m) for m in order for d in table[m][1])
    t.ok(ok and len(order) == 6, "every module after its dependencies", order)
    t.ok("nls_iso8859_1" in order, "dashes become underscores as in the kernel")
    for wanted, err, name in ((["nope"], KeyError, "unknown module"),
                              (["loop1"], ValueError, "dependency cycle")):
        try:
            mkinitramfs.resolve_modules(table, wanted)
            t.ok(False, f"{name} rejected")
        except err:
            t.ok(True, f"{name} rejected")
    try:
        mkinitramfs.parse_modules_dep("garbage line\n")
        t.ok(False, "malformed modules.dep rejected")
    except ValueError:
        t.ok(True, "malformed modules.dep rejected")



def test_guest_modules(t, build):
    """mkinitramfs's module closure on the guest's real modules.dep."""
    moddir = os.path.join(build, "linux-guest", "kernel", "lib", "modules")
    kvers = os.listdir(moddir) if os.path.isdir(moddir) else []
    real = os.path.join(moddir, kvers[0], "modules.dep") if len(kvers) == 1 else ""
    if not os.path.exists(real):
        t.ok(False, "virtio_net's closure in Debian's modules.dep", f"no modules.dep in {moddir}")
        return
    with open(real) as f:
        table = mkinitramfs.parse_modules_dep(f.read())
    got = set(mkinitramfs.resolve_modules(table, ["virtio_net"]))
    t.ok(got == {"virtio_net", "net_failover", "failover", "virtio", "virtio_ring"},
         "virtio_net needs net_failover, failover, virtio, virtio_ring", sorted(got))


def feed(lines, guest):
    """A Run filled with (time, text) serial lines, as if QEMU printed them."""
    run = qemu.Run(["true"], guest.classify)
    for tm, text in lines:
        run._line(text.encode(), tm)
    run.returncode, run.exit_t = 0, lines[-1][0] + 0.5
    return run


GOOD = [(0.3, "\x1b[0mBENCHMARK grub'"), (0.4, "BENCHMARK grub-loadedBENCHMARK grub-loade"),
        (7.0, "\rBENCHMARK init up=2.00\r"), (7.2, "BENCHMARK modules up=2.2"),
        (7.5, "BENCHMARK lease up=2.5 ip=10.0.2.15/24"), (7.6, "BENCHMARK mount up=2.6"),
        (8.0, "BENCHMARK dl-null-start up=3"), (9.0, "BENCHMARK dl-null-end up=4"),
        (9.0, "BENCHMARK dl-tls-start up=4"), (9.1, "BENCHMARK dl-tls-end up=4.1"),
        (9.1, "BENCHMARK mem-start up=4 kmem0=100 slab0=50"),
        (10.0, "BENCHMARK mem-end up=5 kmem_peak_kb=300 slab_peak_kb=70 "
               "kmem_delta_kb=200 slab_delta_kb=20 samples=9"),
        (10.0, "BENCHMARK dl-file-start up=5"), (12.0, "BENCHMARK dl-file-end up=7"),
        (12.5, "BENCHMARK wr-start up=7.5"), (14.5, "BENCHMARK wr-end up=9.5"),
        (15.0, "BENCHMARK rd-start up=10"), (15.5, "BENCHMARK rd-end up=10.5"),
        (15.5, "BENCHMARK pipe-start up=10.5"), (15.6, "BENCHMARK pipe-end up=10.6 bytes=33554432"),
        (15.6, "BENCHMARK done up=10.6")]


def test_markers(t):
    guest = guests.LinuxGuest("build")
    run = feed(GOOD, guest)
    t.ok(bench.check_run(guest, run) == [], "a complete run passes its checks",
         bench.check_run(guest, run))
    ctx = {"payload_mib": 64, "write_mib": 32}
    vals = {n: v for n, _u, _w, f in bench.METRICS if (v := f(run, ctx)) is not None}
    want = {"ph_sync_done": 2.0, "lease": 7.5, "boot_firmware": 0.3, "boot_grub_load": 0.1, "boot_kernel": 6.6,
            "boot_decompress": 4.6, "boot_kernel_init": 2.0, "boot_modules": 0.2,
            "boot_dhcp": 0.3, "http_devnull": 64.0, "https_devnull": 640.0, "https_ratio": 10.0,
            "http_to_fat": 32.0, "fat_write": 16.0,
            "fat_read_cold": 64.0, "pipe": 320.0, "run": 16.1, "kmem_delta": 200, "kmem_peak": 300,
            "slab_delta": 20, "slab_peak": 70}
    bad = {k: (vals.get(k), v) for k, v in want.items()
           if vals.get(k) is None or abs(vals[k] - v) > 1e-9}
    t.ok(not bad and set(vals) == set(want), "figures derived from marker times",
         (bad, set(vals) ^ set(want)))

    fail = feed(GOOD[:8] + [(9.0, "BENCHMARK fail dl-null")], guest)
    probs = bench.check_run(guest, fail)
    t.ok(any("dl-null" in p for p in probs) and any("no 'done'" in p for p in probs),
         "a failed step and missing markers are reported", probs)
    swapped = list(GOOD)
    swapped[12], swapped[13] = (12.5, GOOD[13][1]), (14.5, GOOD[12][1])
    t.ok(any("out of order" in p for p in bench.check_run(guest, feed(swapped, guest))),
         "markers out of order are reported")
    run = feed(GOOD, guest)
    run.returncode = None
    t.ok(any("timed out" in p for p in bench.check_run(guest, run)), "a timeout is reported")
    run.returncode = 3
    t.ok(any("status 3" in p for p in bench.check_run(guest, run)), "a bad exit is reported")
    t.ok(guest.classify("[    2.1] Kernel panic - not syncing: x")[0] == "fail",
         "a kernel panic counts as failure")
    t.ok(guest.classify("wget: BENCHMARKS are fun") is None, "other lines are ignored")


def test_phases(t):
    """KPIO's PHASES line and Linux's dl-file-got give the milestone's
    phases from dl-file-start on each guest's own clock; draw.py draws
    them as an SVG that an XML parser reads back."""
    kpio = guests.KpioGuest("build")
    lines = list(GOOD[2:])  # no boot loader markers from KPIO
    end = next(i for i, (_tm, text) in enumerate(lines) if "dl-file-end" in text)
    lines.insert(end + 1, (12.01, "PHASES lease=2.500000 app_loaded=5.100000 app_compiled=5.200000 "
                             "tcp_connect=5.300000 first_byte=5.400000 last_byte=6.500000 "
                             "file_closed=6.600000 sync_done=6.900000 poweroff=0.000000 "
                             "nic_rx=70000000 sock_rx=67108864 file_write=67108864 "
                             "cache_in=0 cache_run=0 blk_write=67371008"))
    run = feed(lines, kpio)
    run.returncode = 1  # isa-debug-exit with status 0
    t.ok(bench.check_run(kpio, run) == [], "a KPIO run with a PHASES line passes its checks",
         bench.check_run(kpio, run))
    vals = {n: f(run, {"payload_mib": 64, "write_mib": 32}) for n, _u, _w, f in bench.METRICS}
    want = {"ph_app_loaded": 0.1, "ph_app_compiled": 0.2, "ph_tcp_connect": 0.3,
            "ph_first_byte": 0.4, "ph_last_byte": 1.5, "ph_file_closed": 1.6,
            "ph_sync_done": 1.9, "copy_sock_rx": 64.0, "copy_cache_in": 0.0,
            "copy_blk_write": 64.25}
    bad = {k: (vals.get(k), v) for k, v in want.items()
           if vals.get(k) is None or abs(vals[k] - v) > 1e-6}
    t.ok(not bad, "KPIO's phases are seconds from dl-file-start, copies in MiB", bad)

    linux = guests.LinuxGuest("build")
    lines = list(GOOD)
    end = next(i for i, (_tm, text) in enumerate(lines) if "dl-file-end" in text)
    lines.insert(end, (11.0, "BENCHMARK dl-file-got up=6.25"))
    run = feed(lines, linux)
    t.ok(abs((bench._linux_phase(run, "dl-file-got") or 0) - 1.25) < 1e-9 and
         run.first("phases") is None, "Linux's file-closed phase comes from dl-file-got")

    import xml.etree.ElementTree as ET
    import draw
    row = ("s", 0.1, 0.2, 0.3, "x")
    results = {"kpio": {m: ("s", v, v, v, "w") for m, v in want.items() if m.startswith("ph_")},
               "linux": {"ph_file_closed": ("s", 1, 1.25, 2, "w"), "lease": row,
                         "http_to_fat": ("MiB/s", 30, 31, 32, "w")},
               "kpio-direct": {"lease": ("s", 0.01, 0.02, 0.03, "w")}}
    args = argparse.Namespace(payload_mib=64, runs=3, firmware="seabios")
    root = ET.fromstring(draw.render(results, args))
    ns = "{http://www.w3.org/2000/svg}"
    rects = [r for r in root.iter(ns + "rect") if r.find(ns + "title") is not None]
    titles = [r.find(ns + "title").text for r in rects]
    t.ok(len(rects) == 7 + 1 + 2 + 1 and any("until synced 1.900" in x for x in titles) and
         any("KPIO (direct boot): 0.020" in x for x in titles),
         "the SVG has a segment per phase and a bar per figure", titles)


def test_disk(t, tmp):
    why = workload.missing_tools()
    if why:
        t.skip("disk image checks", why)
        return
    payload = workload.Payload(os.path.join(tmp, "p.bin"), 3 * MIB + 5)
    with open(payload.path, "rb") as f:
        data = f.read()
    t.ok(hashlib.sha256(data).hexdigest() == payload.sha256, "payload hash")
    expected = {"DL.BIN": (payload.sha256, payload.size),
                "WR.BIN": (payload.prefix_sha256(MIB), MIB)}
    img = os.path.join(tmp, "d.img")
    size = workload.image_size(5 * MIB, 512)
    workload.make_image(img, size, 512, {"DL.BIN": data, "WR.BIN": data[:MIB]})
    with open(img, "rb") as f:
        boot = f.read(512)
    # FAT32 boot sector: BPB_FATSz16 (offset 22) is 0, BS_FilSysType at 82.
    t.ok(boot[13] == 1 and struct.unpack_from("<H", boot, 22)[0] == 0 and
         boot[82:90] == b"FAT32   ", "mkfs.fat made FAT32 with 512-byte clusters", boot[:96].hex())
    t.ok(workload.verify(img, expected) == [], "intact image verifies")
    flipped = bytearray(data)
    flipped[2 * MIB] ^= 1
    workload.make_image(img, size, 512, {"DL.BIN": bytes(flipped), "WR.BIN": data[:MIB]})
    t.ok(any("DL.BIN" in p for p in workload.verify(img, expected)), "one flipped bit is caught")
    workload.make_image(img, size, 512, {"DL.BIN": data})
    t.ok(any("WR.BIN" in p for p in workload.verify(img, expected)), "a missing file is caught")
    workload.make_image(img, size, 512, {"DL.BIN": data, "WR.BIN": data[:MIB]})
    with open(img, "r+b") as f:  # free cluster 10 in the first FAT only
        reserved = struct.unpack_from("<H", f.read(512), 14)[0]
        f.seek(reserved * 512 + 4 * 10)
        f.write(b"\0\0\0\0")
    t.ok(any("fsck.fat" in p for p in workload.verify(img, expected)),
         "a damaged FAT is caught by fsck.fat")
    t.ok(workload.image_size(128 * MIB, 4096) >= (workload.FAT32_MIN_CLUSTERS + 1) * 4096,
         "image large enough for FAT32 with 4 KiB clusters")


def test_server(t, tmp):
    payload = workload.Payload(os.path.join(tmp, "s.bin"), MIB + 3)
    with workload.PayloadServer(payload) as server:
        url = f"http://127.0.0.1:{server.port}"
        with urllib.request.urlopen(url + "/payload", timeout=30) as r:
            body = r.read()
        t.ok(hashlib.sha256(body).hexdigest() == payload.sha256, "GET /payload returns the payload")
        try:
            urllib.request.urlopen(url + "/other", timeout=30)
            t.ok(False, "other paths are 404")
        except urllib.error.HTTPError as e:
            t.ok(e.code == 404, "other paths are 404")
        t.ok(server.served == [("/payload", payload.size)], "served GETs are counted",
             server.served)


def test_tls_server(t, tmp):
    """The https payload server: a client trusting only the bench's root
    (urllib over Python's ssl, another TLS stack than the guests') gets the
    payload; one trusting another root is refused."""
    payload = workload.Payload(os.path.join(tmp, "t.bin"), MIB + 7)
    root, chain, key = workload.bench_certs(os.path.join(tmp, "certs"))
    ctx = ssl.create_default_context(cafile=root)
    other = ssl.create_default_context(cafile=os.path.join(tmp, "certs", "self.pem"))
    with workload.PayloadServer(payload, tls=(chain, key)) as server:
        url = f"https://127.0.0.1:{server.port}/payload"
        with urllib.request.urlopen(url, timeout=30, context=ctx) as r:
            body = r.read()
        t.ok(hashlib.sha256(body).hexdigest() == payload.sha256, "GET /payload over https")
        try:
            urllib.request.urlopen(url, timeout=30, context=other)
            t.ok(False, "a client trusting another root is refused")
        except urllib.error.URLError as e:
            t.ok("CERTIFICATE_VERIFY_FAILED" in str(e), "a client trusting another root is refused",
                 str(e))
        t.ok(len(server.ciphers) == 1 and server.ciphers[0][1] in ("TLSv1.3", "TLSv1.2"),
             "the served connection's cipher is recorded", server.ciphers)
    san = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in",
                          chain], capture_output=True, text=True).stdout
    t.ok(f"DNS:{workload.TLS_NAME}" in san and "IP Address:10.0.2.2" in san,
         "the server's certificate names TLS_NAME and 10.0.2.2", san)
    wrong = ssl.create_default_context(cafile=root)
    with workload.PayloadServer(payload, tls=(chain, key)) as server:
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
                wrong.wrap_socket(raw, server_hostname="other.example").close()
            t.ok(False, "a name the certificate does not carry is refused")
        except ssl.SSLCertVerificationError as e:
            t.ok("mismatch" in str(e), "a name the certificate does not carry is refused", str(e))


def test_guest_libraries(t, build):
    """mkinitramfs finds openssl's libraries and loader in the unpacked
    packages, as the ELF files name them (oracle: ldd's view of the names,
    from readelf; the guest run below is the real proof)."""
    roots = [os.path.join(build, "linux-guest", "pkg", p) for p in ("openssl", "libssl3", "libc6")]
    if not all(os.path.isdir(r) for r in roots):
        t.ok(False, "openssl's library closure", f"not all of {roots} unpacked")
        return
    files = dict(mkinitramfs.resolve_program(roots, "usr/bin/openssl"))
    want = {"usr/bin/openssl", "lib64/ld-linux-x86-64.so.2", "lib/x86_64-linux-gnu/libssl.so.3",
            "lib/x86_64-linux-gnu/libcrypto.so.3", "lib/x86_64-linux-gnu/libc.so.6"}
    t.ok(want <= set(files) and all(os.path.isfile(f) and not os.path.islink(f)
                                    for f in files.values()),
         "openssl, libssl, libcrypto, libc and the loader are resolved to files", files)
    try:
        mkinitramfs.resolve_program([roots[0], roots[2]], "usr/bin/openssl")
        t.ok(False, "a missing library is named")
    except KeyError as e:
        t.ok("libssl.so.3" in str(e), "a missing library is named", str(e))


def test_guests_https(t, build, tmp, linux):
    """KPIO's guest, or with linux the Linux guest, through the whole work
    on a 2 MiB payload: it reports an https figure and the host's https
    server saw its verified GET; the Linux guest given another root than
    the server's refuses the https download (dl-tls fails), so its figure
    comes from a verified connection."""
    args = argparse.Namespace(payload_mib=2, write_mib=2, cluster=512, firmware="seabios")
    guest = (guests.LinuxGuest if linux else guests.KpioGuest)(build)
    guest.timeout = 300
    name = f"{guest.name}: https download in QEMU, certificate verified"
    why = qemu.missing_tools("seabios") or workload.missing_tools()
    if why or guest.missing():
        t.ok(False, name, why or guest.missing())
        return
    payload = workload.Payload(os.path.join(tmp, "g.bin"), 2 * MIB)
    workdir = os.path.join(build, "bench-compare", "suite")
    os.makedirs(workdir, exist_ok=True)
    with bench.Servers(payload, workdir) as servers:
        values, problems = bench.one_run(guest, args, payload, servers, 1, workdir)
        got = servers.https.served
        t.ok(values is not None and values.get("https_devnull", 0) > 0 and
             0 < values.get("https_ratio", 0) and got == [("/payload", payload.size)],
             name, problems or (values, got))
        if values:
            t.diag(f"{guest.name}: http {values['http_devnull']:.1f} MiB/s, https "
                   f"{values['https_devnull']:.1f} MiB/s, ciphers {servers.https.ciphers}")
        if not linux:
            return
        with open(os.path.join(workdir, "certs", "self.pem"), "rb") as f:
            servers.ca = f.read()
        before = len(servers.https.served)
        values, problems = bench.one_run(guest, args, payload, servers, 2, workdir)
        t.ok(values is None and any("fail dl-tls" in p for p in problems) and
             len(servers.https.served) == before,
             "linux: a server its root does not vouch for is refused", problems)


def test_guests_serve(t, build, linux):
    """serve_guests.py's quick variant: each of KPIO's targets, or with
    linux the Linux guest's, boots, answers GET / with its page (checked by
    serve_guests.measure) and serves one short wrk run at 4 connections
    without errors."""
    import serve_guests
    why = (None if shutil.which("wrk") else "no wrk (Debian package wrk)") or \
        qemu.missing_tools("seabios") or workload.missing_tools()
    for name, target in serve_guests.targets(build).items():
        if name.startswith("linux-") != linux:
            continue
        missing = why or (target if isinstance(target, str) else None)
        if missing:
            t.ok(False, f"{name}: serves GET / under wrk in QEMU", missing)
            continue
        try:
            res = serve_guests.measure(target, build, [4], 1)[4]
        except RuntimeError as e:
            t.ok(False, f"{name}: serves GET / under wrk in QEMU", str(e))
            continue
        t.ok(res["rps"] > 0 and res["errors"] == 0 and 0 < res["p50"] <= res["p99"],
             f"{name}: serves GET / under wrk in QEMU", res)
        t.diag(f"{name}: {res['rps']:.0f} req/s, p99 {res['p99']:.1f} ms (1 s, 4 connections)")


def test_qemu_flags(t):
    argv = qemu.qemu_command("d.img", ["-cdrom", "x.iso"], "ovmf", "vars.fd",
                             hostfwd="tcp:127.0.0.1:5555-:8080")
    joined = " ".join(argv)
    for flag in ("user,id=n0,hostfwd=tcp:127.0.0.1:5555-:8080", "-machine q35", "-m 1G", "-smp 1", "-cpu qemu64,+aes,+pclmulqdq,+ssse3,+sse4.1,+sse4.2",
                 "virtio-net-pci,netdev=n0",
                 "virtio-blk-pci,drive=d0", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                 "-no-reboot", "if=pflash", "-cdrom x.iso"):
        if flag not in joined:
            t.ok(False, f"QEMU flags contain {flag}", joined)
            return
    t.ok(True, "QEMU flag set as specified")
    try:
        qemu.qemu_command("d.img", [], "ovmf")
        t.ok(False, "OVMF without a variable store is refused")
    except ValueError:
        t.ok(True, "OVMF without a variable store is refused")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--linux-guest", action="store_true",
                    help="check the Linux reference guest (built into BUILD/linux-guest)")
    args = ap.parse_args()
    t = Tap()
    with tempfile.TemporaryDirectory() as tmp:
        guest_runs = (("guests over https",
                       lambda: test_guests_https(t, args.build, tmp, args.linux_guest)),
                      ("guests serving", lambda: test_guests_serve(t, args.build, args.linux_guest)))
        harness = (("initramfs writer", lambda: test_newc(t, args.build, tmp)),
                   ("module resolution", lambda: test_modules(t)),
                   ("serial markers", lambda: test_markers(t)),
                   ("phase trace", lambda: test_phases(t)),
                   ("disk checks", lambda: test_disk(t, tmp)),
                   ("payload server", lambda: test_server(t, tmp)),
                   ("https server", lambda: test_tls_server(t, tmp)),
                   ("QEMU flags", lambda: test_qemu_flags(t)))
        linux_guest = (("guest modules", lambda: test_guest_modules(t, args.build)),
                       ("guest libraries", lambda: test_guest_libraries(t, args.build)))
        for name, run in (linux_guest if args.linux_guest else harness) + guest_runs:
            try:
                run()
            except Exception:  # a crashing group fails and the suite goes on
                t.ok(False, f"{name}: completes", traceback.format_exc())
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
