#!/usr/bin/env python3
"""tests/fuzz/run_fuzz.py - runs libFuzzer targets built under BUILD/fuzz/bin.

The kept corpora of a target are its seeds, BUILD/fuzz/seeds/<target>/ (made
by make rules), and its regression inputs, BUILD/fuzz/regress/<target>/ (made
from tests/fuzz/regress/<target>/); see tests/fuzz/module.mk.

--replay (the smoke run of `make test`): every input of the kept corpora
runs once, then about --runs mutations of them from the fixed random seed
--seed.
Nothing else is read and nothing is kept, so each run tries the same inputs.

Without --replay (`make fuzz`): an open-ended search for --seconds per target
from the kept corpora and a working corpus, BUILD/fuzz/corpus/<target>/,
that grows across runs.

With --tap the result of each target is a TAP line; a failure shows the end
of libFuzzer's report, with the crashing input in BUILD/fuzz/crashes/<target>/.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402


def kept_corpora(build, target):
    dirs = [os.path.join(build, "fuzz", kind, target) for kind in ("seeds", "regress")]
    return [d for d in dirs if os.path.isdir(d)]


def count_inputs(dirs):
    return sum(1 for d in dirs for n in os.listdir(d) if not n.startswith("."))


def fuzz_cmd(args, binary, artifacts, work):
    """The libFuzzer command line; work is the corpus new inputs go to."""
    cmd = [binary, "-timeout=10", "-rss_limit_mb=2048", f"-artifact_prefix={artifacts}",
           "-print_final_stats=1"]
    if args.replay:  # libFuzzer's -runs counts the replayed inputs too
        runs = count_inputs(kept_corpora(args.build, os.path.basename(binary))) + args.runs
        # comparison operands (-use_cmp) include addresses, which vary from
        # run to run: without them the same seed makes the same inputs
        return cmd + [f"-seed={args.seed}", f"-runs={runs}", "-use_cmp=0", work]
    return cmd + [f"-max_total_time={args.seconds}", work]


def run_target(args, target):
    """Runs one target; returns (passed, summary, libFuzzer's stderr)."""
    binary = os.path.join(args.build, "fuzz", "bin", target)
    artifacts = os.path.join(args.build, "fuzz", "crashes", target) + "/"
    os.makedirs(artifacts, exist_ok=True)
    kept = kept_corpora(args.build, target)
    if args.replay:
        work = tempfile.mkdtemp(prefix=f"kpio-fuzz-{target}-")
    else:
        work = os.path.join(args.build, "fuzz", "corpus", target)
        os.makedirs(work, exist_ok=True)
    start = time.monotonic()
    try:
        proc = subprocess.run(fuzz_cmd(args, binary, artifacts, work) + kept,
                              capture_output=True, text=True, errors="replace")
    finally:
        if args.replay:
            shutil.rmtree(work, ignore_errors=True)
    secs = time.monotonic() - start
    stats = [ln for ln in proc.stderr.splitlines()
             if ln.startswith("stat::number_of_executed_units")]
    runs = stats[0].split(":")[-1].strip() if stats else "?"
    if args.replay:
        name = (f"fuzz {target}: {count_inputs(kept)} kept inputs replayed, "
                f"{runs} runs in all (seed {args.seed}) in {secs:.0f} s")
    else:
        name = f"fuzz {target}: {runs} runs in {secs:.0f} s"
    return proc.returncode == 0, name, proc.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=60, help="search time per target")
    ap.add_argument("--replay", action="store_true",
                    help="kept corpora and --runs mutations from --seed only")
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("targets", nargs="*")
    args = ap.parse_args()
    t = Tap()
    for target in args.targets:
        passed, name, err = run_target(args, target)
        if args.tap:
            t.ok(passed, name, "\n".join(err.splitlines()[-40:]))
        else:
            print(("OK   " if passed else "FAIL ") + name)
            if not passed:
                print("\n".join(err.splitlines()[-60:]))
                t.failed += 1
    return t.done() if args.tap else (1 if t.failed else 0)


if __name__ == "__main__":
    sys.exit(main())
