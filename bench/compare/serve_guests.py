#!/usr/bin/env python3
"""bench/compare/serve_guests.py - serving HTTP from a guest on the bench's
QEMU machine (qemu.py, a host port forwarded to the guest's 8080), loaded
by wrk on the host at 1, 16 and 64 keep-alive connections:

    kpio-serve   KPIO's shell runs `serve /apps/webapp.wasm &` from /etc/rc:
                 the hello-world wasi:http handler of bench/serve
                 (apps/webapp.c, GET / is a 155-byte page), a fresh instance
                 per request, keep-alive
    kpio-httpd   KPIO's httpd app (apps/httpd.c) serving PAGE as
                 /www/index.html; one request per connection
                 ("Connection: close"), one log line per request on the
                 serial console
    linux-httpd  the Linux reference guest (bench/linux-guest, MODE=serve in
                 BENCH.CFG) running `busybox httpd` on the same file; one
                 request per connection, a process forked for each

wrk reconnects after every "Connection: close", so for the two httpd
targets each request pays a TCP connection. The run (wrk and its parsing)
is bench/serve's: bench_serve.wrk with wrk_report.lua. Prints
"BENCH guestserve_<target>_c<N>_{rps,p50,p99}" lines, then a table with
errors (socket errors, non-2xx, timeouts) and KPIO's ratio to Linux.

    serve_guests.py [--build build] [--seconds 5] [--conns 1,16,64]
                    [--targets kpio-serve,kpio-httpd,linux-httpd]

A target that is not built, or missing wrk, is reported as skipped.
"""
import argparse
import http.client
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "bench", "serve"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))

import bench_serve  # noqa: E402
import qemu  # noqa: E402
import workload  # noqa: E402
from ready import free_port  # noqa: E402

GUEST_PORT = 8080
PAGE = (b"<!DOCTYPE html>\n<title>hello</title>\n<p>hello from a static file: the same small "
        b"page for KPIO's httpd and busybox httpd.</p>\n")
READY_TIMEOUT = 300.0


class Target:
    """One server in one guest: how to boot it, the files on its disk, the
    serial lines that say it serves, and a check of GET /'s answer."""

    def __init__(self, name, boot, files, ready, check):
        self.name, self.boot, self.files, self.ready, self.check = name, boot, files, ready, check

    def classify(self, line):
        for event, pattern in self.ready.items():
            if re.search(pattern, line):
                return event, {}
        if "KERNEL PANIC" in line or "Kernel panic" in line or "BENCHMARK fail" in line:
            return "fail", {}
        return None


def targets(build):
    """{name: (Target, or a reason it cannot run)}."""
    iso = os.path.join(build, "kpio.iso")
    webapp = os.path.join(build, "handlers", "webapp.wasm")
    httpd = os.path.join(build, "apps", "httpd.wasm")
    linux_iso = os.path.join(build, "linux-guest", "linux-guest.iso")
    lease = r"\[dhcp\] .*lease"

    def read(path):
        with open(path, "rb") as f:
            return f.read()

    out = {}
    if not all(os.path.exists(p) for p in (iso, webapp)):
        out["kpio-serve"] = f"{iso} or {webapp} not built (make)"
    else:
        out["kpio-serve"] = Target(
            "kpio-serve", ["-cdrom", iso],
            {"apps/webapp.wasm": read(webapp), "etc/rc": b"serve /apps/webapp.wasm &\n"},
            {"serving": r"Serving HTTP on http://0\.0\.0\.0:8080/", "lease": lease},
            lambda status, body: status == 200 and bench_serve.PAGE_MARK in body)
    if not all(os.path.exists(p) for p in (iso, httpd)):
        out["kpio-httpd"] = f"{iso} or {httpd} not built (make)"
    else:
        out["kpio-httpd"] = Target(
            "kpio-httpd", ["-cdrom", iso],
            {"apps/httpd.wasm": read(httpd), "www/index.html": PAGE,
             "etc/rc": b"httpd -p 8080 /www &\n"},
            {"serving": r"httpd: serving /www on port 8080", "lease": lease},
            lambda status, body: status == 200 and body == PAGE)
    if not os.path.exists(linux_iso):
        out["linux-httpd"] = f"{linux_iso} not built (make linux-guest)"
    else:
        out["linux-httpd"] = Target(
            "linux-httpd", ["-cdrom", linux_iso],
            {"BENCH.CFG": f"MODE=serve\nSERVE_PORT={GUEST_PORT}\n".encode(), "INDEX.HTM": PAGE},
            {"serving": r"BENCHMARK serving", "lease": r"BENCHMARK lease"},
            lambda status, body: status == 200 and body == PAGE)
    return out


