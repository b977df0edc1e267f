"""tests/apps/servers.py - the peers of the networking app tests, run as
threads of the test (or, for DNS, as processes it starts and stops by
PID), on loopback only:

  HttpServer   python's http.server with the endpoints fetch is tested on
  EchoServer   a TCP line echo for nc
  Dns          dnsmasq answering for *.kpio.test, plus a UDP socket that
               never answers (for resolver timeouts)

Bodies come from one seeded random blob: body(n) gives the same bytes to
the server and to the test that checks the file.

HTTP endpoints:
  GET /data/N                    N bytes with Content-Length
  GET /chunked/N                 N bytes, chunked, chunk sizes 1..16384
  GET /redirect/CODE?to=URL      a CODE redirect to URL
  GET /chain/K                   K redirects (301 302 303 307 308 ...) to /data/4321
  GET /a/b/rel                   302 to the relative reference ../../data/777
  GET /loop                      302 to itself
  GET /status/CODE               CODE with a short text body
  GET /short?len=N&send=M        Content-Length N, M bytes, then close
  GET /stall?len=N&send=M        Content-Length N, M bytes, then silence (20 s)
  GET /chunked-short             two chunks and half of a third, then close
  GET /slow?len=N&pieces=K&ms=D  N bytes in K pieces, D ms apart
"""
import hashlib
import http.server
import os
import random
import re
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
import urllib.parse

BLOB_SIZE = 64 << 20
_blob = None
_blob_lock = threading.Lock()


def body(n):
    """The first n bytes of the seeded blob (n <= 64 MiB)."""
    global _blob
    with _blob_lock:
        if _blob is None:
            _blob = random.Random(8).randbytes(BLOB_SIZE)
    return memoryview(_blob)[:n]


