#!/usr/bin/env python3
"""tests/check/doc_paths.py - every repository path that README.md and
docs/*.md name exists: words that start with one of the tree's top folders
(kernel/ lib/ host/ apps/ tests/ bench/ scripts/ docs/) and are not
patterns (NAME, *, <x>, {a,b}, $(VAR)). Prints each missing path with
where it is named, and their count.
"""
import glob
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOP = ("kernel", "lib", "host", "apps", "tests", "bench", "scripts", "docs")
PATH = re.compile(r"(?<![\w./$(-])((?:%s)/[\w.+/-]*[\w/])" % "|".join(TOP))
PATTERN = re.compile(r"NAME|[A-Z]{3,}|\*|<|\{|\.\.\.")


def named_paths(text):
    """(line number, path) of every repository path in text."""
    for n, line in enumerate(text.splitlines(), 1):
        for m in PATH.finditer(line):
            end = line[m.end():m.end() + 1]
            if end in ("*", "<", "{", "$") or PATTERN.search(m.group(1)):
                continue
            yield n, m.group(1).rstrip(".")


def main():
    docs = ["README.md"] + sorted(glob.glob("docs/*.md", root_dir=ROOT))
    missing = []
    for doc in docs:
        with open(os.path.join(ROOT, doc), encoding="utf-8") as f:
            for n, path in named_paths(f.read()):
                if not os.path.exists(os.path.join(ROOT, path)):
                    missing.append(f"{doc}:{n}: {path}")
    for m in missing:
        print(m)
    print(f"{len(missing)} missing paths named in README.md and docs/")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
