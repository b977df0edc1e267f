#!/usr/bin/env python3
"""tests/apps/test_abi.py - the apps' imports and exports checked against
the standard's own table, without jco:

- apps/include/wasi2/imports.h is exactly what scripts/gen_wasi_imports.py
  makes from core-signatures-0.2.12.tsv and the WIT (no drift);
- every WASI 0.2 import of every app (read from the built .wasm with
  wasm-objdump) is a row of core-signatures-0.2.12.tsv with the same core
  parameters and results (any @0.2.N version is accepted, as KPIO and jco
  accept it); everything else comes from wasi_snapshot_preview1;
- apps with WASI 0.2 imports export memory, cabi_realloc and _start, and
  cabi_realloc is (i32 i32 i32 i32) -> i32.

WASI_WIT (default ../shared/wit) holds the tables; without it: SKIP.

    python3 tests/apps/test_abi.py [--build build]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from tap import Tap  # noqa: E402

APPS = ["hello", "echo", "cat", "ls", "cp", "mv", "rm", "mkdir", "wc", "sha256sum", "trap", "spin",
        "sleep", "simdmix", "fetch", "nc", "nslookup", "httpd"]


def read_tsv(path):
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 4 and cols[0] != "module":
                mod = re.sub(r"@0\.2\.\d+$", "", cols[0])
                params = [] if cols[2] == "-" else cols[2].split()
                results = [] if cols[3] == "-" else cols[3].split()
                table[(mod, cols[1])] = (params, results)
    return table


def wasm_interface(path):
    """(imports [(module, field, params, results)], exports {name: kind or sig})."""
    out = subprocess.run(["wasm-objdump", "-x", path], capture_output=True, text=True,
                         check=True).stdout
    types = {}
    for m in re.finditer(r"^ - type\[(\d+)\] \((.*?)\) -> (\S+)$", out, re.M):
        params = [p.strip() for p in m.group(2).split(",") if p.strip()]
        results = [] if m.group(3) == "nil" else [m.group(3)]
        types[int(m.group(1))] = (params, results)
    imports = []
    for m in re.finditer(r"^ - func\[\d+\] sig=(\d+) <[^>]*> <- (.+)$", out, re.M):
        full = m.group(2)
        mm = re.match(r"(wasi:[a-z-]+/[a-z-]+@\d+\.\d+\.\d+)\.(.+)$", full) or \
            re.match(r"([^.]+)\.(.+)$", full)
        imports.append((mm.group(1), mm.group(2)) + types[int(m.group(1))])
    exports = {}
    funcs = {}
    for m in re.finditer(r"^ - func\[(\d+)\] sig=(\d+) <([^>]*)>", out, re.M):
        funcs[int(m.group(1))] = types[int(m.group(2))]
    for m in re.finditer(r'^ - (func|memory)\[(\d+)\] (?:<[^>]*> )?-> "([^"]+)"$', out, re.M):
        exports[m.group(3)] = funcs.get(int(m.group(2))) if m.group(1) == "func" else "memory"
    return imports, exports


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("KPIO_BUILD", "build"))
    args = ap.parse_args()
    t = Tap()
    wit = os.environ.get("WASI_WIT") or os.path.join(ROOT, "..", "shared", "wit")
    tsv = os.path.join(wit, "core-signatures-0.2.12.tsv")
    if not os.path.exists(tsv):
        t.skip("the apps' WASI 0.2 imports match the standard's table", f"no {tsv} (set WASI_WIT)")
        return t.done()
    header = os.path.join(ROOT, "apps", "include", "wasi2", "imports.h")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_wasi_imports.py"),
                        "--wit", wit, "--check", header], capture_output=True, text=True)
    t.ok(r.returncode == 0, "apps/include/wasi2/imports.h is what gen_wasi_imports.py makes",
         r.stderr + r.stdout)
    if not shutil.which("wasm-objdump"):
        t.skip("the apps' imports and exports", "wasm-objdump (wabt) is not installed")
        return t.done()
    table = read_tsv(tsv)
    for app in APPS:
        path = os.path.join(args.build, "apps", app + ".wasm")
        if not os.path.exists(path):
            t.ok(False, f"{app}: built", path)
            continue
        imports, exports = wasm_interface(path)
        bad, p2 = [], 0
        for mod, field, params, results in imports:
            if mod == "wasi_snapshot_preview1":
                continue
            key = (re.sub(r"@0\.2\.\d+$", "", mod), field)
            if not mod.startswith("wasi:") or key not in table:
                bad.append(f"{mod} {field}: not a WASI 0.2 import")
            elif table[key] != (params, results):
                bad.append(f"{mod} {field}: {params} -> {results}, the standard says "
                           f"{table[key][0]} -> {table[key][1]}")
            p2 += 1
        t.ok(not bad, f"{app}: {p2} WASI 0.2 imports, each as core-signatures-0.2.12.tsv has it",
             "\n".join(bad))
        if p2:
            want = {"memory": "memory", "_start": ([], []),
                    "cabi_realloc": (["i32", "i32", "i32", "i32"], ["i32"])}
            got = {k: exports.get(k) for k in want}
            t.ok(got == want, f"{app}: exports memory, _start and cabi_realloc", f"{exports}")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