def sha(data):
    return hashlib.sha256(data).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kpio-apps-test/1"

    def log_message(self, fmt, *args):
        self.server.log.append(f"{self.command} {self.path}")

    def _send(self, status, payload=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        parts = url.path.strip("/").split("/")
        name = parts[0]
        if name == "data" and len(parts) == 2:
            n = int(parts[1])
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            data = body(n)
            for off in range(0, n, 1 << 20):
                self.wfile.write(data[off:off + (1 << 20)])
        elif name == "chunked" and len(parts) == 2:
            self._chunked(int(parts[1]))
        elif name == "redirect" and len(parts) == 2:
            self._send(int(parts[1]), b"moved\n", [("Location", q.get("to", "/"))])
        elif name == "chain" and len(parts) == 2:
            k = int(parts[1])
            codes = [301, 302, 303, 307, 308]
            to = f"/chain/{k - 1}" if k > 1 else "/data/4321"
            self._send(codes[k % len(codes)], b"", [("Location", to)])
        elif url.path == "/a/b/rel":
            self._send(302, b"", [("Location", "../../data/777")])
        elif name == "loop":
            self._send(302, b"", [("Location", "/loop")])
        elif name == "status" and len(parts) == 2:
            code = int(parts[1])
            self._send(code, f"status {code}\n".encode(), [("Content-Type", "text/plain")])
        elif name == "short":
            self.send_response(200)
            self.send_header("Content-Length", q["len"])
            self.end_headers()
            self.wfile.write(body(int(q["send"])))
            self.wfile.flush()
            self.close_connection = True
        elif name == "stall":
            self.send_response(200)
            self.send_header("Content-Length", q["len"])
            self.end_headers()
            self.wfile.write(body(int(q["send"])))
            self.wfile.flush()
            self.server.stop.wait(20)  # then give up: the client should have timed out
            self.close_connection = True
        elif name == "chunked-short":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5\r\nhello\r\n6\r\n world\r\n10\r\nonly half")
            self.wfile.flush()
            self.close_connection = True
        elif name == "slow":
            n, pieces, ms = int(q["len"]), int(q["pieces"]), int(q["ms"])
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            data = body(n)
            step = -(-n // pieces)
            for off in range(0, n, step):
                self.wfile.write(data[off:off + step])
                self.wfile.flush()
                time.sleep(ms / 1000)
        else:
            self._send(404, b"not found\n", [("Content-Type", "text/plain")])

    def _chunked(self, n):
        data = body(n)
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        rng = random.Random(n)
        off = 0
        while off < n:
            k = min(rng.randint(1, 16384), n - off)
            self.wfile.write(f"{k:x}\r\n".encode() + data[off:off + k] + b"\r\n")
            off += k
        self.wfile.write(b"0\r\n\r\n")


class _ThreadingHttp(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class HttpServer:
    def __init__(self):
        self.srv = _ThreadingHttp(("127.0.0.1", 0), Handler)
        self.srv.log = []
        self.srv.stop = threading.Event()
        self.port = self.srv.server_address[1]
        self.thread = threading.Thread(target=self.srv.serve_forever, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.srv.stop.set()
        self.srv.shutdown()
        self.srv.server_close()


class EchoServer:
    """Line echo: every line comes back; after a line "QUIT" the server
    closes. With sink=True it reads to the end of stream instead and then
    answers "<bytes> <sha256>\\n" and closes (for nc -N). With timer=True it
    reads one line (so the client has set its options), then answers the
    timer of the client's own socket as `ss -o` shows it (e.g.
    "timer:(keepalive,1.9sec,0)" when the client set SO_KEEPALIVE, or
    "timer:none") and closes: the client runs on this machine too."""

    def __init__(self, sink=False, timer=False):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.sink = sink
        self.timer = timer
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.stopping = False
        self.accepted = 0  # connections accepted so far

    def _serve(self):
        while not self.stopping:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._client, args=(conn, peer), daemon=True).start()

    def _client(self, conn, peer):
        with conn:
            conn.settimeout(60)
            if self.timer:
                conn.makefile("rb").readline()
                out = subprocess.run(["ss", "-tnoH", "state", "established", "src",
                                      f"{peer[0]}:{peer[1]}"], capture_output=True,
                                     text=True).stdout
                m = re.search(r"timer:\([^)]*\)", out)
                conn.sendall((m.group(0) if m else "timer:none").encode() + b"\n")
                return
            if self.sink:
                data = bytearray()
                while chunk := conn.recv(65536):
                    data += chunk
                conn.sendall(f"{len(data)} {sha(data)}\n".encode())
                return
            f = conn.makefile("rb")
            for line in f:
                conn.sendall(line)
                if line.rstrip(b"\r\n") == b"QUIT":
                    break
            conn.shutdown(socket.SHUT_RDWR)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.sock.close()


class Dns:
    """dnsmasq on 127.0.0.1:53 of the test's own network namespace:
    www.kpio.test is 127.0.0.1, dual.kpio.test 10.1.2.3 and fd00::1:2,
    other kpio.test names do not exist (NXDOMAIN), and names under
    timeout.kpio.test are forwarded to a socket that never answers."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="kpio-apps-dns-")
        self.proc = None
        self.silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.silent.bind(("127.0.0.1", 0))

    def __enter__(self):
        port = self.silent.getsockname()[1]
        args = ["dnsmasq", "--keep-in-foreground", "--no-daemon", "--conf-file=/dev/null",
                "--no-resolv", "--no-hosts", "--listen-address=127.0.0.1", "--bind-interfaces",
                "--port=53", f"--pid-file={self.tmp}/pid", "--log-facility=-", "--no-ping",
                "--host-record=www.kpio.test,127.0.0.1",
                "--host-record=dual.kpio.test,10.1.2.3,fd00::1:2",
                f"--server=/timeout.kpio.test/127.0.0.1#{port}", "--local=/kpio.test/"]
        self.log = open(os.path.join(self.tmp, "dnsmasq.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(50):  # until it answers on port 53
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                probe.settimeout(0.1)
                probe.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                             b"\x03www\x04kpio\x04test\x00\x00\x01\x00\x01", ("127.0.0.1", 53))
                if probe.recv(512)[:2] == b"\x12\x34":
                    return self
            except OSError:
                time.sleep(0.1)
            finally:
                probe.close()
        self.__exit__()
        raise RuntimeError("dnsmasq did not start")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.silent.close()
        if getattr(self, "log", None):
            self.log.close()


NGINX_CONF = """
worker_processes 1;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    default_type application/octet-stream;
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        root {www};
        location = /moved {{ return 301 /big.bin; }}
    }}
}}
"""


class Nginx:
    """nginx serving www/big.bin (body(n_big)) and www/small.txt, with
    /moved a 301 to /big.bin. Started and stopped by PID."""

    def __init__(self, n_big):
        self.tmp = tempfile.mkdtemp(prefix="kpio-apps-nginx-")
        self.www = os.path.join(self.tmp, "www")
        os.makedirs(self.www)
        with open(os.path.join(self.www, "big.bin"), "wb") as f:
            f.write(body(n_big))
        with open(os.path.join(self.www, "small.txt"), "wb") as f:
            f.write(b"hello from nginx\n")
        for path in (self.tmp, self.www):  # workers run as nobody when we are root
            os.chmod(path, 0o755)
        for name in os.listdir(self.www):
            os.chmod(os.path.join(self.www, name), 0o644)
        self.proc = None
        self.port = None

    def __enter__(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        conf = os.path.join(self.tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(tmp=self.tmp, port=self.port, www=self.www))
        self.proc = subprocess.Popen(["nginx", "-p", self.tmp, "-c", conf, "-e",
                                      os.path.join(self.tmp, "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_listening(self.port, self.proc):
            self.__exit__()
            raise RuntimeError("nginx did not start")
        return self

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_listening(port, proc=None, seconds=30):
    """Waits until something accepts on 127.0.0.1:port (or proc exits)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
