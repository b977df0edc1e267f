#!/usr/bin/env python3
"""tests/qemu/test_e2e.py - the milestone, proven from outside the guest:
a WASM app running in QEMU downloads data over HTTP and persists it to a
VirtIO block device.

For each variant: a fresh random payload (16 MiB) is served by the test's
own HTTP server; a fresh FAT32 image (mkfs.fat + mtools) holds /apps/*.wasm,
an empty /data and an /etc/rc with

    fetch URL /data/payload.bin
    sha256sum /data/payload.bin
    sync
    poweroff

KPIO boots from build/kpio.iso and QEMU exits on its own (the direct-boot
variant instead starts build/kernel/kpio.elf with QEMU's -kernel through
its PVH note, with trace=phases: its PHASES line must list the milestone's
phases in order and count at least the payload's bytes at every layer). Then the host
checks the image: /data/payload.bin byte-identical (SHA-256), the hash the
guest printed equal, and fsck.fat -n silent. Variants cover both virtio
transports, SeaBIOS and UEFI, chunked and redirected downloads, a second
run replacing the file, a TAP + dnsmasq network with a host name, and a
download the server breaks off (no complete-looking file may remain and
the exit status must say the download failed). Timings are printed.
"""
import glob
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import DiskImage  # noqa: E402
import httpserve  # noqa: E402
from httpserve import start_server  # noqa: E402
from netns import GATEWAY, NAME, TestNet  # noqa: E402
from qemu import (Qemu, QemuExited, QemuTimeout, build_dir, debug_exit_status,  # noqa: E402
                  virtio_disk)
from tap import Tap  # noqa: E402

PAYLOAD_MIB = 16
VARIANT_BUDGET_S = 60


def make_image(path, rc_lines, build):
    img = DiskImage(path, size_mib=128, layout="raw", cluster_sectors=1)
    img.mkdir("/apps")
    img.mkdir("/data")
    img.mkdir("/etc")
    for app in sorted(glob.glob(os.path.join(build, "apps", "*.wasm"))):
        img.put_file("/apps/" + os.path.basename(app), app)
    img.put("/etc/rc", ("".join(line + "\n" for line in rc_lines)).encode())
    return img


def rc_for(url):
    return [f"fetch {url} /data/payload.bin", "sha256sum /data/payload.bin", "sync", "poweroff"]


class Variant:
    def __init__(self, name, endpoint="/payload", firmware="uefi", transport="modern",
                 tap=False, broken=False, second_run=False, intx=False, direct=False):
        self.name, self.endpoint, self.firmware = name, endpoint, firmware
        self.transport, self.tap, self.broken, self.second_run = transport, tap, broken, second_run
        self.intx = intx  # no MSI-X (vectors=0): both devices interrupt through INTx
        self.direct = direct  # QEMU -kernel (PVH), SeaBIOS, trace=phases


VARIANTS = [
    Variant("uefi-modern"),
    Variant("uefi-legacy", transport="legacy"),
    Variant("bios-modern", firmware="bios"),
    Variant("bios-legacy-intx", firmware="bios", transport="legacy", intx=True),
    Variant("direct-boot", firmware="bios", direct=True),
    Variant("chunked", endpoint="/chunked"),
    Variant("redirect", endpoint="/redirect"),
    Variant("second-run", second_run=True),
    Variant("tap-dnsmasq-name", tap=True),
    Variant("broken-download", endpoint="/broken", broken=True),
]


def devices(img_path, transport, nic, intx=False):
    flag = ",disable-modern=on" if transport == "legacy" else ",disable-legacy=on"
    flag += ",vectors=0" if intx else ""
    return ([virtio_disk(img_path, device=flag)],
            [nic + ["-device", f"virtio-net-pci,netdev=n0{flag}"]])


