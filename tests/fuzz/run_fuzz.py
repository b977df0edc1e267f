#!/usr/bin/env python3
"""tests/fuzz/run_fuzz.py - runs libFuzzer targets built under BUILD/fuzz/bin.

The kept corpora of a target are its seeds, BUILD/fuzz/seeds/<target>/ (made
by make rules), its regression inputs, BUILD/fuzz/regress/<target>/ (made
from tests/fuzz/regress/<target>/), and the inputs earlier campaigns found,
--corpus/<target>/ (tests/fuzz/corpus); see tests/fuzz/module.mk.

--replay (the smoke run of `make test`): every input of the kept corpora
runs once, then about --runs mutations of them from the fixed random seed
--seed.
Nothing else is read and nothing is kept, so each run tries the same inputs.

Without --replay (`make fuzz`): an open-ended search for --seconds per target
from the kept corpora and a working corpus, BUILD/fuzz/corpus/<target>/,
that grows across runs.

With --keep, after the search (none with --seconds 0) the working corpus is
merged into --corpus/<target>/: libFuzzer's -merge keeps only the inputs that
add coverage, and inputs over KEEP_MAX_BYTES are left out, so the kept corpus
stays small enough to replay in every `make test`.

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


KEEP_MAX_BYTES = 64 * 1024


def kept_corpora(args, target):
    dirs = [os.path.join(args.build, "fuzz", kind, target) for kind in ("seeds", "regress")]
    if args.corpus:
        dirs.append(os.path.join(args.corpus, target))
    return [d for d in dirs if os.path.isdir(d)]


def count_inputs(dirs):
    return sum(1 for d in dirs for n in os.listdir(d) if not n.startswith("."))


def fuzz_cmd(args, binary, artifacts, work):
    """The libFuzzer command line; work is the corpus new inputs go to."""
    cmd = [binary, "-timeout=10", "-rss_limit_mb=2048", f"-artifact_prefix={artifacts}",
           "-print_final_stats=1"]
    if args.replay:  # libFuzzer's -runs counts the replayed inputs too
        runs = count_inputs(kept_corpora(args, os.path.basename(binary))) + args.runs
        # comparison operands (-use_cmp) include addresses, which vary from
        # run to run: without them the same seed makes the same inputs
        return cmd + [f"-seed={args.seed}", f"-runs={runs}", "-use_cmp=0", work]
    return cmd + [f"-max_total_time={args.seconds}", work]


def coverage(stderr):
    """", cov: N ft: N corp: N/SIZE" from libFuzzer's last status line."""
    lines = [ln for ln in stderr.splitlines() if " cov: " in ln and " corp: " in ln]
    if not lines:
        return ""
    words = lines[-1].split()
    pick = [f"{w} {words[i + 1]}" for i, w in enumerate(words[:-1]) if w in ("cov:", "ft:", "corp:")]
    return ", " + " ".join(pick)


def run_target(args, target):
    """Runs one target; returns (passed, summary, libFuzzer's stderr)."""
    binary = os.path.join(args.build, "fuzz", "bin", target)
    artifacts = os.path.join(args.build, "fuzz", "crashes", target) + "/"
    os.makedirs(artifacts, exist_ok=True)
    kept = kept_corpora(args, target)
    if args.replay:
        work = tempfile.mkdtemp(prefix=f"kpio-fuzz-{target}-")
    else:
        work = os.path.join(args.build, "fuzz", "corpus", target)
        os.makedirs(work, exist_ok=True)
    start = time.monotonic()
    if not args.replay and args.seconds == 0:
        proc = subprocess.CompletedProcess([], 0, "", "")  # --keep only
    else:
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
        name = f"fuzz {target}: {runs} runs in {secs:.0f} s{coverage(proc.stderr)}"
        if args.seconds == 0:
            name = f"fuzz {target}: no search"
    if args.keep and proc.returncode == 0:
        name += f", {keep(args, binary, work)} new inputs kept"
    return proc.returncode == 0, name, proc.stderr


def keep(args, binary, work):
    """Merges the working corpus into --corpus/<target>/; returns how many
    inputs it added."""
    dest = os.path.join(args.corpus, os.path.basename(binary))
    os.makedirs(dest, exist_ok=True)
    before = count_inputs([dest])
    with tempfile.TemporaryDirectory(prefix="kpio-fuzz-keep-") as small:
        for n in os.listdir(work):
            src = os.path.join(work, n)
            if os.path.isfile(src) and os.path.getsize(src) <= KEEP_MAX_BYTES:
                shutil.copy(src, small)
        subprocess.run([binary, "-merge=1", f"-max_len={KEEP_MAX_BYTES}", "-timeout=10",
                        dest, small], capture_output=True, check=True)
    return count_inputs([dest]) - before


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=60, help="search time per target")
    ap.add_argument("--replay", action="store_true",
                    help="kept corpora and --runs mutations from --seed only")
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", help="folder of the kept corpora found by campaigns")
    ap.add_argument("--keep", action="store_true",
                    help="merge what the search found into --corpus")
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("targets", nargs="*")
    args = ap.parse_args()
    if args.keep and (args.replay or not args.corpus):
        ap.error("--keep needs --corpus and an open-ended search (no --replay)")
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
