#!/usr/bin/env python3
"""tests/qemu/test_crash.py - crash consistency of KPIO's FAT32 + block cache,
the way CrashMonkey and dm-log-writes check file systems.

KPIO runs a workload from its shell (create, write, append, copy, rename,
delete, mkdir, rm -r, in phases that each end with `sync`) on a disk that
QEMU's `blklogwrites` driver records: every write and FLUSH the guest sends,
in order. After each `sync` returns, the test notes how many entries the log
holds, so it knows which FLUSH ended which sync. Then it replays the log onto
the initial image into crash states:
  - every prefix that ends at a FLUSH (what survives a power cut there);
  - between two FLUSHes, the sectors written in between (a disk promises
    only that each sector is written whole, and with a volatile cache it may
    persist any of them in any order): every subset when there are at most
    EXHAUSTIVE_UNITS changed sectors, else every ordered prefix and
    RANDOM_SUBSETS random subsets from a fixed seed, so a run is repeatable.
Each state must pass `fsck.fat -n` with at worst recoverable findings (lost
clusters, a wrong free count, FAT copies that differ but are both intact,
the dirty bit), never cross-linked or
truncated chains or bad directory entries; and every file and directory that
the last completed sync covered, and that the workload did not touch again
after it, must be there with the same bytes (read with mtools' mcopy).

    test_crash.py [--keep DIR | --replay DIR]
--keep saves the initial image, the log and the sync points; --replay checks
them again without booting (for working on the checks or the file system).
"""
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import ENV, DiskImage  # noqa: E402
from logwrites import WriteLog  # noqa: E402
from qemu import Qemu, QemuExited, QemuTimeout, build_dir  # noqa: E402
from tap import Tap  # noqa: E402

PROMPT = r"kpio:/\$ "
SEED = 20261207
EXHAUSTIVE_UNITS = 8  # up to this many changed sectors between FLUSHes: every subset
RANDOM_SUBSETS = 512  # above it: the ordered prefixes and this many random subsets
WORKERS = 2
BIG = bytes((i * 7 + (i >> 9)) & 0xFF for i in range(23 * 1024))  # 46 clusters


def line(path, n):
    return f"{path} line {n}\n".encode()


def phases():
    """The workload: phases of (shell command, model operation) pairs. A
    model operation is (kind, args...) applied by Model.apply."""
    p = []
    # 1: create, write, copy a multi-cluster file
    p.append([("mkdir /w", ("mkdir", "/w")),
              ("echo /w/a line 1 > /w/a", ("write", "/w/a", line("/w/a", 1))),
              ("cp /big /w/b", ("cp", "/big", "/w/b")),
              ("mkdir /w/d", ("mkdir", "/w/d"))])
    # 2: appends, a rename, many small files in a directory that grows
    cmds = [("echo /w/a line 2 >> /w/a", ("append", "/w/a", line("/w/a", 2))),
            ("mv /w/b /w/c", ("mv", "/w/b", "/w/c"))]
    for i in range(24):
        f = f"/w/d/f{i:02d}"
        cmds.append((f"echo {f} line 1 > {f}", ("write", f, line(f, 1))))
    p.append(cmds)
    # 3: delete, copy into the directory, overwrite
    p.append([("rm /w/a", ("rm", "/w/a")),
              ("cp /w/c /w/d/big2", ("cp", "/w/c", "/w/d/big2")),
              ("echo /w/e line 1 > /w/e", ("write", "/w/e", line("/w/e", 1))),
              ("echo /w/d/f03 line 2 > /w/d/f03", ("write", "/w/d/f03", line("/w/d/f03", 2)))])
    # 4: rename a directory, delete inside it, appends
    cmds = [("mv /w/d /w/dd", ("mv", "/w/d", "/w/dd")),
            ("rm /w/dd/f05", ("rm", "/w/dd/f05"))]
    for n in range(2, 8):
        cmds.append((f"echo /w/e line {n} >> /w/e", ("append", "/w/e", line("/w/e", n))))
    p.append(cmds)
    # 5: remove a tree, a new copy, a new directory with a file
    p.append([("rm -r /w/dd", ("rm", "/w/dd")),
              ("cp /big /w/f", ("cp", "/big", "/w/f")),
              ("mkdir /w/g", ("mkdir", "/w/g")),
              ("echo /w/g/h line 1 > /w/g/h", ("write", "/w/g/h", line("/w/g/h", 1)))])
    return p


