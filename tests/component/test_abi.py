#!/usr/bin/env python3
"""tests/component/test_abi.py - the general canonical ABI against the
reference (suite component/abi): a JavaScript component made by
`jco componentize` (tests/component/abi/abi.js, wit/world.wit) echoes
values of every WIT kind; each export is called through
`kpio-wasm --invoke` with WAVE arguments and through `jco transpile` on
node (abi/call.mjs) with the same values, and both must print the same
WAVE, which for an echo is the argument itself. A hand-written component
(abi/edge.wat, made by `jco parse`) adds the utf16 and latin1+utf16
string encodings, compared the same way, and exports whose core code
returns bad data: kpio-wasm must trap with the reason (status 134) and
never crash. A third (abi/res.wat) defines a resource with a destructor:
sessions of calls on one instance (constructor, methods taking borrows,
own handles returned, moved in and dropped) print the same on both, and
misuse of the handle tables traps on both. Bad command lines (invalid WAVE, wrong argument count,
unknown export) fail with status 1 and the reason.

  test_abi.py BUILD

SKIP with the reason when jco or node is missing (JCO_DIR).
"""
import concurrent.futures
import json
import os
import shutil
import struct
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "apps"))
from tap import Tap  # noqa: E402
from hosts import run_cmd  # noqa: E402
from jcoenv import install, jco_location  # noqa: E402
from test_run import missing_import_component  # noqa: E402

SRC = os.path.join(HERE, "abi")
TRAP = 134

# ---- the types of wit/world.wit, as call.mjs reads them ------------------
POINT = {"record": [["x", "s32"], ["y", "s32"]]}
COLOR = {"enum": ["red", "green", "blue"]}
PERM = {"flags": ["read", "write", "exec"]}
MANY = {"flags": [f"f{i}" for i in range(32)]}
SHAPE = {"variant": [["circle", "f32"], ["square", POINT], ["named", "string"], ["empty", None]]}
BOX = {"record": [["name", "string"], ["corner", POINT], ["tags", {"list": "string"}],
                  ["scale", "f64"], ["color", COLOR], ["perms", PERM],
                  ["hint", {"option": "string"}]]}
OUTER = {"record": [["boxes", {"list": BOX}], ["pairs", {"list": {"tuple": ["string", SHAPE]}}]]}
TUP = {"tuple": ["u8", "s16", "u32", "s64", "u64", "char", "bool"]}
RES = {"result": ["string", COLOR]}
OPT = {"option": POINT}

IFACE = "kpio:abi-test/types#"
# name: (kpio-wasm's NAME, the module's path to it, params, result, echo?)
FUNCS = {
    "add": ("add", "add", ["s32", "s32"], "s32", False),
    "greet": ("greet", "greet", ["string"], "string", False),
    "nothing": ("nothing", "nothing", [], None, False),
    "echo-box": (IFACE + "echo-box", "types.echoBox", [BOX], BOX, True),
    "echo-outer": (IFACE + "echo-outer", "types.echoOuter", [OUTER], OUTER, True),
    "echo-shape": (IFACE + "echo-shape", "types.echoShape", [SHAPE], SHAPE, True),
    "echo-strings": (IFACE + "echo-strings", "types.echoStrings", [{"list": "string"}],
                     {"list": "string"}, True),
    "echo-tuple": (IFACE + "echo-tuple", "types.echoTuple", [TUP], TUP, True),
    "echo-floats": (IFACE + "echo-floats", "types.echoFloats", ["f32", "f64"],
                    {"tuple": ["f32", "f64"]}, True),
    "echo-many": (IFACE + "echo-many", "types.echoMany", [MANY], MANY, True),
    "echo-option": (IFACE + "echo-option", "types.echoOption", [OPT], OPT, True),
    "echo-result": (IFACE + "echo-result", "types.echoResult", [RES], RES, True),
    "echo-chars": (IFACE + "echo-chars", "types.echoChars", [{"list": "char"}],
                   {"list": "char"}, True),
    "sum-many": (IFACE + "sum-many", "types.sumMany",
                 ["s32", "s64", "f32", "f64"] * 4 + ["u8"], "f64", False),
}

BOX1 = {"name": "b\u00f6x", "corner": {"x": -1, "y": 2147483647}, "tags": ["a", "", "\u2603"],
        "scale": 2.5, "color": "green", "perms": ["read", "exec"], "hint": {"some": "h\tint"}}
BOX2 = {"name": "", "corner": {"x": 0, "y": 0}, "tags": [], "scale": -0.0, "color": "red",
        "perms": [], "hint": None}
