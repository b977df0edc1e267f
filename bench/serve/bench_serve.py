#!/usr/bin/env python3
"""bench/serve/bench_serve.py - requests/s and p50/p99 latency of a
hello-world handler (GET / of apps/webapp.c: a 155-byte page) at 1, 16 and
64 concurrent keep-alive connections, measured with wrk, against
`kpio-wasm serve` (JIT, and the interpreter for comparison) and `jco serve`
on node (the same handler componentized, tests/serve/jco_webapp.py; a fresh
instance per request on every server) in the same run. Prints BENCH lines,
then a table with kpio-wasm's ratio to jco (the goal in issue 18: at least
5x the requests/s with a lower p99). Without wrk or jco that part is
reported as skipped.

    bench_serve.py --build BUILD [--seconds N] [--conns 1,16,64]
"""
import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from contextlib import closing

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "serve"))
from jco_webapp import componentize  # noqa: E402

PAGE_MARK = b"hello from a wasi:http handler"


def free_port():
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drain(stream):
    threading.Thread(target=stream.read, daemon=True).start()


def start_kpio(build, engine):
    kpio = os.path.join(build, "rel", "bin", "kpio-wasm")
    p = subprocess.Popen([kpio, "serve", "--engine", engine, "--addr", "127.0.0.1:0",
                          "--max-conns", "256", os.path.join(build, "handlers", "webapp.wasm")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = p.stderr.readline().decode()
    m = re.match(r"Serving HTTP on http://127\.0\.0\.1:(\d+)/", line)
    drain(p.stderr)
    if not m:
        p.kill()
        p.wait()
        raise RuntimeError(f"kpio-wasm serve --engine {engine} did not start: {line.strip()}")
    return p, int(m.group(1))


def start_jco(jco, env, comp):
    port = free_port()
    p = subprocess.Popen(["sh", jco, "serve", "--host", "127.0.0.1", "--port", str(port),
                          "--isolate-requests", "instance", comp], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    for line in p.stdout:
        if b"listening" in line.lower():
            drain(p.stdout)
            return p, port
    p.wait()
    raise RuntimeError("jco serve did not start")


def stop(p, group=False):
    try:
        if group:
            os.killpg(p.pid, signal.SIGTERM)
        else:
            p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        p.kill()
        p.wait()


def check_page(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        c.request("GET", "/")
        r = c.getresponse()
        return r.status == 200 and PAGE_MARK in r.read()
    finally:
        c.close()


def wrk(port, conns, seconds):
    """{rps, p50_ms, p99_ms, errors} from wrk with wrk_report.lua."""
    r = subprocess.run(["wrk", "-t", str(min(conns, 2)), "-c", str(conns), "-d", f"{seconds}s",
                        "--timeout", "30s", "-s", os.path.join(HERE, "wrk_report.lua"),
                        f"http://127.0.0.1:{port}/"], capture_output=True, timeout=seconds + 120)
    m = re.search(rb"^WRK (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", r.stdout, re.M)
    if not m:
        raise RuntimeError("wrk: " + (r.stdout + r.stderr).decode()[-400:])
    n, dur, p50, p99, *errs = (int(x) for x in m.groups())
    return {"rps": n * 1e6 / dur, "p50": p50 / 1000, "p99": p99 / 1000, "errors": sum(errs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--conns", default="1,16,64")
    args = ap.parse_args()
    conns = [int(c) for c in args.conns.split(",")]
    if not shutil.which("wrk"):
        print("bench/serve: SKIP: no wrk (scripts/setup.sh installs Debian's wrk)")
        return 0
    servers = [("kpio_jit", "jit"), ("kpio_interp", "interp")]
    comp, jco, env = componentize(args.build)
    if comp:
        servers.append(("jco", None))
    else:
        print(f"bench/serve: jco column skipped: {jco}", file=sys.stderr)
    results = {}
    for name, engine in servers:
        if engine:
            p, port = start_kpio(args.build, engine)
        else:
            try:
                p, port = start_jco(jco, env, comp)
            except RuntimeError as e:
                print(f"bench/serve: jco column skipped: {e}", file=sys.stderr)
                comp = None
                break
        try:
            if not check_page(port):
                raise RuntimeError(f"{name}: GET / did not answer the page")
            wrk(port, 1, 1)  # warm-up
            for c in conns:
                res = wrk(port, c, args.seconds)
                results[(name, c)] = res
                print(f"BENCH serve_{name}_c{c}_rps {res['rps']:.0f} req/s")
                print(f"BENCH serve_{name}_c{c}_p50 {res['p50']:.2f} ms")
                print(f"BENCH serve_{name}_c{c}_p99 {res['p99']:.2f} ms")
                if res["errors"]:
                    print(f"bench/serve: {name} at {c} connections: {res['errors']} "
                          "errors (socket errors, non-2xx, timeouts)", file=sys.stderr)
        finally:
            stop(p, group=engine is None)
    if comp:
        for name in ("kpio_jit", "kpio_interp"):
            for c in conns:
                k, j = results[(name, c)], results[("jco", c)]
                print(f"BENCH serve_{name}_c{c}_vs_jco {k['rps'] / j['rps']:.2f} x")
    print(f"\n{'server':<12} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6} {'x jco req/s':>11} {'p99 < jco':>9}")
    for (name, c), r in results.items():
        j = results.get(("jco", c))
        ratio = f"{r['rps'] / j['rps']:.2f}" if j and name != "jco" else "-"
        lower = ("yes" if r["p99"] < j["p99"] else "no") if j and name != "jco" else "-"
        print(f"{name:<12} {c:>5} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
              f"{r['errors']:>6} {ratio:>11} {lower:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
