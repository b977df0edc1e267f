#!/usr/bin/env python3
"""bench/wasm/run_bench.py - lib/wasm against native code on the same C.

Each benchmark NAME has BUILD/bench/wasm/NAME.wasm (clang-19, wasm32-wasi,
-O2) and BUILD/bench/wasm/NAME.native (gcc -O2, same source plus
native_main.c). Both compute run(N); the checksums must be equal. The time
is that of the call alone: native_main.c measures it, kpio-wasm --time
measures the wasm call (not loading or compiling the module). The wasm
side runs on each of lib/wasm's engines (the interpreter and the JIT,
kpio-wasm --engine), and on V8 when node is installed (run_node.cjs).
NAME_simd is NAME built with -msimd128 (wasm_simd128.h code where the
program has it), against the same native program. Each run is repeated
REPEAT times and the fastest counts. Prints, per benchmark:

    BENCH wasm_NAME_seconds X s          (the interpreter)
    BENCH wasm_jit_NAME_seconds X s      (the JIT)
    BENCH wasm_node_NAME_seconds X s     (V8, if node is installed)
    BENCH native_NAME_seconds Y s
    BENCH wasm_NAME_slowdown Z x         (interpreter / native)
    BENCH wasm_jit_NAME_slowdown Z x     (JIT / native)

then one table with a row per benchmark and a column per engine (seconds),
the JIT against native code and node, and each SIMD build's speed-up over
its scalar build on the JIT; and exits non-zero if a checksum differs or a
program fails.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

# name, argument: sized so that the native run takes about 0.05-0.5 s here
BENCHES = [
    ("fib", 35),
    ("sieve", 20),
    ("sha256", 40),
    ("matmul", 30),
    ("lz", 30),
    ("json", 60),
    ("matmul_simd", 30),
    ("idot", 60),
    ("idot_simd", 60),
    ("fmatmul", 40),
    ("fmatmul_simd", 40),
    ("blur", 40),
    ("blur_simd", 40),
    ("bytesearch", 6),
    ("bytesearch_simd", 6),
    ("branchy", 1000),
    ("zlib", 5),
]


def run_native(path, n):
    out = subprocess.run([path, str(n)], capture_output=True, text=True, check=True,
                         timeout=600).stdout.split()
    return int(out[0]), float(out[1])


ENGINES = [("interp", "wasm"), ("jit", "wasm_jit")]  # kpio-wasm --engine, BENCH prefix
HERE = os.path.dirname(os.path.abspath(__file__))


def run_wasm(kpio_wasm, engine, path, n):
    cmd = [kpio_wasm, "--engine", engine, "--time", path, "--invoke", "run", str(n)]
    if engine == "node":
        cmd = ["node", os.path.join(HERE, "run_node.cjs"), path, str(n)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{path}: kpio-wasm exited with {proc.returncode}: {proc.stderr}")
    m = re.search(r"time: ([0-9.]+) s", proc.stderr)
    r = re.match(r"i32:(\d+)", proc.stdout)
    if not m or not r:
        raise RuntimeError(f"{path}: unexpected output {proc.stdout!r} {proc.stderr!r}")
    return int(r.group(1)), float(m.group(1))


def print_table(table, engines):
    """All results side by side: seconds per engine, then ratios."""
    cols = engines + ["native"]
    head = f"{'benchmark':<16}" + "".join(f"{c:>9}" for c in cols)
    head += f"{'jit/nat':>9}{'jit/node':>9}{'simd x':>8}"
    print(head)
    for name, t in table.items():
        line = f"{name:<16}" + "".join(f"{t[c]:>9.4f}" for c in cols)
        line += f"{t['jit'] / t['native']:>8.2f}x"
        line += f"{t['jit'] / t['node']:>8.2f}x" if "node" in t else f"{'-':>9}"
        scalar = table.get(name.removesuffix("_simd"))
        if name.endswith("_simd") and scalar:
            line += f"{scalar['jit'] / t['jit']:>7.2f}x"
        print(line)
    print("(seconds; jit/nat and jit/node: the JIT's time over native's and V8's, lower is "
          "better; simd x: the scalar build's JIT time over the SIMD build's)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--kpio-wasm", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only")
    args = ap.parse_args()
    d = os.path.join(args.build, "bench", "wasm")
    if shutil.which("node"):
        ENGINES.append(("node", "wasm_node"))
    failed = 0
    table = {}
    for name, n in BENCHES:
        if args.only and args.only not in name:
            continue
        try:
            native = [run_native(os.path.join(d, name.removesuffix("_simd") + ".native"), n)
                      for _ in range(args.repeat)]
            wasm = {engine: [run_wasm(args.kpio_wasm, engine, os.path.join(d, name + ".wasm"), n)
                             for _ in range(args.repeat)]
                    for engine, _ in ENGINES}
        except (OSError, subprocess.SubprocessError, RuntimeError, ValueError, IndexError) as e:
            print(f"bench wasm_{name}: FAILED: {e}", file=sys.stderr)
            failed += 1
            continue
        sums = {s for s, _ in native} | {s for runs in wasm.values() for s, _ in runs}
        if len(sums) != 1:
            print(f"bench wasm_{name}: checksum mismatch: native {[s for s, _ in native]} "
                  + " ".join(f"{e} {[s for s, _ in runs]}" for e, runs in wasm.items()),
                  file=sys.stderr)
            failed += 1
            continue
        tn = min(t for _, t in native)
        table[name] = {"native": tn}
        table[name].update({engine: min(t for _, t in wasm[engine]) for engine, _ in ENGINES})
        for engine, prefix in ENGINES:
            print(f"BENCH {prefix}_{name}_seconds {min(t for _, t in wasm[engine]):.4f} s")
        print(f"BENCH native_{name}_seconds {tn:.4f} s")
        for engine, prefix in ENGINES:
            tw = min(t for _, t in wasm[engine])
            print(f"BENCH {prefix}_{name}_slowdown {tw / tn:.1f} x", flush=True)
    print_table(table, [e for e, _ in ENGINES])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
