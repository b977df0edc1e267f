#!/usr/bin/env python3
"""tests/apps/test_net.py - the networking apps (fetch, nslookup, nc,
httpd) and the proof that their WASI 0.2 imports are the standard ones.

1. jco: each app is componentized with the official WIT (`jco embed` with
   apps/wit/world.wit, `jco new --wasi-command`); jco rejects any import
   whose name or signature differs. A deliberately wrong module must be
   rejected too, so the check can fail.
2. The apps run on two hosts, `jco run` (node + preview2-shim) and
   host/kpio-wasm (KPIO's lib/wasi on Linux), against peers on loopback:
   python's http.server with endpoints for every case, nginx, a TCP echo
   server, and dnsmasq for names. Oracles: SHA-256 of the served bytes,
   the exact messages and exit statuses, the files left in the folder.
3. Differential: for fetch and nslookup, the outputs and files of jco and
   kpio-wasm must agree.

Everything runs in a network and mount namespace of the test's own
(unshare): only loopback exists, /etc/resolv.conf points at the test's
dnsmasq, and nothing reaches another machine. jco is installed from npm
first, outside the namespace, if it is missing.

    python3 tests/apps/test_net.py [--build build]
"""
import argparse
import base64
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from tap import Tap  # noqa: E402
sys.path.insert(0, HERE)
from hosts import KpioHost, run_cmd  # noqa: E402
from jco import TCP_SHUTDOWN_FIX, Jco, JcoHost  # noqa: E402
import servers  # noqa: E402
import httpserve  # noqa: E402
from httpserve import body, sha  # noqa: E402
from ready import free_port  # noqa: E402
from stalled import answer, stalled_client, still_connected  # noqa: E402

NET_APPS = ["fetch", "nslookup", "nc", "httpd"]
BIG = 64 << 20
SUMMARY = re.compile(r"^fetch: status (\d+), (\d+) bytes, [0-9.]+ s, [0-9.]+ \S+/s, sha256 ([0-9a-f]{64}), "
                     r"(saved to \S+|written to stdout)\n", re.M)


# ---- the namespace ----------------------------------------------------------------

def enter_namespace(args):
    """Re-runs this script in a new network + mount namespace."""
    probe = run_cmd(["unshare", "--net", "--mount", "true"], timeout=30)
    if probe.rc != 0:
        return "cannot make a network namespace (unshare): " + probe.errtext.strip()[:200]
    cmd = ["unshare", "--net", "--mount", "--fork", "--kill-child", sys.executable,
           os.path.abspath(__file__), "--build", args.build, "--in-netns"]
    sys.stdout.flush()
    os.execvp("unshare", cmd)
    return "exec failed"


def setup_namespace(tmp):
    """Loopback up; resolv.conf and hosts of our own (bind mounts that
    vanish with the namespace)."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    resolv = os.path.join(tmp, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    hosts = os.path.join(tmp, "hosts")
    with open(hosts, "w") as f:
        f.write("127.0.0.1 localhost\n")
    for src, dst in ((resolv, "/etc/resolv.conf"), (hosts, "/etc/hosts")):
        subprocess.run(["mount", "--bind", src, dst], check=True)


# ---- helpers --------------------------------------------------------------------------

class Folder:
    """A scratch folder preopened as /data."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="kpio-apps-net-")

    def file(self, name):
        return os.path.join(self.path, name)

    def files(self):
        return sorted(os.listdir(self.path))

    def read(self, name):
        with open(self.file(name), "rb") as f:
            return f.read()

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)


def host_gap(res):
    """The reason to SKIP when kpio-wasm trapped on a WASI function that
    lib/wasi does not implement yet (a gap of the host, named as such, not
    a failure of the app); None otherwise."""
    m = re.search(rb"trap: (this WASI 0.2 function is not implemented by KPIO)", res.err)
    if res.rc == 134 and m:
        return "kpio-wasm trapped: " + m.group(1).decode() + " (error.to-debug-string?)"
    return None


def usage_rc(host):
    """jco run reports only 0 or 1."""
    return 1 if host.name == "jco" else 2


