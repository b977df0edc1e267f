#!/usr/bin/env python3
"""bench/compare/bench.py - runs a guest (Linux reference or KPIO) through
the benchmark's work in QEMU several times and prints its figures.

    bench.py --guest linux [--build build] [--runs 3] [--payload-mib 64]
             [--write-mib N] [--cluster 512] [--firmware seabios|ovmf]

Per run: a fresh FAT32 image with BENCH.CFG and CA.PEM (the root the
https server's certificate chains to), QEMU started with the one
flag set of qemu.py, the guest's marker lines timestamped on the host as
they arrive, then a check of the disk from the host (mcopy + SHA-256 of
every file the guest wrote, fsck.fat -n). A run that fails any step or
check yields no figure: the harness then prints why and exits 1 without
BENCH lines. Otherwise it prints one "BENCH <guest>_<metric> <median>
<unit>" line per metric and a table of minimum, median and maximum.
Exit status 0 also when the guest or a tool is missing (a "# SKIP" line).
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import guests  # noqa: E402
import qemu  # noqa: E402
import workload  # noqa: E402

MIB = workload.MIB


def _t(run, name):
    ev = run.first(name)
    return None if ev is None else ev.t


def _span(run, a, b):
    ta, tb = _t(run, a), _t(run, b)
    return None if ta is None or tb is None else tb - ta


def _rate(mib, seconds):
    return None if seconds is None or seconds <= 0 else mib / seconds


def _ratio(t_http, t_https):
    """https throughput over http's for the same payload: time over time."""
    return None if not t_http or not t_https or t_https <= 0 else t_http / t_https


def _field(run, event, key):
    ev = run.first(event)
    if ev is None or key not in ev.fields:
        return None
    return float(ev.fields[key])


def _minus(a, b):
    return None if a is None or b is None else a - b


def _up(run, event):
    """The guest's own clock (field up, seconds) on a marker line."""
    return _field(run, event, "up")


def _phase(run, name):
    """A phase of the milestone path (KPIO's PHASES line, lib/phases.h) in
    seconds from dl-file-start, both on the guest's clock; None when the
    phase did not happen (0) or the guest prints no PHASES line."""
    ev, start = run.first("phases"), _up(run, "dl-file-start")
    if ev is None or start is None:
        return None
    v = float(ev.fields.get(name, "0"))
    return v - start if v > 0 else None


def _linux_phase(run, event):
    """The same from a Linux marker (dl-file-got: wget closed the file)."""
    a, b = _up(run, "dl-file-start"), _up(run, event)
    return None if a is None or b is None else b - a


def _copied(run, name):
    ev = run.first("phases")
    if ev is None or name not in ev.fields:
        return None
    return int(ev.fields[name]) / MIB


def _dhcp(run):
    start = "modules" if run.first("modules") else "init"
    return _span(run, start, "lease")


