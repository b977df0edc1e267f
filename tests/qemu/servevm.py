"""tests/qemu/servevm.py - booting KPIO with a disk whose /etc/rc runs
`serve` in the background, reached from the host through hostfwd; shared
by the qemu/serve* suites.

    with serve_vm(tmp, "big", {"/apps/webapp.wasm": path},
                  "serve /apps/webapp.wasm &") as (vm, port):
        ...  # 127.0.0.1:port reaches the guest's 8080

Every wait is for an event: the "Serving HTTP" line, the DHCP lease, a
command's output followed by the prompt.
"""
import contextlib
import os
import re

from diskimg import DiskImage
from qemu import Qemu, build_dir, user_nic, virtio_disk
from ready import free_port

HEAP = r"kernel heap: (\d+) KiB in use in \d+ blocks, peak (\d+) KiB"


@contextlib.contextmanager
def serve_vm(tmp, name, files, rc, memory="512M", more_ports=(), cmdline=None, iso=None):
    """Boots KPIO with files ({guest path: host path or bytes}), /apps/sleep.wasm
    and /etc/rc on a data disk; yields (vm, host port) once serve listens and the shell
    answers. The log is BUILD/test-logs/qemu-NAME.log. more_ports: other
    guest ports to forward; vm.ports maps each guest port to its host port.
    cmdline: kernel options (e.g. "wasm=interp"); iso: another kernel ISO
    than BUILD/kpio.iso (e.g. an older build, for before/after figures)."""
    build = build_dir()
    files = dict(files)
    files.setdefault("/apps/sleep.wasm", os.path.join(build, "apps", "sleep.wasm"))
    img = DiskImage(os.path.join(tmp, f"{name}.img"), size_mib=64, cluster_sectors=1)
    dirs = {os.path.dirname(p) for p in files} | {"/etc"}
    for d in sorted(dirs):
        img.mkdir(d)
    for path, src in files.items():
        if isinstance(src, bytes):
            img.put(path, src)
        else:
            img.put_file(path, src)
    img.put("/etc/rc", rc.encode())
    ports = {g: free_port() for g in (8080, *more_ports)}
    fwd = ",hostfwd=".join(f"tcp:127.0.0.1:{h}-:{g}" for g, h in ports.items())
    log = os.path.join(build, "test-logs", f"qemu-{name}.log")
    with Qemu(iso or os.path.join(build, "kpio.iso"), memory=memory, disks=[virtio_disk(img.path)],
              nics=[user_nic(fwd)], log=log, cmdline=cmdline) as vm:
        vm.ports = ports
        wait_serving(vm)
        yield vm, ports[8080]


def wait_serving(vm):
    """Waits for rc's serve to listen, the lease, and a shell that answers."""
    vm.wait_for(r"Serving HTTP on http://0\.0\.0\.0:8080/", timeout=120)
    vm.wait_for(r"\[dhcp\] .*lease", timeout=120)
    # rc's serve may print its line inside the shell's banner or first
    # prompt: wait for a command's output and the prompt after it instead
    # (input typed early waits for the shell).
    vm.send("echo started\r")
    vm.wait_for(r"^started\r?\nkpio:/\$ ", timeout=120)


def heap(out):
    """(in use, peak) KiB of the kernel heap from `free`'s output, or Nones."""
    m = re.search(HEAP, out)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def conn_threads(vm):
    """The number of serve connection threads `ps` lists (running, or
    ended and not yet joined by the listener)."""
    return vm.command("ps").count("serve-conn")


def settled(vm, tries=120, heap_at_most=None):
    """Polls `ps` (a second apart, up to tries times) until no connection
    thread is left: a closed connection's thread ends when the guest sees
    the FIN. With heap_at_most, then polls `free` the same way until the
    kernel heap's use is at most that many KiB: a socket's buffers go when
    its TCP close completes, which may be after its thread ended. Returns
    (threads left, `free`'s output then)."""
    left = conn_threads(vm)
    for _ in range(tries):
        if not left:
            break
        vm.command("sleep 1")
        left = conn_threads(vm)
    free = vm.command("free")
    for _ in range(tries if heap_at_most is not None else 0):
        used, _ = heap(free)
        if used is None or used <= heap_at_most:
            break
        vm.command("sleep 1")
        free = vm.command("free")
    return left, free