def get_root(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        c.request("GET", "/")
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def measure(target, build, conns, seconds, firmware="seabios"):
    """Boots the target, waits for it to serve, checks GET /, runs wrk at
    each connection count; returns {conns: wrk result}. Raises
    RuntimeError with the serial log's tail when the guest does not serve."""
    workdir = os.path.join(build, "bench-compare", "serve-" + target.name)
    os.makedirs(workdir, exist_ok=True)
    image = os.path.join(workdir, "disk.img")
    size = workload.image_size(sum(len(d) for d in target.files.values()), 512)
    workload.make_image(image, size, 512, target.files)
    port = free_port()
    argv = qemu.qemu_command(image, target.boot, firmware, qemu.prepare_firmware(firmware, workdir),
                             hostfwd=f"tcp:127.0.0.1:{port}-:{GUEST_PORT}")
    run = qemu.Run(argv, target.classify, os.path.join(workdir, "serial.log"))
    run.start()
    try:
        if not run.wait_event(["serving", "lease"], READY_TIMEOUT) or run.first("fail"):
            raise RuntimeError(f"{target.name} does not serve; serial log:\n{run.tail()}")
        status, body = get_root(port)
        if not target.check(status, body):
            raise RuntimeError(f"{target.name}: GET / answered {status}: {body[:200]!r}")
        bench_serve.wrk(port, 1, 1)  # warm-up
        return {c: bench_serve.wrk(port, c, seconds) for c in conns}
    finally:
        run.stop()


def report(results, conns, out=sys.stdout):
    for (name, c), r in results.items():
        key = f"guestserve_{name.replace('-', '_')}_c{c}"
        out.write(f"BENCH {key}_rps {r['rps']:.0f} req/s\n")
        out.write(f"BENCH {key}_p50 {r['p50']:.2f} ms\n")
        out.write(f"BENCH {key}_p99 {r['p99']:.2f} ms\n")
    for name in ("kpio-serve", "kpio-httpd"):
        for c in conns:
            k, lx = results.get((name, c)), results.get(("linux-httpd", c))
            if k and lx and lx["rps"] > 0:
                out.write(f"BENCH guestserve_{name.replace('-', '_')}_c{c}_vs_linux "
                          f"{k['rps'] / lx['rps']:.2f} x\n")
    out.write(f"# {'target':<12} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>9} "
              f"{'errors':>6} {'x linux':>8}\n")
    for (name, c), r in results.items():
        lx = results.get(("linux-httpd", c))
        ratio = f"{r['rps'] / lx['rps']:.2f}" if lx and lx["rps"] > 0 and name != "linux-httpd" else "-"
        out.write(f"# {name:<12} {c:>5} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p99']:>9.2f} "
                  f"{r['errors']:>6} {ratio:>8}\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--conns", default="1,16,64")
    ap.add_argument("--targets", default="kpio-serve,kpio-httpd,linux-httpd")
    ap.add_argument("--firmware", choices=qemu.FIRMWARES, default="seabios")
    args = ap.parse_args(argv)
    conns = [int(c) for c in args.conns.split(",")]
    why = (None if shutil.which("wrk") else "no wrk (Debian package wrk)") or \
        qemu.missing_tools(args.firmware) or workload.missing_tools()
    if why:
        print(f"# SKIP guest serve bench: {why}")
        return 0
    available, results, failed = targets(args.build), {}, False
    for name in args.targets.split(","):
        target = available.get(name, f"unknown target {name}")
        if isinstance(target, str):
            print(f"# {name}: SKIP: {target}")
            continue
        try:
            for c, r in measure(target, args.build, conns, args.seconds, args.firmware).items():
                results[(name, c)] = r
                print(f"# {name} c{c}: {r['rps']:.0f} req/s, p50 {r['p50']:.2f} ms, "
                      f"p99 {r['p99']:.2f} ms, {r['errors']} errors", flush=True)
        except RuntimeError as e:
            print(f"guest serve bench: {e}", file=sys.stderr)
            failed = True
    print(f"# serving GET / from guests on the same QEMU ({args.firmware}, TCG, one vCPU), "
          f"wrk {args.seconds} s per point through hostfwd")
    report(results, conns)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
