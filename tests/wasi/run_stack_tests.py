#!/usr/bin/env python3
"""tests/wasi/run_stack_tests.py - recursion deeper than the stack under kpio-wasm.

    run_stack_tests.py --build BUILD

p1_recurse (tests/wasi/p1_recurse.c) recurses without end, directly and
mutually, on every engine, with the default call depth and with
--depth 600000 (deeper than an 8 MiB native stack holds for the JIT's
frames), under the sanitizer and the release kpio-wasm, with the stack
rlimit set to 8 MiB and to 1 MiB. Each run must end in the trap "call
stack exhausted" (status 134, the trap status), never in a signal. Depths
that fit must still succeed, so the limit is not set absurdly low.
"""
import argparse
import os
import resource
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from tap import Tap  # noqa: E402

ENGINES = ["interp", "jit", "jit-baseline"]
ENDLESS = "100000000"


def stack_limit(kib):
    def set_it():
        resource.setrlimit(resource.RLIMIT_STACK, (kib * 1024, kib * 1024))
    return set_it


def run(kpio, args, kib):
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
    return subprocess.run([kpio] + args, capture_output=True, timeout=300, env=env,
                          preexec_fn=stack_limit(kib))


def describe(r):
    err = r.stderr.decode("utf-8", "replace")
    return f"status {r.returncode}\n{r.stdout.decode('utf-8', 'replace')}{err[-1500:]}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    t = Tap()
    prog = os.path.join(args.build, "tests", "wasi", "p1_recurse.wasm")
    hosts = [("sanitizer", os.path.join(args.build, "host", "bin", "kpio-wasm")),
             ("release", os.path.join(args.build, "rel", "bin", "kpio-wasm"))]
    for label, kpio in hosts:
        if not os.path.exists(kpio):
            t.skip(f"{label} kpio-wasm", f"{kpio} is not built")
            continue
        for engine in ENGINES:
            for kib in (8192, 1024):
                for depth in ([], ["--depth", "600000"]):
                    for mode in ("deep", "mutual"):
                        a = ["--engine", engine] + depth + [prog, mode, ENDLESS]
                        r = run(kpio, a, kib)
                        err = r.stderr.decode("utf-8", "replace")
                        t.ok(r.returncode == 134 and r.stdout == b"before\n"
                             and "trap: call stack exhausted" in err,
                             f"{label} {engine}, stack {kib} KiB, {' '.join(depth) or 'default depth'}: "
                             f"endless {mode} recursion traps \"call stack exhausted\"",
                             describe(r))
            # What fits must run: 5000 frames by default, 100000 with
            # --depth 600000 (value stack for the interpreter: --stack).
            for depth, n in (([], "5000"), (["--depth", "600000", "--stack", "4000000"], "100000")):
                for mode in ("deep", "mutual"):
                    r = run(kpio, ["--engine", engine] + depth + [prog, mode, n], 8192)
                    t.ok(r.returncode == 0 and r.stdout.startswith(b"before\nresult "),
                         f"{label} {engine}: {mode} recursion {n} deep succeeds", describe(r))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
