"""bench/compare/workload.py - the host side of the benchmark's work: the
random payload, the HTTP server that serves it on loopback, and the FAT32
disk image (made by mkfs.fat, filled and checked by mtools and fsck.fat,
never mounted).

The guest reaches the server as http://10.0.2.2:PORT/payload through
QEMU's user-mode network, which forwards to 127.0.0.1:PORT on the host.
"""
import hashlib
import http.server
import os
import shutil
import subprocess
import threading

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
        with self.server.lock:
            self.server.served.append((self.path, sent))

    def log_message(self, *args):
        pass


class PayloadServer:
    """HTTP/1.1 server on 127.0.0.1 (a free port) serving GET /payload.

    Use as a context manager; .port is the port, .served lists
    (path, bytes sent) per completed GET."""

    def __init__(self, payload):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.payload = payload
        self.httpd.served = []
        self.httpd.lock = threading.Lock()
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
    ({name: bytes}) into its root with mcopy."""
    if cluster % 512 or not 512 <= cluster <= 64 * 1024 or cluster & (cluster - 1):
        raise ValueError(f"cluster size {cluster} is not a power of two in 512..65536")
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate(size)
    subprocess.run(["mkfs.fat", "-F", "32", "-S", "512", "-s", str(cluster // 512),
                    "-n", "BENCH", path], check=True, capture_output=True)
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
