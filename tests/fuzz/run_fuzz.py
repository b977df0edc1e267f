#!/usr/bin/env python3
"""tests/fuzz/run_fuzz.py - runs libFuzzer targets built under BUILD/fuzz/bin.

Each target starts from its seed corpus, tests/fuzz/seeds/<target>/ (made by
make rules, see tests/fuzz/module.mk), and a working corpus in
BUILD/fuzz/corpus/<target>/ that grows across runs. With --tap the result
of each target is a TAP line, so `make test` can run a short smoke pass.
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("targets", nargs="*")
    args = ap.parse_args()
    t = Tap()
    for target in args.targets:
        binary = os.path.join(args.build, "fuzz", "bin", target)
        corpus = os.path.join(args.build, "fuzz", "corpus", target)
        seeds = os.path.join(args.build, "fuzz", "seeds", target)
        os.makedirs(corpus, exist_ok=True)
        dirs = [corpus] + ([seeds] if os.path.isdir(seeds) else [])
        artifacts = os.path.join(args.build, "fuzz", "crashes", target) + "/"
        os.makedirs(artifacts, exist_ok=True)
        cmd = [binary, f"-max_total_time={args.seconds}", "-timeout=10",
               "-rss_limit_mb=2048", f"-artifact_prefix={artifacts}",
               "-print_final_stats=1"] + dirs
        start = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
        secs = time.monotonic() - start
        stats = [ln for ln in proc.stderr.splitlines() if ln.startswith("stat::number_of_executed_units")]
        runs = stats[0].split(":")[-1].strip() if stats else "?"
        name = f"fuzz {target}: {runs} runs in {secs:.0f} s"
        if args.tap:
            t.ok(proc.returncode == 0, name, "\n".join(proc.stderr.splitlines()[-40:]))
        else:
            print(("OK   " if proc.returncode == 0 else "FAIL ") + name)
            if proc.returncode:
                print("\n".join(proc.stderr.splitlines()[-60:]))
                t.failed += 1
    return t.done() if args.tap else (1 if t.failed else 0)


if __name__ == "__main__":
    sys.exit(main())
