#!/usr/bin/env python3
"""tests/apps/fuzz_regex_seeds.py - writes the seed corpus of the
apps_regex fuzz target (grep's regular expressions) into the folder given:
a flags byte (1 extended, 2 ignore case), a pattern, a NUL, a line; one
of each construct, and a few broken patterns.

    python3 tests/apps/fuzz_regex_seeds.py OUTDIR
"""
import os
import sys

SEEDS = [
    (0, rb"ab*c", b"xxabbbcxx"),
    (0, rb"^\(ab\)\{2,3\}$", b"ababab"),
    (0, rb"[[:alpha:]][^]a-c]x\|y\+", b"q]x"),
    (0, rb"\(a*\)*b", b"aaaaaaaaaaaaaaaaaaaaaaaaac"),
    (1, rb"^(foo|bar)?baz{1,}$", b"foobazz"),
    (1, rb"(a|b)*c[.]d+e?", b"ababc.dd"),
    (2, rb"HeLLo [[:digit:]]\{3\}", b"hello 123"),
    (3, rb"x{0,5}y{2}|\w\S", b"xxxyy"),
    (0, rb"\(a", b""),
    (0, rb"[[:foo:]]", b"f"),
    (1, rb"a{1", b"a{1"),
    (0, rb"a\{32768\}", b"a"),
]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for i, (flags, pat, line) in enumerate(SEEDS):
        with open(os.path.join(out, f"seed{i}"), "wb") as f:
            f.write(bytes([flags]) + pat + b"\0" + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
