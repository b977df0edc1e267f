#!/usr/bin/env python3
"""bench/compare/side_by_side.py - `make bench`'s comparison of KPIO with
the Linux reference guest: the same work (bench.py), the same QEMU flags,
disk geometry and payload, several runs each, printed side by side with
the ratio KPIO/Linux and which one is better. KPIO runs twice: booted
from its ISO and by QEMU's direct kernel boot (kpio-direct, -kernel with
the PVH note); the ratio is the ISO boot's, and lease_direct_ratio the
direct boot's lease time over Linux's. Then the milestone path's phases
and the bytes each layer copied (KPIO's kernel trace; Linux's markers
around wget and sync), and a drawing of it all (draw.py, an SVG named at
the end).

    side_by_side.py [--build build] [--runs 3] [--payload-mib 64] [--cluster 512]
                    [--firmware seabios|ovmf] [--guests kpio,kpio-direct,linux]

BENCH lines: compare_<metric>_kpio, compare_<metric>_kpio_direct,
compare_<metric>_linux (medians) and compare_<metric>_ratio (KPIO/Linux).
https_devnull is the payload over https (TLS 1.3, certificate verified
against the bench's root only; KPIO: the kernel's Mbed TLS client, Linux:
busybox wget with Debian's openssl s_client), https_ratio its throughput
over http_devnull's on the same guest. A guest that cannot run (not built,
the Debian mirror unreachable) is reported as skipped.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import draw  # noqa: E402

# For these a smaller value is better; for the rest (MiB/s) a larger one.
LOWER_IS_BETTER = {"s", "KiB"}
SHOWN = ["lease", "http_devnull", "https_devnull", "https_ratio", "http_to_fat", "fat_write", "fat_read_cold", "pipe", "run",
         "kmem_delta", "kmem_peak"]
PHASES = ["ph_app_loaded", "ph_app_compiled", "ph_tcp_connect", "ph_first_byte", "ph_last_byte",
          "ph_file_closed", "ph_sync_done"]
COPIES = ["copy_nic_rx", "copy_sock_rx", "copy_file_write", "copy_cache_in", "copy_cache_run",
          "copy_blk_write"]
ROW = re.compile(r"^# (\S+)\s+(\S+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(.*)$")


def run_guest(guest, args):
    cmd = [sys.executable, os.path.join(HERE, "bench.py"), "--guest", guest, "--build", args.build,
           "--runs", str(args.runs), "--payload-mib", str(args.payload_mib), "--cluster",
           str(args.cluster), "--firmware", args.firmware]
    p = subprocess.run(cmd, capture_output=True, text=True)
    rows, skip = {}, None
    for line in p.stdout.splitlines():
        if line.startswith("# SKIP"):
            skip = line[2:]
        m = ROW.match(line)
        if m and m.group(1) != "metric":
            rows[m.group(1)] = (m.group(2), float(m.group(3)), float(m.group(4)),
                                float(m.group(5)), m.group(6))
    if p.returncode != 0 and not skip:
        skip = f"FAILED (exit {p.returncode}): " + (p.stderr.strip().splitlines() or ["?"])[0]
        sys.stderr.write(p.stderr)
    for line in p.stdout.splitlines():
        if (line.startswith("# ") and guest in line and "run" in line) or line.startswith("# https:"):
            print(line.replace("# https:", f"# {guest} https:"))
    return rows, skip


def cell(row):
    return f"{row[1]:.2f}/{row[2]:.2f}/{row[3]:.2f}" if row else "-"


def print_table(results, args):
    """The side-by-side table of SHOWN; returns nothing, prints BENCH lines."""
    kpio, direct, linux = (results.get(g, {}) for g in ("kpio", "kpio-direct", "linux"))
    print(f"# KPIO vs Linux: {args.runs} runs each, {args.firmware}, payload {args.payload_mib} MiB, "
          f"FAT32 {args.cluster}-byte clusters; min / median / max")
    print(f"# {'metric':<14} {'unit':<6} {'KPIO (ISO)':>22} {'KPIO (direct)':>22} {'Linux':>22} "
          f"{'KPIO/Linux':>10}  better")
    for metric in SHOWN:
        k, d, l = kpio.get(metric), direct.get(metric), linux.get(metric)
        if not k and not l and not d:
            continue
        unit = (k or d or l)[0]
        ratio, better = "", ""
        if k and l and l[2] > 0:
            r = k[2] / l[2]
            ratio = f"{r:.2f}"
            kb = r < 1 if unit in LOWER_IS_BETTER else r > 1
            better = "KPIO" if kb else "Linux"
            print(f"BENCH compare_{metric}_ratio {r:.3f} x")
        if metric == "lease" and d and l and l[2] > 0:
            print(f"BENCH compare_lease_direct_ratio {d[2] / l[2]:.4f} x")
        for name, row in (("kpio", k), ("kpio_direct", d), ("linux", l)):
            if row:
                print(f"BENCH compare_{metric}_{name} {row[2]:.3f} {unit}")
        print(f"# {metric:<14} {unit:<6} {cell(k):>22} {cell(d):>22} {cell(l):>22} {ratio:>10}  "
              f"{better}")


def print_phases(results):
    """The milestone path (dl-file) phase by phase, medians in seconds from
    its start, and the bytes KPIO's layers copied on the way."""
    kpio, linux = results.get("kpio", {}), results.get("linux", {})
    if not any(m in kpio or m in linux for m in PHASES):
        return
    print("# milestone path (HTTP GET into a FAT32 file, synced), seconds from its start, median")
    print(f"# {'phase':<16} {'KPIO':>8} {'Linux':>8}  what")
    for m in PHASES:
        k, l = kpio.get(m), linux.get(m)
        if not k and not l:
            continue
        what = (k or l)[4]
        ks = f"{k[2]:.3f}" if k else "-"
        ls = f"{l[2]:.3f}" if l else "-"
        print(f"# {m[3:]:<16} {ks:>8} {ls:>8}  {what}")
        for name, row in (("kpio", k), ("linux", l)):
            if row:
                print(f"BENCH compare_{m}_{name} {row[2]:.3f} s")
    if any(m in kpio for m in COPIES):
        print("# bytes copied by KPIO's layers during it, MiB (median)")
        for m in COPIES:
            if m in kpio:
                print(f"# {m[5:]:<16} {kpio[m][2]:>8.2f}  {kpio[m][4]}")
                print(f"BENCH compare_{m}_kpio {kpio[m][2]:.2f} MiB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--payload-mib", type=int, default=64)
    ap.add_argument("--cluster", type=int, default=512)
    ap.add_argument("--firmware", default="seabios")
    ap.add_argument("--guests", default="kpio,kpio-direct,linux")
    args = ap.parse_args()
    results, skips = {}, {}
    for g in args.guests.split(","):
        results[g], skips[g] = run_guest(g, args)
    for name, skip in skips.items():
        if skip:
            print(f"# {name}: {skip}")
    print_table(results, args)
    print_phases(results)
    svg = os.path.join(args.build, "bench-compare", "compare.svg")
    if draw.write_svg(svg, results, args):
        print(f"# drawn: {svg}")
    return 1 if skips.get("kpio") and not results.get("kpio") else 0


if __name__ == "__main__":
    sys.exit(main())
