#!/usr/bin/env python3
"""bench/linux-guest/mkinitramfs.py - the Linux reference guest's initramfs.

Owns three things: resolving which kernel modules the guest needs (the
closure over modules.dep, in load order), resolving which shared libraries
a dynamically linked program needs (the closure over the DT_NEEDED entries
readelf lists, plus the program interpreter), and writing the initramfs as
a "newc" cpio archive (the format the kernel unpacks, described in the
kernel's Documentation/driver-api/early-userspace/buffer-format.rst).

    mkinitramfs.py --kroot DIR --kver VER --busybox FILE --init FILE \
        --udhcpc-script FILE --modules virtio_pci,virtio_net,... \
        [--root DIR... --program usr/bin/openssl...] \
        [--compress none|gzip] --out FILE [--manifest FILE]

--root names unpacked Debian packages (dpkg-deb -x); each --program is
looked up in them and added with its libraries (into lib/x86_64-linux-gnu,
a directory the dynamic loader searches without a cache) and its
interpreter at the path the program names.

The archive holds busybox with one symlink per applet (from the applet list
the static busybox prints about itself), the init script, the udhcpc
script, /dev/console (needed before init mounts devtmpfs: the kernel opens
it for init's standard streams), the requested modules with everything they
depend on, and /etc/modules.load listing them in insmod order.
"""
import argparse
import gzip
import os
import subprocess
import sys

NEWC_MAGIC = b"070701"
S_IFDIR = 0o040000
S_IFREG = 0o100000
S_IFLNK = 0o120000
S_IFCHR = 0o020000


class Newc:
    """Accumulates cpio newc entries in memory.

    Entries are written in the order added; a directory must be added before
    anything inside it (the kernel creates files with plain open(), it does
    not make parent directories).  Names are relative ("bin/sh").
    """

    def __init__(self):
        self.parts = []
        self.ino = 1
        self.names = set()

    def _entry(self, name, mode, data=b"", nlink=1, rdev=(0, 0)):
        if name in self.names:
            raise ValueError(f"duplicate cpio entry {name}")
        self.names.add(name)
        encoded = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(encoded), 0)
        for value in fields:
            if not 0 <= value <= 0xFFFFFFFF:
                raise ValueError(f"{name}: cpio field out of range: {value}")
        header = NEWC_MAGIC + b"".join(b"%08X" % v for v in fields)
        self.ino += 1
        self._put(header + encoded)
        self._put(data)

    def _put(self, blob):
        """Appends blob and pads it to a multiple of 4 bytes.

        Every piece starts 4-aligned (the header is 110 bytes, so the name
        is padded to make header+name a multiple of 4, and so is the data).
        """
        self.parts.append(blob)
        pad = (-len(blob)) % 4
        if pad:
            self.parts.append(b"\0" * pad)

    def directory(self, name, mode=0o755):
        self._entry(name, S_IFDIR | mode, nlink=2)

    def file(self, name, data, mode=0o644):
        self._entry(name, S_IFREG | mode, data)

    def symlink(self, name, target):
        self._entry(name, S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, mode=0o600):
        self._entry(name, S_IFCHR | mode, rdev=(major, minor))

    def finish(self):
        """Returns the archive bytes, trailer included."""
        self._entry("TRAILER!!!", 0, nlink=1)
        return b"".join(self.parts)


def parse_modules_dep(text):
    """Parses modules.dep ("path.ko: dep.ko dep2.ko" lines).

    Returns {module name: (path, [dependency names])}.  Module names use
    underscores, as the kernel does ("nls_iso8859-1.ko" is "nls_iso8859_1").
    """
    table = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        path, sep, rest = line.partition(":")
        if not sep or not path.endswith(".ko"):
            raise ValueError(f"modules.dep:{lineno}: not 'path.ko: deps'")
        deps = [module_name(d) for d in rest.split()]
        table[module_name(path)] = (path, deps)
    return table


def module_name(path):
    """'kernel/fs/nls/nls_iso8859-1.ko' -> 'nls_iso8859_1'."""
    base = os.path.basename(path)
    if base.endswith(".ko"):
        base = base[:-3]
    return base.replace("-", "_")


def resolve_modules(table, wanted):
    """Returns the modules in wanted plus their dependencies, in an order
    where each module comes after everything it depends on (insmod order).

    Raises KeyError naming a module that modules.dep does not list, and
    ValueError on a dependency cycle.
    """
    order, state = [], {}

    def visit(name, chain):
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise ValueError("module dependency cycle: " + " -> ".join(chain))
        if name not in table:
            raise KeyError(f"module {name} is not in modules.dep")
        state[name] = "visiting"
        for dep in table[name][1]:
            visit(dep, chain + [dep])
        state[name] = "done"
        order.append(name)

    for name in wanted:
        visit(module_name(name), [name])
    return order


def busybox_applets(busybox):
    """Runs the (static, x86_64) busybox to list its applets' full paths."""
    out = subprocess.run([busybox, "--list-full"], check=True,
                         capture_output=True, text=True).stdout
    paths = [p.strip() for p in out.splitlines() if p.strip()]
    for p in paths:
        if p.startswith("/") or ".." in p.split("/"):
            raise ValueError(f"odd applet path from busybox: {p!r}")
    return paths


LIB_DIRS = ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu")
GUEST_LIB_DIR = "lib/x86_64-linux-gnu"


