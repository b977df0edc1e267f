#!/usr/bin/env python3
"""tests/qemu/test_netapps.py - the networking apps in KPIO (issue 8's
system tests), beyond the E2E's fetch:

1. On a TAP device in a namespace of the test's own with dnsmasq:
   `nslookup` resolves a name dnsmasq serves and reports an unknown one
   with the WIT error, as a name with no A record; `fetch` downloads by host name with a matching hash;
   `nc -k 1` holds a connection to a Linux peer that stays silent for 5 s:
   KPIO's keep-alive probes (wasi:sockets keep-alive options) are answered
   by Linux, so the connection lives, and `ifconfig` counts them.
2. Over QEMU's user network with a host port forward: `httpd` in the guest
   serves a file of the disk to the host, which compares it byte for byte,
   then to 20 clients at once while another stalls in the middle of its
   request head (answered 408 after its 10 s).
3. UDP over QEMU's user network: lib/wasi's p2_net test program sends a
   datagram through wasi:sockets/udp to an echo peer on the host.
"""
import glob
import hashlib
import os
import re
import socket
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from ready import free_port  # noqa: E402
from diskimg import DiskImage  # noqa: E402
import httpserve  # noqa: E402
from netns import GATEWAY, NAME, TestNet  # noqa: E402
from qemu import Qemu, QemuExited, QemuTimeout, build_dir, virtio_disk  # noqa: E402
from stalled import answer, stalled_client, still_connected  # noqa: E402
from tap import Tap  # noqa: E402


def image(path, build, rc=None, files=None):
    img = DiskImage(path, size_mib=64, cluster_sectors=1)
    for d in ("/apps", "/data", "/etc"):
        img.mkdir(d)
    for app in glob.glob(os.path.join(build, "apps", "*.wasm")):
        img.put_file("/apps/" + os.path.basename(app), app)
    for p, data in (files or {}).items():
        parent = os.path.dirname(p)
        if parent not in ("/", "/apps", "/data", "/etc") and not img.exists(parent):
            img.mkdir(parent)
        img.put(p, data)
    if rc:
        img.put("/etc/rc", ("\n".join(rc) + "\n").encode())
    return img


def disk_args(img):
    return [virtio_disk(img.path)]


V6ONLY = "v6only.kpio.test"  # dnsmasq has an AAAA record for it and no A record


def tap_part(t, tmp, build):
    if os.geteuid() != 0:
        t.skip("nslookup/fetch over TAP + dnsmasq", "needs root for a network namespace")
        return
    payload = os.urandom(2 * 1024 * 1024 + 5)
    ppath = os.path.join(tmp, "payload")
    with open(ppath, "wb") as f:
        f.write(payload)
    rc = [f"nslookup {NAME}", "nslookup nosuch.kpio.test", f"nslookup {V6ONLY}",
          f"ping -c 1 {V6ONLY}",
          f"fetch http://{NAME}:8080/payload /data/p.bin", f"nc -k 1 {GATEWAY} 9000", "ifconfig",
          "sync", "poweroff"]
    img = image(os.path.join(tmp, "tap.img"), build, rc)
    with TestNet(hosts={NAME: GATEWAY, V6ONLY: "fd00::1"}) as net:
        net.start(httpserve.command("--payload", ppath, "--host", GATEWAY, "--port", "8080"),
                  log="http.log")
        net.start([sys.executable, "-c", SILENT_PEER, GATEWAY, "9000", "5"], log="silent.log")
        net.wait_listening(tcp=[8080, 9000])
        log = os.path.join(build, "test-logs", "qemu-netapps-tap.log")
        with Qemu(os.path.join(build, "kpio.iso"), disks=disk_args(img), nics=[net.qemu_nic()],
                  log=log, wrapper=net.wrap) as vm:
            try:
                vm.wait_exit(timeout=180)
            except QemuTimeout as e:
                t.ok(False, "TAP: the rc script finished", f"{e}\n{vm.tail()}")
                return
            out = vm.output()
    t.ok(re.search(rf"Name:\s+{re.escape(NAME)}\s*\nAddress:\s+{re.escape(GATEWAY)}", out),
         f"nslookup {NAME} prints {GATEWAY} (through dnsmasq)", out[-1500:])
    t.ok(re.search(r"nslookup: nosuch\.kpio\.test: .*name-unresolvable", out) and
         "'nslookup nosuch.kpio.test' exited with status 1" in out,
         "nslookup of an unknown name fails with name-unresolvable and status 1", out[-1500:])
    t.ok(re.search(rf"nslookup: {re.escape(V6ONLY)}: .*name-unresolvable", out) and
         f"'nslookup {V6ONLY}' exited with status 1" in out,
         "nslookup of a name with only an AAAA record: name-unresolvable", out[-1500:])
    t.ok(f"ping: {V6ONLY}: the name has no IPv4 address" in out,
         "the shell's ping says so for a name with only an AAAA record", out[-1500:])
    m = re.search(r"keep-alive after 5 s of silence\n", out)
    probes = re.search(r"TCP \d+ retransmits, \d+ timeouts, (\d+) keep-alive probes, "
                       r"(\d+) keep-alive timeouts", out)
    t.ok(m is not None and probes is not None and int(probes.group(1)) >= 3 and
         probes.group(2) == "0",
         "nc -k 1: the connection outlives 5 s of silence with >= 3 keep-alive probes, "
         "all answered" + (f" ({probes.group(1)} probes)" if probes else ""), out[-1500:])
    got = img.get("/data/p.bin")
    t.ok(got is not None and hashlib.sha256(got).digest() == hashlib.sha256(payload).digest(),
         "fetch by host name over TAP wrote a byte-identical file")


