#!/usr/bin/env python3
"""bench/net/bench_tap.py - lib/net over TAP against Linux (the set-up of
tests/net/run_net.py): time from start to the DHCP lease, TCP download and
upload throughput into memory (64 MiB, gcc -O2 build of tap_host), and
16 MiB transfers under 5% loss with duplication and reordering. Prints
"BENCH name value unit" lines; needs root (network namespaces), otherwise
says why and prints nothing else.
"""
import argparse
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "net"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "lib"))
import run_net  # noqa: E402
from tap import Tap  # noqa: E402


class Quiet(Tap):
    def _line(self, text):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if os.geteuid() != 0 or not os.path.exists("/dev/net/tun"):
        print("# bench_tap: needs root and /dev/net/tun; skipped")
        return 0
    t = Quiet()
    n = run_net.Net(args.build, t)
    try:
        n.setup()
        leases = []
        for _ in range(5):
            rc, res, err, out = n.run_host(["dhcp"], rel=True)
            ms = run_net.first(res, "dhcp").get("ms")
            if ms:
                leases.append(float(ms))
        if leases:
            print("BENCH net_tap_dhcp_lease %.1f ms" % statistics.median(leases))
        down, up = [], []
        for _ in range(args.runs):
            res = run_net.http_get(n, t, "download", "blob64")
            g = run_net.first(res, "get")
            if g.get("ok") == "1":
                down.append(float(g["mibps"]))
            res = run_net.upload(n, t, "upload", 64 * run_net.MIB)
            s = run_net.first(res, "send")
            if s.get("ok") == "1":
                up.append(float(s["mibps"]))
        if down:
            print("BENCH net_tap_download %.1f MiB/s" % max(down))
        if up:
            print("BENCH net_tap_upload %.1f MiB/s" % max(up))
        res = run_net.http_get(n, t, "fault down", "blob16", relay=run_net.FAULTS % 11)
        g = run_net.first(res, "get")
        if g.get("ok") == "1":
            print("BENCH net_tap_faults_download_16mib %s s" % g["secs"])
        res = run_net.upload(n, t, "fault up", 16 * run_net.MIB, relay=run_net.FAULTS % 12)
        s = run_net.first(res, "send")
        if s.get("ok") == "1":
            print("BENCH net_tap_faults_upload_16mib %s s" % s["secs"])
    finally:
        n.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
