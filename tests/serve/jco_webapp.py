"""tests/serve/jco_webapp.py - the example C handler (build/handlers/
webapp.wasm, a core module importing wasi:http@0.2.12 and a few WASI
preview 1 calls from wasi-libc) made into a component jco serve can run:
`jco embed` with a world that includes wasi:http/proxy@0.2.12 (the WIT in
WASI_WIT, default ../shared/wit), then `jco new --wasi-reactor` (jco's
preview 1 adapter). Shared by tests/serve/test_serve_jco.py and
bench/serve/bench_serve.py.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from filelock import held  # noqa: E402
from jcoenv import jco_location  # noqa: E402

WORLD = "package kpio:webapp;\nworld webapp {\n  include wasi:http/proxy@0.2.12;\n}\n"


def jco_tool(build):
    """(jco.sh path, env) or (None, why) when jco or node is missing."""
    wrappers, home = jco_location(build)
    jco = os.path.join(wrappers, "jco.sh")
    if not os.path.exists(jco) or not shutil.which("node"):
        return None, f"no jco at {wrappers} or no node (set JCO_DIR)"
    return jco, dict(os.environ, JCO_HOME=home)


def componentize(build):
    """(component path, jco.sh, env), or (None, why, "skip") when jco, node,
    the WIT or webapp.wasm is missing, or (None, why, "fail") when jco
    fails. Rebuilt when webapp.wasm is newer than the component."""
    jco, env = jco_tool(build)
    if not jco:
        return None, env, "skip"
    wit = os.path.join(os.environ.get("WASI_WIT") or os.path.join(ROOT, "..", "shared", "wit"),
                       "wasi-0.2.12")
    if not os.path.isdir(wit):
        return None, f"no WIT at {wit} (set WASI_WIT)", "skip"
    core = os.path.join(build, "handlers", "webapp.wasm")
    if not os.path.exists(core):
        return None, f"no {core} (make builds it)", "skip"
    out = os.path.join(build, "serve", "jco-webapp")
    with held(out):  # one maker at a time: the test and the benchmark share out
        return make_component(jco, env, wit, core, out)


def make_component(jco, env, wit, core, out):
    """jco embed + jco new of core into out, unless out's component is newer."""
    comp = os.path.join(out, "webapp.component.wasm")
    if os.path.exists(comp) and os.path.getmtime(comp) >= os.path.getmtime(core):
        return comp, jco, env
    shutil.rmtree(out, ignore_errors=True)
    deps = os.path.join(out, "wit", "deps")
    os.makedirs(deps)
    for name in os.listdir(wit):
        if os.path.isdir(os.path.join(wit, name)):
            shutil.copytree(os.path.join(wit, name), os.path.join(deps, name))
    with open(os.path.join(out, "wit", "world.wit"), "w") as f:
        f.write(WORLD)
    emb = os.path.join(out, "webapp.embed.wasm")
    for args in (["embed", core, "--wit", os.path.join(out, "wit"), "-n", "webapp", "-o", emb],
                 ["new", emb, "--wasi-reactor", "-o", comp + ".tmp"]):
        r = subprocess.run(["sh", jco] + args, env=env, capture_output=True, timeout=600)
        if r.returncode != 0:
            return None, f"jco {args[0]}: " + (r.stdout + r.stderr).decode()[-800:], "fail"
    os.replace(comp + ".tmp", comp)
    return comp, jco, env