# (metric, unit, what it measures, f(run, ctx) -> value or None). Times are
# host times of the serial lines, relative to the start of QEMU.
METRICS = (
    ("lease", "s", "QEMU start to DHCP lease", lambda r, c: _t(r, "lease")),
    ("boot_firmware", "s", "QEMU start to GRUB running the entry (firmware + GRUB start)",
     lambda r, c: _t(r, "grub")),
    ("boot_grub_load", "s", "GRUB loading kernel and initrd from the CD",
     lambda r, c: _span(r, "grub", "grub-loaded")),
    ("boot_kernel", "s", "kernel entry (decompression included) to first program",
     lambda r, c: _span(r, "grub-loaded", "init")),
    ("boot_decompress", "s", "kernel entry to the kernel's clock start (Linux: bzImage unpacking)",
     lambda r, c: _minus(_span(r, "grub-loaded", "init"), _field(r, "init", "up"))),
    ("boot_kernel_init", "s", "kernel's own clock at the first program",
     lambda r, c: _field(r, "init", "up")),
    ("boot_modules", "s", "first program to drivers ready",
     lambda r, c: _span(r, "init", "modules")),
    ("boot_dhcp", "s", "drivers ready to DHCP lease", lambda r, c: _dhcp(r)),
    ("http_devnull", "MiB/s", "HTTP GET of the payload, body discarded",
     lambda r, c: _rate(c["payload_mib"], _span(r, "dl-null-start", "dl-null-end"))),
    ("https_devnull", "MiB/s", "HTTPS GET of the payload (certificate verified), body discarded",
     lambda r, c: _rate(c["payload_mib"], _span(r, "dl-tls-start", "dl-tls-end"))),
    ("https_ratio", "x", "HTTPS over HTTP throughput, both to /dev/null",
     lambda r, c: _ratio(_span(r, "dl-null-start", "dl-null-end"),
                         _span(r, "dl-tls-start", "dl-tls-end"))),
    ("http_to_fat", "MiB/s", "HTTP GET into a FAT32 file, ending synced",
     lambda r, c: _rate(c["payload_mib"], _span(r, "dl-file-start", "dl-file-end"))),
    ("fat_write", "MiB/s", "FAT32 sequential write + sync",
     lambda r, c: _rate(c["write_mib"], _span(r, "wr-start", "wr-end"))),
    ("fat_read_cold", "MiB/s", "FAT32 sequential read after remount, caches dropped",
     lambda r, c: _rate(c["write_mib"], _span(r, "rd-start", "rd-end"))),
    ("pipe", "MiB/s", "cat WR.BIN | wc -c: two programs through a pipe, from the disk",
     lambda r, c: _rate(c["write_mib"], _span(r, "pipe-start", "pipe-end"))),
    ("run", "s", "QEMU start to QEMU exit", lambda r, c: r.exit_t),
    # The milestone path (dl-file) phase by phase, seconds from its start on
    # the guest's clock: KPIO's kernel trace, Linux's markers around wget
    # (which ends with the last byte written and the file closed) and sync.
    ("ph_app_loaded", "s", "dl-file: the app's module loaded and validated",
     lambda r, c: _phase(r, "app_loaded")),
    ("ph_app_compiled", "s", "dl-file: the app compiled (JIT) and instantiated",
     lambda r, c: _phase(r, "app_compiled")),
    ("ph_tcp_connect", "s", "dl-file: TCP connection established",
     lambda r, c: _phase(r, "tcp_connect")),
    ("ph_first_byte", "s", "dl-file: first byte read from the socket",
     lambda r, c: _phase(r, "first_byte")),
    ("ph_last_byte", "s", "dl-file: last byte read from the socket",
     lambda r, c: _phase(r, "last_byte")),
    ("ph_file_closed", "s", "dl-file: the file closed (Linux: wget exited)",
     lambda r, c: _phase(r, "file_closed") or _linux_phase(r, "dl-file-got")),
    ("ph_sync_done", "s", "dl-file: sync done",
     lambda r, c: _phase(r, "sync_done") or _linux_phase(r, "dl-file-end")),
    # Bytes each layer copied during dl-file (KPIO's trace), MiB.
    ("copy_nic_rx", "MiB", "dl-file: frames taken from the NIC's buffers",
     lambda r, c: _copied(r, "nic_rx")),
    ("copy_sock_rx", "MiB", "dl-file: TCP payload copied out of the socket",
     lambda r, c: _copied(r, "sock_rx")),
    ("copy_file_write", "MiB", "dl-file: written to the file (app memory to FAT)",
     lambda r, c: _copied(r, "file_write")),
    ("copy_cache_in", "MiB", "dl-file: copied into block-cache sectors",
     lambda r, c: _copied(r, "cache_in")),
    ("copy_cache_run", "MiB", "dl-file: cache sectors copied into write-back runs",
     lambda r, c: _copied(r, "cache_run")),
    ("copy_blk_write", "MiB", "dl-file: handed to virtio-blk to write",
     lambda r, c: _copied(r, "blk_write")),
    # Kernel memory sampled by the guest during a download to /dev/null
    # (what exactly: bench/linux-guest/README.md). *_delta: peak growth
    # over the value just before the download; *_peak: the peak itself.
    ("kmem_delta", "KiB", "peak growth of kernel memory during a download",
     lambda r, c: _field(r, "mem-end", "kmem_delta_kb")),
    ("kmem_peak", "KiB", "peak kernel memory during that download",
     lambda r, c: _field(r, "mem-end", "kmem_peak_kb")),
    ("slab_delta", "KiB", "peak growth of Slab+KernelStack+PageTables, same download",
     lambda r, c: _field(r, "mem-end", "slab_delta_kb")),
    ("slab_peak", "KiB", "peak Slab+KernelStack+PageTables, same download",
     lambda r, c: _field(r, "mem-end", "slab_peak_kb")),
)


