"""tests/apps/jco.py - jco, the reference WASI 0.2 toolchain and host (from
the npm registry), for the app tests: find it, install it if needed,
componentize an app with the official WIT, and run the component.

  JCO_DIR   the wrapper folder (jco.sh, setup.sh, run-preopen.mjs): default
            tests/lib/jco
  JCO_HOME  where npm installed jco (${TMPDIR:-/tmp}/wasi-anchor with
            JCO_DIR, BUILD/jco for tests/lib/jco; see tests/lib/jcoenv.py);
            setup.sh installs it there when it is missing
  WASI_WIT  the official WIT (default ../shared/wit): wasi-0.2.12/ is copied
            into deps/ next to apps/wit/world.wit

Jco.prepare() returns None when ready, or the reason to SKIP.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from hosts import ROOT, run_cmd

sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from jcoenv import install, jco_location  # noqa: E402

# A --jco-import that makes the shim's tcp-socket shutdown(send) the
# half-close WASI specifies (preview2-shim 0.26.1 destroys the socket).
TCP_SHUTDOWN_FIX = os.path.join(ROOT, "tests", "lib", "jco", "tcp-shutdown.mjs")


class Jco:
    def __init__(self, build):
        self.build = build
        self.dir, self.home = jco_location(build)
        self.wit_root = os.environ.get("WASI_WIT") or os.path.join(ROOT, "..", "shared", "wit")
        # Per run: two test runs in one tree (make test by several people)
        # must not overwrite each other's components.
        os.makedirs(os.path.join(build, "apps-jco"), exist_ok=True)
        self.out = tempfile.mkdtemp(prefix="run-", dir=os.path.join(build, "apps-jco"))
        self.wit = os.path.join(self.out, "wit")
        self.env = dict(os.environ, JCO_HOME=self.home)

    def close(self):
        shutil.rmtree(self.out, ignore_errors=True)

    @property
    def script(self):
        return os.path.join(self.dir, "jco.sh")

    def prepare(self):
        """Finds or installs jco and lays out the WIT folder."""
        if not os.path.exists(self.script):
            return f"no jco at {self.dir} (set JCO_DIR)"
        if not shutil.which("node"):
            return "node is not installed"
        wit_src = os.path.join(self.wit_root, "wasi-0.2.12")
        if not os.path.isdir(wit_src):
            return f"no official WIT at {wit_src} (set WASI_WIT)"
        why = install(self.dir, self.home)
        if why:
            return "jco could not be installed from npm: " + why[-300:].replace("\n", " ")
        shutil.rmtree(self.wit, ignore_errors=True)
        os.makedirs(os.path.join(self.wit, "deps"))
        shutil.copy(os.path.join(ROOT, "apps", "wit", "world.wit"), self.wit)
        for name in sorted(os.listdir(wit_src)):  # copies, not links: jco does not follow them
            if os.path.isdir(os.path.join(wit_src, name)):
                shutil.copytree(os.path.join(wit_src, name), os.path.join(self.wit, "deps", name))
        return None

    def jco(self, *args, timeout=300, **kw):
        return run_cmd(["sh", self.script] + list(args), env=self.env, timeout=timeout, **kw)

    def componentize(self, wasm, name=None):
        """`jco embed` with apps/wit/world.wit, then `jco new --wasi-command`
        (the preview1 adapter shipped with jco). Returns (component path or
        None, the tool output for a failure)."""
        name = name or os.path.basename(wasm)[:-5]
        os.makedirs(self.out, exist_ok=True)
        emb = os.path.join(self.out, name + ".embed.wasm")
        comp = os.path.join(self.out, name + ".component.wasm")
        for f in (emb, comp):
            if os.path.exists(f):
                os.unlink(f)
        r = self.jco("embed", wasm, "--wit", self.wit, "-o", emb)
        if r.rc != 0:
            return None, "jco embed: " + r.errtext + r.text
        r = self.jco("new", emb, "--wasi-command", "-o", comp)
        if r.rc != 0:
            return None, "jco new: " + r.errtext + r.text
        return comp, ""

    def world(self, component):
        """`jco wit` of a component: its resulting world as text."""
        return self.jco("wit", component).text


class JcoHost:
    """`jco run` of the componentized apps: node with preview2-shim, an
    independent WASI 0.2 host. It preopens one folder, as /data
    (run-preopen.mjs); exit statuses come back as 0 or 1 only."""
    name = "jco"

    def __init__(self, jco, components):
        self.jco = jco
        self.components = components  # app name -> component path

    def available(self):
        return None

    def command(self, app, args, dirs, jco_import=None):
        """jco_import: a module run first (one only; dirs bring their own)."""
        cmd = ["sh", self.jco.script, "run"]
        env = dict(self.jco.env)
        if dirs:
            (host, guest), = dirs.items()
            assert guest == "/data", "jco run preopens one folder, as /data"
            assert not jco_import, "jco run takes one --jco-import"
            jco_import = os.path.join(self.jco.dir, "run-preopen.mjs")
            env["PREOPEN_HOST"] = host
        if jco_import:
            cmd += ["--jco-import", jco_import]
        return cmd + [self.components[app]] + list(args), env

    def run(self, app, args=(), dirs=None, stdin=b"", cwd=None, timeout=300, jco_import=None):
        cmd, env = self.command(app, args, dirs, jco_import)
        return run_cmd(cmd, stdin, cwd, env=env, timeout=timeout, stdout_file=True)

    def popen(self, app, args=(), dirs=None, **kw):
        cmd, env = self.command(app, args, dirs)
        return subprocess.Popen(cmd, env=env, start_new_session=True, **kw)