def norm(text):
    """Output without what legitimately differs from run to run and host to
    host: fetch's timings, the random part of its temporary file's name,
    and the linear memory size (jco's preview1 adapter lives there too)."""
    text = re.sub(r", [0-9.]+ s, [0-9.]+ \S+/s,", ", T s, R/s,", text)
    text = re.sub(r"\.[0-9a-f]{8}\.part", ".XXXXXXXX.part", text)
    return re.sub(r"linear memory \d+ KiB", "linear memory N KiB", text)


# ---- fetch --------------------------------------------------------------------------------

def fetch_cases(http, nginx, refused_port):
    """(name, args, check(res, folder) -> problem or None, compare_stderr)."""
    cases = []

    def saved(n_or_data, redirects=0):
        data = body(n_or_data) if isinstance(n_or_data, int) else n_or_data

        def check(res, d):
            if res.rc != 0:
                return "want exit 0"
            m = SUMMARY.search(res.text)
            if not m or m.group(2) != str(len(data)) or m.group(3) != sha(data):
                return f"want the summary with {len(data)} bytes and sha256 {sha(data)}"
            if m.group(4) != "saved to /data/out.bin" or d.files() != ["out.bin"]:
                return f"want only out.bin in the folder, have {d.files()}"
            if d.read("out.bin") != bytes(data):
                return "out.bin differs from what the server sent"
            if res.errtext.count(" redirect to ") != redirects:
                return f"want {redirects} redirect lines on stderr"
            return None
        return check

    def failed(message=None, contains=(), keep=None):
        def check(res, d):
            if res.rc != 1:
                return "want exit 1"
            if message is not None and not res.errtext.startswith(message):
                return f"want stderr to start with {message!r}"
            if not any(c in res.errtext for c in contains) and contains:
                return f"want stderr to mention one of {contains}"
            if "removed the partial download" not in res.errtext:
                return "want the removal of the partial file reported"
            want = ["out.bin"] if keep is not None else []
            if d.files() != want:
                return f"want {want} in the folder, have {d.files()}"
            if keep is not None and d.read("out.bin") != keep:
                return "the existing out.bin was changed"
            return None
        return check

    out = ["/data/out.bin"]
    cases += [
        ("Content-Length body", ["-q", http.url("/data/100000")] + out, saved(100000), True),
        ("chunked body", ["-q", http.url("/chunked/300001?size=16384&vary=1")] + out, saved(300001), True),
        ("empty body", ["-q", http.url("/data/0")] + out, saved(0), True),
        ("64 MiB body in constant memory", ["-q", "-v", http.url(f"/data/{BIG}")] + out,
         saved_big(saved(BIG)), True),
        ("five redirects 301 302 303 307 308", ["-r", "9", http.url("/chain/5")] + out,
         saved(4321, redirects=5), False),
        ("relative Location", [http.url("/a/b/rel")] + out, saved(777, redirects=1), False),
        ("slow server, with progress", [http.url("/slow?len=200000&pieces=8&ms=250")] + out,
         with_progress(saved(200000)), False),
        ("redirect loop", ["-q", http.url("/loop")] + out,
         failed("fetch: too many redirects (10): "), True),
        ("404", ["-q", http.url("/status/404")] + out,
         failed(f"fetch: {http.url('/status/404')}: HTTP 404\n"), True),
        ("404 keeps an existing file", ["-q", http.url("/nothing/here")] + out,
         failed(f"fetch: {http.url('/nothing/here')}: HTTP 404\n", keep=b"old contents\n"), True),
        ("500", ["-q", http.url("/status/500")] + out,
         failed(f"fetch: {http.url('/status/500')}: HTTP 500\n"), True),
        ("connection refused", ["-q", f"http://127.0.0.1:{refused_port}/x"] + out,
         failed(f"fetch: connection refused: 127.0.0.1:{refused_port}\n"), True),
        ("unknown host", ["-q", "http://nosuch.kpio.test/x"] + out,
         failed("fetch: ", ("unknown host", "DNS error")), False),
        ("server closes mid-body", ["-q", http.url("/close-mid?len=100000&send=40000")] + out,
         failed("fetch: body ", (" of 100000 bytes",)), False),
        ("a stalled body hits the -t 2 timeout", ["-q", "-t", "2", http.url("/stall-body?len=100000&send=1000")]
         + out, failed("fetch: body failed after 1000 of 100000 bytes"), False),
        ("chunked body cut off", ["-q", http.url("/chunked-close-mid")] + out,
         failed("fetch: ", ("incomplete", "protocol", "connection", "chunk")), False),
    ]
    if nginx:
        cases += [
            ("nginx: 1 MiB file", ["-q", nginx.url("/big.bin")] + out, saved(1 << 20), True),
            ("nginx: 301 to the file", ["-q", nginx.url("/moved")] + out,
             saved(1 << 20, redirects=0), True),
            ("nginx: 404", ["-q", nginx.url("/none")] + out,
             failed(f"fetch: {nginx.url('/none')}: HTTP 404\n"), True),
        ]
    return cases


