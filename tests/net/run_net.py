#!/usr/bin/env python3
"""tests/net/run_net.py - lib/net against Linux's TCP/IP stack over TAP.

Creates a network namespace of its own (a unique name per run) holding a
TAP device whose Linux side is 10.77.0.1/24, and in it:
  - dnsmasq (foreground, our own flags and files only) for DHCP and DNS,
    with server.kpio.test, a CNAME chain www -> alias -> server, and the
    kpio.test domain local so that unknown names get NXDOMAIN;
  - python's http.server serving generated files;
  - tests/net/peer.py for raw sockets (sinks, sources, ICMP ping).
lib/net runs in tests/net/tap_host attached to the TAP device. Everything
started here is ended by PID and the namespace is deleted in `finally`,
on failure and on Ctrl-C too.

The 64 MiB and fault-injection transfers use the gcc -O2 build of tap_host
(under ASan they take several times longer); the functional checks and a
smaller transfer each way use the ASan/UBSan build. Transfer times are
printed as TAP comments.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import nginx  # noqa: E402
from ready import wait_listening  # noqa: E402
from tap import Tap  # noqa: E402

LINUX_IP = "10.77.0.1"
DEAD_IP = "10.77.0.3"
TAP_DEV = "ktap0"
MIB = 1024 * 1024
FAULTS = "loss=5,dup=2,reorder=5,seed=%d"
class Net:
    def __init__(self, build, tap):
        self.build = build
        self.t = tap
        self.ns = "kpio-net-%d" % os.getpid()
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix="kpio-net-")
        self.ns_made = False

    # --- plumbing -------------------------------------------------------
    def sh(self, *cmd, check=True):
        return subprocess.run(list(cmd), check=check, capture_output=True, text=True)

    def nsexec(self, *cmd):
        return ["ip", "netns", "exec", self.ns] + list(cmd)

    def spawn(self, cmd, **kw):
        p = subprocess.Popen(cmd, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def stop(self, p):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def cleanup(self):
        for p in reversed(self.procs):
            self.stop(p)
        if self.ns_made:
            self.sh("ip", "netns", "del", self.ns, check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def setup(self):
        self.sh("ip", "netns", "add", self.ns)
        self.ns_made = True
        for cmd in (["ip", "link", "set", "lo", "up"],
                    ["ip", "tuntap", "add", "dev", TAP_DEV, "mode", "tap"],
                    ["ip", "addr", "add", LINUX_IP + "/24", "dev", TAP_DEV],
                    ["ip", "link", "set", TAP_DEV, "up"],
                    # /proc/sys/net is the namespace's own; written directly,
                    # as sysctl(8) (procps) may not be installed
                    ["sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/%s/disable_ipv6" % TAP_DEV]):
            self.sh(*self.nsexec(*cmd))
        d = self.tmp
        self.dnsmasq = self.spawn(self.nsexec(
            "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
            "--no-hosts", "--bind-interfaces", "--interface=" + TAP_DEV,
            "--except-interface=lo", "--listen-address=" + LINUX_IP,
            "--dhcp-range=10.77.0.50,10.77.0.99,255.255.255.0,12h",
            "--dhcp-option=option:router," + LINUX_IP,
            "--dhcp-option=option:dns-server," + LINUX_IP,
            "--dhcp-authoritative", "--no-ping", "--local-ttl=300",
            "--host-record=server.kpio.test," + LINUX_IP,
            "--cname=www.kpio.test,alias.kpio.test",
            "--cname=alias.kpio.test,server.kpio.test",
            "--local=/kpio.test/", "--user=root",
            "--pid-file=" + os.path.join(d, "dnsmasq.pid"),
            "--dhcp-leasefile=" + os.path.join(d, "leases"),
            "--log-facility=" + os.path.join(d, "dnsmasq.log")),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        www = os.path.join(d, "www")
        os.makedirs(www)
        self.files = {}
        for name, size in (("blob64", 64 * MIB), ("blob16", 16 * MIB), ("blob1", 1 * MIB)):
            data = os.urandom(size)
            with open(os.path.join(www, name), "wb") as f:
                f.write(data)
            self.files[name] = (size, hashlib.sha256(data).hexdigest())
        self.nginx = None
        if shutil.which("nginx"):
            conf = nginx.write_conf(d, LINUX_IP + ":8081", www, single_process=True,
                                    access_log=f"access_log {d}/access.log")
            self.nginx = self.spawn(self.nsexec(*nginx.command("nginx", d, conf)),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.http = self.spawn(self.nsexec(
            sys.executable, "-m", "http.server", "8080", "--bind", LINUX_IP, "--directory", www),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tcp = [8080] + ([8081] if self.nginx else [])
        if not wait_listening(self.nsexec(), tcp=tcp, udp=[53, 67], procs=self.procs):
            raise RuntimeError("dnsmasq, http.server or nginx did not start (tcp %s, udp 53 67)"
                               % tcp)

    # --- running lib/net ----------------------------------------------------
    def host_bin(self, rel):
        return os.path.join(self.build, "rel" if rel else "host", "tests", "net", "tap_host")

    def tap_host_cmd(self, args, rel=False, relay=None, outage=None, static=None, slow=None):
        cmd = [self.host_bin(rel), "--tap", TAP_DEV]
        if slow:
            cmd += ["--slow-read", str(slow)]
        if relay:
            cmd += ["--relay", relay]
        if outage:
            cmd += ["--outage", outage]
        if static:
            cmd += ["--static", static]
        return self.nsexec(*(cmd + args))

    def run_host(self, args, timeout=300, **kw):
        """Runs tap_host to the end; returns (rc, {command: [fields...]}, stderr)."""
        p = self.spawn(self.tap_host_cmd(args, **kw), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop(p)
            out, err = p.communicate()
            err += "\n*** timed out after %d s" % timeout
        return p.returncode, parse_results(out), err, out

    def start_host(self, args, **kw):
        return self.spawn(self.tap_host_cmd(args, **kw), stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def peer(self, *args):
        return self.nsexec(sys.executable, os.path.join(HERE, "peer.py"), *args)


def parse_results(out):
    res = {}
    for line in out.splitlines():
        if not line.startswith("RESULT "):
            continue
        parts = line.split()
        fields = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
        res.setdefault(parts[1], []).append(fields)
    return res


def first(res, key):
    return (res.get(key) or [{}])[0]


def wait_line(p, prefix, timeout=60):
    """Reads p's stdout until a RESULT line starting with prefix."""
    end = time.monotonic() + timeout
    lines = []
    while time.monotonic() < end:
        line = p.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("RESULT " + prefix):
            return line, lines
    return None, lines