class Model:
    """What the tree holds: path -> bytes for files, None for directories."""

    def __init__(self, files):
        self.t = dict(files)

    def copy(self):
        return Model(self.t)

    def apply(self, op):
        kind, a = op[0], op[1:]
        if kind == "mkdir":
            self.t[a[0]] = None
        elif kind == "write":
            self.t[a[0]] = a[1]
        elif kind == "append":
            self.t[a[0]] = self.t.get(a[0], b"") + a[1]
        elif kind == "cp":
            self.t[a[1]] = self.t[a[0]]
        elif kind == "mv":
            for k in [k for k in self.t if k == a[0] or k.startswith(a[0] + "/")]:
                self.t[a[1] + k[len(a[0]):]] = self.t.pop(k)
        elif kind == "rm":
            for k in [k for k in self.t if k == a[0] or k.startswith(a[0] + "/")]:
                del self.t[k]

    @staticmethod
    def touched(ops):
        """Paths an operation list may change (and everything below them)."""
        out = set()
        for op in ops:
            if op[0] == "cp":
                out.add(op[2])  # the source is only read
            elif op[0] == "mv":
                out.update(op[1:3])
            else:
                out.add(op[1])
        return out


def is_touched(path, touched):
    return any(path == t or path.startswith(t + "/") for t in touched)


# What fsck.fat -n reports that a crash may leave and a repair fixes
# without losing anything that was synced.
RECOVERABLE = re.compile(
    r"^(fsck\.fat \d.*|Checking we can access.*|.* files, .* clusters|"
    r"FATs differ but appear to be intact\.|  Using first FAT\.|"
    r"Reclaimed \d+ unused clusters? \(\d+ bytes\)\.|"
    r"Free cluster summary wrong \(\d+ vs\. really \d+\)|  Auto-correcting\.|"
    r"Dirty bit is set\. Fs was not properly unmounted.*|  Automatically removing dirty bit\.|"
    r"Leaving filesystem unchanged\.|\s*)$")


def fsck_findings(path):
    """fsck.fat -n's messages that are not recoverable (lost clusters, a
    wrong free count and the dirty bit are)."""
    r = subprocess.run(["fsck.fat", "-n", path], capture_output=True, text=True)
    lines = (r.stdout + r.stderr).splitlines()
    bad = [ln for ln in lines if not RECOVERABLE.match(ln)]
    if r.returncode not in (0, 1):
        bad.append(f"fsck.fat exit status {r.returncode}")
    return bad


def read_tree(img_path, out_dir):
    """Copies the whole volume out with mcopy: path -> bytes or None, or an
    error text."""
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    r = subprocess.run(["mcopy", "-s", "-n", "-i", img_path, "::/w", out_dir],
                       capture_output=True, text=True, env=ENV)
    tree = {}
    base = os.path.join(out_dir, "w")
    if os.path.isdir(base):
        tree["/w"] = None
        for root, dirs, files in os.walk(base):
            rel = "/w" + root[len(base):]
            for d in dirs:
                tree[f"{rel}/{d}"] = None
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    tree[f"{rel}/{f}"] = fh.read()
    if r.returncode != 0 and "/w" in tree:
        return f"mcopy: {r.stderr.strip()}"
    return tree


