#!/usr/bin/env python3
"""tests/qemu/test_serve_big.py - the shell's `serve` in KPIO under big
streams and bad clients, through QEMU's hostfwd, with the C handler
apps/webapp.c (build/handlers/webapp.wasm):

  - a 64 MiB upload to POST /sha256, hashed by the handler as it arrives:
    the hash matches python's, and the kernel heap's peak over the upload
    (`free -r` before, `free` after) stays far below 64 MiB;
  - a 64 MiB streamed (chunked) response from GET /bytes, hashed by the
    client against the handler's pattern;
  - a slowloris client that sends its head a byte at a time is answered
    408 and cut off, while other clients are served correctly meanwhile;
  - a client that disconnects in the middle of a body: its connection
    thread ends and the heap goes back to its use from before, and other
    clients are served.

Each 64 MiB stream runs once; the time each took is printed as a diag.
"""
import hashlib
import http.client
import os
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from qemu import QemuExited, QemuTimeout, build_dir  # noqa: E402
from servevm import conn_threads, heap, serve_vm, settled  # noqa: E402
from tap import Tap  # noqa: E402
from test_serve import sums  # noqa: E402

TOTAL = 64 << 20
HEAP_SLACK_KIB = 8192  # a peak this much over the start is "small" next to 64 MiB
SETTLED_KIB = 256  # the heap after a connection ended is back within this


def upload(port):
    """POSTs TOTAL random bytes to /sha256 in 1 MiB writes; returns
    (expected hash, the response, seconds)."""
    h = hashlib.sha256()
    block = os.urandom(1 << 20)
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=300) as s:
        s.sendall(b"POST /sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n" % TOTAL)
        for i in range(TOTAL >> 20):
            piece = bytes([i]) + block[1:]
            h.update(piece)
            s.sendall(piece)
        out = read_all(s)
    return h.hexdigest().encode(), out, time.monotonic() - start


def download(port):
    """GET /bytes?n=TOTAL, hashed as it arrives: (status, bytes, hash, seconds)."""
    start = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    c.request("GET", f"/bytes?n={TOTAL}")
    r = c.getresponse()
    h, n = hashlib.sha256(), 0
    while True:
        b = r.read(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.close()
    return r.status, n, h.hexdigest(), time.monotonic() - start


def read_all(s):
    """Everything until the server closes (or resets) the connection."""
    got = b""
    while True:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            return got
        if not b:
            return got
        got += b


def slowloris(port, result):
    """Sends a head a byte at a time, 0.5 s apart, never finishing it, until
    the server answers or closes; records what it got and how long it took."""
    start = time.monotonic()
    head = b"GET /api/sum?a=1&b=2 HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"z" * 4096
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=300) as s:
        s.settimeout(0.5)  # the pace of the bytes, not a verdict
        for byte in head:
            try:
                s.send(bytes([byte]))
                b = s.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            got = b
            break
        s.settimeout(300)
        got += read_all(s)
    result["slow"] = (got, time.monotonic() - start)