def check_transfer(t, name, c_side, py_side, size, extra=""):
    ok = (c_side.get("sha256") == py_side.get("sha256") and
          int(c_side.get("bytes", -1)) == size == int(py_side.get("bytes", -2)))
    t.ok(ok, name, diag="lib/net: %r\nlinux: %r" % (c_side, py_side))
    if ok:
        t.diag("%s: %d MiB in %s s (%s MiB/s)%s" % (name, size // MIB, c_side.get("secs"),
                                                      c_side.get("mibps"), extra))


# --- the tests ----------------------------------------------------------------

def test_dhcp_dns_ping(n, t):
    rc, res, err, out = n.run_host(["dhcp", "resolve", "server.kpio.test", "resolve",
                                    "www.kpio.test", "resolve", "nosuch.kpio.test",
                                    "resolve", "SERVER.kpio.test.", "ping", LINUX_IP, "3"],
                                   timeout=120)
    d = first(res, "dhcp")
    t.ok(d.get("ok") == "1" and d.get("addr", "").startswith("10.77.0.") and
         d.get("prefix") == "24" and d.get("gw") == LINUX_IP and d.get("dns") == LINUX_IP and
         d.get("lease") == "43200", "DHCP lease from dnsmasq", diag=out + err)
    t.diag("time to lease: %s ms" % d.get("ms"))
    m = re.search(r"\[dhcp\] lease (10\.77\.0\.\d+)/24 gw 10\.77\.0\.1 dns 10\.77\.0\.1 "
                  r"for 43200 s$", err, re.M)
    t.ok(m is not None and m.group(1) == d.get("addr"), "lease logged in the agreed form",
         diag=err)
    lease_file = os.path.join(n.tmp, "leases")
    leases = open(lease_file).read() if os.path.exists(lease_file) else ""
    t.ok(d.get("addr", "?") in leases and "02:00:00:77:00:01" in leases,
         "dnsmasq's lease file shows our MAC and address", diag=leases)
    rs = res.get("resolve", [])
    by = {r.get("name"): r for r in rs}
    t.ok(by.get("server.kpio.test", {}).get("addr") == LINUX_IP, "DNS A record",
         diag=repr(rs))
    t.ok(by.get("www.kpio.test", {}).get("addr") == LINUX_IP, "DNS CNAME chain", diag=repr(rs))
    t.ok(by.get("nosuch.kpio.test", {}).get("err") == "ERR_NXDOMAIN", "DNS NXDOMAIN",
         diag=repr(rs))
    t.ok(by.get("SERVER.kpio.test.", {}).get("addr") == LINUX_IP,
         "DNS name case and trailing dot (answered from the cache)", diag=repr(rs))
    p = first(res, "ping")
    t.ok(p.get("received") == "3", "lib/net pings Linux", diag=out)
    t.ok(rc == 0, "tap_host (ASan) exits cleanly", diag=err[-3000:])
    return d.get("addr")


