#!/usr/bin/env python3
"""bench/component/bench_component.py - what running a program as a WASI 0.2
component costs over running it as a core module on kpio-wasm (the release
build), from the components make_components.py made (jco new with the
preview1 adapter):

- tests/component/args.wat as a core module and as a component: the wall
  time of `kpio-wasm FILE one` (process start, load + validation +
  instantiation, a run that prints one line), and the load and start
  (instantiation) times kpio-wasm measures itself (`--time`), which leave
  out the process start. The component's part: comp_load,
  comp_command_check, three core instances instead of one, the adapter's
  start.
- the run time (`--time`'s "time:", after instantiation) of benchmark apps
  as core module and as component on both engines: simdmix (computation:
  the canonical ABI is not on its path) and sha256sum of a 16 MiB file
  (every read goes through the preview1 adapter and wasi:filesystem).
  The comparison is of CPU time (user + system of the process, which the
  run dominates): on a shared machine with more runnable threads than
  cores the wall time is mostly waiting (it is printed too). The core and
  component runs alternate, so the machine's load drifts over both alike.
  Goals (issue 17): instantiation under 10 ms, run time within 5%.

The median of RUNS runs is printed as the BENCH line, min / max on stderr.

    bench_component.py BUILD COMPONENTS_DIR
"""
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 31
APP_RUNS = 5
SIMDMIX_ROUNDS = {"interp": "2000000", "jit": "20000000"}
SHA_BYTES = 16 << 20


def run(cmd, want=None):
    p = subprocess.run(cmd, capture_output=True, timeout=600)
    if p.returncode != 0 or (want is not None and p.stdout != want):
        raise SystemExit(f"{cmd}: status {p.returncode}, stdout {p.stdout[:200]!r}, "
                         f"{p.stderr[-400:]!r}")
    return p


def phase(stderr, name):
    m = re.search(rf"^{name}: ([0-9.]+) s$", stderr.decode(), re.M)
    if not m:
        raise SystemExit(f"no '{name}:' line in {stderr[-400:]!r}")
    return float(m.group(1)) * 1000


def report(name, times, unit="ms", runs=RUNS):
    med = statistics.median(times)
    print(f"BENCH {name} {med:.2f} {unit}")
    print(f"  {name}: min {min(times):.2f} {unit}, max {max(times):.2f} {unit} over {runs} runs",
          file=sys.stderr)
    return med


def bench_args(kw, comps):
    for name, path in (("core", os.path.join(comps, "args.wasm")),
                       ("component", os.path.join(comps, "args.component.wasm"))):
        wall, load, start = [], [], []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            p = run([kw, "--time", path, "one"], b"one\n")
            wall.append((time.perf_counter() - t0) * 1000)
            load.append(phase(p.stderr, "load"))
            start.append(phase(p.stderr, "start"))
        report(f"kpio_wasm_args_{name}_ms", wall)
        report(f"kpio_wasm_args_{name}_load_ms", load)
        report(f"kpio_wasm_args_{name}_instantiate_ms", start)
        report(f"kpio_wasm_args_{name}_load_instantiate_ms",
               [a + b for a, b in zip(load, start)])


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def bench_app(kw, engine, app, core, comp, args, dirs=()):
    """Run times of app as core module and as component: the ratio. The
    runs alternate (core, component, then component, core, ...) so that a
    change of the machine's load during the bench weighs on both alike (on
    a shared machine, five core runs then five component runs measured
    the load's drift: 1.077 x one day, 1.004 x the next)."""
    paths = {"core": core, "component": comp}
    wall = {k: [] for k in paths}
    cpu = {k: [] for k in paths}
    outs = {}
    for i in range(APP_RUNS):
        for kind in ("core", "component") if i % 2 == 0 else ("component", "core"):
            before = cpu_seconds()
            p = run([kw, "--engine", engine, "--time"] + list(dirs) + [paths[kind]] + args)
            cpu[kind].append((cpu_seconds() - before) * 1000)
            if outs.setdefault(kind, p.stdout) != p.stdout:
                raise SystemExit(f"{app}: output differs between runs")
            wall[kind].append(phase(p.stderr, "time"))
    med = {}
    for kind in paths:
        report(f"kpio_wasm_{app}_{engine}_{kind}_run_wall_ms", wall[kind], runs=APP_RUNS)
        med[kind] = report(f"kpio_wasm_{app}_{engine}_{kind}_cpu_ms", cpu[kind], runs=APP_RUNS)
    if outs["core"] != outs["component"]:
        raise SystemExit(f"{app}: the component prints {outs['component'][:80]!r}, the core "
                         f"module {outs['core'][:80]!r}")
    ratio = med["component"] / med["core"]
    print(f"BENCH kpio_wasm_{app}_{engine}_component_vs_core_cpu {ratio:.3f} x")


def main():
    build, comps = sys.argv[1], sys.argv[2]
    kw = os.path.join(build, "rel", "bin", "kpio-wasm")
    apps = os.path.join(build, "apps")
    if not os.path.exists(os.path.join(comps, "args.component.wasm")):
        print(f"# component bench skipped: no components in {comps} (see make_components.py, "
              "JCO_DIR)", file=sys.stderr)
        return 0
    bench_args(kw, comps)
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "data"), "wb") as f:
            f.write(bytes((i * 131 + (i >> 8)) & 0xff for i in range(1 << 16)) * (SHA_BYTES >> 16))
        for engine in ("interp", "jit"):
            bench_app(kw, engine, "simdmix", os.path.join(apps, "simdmix.wasm"),
                      os.path.join(comps, "simdmix.component.wasm"), [SIMDMIX_ROUNDS[engine]])
            bench_app(kw, engine, "sha256sum", os.path.join(apps, "sha256sum.wasm"),
                      os.path.join(comps, "sha256sum.component.wasm"), ["/d/data"],
                      ["--dir", tmp + "::/d"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