def with_progress(check):
    """Progress lines on stderr with bytes, the percentage and a rate, as
    "fetch: 97.7 KiB of 195.3 KiB (50%), 48.8 KiB/s"; the final one says
    100%. At most one a second when stderr is not a terminal (jco says it
    always is: then "\r" updates, four a second at most)."""
    def progress_check(res, d):
        problem = check(res, d)
        if problem:
            return problem
        text = res.errtext.replace("\x1b[K", "").replace("\r", "\n")  # terminal form too
        lines = re.findall(r"^fetch: [0-9.]+ \S+ of 195\.3 KiB \((\d+)%\), [0-9.]+ \S+/s$",
                           text, re.M)
        if not lines or lines[-1] != "100":
            return "want progress lines ending at 100%"
        if len(lines) > 4 * res.elapsed + 2:
            return f"{len(lines)} progress lines in {res.elapsed:.1f} s: more than one a second"
        return None
    return progress_check


def saved_big(check):
    def big_check(res, d):
        problem = check(res, d)
        if problem:
            return problem
        m = re.search(r"linear memory (\d+) KiB", res.errtext)
        if not m or int(m.group(1)) > 4096:
            return "want at most 4 MiB of linear memory for a 64 MiB body (-v)"
        return None
    return big_check


def run_fetch(t, host, http, nginx, refused_port, record):
    for name, args, check, compare in fetch_cases(http, nginx, refused_port):
        d = Folder()
        try:
            if "keeps an existing file" in name:
                with open(d.file("out.bin"), "wb") as f:
                    f.write(b"old contents\n")
            res = host.run("fetch", args, {d.path: "/data"}, timeout=600)
            gap = host_gap(res)
            if gap:
                t.skip(f"{host.name}: fetch: {name}", gap)
                continue
            problem = check(res, d)
            t.ok(not problem, f"{host.name}: fetch: {name}", f"{problem}\n{res!r}")
            files = {n: sha(d.read(n)) for n in d.files()}
            record[("fetch", name)] = (res, files, compare)
        finally:
            d.close()

    # body to stdout: the summary goes to stderr
    res = host.run("fetch", ["-q", http.url("/data/5000")], timeout=120)
    m = SUMMARY.search(res.errtext)
    t.ok(res.rc == 0 and res.out == bytes(body(5000)) and m and m.group(4) == "written to stdout",
         f"{host.name}: fetch: body to stdout, summary to stderr", repr(res))
    record[("fetch", "stdout")] = (res, {}, True)
    res = host.run("fetch", [], timeout=120)
    t.ok(res.rc == usage_rc(host) and res.errtext.startswith("fetch: missing URL\n"),
         f"{host.name}: fetch: no URL is a usage error", repr(res))
    res = host.run("fetch", ["-q", "ftp://example.kpio.test/"], timeout=120)
    t.ok(res.rc == 1 and "unsupported URL scheme" in res.errtext,
         f"{host.name}: fetch: an ftp: URL is refused", repr(res))


# ---- nslookup ---------------------------------------------------------------------------

def addresses(text):
    return re.findall(r"^Address: (\S+)$", text, re.M)


