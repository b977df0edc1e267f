#!/usr/bin/env python3
"""tests/shell/split_errors.py - writes each script of tests/shell/errors.txt
(one per line, \\n for a newline, # lines skipped) to its own file in a
directory: the shell_parse fuzz target's seeds."""
import os
import sys


def scripts(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield line.replace("\\n", "\n")


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for i, s in enumerate(scripts(src)):
        with open(os.path.join(out, "error-%02d.sh" % i), "w", encoding="utf-8") as f:
            f.write(s)


if __name__ == "__main__":
    main()
