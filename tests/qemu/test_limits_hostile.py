#!/usr/bin/env python3
"""tests/qemu/test_limits_hostile.py - hostile WASI 0.2 apps inside KPIO.

The hostile modes of tests/wasi/p2_traps.c and p2_http.c (the same modules
run_hostile.py runs under kpio-wasm) run from the KPIO shell with
`ulimit -v 32768`: writes far beyond check-write on stdout and on an
outgoing HTTP body, a body held unsent, fields.clone in a loop, floods of
fields and pollables, and an app keeping a chunked body that never ends
(tests/lib/httpserve.py's /endless on the host). The app's linear memory and
its WASI resources charge one budget, so the floods are refused at the
shell's limit ("memory limit of 33554432 bytes"), not at lib/wasi's own
64 MiB. Each ends with a trap message (status 134) or the app's error
(status 1); `free -r` before and `free` after give the kernel heap's peak
during it, which must stay within the limit plus a margin. Meanwhile
`httpd` in the background keeps serving the host, the shell still runs
`echo ok`, and after httpd is killed the heap is back at its baseline once
its last connection has finished closing (polled with `free`, a second apart,
for up to two minutes: that waits on the host's last ACK and FIN).
"""
import os
import re
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import httpserve  # noqa: E402
from diskimg import DiskImage  # noqa: E402
from qemu import (SHELL_PROMPT, Qemu, QemuExited, QemuTimeout, build_dir, user_nic,  # noqa: E402
                  virtio_disk)
from tap import Tap  # noqa: E402
from ready import free_port  # noqa: E402
from test_limits import heap_kib, settled_heap  # noqa: E402

HEAP = r"kernel heap: (\d+) KiB in use in \d+ blocks, peak (\d+) KiB"
LIMIT_KIB = 32768
MARGIN_KIB = 4096  # the app's module, code and stacks, outside its budget
LIMIT_MSG = f"memory limit of {LIMIT_KIB << 10} bytes"

# (name, command, status, what the shell shows)
CASES = [
    ("stdout write-zeroes 2^62", "/tests/traps.wasm write-zeroes-huge", 134,
     "check-write permitted"),
    ("stdout write of 4 MiB", "/tests/traps.wasm write-beyond", 134, "check-write permitted"),
    ("body write-zeroes 2^62", "/tests/http.wasm body-zeroes {url}/echo", 134,
     "check-write permitted"),
    ("body write of 4 MiB", "/tests/http.wasm body-write {url}/echo", 134,
     "check-write permitted"),
    ("body held unsent", "/tests/http.wasm body-fill {url}/echo", 1, "the host refused a write"),
    ("fields.clone loop", "/tests/traps.wasm clone-loop", 134, LIMIT_MSG),
    ("fields flood", "/tests/traps.wasm resource-flood", 134, LIMIT_MSG),
    ("pollable flood", "/tests/traps.wasm pollable-flood", 134, LIMIT_MSG),
    ("endless body kept", "/tests/http.wasm keep {url}/endless", 1, "malloc failed"),
]


def heap(out):
    m = re.search(HEAP, out)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def main():
    t = Tap()
    build = build_dir()
    wasm = {n: os.path.join(build, "tests", "wasi", f"p2_{n}.wasm") for n in ("traps", "http")}
    if not all(os.path.exists(p) for p in wasm.values()):
        t.skip("hostile apps in KPIO", "build/tests/wasi/p2_*.wasm not built (make)")
        return t.done()
    with tempfile.TemporaryDirectory(prefix="kpio-hostile-") as tmp:
        return session(t, build, wasm, DiskImage(os.path.join(tmp, "hostile.img"), size_mib=64,
                                                 cluster_sectors=1))


def session(t, build, wasm, img):
    for d in ("/apps", "/tests", "/data"):
        img.mkdir(d)
    for app in ("httpd", "sleep"):
        img.put_file(f"/apps/{app}.wasm", os.path.join(build, "apps", f"{app}.wasm"))
    for n, p in wasm.items():
        img.put_file(f"/tests/{n}.wasm", p)
    page = os.urandom(100 * 1024)
    img.put("/data/page.bin", page)
    srv = httpserve.Server().start()
    url = f"http://10.0.2.2:{srv.port}"
    port = free_port()
    disks = [virtio_disk(img.path)]
    nics = [user_nic(f"tcp:127.0.0.1:{port}-:8080")]
    log = os.path.join(build, "test-logs", "qemu-limits-hostile.log")
    outs, served = {}, []
    with Qemu(os.path.join(build, "kpio.iso"), disks=disks, nics=nics, log=log) as vm:
        def run(cmd):
            return vm.command(cmd, timeout=300)
        try:
            vm.wait_for(SHELL_PROMPT, timeout=120)
            vm.wait_for(r"\[dhcp\] .*lease", timeout=120)
            outs["heap0"] = run("free")
            run(f"ulimit -v {LIMIT_KIB}")
            vm.send("httpd -p 8080 /data &\r")
            vm.wait_for(r"httpd: serving .* on port 8080", timeout=60)
            for name, cmd, _, _ in CASES:
                outs["before " + name] = run("free -r")
                outs[name] = run(cmd.format(url=url) + "; echo status $?")
                outs["after " + name] = run("free")
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/page.bin",
                                            timeout=120) as r:
                    served.append(r.read())
            outs["echo"] = run("echo ok")
            outs["kill"] = run("kill %1; wait")
            outs["heap1"] = settled_heap(run, heap_kib(outs["heap0"]))
            vm.send("poweroff\r")
            vm.wait_exit(timeout=60)
        except (QemuTimeout, QemuExited, OSError) as e:
            t.ok(False, "a shell session running the hostile apps", f"{e}\n{vm.tail()}")
            return t.done()
        finally:
            srv.close()
    for name, _, status, says in CASES:
        out = outs[name]
        base, _ = heap(outs["before " + name])
        _, peak = heap(outs["after " + name])
        took = peak - base if base is not None and peak is not None else None
        t.diag(f"{name}: kernel heap peak {took} KiB above the {base} KiB before it "
               f"(limit {LIMIT_KIB} KiB)")
        t.ok(f"status {status}" in out and says in out and "panic" not in out.lower()
             and took is not None and took <= LIMIT_KIB + MARGIN_KIB,
             f"KPIO {name}: refused cleanly (status {status}), the heap within the limit",
             repr(out[-800:]))
    t.ok(len(served) == len(CASES) and all(b == page for b in served),
         "httpd kept serving the host after every hostile app")
    # httpd's log line may interleave with the command echoed back
    t.ok("ok" in [ln.strip() for ln in outs["echo"].splitlines()[1:]],
         "the shell still runs a command afterwards",
         repr(outs["echo"]))
    h0, _ = heap(outs["heap0"])
    h1, _ = heap(outs["heap1"])
    t.ok(h0 is not None and h1 is not None and h1 <= h0 + 256,
         f"the kernel heap is back at its baseline ({h0} -> {h1} KiB)",
         repr((outs["heap0"], outs["heap1"])))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