def boot(t, v, img, nic, wrapper=(), tag=""):
    """Boots once; returns (qemu exit code, serial output, timings) or None."""
    build = build_dir()
    log = os.path.join(build, "test-logs", f"qemu-e2e-{v.name}{tag}.log")
    disks, nics = devices(img.path, v.transport, nic, v.intx)
    start = time.monotonic()
    if v.direct:
        how = {"iso": None, "kernel": os.path.join(build, "kernel", "kpio.elf"),
               "cmdline": "trace=phases"}
    else:
        how = {"iso": os.path.join(build, "kpio.iso")}
    with Qemu(firmware=v.firmware, disks=disks, nics=nics, log=log, wrapper=wrapper,
              memory="512M", **how) as vm:
        try:
            code = vm.wait_exit(timeout=240)
        except QemuTimeout as e:
            t.ok(False, f"{v.name}{tag}: QEMU exits on its own", f"{e}\n{vm.tail()}")
            return None
        wall = time.monotonic() - start
        out = vm.output()
        timing = {"wall": wall, "lease": vm.time_of(r"\[dhcp\] lease"),
                  "fetch_start": vm.time_of(r"^rc> fetch"), "fetch_end": vm.time_of(r"^rc> sha256sum")}
        return code, out, timing


def report(t, v, timing, out, tag=""):
    parts = [f"total {timing['wall']:.1f} s"]
    if timing["lease"] is not None:
        parts.insert(0, f"lease {timing['lease']:.2f} s")
    if timing["fetch_start"] is not None and timing["fetch_end"] is not None:
        secs = timing["fetch_end"] - timing["fetch_start"]
        parts.append(f"download+write {PAYLOAD_MIB / max(secs, 1e-3):.1f} MiB/s ({secs:.1f} s)")
    # The 60 s budget is a performance target: reported here and by make
    # bench, not asserted (a loaded machine must not fail the test).
    over = " (over the 60 s budget)" if timing["wall"] > VARIANT_BUDGET_S else ""
    t.diag(f"{v.name}{tag}: " + ", ".join(parts) + over)


PHASE_ORDER = ["lease", "app_loaded", "app_compiled", "tcp_connect", "first_byte", "last_byte",
               "file_closed", "sync_done", "poweroff"]
COPIES = ["nic_rx", "sock_rx", "file_write", "blk_write"]


def check_phases(t, v, out):
    """The PHASES line of trace=phases (kernel/lib/phases.h): every phase
    happened, in the milestone's order, and every layer moved at least the
    payload."""
    m = re.search(r"^PHASES (.*)$", out, re.M)
    fields = dict(re.findall(r"(\w+)=(\S+)", m.group(1))) if m else {}
    times = [float(fields.get(p, "0")) for p in PHASE_ORDER]
    t.ok(m is not None and all(x > 0 for x in times) and times == sorted(times),
         f"{v.name}: the phase trace lists the milestone's phases in order",
         m.group(0) if m else "no PHASES line")
    size = PAYLOAD_MIB << 20
    t.ok(m is not None and all(int(fields.get(c, "0")) >= size for c in COPIES),
         f"{v.name}: every layer of the trace moved at least the payload",
         m.group(0) if m else "no PHASES line")
    if m:
        t.diag(f"{v.name}: " + ", ".join(f"{p} {x - times[0]:.3f}" for p, x in
                                         zip(PHASE_ORDER[1:], times[1:])) + " s after the lease")


def check_success(t, v, img, payload_sha, code, out, tag=""):
    if v.intx:
        t.ok(re.search(r"\[virtio-net\] .*legacy transport, INTx", out) and
             re.search(r"\[virtio-blk\] .*legacy transport, INTx", out),
             f"{v.name}{tag}: the NIC and the disk run on INTx", out[:3000])
    t.ok(debug_exit_status(code) == 0 or code == 0,
         f"{v.name}{tag}: every rc command succeeded (QEMU code {code})", out[-3000:])
    data = img.get("/data/payload.bin")
    got = hashlib.sha256(data).hexdigest() if data is not None else None
    t.ok(got == payload_sha, f"{v.name}{tag}: /data/payload.bin on the image is byte-identical",
         f"host sha256 {got}, payload {payload_sha}, {len(data) if data else 0} bytes")
    m = re.search(r"^([0-9a-f]{64})\s+/data/payload.bin", out, re.M)
    t.ok(m is not None and m.group(1) == payload_sha,
         f"{v.name}{tag}: the hash the guest printed matches", m.group(0) if m else "no hash line")
    clean, text = img.fsck()
    t.ok(clean, f"{v.name}{tag}: fsck.fat -n reports nothing", text)
    if v.direct:
        check_phases(t, v, out)


