#!/usr/bin/env python3
"""scripts/gen_wasi_imports.py - generates apps/include/wasi2/imports.h, the
C declarations of every WASI 0.2 import at the core-module level.

The signatures come from the machine-made table of the standard
(core-signatures-0.2.12.tsv in WASI_WIT, default ../shared/wit): each row
gives the import module, the field name and the flattened core parameters
and results under the canonical ABI, so the declarations cannot drift from
what `jco new` accepts. The WIT itself (WASI_WIT/wasi-0.2.12/) supplies the
readable WIT signature put above each declaration, the return-area layout
comes from return-area-layouts-0.2.12.tsv, and the enum and variant case
numbers (error codes and the like) are read from the WIT too.

    scripts/gen_wasi_imports.py [--wit DIR] [--out FILE]   # writes FILE
    scripts/gen_wasi_imports.py --check FILE               # exit 1 if stale

C names: "<package>_<interface>_<function>" with '-' and ':' as '_', and
the function part cleaned: "[method]tcp-socket.start-connect" becomes
tcp_socket_start_connect, "[constructor]fields" fields_new,
"[static]incoming-body.finish" incoming_body_finish and
"[resource-drop]pollable" pollable_drop. So wasi:sockets/tcp's
"[method]tcp-socket.subscribe" is wasi_sockets_tcp_tcp_socket_subscribe.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIG_TSV = "core-signatures-0.2.12.tsv"
LAYOUT_TSV = "return-area-layouts-0.2.12.tsv"
WIT_SUBDIR = "wasi-0.2.12"
CTYPE = {"i32": "int32_t", "i64": "int64_t", "f32": "float", "f64": "double"}


def c_ident(s):
    return re.sub(r"[^A-Za-z0-9]", "_", s)


def split_module(module):
    """'wasi:http/types@0.2.12' -> ('wasi:http', 'types', '0.2.12')."""
    m = re.fullmatch(r"([a-z0-9-]+:[a-z0-9-]+)/([a-z0-9-]+)@([0-9.]+)", module)
    if not m:
        raise ValueError(f"unexpected import module name {module!r}")
    return m.group(1), m.group(2), m.group(3)


def func_c_name(field):
    """The function part of the C name and the WIT key (resource, name)."""
    m = re.fullmatch(r"\[(method|static)\]([a-z0-9-]+)\.([a-z0-9-]+)", field)
    if m:
        return c_ident(m.group(2) + "_" + m.group(3)), (m.group(2), m.group(3))
    m = re.fullmatch(r"\[constructor\]([a-z0-9-]+)", field)
    if m:
        return c_ident(m.group(1)) + "_new", (m.group(1), "constructor")
    m = re.fullmatch(r"\[resource-drop\]([a-z0-9-]+)", field)
    if m:
        return c_ident(m.group(1)) + "_drop", (m.group(1), None)
    if re.fullmatch(r"[a-z0-9-]+", field):
        return c_ident(field), (None, field)
    raise ValueError(f"unexpected import field name {field!r}")


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    return rows[1:] if rows and rows[0][0] == "module" else rows


# --- a small reader for the jco-stripped WIT (no doc comments) ---------------

def find_block(text, start):
    """Index just after the '}' matching the '{' at or after start."""
    i = text.index("{", start)
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return i + 1, j
    raise ValueError("unbalanced braces in WIT")


def parse_wit(wit_dir):
    """Returns (funcs, cases): funcs maps (package, interface, resource,
    name) to the WIT text of the function; cases maps (package, interface,
    type) to its list of case names, for every enum and variant."""
    funcs, cases = {}, {}
    for sub in sorted(os.listdir(wit_dir)):
        path = os.path.join(wit_dir, sub, "package.wit")
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"//[^\n]*", "", text)
        text = re.sub(r"@(unstable|since|deprecated)\([^)]*\)", "", text)
        text = re.sub(r"\s+", " ", text)
        pkg = re.search(r"package ([a-z0-9-]+:[a-z0-9-]+)@", text).group(1)
        for m in re.finditer(r"\binterface ([a-z0-9-]+) \{", text):
            body_start, body_end = find_block(text, m.start())
            parse_interface(pkg, m.group(1), text[body_start:body_end], funcs, cases)
    return funcs, cases


def parse_interface(pkg, iface, body, funcs, cases):
    # Resources with bodies first; what is left holds free functions.
    rest = body
    for m in list(re.finditer(r"\bresource ([a-z0-9-]+) \{", body)):
        s, e = find_block(body, m.start())
        res_body = body[s:e]
        for fm in re.finditer(r"(%?[a-z0-9-]+): (static )?func ?\((.*?)\)( -> ([^;]+))?;", res_body):
            funcs[(pkg, iface, m.group(1), fm.group(1).lstrip("%"))] = norm_sig(fm.group(0))
        for cm in re.finditer(r"constructor ?\((.*?)\)( -> ([^;]+))?;", res_body):
            funcs[(pkg, iface, m.group(1), "constructor")] = norm_sig(cm.group(0))
        rest = rest.replace(body[m.start():e + 1], " ")
    for fm in re.finditer(r"(%?[a-z0-9-]+): func ?\((.*?)\)( -> ([^;]+))?;", rest):
        funcs[(pkg, iface, None, fm.group(1).lstrip("%"))] = norm_sig(fm.group(0))
    for tm in re.finditer(r"\b(enum|variant) ([a-z0-9-]+) \{([^}]*)\}", rest):
        names = []
        for case in tm.group(3).split(","):
            case = case.strip()
            if case:
                names.append(re.match(r"%?([A-Za-z0-9-]+)", case).group(1))
        cases[(pkg, iface, tm.group(2))] = names


def norm_sig(s):
    s = re.sub(r"\( ", "(", s)
    s = re.sub(r",? \)", ")", s)
    return s.strip()


# --- output ------------------------------------------------------------------

HEADER = """\
/*
 * apps/include/wasi2/imports.h - every WASI 0.2 import at the core-module
 * level, as the canonical ABI flattens it. GENERATED by
 * scripts/gen_wasi_imports.py from {sig} (core parameters and results),
 * {layout} (return areas) and the WIT in {wit}/;
 * do not edit. A test regenerates it and fails when it differs.
 *
 * Conventions (../shared/wit/ABI.md): handles, pointers, lengths, bools,
 * enums and small integers are int32_t, u64/s64 are int64_t; a string or
 * list is (pointer, length); a function whose results do not flatten to one
 * value takes a trailing return-area pointer `ret` and returns nothing.
 * Strings and lists the host returns are allocated through the module's
 * exported cabi_realloc (apps/sdk/wasi2.c). Declaring a function does not
 * import it: only what a program calls ends up in its import section.
 */
