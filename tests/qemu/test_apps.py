#!/usr/bin/env python3
"""tests/qemu/test_apps.py - WASM apps in KPIO (issue 7's system tests).

1. /etc/rc runs the ordinary apps on files of the image (cat and ls by
   path, since the shell has built-ins of those names); each command's
   output in KPIO must equal the output of the same app under the host's
   kpio-wasm on a copy of the same files (an independent run of the same
   binaries, the host port instead of the kernel's). The files the apps
   wrote are then checked on the image with mtools and fsck.fat.
2. Interactively on the serial console: a trapping app is reported and the
   shell goes on; an endless-loop app in the background does not stop the
   shell, other apps or the network, and `kill` ends it; an endless loop in
   the foreground is stopped with Ctrl-C; an unknown command gets a clear
   message; two SIMD apps (simdmix, machine code from the JIT) run at once,
   switched by the timer many times, and print the checksums the host's
   interpreter prints.
"""
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import DiskImage  # noqa: E402
from qemu import Qemu, QemuExited, QemuTimeout, build_dir, virtio_disk  # noqa: E402
from tap import Tap  # noqa: E402

PROMPT = r"kpio:/\$ "
TEXT = b"the quick brown fox\njumps over\nthe lazy dog\n"
COMMANDS = [
    "hello",
    "echo one two 'three four'",
    "/apps/cat.wasm /data/fox.txt",
    "wc /data/fox.txt",
    "sha256sum /data/fox.txt /data/blob.bin",
    "mkdir /data/made",
    "cp /data/fox.txt /data/made/copy.txt",
    "mv /data/made/copy.txt /data/made/moved.txt",
    "cp /data/blob.bin /data/made/blob2.bin",
    "rm /data/old.txt",
    "/apps/ls.wasm /data/made",
    "/apps/cat.wasm /data/missing.txt",
    "wc --help",
]


def fill(img_or_dir, blob):
    files = {"/data/fox.txt": TEXT, "/data/blob.bin": blob, "/data/old.txt": b"remove me\n"}
    return files


def outputs_by_command(out):
    """Splits the serial log into {command: output} by the rc> markers."""
    res = {}
    parts = re.split(r"^rc> (.*)$", out, flags=re.M)
    for i in range(1, len(parts) - 1, 2):
        body = parts[i + 1]
        body = re.sub(r"^rc: '.*' exited with status \d+\n", "", body, flags=re.M)
        body = "\n".join(ln for ln in body.splitlines() if not re.match(r"^\[\s*\d+\.\d+\] \[", ln))
        res[parts[i].strip()] = body.strip("\n")
    return res


def host_outputs(build, tmp, blob):
    kw = os.path.join(build, "rel", "bin", "kpio-wasm")
    root = os.path.join(tmp, "hostroot")
    os.makedirs(os.path.join(root, "data"))
    for path, data in fill(None, blob).items():
        with open(root + path, "wb") as f:
            f.write(data)
    res = {}
    for cmd in COMMANDS:
        import shlex
        argv = shlex.split(cmd)
        name = os.path.basename(argv[0])  # "cat" or "/apps/cat.wasm" (cat and ls are also built-ins)
        app = os.path.join(build, "apps", name if name.endswith(".wasm") else name + ".wasm")
        p = subprocess.run([kw, "--dir", f"{root}::/", app] + argv[1:], capture_output=True,
                           text=True, timeout=60)
        res[cmd] = (p.stdout + p.stderr).strip("\n")
    return res


