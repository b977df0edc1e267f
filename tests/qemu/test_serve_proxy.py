#!/usr/bin/env python3
"""tests/qemu/test_serve_proxy.py - the shell's `serve` with the proxy
handler apps/proxy.c: a handler in KPIO making an outgoing request to
tests/http/server.py on the host (10.0.2.2) and streaming its response into
its own, reached from the host through QEMU's hostfwd.

  - a 4 MiB body proxied whole (SHA-256 against the server's bytes);
  - streamed while it arrives: the origin sends the second half of its body
    only after the client read the first half through the proxy (a
    server-side event: a proxy that buffered the body never finishes);
  - an unreachable origin is answered 502;
  - a second serve with a short --handler-timeout: a handler polling on an
    origin that never answers (/stall-head, which gives up only after 30 s)
    is cut off at the timeout and answered 504 (the kernel's poll wait ends
    at the handler deadline), and that serve goes on proxying.

Every wait is for an event: the "Serving HTTP" line, a response.
"""
import hashlib
import http.client
import os
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import closing

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
sys.path.insert(0, os.path.dirname(__file__))
import server  # noqa: E402
from diskimg import DiskImage  # noqa: E402
from qemu import Qemu, QemuExited, QemuTimeout, build_dir, user_nic, virtio_disk  # noqa: E402
from ready import free_port  # noqa: E402
from tap import Tap  # noqa: E402

BIG = 4 << 20
GATED = 2 << 20


def get(port, path):
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=120)) as c:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()


def gated(port, origin_local, origin_guest):
    """The first half through the proxy, then /done at the origin, then the
    rest: (status, first half ok, whole ok)."""
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=120)) as c:
        c.request("GET", f"/proxy?url={origin_guest}/gated/{GATED}?after=kpio-half")
        r = c.getresponse()
        half = r.read(GATED // 2)
        with urllib.request.urlopen(f"{origin_local}/done/kpio-half", timeout=60) as d:
            d.read()
        rest = r.read()
    want = bytes(server.body(GATED))
    return r.status, half == want[:GATED // 2], half + rest == want


def main():
    t = Tap()
    build = build_dir()
    handler = os.path.join(build, "handlers", "proxy.wasm")
    if not os.path.exists(handler):
        t.skip("the proxy handler in KPIO", "build/handlers/proxy.wasm not built (make)")
        return t.done()
    srv = server.Server(("127.0.0.1", 0), server.Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    origin_local = f"http://127.0.0.1:{srv.server_address[1]}"
    origin_guest = f"http://10.0.2.2:{srv.server_address[1]}"
    outs = {}
    with tempfile.TemporaryDirectory(prefix="kpio-serve-proxy-") as tmp:
        img = DiskImage(os.path.join(tmp, "proxy.img"), size_mib=64, cluster_sectors=1)
        img.mkdir("/apps")
        img.put_file("/apps/proxy.wasm", handler)
        img.mkdir("/etc")
        img.put("/etc/rc", b"serve --handler-timeout 120000 /apps/proxy.wasm &\n"
                b"serve --addr 0.0.0.0:8081 --handler-timeout 3000 /apps/proxy.wasm &\n")
        port, short_port = free_port(), free_port()
        fwds = [f"tcp:127.0.0.1:{port}-:8080", f"tcp:127.0.0.1:{short_port}-:8081"]
        log = os.path.join(build, "test-logs", "qemu-serve-proxy.log")
        try:
            with Qemu(os.path.join(build, "kpio.iso"), disks=[virtio_disk(img.path)],
                      nics=[user_nic(fwds)], log=log) as vm:
                vm.wait_for(r"Serving HTTP on http://0\.0\.0\.0:8080/", timeout=120)
                vm.wait_for(r"Serving HTTP on http://0\.0\.0\.0:8081/", timeout=120)
                vm.wait_for(r"\[dhcp\] .*lease", timeout=120)
                outs["big"] = get(port, f"/proxy?url={origin_guest}/data/{BIG}")
                outs["gated"] = gated(port, origin_local, origin_guest)
                outs["refused"] = get(port, f"/proxy?url=http://10.0.2.2:{free_port()}/")
                start = time.monotonic()
                outs["stalled"] = get(short_port, f"/proxy?url={origin_guest}/stall-head")
                outs["stalled-took"] = time.monotonic() - start
                outs["after-stall"] = get(short_port, f"/proxy?url={origin_guest}/data/1000")
        except (QemuTimeout, QemuExited, OSError) as e:
            t.ok(False, "a KPIO session serving the proxy handler", str(e))
            return t.done()
        finally:
            server.stop.set()
            srv.shutdown()
    st, got = outs["big"]
    t.ok(st == 200 and hashlib.sha256(got).digest() == hashlib.sha256(server.body(BIG)).digest(),
         f"KPIO serve: a {BIG >> 20} MiB body proxied whole (SHA-256)",
         f"{st}, {len(got)} bytes")
    st, half_ok, whole_ok = outs["gated"]
    t.ok(st == 200 and half_ok and whole_ok,
         "KPIO serve: the proxy streams the body while it arrives",
         f"{st}, first half {half_ok}, whole {whole_ok}")
    st, msg = outs["refused"]
    t.ok(st == 502, "KPIO serve: an unreachable origin is answered 502", f"{st} {msg[:200]!r}")
    st, _ = outs["stalled"]
    t.diag(f"a handler polling on an origin that never answers: {st} after "
           f"{outs['stalled-took']:.1f} s (--handler-timeout 3 s)")
    t.ok(st == 504, "KPIO serve: --handler-timeout stops a handler blocked in a poll: 504",
         f"{st} after {outs['stalled-took']:.1f} s")
    st, got = outs["after-stall"]
    t.ok(st == 200 and got == bytes(server.body(1000)),
         "KPIO serve: the same serve proxies again after the cut-off handler", str(st))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