def run_variant(t, tmp, v, payload_path, payload_sha):
    img_path = os.path.join(tmp, f"{v.name}.img")
    build = build_dir()
    if v.tap:
        if os.geteuid() != 0:
            t.skip(f"{v.name}: E2E over TAP", "needs root for a network namespace")
            return
        with TestNet() as net:
            net.start(httpserve.command("--payload", payload_path, "--host", GATEWAY, "--port", "8080"),
                      log="http.log")
            net.wait_listening(tcp=[8080])
            img = make_image(img_path, rc_for(f"http://{NAME}:8080{v.endpoint}"), build)
            r = boot(t, v, img, ["-netdev", f"tap,id=n0,ifname={net.tap},script=no,downscript=no"],
                     wrapper=net.wrap)
            if r:
                code, out, timing = r
                report(t, v, timing, out)
                check_success(t, v, img, payload_sha, code, out)
        return
    srv, port = start_server(payload_path)
    try:
        img = make_image(img_path, rc_for(f"http://10.0.2.2:{port}{v.endpoint}"), build)
        r = boot(t, v, img, ["-netdev", "user,id=n0"])
        if not r:
            return
        code, out, timing = r
        report(t, v, timing, out)
        if v.broken:
            status = debug_exit_status(code)
            t.ok(status not in (None, 0), f"{v.name}: the guest's exit status reports the failure "
                 f"(status {status})", out[-3000:])
            t.ok(re.search(r"fetch: .*(short|incomplete|truncat|closed|failed after \d+ of \d+ bytes)", out, re.I) is not None,
                 f"{v.name}: fetch says why it failed", out[-2000:])
            t.ok(not img.exists("/data/payload.bin"),
                 f"{v.name}: no complete-looking /data/payload.bin is left", img.listing("/data"))
            clean, text = img.fsck()
            t.ok(clean, f"{v.name}: fsck.fat -n reports nothing", text)
            return
        check_success(t, v, img, payload_sha, code, out)
        if v.second_run:
            second = os.path.join(tmp, "payload2")
            with open(second, "wb") as f:
                f.write(os.urandom(PAYLOAD_MIB << 20))
            with open(second, "rb") as f:
                sha2 = hashlib.sha256(f.read()).hexdigest()
            srv.payload = second
            r = boot(t, v, img, ["-netdev", "user,id=n0"], tag="-again")
            if r:
                code, out, timing = r
                report(t, v, timing, out, tag="-again")
                check_success(t, v, img, sha2, code, out, tag="-again")
    finally:
        srv.shutdown()


def main():
    t = Tap()
    build = build_dir()
    apps = glob.glob(os.path.join(build, "apps", "*.wasm"))
    if not any(os.path.basename(a) == "fetch.wasm" for a in apps):
        t.ok(False, "the apps are built (build/apps/fetch.wasm)", "run make first")
        return t.done()
    with tempfile.TemporaryDirectory(prefix="kpio-e2e-") as tmp:
        payload = os.path.join(tmp, "payload")
        data = os.urandom(PAYLOAD_MIB << 20)
        with open(payload, "wb") as f:
            f.write(data)
        sha = hashlib.sha256(data).hexdigest()
        del data
        only = os.environ.get("E2E_ONLY")
        for v in VARIANTS:
            if only and only not in v.name:
                continue
            run_variant(t, tmp, v, payload, sha)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
