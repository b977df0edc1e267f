#!/usr/bin/env python3
"""tests/apps/test_text.py - the text tools (head, tail, grep, sort, uniq,
tee, seq, true, false, test) on every WASI host of tests/apps/hosts.py,
each case compared with GNU coreutils / GNU grep run on a copy of the same
folder with the same operands and stdin, LC_ALL=C: stdout, stderr, exit
status and the folder afterwards (tee, uniq OUTPUT) must all match, except
that a usage error exits 2 here (GNU's coreutils use 1). The inputs cover
empty files, a last line without a newline, a 300 KB line, bytes 0x01-0xff,
a NUL byte, missing files, a directory and bad options; grep also gets
patterns that make a backtracking matcher take exponential time.

    python3 tests/apps/test_text.py [--build build]
"""
import argparse
import os
import random
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from tap import Tap  # noqa: E402
sys.path.insert(0, HERE)
from hosts import hosts  # noqa: E402
from test_p1 import Work, gnu, same, tree  # noqa: E402

APPS = ["head", "tail", "grep", "sort", "uniq", "tee", "seq", "true", "false", "test"]


def make_fixture(root):
    rnd = random.Random(21)

    def put(rel, data):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    put("lines.txt", b"".join(b"line %d\n" % i for i in range(1, 31)))
    put("words.txt", b"pear\nApple\napple\nbanana\npear\npear\nBanana\n\ncherry\napple\n"
                     b"foo bar\nfoobar\nbaz\nfoobaz\nbarbaz\nxx\nxxx\nxxxxx\nabab c\nabc\n")
    put("nums.txt", b"10\n9\n-3\n  7\n2.5\n2.50\n-0\n0\nabc\n\n007\n1e3\n-2.75\n100\n9\n"
                    b"3 apples\n-\n.5\n")
    put("noeol.txt", b"one\ntwo\ntwo\nthree")
    put("empty", b"")
    put("long.txt", b"short\n" + bytes(rnd.choice(b"abcxyz ") for _ in range(300 * 1024))
        + b"\nend\n")
    put("bytes.txt", bytes(b for b in range(1, 256) if b != 10) + b"\n\x80\xff high\n\x01\x02 ctl\n")
    put("nul.bin", b"text line\nzero\x00byte line\nmore text\n")
    put("dup.txt", b"a\na\na\nb\nc\nc\na\n")
    put("hostile.txt", b"a" * 20000 + b"\n" + b"a" * 30 + b"c\n")
    os.makedirs(os.path.join(root, "sub"))


