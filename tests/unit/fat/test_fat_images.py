#!/usr/bin/env python3
"""tests/unit/fat/test_fat_images.py - lib/fat against real FAT tools.

Oracles: mkfs.fat makes the images, mtools fills and reads them, fsck.fat -n
judges them. lib/fat is driven through build/host/bin/kpio-disk and
build/host/tests/fat_stress (both built with ASan/UBSan).

  1. read:   images of FAT12/16/32, several cluster sizes, 512- and
             4096-byte sectors, filled by mcopy with a tree of nested
             directories, long and non-ASCII names and files of sizes 0, 1,
             511, 512, 513, cluster-1/cluster/cluster+1 and several MiB, are
             extracted by lib/fat: names and bytes must be identical.
  2. write:  the same tree written by lib/fat into fresh images is extracted
             by mcopy byte-identical, fsck.fat -n reports nothing, and
             lib/fat's free count agrees with fsck's; then renames (also
             across directories), deletes and rmdirs are applied to the image
             and to the host tree and compared again.
  3. diff:   fat_stress diff (random operations against an in-memory model,
             compared at every step), then fsck.fat -n and mcopy against the
             model's tree.
  4. crash:  fat_stress crash with the write stream cut after N sectors for
             many N; fsck.fat -n may report only what a power cut is allowed
             to leave (see CRASH_OK below). For every third cut, lib/fat must
             also read the whole cut image, and after fsck.fat -a the image
             must check clean.

The seed of the random parts comes from FAT_SEED (default: random) and is
printed; failures say how to repeat them.
"""
import filecmp
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from tap import Tap  # noqa: E402

BUILD = os.environ.get("KPIO_BUILD", os.path.join(ROOT, "build"))
KPIO_DISK = os.path.join(BUILD, "host", "bin", "kpio-disk")
STRESS = os.path.join(BUILD, "host", "tests", "fat_stress")
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", LC_ALL="C.UTF-8")

# (name, mkfs.fat options, size in KiB)
CONFIGS = [
    ("fat12-s1", ["-F", "12", "-s", "1"], 1440),
    ("fat12-s8", ["-F", "12", "-s", "8"], 12000),
    ("fat16-s1", ["-F", "16", "-s", "1"], 24000),
    ("fat16-s8", ["-F", "16", "-s", "8"], 64000),
    ("fat16-4k-sectors", ["-F", "16", "-S", "4096", "-s", "1"], 64000),
    ("fat32-s1", ["-F", "32", "-s", "1"], 40000),
    ("fat32-s8", ["-F", "32", "-s", "8", "-n", "KPIOVOL"], 300000),
    ("fat32-s64", ["-F", "32", "-s", "64"], 2200000),
    ("fat32-4k-sectors", ["-F", "32", "-S", "4096", "-s", "1"], 300000),
]

# What fsck.fat -n may print after a power cut, and why:
CRASH_OK = [
    # FSInfo's free count is a hint (FAT spec section 5), rewritten on sync.
    r"Free cluster summary wrong \(\d+ vs\. really \d+\)",
    r"  Auto-correcting\.",
    # Lost clusters: a chain written before the entry that would name it, or
    # left after the entry that named it was removed (freeing order).
    r"Reclaimed \d+ unused clusters? \(\d+ bytes\)\.",
    # A FAT sector reaches every FAT copy in turn; a cut between two copies
    # leaves them different, and the first one is the newer and consistent.
    r"FATs differ but appear to be intact\.",
    r"  Using first FAT\.",
    # A file's chain was extended (data, then FAT) but its entry's size not
    # yet written: the chain is longer than the size, and fsck frees the
    # tail - lost clusters again. The opposite (size beyond the chain) is
    # not accepted.
    r"  File size is \d+ bytes, cluster chain length is > \d+ bytes\.",
    r"  Truncating file to \d+ bytes\.",
    r"Leaving filesystem unchanged\.",
    r"",
]
CRASH_OK_RE = [re.compile("^" + p + "$") for p in CRASH_OK]


def run(cmd, check=True, **kw):
    p = subprocess.run(cmd, env=ENV, capture_output=True, text=True, errors="replace", **kw)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def mkfs(path, opts, kib):
    if os.path.exists(path):
        os.unlink(path)
    run(["mkfs.fat", "-C"] + opts + [path, str(kib)])


