#!/usr/bin/env python3
"""bench/compare/side_by_side.py - `make bench`'s comparison of KPIO with
the Linux reference guest: the same work (bench.py), the same QEMU flags,
disk geometry and payload, several runs each, printed side by side with
the ratio KPIO/Linux and which one is better.

    side_by_side.py [--build build] [--runs 3] [--payload-mib 64] [--cluster 512]
                    [--firmware seabios|ovmf]

BENCH lines: compare_<metric>_kpio, compare_<metric>_linux (medians) and
compare_<metric>_ratio (KPIO/Linux). A guest that cannot run (not built,
the Debian mirror unreachable) is reported as skipped.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# For these a smaller value is better; for the rest (MiB/s) a larger one.
LOWER_IS_BETTER = {"s", "KiB"}
SHOWN = ["lease", "http_devnull", "http_to_fat", "fat_write", "fat_read_cold", "pipe", "run",
         "kmem_delta", "kmem_peak"]
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
        if line.startswith("# ") and guest in line and "run" in line:
            print(line)
    return rows, skip


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--payload-mib", type=int, default=64)
    ap.add_argument("--cluster", type=int, default=512)
    ap.add_argument("--firmware", default="seabios")
    args = ap.parse_args()
    kpio, kskip = run_guest("kpio", args)
    linux, lskip = run_guest("linux", args)
    for name, skip in (("kpio", kskip), ("linux", lskip)):
        if skip:
            print(f"# {name}: {skip}")
    print(f"# KPIO vs Linux: {args.runs} runs each, {args.firmware}, payload {args.payload_mib} MiB, "
          f"FAT32 {args.cluster}-byte clusters; min / median / max")
    print(f"# {'metric':<14} {'unit':<6} {'KPIO':>24} {'Linux':>24} {'KPIO/Linux':>10}  better")
    failed = bool(kskip and not kpio)
    for metric in SHOWN:
        k, l = kpio.get(metric), linux.get(metric)
        if not k and not l:
            continue
        unit = (k or l)[0]
        ks = f"{k[1]:.2f}/{k[2]:.2f}/{k[3]:.2f}" if k else "-"
        ls = f"{l[1]:.2f}/{l[2]:.2f}/{l[3]:.2f}" if l else "-"
        ratio, better = "", ""
        if k and l and l[2] > 0:
            r = k[2] / l[2]
            ratio = f"{r:.2f}"
            kb = r < 1 if unit in LOWER_IS_BETTER else r > 1
            better = "KPIO" if kb else "Linux"
            print(f"BENCH compare_{metric}_ratio {r:.3f} x")
        if k:
            print(f"BENCH compare_{metric}_kpio {k[2]:.3f} {unit}")
        if l:
            print(f"BENCH compare_{metric}_linux {l[2]:.3f} {unit}")
        print(f"# {metric:<14} {unit:<6} {ks:>24} {ls:>24} {ratio:>10}  {better}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
