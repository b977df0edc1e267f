#!/usr/bin/env python3
"""tests/qemu/test_serve.py - the shell's `serve`: a wasi:http handler
served by KPIO, reached from the host through QEMU's hostfwd.

The disk holds the C handler the serve/host suite uses (apps/webapp.c,
$(BUILD)/handlers/webapp.wasm). /etc/rc runs `serve /apps/webapp.wasm &`
in the background; then from the host: 200 requests from 20 concurrent keep-alive
clients each get their own correct answer, a POST body comes back echoed
and hashed, a handler that polls its request body with a timer sees the
timer fire between a slow client's pieces (tests/serve/polled_body.py), a
handler that traps answers 500 while the clients around it
still get theirs, one that exhausts its memory budget (ulimit -v) 500, one that never
returns 504 after --handler-timeout, a malformed request gets 400, one connection beyond the
32 busy ones (the kernel's bound) gets 503, `kill %1` stops the server and the shell goes
on; a foreground serve stops on Ctrl-C. Every wait is for an event: the
"Serving HTTP" line, a response, the prompt.
"""
import hashlib
import http.client
import json
import os
import socket
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "serve"))
from diskimg import DiskImage  # noqa: E402
from qemu import (SHELL_PROMPT, Qemu, QemuExited, QemuTimeout, build_dir, user_nic,  # noqa: E402
                  virtio_disk)
from polled_body import polled_body  # noqa: E402
from ready import free_port  # noqa: E402
from servevm import wait_serving  # noqa: E402
from tap import Tap  # noqa: E402

CLIENTS = 20
PER_CLIENT = 10
MAX_CONNS = 32  # KSERVE_MAX_CONNS, kernel/wasm/serve.h


def sums(port, client, results):
    """PER_CLIENT keep-alive GET /api/sum requests; records mismatches."""
    bad = []
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for i in range(PER_CLIENT):
            a, b = client * 1000 + i, i * 7
            c.request("GET", f"/api/sum?a={a}&b={b}")
            r = c.getresponse()
            body = r.read()
            if r.status != 200 or json.loads(body).get("sum") != a + b:
                bad.append((r.status, body[:80]))
        c.close()
    except (OSError, http.client.HTTPException, ValueError) as e:
        bad.append(repr(e))
    results[client] = bad


