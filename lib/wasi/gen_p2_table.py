#!/usr/bin/env python3
"""lib/wasi/gen_p2_table.py - generates lib/wasi/p2_table.c, the WASI 0.2
import table, from the official core signatures (WASI_WIT's
core-signatures-0.2.12.tsv, made by jco from the WIT) and the functions
lib/wasi/p2.c and p2_*.c define with P2_IMPL(name, ...).

Every import of the TSV gets an entry: interface, field, the core
signature as a lib/wasm signature string, and the implementing function,
or wasi_p2_unimplemented (a trap saying so) when none defines it. A
function defined with P2_IMPL(name, typed parameters) (p2.h) gets an
adapter here that passes lib/wasm's argument array as those parameters;
each parameter's type is checked against the core signature first, and a
mismatch stops the generation. Each row of p2_sock.c's socket option
table ([P2_OPT_ID] = {"wit-name", TCP or UDP, OPT_type, ...) gets two
adapters, its getter's and its setter's, which call p2_sock_option_get
and p2_sock_option_set with the row's id, checked the same way.
The C name of an import is p2_<package>_<interface>_<field>, with
"[method]r.f" -> "r_f", "[static]r.f" -> "r_f", "[constructor]r" -> "r_new",
"[resource-drop]r" -> "r_drop", and '-' -> '_'.

    gen_p2_table.py [--wit DIR] [--check]      (--check: compare, don't write)
"""
import argparse
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "p2_table.c")


def c_name(module, field):
    iface = module.split("@")[0][len("wasi:"):]
    m = re.match(r"\[(method|static)\]([^.]+)\.(.+)$", field)
    if m:
        f = m.group(2) + "_" + m.group(3)
    elif field.startswith("[constructor]"):
        f = field[len("[constructor]"):] + "_new"
    elif field.startswith("[resource-drop]"):
        f = field[len("[resource-drop]"):] + "_drop"
    else:
        f = field
    return "p2_" + re.sub(r"[-/]", "_", iface + "_" + f)


def sig(params, results):
    conv = {"i32": "i", "i64": "I", "f32": "f", "f64": "F"}
    p = "" if params == "-" else "".join(conv[t] for t in params.split())
    r = "" if results == "-" else "".join(conv[t] for t in results.split())
    return "(%s)%s" % (p, r)


CORE = {"uint32_t": "i32", "int32_t": "i32", "uint64_t": "i64", "int64_t": "i64", "float": "f32",
        "double": "f64"}
FIELD = {"uint32_t": "u32", "int32_t": "i32", "uint64_t": "u64", "int64_t": "i64", "float": "f32",
         "double": "f64"}


