#!/usr/bin/env python3
"""tests/check/include_paths.py - every quoted #include in the tree names
one file only. The compilers search the including file's folder first,
then the -I folders of the build (lib/ and the repository root for every
build; apps/include, tests/wasi and lib/tls/kernel-include for the builds
that add them). Kernel headers are named from the root ("kernel/net/knet.h")
and portable ones from lib/ ("net/net.h"), so an include that could mean
two files is an error, as is a kernel header named without its "kernel/"
prefix. Includes that name no file of the tree (system and Mbed TLS
headers) are not ours to check.

    include_paths.py        (exit 1 and one line per finding)
"""
import os
import re
import subprocess
import sys

SEARCH = ["lib", ".", "apps/include", "tests/wasi", "lib/tls/kernel-include"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def candidates(path, inc):
    """The distinct files of the tree that `#include "inc"` in path could open."""
    dirs = [os.path.dirname(path)] + SEARCH
    found = []
    for d in dirs:
        p = os.path.normpath(os.path.join(d, inc))
        if os.path.isfile(p) and p not in found:
            found.append(p)
    return found


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    os.chdir(root)
    files = subprocess.run(["git", "ls-files", "*.c", "*.h", "*.S"], capture_output=True,
                           text=True, check=True).stdout.split()
    bad = []
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            found = candidates(path, inc)
            if len(found) > 1:
                bad.append(f"{path}: \"{inc}\" could be any of {', '.join(found)}")
            elif not found and os.path.isfile(os.path.join("kernel", inc)):
                bad.append(f"{path}: \"{inc}\" is a kernel header: name it \"kernel/{inc}\"")
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
