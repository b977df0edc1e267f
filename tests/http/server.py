#!/usr/bin/env python3
"""tests/http/server.py - the HTTP/1.1 server lib/http's host tests talk to.

Python's http.server (BaseHTTPRequestHandler, keep-alive on) with the
endpoints the client tests need, including ones a well-behaved server never
shows: stalls, closes in the middle of a body, interim 1xx responses.

    python3 server.py [--port N]      prints "PORT <n>" once listening

Bodies come from one seeded random blob, so the tests compute the same
bytes (body(n) below) and compare hashes.

  GET|HEAD /data/N                 N bytes with Content-Length
  GET /chunked/N?size=K&vary=1&ext=1&trailers=1
                                   N bytes chunked in K-byte chunks (vary:
                                   random sizes 1..K), with extensions, and
                                   trailers X-Sha256 and X-Chunks
  GET /conn                        the client's port: the TCP connection
  GET /redirect/CODE?to=URL        a CODE redirect to URL
  GET /loop                        302 to itself
  ANY /echo                        what arrived: method, body length and
                                   sha256, Content-Type, Authorization
  GET /stall-head                  reads the request, never answers
  GET /stall-body?len=N&send=M     Content-Length N, M bytes, then silence
  GET /close-mid?len=N&send=M      Content-Length N, M bytes, then close
  GET /chunked-close-mid           two chunks, then close
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
  anything else                    404
"""
import argparse
import hashlib
import http.server
import random
import socketserver
import sys
import threading
import urllib.parse

BLOB_SIZE = 64 << 20
_blob = None
_blob_lock = threading.Lock()
stop = threading.Event()
_done = {}
_done_lock = threading.Lock()


def done_event(name):
    """The event that /done/NAME sets."""
    with _done_lock:
        return _done.setdefault(name, threading.Event())


def body(n):
    """The first n bytes (n <= 64 MiB) of the seeded random blob."""
    global _blob
    with _blob_lock:
        if _blob is None:
            _blob = random.Random(20261124).randbytes(BLOB_SIZE)
    if n > BLOB_SIZE:
        raise ValueError("body too large")
    return memoryview(_blob)[:n]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kpio-test/1"

    def log_message(self, fmt, *args):  # quiet unless debugging
        pass

    def _send(self, status, payload=b"", headers=(), head_only=False):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if not head_only:
            self.wfile.write(payload)

    def _read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if te.lower() == "chunked":
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
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n) if n else b""

    def _query(self):
        url = urllib.parse.urlsplit(self.path)
        return url.path, dict(urllib.parse.parse_qsl(url.query))

    def do_HEAD(self):
        self.do_GET(head_only=True)

    def do_POST(self):
        self.do_GET()

    do_PUT = do_POST
    do_PATCH = do_POST
    do_DELETE = do_POST

    def do_GET(self, head_only=False):
        path, q = self._query()
        parts = path.strip("/").split("/")
        name = parts[0]
        if name == "echo":
            data = self._read_body()
            text = (f"method={self.command}\nlength={len(data)}\n"
                    f"sha256={hashlib.sha256(data).hexdigest()}\n"
                    f"content-type={self.headers.get('Content-Type', '-')}\n"
                    f"authorization={self.headers.get('Authorization', '-')}\n")
            self._send(200, text.encode(), [("Content-Type", "text/plain")], head_only)
            return
        if self.command not in ("GET", "HEAD"):
            self._read_body()
        if name == "data" and len(parts) == 2:
            self._send(200, body(int(parts[1])), [("Content-Type", "application/octet-stream")],
                       head_only)
        elif name == "chunked" and len(parts) == 2:
            self._chunked(int(parts[1]), int(q.get("size", "4096")), q)
        elif name == "conn":
            self._send(200, str(self.client_address[1]).encode(), [], head_only)
        elif name == "redirect" and len(parts) == 2:
            self._send(int(parts[1]), b"redirecting\n", [("Location", q.get("to", "/"))],
                       head_only)
        elif name == "loop":
            self._send(302, b"", [("Location", "/loop")], head_only)
        elif name == "stall-head":
            stop.wait(30)
            self.close_connection = True
        elif name == "stall-body":
            self._partial(int(q["len"]), int(q["send"]))
            stop.wait(30)
            self.close_connection = True
        elif name == "close-mid":
            self._partial(int(q["len"]), int(q["send"]))
            self.close_connection = True
        elif name == "chunked-close-mid":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5\r\nhello\r\n6\r\n world\r\n3\r\nab")
            self.wfile.flush()
            self.close_connection = True
        elif name == "endless":
            self._endless(int(q.get("size", "65536")))
        elif name == "interim":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n"
                             b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")
            self._send(200, b"final", [], head_only)
        elif name == "hold" and len(parts) == 2:
            after = q.get("after")
            released = not after or done_event(after).wait(20)
            self._send(200 if released else 504, parts[1].encode(), [], head_only)
        elif name == "done" and len(parts) == 2:
            done_event(parts[1]).set()
            self._send(200, b"done", [], head_only)
        elif name == "gated" and len(parts) == 2:
            n = int(parts[1])
            self._partial(n, n // 2)
            if done_event(q["after"]).wait(20):
                self.wfile.write(body(n)[n // 2:])
            else:
                self.close_connection = True
        elif name == "delay" and len(parts) == 2:
            stop.wait(int(parts[1]) / 1000)
            self._send(200, parts[1].encode(), [], head_only)
        elif name == "close-delimited":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body(100000))
            self.close_connection = True
        else:
            self._send(404, b"not found: " + path.encode() + b"\n",
                       [("Content-Type", "text/plain")], head_only)

    def _partial(self, total, send):
        self.send_response(200)
        self.send_header("Content-Length", str(total))
        self.end_headers()
        self.wfile.write(body(send))
        self.wfile.flush()

    def _endless(self, size):
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = f"{size:x}\r\n".encode() + bytes(body(size)) + b"\r\n"
        self.close_connection = True
        try:
            while not stop.is_set():
                self.wfile.write(chunk)
        except OSError:
            pass

    def _chunked(self, n, size, q):
        data = body(n)
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        if q.get("trailers"):
            self.send_header("Trailer", "X-Sha256, X-Chunks")
        self.end_headers()
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
            out.write(f"X-Sha256: {hashlib.sha256(data).hexdigest()}\r\n"
                      f"X-Chunks: {chunks}\r\n".encode())
        out.write(b"\r\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    srv = Server(("127.0.0.1", args.port), Handler)
    print(f"PORT {srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    finally:
        stop.set()


if __name__ == "__main__":
    sys.exit(main())
