#!/usr/bin/env python3
"""tests/spec/run_spec.py - the WebAssembly spec test suite against lib/wasm.

Converts each .wast of SUITE/<set>/ with wast2json (Debian's wabt) into
BUILD/spec/<set>/<name>/ and runs tests/spec/spec_runner on it. Prints one
TAP line per .wast file with its assertion counts (a file passes when all
its non-skipped assertions pass), the failures as diagnostics, and the
totals at the end. Text-format assert_malformed modules are skipped and
counted as skipped.

    run_spec.py --build build --runner build/host/tests/spec_runner \
        --suite ../shared/wasm-testsuite core [--engine interp|jit|jit-baseline] [--only NAME] [-v]
        [--simd-fallback]

A missing test suite or wast2json makes the suite one SKIP line.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from filelock import held  # noqa: E402
from tap import Tap  # noqa: E402

SUMMARY = re.compile(r"^SUMMARY (\S+) passed=(\d+) failed=(\d+) skipped=(\d+) actions=(\d+)")


def convert(wast, outdir):
    """wast2json into outdir, unless the JSON there is newer than the .wast.
    The suites of one set (core on each engine) share outdir: one converts
    while the others wait."""
    with held(outdir):
        return convert_unlocked(wast, outdir)


def convert_unlocked(wast, outdir):
    name = os.path.splitext(os.path.basename(wast))[0]
    js = os.path.join(outdir, name + ".json")
    if os.path.exists(js) and os.path.getmtime(js) >= os.path.getmtime(wast):
        return js, None
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    os.makedirs(outdir)
    proc = subprocess.run(["wast2json", wast, "-o", js], capture_output=True, text=True,
                          timeout=300)
    if proc.returncode:
        return None, proc.stderr
    return js, None


def run_file(runner, js, verbose, timeout, engine, simd_fallback):
    cmd = [runner] + (["-v"] if verbose else []) + (["-S"] if simd_fallback else [])
    cmd += ["-e", engine, js]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, [f"timed out after {timeout} s"]
    out = proc.stdout.splitlines()
    summary = None
    for line in out:
        m = SUMMARY.match(line)
        if m:
            summary = tuple(int(x) for x in m.groups()[1:])
    notes = [ln for ln in out if ln.startswith(("FAIL", "NOTE"))]
    if summary is None or proc.returncode not in (0, 1):
        notes.append(f"runner exited with status {proc.returncode}")
        notes += proc.stderr.splitlines()[-30:]
        return None, notes
    return summary, notes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runner", required=True)
    ap.add_argument("--suite", default="../shared/wasm-testsuite")
    ap.add_argument("--only", help="run only .wast files whose name contains this")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--engine", default="interp", choices=["interp", "jit", "jit-baseline"],
                    help="lib/wasm engine: the interpreter, the JIT, or the JIT without "
                    "SSE4.1/POPCNT")
    ap.add_argument("--simd-fallback", action="store_true",
                    help="with a JIT engine, modules that use v128 may run on the interpreter "
                    "(the JIT has no SIMD yet)")
    ap.add_argument("set", nargs="?", default="core")
    args = ap.parse_args()
    t = Tap()

    src = os.path.join(args.suite, args.set)
    if not os.path.isdir(src):
        t.skip(f"spec {args.set}",
               f"test suite not found at {src} (set WASM_TESTSUITE to the wasm-testsuite folder)")
        return t.done()
    if not shutil.which("wast2json"):
        t.skip(f"spec {args.set}", "wast2json not installed (Debian package wabt)")
        return t.done()

    files = sorted(f for f in os.listdir(src) if f.endswith(".wast"))
    if args.only:
        files = [f for f in files if args.only in f]
    totals = [0, 0, 0, 0]
    bad_files = 0
    in_c = 0  # files with simd instructions done by jit_h_simd (JIT engines)
    for f in files:
        name = os.path.splitext(f)[0]
        outdir = os.path.join(args.build, "spec", args.set, name)
        js, err = convert(os.path.join(src, f), outdir)
        label = f"{args.set}/{f}"
        if js is None:
            t.ok(False, f"{label}: wast2json failed", err)
            bad_files += 1
            continue
        summary, notes = run_file(args.runner, js, args.verbose, args.timeout, args.engine,
                                  args.simd_fallback)
        if summary is None:
            t.ok(False, f"{label}: runner failed", "\n".join(notes))
            bad_files += 1
            continue
        p, fl, s, a = summary
        if any("call the interpreter's lane code" in n for n in notes):
            in_c += 1
        for i, v in enumerate(summary):
            totals[i] += v
        t.ok(fl == 0, f"{label}: {p} passed, {fl} failed, {s} skipped ({a} actions)",
             "\n".join(notes[:40]))
        if args.verbose and fl == 0 and notes:
            t.diag("\n".join(notes))
    p, fl, s, a = totals
    if args.engine != "interp" and args.set != "core":
        t.diag(f"{len(files) - in_c} of {len(files)} files: every SIMD instruction in machine "
               f"code ({in_c} files have some done by the interpreter's lane code)")
    t.diag(f"spec {args.set} total: {len(files)} files, {p} assertions passed, {fl} failed, "
           f"{s} skipped (text-format modules), {a} actions"
           + (f", {bad_files} files could not run" if bad_files else ""))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
