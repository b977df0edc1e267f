#!/usr/bin/env python3
"""tests/qemu/test_jitdisk.py - apps' machine code cached on disk
(kernel/wasm/jit_disk.h, lib/wasm/jit_store.c), across reboots of one image.

1. First boot: each app's first run writes /.jit/<first 32 hex digits of
   the app's SHA-256>.jit (the name is computed here from the .wasm file),
   its second run in the same boot uses it ("jit cache hit" in the debug
   log); the outputs of both runs are equal.
2. Second boot: the cache file of sha256sum, damaged on the image from the
   host (one byte flipped in its code) and that of wc truncated, are
   ignored ("stale or corrupt, ignored"), the apps still print the same,
   and their files are written anew (a third run is a hit).
3. Third boot with jitcache=off: no cache line at all, the same outputs.
4. `rm -r /.jit` in the shell removes the cache, and the next run writes it
   again.
"""
import hashlib
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from diskimg import DiskImage  # noqa: E402
from qemu import Qemu, QemuTimeout, build_dir, virtio_disk  # noqa: E402
from tap import Tap  # noqa: E402

TEXT = b"the quick brown fox\njumps over\nthe lazy dog\n"
APPS = {"sha256sum": "sha256sum /data/fox.txt", "wc": "wc /data/fox.txt"}
LOG_LINE = re.compile(r"^\[\s*\d+\.\d+\] \[")


def cache_name(build, app):
    with open(os.path.join(build, "apps", app + ".wasm"), "rb") as f:
        return "/.jit/" + hashlib.sha256(f.read()).hexdigest()[:32] + ".jit"


def boot(t, build, img, name, commands, cmdline="log=debug"):
    """Runs commands from /etc/rc; returns (outputs per command in order,
    the whole serial log), or None."""
    script = "".join(f"echo @@ {i}\n{c}\n" for i, c in enumerate(commands))
    img.put("/etc/rc", (script + "echo @@ end\nsync\npoweroff\n").encode())
    log = os.path.join(build, "test-logs", f"qemu-jitdisk-{name}.log")
    with Qemu(os.path.join(build, "kpio.iso"), disks=[virtio_disk(img.path)], log=log,
              cmdline=cmdline) as vm:
        try:
            vm.wait_exit(timeout=240)
        except QemuTimeout as e:
            t.ok(False, f"{name}: the apps ran and KPIO powered off", f"{e}\n{vm.tail()}")
            return None
        out = vm.output()
    parts = re.split(r"^@@ (\S+)\r?$", out, flags=re.M)
    outs = {}
    for i in range(1, len(parts) - 1, 2):
        body = [ln for ln in parts[i + 1].splitlines()
                if not LOG_LINE.match(ln) and not ln.startswith("rc")]
        outs[parts[i]] = "\n".join(body).strip()
    return [outs.get(str(i)) for i in range(len(commands))], out


def logged(out, app, what):
    return re.search(rf"\[jit\] {app}: .*{what}", out) is not None


def main():
    t = Tap()
    build = build_dir()
    with tempfile.TemporaryDirectory() as tmp:
        img = DiskImage(os.path.join(tmp, "jit.img"), size_mib=64, cluster_sectors=1)
        for d in ("/apps", "/data", "/etc"):
            img.mkdir(d)
        for app in list(APPS) + ["rm"]:
            img.put_file(f"/apps/{app}.wasm", os.path.join(build, "apps", app + ".wasm"))
        img.put("/data/fox.txt", TEXT)
        names = {app: cache_name(build, app) for app in APPS}

        # 1. first runs write, second runs hit
        cmds = [APPS["sha256sum"], APPS["wc"], APPS["sha256sum"], APPS["wc"]]
        r = boot(t, build, img, "first", cmds)
        if r is None:
            return t.done()
        outs, log = r
        want = {"sha256sum": hashlib.sha256(TEXT).hexdigest() + "  /data/fox.txt"}
        t.ok(outs[0] is not None and outs[0] == want["sha256sum"],
             "first: sha256sum prints the file's hash", f"{outs[0]!r}")
        t.ok(outs[1] is not None and outs[1].split()[:3] == ["3", "9", str(len(TEXT))],
             "first: wc counts the file", f"{outs[1]!r}")
        t.ok(outs[2] == outs[0] and outs[3] == outs[1],
             "first: the second runs (from the cache) print what the first did", f"{outs}")
        for app in APPS:
            t.ok(logged(log, app, "jit cache written " + re.escape(names[app])),
                 f"first: {app}'s first run wrote {names[app]}", log[-3000:])
            t.ok(logged(log, app, "jit cache hit " + re.escape(names[app])),
                 f"first: {app}'s second run used its cache file", log[-3000:])
            data = img.get(names[app])
            t.ok(data is not None and data[:8] == b"KPIOJIT\n",
                 f"image: {names[app]} is there, a cache file", img.listing("/.jit"))
        clean, text = img.fsck()
        t.ok(clean, "image: fsck.fat -n reports nothing after the first boot", text)

        # 2. damaged and truncated files are ignored and written anew
        code = bytearray(img.get(names["sha256sum"]) or b"\0" * 200)
        code[150] ^= 0x01  # in the machine code, after the 96-byte header
        img.put(names["sha256sum"], bytes(code))
        img.put(names["wc"], (img.get(names["wc"]) or b"")[:1000])
        cmds = [APPS["sha256sum"], APPS["wc"], APPS["sha256sum"], APPS["wc"]]
        r = boot(t, build, img, "damaged", cmds)
        if r is None:
            return t.done()
        outs2, log = r
        t.ok(outs2 == outs, "damaged: the apps print what they printed before", f"{outs2}")
        for app in APPS:
            t.ok(logged(log, app, "stale or corrupt, ignored"),
                 f"damaged: {app}'s bad cache file was ignored", log[-3000:])
            t.ok(logged(log, app, "jit cache written") and logged(log, app, "jit cache hit"),
                 f"damaged: {app}'s file was written anew and then used", log[-3000:])
        t.ok(bytes(code) != img.get(names["sha256sum"]), "image: the damaged file was replaced")

        # 3. without the cache
        r = boot(t, build, img, "off", cmds[:2], cmdline="log=debug jitcache=off")
        if r is None:
            return t.done()
        outs3, log = r
        t.ok(outs3 == outs[:2], "jitcache=off: the same outputs", f"{outs3}")
        t.ok(not re.search(r"\[jit\] ", log), "jitcache=off: no cache read or written",
             "\n".join(ln for ln in log.splitlines() if "[jit]" in ln))

        # 4. rm -r /.jit clears it; the next run writes it again
        r = boot(t, build, img, "cleared", ["rm -r /.jit", APPS["wc"]])
        if r is None:
            return t.done()
        outs4, log = r
        t.ok(outs4[1] == outs[1] and logged(log, "wc", "jit cache written"),
             "rm -r /.jit: wc runs and writes its cache again", log[-3000:])
        t.ok(img.get(names["sha256sum"]) is None and img.get(names["wc"]) is not None,
             "image: only wc's file is in /.jit after rm -r", img.listing("/.jit"))
        clean, text = img.fsck()
        t.ok(clean, "image: fsck.fat -n reports nothing at the end", text)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
