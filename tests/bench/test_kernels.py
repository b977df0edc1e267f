#!/usr/bin/env python3
"""tests/bench/test_kernels.py - bench/wasm's programs give the same
checksum everywhere (suite bench/kernels).

For each program, run(N) with a small N: the native build (gcc -O2, an
independent compiler of the same C) is the oracle; the scalar build and,
for the SIMD kernels, the -msimd128 build must return its checksum on the
interpreter, the JIT, the JIT's SSE2 baseline (kpio-wasm --engine) and V8
(node, SKIP when it is not installed). The programs' results hash every
lane they compute, so a wrong lane anywhere changes them.

    test_kernels.py --build BUILD
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_NODE = os.path.join(HERE, "..", "..", "bench", "wasm", "run_node.cjs")

# program, N, has a SIMD build
PROGRAMS = [
    ("idot", 2, True),
    ("fmatmul", 3, True),
    ("blur", 5, True),
    ("bytesearch", 2, True),
    ("matmul", 2, True),
    ("branchy", 20, False),
    ("zlib", 1, False),
]
ENGINES = ["interp", "jit", "jit-baseline"]


def native_sum(path, n):
    out = subprocess.run([path, str(n)], capture_output=True, text=True, check=True,
                         timeout=300).stdout.split()
    return out[0]


def wasm_sum(kpio_wasm, engine, path, n):
    if engine == "node":
        cmd = ["node", RUN_NODE, path, str(n)]
    else:
        cmd = [kpio_wasm, "--engine", engine, path, "--invoke", "run", str(n)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    m = re.match(r"i32:(\d+)", p.stdout)
    if p.returncode != 0 or not m:
        return f"exit {p.returncode}: {p.stdout.strip()} {p.stderr.strip()}"
    return m.group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    d = os.path.join(args.build, "bench", "wasm")
    kw = os.path.join(args.build, "rel", "bin", "kpio-wasm")
    t = Tap()
    node = shutil.which("node")
    for name, n, simd in PROGRAMS:
        native = os.path.join(d, name + ".native")
        if not os.access(native, os.X_OK):
            t.ok(False, f"{name}: the native build exists", f"{native} missing: run make")
            continue
        want = native_sum(native, n)
        for build in [name, name + "_simd"] if simd else [name]:
            wasm = os.path.join(d, build + ".wasm")
            for engine in ENGINES + ["node"]:
                label = f"{build}.wasm run({n}) on {engine} = native {want}"
                if engine == "node" and not node:
                    t.skip(label, "node is not installed")
                    continue
                got = wasm_sum(kw, engine, wasm, n)
                t.ok(got == want, label, f"got {got}")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