class StateFile:
    """The image a crash state is checked on, kept as one file: a state is
    the base image plus some sectors, written in place and put back after."""

    def __init__(self, path, image, sector_size):
        self.path, self.base, self.ss = path, bytearray(image), sector_size
        with open(path, "wb") as f:
            f.write(self.base)
        self.fd = os.open(path, os.O_RDWR)

    def advance(self, units):
        """Makes units part of the base (the disk got past a FLUSH)."""
        for sector, data in units:
            off = sector * self.ss
            self.base[off:off + len(data)] = data
            os.pwrite(self.fd, data, off)

    def check(self, units, work, expect, touched):
        """Problems with base + units (an empty list when consistent)."""
        for sector, data in units:
            os.pwrite(self.fd, data, sector * self.ss)
        try:
            return check_image(self.path, work, expect, touched)
        finally:
            for sector, _data in units:
                off = sector * self.ss
                os.pwrite(self.fd, bytes(self.base[off:off + self.ss]), off)

    def close(self):
        os.close(self.fd)


def check_image(path, work, expect, touched):
    """Problems with the image at path against the model expect, ignoring
    what the running phase touches."""
    problems = fsck_findings(path)
    tree = read_tree(path, os.path.join(work, "tree"))
    if isinstance(tree, str):
        return problems + [tree]
    for k, v in expect.t.items():
        if not k.startswith("/w") or is_touched(k, touched):
            continue
        if k not in tree:
            problems.append(f"{k}: missing")
        elif v is None and tree[k] is not None:
            problems.append(f"{k}: a file, not a directory")
        elif v is not None and tree[k] != v:
            got = tree[k]
            problems.append(f"{k}: {len(got) if got is not None else 'dir'} bytes differ "
                            f"from the {len(v)} synced")
    for k in tree:
        if k not in expect.t and not is_touched(k, touched):
            problems.append(f"{k}: appeared from nowhere")
    return problems


def subsets(n, rng):
    """The crash states between two FLUSHes with n changed sectors, as index
    lists: every non-empty subset when there are few, else every non-empty
    ordered prefix and RANDOM_SUBSETS random ones (distinct, from the fixed
    seed). The empty subset is the state at the FLUSH itself."""
    if n <= EXHAUSTIVE_UNITS:
        return [[i for i in range(n) if m >> i & 1] for m in range(1, 1 << n)]
    picks = {tuple(range(k)) for k in range(1, n + 1)}
    while len(picks) < n + RANDOM_SUBSETS:
        pick = tuple(i for i in range(n) if rng.random() < 0.5)
        if pick:
            picks.add(pick)
    return [list(pick) for pick in sorted(picks)]


def plan_states(log, initial, guarantees, rng):
    """Every crash state to check, grouped by the FLUSH it follows: a list of
    (entry index of that FLUSH, the sectors changed before the next, index
    lists into them, the model that holds, what the running phase touches).
    Sectors written with the bytes they already hold change nothing and are
    left out, so no image is checked twice."""
    image = bytearray(initial)
    ss = log.sector_size
    flushes = log.flush_indices()
    last = len(log.entries) - 1
    marks = [-1] + flushes + ([last] if flushes[-1] != last else [])
    plan = [(-1, [], [[]], *guarantees(0))]  # the image before anything was written
    for a, b in zip(marks, marks[1:]):
        units = [(sec, data) for sec, data in log.sectors(log.entries[a + 1:b + 1])
                 if image[sec * ss:(sec + 1) * ss] != data]
        plan.append((a, units, subsets(len(units), rng), *guarantees(a + 1)))
        for sec, data in units:
            image[sec * ss:(sec + 1) * ss] = data
    return plan, image


_PLAN = None  # (plan, initial image, sector size, work dir), for the workers


