#!/usr/bin/env python3
"""bench/http/bench_download.py - download throughput of lib/http's client
(the release build of http-get) from nginx on loopback.

nginx runs from a temporary prefix on a free port of 127.0.0.1 with our own
config and serves a 256 MiB file of random bytes; it is stopped by PID at
the end, also on failure or Ctrl-C. The client fetches the file a few
times, discarding the body; the median run is reported:

    BENCH http_download_loopback <MiB/s> MiB/s

For context (comment lines, not figures of ours) curl does the same
fetches when it is installed. One fetch is also written to a file and its
SHA-256 compared, so the figure is of a correct download.

    python3 bench/http/bench_download.py [--build build] [--size-mib 256] [--runs 5]
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "lib"))
import nginx as nginx_conf  # noqa: E402
from ready import free_port, wait_listening  # noqa: E402

def make_payload(path, size):
    """Writes size bytes of seeded random data; returns their SHA-256."""
    rng = random.Random(256)
    h = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            block = rng.randbytes(min(left, 8 << 20))
            h.update(block)
            f.write(block)
            left -= len(block)
    return h.hexdigest()


def run_client(client, url, out="/dev/null"):
    """One fetch; returns MiB/s as http-get measured it."""
    args = [client, "--stats"] + (["-o", out] if out else []) + [url]
    p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       timeout=300)
    m = re.search(r"stats bytes=(\d+) seconds=([\d.]+) mib_s=([\d.]+)", p.stderr)
    if p.returncode != 0 or not m:
        raise RuntimeError(f"http-get failed ({p.returncode}):\n{p.stderr}")
    return int(m[1]), float(m[3])


def run_curl(url, size):
    start = time.monotonic()
    p = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{size_download}", url],
                       capture_output=True, text=True, timeout=300)
    secs = time.monotonic() - start
    if p.returncode != 0 or int(float(p.stdout or 0)) != size:
        return None
    return size / (1 << 20) / secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("KPIO_BUILD", "build"))
    ap.add_argument("--size-mib", type=int, default=256)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    client = os.path.join(args.build, "rel", "bin", "http-get")
    nginx = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        print("# http_download_loopback: nginx not found, skipped")
        return 0
    size = args.size_mib << 20
    tmp = tempfile.mkdtemp(prefix="kpio-http-bench-")
    proc = None
    try:
        nginx_conf.readable_by_workers(tmp)
        os.makedirs(os.path.join(tmp, "www"))
        payload = os.path.join(tmp, "www", "payload.bin")
        sha = make_payload(payload, size)
        os.chmod(payload, 0o644)
        port = free_port()
        conf = nginx_conf.write_conf(tmp, f"127.0.0.1:{port}", os.path.join(tmp, "www"))
        proc = subprocess.Popen(nginx_conf.command(nginx, tmp, conf),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_listening(tcp=[port], procs=[proc], timeout=10):
            print("# http_download_loopback: nginx did not start", file=sys.stderr)
            return 1
        url = f"http://127.0.0.1:{port}/payload.bin"
        out = os.path.join(tmp, "check.bin")
        got, _ = run_client(client, url, out)
        with open(out, "rb") as f:
            h = hashlib.sha256()
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        os.unlink(out)
        if got != size or h.hexdigest() != sha:
            print("# http_download_loopback: downloaded file differs", file=sys.stderr)
            return 1
        rates = []
        for _ in range(args.runs):
            got, rate = run_client(client, url, None)
            if got != size:
                raise RuntimeError(f"got {got} bytes of {size}")
            rates.append(rate)
        print(f"# http_download_loopback: {args.size_mib} MiB x {args.runs}, MiB/s "
              + " ".join(f"{r:.0f}" for r in rates))
        if shutil.which("curl"):
            curl = [run_curl(url, size) for _ in range(3)]
            if all(curl):
                print(f"# for context, curl -o /dev/null: median "
                      f"{statistics.median(curl):.0f} MiB/s")
        print(f"BENCH http_download_loopback {statistics.median(rates):.1f} MiB/s")
        return 0
    finally:
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
