#!/usr/bin/env python3
"""tests/unit/component/make_components.py - real components for lib/component's
unit tests: every app in BUILD/apps made into a WASI command component by jco
(`jco new APP.wasm --wasi-command` with the preview1 adapter jco ships; apps
that import WASI 0.2 directly are first given their WIT with `jco embed`, as
in tests/apps/jco.py), and a component from a second toolchain: a small
JavaScript command made by `jco componentize` (componentize-js, a JS engine
inside: about 15 MB and a minute to build).

  make_components.py BUILD OUT

Also OUT/args.component.wasm (and OUT/args.wasm): tests/component/args.wat, a command written
against the lowered canonical ABI without wasi-libc or the preview1 adapter
(wat2wasm, `jco embed` with tests/component/args.wit, `jco new`).

Writes OUT/APP.component.wasm and OUT/js.component.wasm (or OUT/js.SKIP
with the reason), or OUT/SKIP with the reason when jco is not available
(JCO_DIR, default tests/lib/jco; see tests/lib/jcoenv.py).
"""
import glob
import os
import shutil
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "apps"))
from jco import Jco  # noqa: E402


def make_args(jco, out):
    """args.component.wasm from tests/component/args.wat and args.wit: the
    world's WIT folder is args.wit with the official WIT as its deps."""
    src = os.path.join(ROOT, "tests", "component")
    core = os.path.join(jco.out, "args.wasm")
    subprocess.run(["wat2wasm", os.path.join(src, "args.wat"), "-o", core], check=True)
    shutil.copy(core, os.path.join(out, "args.wasm"))  # the core module, for comparison
    wit = os.path.join(jco.out, "args-wit")
    shutil.copytree(os.path.join(jco.wit, "deps"), os.path.join(wit, "deps"))
    shutil.copy(os.path.join(src, "args.wit"), wit)
    emb = os.path.join(jco.out, "args.embed.wasm")
    for args in (("embed", core, "--wit", wit, "-o", emb),
                 ("new", emb, "-o", os.path.join(out, "args.component.wasm"))):
        r = jco.jco(*args)
        if r.rc != 0:
            return f"jco {args[0]} of args.wat: {r.errtext}{r.text}"
    return None


def main():
    build, out = sys.argv[1], sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    jco = Jco(build)
    try:
        why = jco.prepare()
        if why:
            with open(os.path.join(out, "SKIP"), "w") as f:
                f.write(why + "\n")
            print("component tests will SKIP: " + why)
            return 0
        apps = sorted(glob.glob(os.path.join(build, "apps", "*.wasm")))
        for app in apps:
            name = os.path.basename(app)[:-5]
            dest = os.path.join(out, name + ".component.wasm")
            r = jco.jco("new", app, "--wasi-command", "-o", dest)
            if r.rc != 0:  # imports WASI 0.2 itself: embed its WIT first
                comp, err = jco.componentize(app, name)
                if not comp:
                    print(f"{name}: {err}", file=sys.stderr)
                    return 1
                shutil.copy(comp, dest)
        err = make_args(jco, out)
        if err:
            print(err, file=sys.stderr)
            return 1
        print(f"  JCO     {len(apps) + 1} components in {out}")
        js = os.path.join(out, "app.js")
        with open(js, "w") as f:
            f.write('export const run = { run() { console.log("hello from js"); } };\n')
        wit = os.path.join(jco.wit_root, "wasi-0.2.3-documented")
        r = jco.jco("componentize", js, "--wit", wit, "-n", "wasi:cli/command", "-o",
                    os.path.join(out, "js.component.wasm"), timeout=900)
        if r.rc != 0:
            with open(os.path.join(out, "js.SKIP"), "w") as f:
                f.write("jco componentize failed: " + (r.errtext + r.text)[-300:].replace("\n", " "))
        else:
            print(f"  JCO     js.component.wasm (componentize-js) in {out}")
        return 0
    finally:
        jco.close()


if __name__ == "__main__":
    sys.exit(main())
