#!/usr/bin/env python3
"""tests/qemu/test_limits.py - the kernel's per-app memory limit, and apps
run without network access.

Every app may grow its linear memory only up to the shell's `ulimit -v`
(by default a quarter of the machine's RAM, at least 64 MiB); memory.grow
beyond it returns -1 (tests/wasi/p1_grow.c grows one MiB at a time and says
where it was refused). While one app grows until refused, even with the
limit raised past what the kernel heap can give, `httpd` in the background
keeps serving the host through a port forward, the kernel stays up, and
after both exit the kernel heap is back at its use from before.

The shell grants apps the network by default (it is the machine's own
user); `nonet CMD` runs one without it: fetch then fails with wasi:http's
HTTP-request-denied, while the same fetch without nonet downloads.
"""
import os
import re
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from ready import free_port  # noqa: E402
from diskimg import DiskImage  # noqa: E402
import httpserve  # noqa: E402
from qemu import (SHELL_PROMPT, Qemu, QemuExited, QemuTimeout, build_dir, user_nic,  # noqa: E402
                  virtio_disk)
from tap import Tap  # noqa: E402

HEAP = r"kernel heap: (\d+) KiB in use"


def heap_kib(out):
    """The kernel heap in use that `free` printed (KiB), or None."""
    m = re.search(HEAP, out)
    return int(m.group(1)) if m else None


def settled_heap(run, base):
    """`free`'s output once the kernel heap is back within 256 KiB of base.

    httpd's last connection may still be closing when it is killed (its
    buffers go when the host's ACK and FIN arrive), so this polls `free`,
    a second apart, for up to two minutes."""
    for _ in range(120):
        out = run("free")
        now = heap_kib(out)
        if base is None or (now is not None and now <= base + 256):
            break
        run("sleep 1")
    return out


def main():
    t = Tap()
    build = build_dir()
    grow = os.path.join(build, "tests", "wasi", "p1_grow.wasm")
    if not os.path.exists(grow):
        t.skip("per-app memory limit", "build/tests/wasi/p1_grow.wasm not built (make)")
        return t.done()
    with tempfile.TemporaryDirectory(prefix="kpio-limits-") as tmp:
        img = DiskImage(os.path.join(tmp, "limits.img"), size_mib=64, cluster_sectors=1)
        for d in ("/apps", "/tests", "/data"):
            img.mkdir(d)
        for app in ("httpd", "fetch", "sleep"):
            img.put_file(f"/apps/{app}.wasm", os.path.join(build, "apps", f"{app}.wasm"))
        img.put_file("/tests/grow.wasm", grow)
        content = os.urandom(300 * 1024)
        img.put("/data/file.bin", content)
        httpd = httpserve.Server(directory=tmp).start()
        with open(os.path.join(tmp, "page.txt"), "wb") as f:
            f.write(b"from the host\n")
        url = f"http://10.0.2.2:{httpd.port}/page.txt"
        port = free_port()
        disks = [virtio_disk(img.path)]
        nics = [user_nic(f"tcp:127.0.0.1:{port}-:8080")]
        log = os.path.join(build, "test-logs", "qemu-limits.log")
        outs = {}
        with Qemu(os.path.join(build, "kpio.iso"), disks=disks, nics=nics, log=log) as vm:
            def run(cmd):
                return vm.command(cmd, timeout=180)
            try:
                vm.wait_for(SHELL_PROMPT, timeout=120)
                vm.wait_for(r"\[dhcp\] .*lease", timeout=120)
                outs["nonet"] = run(f"nonet fetch {url} /data/denied.txt; echo status $?")
                outs["net"] = run(f"fetch {url} /data/page.txt; echo status $?")
                outs["nonet-usage"] = run("nonet")
                outs["heap0"] = run("free")
                outs["default"] = run("ulimit -v")
                outs["grow-default"] = run("/tests/grow.wasm")
                outs["set"] = run("ulimit -v 16384")
                outs["grow-16"] = run("/tests/grow.wasm")
                outs["bad"] = run("ulimit -v lots")
                vm.send("httpd -p 8080 /data &\r")
                vm.wait_for(r"httpd: serving .* on port 8080", timeout=60)
                # Beyond what the heap of a 512 MiB machine can give.
                run("ulimit -v 1048576")
                start = len(vm.output())
                vm.send("/tests/grow.wasm\r")
                bodies = []
                for _ in range(3):
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/file.bin",
                                                timeout=120) as r:
                        bodies.append(r.read())
                vm.wait_for(SHELL_PROMPT, timeout=300, start=start)
                outs["grow-big"] = vm.output()[start:]
                outs["kill"] = run("kill %1; wait")
                outs["heap1"] = settled_heap(run, heap_kib(outs["heap0"]))
                vm.send("poweroff\r")
                vm.wait_exit(timeout=60)
            except (QemuTimeout, QemuExited, OSError) as e:
                t.ok(False, "a shell session with a growing app and httpd", f"{e}\n{vm.tail()}")
                return t.done()
            finally:
                httpd.close()
        got = img.get("/data/page.txt")
        denied = img.exists("/data/denied.txt")
    t.ok(re.search(r"(?i)denied", outs["nonet"]) and "status 1" in outs["nonet"] and not denied,
         "nonet fetch: the request is denied (HTTP-request-denied), status 1, no file",
         repr(outs["nonet"][-600:]))
    t.ok("status 0" in outs["net"] and got == b"from the host\n",
         "the same fetch without nonet downloads the file", repr(outs["net"][-600:]))
    t.ok("nonet: usage: nonet COMMAND" in outs["nonet-usage"], "nonet alone prints its usage",
         repr(outs["nonet-usage"]))
    shown = outs["default"].strip().splitlines()[1:2]
    kib = int(shown[0]) if shown and shown[0].isdigit() else 0
    t.ok(120 * 1024 <= kib <= 128 * 1024,
         f"ulimit -v: by default a quarter of the 512 MiB machine's RAM ({kib} KiB)",
         repr(outs["default"]))
    t.ok(re.search(r"grew to 12\d MiB, then memory.grow refused", outs["grow-default"]),
         "an app's memory.grow is refused at the default limit (128 MiB)",
         repr(outs["grow-default"]))
    t.ok(re.search(r"grew to 1[45] MiB, then memory.grow refused", outs["grow-16"]),
         "ulimit -v 16384: memory.grow is refused at 16 MiB", repr(outs["grow-16"]))
    t.ok("ulimit: lots: not a size in KiB" in outs["bad"], "ulimit refuses a size that is none",
         repr(outs["bad"]))
    big = re.search(r"grew to (\d+) MiB, then memory.grow refused", outs["grow-big"])
    t.diag(f"limit 1 GiB: memory.grow refused at {big.group(1) if big else '?'} MiB")
    t.ok(big,
         "with the limit past the kernel heap, memory.grow returns -1 (no panic)",
         repr(outs["grow-big"][-600:]))
    t.ok(all(b == content for b in bodies) and len(bodies) == 3,
         "httpd kept serving the host while the other app grew until refused")
    h0, h1 = heap_kib(outs["heap0"]), heap_kib(outs["heap1"])
    t.ok(h0 is not None and h1 is not None and h1 <= h0 + 256,
         f"after both apps ended the kernel heap is back at its use from before ({h0} -> {h1} KiB)",
         repr((outs["heap0"], outs["heap1"])))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