def rc_run(t, tmp, build, blob):
    img = DiskImage(os.path.join(tmp, "apps.img"), size_mib=128, cluster_sectors=1)
    for d in ("/apps", "/data", "/etc"):
        img.mkdir(d)
    for app in glob.glob(os.path.join(build, "apps", "*.wasm")):
        img.put_file("/apps/" + os.path.basename(app), app)
    for path, data in fill(img, blob).items():
        img.put(path, data)
    img.put("/etc/rc", ("\n".join(COMMANDS) + "\nsync\npoweroff\n").encode())
    log = os.path.join(build, "test-logs", "qemu-apps-rc.log")
    disks = [virtio_disk(img.path)]
    with Qemu(os.path.join(build, "kpio.iso"), disks=disks, log=log) as vm:
        try:
            vm.wait_exit(timeout=240)
        except QemuTimeout as e:
            t.ok(False, "rc: the apps ran and KPIO powered off", f"{e}\n{vm.tail()}")
            return None
        out = vm.output()
    kpio = outputs_by_command(out)
    host = None
    if os.access(os.path.join(build, "rel", "bin", "kpio-wasm"), os.X_OK):
        host = host_outputs(build, tmp, blob)
    for cmd in COMMANDS:
        got = kpio.get(cmd)
        if host is None:
            t.ok(got is not None, f"rc: '{cmd}' ran in KPIO", out[-2000:])
        else:
            t.ok(got == host[cmd], f"rc: '{cmd}' prints the same in KPIO and under kpio-wasm",
                 f"KPIO:\n{got}\nhost:\n{host[cmd]}")
    t.ok(img.get("/data/made/moved.txt") == TEXT and not img.exists("/data/made/copy.txt"),
         "image: cp then mv left /data/made/moved.txt only", img.listing("/data/made"))
    blob2 = img.get("/data/made/blob2.bin")
    t.ok(blob2 is not None and hashlib.sha256(blob2).digest() == hashlib.sha256(blob).digest(),
         "image: the 3 MiB copy made by cp is byte-identical")
    t.ok(not img.exists("/data/old.txt"), "image: rm removed /data/old.txt")
    clean, text = img.fsck()
    t.ok(clean, "image: fsck.fat -n reports nothing", text)
    return img


def interactive(t, tmp, build):
    img = DiskImage(os.path.join(tmp, "inter.img"), size_mib=64, cluster_sectors=1)
    img.mkdir("/apps")
    for app in glob.glob(os.path.join(build, "apps", "*.wasm")):
        img.put_file("/apps/" + os.path.basename(app), app)
    log = os.path.join(build, "test-logs", "qemu-apps-shell.log")
    disks = [virtio_disk(img.path)]
    nics = [["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0"]]
    with Qemu(os.path.join(build, "kpio.iso"), disks=disks, nics=nics, log=log) as vm:
        def cmd(line, expect, timeout=60):
            """Types line at a prompt and waits for expect in what follows,
            and for the next prompt, so that the next command's output starts
            after this one's. (Waiting for a prompt from an offset taken while
            the last prompt was still on its way once matched that old
            prompt, before ps had printed anything.) An app's own messages,
            such as 'killed', may come before or after the prompt."""
            start = len(vm.output())
            vm.send(line + "\r")
            m = vm.wait_for(expect, timeout=timeout, start=start)
            vm.wait_for(PROMPT, timeout=timeout, start=start)
            return m

        try:
            vm.wait_for(PROMPT, timeout=120)
            m = cmd("trap div0", r"trap: trapped: (.*) in function (\S+)\r?\n")
            t.ok("integer divide by zero" in m.group(1) and "div0" in m.group(2),
                 "a trapping app is reported with the reason and its function", m.group(0))
            cmd("echo still here", r"still here")
            t.ok(True, "the shell carries on after the trap")
            # endless recursion: a clean trap (the depth limit, or on the JIT
            # the app thread's stack floor), never a fault; the prompt returns
            m = cmd("trap stack", r"trap: trapped: (.*) in function (\S+)\r?\n")
            t.ok("call stack exhausted" in m.group(1),
                 "endless recursion in an app traps \"call stack exhausted\"", m.group(0))
            cmd("echo after recursion", r"after recursion")
            t.ok(True, "the shell carries on after the recursion trap")
            m = cmd("spin &", r"\[\d+\] (\d+)")  # "[job] pid", as dash prints it
            pid = m.group(1)
            cmd("hello", r"Hello, world!")
            t.ok(True, "another app runs while spin loops in the background")
            m = cmd("ping -c 2 10.0.2.2", r"--- 10.0.2.2: 2 sent, (\d) received ---")
            t.ok(m.group(1) != "0", "the network still answers while spin loops", m.group(0))
            m = cmd("ps", rf"^\s*{pid}\s.*spin \(app\)")
            t.ok(True, "ps lists the spinning app")
            cmd(f"kill {pid}", r"spin: killed")
            t.ok(True, "kill ends the endless loop")
            m = cmd(f"kill {pid}", r"kill: \d+: [^\r\n]*\r?\n")
            t.ok("no running app has this pid" in m.group(0),
                 "kill of a pid that is no running app says so", m.group(0))
            m = cmd("kill 99999999999999999999", r"kill: [^\r\n]*\r?\n")
            t.ok("not a process id" in m.group(0), "kill refuses a number too large for a pid",
                 m.group(0))
            for bad in ("5x", "0", "99999999999999999999"):
                m = cmd(f"ping -c {bad} 10.0.2.2", r"(usage: ping[^\r\n]*|PING [^\r\n]*)\r?\n")
                t.ok(m.group(1).startswith("usage"), f"ping -c {bad} is refused", m.group(0))
            start = len(vm.output())
            vm.send("spin\r")
            vm.wait_for(r"spinning", timeout=30, start=start)
            vm.send("\x03")
            m = vm.wait_for(r"spin: killed", timeout=30, start=start)
            vm.wait_for(PROMPT, timeout=30, start=m.end())
            cmd("echo back", r"back")
            t.ok(True, "Ctrl-C stops a foreground endless loop and the prompt returns")
            simd_pair(t, vm, cmd, build)
            m = cmd("frobnicate", r"frobnicate: command not found[^\r\n]*\r?\n")
            t.ok(True, "an unknown command gets a clear message: " + m.group(0).strip())
            vm.send("poweroff\r")
            vm.wait_exit(timeout=30)
        except (QemuTimeout, QemuExited) as e:
            t.ok(False, "interactive shell session", f"{e}\n{vm.tail(30)}")


