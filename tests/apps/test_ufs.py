#!/usr/bin/env python3
"""tests/apps/test_ufs.py - the file and system userland of issue 21 (ls -l,
touch, stat, date, env, which) on every WASI host of tests/apps/hosts.py
(node:wasi and kpio-wasm), against GNU coreutils (and debianutils' which)
run on the host for the same inputs, LC_ALL=C and TZ=UTC (WASI has no time
zone).

Where the apps' output is GNU's with the fields WASI lacks left out (ls -l
is `ls -go` without the "total" line; stat's default layout keeps File,
Size, the type, Inode, Links and the three times) the test compares those
fields with GNU's; times are compared where the host and WASI agree
(modification and access times of files the fixture copy preserved, the
wall clock within a few seconds). df is a kernel-shell built-in (WASI has
no statvfs): tests/qemu/test_userland.py.

    python3 tests/apps/test_ufs.py [--build build]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from tap import Tap  # noqa: E402
sys.path.insert(0, HERE)
from hosts import hosts, run_cmd  # noqa: E402
from test_p1 import Work, make_fixture, same, tree, usage_rc  # noqa: E402

APPS = ["ls", "touch", "stat", "date", "env", "which"]
OLD = 1262304000 + 3600 * 13 + 60 * 7  # 2010-01-01 13:07 UTC: older than six months


def fixture_extras(root):
    """Adds what these cases need to test_p1's fixture: fixed modes, an
    old file, a symbolic link and two PATH directories."""
    with open(os.path.join(root, "old.txt"), "wb") as f:
        f.write(b"old\n")
    os.utime(os.path.join(root, "old.txt"), (OLD, OLD))
    os.symlink("a.txt", os.path.join(root, "link"))
    for d in ("bin1", "bin2"):
        os.makedirs(os.path.join(root, d))
    for rel, mode in (("bin1/ls.wasm", 0o755), ("bin2/ls", 0o755), ("bin2/tool", 0o755)):
        with open(os.path.join(root, rel), "wb") as f:
            f.write(b"\0asm")
        os.chmod(os.path.join(root, rel), mode)
    for d, dirs, files in os.walk(root):
        for n in dirs:
            os.chmod(os.path.join(d, n), 0o755)
        for n in files:
            p = os.path.join(d, n)
            if not os.path.islink(p) and not n.startswith(("ls", "tool")):
                os.chmod(p, 0o644)


def gnu(argv, cwd, env_extra=None, stdin=b""):
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    env.update(env_extra or {})
    return run_cmd(argv, stdin, cwd, env=env, timeout=60)


def drop_total(out):
    return b"".join(line for line in out.splitlines(True) if not line.startswith(b"total "))


def run_ls_cases(t, host, fixture):
    """ls -l and -a against GNU `ls -go` (the same columns: no owner or group)."""
    cases = [["-l"], ["-la"], ["-l", "sub"], ["-al", "sub", "a.txt", "old.txt"], ["-l", "link"],
             ["-l", "old.txt", "empty", "big.bin"], ["-a", "sub"], ["-l", "nope"]]
    for args in cases:
        mine, theirs = Work(fixture), Work(fixture)
        try:
            res = host.run("ls", args, {mine.dir: "/"}, cwd=mine.dir)
            gargs = ["-go" if a == "-l" else "-ago" if a in ("-la", "-al") else a for a in args]
            ref = gnu(["ls"] + gargs, theirs.dir)
            ref.out = drop_total(ref.out)
            if args == ["-la"]:
                # the preopen's parent is outside the sandbox: kpio-wasm shows
                # it as GNU shows an entry it cannot stat, node stats the
                # host's folder; neither is compared
                for r in (res, ref):
                    r.out = re.sub(rb"(?m)^d\S{9} +\S+ +\S+ .{12} \.\.$", b"d ..", r.out)
            diff = same(res, ref)
            t.ok(not diff, f"{host.name}: ls {' '.join(args)} = GNU ls {' '.join(gargs)}", diff)
        finally:
            mine.close()
            theirs.close()


def run_touch_cases(t, host, fixture):
    cases = [["new"], ["-c", "nope"], ["a.txt", "new2"], ["nodir/x"], ["sub", "empty"],
             ["-m", "a.txt"], ["-a", "a.txt"], [], ["-Z", "a.txt"]]
    for args in cases:
        mine, theirs = Work(fixture), Work(fixture)
        try:
            before = time.time() - 2
            res = host.run("touch", args, {mine.dir: "/"}, cwd=mine.dir)
            ref = gnu(["touch"] + args, theirs.dir)
            diff = same(res, ref)
            if not diff and tree(mine.dir) != tree(theirs.dir):
                diff = "trees differ"
            # the times the app set, against the ones GNU set, file by file
            for name in [a for a in args if not a.startswith("-")]:
                p, q = os.path.join(mine.dir, name), os.path.join(theirs.dir, name)
                if os.path.exists(q) and not diff:
                    a, b = os.stat(p), os.stat(q)
                    for what in ("st_mtime", "st_atime"):
                        mine_new = getattr(a, what) >= before
                        gnu_new = getattr(b, what) >= before
                        if mine_new != gnu_new:
                            diff = f"{name}: {what} updated={mine_new}, GNU's updated={gnu_new}"
            t.ok(not diff, f"{host.name}: touch {' '.join(args)}", diff)
        finally:
            mine.close()
            theirs.close()


STAT_FIELDS = [(rb"^  File: (.*)$", b"File"), (rb"^  Size: (\d+)\s", b"Size"),
               (rb"^  Size: \d+\s+(?:Blocks: \d+\s+IO Block: \d+\s+)?(\S.*)$", b"type"),
               (rb"Links: (\d+)", b"Links"), (rb"^Access: (\d.*)$", b"Access"),
               (rb"^Modify: (.*)$", b"Modify")]


def stat_fields(out):
    """[(field, value)] for each file of a default stat output."""
    got = []
    for block in re.split(rb"(?m)^(?=  File: )", out):
        for rx, name in STAT_FIELDS:
            m = re.search(rx, block, re.M)
            if m:
                got.append((name, m.group(1).strip()))
    return got


def run_stat_cases(t, host, fixture):
    for args in (["a.txt"], ["empty", "sub", "old.txt"], ["link"], ["-L", "link"],
                 ["a.txt", "nope"]):
        mine, theirs = Work(fixture), Work(fixture)
        try:
            res = host.run("stat", args, {mine.dir: "/"}, cwd=mine.dir)
            ref = gnu(["stat"] + args, theirs.dir)
            a, b = stat_fields(res.out), stat_fields(ref.out)
            diff = "" if (res.rc, res.err, a) == (ref.rc, ref.err, b) and a else \
                f"rc {res.rc} vs {ref.rc}, err {res.err!r} vs {ref.err!r}\n  {a}\n  vs GNU {b}"
            t.ok(not diff, f"{host.name}: stat {' '.join(args)}: File, Size, type, Links, "
                 "Access and Modify as GNU's", diff)
        finally:
            mine.close()
            theirs.close()
    fmt = "%n|%s|%F|%h|%X|%Y|%y|%%"
    for args in (["-c", fmt, "a.txt", "empty", "sub", "old.txt", "link"], ["-c", "%N", "link", "a.txt"],
                 ["-L", "-c", "%F %s", "link"], [], ["-Z", "a.txt"]):
        mine, theirs = Work(fixture), Work(fixture)
        try:
            res = host.run("stat", args, {mine.dir: "/"}, cwd=mine.dir)
            ref = gnu(["stat"] + args, theirs.dir)
            diff = same(res, ref)
            t.ok(not diff, f"{host.name}: stat {' '.join(args)}", diff)
        finally:
            mine.close()
            theirs.close()


def run_date_cases(t, host):
    def both(args, tries=3):
        for _ in range(tries):  # a second or minute may turn between the two runs
            res = host.run("date", args)
            ref = gnu(["date"] + args, None)
            if (res.rc, res.out, res.err) == (ref.rc, ref.out, ref.err):
                break
        return res, ref
    for args in (["-u"], [], ["+%Y-%m-%d %H:%M %j %u %w %y %b %B %a %A %D %F %Z %z %:z %% %e %C"],
                 ["-u", "+%T %R %r %p %I %l %k %s"]):
        res, ref = both(args)
        t.ok((res.rc, res.out, res.err) == (ref.rc, ref.out, ref.err),
             f"{host.name}: date {' '.join(args)} = GNU's (TZ=UTC)", f"{res!r}\n  GNU {ref!r}")
    res = host.run("date", ["+%s.%N"])
    now = time.time()
    try:
        off = abs(float(res.out) - now)
    except ValueError:
        off = None
    t.ok(off is not None and off < 5, f"{host.name}: date +%s.%N is the host's clock within 5 s",
         f"{res!r}, host {now}")
    res = host.run("date", ["-d", "now"])
    rc = usage_rc("date")
    t.ok((res.rc, res.out) == (rc, b"") and b"invalid option -- 'd'" in res.err,
         f"{host.name}: date -d is refused as an unsupported option (exit {rc}, GNU's usage status)",
         repr(res))
    res = host.run("date", ["0101"])
    t.ok(res.rc == 1 and b"cannot set the date" in res.err,
         f"{host.name}: date MMDD... (setting the clock) is refused", repr(res))


def run_env_cases(t, host):
    env = {"A": "1", "B": "two words"}

    def case(args, want_out, want_rc=0, want_err=b""):
        res = host.run("env", args, env=env)
        ok = (res.rc, res.out) == (want_rc, want_out) and (
            res.err == want_err if isinstance(want_err, bytes) else want_err.search(res.err))
        t.ok(ok, f"{host.name}: env {' '.join(args)}", repr(res))
    case([], b"A=1\nB=two words\n")
    case(["C=3", "A=x"], b"A=x\nB=two words\nC=3\n")
    case(["-i", "X=1"], b"X=1\n")
    case(["-u", "A"], b"B=two words\n")
    case(["ls", "-l"], b"", 126, re.compile(rb"^env: 'ls': cannot run a command: WASI has no process spawn"))
    case(["-Z"], b"", usage_rc("env"), b"env: invalid option -- 'Z'\nTry 'env --help' for more information.\n")
    # GNU env with the same start and operands, for the cases it can run
    for args in (["C=3", "A=x"], ["-i", "X=1", "Y=2"], ["-u", "A"]):
        ref = subprocess.run(["env", "-i", "A=1", "B=two words", "env"] + args,
                             capture_output=True)
        res = host.run("env", args, env=env)
        t.ok(sorted(res.out.splitlines()) == sorted(ref.stdout.splitlines()) and res.rc == 0,
             f"{host.name}: env {' '.join(args)} prints GNU env's variables", f"{res!r} vs {ref!r}")


def run_which_cases(t, host, fixture):
    which = shutil.which("which")
    if not which:
        t.skip(f"{host.name}: which against debianutils' which", "which is not installed")
        return
    w = Work(fixture)
    try:
        def mine(args, path="/bin1:/bin2"):
            return host.run("which", args, {w.dir: "/"}, cwd=w.dir,
                            env={"PATH": path} if path is not None else {})

        def theirs(args):
            env = dict(os.environ, PATH=f"{w.dir}/bin1:{w.dir}/bin2")
            r = run_cmd([which] + args, b"", w.dir, env=env, timeout=30)
            r.out = r.out.replace(w.dir.encode(), b"")
            return r
        for args in (["tool"], ["tool", "nope"], ["-a", "tool"], ["nope"], ["bin2/tool"]):
            res, ref = mine(args), theirs(args)
            t.ok((res.rc, res.out) == (ref.rc, ref.out),
                 f"{host.name}: which {' '.join(args)} = debianutils which", f"{res!r}\n  {ref!r}")
        for args, path, out, rc in ((["ls"], "/bin1:/bin2", b"/bin1/ls.wasm\n", 0),
                                    (["-a", "ls"], "/bin1:/bin2", b"/bin1/ls.wasm\n/bin2/ls\n", 0),
                                    (["ls"], "/bin2:/bin1", b"/bin2/ls\n", 0),
                                    (["ls"], None, b"", 1)):
            res = mine(args, path)
            t.ok((res.rc, res.out, res.err) == (rc, out, b""),
                 f"{host.name}: which {' '.join(args)} with PATH={path}: NAME, then NAME.wasm, "
                 "per directory as the KPIO shell finds apps", repr(res))
    finally:
        w.close()


def run_common_cases(t, host):
    for app in APPS:
        res = host.run(app, ["--help"])
        t.ok(res.rc == 0 and res.out.startswith(f"Usage: {app}".encode()) and not res.err,
             f"{host.name}: {app} --help", repr(res))
        res = host.run(app, ["--bogus"])
        rc = usage_rc(app)
        t.ok(res.rc == rc and res.err == f"{app}: unrecognized option '--bogus'\n"
             f"Try '{app} --help' for more information.\n".encode(),
             f"{host.name}: {app} --bogus is refused, never taken as a name, status {rc} as GNU's",
             repr(res))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("KPIO_BUILD", "build"))
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    t = Tap()
    missing = [a for a in APPS if not os.path.exists(os.path.join(args.build, "apps", a + ".wasm"))]
    tmp = tempfile.mkdtemp(prefix="kpio-ufs-fixture-")
    try:
        fixture = os.path.join(tmp, "f")
        make_fixture(fixture)
        fixture_extras(fixture)
        for host in hosts(args.build):
            why = host.available() or (f"apps not built: {missing}" if missing else None)
            if why:
                t.skip(f"{host.name}: userland apps", why)
                continue
            run_common_cases(t, host)
            run_ls_cases(t, host, fixture)
            run_touch_cases(t, host, fixture)
            run_stat_cases(t, host, fixture)
            run_date_cases(t, host)
            run_env_cases(t, host)
            run_which_cases(t, host, fixture)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