SHAPES = [{"case": "circle", "val": 1.5}, {"case": "square", "val": {"x": -3, "y": 4}},
          {"case": "named", "val": "n\"q\""}, {"case": "empty"}]

# (function, arguments in call.mjs's JSON form)
CASES = [
    ("add", [1, 2]),
    ("add", [2147483647, 1]),
    ("greet", ["w\u00f6rld \u2603 \"q\"\n"]),
    ("nothing", []),
    ("echo-box", [BOX1]),
    ("echo-box", [BOX2]),
    ("echo-outer", [{"boxes": [BOX1, BOX2], "pairs": [[f"p{i}", s] for i, s in enumerate(SHAPES)]}]),
] + [("echo-shape", [s]) for s in SHAPES] + [
    ("echo-strings", [[]]),
    ("echo-strings", [["a", "", "\u00fc\U0001F600", "\\", "\u0007"]]),
    ("echo-tuple", [[255, -32768, 4294967295, -9223372036854775808, 18446744073709551615,
                     "\U0001F600", True]]),
    ("echo-tuple", [[0, 0, 0, 0, 0, "'", False]]),
    ("echo-floats", [1.5, 0.1]),
    ("echo-floats", ["nan", "-inf"]),
    ("echo-floats", [-0.0, 1e-7]),
    ("echo-floats", [3.4028234663852886e38, 1e21]),
    ("echo-many", [["f0", "f16", "f31"]]),
    ("echo-many", [[]]),
    ("echo-option", [None]),
    ("echo-option", [{"some": {"x": 1, "y": -2}}]),
    ("echo-result", [{"ok": "yes"}]),
    ("echo-result", [{"err": "blue"}]),
    ("echo-chars", [["a", "\n", "'", "\u2603", "\U0001F600"]]),
    ("sum-many", [i + 1 for i in range(16)] + [17]),
]

# the hand-written component: (NAME as kpio-wasm takes it, JS name, params,
# result, arguments)
EDGE = [
    ("hello-utf16", "helloUtf16", [], "string", []),
    ("echo-utf16", "echoUtf16", ["string"], "string", ["a\u00e9\u2603\U0001F600"]),
    ("echo-utf8", "echoUtf8", ["string"], "string", ["x\ty\u00e9"]),
]
# latin1.wat (jco transpile does not take latin1+utf16): NAME, args, result
LATIN1 = [
    ("hello-latin1", [], "\"h\u00e9\""),
    ("echo-latin1", ["\"a\u00e9\u00ff\""], "\"a\u00e9\u00ff\""),
    ("echo-latin1", ["\"a\u2603\U0001F600\""], "\"a\u2603\U0001F600\""),
]
EDGE_TRAPS = [
    ("bad-list", "list at 4294967280 (16 bytes) is out of bounds of memory"),
    ("bad-char", "char 0xd800 is not a Unicode scalar value"),
    ("bad-option", "option case 7 is out of range (2 cases)"),
    ("bad-utf8", "string at 96 is not valid UTF-8"),
]

# res.wat: a resource of the component's own, driven in sessions of calls
# on one instance (kpio-wasm: one --invoke with several WAVE calls; node:
# one run of call.mjs). A call is (NAME, JS kind, params, result, args).
RES_IFACE = "kpio:res-test/counters#"
OWN, BORROW = {"own": "counter"}, {"borrow": "counter"}


def res_call(name, args):
    """A call of res.wat's interface: its NAME, JS name and kind, types."""
    kinds = {
        "new": ("[constructor]counter", "counters.Counter", "new", ["s32"], OWN),
        "get": ("[method]counter.get", "get", "method", [BORROW], "s32"),
        "add": ("[method]counter.add", "add", "method", [BORROW, "s32"], None),
        "clone": ("[method]counter.clone", "clone", "method", [BORROW], OWN),
        "consume": ("consume", "counters.consume", None, [OWN], "s32"),
        "dropped": ("dropped", "counters.dropped", None, [], {"tuple": ["u32", "s32"]}),
        "bad-index": ("bad-index", "counters.badIndex", None, [], "s32"),
        "bad-type": ("bad-type", "counters.badType", None, [], "s32"),
        "bad-twice": ("bad-twice", "counters.badTwice", None, [OWN], None),
        "bad-return": ("bad-return", "counters.badReturn", None, [OWN], OWN),
    }
    wit, js, kind, params, result = kinds[name]
    text = RES_IFACE + wit + "(" + ", ".join(wave(p, a) for p, a in zip(params, args)) + ")"
    call = {"fn": js, "params": params, "args": args, "result": result}
    if kind:
        call["kind"] = kind
    return text, call


