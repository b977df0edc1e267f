#!/usr/bin/env python3
"""tests/net/fuzz_seeds.py - writes seed inputs for lib/net's fuzz targets
(tests/fuzz/fuzz_net_*.c) in the record formats those harnesses read.

    fuzz_seeds.py TARGET DIR     TARGET: net_frame, net_tcp, net_dns, net_dhcp
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from seeds import write_seeds  # noqa: E402

US_MAC = bytes([2, 0, 0, 0, 0, 1])
PEER_MAC = bytes([2, 0, 0, 0, 0, 2])
BCAST = b"\xff" * 6
US = bytes([10, 0, 0, 2])
PEER = bytes([10, 0, 0, 1])


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(payload, typ=0x0800, dst=US_MAC):
    return dst + PEER_MAC + struct.pack("!H", typ) + payload


def ipv4(proto, payload, src=PEER, dst=US, ident=1, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                    src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(sport, dport, data, src=PEER, dst=US):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    ph = src + dst + struct.pack("!BBH", 0, 17, len(u))
    c = csum(ph + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def tcp(sport, dport, seq, ack, flags, wnd, opts=b"", data=b""):
    off = (20 + len(opts)) // 4
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, wnd, 0, 0) + opts + data
    ph = PEER + US + struct.pack("!BBH", 0, 6, len(t))
    return t[:16] + struct.pack("!H", csum(ph + t)) + t[18:]


SYN_OPTS = bytes([2, 4, 5, 180, 1, 3, 3, 7, 1, 1, 4, 2, 1, 1, 8, 10]) + bytes(8)


def dns_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_answer_rrs():
    a = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([1, 2, 3, 4])
    cname = b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 60, len(dns_name("b.fuzz.test"))) + \
        dns_name("b.fuzz.test")
    b_a = dns_name("b.fuzz.test") + struct.pack("!HHIH", 1, 1, 30, 4) + bytes([5, 6, 7, 8])
    loop = b"\xc0\x1b" + struct.pack("!HHIH", 1, 1, 30, 4) + bytes([9, 9, 9, 9])
    return a, cname + b_a, loop


def dhcp_opts(msg_type):
    return bytes([53, 1, msg_type, 54, 4, 10, 0, 0, 1, 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 0, 1,
                  6, 4, 10, 0, 0, 1, 51, 4, 0, 0, 0x0e, 0x10, 58, 4, 0, 0, 7, 8, 255])


def frames_seed(frames):
    out = b""
    for f in frames:
        out += struct.pack("!H", len(f)) + f if f else b"\0\0"
    return out


def seeds_frame():
    arp = eth(struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER_MAC, PEER, bytes(6), US),
              0x0806, BCAST) + bytes(18)
    echo = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + b"ping" * 8
    echo = echo[:2] + struct.pack("!H", csum(echo)) + echo[4:]
    icmp = eth(ipv4(1, echo))
    u7 = eth(ipv4(17, udp(5000, 7, b"hello")))
    syn = eth(ipv4(6, tcp(40000, 80, 1000, 0, 0x02, 65535, SYN_OPTS)))
    ack = eth(ipv4(6, tcp(40000, 80, 1001, 1, 0x10, 65535)))
    data = eth(ipv4(6, tcp(40000, 80, 1001, 1, 0x18, 65535, b"", b"GET / HTTP/1.0\r\n\r\n")))
    whole = udp(5000, 7, bytes(range(200)) * 10)
    frag1 = eth(ipv4(17, whole[:1000], ident=9, frag=0x2000))
    frag2 = eth(ipv4(17, whole[1000:], ident=9, frag=1000 // 8))
    unreach = struct.pack("!BBHI", 3, 3, 0, 0) + ipv4(17, udp(7, 9999, b"x"), src=US, dst=PEER)[:28]
    unreach = unreach[:2] + struct.pack("!H", csum(unreach)) + unreach[4:]
    unr = eth(ipv4(1, unreach))
    dhcp = bytearray(240)
    dhcp[0:4] = bytes([2, 1, 6, 0])
    dhcp[16:20] = bytes([10, 0, 0, 50])
    dhcp[28:34] = US_MAC
    dhcp[236:240] = bytes([99, 130, 83, 99])
    offer = eth(ipv4(17, udp(67, 68, bytes(dhcp) + dhcp_opts(2), dst=b"\xff" * 4)), dst=BCAST)
    a, chain, _ = dns_answer_rrs()
    dnsmsg = struct.pack("!HHHHHH", 0, 0x8180, 1, 1, 0, 0) + dns_name("fuzz.test") + \
        struct.pack("!HH", 1, 1) + a
    dns = eth(ipv4(17, udp(53, 50000, dnsmsg)))
    return {
        "arp_icmp": frames_seed([arp, icmp, None, icmp]),
        "udp_frag": frames_seed([u7, frag2, frag1, unr]),
        "tcp": frames_seed([syn, ack, data, None, ack]),
        "dhcp_dns": frames_seed([offer, dns, None, None]),
    }


def tcp_record(op, flags, dseq, dack, wnd, opts=b"", dlen8=0):
    assert len(opts) % 4 == 0 and len(opts) <= 40
    return struct.pack("!BBhhHB", op, flags, dseq, dack, wnd, len(opts) // 4) + opts + \
        bytes([dlen8])


def seeds_tcp():
    ts = bytes([1, 1, 8, 10]) + bytes(8)
    sack = bytes([1, 1, 5, 10, 0, 0, 0, 0, 0, 0, 0, 8])
    inorder = b"".join(tcp_record(0x10, 0x18, 8 * i, 0, 4096, ts, 1) for i in range(4))
    ooo = tcp_record(0x11, 0x10, 64, 0, 4096, b"", 4) + tcp_record(0x02, 0x10, 0, 0, 4096, b"", 8)
    fin = tcp_record(0x13, 0x11, 0, 0, 4096) + tcp_record(0x14, 0x10, 1, 1, 4096)
    rst = tcp_record(0x01, 0x04, 5, 0, 0) + tcp_record(0x01, 0x04, 0, 0, 0)
    zero = tcp_record(0x01, 0x10, 0, 0, 0) + tcp_record(0xF8, 0x10, 0, 0, 0) + \
        tcp_record(0x00, 0x10, 0, 1, 100, sack)
    dup = b"".join(tcp_record(0x01, 0x10, 0, 0, 4096, sack) for _ in range(4))
    return {"inorder": inorder, "ooo": ooo, "fin": fin, "rst": rst, "zero": zero, "dup": dup}


def seeds_dns():
    a, chain, loop = dns_answer_rrs()
    whole = struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0) + dns_name("a.fuzz.test") + \
        struct.pack("!HH", 1, 1) + a
    return {"a": b"\0\x01" + a, "chain": b"\0\x02" + chain, "loop": b"\0\x01" + loop,
            "nx": b"\x01" + struct.pack("!HHHHH", 0x8183, 1, 0, 0, 0) + dns_name("a.fuzz.test") +
            struct.pack("!HH", 1, 1),
            "whole": b"\x01" + whole}


def seeds_dhcp():
    def rec(opts):
        opts += bytes((-len(opts)) % 4)
        return bytes([len(opts) // 4]) + opts
    overload = bytes([52, 1, 3, 53, 1, 2, 255])
    return {"offer_ack": rec(dhcp_opts(2)) + rec(dhcp_opts(5)),
            "offer_nak": rec(dhcp_opts(2)) + rec(dhcp_opts(6)),
            "overload": rec(overload)}


def main():
    target, out = sys.argv[1], sys.argv[2]
    seeds = {"net_frame": seeds_frame, "net_tcp": seeds_tcp, "net_dns": seeds_dns,
             "net_dhcp": seeds_dhcp}[target]()
    write_seeds(out, seeds)


if __name__ == "__main__":
    main()
