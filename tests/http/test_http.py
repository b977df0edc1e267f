#!/usr/bin/env python3
"""tests/http/test_http.py - lib/http's client on Linux sockets (the
http-get program) against real servers on loopback: python's http.server
with our handler (tests/lib/httpserve.py), python -m http.server as it
comes, and nginx, each started here on a free port of 127.0.0.1 and
stopped by PID at the end, also on failure or Ctrl-C.

Oracles: bytes and SHA-256 computed here from what the servers serve,
the servers' own view of the connection (the client port reported by
/conn; nginx's $connection in its access log), and the error the client
names for each broken server behaviour.

    python3 tests/http/test_http.py [--build build] [--nginx PATH]
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from tap import Tap  # noqa: E402
import nginx as nginx_conf  # noqa: E402
from ready import free_port, wait_listening  # noqa: E402
import httpserve  # noqa: E402

BIG = 64 << 20


class Report:
    """What http-get said on stderr, one entry per URL."""

    def __init__(self, rc, text, elapsed):
        self.rc, self.text, self.elapsed = rc, text, elapsed
        self.results = []
        self.connects = None
        cur = None
        for line in text.splitlines():
            if line.startswith("status "):
                m = re.match(r"status (\d+) (\S+) redirects=(\d+) length=(-?\d+)", line)
                cur = {"status": int(m[1]), "url": m[2], "redirects": int(m[3]),
                       "length": int(m[4]), "headers": [], "trailers": []}
                self.results.append(cur)
            elif line.startswith("header ") and cur is not None:
                cur["headers"].append(line[7:])
            elif line.startswith("trailer ") and cur is not None:
                cur["trailers"].append(line[8:])
            elif line.startswith("body ") and cur is not None:
                cur["body"] = int(line[5:])
            elif line.startswith("error "):
                err = line.split(" ", 3)
                cur = {"error": err[1], "fail": err[2], "message": err[3] if len(err) > 3 else ""}
                self.results.append(cur)
            elif line.startswith("connects "):
                self.connects = int(line.split()[1])

    def header(self, i, name):
        for h in self.results[i]["headers"]:
            k, _, v = h.partition(": ")
            if k.lower() == name.lower():
                return v
        return None

    def __str__(self):
        return f"exit {self.rc} after {self.elapsed:.1f} s\n{self.text}"


class Harness:
    def __init__(self, build, tmp):
        self.client = os.path.join(build, "host", "bin", "http-get")
        self.tmp = tmp
        self.procs = []

    def run(self, *args, out=None, timeout=120):
        cmd = [self.client] + list(args)
        if out:
            cmd[1:1] = ["-o", out]
        start = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=timeout, text=True, errors="replace")
        return Report(p.returncode, p.stderr, time.monotonic() - start)

    def start(self, cmd, **kw):
        p = subprocess.Popen(cmd, **kw)
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- python's http.server -------------------------------------------------

def python_tests(t, h):
    port = httpserve.announced_port(h.start(httpserve.command(), stdout=subprocess.PIPE,
                                            text=True))
    if port is None:
        t.ok(False, "python server starts")
        return
    base = f"http://127.0.0.1:{port}"
    out = os.path.join(h.tmp, "py.out")

    def body(n):
        return bytes(httpserve.body(n))

    with t.case("python: Content-Length body"):
        r = h.run(f"{base}/data/100000", out=out)
        assert r.rc == 0 and r.results[0]["status"] == 200, r
        assert r.results[0]["length"] == 100000, r
        assert read(out) == body(100000), "body differs"

    with t.case("python: chunked body with extensions and trailers, every chunk size 1..4096"):
        r = h.run("-v", f"{base}/chunked/300000?size=4096&vary=1&ext=1&trailers=1", out=out)
        assert r.rc == 0 and r.results[0]["length"] == -1, r
        data = read(out)
        assert data == body(300000), "body differs"
        trailers = dict(x.split(": ", 1) for x in r.results[0]["trailers"])
        assert trailers.get("X-Sha256") == hashlib.sha256(data).hexdigest(), r
        assert int(trailers.get("X-Chunks", "0")) > 100, r

    with t.case("python: keep-alive, five requests on one connection (server's view)"):
        urls = [f"{base}/conn", f"{base}/data/10", f"{base}/conn", f"{base}/chunked/5000",
                f"{base}/conn"]
        r = h.run(*urls, out=out)
        assert r.rc == 0 and r.connects == 1, r
        data = read(out)
        port = data[:5]
        assert data == port + body(10) + port + body(5000) + port, "bodies differ"

    with t.case("python: 301/302/303/307/308 redirects followed"):
        r = h.run(*[f"{base}/redirect/{c}?to=/data/{c}" for c in (301, 302, 303, 307, 308)],
                  out=out)
        assert r.rc == 0 and len(r.results) == 5, r
        for i, c in enumerate((301, 302, 303, 307, 308)):
            res = r.results[i]
            assert res["status"] == 200 and res["redirects"] == 1, r
            assert res["url"].endswith(f"/data/{c}"), r
        assert read(out) == b"".join(body(c) for c in (301, 302, 303, 307, 308))
        assert r.connects == 1, r

    with t.case("python: POST body kept on 307/308, dropped to GET on 301/302/303"):
        payload = "field=value&x=" + "y" * 1000
        sha = hashlib.sha256(payload.encode()).hexdigest()
        for code, method, length in ((307, "POST", len(payload)), (308, "POST", len(payload)),
                                     (301, "GET", 0), (302, "GET", 0), (303, "GET", 0)):
            r = h.run("-X", "POST", "-d", payload, "-H", "Content-Type: text/plain",
                      f"{base}/redirect/{code}?to=/echo", out=out)
            echo = dict(x.split("=", 1) for x in read(out).decode().split())
            assert r.rc == 0 and echo["method"] == method, (code, echo, str(r))
            assert int(echo["length"]) == length, (code, echo)
            if length:
                assert echo["sha256"] == sha and echo["content-type"] == "text/plain", echo
            else:
                assert echo["content-type"] == "-", echo  # dropped with the body

    with t.case("python: redirect to another host name drops Authorization"):
        port = base.rsplit(":", 1)[1]
        r = h.run("-H", "Authorization: Bearer secret",
                  f"{base}/redirect/302?to=http://localhost:{port}/echo", out=out)
        echo = read(out).decode()
        assert r.rc == 0 and "authorization=-" in echo, (echo, str(r))
        r = h.run("-H", "Authorization: Bearer secret", f"{base}/redirect/302?to=/echo", out=out)
        assert "authorization=Bearer secret" in read(out).decode(), r

    with t.case("python: too many redirects, redirect to https"):
        r = h.run("--max-redirects", "5", f"{base}/loop", f"{base}/redirect/301?to=https://x/")
        assert r.rc == 1, r
        assert r.results[0]["fail"] == "HTTP_FAIL_REDIRECTS", r
        assert r.results[0]["error"] == "ERR_LOOP", r
        assert r.results[1]["fail"] == "HTTP_FAIL_SCHEME", r
        assert "https://x/ needs TLS" in r.results[1]["message"], r

    with t.case("python: 404"):
        r = h.run(f"{base}/missing", out=out)
        assert r.rc == 0 and r.results[0]["status"] == 404, r
        assert read(out) == b"not found: /missing\n", r

    with t.case("python: HEAD, then GET on the same connection"):
        r = h.run("-v", "-X", "HEAD", f"{base}/data/777", "-X", "GET", f"{base}/data/5",
                  out=out)
        assert r.rc == 0 and r.header(0, "Content-Length") == "777", r
        assert r.results[0]["body"] == 0 and r.results[0]["length"] == 0, r
        assert r.connects == 1 and read(out) == body(5), r

    with t.case("python: 64 MiB chunked body, SHA-256 matches"):
        r = h.run(f"{base}/chunked/{BIG}?size=65536&vary=1", out=out)
        assert r.rc == 0 and r.results[0]["body"] == BIG, r
        assert sha256_file(out) == hashlib.sha256(body(BIG)).hexdigest(), "hash differs"

    with t.case("python: 1xx interim responses skipped"):
        r = h.run(f"{base}/interim", out=out)
        assert r.rc == 0 and r.results[0]["status"] == 200 and read(out) == b"final", r

    with t.case("python: body delimited by the connection's close"):
        r = h.run(f"{base}/close-delimited", f"{base}/data/3", out=out)
        assert r.rc == 0 and r.results[0]["length"] == -1, r
        assert read(out) == body(100000) + body(3) and r.connects == 2, r

    with t.case("python: server stalls before the head -> header timeout"):
        r = h.run("--header-timeout", "700", f"{base}/stall-head")
        assert r.rc == 1 and r.results[0]["fail"] == "HTTP_FAIL_HEADER_TIMEOUT", r
        assert r.results[0]["error"] == "ERR_TIMEDOUT" and r.elapsed < 10, r

    with t.case("python: server stalls in the body -> idle timeout"):
        r = h.run("--idle-timeout", "700", f"{base}/stall-body?len=100000&send=5000", out=out)
        assert r.rc == 1 and r.results[-1]["fail"] == "HTTP_FAIL_IDLE_TIMEOUT", r
        assert r.elapsed < 10 and read(out) == body(5000), r

    with t.case("python: server closes in the body -> truncation"):
        r = h.run(f"{base}/close-mid?len=100000&send=5000", f"{base}/chunked-close-mid",
                  f"{base}/data/4", out=out)
        assert r.rc == 1, r
        assert r.results[1]["fail"] == "HTTP_FAIL_TRUNCATED", r
        assert r.results[1]["error"] == "ERR_CONNRESET", r
        assert r.results[3]["fail"] == "HTTP_FAIL_TRUNCATED", r
        assert r.results[4]["status"] == 200, r  # the client recovers
        assert read(out) == body(5000) + b"hello worldab" + body(4), "partial bodies"

    with t.case("python: streamed request bodies, chunked and with Content-Length"):
        data = "".join(random.Random(7).choice("abcdefgh") for _ in range(50000))
        r = h.run("-X", "PUT", "--stream-body", data, "--chunk", "1000", f"{base}/echo",
                  out=out)
        echo = dict(x.split("=", 1) for x in read(out).decode().split())
        assert r.rc == 0 and echo["method"] == "PUT", r
        assert echo["sha256"] == hashlib.sha256(data.encode()).hexdigest(), echo
        r = h.run("-X", "POST", "--stream-body", data, "--stream-length", str(len(data)),
                  "--chunk", "777", f"{base}/echo", out=out)
        echo = dict(x.split("=", 1) for x in read(out).decode().split())
        assert r.rc == 0 and int(echo["length"]) == len(data), r
        assert echo["sha256"] == hashlib.sha256(data.encode()).hexdigest(), echo

    with t.case("python: read() copies of 1000 bytes"):
        r = h.run("--read-size", "1000", f"{base}/chunked/123457?size=3000&vary=1", out=out)
        assert r.rc == 0 and read(out) == body(123457), r

    with t.case("python: host name resolved (localhost)"):
        port = base.rsplit(":", 1)[1]
        r = h.run(f"http://localhost:{port}/data/64", out=out)
        assert r.rc == 0 and read(out) == body(64), r

    with t.case("connection refused"):
        r = h.run(f"http://127.0.0.1:{free_port()}/")
        assert r.rc == 1 and r.results[0]["error"] == "ERR_CONNREFUSED", r
        assert r.results[0]["fail"] == "HTTP_FAIL_CONNECT", r


# ---- nginx -------------------------------------------------------------------------

# The access log names each request's connection, to count keep-alive reuse.
NGINX_HTTP = ["log_format kpio '$connection $connection_requests $request_method $uri $status';",
              "keepalive_requests 1000;"]


def nginx_locations(port, www):
    return ["location = /moved { return 301 /small.txt; }",
            f"location = /found {{ return 302 http://127.0.0.1:{port}/small.txt; }}",
            "location /sub/ {",
            f"    alias {www}/;",
            "    sub_filter 'QQQQ' 'ZZZZ';",
            "    sub_filter_once off;",
            "    sub_filter_types *;",
            "}"]


def make_www(www):
    """The files nginx and the stock http.server serve; returns the text
    file's bytes and the SHA-256 of the 64 MiB file."""
    os.makedirs(os.path.join(www, "dir"))
    with open(os.path.join(www, "small.txt"), "wb") as f:
        f.write(b"hello from nginx\n")
    with open(os.path.join(www, "dir", "index.html"), "wb") as f:
        f.write(b"<p>index</p>\n")
    text = "".join(f"line {i} QQQQ {'x' * (i % 50)}\n" for i in range(20000)).encode()
    with open(os.path.join(www, "text.txt"), "wb") as f:
        f.write(text)
    big = random.Random(64).randbytes(BIG)
    with open(os.path.join(www, "big.bin"), "wb") as f:
        f.write(big)
    for root, dirs, files in os.walk(www):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o755)
    return text, hashlib.sha256(big).hexdigest()


