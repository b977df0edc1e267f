#!/usr/bin/env python3
"""tests/qemu/test_https.py - the milestone over https: the fetch app in
KPIO downloads a 16 MiB payload from a TLS server on the host (10.0.2.2 on
QEMU's user-mode network) into the FAT32 disk, verifying the server's
certificate against the trust store on that disk; and refuses servers it
must not trust, with a clear message and no file.

Certificates come from tests/tls/make_certs.py, made into a directory of
this run: the leaves name IP 10.0.2.2 and chain to root.pem through an
intermediate; the image's /etc/ssl/certs/ca-certificates.crt holds root.pem
only. The servers are python's ssl module over tests/lib/httpserve.py's
handler (Content-Length bodies) on 127.0.0.1, one per certificate:

    ok       leaf-ec + intermediate (ECDSA P-256), or leaf-rsa (RSA-2048)
    self     a self-signed certificate         -> "not trusted", status 60
    other    a certificate for other.example    -> "is for other.example"
    expired  valid 2020..2025                   -> "expired on 2025-01-01"

Variants: UEFI (ok + every rejection, with the boot log's entropy source and
wall clock checked), BIOS (ok with the RSA chain, the trust store being this
machine's CA bundle plus root.pem, as make run makes it), BIOS with RDRAND as the
only entropy source (no virtio-rng) on a CPU without AES-NI and a TLS 1.2
AES-GCM server (Mbed TLS's portable AES-GCM), BIOS with the same server on
qemu.py's default CPU (AES-GCM on AES-NI and PCLMULQDQ; every variant checks
which one the boot log names), and UEFI with no entropy source at all
(https refuses: "no entropy source", no file). After power-off the host
checks the image: payload byte-identical (SHA-256), the guest's printed
hash equal, no file for a refused server, fsck.fat -n silent.

A last variant (uefi-cases, a 2 MiB payload) checks https as http's
equal: a 302 https -> https (/redirect, a relative Location), a 302 https ->
http (/tohttp, to a plain server on the host: followed, as curl -L and the
SDK's redirect rules do, and printed), a chunked body (/chunked), and a
server that closes the TCP connection halfway through a Content-Length body
without TLS close_notify (/cut: status 35, "without TLS close_notify", the
partial file removed).

uefi-insecure boots with tls=insecure (the kernel's curl -k for every
app): the self-signed server is accepted, with a warning on the console.

uefi-budget checks the kernel's per-connection cap on Mbed TLS's heap
(net/ktls.c): six https fetches in a row; after each, the "Mbed TLS heap
peak" line shows the connection's peak under the cap and Mbed TLS's heap in
all back at one baseline (the shell's `free` is printed, not compared: the
kernel heap grows by some 35 small blocks per fetch over plain http alike); booted with tlsmem=24 (KiB)
the same fetch is refused ("over its memory budget of 24 KiB", status 35, no
file) and the heap is back at its baseline after it too.
"""
import calendar
import glob
import hashlib
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import DiskImage  # noqa: E402
from httpserve import Handler, Server, start_server  # noqa: E402
from qemu import Qemu, QemuTimeout, build_dir, debug_exit_status, virtio_disk  # noqa: E402
from tap import Tap  # noqa: E402

PAYLOAD_MIB = 16
HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


