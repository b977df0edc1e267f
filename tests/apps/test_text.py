#!/usr/bin/env python3
"""tests/apps/test_text.py - the text tools (head, tail, grep, sort, uniq,
tee, seq, true, false, test, [) on every WASI host of tests/apps/hosts.py,
each case compared with GNU coreutils / GNU grep run on a copy of the same
folder with the same operands and stdin, LC_ALL=C: stdout, stderr, exit
status (a usage error's too: 1 for most coreutils, 2 for sort, grep, test
and [) and the folder afterwards (tee, uniq OUTPUT) must all match. The inputs cover
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

APPS = ["head", "tail", "grep", "sort", "uniq", "tee", "seq", "true", "false", "test", "["]


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


# (app, args, stdin): usage errors included, with GNU's exit status
CASES = [
    ("head", ["lines.txt"], b""),
    ("head", ["-n", "3", "lines.txt"], b""),
    ("head", ["-n", "0", "lines.txt"], b""),
    ("head", ["-c", "13", "lines.txt"], b""),
    ("head", ["-c", "0", "lines.txt"], b""),
    ("head", ["-4", "noeol.txt"], b""),
    ("head", ["-n", "2", "lines.txt", "noeol.txt", "empty"], b""),
    ("head", ["-q", "-n", "1", "lines.txt", "noeol.txt"], b""),
    ("head", ["-v", "-n", "1", "lines.txt"], b""),
    ("head", ["-n", "2", "long.txt"], b""),
    ("head", ["-c", "100000", "long.txt"], b""),
    ("head", ["bytes.txt"], b""),
    ("head", ["-n", "1", "lines.txt", "nope", "sub", "noeol.txt"], b""),
    ("head", ["-n", "x", "lines.txt"], b""),
    ("head", [], b"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12"),
    ("head", ["-n", "2", "-"], b"a\nb\nc\n"),
    ("head", ["-n", "-3", "lines.txt"], b""),
    ("head", ["-n", "-1", "noeol.txt"], b""),
    ("head", ["-n", "-100", "lines.txt"], b""),
    ("head", ["-c", "-5", "lines.txt", "noeol.txt"], b""),
    ("head", ["-n", "-2"], bytes(range(1, 256)) * 300 + b"\nlast\nreally"),
    ("head", ["-n", "-0", "noeol.txt"], b""),
    ("head", ["-n", "--1", "noeol.txt"], b""),
    ("head", ["-Z"], b""),
    ("tail", ["lines.txt"], b""),
    ("tail", ["-n", "3", "lines.txt"], b""),
    ("tail", ["-n", "-3", "lines.txt"], b""),
    ("tail", ["-n", "+28", "lines.txt"], b""),
    ("tail", ["-n", "+1", "noeol.txt"], b""),
    ("tail", ["-n", "0", "lines.txt"], b""),
    ("tail", ["-c", "7", "lines.txt"], b""),
    ("tail", ["-c", "+200", "lines.txt"], b""),
    ("tail", ["-n", "2", "noeol.txt"], b""),
    ("tail", ["-c", "3", "noeol.txt"], b""),
    ("tail", ["-3", "noeol.txt"], b""),
    ("tail", ["-n", "2", "long.txt"], b""),
    ("tail", ["-n", "1", "empty"], b""),
    ("tail", ["-n", "5", "lines.txt", "empty", "noeol.txt"], b""),
    ("tail", ["-n", "1", "nope", "sub", "lines.txt"], b""),
    ("tail", ["-n", "x"], b""),
    ("tail", [], bytes(range(1, 256)) * 300 + b"\nlast\n"),
    ("tail", ["-n", "2"], b"a\nb\nc"),
    ("tail", ["-Z"], b""),
    ("grep", ["line 1", "lines.txt"], b""),
    ("grep", ["^line [0-9]$", "lines.txt"], b""),
    ("grep", ["0$", "lines.txt"], b""),
    ("grep", ["line .*3", "lines.txt"], b""),
    ("grep", ["ab*c", "words.txt"], b""),
    ("grep", ["\\(ab\\)*c", "words.txt"], b""),
    ("grep", ["^\\(ab\\)\\{2\\}", "words.txt"], b""),
    ("grep", ["x\\{2,3\\}", "words.txt"], b""),
    ("grep", ["^x\\{2,3\\}$", "words.txt"], b""),
    ("grep", ["^x\\{3,\\}$", "words.txt"], b""),
    ("grep", ["[[:digit:]]\\{2\\}", "lines.txt"], b""),
    ("grep", ["[^a-z]", "words.txt"], b""),
    ("grep", ["[]a]", "words.txt"], b""),
    ("grep", ["a\\|z", "words.txt"], b""),
    ("grep", ["o\\+b", "words.txt"], b""),
    ("grep", ["^fo\\?o", "words.txt"], b""),
    ("grep", ["*a", "words.txt"], b""),
    ("grep", ["a.c$", "words.txt"], b""),
    ("grep", ["", "noeol.txt"], b""),
    ("grep", ["^$", "words.txt"], b""),
    ("grep", ["-E", "a|z", "words.txt"], b""),
    ("grep", ["-E", "^(foo|bar)+baz$", "words.txt"], b""),
    ("grep", ["-E", "x{2}", "words.txt"], b""),
    ("grep", ["-E", "^x{4,}$|^ba", "words.txt"], b""),
    ("grep", ["-E", "(a|b)?c$", "words.txt"], b""),
    ("grep", ["-E", "a$$**"], b"ab\na\n"),  # only the last anchor is made optional
    ("grep", ["-E", "$($**|)"], b"ab\na\n"),  # fuzzing: once read outside the program
    ("grep", ["-E", "a{1", "words.txt"], b""),
    ("grep", ["-Ec", "+x", "words.txt"], b""),
    ("grep", ["-Ec", "^x|?", "words.txt"], b""),
    ("grep", ["-Ec", "*a", "words.txt"], b""),
    ("grep", ["-Ec", "{2}a", "words.txt"], b""),
    ("grep", ["-c", "\\{1\\}x", "words.txt"], b""),
    ("grep", ["-i", "apple", "words.txt"], b""),
    ("grep", ["-i", "[A-B]an", "words.txt"], b""),
    ("grep", ["-v", "a", "words.txt"], b""),
    ("grep", ["-c", "pear", "words.txt"], b""),
    ("grep", ["-vc", "pear", "words.txt"], b""),
    ("grep", ["-n", "two", "noeol.txt"], b""),
    ("grep", ["-in", "BAN", "words.txt"], b""),
    ("grep", ["-n", "e", "lines.txt", "noeol.txt", "empty"], b""),
    ("grep", ["-c", "t", "lines.txt", "noeol.txt", "empty"], b""),
    ("grep", ["-h", "two", "lines.txt", "noeol.txt"], b""),
    ("grep", ["-H", "two", "noeol.txt"], b""),
    ("grep", ["-l", "t", "lines.txt", "noeol.txt", "empty"], b""),
    ("grep", ["-q", "pear", "words.txt"], b""),
    ("grep", ["-q", "nothing", "words.txt"], b""),
    ("grep", ["-F", "a.c", "words.txt"], b""),
    ("grep", ["-F", "[]*", "words.txt"], b""),
    ("grep", ["-e", "pear", "-e", "cherry", "words.txt"], b""),
    ("grep", ["pear\ncherry", "words.txt"], b""),
    ("grep", ["x", "empty"], b""),
    ("grep", ["zzz", "words.txt"], b""),
    ("grep", ["a", "nope", "words.txt"], b""),
    ("grep", ["-s", "a", "nope"], b""),
    ("grep", ["a", "sub"], b""),
    ("grep", ["end", "long.txt"], b""),
    ("grep", ["-c", "xyz", "long.txt"], b""),
    ("grep", ["high", "bytes.txt"], b""),
    ("grep", ["-c", "[\x80-\xff]", "bytes.txt"], b""),
    ("grep", ["ctl$", "bytes.txt"], b""),
    ("grep", ["text", "nul.bin"], b""),
    ("grep", ["-c", "line", "nul.bin"], b""),
    ("grep", ["o"], b"one\ntwo\nthree"),
    ("grep", ["-v", "o"], b""),
    ("grep", ["\\("], b""),
    ("grep", ["\\)"], b""),
    ("grep", ["[a"], b""),
    ("grep", ["a\\{1"], b""),
    ("grep", ["a\\{2,1\\}"], b""),
    ("grep", ["a\\{1,x\\}"], b""),
    ("grep", ["[[:foo:]]"], b""),
    ("grep", ["[:space:]"], b""),
    ("grep", ["[b-a]"], b""),
    ("grep", ["a\\"], b""),
    ("grep", ["-E", "(a"], b""),
    ("grep", ["a\\{32768\\}"], b""),
    ("grep", ["-j", "x"], b""),
    ("grep", [], b""),
    ("grep", ["-c", "\\(a*\\)*\\(a*\\)*\\(a*\\)*b", "hostile.txt"], b""),
    ("grep", ["-cE", "(a|aa)*c", "hostile.txt"], b""),
    ("grep", ["-cE", "(a?){30}a{30}", "hostile.txt"], b""),
    ("sort", ["words.txt"], b""),
    ("sort", ["-r", "words.txt"], b""),
    ("sort", ["-u", "words.txt"], b""),
    ("sort", ["-n", "nums.txt"], b""),
    ("sort", ["-rn", "nums.txt"], b""),
    ("sort", ["-nu", "nums.txt"], b""),
    ("sort", ["-ns", "nums.txt"], b""),
    ("sort", ["-nrs", "nums.txt"], b""),
    ("sort", ["-ru", "dup.txt"], b""),
    ("sort", ["noeol.txt", "words.txt", "empty"], b""),
    ("sort", ["bytes.txt", "long.txt"], b""),
    ("sort", ["nul.bin"], b""),
    ("sort", ["empty"], b""),
    ("sort", [], b"b\nc\na"),
    ("sort", ["nope"], b""),
    ("sort", ["sub"], b""),
    ("sort", ["-Z"], b""),
    ("uniq", ["dup.txt"], b""),
    ("uniq", ["-c", "dup.txt"], b""),
    ("uniq", ["-d", "dup.txt"], b""),
    ("uniq", ["-u", "dup.txt"], b""),
    ("uniq", ["-cd", "dup.txt"], b""),
    ("uniq", ["-du", "dup.txt"], b""),
    ("uniq", ["noeol.txt"], b""),
    ("uniq", ["-c", "empty"], b""),
    ("uniq", ["-c"], b"x\nx\ny\nx"),
    ("uniq", ["long.txt"], b""),
    ("uniq", ["dup.txt", "out.txt"], b""),
    ("uniq", ["nope"], b""),
    ("uniq", ["sub"], b""),
    ("uniq", ["-Z"], b""),
    ("tee", [], b"through\n"),
    ("tee", ["t1.txt"], b"to a file\n"),
    ("tee", ["t1.txt", "t2.txt"], b"two files\nno eol"),
    ("tee", ["lines.txt"], b"overwritten\n"),
    ("tee", ["-a", "noeol.txt"], b" appended\n"),
    ("tee", ["nope/x", "t3.txt"], b"partly\n"),
    ("tee", ["sub"], b"dir\n"),
    ("tee", ["-Z"], b""),
    ("seq", ["5"], b""),
    ("seq", ["0"], b""),
    ("seq", ["2", "5"], b""),
    ("seq", ["1", "3", "20"], b""),
    ("seq", ["5", "1"], b""),
    ("seq", ["5", "-2", "-4"], b""),
    ("seq", ["-3", "-1"], b""),
    ("seq", ["--", "-3", "-1"], b""),
    ("seq", ["1", "0.5", "3"], b""),
    ("seq", ["1.25", "0.5", "3"], b""),
    ("seq", ["1", "2.5"], b""),
    ("seq", ["-w", "8", "11"], b""),
    ("seq", ["-w", "-1", "1"], b""),
    ("seq", ["-s", ",", "5"], b""),
    ("seq", ["-s:", "-w", "1", "0.5", "2.5"], b""),
    ("seq", ["x"], b""),
    ("seq", ["1", "0", "3"], b""),
    ("seq", [], b""),
    ("seq", ["1", "2", "3", "4"], b""),
    ("seq", ["-Z"], b""),
    ("head", ["lines.txt", "-n", "2"], b""),
    ("tail", ["lines.txt", "-n", "+29", "noeol.txt"], b""),
    ("grep", ["pear", "words.txt", "-n", "noeol.txt", "-c"], b""),
    ("grep", ["-e", "x", "--", "-n"], b""),
    ("grep", ["--", "-v"], b"a-v\nb\n"),
    ("grep", ["-x", "pear", "words.txt"], b""),
    ("grep", ["-xE", "x+|foo.*", "words.txt"], b""),
    ("grep", ["-xF", "foo bar", "words.txt"], b""),
    ("grep", ["-xc", "", "words.txt"], b""),
    ("sort", ["nums.txt", "-n", "-r"], b""),
    ("uniq", ["dup.txt", "-c"], b""),
    ("tee", ["t1.txt", "-a", "t2.txt"], b"x\n"),
    ("true", [], b""),
    ("true", ["-x", "ignored"], b""),
    ("false", [], b""),
    ("false", ["ignored"], b""),
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
CASES += [("test", e, b"") for e in TEST_EXPRS]
# `[` (test.c built as [.wasm) against GNU's `[`: the same expressions closed
# by "]", then the closing "]" missing and [ --help.
CASES += [("[", e + ["]"], b"") for e in TEST_EXPRS]
CASES += [("[", e, b"") for e in ([], ["a"], ["a", "=", "a"], ["-s", "empty"], ["a", "]", "b"],
                                  ["]", "]"], ["(", "]", ")"])]


def run_cases(t, host, fixture):
    for app, args, stdin in CASES:
        name = f"{host.name}: {app} {' '.join(repr(a) if not a or ' ' in a or not a.isprintable() else a for a in args)}".rstrip()
        mine, theirs = Work(fixture), Work(fixture)
        try:
            res = host.run(app, args, {mine.dir: "/"}, stdin, cwd=mine.dir, timeout=120)
            ref = gnu(app, args, stdin, theirs.dir)
            diff = same(res, ref)
            if not diff and tree(mine.dir) != tree(theirs.dir):
                a, b = tree(mine.dir), tree(theirs.dir)
                diff = f"trees differ: only here {sorted(set(a.items()) - set(b.items()))}, " \
                       f"only GNU {sorted(set(b.items()) - set(a.items()))}"
            t.ok(not diff, name, diff)
        finally:
            mine.close()
            theirs.close()
    for app in ["head", "tail", "grep", "sort", "uniq", "tee", "seq", "["]:
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
    gnu_missing = [p for p in ("grep", "sort", "seq", "[") if not shutil.which(p)]
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
