"""bench/compare/guests.py - the systems the benchmark compares, each
described as a Guest: how to boot it, how to hand it the run's parameters,
which serial lines mark which event, and which files it must leave on the
disk.

Events are named the same for every guest so that bench.py derives the
figures once (see METRICS there). A guest reports the ones it can:

    grub         the boot loader runs the menu entry (firmware done)
    grub-loaded  the boot loader has loaded the kernel (and initrd)
    init         the kernel starts the first program (field up: the
                 kernel's own clock then, seconds)
    modules      the drivers are ready (Linux: modules loaded)
    lease        the NIC has its DHCP lease and an address
    mount        the FAT32 disk is mounted and BENCH.CFG read
    dl-null-start / dl-null-end   HTTP GET of /payload, body discarded
    dl-tls-start / dl-tls-end     the same over https (TLS_PORT), the server's
                                  certificate verified against CA.PEM only
    mem-start / mem-end           a second such GET while the guest samples
                                  its kernel memory (fields on mem-end, KiB:
                                  kmem_peak_kb, kmem_delta_kb, slab_peak_kb,
                                  slab_delta_kb; a guest without a slab
                                  figure leaves those two out)
    dl-file-start / dl-file-end   HTTP GET into DL.BIN on the disk, synced
    dl-file-got  (Linux) wget has written and closed DL.BIN, before sync
    phases       (KPIO) the kernel's trace of dl-file: a line "PHASES
                 name=seconds ... counter=bytes ..." (kernel/lib/phases.h)
    wr-start / wr-end             sequential write of WRITE_MIB MiB to
                                  WR.BIN (source in RAM), synced
    rd-start / rd-end             cold read of WR.BIN (caches dropped,
                                  volume remounted before rd-start)
    pipe-start / pipe-end         `cat WR.BIN | wc -c` between two programs
                                  (KPIO: the apps cat.wasm and wc.wasm over a
                                  kernel pipe; Linux: busybox), caches dropped
                                  first; field bytes: wc's count
    done         all work finished, disk unmounted; the guest powers off
    fail         a step failed (field or text names it): no figures

To add a guest (KPIO): subclass Guest, set name, implement boot_args()
(usually ["-cdrom", its ISO]), missing() and classify(line) mapping its
own serial lines onto the events above, and list it in GUESTS. Parameters
reach the guest in BENCH.CFG on the disk (see Guest.config_file), the
same for every guest.
"""
import os
import re

from qemu import parse_fields


class Guest:
    """Base class: the parts every guest shares."""

    name = "?"
    # Events a run must show, in this order, for its figures to count.
    required = ("lease", "mount", "dl-null-start", "dl-null-end", "dl-tls-start", "dl-tls-end",
                "mem-end",
                "dl-file-start", "dl-file-end", "wr-start", "wr-end",
                "rd-start", "rd-end", "pipe-start", "pipe-end", "done")
    download_name = "DL.BIN"
    write_name = "WR.BIN"
    timeout = 600.0

    def __init__(self, build):
        self.build = build

    def boot_args(self):
        """QEMU arguments that boot this guest (added to qemu_command's)."""
        raise NotImplementedError

    def missing(self):
        """A reason string when the guest is not built, else None."""
        raise NotImplementedError

    def classify(self, line):
        """(event, fields) for a marker line, None for any other line."""
        raise NotImplementedError

    def exit_ok(self, status):
        """Whether QEMU's exit status means the guest powered off as
        planned (isa-debug-exit makes it (value << 1) | 1)."""
        return status == 0

    def config_file(self, port, payload_bytes, write_mib, tls_port, tls_name):
        """BENCH.CFG's contents: KEY=VALUE lines, read by the guest from
        the root of the FAT32 disk (CA.PEM beside it is the https server's
        trusted root)."""
        return (f"PORT={port}\nPAYLOAD_BYTES={payload_bytes}\n"
                f"WRITE_MIB={write_mib}\nTLS_PORT={tls_port}\nTLS_NAME={tls_name}\n").encode()

    def extra_files(self):
        """{name: bytes} besides BENCH.CFG to put in the image's root."""
        return {}

    def expected_files(self, payload, write_bytes):
        """{file on the disk: (sha256, size)} the host checks after a run."""
        return {self.download_name: (payload.sha256, payload.size),
                self.write_name: (payload.prefix_sha256(write_bytes), write_bytes)}