SIMD_ROUNDS = 4000000


def simd_pair(t, vm, cmd, build):
    """simdmix twice at once (seeds 1 and 2): each result as on the host.

    The JIT keeps v128 values in the frame and uses xmm0-xmm3 only within
    one instruction, and apps are switched only at ticks (which save the
    slot registers) or in host calls, so no vector state is live at a
    switch: this checks SIMD machine code under the kernel (QEMU's CPU: the
    SSE2 baseline) with two apps interleaved, not the scheduler's fxsave
    (removing it does not fail this test)."""
    kw = os.path.join(build, "rel", "bin", "kpio-wasm")
    app = os.path.join(build, "apps", "simdmix.wasm")
    want = {}
    for seed in (1, 2):
        p = subprocess.run([kw, "--engine", "interp", app, str(SIMD_ROUNDS), str(seed)],
                           capture_output=True, text=True, timeout=120)
        want[seed] = p.stdout.strip()
    start = len(vm.output())
    cmd(f"simdmix {SIMD_ROUNDS} 2 &", r"\[(\d+)\] simdmix")
    m1 = cmd(f"simdmix {SIMD_ROUNDS} 1", rf"simdmix {SIMD_ROUNDS} 1: [0-9a-f]{{16}}", timeout=300)
    m2 = vm.wait_for(rf"simdmix {SIMD_ROUNDS} 2: [0-9a-f]{{16}}", timeout=300, start=start)
    t.ok(m1.group(0) == want[1] and m2.group(0) == want[2],
         "two SIMD apps at once print the host interpreter's checksums",
         f"KPIO: {m1.group(0)} / {m2.group(0)}\nhost: {want[1]} / {want[2]}")


def main():
    t = Tap()
    build = build_dir()
    if not glob.glob(os.path.join(build, "apps", "hello.wasm")):
        t.ok(False, "the apps are built", "run make first")
        return t.done()
    with tempfile.TemporaryDirectory(prefix="kpio-apps-") as tmp:
        blob = os.urandom(3 * 1024 * 1024 + 17)
        rc_run(t, tmp, build, blob)
        interactive(t, tmp, build)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