class CaseHandler(Handler):
    """Handler's paths plus /tohttp (302 to the plain server at http_port)
    and /cut (half the body, then the TCP connection closed under TLS)."""
    http_port = 0

    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/tohttp":
            self.send(302, b"", [("Location", f"http://10.0.2.2:{self.http_port}/payload")])
        elif p == "/cut":
            size = os.path.getsize(self.server.payload)
            with open(self.server.payload, "rb") as f:
                half = f.read(size // 2)
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.write(half)
            self.wfile.flush()
            self.close_connection = True
            # No close_notify: close the TCP socket from under TLS.
            socket.socket(fileno=self.connection.detach()).close()
        else:
            super().do_GET()


def start_tls_server(payload, certs, chain, key, handler=Handler, tls12_cipher=None, **attrs):
    """An https server on 127.0.0.1 with chain/key; returns (server, port).
    tls12_cipher: TLS 1.2 only, with that one OpenSSL cipher."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(certs, chain), os.path.join(certs, key))
    if tls12_cipher:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(tls12_cipher)
    # The client's cipher order decides, as with nginx's and OpenSSL's defaults.
    ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE

    srv = Server(payload=payload, handler=type("H", (handler,), attrs))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.start()
    return srv, srv.port


def make_image(path, build, certs, rc_lines, system_bundle=False):
    """The trust store is root.pem, after this machine's CA bundle (as make
    run makes it) when system_bundle and the machine has one."""
    img = DiskImage(path, size_mib=128, layout="raw", cluster_sectors=1)
    for d in ("/apps", "/data", "/etc", "/etc/ssl", "/etc/ssl/certs"):
        img.mkdir(d)
    for app in sorted(glob.glob(os.path.join(build, "apps", "*.wasm"))):
        img.put_file("/apps/" + os.path.basename(app), app)
    bundle = b""
    if system_bundle and os.path.exists(BUNDLE):
        with open(BUNDLE, "rb") as f:
            bundle = f.read()
    with open(os.path.join(certs, "root.pem"), "rb") as f:
        img.put(BUNDLE, bundle + f.read())
    img.put("/etc/rc", "".join(line + "\n" for line in rc_lines).encode())
    return img


def boot(t, name, firmware, img, **qemu_args):
    build = build_dir()
    log = os.path.join(build, "test-logs", f"qemu-https-{name}.log")
    disks = [virtio_disk(img.path)]
    nics = [["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0"]]
    with Qemu(os.path.join(build, "kpio.iso"), firmware=firmware, disks=disks, nics=nics,
              log=log, memory="512M", **qemu_args) as vm:
        try:
            code = vm.wait_exit(timeout=300)
        except QemuTimeout as e:
            t.ok(False, f"{name}: QEMU exits on its own", f"{e}\n{vm.tail()}")
            return None
        out = vm.output()
        start, end = vm.time_of(r"^rc> fetch"), vm.time_of(r"^rc> sha256sum")
        if start is not None and end is not None:
            t.diag(f"{name}: https download+write {PAYLOAD_MIB / max(end - start, 1e-3):.1f} "
                   f"MiB/s ({end - start:.1f} s)")
        return code, out


def check_download(t, name, img, out, sha):
    data = img.get("/data/payload.bin")
    got = hashlib.sha256(data).hexdigest() if data is not None else None
    t.ok(got == sha, f"{name}: /data/payload.bin on the image is byte-identical",
         f"host sha256 {got}, payload {sha}, {len(data) if data else 0} bytes\n{out[-3000:]}")
    m = re.search(r"^([0-9a-f]{64})\s+/data/payload.bin", out, re.M)
    t.ok(m is not None and m.group(1) == sha, f"{name}: the hash the guest printed matches",
         m.group(0) if m else "no hash line")


def check_boot_log(t, name, out, booted_at, source="virtio-rng"):
    m = re.search(r"\[random\] CTR_DRBG .* seeded from (.*)", out)
    t.ok(m is not None and m.group(1).strip() == source,
         f"{name}: the DRBG is seeded from {source} only", m.group(0) if m else out[:2000])
    m = re.search(r"\[clock\] wall clock (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC", out)
    guest = calendar.timegm(tuple(int(x) for x in m.groups()) + (0, 0, 0)) if m else None
    t.ok(guest is not None and abs(guest - booted_at) < 120,
         f"{name}: the wall clock from the RTC is the host's (within 2 minutes)",
         f"guest {m.group(0) if m else None}, "
         f"host {time.strftime('%F %T', time.gmtime(booted_at))}")


def check_aes(t, name, out, aes_hw):
    """AES-GCM runs on AES-NI where the CPU has it (qemu.py's default CPU)
    and in portable C where it does not; the download's hash shows both work."""
    want = "on AES-NI and PCLMULQDQ" if aes_hw else "in portable C"
    m = re.search(r"\[tls\] AES-GCM (on AES-NI and PCLMULQDQ|in portable C)", out)
    t.ok(m is not None and m.group(1) == want, f"{name}: AES-GCM runs {want}",
         m.group(0) if m else out[:2000])


REJECTS = [
    # name, chain, key, message regex
    ("self", "self.pem", "self.key", r"not trusted \(self-signed\)"),
    ("other", "leaf-other-chain.pem", "leaf-other.key",
     r"is for other\.example, not 10\.0\.2\.2"),
    ("expired", "leaf-expired-chain.pem", "leaf-expired.key", r"expired on 2025-01-01"),
]


def run_variant(t, tmp, certs, payload, sha, name, firmware, chain, key, rejects, source=None,
                system_bundle=False, aes_hw=True, tls12_cipher=None, **qemu_args):
    build = build_dir()
    servers = []
    try:
        srv, port = start_tls_server(payload, certs, chain, key, tls12_cipher=tls12_cipher)
        servers.append(srv)
        rc = [f"fetch https://10.0.2.2:{port}/payload /data/payload.bin",
              "sha256sum /data/payload.bin"]
        for rname, rchain, rkey, _ in rejects:
            s, p = start_tls_server(payload, certs, rchain, rkey)
            servers.append(s)
            rc.append(f"fetch https://10.0.2.2:{p}/payload /data/{rname}.bin")
        rc += ["sync", "poweroff"]
        img = make_image(os.path.join(tmp, f"{name}.img"), build, certs, rc, system_bundle)
        booted_at = time.time()
        r = boot(t, name, firmware, img, **qemu_args)
        if not r:
            return
        code, out = r
        t.ok(re.search(r"rc: 'fetch https://10.0.2.2:%d/payload /data/payload.bin' exited" % port,
                       out) is None and debug_exit_status(code) is not None,
             f"{name}: fetch over https succeeded and the guest powered off (code {code})",
             out[-3000:])
        check_download(t, name, img, out, sha)
        check_aes(t, name, out, aes_hw)
        m = re.search(r"\[tls\] trust store \S+: (\d+) certificates", out)
        t.diag(f"{name}: {m.group(0) if m else 'no trust store line'}")
        if source:
            check_boot_log(t, name, out, booted_at, source)
        for rname, _, _, msg in rejects:
            m = re.search(r"rc: 'fetch https://\S+ /data/%s\.bin' exited with status (\d+)" % rname,
                          out)
            t.ok(m is not None and m.group(1) == "60",
                 f"{name}: {rname}: fetch refuses with curl's status 60",
                 m.group(0) if m else out[-3000:])
            t.ok(re.search(msg, out) is not None, f"{name}: {rname}: the console says /{msg}/",
                 out[-3000:])
            t.ok(not img.exists(f"/data/{rname}.bin"), f"{name}: {rname}: no file is written",
                 img.listing("/data"))
        clean, text = img.fsck()
        t.ok(clean, f"{name}: fsck.fat -n reports nothing", text)
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()


def run_no_entropy(t, tmp, certs, payload):
    """No virtio-rng and a CPU without RDRAND: https must refuse to make keys."""
    name = "uefi-no-entropy"
    srv, port = start_tls_server(payload, certs, "leaf-ec-chain.pem", "leaf-ec.key")
    try:
        img = make_image(os.path.join(tmp, f"{name}.img"), build_dir(), certs,
                         [f"fetch https://10.0.2.2:{port}/payload /data/payload.bin", "sync",
                          "poweroff"])
        r = boot(t, name, "uefi", img, rng=False)
        if not r:
            return
        _, out = r
        t.ok(re.search(r"\[random\] warning: no entropy source", out) is not None,
             f"{name}: the boot log says there is no entropy source", out[:3000])
        m = re.search(r"rc: 'fetch https://\S+ /data/payload.bin' exited with status (\d+)", out)
        t.ok(m is not None and m.group(1) != "0", f"{name}: fetch fails",
             m.group(0) if m else out[-3000:])
        t.ok(re.search(r"tls: no entropy source", out) is not None,
             f"{name}: the console says no keys are made without an entropy source", out[-3000:])
        t.ok(not img.exists("/data/payload.bin"), f"{name}: no file is written",
             img.listing("/data"))
    finally:
        srv.shutdown()
        srv.server_close()


CASES = [
    # name, path, ok, console regex
    ("redir", "/redirect", True, r"fetch: 302 redirect to https://10\.0\.2\.2:\d+/payload"),
    ("tohttp", "/tohttp", True, r"fetch: 302 redirect to http://10\.0\.2\.2:\d+/payload"),
    ("chunked", "/chunked", True, None),
    ("cut", "/cut", False, r"without TLS close_notify"),
]


def run_cases(t, tmp, certs):
    """Redirects both ways, a chunked body and a cut one, over https."""
    name = "uefi-cases"
    payload = os.path.join(tmp, "small")
    data = os.urandom(2 << 20)
    with open(payload, "wb") as f:
        f.write(data)
    sha = hashlib.sha256(data).hexdigest()
    plain, http_port = start_server(payload)
    srv, port = start_tls_server(payload, certs, "leaf-ec-chain.pem", "leaf-ec.key",
                                 CaseHandler, http_port=http_port)
    try:
        rc = []
        for cname, path, _, _ in CASES:
            rc += [f"fetch https://10.0.2.2:{port}{path} /data/{cname}.bin",
                   f"sha256sum /data/{cname}.bin"]
        rc += ["sync", "poweroff"]
        img = make_image(os.path.join(tmp, f"{name}.img"), build_dir(), certs, rc)
        r = boot(t, name, "uefi", img)
        if not r:
            return
        code, out = r
        t.ok(debug_exit_status(code) is not None, f"{name}: the guest powered off (code {code})",
             out[-3000:])
        for cname, path, ok, msg in CASES:
            m = re.search(r"rc: 'fetch https://\S+ /data/%s\.bin' exited with status (\d+)"
                          % cname, out)
            data = img.get(f"/data/{cname}.bin")
            if ok:
                t.ok(m is None, f"{name}: {cname}: fetch {path} succeeds",
                     m.group(0) if m else "")
                got = hashlib.sha256(data).hexdigest() if data is not None else None
                t.ok(got == sha, f"{name}: {cname}: the file on the image is byte-identical",
                     f"host sha256 {got}, payload {sha}")
                h = re.search(r"^([0-9a-f]{64})\s+/data/%s\.bin" % cname, out, re.M)
                t.ok(h is not None and h.group(1) == sha,
                     f"{name}: {cname}: the hash the guest printed matches",
                     h.group(0) if h else "no hash line")
            else:
                t.ok(m is not None and m.group(1) == "35",
                     f"{name}: {cname}: fetch {path} fails with curl's status 35",
                     m.group(0) if m else out[-3000:])
                t.ok(data is None, f"{name}: {cname}: no file is written", img.listing("/data"))
                t.ok(re.search(r"removed the partial download \S*%s" % cname, out) is not None,
                     f"{name}: {cname}: the partial download is removed, and fetch says so",
                     out[-3000:])
            if msg:
                t.ok(re.search(msg, out) is not None, f"{name}: {cname}: the console says /{msg}/",
                     out[-3000:])
        t.diag(f"{name}: /data holds {img.listing('/data')}")
        clean, text = img.fsck()
        t.ok(clean, f"{name}: fsck.fat -n reports nothing", text)
    finally:
        for s in (srv, plain):
            s.shutdown()
            s.server_close()


HEAP = r"kernel heap: (\d+) KiB in use in (\d+) blocks"
PEAK = r"\[tls\] 10\.0\.2\.2:\d+: Mbed TLS heap peak (\d+) bytes \(cap (\d+)\); (\d+) in use"


def run_budget(t, tmp, certs):
    """The kernel heap returns to its baseline after TLS connections, each
    connection stays under its cap, and a cap too small refuses cleanly."""
    payload = os.path.join(tmp, "budget")
    with open(payload, "wb") as f:
        f.write(os.urandom(1 << 20))
    srv, port = start_tls_server(payload, certs, "leaf-ec-chain.pem", "leaf-ec.key")
    try:
        runs = 6
        rc = [f"fetch https://10.0.2.2:{port}/payload /data/a0.bin", "free"]
        # The same output file each time: a new file's directory entry and
        # cache blocks would grow the heap, with http as with https.
        rc += [f"fetch https://10.0.2.2:{port}/payload /data/a0.bin" for i in range(1, runs)]
        rc += ["free", "sync", "poweroff"]
        name = "uefi-budget"
        img = make_image(os.path.join(tmp, f"{name}.img"), build_dir(), certs, rc)
        r = boot(t, name, "uefi", img)
        if r:
            _, out = r
            # The kernel heap (free) is not compared: it grows by some 35
            # blocks per fetch over plain http too (sockets, the app's
            # load), which would hide nothing of TLS's or fail for others'.
            heaps = re.findall(HEAP, out)
            peaks = [(int(p), int(c)) for p, c, _ in re.findall(PEAK, out)]
            held = [int(u) for _, _, u in re.findall(PEAK, out)]
            t.ok(len(held) == runs and len(set(held)) == 1 and held[0] < 4096,
                 f"{name}: after each of {runs} https fetches Mbed TLS's heap in all is back at "
                 f"the same baseline (the trust store's and PSA's blocks)", f"{held}")
            t.ok(len(peaks) == runs and all(0 < p <= c for p, c in peaks),
                 f"{name}: each of the {runs} connections' Mbed TLS heap peak is under its cap",
                 f"{peaks}\n{out[-3000:]}")
            if peaks:
                t.diag(f"{name}: per-connection Mbed TLS heap peak {max(p for p, _ in peaks)} "
                       f"bytes (cap {peaks[0][1]}), Mbed TLS heap after each {held}; "
                       f"kernel heap (KiB, blocks) after the first and last {heaps}")
            st = re.findall(r"rc: 'fetch https://[^']*' exited with status (\d+)", out)
            t.ok(not st and img.exists("/data/a0.bin"), f"{name}: every fetch succeeded",
                 f"{st}\n{out[-3000:]}")
        name = "uefi-budget-small"
        rc = [f"fetch https://10.0.2.2:{port}/payload /data/a0.bin", "free",
              f"fetch https://10.0.2.2:{port}/payload /data/a0.bin", "free", "sync", "poweroff"]
        img = make_image(os.path.join(tmp, f"{name}.img"), build_dir(), certs, rc)
        r = boot(t, name, "uefi", img, cmdline="tlsmem=24")
        if r:
            _, out = r
            m = re.findall(r"rc: 'fetch https://\S+ /data/a\d\.bin' exited with status (\d+)",
                           out)
            t.ok(m == ["35", "35"], f"{name}: with tlsmem=24 fetch fails with status 35",
                 f"{m}\n{out[-3000:]}")
            t.ok(re.search(r"over its memory budget of 24 KiB", out) is not None,
                 f"{name}: the console says the connection is over its memory budget",
                 out[-3000:])
            t.ok(not img.exists("/data/a0.bin"),
                 f"{name}: no file is written", img.listing("/data"))
            held = [int(u) for _, _, u in re.findall(PEAK, out)]
            t.ok(len(held) == 2 and held[0] == held[1],
                 f"{name}: after a refused connection Mbed TLS's heap is back at its baseline",
                 f"{held}")
    finally:
        srv.shutdown()
        srv.server_close()


def run_insecure(t, tmp, certs, payload, sha):
    """tls=insecure: the self-signed server is accepted, with a warning."""
    name = "uefi-insecure"
    srv, port = start_tls_server(payload, certs, "self.pem", "self.key")
    try:
        img = make_image(os.path.join(tmp, f"{name}.img"), build_dir(), certs,
                         [f"fetch https://10.0.2.2:{port}/payload /data/payload.bin",
                          "sha256sum /data/payload.bin", "sync", "poweroff"])
        r = boot(t, name, "uefi", img, cmdline="tls=insecure")
        if not r:
            return
        _, out = r
        t.ok(re.search(r"rc: 'fetch https://[^']*' exited", out) is None,
             f"{name}: with tls=insecure fetch accepts a self-signed server", out[-3000:])
        t.ok(re.search(r"tls: warning: certificates are not checked \(tls=insecure\)", out)
             is not None, f"{name}: the console warns that certificates are not checked",
             out[-3000:])
        check_download(t, name, img, out, sha)
    finally:
        srv.shutdown()
        srv.server_close()


def main():
    t = Tap()
    build = build_dir()
    if not os.path.exists(os.path.join(build, "apps", "fetch.wasm")):
        t.ok(False, "the apps are built (build/apps/fetch.wasm)", "run make first")
        return t.done()
    with tempfile.TemporaryDirectory(prefix="kpio-https-") as tmp:
        certs = os.path.join(tmp, "certs")
        subprocess.run([sys.executable, os.path.join(HERE, "..", "tls", "make_certs.py"), certs],
                       check=True)
        payload = os.path.join(tmp, "payload")
        data = os.urandom(PAYLOAD_MIB << 20)
        with open(payload, "wb") as f:
            f.write(data)
        sha = hashlib.sha256(data).hexdigest()
        del data
        only = os.environ.get("HTTPS_ONLY")
        variants = [
            ("uefi-ecdsa", "uefi", "leaf-ec-chain.pem", "leaf-ec.key", REJECTS,
             {"source": "virtio-rng"}),
            ("bios-rsa", "bios", "leaf-rsa-chain.pem", "leaf-rsa.key", [],
             {"system_bundle": True}),
            # TCG has RDRAND (not RDSEED): the CPU alone seeds the DRBG. This
            # CPU has no AES-NI: the server's AES-GCM takes Mbed TLS's portable
            # code, and the DRBG's AES too.
            ("bios-rdrand", "bios", "leaf-ec-chain.pem", "leaf-ec.key", [],
             {"source": "RDRAND", "rng": False, "aes_hw": False,
              "tls12_cipher": "ECDHE-ECDSA-AES128-GCM-SHA256",
              "extra": ["-cpu", "qemu64,+rdrand"]}),
            # The same AES-GCM on AES-NI and PCLMULQDQ (qemu.py's default CPU).
            ("bios-aesni", "bios", "leaf-ec-chain.pem", "leaf-ec.key", [],
             {"tls12_cipher": "ECDHE-ECDSA-AES128-GCM-SHA256"}),
        ]
        for name, fw, chain, key, rejects, kw in variants:
            if not only or only in name:
                run_variant(t, tmp, certs, payload, sha, name, fw, chain, key, rejects, **kw)
        if not only or only in "uefi-no-entropy":
            run_no_entropy(t, tmp, certs, payload)
        if not only or only in "uefi-cases":
            run_cases(t, tmp, certs)
        if not only or only in "uefi-insecure":
            run_insecure(t, tmp, certs, payload, sha)
        if not only or only in "uefi-budget":
            run_budget(t, tmp, certs)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
