#!/usr/bin/env python3
"""bench/jitdisk/bench_jitdisk.py - how much the JIT's cache on disk saves
at an app's start, for `make bench`:

  kpio_fetch_start_{nocache,cache}   KPIO: fetch's "app loaded" to "app
                                     compiled" (kernel/lib/phases.h, printed
                                     by trace=phases at power-off): with
                                     jitcache=off, and from /.jit written by
                                     an earlier boot of the same image (ms)
  kpio_wasm_start_{nocache,cache}    kpio-wasm --time's "start:" (loaded to
                                     ready to run) for the largest program
                                     in build/ (the JS component), without
                                     --jit-cache and from a filled one (ms)

fetch runs without arguments (it prints its usage): the phases measured
are before main. Each figure is the median of RUNS runs, min and max in a
comment.
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "qemu"))
from diskimg import DiskImage  # noqa: E402
from qemu import Qemu, build_dir  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def emit(name, values, unit):
    if not values:
        print(f"# {name}: no successful run")
        return
    print(f"BENCH {name} {statistics.median(values):.2f} {unit}")
    print(f"#   {name}: min {min(values):.2f} max {max(values):.2f} over {len(values)} runs")


def kpio_start(build, img, cmdline):
    """fetch's load-to-compiled time in one boot (ms), or None."""
    with Qemu(os.path.join(build, "kpio.iso"), cmdline=cmdline, disks=[img],
              log=os.path.join(build, "bench-jitdisk.log")) as vm:
        vm.wait_exit(timeout=120)
        out = vm.output()
    m = re.search(r"PHASES .*app_loaded=(\d+\.\d+) app_compiled=(\d+\.\d+)", out)
    if not m or float(m.group(1)) == 0:
        return None
    return (float(m.group(2)) - float(m.group(1))) * 1000


def bench_kpio(build, tmp):
    from qemu import virtio_disk
    img = DiskImage(os.path.join(tmp, "jit.img"), size_mib=64, cluster_sectors=1)
    img.mkdir("/apps")
    img.mkdir("/etc")
    img.put_file("/apps/fetch.wasm", os.path.join(build, "apps", "fetch.wasm"))
    img.put("/etc/rc", b"fetch\npoweroff\n")
    disk = virtio_disk(img.path)
    off = [kpio_start(build, disk, "trace=phases jitcache=off") for _ in range(RUNS)]
    kpio_start(build, disk, "trace=phases")  # writes /.jit
    on = [kpio_start(build, disk, "trace=phases") for _ in range(RUNS)]
    emit("kpio_fetch_start_nocache", [v for v in off if v is not None], "ms")
    emit("kpio_fetch_start_cache", [v for v in on if v is not None], "ms")


def host_start(kw, prog, cache):
    args = [kw, "--time"] + (["--jit-cache", cache] if cache else []) + [prog, "-e", "1"]
    p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    m = re.search(r"^start: (\d+\.\d+) s", p.stderr, re.M)
    return float(m.group(1)) * 1000 if m else None


def bench_host(build, tmp):
    kw = os.path.join(build, "rel", "bin", "kpio-wasm")
    prog = os.path.join(build, "host", "tests", "component", "js.component.wasm")
    if not os.path.exists(prog):
        print("# kpio_wasm_start: no JS component built")
        return
    cache = os.path.join(tmp, "jit-cache")
    off = [host_start(kw, prog, None) for _ in range(RUNS)]
    host_start(kw, prog, cache)  # fills the cache
    on = [host_start(kw, prog, cache) for _ in range(RUNS)]
    emit("kpio_wasm_start_nocache", [v for v in off if v is not None], "ms")
    emit("kpio_wasm_start_cache", [v for v in on if v is not None], "ms")


def main():
    build = build_dir()
    with tempfile.TemporaryDirectory() as tmp:
        bench_kpio(build, tmp)
        bench_host(build, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
