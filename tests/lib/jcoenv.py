"""tests/lib/jcoenv.py - where the tests find jco, the reference WASI 0.2
toolchain and host: the folder of its wrapper scripts (jco.sh, setup.sh,
run-preopen.mjs) and JCO_HOME, the folder npm installed jco into.

  1. JCO_DIR, when set (JCO_HOME, else ${TMPDIR:-/tmp}/wasi-anchor)
  2. ../shared/tools/jco, when present (the same JCO_HOME default)
  3. this tree's tests/lib/jco (JCO_HOME, else BUILD/jco, where
     scripts/setup.sh installs the pinned jco from npm)
"""
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def jco_location(build):
    """(wrapper folder, JCO_HOME) for a tree whose build folder is build."""
    wrappers = os.environ.get("JCO_DIR")
    shared = os.path.join(ROOT, "..", "shared", "tools", "jco")
    if not wrappers and os.path.exists(os.path.join(shared, "jco.sh")):
        wrappers = shared
    if wrappers:
        home = os.path.join(os.environ.get("TMPDIR", "/tmp"), "wasi-anchor")
    else:
        wrappers = os.path.join(ROOT, "tests", "lib", "jco")
        home = os.path.join(os.path.abspath(build), "jco")
    return wrappers, os.environ.get("JCO_HOME") or home