def elf_needs(path):
    """(interpreter path or None, [DT_NEEDED names]) of an ELF file, read
    by binutils' readelf."""
    out = subprocess.run(["readelf", "-W", "-d", "-l", path], check=True,
                         capture_output=True, text=True).stdout
    interp, needed = None, []
    for line in out.splitlines():
        if "Requesting program interpreter:" in line:
            interp = line.split(":", 1)[1].strip().rstrip("]").strip()
        elif "(NEEDED)" in line and "[" in line:
            needed.append(line.split("[", 1)[1].rstrip("]"))
    return interp, needed


def find_file(roots, rel, hops=10):
    """The real file behind rel (a path inside the packages, symlinks
    followed across them, absolute targets taken inside the packages), or
    None when no root holds it."""
    for _ in range(hops):
        for root in roots:
            p = os.path.join(root, rel)
            if os.path.islink(p):
                target = os.readlink(p)
                rel = os.path.normpath(target.lstrip("/") if target.startswith("/")
                                       else os.path.join(os.path.dirname(rel), target))
                break
            if os.path.isfile(p):
                return p
        else:
            return None
    raise ValueError(f"too many symlinks behind {rel}")


def resolve_program(roots, program):
    """[(path in the initramfs, file on the host)] for program, its
    interpreter and every library in the closure of its DT_NEEDED
    entries. Raises KeyError naming what the packages do not hold."""
    src = find_file(roots, program)
    if src is None:
        raise KeyError(f"{program} is in none of the packages")
    files, todo, seen = [(program, src)], [src], set()
    while todo:
        interp, needed = elf_needs(todo.pop())
        if interp and interp.lstrip("/") not in seen:
            real = find_file(roots, interp.lstrip("/"))
            if real is None:
                raise KeyError(f"interpreter {interp} is in none of the packages")
            seen.add(interp.lstrip("/"))
            files.append((interp.lstrip("/"), real))
        for name in needed:
            if name in seen:
                continue
            seen.add(name)
            real = next((r for d in LIB_DIRS if (r := find_file(roots, f"{d}/{name}"))), None)
            if real is None:
                raise KeyError(f"library {name} is in none of the packages")
            files.append((f"{GUEST_LIB_DIR}/{name}", real))
            todo.append(real)
    return files


def read(path):
    with open(path, "rb") as f:
        return f.read()


def build(args):
    """Builds the archive; returns (bytes, manifest lines)."""
    moddir = os.path.join(args.kroot, "lib", "modules", args.kver)
    with open(os.path.join(moddir, "modules.dep")) as f:
        table = parse_modules_dep(f.read())
    wanted = [m for m in args.modules.split(",") if m]
    order = resolve_modules(table, wanted)

    arc = Newc()
    dirs = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys",
            "mnt", "tmp", "etc", "etc/ssl", "etc/ssl/certs", "root", "usr/share", "usr/share/udhcpc",
            "lib", "lib/modules", f"lib/modules/{args.kver}"]
    made = set()
    for d in dirs:
        arc.directory(d, 0o1777 if d == "tmp" else 0o755)
        made.add(d)
    arc.chardev("dev/console", 5, 1)

    arc.file("bin/busybox", read(args.busybox), 0o755)
    for applet in busybox_applets(args.busybox):
        if applet != "bin/busybox":
            parent = os.path.dirname(applet)
            if parent and parent not in made:
                raise ValueError(f"applet {applet} needs directory {parent}")
            arc.symlink(applet, "/bin/busybox")
    arc.file("init", read(args.init), 0o755)
    arc.file("usr/share/udhcpc/default.script", read(args.udhcpc_script), 0o755)

    manifest = [f"kernel {args.kver}"]
    load_lines = []
    for name in order:
        rel = table[name][0]
        dest = f"lib/modules/{args.kver}/{os.path.basename(rel)}"
        data = read(os.path.join(moddir, rel))
        arc.file(dest, data)
        load_lines.append("/" + dest)
        manifest.append(f"module {name} {len(data)} {rel}")
    arc.file("etc/modules.load", ("\n".join(load_lines) + "\n").encode())

    for program in args.program:
        for dest, src in resolve_program(args.root, program):
            parts = dest.split("/")
            for i in range(1, len(parts)):
                d = "/".join(parts[:i])
                if d not in made:
                    arc.directory(d)
                    made.add(d)
            if dest not in arc.names:
                arc.file(dest, read(src), 0o755)
                kind = "program" if dest == program else "library"
                manifest.append(f"{kind} {dest} {os.path.getsize(src)}")

    blob = arc.finish()
    if args.compress == "gzip":
        blob = gzip.compress(blob, compresslevel=9, mtime=0)
    manifest.append(f"initramfs {len(blob)} bytes ({args.compress})")
    return blob, manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kroot", required=True, help="unpacked kernel package")
    ap.add_argument("--kver", required=True)
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--udhcpc-script", required=True)
    ap.add_argument("--modules", required=True, help="comma separated")
    ap.add_argument("--root", action="append", default=[], help="an unpacked package")
    ap.add_argument("--program", action="append", default=[],
                    help="a program in the packages, added with its libraries")
    ap.add_argument("--compress", choices=("none", "gzip"), default="none")
    ap.add_argument("--out", required=True)
    ap.add_argument("--manifest")
    args = ap.parse_args()
    try:
        blob, manifest = build(args)
    except (OSError, ValueError, KeyError, subprocess.CalledProcessError) as e:
        print(f"mkinitramfs: {e}", file=sys.stderr)
        return 1
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, args.out)
    if args.manifest:
        with open(args.manifest, "w") as f:
            f.write("\n".join(manifest) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
