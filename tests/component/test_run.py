#!/usr/bin/env python3
"""tests/component/test_run.py - kpio-wasm runs WASI 0.2 command components
(lib/component/command.c over lib/wasi): each component that
tests/unit/component/make_components.py made must print the same stdout
and stderr as its core module on kpio-wasm, with the same exit status as
far as WASI 0.2 can say it (wasi:cli/exit takes result<_, _>: a non-zero
status becomes 1, as on wasmtime and jco), and the same as `jco run` on
node (jco's statuses are 0 or 1 too). The JavaScript command component
(componentize-js) prints what node prints. A component that imports a
function the host lacks is refused before it runs, naming the import.

  test_run.py BUILD COMPONENTS_DIR

SKIP with the reason when make_components.py could not run jco (JCO_DIR).
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "apps"))
from tap import Tap  # noqa: E402
from hosts import run_cmd  # noqa: E402
from jco import Jco  # noqa: E402

# (app, args, stdin): runs that need no network and no files, each in a
# fresh copy of the fixture preopened as "/".
CASES = [
    ("args", [], b""),
    ("args", ["one"], b""),
    ("args", ["two words", "\u00fcn\u00efc\u00f6de", "", "-x"], b""),
    ("args", [str(i) for i in range(200)], b""),
    ("hello", [], b""),
    ("hello", ["extra"], b""),
    ("echo", ["hello", "world"], b""),
    ("echo", ["-n", "no", "newline"], b""),
    ("wc", [], b"one two\nthree\n"),
    ("sha256sum", [], b"stdin data"),
    ("trap", ["bogus"], b""),
    ("sleep", ["0"], b""),
]
# (app, args): cases with files of the fixture (so not for jco run, which
# preopens only /data)
FILE_CASES = [
    ("cat", ["a.txt"]),
    ("cat", ["nope"]),
    ("ls", []),
    ("wc", ["a.txt"]),
    ("cp", ["a.txt", "c.txt"]),
    ("mkdir", ["d"]),
]
# cases jco also runs (no files: jco run preopens only /data)
JCO_APPS = ("args", "hello", "echo", "wc", "sha256sum", "trap", "sleep")


def make_fixture(root):
    os.makedirs(os.path.join(root, "sub"))
    for rel, data in (("a.txt", b"alpha\nbeta gamma\n"), ("sub/x.txt", b"x\n")):
        with open(os.path.join(root, rel), "wb") as f:
            f.write(data)


def status_02(core_status):
    """The exit status a component has where its core module has this one."""
    return core_status if core_status in (0, 134) else 1


def show(r):
    return f"status {r.rc}\nstdout: {r.out[:400]!r}\nstderr: {r.err[:400]!r}"


class Runner:
    def __init__(self, build, comps, tmp):
        self.kw = os.path.join(build, "host", "bin", "kpio-wasm")
        self.apps = os.path.join(build, "apps")
        self.comps = comps
        self.tmp = tmp
        self.fixture = os.path.join(tmp, "fixture")
        make_fixture(self.fixture)
        self.n = 0

    def core_path(self, app):
        if app == "args":
            return os.path.join(self.comps, "args.wasm")
        return os.path.join(self.apps, app + ".wasm")

    def kpio(self, path, args, stdin, opts=()):
        """kpio-wasm in a fresh fixture copy; the file's path in its output
        reads FILE, so that a core module and a component compare."""
        self.n += 1
        d = os.path.join(self.tmp, f"run{self.n}")
        shutil.copytree(self.fixture, d)
        r = run_cmd([self.kw] + list(opts) + ["--dir", d + "::/", path] + list(args), stdin,
                    timeout=120)
        r.out = r.out.replace(path.encode(), b"FILE")
        r.err = r.err.replace(path.encode(), b"FILE")
        return r


def run_cases(t, runner, jco):
    cases = [(app, args, stdin, False) for app, args, stdin in CASES]
    cases += [(app, args, b"", True) for app, args in FILE_CASES]
    for app, args, stdin, files in cases:
        name = f"{app} {' '.join(args)[:40]}".strip()
        comp = os.path.join(runner.comps, app + ".component.wasm")
        core = runner.kpio(runner.core_path(app), args, stdin)
        got = runner.kpio(comp, args, stdin)
        same = (got.out == core.out and got.err == core.err and got.rc == status_02(core.rc))
        t.ok(same, f"component {name}: as its core module on kpio-wasm",
             f"core:\n{show(core)}\ncomponent:\n{show(got)}")
        if app == "args":  # the core modules inside run on the JIT as well
            jit = runner.kpio(comp, args, stdin, ("--engine", "jit"))
            t.ok(jit.out == got.out and jit.err == got.err and jit.rc == got.rc,
                 f"component {name}: the same on the JIT", f"JIT:\n{show(jit)}")
        if app not in JCO_APPS or files:
            continue
        if not jco:
            t.skip(f"component {name}: as jco run", "no jco (JCO_DIR)")
            continue
        j = run_cmd(["sh", jco.script, "run", comp] + list(args), stdin, env=jco.env, timeout=300,
                    stdout_file=True)
        t.ok(j.out == got.out and j.err == got.err and j.rc == got.rc,
             f"component {name}: as jco run on node", f"jco:\n{show(j)}\nkpio-wasm:\n{show(got)}")


def js_case(t, runner):
    name = "the JavaScript command component (componentize-js) prints what node prints"
    js = os.path.join(runner.comps, "js.component.wasm")
    if not os.path.exists(js):
        why = open(os.path.join(runner.comps, "js.SKIP")).read().strip()
        t.skip(name, why)
        return
    app = "file://" + os.path.abspath(os.path.join(runner.comps, "app.js"))
    node = run_cmd(["node", "--input-type=module", "-e",
                    f"import({app!r}).then(m => m.run.run())"], timeout=60)
    got = runner.kpio(js, [], b"")
    t.ok(node.rc == 0 and got.rc == 0 and got.out == node.out and got.err == b"", name,
         f"node:\n{show(node)}\nkpio-wasm:\n{show(got)}")


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def name(s):
    return leb(len(s)) + s.encode()


def section(sid, items):
    body = leb(len(items)) + b"".join(items)
    return bytes([sid]) + leb(len(body)) + body


def missing_import_component(iface, func):
    """(component (import "IFACE" (instance (export "FUNC" (func))))) in
    Binary.md's encoding: a type section with the instance type, an import
    section."""
    functype = b"\x01" + b"\x40\x00\x01\x00"               # type 0: func() with no result
    export = b"\x04" + b"\x00" + name(func) + b"\x01\x00"   # export FUNC: (func (type 0))
    inst = b"\x42" + leb(2) + functype + export
    return (b"\x00asm\x0d\x00\x01\x00" + section(7, [inst])
            + section(10, [b"\x00" + name(iface) + b"\x05\x00"]))


def refusal_cases(t, runner):
    bad = os.path.join(runner.tmp, "missing.wasm")
    with open(bad, "wb") as f:
        f.write(missing_import_component("wasi:foo/bar@0.2.0", "baz"))
    r = run_cmd([runner.kw, bad], timeout=60)
    want = (f"kpio-wasm: {bad}: component imports wasi:foo/bar@0.2.0#baz, which this host "
            "does not provide\n").encode()
    t.ok(r.rc == 1 and r.err == want and r.out == b"",
         "a component importing a function the host lacks is refused before it runs", show(r))
    with open(bad, "wb") as f:
        f.write(missing_import_component("wasi:cli/environment@0.2.7", "get-everything"))
    r = run_cmd([runner.kw, bad], timeout=60)
    t.ok(r.rc == 1 and b"imports wasi:cli/environment@0.2.7#get-everything, which this host "
         b"does not provide" in r.err, "... also in an interface the host has (any @0.2.N)",
         show(r))


def main():
    build, comps = sys.argv[1], sys.argv[2]
    t = Tap()
    skip = os.path.join(comps, "SKIP")
    with tempfile.TemporaryDirectory(prefix="kpio-comprun-") as tmp:
        runner = Runner(build, comps, tmp)
        refusal_cases(t, runner)
        if os.path.exists(skip):
            t.skip("components made by jco run on kpio-wasm", open(skip).read().strip())
            return t.done()
        jco = Jco(build)
        try:
            why = jco.prepare()
            run_cases(t, runner, None if why else jco)
            js_case(t, runner)
        finally:
            jco.close()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
