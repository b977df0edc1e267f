#!/usr/bin/env python3
"""tests/apps/test_p1.py - KPIO's preview1 apps (hello, echo, cat, ls, cp,
mv, rm, mkdir, wc, sha256sum, trap, spin, sleep) on every WASI host of
tests/apps/hosts.py: node's node:wasi, and host/kpio-wasm once it runs WASI
programs (until then its cases are SKIP with the reason).

Oracles: GNU coreutils. Each case runs the app in a fresh copy of a
fixture folder preopened as "/" (so relative operands mean the same
thing) and the GNU program of the same name in another copy, with the
same operands and stdin, LC_ALL=C; stdout, stderr, the exit status (of a
usage error too: 1 for most coreutils, 2 for ls) and the folder tree
afterwards must all match. Where GNU has no counterpart (ls -l's format, hello,
trap, spin, sleep) the expected output is computed here. With both hosts
available, a differential case per app compares node with kpio-wasm.

    python3 tests/apps/test_p1.py [--build build]
"""
import argparse
import hashlib
import os
import random
import shutil
import stat
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from tap import Tap  # noqa: E402
sys.path.insert(0, HERE)
from hosts import hosts, run_cmd  # noqa: E402

APPS = ["hello", "echo", "cat", "ls", "cp", "mv", "rm", "mkdir", "wc", "sha256sum",
        "trap", "spin", "sleep"]
# The ones GNU coreutils has (hello, trap and spin are KPIO's own).
GNU_APPS = [a for a in APPS if a not in ("hello", "trap", "spin")]


def make_fixture(root):
    """The folder every case starts from."""
    rnd = random.Random(7)

    def put(rel, data):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    put("a.txt", b"alpha\nbeta gamma\n")
    put("b.txt", b"one two  three\nfour\n\n  five\t six  \n")
    put("noeol.txt", b"no newline at the end")
    put("empty", b"")
    put("big.bin", bytes(rnd.getrandbits(8) for _ in range(300 * 1024 + 17)))
    put("name with space.txt", b"spaced\n")
    put(".dot", b"hidden\n")
    put("sub/x.txt", b"x\n")
    put("sub/.hidden", b"h")
    put("sub/deeper/y.txt", b"why\n")
    sums = (hashlib.sha256(b"alpha\nbeta gamma\n").hexdigest() + "  a.txt\n"
            + "0" * 64 + "  b.txt\n"
            + hashlib.sha256(b"").hexdigest() + " *empty\n"
            + "this line is not a checksum\n"
            + hashlib.sha256(b"x").hexdigest() + "  nope\n")
    put("sums", sums.encode())
    os.makedirs(os.path.join(root, "emptydir"))


def tree(root):
    """{relative path: 'dir' or sha256 of the contents}."""
    out = {}
    for d, dirs, files in os.walk(root):
        for name in dirs:
            out[os.path.relpath(os.path.join(d, name), root)] = "dir"
        for name in files:
            with open(os.path.join(d, name), "rb") as f:
                out[os.path.relpath(os.path.join(d, name), root)] = hashlib.sha256(f.read()).hexdigest()
    return out


