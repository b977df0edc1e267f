#!/usr/bin/env python3
"""tests/qemu/httpserver.py - the host-side HTTP server of the system tests
and of `make run`: serves one payload file several ways.

    /payload        the file with Content-Length (HTTP/1.1, keep-alive)
    /chunked        the file with Transfer-Encoding: chunked
    /redirect       302 to /payload (and /redirect2 -> /redirect)
    /slow           the file with Content-Length, 64 KiB every 50 ms
    /broken         announces the full length, sends half, then closes
    /missing        404
    anything else under the directory given with --dir (make run's demo)

Run as a program it prints "READY <port>" once listening (port 0 picks a
free one); as a module, start_server() runs it in a thread.
"""
import argparse
import os
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    payload_path = None
    directory = None

    def log_message(self, fmt, *args):  # quiet: the tests print what matters
        pass

    def _file(self):
        return open(self.payload_path, "rb"), os.path.getsize(self.payload_path)

    def _send_file(self, chunked=False, slow=False, broken=False, path=None):
        f, size = (open(path, "rb"), os.path.getsize(path)) if path else self._file()
        with f:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(size))
            self.end_headers()
            if self.command == "HEAD":
                return
            sent = 0
            limit = size // 2 if broken else size
            while sent < limit:
                block = f.read(min(65536 if slow else 1 << 20, limit - sent))
                if not block:
                    break
                if chunked:
                    self.wfile.write(b"%x\r\n" % len(block) + block + b"\r\n")
                else:
                    self.wfile.write(block)
                sent += len(block)
                if slow:
                    time.sleep(0.05)
            if broken:
                self.wfile.flush()
                self.close_connection = True
                return
            if chunked:
                self.wfile.write(b"0\r\n\r\n")

    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/payload":
            self._send_file()
        elif p == "/chunked":
            self._send_file(chunked=True)
        elif p == "/slow":
            self._send_file(slow=True)
        elif p == "/broken":
            self._send_file(broken=True)
        elif p in ("/redirect", "/redirect2"):
            self.send_response(302)
            self.send_header("Location", "/payload" if p == "/redirect" else "/redirect")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.directory and os.path.isfile(os.path.join(self.directory, p.lstrip("/"))) \
                and ".." not in p:
            self._send_file(path=os.path.join(self.directory, p.lstrip("/")))
        else:
            body = b"not found\n"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    do_HEAD = do_GET


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_server(payload_path, host="127.0.0.1", port=0, directory=None):
    """Starts the server in a daemon thread; returns (server, port)."""
    handler = type("PayloadHandler", (Handler,), {"payload_path": payload_path,
                                                   "directory": directory})
    srv = Server((host, port), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--payload", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--dir")
    a = ap.parse_args()
    srv, port = start_server(a.payload, a.host, a.port, a.dir)
    print(f"READY {port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.shutdown()


if __name__ == "__main__":
    sys.exit(main())
