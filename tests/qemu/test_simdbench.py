#!/usr/bin/env python3
"""tests/qemu/test_simdbench.py - the SIMD kernels of bench/wasm inside
KPIO (suite qemu/simdbench).

Each program's -msimd128 build as a WASI command (NAME_simd_cmd.wasm,
bench/wasm/wasi_main.c) goes on a disk as /apps/NAME_simd.wasm; /etc/rc
runs each with a small N and powers off. Every line "run(N) = SUM" printed
in KPIO (the kernel's JIT on QEMU's CPU, the SSE2 baseline, or its
interpreter when the kernel says so) must carry the checksum of the
native build (gcc -O2) of the same program.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import DiskImage  # noqa: E402
from qemu import Qemu, QemuTimeout, build_dir, virtio_disk  # noqa: E402
from tap import Tap  # noqa: E402

# program, N: small, since QEMU emulates the CPU
PROGRAMS = [("idot", 1), ("fmatmul", 1), ("blur", 2), ("bytesearch", 1), ("matmul", 1)]


def main():
    t = Tap()
    build = build_dir()
    d = os.path.join(build, "bench", "wasm")
    missing = [p for name, _ in PROGRAMS
               for p in (os.path.join(d, name + "_simd_cmd.wasm"), os.path.join(d, name + ".native"))
               if not os.path.exists(p)]
    if missing:
        t.ok(False, "the benchmark programs are built", "missing (run make): " + " ".join(missing))
        return t.done()
    want = {}
    for name, n in PROGRAMS:
        out = subprocess.run([os.path.join(d, name + ".native"), str(n)], capture_output=True,
                             text=True, check=True, timeout=300).stdout.split()
        want[name] = f"run({n}) = {out[0]}"
    with tempfile.TemporaryDirectory(prefix="kpio-simdbench-") as tmp:
        img = DiskImage(os.path.join(tmp, "simd.img"), size_mib=64, cluster_sectors=1)
        for p in ("/apps", "/etc"):
            img.mkdir(p)
        for name, _ in PROGRAMS:
            img.put_file(f"/apps/{name}_simd.wasm", os.path.join(d, name + "_simd_cmd.wasm"))
        rc = "".join(f"{name}_simd {n}\n" for name, n in PROGRAMS) + "poweroff\n"
        img.put("/etc/rc", rc.encode())
        log = os.path.join(build, "test-logs", "qemu-simdbench.log")
        disks = [virtio_disk(img.path)]
        with Qemu(os.path.join(build, "kpio.iso"), disks=disks, log=log) as vm:
            try:
                vm.wait_exit(timeout=600)
            except QemuTimeout as e:
                t.ok(False, "rc: the SIMD programs ran and KPIO powered off", f"{e}\n{vm.tail()}")
                return t.done()
            out = vm.output()
    parts = re.split(r"^rc> (.*)$", out, flags=re.M)
    got = {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    for name, n in PROGRAMS:
        body = got.get(f"{name}_simd {n}", "")
        m = re.search(r"^run\(\d+\) = \d+", body, flags=re.M)
        t.ok(m is not None and m.group(0) == want[name],
             f"{name}_simd {n} in KPIO prints the native build's checksum",
             f"KPIO:\n{body.strip()}\nnative: {want[name]}")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