# (app, args, stdin, usage_error)
CASES = [
    ("head", ["lines.txt"], b"", False),
    ("head", ["-n", "3", "lines.txt"], b"", False),
    ("head", ["-n", "0", "lines.txt"], b"", False),
    ("head", ["-c", "13", "lines.txt"], b"", False),
    ("head", ["-c", "0", "lines.txt"], b"", False),
    ("head", ["-4", "noeol.txt"], b"", False),
    ("head", ["-n", "2", "lines.txt", "noeol.txt", "empty"], b"", False),
    ("head", ["-q", "-n", "1", "lines.txt", "noeol.txt"], b"", False),
    ("head", ["-v", "-n", "1", "lines.txt"], b"", False),
    ("head", ["-n", "2", "long.txt"], b"", False),
    ("head", ["-c", "100000", "long.txt"], b"", False),
    ("head", ["bytes.txt"], b"", False),
    ("head", ["-n", "1", "lines.txt", "nope", "sub", "noeol.txt"], b"", False),
    ("head", ["-n", "x", "lines.txt"], b"", False),
    ("head", [], b"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12", False),
    ("head", ["-n", "2", "-"], b"a\nb\nc\n", False),
    ("head", ["-n", "-3", "lines.txt"], b"", False),
    ("head", ["-n", "-1", "noeol.txt"], b"", False),
    ("head", ["-n", "-100", "lines.txt"], b"", False),
    ("head", ["-c", "-5", "lines.txt", "noeol.txt"], b"", False),
    ("head", ["-n", "-2"], bytes(range(1, 256)) * 300 + b"\nlast\nreally", False),
    ("head", ["-n", "-0", "noeol.txt"], b"", False),
    ("head", ["-n", "--1", "noeol.txt"], b"", False),
    ("head", ["-Z"], b"", True),
    ("tail", ["lines.txt"], b"", False),
    ("tail", ["-n", "3", "lines.txt"], b"", False),
    ("tail", ["-n", "-3", "lines.txt"], b"", False),
    ("tail", ["-n", "+28", "lines.txt"], b"", False),
    ("tail", ["-n", "+1", "noeol.txt"], b"", False),
    ("tail", ["-n", "0", "lines.txt"], b"", False),
    ("tail", ["-c", "7", "lines.txt"], b"", False),
    ("tail", ["-c", "+200", "lines.txt"], b"", False),
    ("tail", ["-n", "2", "noeol.txt"], b"", False),
    ("tail", ["-c", "3", "noeol.txt"], b"", False),
    ("tail", ["-3", "noeol.txt"], b"", False),
    ("tail", ["-n", "2", "long.txt"], b"", False),
    ("tail", ["-n", "1", "empty"], b"", False),
    ("tail", ["-n", "5", "lines.txt", "empty", "noeol.txt"], b"", False),
    ("tail", ["-n", "1", "nope", "sub", "lines.txt"], b"", False),
    ("tail", ["-n", "x"], b"", False),
    ("tail", [], bytes(range(1, 256)) * 300 + b"\nlast\n", False),
    ("tail", ["-n", "2"], b"a\nb\nc", False),
    ("tail", ["-Z"], b"", True),
    ("grep", ["line 1", "lines.txt"], b"", False),
    ("grep", ["^line [0-9]$", "lines.txt"], b"", False),
    ("grep", ["0$", "lines.txt"], b"", False),
    ("grep", ["line .*3", "lines.txt"], b"", False),
    ("grep", ["ab*c", "words.txt"], b"", False),
    ("grep", ["\\(ab\\)*c", "words.txt"], b"", False),
    ("grep", ["^\\(ab\\)\\{2\\}", "words.txt"], b"", False),
    ("grep", ["x\\{2,3\\}", "words.txt"], b"", False),
    ("grep", ["^x\\{2,3\\}$", "words.txt"], b"", False),
    ("grep", ["^x\\{3,\\}$", "words.txt"], b"", False),
    ("grep", ["[[:digit:]]\\{2\\}", "lines.txt"], b"", False),
    ("grep", ["[^a-z]", "words.txt"], b"", False),
    ("grep", ["[]a]", "words.txt"], b"", False),
    ("grep", ["a\\|z", "words.txt"], b"", False),
    ("grep", ["o\\+b", "words.txt"], b"", False),
    ("grep", ["^fo\\?o", "words.txt"], b"", False),
    ("grep", ["*a", "words.txt"], b"", False),
    ("grep", ["a.c$", "words.txt"], b"", False),
    ("grep", ["", "noeol.txt"], b"", False),
    ("grep", ["^$", "words.txt"], b"", False),
    ("grep", ["-E", "a|z", "words.txt"], b"", False),
    ("grep", ["-E", "^(foo|bar)+baz$", "words.txt"], b"", False),
    ("grep", ["-E", "x{2}", "words.txt"], b"", False),
    ("grep", ["-E", "^x{4,}$|^ba", "words.txt"], b"", False),
    ("grep", ["-E", "(a|b)?c$", "words.txt"], b"", False),
    ("grep", ["-E", "a{1", "words.txt"], b"", False),
    ("grep", ["-Ec", "+x", "words.txt"], b"", False),
    ("grep", ["-Ec", "^x|?", "words.txt"], b"", False),
    ("grep", ["-Ec", "*a", "words.txt"], b"", False),
    ("grep", ["-Ec", "{2}a", "words.txt"], b"", False),
    ("grep", ["-c", "\\{1\\}x", "words.txt"], b"", False),
    ("grep", ["-i", "apple", "words.txt"], b"", False),
    ("grep", ["-i", "[A-B]an", "words.txt"], b"", False),
    ("grep", ["-v", "a", "words.txt"], b"", False),
    ("grep", ["-c", "pear", "words.txt"], b"", False),
    ("grep", ["-vc", "pear", "words.txt"], b"", False),
    ("grep", ["-n", "two", "noeol.txt"], b"", False),
    ("grep", ["-in", "BAN", "words.txt"], b"", False),
    ("grep", ["-n", "e", "lines.txt", "noeol.txt", "empty"], b"", False),
    ("grep", ["-c", "t", "lines.txt", "noeol.txt", "empty"], b"", False),
    ("grep", ["-h", "two", "lines.txt", "noeol.txt"], b"", False),
    ("grep", ["-H", "two", "noeol.txt"], b"", False),
    ("grep", ["-l", "t", "lines.txt", "noeol.txt", "empty"], b"", False),
    ("grep", ["-q", "pear", "words.txt"], b"", False),
    ("grep", ["-q", "nothing", "words.txt"], b"", False),
    ("grep", ["-F", "a.c", "words.txt"], b"", False),
    ("grep", ["-F", "[]*", "words.txt"], b"", False),
    ("grep", ["-e", "pear", "-e", "cherry", "words.txt"], b"", False),
    ("grep", ["pear\ncherry", "words.txt"], b"", False),
    ("grep", ["x", "empty"], b"", False),
    ("grep", ["zzz", "words.txt"], b"", False),
    ("grep", ["a", "nope", "words.txt"], b"", False),
    ("grep", ["-s", "a", "nope"], b"", False),
    ("grep", ["a", "sub"], b"", False),
    ("grep", ["end", "long.txt"], b"", False),
    ("grep", ["-c", "xyz", "long.txt"], b"", False),
    ("grep", ["high", "bytes.txt"], b"", False),
    ("grep", ["-c", "[\x80-\xff]", "bytes.txt"], b"", False),
    ("grep", ["ctl$", "bytes.txt"], b"", False),
    ("grep", ["text", "nul.bin"], b"", False),
    ("grep", ["-c", "line", "nul.bin"], b"", False),
    ("grep", ["o"], b"one\ntwo\nthree", False),
    ("grep", ["-v", "o"], b"", False),
    ("grep", ["\\("], b"", False),
    ("grep", ["\\)"], b"", False),
    ("grep", ["[a"], b"", False),
    ("grep", ["a\\{1"], b"", False),
    ("grep", ["a\\{2,1\\}"], b"", False),
    ("grep", ["a\\{1,x\\}"], b"", False),
    ("grep", ["[[:foo:]]"], b"", False),
    ("grep", ["[:space:]"], b"", False),
    ("grep", ["[b-a]"], b"", False),
    ("grep", ["a\\"], b"", False),
    ("grep", ["-E", "(a"], b"", False),
    ("grep", ["a\\{32768\\}"], b"", False),
    ("grep", ["-j", "x"], b"", True),
    ("grep", [], b"", True),
    ("grep", ["-c", "\\(a*\\)*\\(a*\\)*\\(a*\\)*b", "hostile.txt"], b"", False),
    ("grep", ["-cE", "(a|aa)*c", "hostile.txt"], b"", False),
    ("grep", ["-cE", "(a?){30}a{30}", "hostile.txt"], b"", False),
    ("sort", ["words.txt"], b"", False),
    ("sort", ["-r", "words.txt"], b"", False),
    ("sort", ["-u", "words.txt"], b"", False),
    ("sort", ["-n", "nums.txt"], b"", False),
    ("sort", ["-rn", "nums.txt"], b"", False),
    ("sort", ["-nu", "nums.txt"], b"", False),
    ("sort", ["-ns", "nums.txt"], b"", False),
    ("sort", ["-nrs", "nums.txt"], b"", False),
    ("sort", ["-ru", "dup.txt"], b"", False),
    ("sort", ["noeol.txt", "words.txt", "empty"], b"", False),
    ("sort", ["bytes.txt", "long.txt"], b"", False),
    ("sort", ["nul.bin"], b"", False),
    ("sort", ["empty"], b"", False),
    ("sort", [], b"b\nc\na", False),
    ("sort", ["nope"], b"", False),
    ("sort", ["sub"], b"", False),
    ("sort", ["-Z"], b"", True),
    ("uniq", ["dup.txt"], b"", False),
    ("uniq", ["-c", "dup.txt"], b"", False),
    ("uniq", ["-d", "dup.txt"], b"", False),
    ("uniq", ["-u", "dup.txt"], b"", False),
    ("uniq", ["-cd", "dup.txt"], b"", False),
    ("uniq", ["-du", "dup.txt"], b"", False),
    ("uniq", ["noeol.txt"], b"", False),
    ("uniq", ["-c", "empty"], b"", False),
    ("uniq", ["-c"], b"x\nx\ny\nx", False),
    ("uniq", ["long.txt"], b"", False),
    ("uniq", ["dup.txt", "out.txt"], b"", False),
    ("uniq", ["nope"], b"", False),
    ("uniq", ["sub"], b"", False),
    ("uniq", ["-Z"], b"", True),
    ("tee", [], b"through\n", False),
    ("tee", ["t1.txt"], b"to a file\n", False),
    ("tee", ["t1.txt", "t2.txt"], b"two files\nno eol", False),
    ("tee", ["lines.txt"], b"overwritten\n", False),
    ("tee", ["-a", "noeol.txt"], b" appended\n", False),
    ("tee", ["nope/x", "t3.txt"], b"partly\n", False),
    ("tee", ["sub"], b"dir\n", False),
    ("tee", ["-Z"], b"", True),
    ("seq", ["5"], b"", False),
    ("seq", ["0"], b"", False),
    ("seq", ["2", "5"], b"", False),
    ("seq", ["1", "3", "20"], b"", False),
    ("seq", ["5", "1"], b"", False),
    ("seq", ["5", "-2", "-4"], b"", False),
    ("seq", ["-3", "-1"], b"", False),
    ("seq", ["--", "-3", "-1"], b"", False),
    ("seq", ["1", "0.5", "3"], b"", False),
    ("seq", ["1.25", "0.5", "3"], b"", False),
    ("seq", ["1", "2.5"], b"", False),
    ("seq", ["-w", "8", "11"], b"", False),
    ("seq", ["-w", "-1", "1"], b"", False),
    ("seq", ["-s", ",", "5"], b"", False),
    ("seq", ["-s:", "-w", "1", "0.5", "2.5"], b"", False),
    ("seq", ["x"], b"", True),
    ("seq", ["1", "0", "3"], b"", True),
    ("seq", [], b"", True),
    ("seq", ["1", "2", "3", "4"], b"", True),
    ("seq", ["-Z"], b"", True),
    ("head", ["lines.txt", "-n", "2"], b"", False),
    ("tail", ["lines.txt", "-n", "+29", "noeol.txt"], b"", False),
    ("grep", ["pear", "words.txt", "-n", "noeol.txt", "-c"], b"", False),
    ("grep", ["-e", "x", "--", "-n"], b"", False),
    ("grep", ["--", "-v"], b"a-v\nb\n", False),
    ("grep", ["-x", "pear", "words.txt"], b"", False),
    ("grep", ["-xE", "x+|foo.*", "words.txt"], b"", False),
    ("grep", ["-xF", "foo bar", "words.txt"], b"", False),
    ("grep", ["-xc", "", "words.txt"], b"", False),
    ("sort", ["nums.txt", "-n", "-r"], b"", False),
    ("uniq", ["dup.txt", "-c"], b"", False),
    ("tee", ["t1.txt", "-a", "t2.txt"], b"x\n", False),
    ("true", [], b"", False),
    ("true", ["-x", "ignored"], b"", False),
    ("false", [], b"", False),
    ("false", ["ignored"], b"", False),
]