def check_run(guest, run):
    """Returns the reasons a finished run cannot count (empty: it can)."""
    problems = []
    if run.returncode is None:
        problems.append(f"timed out after {guest.timeout:.0f} s")
    elif not guest.exit_ok(run.returncode):
        problems.append(f"QEMU exited with status {run.returncode}")
    fail = run.first("fail")
    if fail is not None:
        problems.append(f"guest reported failure: {fail.line.strip()}")
    last = -1.0
    for name in guest.required:
        t = _t(run, name)
        if t is None:
            problems.append(f"no '{name}' marker")
        elif t < last:
            problems.append(f"'{name}' marker out of order")
        else:
            last = t
    return problems


def one_run(guest, args, payload, servers, index, workdir):
    """Runs the guest once; returns ({metric: value}, []) or (None, problems).
    servers: Servers (the http and https ones and the trusted root)."""
    server = servers.http
    image = os.path.join(workdir, "disk.img")
    write_bytes = args.write_mib * MIB
    cfg = guest.config_file(server.port, payload.size, args.write_mib, servers.https.port,
                            workload.TLS_NAME)
    size = workload.image_size(payload.size + write_bytes + len(cfg), args.cluster)
    files = {"BENCH.CFG": cfg, "CA.PEM": servers.ca}
    files.update(guest.extra_files())
    size += sum(len(d) for d in files.values())
    workload.make_image(image, size, args.cluster, files)
    vars_copy = qemu.prepare_firmware(args.firmware, workdir)
    argv = qemu.qemu_command(image, guest.boot_args(), args.firmware, vars_copy)
    log = os.path.join(workdir, f"run{index}.serial.log")
    run = qemu.Run(argv, guest.classify, log)
    served_before = len(server.served) + len(servers.https.served)
    run.run(guest.timeout)
    problems = check_run(guest, run)
    if not problems:
        problems = workload.verify(image, guest.expected_files(payload, write_bytes))
    if problems:
        served = (server.served + servers.https.served)[served_before:]
        problems.append(f"HTTP(S) GETs served: {[n for _, n in served]}")
        problems.append(f"serial log: {log}; last lines:\n{run.tail()}")
        return None, problems
    ctx = {"payload_mib": payload.size / MIB, "write_mib": args.write_mib}
    values = {}
    for name, _unit, _what, f in METRICS:
        v = f(run, ctx)
        if v is not None:
            values[name] = v
    return values, []


def fmt(value, unit):
    if unit == "KiB":
        return f"{value:.0f}"
    if unit == "s":
        return f"{value:.3f}"
    if unit in ("MiB", "x"):
        return f"{value:.2f}"
    return f"{value:.1f}"


