"""tests/apps/servers.py - the peers of the networking app tests other than
the HTTP test server (tests/lib/httpserve.py), run as threads of the test
(or, for DNS and nginx, as processes it starts and stops by PID), on
loopback only:

  EchoServer   a TCP line echo for nc
  Dns          dnsmasq answering for *.kpio.test, plus a UDP socket that
               never answers (for resolver timeouts)
  Nginx        nginx serving a file of httpserve.body() bytes
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import nginx  # noqa: E402
from httpserve import body, sha  # noqa: E402
from ready import free_port, wait_listening  # noqa: E402


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
        nginx.readable_by_workers(self.tmp, self.www)
        for name in os.listdir(self.www):
            os.chmod(os.path.join(self.www, name), 0o644)
        self.proc = None
        self.port = None

    def __enter__(self):
        self.port = free_port()
        conf = nginx.write_conf(self.tmp, f"127.0.0.1:{self.port}", self.www,
                                locations=["location = /moved { return 301 /big.bin; }"])
        self.proc = subprocess.Popen(nginx.command("nginx", self.tmp, conf),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_listening(tcp=[self.port], procs=[self.proc]):
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