# A TCP peer that accepts one connection, says nothing for N seconds,
# then sends one line and closes (argv: address port seconds).
SILENT_PEER = '''
import socket, sys, time
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], int(sys.argv[2])))
srv.listen(1)
c, _ = srv.accept()
time.sleep(float(sys.argv[3]))
c.sendall(b"keep-alive after %s s of silence\\n" % sys.argv[3].encode())
c.close()
'''


def http_get(port, path, results, i):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as r:
            results[i] = r.read()
    except OSError as e:
        results[i] = e


def concurrent_downloads(t, port, content, clients=20):
    """httpd in KPIO serves many connections at once: while a client that
    sent half a request head stalls, 20 clients download the file at once,
    all intact; the stalled one is then answered 408 (its 10 s are up)."""
    slow = stalled_client(port, b"GET /file.bin HTTP/1.1\r\nHo")
    try:
        results = [None] * clients
        threads = [threading.Thread(target=http_get, args=(port, "/file.bin", results, i))
                   for i in range(clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        stalled = still_connected(slow)
        good = sum(1 for r in results if r == content)
        t.ok(good == clients and stalled,
             f"httpd in KPIO: {clients} clients at once get the file intact while one stalls "
             "mid-head", f"{good} intact, others {[repr(r)[:80] for r in results if r != content][:3]}"
             f", the stalled one still connected: {stalled}")
        data = answer(slow)  # waits for httpd's deadline
        t.ok(data.startswith(b"HTTP/1.1 408 "), "httpd in KPIO: the stalled client gets 408",
             repr(data[:200]))
    finally:
        slow.close()


def httpd_part(t, tmp, build):
    content = os.urandom(700 * 1024)
    img = image(os.path.join(tmp, "httpd.img"), build, files={"/data/site/file.bin": content,
                                                               "/data/site/hello.txt": b"hi\n"})
    port = free_port()
    nics = [["-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:8080",
             "-device", "virtio-net-pci,netdev=n0"]]
    log = os.path.join(build, "test-logs", "qemu-netapps-httpd.log")
    with Qemu(os.path.join(build, "kpio.iso"), disks=disk_args(img), nics=nics, log=log) as vm:
        try:
            vm.wait_for(r"kpio:/\$ ", timeout=120)
            vm.send("httpd -p 8080 /data/site &\r")
            vm.wait_for(r"httpd: serving .* on port 8080", timeout=60)
            body = None
            for _ in range(20):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/file.bin", timeout=30) as r:
                        body = r.read()
                    break
                except OSError:
                    time.sleep(0.5)
            t.ok(body == content, "httpd in KPIO served /data/site/file.bin to the host intact",
                 f"got {len(body) if body else None} bytes")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/nothing.txt", timeout=30)
                t.ok(False, "httpd answers 404 for a missing file")
            except urllib.error.HTTPError as e:
                t.ok(e.code == 404, f"httpd answers 404 for a missing file (got {e.code})")
            concurrent_downloads(t, port, content)
            closed = free_port()
            start = len(vm.output())
            vm.send(f"nc 10.0.2.2 {closed}\r")
            m = vm.wait_for(r"nc: [^\r\n]*\r?\n", timeout=60, start=start)
            t.ok(f"nc: connection refused: 10.0.2.2:{closed}" in m.group(0),
                 "nc to a closed port: finish-connect reports connection-refused", m.group(0))
            vm.send("poweroff\r")
            vm.wait_exit(timeout=30)
        except (QemuTimeout, QemuExited) as e:
            t.ok(False, "httpd through hostfwd", f"{e}\n{vm.tail(30)}")


def udp_part(t, tmp, build):
    """A WASI 0.2 app in KPIO sends a datagram through wasi:sockets/udp to a
    UDP echo peer on the host (QEMU's user network) and prints the reply."""
    prog = os.path.join(build, "tests", "wasi", "p2_net.wasm")
    if not os.path.exists(prog):
        t.ok(False, "UDP through wasi:sockets in KPIO", f"{prog} is not built: run make first")
        return
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind(("127.0.0.1", 0))
    peer.settimeout(120)
    got = []

    def echo():
        try:
            data, addr = peer.recvfrom(2048)
            got.append(data)
            peer.sendto(b"U:" + data, addr)
        except OSError:
            pass

    th = threading.Thread(target=echo, daemon=True)
    th.start()
    port = peer.getsockname()[1]
    img = image(os.path.join(tmp, "udp.img"), build,
                rc=[f"p2_net udp-client 10.0.2.2 {port} hello-from-kpio", "poweroff"])
    img.put_file("/apps/p2_net.wasm", prog)
    log = os.path.join(build, "test-logs", "qemu-netapps-udp.log")
    nics = [["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0"]]
    with Qemu(os.path.join(build, "kpio.iso"), disks=disk_args(img), nics=nics, log=log) as vm:
        try:
            vm.wait_exit(timeout=180)
        except QemuTimeout as e:
            t.ok(False, "UDP: the rc script finished", f"{e}\n{vm.tail()}")
            return
        finally:
            peer.close()
        out = vm.output()
    th.join(10)
    t.ok(got == [b"hello-from-kpio"], "UDP: the host's peer got the app's datagram", repr(got))
    t.ok("sent: 1\nreply: U:hello-from-kpio\n" in out.replace("\r", ""),
         "UDP: the app in KPIO got the echo through wasi:sockets/udp", out[-1500:])


def main():
    t = Tap()
    build = build_dir()
    if not glob.glob(os.path.join(build, "apps", "httpd.wasm")):
        t.ok(False, "the apps are built", "run make first")
        return t.done()
    with tempfile.TemporaryDirectory(prefix="kpio-netapps-") as tmp:
        tap_part(t, tmp, build)
        httpd_part(t, tmp, build)
        udp_part(t, tmp, build)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
