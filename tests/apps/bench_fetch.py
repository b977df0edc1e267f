#!/usr/bin/env python3
"""tests/apps/bench_fetch.py - throughput of the fetch app on the host, for
`make bench`: 64 MiB from a python http.server on loopback into a file,
under kpio-wasm (KPIO's interpreter and lib/wasi, the gcc -O2 build) and
under `jco run` (node's V8 with preview2-shim), and sha256sum of the same
file under kpio-wasm (fetch hashes everything it writes, so this bounds
it). Each figure is checked (the file's SHA-256) before it is printed.

  BENCH apps_fetch_64MiB_kpio_wasm   MiB/s  (the app's own timing: request to last byte)
  BENCH apps_fetch_64MiB_jco         MiB/s
  BENCH apps_sha256sum_64MiB_kpio_wasm MiB/s (process wall time)

    python3 tests/apps/bench_fetch.py [--build build]
"""
import argparse
import os
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from hosts import KpioHost  # noqa: E402
from jco import Jco, JcoHost  # noqa: E402
import httpserve  # noqa: E402

SIZE = 64 << 20


def fetch_rate(host, http, name):
    d = tempfile.mkdtemp(prefix="kpio-apps-bench-")
    try:
        res = host.run("fetch", ["-q", http.url(f"/data/{SIZE}"), "/data/out.bin"], {d: "/data"},
                       timeout=1800)
        m = re.search(r"status 200, (\d+) bytes, ([0-9.]+) s, .*sha256 ([0-9a-f]{64})", res.text)
        want = httpserve.sha(httpserve.body(SIZE))
        if res.rc != 0 or not m or int(m.group(1)) != SIZE or m.group(3) != want:
            print(f"# {name}: fetch failed: {res!r}", file=sys.stderr)
            return False
        with open(os.path.join(d, "out.bin"), "rb") as f:
            if httpserve.sha(f.read()) != want:
                print(f"# {name}: the file's hash is wrong", file=sys.stderr)
                return False
        print(f"BENCH apps_fetch_64MiB_{name} {SIZE / (1 << 20) / float(m.group(2)):.1f} MiB/s",
              flush=True)
        return True
    finally:
        shutil.rmtree(d, ignore_errors=True)


def sha_rate(host):
    d = tempfile.mkdtemp(prefix="kpio-apps-bench-")
    try:
        with open(os.path.join(d, "big.bin"), "wb") as f:
            f.write(httpserve.body(SIZE))
        start = time.monotonic()
        res = host.run("sha256sum", ["/data/big.bin"], {d: "/data"}, timeout=1800)
        secs = time.monotonic() - start
        if res.rc != 0 or not res.text.startswith(httpserve.sha(httpserve.body(SIZE))):
            print(f"# sha256sum failed: {res!r}", file=sys.stderr)
            return False
        print(f"BENCH apps_sha256sum_64MiB_kpio_wasm {SIZE / (1 << 20) / secs:.1f} MiB/s", flush=True)
        return True
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("KPIO_BUILD", "build"))
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    ok = True
    kpio = KpioHost(build, allow_net=True)
    with httpserve.Server() as http:
        why = kpio.available()
        if why:
            print(f"# kpio-wasm skipped: {why}", file=sys.stderr)
        else:
            ok &= fetch_rate(kpio, http, "kpio_wasm")
            ok &= sha_rate(kpio)
        jco = Jco(build)
        why = jco.prepare()
        comp = None
        if not why:
            comp, why = jco.componentize(os.path.join(build, "apps", "fetch.wasm"))
        if comp:
            ok &= fetch_rate(JcoHost(jco, {"fetch": comp}), http, "jco")
        else:
            print(f"# jco skipped: {why}", file=sys.stderr)
        jco.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
