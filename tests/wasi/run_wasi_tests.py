#!/usr/bin/env python3
"""tests/wasi/run_wasi_tests.py - lib/wasi's programs under host/kpio-wasm.

    run_wasi_tests.py --build BUILD

The test programs (tests/wasi/*.c, built to BUILD/tests/wasi/*.wasm) run
under the sanitizer build of kpio-wasm:

- p1_calls: every preview1 call and its error cases, in a fresh directory
  preopened as /sandbox. Its output must equal p1_calls.expected, and the
  same module under node's WASI (node 20, node:wasi) must print the same
  lines, except the few where the hosts are known to differ (listed in
  NODE_DIFFERS with the reason); exit status 3 from proc_exit on both.
- p1_sock: preview1's sock_* calls and poll_oneoff on a listening socket
  given with --tcplisten, against a python client; p1_sock.expected.
- p2_cli: a WASI 0.2 command (wasi:cli/run export) against p2_cli.expected.
- p2_http: wasi:http against tests/lib/httpserve.py on loopback (bodies with
  Content-Length and chunked, compared byte for byte; 404; POST; refused
  connection; unknown host; a body cut short; a stalled body).
- p2_net: DNS lookup of localhost, TCP client and server, UDP, against
  python sockets on loopback.
- p2_traps: misuse of 0.2 resources must trap with a clear message.
- jco (JCO_DIR, else tests/lib/jco with jco in BUILD/jco, see
  tests/lib/jcoenv.py): the 0.2 modules are componentized
  with the official WIT (WASI_WIT, default ../shared/wit), which fails on
  any non-standard import name or signature. SKIP when the WIT is missing.

Servers are started here and ended by PID in finally blocks.
"""
import argparse
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from ready import free_port  # noqa: E402
import httpserve  # noqa: E402
from jcoenv import install, jco_location  # noqa: E402
from tap import Tap  # noqa: E402

# Lines of p1_calls where node's WASI (uvwasi) answers differently, and why.
NODE_DIFFERS = {
    "args_get bad pointer": "node reports EOVERFLOW for an out-of-bounds pointer; KPIO EFAULT",
    "fd_write bad buffer": "same (EOVERFLOW vs EFAULT)",
    "fd_write bad iovec array": "same (EOVERFLOW vs EFAULT)",
    "fd_write bad result pointer": "same (EOVERFLOW vs EFAULT)",
    "random_get bad pointer": "same (EOVERFLOW vs EFAULT)",
    "fd_prestat_get stdin": "uvwasi says EINVAL for a non-preopen; KPIO EBADF as wasmtime "
                            "(wasi-libc stops its preopen scan at EBADF)",
    "fdstat type 4 flags": "uvwasi leaks host open(2) flags into fs_flags",
    "flags now": "same (host flags in fs_flags)",
    "fd_readdir on file": "uvwasi answers ENOENT; KPIO checks the right first (ENOTCAPABLE)",
    "path_open relative to non-directory": "uvwasi answers ENOENT; KPIO ENOTDIR",
    "poll_oneoff file+clock": "uvwasi fails (EPERM) to poll a regular file; KPIO reports it ready",
    "events 1 first userdata": "follows from the line above (also after poll_oneoff bad fd, "
                               "whose file subscription uvwasi cannot poll)",
}

# More lines where node 18's older uvwasi answers differently (fixed by node 20's).
NODE18_DIFFERS = {
    "fd_filestat_set_times both": "uvwasi 0.0.19 accepts MTIM with MTIM_NOW; the spec and node 20 "
                                  "say EINVAL",
    "path_filestat_get follow": "uvwasi 0.0.19 answers ENOENT when following the relative "
                                "symlink sub/link -> b.txt (node 20: the file's stat)",
    "follow type": "follows from the line above",
}


class Harness:
    def __init__(self, t, build):
        self.t = t
        self.build = build
        self.kpio = os.path.join(build, "host", "bin", "kpio-wasm")
        self.wasm = os.path.join(build, "tests", "wasi")
        self.procs = []

    def prog(self, name):
        return os.path.join(self.wasm, name + ".wasm")

    def run(self, args, timeout=60, stdin=subprocess.DEVNULL, env=None, input_bytes=None):
        e = dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
        if env:
            e.update(env)
        if input_bytes is not None:
            return subprocess.run([self.kpio] + args, input=input_bytes, capture_output=True,
                                  timeout=timeout, env=e)
        return subprocess.run([self.kpio] + args, stdin=stdin, capture_output=True,
                              timeout=timeout, env=e)

    def start(self, cmd, **kw):
        p = subprocess.Popen(cmd, **kw)
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def text(b):
    return b.decode("utf-8", "replace")


