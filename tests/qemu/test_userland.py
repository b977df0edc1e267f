#!/usr/bin/env python3
"""tests/qemu/test_userland.py - the file and system userland of issue 21 in
the KPIO shell, checked from the host.

/etc/rc runs `ls -l /data`, `ls -a /data`, `touch`, `stat`, `df`, `date`,
`env` and `which` with their output redirected into files; then the same
commands typed at the prompt print on the console. After power-off the
host reads the files with mtools and compares them with what it knows:
sizes and FAT timestamps from `mdir` (the file touch made is there, with
the guest's time), the free space mdir reports, the host's
clock for `date` (QEMU's RTC starts from it), the apps' paths.
"""
import calendar
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import ENV, DiskImage  # noqa: E402
from qemu import Qemu, QemuExited, QemuTimeout, build_dir, virtio_disk  # noqa: E402
from tap import Tap  # noqa: E402

PROMPT = r"kpio:/\$ "
OLD = 1262351229  # 2010-01-01 13:07:09 UTC

RC = r"""# /etc/rc of tests/qemu/test_userland.py
ls -l /data > /data/ls-l.txt
ls -a /data > /data/ls-a.txt
ls -Z /data 2> /data/ls-bad.txt || echo "ls status $?" >> /data/ls-bad.txt
ls -l /data/old.txt > /data/ls-old.txt
touch /data/made.txt /data/old.txt
echo "touch status $?" > /data/touch.txt
touch -c /data/not-made.txt
stat /data/made.txt > /data/stat.txt
stat -c '%n %s %F %Y' /data/hello.txt /data/sub >> /data/statc.txt
date +%s > /data/date.txt
date >> /data/date.txt
df > /data/df.txt
df /data >> /data/df.txt
which ls > /data/which.txt
which nope >> /data/which.txt || echo "which status $?" >> /data/which.txt
KPIO_T=yes env > /data/env.txt
env ls > /data/env-run.txt 2>&1 || echo "env status $?" >> /data/env-run.txt
sync
"""


def make_image(path, build):
    img = DiskImage(path, size_mib=64)
    for d in ("/apps", "/data", "/data/sub", "/etc"):
        img.mkdir(d)
    for app in glob.glob(os.path.join(build, "apps", "*.wasm")):
        img.put_file("/apps/" + os.path.basename(app), app)
    img.put("/data/hello.txt", b"hello\n")
    img.put("/data/.hidden", b"h")
    old = os.path.join(os.path.dirname(path), "old.txt")
    with open(old, "wb") as f:
        f.write(b"old\n")
    os.utime(old, (OLD, OLD))
    subprocess.run(["mcopy", "-m", "-i", img.spec, old, "::/data/old.txt"], check=True,
                   capture_output=True, env=ENV)  # -m: keep the old modification time
    img.put("/etc/rc", RC.encode())
    return img


def text(img, path):
    data = img.get(path)
    return data.decode(errors="replace") if data is not None else ""


def mdir_entries(img, path):
    """{name: (size or None for a directory, 'YYYY-MM-DD HH:MM')} from mdir
    (the long name when mdir shows one, else the short name and extension)."""
    out = {}
    for line in img.listing(path).splitlines():
        m = re.match(r"^(\S+)\s+(?:(\S{1,3})\s+)?(<DIR>|\d+)\s+(\d{4}-\d\d-\d\d)\s+(\d+):(\d\d)"
                     r"\s*(.*)$", line)
        if m:
            name = m.group(7).strip() or m.group(1) + ("." + m.group(2) if m.group(2) else "")
            size = None if m.group(3) == "<DIR>" else int(m.group(3))
            out[name] = (size, f"{m.group(4)} {int(m.group(5)):02d}:{m.group(6)}")
    return out


def ls_when(ymdhm):
    """mdir's 'YYYY-MM-DD HH:MM' as ls -l shows a recent time."""
    return time.strftime("%b %e %H:%M", time.strptime(ymdhm, "%Y-%m-%d %H:%M"))


