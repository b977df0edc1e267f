#!/usr/bin/env python3
"""tests/serve/test_serve_jco.py - the example C handler (apps/webapp.c)
under kpio-wasm serve and, componentized (tests/serve/jco_webapp.py),
under jco serve on node: the same requests give the same status,
content-type and body (the page, JSON routes, echoed and hashed random
bodies, a streamed body, 404s). The fault routes (/trap, /hang, /hog) are
not compared: a trap or exhausted memory in the handler takes jco serve
1.35 down (the exception escapes its worker), where kpio-wasm answers 500.
Response trailers are not compared either: jco serve drops the x-bytes
trailer of /sha256 (noted as a diagnostic).

jco as tests/lib/jcoenv.py says (JCO_DIR, JCO_HOME), the WIT in WASI_WIT
(default ../shared/wit); either missing: SKIP with the variable.

    test_serve_jco.py --build BUILD
"""
import argparse
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
from contextlib import closing

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, HERE)
from ready import free_port  # noqa: E402
from jco_webapp import componentize  # noqa: E402
import kserve_proc  # noqa: E402
from tap import Tap  # noqa: E402

UA = {"User-Agent": "kpio-test/1"}


def request(port, method, path, body=None):
    """(status, content-type, body); http.client drops trailers (see
    raw_sha256)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        c.request(method, path, body=body, headers=UA)
        r = c.getresponse()
        return r.status, (r.getheader("content-type") or ""), r.read()
    finally:
        c.close()


def raw_sha256(port, body):
    """The raw response of POST /sha256, to see whether a trailer came."""
    with closing(socket.create_connection(("127.0.0.1", port), timeout=60)) as s:
        s.sendall(b"POST /sha256 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body)
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                return out
            out += b


def cases():
    rnd = random.Random(18)
    yield "GET", "/", None
    yield "GET", "/api/info", None
    for _ in range(4):
        yield "GET", f"/api/sum?a={rnd.randrange(10**9)}&b={rnd.randrange(10**9)}", None
    yield "GET", "/api/sum", None
    for n in (0, 1, 1000, 70000, 300000):
        yield "POST", "/echo", rnd.randbytes(n)
    for n in (0, 3, 65536, 200001):
        yield "POST", "/sha256", rnd.randbytes(n)
    for n in (0, 10, 100000):
        yield "GET", f"/bytes?n={n}", None
    yield "GET", "/files/readme.txt", None
    yield "GET", "/files/../etc/passwd", None
    yield "GET", "/nowhere", None
    yield "DELETE", "/api/info", None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    t = Tap()
    comp, jco, env = componentize(args.build)
    if not comp:
        if env == "fail":
            t.ok(False, "jco embed + jco new make the C handler a component", diag=jco)
        else:
            t.skip("C handler under jco serve", jco)
        sys.exit(t.done())
    t.ok(True, "jco embed + jco new --wasi-reactor make the C handler a component")
    kpio = os.path.join(args.build, "rel", "bin", "kpio-wasm")
    ks, kport, line = kserve_proc.start(kpio, [os.path.join(args.build, "handlers",
                                                            "webapp.wasm")])
    js = None
    try:
        if not kport:
            t.ok(False, "kpio-wasm serve starts on webapp.wasm", diag=line)
            return
        jport = free_port()
        js = subprocess.Popen(["sh", jco, "serve", "--host", "127.0.0.1", "--port", str(jport),
                               "--isolate-requests", "instance", comp], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
        up = any(b"listening" in ln.lower() for ln in js.stdout)
        if not up:
            t.ok(False, "jco serve starts on the componentized C handler")
            return
        threading.Thread(target=js.stdout.read, daemon=True).start()
        same, diffs, n = 0, [], 0
        for method, path, body in cases():
            n += 1
            a = request(kport, method, path, body)
            b = request(jport, method, path, body)
            if a == b:
                same += 1
            else:
                diffs.append(f"{method} {path} ({len(body or b'')} B): kpio {a[0]} {a[1]} "
                             f"{a[2][:40]!r} ({len(a[2])} B) / jco {b[0]} {b[1]} {b[2][:40]!r} "
                             f"({len(b[2])} B)")
        t.ok(same == n and n > 0, f"kpio-wasm serve and jco serve give the same status, "
             f"content-type and body for {n} requests to the C handler", diag="\n".join(diffs))
        a = b"x-bytes: 3" in raw_sha256(kport, b"abc").lower()
        b = b"x-bytes: 3" in raw_sha256(jport, b"abc").lower()
        t.ok(a, "kpio-wasm serve sends the handler's x-bytes trailer")
        t.diag(f"jco serve sends the x-bytes trailer: {'yes' if b else 'no'}")
    finally:
        kserve_proc.stop(t, ks)
        if js:
            os.killpg(js.pid, signal.SIGTERM)
            js.wait(timeout=30)
    sys.exit(t.done())


if __name__ == "__main__":
    main()