def known_difference(line, node_major):
    known = list(NODE_DIFFERS) + (list(NODE18_DIFFERS) if node_major < 20 else [])
    return any(line.startswith(k) for k in known)


# ---- preview1 ------------------------------------------------------------------

def test_p1(h):
    t = h.t
    expected = open(os.path.join(HERE, "p1_calls.expected")).read()
    with tempfile.TemporaryDirectory() as d:
        r = h.run(["--dir", d + "::/sandbox", "--env", "P1_TEST=yes", h.prog("p1_calls"), "word"])
        out = text(r.stdout)
        t.ok(r.returncode == 3, "p1_calls: exit status 3 from proc_exit",
             f"status {r.returncode}\n{text(r.stderr)}")
        t.ok(out == expected, "p1_calls: output equals p1_calls.expected",
             "\n".join(diff_lines(expected, out)))
        t.ok(not os.path.exists(os.path.join(os.path.dirname(d), "outside")),
             "p1_calls: nothing was created outside the preopen")
        t.ok(not r.stderr, "p1_calls: no sanitizer report", text(r.stderr)[-3000:])
    node = shutil.which("node")
    if not node:
        t.skip("p1_calls under node:wasi", "node not installed")
        return
    ver = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    major = int(ver.lstrip("v").split(".")[0])
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([node, "--no-warnings", os.path.join(HERE, "node_run.mjs"),
                            h.prog("p1_calls"), d, "word"], capture_output=True, timeout=60,
                           env=dict(os.environ, P1_TEST="yes"))
    nout = text(r.stdout).splitlines()
    kout = expected.splitlines()
    t.ok(r.returncode == 3, "p1_calls under node: exit status 3", text(r.stderr))
    t.ok(len(nout) == len(kout), "p1_calls under node: same number of lines",
         f"node {len(nout)} kpio {len(kout)}")
    bad = [f"kpio: {a}\nnode: {b}" for a, b in zip(kout, nout)
           if a != b and not known_difference(a, major)]
    t.ok(not bad, "p1_calls: kpio-wasm and node agree on every line but the known ones",
         "\n".join(bad))


def test_p1_errno(h):
    """Each path call's errno in its corner cases (trailing slashes, files
    where directories are expected, directories opened for writing) equals
    what Linux returns to the same C source built natively."""
    t = h.t
    with tempfile.TemporaryDirectory() as d:
        os.mkdir(os.path.join(d, "native"))
        os.mkdir(os.path.join(d, "wasm"))
        n = subprocess.run([os.path.join(h.wasm, "p1_errno.native"), os.path.join(d, "native")],
                           capture_output=True, timeout=60)
        r = h.run(["--dir", os.path.join(d, "wasm") + "::/sandbox", h.prog("p1_errno"),
                   "/sandbox"])
    nout, kout = text(n.stdout).splitlines(), text(r.stdout).splitlines()
    t.ok(n.returncode == 0 and r.returncode == 0 and len(nout) == len(kout) > 30,
         "p1_errno: runs natively and under kpio-wasm",
         f"native {n.returncode} {len(nout)} lines, kpio {r.returncode} {len(kout)} lines\n"
         + text(r.stderr))
    bad = [f"linux: {a}\nkpio:  {b}" for a, b in zip(nout, kout) if a != b]
    t.ok(not bad, f"p1_errno: every path call's errno equals Linux's ({len(nout)} cases)",
         "\n".join(bad))


def diff_lines(a, b):
    al, bl = a.splitlines(), b.splitlines()
    out = []
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else "<none>"
        y = bl[i] if i < len(bl) else "<none>"
        if x != y:
            out.append(f"line {i + 1}: expected {x!r} got {y!r}")
    return out[:40]


