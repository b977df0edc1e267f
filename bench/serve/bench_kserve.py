#!/usr/bin/env python3
"""bench/serve/bench_kserve.py - requests/s and p50/p99 latency of the
shell's `serve` in KPIO under QEMU (TCG), through hostfwd, measured with
wrk: GET / of apps/webapp.c (a 155-byte page, a fresh instance per
request) at 1 and 16 keep-alive connections, and for comparison KPIO's
own apps/httpd serving a file of the same size (one request per
connection: it answers "Connection: close") in the same boot.

    bench_kserve.py --build BUILD [--seconds N] [--conns 1,16]
"""
import argparse
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
from bench_serve import check_page, wrk  # noqa: E402
from servevm import serve_vm  # noqa: E402

HTTPD_PORT = 8081
PAGE = b"<!doctype html>\n<title>KPIO</title>\n" + b"x" * 118 + b"\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--conns", default="1,16")
    ap.add_argument("--cmdline", default=None, help="kernel options, e.g. wasm=interp")
    ap.add_argument("--iso", default=None, help="another kernel ISO (before/after figures)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("bench/kserve: SKIP: no wrk (scripts/setup.sh installs Debian's wrk)")
        return 0
    conns = [int(c) for c in args.conns.split(",")]
    files = {"/apps/webapp.wasm": os.path.join(args.build, "handlers", "webapp.wasm"),
             "/apps/httpd.wasm": os.path.join(args.build, "apps", "httpd.wasm"),
             "/www/index.html": PAGE}
    rc = f"serve /apps/webapp.wasm &\nhttpd -p {HTTPD_PORT} /www 2>/httpd.log &\n"
    with tempfile.TemporaryDirectory(prefix="kpio-bench-kserve-") as tmp:
        with serve_vm(tmp, "bench-kserve", files, rc, more_ports=(HTTPD_PORT,),
                      cmdline=args.cmdline, iso=args.iso) as (vm, port):
            if not check_page(port):
                raise RuntimeError("KPIO serve: GET / did not answer the page")
            targets = [("kserve", port), ("khttpd", vm.ports[HTTPD_PORT])]
            for name, p in targets:
                for c in conns:
                    # Warm-up at the same concurrency: the handler's code is
                    # compiled once, and each concurrent instance's copy of it
                    # is translated once by TCG.
                    wrk(p, c, 2)
                    res = wrk(p, c, args.seconds)
                    print(f"BENCH {name}_c{c}_rps {res['rps']:.0f} req/s")
                    print(f"BENCH {name}_c{c}_p50 {res['p50']:.2f} ms")
                    print(f"BENCH {name}_c{c}_p99 {res['p99']:.2f} ms")
                    if res["errors"]:
                        print(f"bench/kserve: {name} at {c} connections: {res['errors']} "
                              "errors", file=sys.stderr)
            vm.send("poweroff\r")
            vm.wait_exit(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