# (calls, the lines printed): own handles are numbered in the host's table
# (index 1 reused once consume moved it out); the destructor runs when
# consume drops its handle, and dropped() counts it and sums the values
RES_SESSION = ([("new", [5]), ("add", [1, 3]), ("get", [1]), ("clone", [1]), ("add", [2, -10]),
                ("consume", [1]), ("dropped", []), ("new", [100]), ("get", [2]),
                ("consume", [2]), ("dropped", []), ("get", [1])],
               ["own<1>", "8", "own<2>", "8", "(1, 8)", "own<1>", "-2", "-2", "(2, 6)", "100"])
# sessions that must trap: (what, calls, kpio-wasm's reason, whether jco
# traps too: jco 1.x does not check that a returned own handle is still in
# the table, which CanonicalABI.md's lift_own does)
RES_TRAPS = [
    ("an index never given out", [("bad-index", [])],
     "resource.rep: handle 99 is not in the table", True),
    ("a handle of another resource type", [("bad-type", [])],
     "resource.rep: handle 1 is of another resource type", True),
    ("an own handle dropped twice", [("new", [7]), ("bad-twice", [1])],
     "resource.drop: handle 1 is not in the table", True),
    ("a dropped handle returned as own", [("new", [9]), ("bad-return", [1])],
     "own handle: handle 1 is not in the table", False),
    ("a borrow of a handle the host moved out", [("new", [1]), ("consume", [1]), ("get", [1])],
     "borrow handle: handle 1 is not in the table", True),
]


