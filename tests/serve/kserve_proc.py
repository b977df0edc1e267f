"""tests/serve/kserve_proc.py - starting and stopping `kpio-wasm serve` for
the serve suites that compare it with another server: start it on a free
loopback port and read the port from its "Serving HTTP on" line; stop it
with SIGTERM and report, as one TAP line, that it exits 0.
"""
import re
import signal
import subprocess
import threading


def start(kpio, args):
    """kpio-wasm serve --addr 127.0.0.1:0 ARGS: (process, port or None when
    it did not start, its first stderr line). The rest of stderr is read
    in the background so the server never blocks on it."""
    proc = subprocess.Popen([kpio, "serve", "--addr", "127.0.0.1:0", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = proc.stderr.readline().decode()  # blocks until it listens or dies
    m = re.match(r"Serving HTTP on http://127\.0\.0\.1:(\d+)/", line)
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, int(m.group(1)) if m else None, line


def stop(t, proc):
    """SIGTERM, then one TAP line: it stops with status 0."""
    name = "kpio-wasm serve stops with status 0 on SIGTERM"
    proc.send_signal(signal.SIGTERM)
    try:
        t.ok(proc.wait(timeout=60) == 0, name)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        t.ok(False, name)