def check_part(part):
    """Checks plan[lo:hi] on its own state file (a worker's share)."""
    lo, hi = part
    plan, initial, ss, work = _PLAN
    wdir = os.path.join(work, f"worker{lo}")
    os.makedirs(wdir, exist_ok=True)
    base = bytearray(initial)
    for _a, units, _picks, _e, _t in plan[:lo]:
        for sec, data in units:
            base[sec * ss:(sec + 1) * ss] = data
    state = StateFile(os.path.join(wdir, "state.img"), base, ss)
    states, report = 0, []
    for a, units, picks, expect, touch in plan[lo:hi]:
        for pick in picks:
            problems = state.check([units[i] for i in pick], wdir, expect, touch)
            states += 1
            if problems:
                report.append(f"after entry {a} + {len(pick)} of the {len(units)} sectors "
                              f"changed before the next FLUSH: {problems[:4]}")
        state.advance(units)
    state.close()
    return states, report


def _check_part_to(conn, part):
    """A worker: checks its share and sends (states, report) back."""
    try:
        conn.send(check_part(part))
    except Exception as e:  # any failure is reported by the parent
        conn.send((0, [f"worker for plan[{part[0]}:{part[1]}] failed: {e!r}"]))
    conn.close()


def check_all(plan, initial, ss, work):
    """Runs every planned state, split between WORKERS processes. Each worker
    is its own forked process with its own pipe (no Pool: its shared queue
    locks and terminate() can hang), made while this process runs no other
    thread; a worker that dies is reported, never waited for."""
    global _PLAN
    _PLAN = (plan, initial, ss, work)
    total = sum(len(p[2]) for p in plan)
    cuts, acc = [0], 0
    for i, p in enumerate(plan):
        acc += len(p[2])
        if len(cuts) < WORKERS and acc >= total * len(cuts) / WORKERS:
            cuts.append(i + 1)
    cuts.append(len(plan))
    parts = [(lo, hi) for lo, hi in zip(cuts, cuts[1:]) if hi > lo]
    for th in threading.enumerate():  # e.g. a QEMU console reader ending
        if th is not threading.current_thread():
            th.join(timeout=60)
    ctx = multiprocessing.get_context("fork")
    workers = []
    for part in parts:
        ours, theirs = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_check_part_to, args=(theirs, part))
        proc.start()
        theirs.close()
        workers.append((part, ours, proc))
    states, report = 0, []
    for part, ours, proc in workers:
        try:
            n, lines = ours.recv()
        except EOFError:
            n, lines = 0, [f"worker for plan[{part[0]}:{part[1]}] died"]
        proc.join()
        if proc.exitcode:
            lines = lines + [f"worker for plan[{part[0]}:{part[1]}] exit {proc.exitcode}"]
        states += n
        report += lines
    return states, report


def run_workload(t, tmp):
    """Boots KPIO on the logged disk and runs the phases. Returns the initial
    image, the log path, and the log's entry count after each sync."""
    build = build_dir()
    img = DiskImage(os.path.join(tmp, "crash.img"), size_mib=40, cluster_sectors=1)
    img.mkdir("/apps")
    for app in ("cp", "mv", "rm", "mkdir"):
        img.put_file(f"/apps/{app}.wasm", os.path.join(build, "apps", f"{app}.wasm"))
    img.put("/big", BIG)
    with open(img.path, "rb") as f:
        initial = f.read()
    log = os.path.join(tmp, "crash.log")
    open(log, "wb").close()
    disks = [["-blockdev", f"driver=file,filename={img.path},node-name=img0",
              "-blockdev", f"driver=file,filename={log},node-name=log0",
              "-blockdev", "driver=blklogwrites,file=img0,log=log0,node-name=d0",
              "-device", "virtio-blk-pci,drive=d0,id=d0"]]
    vlog = os.path.join(build, "test-logs", "qemu-crash.log")
    sync_counts = []
    with Qemu(os.path.join(build, "kpio.iso"), disks=disks, log=vlog) as vm:
        try:
            vm.wait_for(PROMPT, timeout=120)
            for ph in phases():
                for cmd, _op in ph + [("sync", None)]:
                    start = len(vm.output())
                    vm.send(cmd + "\r")
                    vm.wait_for(PROMPT, timeout=120, start=start)
                    if "rror" in vm.output()[start:]:
                        raise RuntimeError(f"{cmd!r} failed: {vm.output()[start:]!r}")
                sync_counts.append(WriteLog.super_count(log))
            vm.send("poweroff\r")
            vm.wait_exit(timeout=60)
        except (QemuTimeout, QemuExited, RuntimeError, OSError) as e:
            t.ok(False, "crash: the workload runs on a blklogwrites disk", f"{e}\n{vm.tail()}")
            return None
    t.ok(True, f"crash: the workload ran ({sum(len(p) for p in phases())} commands in "
               f"{len(phases())} phases, each ending with sync)")
    return initial, log, sync_counts


