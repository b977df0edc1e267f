#!/usr/bin/env python3
"""tests/run_tests.py - runs KPIO's test suites and totals their results.

Each suite is a command that prints TAP lines ("ok N - name",
"not ok N - name", "ok N - name # SKIP reason"); cmocka does so with
CMOCKA_MESSAGE_OUTPUT=TAP, the python suites through tests/lib/tap.py.
A suite that exits non-zero without reporting a failure counts as one
failed test, and so does one that reports nothing at all, or times out.

Up to --jobs suites run at once (each in its own process group), started
in the order given; a suite named by --serial runs alone, nothing else
beside it. The terminal shows each suite's block ("== name", its shown
lines, the PASS/FAIL line, a failure's last log lines) in the order given,
once it and every earlier suite have ended; the earliest unfinished suite's
lines appear as they come. Every line also goes to
BUILD/test-logs/<suite>.log. The last line is "N passed, N failed"; the
exit status is non-zero if anything failed.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

TAP_LINE = re.compile(r"^\s*(not ok|ok)\b\s*(\d+)?\s*-?\s*(.*)$")


class Suite:
    """One suite's command, its state while it runs and what it found.
    Its fields change under Runner.cond; the worker thread writes them,
    the printing loop reads them."""

    def __init__(self, name, cmd, build, show):
        self.name, self.cmd, self.show = name, cmd, show
        self.log_path = os.path.join(build, "test-logs", name.replace("/", "_") + ".log")
        self.proc = None
        self.shown = []  # lines for the terminal, in order
        self.done = False
        self.passed = self.failed = self.skipped = 0
        self.failures = []
        self.elapsed = 0.0

    def count(self, line):
        """Counts a TAP line; True when the terminal should show it."""
        m = TAP_LINE.match(line)
        if not m:
            return False
        desc = m.group(3)
        if re.search(r"#\s*skip", desc, re.I):
            self.skipped += 1
            return True
        if m.group(1) == "ok":
            self.passed += 1
            return False
        self.failed += 1
        self.failures.append(desc)
        return True

    def kill(self):
        """Ends the suite's whole process group: SIGTERM, then SIGKILL
        after 10 s. Only this suite's own group is signalled."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, None)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                pass


class Runner:
    def __init__(self, build, timeout, jobs, serial):
        self.build, self.timeout, self.jobs, self.serial = build, timeout, jobs, serial
        self.cond = threading.Condition()
        self.running = []
        self.stopping = False  # after Ctrl-C or SIGTERM: start no more processes

    # --- one suite, in a worker thread ------------------------------------
    def run_suite(self, s):
        os.makedirs(os.path.dirname(s.log_path), exist_ok=True)
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP", KPIO_BUILD=self.build)
        start = time.monotonic()
        timed_out = threading.Event()

        def on_deadline():  # a suite silent past its deadline is ended too
            timed_out.set()
            s.kill()

        with open(s.log_path, "w") as log:
            with self.cond:
                if self.stopping:
                    return
                try:
                    s.proc = subprocess.Popen(s.cmd, shell=True, stdout=subprocess.PIPE,
                                              stderr=subprocess.STDOUT, env=env,
                                              start_new_session=True, text=True,
                                              errors="replace")
                except OSError as e:  # counted as a failure, never waited for
                    log.write(f"*** could not start: {e}\n")
                    s.failed += 1
                    s.failures.append(f"could not start: {e}")
                    self.finish(s, 1, False, 0.0)
                    self.cond.notify_all()
                    return
            timer = threading.Timer(self.timeout, on_deadline)
            timer.daemon = True
            timer.start()
            for line in s.proc.stdout:
                log.write(line)
                log.flush()
                with self.cond:
                    if s.count(line) or s.show or os.environ.get("VERBOSE"):
                        s.shown.append("    " + line)
                        self.cond.notify_all()
            s.proc.wait()
            timer.cancel()
            if timed_out.is_set():
                log.write(f"\n*** suite timed out after {self.timeout} s\n")
        with self.cond:
            self.finish(s, s.proc.returncode, timed_out.is_set(), time.monotonic() - start)
            self.cond.notify_all()

    def finish(self, s, rc, timed_out, elapsed):
        if timed_out:
            s.failed += 1
            s.failures.append(f"timed out after {self.timeout} s")
        elif rc != 0 and s.failed == 0:
            s.failed += 1
            s.failures.append(f"exited with status {rc} without reporting a failure")
        if s.passed + s.failed + s.skipped == 0:
            s.failed += 1
            s.failures.append("reported no results")
        s.elapsed = elapsed
        s.done = True
        self.running.remove(s)

    # --- scheduling (under self.cond) -------------------------------------
    def may_start(self, s):
        if any(r.name in self.serial for r in self.running):
            return False
        if s.name in self.serial:
            return not self.running
        return len(self.running) < self.jobs

    def start(self, s):
        self.running.append(s)
        threading.Thread(target=self.run_suite, args=(s,), daemon=True).start()

    def kill_running(self):
        with self.cond:
            self.stopping = True
            running = list(self.running)
        for s in running:
            s.kill()

    # --- the terminal, in the order given ---------------------------------
    def run(self, suites):
        """Runs every suite; prints their blocks in order. Returns them."""
        todo = list(suites)
        for head in suites:
            print(f"== {head.name}", flush=True)
            printed = 0
            while True:
                with self.cond:
                    while todo and self.may_start(todo[0]):
                        self.start(todo.pop(0))
                    lines, done = head.shown[printed:], head.done
                    if not lines and not done:
                        self.cond.wait()
                        continue
                printed += len(lines)
                sys.stdout.write("".join(lines))
                sys.stdout.flush()
                if done and printed == len(head.shown):
                    break
            print_verdict(head)
        return suites


