#!/usr/bin/env python3
"""bench/tls/bench_tls_host.py - https figures on the host for `make bench`:
the fetch app under kpio-wasm (release build) against python servers on
loopback (tests/lib/httpserve.py's handler, plain and wrapped in TLS 1.3
with the ECDSA P-256 chain of tests/tls/make_certs.py):

  host_tls_handshake   fetch of a small file over https minus over http,
                       the fastest of 3 x runs each (the least disturbed by
                       the machine's load; a median of differences went
                       negative on a busy machine): one TLS 1.3 handshake
                       with verification (ms)
  host_http_download   16 MiB over http into a file (MiB/s, median)
  host_https_download  the same over https (MiB/s, median)

Every download's SHA-256 is checked, so a figure is of a correct transfer.

    python3 bench/tls/bench_tls_host.py [--build build] [--runs 5]
"""
import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "qemu"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "lib"))
from httpserve import start_server  # noqa: E402
from test_https import start_tls_server  # noqa: E402

MIB = 1 << 20


def fetch(build, certs, url, out):
    """Runs fetch once; returns the wall time in seconds."""
    cmd = [os.path.join(build, "rel", "bin", "kpio-wasm"), "--allow-net",
           "--dir", os.path.dirname(out), "--cacert", os.path.join(certs, "root.pem"),
           os.path.join(build, "apps", "fetch.wasm"), "-q", url, out]
    env = dict(os.environ, SSL_CERT_FILE=os.path.join(certs, "root.pem"))
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, env=env)
    dt = time.monotonic() - t0
    if r.returncode != 0:
        raise RuntimeError(f"fetch {url}: status {r.returncode}: {r.stderr.decode()[-300:]}")
    return dt


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def emit(name, values, unit):
    print(f"BENCH {name} {statistics.median(values):.2f} {unit}")
    print(f"#   {name}: min {min(values):.2f} max {max(values):.2f} over {len(values)} runs")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kpio-tlsbench-") as tmp:
        certs = os.path.join(tmp, "certs")
        subprocess.run([sys.executable, os.path.join(HERE, "..", "..", "tests", "tls",
                                                     "make_certs.py"), certs], check=True)
        big, small = os.path.join(tmp, "big"), os.path.join(tmp, "small")
        with open(big, "wb") as f:
            f.write(os.urandom(16 * MIB))
        with open(small, "wb") as f:
            f.write(b"hello\n")
        want = sha(big)
        servers = {}
        for label, path in (("big", big), ("small", small)):
            servers[("http", label)] = start_server(path)
            servers[("https", label)] = start_tls_server(path, certs, "leaf-ec-chain.pem",
                                                         "leaf-ec.key")
        out = os.path.join(tmp, "out.bin")
        try:
            small_t, speed = {"http": [], "https": []}, {"http": [], "https": []}
            for _ in range(a.runs):
                for _ in range(3):
                    for scheme in ("http", "https"):
                        port = servers[(scheme, "small")][1]
                        small_t[scheme].append(
                            fetch(a.build, certs, f"{scheme}://127.0.0.1:{port}/payload", out))
                for scheme in ("http", "https"):
                    port = servers[(scheme, "big")][1]
                    dt = fetch(a.build, certs, f"{scheme}://127.0.0.1:{port}/payload", out)
                    if sha(out) != want:
                        raise RuntimeError(f"{scheme}: the download's SHA-256 differs")
                    speed[scheme].append(16 / dt)
        finally:
            for srv, _ in servers.values():
                srv.shutdown()
        hs = (min(small_t["https"]) - min(small_t["http"])) * 1000
        print(f"BENCH host_tls_handshake {hs:.2f} ms")
        print(f"#   host_tls_handshake: the fastest of {len(small_t['https'])} fetches each")
        emit("host_http_download", speed["http"], "MiB/s")
        emit("host_https_download", speed["https"], "MiB/s")
        print(f"# host https/http throughput: "
              f"{statistics.median(speed['https']) / statistics.median(speed['http']):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