def report(guest, args, results, out=sys.stdout):
    """Prints BENCH lines (medians) and the min/median/max table."""
    rows = []
    for name, unit, what, _f in METRICS:
        vals = [r[name] for r in results if name in r]
        if len(vals) != len(results):
            continue
        med = statistics.median(vals)
        out.write(f"BENCH {guest.name}_{name} {fmt(med, unit)} {unit}\n")
        rows.append((name, unit, min(vals), med, max(vals), what))
    out.write(f"# {guest.name}: {len(results)} runs, {args.firmware}, payload "
              f"{args.payload_mib} MiB, write {args.write_mib} MiB, FAT32 "
              f"{args.cluster}-byte clusters\n")
    out.write(f"# {'metric':<16} {'unit':<6} {'min':>9} {'median':>9} {'max':>9}  what\n")
    for name, unit, lo, med, hi, what in rows:
        out.write(f"# {name:<16} {unit:<6} {fmt(lo, unit):>9} {fmt(med, unit):>9} "
                  f"{fmt(hi, unit):>9}  {what}\n")
    for line in guest_info(guest):
        out.write(f"# {line}\n")
    for cipher in sorted(set(getattr(args, "ciphers", ()))):
        out.write(f"# https: {cipher[1]} {cipher[0]}\n")


class Servers:
    """The http and https payload servers of a bench run (context manager)
    and the root certificate the guests trust (bytes); certificates are
    made under workdir/certs."""

    def __init__(self, payload, workdir):
        root, chain, key = workload.bench_certs(os.path.join(workdir, "certs"))
        with open(root, "rb") as f:
            self.ca = f.read()
        self.http = workload.PayloadServer(payload)
        self.https = workload.PayloadServer(payload, tls=(chain, key))

    def __enter__(self):
        self.http.__enter__()
        self.https.__enter__()
        return self

    def __exit__(self, *exc):
        self.https.__exit__(*exc)
        self.http.__exit__(*exc)


def guest_info(guest):
    info = getattr(guest, "info", None)
    return info() if info else []


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--guest", choices=sorted(guests.GUESTS), required=True)
    ap.add_argument("--build", default="build", help="the build directory")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--payload-mib", type=int, default=64)
    ap.add_argument("--write-mib", type=int, help="FAT32 write size (default: payload)")
    ap.add_argument("--cluster", type=int, default=512, help="FAT32 cluster bytes")
    ap.add_argument("--firmware", choices=qemu.FIRMWARES, default="seabios")
    ap.add_argument("--timeout", type=float, help="seconds per run")
    args = ap.parse_args(argv)
    if args.write_mib is None:
        args.write_mib = args.payload_mib
    if args.runs < 1 or args.payload_mib < 1:
        ap.error("--runs and --payload-mib must be at least 1")
    if not 1 <= args.write_mib <= args.payload_mib:
        ap.error("--write-mib must be 1..payload (the write's source is the payload in RAM)")
    return args


def main(argv=None):
    args = parse_args(argv)
    guest = guests.GUESTS[args.guest](args.build)
    if args.timeout:
        guest.timeout = args.timeout
    why = guest.missing() or qemu.missing_tools(args.firmware) or workload.missing_tools()
    if why:
        print(f"# SKIP bench {guest.name}: {why}")
        return 0
    workdir = os.path.join(args.build, "bench-compare", guest.name)
    os.makedirs(workdir, exist_ok=True)
    payload = workload.Payload(os.path.join(workdir, "payload.bin"), args.payload_mib * MIB)
    results = []
    with Servers(payload, workdir) as servers:
        for i in range(1, args.runs + 1):
            values, problems = one_run(guest, args, payload, servers, i, workdir)
            if problems:
                print(f"bench {guest.name}: run {i} failed, no figures:", file=sys.stderr)
                for p in problems:
                    print("  " + p.replace("\n", "\n  "), file=sys.stderr)
                return 1
            summary = " ".join(f"{k}={fmt(v, u)}" for k, u, _w, _f in METRICS
                               if (v := values.get(k)) is not None)
            print(f"# {guest.name} run {i}: {summary}", flush=True)
            results.append(values)
        args.ciphers = servers.https.ciphers
    report(guest, args, results)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