def run_nslookup(t, host, dns_ok, record):
    def case(name, args, check, compare=True):
        res = host.run("nslookup", args, timeout=120)
        problem = check(res)
        t.ok(not problem, f"{host.name}: nslookup: {name}", f"{problem}\n{res!r}")
        record[("nslookup", name)] = (res, {}, compare)

    def exact(out, err=b"", rc=0):
        return lambda res: None if (res.rc, res.out, res.err) == (rc, out, err) else \
            f"want rc={rc} out={out!r} err={err!r}"

    case("an IPv4 literal", ["10.9.8.7"], exact(b"Name:    10.9.8.7\nAddress: 10.9.8.7\n"))
    case("localhost (/etc/hosts)", ["localhost"],
         lambda r: None if r.rc == 0 and r.text.startswith("Name:    localhost\n") and
         "127.0.0.1" in addresses(r.text) else "want 127.0.0.1 among the addresses")
    case("no NAME is a usage error", [],
         lambda r: None if r.rc == usage_rc(host) and r.errtext.startswith("nslookup: missing NAME")
         else "want a usage error")
    if not dns_ok:
        t.skip(f"{host.name}: nslookup: names from DNS", dns_ok is None and "dnsmasq is not installed")
        return
    case("www.kpio.test from dnsmasq", ["www.kpio.test"],
         exact(b"Name:    www.kpio.test\nAddress: 127.0.0.1\n"))
    case("dual.kpio.test has an IPv4 and an IPv6 address", ["dual.kpio.test"],
         lambda r: None if r.rc == 0 and sorted(addresses(r.text)) == ["10.1.2.3", "fd00::1:2"]
         else "want 10.1.2.3 and fd00::1:2", compare=False)
    case("NXDOMAIN", ["nosuch.kpio.test"],
         exact(b"", b"nslookup: nosuch.kpio.test: unknown host (name-unresolvable)\n", 1))

    def timed_out(r):
        if r.rc != 1 or not r.errtext.startswith("nslookup: x.timeout.kpio.test: "):
            return "want exit 1 and a message naming the name"
        if not re.search(r"timeout|resolver-failure", r.errtext):
            return "want timeout or a resolver failure"
        return None
    case("a DNS server that never answers", ["-t", "4", "x.timeout.kpio.test"], timed_out,
         compare=False)


# ---- nc ---------------------------------------------------------------------------------------

def ss_timer_seconds(text, kind):
    """Seconds left on a socket timer as `ss -o` prints it ("timer:(keepalive,
    6.996ms,0)" is 6.996 s, "119min" 7140 s), or None without that timer."""
    m = re.match(rb"timer:\(" + kind.encode() + rb",(?:(\d+)min)?(?:(\d+)(?:sec|\.))?(?:(\d+)ms)?,",
                 text)
    if not m:
        return None
    mins, secs, ms = (int(g) if g else 0 for g in m.groups())
    return mins * 60 + secs + ms / 1000


def run_nc(t, host, refused_port):
    with servers.EchoServer() as echo:
        data = b"hello\nworld\nQUIT\n"
        res = host.run("nc", ["127.0.0.1", str(echo.port)], stdin=data, timeout=120)
        t.ok(res.rc == 0 and res.out == data, f"{host.name}: nc: echo of three lines", repr(res))
        rnd = random.Random(5)
        lines = b"".join(base64.b64encode(rnd.randbytes(57)) + b"\n" for _ in range(30000))
        big = lines + b"QUIT\n"
        res = host.run("nc", ["127.0.0.1", str(echo.port)], stdin=big, timeout=300)
        t.ok(res.rc == 0 and res.out == big,
             f"{host.name}: nc: {len(big) >> 10} KiB both ways at once, no deadlock",
             f"rc={res.rc} got {len(res.out)} of {len(big)} bytes, err={res.err[:300]!r}")
        res = host.run("nc", ["localhost", str(echo.port)], stdin=data, timeout=120)
        t.ok(res.rc == 0 and res.out == data, f"{host.name}: nc: connect by name", repr(res))
    # jco's shim destroys the socket on shutdown(send): its fix makes it the
    # half-close WASI specifies, so both hosts run the same check.
    fix = {"jco_import": TCP_SHUTDOWN_FIX} if host.name == "jco" else {}
    with servers.EchoServer(sink=True) as sink:
        payload = random.Random(6).randbytes(100000)
        res = host.run("nc", ["-N", "127.0.0.1", str(sink.port)], stdin=payload, timeout=120,
                       **fix)
        want = f"{len(payload)} {sha(payload)}\n".encode()
        t.ok(res.rc == 0 and res.out == want,
             f"{host.name}: nc -N: shutdown(send) then the reply", repr(res))
    with servers.EchoServer(timer=True) as peer:
        res = host.run("nc", ["-k", "7", "127.0.0.1", str(peer.port)], stdin=b"go\n",
                       timeout=120)
        left = ss_timer_seconds(res.out, "keepalive")
        if host.name == "jco":  # its shim passes node seconds where node wants ms
            t.ok(res.rc == 0 and left is not None,
                 f"{host.name}: nc -k 7: the host's socket has TCP keep-alive on", repr(res))
        else:
            t.ok(res.rc == 0 and left is not None and left <= 7,
                 f"{host.name}: nc -k 7: the host's socket probes after 7 s idle (not 2 h)",
                 repr(res))
        res = host.run("nc", ["127.0.0.1", str(peer.port)], stdin=b"go\n", timeout=120)
        t.ok(res.rc == 0 and res.out == b"timer:none\n",
             f"{host.name}: nc without -k: no keep-alive timer", repr(res))
    res = host.run("nc", ["127.0.0.1", str(refused_port)], timeout=120)
    t.ok(res.rc == 1 and res.err == f"nc: connection refused: 127.0.0.1:{refused_port}\n".encode(),
         f"{host.name}: nc: connection refused", repr(res))


