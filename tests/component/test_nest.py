#!/usr/bin/env python3
"""tests/component/test_nest.py - calls between components (suite
component/nest): tests/component/abi/nest.wat nests a library and an
application component that calls it and the root, each with its own
memory. Its exports are called through `kpio-wasm --invoke` and through
`jco transpile` on node (abi/call.mjs): strings and lists copied between
the memories (and re-encoded into the library's utf16), own handles moved
between instances, borrows lent for a call, a destructor run in the
library; both must print the same and the expected. Misuse of handles
traps on both, and so does a component that calls a function it lifts
itself through a lower (abi/reenter.wat). Variants of nest.wat that are invalid (an argument of the
wrong type or sort, a missing one, an index out of range) are refused by
kpio-wasm at load with the reason.

  test_nest.py BUILD

SKIP with the reason when jco or node is missing (JCO_DIR).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_abi import SRC, TRAP, compare, kpio, node, start, wave  # noqa: E402

TRIPLE = {"tuple": ["s32", "s32", "u32"]}
PAIR = {"tuple": ["u32", "u32"]}

# (label, NAME, JS name, params, result, args, expected)
STRINGS = [
    ("a string through two memories, twice", "shout-twice", "shoutTwice", ["string"], "string",
     ["h\u00e9 \u2603"], "\"h\u00e9 \u2603!!\""),
    ("an empty string", "shout-twice", "shoutTwice", ["string"], "string", [""], "\"!!\""),
    ("utf8 into the library's utf16 and back", "shout16", "shout16", ["string"], "string",
     ["abc"], "\"abc!\""),
    ("a list of strings copied into the library", "join", "join", [{"list": "string"}],
     "string", [["a", "bc", "", "\u2603\U0001F600"]], "\"a+bc++\u2603\U0001F600\""),
    ("an empty list", "join", "join", [{"list": "string"}], "string", [[]], "\"\""),
    ("17 parameters through both memories", "sum-many", "sumMany", ["u32"] * 17, "u32",
     list(range(1, 18)), "153"),
    ("17 parameters, u32 wrapping", "sum-many", "sumMany", ["u32"] * 17, "u32",
     [4294967295] * 17, "4294967279"),
]
# jco 1.x's utf8-to-utf16 transcoder between two memories reads and writes
# the wrong memory (non-ASCII text arrives as zeros): checked against the
# value only
UTF16 = [("shout16", "\"a\u00e9\u2603\U0001F600\"", "\"a\u00e9\u2603\U0001F600!\"")]

# one instance, calls in turn: a counter of the library made, added to and
# read through borrows lent out of the application, consumed (the
# destructor runs in the library: its count is the third value); a root
# token lent to the library (which drops the borrow) and then moved to it
SESSION = [("count", ["s32", "s32"], TRIPLE, [5, 3]),
           ("count", ["s32", "s32"], TRIPLE, [10, -1]),
           ("tokens", ["u32"], PAIR, [9])]
SESSION_OUT = ["(8, 9, 1)", "(9, 10, 2)", "(1, 7)"]

# (export, kpio-wasm's reason)
TRAPS = [
    ("bad-borrow", "borrow handle: handle 1 is not in the table"),
    ("bad-keep", "1 borrow handle(s) still in the table when the call returned"),
    ("bad-move", "own handle: handle 1 is not in the table"),
]

# invalid variants: (what, text replaced, replacement, kpio-wasm's reason)
INVALID = [
    ("an argument of another function type", '(with "join" (func $l "join"))',
     '(with "join" (func $l "shout"))', 'component import "join": func type mismatch'),
    ("an argument of another sort", '(with "counter" (type $l "counter"))',
     '(with "counter" (func $l "make"))', 'component import "counter" is a type, its argument a func'),
    ("a missing argument", '(with "take" (func $l "take"))', '',
     'component import "take" has no instantiation argument'),
    ("another resource for an import", '(with "token" (type $token))\n    (with "counter"',
     '(with "token" (type $l "counter"))\n    (with "counter"',
     'component import "new-token": func type mismatch'),
    ("an index out of range", '(with "shout" (func $l "shout"))', '(with "shout" (func 99))',
     "out of range"),
]


def camel(name):
    head, *rest = name.split("-")
    return head + "".join(p.capitalize() for p in rest)


def check_invalid(t, build, tools, work, text):
    for k, (what, old, new, reason) in enumerate(INVALID):
        assert old in text, old
        src = os.path.join(work, f"nest-bad{k}.wat")
        bad = text.replace(old, new, 1)
        if not os.path.exists(src) or open(src).read() != bad:
            with open(src, "w") as f:
                f.write(bad)
        wasm = tools.make(f"nest-bad{k}.wasm", [src], [["parse", src, "-o", f"OUT/nest-bad{k}.wasm"]])
        r = kpio(build, wasm, "count(1, 2)", [])
        t.ok(r.rc == 1 and reason in r.errtext and "Sanitizer" not in r.errtext,
             f"refused at load: {what}", diag=f"status {r.rc}\n{r.errtext[-600:]}")


def check_reenter(t, build, tools, work):
    """abi/reenter.wat lowers a function it lifts itself: calling the
    function works, calling it through the lower would enter the instance
    again and traps on both."""
    src = os.path.join(SRC, "reenter.wat")
    wasm = tools.make("reenter.wasm", [src], [
        ["parse", src, "-o", "OUT/reenter.wasm"],
        ["transpile", "OUT/reenter.wasm", "-o", "OUT/reenter-js", "--quiet"]])
    module = os.path.join(work, "reenter-js", "reenter.js")
    calls = [{"fn": name, "params": [], "args": [], "result": "u32"} for name in ("one", "again")]
    ref = node(calls, module, work, "reenter")
    r = kpio(build, wasm, "one()", ["again()"])
    reason = "a component instance may not be entered again while it runs"
    t.ok(r.rc == TRAP and r.text == "1\n" and reason in r.errtext and ref[0] == "1"
         and ref[1].startswith("trap:") and "Sanitizer" not in r.errtext,
         f"a lower of the instance's own lift traps: {reason}",
         diag=f"status {r.rc}\n{r.text}{r.errtext[-800:]}\nnode: {ref}")


def main():
    started = start("component/nest")
    if not started:
        return 0
    build, t, tools = started
    src = os.path.join(SRC, "nest.wat")
    wasm = tools.make("nest.wasm", [src], [
        ["parse", src, "-o", "OUT/nest.wasm"],
        ["transpile", "OUT/nest.wasm", "-o", "OUT/nest-js", "--quiet"]])
    work = tools.out
    tools.link_node_modules()
    module = os.path.join(work, "nest-js", "nest.js")

    compare(t, build, wasm, module, work, STRINGS)
    for name, arg, want in UTF16:
        r = kpio(build, wasm, name, [arg])
        t.ok(r.rc == 0 and r.text == want + "\n", f"non-ASCII into utf16 and back: {arg}",
             diag=f"status {r.rc}: {r.text} {r.errtext[-400:]}")

    texts = [f"{n}({', '.join(wave(p, a) for p, a in zip(ps, args))})"
             for n, ps, _, args in SESSION]
    r = kpio(build, wasm, texts[0], texts[1:])
    ref = [line for line in node([{"fn": camel(n), "params": ps, "args": args, "result": res}
                                  for n, ps, res, args in SESSION], module, work, "nest")
           if line]
    got = r.text.split("\n")[:-1]
    t.ok(r.rc == 0 and got == ref == SESSION_OUT,
         "resources between components: own moved, borrows lent, destructor in the library",
         diag=f"status {r.rc}\nkpio-wasm: {got}\nnode:      {ref}\nexpected:  {SESSION_OUT}\n"
              f"stderr: {r.errtext[-600:]}")

    for k, (name, reason) in enumerate(TRAPS):
        r = kpio(build, wasm, name, [])
        ref = node([{"fn": camel(name), "params": [], "args": [], "result": "u32"}], module,
                   work, f"nest-trap{k}")
        t.ok(r.rc == TRAP and reason in r.errtext and "Sanitizer" not in r.errtext
             and ref[0].startswith("trap:"), f"{name} traps: {reason}",
             diag=f"status {r.rc}\n{r.errtext[-800:]}\nnode: {ref}")

    check_reenter(t, build, tools, work)
    with open(src) as f:
        check_invalid(t, build, tools, work, f.read())
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