TEST_EXPRS = [
    [], [""], ["a"], ["-n", ""], ["-n", "x"], ["-z", ""], ["-z", "x"], ["!"], ["-e"],
    ["a", "=", "a"], ["a", "==", "b"], ["a", "!=", "b"], ["1", "-eq", "1"], ["5", "-gt", "10"],
    ["-2", "-lt", "-1"], ["99999999999999999999", "-gt", "1"], [" 3 ", "-eq", "3"],
    ["007", "-eq", "7"], ["-0", "-eq", "0"], ["1", "-le", "1"], ["2", "-ge", "3"], ["4", "-ne", "4"],
    ["-f", "lines.txt"], ["-f", "sub"], ["-d", "sub"], ["-d", "lines.txt"], ["-e", "nope"],
    ["-e", "empty"], ["-s", "empty"], ["-s", "lines.txt"], ["!", "-f", "sub"],
    ["(", "a", ")"], ["(", "a", "=", "a", ")"], ["a", "=", "a", "-a", "b", "=", "c"],
    ["a", "=", "b", "-o", "1", "-le", "1"], ["!", "(", "a", "=", "b", ")"],
    ["-n", "x", "-a", "-z", "", "-o", "-d", "sub"], ["!", "!", "a"],
    ["x", "-eq", "1"], ["-Q", "a"], ["a", "b", "c"], ["1", "-lt"], ["(", "a"], ["a", "="],
    ["a", "-a"], ["(", "a", "b", "c", "d"], ["a", "=", "a", "b"],
]
CASES += [("test", e, b"", False) for e in TEST_EXPRS]


