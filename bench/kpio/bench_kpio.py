#!/usr/bin/env python3
"""bench/kpio/bench_kpio.py - KPIO's own figures in QEMU for `make bench`:

  kpio_vfs_seq_write_{512B,4K}   64 MiB through the VFS + fsync (MiB/s)
  kpio_vfs_seq_read_{512B,4K}    the same file read back from the disk
  kpio_tcp_download_{user,tap}   a 64 MiB HTTP body into memory (MiB/s)
  kpio_lease_{user,tap}          QEMU start to the DHCP lease (s, host clock)
  kpio_tls_handshake_{ec,rsa}    a full TLS 1.3 handshake (X25519, ECDSA P-256 or
                                 RSA-2048 certificate, verified), TCP connect included (ms)
  kpio_{http,https}_download     16 MiB with the kernel's HTTP client, body counted (MiB/s)
  kpio_{http,https}_download_nginx  the same from nginx (TLS: the same ECDSA chain),
                                 where python's ssl server limits https (MiB/s)
  kpio_aead_{chachapoly,aesgcm}  1 MiB sealed by ChaCha20-Poly1305 / AES-128-GCM alone,
                                 the record cipher's share of https (MiB/s)

Each is run RUNS times; the median is printed as the BENCH line and min /
max as a comment. A run whose in-kernel work fails prints no figure.
"""
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "qemu"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "lib"))
from diskimg import DiskImage  # noqa: E402
import httpserve  # noqa: E402
from httpserve import start_server  # noqa: E402
from netns import GATEWAY, TestNet  # noqa: E402
from qemu import Qemu, build_dir  # noqa: E402
from test_https import BUNDLE, start_tls_server  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "apps"))
from servers import NGINX_CONF, wait_listening  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
MIB = 1 << 20


def boot(cmdline, disks=(), nics=(), wrapper=()):
    build = build_dir()
    with Qemu(os.path.join(build, "kpio.iso"), cmdline=cmdline, disks=disks, nics=nics,
              wrapper=wrapper, log=os.path.join(build, "bench-kpio.log")) as vm:
        vm.wait_for(r"\[test\] done: \d+ passed, \d+ failed", timeout=300)
        vm.wait_exit(timeout=60)
        out = vm.output()
        if "[test] FAIL" in out:
            raise RuntimeError(vm.tail())
        figures = {m.group(1): int(m.group(2))
                   for m in re.finditer(r"^\[bench\] (\S+) (\d+) ", out, re.M)}
        lease = vm.time_of(r"\[dhcp\] lease")
        return figures, lease


def emit(name, values, unit):
    if not values:
        print(f"# {name}: no successful run")
        return
    print(f"BENCH {name} {statistics.median(values):.2f} {unit}")
    print(f"#   {name}: min {min(values):.2f} max {max(values):.2f} over {len(values)} runs")


def bench_storage(tmp):
    for label, csec, size in (("512B", 1, 256), ("4K", 8, 640)):
        writes, reads = [], []
        for _ in range(RUNS):
            img = DiskImage(os.path.join(tmp, f"bench-{label}.img"), size_mib=size,
                            cluster_sectors=csec)
            try:
                fig, _ = boot("test=bench-storage",
                              disks=[["-drive", f"file={img.path},if=none,format=raw,id=d0",
                                      "-device", "virtio-blk-pci,drive=d0"]])
            except Exception as e:  # a failed run gives no figure
                print(f"# storage {label}: run failed: {str(e)[-300:]}")
                continue
            writes.append(fig["vfs_seq_write"] / 1024)
            reads.append(fig["vfs_seq_read"] / 1024)
        emit(f"kpio_vfs_seq_write_{label}", writes, "MiB/s")
        emit(f"kpio_vfs_seq_read_{label}", reads, "MiB/s")


def bench_net(tmp):
    payload = os.path.join(tmp, "payload")
    with open(payload, "wb") as f:
        f.write(os.urandom(64 * MIB))
    srv, port = start_server(payload)
    speeds, leases = [], []
    try:
        for _ in range(RUNS):
            try:
                fig, lease = boot(f"test=bench-net download=10.0.2.2:{port}/payload",
                                  nics=[["-netdev", "user,id=n0",
                                         "-device", "virtio-net-pci,netdev=n0"]])
            except Exception as e:
                print(f"# net user: run failed: {str(e)[-300:]}")
                continue
            speeds.append(fig["tcp_download"] / 1024)
            leases.append(lease)
    finally:
        srv.shutdown()
    emit("kpio_tcp_download_user", speeds, "MiB/s")
    emit("kpio_lease_user", leases, "s")
    if os.geteuid() != 0:
        print("# TAP figures skipped: a network namespace needs root")
        return
    speeds, leases = [], []
    with TestNet() as net:
        net.start(httpserve.command("--payload", payload, "--host", GATEWAY, "--port", "8080"),
                  log="http.log")
        for _ in range(RUNS):
            try:
                fig, lease = boot(f"test=bench-net download={GATEWAY}:8080/payload",
                                  nics=[net.qemu_nic()], wrapper=net.wrap)
            except Exception as e:
                print(f"# net tap: run failed: {str(e)[-300:]}")
                continue
            speeds.append(fig["tcp_download"] / 1024)
            leases.append(lease)
    emit("kpio_tcp_download_tap", speeds, "MiB/s")
    emit("kpio_lease_tap", leases, "s")