def main():
    t = Tap()
    if not shutil.which("fsck.fat") or not shutil.which("mcopy"):
        t.skip("crash: the crash-state checks",
               "fsck.fat and mtools are needed (scripts/setup.sh installs them)")
        return t.done()
    # Thousands of 40 MiB images are written and read back: memory if we can.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="kpio-crash-", dir=shm) as tmp:
        if len(sys.argv) == 3 and sys.argv[1] == "--replay":  # a run kept by --keep
            d = sys.argv[2]
            with open(os.path.join(d, "initial.img"), "rb") as f:
                initial = f.read()
            with open(os.path.join(d, "syncs.json")) as f:
                sync_counts = json.load(f)
            log_path = os.path.join(d, "crash.log")
        else:
            ran = run_workload(t, tmp)
            if ran is None:
                return t.done()
            initial, log_path, sync_counts = ran
            if len(sys.argv) == 3 and sys.argv[1] == "--keep":
                d = sys.argv[2]
                os.makedirs(d, exist_ok=True)
                with open(os.path.join(d, "initial.img"), "wb") as f:
                    f.write(initial)
                with open(os.path.join(d, "syncs.json"), "w") as f:
                    json.dump(sync_counts, f)
                shutil.copyfile(log_path, os.path.join(d, "crash.log"))
        log = WriteLog.read(log_path)
        flushes = log.flush_indices()
        t.ok(len(log.entries) > 0 and flushes, f"crash: the log holds {len(log.entries)} "
             f"entries, {len(flushes)} of them FLUSH")
        ok_syncs = all(c - 1 in flushes for c in sync_counts)
        t.ok(ok_syncs, "crash: every sync ended with a FLUSH", repr(sync_counts))
        # The model after each phase, and what each next phase touches.
        ph = phases()
        models = [Model({"/big": BIG, "/apps": None})]
        for p in ph:
            m = models[-1].copy()
            for _cmd, op in p:
                m.apply(op)
            models.append(m)
        touched = [Model.touched([op for _c, op in p]) for p in ph] + [set()]

        def guarantees(upto):
            """The model and touched set that hold once entries [0, upto)
            are on the disk: the last sync completed within them."""
            k = sum(1 for c in sync_counts if c <= upto)
            return models[k], touched[k]

        plan, end_image = plan_states(log, initial, guarantees, random.Random(SEED))
        states, report = check_all(plan, initial, log.sector_size, tmp)
        t.diag(f"crash: {states} crash states checked, {len(report)} inconsistent")
        t.ok(states >= 1000, f"crash: at least 1000 crash states checked ({states})")
        t.ok(not report, "crash: every crash state passes fsck.fat -n (recoverable findings "
             "at worst) and keeps every synced file byte for byte", "\n".join(report[:8]))
        state = StateFile(os.path.join(tmp, "end.img"), end_image, log.sector_size)
        final = check_image(state.path, tmp, models[-1], set())
        state.close()
        t.ok(not final, "crash: the whole log replayed equals the workload's end state",
             repr(final[:6]))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
