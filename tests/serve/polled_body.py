"""tests/serve/polled_body.py - the client side of apps/webapp.c's
POST /ticks, for test_serve.py (kpio-wasm serve) and tests/qemu/test_serve.py
(KPIO's serve): a handler that polls its request body together with a
timer, and a client that sends the body in pieces, each only after the
handler has answered the previous piece ("got N") AND its timer has fired
while no byte was there ("tick"). A server whose body reads wait for bytes
never lets the timer fire between pieces: the client then never sees its
"tick" and the exchange ends in the socket's timeout, a failure.
"""
import socket


def _chunks(f):
    """The decoded pieces of a chunked body read from file f."""
    while True:
        size = int(f.readline().split(b";")[0], 16)
        if size == 0:
            return
        data = f.read(size)
        f.readline()
        yield data


def chunked_lines(f):
    """The lines (str) of a chunked body read from file f."""
    buf = b""
    for data in _chunks(f):
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield line.decode()


def polled_body(host, port, pieces=4, size=1000, timeout=30):
    """Runs the exchange: (True, lines) when every piece was answered with
    its "got", a "tick" came in each quiet spell and the end was right;
    else (False, the lines seen and why it stopped)."""
    seen = []
    with socket.create_connection((host, port), timeout=timeout) as s:
        f = s.makefile("rb")
        s.sendall(b"POST /ticks HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n" % (pieces * size))
        try:
            status = f.readline()
            while f.readline() not in (b"\r\n", b""):
                pass
            if not status.startswith(b"HTTP/1.1 200 "):
                return False, [status.decode(errors="replace")]
            lines = chunked_lines(f)
            for i in range(pieces):
                s.sendall(b"x" * size)
                last = i == pieces - 1  # then the body ends: no quiet spell
                for want in [f"got {(i + 1) * size}"] + ([] if last else ["tick"]):
                    while True:
                        line = next(lines)
                        seen.append(line)
                        if line == want:
                            break
            end = next(lines)
            seen.append(end)
            return end == f"end {pieces * size}", seen
        except (OSError, StopIteration, ValueError) as e:
            return False, seen + [repr(e)]