# (app, args, stdin): GNU is the oracle for these, usage errors included.
GNU_CASES = [
    ("echo", [], b""),
    ("echo", ["hello", "world"], b""),
    ("echo", ["-n", "no", "newline"], b""),
    ("echo", ["-e", "tab\\there\\nnl \\x41\\0102 \\e[0m\\\\"], b""),
    ("echo", ["-e", "stop\\cnot printed", "nor this"], b""),
    ("echo", ["-E", "raw\\tstays"], b""),
    ("echo", ["-nE", "x"], b""),
    ("echo", ["-x", "--", "-n-"], b""),
    ("cat", ["a.txt"], b""),
    ("cat", ["a.txt", "b.txt", "noeol.txt", "empty"], b""),
    ("cat", ["big.bin"], b""),
    ("cat", ["nope"], b""),
    ("cat", ["a.txt", "nope", "b.txt"], b""),
    ("cat", ["sub"], b""),
    ("cat", [], b"from stdin\n"),
    ("cat", ["a.txt", "-", "b.txt"], b"middle\n"),
    ("cat", ["name with space.txt", "sub/deeper/y.txt"], b""),
    ("cat", ["-z"], b""),
    ("ls", [], b""),
    ("ls", ["-a"], b""),
    ("ls", ["-1", "sub"], b""),
    ("ls", ["-a", "sub"], b""),
    ("ls", ["a.txt", "sub", "emptydir"], b""),
    ("ls", ["nope"], b""),
    ("ls", ["b.txt", "nope", "sub"], b""),
    ("ls", ["sub/deeper", "a.txt", "."], b""),
    ("ls", ["--bogus"], b""),
    ("wc", ["a.txt"], b""),
    ("wc", ["a.txt", "b.txt", "noeol.txt", "empty"], b""),
    ("wc", ["-l", "b.txt"], b""),
    ("wc", ["-w", "b.txt"], b""),
    ("wc", ["-c", "big.bin"], b""),
    ("wc", ["-lw", "a.txt", "b.txt"], b""),
    ("wc", ["big.bin"], b""),
    ("wc", ["nope", "a.txt"], b""),
    ("wc", ["a.txt", "nope"], b""),
    ("wc", ["sub"], b""),
    ("wc", [], b"one two\nthree\n"),
    ("wc", ["-l"], b"one two\nthree\n"),
    ("wc", ["-lc", "a.txt", "-"], b"x y z\n"),
    ("sha256sum", ["a.txt", "big.bin", "empty", "name with space.txt"], b""),
    ("sha256sum", ["nope", "a.txt"], b""),
    ("sha256sum", ["sub"], b""),
    ("sha256sum", [], b"stdin data"),
    ("sha256sum", ["-c", "sums"], b""),
    ("sha256sum", ["-c", "a.txt"], b""),
    ("cp", ["a.txt", "c.txt"], b""),
    ("cp", ["big.bin", "big2.bin"], b""),
    ("cp", ["a.txt", "b.txt"], b""),
    ("cp", ["a.txt", "sub"], b""),
    ("cp", ["a.txt", "b.txt", "emptydir"], b""),
    ("cp", ["a.txt", "b.txt", "noeol.txt"], b""),
    ("cp", ["nope", "x"], b""),
    ("cp", ["sub", "d2"], b""),
    ("cp", ["-r", "sub", "d2"], b""),
    ("cp", ["-r", "sub", "emptydir"], b""),
    ("cp", ["a.txt", "a.txt"], b""),
    ("cp", ["a.txt"], b""),
    ("cp", [], b""),
    ("mv", ["a.txt", "c.txt"], b""),
    ("mv", ["a.txt", "b.txt"], b""),
    ("mv", ["a.txt", "sub"], b""),
    ("mv", ["a.txt", "b.txt", "emptydir"], b""),
    ("mv", ["sub", "sub2"], b""),
    ("mv", ["sub", "emptydir"], b""),
    ("mv", ["nope", "x"], b""),
    ("mv", ["a.txt", "a.txt"], b""),
    ("mv", ["a.txt", "b.txt", "noeol.txt"], b""),
    ("mv", ["a.txt"], b""),
    ("rm", ["a.txt"], b""),
    ("rm", ["nope"], b""),
    ("rm", ["-f", "nope"], b""),
    ("rm", ["sub"], b""),
    ("rm", ["-r", "sub"], b""),
    ("rm", ["-rf", "sub", "nope", "emptydir"], b""),
    ("rm", ["a.txt", "nope", "b.txt"], b""),
    ("rm", ["."], b""),
    ("rm", ["sub/.."], b""),
    ("rm", [], b""),
    ("mkdir", ["newdir"], b""),
    ("mkdir", ["sub"], b""),
    ("mkdir", ["a", "b", "sub/c"], b""),
    ("mkdir", ["x/y"], b""),
    ("mkdir", ["-p", "x/y/z", "sub/deeper"], b""),
    ("mkdir", ["-p", "sub"], b""),
    ("mkdir", [], b""),
    ("sleep", ["x"], b""),
    ("sleep", [], b""),
]


def gnu(app, args, stdin, cwd):
    env = dict(os.environ, LC_ALL="C", POSIXLY_CORRECT="")
    env.pop("POSIXLY_CORRECT")
    return run_cmd([app] + args, stdin, cwd, env=env, timeout=60)


class Work:
    """A fresh copy of the fixture for one run."""

    def __init__(self, fixture):
        self.tmp = tempfile.mkdtemp(prefix="kpio-apps-")
        self.dir = os.path.join(self.tmp, "w")
        shutil.copytree(fixture, self.dir, symlinks=True)

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


# Apps without a GNU counterpart exit with this on a usage error (the
# SDK's CLI_USAGE, apps/README.md).
OWN_USAGE_RC = 2


def usage_rc(app):
    """The exit status of a usage error of the GNU program named app (on
    this host), found by giving it an unknown option."""
    tmp = tempfile.mkdtemp(prefix="kpio-usage-")
    try:
        return gnu(app, ["--kpio-no-such-option"], b"", tmp).rc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def show(data):
    """Short text of some output: itself, or its size and hash when long."""
    if len(data) <= 400:
        return repr(data)
    return f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}..., {data[:100]!r}"


