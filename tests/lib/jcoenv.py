"""tests/lib/jcoenv.py - where the tests find jco, the reference WASI 0.2
toolchain and host: the folder of its wrapper scripts (jco.sh, setup.sh,
run-preopen.mjs) and JCO_HOME, the folder npm installed jco into.

  1. JCO_DIR, when set (JCO_HOME, else ${TMPDIR:-/tmp}/wasi-anchor)
  2. else this tree's tests/lib/jco (JCO_HOME, else BUILD/jco, where
     scripts/setup.sh installs the pinned jco from npm with the tree's
     package-lock.json; a copy installed without it, as ../shared/tools/jco
     does, gets today's dependencies, which may not run on this node)

install() runs the wrappers' setup.sh when JCO_HOME has no jco yet, one
process at a time (suites run in parallel and share JCO_HOME).
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from filelock import held  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def jco_location(build):
    """(wrapper folder, JCO_HOME) for a tree whose build folder is build."""
    wrappers = os.environ.get("JCO_DIR")
    if wrappers:
        home = os.path.join(os.environ.get("TMPDIR", "/tmp"), "wasi-anchor")
    else:
        wrappers = os.path.join(ROOT, "tests", "lib", "jco")
        home = os.path.join(os.path.abspath(build), "jco")
    return wrappers, os.environ.get("JCO_HOME") or home


def install(wrappers, home, timeout=600):
    """Installs jco into home with wrappers/setup.sh unless it is there:
    None when jco is there, else setup.sh's output (why it failed)."""
    jco_js = os.path.join(home, "node_modules", "@bytecodealliance", "jco")
    with held(home):
        if os.path.isdir(jco_js):
            return None
        r = subprocess.run(["sh", os.path.join(wrappers, "setup.sh")], capture_output=True,
                           text=True, errors="replace", timeout=timeout,
                           env=dict(os.environ, JCO_HOME=home))
        if r.returncode == 0 and os.path.isdir(jco_js):
            return None
        return (r.stderr + r.stdout).strip() or f"setup.sh exited with status {r.returncode}"
