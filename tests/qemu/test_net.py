#!/usr/bin/env python3
"""tests/qemu/test_net.py - the network path in QEMU: DHCP lease, ping of
the gateway and a 16 MiB TCP download checked by hash, over QEMU's
user-mode network with both virtio transports, and over a TAP device in a
namespace of the test's own with dnsmasq, where the server is found by name.
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import httpserve  # noqa: E402
from httpserve import start_server  # noqa: E402
from netns import GATEWAY, NAME, TestNet  # noqa: E402
from qemu import Qemu, QemuExited, QemuTimeout, build_dir, debug_exit_status  # noqa: E402
from tap import Tap  # noqa: E402

PAYLOAD_MIB = 16


def boot(t, name, cmdline, nics, wrapper=()):
    build = build_dir()
    log = os.path.join(build, "test-logs", f"qemu-net-{name}.log")
    with Qemu(os.path.join(build, "kpio.iso"), cmdline=cmdline, nics=nics, log=log,
              wrapper=wrapper) as vm:
        try:
            vm.wait_for(r"\[test\] done: \d+ passed, \d+ failed", timeout=180)
            code = vm.wait_exit(timeout=30)
        except (QemuTimeout, QemuExited) as e:
            t.ok(False, f"{name}: network self-tests ran", f"{e}\n{vm.tail()}")
            return
        out = vm.output()
        for m in re.finditer(r"^\[test\] (PASS|FAIL) (\S+)(.*)$", out, re.M):
            t.ok(m.group(1) == "PASS", f"{name}: {m.group(2)}", m.group(3).strip())
        t.ok(debug_exit_status(code) == 0, f"{name}: exit status 0 (QEMU code {code})", vm.tail())
        lease = vm.time_of(r"\[dhcp\] lease")
        speed = re.search(r"downloaded (\d+) bytes in (\d+) ms", out)
        if lease is not None:
            t.diag(f"{name}: QEMU start to DHCP lease {lease:.2f} s")
        if speed:
            t.diag(f"{name}: download {int(speed.group(1)) / 1048576 / max(int(speed.group(2)), 1) * 1000:.1f} MiB/s")


def main():
    t = Tap()
    with tempfile.TemporaryDirectory(prefix="kpio-net-") as tmp:
        payload = os.path.join(tmp, "payload")
        data = os.urandom(PAYLOAD_MIB << 20)
        with open(payload, "wb") as f:
            f.write(data)
        sha = hashlib.sha256(data).hexdigest()
        srv, port = start_server(payload)
        try:
            for transport, flag in (("legacy", ",disable-modern=on"), ("modern", ",disable-legacy=on")):
                cmd = (f"test=net download=10.0.2.2:{port}/payload expect_sha={sha} "
                       f"expect_len={len(data)}")
                boot(t, f"user-{transport}", cmd,
                     [["-netdev", "user,id=n0", "-device", f"virtio-net-pci,netdev=n0{flag}"]])
        finally:
            srv.shutdown()
        if os.geteuid() != 0:
            t.skip("tap-dnsmasq: network self-tests", "needs root for a network namespace")
            return t.done()
        try:
            with TestNet() as net:
                server = net.start(httpserve.command("--payload", payload, "--host", GATEWAY,
                                                      "--port", "8080"),
                                   log="http.log")
                cmd = (f"test=net download={NAME}:8080/payload expect_sha={sha} "
                       f"expect_len={len(data)} resolve={NAME}={GATEWAY}")
                del server
                boot(t, "tap-dnsmasq", cmd, [net.qemu_nic()], wrapper=net.wrap)
        except subprocess.CalledProcessError as e:
            t.ok(False, "tap-dnsmasq: namespace set-up", f"{e}\n{e.stderr}")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
