"""tests/qemu/qemu.py - start KPIO (or another guest) in QEMU and watch it.

    from qemu import Qemu
    with Qemu(iso, firmware="uefi", cmdline="test=core", log="build/x.log") as vm:
        vm.wait_for(r"\\[test\\] done", timeout=60)
        status = vm.wait_exit(timeout=30)

The serial console goes to the log file and to an in-memory buffer that
wait_for() searches. Kernel options travel through fw_cfg
(opt/kpio/cmdline), so one ISO serves every test. QEMU is ended by PID when
the context exits, when the harness gets SIGINT/SIGTERM, or at exit; no
other process is ever touched.
"""
import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

OVMF_CODE = os.environ.get("OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = os.environ.get("OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd")
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
# TCG's default CPU plus AES-NI and PCLMULQDQ, which every x86_64 CPU of the
# last decade has and TCG emulates: AES-GCM (lib/tls) runs on them. A test
# that passes its own -cpu (e.g. "qemu64") gets the portable fallback; the
# environment's QEMU_CPU replaces the default (for comparing figures).
CPU = os.environ.get("QEMU_CPU", "qemu64,+aes,+pclmulqdq")

SHELL_PROMPT = r"kpio:/\$ "

_live = set()


def virtio_disk(path, drive="d0", device=""):
    """QEMU arguments for a raw image as a virtio-blk disk (device: more
    options for -device, e.g. ",disable-modern=on")."""
    return ["-drive", f"file={path},if=none,format=raw,id={drive}",
            "-device", f"virtio-blk-pci,drive={drive}{device}"]


def user_nic(hostfwd=None, netdev="n0"):
    """QEMU arguments for a virtio-net NIC on user-mode networking (host
    10.0.2.2); hostfwd: "tcp:127.0.0.1:PORT-:GUESTPORT", a list of such, or None."""
    fwds = [hostfwd] if isinstance(hostfwd, str) else (hostfwd or [])
    fwd = "".join(f",hostfwd={f}" for f in fwds)
    return ["-netdev", f"user,id={netdev}{fwd}", "-device", f"virtio-net-pci,netdev={netdev}"]


def _kill_all(*_args):
    for vm in list(_live):
        vm.kill()


def _on_signal(signum, frame):
    _kill_all()
    raise SystemExit(128 + signum)


atexit.register(_kill_all)
for _sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(_sig, _on_signal)


class QemuTimeout(Exception):
    pass


class QemuExited(Exception):
    pass


class Qemu:
    def __init__(self, iso=None, firmware="bios", machine="q35", memory="512M",
                 cmdline=None, disks=(), nics=(), extra=(), log=None, kernel=None,
                 initrd=None, append=None, debug_exit=True, wrapper=(), qmp=False,
                 rng=True):
        self.firmware = firmware
        self.log_path = log
        self.tmp = tempfile.mkdtemp(prefix="kpio-qemu-")
        args = [QEMU, "-machine", machine, "-m", memory, "-smp", "1",
                "-display", "none", "-serial", "stdio", "-monitor", "none",
                "-no-reboot", "-nodefaults"]
        if not any(a == "-cpu" for a in extra):
            args += ["-cpu", CPU]
        if firmware == "uefi":
            vars_copy = os.path.join(self.tmp, "OVMF_VARS.fd")
            shutil.copyfile(OVMF_VARS, vars_copy)
            args += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                     "-drive", f"if=pflash,format=raw,file={vars_copy}"]
        if iso:
            # The CD first: SeaBIOS would otherwise try the data disks and stop.
            args += ["-drive", f"file={iso},media=cdrom,readonly=on", "-boot", "order=d"]
        if kernel:
            args += ["-kernel", kernel]
            if initrd:
                args += ["-initrd", initrd]
            if append:
                args += ["-append", append]
        if debug_exit:
            args += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if rng:  # the guest's entropy source (QEMU reads the host's /dev/urandom)
            args += ["-device", "virtio-rng-pci"]
        if cmdline is not None:
            # fw_cfg strings end at a comma: pass the options through a file.
            path = os.path.join(self.tmp, "cmdline")
            with open(path, "w") as f:
                f.write(cmdline)
            args += ["-fw_cfg", f"name=opt/kpio/cmdline,file={path}"]
        for d in disks:
            args += d if isinstance(d, (list, tuple)) else ["-drive", d]
        for n in nics:
            args += n
        self.qmp_path = os.path.join(self.tmp, "qmp.sock") if qmp else None
        if qmp:
            args += ["-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        args += list(extra)
        self.args = list(wrapper) + args  # e.g. ip netns exec NS
        self.proc = None
        self.buf = ""
        self.lock = threading.Condition()
        self.start_time = None
        self.exit_code = None
        self.events = []  # (seconds since start, line)

    # -- lifecycle -------------------------------------------------------

    def start(self):
        self.logf = open(self.log_path, "w") if self.log_path else None
        if self.logf:
            self.logf.write("# " + " ".join(self.args) + "\n")
            self.logf.flush()
        self.start_time = time.monotonic()
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        _live.add(self)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return self

    def _read(self):
        pending = b""
        while True:
            chunk = self.proc.stdout.read(4096)
            if not chunk:
                break
            text = chunk.decode("utf-8", "replace").replace("\r", "")
            if self.logf:
                self.logf.write(text)
                self.logf.flush()
            now = time.monotonic() - self.start_time
            with self.lock:
                self.buf += text
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    self.events.append((now, line.decode("utf-8", "replace").rstrip("\r")))
                self.lock.notify_all()
        code = self.proc.wait()
        with self.lock:
            self.exit_code = code
            self.lock.notify_all()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # our own QEMU, by PID
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        _live.discard(self)
        if getattr(self, "logf", None):
            self.reader.join(timeout=5)
            self.logf.close()
            self.logf = None
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()
        return False

    # -- watching --------------------------------------------------------

    def elapsed(self):
        return time.monotonic() - self.start_time

    def wait_for(self, pattern, timeout=60, start=0):
        """Waits for a regex in the serial output (from offset start);
        returns the match. Raises QemuTimeout or QemuExited."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                m = rx.search(self.buf, start)
                if m:
                    return m
                if self.exit_code is not None:
                    raise QemuExited(f"QEMU exited ({self.exit_code}) before /{pattern}/")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise QemuTimeout(f"no /{pattern}/ within {timeout} s")
                self.lock.wait(min(left, 1.0))

    def time_of(self, pattern):
        """Seconds from QEMU start to the first serial line matching pattern."""
        rx = re.compile(pattern)
        with self.lock:
            for t, line in self.events:
                if rx.search(line):
                    return t
        return None

    def wait_exit(self, timeout=60):
        """Waits for QEMU to exit; returns the raw exit code."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while self.exit_code is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise QemuTimeout(f"QEMU still running after {timeout} s")
                self.lock.wait(min(left, 1.0))
            return self.exit_code

    def send(self, text):
        """Types text on the serial console."""
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def command(self, cmd, timeout=180, prompt=SHELL_PROMPT):
        """Types a shell command and waits for the next prompt; returns the
        output from the command line on."""
        start = len(self.output())
        self.send(cmd + "\r")
        self.wait_for(prompt, timeout=timeout, start=start)
        return self.output()[start:]

    def qmp(self, command, **arguments):
        """Runs one QMP command (the VM was made with qmp=True) and returns
        its "return" value; raises RuntimeError on an "error" answer."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(60)
            s.connect(self.qmp_path)
            f = s.makefile("rwb")

            def ask(msg):
                f.write(json.dumps(msg).encode() + b"\n")
                f.flush()
                while True:  # asynchronous events may come first
                    line = f.readline()
                    if not line:
                        raise RuntimeError("QMP closed the connection")
                    answer = json.loads(line)
                    if "return" in answer:
                        return answer["return"]
                    if "error" in answer:
                        raise RuntimeError(f"QMP {msg['execute']}: {answer['error']}")

            json.loads(f.readline())  # the greeting
            ask({"execute": "qmp_capabilities"})
            msg = {"execute": command}
            if arguments:
                msg["arguments"] = arguments
            return ask(msg)

    def output(self):
        with self.lock:
            return self.buf

    def tail(self, lines=40):
        return "\n".join(self.output().splitlines()[-lines:])


def debug_exit_status(code):
    """The status the kernel wrote to isa-debug-exit, or None for a plain
    exit (QEMU's code is 2*status+1)."""
    return (code - 1) // 2 if code % 2 == 1 else None


def build_dir():
    return os.environ.get("KPIO_BUILD", "build")
