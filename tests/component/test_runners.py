#!/usr/bin/env python3
"""tests/component/test_runners.py - what the runners say of components
they cannot run, and that core modules still run.

  test_runners.py host    kpio-wasm: a component without wasi:cli/run is
                          refused with that reason (WASI mode), --invoke
                          of a function it does not export names it,
                          --dump says it takes core modules only
  test_runners.py qemu    the KPIO shell (kernel/wasm/app.c), from /etc/rc:
                          a component runs with the same output as its
                          core module (args.wat, when make_components.py
                          made it, else SKIP), one without wasi:cli/run and
                          one importing what the host lacks are refused
                          with the reason, and the next app still runs

The small component is built here (Binary.md's encoding). Components on
kpio-wasm are tested by test_run.py.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
from tap import Tap  # noqa: E402
from test_run import missing_import_component  # noqa: E402

# the preamble, then a type section: (type (list string))
SMALL = b"\x00asm\x0d\x00\x01\x00" + b"\x07\x03\x01\x70\x73"


def build_dir():
    return os.environ.get("KPIO_BUILD", "build")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def host(t, build, tmp):
    kw = os.path.join(build, "host", "bin", "kpio-wasm")
    if not os.access(kw, os.X_OK):
        t.ok(False, "kpio-wasm is built", f"no {kw}: run make first")
        return
    small = os.path.join(tmp, "small.wasm")
    with open(small, "wb") as f:
        f.write(SMALL)
    p = run([kw, small, "arg"])
    want = f"kpio-wasm: {small}: the component exports no wasi:cli/run@0.2.N\n"
    t.ok(p.returncode == 1 and p.stderr == want and p.stdout == "",
         "kpio-wasm (WASI mode) says a component without wasi:cli/run is not a command",
         f"status {p.returncode}\nstderr: {p.stderr!r}\nwant: {want!r}")
    p = run([kw, small, "--invoke", "run"])
    want = 'kpio-wasm: no exported function "run": no func export "run"\n'
    t.ok(p.returncode == 1 and p.stderr == want and p.stdout == "",
         "kpio-wasm --invoke of a function the component does not export names it",
         f"status {p.returncode}\nstderr: {p.stderr!r}\nwant: {want!r}")
    p = run([kw, "--dump", small])
    want = (f"kpio-wasm: {small} is a WebAssembly component: --dump and --dump-jit take core "
            "modules only\n")
    t.ok(p.returncode == 1 and p.stderr == want and p.stdout == "",
         "kpio-wasm --dump says it takes core modules only",
         f"status {p.returncode}\nstderr: {p.stderr!r}\nwant: {want!r}")
    odd = os.path.join(tmp, "v2.wasm")
    with open(odd, "wb") as f:
        f.write(b"\x00asm\x02\x00\x00\x00")
    p = run([kw, odd])
    t.ok(p.returncode == 1 and "malformed module: unknown binary version" in p.stderr,
         "a core module of another version is still an unknown binary version", p.stderr)
    p = run([kw, os.path.join(build, "apps", "hello.wasm")])
    t.ok(p.returncode == 0 and "Hello, world!" in p.stdout, "a core module still runs",
         p.stdout + p.stderr)


# Commands run as core module and as jco's component of the app in QEMU
# (not ls /data: its core module sees a terminal, the component does not).
FS_CASES = ["hello", "echo hi there", "cat /data/a.txt", "wc /data/a.txt"]


def qemu(t, build, tmp):
    from diskimg import DiskImage
    from qemu import Qemu, QemuTimeout
    iso = os.path.join(build, "kpio.iso")
    if not os.path.exists(iso):
        t.ok(False, "the ISO is built", "run make first")
        return
    img = DiskImage(os.path.join(tmp, "comp.img"), size_mib=64, cluster_sectors=1)
    for d in ("/apps", "/etc"):
        img.mkdir(d)
    img.put("/apps/comp.wasm", SMALL)
    img.put("/apps/miss.wasm", missing_import_component("wasi:foo/bar@0.2.0", "baz"))
    img.put_file("/apps/hello.wasm", os.path.join(build, "apps", "hello.wasm"))
    img.put_file("/apps/echo.wasm", os.path.join(build, "apps", "echo.wasm"))
    comps = os.path.join(build, "host", "tests", "component")
    have_args = os.path.exists(os.path.join(comps, "args.component.wasm"))
    rc = "comp\nmiss\n"
    if have_args:
        img.put_file("/apps/args.wasm", os.path.join(comps, "args.wasm"))
        img.put_file("/apps/argsc.wasm", os.path.join(comps, "args.component.wasm"))
        rc += "echo ==core\nargs hello kpio\necho ==comp\nargsc hello kpio\necho ==end\n"
    run_fs = have_args
    if run_fs:  # jco's components of apps (the preview1 adapter, over wasi:filesystem)
        img.mkdir("/data")
        img.put("/data/a.txt", b"alpha\nbeta gamma\n")
        for cmd in FS_CASES:
            app, _, rest = cmd.partition(" ")
            img.put_file(f"/apps/{app}c.wasm", os.path.join(comps, app + ".component.wasm"))
            if app != "hello":
                img.put_file(f"/apps/{app}.wasm", os.path.join(build, "apps", app + ".wasm"))
            rc += f"echo ==core\n{cmd}\necho ==comp\n{app}c {rest}\necho ==end\n"
    img.put("/etc/rc", (rc + "hello\npoweroff\n").encode())
    log = os.path.join(build, "test-logs", "qemu-component.log")
    disks = [["-drive", f"file={img.path},if=none,format=raw,id=d0",
              "-device", "virtio-blk-pci,drive=d0"]]
    with Qemu(iso, disks=disks, log=log) as vm:
        try:
            vm.wait_exit(timeout=120)
        except QemuTimeout as e:
            t.ok(False, "KPIO ran /etc/rc and powered off", f"{e}\n{vm.tail()}")
            return
        out = vm.output().replace("\r\n", "\n")
    want = "comp: cannot run: the component exports no wasi:cli/run@0.2.N"
    t.ok(want in out, "the KPIO shell says a component without wasi:cli/run is no command",
         out[-1500:])
    want = ("miss: /apps/miss.wasm: component imports wasi:foo/bar@0.2.0#baz, which this host "
            "does not provide")
    t.ok(want in out, "and refuses a component importing what the host lacks", out[-1500:])
    segs = []
    for seg in re.finditer(r"^==core\n(.*?)^==comp\n(.*?)^==end\n", out, re.M | re.S):
        # the shell echoes each line of /etc/rc as "rc> LINE"
        segs.append(["".join(ln for ln in part.splitlines(True) if not ln.startswith("rc> "))
                     for part in seg.groups()])
    name = "a component (args.wat) runs in the KPIO shell with its core module's output"
    if have_args:
        core, comp = segs[0] if segs else ("", "")
        t.ok("hello\nkpio\n" in core and comp == core, name,
             f"core: {core!r}\ncomponent: {comp!r}\n{out[-1500:]}")
    else:
        t.skip(name, "no args.component.wasm (see tests/unit/component/make_components.py, "
               "JCO_DIR)")
    for i, cmd in enumerate(FS_CASES):
        name = f"jco's component of {cmd!r} in the KPIO shell: its core module's output"
        if not run_fs:
            t.skip(name, "no args.component.wasm (see tests/unit/component/make_components.py, "
                   "JCO_DIR)")
            continue
        core, comp = segs[i + 1] if len(segs) > i + 1 else ("", "")
        t.ok(core and comp == core, name, f"core: {core!r}\ncomponent: {comp!r}")
    t.ok("Hello, world!" in out, "and runs the next app (a core module)", out[-1500:])
    t.ok("unknown binary version" not in out, "no 'unknown binary version'", out[-1500:])


def main():
    t = Tap()
    with tempfile.TemporaryDirectory(prefix="kpio-comp-") as tmp:
        (qemu if sys.argv[1:] == ["qemu"] else host)(t, build_dir(), tmp)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
