#!/usr/bin/env python3
"""tests/serve/test_serve.py - `kpio-wasm serve` with the example handler
apps/webapp.c (a core module through the SDK's sdk/handler.h), over
loopback, with python's http.client and raw sockets as the clients and
hashlib / fixed expected bodies as the oracle:

  - 200 requests from 20 concurrent keep-alive clients (pages, JSON,
    echoed random bodies) all correct;
  - faults while a steady client keeps being answered correctly: a trap
    (500), a handler that never returns (--handler-timeout: 504), one that
    runs out of memory (--max-pages: 500), a slowloris head (408 and
    closed), a client gone mid-body, malformed request lines and fields
    (400/431/505, closed, the handler never runs);
  - pipelining, a chunked upload with trailers, Expect: 100-continue;
  - a handler that polls its request body with a timer: the body's
    reads return what has arrived, and the timer fires between the slow
    client's pieces (polled_body.py);
  - a 64 MiB upload hashed by the handler as it arrives (the server's
    peak memory stays far below 64 MiB more than at start) and a 64 MiB
    streamed response;
  - SIGTERM stops the server with status 0;
  - --max-conns: twice as many short clients at once all get 200 (those
    beyond it wait for a worker); a connection that finds none free within
    serve/admit.h's wait is answered 503;
  - a file of the handler's --dir is served whole.

    test_serve.py --build BUILD
"""
import argparse
import hashlib
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tap import Tap  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from polled_body import polled_body  # noqa: E402

PAGE_MARK = b"<p id=\"msg\">hello from a wasi:http handler</p>"


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


