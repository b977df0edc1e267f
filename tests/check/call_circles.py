#!/usr/bin/env python3
"""tests/check/call_circles.py - fails when C files of one folder call each
other in a circle that tests/check/call_circles.allow does not name.

The graph is read from the compiled objects, so it is exact: file a links to
file b of the same folder when a's object leaves undefined a symbol (a
function called, or a table or object named) that b's object defines. Each
C file under kernel/, lib/ and host/ is read from its kernel object
(build/kernel/...) when the kernel is built from it, else from its release
object (build/rel/...); `make check` builds both first. A circle is a
strongly connected component of more than one file of one folder: none of
its files can be read or changed without the others.

Every circle found must be named in the allow list by one line
    folder: file.c file.c ... -- why the circle is natural
with exactly its files; a listed circle that is no longer found fails too,
so the list stays the true list of what remains. Prints every circle with
its links, and the verdict.

Usage: call_circles.py [--build DIR] [--list]   (--list: print circles only;
DIR defaults to $KPIO_BUILD, else build/)
"""
import argparse
import os
import subprocess
import sys
from collections import defaultdict

from scc import circles

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ALLOW = os.path.join(ROOT, "tests", "check", "call_circles.allow")
TOP_FOLDERS = ("kernel", "lib", "host")
FLAVOURS = ("kernel", "rel")


def sources():
    out = subprocess.run(["git", "ls-files", "--"] + [f"{t}/*.c" for t in TOP_FOLDERS], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def object_of(build, src):
    """The object a source is read from: its kernel build if any, else its
    release build; None when neither has been built."""
    for flavour in FLAVOURS:
        obj = os.path.join(build, flavour, src[:-2] + ".o")
        if os.path.exists(obj):
            return obj
    return None


def symbols(objects):
    """{object: (defined symbols, undefined symbols)} from nm."""
    table = {obj: (set(), set()) for obj in objects}
    out = subprocess.run(["nm", "-P", "-A"] + objects, capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        obj, _, rest = line.partition(": ")
        fields = rest.split()
        if obj not in table or len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        if kind == "U":
            table[obj][1].add(name)
        elif kind.isupper():
            table[obj][0].add(name)
    return table


def call_graph(srcs, objects):
    """{source: set of sources of the same folder it refers to}."""
    table = symbols([objects[s] for s in srcs])
    definer = defaultdict(set)
    for src in srcs:
        for name in table[objects[src]][0]:
            definer[name].add(src)
    graph = {}
    for src in srcs:
        folder = os.path.dirname(src)
        graph[src] = {d for name in table[objects[src]][1] for d in definer.get(name, ())
                      if d != src and os.path.dirname(d) == folder}
    return graph


def read_allow():
    """{(folder, frozenset of file names): line number}."""
    allowed = {}
    with open(ALLOW, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            files, sep, reason = line.partition(" -- ")
            folder, colon, names = files.partition(":")
            if not (sep and colon and reason.strip() and names.split()):
                raise SystemExit(f"{ALLOW}:{n}: want 'folder: a.c b.c -- reason'")
            allowed[(folder.strip(), frozenset(names.split()))] = n
    return allowed


def describe(comp, graph):
    folder = os.path.dirname(comp[0])
    names = [os.path.basename(s) for s in comp]
    lines = [f"{folder}: {' '.join(names)}"]
    for a in comp:
        targets = sorted(os.path.basename(b) for b in graph[a] if b in comp)
        lines.append(f"    {os.path.basename(a)} -> {' '.join(targets)}")
    return folder, frozenset(names), lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("KPIO_BUILD", os.path.join(ROOT, "build")))
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    srcs = sources()
    objects = {s: object_of(args.build, s) for s in srcs}
    missing = [s for s in srcs if objects[s] is None]
    if missing:
        print(f"no object for {len(missing)} sources, e.g. {missing[0]}: run `make check` "
              "(it builds the kernel and release objects first)")
        return 1
    graph = call_graph(srcs, objects)
    found = {}
    for comp in circles(graph):
        folder, names, lines = describe(comp, graph)
        found[(folder, names)] = lines
    for lines in found.values():
        print("\n".join(lines))
    print(f"{len(found)} circles, {sum(len(k[1]) for k in found)} files in them")
    if args.list:
        return 0
    allowed = read_allow()
    bad = 0
    for key in found:
        if key not in allowed:
            print(f"not in call_circles.allow: {key[0]}: {' '.join(sorted(key[1]))}")
            bad += 1
    for key, n in allowed.items():
        if key not in found:
            print(f"call_circles.allow:{n} names a circle that is not found: "
                  f"{key[0]}: {' '.join(sorted(key[1]))}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