def test_dns_timeout(n, t):
    rc, res, err, out = n.run_host(["resolve", "server.kpio.test"], timeout=120,
                                   static="10.77.0.40/24,%s,%s" % (LINUX_IP, DEAD_IP))
    r = first(res, "resolve")
    t.ok(r.get("err") == "ERR_TIMEDOUT", "DNS with a dead server: ERR_TIMEDOUT",
         diag=out + err)


def test_linux_pings(n, t):
    p = n.start_host(["dhcp", "serve", "60"])
    try:
        line, lines = wait_line(p, "serving")
        addr = first(parse_results("".join(lines)), "dhcp").get("addr")
        if not line or not addr:
            t.ok(False, "Linux pings lib/net", diag="".join(lines))
            return
        r = subprocess.run(n.peer("ping", addr, "5"), capture_output=True, text=True,
                           timeout=60)
        j = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}
        t.ok(j.get("received") == 5, "Linux pings lib/net", diag=r.stdout + r.stderr)
        if j.get("rtt_ms"):
            t.diag("ping rtt ms: %s" % j["rtt_ms"])
    finally:
        p.stdin.close()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            n.stop(p)


def http_get(n, t, name, fname, rel=True, relay=None, outage=None, timeout=300, port=8080,
             slow=None):
    size, digest = n.files[fname]
    rc, res, err, out = n.run_host(["dhcp", "get", LINUX_IP, str(port), "/" + fname],
                                   rel=rel, relay=relay, outage=outage, timeout=timeout,
                                   slow=slow)
    g = first(res, "get")
    extra = ""
    relay_stats = first(res, "relay")
    if relay:
        extra = " relay %s" % " ".join("%s=%s" % kv for kv in relay_stats.items())
    check_transfer(t, name, g, {"sha256": digest, "bytes": size}, size, extra)
    if g.get("ok") != "1":
        t.diag(out[-2000:] + err[-2000:])
    return res


