#!/usr/bin/env python3
"""tests/wasi/run_hostile.py - hostile WASI 0.2 apps against kpio-wasm.

    run_hostile.py --build BUILD

Each hostile mode of tests/wasi/p2_traps.c and p2_http.c runs under the
release kpio-wasm with an address-space limit (RLIMIT_AS, what `ulimit -v`
sets) of 512 MiB: writes far beyond check-write on stdout and on an
outgoing HTTP body, a body held unsent until the host refuses, fields.clone
in a loop, floods of fields and pollables, and an app keeping a chunked
body that never ends (tests/lib/httpserve.py's /endless, in this process).
The app must end with an error (status < 128) or kpio-wasm's trap status
134 and its trap message, never a signal, and the peak resident memory of
kpio-wasm (its VmHWM, which --time reads from /proc/self/status as it ends; wait4's
ru_maxrss would count this python process, whose copy the child was) must
stay under the bound each case states; the figures are printed.
"""
import argparse
import os
import re
import resource
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import httpserve  # noqa: E402
from tap import Tap  # noqa: E402

ULIMIT_V = 512 << 20
MIB = 1 << 20


def run_limited(cmd, timeout=300):
    """Runs kpio-wasm --time cmd under RLIMIT_AS; (status, stdout, stderr,
    peak resident bytes: the VmHWM kpio-wasm reads from /proc/self/status as
    it ends, 0 when it said none). A signal is a negative status."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (ULIMIT_V, ULIMIT_V))
    p = subprocess.run(cmd[:1] + ["--time"] + cmd[1:], capture_output=True, timeout=timeout,
                       preexec_fn=limit)
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    m = re.search(r"peak resident memory: (\d+) KiB", err)
    return p.returncode, out, err, int(m.group(1)) * 1024 if m else 0


def clean_end(status, err):
    """An error status, or the trap status with kpio-wasm's trap message."""
    return 0 <= status < 128 or (status == 134 and "kpio-wasm: trap:" in err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    t = Tap()
    kw = os.path.join(args.build, "rel", "bin", "kpio-wasm")
    traps = os.path.join(args.build, "tests", "wasi", "p2_traps.wasm")
    http = os.path.join(args.build, "tests", "wasi", "p2_http.wasm")
    srv = httpserve.Server().start()
    base = f"http://127.0.0.1:{srv.port}"
    # (name, command, what the app or kpio-wasm must say, bound on resident MiB)
    cases = [
        ("stdout write-zeroes 2^62", [traps, "write-zeroes-huge"], "check-write permitted", 16),
        ("stdout write of 4 MiB", [traps, "write-beyond"], "check-write permitted", 16),
        ("body write-zeroes 2^62", [http, "body-zeroes", base + "/echo"],
         "check-write permitted", 16),
        ("body write of 4 MiB", [http, "body-write", base + "/echo"], "check-write permitted", 16),
        ("body held unsent", [http, "body-fill", base + "/echo"], "the host refused a write", 96),
        ("fields.clone loop", [traps, "clone-loop"], "host memory budget", 96),
        ("fields flood", [traps, "resource-flood"], "host memory budget", 112),
        ("pollable flood", [traps, "pollable-flood"], "host memory budget", 112),
        ("endless body kept, 64 MiB of linear memory",
         ["--max-pages", "1024", "--allow-net", http, "keep", base + "/endless"],
         "malloc failed", 96),
        ("endless body kept, only ulimit -v",
         ["--allow-net", http, "keep", base + "/endless"], "malloc failed", ULIMIT_V // MIB),
    ]
    try:
        for name, cmd, says, bound in cases:
            status, out, err, peak = run_limited([kw] + cmd)
            t.diag(f"{name}: status {status}, peak resident {peak / MIB:.1f} MiB "
                   f"(bound {bound} MiB, ulimit -v {ULIMIT_V >> 10} KiB)")
            t.ok(clean_end(status, err) and says in out + err and 0 < peak < bound * MIB,
                 f"kpio-wasm {name}: refused cleanly, under {bound} MiB resident",
                 f"status {status}\n{out[-500:]}{err[-1000:]}")
    finally:
        srv.close()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
