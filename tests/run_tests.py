#!/usr/bin/env python3
"""tests/run_tests.py - runs KPIO's test suites and totals their results.

Each suite is a command that prints TAP lines ("ok N - name",
"not ok N - name", "ok N - name # SKIP reason"); cmocka does so with
CMOCKA_MESSAGE_OUTPUT=TAP, the python suites through tests/lib/tap.py.
A suite that exits non-zero without reporting a failure counts as one
failed test, and so does one that reports nothing at all, or times out.

Output goes to the terminal and to BUILD/test-logs/<suite>.log. The last
line is "N passed, N failed"; the exit status is non-zero if anything failed.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time

TAP_LINE = re.compile(r"^\s*(not ok|ok)\b\s*(\d+)?\s*-?\s*(.*)$")


def run_suite(name, cmd, build, timeout, show=False):
    log_path = os.path.join(build, "test-logs", name.replace("/", "_") + ".log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP", KPIO_BUILD=build)
    passed = failed = skipped = 0
    failures = []
    start = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=env,
                                start_new_session=True, text=True,
                                errors="replace")
        timed_out = False
        try:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                m = TAP_LINE.match(line)
                if m:
                    desc = m.group(3)
                    if re.search(r"#\s*skip", desc, re.I):
                        skipped += 1
                    elif m.group(1) == "ok":
                        passed += 1
                    else:
                        failed += 1
                        failures.append(desc)
                if show or (m and (m.group(1) == "not ok" or "# SKIP" in line.upper())) \
                        or os.environ.get("VERBOSE"):
                    sys.stdout.write("    " + line)
                if time.monotonic() - start > timeout:
                    timed_out = True
                    break
            if timed_out:
                raise subprocess.TimeoutExpired(cmd, timeout)
            proc.wait(timeout=max(1, timeout - (time.monotonic() - start)))
        except (subprocess.TimeoutExpired, KeyboardInterrupt) as exc:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            if isinstance(exc, KeyboardInterrupt):
                raise
            log.write(f"\n*** suite timed out after {timeout} s\n")
            failed += 1
            failures.append(f"timed out after {timeout} s")
        rc = proc.returncode
    if rc != 0 and failed == 0:
        failed += 1
        failures.append(f"exited with status {rc} without reporting a failure")
    if passed + failed + skipped == 0:
        failed += 1
        failures.append("reported no results")
    elapsed = time.monotonic() - start
    return passed, failed, skipped, failures, elapsed, log_path


def tail(path, lines=40):
    with open(path, errors="replace") as f:
        return "".join(f.readlines()[-lines:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--only", help="run only suites whose name contains this")
    ap.add_argument("--show", action="append", default=[],
                    help="echo every line of this suite (its per-case figures)")
    ap.add_argument("suites", nargs="*", help="name=command")
    args = ap.parse_args()

    total_p = total_f = total_s = 0
    failed_suites = []
    for spec in args.suites:
        name, _, cmd = spec.partition("=")
        if args.only and args.only not in name:
            continue
        print(f"== {name}", flush=True)
        p, f, s, failures, secs, log = run_suite(name, cmd, args.build, args.timeout,
                                                 show=name in args.show)
        total_p, total_f, total_s = total_p + p, total_f + f, total_s + s
        verdict = "PASS" if f == 0 else "FAIL"
        print(f"   {verdict} {name}: {p} passed, {f} failed, {s} skipped ({secs:.1f} s)",
              flush=True)
        if f:
            failed_suites.append(name)
            for fl in failures[:20]:
                print(f"      failed: {fl}")
            print(f"   --- last lines of {log} ---")
            print(tail(log), end="", flush=True)
            print("   ---")
    if failed_suites:
        print("failed suites: " + ", ".join(failed_suites))
    if total_s:
        print(f"{total_s} skipped (see the SKIP lines above for why)")
    print(f"{total_p} passed, {total_f} failed", flush=True)
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
