#!/usr/bin/env python3
"""tests/qemu/test_p2http.py - wasi:http's outgoing requests progress
together inside KPIO.

tests/wasi/p2_http.c's `together` mode (the module run_wasi_tests.py runs
under kpio-wasm) runs from the KPIO shell against tests/lib/httpserve.py on
the host (10.0.2.2 through QEMU's user-mode network): three GETs started at
once and polled, the held ones released by the server only after the
guest told it (/done) that it received the one before. Only exchanges
that progress together complete, in the order c, b, a; a blocking one
waits in the first request until the server gives up (504).
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import httpserve  # noqa: E402
from diskimg import DiskImage  # noqa: E402
from qemu import SHELL_PROMPT, Qemu, QemuExited, QemuTimeout, build_dir, user_nic  # noqa: E402
from qemu import virtio_disk  # noqa: E402
from tap import Tap  # noqa: E402

WANT = ["started 3", "first future ready at once: no", "response 2: status 200, 2 bytes",
        "response 1: status 200, 2 bytes", "response 0: status 200, 2 bytes", "status 0"]


def main():
    t = Tap()
    build = build_dir()
    wasm = os.path.join(build, "tests", "wasi", "p2_http.wasm")
    if not os.path.exists(wasm):
        t.skip("wasi:http requests together in KPIO", f"{wasm} not built (make)")
        return t.done()
    with tempfile.TemporaryDirectory(prefix="kpio-p2http-") as tmp:
        img = DiskImage(os.path.join(tmp, "p2http.img"), size_mib=64, cluster_sectors=1)
        img.mkdir("/tests")
        img.put_file("/tests/http.wasm", wasm)
        srv = httpserve.Server().start()
        base = f"http://10.0.2.2:{srv.port}"
        urls = " ".join([f"{base}/hold/qa?after=qb", f"{base}/hold/qb?after=qc",
                         f"{base}/hold/qc"])
        log = os.path.join(build, "test-logs", "qemu-p2http.log")
        try:
            with Qemu(os.path.join(build, "kpio.iso"), disks=[virtio_disk(img.path)],
                      nics=[user_nic()], log=log) as vm:
                vm.wait_for(SHELL_PROMPT, timeout=120)
                vm.wait_for(r"\[dhcp\] .*lease", timeout=120)
                out = vm.command(f"/tests/http.wasm together {urls}; echo status $?", timeout=120)
                vm.send("poweroff\r")
                vm.wait_exit(timeout=60)
        except (QemuTimeout, QemuExited, OSError) as e:
            t.ok(False, "a KPIO session running p2_http together", str(e))
            return t.done()
        finally:
            srv.close()
    lines = [ln.strip() for ln in out.splitlines()]
    got = [ln for ln in lines if any(ln.startswith(w.split(":")[0]) for w in WANT)]
    t.ok(got == WANT, "KPIO: three requests polled together complete as the server releases them",
         repr(out[-1500:]))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