def fsck_report(image):
    """fsck.fat -n output without its banner and summary lines."""
    p = run(["fsck.fat", "-n", image], check=False)
    lines = (p.stdout + p.stderr).splitlines()
    body = [ln for ln in lines if not ln.startswith("fsck.fat ")
            and not re.match(r"^.*: \d+ files, \d+/\d+ clusters$", ln)]
    summary = [ln for ln in lines if re.match(r"^.*: \d+ files, \d+/\d+ clusters$", ln)]
    return p.returncode, body, summary


def make_tree(base, cluster, rng, big=True):
    """A host tree with the names and sizes the brief asks for."""
    sizes = [0, 1, 511, 512, 513, cluster - 1, cluster, cluster + 1, 2 * cluster + 1, 100000]
    if big:
        sizes.append(3 * 1024 * 1024 + 17)
    dirs = ["", "sub", "sub/deeper", "sub/deeper/deepest level with a long name",
            "Ünïcödé dir", "MiXeD CaSe"]
    for d in dirs:
        os.makedirs(os.path.join(base, d), exist_ok=True)
    names = ["README.TXT", "lower.txt", "A long file name with spaces.data", "café.bin",
             "日本語のファイル.txt", "file.tar.gz", "x", "Same prefix 1.txt", "Same prefix 2.txt",
             "Same prefix 3.txt", "Same prefix 4.txt", "Same prefix 5.txt", "Same prefix 6.txt"]
    k = 0
    for d in dirs:
        for s in sizes if d in ("", "sub/deeper") else sizes[:6]:
            name = names[k % len(names)]
            k += 1
            path = os.path.join(base, d, f"{s:07d} {name}" if k % 3 else name)
            if os.path.exists(path):
                path += ".dup"
            with open(path, "wb") as f:
                f.write(rng.randbytes(s))
    # many aliases colliding in one directory: ~1..~4, then hashed forms
    for i in range(12):
        with open(os.path.join(base, "sub", f"Collision test file {i}.txt"), "wb") as f:
            f.write(rng.randbytes(i * 37))


def trees_equal(a, b):
    """None if the trees hold the same names and bytes, else what differs."""
    cmp = filecmp.dircmp(a, b)
    stack = [("", cmp)]
    while stack:
        rel, c = stack.pop()
        if c.left_only or c.right_only or c.funny_files:
            return f"{rel or '/'}: only in first {c.left_only}, only in second {c.right_only}"
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        if mismatch or errors:
            return f"{rel or '/'}: contents differ: {mismatch + errors}"
        for name, sub in c.subdirs.items():
            stack.append((os.path.join(rel, name), sub))
    return None


def copy_sparse(src, dst):
    """Copies a mostly empty image quickly (cp skips the holes)."""
    run(["cp", "--sparse=always", src, dst])


def cluster_size(image):
    with open(image, "rb") as f:
        b = f.read(16)
    return (b[11] | b[12] << 8) * b[13]


def check_read(t, work, name, opts, kib, rng):
    img = os.path.join(work, name + ".img")
    src, out = os.path.join(work, name + "-src"), os.path.join(work, name + "-out")
    mkfs(img, opts, kib)
    make_tree(src, cluster_size(img), rng, big=kib > 10000)
    run(["mcopy", "-s", "-i", img] + [os.path.join(src, n) for n in os.listdir(src)] + ["::/"])
    os.makedirs(out)
    p = run([KPIO_DISK, img, "extract", out], check=False)
    diff = p.stderr if p.returncode else trees_equal(src, out)
    t.ok(diff is None, f"read {name}: mtools-filled image extracted by lib/fat is identical", diff)
    if "-n" in opts:
        label = run([KPIO_DISK, img, "label"], check=False).stdout.strip()
        t.ok(label == opts[opts.index("-n") + 1], f"read {name}: label", f"got {label!r}")
    return src