class Server:
    def __init__(self, kpio, handler, extra):
        self.proc = subprocess.Popen(
            [kpio, "serve", "--addr", "127.0.0.1:0", *extra, handler],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.err_lines = []
        line = self.proc.stderr.readline().decode()  # blocks until it listens or dies
        self.err_lines.append(line)
        m = re.match(r"Serving HTTP on http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("serve did not start: " + line + self.proc.stderr.read().decode())
        self.port = int(m.group(1))
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.err_lines.append(line.decode())

    def conn(self, timeout=60):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def raw(self, timeout=30):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return s

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def get(c, path, body=None, method=None, headers=None):
    c.request(method or ("POST" if body is not None else "GET"), path, body=body,
              headers=headers or {})
    r = c.getresponse()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()


def read_until_close(s):
    data = b""
    while True:
        try:
            b = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not b:
            break
        data += b
    return data


def client_work(srv, seed, n, errors):
    rnd = random.Random(seed)
    c = srv.conn()
    for i in range(n):
        kind = i % 3
        try:
            if kind == 0:
                st, h, b = get(c, "/")
                ok = st == 200 and PAGE_MARK in b and h.get("content-length") == str(len(b))
            elif kind == 1:
                a, bb = rnd.randrange(10**6), rnd.randrange(10**6)
                st, h, b = get(c, f"/api/sum?a={a}&b={bb}")
                ok = st == 200 and b == b'{"sum":%d}\n' % (a + bb)
            else:
                body = rnd.randbytes(rnd.randrange(1, 200000))
                st, h, b = get(c, "/echo", body=body)
                ok = st == 200 and b == body
        except Exception as e:  # noqa: BLE001 - any failure is the test's
            ok, st = False, repr(e)
            c = srv.conn()
        if not ok:
            errors.append(f"client {seed} request {i} kind {kind}: {st}")


def concurrent(srv, clients, per_client):
    errors = []
    ts = [threading.Thread(target=client_work, args=(srv, s, per_client, errors))
          for s in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return errors


def raw_exchange(srv, data, timeout=30):
    s = srv.raw(timeout)
    s.sendall(data)
    out = read_until_close(s)
    s.close()
    return out


def burst(srv, n):
    """Connects n clients, then sends one Connection: close request on
    each: their statuses (or what went wrong), in order."""
    socks = [srv.raw(60) for _ in range(n)]
    for i, s in enumerate(socks):
        s.sendall(b"GET /api/sum?a=%d&b=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % i)
    got = []
    for i, s in enumerate(socks):
        out = read_until_close(s)
        s.close()
        m = re.match(rb"HTTP/1\.1 (\d+) ", out)
        ok = m and (m.group(1) != b"200" or b'{"sum":%d}' % (i + 1) in out)
        got.append(int(m.group(1)) if ok else repr(out[:60]))
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    t = Tap()
    kpio = os.path.join(args.build, "host", "bin", "kpio-wasm")
    handler = os.path.join(args.build, "handlers", "webapp.wasm")
    srv = Server(kpio, handler, ["--handler-timeout", "1500", "--head-timeout", "1500",
                                 "--max-pages", "64", "--max-conns", "200"])
    try:
        run_cases(t, srv)
    finally:
        status = srv.stop()
    t.ok(status == 0, "SIGTERM stops the server with status 0", diag=f"status {status}")
    # --max-conns: one connection holds the only worker; the next gets 503.
    srv = Server(kpio, handler, ["--max-conns", "1"])
    try:
        first = srv.raw()
        first.sendall(b"GET /api/sum?a=1&b=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        got = first.recv(4096)  # answered, and kept alive: the worker stays busy
        out = raw_exchange(srv, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        first.close()
        t.ok(got.startswith(b"HTTP/1.1 200 ") and out.startswith(b"HTTP/1.1 503 "),
             "beyond --max-conns a connection that finds no worker free within the wait "
             "is answered 503 and closed",
             diag=f"{got[:40]!r} / {out[:60]!r}")
    finally:
        srv.stop()
    # --max-conns: twice as many short clients, all connected before any
    # sends: those beyond the limit wait for a worker (serve/admit.h).
    srv = Server(kpio, handler, ["--max-conns", "4"])
    try:
        got = burst(srv, 8)
        t.ok(got == [200] * 8, "8 short clients connected at once to --max-conns 4 all get 200",
             diag=repr(got))
    finally:
        srv.stop()
    # The streams take longer than the fault server's handler timeout.
    www = tempfile.mkdtemp(prefix="serve-www-")
    blob = os.urandom(300000)
    with open(os.path.join(www, "blob.bin"), "wb") as f:
        f.write(blob)
    srv = Server(kpio, handler, ["--handler-timeout", "600000", "--dir", www + "::/www"])
    try:
        with closing(srv.conn()) as c:
            st, _, body = get(c, "/files/blob.bin")
            st2, _, _ = get(c, "/files/../etc/passwd")
        t.ok(st == 200 and body == blob and st2 == 404,
             "the handler serves a file of its --dir; a path with .. is 404",
             diag=f"{st} {len(body)} bytes, {st2}")
        run_streams(t, srv)
    finally:
        srv.stop()
        shutil.rmtree(www, ignore_errors=True)
    sys.exit(t.done())


def run_cases(t, srv):
    errors = concurrent(srv, 20, 10)
    t.ok(not errors, "200 requests from 20 concurrent keep-alive clients all correct",
         diag="\n".join(errors[:10]))

    # Faults, while a steady client goes on.
    steady_errors = []
    steady = threading.Thread(target=client_work, args=(srv, 99, 60, steady_errors))
    steady.start()
    with closing(srv.conn()) as c:
        st, _, _ = get(c, "/trap")
    t.ok(st == 500, "a trapping handler is answered 500", diag=str(st))
    start = time.monotonic()
    with closing(srv.conn()) as c:
        st, _, _ = get(c, "/hang")
    t.ok(st == 504, "a handler that never returns is stopped and answered 504",
         diag=f"{st} after {time.monotonic() - start:.1f} s")
    with closing(srv.conn()) as c:
        st, _, _ = get(c, "/hog")
    t.ok(st == 500, "a handler past its memory limit (--max-pages) is answered 500", diag=str(st))

    s = srv.raw()
    s.sendall(b"GET / HTTP/1.1\r\nHo")
    start = time.monotonic()
    out = read_until_close(s)  # the server cuts the slow head off
    s.close()
    t.ok(out.startswith(b"HTTP/1.1 408 "), "a slowloris head is answered 408 and closed",
         diag=f"{out[:80]!r} after {time.monotonic() - start:.1f} s")

    s = srv.raw()
    s.sendall(b"POST /sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" +
              b"x" * 1000)
    s.close()  # gone mid-body: the handler's read fails, nothing else is disturbed

    bad = [
        (b"GARBAGE\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\n\r\n", b"400"),
        (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", b"505"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10000 + b"\r\n\r\n", b"431"),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", b"400"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", b"501"),
    ]
    for req, code in bad:
        out = raw_exchange(srv, req)
        t.ok(out.startswith(b"HTTP/1.1 " + code + b" ") and b"Connection: close" in out,
             f"malformed request {req[:24]!r}... is answered {code.decode()} and closed",
             diag=repr(out[:120]))
    steady.join()
    t.ok(not steady_errors, "a steady client is answered correctly throughout the faults",
         diag="\n".join(steady_errors[:10]))

    # Pipelining: three requests in one write, three responses in order.
    out = raw_exchange(srv, b"GET /api/sum?a=1&b=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                            b"GET /api/sum?a=2&b=2 HTTP/1.1\r\nHost: x\r\n\r\n"
                            b"GET /api/sum?a=3&b=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    sums = re.findall(rb'\{"sum":(\d+)\}', out)
    t.ok(sums == [b"2", b"4", b"6"] and out.count(b"HTTP/1.1 200 OK") == 3,
         "three pipelined requests are answered in order", diag=repr(out[:300]))

    # A chunked upload with trailers; the response's own trailer.
    body = os.urandom(300000)
    chunks = b"".join(b"%x\r\n" % len(body[i:i + 70000]) + body[i:i + 70000] + b"\r\n"
                      for i in range(0, len(body), 70000))
    out = raw_exchange(srv, b"POST /sha256 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                            b"Connection: close\r\n\r\n" + chunks + b"0\r\nX-Note: t\r\n\r\n")
    want = hashlib.sha256(body).hexdigest().encode()
    t.ok(want in out and b"x-bytes: 300000" in out,
         "a chunked upload with trailers is hashed; the response trailer arrives",
         diag=repr(out[:400]))

    # Expect: 100-continue
    s = srv.raw()
    s.sendall(b"POST /sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
              b"Connection: close\r\n\r\n")
    first = s.recv(100)
    s.sendall(b"hello")
    out = first + read_until_close(s)
    s.close()
    t.ok(first.startswith(b"HTTP/1.1 100 Continue\r\n\r\n") and
         hashlib.sha256(b"hello").hexdigest().encode() in out,
         "Expect: 100-continue gets 100 Continue before the body is sent", diag=repr(out[:300]))



def run_streams(t, srv):
    ok, seen = polled_body("127.0.0.1", srv.port)
    t.ok(ok, "a handler polls its request body with a timer: the timer fires between the "
         "client's pieces, each piece is read as it arrives", diag=" | ".join(seen[-12:]))
    total = 64 << 20
    # 64 MiB upload, hashed while it arrives.
    before = vm_hwm_kib(srv.proc.pid)
    h = hashlib.sha256()
    block = os.urandom(1 << 20)
    s = srv.raw(120)
    s.sendall(b"POST /sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
              % total)
    for i in range(64):
        piece = bytes([i]) + block[1:]
        h.update(piece)
        s.sendall(piece)
    out = read_until_close(s)
    s.close()
    after = vm_hwm_kib(srv.proc.pid)
    t.ok(h.hexdigest().encode() in out and b"x-bytes: %d" % total in out,
         "a 64 MiB upload is hashed by the handler as it arrives", diag=repr(out[:300]))
    t.ok(after - before < 48 * 1024,
         "the server's peak memory grew by less than 48 MiB for the 64 MiB upload",
         diag=f"VmHWM {before} -> {after} KiB")
    t.diag(f"server VmHWM {before} -> {after} KiB over the 64 MiB upload")

    # 64 MiB streamed response.
    with closing(srv.conn(120)) as c:
        c.request("GET", "/bytes?n=%d" % total)
        r = c.getresponse()
        got = hashlib.sha256()
        n = 0
        while True:
            b = r.read(1 << 20)
            if not b:
                break
            got.update(b)
            n += len(b)
    pattern = bytes(ord("a") + i % 26 for i in range(65536))
    want = hashlib.sha256(pattern * 1024).hexdigest()
    t.ok(r.status == 200 and n == total and got.hexdigest() == want,
         "a 64 MiB response is streamed (chunked) and arrives whole",
         diag=f"status {r.status}, {n} bytes")


if __name__ == "__main__":
    main()
