#!/usr/bin/env python3
"""tests/qemu/test_shell.py - the kernel's shell (lib/shell over kernel/shell)
in QEMU, checked from the host.

/etc/rc is a script with variables, redirections (>, >>, <, 2>), a
conditional, a loop, statuses, a syntax error in a script run by `sh`,
pipelines between apps through kernel pipes (16 MiB through
`cat | sha256sum` and `cat | wc -c`, a reader that exits at once) and
background jobs, the text tools in a pipeline and xargs running an app.
After it, Ctrl-C on the console stops a running app and
the prompt comes back; Tab completes; `time` measures a pipeline. Then the guest powers off and the host reads the
files the shell wrote with mtools and checks the image with fsck.fat; the
hashes come from Python's hashlib.
"""
import glob
import hashlib
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import DiskImage  # noqa: E402
from qemu import Qemu, QemuExited, QemuTimeout, build_dir, virtio_disk  # noqa: E402
from tap import Tap  # noqa: E402

BIG = 16 << 20
PROMPT = r"kpio:/\$ "

RC = r"""# /etc/rc of tests/qemu/test_shell.py
echo $HOME > /data/z
echo "second line" >> /data/z
GREETING='hello  there'
echo "$GREETING" $GREETING > /data/vars.txt
cat /data/missing.txt 2> /data/err.txt || true
/apps/cat.wasm /data/missing.txt 2> /data/err-app.txt || true
/apps/wc.wasm < /data/z > /data/wc.txt
/apps/cat.wasm /data/z /data/missing.txt > /data/both.txt 2>&1 || true
if [ -f /data/z ]; then echo yes > /data/cond.txt; else echo no > /data/cond.txt; fi
for n in 1 2 3; do
    echo "item $n" >> /data/loop.txt
done
false || echo "status was $?" > /data/status.txt
sh /data/bad.sh 2> /data/syntax.txt || echo "sh status $?" >> /data/syntax.txt
free > /data/free-before.txt
/apps/cat.wasm /data/big.bin | sha256sum > /data/hash.txt
/apps/cat.wasm /data/big.bin | /apps/wc.wasm -c > /data/count.txt
/apps/cat.wasm /data/big.bin | hello > /data/early.txt
echo "early $?" >> /data/early.txt
free > /data/free-after.txt
echo x | /apps/cat.wasm /data/missing.txt 2> /data/e1.txt || echo "pipe status $?" > /data/pipe.txt
/apps/cat.wasm /data/missing.txt 2>/data/e2.txt | /apps/wc.wasm -c >> /data/pipe.txt; echo "pipe status $?" >> /data/pipe.txt
sleep 1 &
jobs > /data/jobs.txt
wait %1
echo "waited $?" >> /data/jobs.txt
spin > /data/spin.txt &
kill %1
wait %1
echo "killed $?" >> /data/jobs.txt
export P1_TEST=from-the-shell
/tests/p1_calls.wasm word > /data/p1.txt || true
: > /data/empty
P2_TEST='two words' /tests/p2_cli.wasm one two < /data/empty | /apps/cat.wasm > /data/p2.txt
echo 0123456789abc | /tests/p2_cli.wasm splice 2> /data/zeroes.bin | /apps/cat.wasm > /data/splice.txt
echo "P1_TEST after: $P1_TEST, P2_TEST after: $P2_TEST" > /data/env-after.txt
seq 1 1000 | grep 7 | sort -r | uniq -c | head -n 3 > /data/text-pipe.txt
seq 1 20 | tail -n 3 | tee /data/tee.txt | grep -c 1 > /data/tee-count.txt
echo /data/z /data/loop.txt | xargs wc -l > /data/xargs.txt
echo "xargs $?" >> /data/xargs.txt
seq 1 3 | xargs -I N echo "line N" >> /data/xargs.txt
: > /data/x
[ -f /data/x ] && echo yes > /data/test.txt
[ -f /data/nope ] || echo no >> /data/test.txt
/apps/test.wasm -d /data && echo app-yes >> /data/test.txt
[ -s /data/x ] || echo empty >> /data/test.txt
[ -s /data/z ] && echo sized >> /data/test.txt
/apps/[.wasm -d /data ] && echo app-bracket >> /data/test.txt
/apps/[.wasm -d /data 2>> /data/test.txt || echo "bracket status $?" >> /data/test.txt
sync
"""


