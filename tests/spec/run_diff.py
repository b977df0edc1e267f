#!/usr/bin/env python3
"""tests/spec/run_diff.py - lib/wasm against V8 (Node.js) on random programs.

Generates COUNT modules with gen_diff.py (seeds SEED..SEED+COUNT-1), turns
them into binaries with wat2wasm, runs every exported function of each in
both engines (wasm_diff.c on lib/wasm, wasm_diff.cjs on node) and compares
the outputs line by line: results bit for bit (NaNs by NaN-ness) and traps.
One TAP line per batch of modules; a mismatch names the module (the .wat
stays in BUILD/spec/diff/) and shows the differing lines. Without node or
wat2wasm the suite is one SKIP line.

    run_diff.py --build build --runner build/host/tests/wasm_diff [--count 200]
        [--engines interp,jit]

Each engine of lib/wasm (the interpreter, the JIT and the JIT without
SSE4.1/POPCNT by default) is compared with V8 on the same modules, and
each JIT engine also with the interpreter line by line (without node only
that comparison runs).
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BATCH = 50


def split_outputs(text):
    """{module file: [lines]} from '== FILE' separated output."""
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith("== "):
            cur = out.setdefault(line[3:], [])
        elif cur is not None:
            cur.append(line)
    return out


def run_batch(args, seeds, outdir):
    files = []
    for seed in seeds:
        wat = os.path.join(outdir, f"m{seed}.wat")
        wasm = os.path.join(outdir, f"m{seed}.wasm")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_diff.py"), str(seed), wat]
                       + (["--simd"] if args.simd else []), check=True, timeout=60)
        proc = subprocess.run(["wat2wasm", wat, "-o", wasm], capture_output=True, text=True,
                              timeout=60)
        if proc.returncode:
            return {e: (0, [f"wat2wasm rejected {wat}: {proc.stderr.strip()}"])
                    for e in args.engines}
        files.append(wasm)
    if args.node:
        v8 = subprocess.run(["node", os.path.join(HERE, "wasm_diff.cjs")] + files,
                            capture_output=True, text=True, errors="replace", timeout=600)
    results, outs = {}, {}
    for engine in args.engines:
        ours = subprocess.run([args.runner, "-e", engine] + files, capture_output=True,
                              text=True, errors="replace", timeout=600)
        outs[engine] = ours
    for engine in args.engines:
        ours = outs[engine]
        if engine != "interp" and "interp" in outs:  # the same lines as the interpreter
            results[f"{engine} vs interp"] = compare(files, ours, outs["interp"], engine,
                                                     "interp")
        if not args.node:
            continue
        if ours.returncode not in (0, 1) or v8.returncode:
            results[engine] = (0, [f"runner ({engine}) status {ours.returncode}, node status "
                                   f"{v8.returncode}", ours.stderr[-2000:], v8.stderr[-2000:]])
            continue
        results[engine] = compare(files, ours, v8, engine, "V8")
    return results


def compare(files, ours, ref, engine, ref_name):
    """(calls, problems): the outputs of lib/wasm's engine and the reference."""
    if ours.returncode not in (0, 1) or ref.returncode not in (0, 1):
        return (0, [f"runner ({engine}) status {ours.returncode}, {ref_name} status "
                    f"{ref.returncode}", ours.stderr[-2000:], ref.stderr[-2000:]])
    a, b = split_outputs(ours.stdout), split_outputs(ref.stdout)
    problems, calls = [], 0
    for f in files:
        name = os.path.basename(f)
        la, lb = a.get(name), b.get(name)
        if la is None or lb is None:
            problems.append(f"{name}: no output from {engine if la is None else ref_name}")
            continue
        calls += len(la)
        if la != lb:
            diffs = [f"  lib/wasm ({engine}): {x}\n  {ref_name + ':':9} {y}"
                     for x, y in zip(la, lb) if x != y]
            if len(la) != len(lb):
                diffs.append(f"  {len(la)} lines vs {len(lb)}")
            problems.append(f"{f[:-5]}.wat differs:\n" + "\n".join(diffs[:4]))
    return (calls, problems)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runner", required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--simd", action="store_true",
                    help="SIMD in every module, and much of it (gen_diff.py --simd)")
    ap.add_argument("--engines", default="interp,jit,jit-baseline",
                    help="lib/wasm engines to compare with V8, comma-separated")
    args = ap.parse_args()
    args.engines = args.engines.split(",")
    t = Tap()
    if not shutil.which("wat2wasm"):
        t.skip("differential test", "wat2wasm not installed")
        return t.done()
    args.node = shutil.which("node") is not None
    if not args.node:
        t.skip("differential test against V8", "node not installed (engines compared with "
               "the interpreter only)")
    outdir = os.path.join(args.build, "spec", "diff-simd" if args.simd else "diff")
    os.makedirs(outdir, exist_ok=True)
    total = 0
    for start in range(args.seed, args.seed + args.count, BATCH):
        seeds = range(start, min(start + BATCH, args.seed + args.count))
        for engine, (calls, problems) in run_batch(args, seeds, outdir).items():
            total += calls
            ref = "" if " vs " in engine else " vs V8"
            t.ok(not problems, f"lib/wasm ({engine}{ref}) agrees on random modules "
                 f"{seeds[0]}..{seeds[-1]} ({calls} calls)", "\n".join(problems[:10]))
    t.diag(f"{total} calls compared")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