def check_write(t, work, name, opts, kib, src):
    img = os.path.join(work, name + "-w.img")
    out = os.path.join(work, name + "-wout")
    mkfs(img, opts, kib)
    p = run([KPIO_DISK, img, "import", src], check=False)
    if p.returncode:
        t.ok(False, f"write {name}: lib/fat import", p.stderr)
        return
    os.makedirs(out)
    run(["mcopy", "-s", "-i", img, "::/*", out + "/"])
    t.ok(trees_equal(src, out) is None, f"write {name}: mcopy reads lib/fat's files identical",
         trees_equal(src, out))
    rc, body, summary = fsck_report(img)
    t.ok(rc == 0 and not body, f"write {name}: fsck.fat -n reports nothing",
         "\n".join(body) + f"\n(exit {rc})")
    st = run([KPIO_DISK, img, "statfs"]).stdout
    free = int(re.search(r"free=(\d+)", st).group(1))
    used, total = map(int, re.search(r"(\d+)/(\d+) clusters", summary[0]).groups())
    t.ok(free == total - used, f"write {name}: lib/fat free count matches fsck",
         f"lib/fat free={free}, fsck used {used} of {total}")
    # namespace changes, applied to the image and to the host tree alike
    ops = [("mv", "sub/deeper", "Ünïcödé dir/moved deeper"),
           ("mv", "README.TXT", "MiXeD CaSe/renamed readme.txt"),
           ("mkdir", "new dir"),
           ("mv", "lower.txt", "new dir/LOWER.TXT"),
           ("rm", "x"),
           ("mv", "sub/Collision test file 3.txt", "sub/Collision test file 4.txt")]
    ok, why = True, ""
    for op in ops:
        if op[0] == "mv" and not os.path.exists(os.path.join(src, op[1])):
            continue
        if op[0] == "rm" and not os.path.exists(os.path.join(src, op[1])):
            continue
        p = run([KPIO_DISK, img] + list(op), check=False)
        if p.returncode:
            ok, why = False, p.stderr
            break
        if op[0] == "mv":
            os.replace(os.path.join(src, op[1]), os.path.join(src, op[2]))
        elif op[0] == "mkdir":
            os.makedirs(os.path.join(src, op[1]))
        elif op[0] == "rm":
            os.unlink(os.path.join(src, op[1]))
    out2 = out + "2"
    os.makedirs(out2)
    if ok:
        run(["mcopy", "-s", "-i", img, "::/*", out2 + "/"])
        why = trees_equal(src, out2)
        rc, body, _ = fsck_report(img)
        if why is None and (rc or body):
            why = "fsck.fat -n: " + "\n".join(body)
    t.ok(ok and why is None, f"write {name}: renames and deletes seen by mtools and fsck", why)


def check_diff(t, work, seed):
    runs = [("fat32", ["-F", "32", "-s", "1"], 40000, 3000),
            ("fat32-4k", ["-F", "32", "-s", "8"], 300000, 2000),
            ("fat16", ["-F", "16", "-s", "2"], 30000, 2000),
            ("fat12", ["-F", "12", "-s", "8"], 12000, 1500),
            ("fat32-4k-sectors", ["-F", "32", "-S", "4096", "-s", "1"], 300000, 1500)]
    for i, (name, opts, kib, nops) in enumerate(runs):
        s = seed + i
        img = os.path.join(work, f"diff-{name}.img")
        model = os.path.join(work, f"diff-{name}-model")
        out = os.path.join(work, f"diff-{name}-out")
        mkfs(img, opts, kib)
        os.makedirs(model)
        os.makedirs(out)
        p = run([STRESS, "diff", img, str(s), str(nops), model], check=False)
        label = f"diff {name}: {nops} random operations vs the model (seed {s})"
        if not t.ok(p.returncode == 0, label, p.stdout + p.stderr + f"\nrepeat: FAT_SEED={seed}"):
            continue
        rc, body, _ = fsck_report(img)
        t.ok(rc == 0 and not body, f"diff {name}: fsck.fat -n reports nothing", "\n".join(body))
        if os.listdir(model):
            run(["mcopy", "-s", "-i", img, "::/*", out + "/"])
        why = trees_equal(model, out)
        t.ok(why is None, f"diff {name}: mtools sees the model's tree", why)


