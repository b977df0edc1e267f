#!/usr/bin/env python3
"""tests/shell/test_dash.py - lib/shell against dash.

Every script of tests/shell/corpus runs under dash and under kpio-sh (lib/shell
over a POSIX embedder, tests/shell/kpio_sh.c) in a fresh directory holding
the same files and with the same environment; stdout and the exit status
must be equal. Every line of tests/shell/errors.txt must be a syntax error
for both (status 2, nothing on stdout), and kpio-sh's message must name a
column. SKIP (never pass) without dash.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from split_errors import scripts  # noqa: E402


def make_tree(d):
    for name, text in [("a.txt", "alpha\n"), ("b.txt", "beta\n"), ("c.log", "log\n"),
                       (".hidden", "h\n"), ("sub/x.txt", "x\n"), ("sub/y.dat", "y\n")]:
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)


def run(cmd, cwd, script_path=None, script=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/home/test",
           "LC_ALL": "C", "TESTVAR": "from env"}
    args = cmd + ([script_path] if script_path else ["-c", script])
    p = subprocess.run(args, cwd=cwd, env=env, capture_output=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    t = Tap()
    kpio = [os.path.join(os.path.abspath(a.build), "host", "bin", "kpio-sh")]
    dash = shutil.which("dash")
    corpus = sorted(f for f in os.listdir(os.path.join(HERE, "corpus")) if f.endswith(".sh"))
    errors = list(scripts(os.path.join(HERE, "errors.txt")))
    if not dash:
        for f in corpus:
            t.skip("corpus " + f, "dash is not installed (scripts/setup.sh installs it)")
        t.skip("syntax errors", "dash is not installed")
        sys.exit(t.done())
    for f in corpus:
        path = os.path.join(HERE, "corpus", f)
        res = []
        for cmd in ([dash], kpio):
            with tempfile.TemporaryDirectory() as d:
                make_tree(d)
                res.append(run(cmd, d, script_path=path))
        (ds, do, de), (ks, ko, ke) = res
        t.ok(ds == ks and do == ko, "corpus %s (status %d, %d bytes of output)" % (f, ds, len(do)),
             diag="dash: status %d\n%s\nkpio-sh: status %d\n%s\nkpio-sh stderr:\n%s" % (
                 ds, do.decode(errors="replace"), ks, ko.decode(errors="replace"),
                 ke.decode(errors="replace")))
    for s in errors:
        with tempfile.TemporaryDirectory() as d:
            ds, do, _ = run([dash], d, script=s)
            ks, ko, ke = run(kpio, d, script=s)
        msg = ke.decode(errors="replace").strip()
        good = ds == 2 and ks == 2 and do == b"" and ko == b"" and "column" in msg and \
            "syntax error" in msg
        t.ok(good, "syntax error %r: %s" % (s, msg),
             diag="dash status %d stdout %r; kpio-sh status %d stdout %r" % (ds, do, ks, ko))
    sys.exit(t.done())


if __name__ == "__main__":
    main()
