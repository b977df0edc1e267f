"""tests/serve/gated_sink.py - a slow-reading origin for apps/proxy.c's
POST /upload, and the client side of that exchange (upload_to_gated) (test_serve_proxy.py, tests/qemu/test_serve_proxy.py): one
HTTP/1.1 exchange on loopback whose receive buffer is small and which,
after GATE bytes of the chunked request body, stops reading until the test
sets `release` (so the uploader's connection fills and stays full). It then
reads the rest, hashing as it goes, and answers "COUNT SHA256".
"""
import hashlib
import re
import socket
import threading

from polled_body import chunked_lines

GATE = 256 << 10


class GatedSink:
    def __init__(self, host="127.0.0.1"):
        self.release = threading.Event()
        self.error = None
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 10)
        self.lsock.bind((host, 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _body(self, f):
        """Hashes the chunked body from f, pausing at GATE: (count, hex)."""
        h, count, paused = hashlib.sha256(), 0, False
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                while f.readline() not in (b"\r\n", b""):
                    pass
                return count, h.hexdigest()
            data = f.read(size)
            f.readline()
            h.update(data)
            count += len(data)
            if count >= GATE and not paused:
                paused = True
                if not self.release.wait(120):
                    raise TimeoutError("never released")

    def _serve(self):
        try:
            self.lsock.settimeout(120)
            conn, _ = self.lsock.accept()
            with conn:
                conn.settimeout(120)
                f = conn.makefile("rb")
                while f.readline() not in (b"\r\n", b""):
                    pass
                count, digest = self._body(f)
                text = f"{count} {digest}\n".encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                             % len(text) + text)
        except (OSError, ValueError) as e:
            self.error = repr(e)
        finally:
            self.lsock.close()

    def close(self):
        self.release.set()
        self.thread.join(timeout=130)


def pattern_sha256(n):
    """The SHA-256 of proxy.c's upload bytes: byte i is i % 251."""
    block = bytes(range(251)) * 4096
    h, left = hashlib.sha256(), n
    while left:
        k = min(left, len(block))
        h.update(block[:k])
        left -= k
    return h.hexdigest()


def upload_to_gated(port, origin_host="127.0.0.1", n=16 << 20):
    """Has the proxy at port (on loopback) upload n bytes to a GatedSink on
    loopback, which the handler reaches as origin_host; the sink is
    released once the handler says it saw its stream full while its timer
    ran: (ok, what was seen)."""
    sink = GatedSink()
    seen = []
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
            f = s.makefile("rb")
            s.sendall(b"POST /upload?n=%d&url=http://%s:%d/sink HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                      % (n, origin_host.encode(), sink.port))
            status = f.readline()
            while f.readline() not in (b"\r\n", b""):
                pass
            seen.append(status.decode(errors="replace").strip())
            lines = chunked_lines(f)
            seen.append(next(lines))
            if seen[-1] == "stalled":
                sink.release.set()
            seen += list(lines)
    except (OSError, StopIteration, ValueError) as e:
        seen.append(repr(e))
    finally:
        sink.close()
    if sink.error:
        seen.append("origin: " + sink.error)
    m = re.match(r"done 200 stalls (\d+) max-room (\d+)$", seen[2] if len(seen) > 2 else "")
    ok = (len(seen) >= 4 and seen[1] == "stalled" and m is not None and
          int(m.group(2)) <= 65536 and seen[3] == f"{n} {pattern_sha256(n)}")
    return ok, seen