def request(port, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request(method, path, body=body)
    r = c.getresponse()
    out = (r.status, r.read())
    c.close()
    return out


def raw(port, data):
    """Sends data on a fresh connection; everything until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(data)
        got = b""
        while True:
            b = s.recv(65536)
            if not b:
                return got
            got += b


def busy_connections(port):
    """Holds MAX_CONNS kept-alive connections (each answered once, so each
    holds a worker), then opens one more: its answer, and whether a request
    on a held connection still works."""
    held = []
    try:
        for _ in range(MAX_CONNS):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            c.request("GET", "/api/sum?a=1&b=2")
            r = c.getresponse()
            r.read()
            held.append(c)
        extra = raw(port, b"GET /api/sum?a=1&b=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        held[0].request("GET", "/api/sum?a=2&b=2")
        r = held[0].getresponse()
        still = r.status == 200 and json.loads(r.read()).get("sum") == 4
        return extra, still
    finally:
        for c in held:
            c.close()


def main():
    t = Tap()
    build = build_dir()
    handler = os.path.join(build, "handlers", "webapp.wasm")
    if not os.path.exists(handler):
        t.skip("serve in KPIO", "build/handlers/webapp.wasm not built (make)")
        return t.done()
    with tempfile.TemporaryDirectory(prefix="kpio-serve-") as tmp:
        img = DiskImage(os.path.join(tmp, "serve.img"), size_mib=64, cluster_sectors=1)
        img.mkdir("/apps")
        img.put_file("/apps/webapp.wasm", handler)
        img.mkdir("/etc")
        img.put("/etc/rc", b"serve --handler-timeout 5000 /apps/webapp.wasm &\n")
        port = free_port()
        disks = [virtio_disk(img.path)]
        nics = [user_nic(f"tcp:127.0.0.1:{port}-:8080")]
        log = os.path.join(build, "test-logs", "qemu-serve.log")
        outs = {}
        with Qemu(os.path.join(build, "kpio.iso"), disks=disks, nics=nics, log=log) as vm:
            try:
                wait_serving(vm)
                outs["usage"] = vm.command("serve --addr nowhere /apps/webapp.wasm")
                outs["missing"] = vm.command("serve /apps/nothing.wasm; echo status $?")
                results = {}
                threads = [threading.Thread(target=sums, args=(port, i, results))
                           for i in range(CLIENTS)]
                for th in threads:
                    th.start()
                for th in threads:
                    th.join()
                outs["sums"] = results
                body = os.urandom(300 * 1024)
                outs["echo"] = request(port, "POST", "/echo", body)
                outs["sha"] = request(port, "POST", "/sha256", body)
                outs["polled"] = polled_body("127.0.0.1", port, timeout=60)
                # A trap among clients that go on.
                around = {}
                threads = [threading.Thread(target=sums, args=(port, i, around))
                           for i in range(4)]
                for th in threads:
                    th.start()
                outs["trap"] = request(port, "GET", "/trap")
                for th in threads:
                    th.join()
                outs["around"] = around
                outs["after-trap"] = request(port, "GET", "/api/sum?a=40&b=2")
                # Each request's own budget: `ulimit -v` applies to the next one.
                vm.command("ulimit -v 16384")
                outs["hog"] = request(port, "GET", "/hog")
                vm.command("ulimit -v 131072")
                outs["after-hog"] = request(port, "GET", "/api/sum?a=1&b=1")
                outs["hang"] = request(port, "GET", "/hang")
                outs["after-hang"] = request(port, "GET", "/api/sum?a=2&b=3")
                outs["bad"] = raw(port, b"GET / HTTP/1.1\r\nBad Header\r\n\r\n")
                outs["busy"] = busy_connections(port)
                outs["kill"] = vm.command("kill %1; wait; echo killed $?")
                outs["after"] = vm.command("echo the shell goes on")
                outs["ps-kill"] = vm.command("ps")
                start = len(vm.output())
                vm.send("serve --addr 0.0.0.0:8081 /apps/webapp.wasm\r")
                vm.wait_for(r"Serving HTTP on http://0\.0\.0\.0:8081/", timeout=60, start=start)
                vm.send("\x03")
                vm.wait_for(SHELL_PROMPT, timeout=60, start=start)
                outs["ctrl-c"] = vm.command("ps")
                vm.send("poweroff\r")
                vm.wait_exit(timeout=60)
            except (QemuTimeout, QemuExited, OSError, http.client.HTTPException) as e:
                t.ok(False, "a shell session serving a handler", f"{e}\n{vm.tail()}")
                return t.done()
    t.ok("serve: usage: serve [--addr ADDR:PORT]" in outs["usage"],
         "serve with a bad address prints its usage", repr(outs["usage"]))
    t.ok("nothing.wasm" in outs["missing"] and "status 0" not in outs["missing"],
         "serve of a missing handler says so and fails", repr(outs["missing"]))
    bad = {k: v for k, v in outs["sums"].items() if v}
    t.ok(len(outs["sums"]) == CLIENTS and not bad,
         f"{CLIENTS * PER_CLIENT} requests from {CLIENTS} concurrent keep-alive clients "
         "each get their own sum", repr(bad)[:600])
    t.ok(outs["echo"] == (200, body), "POST /echo: the 300 KiB body comes back",
         repr((outs["echo"][0], len(outs["echo"][1]))))
    want = hashlib.sha256(body).hexdigest().encode()
    t.ok(outs["sha"][0] == 200 and want in outs["sha"][1],
         "POST /sha256: the handler hashes the streamed body", repr(outs["sha"]))
    t.ok(outs["polled"][0], "a handler polls its request body with a timer: the timer fires "
         "between the client's pieces", " | ".join(outs["polled"][1][-12:]))
    t.ok(outs["trap"][0] == 500, "a handler that traps answers 500", repr(outs["trap"]))
    t.ok(len(outs["around"]) == 4 and not any(outs["around"].values()),
         "clients served while a handler traps get correct answers", repr(outs["around"]))
    t.ok(outs["after-trap"][0] == 200 and b"42" in outs["after-trap"][1],
         "the server goes on after the trap", repr(outs["after-trap"]))
    t.ok(outs["hog"][0] == 500 and outs["after-hog"][0] == 200,
         "a handler that exhausts its 16 MiB budget answers 500; the next request 200",
         repr((outs["hog"], outs["after-hog"])))
    t.ok(outs["hang"][0] == 504 and outs["after-hang"][0] == 200,
         "a handler that never returns is stopped after --handler-timeout and answered 504",
         repr((outs["hang"], outs["after-hang"])))
    t.ok(outs["bad"].startswith(b"HTTP/1.1 400 "),
         "a malformed request gets 400 and a close", repr(outs["bad"][:200]))
    extra, still = outs["busy"]
    t.ok(extra.startswith(b"HTTP/1.1 503 "),
         f"with {MAX_CONNS} connections busy, one more gets 503", repr(extra[:200]))
    t.ok(still, "the busy connections are still served")
    t.ok("serve exited with status 0" in outs["kill"] and "killed 0" in outs["kill"] and
         "the shell goes on" in outs["after"],
         "kill %1 stops the serve /etc/rc started, cleanly, and the shell goes on", repr((outs["kill"], outs["after"])))
    t.ok("serve" not in outs["ps-kill"].split("\n", 1)[1],
         "no serve thread (listener or connection) is left after the kill", repr(outs["ps-kill"]))
    t.ok("serve" not in outs["ctrl-c"].split("\n", 1)[1],
         "Ctrl-C stops a foreground serve and its threads", repr(outs["ctrl-c"]))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
