#!/usr/bin/env python3
"""tests/wasi/bench_wasi.py - lib/wasi throughput on the host (make bench).

Runs the release kpio-wasm (gcc -O2) with:
- p2_http: wasi:http GET of a 64 MiB body from tests/lib/httpserve.py on
  loopback, written to a file through preview1 (the milestone's path on
  the host port); the bytes are checked against the server's.
- p1_bench: 64 MiB through fd_write and fd_read in 64 KiB calls.
Prints BENCH lines (best of three runs).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import httpserve  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    kpio = os.path.join(args.build, "rel", "bin", "kpio-wasm")
    wasm = os.path.join(args.build, "tests", "wasi")
    n = 64 << 20
    srv = subprocess.Popen(httpserve.command(), stdout=subprocess.PIPE, text=True)
    try:
        port = httpserve.announced_port(srv)
        url = f"http://127.0.0.1:{port}/data/{n}"
        want = bytes(httpserve.body(n))
        best = 0.0
        with tempfile.TemporaryDirectory() as d:
            for _ in range(3):
                t0 = time.monotonic()
                r = subprocess.run([kpio, "--dir", d + "::/d", os.path.join(wasm, "p2_http.wasm"),
                                    "get", url, "/d/out.bin"], capture_output=True)
                secs = time.monotonic() - t0
                with open(os.path.join(d, "out.bin"), "rb") as f:
                    if r.returncode or f.read() != want:
                        print("wasi_http: download failed or differs", file=sys.stderr)
                        return 1
                best = max(best, 64 / secs)
            print(f"BENCH wasi_http_get_64mib_to_file {best:.1f} MiB/s")
            w = rd = 0.0
            for _ in range(3):
                r = subprocess.run([kpio, "--dir", d + "::/d", os.path.join(wasm, "p1_bench.wasm"),
                                    "/d/bench.bin", "64"], capture_output=True, text=True)
                if r.returncode:
                    print("p1_bench failed: " + r.stderr, file=sys.stderr)
                    return 1
                lines = dict(line.split(" ", 1) for line in r.stdout.splitlines())
                w = max(w, float(lines["write"].split()[0]))
                rd = max(rd, float(lines["read"].split()[0]))
            print(f"BENCH wasi_p1_write_64k {w:.1f} MiB/s")
            print(f"BENCH wasi_p1_read_64k {rd:.1f} MiB/s")
    finally:
        srv.kill()
        srv.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
