"""tests/apps/hosts.py - the WASI hosts the app tests run KPIO's apps on,
behind one call: run(app, args, dirs=..., stdin=..., cwd=...) -> Result.

  node     node's own node:wasi (preview1, node 18 or 20) through tests/apps/run_node.mjs
  kpio     host/kpio-wasm, KPIO's own lib/wasm + lib/wasi on Linux; until
           it runs WASI programs, available() says why not
  jco      `jco run` of a component made with `jco new --wasi-command`
           (node with the preview2 shim: an independent WASI 0.2 host)

dirs maps a host folder to the guest path it is preopened as. Every run
has a timeout; a process that outlives it is killed by PID (its own
session, so its children go too).
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


class Result:
    def __init__(self, rc, out, err, elapsed):
        self.rc, self.out, self.err, self.elapsed = rc, out, err, elapsed

    @property
    def text(self):
        return self.out.decode("utf-8", "replace")

    @property
    def errtext(self):
        return self.err.decode("utf-8", "replace")

    def __repr__(self):
        return f"rc={self.rc} out={self.out[:300]!r} err={self.err[:600]!r}"


def run_cmd(cmd, stdin=b"", cwd=None, env=None, timeout=120, stdout_file=False):
    """Runs cmd to completion and returns a Result; kills it on timeout.
    stdout_file: collect stdout through a file, not a pipe (jco run loses
    what node has not yet written to a full pipe when the app exits)."""
    start = time.monotonic()
    sink = tempfile.TemporaryFile() if stdout_file else None
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=sink or subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd, env=env, start_new_session=True)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
        if sink:
            sink.seek(0)
            out = sink.read()
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        err += f"\n*** killed after {timeout} s".encode()
        return Result(-9, out or b"", err, time.monotonic() - start)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    finally:
        if sink:
            sink.close()
    return Result(proc.returncode, out, err, time.monotonic() - start)


class NodeHost:
    name = "node"

    def __init__(self, build):
        self.build = build
        self.node = shutil.which("node")

    def available(self):
        return None if self.node else "node is not installed"

    def command(self, wasm, args, dirs, env=None):
        cmd = [self.node, "--no-warnings", os.path.join(HERE, "run_node.mjs")]
        for host, guest in dirs.items():
            cmd += ["--dir", f"{host}::{guest}"]
        for k, v in (env or {}).items():
            cmd += ["--env", f"{k}={v}"]
        return cmd + [wasm] + list(args)

    def run(self, app, args=(), dirs=None, stdin=b"", cwd=None, timeout=120, env=None):
        wasm = os.path.join(self.build, "apps", app + ".wasm")
        return run_cmd(self.command(wasm, args, dirs or {}, env), stdin, cwd, timeout=timeout)


class KpioHost:
    """host/kpio-wasm. KPIO_WASM overrides the binary (default: the gcc -O2
    build that `make` makes)."""
    name = "kpio-wasm"

    def __init__(self, build, allow_net=False):
        self.build = build
        self.allow_net = allow_net  # kpio-wasm denies the network without --allow-net
        self.binary = os.environ.get("KPIO_WASM") or os.path.join(build, "rel", "bin", "kpio-wasm")

    def available(self):
        if not os.path.exists(os.path.join(ROOT, "host", "kpio-wasm", "run_wasi.c")):
            return "kpio-wasm has no WASI yet"
        if not os.access(self.binary, os.X_OK):
            return f"{self.binary} is not built"
        return None

    def command(self, wasm, args, dirs, env=None):
        cmd = [self.binary] + (["--allow-net"] if self.allow_net else [])
        for host, guest in dirs.items():
            cmd += ["--dir", f"{host}::{guest}"]
        for k, v in (env or {}).items():
            cmd += ["--env", f"{k}={v}"]
        return cmd + [wasm] + list(args)

    def run(self, app, args=(), dirs=None, stdin=b"", cwd=None, timeout=120, env=None):
        wasm = os.path.join(self.build, "apps", app + ".wasm")
        return run_cmd(self.command(wasm, args, dirs or {}, env), stdin, cwd, timeout=timeout)


def hosts(build):
    return [NodeHost(build), KpioHost(build)]