def after_cut(img, n, work):
    """lib/fat reads the cut image whole; fsck.fat -a repairs it to clean."""
    out = os.path.join(work, "cut-extract")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    p = run([KPIO_DISK, img, "extract", out], check=False)
    if p.returncode:
        return [f"cut at {n}: lib/fat cannot read the image: {p.stderr.strip()}"]
    run(["fsck.fat", "-a", img], check=False)
    rc, body, _ = fsck_report(img)
    if rc or body:
        return [f"cut at {n}: after fsck.fat -a, fsck.fat -n still says: " + "; ".join(body)]
    return []


def check_crash(t, work, seed, points):
    runs = [("fat32", ["-F", "32", "-s", "1"], 40000, 250),
            ("fat32-4k-clusters", ["-F", "32", "-s", "8"], 300000, 250),
            ("fat16", ["-F", "16", "-s", "2"], 30000, 200)]
    for i, (name, opts, kib, nops) in enumerate(runs):
        s = seed + 100 + i
        base = os.path.join(work, f"crash-{name}.img")
        img = os.path.join(work, f"crash-{name}-cut.img")
        mkfs(base, opts, kib)
        copy_sparse(base, img)
        p = run([STRESS, "crash", img, str(s), str(nops), "-1"], check=False)
        m = re.search(r"written (\d+)", p.stdout)
        if p.returncode or not m:
            t.ok(False, f"crash {name}: full workload (seed {s})", p.stdout + p.stderr)
            continue
        total = int(m.group(1))
        rng = random.Random(s)
        cuts = sorted(set([0, 1, 2, total - 1] + [total * k // points for k in range(points)] +
                          [rng.randrange(total) for _ in range(points // 2)]))
        bad, seen = [], {}
        for n in cuts:
            copy_sparse(base, img)
            p = run([STRESS, "crash", img, str(s), str(nops), str(n)], check=False)
            if p.returncode:
                bad.append(f"cut at {n}: workload failed: {p.stderr.strip()}")
                continue
            _, body, _ = fsck_report(img)
            if n % 3 == 0:
                bad += after_cut(img, n, work)
            for ln in body:
                if ln.startswith("/"):
                    continue  # the path line fsck prints before a file's message
                if not any(r.match(ln) for r in CRASH_OK_RE):
                    bad.append(f"cut at {n} sectors: fsck.fat -n: {ln}")
                else:
                    key = re.sub(r"\d+", "N", ln.strip())
                    seen[key] = seen.get(key, 0) + 1
        t.ok(not bad, f"crash {name}: {len(cuts)} cuts across {total} written sectors, "
             f"fsck.fat finds at most lost clusters (seed {s})",
             "\n".join(bad[:20]) + f"\nrepeat: FAT_SEED={seed}")
        t.diag(f"crash {name}: fsck messages over all cuts: " +
               "; ".join(f"{k} x{v}" for k, v in sorted(seen.items()) if k))


def main():
    t = Tap()
    missing = [x for x in ("mkfs.fat", "fsck.fat", "mcopy") if not shutil.which(x)]
    for b in (KPIO_DISK, STRESS):
        if not os.path.exists(b):
            missing.append(b)
    if missing:
        t.skip("lib/fat image tests", "missing: " + ", ".join(missing))
        return t.done()
    seed = int(os.environ.get("FAT_SEED", random.randrange(1 << 30)))
    t.diag(f"FAT_SEED={seed}")
    os.makedirs(os.path.join(BUILD, "tmp"), exist_ok=True)
    work = tempfile.mkdtemp(prefix="fat-images-", dir=os.path.join(BUILD, "tmp"))
    only = os.environ.get("FAT_TESTS", "read,write,diff,crash").split(",")
    try:
        rng = random.Random(seed)
        if "read" in only or "write" in only:
            for name, opts, kib in CONFIGS:
                try:
                    src = check_read(t, work, name, opts, kib, rng)
                except Exception as e:  # a tool failed: report, go on
                    t.ok(False, f"read {name}: setup", str(e))
                    continue
                if "write" in only:
                    check_write(t, work, name, opts, kib, src)
        if "diff" in only:
            check_diff(t, work, seed)
        if "crash" in only:
            check_crash(t, work, seed, int(os.environ.get("FAT_CRASH_POINTS", "120")))
    finally:
        if t.failed == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            t.diag(f"work files kept in {work}")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
