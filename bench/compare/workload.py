"""bench/compare/workload.py - the host side of the benchmark's work: the
random payload, the HTTP and https servers that serve it on loopback, the
https server's certificate (issued by the TLS tests' CA,
tests/tls/make_certs.py) and the FAT32 disk image (made by mkfs.fat,
filled and checked by mtools and fsck.fat, never mounted).

The guest reaches the servers as http://10.0.2.2:PORT/payload and
https://10.0.2.2:TLS_PORT/payload (or by TLS_NAME, which the certificate
also carries) through QEMU's user-mode network, which forwards to
127.0.0.1 on the host.
"""
import hashlib
import http.server
import os
import shutil
import ssl
import subprocess
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "tls"))
import make_certs  # noqa: E402

MIB = 1 << 20
FAT32_MIN_CLUSTERS = 65525  # fewer clusters make a FAT16 volume (FAT spec, "FAT type determination")


class Payload:
    """A freshly generated random payload kept in a file (so the server
    can sendfile it) with its SHA-256."""

    def __init__(self, path, size):
        if size <= 0:
            raise ValueError("payload size must be positive")
        self.path, self.size = path, size
        h = hashlib.sha256()
        with open(path, "wb") as f:
            left = size
            while left:
                block = os.urandom(min(left, 4 * MIB))
                h.update(block)
                f.write(block)
                left -= len(block)
        self.sha256 = h.hexdigest()

    def prefix_sha256(self, n):
        """SHA-256 of the first n bytes."""
        h = hashlib.sha256()
        with open(self.path, "rb") as f:
            left = n
            while left:
                block = f.read(min(left, 4 * MIB))
                if not block:
                    raise ValueError(f"payload shorter than {n} bytes")
                h.update(block)
                left -= len(block)
        return h.hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kpio-bench"

    def _head(self):
        if self.path != "/payload":
            self.send_error(404)
            return False
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(self.server.payload.size))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        return True

    def do_HEAD(self):
        self._head()

    def do_GET(self):
        if not self._head():
            return
        with open(self.server.payload.path, "rb") as f:
            self.wfile.flush()
            sent = self.connection.sendfile(f)
        cipher = getattr(self.connection, "cipher", None)
        with self.server.lock:
            self.server.served.append((self.path, sent))
            if cipher:
                self.server.ciphers.append(cipher())

    def log_message(self, *args):
        pass


TLS_NAME = "payload.bench.test"  # the https server's name in its certificate (RFC 2606 .test)


def bench_certs(directory):
    """Makes the TLS tests' certificates in directory (make_certs.py; kept
    while valid) and a leaf for the benchmark's https server, ECDSA P-256
    issued by their intermediate for DNS:TLS_NAME, IP:10.0.2.2 and
    IP:127.0.0.1 (for the host's own checks). Returns
    (trusted root, server chain, server key) paths; guests trust the root
    only, as KPIO's https tests do."""
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tls", "make_certs.py"),
                    directory], check=True)
    d = os.path.abspath(directory)
    chain, san = f"{d}/leaf-bench-chain.pem", f"DNS:{TLS_NAME},IP:10.0.2.2,IP:127.0.0.1"
    stamp = f"{d}/leaf-bench.san"  # the names the current leaf was made for
    try:
        with open(stamp) as f:
            fresh = f.read() == san and os.path.getmtime(stamp) >= os.path.getmtime(f"{d}/.complete")
    except OSError:
        fresh = False
    if not fresh:
        make_certs.key(d, "leaf-bench", "ec")
        make_certs.issue(d, "leaf-bench", "leaf-bench", "int", "v3_leaf", san)
        with open(f"{d}/leaf-bench.pem") as leaf, open(f"{d}/int.pem") as inter:
            text = leaf.read() + inter.read()
        with open(chain, "w") as out:
            out.write(text)
        with open(stamp, "w") as f:
            f.write(san)
    return f"{d}/root.pem", chain, f"{d}/leaf-bench.key"


