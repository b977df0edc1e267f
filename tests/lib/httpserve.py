#!/usr/bin/env python3
"""tests/lib/httpserve.py - the one HTTP/1.1 test server of KPIO's tests:
python's http.server (keep-alive on, a thread per connection) with every
endpoint the tests of lib/http, lib/wasi's wasi:http, the apps and the
QEMU system tests need, including ones a well-behaved server never shows:
stalls, closes in the middle of a body, interim 1xx responses.

As a module: Server(...) is a context manager that serves in a thread
(start() / close() without `with`); as a program it prints "PORT <n>" once
listening:

    python3 tests/lib/httpserve.py [--host H] [--port N] [--payload FILE] [--dir DIR]

Generated bodies come from one seeded random blob: body(n) gives the tests
the same bytes the server sends.

  GET|HEAD /data/N                 N bytes with Content-Length
  GET /chunked/N?size=K&vary=1&ext=1&trailers=1
                                   N bytes chunked in K-byte chunks (vary:
                                   random sizes 1..K), with extensions, and
                                   trailers X-Sha256 and X-Chunks
  GET /conn                        the client's port: the TCP connection
  GET /redirect/CODE?to=URL        a CODE redirect to URL
  GET /chain/K                     K redirects (301 302 303 307 308 ...)
                                   ending at /data/4321
  GET /a/b/rel                     302 to the relative reference ../../data/777
  GET /loop                        302 to itself
  GET /status/CODE                 CODE with a short text body
  ANY /echo                        what arrived: method, body length and
                                   sha256, Content-Type, Authorization
  GET /stall-head                  reads the request, never answers (the
                                   client must time out and close)
  GET /stall-body?len=N&send=M     Content-Length N, M bytes, then silence
                                   until the client closes
  GET /close-mid?len=N&send=M      Content-Length N, M bytes, then close
  GET /chunked-close-mid           two chunks and part of a third, then
                                   close
  GET /slow?len=N&pieces=K&ms=D    N bytes in K pieces, D ms apart
  GET /interim                     100 and 103 before the 200
  GET /endless?size=K              a chunked body that never ends (K-byte
                                   chunks until the client goes away)
  GET /close-delimited             a body ended by closing the connection
  GET /hold/NAME?after=OTHER       answers "NAME" once /done/OTHER was asked
                                   (at once without after; 504 if that does
                                   not come within 20 s)
  GET /done/NAME                   releases the holds after NAME
  GET /delay/MS                    answers after MS milliseconds
  GET /gated/N?after=NAME          N bytes with Content-Length: the first
                                   half, then the rest once /done/NAME was
                                   asked (closes after 20 s without it)
With a payload file (payload=, --payload; the system tests and make run):
  GET|HEAD /payload                the file with Content-Length
  GET /chunked                     the file, chunked
  GET /slow                        the file, 64 KiB every 50 ms
  GET /broken                      announces the full length, sends half,
                                   then closes
  GET /redirect, /redirect2        302 to /payload, 302 to /redirect
With a directory (directory=, --dir): its files by name.
  anything else                    404
"""
import argparse
import functools
import hashlib
import http.server
import os
import random
import select
import sys
import threading
import urllib.parse

BLOB_SIZE = 64 << 20
_blob = None
_blob_lock = threading.Lock()



def body(n):
    """The first n bytes (n <= 64 MiB) of the seeded random blob."""
    global _blob
    with _blob_lock:
        if _blob is None:
            _blob = random.Random(20261124).randbytes(BLOB_SIZE)
    if n > BLOB_SIZE:
        raise ValueError("body too large")
    return memoryview(_blob)[:n]


