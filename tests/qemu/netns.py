"""tests/qemu/netns.py - a network namespace of the test's own with a TAP
device for QEMU, dnsmasq for DHCP and DNS, and a command prefix to run
programs (QEMU, servers) inside it. Everything is removed in close(),
processes ended by PID.

    with TestNet() as net:
        net.start(["python3", ...])             # runs inside the namespace
        net.wait_listening(tcp=[8080])          # until it listens
        Qemu(..., wrapper=net.wrap, nics=[net.qemu_nic()])
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from ready import wait_listening  # noqa: E402

GATEWAY = "10.88.0.1"
NAME = "files.kpio.test"


class TestNet:
    def __init__(self, hosts=None):
        self.ns = f"kpio-q-{os.getpid()}"
        self.tap = "kqtap0"
        self.tmp = tempfile.mkdtemp(prefix="kpio-netns-")
        self.procs = []
        self.hosts = hosts or {NAME: GATEWAY}
        self.made = False

    @property
    def wrap(self):
        return ["ip", "netns", "exec", self.ns]

    def sh(self, *cmd):
        subprocess.run(list(cmd), check=True, capture_output=True)

    def __enter__(self):
        try:
            self.sh("ip", "netns", "add", self.ns)
            self.made = True
            w = self.wrap
            self.sh(*w, "ip", "link", "set", "lo", "up")
            self.sh(*w, "ip", "tuntap", "add", "dev", self.tap, "mode", "tap")
            self.sh(*w, "ip", "addr", "add", f"{GATEWAY}/24", "dev", self.tap)
            self.sh(*w, "ip", "link", "set", self.tap, "up")
            args = ["dnsmasq", "--keep-in-foreground", "--no-daemon", "--conf-file=/dev/null",
                    "--no-resolv", "--no-hosts", "--bind-interfaces", f"--interface={self.tap}",
                    "--except-interface=lo", "--dhcp-range=10.88.0.50,10.88.0.99,255.255.255.0,1h",
                    f"--dhcp-option=option:router,{GATEWAY}", f"--dhcp-option=option:dns-server,{GATEWAY}",
                    f"--dhcp-leasefile={self.tmp}/leases", f"--pid-file={self.tmp}/pid",
                    "--local=/kpio.test/", "--domain=kpio.test", "--no-ping", "--log-facility=-"]
            for name, addr in self.hosts.items():
                args.append(f"--host-record={name},{addr}")
            self.start(args, log="dnsmasq.log")
            self.wait_listening(udp=[53, 67])
            return self
        except Exception:
            self.close()
            raise

    def start(self, cmd, log=None, stdout=None):
        out = open(os.path.join(self.tmp, log), "w") if log else (stdout or subprocess.DEVNULL)
        p = subprocess.Popen(self.wrap + list(cmd), stdout=out, stderr=subprocess.STDOUT,
                             text=True)
        self.procs.append(p)
        return p

    def wait_listening(self, tcp=(), udp=(), timeout=30):
        """Returns once the namespace has listeners on these ports; raises
        RuntimeError if a process started here exits first or it takes longer
        than timeout seconds."""
        if not wait_listening(self.wrap, tcp, udp, self.procs, timeout):
            raise RuntimeError(f"no listener on tcp {list(tcp)} udp {list(udp)} in {self.ns}; "
                               f"logs in {self.tmp}")

    def qemu_nic(self, device="virtio-net-pci"):
        return ["-netdev", f"tap,id=n0,ifname={self.tap},script=no,downscript=no",
                "-device", f"{device},netdev=n0"]

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []
        if self.made:
            subprocess.run(["ip", "netns", "delete", self.ns], capture_output=True)
            self.made = False

    def __exit__(self, *exc):
        self.close()
        return False
