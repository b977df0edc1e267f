"""tests/lib/stalled.py - a client that stalls in the middle of its request
(a slowloris), for servers that must not let it hold up others: it sends
the first part of a head and waits; still_connected() tells, at once,
whether the server has neither answered nor closed it; answer() waits for
whatever the server finally sends and its close (an event, not a sleep).
"""
import select
import socket


def stalled_client(port, partial, host="127.0.0.1", timeout=120):
    """A connection to host:port that has sent only partial (bytes)."""
    s = socket.create_connection((host, port), timeout=timeout)
    s.sendall(partial)
    return s


def still_connected(sock):
    """True while the peer has neither answered nor closed sock (nothing
    to read, not even the end of the stream, at this moment)."""
    readable, _, _ = select.select([sock], [], [], 0)
    return not readable


def answer(sock):
    """Everything the peer sends until it closes (an error is appended as
    text, so that a check on the bytes fails with the reason)."""
    data = bytearray()
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except OSError as e:
        data += repr(e).encode()
    return bytes(data)
