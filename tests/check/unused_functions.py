#!/usr/bin/env python3
"""tests/check/unused_functions.py - fails when a kernel function is never
called: cppcheck's unusedFunction over the kernel's own files (lib/ calls
into the kernel only through what lib/ headers declare: the services of
lib/base/env.h and ports handed in as tables, so a kernel function that a
lib/ header declares counts as used). A function entered from assembly
carries an inline `cppcheck-suppress unusedFunction`. Prints each unused
function as file:line: name, and their count.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def git_files(*patterns):
    out = subprocess.run(["git", "ls-files"] + list(patterns), cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return out.split()


def lib_declared():
    names = set()
    for path in git_files("lib/*.h"):
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            names.update(re.findall(r"\b([a-z_][a-z0-9_]*)\s*\(", f.read()))
    return names


def main():
    r = subprocess.run(["cppcheck", "--quiet", "--std=c11", "--enable=unusedFunction",
                        "--inline-suppr", "--suppress=missingIncludeSystem", "-Ilib", "-Ikernel",
                        "-I.", "--template={file}:{line}: {id}: {message}"]
                       + git_files("kernel/*.c", "kernel/*.h"),
                       cwd=ROOT, capture_output=True, text=True)
    declared = lib_declared()
    unused = []
    for line in r.stderr.splitlines():
        m = re.match(r"(\S+:\d+): unusedFunction: The function '(\w+)' is never used", line)
        if m and m.group(2) not in declared:
            unused.append(f"{m.group(1)}: {m.group(2)}")
    for u in unused:
        print(u)
    print(f"{len(unused)} unused kernel functions")
    return 1 if unused or r.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
