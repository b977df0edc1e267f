#!/usr/bin/env python3
"""tests/unit/component/make_seeds.py - seeds for fuzz_component_load:
small components built here (Binary.md's encoding) and the real ones that
make_components.py made, if any.

  make_seeds.py OUT [COMPONENTS_DIR]
"""
import glob
import os
import shutil
import sys


def leb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def name(s):
    return leb(len(s)) + s.encode()


def section(sid, payload):
    return bytes([sid]) + leb(len(payload)) + payload


def vec(items):
    return leb(len(items)) + b"".join(items)


PREAMBLE = b"\x00asm\x0d\x00\x01\x00"
FUNC_T = b"\x40\x00\x01\x00"  # func()
CORE_MODULE = b"\x00asm\x01\x00\x00\x00" + section(1, b"\x01\x60\x00\x00") + \
    section(2, vec([name("env") + name("f") + b"\x00\x00"])) + \
    section(7, vec([name("memory") + b"\x02\x00"])) + section(5, b"\x01\x00\x01")


def seeds():
    kinds = vec([
        b"\x3f\x7f\x00",                                        # resource
        b"\x72" + vec([name("x") + b"\x79", name("s") + b"\x73"]),  # record
        b"\x71" + vec([name("a") + b"\x00\x00", name("b") + b"\x01\x01\x00"]),  # variant
        b"\x70\x73", b"\x6f\x02\x7e\x03",                        # list, tuple
        b"\x6e" + vec([name("r"), name("w")]), b"\x6d" + vec([name("d"), name("f")]),
        b"\x6b\x06", b"\x6a\x01\x03\x00", b"\x69\x00", b"\x68\x00",
        b"\x40" + vec([name("self") + b"\x0a"]) + b"\x00\x01",  # func(self: borrow) -> record
    ])
    yield "kinds", PREAMBLE + section(7, kinds)
    inst_t = b"\x42" + vec([b"\x01" + FUNC_T, b"\x04" + b"\x00" + name("get") + b"\x01\x00"])
    yield "alias", PREAMBLE + section(7, vec([inst_t])) + \
        section(10, vec([b"\x00" + name("wasi:x/y@0.2.0") + b"\x05\x00"])) + \
        section(6, vec([b"\x01\x00\x00" + name("get")])) + \
        section(11, vec([b"\x00" + name("get") + b"\x01\x00\x00"]))
    inner = PREAMBLE + section(7, vec([FUNC_T])) + section(10, vec([b"\x00" + name("f") + b"\x01\x00"]))
    yield "nested", PREAMBLE + section(4, inner) + section(7, vec([FUNC_T])) + \
        section(10, vec([b"\x00" + name("g") + b"\x01\x00"])) + \
        section(5, vec([b"\x00\x00" + vec([name("f") + b"\x01\x00"])]))
    yield "core", PREAMBLE + section(1, CORE_MODULE) + section(7, vec([FUNC_T])) + \
        section(10, vec([b"\x00" + name("f") + b"\x01\x00"])) + \
        section(8, vec([b"\x01\x00\x00\x00"])) + \
        section(2, vec([b"\x01" + vec([name("f") + b"\x00\x00"]),
                        b"\x00\x00" + vec([name("env") + b"\x12\x00"])])) + \
        section(6, vec([b"\x00\x02\x01\x01" + name("memory")])) + \
        section(8, vec([b"\x00\x00\x00" + vec([b"\x03\x00", b"\x00"]) + b"\x00"]))


def more_seeds():
    # an instance type with a resource, a method and a constructor
    res = b"\x42" + vec([
        b"\x04" + b"\x00" + name("r") + b"\x03\x01",              # export "r" (sub resource)
        b"\x01\x68\x00", b"\x01\x69\x00",                         # borrow<r>, own<r>
        b"\x01\x40" + vec([name("self") + b"\x01"]) + b"\x00\x73",  # func(self) -> string
        b"\x01\x40\x00\x00\x02",                                    # func() -> own<r>
        b"\x04" + b"\x00" + name("[method]r.name") + b"\x01\x03",
        b"\x04" + b"\x00" + name("[constructor]r") + b"\x01\x04"])
    yield "resource", PREAMBLE + section(7, vec([res])) + \
        section(10, vec([b"\x00" + name("wasi:x/r@0.2.0") + b"\x05\x00"]))
    # lift of a core func taking a string, with memory and realloc
    mod = b"\x00asm\x01\x00\x00\x00" + \
        section(1, vec([b"\x60\x02\x7f\x7f\x00", b"\x60\x04\x7f\x7f\x7f\x7f\x01\x7f"])) + \
        section(3, vec([b"\x00", b"\x01"])) + section(5, b"\x01\x00\x01") + \
        section(7, vec([name("f") + b"\x00\x00", name("realloc") + b"\x00\x01",
                        name("memory") + b"\x02\x00"])) + \
        section(10, vec([b"\x02\x00\x0b", b"\x04\x00\x41\x00\x0b"]))
    yield "lift", PREAMBLE + section(1, mod) + section(2, vec([b"\x00\x00\x00"])) + \
        section(6, vec([b"\x00\x00\x01\x00" + name("f"), b"\x00\x00\x01\x00" + name("realloc"),
                        b"\x00\x02\x01\x00" + name("memory")])) + \
        section(7, vec([b"\x40" + vec([name("s") + b"\x73"]) + b"\x01\x00"])) + \
        section(8, vec([b"\x00\x00\x00" + vec([b"\x00", b"\x03\x00", b"\x04\x01"]) + b"\x00"])) + \
        section(11, vec([b"\x00" + name("f") + b"\x01\x00\x00"]))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for n, data in list(seeds()) + list(more_seeds()):
        with open(os.path.join(out, n + ".wasm"), "wb") as f:
            f.write(data)
    if len(sys.argv) > 2:
        for comp in sorted(glob.glob(os.path.join(sys.argv[2], "*.component.wasm")))[:4]:
            shutil.copy(comp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
