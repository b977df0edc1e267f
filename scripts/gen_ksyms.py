#!/usr/bin/env python3
"""scripts/gen_ksyms.py - writes the kernel symbol table as assembly.

Usage: gen_ksyms.py [NM_OUTPUT] > ksyms.S
Reads `nm -n` output of the first-pass kernel (or nothing, for an empty
table) and emits section .ksyms: a count, {address, name offset} pairs sorted
by address (text symbols only), and the NUL-terminated names.
"""
import sys


def main():
    syms = []
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[1] in ("T", "t"):
                    syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    out = ['    .section .ksyms, "a"', "    .balign 8",
           "    .globl ksyms_count, ksyms_table, ksyms_names",
           f"ksyms_count: .quad {len(syms)}", "ksyms_table:"]
    offset = 0
    for addr, name in syms:
        out.append(f"    .quad {addr:#x}, {offset}")
        offset += len(name) + 1
    out.append("ksyms_names:")
    for _, name in syms:
        out.append(f'    .asciz "{name}"')
    print("\n".join(out))


if __name__ == "__main__":
    main()
