#!/usr/bin/env python3
"""tests/net/peer.py - Linux's side of the lib/net tests: plain sockets run
inside the test's network namespace (via `ip netns exec`). Each mode prints
one JSON line with what it saw; hashes are computed here with hashlib, the
oracle the C side is compared with.

    peer.py sink HOST PORT            accept one connection, read to EOF
    peer.py source HOST PORT BYTES    accept one connection, send BYTES random bytes
    peer.py connect-send IP PORT BYTES
    peer.py connect-recv IP PORT
    peer.py echo HOST PORT [IDLE INTVL CNT]
                                      accept one connection, echo it back
                                      (with Linux keep-alive on it, in s)
    peer.py udp-ttl HOST PORT         one datagram: its IPv4 TTL (IP_RECVTTL)
    peer.py ping IP COUNT             ICMP echo over a raw socket (needs root)
Listening modes print {"ready": true} first. Every mode has a deadline.
"""
import hashlib
import json
import os
import socket
import struct
import sys
import time

CHUNK = 256 * 1024
DEADLINE = 300


def out(**kw):
    print(json.dumps(kw), flush=True)


def recv_all(conn):
    h = hashlib.sha256()
    n = 0
    t0 = time.monotonic()
    while True:
        b = conn.recv(CHUNK)
        if not b:
            break
        h.update(b)
        n += len(b)
    return n, h.hexdigest(), time.monotonic() - t0


def send_random(conn, total):
    h = hashlib.sha256()
    sent = 0
    t0 = time.monotonic()
    while sent < total:
        b = os.urandom(min(CHUNK, total - sent))
        h.update(b)
        conn.sendall(b)
        sent += len(b)
    conn.shutdown(socket.SHUT_WR)
    while conn.recv(CHUNK):  # until the other side closes too
        pass
    return sent, h.hexdigest(), time.monotonic() - t0


def listen(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(1)
    s.settimeout(60)
    out(ready=True)
    conn, addr = s.accept()
    conn.settimeout(DEADLINE)
    s.close()
    return conn, addr


def connect(ip, port):
    end = time.monotonic() + 30
    while True:
        try:
            c = socket.create_connection((ip, port), timeout=5)
            c.settimeout(DEADLINE)
            return c
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def echo(host, port, keepalive=None):
    """Accepts one connection and sends back what it receives, until EOF,
    a reset or the deadline (the test ends it by PID too). keepalive:
    (idle s, interval s, count) for Linux's own probes on the connection."""
    conn, addr = listen(host, port)
    if keepalive:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepalive[0])
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, keepalive[1])
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, keepalive[2])
    n = 0
    try:
        while True:
            b = conn.recv(CHUNK)
            if not b:
                break
            conn.sendall(b)
            n += len(b)
    except OSError as e:
        out(echoed=n, error=str(e))
        return
    out(echoed=n)


def udp_ttl(host, port):
    """Receives one datagram and reports the TTL of its IPv4 header
    (IP_RECVTTL, delivered as IP_TTL ancillary data)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, port))
    s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)  # 12: <linux/in.h>
    s.settimeout(30)
    out(ready=True)
    data, anc, _, addr = s.recvmsg(2048, socket.CMSG_SPACE(4))
    ttl = None
    for level, typ, val in anc:
        if level == socket.IPPROTO_IP and typ == socket.IP_TTL:
            ttl = struct.unpack("i", val[:4])[0]
    out(ttl=ttl, data=data.decode("latin-1"), sender=addr[0])


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ping(ip, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(1.0)
    ident = os.getpid() & 0xFFFF
    rtts = []
    for seq in range(1, count + 1):
        payload = os.urandom(32)
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + payload), ident, seq) + payload
        t0 = time.monotonic()
        s.sendto(pkt, (ip, 0))
        end = t0 + 1.0
        while time.monotonic() < end:
            try:
                data, addr = s.recvfrom(2048)
            except socket.timeout:
                break
            ihl = (data[0] & 0x0F) * 4
            typ, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if typ == 0 and rid == ident and rseq == seq and addr[0] == ip \
                    and data[ihl + 8:] == payload and checksum(data[ihl:]) == 0:
                rtts.append((time.monotonic() - t0) * 1000)
                break
    out(sent=count, received=len(rtts), rtt_ms=[round(r, 3) for r in rtts])


def main():
    mode = sys.argv[1]
    if mode == "sink":
        conn, addr = listen(sys.argv[2], int(sys.argv[3]))
        n, h, secs = recv_all(conn)
        conn.close()
        out(bytes=n, sha256=h, secs=secs, peer=addr[0])
    elif mode == "source":
        conn, addr = listen(sys.argv[2], int(sys.argv[3]))
        n, h, secs = send_random(conn, int(sys.argv[4]))
        conn.close()
        out(bytes=n, sha256=h, secs=secs, peer=addr[0])
    elif mode == "connect-send":
        c = connect(sys.argv[2], int(sys.argv[3]))
        n, h, secs = send_random(c, int(sys.argv[4]))
        c.close()
        out(bytes=n, sha256=h, secs=secs)
    elif mode == "connect-recv":
        c = connect(sys.argv[2], int(sys.argv[3]))
        n, h, secs = recv_all(c)
        c.close()
        out(bytes=n, sha256=h, secs=secs)
    elif mode == "echo":
        ka = tuple(int(x) for x in sys.argv[4:7]) if len(sys.argv) >= 7 else None
        echo(sys.argv[2], int(sys.argv[3]), ka)
    elif mode == "udp-ttl":
        udp_ttl(sys.argv[2], int(sys.argv[3]))
    elif mode == "ping":
        ping(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
