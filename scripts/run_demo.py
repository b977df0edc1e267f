#!/usr/bin/env python3
"""scripts/run_demo.py - `make run`: the milestone demo on this terminal.

Starts a local HTTP server with a demo file, prepares the FAT32 disk image
build/disk.img (kept between runs; `make clean-disk` removes it) with the
apps and an /etc/rc that downloads the file, then boots KPIO in QEMU with
the serial console on this terminal. /etc/rc runs the download and the
hash, then the KPIO shell takes over. Quit with `poweroff` or Ctrl-A X.
The image's /etc/ssl/certs/ca-certificates.crt, the trust store of https in
KPIO, is this machine's Debian CA bundle plus the tests' root CA
(tests/tls/make_certs.py into build/tls/certs).
Afterwards the files on the image are listed and the server stopped.
KPIO_CMDLINE adds kernel options (kernel/boot/cmdline.h), e.g. wasm=interp.
"""
import glob
import hashlib
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from diskimg import DiskImage, ENV  # noqa: E402
from httpserve import start_server  # noqa: E402

DEMO_MIB = 16
HOST_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
TRUST_STORE = "/etc/ssl/certs/ca-certificates.crt"


def demo_file(build):
    d = os.path.join(build, "demo")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "kpio-demo.bin")
    if not os.path.exists(path) or os.path.getsize(path) != DEMO_MIB << 20:
        with open(path, "wb") as f:
            f.write(os.urandom(DEMO_MIB << 20))
    return d, path


def prepare_disk(build, url):
    path = os.path.join(build, "disk.img")
    if os.path.exists(path):
        spec = path
        subprocess.run(["mmd", "-D", "s", "-i", spec, "::/apps", "::/etc", "::/data"],
                       capture_output=True, env=ENV)
        img = DiskImage.__new__(DiskImage)
        img.path, img.spec, img.start = path, spec, 0
    else:
        print(f"make run: creating {path} (FAT32, 512 MiB sparse, 4 KiB clusters)")
        img = DiskImage(path, size_mib=512, layout="raw", cluster_sectors=8)
        for d in ("/apps", "/etc", "/data"):
            img.mkdir(d)
    for app in sorted(glob.glob(os.path.join(build, "apps", "*.wasm"))):
        img.put_file("/apps/" + os.path.basename(app), app)
    rc = ("# /etc/rc: written by make run, runs at boot\n"
          f"fetch {url} /data/kpio-demo.bin\n"
          "sha256sum /data/kpio-demo.bin\n"
          "ls -l /data\n")
    img.put("/etc/rc", rc.encode())
    put_trust_store(build, img)
    return img


def put_trust_store(build, img):
    certs = os.path.join(build, "tls", "certs")
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tls", "make_certs.py"), certs],
                   check=True)
    bundle = b""
    if os.path.exists(HOST_BUNDLE):
        with open(HOST_BUNDLE, "rb") as f:
            bundle = f.read()
    with open(os.path.join(certs, "root.pem"), "rb") as f:
        bundle += f.read()
    subprocess.run(["mmd", "-D", "s", "-i", img.spec, "::/etc/ssl", "::/etc/ssl/certs"],
                   capture_output=True, env=ENV)
    img.put(TRUST_STORE, bundle)


def main():
    build = os.environ.get("BUILD", os.path.join(ROOT, "build"))
    iso = os.path.join(build, "kpio.iso")
    if not os.path.exists(iso):
        print("make run: build/kpio.iso is missing; run make first")
        return 1
    demo_dir, demo = demo_file(build)
    with open(demo, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    srv, port = start_server(demo, directory=demo_dir)
    url = f"http://10.0.2.2:{port}/kpio-demo.bin"
    img = prepare_disk(build, url)
    print(f"make run: demo server on 127.0.0.1:{port}; the guest sees {url}")
    print(f"make run: the demo file's sha256 is {sha}")
    print("make run: booting KPIO; quit with 'poweroff' at the kpio prompt or Ctrl-A X\n",
          flush=True)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-m", "512M", "-smp", "1", "-nographic",
           "-cpu", "qemu64,+aes,+pclmulqdq",  # AES-NI for https, as the tests use
           "-no-reboot", "-drive", f"file={iso},media=cdrom,readonly=on", "-boot", "order=d",
           "-drive", f"file={img.path},if=none,format=raw,id=d0",
           "-device", "virtio-blk-pci,drive=d0",
           "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0",
           "-device", "virtio-rng-pci",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    options = os.environ.get("KPIO_CMDLINE", "").strip()
    if options:  # kernel options (kernel/boot/cmdline.h), e.g. wasm=interp log=debug
        print(f"make run: kernel options: {options}")
        cmd += ["-fw_cfg", "name=opt/kpio/cmdline,string=" + options.replace(",", ",,")]
    try:
        rc = subprocess.run(cmd).returncode
    finally:
        srv.shutdown()
    print(f"\nmake run: QEMU exited ({rc}); the demo server is stopped.")
    print(f"make run: files on {img.path} (mdir ::/data):")
    subprocess.run(["mdir", "-i", img.spec, "::/data"], env=ENV)
    return 0


if __name__ == "__main__":
    sys.exit(main())