def tail(path, lines=40):
    with open(path, errors="replace") as f:
        return "".join(f.readlines()[-lines:])


def print_verdict(s):
    verdict = "PASS" if s.failed == 0 else "FAIL"
    print(f"   {verdict} {s.name}: {s.passed} passed, {s.failed} failed, {s.skipped} skipped "
          f"({s.elapsed:.1f} s)", flush=True)
    if s.failed:
        for fl in s.failures[:20]:
            print(f"      failed: {fl}")
        print(f"   --- last lines of {s.log_path} ---")
        print(tail(s.log_path), end="", flush=True)
        print("   ---")


def default_jobs():
    """TEST_JOBS from the environment, else the CPUs (at most 4)."""
    if os.environ.get("TEST_JOBS"):
        return max(1, int(os.environ["TEST_JOBS"]))
    return max(1, min(4, os.cpu_count() or 1))


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per suite")
    ap.add_argument("-j", "--jobs", type=int, default=default_jobs(),
                    help="suites run at once (default: TEST_JOBS, else the CPUs, at most 4)")
    ap.add_argument("--serial", action="append", default=[],
                    help="this suite runs alone, with no other suite beside it")
    ap.add_argument("--only", help="run only suites whose name contains this")
    ap.add_argument("--show", action="append", default=[],
                    help="echo every line of this suite (its per-case figures)")
    ap.add_argument("suites", nargs="*", help="name=command")
    args = ap.parse_args()

    suites = []
    for spec in args.suites:
        name, _, cmd = spec.partition("=")
        if not args.only or args.only in name:
            suites.append(Suite(name, cmd, args.build, name in args.show))
    runner = Runner(args.build, args.timeout, max(1, args.jobs), set(args.serial))
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        runner.run(suites)
    except KeyboardInterrupt:
        runner.kill_running()
        print("\ninterrupted: the running suites were ended", flush=True)
        return 130

    failed_suites = [s.name for s in suites if s.failed]
    total_p = sum(s.passed for s in suites)
    total_f = sum(s.failed for s in suites)
    total_s = sum(s.skipped for s in suites)
    if failed_suites:
        print("failed suites: " + ", ".join(failed_suites))
    if total_s:
        print(f"{total_s} skipped (see the SKIP lines above for why)")
    print(f"{total_p} passed, {total_f} failed", flush=True)
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