def make_image(path, build, big):
    img = DiskImage(path, size_mib=128)
    for d in ("/apps", "/data", "/etc"):
        img.mkdir(d)
    for app in glob.glob(os.path.join(build, "apps", "*.wasm")):
        img.put_file("/apps/" + os.path.basename(app), app)
    img.mkdir("/tests")
    for prog in ("p1_calls", "p2_cli"):  # WASI test programs (tests/wasi) that print their environ
        path = os.path.join(build, "tests", "wasi", prog + ".wasm")
        if os.path.exists(path):
            img.put_file(f"/tests/{prog}.wasm", path)
    img.put("/data/big.bin", big)
    img.put("/data/bad.sh", b"echo fine\necho 'unterminated\n")
    img.put("/etc/rc", RC.encode())
    return img


def text(img, path):
    data = img.get(path)
    return data.decode(errors="replace") if data is not None else None


def check_files(t, img, big):
    t.ok(text(img, "/data/z") == "/\nsecond line\n", "> and >>: echo $HOME > /data/z, then >>",
         repr(text(img, "/data/z")))
    t.ok(text(img, "/data/vars.txt") == "hello  there hello there\n",
         "variables: quoted keeps blanks, unquoted splits", repr(text(img, "/data/vars.txt")))
    err = text(img, "/data/err.txt") or ""
    t.ok("missing.txt" in err, "2>: a built-in's error lands in the file", repr(err))
    err = text(img, "/data/err-app.txt") or ""
    t.ok("missing.txt" in err, "2>: an app's stderr lands in the file", repr(err))
    both = text(img, "/data/both.txt") or ""
    t.ok(both.startswith("/\nsecond line\n") and "missing.txt" in both,
         "> FILE 2>&1: an app's stdout and stderr both land in the file", repr(both))
    wc = (text(img, "/data/wc.txt") or "").split()
    t.ok(wc[:3] == ["2", "3", "14"], "<: wc reads /data/z as its stdin", repr(wc))
    t.ok(text(img, "/data/cond.txt") == "yes\n", "if [ -f ]; then ...; else ...; fi in /etc/rc")
    t.ok(text(img, "/data/loop.txt") == "item 1\nitem 2\nitem 3\n", "for loop in /etc/rc",
         repr(text(img, "/data/loop.txt")))
    t.ok(text(img, "/data/status.txt") == "status was 1\n", "|| and $?",
         repr(text(img, "/data/status.txt")))
    syn = text(img, "/data/syntax.txt") or ""
    t.ok(re.search(r"^/data/bad\.sh: syntax error: unterminated quote at line 2, column 6$", syn,
                   re.M) is not None and "sh status 2" in syn and "fine" not in syn,
         "sh FILE: a syntax error names line and column, nothing runs, status 2", repr(syn))
    want = hashlib.sha256(big).hexdigest()
    got = (text(img, "/data/hash.txt") or "").split()
    t.ok(got[:1] == [want], "pipe: cat 16 MiB | sha256sum gives the host's SHA-256", repr(got))
    got = (text(img, "/data/count.txt") or "").split()
    t.ok(got[:1] == [str(BIG)], "pipe: cat 16 MiB | wc -c counts every byte", repr(got))
    heap = [re.search(r"kernel heap: (\d+) KiB in use in \d+ blocks, peak (\d+) KiB",
                      text(img, f) or "") for f in ("/data/free-before.txt", "/data/free-after.txt")]
    if heap[0] and heap[1]:
        grown = int(heap[1].group(2)) - int(heap[0].group(1))
        t.ok(grown < 8 * 1024, "pipes: the kernel heap's peak during 3 x 16 MiB through pipes is "
             "%d KiB above the use before (bounded, not the data)" % grown)
    else:
        t.ok(False, "free's heap line before and after the pipelines", repr(heap))
    early = text(img, "/data/early.txt") or ""
    t.ok("early 0" in early and len(early) > len("early 0\n"),
         "pipe: a reader that exits at once ends the pipeline (no hang), status of the last",
         repr(early))
    pipe = (text(img, "/data/pipe.txt") or "").splitlines()
    t.ok(len(pipe) == 3 and pipe[0] == "pipe status 1" and pipe[1].split()[:1] == ["0"]
         and pipe[2] == "pipe status 0",
         "pipeline status is the last command's", repr(pipe))
    jobs = (text(img, "/data/jobs.txt") or "").splitlines()
    t.ok(len(jobs) == 3 and re.match(r"^\[1\] \d+$", jobs[0]) and jobs[1] == "waited 0"
         and jobs[2] == "killed 137", "& jobs, wait %1, kill %1", repr(jobs))
    if os.path.exists(os.path.join(build_dir(), "tests", "wasi", "p2_cli.wasm")):
        p1 = text(img, "/data/p1.txt") or ""
        t.ok("env: P1_TEST=from-the-shell\n" in p1 and "arg 1: word\n" in p1,
             "export reaches an app's preview1 environ_get", p1[:300])
        p2 = text(img, "/data/p2.txt") or ""
        t.ok("environment P2_TEST=two words\n" in p2 and "argument 2: two\n" in p2,
             "NAME=value before a command reaches a 0.2 app's get-environment, whose 0.2 stdout "
             "stream goes through a pipe", p2[:300])
        t.ok(text(img, "/data/splice.txt") == "skipped: 3\n3456789abc\n\nspliced: 11, then: closed\n",
             "0.2 streams: skip and splice from a pipe into a pipe, closed at the writer's end",
             repr(text(img, "/data/splice.txt")))
        t.ok(text(img, "/data/env-after.txt") == "P1_TEST after: from-the-shell, P2_TEST after: \n",
             "a prefix assignment does not stay in the shell", text(img, "/data/env-after.txt"))
    else:
        t.skip("environ through WASI", "build/tests/wasi/p2_cli.wasm not built (make)")
    check_text_tools(t, img)
    fsck = img.fsck()
    t.ok(fsck[0], "fsck.fat -n is clean after the shell's writes", fsck[1] if len(fsck) > 1 else "")