def start_nginx(h, nginx, tmp, www):
    nginx_conf.readable_by_workers(tmp, os.path.dirname(tmp))
    for _ in range(5):
        port = free_port()
        conf = nginx_conf.write_conf(tmp, f"127.0.0.1:{port}", www,
                                     locations=nginx_locations(port, www), http_extra=NGINX_HTTP,
                                     access_log=f"access_log {tmp}/access.log kpio")
        p = h.start(nginx_conf.command(nginx, tmp, conf), stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
        if wait_listening(tcp=[port], procs=[p], timeout=10):
            return port
        p.terminate()
        p.wait()
    return None


def access_log(tmp):
    """(connection, request number, method, uri, status) per logged request."""
    rows = []
    with open(os.path.join(tmp, "access.log")) as f:
        for line in f:
            c, n, m, uri, st = line.split()
            rows.append((int(c), int(n), m, uri, int(st)))
    return rows


def nginx_tests(t, h, nginx, www, text, big_sha):
    tmp = os.path.join(h.tmp, "nginx")
    os.makedirs(tmp)
    port = start_nginx(h, nginx, tmp, www)
    if not port:
        t.ok(False, "nginx starts", open(os.path.join(tmp, "error.log")).read()
             if os.path.exists(os.path.join(tmp, "error.log")) else "")
        return
    base = f"http://127.0.0.1:{port}"
    out = os.path.join(h.tmp, "nginx.out")

    with t.case("nginx: Content-Length body"):
        r = h.run(f"{base}/small.txt", out=out)
        assert r.rc == 0 and r.results[0]["length"] == 17, r
        assert read(out) == b"hello from nginx\n"

    with t.case("nginx: keep-alive, four requests on one connection (access log)"):
        before = len(access_log(tmp))
        r = h.run(f"{base}/small.txt", f"{base}/dir/", f"{base}/small.txt", f"{base}/nope",
                  out=out)
        rows = access_log(tmp)[before:]
        assert r.rc == 0 and r.connects == 1 and len(rows) == 4, (rows, str(r))
        assert len({row[0] for row in rows}) == 1, rows  # one $connection
        assert [row[1] for row in rows] == [1, 2, 3, 4], rows

    with t.case("nginx: 404"):
        r = h.run(f"{base}/missing.bin", out=out)
        assert r.rc == 0 and r.results[0]["status"] == 404, r
        assert b"404 Not Found" in read(out)

    with t.case("nginx: HEAD then GET on one connection"):
        r = h.run("-v", "-X", "HEAD", f"{base}/big.bin", out=out)
        assert r.rc == 0 and r.header(0, "Content-Length") == str(BIG), r
        assert r.results[0]["body"] == 0 and r.results[0]["length"] == 0, r
        before = len(access_log(tmp))
        r = h.run("-X", "HEAD", f"{base}/big.bin", "-X", "GET", f"{base}/small.txt")
        rows = access_log(tmp)[before:]
        assert r.rc == 0 and r.connects == 1 and [x[2] for x in rows] == ["HEAD", "GET"], rows

    with t.case("nginx: redirects (return 301, absolute 302, directory slash)"):
        r = h.run(f"{base}/moved", f"{base}/found", f"{base}/dir", out=out)
        assert r.rc == 0 and [x["redirects"] for x in r.results] == [1, 1, 1], r
        assert r.results[2]["url"] == f"{base}/dir/", r
        assert read(out) == b"hello from nginx\n" * 2 + b"<p>index</p>\n", r

    with t.case("nginx: chunked body (sub_filter)"):
        r = h.run("-v", f"{base}/sub/text.txt", out=out)
        assert r.rc == 0 and r.header(0, "Transfer-Encoding") == "chunked", r
        assert read(out) == text.replace(b"QQQQ", b"ZZZZ"), "body differs"

    with t.case("nginx: 64 MiB body, SHA-256 matches"):
        r = h.run(f"{base}/big.bin", out=out)
        assert r.rc == 0 and r.results[0]["body"] == BIG, r
        assert sha256_file(out) == big_sha, "hash differs"

    with t.case("nginx: 64 MiB body without keep-alive, 4 KiB receive buffer"):
        r = h.run("--no-keep-alive", "--recv-buffer", "4096", f"{base}/big.bin", out=out)
        assert r.rc == 0 and sha256_file(out) == big_sha, r


def stock_server_tests(t, h, www, big_sha):
    """python3 -m http.server as it comes: HTTP/1.0, a connection per request."""
    port = free_port()
    srv = h.start([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                   www, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not wait_listening(tcp=[port], procs=[srv], timeout=10):
        t.ok(False, "python -m http.server starts")
        return
    base = f"http://127.0.0.1:{port}"
    out = os.path.join(h.tmp, "stock.out")

    with t.case("http.server: HTTP/1.0 responses, one connection each, 404, directory redirect"):
        r = h.run(f"{base}/small.txt", f"{base}/missing", f"{base}/dir", out=out)
        assert r.rc == 0 and r.connects == 4, r  # the redirect needs its own too
        assert [x["status"] for x in r.results] == [200, 404, 200], r
        assert r.results[2]["url"] == f"{base}/dir/" and r.results[2]["redirects"] == 1, r
        data = read(out)
        assert data.startswith(b"hello from nginx\n") and data.endswith(b"<p>index</p>\n"), r

    with t.case("http.server: 64 MiB body, SHA-256 matches"):
        r = h.run(f"{base}/big.bin", out=out)
        assert r.rc == 0 and r.results[0]["body"] == BIG, r
        assert sha256_file(out) == big_sha, "hash differs"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("KPIO_BUILD", "build"))
    ap.add_argument("--nginx", default=os.environ.get("NGINX") or shutil.which("nginx")
                    or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None))
    args = ap.parse_args()
    t = Tap()
    tmp = tempfile.mkdtemp(prefix="kpio-http-")
    h = Harness(args.build, tmp)
    try:
        if not os.access(h.client, os.X_OK):
            t.ok(False, "http-get is built", h.client)
            return t.done()
        python_tests(t, h)
        www = os.path.join(tmp, "www")
        text, big_sha = make_www(www)
        os.chmod(tmp, 0o755)
        stock_server_tests(t, h, www, big_sha)
        if args.nginx:
            nginx_tests(t, h, args.nginx, www, text, big_sha)
        else:
            t.skip("nginx tests", "nginx not found (set NGINX=path)")
    finally:
        h.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