def run_clients(port, n):
    results = {}
    threads = [threading.Thread(target=sums, args=(port, i, results)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


def session(vm, port, outs):
    outs["warm"] = run_clients(port, 2)  # the handler's code compiled once
    outs["settled0"] = settled(vm)
    vm.command("free -r")
    outs["upload"] = upload(port)
    outs["free-upload"] = vm.command("free")
    vm.command("free -r")
    outs["download"] = download(port)
    outs["free-download"] = vm.command("free")

    slow = {}
    th = threading.Thread(target=slowloris, args=(port, slow))
    th.start()
    # Served while the slow head is still trickling in (it is cut off only
    # after the kernel's 10 s head limit).
    outs["beside-slow"] = run_clients(port, 4)
    outs["slow-pending"] = th.is_alive()
    th.join()
    outs["slow"] = slow["slow"]

    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(b"POST /sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" +
              os.urandom(200000))
    # The connection's thread takes the body (polled until it is listed).
    for _ in range(30):
        outs["mid-body-threads"] = conn_threads(vm)
        if outs["mid-body-threads"]:
            break
        vm.command("sleep 1")
    s.close()
    base, _ = heap(outs["settled0"][1])
    outs["settled1"] = settled(vm, heap_at_most=None if base is None else base + SETTLED_KIB)
    outs["after-gone"] = run_clients(port, 4)


def main():
    t = Tap()
    build = build_dir()
    handler = os.path.join(build, "handlers", "webapp.wasm")
    if not os.path.exists(handler):
        t.skip("serve in KPIO", "build/handlers/webapp.wasm not built (make)")
        return t.done()
    outs = {}
    with tempfile.TemporaryDirectory(prefix="kpio-serve-big-") as tmp:
        try:
            with serve_vm(tmp, "serve-big", {"/apps/webapp.wasm": handler},
                          "serve --handler-timeout 600000 /apps/webapp.wasm &\n") as (vm, port):
                session(vm, port, outs)
                vm.send("poweroff\r")
                vm.wait_exit(timeout=60)
        except (QemuTimeout, QemuExited, OSError, http.client.HTTPException) as e:
            t.ok(False, "a shell session serving big streams and bad clients", f"{e!r}")
            return t.done()
    check(t, outs)
    return t.done()


def check(t, outs):
    t.ok(not any(outs["warm"].values()), "the first requests are answered", repr(outs["warm"]))
    left0, free0 = outs["settled0"]
    base, _ = heap(free0)
    want, out, secs = outs["upload"]
    t.ok(out.startswith(b"HTTP/1.1 200 ") and want in out and b"x-bytes: %d" % TOTAL in out,
         "a 64 MiB upload is hashed by the handler as it arrives", repr(out[:300]))
    t.diag(f"64 MiB upload through hostfwd in {secs:.1f} s ({TOTAL / secs / 1e6:.1f} MB/s)")
    _, peak = heap(outs["free-upload"])
    t.ok(base is not None and peak is not None and peak - base < HEAP_SLACK_KIB,
         f"the kernel heap's peak over the upload stays within {HEAP_SLACK_KIB} KiB of "
         "its use before it", f"in use {base} KiB before, peak {peak} KiB")
    t.diag(f"kernel heap {base} KiB before the upload, peak {peak} KiB during it")
    st, n, got, secs = outs["download"]
    pattern = bytes(ord("a") + i % 26 for i in range(65536))
    t.ok(st == 200 and n == TOTAL and got == hashlib.sha256(pattern * (TOTAL >> 16)).hexdigest(),
         "a 64 MiB response is streamed and arrives whole (its hash matches)",
         f"status {st}, {n} bytes")
    t.diag(f"64 MiB download through hostfwd in {secs:.1f} s ({TOTAL / secs / 1e6:.1f} MB/s)")
    _, peak = heap(outs["free-download"])
    t.ok(base is not None and peak is not None and peak - base < HEAP_SLACK_KIB,
         f"the kernel heap's peak over the download stays within {HEAP_SLACK_KIB} KiB",
         f"in use {base} KiB before, peak {peak} KiB")
    got, secs = outs["slow"]
    t.ok(got.startswith(b"HTTP/1.1 408 "),
         "a slowloris head (a byte every half second) is answered 408 and cut off",
         f"{got[:100]!r} after {secs:.1f} s")
    t.ok(outs["slow-pending"] and not any(outs["beside-slow"].values()),
         "other clients are served correctly while the slow head trickles in",
         repr((outs["slow-pending"], outs["beside-slow"])))
    t.ok(outs["mid-body-threads"] >= 1, "a client in the middle of a body has its thread",
         str(outs["mid-body-threads"]))
    left1, free1 = outs["settled1"]
    now, _ = heap(free1)
    t.ok(left0 == 0 and left1 == 0, "the thread of a client gone mid-body ends",
         f"{left0} / {left1} connection threads left")
    t.ok(base is not None and now is not None and now <= base + SETTLED_KIB,
         "the heap is back at its use from before once that client is gone",
         f"{base} -> {now} KiB")
    t.ok(not any(outs["after-gone"].values()),
         "clients after the vanished one are served correctly", repr(outs["after-gone"]))


if __name__ == "__main__":
    sys.exit(main())
