#!/usr/bin/env python3
"""bench/component/bench_component.py - what running a program as a WASI 0.2
component costs over running it as a core module on kpio-wasm (the release
build): the wall time of `kpio-wasm FILE one` for tests/component/args.wat
as a core module and as the component make_components.py made of it, so
load + validation + instantiation + a run that prints one line (the
component's part: comp_load, comp_command_check, three core instances
instead of one, lowered calls through lib/wasi's binding). The median of
RUNS runs is printed as the BENCH line, min / max on stderr.

    bench_component.py BUILD COMPONENTS_DIR
"""
import os
import statistics
import subprocess
import sys
import time

RUNS = 31


def wall_ms(cmd):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, timeout=60)
        times.append((time.perf_counter() - start) * 1000)
        if p.returncode != 0 or p.stdout != b"one\n":
            raise SystemExit(f"{cmd}: status {p.returncode}, stdout {p.stdout!r}, {p.stderr!r}")
    return times


def main():
    build, comps = sys.argv[1], sys.argv[2]
    kw = os.path.join(build, "rel", "bin", "kpio-wasm")
    comp = os.path.join(comps, "args.component.wasm")
    if not os.path.exists(comp):
        print(f"# component bench skipped: no {comp} (see make_components.py, JCO_DIR)",
              file=sys.stderr)
        return 0
    for name, path in (("core", os.path.join(comps, "args.wasm")), ("component", comp)):
        t = wall_ms([kw, path, "one"])
        print(f"BENCH kpio_wasm_args_{name}_ms {statistics.median(t):.2f} ms")
        print(f"  {name}: min {min(t):.2f} ms, max {max(t):.2f} ms over {RUNS} runs",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