def same(host_res, gnu_res):
    """Differences between an app run and GNU's, as text ('' if none)."""
    diffs = []
    if host_res.rc != gnu_res.rc:
        diffs.append(f"exit status {host_res.rc}, want GNU's {gnu_res.rc}")
    if host_res.out != gnu_res.out:
        diffs.append(f"stdout {show(host_res.out)}\n  want {show(gnu_res.out)}")
    if host_res.err != gnu_res.err:
        diffs.append(f"stderr {host_res.err[:400]!r}\n  want {gnu_res.err[:400]!r}")
    return "\n".join(diffs)


def run_gnu_cases(t, host, fixture, record):
    for app, args, stdin in GNU_CASES:
        name = f"{host.name}: {app} {' '.join(args)}".rstrip()
        mine, theirs = Work(fixture), Work(fixture)
        try:
            res = host.run(app, args, {mine.dir: "/"}, stdin, cwd=mine.dir)
            ref = gnu(app, args, stdin, theirs.dir)
            diff = same(res, ref)
            if not diff and tree(mine.dir) != tree(theirs.dir):
                a, b = tree(mine.dir), tree(theirs.dir)
                diff = f"trees differ: only here {sorted(set(a.items()) - set(b.items()))}, " \
                       f"only GNU {sorted(set(b.items()) - set(a.items()))}"
            t.ok(not diff, name, diff)
            record[(app, tuple(args), stdin)] = (res, tree(mine.dir))
        finally:
            mine.close()
            theirs.close()


def ls_long_expected(root, names, at_preopen=False):
    """ls -l's lines computed from os.lstat in GNU `ls -go`'s format
    without the total line (the app's documented format; the permission
    bits are always FAT's rw-r--r-- / rwxr-xr-x: WASI has none). The parent
    of a preopened folder is outside the sandbox: shown with '?'s."""
    sts = {n: os.lstat(os.path.join(root, n)) for n in names if n != ".." or not at_preopen}
    lw = max([len(str(s.st_nlink)) for s in sts.values()] + [1])
    sw = max([len(str(s.st_size)) for s in sts.values()] + [1])
    now = time.time()
    lines = []
    for n in names:
        if n not in sts:
            lines.append(f"d????????? {'?':>{lw}} {'?':>{sw}} {'?':>12} {n}")
            continue
        s = sts[n]
        kind = "d" if stat.S_ISDIR(s.st_mode) else "l" if stat.S_ISLNK(s.st_mode) else "-"
        perm = {"d": "rwxr-xr-x", "l": "rwxrwxrwx"}.get(kind, "rw-r--r--")
        recent = now - 31556952 / 2 < s.st_mtime <= now
        when = time.strftime("%b %e %H:%M" if recent else "%b %e  %Y", time.gmtime(s.st_mtime))
        lines.append(f"{kind}{perm} {s.st_nlink:>{lw}} {s.st_size:>{sw}} {when} {n}")
    return "".join(line + "\n" for line in lines)


