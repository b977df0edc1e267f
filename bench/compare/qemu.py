"""bench/compare/qemu.py - the QEMU machine every benchmark guest runs on,
and a runner that timestamps the guest's serial lines on the host.

The flag set lives in qemu_command() and nowhere else, so KPIO and the
Linux reference guest run on exactly the same virtual machine: q35, 1 GiB,
one vCPU under TCG (qemu64 with AES-NI and PCLMULQDQ, as in
tests/qemu/qemu.py, plus SSSE3, SSE4.1 and SSE4.2, which every CPU with
AES-NI has and OpenSSL's AES-NI code assumes: its CTR mode uses pinsrd, an
SSE4.1 instruction, and traps on qemu64 without it), virtio-net on QEMU's user-mode network (the host is
10.0.2.2 there), a raw FAT32 image as virtio-blk, isa-debug-exit, and the
firmware (SeaBIOS, QEMU's default, or OVMF from pflash) booting the
guest's ISO from the CD drive.

Environment: QEMU (default qemu-system-x86_64), OVMF_CODE and OVMF_VARS
(default Debian's ovmf package files, 4 MiB variant).
"""
import os
import re
import shutil
import subprocess
import threading
import time

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
OVMF_CODE = os.environ.get("OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = os.environ.get("OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd")
FIRMWARES = ("seabios", "ovmf")
CPU = "qemu64,+aes,+pclmulqdq,+ssse3,+sse4.1,+sse4.2"


def qemu_command(disk, boot_args, firmware="seabios", vars_copy=None, hostfwd=None):
    """Returns the QEMU argv for one run.

    disk: the raw FAT32 image (virtio-blk). boot_args: the guest's own
    boot arguments, normally ["-cdrom", ISO]. firmware: "seabios" or
    "ovmf"; OVMF needs vars_copy, a writable copy of OVMF_VARS that the
    caller made (see prepare_firmware). The serial port is the QEMU
    process's stdout; the monitor is off. "-boot order=d" makes SeaBIOS
    try the CD before the virtio disk, which is not bootable. hostfwd:
    "tcp:127.0.0.1:HOSTPORT-:GUESTPORT" forwards a host port to the guest.
    """
    cmd = [
        QEMU, "-machine", "q35", "-m", "1G", "-smp", "1", "-nographic",
        "-cpu", CPU,
        "-monitor", "none", "-serial", "stdio",
        "-netdev", "user,id=n0" + (f",hostfwd={hostfwd}" if hostfwd else ""),
        "-device", "virtio-net-pci,netdev=n0",
        "-drive", f"file={disk},if=none,format=raw,id=d0",
        "-device", "virtio-blk-pci,drive=d0",
        "-device", "virtio-rng-pci",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-no-reboot", "-boot", "order=d",
    ]
    if firmware == "ovmf":
        if vars_copy is None:
            raise ValueError("OVMF needs a copy of its variable store")
        cmd += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
                "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
    elif firmware != "seabios":
        raise ValueError(f"unknown firmware {firmware!r}")
    return cmd + list(boot_args)


def prepare_firmware(firmware, workdir):
    """Makes what a firmware needs for one run (a fresh OVMF variable
    store, so every run boots from the same state); returns its path or
    None for SeaBIOS."""
    if firmware != "ovmf":
        return None
    path = os.path.join(workdir, "OVMF_VARS.fd")
    shutil.copyfile(OVMF_VARS, path)
    return path


def missing_tools(firmware):
    """Returns a reason string when QEMU or the firmware is absent."""
    if shutil.which(QEMU) is None:
        return f"{QEMU} not found"
    if firmware == "ovmf":
        for f in (OVMF_CODE, OVMF_VARS):
            if not os.path.exists(f):
                return f"{f} not found (Debian package ovmf)"
    return None


class SerialEvent:
    """One recognised serial line: the event name, the host time in
    seconds since QEMU was started, and the key=value fields the line
    carried."""

    def __init__(self, name, t, fields, line):
        self.name, self.t, self.fields, self.line = name, t, fields, line

    def __repr__(self):
        return f"SerialEvent({self.name!r}, {self.t:.3f}, {self.fields!r})"


FIELD_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")


class Run:
    """One QEMU process whose serial output is read line by line.

    classify(line) -> (event name, fields) or None, supplied by the guest,
    names the lines that matter. Every line is kept with its timestamp in
    self.log. run() waits for QEMU to exit; start(), wait_event() and
    stop() drive a guest that keeps running (a server) instead.
    """

    def __init__(self, argv, classify, log_path=None):
        self.argv = argv
        self.classify = classify
        self.log_path = log_path
        self.events = []
        self.log = []
        self.proc = None
        self.t0 = None
        self.exit_t = None
        self.returncode = None
        self._reader = None
        self._seen = threading.Condition()

    def _read(self):
        """Reader thread: splits stdout into lines, timestamps each on
        arrival of its newline (monotonic clock, relative to QEMU start)."""
        buf = b""
        fd = self.proc.stdout.fileno()
        while True:
            chunk = os.read(fd, 65536)
            now = time.monotonic() - self.t0
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                self._line(raw, now)
        if buf:
            self._line(buf, time.monotonic() - self.t0)

    def _line(self, raw, now):
        text = raw.decode("utf-8", "replace").replace("\r", "")
        self.log.append((now, text))
        hit = self.classify(text)
        if hit is not None:
            name, fields = hit
            with self._seen:
                self.events.append(SerialEvent(name, now, fields, text))
                self._seen.notify_all()

    def start(self):
        """Starts QEMU and the thread that reads its serial lines."""
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def wait_event(self, names, timeout):
        """Waits until every event in names has been seen, QEMU has exited
        or timeout seconds pass; returns whether all were seen."""
        def done():
            have = {ev.name for ev in self.events}
            return set(names) <= have or self.proc.poll() is not None
        with self._seen:
            self._seen.wait_for(done, timeout=timeout)
            return set(names) <= {ev.name for ev in self.events}

    def stop(self):
        """Kills QEMU (by its PID) if it still runs, reaps it, ends the
        reader and writes the log."""
        try:
            if self.proc.poll() is None:
                self.proc.kill()
            self.returncode = self.proc.wait()
            if self.exit_t is None:
                self.exit_t = time.monotonic() - self.t0
        finally:
            self._reader.join(timeout=10)
            self.proc.stdout.close()
            self._write_log()

    def run(self, timeout):
        """Starts QEMU and waits until it exits or timeout seconds pass
        (then kills it, by its PID). Returns the exit code, or None on a
        timeout. Always reaps the process, also on KeyboardInterrupt."""
        self.start()
        try:
            try:
                self.returncode = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.returncode = None
            self.exit_t = time.monotonic() - self.t0
        finally:
            timed_out = self.returncode is None
            self.stop()
            if timed_out:
                self.returncode = None
        return self.returncode

    def _write_log(self):
        if not self.log_path:
            return
        with open(self.log_path, "w") as f:
            f.write("# " + " ".join(self.argv) + "\n")
            for t, text in self.log:
                f.write(f"{t:9.3f} {text}\n")
            f.write(f"{self.exit_t or 0:9.3f} # qemu exit {self.returncode}\n")

    def first(self, name):
        """The first event of that name, or None."""
        for ev in self.events:
            if ev.name == name:
                return ev
        return None

    def tail(self, n=30):
        """The last n serial lines, for a failure report."""
        return "\n".join(text for _, text in self.log[-n:])


def parse_fields(text):
    """'a=1 b=x' -> {'a': '1', 'b': 'x'}."""
    return dict(FIELD_RE.findall(text))