def check_text_tools(t, img):
    """The text tools (apps) and xargs (a built-in) in /etc/rc."""
    seven = sorted((str(i) for i in range(1, 1001) if "7" in str(i)), reverse=True)
    want = "".join(f"      1 {n}\n" for n in seven[:3])
    got = text(img, "/data/text-pipe.txt")
    t.ok(got == want, "seq 1 1000 | grep 7 | sort -r | uniq -c | head -n 3 > FILE",
         f"{got!r}, want {want!r}")
    t.ok(text(img, "/data/tee.txt") == "18\n19\n20\n" and text(img, "/data/tee-count.txt") == "2\n",
         "seq | tail -n 3 | tee FILE | grep -c 1",
         repr((text(img, "/data/tee.txt"), text(img, "/data/tee-count.txt"))))
    xa = (text(img, "/data/xargs.txt") or "").splitlines()
    t.ok(len(xa) == 7 and xa[0].split() == ["2", "/data/z"] and xa[1].split() == ["3", "/data/loop.txt"]
         and xa[2].split() == ["5", "total"] and xa[3] == "xargs 0"
         and xa[4:] == ["line 1", "line 2", "line 3"],
         "xargs runs an app (wc -l FILES) and a built-in (-I)", repr(xa))
    t.ok(text(img, "/data/test.txt") == "yes\nno\napp-yes\nempty\nsized\napp-bracket\n"
         "[: missing ']'\nbracket status 2\n",
         "[ -f FILE ] && ..., [ -f MISSING ] || ..., /apps/test.wasm -d, [ -s EMPTY ], [ -s FILE ], "
         "/apps/[.wasm with and without the closing ]", repr(text(img, "/data/test.txt")))


