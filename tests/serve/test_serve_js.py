#!/usr/bin/env python3
"""tests/serve/test_serve_js.py - a JavaScript wasi:http handler
(tests/serve/handler.js, componentized by `jco componentize` against the
official WIT into a component with a JavaScript engine inside) served by
`kpio-wasm serve` and by `jco serve` on node:

  - 200 requests from 20 concurrent clients to kpio-wasm serve all correct
    (sums against python's arithmetic, echoed random bodies, the page);
  - the same requests to both servers give the same status, content-type
    and body.

jco is found as tests/lib/jcoenv.py says (JCO_DIR, JCO_HOME); the WIT in
WASI_WIT (default ../shared/wit). Either missing: SKIP with the variable.

    test_serve_js.py --build BUILD
"""
import argparse
import http.client
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from ready import free_port  # noqa: E402
from filelock import held  # noqa: E402
from jcoenv import jco_location  # noqa: E402
from tap import Tap  # noqa: E402
sys.path.insert(0, HERE)
import kserve_proc  # noqa: E402


def wait_listening(proc):
    """Reads jco serve's output until it says it listens (or it ends)."""
    for line in proc.stdout:
        if b"listening" in line.lower():
            return True
    return False


def request(port, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        c.request(method, path, body=body)
        r = c.getresponse()
        return r.status, (r.getheader("content-type") or ""), r.read()
    finally:
        c.close()


def expected(kind, rnd):
    if kind == 0:
        return ("GET", "/", None, (200, b"hello from JavaScript\n"))
    if kind == 1:
        a, b = rnd.randrange(10**6), rnd.randrange(10**6)
        return ("GET", f"/api/sum?a={a}&b={b}", None, (200, b'{"sum":%d}\n' % (a + b)))
    body = rnd.randbytes(rnd.randrange(1, 50000))
    return ("POST", "/echo", body, (200, body))


def clients(port, nclients, per):
    """nclients threads, each sending per requests over its own keep-alive
    connection: the server sees exactly nclients connections at once. (A
    new connection per request left the server, on a loaded machine, still
    holding connections the clients had closed, beyond its limit: 503.)"""
    errors = []

    def work(seed):
        rnd = random.Random(seed)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            for i in range(per):
                method, path, body, want = expected(i % 3, rnd)
                try:
                    c.request(method, path, body=body)
                    r = c.getresponse()
                    st, got = r.status, r.read()
                except Exception as e:  # noqa: BLE001
                    st, got = repr(e), b""
                    c.close()  # the next request opens a new connection
                if (st, got) != want:
                    errors.append(f"client {seed} {method} {path}: {st} {got[:60]!r}")
        finally:
            c.close()

    ts = [threading.Thread(target=work, args=(s,)) for s in range(nclients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return errors


def js_component(t, build):
    """The componentized tests/serve/handler.js in BUILD/serve (made when
    missing or older than the source), with one TAP line; None after a SKIP
    (no jco, node or WIT) or a failed build. Also returns jco's script and
    environment: (component, jco.sh, env)."""
    wrappers, home = jco_location(build)
    jco = os.path.join(wrappers, "jco.sh")
    wit = os.path.join(os.environ.get("WASI_WIT") or os.path.join(ROOT, "..", "shared", "wit"),
                       "wasi-0.2.3-documented")
    if not os.path.exists(jco) or not shutil.which("node"):
        t.skip("JavaScript handler", f"no jco at {wrappers} or no node (set JCO_DIR)")
        return None, None, None
    if not os.path.isdir(wit):
        t.skip("JavaScript handler", f"no WIT at {wit} (set WASI_WIT)")
        return None, None, None
    env = dict(os.environ, JCO_HOME=home)
    out = os.path.join(build, "serve")
    os.makedirs(out, exist_ok=True)
    comp = os.path.join(out, "js_handler.wasm")
    src = os.path.join(HERE, "handler.js")
    with held(comp):  # serve/js and qemu/serve-javascript may run at once
        if not os.path.exists(comp) or os.path.getmtime(comp) < os.path.getmtime(src):
            r = subprocess.run(["sh", jco, "componentize", src, "--wit", wit, "-n",
                                "wasi:http/proxy", "-o", comp + ".tmp"], env=env,
                               capture_output=True, timeout=900)
            if r.returncode != 0:
                t.ok(False, "jco componentize builds the JavaScript handler",
                     diag=(r.stdout + r.stderr).decode()[-800:])
                return None, None, None
            os.replace(comp + ".tmp", comp)
    t.ok(True, "jco componentize builds the JavaScript handler")
    return comp, jco, env


def jco_serve(jco, env, comp):
    """Starts `jco serve` on the component on a free port: (process, port),
    or (process, None) when it did not say it listens. Stop it with
    stop_jco_serve."""
    port = free_port()
    # --isolate-requests instance: a fresh instance per request, as
    # kpio-wasm serve does (jco 1.35's shared instance answers only once).
    js = subprocess.Popen(["sh", jco, "serve", "--host", "127.0.0.1", "--port", str(port),
                           "--isolate-requests", "instance", comp], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    if not wait_listening(js):
        return js, None
    threading.Thread(target=js.stdout.read, daemon=True).start()
    return js, port


def stop_jco_serve(js):
    os.killpg(js.pid, signal.SIGTERM)
    js.wait(timeout=30)


def compare(t, kport, jport, what):
    """The same requests to both servers: one TAP line, same status,
    content-type and body (a 404 included)."""
    rnd = random.Random(7)
    same, diffs = 0, []
    for i in range(9):
        method, path, body, _ = expected(i % 3, rnd)
        a = request(kport, method, path, body)
        b = request(jport, method, path, body)
        if a == b:
            same += 1
        else:
            diffs.append(f"{method} {path}: kpio {a[0]} {a[1]} {a[2][:40]!r} / "
                         f"jco {b[0]} {b[1]} {b[2][:40]!r}")
    a = request(kport, "GET", "/nowhere")
    b = request(jport, "GET", "/nowhere")
    t.ok(same == 9 and a == b, f"{what} and jco serve give the same status, content-type and body",
         diag="\n".join(diffs) + f"\n404: {a} / {b}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    t = Tap()
    comp, jco, env = js_component(t, args.build)
    if not comp:
        sys.exit(t.done())

    kpio = os.path.join(args.build, "rel", "bin", "kpio-wasm")
    ks, kport, line = kserve_proc.start(kpio, ["--engine", "interp", "--handler-timeout",
                                               "120000", comp])
    js = None
    try:
        if not kport:
            t.ok(False, "kpio-wasm serve starts on the JavaScript component", diag=line)
            return
        start = time.monotonic()
        errors = clients(kport, 20, 10)
        secs = time.monotonic() - start
        t.ok(not errors, "200 requests from 20 concurrent clients to the JavaScript handler "
             "on kpio-wasm serve all correct", diag="\n".join(errors[:10]))
        t.diag(f"200 JavaScript handler requests in {secs:.1f} s (a fresh instance each)")
        # Started only now: a port picked earlier could be taken meanwhile as
        # the source port of one of the 200 requests' connections.
        js, jport = jco_serve(jco, env, comp)
        if not jport:
            t.ok(False, "jco serve starts")
            return
        compare(t, kport, jport, "kpio-wasm serve")
    finally:
        kserve_proc.stop(t, ks)
        if js:
            stop_jco_serve(js)
    sys.exit(t.done())


if __name__ == "__main__":
    main()