# Added to tests/apps' nginx configuration (its plain server serves root www).
NGINX_TLS_SERVER = """    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {certs}/leaf-ec-chain.pem;
        ssl_certificate_key {certs}/leaf-ec.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root {www};
    }}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(tmp, payload, certs):
    """nginx serving payload as /payload plain and over TLS (the client's
    cipher order decides, nginx's default); returns (process, http port,
    https port), or None when nginx is missing or does not start."""
    if not shutil.which("nginx"):
        return None
    www = os.path.join(tmp, "nginx-www")
    os.makedirs(www, exist_ok=True)
    shutil.copy(payload, os.path.join(www, "payload"))
    for path in (tmp, www):  # workers run as nobody when we are root
        os.chmod(path, 0o755)
    os.chmod(os.path.join(www, "payload"), 0o644)
    ports = free_port(), free_port()
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        plain = NGINX_CONF.format(tmp=tmp, port=ports[0], www=www).rstrip()
        f.write(plain[:-1] + NGINX_TLS_SERVER.format(port=ports[1], certs=certs, www=www) + "}\n")
    proc = subprocess.Popen(["nginx", "-p", tmp, "-c", conf, "-e", os.path.join(tmp, "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not all(wait_listening(p, proc) for p in ports):
        stop(proc)
        return None
    return proc, ports[0], ports[1]


def stop(proc):
    if proc.poll() is None:
        proc.terminate()  # our own nginx, by PID
        proc.wait(10)


def bench_tls(tmp):
    certs = os.path.join(tmp, "certs")
    subprocess.run([sys.executable, os.path.join(HERE, "..", "..", "tests", "tls",
                                                 "make_certs.py"), certs], check=True)
    payload = os.path.join(tmp, "payload16")
    with open(payload, "wb") as f:
        f.write(os.urandom(16 * MIB))
    img = DiskImage(os.path.join(tmp, "bench-tls.img"), size_mib=64)
    for d in ("/etc", "/etc/ssl", "/etc/ssl/certs"):
        img.mkdir(d)
    img.put_file(BUNDLE, os.path.join(certs, "root.pem"))
    http, http_port = start_server(payload)
    ec, ec_port = start_tls_server(payload, certs, "leaf-ec-chain.pem", "leaf-ec.key")
    rsa, rsa_port = start_tls_server(payload, certs, "leaf-rsa-chain.pem", "leaf-rsa.key")
    nginx = start_nginx(tmp, payload, certs)
    if nginx is None:
        print("# nginx figures skipped: nginx is missing or did not start")
    nginx_opts = f" nginx_http={nginx[1]} nginx_https={nginx[2]}" if nginx else ""
    figs = {k: [] for k in ("tls_handshake_ec", "tls_handshake_rsa", "http_download",
                            "https_download", "http_nginx_download", "https_nginx_download",
                            "aead_chachapoly", "aead_aesgcm")}
    try:
        for _ in range(RUNS):
            try:
                fig, _ = boot(f"test=bench-tls https_ec={ec_port} https_rsa={rsa_port} "
                              f"http={http_port}{nginx_opts}",
                              disks=[["-drive", f"file={img.path},if=none,format=raw,id=d0",
                                      "-device", "virtio-blk-pci,drive=d0"]],
                              nics=[["-netdev", "user,id=n0",
                                     "-device", "virtio-net-pci,netdev=n0"]])
            except Exception as e:
                print(f"# tls: run failed: {str(e)[-300:]}")
                continue
            for k in figs:
                if k in fig:
                    figs[k].append(fig[k] / 1000 if "handshake" in k else fig[k] / 1024)
    finally:
        for s in (http, ec, rsa):
            s.shutdown()
        if nginx:
            stop(nginx[0])
    emit("kpio_tls_handshake_ec", figs["tls_handshake_ec"], "ms")
    emit("kpio_tls_handshake_rsa", figs["tls_handshake_rsa"], "ms")
    emit("kpio_http_download", figs["http_download"], "MiB/s")
    emit("kpio_https_download", figs["https_download"], "MiB/s")
    if nginx:
        emit("kpio_http_download_nginx", figs["http_nginx_download"], "MiB/s")
        emit("kpio_https_download_nginx", figs["https_nginx_download"], "MiB/s")
    emit("kpio_aead_chachapoly", figs["aead_chachapoly"], "MiB/s")
    emit("kpio_aead_aesgcm", figs["aead_aesgcm"], "MiB/s")
    if figs["http_download"] and figs["https_download"]:
        ratio = statistics.median(figs["https_download"]) / statistics.median(figs["http_download"])
        print(f"# kpio https/http throughput: {ratio:.2f} (the issue's goal: at least 0.5)")
    if figs["http_nginx_download"] and figs["https_nginx_download"]:
        ratio = (statistics.median(figs["https_nginx_download"]) /
                 statistics.median(figs["http_nginx_download"]))
        print(f"# kpio https/http throughput from nginx: {ratio:.2f}")


def main():
    only = os.environ.get("KPIO_BENCH_ONLY")  # storage, net or tls
    with tempfile.TemporaryDirectory(prefix="kpio-bench-") as tmp:
        if not only or only == "storage":
            bench_storage(tmp)
        if not only or only == "net":
            bench_net(tmp)
        if not only or only == "tls":
            bench_tls(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