def check_files(t, img, t0, t1):
    ents = mdir_entries(img, "/data")
    lsl = text(img, "/data/ls-l.txt")
    for name in ("hello.txt", "sub"):
        if name not in ents:
            t.ok(False, f"mdir shows /data/{name}", img.listing("/data"))
            continue
        size, when = ents[name]
        kind = "d" if size is None else "-"
        pat = rf"(?m)^{kind}[-rwx]{{9}} +\d+ +\d+ {re.escape(ls_when(when))} {re.escape(name)}$"
        m = re.search(pat, lsl)
        sz = re.search(rf"(?m)^\S+ +\d+ +(\d+) .* {re.escape(name)}$", lsl)
        t.ok(m is not None and (size is None or int(sz.group(1)) == size),
             f"ls -l /data: {name}'s type, size and FAT time as mdir shows them ({when})",
             f"{lsl!r}")
    t.ok(".hidden" not in lsl, "ls -l hides dot files", repr(lsl))
    lsa = text(img, "/data/ls-a.txt").split("\n")
    t.ok(lsa[:4] == [".", "..", ".hidden", "hello.txt"] and "sub" in lsa,
         "ls -a /data: . .. and the dot file, sorted", repr(lsa))
    bad = text(img, "/data/ls-bad.txt")
    t.ok(bad == "ls: invalid option -- 'Z'\nTry 'ls --help' for more information.\nls status 2\n",
         "ls -Z: refused as GNU does, not taken as a file name", repr(bad))
    lso = text(img, "/data/ls-old.txt")
    t.ok(lso == "-rw-r--r-- 1 4 Jan  1  2010 /data/old.txt\n",
         "ls -l of a file older than six months shows the year (GNU's rule)", repr(lso))
    tch = text(img, "/data/touch.txt")
    t.ok(tch == "touch status 0\n", "touch of a new and an existing file succeeds", repr(tch))
    old = ents.get("old.txt")
    made = ents.get("made.txt")
    t.ok(old is not None and made is not None and old[1] == made[1] and old[0] == 4,
         "touch set the 2010 file's time to now on the disk (mdir shows it as the new "
         "file's), contents kept", f"{old} {made}")
    t.ok(made is not None and made[0] == 0, "touch /data/made.txt: mtools finds the empty file",
         img.listing("/data"))
    t.ok("not-made.txt" not in ents, "touch -c creates nothing")
    st = text(img, "/data/stat.txt")
    m = re.search(r"^Modify: (\d{4}-\d\d-\d\d \d\d:\d\d):\d\d", st, re.M)
    t.ok(st.startswith("  File: /data/made.txt\n  Size: 0") and "regular empty file" in st
         and m is not None and made is not None and m.group(1) == made[1],
         "stat after touch: name, size 0, type, and the Modify time mdir shows", repr(st))
    if made:
        secs = calendar.timegm(time.strptime(made[1], "%Y-%m-%d %H:%M"))
        t.ok(t0 - 120 <= secs <= t1 + 60, "touch's time is the guest's now (the host's clock "
             "through the RTC, to FAT's resolution)", f"{made[1]} vs host {t0:.0f}..{t1:.0f}")
    statc = text(img, "/data/statc.txt")
    hello = ents.get("hello.txt")
    if hello:
        want_y = calendar.timegm(time.strptime(hello[1], "%Y-%m-%d %H:%M"))
        m = re.match(r"^/data/hello\.txt 6 regular file (\d+)\n/data/sub 0 directory \d+\n$",
                     statc)
        t.ok(m is not None and 0 <= int(m.group(1)) - want_y < 60,
             "stat -c '%n %s %F %Y': name, size, type, mtime as mdir's", repr(statc))
    dt = text(img, "/data/date.txt").split("\n")
    try:
        guest = int(dt[0])
    except ValueError:
        guest = None
    t.ok(guest is not None and t0 - 5 <= guest <= t1 + 5,
         "date +%s: the host's clock (QEMU's RTC) within the run's span", f"{dt!r} vs {t0}..{t1}")
    fmt_ok = len(dt) > 1 and guest is not None and re.match(
        r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}$", dt[1]) is not None
    if fmt_ok:
        shown = calendar.timegm(time.strptime(re.sub(" +", " ", dt[1]), "%a %b %d %H:%M:%S UTC %Y"))
        fmt_ok = 0 <= shown - guest <= 2
    t.ok(fmt_ok,
         "date: GNU's default format in UTC", repr(dt))
    df = text(img, "/data/df.txt").splitlines()
    ok = len(df) == 4 and df[0].split() == ["Filesystem", "1K-blocks", "Used", "Available",
                                            "Use%", "Mounted", "on"] and df[2] == df[0]
    if ok:
        cols = df[1].split()
        ok = len(cols) == 6 and cols[5] == "/" and int(cols[1]) == int(cols[2]) + int(cols[3]) \
            and 50 * 1024 < int(cols[1]) <= 64 * 1024 and cols[4].endswith("%") \
            and df[3].split()[5:] == ["/"]
    t.ok(ok, "df: GNU df -k's columns for / (a 64 MiB disk), total = used + available; "
         "df /data names the mount /", "\n".join(df))
    m = re.search(r"([\d ]+) bytes free", img.listing("/"))
    free_k = int(m.group(1).replace(" ", "")) // 1024 if m else None
    t.ok(ok and free_k is not None and abs(int(df[1].split()[3]) - free_k) <= 64,
         f"df's Available is the free space mdir reports after power-off ({free_k} KiB; the "
         "rc's later files aside)", f"{df[1:2]} vs {free_k}")
    wh = text(img, "/data/which.txt")
    t.ok(wh == "/apps/ls.wasm\nwhich status 1\n", "which ls: /apps/ls.wasm as the shell runs "
         "it; which nope: nothing, status 1", repr(wh))
    env = text(img, "/data/env.txt").splitlines()
    t.ok("KPIO_T=yes" in env and "PATH=/apps" in env and "HOME=/" in env,
         "env prints the exported variables and NAME=value", repr(env))
    er = text(img, "/data/env-run.txt")
    t.ok("cannot run a command" in er and "env status 126" in er,
         "env COMMAND is refused with a clear message (WASI has no spawn)", repr(er))
    fsck = img.fsck()
    t.ok(fsck[0], "fsck.fat -n is clean after the userland's writes", fsck[1] if len(fsck) > 1 else "")