class LinuxGuest(Guest):
    """Debian's kernel with a busybox initramfs (bench/linux-guest/), on
    an ISO made by grub-mkrescue; its init prints
    'BENCHMARK <event> up=<uptime> [key=value...]' lines."""

    name = "linux"
    MARKER = re.compile(r"BENCHMARK ([a-z][a-z0-9-]*)(.*)$")

    def iso(self):
        return os.path.join(self.build, "linux-guest", "linux-guest.iso")

    def boot_args(self):
        return ["-cdrom", self.iso()]

    def missing(self):
        if not os.path.exists(self.iso()):
            return f"{self.iso()} not built (make bench-linux builds it)"
        return None

    def info(self):
        """Lines describing the build (kernel, modules, sizes)."""
        path = os.path.join(self.build, "linux-guest", "guest.info")
        try:
            with open(path) as f:
                return [line.rstrip() for line in f if line.strip()]
        except OSError:
            return []

    def classify(self, line):
        m = self.MARKER.search(line)
        if m is None:
            if "Kernel panic" in line:
                return "fail", {"step": "kernel-panic"}
            return None
        event, rest = m.group(1), m.group(2)
        fields = parse_fields(rest)
        if event == "fail":
            fields["step"] = rest.strip()
        return event, fields


class KpioGuest(Guest):
    """KPIO's ISO in test mode bench-compare (kernel/test/bench_compare.c):
    the kernel does the plain and https downloads (trust store /CA.PEM,
    cacert= on the command line) and the disk work itself, and the
    milestone path (dl-file) runs the WASM app fetch, which the image gets
    as /fetch.wasm, and the pipe step the apps /cat.wasm and /wc.wasm. The kernel prints the same BENCHMARK lines as Linux and
    leaves through isa-debug-exit with status 0 (QEMU exit code 1)."""

    name = "kpio"
    MARKER = re.compile(r"BENCHMARK ([a-z][a-z0-9-]*)(.*)$")

    def iso(self):
        return os.path.join(self.build, "kpio.iso")

    def fetch(self):
        return os.path.join(self.build, "apps", "fetch.wasm")

    def app(self, name):
        return os.path.join(self.build, "apps", name + ".wasm")

    CMDLINE = "name=opt/kpio/cmdline,string=test=bench-compare cacert=/CA.PEM"

    def boot_args(self):
        return ["-cdrom", self.iso(), "-fw_cfg", self.CMDLINE]

    def missing(self):
        for path in (self.iso(), self.fetch(), self.app("cat"), self.app("wc")):
            if not os.path.exists(path):
                return f"{path} not built (make builds it)"
        return None

    def extra_files(self):
        files = {}
        for name in ("fetch", "cat", "wc"):
            with open(self.app(name), "rb") as f:
                files[name + ".wasm"] = f.read()
        return files

    def exit_ok(self, status):
        return status == 1  # isa-debug-exit with status 0

    def classify(self, line):
        if "[test] FAIL" in line or "KERNEL PANIC" in line:
            return "fail", {"step": line.strip()}
        if line.startswith("PHASES "):
            return "phases", parse_fields(line)
        m = self.MARKER.search(line)
        if m is None:
            return None
        fields = parse_fields(m.group(2))
        if m.group(1) == "fail":
            fields["step"] = m.group(2).strip()
        return m.group(1), fields


class KpioDirectGuest(KpioGuest):
    """KPIO started by QEMU's direct kernel boot (-kernel with the PVH
    note, no firmware boot menu, no CD): the same kernel and work."""

    name = "kpio-direct"

    def kernel(self):
        return os.path.join(self.build, "kernel", "kpio.elf")

    def boot_args(self):
        return ["-kernel", self.kernel(), "-fw_cfg", self.CMDLINE]

    def missing(self):
        for path in (self.kernel(), self.fetch()):
            if not os.path.exists(path):
                return f"{path} not built (make builds it)"
        return None


GUESTS = {g.name: g for g in (LinuxGuest, KpioGuest, KpioDirectGuest)}
