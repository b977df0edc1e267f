#!/usr/bin/env python3
"""tests/apps/fuzz_seeds.py - writes the seed corpus of the apps_httpreq
fuzz target (httpd's request parser) into the folder given: well-formed
requests of each shape and a few broken ones; with --timefmt, that of
apps_timefmt (seconds, nanoseconds, output size, then date's formats).

    python3 tests/apps/fuzz_seeds.py [--timefmt] OUTDIR
"""
import os
import struct
import sys

SEEDS = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"HEAD /a/b.txt HTTP/1.0\n\n",
    b"GET /a/../b/./c?q=1 HTTP/1.1\r\nConnection: keep-alive, close\r\nUser-Agent: curl\r\n\r\n",
    b"GET http://h:8080/%2e%2e/x%41 HTTP/1.1\r\n\r\n",
    b"\r\n\r\nGET /sub/ HTTP/1.1\r\nA: b\tc\r\n\r\n",
    b"POST /form HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
    b"GET / HTTP/2.0\r\n\r\n",
    b"GET /a HTTP/1.1\r\nFolded: a\r\n b\r\n\r\n",
]


TIMEFMT_SEEDS = [
    struct.pack("<qIB", 1796611085, 405954000, 200) + b"%a %b %e %H:%M:%S %Z %Y",
    struct.pack("<qIB", 0, 0, 64) + b"%Y-%m-%d %H:%M:%S.%N %z %:z %s %%",
    struct.pack("<qIB", -1, 999999999, 10) + b"%c %k %l %P %j %u",
    struct.pack("<qIB", 1262351229, 1, 3) + b"%Q%%%",
]


def main():
    seeds = SEEDS
    if sys.argv[1] == "--timefmt":
        seeds = TIMEFMT_SEEDS
        sys.argv.pop(1)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for i, seed in enumerate(seeds):
        with open(os.path.join(out, f"seed{i}"), "wb") as f:
            f.write(seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