# ---- httpd ------------------------------------------------------------------------------------

def http_raw(port, request, timeout=30):
    """Sends request bytes, returns (status, headers dict, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        data = bytearray()
        while chunk := s.recv(65536):
            data += chunk
    head, _, rest = bytes(data).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return status, headers, rest


def wait_serving(port, proc, seconds):
    """Waits until httpd answers a GET (or proc exits). A GET, not just a
    connect: once (1 run in 5) under jco every request in the first moments
    after the port accepted was reset, while later ones were served."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if http_raw(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def run_httpd(t, host):
    d = Folder()
    www = d.file("www")
    os.makedirs(os.path.join(www, "sub"))
    blob = bytes(body(1 << 20))
    for rel, data in (("index.html", b"<p>kpio</p>\n"), ("blob.bin", blob),
                      ("sub/a.txt", b"a\n"), ("sub/b&c.txt", b"bc\n")):
        with open(os.path.join(www, rel), "wb") as f:
            f.write(data)
    with open(d.file("secret.txt"), "wb") as f:
        f.write(b"outside the served folder\n")
    port = free_port()
    requests = [
        ("GET / serves index.html", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
         lambda s, h, b: s == 200 and b == b"<p>kpio</p>\n" and h.get("content-length") == "12"),
        ("GET of a 1 MiB file", b"GET /blob.bin HTTP/1.1\r\nHost: x\r\n\r\n",
         lambda s, h, b: s == 200 and b == blob and h.get("content-length") == str(len(blob))),
        ("HEAD has the length and no body", b"HEAD /blob.bin HTTP/1.1\r\nHost: x\r\n\r\n",
         lambda s, h, b: s == 200 and b == b"" and h.get("content-length") == str(len(blob))),
        ("a missing file is 404", b"GET /nope.txt HTTP/1.1\r\nHost: x\r\n\r\n",
         lambda s, h, b: s == 404),
        ("/../secret.txt is 403", b"GET /../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n",
         lambda s, h, b: s == 403 and b"outside" not in b),
        ("/sub/../../secret.txt is 403", b"GET /sub/../../secret.txt HTTP/1.1\r\n\r\n",
         lambda s, h, b: s == 403 and b"outside" not in b),
        ("%2e%2e is 403 too", b"GET /%2e%2e/secret.txt HTTP/1.1\r\n\r\n",
         lambda s, h, b: s == 403 and b"outside" not in b),
        ("POST is 405 with Allow", b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
         lambda s, h, b: s == 405 and h.get("allow") == "GET, HEAD"),
        ("a folder without index.html is listed", b"GET /sub/ HTTP/1.1\r\n\r\n",
         lambda s, h, b: s == 200 and b'href="a.txt"' in b and b"b&amp;c.txt" in b),
        ("garbage is 400", b"NOT A REQUEST\r\n\r\n", lambda s, h, b: s == 400),
    ]
    # httpd -n N exits after N connections: the requests, the readiness
    # probe and curl's, when curl is there (a skipped case makes none)
    curl = shutil.which("curl")
    n = len(requests) + 1 + (1 if curl else 0)
    proc = host.popen("httpd", ["-p", str(port), "-n", str(n), "/data/www"], {d.path: "/data"},
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if not wait_serving(port, proc, 60):
            t.ok(False, f"{host.name}: httpd listens", "it did not")
            return
        for name, req, ok in requests:
            try:
                status, headers, data = http_raw(port, req)
                t.ok(ok(status, headers, data), f"{host.name}: httpd: {name}",
                     f"status {status} headers {headers} body {data[:200]!r}")
            except OSError as e:
                t.ok(False, f"{host.name}: httpd: {name}", repr(e))
        out = d.file("curl.out")
        r = run_cmd([curl, "-s", "-f", "-o", out, f"http://127.0.0.1:{port}/sub/a.txt"],
                    timeout=60) if curl else None
        if r is None:
            t.skip(f"{host.name}: httpd: curl downloads a file", "curl is not installed")
        else:
            t.ok(r.rc == 0 and open(out, "rb").read() == b"a\n",
                 f"{host.name}: httpd: curl downloads a file", repr(r))
        try:
            _, err = proc.communicate(timeout=60)
            t.ok(proc.returncode == 0 and b"httpd: serving /data/www on port" in err,
                 f"{host.name}: httpd: exits 0 after -n {n} connections",
                 f"rc={proc.returncode} stderr={err[-600:]!r}")
        except subprocess.TimeoutExpired:
            t.ok(False, f"{host.name}: httpd: exits 0 after -n {n} connections", "still running")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
        d.close()


def get_blob(port, results, i):
    try:
        results[i] = http_raw(port, b"GET /blob.bin HTTP/1.1\r\nHost: x\r\n\r\n", timeout=120)
    except OSError as e:
        results[i] = e


def run_httpd_concurrent(t, host):
    """httpd serves many connections at once: a client that stalls in the
    middle of its request head does not hold up another's download, 20
    clients downloading at once all get the right bytes, the stalled one is
    answered 408 once its 10 s are up, and -n counts all of them."""
    d = Folder()
    www = d.file("www")
    os.makedirs(www)
    blob = bytes(body(1 << 20))
    with open(os.path.join(www, "blob.bin"), "wb") as f:
        f.write(blob)
    port = free_port()
    clients = 20
    n = 1 + 1 + 1 + clients  # the readiness probe, the stalled one, one alone, the 20
    name = f"{host.name}: httpd concurrent"
    proc = host.popen("httpd", ["-p", str(port), "-n", str(n), "/data/www"], {d.path: "/data"},
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    slow = None
    try:
        if not wait_serving(port, proc, 60):
            t.ok(False, f"{name}: httpd listens", "it did not")
            return
        slow = stalled_client(port, b"GET /blob.bin HTTP/1.1\r\nHo")
        got = [None]
        get_blob(port, got, 0)
        ok = isinstance(got[0], tuple) and got[0][0] == 200 and got[0][2] == blob
        t.ok(ok and still_connected(slow),
             f"{name}: a client stalled mid-head does not delay another's 1 MiB download",
             f"download {'ok' if ok else repr(got[0])[:200]}, "
             f"stalled one still connected: {still_connected(slow)}")
        results = [None] * clients
        threads = [threading.Thread(target=get_blob, args=(port, results, i))
                   for i in range(clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        good = sum(1 for r in results if isinstance(r, tuple) and r[0] == 200 and r[2] == blob)
        bad = [repr(r)[:120] if not isinstance(r, tuple) else (r[0], len(r[2]))
               for r in results if not (isinstance(r, tuple) and r[0] == 200 and r[2] == blob)]
        t.ok(good == clients, f"{name}: {clients} clients at once each get the 1 MiB file",
             f"{good} right; the others: {bad[:5]}")
        data = answer(slow)  # waits for httpd's deadline
        t.ok(data.startswith(b"HTTP/1.1 408 "),
             f"{name}: the stalled client is answered 408 and closed", repr(data[:200]))
        try:
            _, err = proc.communicate(timeout=60)
            lines = err.decode(errors="replace").count('"GET /blob.bin" 200')
            t.ok(proc.returncode == 0 and lines == 1 + clients and b'"- -" 408' in err,
                 f"{name}: exits 0 after -n {n} connections, one log line per request",
                 f"rc={proc.returncode} 200 lines={lines} stderr={err[-600:]!r}")
        except subprocess.TimeoutExpired:
            t.ok(False, f"{name}: exits 0 after -n {n} connections", "still running")
    finally:
        if slow:
            slow.close()
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
        d.close()


class KpioNetHost(KpioHost):
    def popen(self, app, args=(), dirs=None, **kw):
        wasm = os.path.join(self.build, "apps", app + ".wasm")
        return subprocess.Popen(self.command(wasm, args, dirs or {}), start_new_session=True, **kw)


# ---- least privilege --------------------------------------------------------------------

def run_denied(t, kpio):
    """Without --allow-net, kpio-wasm's apps reach no server, whatever they
    try, and the first refusal tells the user how to allow it."""
    assert not kpio.allow_net
    hint = b"; run with --allow-net to allow it\n"
    with httpserve.Server() as http, servers.EchoServer() as echo:
        d = Folder()
        try:
            res = kpio.run("fetch", ["-q", http.url("/data/5000"), "/data/out.bin"], {d.path: "/data"})
            t.ok(res.rc == 1 and b"network access denied (http request)" + hint in res.err
                 and b"HTTP-request-denied" in res.err and not d.files() and not http.log,
                 "kpio-wasm without --allow-net: fetch is refused, no request, no file", repr(res))
        finally:
            d.close()
        res = kpio.run("nslookup", ["localhost"])
        t.ok(res.rc == 1 and b"network access denied (name lookup)" + hint in res.err
             and b"access-denied" in res.err,
             "kpio-wasm without --allow-net: nslookup gets access-denied", repr(res))
        res = kpio.run("nc", ["127.0.0.1", str(echo.port)], stdin=b"hello\n")
        t.ok(res.rc == 1 and hint in res.err and not echo.accepted,
             "kpio-wasm without --allow-net: nc connects nowhere", repr(res))


# ---- the differential ----------------------------------------------------------------------

def differential(t, records):
    if len(records) < 2:
        t.skip("differential jco vs kpio-wasm: fetch and nslookup",
               "needs both hosts: " + ", ".join(sorted(records)) + " ran")
        return
    a, b = records["jco"], records["kpio-wasm"]
    for key in sorted(k for k in a if k in b):
        ra, fa, compare = a[key]
        rb, fb, _ = b[key]
        diffs = []
        # jco run reports 0 or 1 only; a status >= 128 is a trap
        if (ra.rc == 0) != (rb.rc == 0) or ra.rc >= 128 or rb.rc >= 128:
            diffs.append(f"exit {ra.rc} vs {rb.rc}")
        if norm(ra.text) != norm(rb.text):
            diffs.append(f"stdout {ra.text[:300]!r} vs {rb.text[:300]!r}")
        if compare and norm(ra.errtext) != norm(rb.errtext):
            diffs.append(f"stderr {ra.errtext[:300]!r} vs {rb.errtext[:300]!r}")
        fa = {norm(k): v for k, v in fa.items()}
        fb = {norm(k): v for k, v in fb.items()}
        if fa != fb:
            diffs.append(f"files {fa} vs {fb}")
        extra = "" if compare else " (messages may differ)"
        t.ok(not diffs, f"differential jco vs kpio-wasm: {key[0]}: {key[1]}{extra}", "\n".join(diffs))


# ---- main ---------------------------------------------------------------------------------------

def check_components(t, jco, build):
    """Componentizes every networking app; returns {app: component}."""
    components = {}
    for app in NET_APPS:
        wasm = os.path.join(build, "apps", app + ".wasm")
        comp, why = jco.componentize(wasm)
        imports = []
        if comp:
            imports = re.findall(r"^\s*import (\S+);", jco.world(comp), re.M)
        bad = [i for i in imports if not re.fullmatch(r"wasi:[a-z-]+/[a-z-]+@0\.2\.12", i)]
        t.ok(comp and imports and not bad,
             f"jco: {app} componentizes with the official WIT ({len(imports)} standard interfaces)",
             why or f"non-standard imports: {bad}")
        with open(wasm, "rb") as f:
            wrapped = b".command_export" in f.read()
        t.ok(not wrapped, f"{app}: cabi_realloc is not wrapped with constructors (own _start)")
        if comp:
            components[app] = comp
    return components


def negative_control(t, jco, build):
    """A module with a wrong signature for a standard import must be refused."""
    src = os.path.join(jco.out, "bad_import.c")
    wasm = os.path.join(jco.out, "bad_import.wasm")
    with open(src, "w") as f:
        f.write('#include <stdint.h>\n'
                '__attribute__((import_module("wasi:sockets/tcp@0.2.12"),\n'
                '               import_name("[method]tcp-socket.start-connect")))\n'
                'void start_connect(int32_t sock, int32_t net, int32_t ret); /* 15 params really */\n'
                'int main(void) { start_connect(1, 2, 3); return 0; }\n')
    r = run_cmd(["clang-19", "--target=wasm32-wasi", "-O2", src, "-o", wasm], timeout=120)
    if r.rc != 0:
        t.ok(False, "jco refuses a wrong import signature", "could not build it: " + r.errtext)
        return
    comp, why = jco.componentize(wasm, "bad_import")
    t.ok(comp is None and "type mismatch" in why, "jco refuses a wrong import signature (control)",
         why or "it was accepted")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("KPIO_BUILD", "build"))
    ap.add_argument("--in-netns", action="store_true")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    t = Tap()
    missing = [a for a in NET_APPS if not os.path.exists(os.path.join(args.build, "apps", a + ".wasm"))]
    if missing:
        t.skip("networking apps", f"not built: {missing}")
        return t.done()
    jco = Jco(args.build)
    if not args.in_netns:
        why = jco.prepare()  # may install from npm: outside the namespace
        jco.close()
        if why:
            os.environ["KPIO_APPS_JCO_SKIP"] = why
        why = enter_namespace(args)
        t.skip("networking apps", why)
        return t.done()

    tmp = tempfile.mkdtemp(prefix="kpio-apps-ns-")
    try:
        setup_namespace(tmp)
        hosts = []
        jco_skip = os.environ.get("KPIO_APPS_JCO_SKIP") or jco.prepare()
        if jco_skip:
            t.skip("jco: the networking apps componentize with the official WIT", jco_skip)
            t.skip("jco run: the networking apps", jco_skip)
        else:
            negative_control(t, jco, args.build)
            components = check_components(t, jco, args.build)
            if len(components) == len(NET_APPS):
                hosts.append(JcoHost(jco, components))
        kpio = KpioNetHost(args.build, allow_net=True)
        why = kpio.available()
        if why:
            t.skip("kpio-wasm: the networking apps", why)
        else:
            hosts.append(kpio)
        records = run_hosts(t, hosts)
        differential(t, records)
        if not why:
            run_denied(t, KpioHost(args.build))
    finally:
        jco.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


def run_hosts(t, hosts):
    records = {}
    dns = servers.Dns() if shutil.which("dnsmasq") else None
    nginx = servers.Nginx(1 << 20) if shutil.which("nginx") else None
    refused_port = free_port()  # nothing listens there
    with httpserve.Server() as http:
        try:
            dns_ok = None
            if dns:
                dns.__enter__()
                dns_ok = True
            if nginx:
                nginx.__enter__()
            for host in hosts:
                rec = records.setdefault(host.name, {})
                run_fetch(t, host, http, nginx, refused_port, rec)
                run_nslookup(t, host, dns_ok, rec)
                run_nc(t, host, refused_port)
                run_httpd(t, host)
                run_httpd_concurrent(t, host)
            if not nginx:
                t.skip("fetch from nginx", "nginx is not installed")
        finally:
            if nginx:
                nginx.__exit__()
            if dns:
                dns.__exit__()
    return records


if __name__ == "__main__":
    sys.exit(main())