#ifndef WASI2_IMPORTS_H
#define WASI2_IMPORTS_H

#include <stdint.h>

#define WASI2_VERSION "{version}"

#define WASI2_IMPORT(module, field) __attribute__((import_module(module), import_name(field)))
"""


def generate(wit_root):
    sig_rows = read_tsv(os.path.join(wit_root, SIG_TSV))
    layouts = {(r[0], r[1]): r[3] for r in read_tsv(os.path.join(wit_root, LAYOUT_TSV)) if len(r) >= 4}
    funcs, cases = parse_wit(os.path.join(wit_root, WIT_SUBDIR))
    versions = {split_module(r[0])[2] for r in sig_rows}
    if len(versions) != 1:
        raise ValueError(f"mixed versions in {SIG_TSV}: {sorted(versions)}")
    out = [HEADER.format(sig=SIG_TSV, layout=LAYOUT_TSV, wit=WIT_SUBDIR, version=versions.pop())]
    seen = set()
    current = None
    for module, field, params, results in (r[:4] for r in sig_rows):
        pkg, iface, _ = split_module(module)
        if module != current:
            out.append(f"\n/* ---- {module} " + "-" * max(4, 70 - len(module)) + " */\n")
            current = module
        fname, (res, wname) = func_c_name(field)
        cname = c_ident(f"{pkg.split(':')[1]}_{iface}") + "_" + fname
        cname = "wasi_" + cname
        if cname in seen:
            raise ValueError(f"C name collision: {cname}")
        seen.add(cname)
        plist = [] if params.strip() == "-" else params.split()
        rlist = [] if results.strip() == "-" else results.split()
        if len(rlist) > 1:
            raise ValueError(f"{module} {field}: more than one core result")
        wit = funcs.get((pkg, iface, res, wname)) if wname else None
        comment = [f"{field}"]
        if wit:
            comment.append(f"WIT: {wit}")
        lay = layouts.get((module, field))
        if lay and lay != "(no return area)":
            comment.append(f"return area: {lay}")
        out.append("/* " + "\n * ".join(comment) + " */\n")
        args = ", ".join(f"{CTYPE[t]} p{i}" for i, t in enumerate(plist)) or "void"
        ret = CTYPE[rlist[0]] if rlist else "void"
        out.append(f'WASI2_IMPORT("{module}", "{field}")\n{ret} {cname}({args});\n')
    out.append("\n/* ---- enum and variant cases (WIT order) " + "-" * 34 + " */\n")
    for (pkg, iface, tname), names in sorted(cases.items()):
        prefix = "WASI_" + c_ident(f"{pkg.split(':')[1]}_{iface}_{tname}").upper()
        out.append(f"\n/* {pkg}/{iface}: {tname} */\n")
        for i, n in enumerate(names):
            out.append(f"#define {prefix}_{c_ident(n).upper()} {i}\n")
        out.append(f"#define {prefix}__COUNT {len(names)}\n")
        out.append(f"#define {prefix}__NAMES " + ", ".join(f'"{n}"' for n in names) + "\n")
    out.append("\n#endif\n")
    return clang_format("".join(out))


def clang_format(text):
    """The repository's .clang-format applied, so that `make check` passes."""
    tool = shutil.which("clang-format") or shutil.which("clang-format-19")
    if not tool:
        raise RuntimeError("clang-format is needed to generate the header")
    return subprocess.run([tool, "--assume-filename=" + os.path.join(ROOT, "apps/include/wasi2/imports.h")],
                          input=text, capture_output=True, text=True, check=True, cwd=ROOT).stdout


def main():
    ap = argparse.ArgumentParser()
    default_wit = os.environ.get("WASI_WIT", os.path.join(ROOT, "..", "shared", "wit"))
    ap.add_argument("--wit", default=default_wit, help="folder with the TSV tables and wasi-0.2.12/")
    ap.add_argument("--out", default=os.path.join(ROOT, "apps", "include", "wasi2", "imports.h"))
    ap.add_argument("--check", metavar="FILE", help="compare FILE with a fresh generation")
    args = ap.parse_args()
    text = generate(args.wit)
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{args.check} differs from what {args.wit} generates", file=sys.stderr)
                return 1
        return 0
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
