"""tests/check/wasi_cycles.py - fails when files of lib/wasi form a circle.

Two files are linked when one includes the other ("wasi/x.h") or one
names a function or object that the other defines without static (a
call, or a table it refers to). A circle of such links means no file in
it can be read or changed without the others; lib/wasi is layered
instead: ctx.c on top, the generated tables, the host functions of each
interface, and p2.c / p2_io.c at the bottom, with streams and pollables
reaching their kinds only through the ops tables they are handed.

Prints each circle with its links and exits 1, or exits 0 when there is
none.
"""
import os
import re
import sys

from scc import circles

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DIR = os.path.join(ROOT, "lib", "wasi")

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
INCLUDE = re.compile(r'^#include "wasi/([\w.]+)"', re.M)
# A definition at the start of a line: "type name(args) {" not static, a
# P2_IMPL(name, ...), or "const struct x name[] = ..." /
# "const size_t name = ...".
FUNC_DEF = re.compile(r"^(?!static\b|P2_)[A-Za-z_][\w \t*]*?\b(\w+)\s*\([^;{}]*\)\s*\{", re.M)
P2_IMPL = re.compile(r"^P2_IMPL\((\w+),", re.M)
DATA_DEF = re.compile(r"^const [\w ]+?\b(\w+)(\[\])?\s*=", re.M)
WORD = re.compile(r"\b[A-Za-z_]\w*\b")


def read_files():
    files = {}
    for name in sorted(os.listdir(DIR)):
        if name.endswith((".c", ".h")):
            with open(os.path.join(DIR, name), encoding="utf-8") as f:
                files[name] = COMMENT.sub("", f.read())
    return files


def links(files):
    defined = {}
    for name, text in files.items():
        if not name.endswith(".c"):
            continue
        for rx in (FUNC_DEF, P2_IMPL, DATA_DEF):
            for m in rx.finditer(text):
                defined.setdefault(m.group(1), name)
    out = {name: set() for name in files}
    for name, text in files.items():
        out[name].update(h for h in INCLUDE.findall(text) if h in files and h != name)
        if name.endswith(".c"):
            for word in set(WORD.findall(text)):
                owner = defined.get(word)
                if owner and owner != name:
                    out[name].add(owner)
    return out


def main():
    graph = links(read_files())
    found = circles(graph)
    for comp in found:
        print("lib/wasi files in a circle: " + " ".join(comp))
        for a in comp:
            for b in sorted(graph[a] & set(comp)):
                print(f"  {a} -> {b}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