def main():
    t = Tap()
    build = build_dir()
    iso = os.path.join(build, "kpio.iso")
    if not os.path.exists(iso):
        t.skip("shell in QEMU", f"{iso} not built (make)")
        sys.exit(t.done())
    big = os.urandom(BIG)
    with tempfile.TemporaryDirectory() as tmp:
        img = make_image(os.path.join(tmp, "shell.img"), build, big)
        log = os.path.join(build, "test-logs", "qemu-shell.log")
        disks = [virtio_disk(img.path)]
        with Qemu(iso, disks=disks, log=log) as vm:
            try:
                vm.wait_for(PROMPT, timeout=300)
                t.ok(True, "/etc/rc ran to its end and the prompt came")
                rc_end = vm.time_of(r"^rc> sync")
                w0, w1 = vm.time_of(r"^rc> /apps/cat.wasm /data/big.bin \| /apps/wc"), \
                    vm.time_of(r"^rc> /apps/cat.wasm /data/big.bin \| hello")
                if w0 is not None and w1 is not None and w1 > w0:
                    t.diag("figure: cat 16 MiB | wc -c in KPIO: %.2f s, %.1f MiB/s"
                           % (w1 - w0, 16 / (w1 - w0)))
                start = len(vm.output())
                vm.send("spin\r")
                vm.wait_for(r"spinning", timeout=60, start=start)
                vm.send("\x03")
                vm.wait_for(r"spin: killed", timeout=60, start=start)
                vm.wait_for(PROMPT, timeout=60, start=start)
                t.ok(True, "Ctrl-C stops the foreground app and the prompt comes back")
                start = len(vm.output())
                vm.send("echo 'oops\r")
                vm.wait_for(r"^> ", timeout=30, start=start)
                vm.send("' done\r")
                vm.wait_for(r"^oops\r?\n done", timeout=30, start=start)
                t.ok(True, "an open quote continues on a '> ' line")
                start = len(vm.output())
                vm.send("if true; then\r")
                vm.send("fi\r")
                vm.wait_for(r"syntax error: unexpected 'fi' at line 2, column 1", timeout=30,
                            start=start)
                t.ok(True, "an interactive syntax error names line and column")
                start = len(vm.output())
                vm.send("cat /data/lo\t\r")
                vm.wait_for(r"item 1\r?\nitem 2\r?\nitem 3", timeout=30, start=start)
                vm.wait_for(PROMPT, timeout=30, start=start)
                start = len(vm.output())
                vm.send("sha2\t/data/z\r")
                want = hashlib.sha256(b"/\nsecond line\n").hexdigest()
                vm.wait_for(want + r"  /data/z", timeout=30, start=start)
                vm.wait_for(PROMPT, timeout=30, start=start)
                t.ok(True, "Tab completes a path and a command name")
                start = len(vm.output())
                vm.send("time /apps/cat.wasm /data/big.bin | /apps/wc.wasm -c\r")
                m = vm.wait_for(r"real (\d+\.\d{3}) s", timeout=120, start=start)
                secs = float(m.group(1))
                t.ok(str(BIG) in vm.output()[start:] and secs > 0,
                     "time PIPELINE prints the elapsed time after the pipeline's output")
                t.diag("figure: time cat 16 MiB | wc -c in KPIO: %.3f s, %.1f MiB/s"
                       % (secs, 16 / secs))
                vm.wait_for(PROMPT, timeout=30, start=start)
                vm.send("poweroff\r")
                vm.wait_exit(timeout=60)
            except (QemuTimeout, QemuExited) as e:
                t.ok(False, "the shell session in QEMU", f"{e}\n{vm.tail()}")
                sys.exit(t.done())
        check_files(t, img, big)
    sys.exit(t.done())


if __name__ == "__main__":
    main()