class PayloadServer:
    """HTTP/1.1 server on 127.0.0.1 (a free port) serving GET /payload;
    https when tls=(certificate chain, key) is given (TLS 1.3 or 1.2,
    whichever the client prefers, Python's ssl module over OpenSSL).

    Use as a context manager; .port is the port, .served lists
    (path, bytes sent) per completed GET and .ciphers the TLS connections'
    (cipher, version, bits)."""

    def __init__(self, payload, tls=None):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.payload = payload
        self.httpd.served = []
        self.httpd.ciphers = []
        self.httpd.lock = threading.Lock()
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    @property
    def served(self):
        with self.httpd.lock:
            return list(self.httpd.served)

    @property
    def ciphers(self):
        with self.httpd.lock:
            return list(self.httpd.ciphers)


def missing_tools():
    """Returns a reason string when a disk tool is absent."""
    for tool, pkg in (("mkfs.fat", "dosfstools"), ("fsck.fat", "dosfstools"),
                      ("mcopy", "mtools")):
        if shutil.which(tool) is None:
            return f"{tool} not found (Debian package {pkg})"
    return None


def image_size(data_bytes, cluster):
    """Bytes for a FAT32 image holding data_bytes of files with clusters
    of that size: the data plus slack, and never fewer clusters than
    FAT32 needs."""
    need = data_bytes + 16 * MIB
    need = max(need, (FAT32_MIN_CLUSTERS + 1024) * cluster + 8 * MIB)
    return (need + MIB - 1) // MIB * MIB


def make_image(path, size, cluster, files):
    """Writes a fresh raw FAT32 image (mkfs.fat -F 32, 512-byte sectors,
    cluster bytes per cluster, no partition table) and copies files
    ({name: bytes}, a name may hold folders: "etc/rc") into it with mcopy."""
    if cluster % 512 or not 512 <= cluster <= 64 * 1024 or cluster & (cluster - 1):
        raise ValueError(f"cluster size {cluster} is not a power of two in 512..65536")
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate(size)
    subprocess.run(["mkfs.fat", "-F", "32", "-S", "512", "-s", str(cluster // 512),
                    "-n", "BENCH", path], check=True, capture_output=True)
    made = set()
    for name in files:  # folders first (mmd), for names like "etc/rc"
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folder = "/".join(parts[:i])
            if folder not in made:
                subprocess.run(["mmd", "-i", path, "::/" + folder], check=True,
                               capture_output=True)
                made.add(folder)
    for name, data in files.items():
        src = path + ".in"
        with open(src, "wb") as f:
            f.write(data)
        try:
            subprocess.run(["mcopy", "-i", path, src, "::/" + name], check=True,
                           capture_output=True)
        finally:
            os.unlink(src)


def file_sha256(image, name):
    """SHA-256 and size of ::/name read from the image by mtools, or
    (None, 0) when mcopy cannot read it."""
    proc = subprocess.Popen(["mcopy", "-n", "-i", image, "::/" + name, "-"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    h, size = hashlib.sha256(), 0
    for block in iter(lambda: proc.stdout.read(MIB), b""):
        h.update(block)
        size += len(block)
    if proc.wait() != 0:
        return None, 0
    return h.hexdigest(), size


def fsck(image):
    """Runs fsck.fat -n (check only); returns (clean, output)."""
    proc = subprocess.run(["fsck.fat", "-n", image], capture_output=True, text=True)
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def verify(image, expected):
    """Checks the image after a run: every file in expected
    ({name: (sha256, size)}) must be byte-identical and fsck.fat -n must
    find the file system clean. Returns a list of problems (empty: good)."""
    problems = []
    for name, (sha, size) in expected.items():
        got, got_size = file_sha256(image, name)
        if got is None:
            problems.append(f"{name}: not readable with mcopy")
        elif got != sha or got_size != size:
            problems.append(f"{name}: {got_size} bytes sha256 {got[:16]}..., "
                            f"expected {size} bytes sha256 {sha[:16]}...")
    clean, out = fsck(image)
    if not clean:
        problems.append("fsck.fat -n: " + out.replace("\n", " | ")[:500])
    return problems