def sha(data):
    """Hex SHA-256 of data."""
    return hashlib.sha256(data).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kpio-test/1"

    def log_message(self, fmt, *args):  # the requests, for tests that count them
        self.server.log.append(f"{self.command} {self.path}")

    # ---- writing answers ----------------------------------------------------

    def send(self, status, payload=b"", headers=()):
        """A whole answer with Content-Length (no body for HEAD)."""
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def send_partial(self, total, send):
        """Content-Length total, then only the first send bytes of body()."""
        self.send_response(200)
        self.send_header("Content-Length", str(total))
        self.end_headers()
        self.wfile.write(body(send))
        self.wfile.flush()

    def start_chunked(self, trailers=False):
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        if trailers:
            self.send_header("Trailer", "X-Sha256, X-Chunks")
        self.end_headers()

    def read_body(self):
        """The request's body, Content-Length or chunked."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self.read_chunked_body()
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n) if n else b""

    def read_chunked_body(self):
        data = bytearray()
        while True:
            line = self.rfile.readline(1024)
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(data)
            data += self.rfile.read(size)
            self.rfile.readline(8)

    # ---- dispatch -------------------------------------------------------------

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        parts = url.path.strip("/").split("/")
        if parts[0] == "echo":
            return self.echo()
        if self.command not in ("GET", "HEAD"):
            self.read_body()
        action = self.payload_action(url.path, q)
        if action:
            return action()
        file = self.directory_file(url.path)
        if file:
            return self.send_file(file)
        route = self.ROUTES.get((parts[0], len(parts)))
        if route:
            return route(self, parts, q)
        if url.path == "/a/b/rel":
            return self.send(302, b"", [("Location", "../../data/777")])
        self.send(404, b"not found: " + url.path.encode() + b"\n", [("Content-Type", "text/plain")])

    do_HEAD = do_GET
    do_POST = do_GET
    do_PUT = do_GET
    do_PATCH = do_GET
    do_DELETE = do_GET

    # ---- generated bodies -----------------------------------------------------

    def echo(self):
        data = self.read_body()
        text = (f"method={self.command}\nlength={len(data)}\n"
                f"sha256={sha(data)}\n"
                f"content-type={self.headers.get('Content-Type', '-')}\n"
                f"authorization={self.headers.get('Authorization', '-')}\n")
        self.send(200, text.encode(), [("Content-Type", "text/plain")])

    def data(self, parts, q):
        n = int(parts[1])
        self.send_response(200)
        self.send_header("Content-Length", str(n))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if self.command == "HEAD":
            return
        data = body(n)
        for off in range(0, n, 1 << 20):
            self.wfile.write(data[off:off + (1 << 20)])

    def chunked(self, parts, q):
        n, size = int(parts[1]), int(q.get("size", "4096"))
        data = body(n)
        self.start_chunked(trailers=bool(q.get("trailers")))
        rng = random.Random(n)
        off = chunks = 0
        out = self.wfile
        while off < n:
            k = min(rng.randint(1, size) if q.get("vary") else size, n - off)
            ext = f";n={chunks};q=\"a b\"" if q.get("ext") else ""
            out.write(f"{k:x}{ext}\r\n".encode())
            out.write(data[off:off + k])
            out.write(b"\r\n")
            off += k
            chunks += 1
        out.write(b"0;end=1\r\n" if q.get("ext") else b"0\r\n")
        if q.get("trailers"):
            out.write(f"X-Sha256: {sha(data)}\r\nX-Chunks: {chunks}\r\n".encode())
        out.write(b"\r\n")

    def conn(self, parts, q):
        self.send(200, str(self.client_address[1]).encode())

    def redirect(self, parts, q):
        self.send(int(parts[1]), b"redirecting\n", [("Location", q.get("to", "/"))])

    def chain(self, parts, q):
        k = int(parts[1])
        codes = [301, 302, 303, 307, 308]
        to = f"/chain/{k - 1}" if k > 1 else "/data/4321"
        self.send(codes[k % len(codes)], b"", [("Location", to)])

    def loop(self, parts, q):
        self.send(302, b"", [("Location", "/loop")])

    def status(self, parts, q):
        code = int(parts[1])
        self.send(code, f"status {code}\n".encode(), [("Content-Type", "text/plain")])

    def until_client_leaves(self):
        """A stall: silence until the client closes its side (or sends
        anything) or the server stops; never a time limit, so a client's
        own timeout is the only way out of it while the test runs."""
        select.select([self.connection, self.server.stop_fd], [], [])
        self.close_connection = True

    def stall_head(self, parts, q):
        self.until_client_leaves()

    def stall_body(self, parts, q):
        self.send_partial(int(q["len"]), int(q["send"]))
        self.until_client_leaves()

    def close_mid(self, parts, q):
        self.send_partial(int(q["len"]), int(q["send"]))
        self.close_connection = True

    def chunked_close_mid(self, parts, q):
        self.start_chunked()
        self.wfile.write(b"5\r\nhello\r\n6\r\n world\r\n3\r\nab")
        self.wfile.flush()
        self.close_connection = True

    def slow(self, parts, q):
        n, pieces, ms = int(q["len"]), int(q["pieces"]), int(q["ms"])
        self.send_response(200)
        self.send_header("Content-Length", str(n))
        self.end_headers()
        data = body(n)
        step = -(-n // pieces)
        for off in range(0, n, step):
            self.wfile.write(data[off:off + step])
            self.wfile.flush()
            self.server.stop.wait(ms / 1000)  # the pace of a slow server

    def endless(self, parts, q):
        size = int(q.get("size", "65536"))
        self.start_chunked()
        chunk = f"{size:x}\r\n".encode() + bytes(body(size)) + b"\r\n"
        self.close_connection = True
        try:
            while not self.server.stop.is_set():
                self.wfile.write(chunk)
        except OSError:
            pass

    def interim(self, parts, q):
        self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n"
                         b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")
        self.send(200, b"final")

    def hold(self, parts, q):
        after = q.get("after")
        released = not after or self.server.done_event(after).wait(20)
        self.send(200 if released else 504, parts[1].encode())

    def done(self, parts, q):
        self.server.done_event(parts[1]).set()
        self.send(200, b"done")

    def gated(self, parts, q):
        n = int(parts[1])
        self.send_partial(n, n // 2)
        if self.server.done_event(q["after"]).wait(20):
            self.wfile.write(body(n)[n // 2:])
        else:
            self.close_connection = True

    def delay(self, parts, q):
        self.server.stop.wait(int(parts[1]) / 1000)
        self.send(200, parts[1].encode())

    def close_delimited(self, parts, q):
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body(100000))
        self.close_connection = True

    ROUTES = {
        ("data", 2): data, ("chunked", 2): chunked, ("conn", 1): conn,
        ("redirect", 2): redirect, ("chain", 2): chain, ("loop", 1): loop,
        ("status", 2): status, ("stall-head", 1): stall_head,
        ("stall-body", 1): stall_body, ("close-mid", 1): close_mid,
        ("chunked-close-mid", 1): chunked_close_mid,
        ("slow", 1): slow, ("endless", 1): endless, ("interim", 1): interim,
        ("hold", 2): hold, ("done", 2): done, ("gated", 2): gated, ("delay", 2): delay,
        ("close-delimited", 1): close_delimited,
    }

    # ---- a payload file and a directory -----------------------------------------

    def payload_action(self, path, q):
        """What answers a payload-file path (a call without arguments), or
        None."""
        payload = self.server.payload
        if not payload or (path == "/slow" and "len" in q):  # that one is generated
            return None
        return {
            "/payload": functools.partial(self.send_file, payload),
            "/chunked": functools.partial(self.send_file, payload, chunked=True),
            "/slow": functools.partial(self.send_file, payload, slow=True),
            "/broken": functools.partial(self.send_file, payload, broken=True),
            "/redirect": functools.partial(self.send, 302, b"", [("Location", "/payload")]),
            "/redirect2": functools.partial(self.send, 302, b"", [("Location", "/redirect")]),
        }.get(path)

    def directory_file(self, path):
        """The file of the served directory that path names, or None."""
        d = self.server.directory
        if not d or ".." in path:
            return None
        file = os.path.join(d, path.lstrip("/"))
        return file if os.path.isfile(file) else None

    def send_file(self, path, chunked=False, slow=False, broken=False):
        """The file at path: chunked, slowly (64 KiB every 50 ms), or
        broken (the full length announced, half sent, then closed)."""
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(size))
            self.end_headers()
            if self.command == "HEAD":
                return
            limit = size // 2 if broken else size
            self.copy_file(f, limit, chunked, slow)
            if broken:
                self.wfile.flush()
                self.close_connection = True
            elif chunked:
                self.wfile.write(b"0\r\n\r\n")

    def copy_file(self, f, limit, chunked, slow):
        sent = 0
        while sent < limit:
            block = f.read(min(65536 if slow else 1 << 20, limit - sent))
            if not block:
                break
            self.wfile.write(b"%x\r\n" % len(block) + block + b"\r\n" if chunked else block)
            sent += len(block)
            if slow:
                self.server.stop.wait(0.05)  # the pace of a slow server


class Server(http.server.ThreadingHTTPServer):
    """The test server on host:port (0: a free one, in .port). payload: a
    file for the payload paths; directory: files served by name. .log lists
    the requests ("GET /path"); .stop ends stalls and slow answers."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host="127.0.0.1", port=0, payload=None, directory=None, handler=Handler):
        super().__init__((host, port), handler)
        self.payload = payload
        self.directory = directory
        self.log = []
        self.stop = threading.Event()
        # Readable once the server stops (a byte is written and never
        # read): what a stall waits on besides its client.
        self.stop_fd, self._stop_w = os.pipe()
        self.port = self.server_address[1]
        self._done = {}
        self._done_lock = threading.Lock()
        self._thread = None

    def done_event(self, name):
        """The event that /done/NAME sets."""
        with self._done_lock:
            return self._done.setdefault(name, threading.Event())

    def url(self, path, host="127.0.0.1"):
        return f"http://{host}:{self.port}{path}"

    def start(self):
        """Serves in a daemon thread; returns self."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self):
        """Ends stalled answers, stops serving and closes the socket."""
        self.stop.set()
        if self._stop_w is not None:
            os.write(self._stop_w, b"x")
            self._stop_w = None
        if self._thread:
            self.shutdown()
        self.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


def command(*args):
    """The argv that runs this server as a process of its own (it prints
    "PORT <n>" once listening; args as in main())."""
    return [sys.executable, os.path.abspath(__file__), *args]


def announced_port(proc):
    """The port a process started with command() (stdout a text pipe)
    announced, or None when it did not."""
    line = proc.stdout.readline()
    return int(line.split()[1]) if line.startswith("PORT ") else None


def start_server(payload=None, host="127.0.0.1", port=0, directory=None):
    """A started Server; returns (server, port)."""
    srv = Server(host, port, payload=payload, directory=directory).start()
    return srv, srv.port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--payload")
    ap.add_argument("--dir")
    a = ap.parse_args()
    srv = Server(a.host, a.port, payload=a.payload, directory=a.dir)
    print(f"PORT {srv.port}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop.set()


if __name__ == "__main__":
    sys.exit(main())
