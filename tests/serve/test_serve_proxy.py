#!/usr/bin/env python3
"""tests/serve/test_serve_proxy.py - `kpio-wasm serve` with the proxy
handler apps/proxy.c, whose outgoing requests go to tests/lib/httpserve.py on
loopback:

  - an 8 MiB body proxied whole (SHA-256 against the server's bytes);
  - the proxy streams while the origin's body arrives: the origin sends the
    first half of its body and the rest only once the client, having read
    that half through the proxy, tells it to (a server-side event: a proxy
    that buffered the body whole never gets the rest);
  - an unreachable origin is answered 502;
  - an origin named "localhost" (resolved by the host port on a thread of
    its own while the handler's poll waits) is proxied while another
    request is proxied at the same time;
  - an upload: the handler POSTs 16 MiB to a slow-reading origin
    (gated_sink.py) with a body written after handle(); the body's
    check-write stays bounded and its writes never wait (the handler's
    timer fires while the origin does not read, and only then does the test
    let the origin read on), the origin gets the bytes whole and the
    server's memory grows far less than the upload;
  - --handler-timeout bounds a handler waiting on its outgoing request (a
    poll in the host): an origin that never answers gives 504, in about the
    timeout, and the server goes on serving.

    test_serve_proxy.py --build BUILD
"""
import argparse
import hashlib
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import closing

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
from tap import Tap  # noqa: E402
from ready import free_port  # noqa: E402
import httpserve  # noqa: E402
from httpserve import body  # noqa: E402  (the origin's seeded bytes)
from test_serve import Server, get, vm_hwm_kib  # noqa: E402
from gated_sink import upload_to_gated  # noqa: E402

BIG = 8 << 20
GATED = 4 << 20


def start_origin():
    p = subprocess.Popen(httpserve.command(), stdout=subprocess.PIPE, text=True)
    port = httpserve.announced_port(p)
    if port is None:
        p.kill()
        raise RuntimeError("origin did not start")
    return p, f"http://127.0.0.1:{port}"


def streamed_while_arriving(srv, origin):
    """Reads the first half of /gated through the proxy, then releases the
    rest at the origin; returns (status, first half ok, whole body ok)."""
    with closing(srv.conn()) as c:
        c.request("GET", f"/proxy?url={origin}/gated/{GATED}?after=proxied-half")
        r = c.getresponse()
        half = r.read(GATED // 2)
        with urllib.request.urlopen(f"{origin}/done/proxied-half", timeout=30) as d:
            d.read()
        rest = r.read()
        want = bytes(body(GATED))
        return r.status, half == want[:GATED // 2], half + rest == want


UPLOAD = 16 << 20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    t = Tap()
    kpio = os.path.join(args.build, "host", "bin", "kpio-wasm")
    handler = os.path.join(args.build, "handlers", "proxy.wasm")
    origin_proc, origin = start_origin()
    srv = Server(kpio, handler, ["--allow-net", "--handler-timeout", "600000"])
    try:
        with closing(srv.conn()) as c:
            st, _, got = get(c, f"/proxy?url={origin}/data/{BIG}")
        want = hashlib.sha256(body(BIG)).hexdigest()
        t.ok(st == 200 and hashlib.sha256(got).hexdigest() == want,
             f"an {BIG >> 20} MiB body proxied whole (SHA-256)", diag=f"{st}, {len(got)} bytes")
        st, half_ok, whole_ok = streamed_while_arriving(srv, origin)
        t.ok(st == 200 and half_ok and whole_ok,
             "the proxy streams the body while it arrives (the origin sends its second half "
             "only after the client got the first)",
             diag=f"{st}, first half {half_ok}, whole {whole_ok}")
        before = vm_hwm_kib(srv.proc.pid)
        ok, seen = upload_to_gated(srv.port)
        grew = vm_hwm_kib(srv.proc.pid) - before
        t.ok(ok, f"a {UPLOAD >> 20} MiB upload to a slow-reading origin: check-write stays "
             "bounded, writes never wait (the handler's timer fires while the origin does "
             "not read), the origin gets it whole", diag=" | ".join(seen[-6:]))
        t.ok(grew < 8 * 1024, f"the server's peak memory grew by less than 8 MiB for the "
             f"{UPLOAD >> 20} MiB upload", diag=f"VmHWM +{grew} KiB")
        with closing(srv.conn()) as c:
            st, _, msg = get(c, f"/proxy?url=http://127.0.0.1:{free_port()}/")
        t.ok(st == 502, "an unreachable origin is answered 502", diag=f"{st} {msg[:200]!r}")
        named = origin.replace("127.0.0.1", "localhost")
        with closing(srv.conn()) as c1, closing(srv.conn()) as c2:
            c1.request("GET", f"/proxy?url={named}/data/5000")
            c2.request("GET", f"/proxy?url={origin}/data/3000")
            r1, r2 = c1.getresponse(), c2.getresponse()
            got1, got2 = r1.read(), r2.read()
        t.ok(r1.status == 200 and got1 == bytes(body(5000)) and
             r2.status == 200 and got2 == bytes(body(3000)),
             "an origin by name (localhost) is proxied while another request is",
             diag=f"{r1.status} {len(got1)} bytes, {r2.status} {len(got2)} bytes")
    finally:
        status = srv.stop()
    t.ok(status == 0, "SIGTERM stops the server with status 0", diag=f"status {status}")
    # /stall-head never answers (it waits for its client to close): only the
    # handler timeout ends the request (504).
    srv = Server(kpio, handler, ["--allow-net", "--handler-timeout", "1500"])
    try:
        start = time.monotonic()
        with closing(srv.conn()) as c:
            st, _, _ = get(c, f"/proxy?url={origin}/stall-head")
        took = time.monotonic() - start
        t.diag(f"a handler polling on an origin that never answers: {st} after {took:.1f} s "
               f"(--handler-timeout 1.5 s)")
        t.ok(st == 504, "--handler-timeout stops a handler blocked in a poll: 504",
             diag=f"{st} after {took:.1f} s")
        with closing(srv.conn()) as c:
            st, _, got = get(c, f"/proxy?url={origin}/data/1000")
        t.ok(st == 200 and got == bytes(body(1000)), "the server still proxies afterwards",
             diag=str(st))
    finally:
        srv.stop()
        origin_proc.kill()
        origin_proc.wait()
    sys.exit(t.done())


if __name__ == "__main__":
    main()