def typed(t, vm, cmd, pattern, what):
    start = len(vm.output())
    vm.send(cmd + "\r")
    vm.wait_for(pattern, timeout=60, start=start)
    vm.wait_for(PROMPT, timeout=60, start=start)
    t.ok(True, what)


def main():
    t = Tap()
    build = build_dir()
    iso = os.path.join(build, "kpio.iso")
    if not os.path.exists(iso):
        t.skip("userland in QEMU", f"{iso} not built (make)")
        sys.exit(t.done())
    with tempfile.TemporaryDirectory() as tmp:
        img = make_image(os.path.join(tmp, "userland.img"), build)
        log = os.path.join(build, "test-logs", "qemu-userland.log")
        disks = [virtio_disk(img.path)]
        t0 = time.time()
        # jitcache=off: apps run after df would otherwise add their code
        # cache files to /.jit, and df's figure is compared with the free
        # space the host reads after power-off.
        with Qemu(iso, disks=disks, log=log, cmdline="jitcache=off") as vm:
            try:
                vm.wait_for(PROMPT, timeout=300)
                t.ok(True, "/etc/rc ran to its end and the prompt came")
                typed(t, vm, "ls -l /data", r"-rw-r--r-- +1 +6 \w{3} [ \d]\d \d\d:\d\d hello\.txt",
                      "ls -l /data at the prompt: the app's long listing")
                typed(t, vm, "ls -a /data", r"\.\r?\n\.\.\r?\n\.hidden\r?\n",
                      "ls -a /data at the prompt")
                typed(t, vm, "df", r"Filesystem +1K-blocks +Used +Available +Use% +Mounted on",
                      "df at the prompt")
                typed(t, vm, "which ls", r"/apps/ls\.wasm", "which ls at the prompt")
                vm.send("poweroff\r")
                vm.wait_exit(timeout=60)
            except (QemuTimeout, QemuExited) as e:
                t.ok(False, "the userland session in QEMU", f"{e}\n{vm.tail()}")
                sys.exit(t.done())
        t1 = time.time()
        check_files(t, img, t0, t1)
    sys.exit(t.done())


if __name__ == "__main__":
    main()
