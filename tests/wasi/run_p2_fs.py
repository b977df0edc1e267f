#!/usr/bin/env python3
"""tests/wasi/run_p2_fs.py - wasi:filesystem (WASI 0.2) on the host.

    run_p2_fs.py --build BUILD

BUILD/tests/wasi/p2_fs.wasm (tests/wasi/p2_fs.c) imports wasi:filesystem
directly through the app SDK's header:

- under the sanitizer build of kpio-wasm, with an empty folder preopened
  as /data: its output must equal p2_fs.expected, its status be 0 and the
  folder be empty again at the end;
- readlink-at of a link to an absolute path (made by this script) is
  not-permitted, as types.wit says;
- hostile calls (p2_fs hostile CASE: bad handles, wrong resource types,
  huge lengths, bad return areas, invalid enum cases) must each trap with
  a clear message, never crash (ASan would report it);
- the same module made a component with `jco embed` + `jco new` (WIT
  apps/wit/world.wit), run as "p2_fs portable" (without the calls jco's
  node host cannot take) under `jco run` with the folder preopened as
  /data, must print what kpio-wasm prints for "p2_fs portable", except
  the lines listed in JCO_DIFFERS with the reason. SKIP with the variable to set when jco, node or the
  WIT is missing (JCO_DIR, WASI_WIT; tests/apps/jco.py).
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "apps"))
from jco import Jco, JcoHost  # noqa: E402
from tap import Tap  # noqa: E402

HOSTILE = {
    "bad-handle": "unknown handle 12345 for a descriptor",
    "wrong-type": "for a descriptor",
    "dir-stream-as-descriptor": "for a descriptor",
    "huge-path": "path out of bounds",
    "huge-write": "write buffer out of bounds",
    "bad-return": "return area",
    "misaligned-return": "return area",
    "not-utf8": "path out of bounds or not UTF-8",
    "double-drop": "unknown handle",
    "bad-advice": "advice case 99 out of range",
    "bad-timestamp": "new-timestamp case out of range",
    "bad-error": "for a error",
}

# Lines of "p2_fs portable" where jco's node host (preview2-shim 0.26)
# answers differently from wasmtime and KPIO, and why. Compared by prefix.
# (The calls that make the shim throw a JavaScript error, ending the run,
# are left out by the portable mode itself; see tests/wasi/p2_fs.c.)
JCO_DIFFERS = {
    "/data: type directory flags": "the shim gives a preopen no descriptor-flags",
    "read-directory:": "the shim cannot list a preopened folder (bad-descriptor)",
    "read-directory at the end": "same",
    "is-same-object preopen and .": "the shim compares JavaScript objects, not files",
    "metadata-hash:": "the shim hashes a preopen by its handle number",
    "mtime:": "the shim converts new-timestamp seconds wrongly",
    "set-times 10^9 ns": "the shim does not check nanoseconds < 10^9",
    "set-times-at": "the shim needs stat() of the preopen itself, which it refuses",
    "open-at empty path": "the shim opens the directory itself for an empty path",
    "open-at a very long path": "the shim has no path length limit (Linux: no-entry)",
}


def text(b):
    return b.decode("utf-8", "replace")


def run_kpio(build, args, data):
    kpio = os.path.join(build, "host", "bin", "kpio-wasm")
    wasm = os.path.join(build, "tests", "wasi", "p2_fs.wasm")
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
    return subprocess.run([kpio, "--dir", data + "::/data", wasm] + args, capture_output=True,
                          timeout=120, env=env, stdin=subprocess.DEVNULL)


def test_kpio(t, build):
    expected = open(os.path.join(HERE, "p2_fs.expected")).read()
    with tempfile.TemporaryDirectory() as data:
        r = run_kpio(build, [], data)
        out = text(r.stdout)
        t.ok(r.returncode == 0, "p2_fs: runs to the end under kpio-wasm, status 0",
             f"status {r.returncode}\n{text(r.stderr)[-3000:]}")
        diff = [f"-{e}\n+{g}" for e, g in zip(expected.splitlines(), out.splitlines()) if e != g]
        t.ok(out == expected, "p2_fs: output equals p2_fs.expected",
             "\n".join(diff[:20]) + f"\n(lines: expected {len(expected.splitlines())}, "
             f"got {len(out.splitlines())})")
        t.ok(os.listdir(data) == [], "p2_fs: the preopened folder is empty at the end",
             str(os.listdir(data)))


def test_absolute_link(t, build):
    with tempfile.TemporaryDirectory() as data:
        os.symlink("/etc/passwd", os.path.join(data, "abs"))
        r = run_kpio(build, ["abs"], data)
    t.ok(r.returncode == 0 and text(r.stdout).endswith("readlink-at abs: error not-permitted\n"),
         "p2_fs: readlink-at of a link to an absolute path is not-permitted",
         text(r.stdout) + text(r.stderr)[-2000:])


def test_hostile(t, build):
    for case, msg in HOSTILE.items():
        with tempfile.TemporaryDirectory() as data:
            r = run_kpio(build, ["hostile", case], data)
        out, err = text(r.stdout), text(r.stderr)
        t.ok(r.returncode == 134 and "before" in out and "after" not in out and msg in err
             and "AddressSanitizer" not in err and "runtime error" not in err,
             f"p2_fs hostile: {case} traps with a clear message",
             f"status {r.returncode}\n{out}{err[-2000:]}")


def test_jco(t, build):
    name = "p2_fs: jco run on node prints what kpio-wasm prints"
    jco = Jco(build)
    try:
        why = jco.prepare()
        if why:
            t.skip(name, why)
            return
        comp, err = jco.componentize(os.path.join(build, "tests", "wasi", "p2_fs.wasm"), "p2_fs")
        t.ok(comp is not None, "p2_fs: componentized with jco embed + jco new", err[-3000:])
        if not comp:
            return
        host = JcoHost(jco, {"p2_fs": comp})
        with tempfile.TemporaryDirectory() as data:
            r = host.run("p2_fs", ["portable"], dirs={data: "/data"})
        with tempfile.TemporaryDirectory() as data:
            k = run_kpio(build, ["portable"], data)
        kpio_out = text(k.stdout)
        jout = [x for x in r.text.splitlines() if not x.startswith(tuple(JCO_DIFFERS))]
        kout = [x for x in kpio_out.splitlines() if not x.startswith(tuple(JCO_DIFFERS))]
        diff = [f"-kpio {k}\n+jco  {j}" for k, j in zip(kout, jout) if k != j]
        t.ok(r.rc == 0 and jout == kout and "done" in jout, name,
             f"status {r.rc}\n" + "\n".join(diff[:30]) + f"\n{r.errtext[-1500:]}")
    finally:
        jco.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    t = Tap()
    for fn in (test_kpio, test_absolute_link, test_hostile):
        try:
            fn(t, args.build)
        except Exception:  # one broken group reports and the rest go on
            import traceback
            t.ok(False, "a p2_fs test group ran", traceback.format_exc())
    try:
        test_jco(t, args.build)
    except Exception:
        import traceback
        t.ok(False, "the jco comparison ran", traceback.format_exc())
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