# ---- WAVE of the JSON form (the canonical text: what an echo prints) ------
def wave_float(x, f32):
    if x == "nan" or x != x:
        return "nan"
    if x in ("inf", "-inf"):
        return x
    if x == 0:
        return "-0" if str(x).startswith("-") else "0"
    digits = repr(x)
    if f32:  # the shortest digits that read back as the same f32
        for p in range(9):
            digits = "%.*e" % (p, x)
            try:
                if struct.pack("<f", float(digits)) == struct.pack("<f", x):
                    break
            except OverflowError:  # rounded beyond the largest f32
                continue
    text = format(Decimal(digits), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def wave_char(c):
    esc = {"\\": "\\\\", '"': '\\"', "'": "\\'", "\t": "\\t", "\r": "\\r", "\n": "\\n"}
    if c in esc:
        return esc[c]
    if ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0:
        return "\\u{%x}" % ord(c)
    return c


def wave(t, v):
    if isinstance(t, str):
        if t == "bool":
            return "true" if v else "false"
        if t in ("f32", "f64"):
            return wave_float(v, t == "f32")
        if t == "char":
            return "'" + wave_char(v) + "'"
        if t == "string":
            return '"' + "".join(wave_char(c) for c in v) + '"'
        return str(v)
    (kind, d), = t.items()
    if kind == "list":
        return "[" + ", ".join(wave(d, x) for x in v) + "]"
    if kind == "tuple":
        return "(" + ", ".join(wave(ft, x) for ft, x in zip(d, v)) + ")"
    if kind == "record":
        parts = [f"{n}: {wave(ft, v[n])}" for n, ft in d
                 if not ("option" in ft if isinstance(ft, dict) else False) or v[n] is not None]
        return "{" + ", ".join(parts) + "}" if parts else "{:}"
    if kind == "variant":
        ct = dict((n, ct) for n, ct in d)[v["case"]]
        return v["case"] + ("" if ct is None else "(" + wave(ct, v["val"]) + ")")
    if kind == "enum":
        return v
    if kind in ("own", "borrow"):
        return f"{kind}<{v}>"
    if kind == "flags":
        return "{" + ", ".join(n for n in d if n in v) + "}"
    if kind == "option":
        return "none" if v is None else "some(" + wave(d, v["some"]) + ")"
    if kind == "result":
        tag = "ok" if "ok" in v else "err"
        ct = d[0 if tag == "ok" else 1]
        return tag + ("" if ct is None else "(" + wave(ct, v[tag]) + ")")
    raise ValueError(t)


# ---- building the components ---------------------------------------------
class Tools:
    def __init__(self, build):
        self.dir, self.home = jco_location(build)
        self.env = dict(os.environ, JCO_HOME=self.home)
        self.out = os.path.join(build, "host", "tests", "component-abi")

    def missing(self):
        if not os.path.exists(os.path.join(self.dir, "jco.sh")):
            return f"no jco at {self.dir} (set JCO_DIR)"
        if not shutil.which("node"):
            return "node is not installed"
        why = install(self.dir, self.home)
        return "jco could not be installed from npm: " + why[-300:] if why else None

    def link_node_modules(self):
        """The transpiled modules import @bytecodealliance/preview2-shim:
        node looks for it in a node_modules folder above them."""
        link = os.path.join(self.out, "node_modules")
        if not os.path.exists(link):
            os.symlink(os.path.join(self.home, "node_modules"), link)

    def jco(self, *args, timeout=600):
        r = run_cmd(["sh", os.path.join(self.dir, "jco.sh")] + list(args), env=self.env,
                    timeout=timeout)
        if r.rc != 0:
            raise RuntimeError(f"jco {args[0]}: {r.errtext[-500:]}{r.text[-300:]}")

    def make(self, name, sources, steps):
        """Runs steps (jco argument lists, OUT standing for the output
        folder) unless name is newer than every source; returns its path."""
        os.makedirs(self.out, exist_ok=True)
        path = os.path.join(self.out, name)
        newest = max(os.path.getmtime(s) for s in sources)
        if not os.path.exists(path) or os.path.getmtime(path) < newest:
            for step in steps:
                self.jco(*[a.replace("OUT", self.out) for a in step])
        return path


def kpio(build, wasm, name, args, timeout=300):
    cmd = [os.path.join(build, "host", "bin", "kpio-wasm"), "--engine", "interp", wasm,
           "--invoke", name] + args
    return run_cmd(cmd, timeout=timeout)


def exact(v):
    """v for JSON, integers beyond 2^53 as strings (node reads JSON
    numbers as doubles; call.mjs makes s64 and u64 BigInts of either)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and abs(v) > 2**53:
        return str(v)
    if isinstance(v, (list, tuple)):
        return [exact(x) for x in v]
    if isinstance(v, dict):
        return {k: exact(x) for k, x in v.items()}
    return v


def node(calls, module, work, name="calls"):
    path = os.path.join(work, name + ".json")
    with open(path, "w") as f:
        json.dump(exact(calls), f)
    r = run_cmd(["node", os.path.join(SRC, "call.mjs"), module, path], timeout=300)
    if r.rc != 0:
        raise RuntimeError("node: " + r.errtext[-800:])
    return r.text.split("\n")


def compare(t, build, wasm, module, work, cases):
    """cases: (label, kpio NAME, JS path, params, result, args, expected or
    None): kpio-wasm and node must print the same, and the expected."""
    calls = [{"fn": js, "params": params, "args": args, "result": result}
             for _, _, js, params, result, args, _ in cases]
    want = node(calls, module, work)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda c: kpio(build, wasm, c[1], [wave(p, a) for p, a in
                                                                 zip(c[3], c[5])]), cases))
    for (label, name, _, params, _, args, expected), r, ref in zip(cases, runs, want):
        got = r.text.rstrip("\n")
        shown = f"{name} {' '.join(wave(p, a) for p, a in zip(params, args))}"
        t.ok(r.rc == 0 and got == ref and (expected is None or got == expected),
             f"{label}: {shown[:100]} -> {got[:80]}",
             diag=f"status {r.rc}\nkpio-wasm: {got}\nnode:      {ref}\nexpected:  {expected}\n"
                  f"stderr: {r.errtext[-600:]}")


def check_resources(t, build, tools, work):
    """res.wat's sessions through kpio-wasm and jco transpile on node."""
    src = os.path.join(SRC, "res.wat")
    res = tools.make("res.wasm", [src], [
        ["parse", src, "-o", "OUT/res.wasm"],
        ["transpile", "OUT/res.wasm", "-o", "OUT/res-js", "--quiet"]])
    module = os.path.join(work, "res-js", "res.js")
    calls = [res_call(n, a) for n, a in RES_SESSION[0]]
    r = kpio(build, res, calls[0][0], [c[0] for c in calls[1:]])
    ref = [line for line in node([c[1] for c in calls], module, work, "res") if line]
    got = r.text.split("\n")[:-1]
    t.ok(r.rc == 0 and got == ref == RES_SESSION[1],
         "resources: constructor, borrow methods, own returned and consumed, destructor",
         diag=f"status {r.rc}\nkpio-wasm: {got}\nnode:      {ref}\nexpected:  {RES_SESSION[1]}\n"
              f"stderr: {r.errtext[-600:]}")
    for k, (what, session, reason, jco_traps) in enumerate(RES_TRAPS):
        calls = [res_call(n, a) for n, a in session]
        r = kpio(build, res, calls[0][0], [c[0] for c in calls[1:]])
        ref = node([c[1] for c in calls], module, work, f"res-trap{k}")
        t.ok(r.rc == TRAP and reason in r.errtext and "Sanitizer" not in r.errtext
             and (ref[len(calls) - 1].startswith("trap:") or not jco_traps),
             f"resources: {what} traps: {reason}",
             diag=f"status {r.rc}\n{r.errtext[-800:]}\nnode: {ref}")


def start(suite):
    """The build folder, a Tap and the tools, or None (SKIPped) when jco or
    node is missing."""
    build = os.path.abspath(sys.argv[1])
    t = Tap()
    tools = Tools(build)
    why = tools.missing()
    if why:
        t.skip(suite, why)
        t.done()
        return None
    return build, t, tools


def main():
    started = start("component/abi")
    if not started:
        return 0
    build, t, tools = started
    srcs = [os.path.join(SRC, f) for f in ("abi.js", "wit/world.wit")]
    abi = tools.make("abi.wasm", srcs, [
        ["componentize", os.path.join(SRC, "abi.js"), "--wit", os.path.join(SRC, "wit"),
         "-n", "abi", "-o", "OUT/abi.wasm"],
        ["transpile", "OUT/abi.wasm", "-o", "OUT/abi-js", "--quiet"]])
    edge = tools.make("edge.wasm", [os.path.join(SRC, "edge.wat")], [
        ["parse", os.path.join(SRC, "edge.wat"), "-o", "OUT/edge.wasm"],
        ["transpile", "OUT/edge.wasm", "-o", "OUT/edge-js", "--quiet"]])
    latin1 = tools.make("latin1.wasm", [os.path.join(SRC, "latin1.wat")], [
        ["parse", os.path.join(SRC, "latin1.wat"), "-o", "OUT/latin1.wasm"]])
    work = tools.out
    tools.link_node_modules()

    cases = []
    for fn, args in CASES:
        name, js, params, result, echo = FUNCS[fn]
        expected = wave(result, args[0] if len(args) == 1 else args) if echo else None
        if fn == "echo-floats":
            expected = wave(result, args)
        cases.append((fn, name, js, params, result, args, expected))
    compare(t, build, abi, os.path.join(work, "abi-js", "abi.js"), work, cases)

    edge_cases = [(n, n, js, p, r, a, wave(r, a[0]) if a else None) for n, js, p, r, a in EDGE]
    compare(t, build, edge, os.path.join(work, "edge-js", "edge.js"), work, edge_cases)

    for name, args, want in LATIN1:
        r = kpio(build, latin1, name, args)
        t.ok(r.rc == 0 and r.text == want + "\n", f"latin1+utf16: {name} {' '.join(args)}",
             diag=f"status {r.rc}: {r.text} {r.errtext[-400:]}")

    for name, reason in EDGE_TRAPS:
        r = kpio(build, edge, name, [])
        t.ok(r.rc == TRAP and reason in r.errtext and "Sanitizer" not in r.errtext,
             f"{name} traps: {reason}", diag=f"status {r.rc}\n{r.errtext[-800:]}")

    bad = [
        (["add", "1", "x"], "argument 2 (b) \"x\": column 1: expected a s32"),
        (["add", "1"], "add takes 2 arguments, 1 given"),
        (["add(1, 2, 3)"], "column 11: 2 values expected, more given"),
        (["greet", "\"open"], "column 6: unterminated string"),
        ([IFACE + "echo-shape", "circle"], "case circle needs a payload in parentheses"),
        (["missing"], "no exported function \"missing\""),
        (["add(1, 2)", "add"], "\"add\" after a call with arguments is no call"),
    ]
    for argv, reason in bad:
        r = kpio(build, abi, argv[0], argv[1:])
        t.ok(r.rc == 1 and reason in r.errtext and "Sanitizer" not in r.errtext,
             f"refused: {' '.join(argv)}", diag=f"status {r.rc}\n{r.errtext[-800:]}")
    bad = os.path.join(work, "missing.wasm")
    with open(bad, "wb") as f:
        f.write(missing_import_component("wasi:foo/bar@0.2.0", "baz"))
    r = kpio(build, bad, "f", [])
    t.ok(r.rc == 1 and "component imports wasi:foo/bar@0.2.0#baz, which this host does not "
         "provide" in r.errtext, "--invoke refuses a component importing what the host lacks",
         diag=f"status {r.rc}\n{r.errtext[-400:]}")
    check_resources(t, build, tools, work)
    r = kpio(build, abi, "add(20, 22)", [])
    t.ok(r.rc == 0 and r.text == "42\n", "a WAVE call: add(20, 22) -> 42",
         diag=f"status {r.rc}: {r.text} {r.errtext[-400:]}")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
