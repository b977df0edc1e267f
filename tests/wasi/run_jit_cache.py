#!/usr/bin/env python3
"""tests/wasi/run_jit_cache.py - kpio-wasm --jit-cache across processes
(host/kpio-wasm/jit_cache.h): each run is a new process with its own
address layout (PIE + ASLR), so code from an earlier run only works if
every address in it is a relocation.

1. The first run of sha256sum writes DIR/<first 32 hex digits of its
   SHA-256>.jit (the name computed here); the second run prints the same
   and leaves the file as it is (a run that compiled would write it anew).
2. A file with one byte flipped is reported stale and ignored, the app
   prints the same, and the file written anew is byte for byte the first
   one (nothing of the writing process is in it).
3. The release build (gcc -O2) starts from the file the sanitizer build
   (clang) wrote: same engine sources, same layout.
"""
import argparse
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

TEXT = b"cached code, other addresses\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    t = Tap()
    asan = os.path.join(args.build, "host", "bin", "kpio-wasm")
    rel = os.path.join(args.build, "rel", "bin", "kpio-wasm")
    app = os.path.join(args.build, "apps", "sha256sum.wasm")
    with open(app, "rb") as f:
        name = hashlib.sha256(f.read()).hexdigest()[:32] + ".jit"
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        with open(os.path.join(tmp, "f.txt"), "wb") as f:
            f.write(TEXT)
        want = hashlib.sha256(TEXT).hexdigest() + "  /f.txt\n"

        def run(kw):
            p = subprocess.run([kw, "--jit-cache", cache, "--dir", f"{tmp}::/", app, "/f.txt"],
                               capture_output=True, text=True, timeout=120)
            return p.returncode, p.stdout, p.stderr

        path = os.path.join(cache, name)
        rc, out, err = run(asan)
        t.ok(rc == 0 and out == want, "first run: sha256sum prints the hash", out + err)
        files = os.listdir(cache) if os.path.isdir(cache) else None
        t.ok(files == [name], f"first run: the cache holds {name} only", str(files))
        if not os.path.exists(path):
            return t.done()
        before = os.stat(path)
        with open(path, "rb") as f:
            first = f.read()
        rc, out, err = run(asan)
        after = os.stat(path)
        t.ok(rc == 0 and out == want and err == "", "second run: the same output, nothing said",
             out + err)
        t.ok((after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns),
             "second run: started from the file (not written anew)")
        bad = bytearray(first)
        bad[len(bad) // 2] ^= 0x10
        with open(path, "wb") as f:
            f.write(bad)
        rc, out, err = run(asan)
        t.ok(rc == 0 and out == want and "stale or corrupt, ignored" in err,
             "damaged file: reported, ignored, the same output", out + err)
        with open(path, "rb") as f:
            t.ok(f.read() == first, "damaged file: written anew, byte for byte the first one")
        if os.access(rel, os.X_OK):
            before = os.stat(path)
            rc, out, err = run(rel)
            after = os.stat(path)
            t.ok(rc == 0 and out == want and err == "" and
                 (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns),
                 "release build: starts from the sanitizer build's file", out + err)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