def split_params(text):
    """The parameters of a P2_IMPL line, split at top-level commas."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return [" ".join(p.split()) for p in out]


def typed_call(name, params, core_params, core_results):
    """The adapter's call of a P2_IMPL function (its name and arguments after
    call), after checking its parameters against the core signature (lists
    of core type names)."""
    args, i = [], 0
    result = None
    if params and re.match(r"u?int(32|64)_t \*\w+$", params[-1]):
        result = params.pop()
    for p in params:
        flat = re.match(r"P2_FLAT\((\w+), (\d+)\)$", p)
        if flat:
            args.append("a + %d" % i)
            i += int(flat.group(2))
            continue
        m = re.match(r"(u?int32_t|u?int64_t|float|double) \w+$", p)
        if not m or i >= len(core_params) or CORE[m.group(1)] != core_params[i]:
            sys.exit("gen_p2_table: %s: parameter %d (%s) does not match the core signature (%s)"
                     % (name, i, p, " ".join(core_params)))
        args.append("a[%d].%s" % (i, FIELD[m.group(1)]))
        i += 1
    if i != len(core_params):
        sys.exit("gen_p2_table: %s: %d core parameters, the signature has %d" % (name, i, len(core_params)))
    want = core_results[0] if core_results else None
    have = CORE[result.split()[0]] if result else None
    if want != have:
        sys.exit("gen_p2_table: %s: result %s, the signature has %s" % (name, result, want))
    if result:
        args.append("&r[0].%s" % FIELD[result.split()[0]])
    return name, args


# A row of p2_sock.c's sock_options: its id, WIT name, owner and value type.
OPTION_ROW = re.compile(r'^ *\[(P2_OPT_\w+)\] = \{"([a-z-]+)", (TCP|UDP), (OPT_\w+),', re.M)
OPTION_OWNER = {"TCP": "p2_sockets_tcp_tcp_socket", "UDP": "p2_sockets_udp_udp_socket"}
OPTION_VALUE = {"OPT_BOOL": "uint32_t", "OPT_U8": "uint32_t", "OPT_U32": "uint32_t",
                "OPT_U64": "uint64_t"}


def option_entries(text):
    """The getter and setter of each socket option row in text: C name ->
    (the function the adapter calls, the row's id, its typed parameters)."""
    rows = OPTION_ROW.findall(text)
    if len(rows) != len(re.findall(r"^ *\[P2_OPT_\w+\] =", text, re.M)):
        sys.exit("gen_p2_table: a socket option row without its id, WIT name, owner and type "
                 "on its first line")
    out = {}
    for row, wit, owner, value in rows:
        if value not in OPTION_VALUE:
            sys.exit("gen_p2_table: %s: unknown option type %s" % (row, value))
        getter = OPTION_OWNER[owner] + "_" + wit.replace("-", "_")
        setter = OPTION_OWNER[owner] + "_set_" + wit.replace("-", "_")
        out[getter] = ("p2_sock_option_get", row, ["uint32_t self", "uint32_t ret_ptr"])
        out[setter] = ("p2_sock_option_set", row,
                       ["uint32_t self", OPTION_VALUE[value] + " value", "uint32_t ret_ptr"])
    return out


def wrap(head, items, tail):
    """head items... tail on one line, or one item per line past 100 columns."""
    line = head + ", ".join(items) + tail
    if len(line) <= 100:
        return line
    indent = " " * len(head)
    return head + (",\n" + indent).join(items) + tail


def generate(tsv):
    defined = set()
    typed = {}  # name -> its parameter list
    options = {}  # name -> (function, option id, parameter list)
    for src in sorted(glob.glob(os.path.join(HERE, "p2*.c"))):
        if src.endswith("p2_table.c"):
            continue
        with open(src) as f:
            text = f.read()
        for name, params in re.findall(r"^P2_IMPL\((\w+),(.*?)\)\n\{", text, re.M | re.S):
            typed[name] = split_params(params)
        options.update(option_entries(text))
    defined.update(typed, options)
    rows = []
    with open(tsv) as f:
        next(f)
        for line in f:
            module, field, params, results = line.rstrip("\n").split("\t")
            rows.append((module.split("@")[0][len("wasi:"):], field, sig(params, results),
                         c_name(module, field), params, results))
    unknown = defined - {r[3] for r in rows}
    if unknown:
        sys.exit("gen_p2_table: names not in the WIT: " + ", ".join(sorted(unknown)))
    out = ["/*",
           " * lib/wasi/p2_table.c - GENERATED by lib/wasi/gen_p2_table.py from",
           " * core-signatures-0.2.12.tsv (the official WASI 0.2.12 WIT flattened by jco)",
           " * and the P2_IMPL definitions and socket option rows of lib/wasi/p2*.c.",
           " * Do not edit: run `python3 lib/wasi/gen_p2_table.py` after adding one.",
           " *",
           " * %d imports, %d implemented." % (len(rows), sum(r[3] in defined for r in rows)),
           " */",
           "/* the layout is the generator's: */",
           "/* clang-format off */",
           '#include "wasi/p2.h"',
           ""]
    for r in rows:
        if r[3] in typed:
            out.append(wrap("P2_IMPL(%s, " % r[3], typed[r[3]], ");"))
    out.append("")
    for iface, field, s, name, params, results in rows:
        if name not in defined:
            continue
        core_params = [] if params == "-" else params.split()
        core_results = [] if results == "-" else results.split()
        out += ["static P2_DECL(adapt_%s)" % name, "{"]
        if not core_params:
            out.append("    (void)a;")
        if not core_results:
            out.append("    (void)r;")
        if name in options:
            fn, row, option_params = options[name]
            args = [row] + typed_call(name, list(option_params), core_params, core_results)[1]
        else:
            fn, args = typed_call(name, list(typed[name]), core_params, core_results)
        out += [wrap("    return %s(" % fn, ["call"] + args, ");"), "}", ""]
    out += ["const struct wasi_import_fn wasi_p2_table[] = {"]
    for iface, field, s, name, params, results in rows:
        fn = "adapt_" + name if name in defined else "wasi_p2_unimplemented"
        line = '    {"%s", "%s", "%s", %s},' % (iface, field, s, fn)
        if len(line) > 100:  # wrapped as clang-format (.clang-format) does
            line = '    {"%s", "%s", "%s",\n     %s},' % (iface, field, s, fn)
        out.append(line)
    out += ["};", "", "const size_t wasi_p2_table_len = sizeof wasi_p2_table / sizeof wasi_p2_table[0];",
            ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    default_wit = os.environ.get("WASI_WIT", os.path.join(HERE, "..", "..", "..", "shared", "wit"))
    ap.add_argument("--wit", default=default_wit)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    tsv = os.path.join(args.wit, "core-signatures-0.2.12.tsv")
    if not os.path.exists(tsv):
        print("gen_p2_table: %s not found (set WASI_WIT)" % tsv, file=sys.stderr)
        return 77
    text = generate(tsv)
    if args.check:
        with open(OUT) as f:
            same = f.read() == text
        print("p2_table.c is %s" % ("up to date" if same else "STALE"))
        return 0 if same else 1
    with open(OUT, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
