#!/usr/bin/env python3
"""tests/qemu/test_serve_javascript.py - the JavaScript handler of serve/js
(tests/serve/handler.js made into a component by `jco componentize`, a
JavaScript engine inside) served by the shell's `serve` in KPIO, reached
through QEMU's hostfwd:

  - one request at a time first: the time each takes is printed (the
    first one includes compiling the component's code);
  - 200 requests from 20 concurrent clients all answered correctly;
  - the same requests to KPIO and to `jco serve` on node give the same
    status, content-type and body.

The requests, the oracle and the comparison are serve/js's
(tests/serve/test_serve_js.py). No jco, node or WIT: SKIP, as there.
"""
import http.client
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "serve"))
sys.path.insert(0, HERE)
from qemu import QemuExited, QemuTimeout, build_dir  # noqa: E402
from servevm import serve_vm  # noqa: E402
from tap import Tap  # noqa: E402
from test_serve_js import clients, compare, js_component, jco_serve, request, stop_jco_serve  # noqa: E402

CLIENTS = 20
PER_CLIENT = 10
# The JavaScript engine's instance is large; 20 at once need more than the
# default 512 MiB machine.
MEMORY = "2G"


def timed(port, n):
    """n sequential GET / requests: (statuses, seconds of each)."""
    out, secs = [], []
    for _ in range(n):
        start = time.monotonic()
        out.append(request(port, "GET", "/")[0])
        secs.append(time.monotonic() - start)
    return out, secs


def main():
    t = Tap()
    build = build_dir()
    comp, jco, env = js_component(t, build)
    if not comp:
        return t.done()
    with tempfile.TemporaryDirectory(prefix="kpio-serve-js-") as tmp:
        try:
            with serve_vm(tmp, "serve-js", {"/apps/jshandler.wasm": comp},
                          "serve --handler-timeout 600000 /apps/jshandler.wasm &\n",
                          memory=MEMORY) as (vm, port):
                statuses, secs = timed(port, 4)
                start = time.monotonic()
                errors = clients(port, CLIENTS, PER_CLIENT)
                total = time.monotonic() - start
                js, jport = jco_serve(jco, env, comp)
                try:
                    t.ok(jport is not None, "jco serve starts")
                    if jport:
                        compare(t, port, jport, "KPIO's serve")
                finally:
                    stop_jco_serve(js)
                vm.send("poweroff\r")
                vm.wait_exit(timeout=60)
        except (QemuTimeout, QemuExited, OSError, http.client.HTTPException) as e:
            t.ok(False, "a shell session serving the JavaScript handler", f"{e!r}")
            return t.done()
    t.ok(statuses == [200] * len(statuses), "the JavaScript handler answers in KPIO",
         repr(statuses))
    t.diag("GET / one at a time: " + ", ".join(f"{s * 1000:.0f} ms" for s in secs))
    t.ok(not errors, f"{CLIENTS * PER_CLIENT} requests from {CLIENTS} concurrent clients to the "
         "JavaScript handler in KPIO all correct", "\n".join(errors[:10]))
    t.diag(f"{CLIENTS * PER_CLIENT} requests in {total:.1f} s "
           f"({CLIENTS * PER_CLIENT / total:.1f} requests/s)")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
