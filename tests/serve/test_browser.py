#!/usr/bin/env python3
"""tests/serve/test_browser.py - a real browser against a wasi:http
handler: headless Chromium (Debian's chromium) loads a page of apps/webapp
(GET /files/page.html) whose script (app.js, also from the handler)
fetches the JSON API (/api/sum, /api/info) and writes the answers into the
DOM; the test checks the DOM Chromium dumps (--dump-dom) and keeps a
screenshot in BUILD/test-logs/serve-browser[-kpio].png. The target:

  host  kpio-wasm serve on loopback, the page from its --dir (serve/browser)
  kpio  the shell's `serve` in KPIO under QEMU, the page on its disk's
        /www, reached through hostfwd (qemu/serve-browser)

No chromium: SKIP.

    test_browser.py --build BUILD [--target host|kpio]
"""
import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from tap import Tap  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests", "serve"))
import kserve_proc  # noqa: E402

PAGE = """<!doctype html>
<html><head><title>KPIO browser test</title><script src="app.js"></script></head>
<body><h1>KPIO</h1><p id="sum">pending</p><p id="agent">pending</p></body></html>
"""

SCRIPT = """window.addEventListener('DOMContentLoaded', async () => {
  const s = await (await fetch('/api/sum?a=40&b=2')).json();
  document.getElementById('sum').textContent = 'sum=' + s.sum;
  const i = await (await fetch('/api/info')).json();
  document.getElementById('agent').textContent =
    'path=' + i.path + ' browser=' + (i.agent.includes('Chrome') ? 'chrome' : 'other');
});
"""


def chromium():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@contextlib.contextmanager
def host_server(t, build, www):
    """kpio-wasm serve with www as the handler's /www: yields the page's
    URL (None when it did not start); at the end, one TAP line for its
    stop."""
    kpio = os.path.join(build, "host", "bin", "kpio-wasm")
    ks, port, line = kserve_proc.start(
        kpio, ["--dir", www + "::/www", os.path.join(build, "handlers", "webapp.wasm")])
    try:
        if not port:
            t.ok(False, "kpio-wasm serve starts with --dir", diag=line)
        yield f"http://127.0.0.1:{port}/files/page.html" if port else None
    finally:
        kserve_proc.stop(t, ks)


@contextlib.contextmanager
def kpio_server(t, build, www):
    """KPIO in QEMU serving webapp with www's files in its /www: yields the
    page's URL through hostfwd; at the end the guest powers off."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
    from qemu import QemuExited, QemuTimeout
    from servevm import serve_vm
    files = {"/apps/webapp.wasm": os.path.join(build, "handlers", "webapp.wasm")}
    for name in os.listdir(www):
        files["/www/" + name] = os.path.join(www, name)
    with tempfile.TemporaryDirectory(prefix="kpio-browser-") as tmp:
        try:
            with serve_vm(tmp, "serve-browser", files, "serve /apps/webapp.wasm &\n") as (vm, port):
                yield f"http://127.0.0.1:{port}/files/page.html"
                vm.send("poweroff\r")
                vm.wait_exit(timeout=60)
        except (QemuTimeout, QemuExited) as e:
            t.ok(False, "KPIO serves the page and powers off", diag=repr(e))


def check_page(t, chrome, build, url, name):
    """Chromium's dumped DOM of url (kept as NAME.dom.html) and a
    screenshot (NAME.png) in BUILD/test-logs: three TAP lines."""
    logs = os.path.join(build, "test-logs")
    os.makedirs(logs, exist_ok=True)
    profile = os.path.join(build, "serve", f"chromium-profile-{name}")
    shutil.rmtree(profile, ignore_errors=True)
    # --virtual-time-budget: Chromium's virtual clock runs the page until it
    # is idle (the fetches answered) before dumping; no wall-clock wait.
    base = [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}",
            "--virtual-time-budget=30000"]
    try:
        r = subprocess.run(base + ["--dump-dom", url], capture_output=True, timeout=300)
        dom = r.stdout.decode(errors="replace")
        with open(os.path.join(logs, f"{name}.dom.html"), "w") as f:
            f.write(dom)
        t.ok('<p id="sum">sum=42</p>' in dom,
             "Chromium ran the page's script: /api/sum's JSON is in the DOM",
             diag=dom[-600:] + r.stderr.decode(errors="replace")[-600:])
        t.ok('<p id="agent">path=/api/info browser=chrome</p>' in dom,
             "/api/info saw the browser's request (its path and a Chrome User-Agent)",
             diag=dom[-600:])
        shot = os.path.join(logs, f"{name}.png")
        if os.path.exists(shot):
            os.unlink(shot)
        r = subprocess.run(base + ["--window-size=800,600", f"--screenshot={shot}", url],
                           capture_output=True, timeout=300)
        t.ok(os.path.exists(shot) and os.path.getsize(shot) > 0,
             f"a screenshot is kept as {shot}", diag=r.stderr.decode(errors="replace")[-600:])
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--target", choices=("host", "kpio"), default="host")
    args = ap.parse_args()
    t = Tap()
    chrome = chromium()
    if not chrome:
        t.skip("headless Chromium", "no chromium (scripts/setup.sh installs Debian's chromium)")
        sys.exit(t.done())
    server, name = ((host_server, "serve-browser") if args.target == "host" else
                    (kpio_server, "serve-browser-kpio"))
    # The page's files in a folder of this run's own: serve/browser and
    # qemu/serve-browser may run at once (tests/run_tests.py -j).
    with tempfile.TemporaryDirectory(prefix="kpio-browser-www-") as www:
        with open(os.path.join(www, "page.html"), "w") as f:
            f.write(PAGE)
        with open(os.path.join(www, "app.js"), "w") as f:
            f.write(SCRIPT)
        with server(t, args.build, www) as url:
            if url:
                check_page(t, chrome, args.build, url, name)
    sys.exit(t.done())


if __name__ == "__main__":
    main()