def run_cases(t, host, fixture):
    for app, args, stdin, usage in CASES:
        name = f"{host.name}: {app} {' '.join(repr(a) if not a or ' ' in a or not a.isprintable() else a for a in args)}".rstrip()
        mine, theirs = Work(fixture), Work(fixture)
        try:
            res = host.run(app, args, {mine.dir: "/"}, stdin, cwd=mine.dir, timeout=120)
            ref = gnu(app, args, stdin, theirs.dir)
            diff = same(res, ref, usage)
            if not diff and tree(mine.dir) != tree(theirs.dir):
                a, b = tree(mine.dir), tree(theirs.dir)
                diff = f"trees differ: only here {sorted(set(a.items()) - set(b.items()))}, " \
                       f"only GNU {sorted(set(b.items()) - set(a.items()))}"
            t.ok(not diff, name, diff)
        finally:
            mine.close()
            theirs.close()
    for app in ["head", "tail", "grep", "sort", "uniq", "tee", "seq"]:
        w = Work(fixture)
        try:
            res = host.run(app, ["--help"], {w.dir: "/"}, b"", cwd=w.dir)
            ok = res.rc == 0 and not res.err and res.out.startswith(f"Usage: {app}".encode())
            t.ok(ok, f"{host.name}: {app} --help", repr(res))
        finally:
            w.close()