def test_p1_sock(h):
    """preview1 sockets on a listener given with --tcplisten."""
    t = h.t
    port = free_port()
    p = h.start([h.kpio, "--tcplisten", f"127.0.0.1:{port}", h.prog("p1_sock")],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = b""
    while not out.endswith(b"ready\n"):
        line = p.stdout.readline()
        if not line:
            break
        out += line
    reply = b""
    if out.endswith(b"ready\n"):
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        c.sendall(b"hello sockets")
        c.shutdown(socket.SHUT_WR)
        while True:
            x = c.recv(4096)
            if not x:
                break
            reply += x
        c.close()
    rest, err = p.communicate(timeout=30)
    out += rest
    expected = open(os.path.join(HERE, "p1_sock.expected")).read()
    t.ok(reply == b"got 13: HELLO SOCKETS\n", "p1_sock: accept, recv, send, shutdown over --tcplisten",
         f"{reply!r}\n{text(err)[-2000:]}")
    t.ok(p.returncode == 0 and text(out) == expected, "p1_sock: output equals p1_sock.expected",
         "\n".join(diff_lines(expected, text(out))) + text(err)[-2000:])


# ---- WASI 0.2: cli, clocks, random, streams --------------------------------------

def test_p2_cli(h):
    t = h.t
    expected = open(os.path.join(HERE, "p2_cli.expected")).read()
    with tempfile.TemporaryDirectory() as d:
        r = h.run(["--dir", d, "--env", "P2_TEST=env", h.prog("p2_cli"), "one", "two"])
    t.ok(r.returncode == 0, "p2_cli: a wasi:cli/run command runs, status 0",
         f"status {r.returncode}\n{text(r.stderr)}")
    t.ok(text(r.stdout) == expected, "p2_cli: output equals p2_cli.expected",
         "\n".join(diff_lines(expected, text(r.stdout))))
    t.ok(text(r.stderr) == "to stderr\n", "p2_cli: the stderr stream", text(r.stderr)[-2000:])
    r = h.run([h.prog("p2_cli"), "splice"], stdin=None, input_bytes=b"0123456789abc")
    t.ok(r.returncode == 0 and text(r.stdout) == "skipped: 3\n3456789abc\nspliced: 10, then: closed\n"
         and r.stderr == b"\0" * 5, "p2_cli: skip, splice to the end, write-zeroes",
         f"{r.stdout!r} {r.stderr[-2000:]!r}")


# ---- WASI 0.2: wasi:http ----------------------------------------------------------

def start_http_server(h):
    port = httpserve.announced_port(h.start(httpserve.command(), stdout=subprocess.PIPE,
                                            text=True))
    if port is None:
        raise RuntimeError("the HTTP test server did not start")
    return port


def test_p2_http(h):
    t = h.t
    from httpserve import body  # the server's seeded bytes
    port = start_http_server(h)
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as d:
        for name, path, n in [("Content-Length 1 MiB", "/data/1048576", 1048576),
                              ("chunked with trailers", "/chunked/300000?size=7000&vary=1&trailers=1",
                               300000),
                              ("empty body", "/data/0", 0)]:
            out = os.path.join(d, "out.bin")
            r = h.run(["--allow-net", "--dir", d + "::/d", h.prog("p2_http"), "get", base + path, "/d/out.bin"])
            got = open(out, "rb").read() if os.path.exists(out) else b""
            ok = r.returncode == 0 and got == bytes(body(n)) and f"body bytes {n}\n" in text(r.stdout)
            if "trailers=1" in path:
                ok = ok and f"trailer x-sha256: {hashlib.sha256(got).hexdigest()}\n" in text(r.stdout)
            t.ok(ok, f"p2_http: GET {name}, bytes identical",
                 f"status {r.returncode}, {len(got)} bytes\n{text(r.stdout)}{text(r.stderr)[-2000:]}")
            if os.path.exists(out):
                os.unlink(out)
        r = h.run(["--allow-net", h.prog("p2_http"), "get", f"http://localhost:{port}/nothing-here"])
        t.ok(r.returncode == 0 and "status 404\n" in text(r.stdout),
             "p2_http: 404 is a response, not an error (by name: localhost)", text(r.stdout) + text(r.stderr))
        r = h.run(["--allow-net", h.prog("p2_http"), "post", base + "/echo", "x" * 10000])
        want = hashlib.sha256(b"x" * 10000).hexdigest()
        t.ok(r.returncode == 0 and "status 200" in text(r.stdout) and want in text(r.stdout)
             and "ready before the body is finished: 0" in text(r.stdout)
             and "second body(): err" in text(r.stdout),
             "p2_http: POST with a streamed body arrives whole", text(r.stdout) + text(r.stderr))
        test_p2_http_upload(h, base)
        test_p2_http_together(h, base)
        r = h.run(["--allow-net", h.prog("p2_http"), "get", f"http://127.0.0.1:{free_port()}/"])
        t.ok(r.returncode == 2 and "error-code 6\n" in text(r.stdout),
             "p2_http: connection refused is error-code connection-refused (6)", text(r.stdout))
        r = h.run(["--allow-net", h.prog("p2_http"), "get", "http://no-such-host.invalid/"])
        t.ok(r.returncode == 2 and "error-code 1\n" in text(r.stdout),
             "p2_http: unknown host is error-code DNS-error (1)", text(r.stdout))
        r = h.run(["--allow-net", h.prog("p2_http"), "get", base + "/close-mid?len=100000&send=5000"])
        t.ok(r.returncode == 2 and "body error, error-code 25, message given: 1" in text(r.stdout),
             "p2_http: a body cut short is HTTP-response-incomplete (25)", text(r.stdout))
        r = h.run(["--allow-net", h.prog("p2_http"), "get", base + "/stall-body?len=100000&send=5000"],
                  env={"P2_HTTP_IDLE_MS": "1500"})
        t.ok(r.returncode == 2 and "body error, error-code 9, message given: 1" in text(r.stdout),
             "p2_http: a stalled body is connection-read-timeout (9)", text(r.stdout))
        r = h.run(["--allow-net", h.prog("p2_http"), "fields"])
        expected = open(os.path.join(HERE, "p2_http_fields.expected")).read()
        t.ok(r.returncode == 0 and text(r.stdout) == expected,
             "p2_http: fields, request setters and their errors",
             "\n".join(diff_lines(expected, text(r.stdout))) + text(r.stderr)[-2000:])


def together_urls(base, tag):
    """Three GETs whose server releases each held one only after the guest
    asked /done for the one after it: c at once, then b, then a."""
    return [f"{base}/hold/{tag}a?after={tag}b", f"{base}/hold/{tag}b?after={tag}c",
            f"{base}/hold/{tag}c"]


TOGETHER_OUT = ["started 3", "first future ready at once: no", "response 2: status 200, 2 bytes",
                "response 1: status 200, 2 bytes", "response 0: status 200, 2 bytes"]


def test_p2_http_together(h, base):
    """Requests started together progress together: poll returns the first
    future whose response is in, and get on one not in returns none. Only
    ordered by server-side events (a blocking exchange would wait in the
    first request, which is released last, until the server gives up)."""
    t = h.t
    r = h.run(["--allow-net", h.prog("p2_http"), "together"] + together_urls(base, "k"))
    t.ok(r.returncode == 0 and text(r.stdout).splitlines() == TOGETHER_OUT,
         "p2_http: three requests polled together complete as the server releases them",
         text(r.stdout) + text(r.stderr)[-2000:])
    start = time.monotonic()
    r = h.run(["--allow-net", h.prog("p2_http"), "together", base + "/delay/1000",
               base + "/delay/0"])
    took = time.monotonic() - start
    t.diag(f"p2_http together /delay/1000 and /delay/0: {took:.2f} s in all, "
           f"order {[x for x in text(r.stdout).splitlines() if x.startswith('response')]}")


# ---- WASI 0.2: wasi:sockets --------------------------------------------------------

UPLOAD_BYTES = 64 << 20
UPLOAD_MAX_MIB = 16  # the body streams: a held copy alone would be 64 MiB


def test_p2_http_upload(h, base):
    """A 64 MiB PUT written after handle() streams to the server: it gets
    every byte, and the release kpio-wasm's peak resident memory stays far
    below the body's size."""
    t = h.t
    piece = bytes(i % 251 for i in range(251))
    want = hashlib.sha256(piece * (UPLOAD_BYTES // 251) + piece[:UPLOAD_BYTES % 251]).hexdigest()
    rel = os.path.join(h.build, "rel", "bin", "kpio-wasm")
    p = subprocess.run([rel, "--time", "--allow-net", h.prog("p2_http"), "upload", base + "/echo",
                        str(UPLOAD_BYTES)], capture_output=True, timeout=300)
    m = re.search(r"peak resident memory: (\d+) KiB", text(p.stderr))
    mib = int(m.group(1)) / 1024 if m else -1
    t.diag(f"p2_http upload of 64 MiB: kpio-wasm (release) peak resident memory {mib:.1f} MiB")
    t.ok(p.returncode == 0 and "status 200" in text(p.stdout)
         and f"length={UPLOAD_BYTES}\nsha256={want}\n" in text(p.stdout),
         "p2_http: a 64 MiB streamed PUT arrives whole (SHA-256)",
         f"status {p.returncode}\n{text(p.stdout)}{text(p.stderr)[-2000:]}")
    t.ok(0 < mib < UPLOAD_MAX_MIB,
         f"p2_http: a 64 MiB upload keeps kpio-wasm under {UPLOAD_MAX_MIB} MiB resident",
         f"{mib:.1f} MiB")


def test_p2_net(h):
    t = h.t
    r = h.run([h.prog("p2_net"), "lookup", "localhost"])
    t.ok("resolve-addresses: error 1" in text(r.stdout) and
         "network access denied (name lookup); run with --allow-net" in text(r.stderr),
         "p2_net: without --allow-net, ip-name-lookup is access-denied (1) with a hint",
         text(r.stdout) + text(r.stderr))
    r = h.run([h.prog("p2_net"), "tcp-client", "127.0.0.1", str(free_port()), "x"])
    t.ok("start-connect: error 1" in text(r.stdout),
         "p2_net: without --allow-net, TCP start-connect is access-denied (1)",
         text(r.stdout) + text(r.stderr))
    r = h.run(["--allow-net", h.prog("p2_net"), "lookup", "localhost"])
    t.ok(r.returncode == 0 and "address 127.0.0.1\n" in text(r.stdout),
         "p2_net: ip-name-lookup of localhost", text(r.stdout) + text(r.stderr))
    r = h.run(["--allow-net", h.prog("p2_net"), "lookup", "no-such-host.invalid"])
    t.ok("error 18" in text(r.stdout), "p2_net: an unknown name is name-unresolvable (18)",
         text(r.stdout))
    r = h.run(["--allow-net", h.prog("p2_net"), "lookup", "bad name!"])
    t.ok("resolve-addresses: error 3" in text(r.stdout),
         "p2_net: an invalid name is invalid-argument (3)", text(r.stdout))
    r = h.run(["--allow-net", h.prog("p2_net"), "tcp-client", "127.0.0.1", str(free_port()), "x"])
    t.ok("finish-connect: error 14" in text(r.stdout),
         "p2_net: TCP to a closed port is connection-refused (14)", text(r.stdout))

    # TCP client against a python echo peer.
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    got = {}

    def echo():
        c, _ = srv.accept()
        data = b""
        while True:
            x = c.recv(65536)
            if not x:
                break
            data += x
        got["data"] = data
        c.sendall(b"echo:" + data)
        c.close()

    th = threading.Thread(target=echo, daemon=True)
    th.start()
    msg = "hello-" * 2000
    r = h.run(["--allow-net", h.prog("p2_net"), "tcp-client", "127.0.0.1", str(srv.getsockname()[1]), msg])
    th.join(10)
    srv.close()
    t.ok(r.returncode == 0 and got.get("data") == msg.encode()
         and ("echo:" + msg + "\n") in text(r.stdout) and "remote port matches: 1" in text(r.stdout),
         "p2_net: TCP client sends, shuts down and reads the echo", text(r.stdout)[-500:] + text(r.stderr))

    # TCP server: python connects to the guest.
    port = free_port()
    p = h.start([h.kpio, "--allow-net", h.prog("p2_net"), "tcp-server", str(port)], stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    reply = b""
    if line.startswith("listening: 1"):
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        c.sendall(b"make me loud")
        c.shutdown(socket.SHUT_WR)
        while True:
            x = c.recv(4096)
            if not x:
                break
            reply += x
        c.close()
    out, err = p.communicate(timeout=30)
    t.ok(reply == b"MAKE ME LOUD" and p.returncode == 0 and "served 12 bytes" in out,
         "p2_net: TCP server listens, accepts and answers", f"{line}{out}{err[-2000:]} {reply!r}")

    # UDP against a python echo peer.
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(10)

    def uecho():
        try:
            data, addr = u.recvfrom(2048)
            u.sendto(b"U:" + data, addr)
        except OSError:
            pass

    th = threading.Thread(target=uecho, daemon=True)
    th.start()
    r = h.run(["--allow-net", h.prog("p2_net"), "udp-client", "127.0.0.1", str(u.getsockname()[1]), "ping"])
    th.join(10)
    u.close()
    t.ok(r.returncode == 0 and "sent: 1\nreply: U:ping\n" in text(r.stdout),
         "p2_net: UDP datagram out and the reply in", text(r.stdout) + text(r.stderr))


# ---- traps --------------------------------------------------------------------------------

TRAPS = {
    "bad-handle": "unknown handle 12345 for a pollable",
    "wrong-type": "for a output-stream",
    "parent-first": "dropped while it still has 1 child resource",
    "poll-empty": "poll of an empty list",
    "bad-ret": "return area at 4294967280 is out of bounds",
    "bad-utf8": "not UTF-8",
    "unimplemented": "not implemented by KPIO",
    "realloc-reentry": "a WASI 0.2 function was called from cabi_realloc",
    "write-unpermitted": "a write of 1 bytes: check-write permitted 0",
    "write-zeroes-huge": "a write of 4611686018427387904 bytes: check-write permitted 65536",
    "write-beyond": "a write of 4194304 bytes: check-write permitted 65536",
    "pollable-flood": "a new resource: the app's WASI resources would pass its host memory budget",
    "blocking-write-big": "a blocking write of 5000 bytes: more than 4096",
    "clone-loop": "fields: the app's WASI resources would pass its host memory budget of 67108864 bytes",
    "resource-flood": "a new resource: the app's WASI resources would pass its host memory budget",
}


def test_traps(h):
    t = h.t
    for mode, msg in TRAPS.items():
        r = h.run([h.prog("p2_traps"), mode])
        t.ok(r.returncode == 134 and text(r.stdout) == "before\n" and msg in text(r.stderr)
             and "in function main" in text(r.stderr),
             f"p2_traps: {mode} traps with a clear message",
             f"status {r.returncode}\n{text(r.stdout)}{text(r.stderr)[-2000:]}")
    rel = os.path.join(h.build, "rel", "bin", "kpio-wasm")
    for mode in ("write-zeroes-huge", "clone-loop", "resource-flood"):
        p = subprocess.run([rel, "--time", h.prog("p2_traps"), mode], capture_output=True,
                           timeout=300)
        m = re.search(r"peak resident memory: (\d+) KiB", text(p.stderr))
        mib = int(m.group(1)) / 1024 if m else -1
        t.diag(f"p2_traps {mode}: kpio-wasm (release) peak resident memory {mib:.1f} MiB")
        t.ok(p.returncode == 134 and 0 < mib < 128,
             f"p2_traps: {mode} ends in a trap with the host under 128 MiB resident",
             f"status {p.returncode}\n{text(p.stderr)[-1000:]}")
    r = h.run(["--max-host-mib", "8", h.prog("p2_traps"), "clone-loop"])
    t.ok(r.returncode == 134 and "host memory budget of 8388608 bytes" in text(r.stderr),
         "p2_traps: --max-host-mib 8 sets the budget", text(r.stderr)[-1000:])
    r = h.run([h.prog("p2_traps"), "exit-err"])
    t.ok(r.returncode == 1 and text(r.stdout) == "before\n", "p2_traps: wasi:cli/exit(err) is status 1",
         text(r.stderr))
    r = h.run([h.prog("p2_traps"), "ok"])
    t.ok(r.returncode == 0 and text(r.stdout) == "before\nafter\n", "p2_traps: no misuse, no trap",
         text(r.stderr))


# ---- jco: the imports are the standard ones ---------------------------------------------

WORLD = """package kpio:tests;

world client {
%s}
"""
IFACES = ["io/poll", "io/streams", "io/error", "clocks/monotonic-clock", "clocks/wall-clock",
          "random/random", "random/insecure", "random/insecure-seed", "cli/environment",
          "cli/exit", "cli/stdin", "cli/stdout", "cli/stderr", "cli/terminal-stdout",
          "sockets/network", "sockets/instance-network", "sockets/ip-name-lookup",
          "sockets/tcp-create-socket", "sockets/tcp", "sockets/udp-create-socket", "sockets/udp",
          "http/types", "http/outgoing-handler", "filesystem/preopens"]


def test_jco(h):
    t = h.t
    jco_dir, jco_home = jco_location(h.build)
    wit = os.environ.get("WASI_WIT", os.path.join(ROOT, "..", "shared", "wit"))
    names = ["p2_http", "p2_net", "p2_traps"]
    if not os.path.exists(os.path.join(jco_dir, "jco.sh")):
        for n in names:
            t.skip(f"jco: {n} componentizes with the official WIT", f"no jco at {jco_dir} (JCO_DIR)")
        return
    if not os.path.isdir(os.path.join(wit, "wasi-0.2.12")):
        for n in names:
            t.skip(f"jco: {n} componentizes with the official WIT", f"no WIT at {wit} (WASI_WIT)")
        return
    env = dict(os.environ)
    env["JCO_HOME"] = jco_home
    why = install(jco_dir, jco_home)
    if why:
        for n in names:
            t.skip(f"jco: {n} componentizes with the official WIT",
                   "jco could not be installed: " + why[-200:].replace("\n", " "))
        return
    jco = os.path.join(jco_dir, "jco.sh")
    with tempfile.TemporaryDirectory() as d:
        wdir = os.path.join(d, "wit")
        shutil.copytree(os.path.join(wit, "wasi-0.2.12"), os.path.join(wdir, "deps"))
        with open(os.path.join(wdir, "world.wit"), "w") as f:
            f.write(WORLD % "".join(f"  import wasi:{i}@0.2.12;\n" for i in IFACES))
        for n in names:
            src = os.path.join(d, n + ".wasm")
            shutil.copy(h.prog(n), src)
            emb = os.path.join(d, n + ".embed.wasm")
            comp = os.path.join(d, n + ".component.wasm")
            r1 = subprocess.run(["sh", jco, "embed", src, "--wit", wdir, "-o", emb],
                                capture_output=True, timeout=300, env=env, cwd=d)
            r2 = subprocess.run(["sh", jco, "new", emb, "--wasi-command", "-o", comp],
                                capture_output=True, timeout=300, env=env, cwd=d)
            t.ok(r1.returncode == 0 and r2.returncode == 0 and os.path.exists(comp),
                 f"jco: {n} componentizes with the official WIT",
                 (text(r1.stderr) + text(r2.stderr))[-3000:])
        jco_differential(h, jco, env, d)


# Output lines where jco's node host (preview2-shim 0.26) departs from the
# WIT, so they are not compared: it lets a response's headers be appended
# to (the WIT says immutable).
JCO_SKIP_LINES = ("append to response headers",)


def jco_differential(h, jco, env, d):
    """The same 0.2 modules under `jco run` on node and under kpio-wasm,
    against the same loopback peers: the outputs must agree."""
    t = h.t
    port = start_http_server(h)
    base = f"http://127.0.0.1:{port}"
    cases = [("p2_http", ["get", base + "/data/100000"]),
             ("p2_http", ["get", base + "/chunked/50000?size=999&vary=1"]),
             ("p2_http", ["get", base + "/no-such-page"]),
             ("p2_http", ["get", f"http://127.0.0.1:{free_port()}/"]),
             ("p2_http", ["fields"]),
             ("p2_http", ["together"] + together_urls(base, "@RUN@")),
             ("p2_net", ["lookup", "localhost"]),
             ("p2_net", ["lookup", "no-such-host.invalid"]),
             ("p2_net", ["tcp-client", "127.0.0.1", str(free_port()), "x"]),
             ("p2_net", ["tcp-client", "127.0.0.1", "ECHO", "hello over tcp", "noshut"]),
             ("p2_net", ["udp-client", "127.0.0.1", "UECHO", "ping"])]

    def run_both(name, args):
        outs = []
        for runner in ("jco", "kpio"):
            srv = None
            a = [x.replace("@RUN@", runner[0]) for x in args]  # names of one length
            if "UECHO" in a:  # a fresh UDP echo peer for each run
                srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                srv.bind(("127.0.0.1", 0))
                a[a.index("UECHO")] = str(srv.getsockname()[1])
                threading.Thread(target=udp_echo_once, args=(srv,), daemon=True).start()
            if "ECHO" in a:  # a fresh echo peer for each run
                srv = socket.socket()
                srv.bind(("127.0.0.1", 0))
                srv.listen(1)
                a[a.index("ECHO")] = str(srv.getsockname()[1])
                threading.Thread(target=echo_once, args=(srv, len(a[4])), daemon=True).start()
            if runner == "jco":
                r = subprocess.run(["sh", jco, "run", os.path.join(d, name + ".component.wasm")] + a,
                                   capture_output=True, timeout=120, env=env, cwd=d)
            else:
                r = h.run(["--allow-net", h.prog(name)] + a)
            if srv:
                srv.close()
            lines = [x for x in text(r.stdout).splitlines() if not x.startswith(JCO_SKIP_LINES)]
            outs.append((r.returncode == 0, lines, text(r.stderr)))
        return outs

    for name, args in cases:
        (jok, jout, jerr), (kok, kout, kerr) = run_both(name, args)
        shown = " ".join(a if not a.startswith("http://127.0.0.1") else a.split("/", 3)[-1]
                         for a in args)
        t.ok(jok == kok and jout == kout and jout, f"jco run vs kpio-wasm: {name} {shown}",
             f"jco ({jok}): {jout}\n{jerr[-1500:]}\nkpio ({kok}): {kout}\n{kerr[-1500:]}")


def udp_echo_once(u):
    try:
        u.settimeout(30)
        data, addr = u.recvfrom(2048)
        u.sendto(b"U:" + data, addr)
    except OSError:
        pass


def echo_once(srv, n):
    """Answers "echo:" + the first n bytes (or all, up to EOF) and closes.
    (jco's shim cannot read after its own shutdown, so no EOF is needed.)"""
    try:
        srv.settimeout(30)
        c, _ = srv.accept()
        data = b""
        while len(data) < n:
            x = c.recv(65536)
            if not x:
                break
            data += x
        c.sendall(b"echo:" + data)
        c.close()
    except OSError:
        pass


def test_table(h):
    t = h.t
    wit = os.environ.get("WASI_WIT", os.path.join(ROOT, "..", "shared", "wit"))
    name = ("p2_table.c matches core-signatures-0.2.12.tsv, the P2_IMPL definitions and the "
            "socket option rows")
    if not os.path.exists(os.path.join(wit, "core-signatures-0.2.12.tsv")):
        t.skip(name, f"no {wit}/core-signatures-0.2.12.tsv (WASI_WIT)")
        return
    gen = os.path.join(ROOT, "lib", "wasi", "gen_p2_table.py")
    r = subprocess.run([sys.executable, gen, "--check", "--wit", wit], capture_output=True,
                       text=True)
    t.ok(r.returncode == 0, name, r.stdout + r.stderr)
    # The generator refuses typed parameters that do not match the signature,
    # also those of a socket option row (a u64 keep-alive-enabled, whose
    # setter takes an i32), and a row it cannot read whole.
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import gen_p2_table as g\n"
             "row = '    [P2_OPT_X] = {\"keep-alive-enabled\", TCP, OPT_U64, false, 0, 0},\\n'\n"
             "setter = g.option_entries(row)['p2_sockets_tcp_tcp_socket_set_keep_alive_enabled']\n"
             "for params, core, res in [(['uint64_t self'], ['i32'], []),\n"
             "                          (['uint32_t self'], ['i32', 'i32'], []),\n"
             "                          (['uint32_t self', 'uint32_t *result'], ['i32'], ['i64']),\n"
             "                          (['P2_FLAT(addr, 3)'], ['i32', 'i64'], []),\n"
             "                          (setter[2], ['i32', 'i32', 'i32'], [])]:\n"
             "    try:\n"
             "        g.typed_call('f', params, core, res)\n"
             "        print('accepted', params)\n"
             "    except SystemExit as e:\n"
             "        print(e)\n"
             "try:\n"
             "    print('accepted', g.option_entries('    [P2_OPT_X] =\\n        {\"hop-limit\", TCP,'))\n"
             "except SystemExit as e:\n"
             "    print(e)\n")
    r = subprocess.run([sys.executable, "-c", probe, os.path.dirname(gen)], capture_output=True,
                       text=True)
    t.ok(r.returncode == 0 and "accepted" not in r.stdout and r.stdout.count("gen_p2_table:") == 6,
         "gen_p2_table.py refuses typed parameters and socket option rows that do not match the "
         "core signature", r.stdout + r.stderr)


# ---- the command line ---------------------------------------------------------

HELP_OPTIONS = ["--dir", "--env", "--allow-net", "--max-host-mib", "--tcplisten", "--cacert", "--insecure", "--invoke", "--dump", "--dump-jit", "--engine",
                "--max-pages", "--stack", "--depth", "--time", "--jit-cache", "--help"]


def test_cli(h):
    """kpio-wasm --help describes both modes, one line per option; a usage
    error points at it."""
    t = h.t
    r = h.run(["--help"])
    out = text(r.stdout)
    lines = [m.group(2) for m in re.finditer(r"^ +(-[a-z], )?(--[a-z-]+)", out, re.M)]
    t.ok(r.returncode == 0 and lines == HELP_OPTIONS,
         "kpio-wasm --help lists each option on one line, both modes", out)
    r = h.run(["--no-such-option", h.prog("p2_cli")])
    t.ok(r.returncode == 2 and b"kpio-wasm --help" in r.stderr,
         "kpio-wasm: an unknown option is a usage error (status 2) naming --help", text(r.stderr))
    r = h.run(["--engine", "interp", "--env", "A=1", h.prog("p1_calls"), "--help"])
    t.ok(b"--dir HOST" not in r.stdout, "kpio-wasm: options after the module are the app's",
         text(r.stdout)[:500])
    # a module too large to hold is an out-of-memory error, not a truncated
    # copy loaded as if whole (ASan's allocator refuses blocks over 1 MiB here)
    with tempfile.TemporaryDirectory() as tmp:
        big = os.path.join(tmp, "big.wasm")
        with open(big, "wb") as f:
            f.write(open(h.prog("p1_calls"), "rb").read())
            f.write(b"\0" * (3 << 20))
        r = h.run([big], env={"ASAN_OPTIONS": "allocator_may_return_null=1:"
                              "max_allocation_size_mb=1:detect_leaks=1"})
        t.ok(r.returncode == 1 and b"Cannot allocate memory" in r.stderr,
             "kpio-wasm: a module that cannot be held in memory fails with ENOMEM",
             text(r.stderr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    t = Tap()
    h = Harness(t, args.build)
    try:
        for fn in (test_cli, test_table, test_p1, test_p1_errno, test_p1_sock, test_p2_cli, test_p2_http, test_p2_net, test_traps, test_jco):
            try:
                fn(h)
            except Exception as exc:  # one broken group reports and the rest go on
                import traceback
                t.ok(False, f"{fn.__name__} ran", traceback.format_exc())
                del exc
    finally:
        h.stop_all()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