def upload(n, t, name, size, rel=True, relay=None, outage=None, timeout=300):
    sink = n.spawn(n.peer("sink", LINUX_IP, "9001"), stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, text=True)
    sink.stdout.readline()  # {"ready": true}
    rc, res, err, out = n.run_host(["dhcp", "send", LINUX_IP, "9001", str(size)], rel=rel,
                                   relay=relay, outage=outage, timeout=timeout)
    try:
        py_out, _ = sink.communicate(timeout=30)
        py = json.loads(py_out.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        n.stop(sink)
        py = {}
    s = first(res, "send")
    extra = ""
    if relay:
        extra = " relay %s" % " ".join("%s=%s" % kv for kv in first(res, "relay").items())
    check_transfer(t, name, s, py, size, extra)
    if s.get("ok") != "1":
        t.diag(out[-2000:] + err[-2000:])
    return res


def listener(n, t, name, mode, size, rel=True):
    args = ["dhcp", "listen", "9000", mode] + ([str(size)] if mode == "source" else [])
    p = n.start_host(args, rel=rel)
    line, lines = wait_line(p, "listening")
    addr = first(parse_results("".join(lines)), "dhcp").get("addr")
    if not line or not addr:
        n.stop(p)
        t.ok(False, name, diag="".join(lines) + p.stderr.read())
        return
    peer_mode = ["connect-send", addr, "9000", str(size)] if mode == "sink" else \
        ["connect-recv", addr, "9000"]
    r = subprocess.run(n.peer(*peer_mode), capture_output=True, text=True, timeout=300)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        n.stop(p)
        out, err = p.communicate()
    res = parse_results("".join(lines) + out)
    c = first(res, mode)
    try:
        py = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        py = {}
    check_transfer(t, name, c, py, size)
    if c.get("ok") != "1":
        t.diag(out[-2000:] + err[-2000:] + r.stderr[-1000:])


def test_keepalive(n, t):
    """Keep-alive against Linux: idle 1 s, interval 1 s, 3 probes. Linux
    answers the probes for 4 s; then, ours off, Linux probes us for 4 s (its
    keep-alive: idle 2 s, 1 probe: unanswered, it resets the connection 1 s
    later; it probes in the first phase too, as our probes, being outside
    its window, do not count as activity for it); then
    the relay drops every frame and the connection must fail with
    ERR_TIMEDOUT about idle + 3 intervals later."""
    echo = n.spawn(n.peer("echo", LINUX_IP, "9002", "2", "1", "1"), stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, text=True)
    try:
        echo.stdout.readline()  # {"ready": true}
        rc, res, err, out = n.run_host(["dhcp", "keepalive", LINUX_IP, "9002", "1000", "1000",
                                        "3", "4000"], timeout=60)
    finally:
        n.stop(echo)
    idle = first(res, "ka_idle")
    t.ok(int(idle.get("probes", 0)) >= 3 and idle.get("timeouts") == "0" and
         idle.get("state") == "ESTABLISHED" and idle.get("echo") == "1",
         "keep-alive: Linux answers the probes, the idle connection stays up and usable",
         diag=out + err[-2000:])
    peer = first(res, "ka_peer")
    t.ok(int(peer.get("rx_frames", 0)) >= 1 and peer.get("state") == "ESTABLISHED" and
         peer.get("echo") == "1",
         "keep-alive: lib/net answers Linux's probes (SEQ = RCV.NXT-1), the connection survives",
         diag=out + err[-2000:])
    dead = first(res, "ka_dead")
    ms = int(dead.get("ms", 0))
    t.ok(dead.get("err") == "ERR_TIMEDOUT" and 3500 <= ms <= 6000 and
         dead.get("timeouts") == "1",
         "keep-alive: an unreachable peer fails with ERR_TIMEDOUT after idle + 3 intervals",
         diag=out + err[-2000:])
    probes = res.get("ka_probe", [])
    t.diag("keep-alive probes at ms %s; frames from Linux while it probed us: %s; "
           "failure after %s ms" % (" ".join(p.get("t_ms", "?") for p in probes),
                                    peer.get("rx_frames"), dead.get("ms")))
    t.ok(rc == 0, "tap_host (ASan) keep-alive run exits cleanly", diag=err[-3000:])


def test_udp_ttl(n, t):
    rx = n.spawn(n.peer("udp-ttl", LINUX_IP, "9003"), stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE, text=True)
    try:
        rx.stdout.readline()  # {"ready": true}
        rc, res, err, out = n.run_host(["dhcp", "udp", LINUX_IP, "9003", "17"], timeout=60)
        try:
            py_out, _ = rx.communicate(timeout=10)
            py = json.loads(py_out.strip().splitlines()[-1])
        except (subprocess.TimeoutExpired, ValueError, IndexError):
            py = {}
    finally:
        n.stop(rx)
    t.ok(py.get("ttl") == 17 and py.get("data") == "kpio ttl check",
         "Linux receives a datagram with the TTL the socket set (IP_RECVTTL)",
         diag=repr(py) + out + err[-1000:])


def test_outage(n, t):
    res = http_get(n, t, "download survives a 10 s outage", "blob64", outage="50,10000",
                   timeout=300)
    g = first(res, "get")
    if g.get("ok") == "1":
        t.ok(float(g.get("secs", 0)) >= 10 and int(first(res, "relay").get("outage", 0)) > 0,
             "the download outage really happened (frames dropped, time >= 10 s)",
             diag=repr(res))
    res = upload(n, t, "upload survives a 10 s outage", 64 * MIB, outage="50,10000")
    s = first(res, "send")
    if s.get("ok") == "1":
        t.ok(float(s.get("secs", 0)) >= 10 and int(first(res, "relay").get("outage", 0)) > 0,
             "the upload outage really happened (frames dropped, time >= 10 s)",
             diag=repr(res))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--groups", default="basic,bulk,faults,outage",
                    help="comma-separated subset of basic,bulk,faults,outage "
                         "(keepalive: only the keep-alive and TTL checks)")
    args = ap.parse_args()
    t = Tap()
    why = None
    if os.geteuid() != 0:
        why = "needs root for network namespaces and TAP devices"
    elif not os.path.exists("/dev/net/tun"):
        why = "no /dev/net/tun"
    elif not shutil.which("ip") or not shutil.which("dnsmasq"):
        why = "needs iproute2 and dnsmasq (scripts/setup.sh installs them)"
    else:
        for rel in (False, True):
            b = os.path.join(args.build, "rel" if rel else "host", "tests", "net", "tap_host")
            if not os.path.exists(b):
                why = "%s is not built" % b
    if why:
        t.skip("lib/net over TAP", why)
        return t.done()
    n = Net(args.build, t)
    probe = subprocess.run(["ip", "netns", "add", n.ns], capture_output=True, text=True)
    if probe.returncode != 0:
        t.skip("lib/net over TAP", "cannot create a network namespace here: " +
               probe.stderr.strip())
        n.cleanup()
        return t.done()
    subprocess.run(["ip", "netns", "del", n.ns], capture_output=True)
    try:
        try:
            n.setup()
        except Exception as e:  # nothing else can run without the set-up
            t.ok(False, "namespace, TAP device, dnsmasq and http.server up", repr(e))
            return t.done()
        t.ok(True, "namespace, TAP device, dnsmasq and http.server up")
        groups = args.groups.split(",")
        if "basic" in groups:
            test_dhcp_dns_ping(n, t)
            test_dns_timeout(n, t)
            test_linux_pings(n, t)
            http_get(n, t, "download 1 MiB (ASan build)", "blob1", rel=False)
            listener(n, t, "Linux sends 1 MiB to a lib/net listener (ASan build)", "sink", MIB,
                     rel=False)
        if "basic" in groups or "keepalive" in groups:
            test_keepalive(n, t)
            test_udp_ttl(n, t)
        if "bulk" in groups:
            http_get(n, t, "download 64 MiB over HTTP from http.server", "blob64")
            if n.nginx and n.nginx.poll() is None:
                http_get(n, t, "download 64 MiB over HTTP from nginx", "blob64", port=8081)
            else:
                t.skip("download 64 MiB over HTTP from nginx", "nginx is not installed")
            http_get(n, t, "download 16 MiB into a slow reader (window closes and reopens)",
                     "blob16", slow=2)
            upload(n, t, "upload 64 MiB to a Linux socket", 64 * MIB)
            listener(n, t, "Linux connects to a lib/net listener and sends 64 MiB", "sink",
                     64 * MIB)
            listener(n, t, "Linux connects to a lib/net listener and receives 64 MiB",
                     "source", 64 * MIB)
        if "faults" in groups:
            http_get(n, t, "download 16 MiB with 5% loss, 2% duplication, 5% reordering",
                     "blob16", relay=FAULTS % 11)
            upload(n, t, "upload 16 MiB with 5% loss, 2% duplication, 5% reordering",
                   16 * MIB, relay=FAULTS % 12)
            http_get(n, t, "download 16 MiB with 1% corruption and 2 ms delay too", "blob16",
                     relay=FAULTS % 13 + ",corrupt=1,delay=2")
        if "outage" in groups:
            test_outage(n, t)
    except Exception as e:  # report and clean up
        t.ok(False, "harness error: %s" % e)
    finally:
        n.cleanup()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