ATOMS_BRE = ["a", "b", "x", ".", "[ab]", "[^a]", "\\(a\\)", "\\(a\\|b\\)", "a*", "b\\{1,2\\}", "^", "$",
             "\\+", "\\?", "[[:alpha:]]", "\\.", "[]a]", "*", "\\{1\\}", "[a-c]", "\\)", "\\(", "\\|"]
ATOMS_ERE = ["a", "b", "x", ".", "[ab]", "[^a]", "(a)", "(a|b)", "a*", "b{1,2}", "^", "$", "+", "?",
             "[[:alpha:]]", "\\.", "|", "()", "{", "a{,2}", "(", ")", "*", "{2}", "[.]"]


def run_random_patterns(t, host, count=150, seed=21):
    """grep -c with random patterns built from the atoms above (both
    syntaxes, with and without -i) over random lines of the same bytes,
    against GNU grep: stdout, stderr (GNU's warnings too), status."""
    rnd = random.Random(seed)
    tmp = tempfile.mkdtemp(prefix="kpio-text-re-")
    try:
        lines = ["".join(rnd.choice("ab(){}|*+?.^$[]\\-xA") for _ in range(rnd.randint(0, 12)))
                 for _ in range(60)]
        with open(os.path.join(tmp, "in.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        diffs = []
        for i in range(count):
            ere = i % 2 == 1
            atoms = ATOMS_ERE if ere else ATOMS_BRE
            pat = "".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 5)))
            args = (["-E"] if ere else []) + (["-i"] if i % 3 == 0 else []) + ["-c", "--", pat, "in.txt"]
            res = host.run("grep", args, {tmp: "/"}, b"", cwd=tmp)
            ref = gnu("grep", args, b"", tmp)
            if (res.rc, res.out, res.err) != (ref.rc, ref.out, ref.err):
                diffs.append(f"{args}: {res!r}\n   GNU {ref!r}")
        t.ok(not diffs, f"{host.name}: grep -c with {count} random patterns as GNU grep",
             "\n".join(diffs[:5]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("KPIO_BUILD", "build"))
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    t = Tap()
    missing = [a for a in APPS if not os.path.exists(os.path.join(args.build, "apps", a + ".wasm"))]
    gnu_missing = [p for p in ("grep", "sort", "seq") if not shutil.which(p)]
    fixture_tmp = tempfile.mkdtemp(prefix="kpio-text-fixture-")
    try:
        fixture = os.path.join(fixture_tmp, "f")
        make_fixture(fixture)
        for host in hosts(args.build):
            why = host.available() or (f"apps not built: {missing}" if missing else None) \
                or (f"GNU tools missing: {gnu_missing}" if gnu_missing else None)
            if why:
                t.skip(f"{host.name}: text tools", why)
                continue
            run_cases(t, host, fixture)
            run_random_patterns(t, host)
    finally:
        shutil.rmtree(fixture_tmp, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