def run_own_cases(t, host, fixture, record):
    """Cases whose expected output is computed here."""
    def case(name, app, args, check, stdin=b"", guest="/", timeout=120, host_rel="."):
        w = Work(fixture)
        try:
            res = host.run(app, args, {os.path.join(w.dir, host_rel): guest}, stdin, cwd=w.dir,
                           timeout=timeout)
            problem = check(res, w.dir)
            t.ok(not problem, f"{host.name}: {name}", f"{problem}\n{res!r}")
            record[(app, tuple(args), stdin)] = (res, tree(w.dir))
        finally:
            w.close()

    def expect(out=b"", err=b"", rc=0):
        def check(res, _root):
            if (res.rc, res.out, res.err) != (rc, out, err):
                return f"want rc={rc} out={out!r} err={err!r}"
            return None
        return check

    for app in APPS:
        def help_check(res, _root, app=app):
            if res.rc != 0 or res.err or not res.out.startswith(f"Usage: {app}".encode()):
                return "want exit 0, 'Usage: ...' on stdout, nothing on stderr"
            return None
        case(f"{app} --help", app, ["--help"], help_check)
    for app in ["hello", "cat", "ls", "cp", "mv", "rm", "mkdir", "wc", "sha256sum", "trap", "spin", "sleep"]:
        msg = f"{app}: invalid option -- 'Z'\nTry '{app} --help' for more information.\n"
        rc = usage_rc(app) if app in GNU_APPS else OWN_USAGE_RC
        case(f"{app} -Z is a usage error (status {rc})", app, ["-Z"], expect(err=msg.encode(), rc=rc))

    case("hello", "hello", [], expect(b"Hello, world!\n"))
    case("hello KPIO", "hello", ["KPIO"], expect(b"Hello, KPIO!\n"))
    case("cat with a /data preopen", "cat", ["/data/a.txt", "/data/nope"],
         expect(b"alpha\nbeta gamma\n", b"cat: /data/nope: No such file or directory\n", 1),
         guest="/data")

    def ls_long(names, rel=".", at_preopen=False):
        def check(res, root):
            want = ls_long_expected(os.path.join(root, rel), names, at_preopen).encode()
            return None if (res.rc, res.out, res.err) == (0, want, b"") else f"want {want!r}"
        return check
    fixture_names = sorted(n for n in os.listdir(fixture) if not n.startswith("."))
    case("ls -l", "ls", ["-l"], ls_long(fixture_names))
    case("ls -la sub", "ls", ["-la", "sub"], ls_long([".", "..", ".hidden", "deeper", "x.txt"], "sub"))
    case("ls -la /data/sub/deeper", "ls", ["-la", "/data/sub/deeper"],
         ls_long([".", "..", "y.txt"], "sub/deeper"), guest="/data")
    case("ls -la at the preopen root (.. is outside)", "ls", ["-la", "/data/sub/deeper"],
         ls_long([".", "..", "y.txt"], "sub/deeper", True), guest="/data/sub/deeper",
         host_rel="sub/deeper")

    kinds = {"oob", "unreachable", "div0", "overflow", "stack", "indirect"}
    for kind in sorted(kinds):  # trap: no GNU counterpart
        def trap_check(res, _root, kind=kind):
            if res.rc in (0, 1, 2) or b"no trap" in res.out:
                return "want a trap (an abnormal exit status), not a return"
            if not res.err.startswith(f"trap: {kind}\n".encode()):
                return "want 'trap: KIND' on stderr first"
            return None
        case(f"trap {kind} traps", "trap", [kind], trap_check)
    case("trap with a bad kind", "trap", ["nothing"],
         expect(err=b"trap: nothing\ntrap: unknown KIND 'nothing'\n"
                    b"Try 'trap --help' for more information.\n", rc=OWN_USAGE_RC))
    case("spin 100000 returns", "spin", ["100000"], expect(b"spinning\nspun 100000\n"))

    def slept(seconds):
        def check(res, _root):
            if (res.rc, res.out, res.err) != (0, b"", b""):
                return "want a silent exit 0"
            if res.elapsed < seconds:
                return f"returned after {res.elapsed:.3f} s, before {seconds} s"
            return None
        return check
    case("sleep 0.3 waits at least 0.3 s", "sleep", ["0.3"], slept(0.3))
    case("sleep 0.1 0.1s waits at least 0.2 s", "sleep", ["0.1", "0.1s"], slept(0.2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("KPIO_BUILD", "build"))
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    t = Tap()
    missing = [a for a in APPS if not os.path.exists(os.path.join(args.build, "apps", a + ".wasm"))]
    fixture_tmp = tempfile.mkdtemp(prefix="kpio-apps-fixture-")
    try:
        fixture = os.path.join(fixture_tmp, "f")
        make_fixture(fixture)
        records, skipped = {}, {}
        for host in hosts(args.build):
            why = host.available() or (f"apps not built: {missing}" if missing else None)
            if why:
                t.skip(f"{host.name}: preview1 apps", why)
                skipped[host.name] = why
                continue
            records[host.name] = {}
            run_gnu_cases(t, host, fixture, records[host.name])
            run_own_cases(t, host, fixture, records[host.name])
        differential(t, records, skipped)
    finally:
        shutil.rmtree(fixture_tmp, ignore_errors=True)
    return t.done()


def differential(t, records, skipped):
    """node:wasi against kpio-wasm, case by case: output, status, files."""
    if "node" not in records or "kpio-wasm" not in records:
        t.skip("differential node:wasi vs kpio-wasm", "; ".join(f"{k}: {v}" for k, v in skipped.items()))
        return
    a, b = records["node"], records["kpio-wasm"]
    for app in APPS:
        keys = [k for k in a if k[0] == app and k in b]
        diffs = []
        for k in keys:
            ra, ta = a[k]
            rb, tb = b[k]
            if app == "trap":  # each host words its trap message its own way
                if (ra.out, ra.rc != 0) != (rb.out, rb.rc != 0):
                    diffs.append(f"{k}: node {ra!r} vs kpio {rb!r}")
            elif app == "sleep":
                if (ra.out, ra.err, ra.rc) != (rb.out, rb.err, rb.rc):
                    diffs.append(f"{k}: node {ra!r} vs kpio {rb!r}")
            elif (ra.out, ra.err, ra.rc, ta) != (rb.out, rb.err, rb.rc, tb):
                diffs.append(f"{k}: node {ra!r}\n   vs kpio {rb!r}")
        t.ok(keys and not diffs, f"differential node:wasi vs kpio-wasm: {app} ({len(keys)} runs)",
             "\n".join(diffs[:5]))


if __name__ == "__main__":
    sys.exit(main())
