#!/usr/bin/env python3
"""tests/spec/gen_diff.py - random, well-typed WebAssembly programs (WAT)
for the differential test against V8 (tests/spec/run_diff.py).

A module has a memory with data, mutable globals of every numeric type and
a few exported functions. Function bodies mix what the lib/wasm compiler
treats specially: local.get/set/tee chains (lazy locals, retargeted
results), constants (immediates), compares feeding br_if/if (fused
branches), i32.add feeding loads and stores (fused addresses), counted
loops (add-and-branch), blocks and ifs with results, br_if/br_table with
values, select, calls to earlier functions, multi-value results, every
numeric operator and conversion, including ones that trap. Loops are
counted, so every program terminates. NaN bits never reach integers,
memory or other values (reinterpretations, float stores and copysign's
sign operand go through nan_guard), since
engines may pick different NaN payloads and signs (spec 4.3.3), so all
results can be compared exactly, NaNs by NaN-ness.

Some modules also use fixed-width SIMD inside their functions (exports
stay scalar, JS cannot pass v128): integer vectors (any v128 operator on
integer lanes, loads, shuffles, float compares and saturating
truncations) are stored, extracted and kept in v128 locals; float vectors
(f32x4/f64x2 arithmetic, conversions) only leave through extract_lane (a
float, compared by NaN-ness), compares and trunc_sat, so NaN bits never
reach integers or memory there either.

With --simd every module uses SIMD, and vector expressions and statements
are much more frequent (the JIT's SIMD code against the interpreter's).

    gen_diff.py SEED FILE.wat [--simd]
"""
import random
import sys

TYPES = ["i32", "i64", "f32", "f64"]
INT_BIN = ["add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"]
INT_TRAPPING = ["div_s", "div_u", "rem_s", "rem_u"]
FLOAT_BIN = ["add", "sub", "mul", "div", "min", "max", "copysign"]
FLOAT_UN = ["abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest"]
INT_CMP = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]
FLOAT_CMP = ["eq", "ne", "lt", "gt", "le", "ge"]
CONVERT = {
    "i32": ["i32.wrap_i64 {i64}", "i32.trunc_sat_f32_s {f32}", "i32.trunc_sat_f64_u {f64}",
            "i32.reinterpret_f32 {f32}", "i32.trunc_f64_s {f64}", "i32.extend8_s {i32}",
            "i32.extend16_s {i32}", "i32.clz {i32}", "i32.ctz {i32}", "i32.popcnt {i32}",
            "i32.eqz {i32}", "i64.eqz {i64}"],
    "i64": ["i64.extend_i32_s {i32}", "i64.extend_i32_u {i32}", "i64.trunc_sat_f64_s {f64}",
            "i64.trunc_sat_f32_u {f32}", "i64.reinterpret_f64 {f64}", "i64.trunc_f32_u {f32}",
            "i64.extend32_s {i64}", "i64.clz {i64}", "i64.popcnt {i64}"],
    "f32": ["f32.convert_i32_s {i32}", "f32.convert_i64_u {i64}", "f32.demote_f64 {f64}",
            "f32.reinterpret_i32 {i32}", "f32.convert_i32_u {i32}"],
    "f64": ["f64.convert_i64_s {i64}", "f64.convert_i32_u {i32}", "f64.promote_f32 {f32}",
            "f64.reinterpret_i64 {i64}", "f64.convert_i64_u {i64}"],
}
LOADS = {
    "i32": ["i32.load", "i32.load8_s", "i32.load8_u", "i32.load16_s", "i32.load16_u"],
    "i64": ["i64.load", "i64.load8_u", "i64.load16_s", "i64.load32_u", "i64.load32_s"],
    "f32": ["f32.load"],
    "f64": ["f64.load"],
}
STORES = {"i32": ["i32.store", "i32.store8", "i32.store16"],
          "i64": ["i64.store", "i64.store32", "i64.store8"], "f32": ["f32.store"],
          "f64": ["f64.store"]}
INTERESTING = {
    "i32": [0, 1, -1, 2, 3, 7, 8, 31, 32, 255, 4096, 0x7fffffff, -0x80000000, 1000],
    "i64": [0, 1, -1, 2, 63, 64, 1 << 32, -(1 << 63), (1 << 63) - 1, 1000000007],
    "f32": ["0.0", "-0.0", "1.0", "-1.5", "0.5", "2.5", "inf", "-inf", "nan", "1e30", "3.4e38",
            "1e-40", "16777217.0", "-2147483904.0"],
    "f64": ["0.0", "-0.0", "1.0", "-1.5", "0.5", "2.5", "inf", "-inf", "nan", "1e300",
            "9007199254740993.0", "-9.3e18", "4503599627370495.5", "1e-310"],
}


# SIMD: integer-lane shapes, their binary operators (not every shape has
# every one) and unary ones.
V_INT = ["i8x16", "i16x8", "i32x4", "i64x2"]
V_BIN = {
    "i8x16": ["add", "sub", "add_sat_s", "add_sat_u", "sub_sat_s", "sub_sat_u", "min_s", "min_u",
              "max_s", "max_u", "avgr_u", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s",
              "le_u", "ge_s", "ge_u", "narrow_i16x8_s", "narrow_i16x8_u", "swizzle"],
    "i16x8": ["add", "sub", "mul", "add_sat_s", "add_sat_u", "sub_sat_s", "sub_sat_u", "min_s",
              "max_u", "avgr_u", "eq", "lt_s", "gt_u", "le_s", "ge_u", "q15mulr_sat_s",
              "narrow_i32x4_s", "narrow_i32x4_u", "extmul_low_i8x16_s", "extmul_high_i8x16_u"],
    "i32x4": ["add", "sub", "mul", "min_s", "min_u", "max_s", "max_u", "eq", "ne", "lt_u", "gt_s",
              "le_u", "ge_s", "dot_i16x8_s", "extmul_low_i16x8_u", "extmul_high_i16x8_s"],
    "i64x2": ["add", "sub", "mul", "eq", "ne", "lt_s", "gt_s", "le_s", "ge_s",
              "extmul_low_i32x4_s", "extmul_high_i32x4_u"],
}
V_UN = {
    "i8x16": ["abs", "neg", "popcnt"],
    "i16x8": ["abs", "neg", "extend_low_i8x16_s", "extend_high_i8x16_u",
              "extadd_pairwise_i8x16_s", "extadd_pairwise_i8x16_u"],
    "i32x4": ["abs", "neg", "extend_low_i16x8_u", "extend_high_i16x8_s",
              "extadd_pairwise_i16x8_s", "extadd_pairwise_i16x8_u"],
    "i64x2": ["abs", "neg", "extend_low_i32x4_s", "extend_high_i32x4_u"],
}
V_FLOAT_BIN = ["add", "sub", "mul", "div", "min", "max", "pmin", "pmax"]
V_FLOAT_UN = ["abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest"]
V_LOADS = ["v128.load", "v128.load8x8_s", "v128.load16x4_u", "v128.load32x2_s",
           "v128.load8_splat", "v128.load32_splat", "v128.load64_splat", "v128.load32_zero",
           "v128.load64_zero"]


class Func:
    def __init__(self, rng, index, funcs, simd=False, heavy=False):
        self.rng = rng
        self.simd = simd
        self.heavy = heavy  # --simd: vectors in a third of the expressions
        self.index = index
        self.funcs = funcs  # earlier functions: (index, params, results)
        self.params = [rng.choice(TYPES) for _ in range(rng.randint(0, 3))]
        self.results = [rng.choice(TYPES) for _ in range(rng.choice([0, 1, 1, 1, 2]))]
        self.locals = [rng.choice(TYPES) for _ in range(rng.randint(1, 5))]
        self.nvars = len(self.params) + len(self.locals)
        self.scratch = {"f32": self.nvars, "f64": self.nvars + 1}  # for nan_guard
        self.counters = 0  # loop counters, i32 locals after the scratch ones

    def var_types(self):
        return self.params + self.locals

    def vars_of(self, t):
        return [i for i, vt in enumerate(self.var_types()) if vt == t]

    def const(self, t):
        r = self.rng
        if t in ("i32", "i64"):
            v = r.choice(INTERESTING[t]) if r.random() < 0.6 else r.randint(-1000, 1000)
            return f"({t}.const {v})"
        v = r.choice(INTERESTING[t]) if r.random() < 0.6 else f"{r.uniform(-100, 100):.3f}"
        return f"({t}.const {v})"

    def leaf(self, t):
        vs = self.vars_of(t)
        if vs and self.rng.random() < 0.6:
            return f"(local.get {self.rng.choice(vs)})"
        if self.rng.random() < 0.15:
            return f"(global.get $g{t})"
        return self.const(t)

    def nan_guard(self, t, e):
        """e, with a NaN replaced by +0."""
        x = self.scratch[t]
        return (f"(select ({t}.const 0) (local.tee {x} {e}) "
                f"({t}.ne (local.get {x}) (local.get {x})))")

    def addr(self, d):
        base = self.expr("i32", d - 1)
        if self.rng.random() < 0.05:  # sometimes out of bounds: both must trap
            return base
        return f"(i32.and {base} (i32.const 0xfff))"

    def cond(self, d):
        r = self.rng
        t = r.choice(TYPES)
        if t in ("i32", "i64"):
            if r.random() < 0.2:
                return f"({t}.eqz {self.expr(t, d - 1)})"
            return f"({t}.{r.choice(INT_CMP)} {self.expr(t, d - 1)} {self.expr(t, d - 1)})"
        return f"({t}.{r.choice(FLOAT_CMP)} {self.expr(t, d - 1)} {self.expr(t, d - 1)})"

    def expr(self, t, d):
        r = self.rng
        if d <= 0 or r.random() < 0.25:
            return self.leaf(t)
        if self.heavy and d > 1 and r.random() < 0.35:
            return self.from_vector(t, d - 1)
        k = r.random()
        if k < 0.30:
            if t in ("i32", "i64"):
                op = r.choice(INT_BIN + (INT_TRAPPING if r.random() < 0.1 else []))
                rhs = self.const(t) if r.random() < 0.4 else self.expr(t, d - 1)
                return f"({t}.{op} {self.expr(t, d - 1)} {rhs})"
            if r.random() < 0.3:
                return f"({t}.{r.choice(FLOAT_UN)} {self.expr(t, d - 1)})"
            op = r.choice(FLOAT_BIN)
            rhs = self.expr(t, d - 1)
            if op == "copysign":  # the sign of a NaN is not determined
                rhs = self.nan_guard(t, rhs)
            return f"({t}.{op} {self.expr(t, d - 1)} {rhs})"
        if k < 0.40 and t == "i32":
            return self.cond(d)
        if k < 0.48:
            form = r.choice(CONVERT[t])
            src = form.split("{")[1].split("}")[0]
            arg = self.expr(src, d - 1)
            if "reinterpret" in form and src in ("f32", "f64"):
                arg = self.nan_guard(src, arg)
            return "(" + form.replace("{" + src + "}", arg) + ")"
        if k < 0.55:
            vs = self.vars_of(t)
            if vs:
                x = r.choice(vs)
                if r.random() < 0.5:  # the old value is still on the stack when x changes
                    op = r.choice(INT_BIN if t in ("i32", "i64") else ["add", "sub", "mul", "min"])
                    return f"({t}.{op} (local.get {x}) (local.tee {x} {self.expr(t, d - 1)}))"
                return f"(local.tee {x} {self.expr(t, d - 1)})"
        if k < 0.62:
            return f"({r.choice(LOADS[t])} offset={r.choice([0, 4, 8, 100])} {self.addr(d)})"
        if k < 0.70:
            return (f"(if (result {t}) {self.cond(d)} (then {self.expr(t, d - 1)}) "
                    f"(else {self.expr(t, d - 1)}))")
        if k < 0.76:
            return f"(select {self.expr(t, d - 1)} {self.expr(t, d - 1)} {self.cond(d)})"
        if k < 0.82:
            return (f"(block (result {t}) (drop (br_if 0 {self.expr(t, d - 1)} {self.cond(d)})) "
                    f"{self.expr(t, d - 1)})")
        if k < 0.88:
            cands = [f for f in self.funcs if f[2] == [t]]
            if cands:
                idx, params, _ = r.choice(cands)
                args = " ".join(self.expr(p, d - 2) for p in params)
                return f"(call $f{idx} {args})"
        if k < 0.90 and d > 1:  # statements inside an expression
            vs = self.vars_of(t)
            first = f"(local.get {r.choice(vs)})" if vs else self.leaf(t)
            return (f"({t}.{'add' if t != 'f32' else 'mul'} {first} (block (result {t}) "
                    f"{self.stmts(d - 2, 2)} {self.expr(t, d - 1)}))")
        if k < 0.92 and self.simd and d > 1:
            return self.from_vector(t, d - 1)
        if k < 0.92:
            return (f"(block (result {t}) (block (block (br_table 0 1 1 "
                    f"(i32.and {self.expr('i32', d - 1)} (i32.const 3)))) "
                    f"(global.set $g{t} {self.expr(t, d - 1)})) {self.expr(t, d - 1)})")
        return self.leaf(t)

    # ---- SIMD ----

    def vconst(self):
        r = self.rng
        lanes = " ".join(str(r.choice([0, 1, -1, 127, -128, 255, 0x7fff, -0x8000, r.randint(-99, 99)]))
                         for _ in range(8))
        return f"(v128.const i16x8 {lanes})"

    def vint(self, d):
        """An integer-lane vector: every bit is determined."""
        r = self.rng
        if d <= 0 or r.random() < 0.2:
            if r.random() < 0.5:
                return f"(local.get $v{r.randint(0, 1)})"
            return self.vconst()
        k = r.random()
        shape = r.choice(V_INT)
        if k < 0.30:
            return f"({shape}.{r.choice(V_BIN[shape])} {self.vint(d - 1)} {self.vint(d - 1)})"
        if k < 0.40:
            return f"({shape}.{r.choice(V_UN[shape])} {self.vint(d - 1)})"
        if k < 0.48:
            op = r.choice(["shl", "shr_s", "shr_u"])
            return f"({shape}.{op} {self.vint(d - 1)} {self.expr('i32', d - 1)})"
        if k < 0.55:
            st = "i64" if shape == "i64x2" else "i32"
            return f"({shape}.splat {self.expr(st, d - 1)})"
        if k < 0.60:
            st = "i64" if shape == "i64x2" else "i32"
            lane = r.randrange(16 // {"i8x16": 1, "i16x8": 2, "i32x4": 4, "i64x2": 8}[shape])
            return f"({shape}.replace_lane {lane} {self.vint(d - 1)} {self.expr(st, d - 1)})"
        if k < 0.66:
            op = r.choice(["and", "or", "xor", "andnot"])
            return f"(v128.{op} {self.vint(d - 1)} {self.vint(d - 1)})"
        if k < 0.70:
            return f"(v128.bitselect {self.vint(d - 1)} {self.vint(d - 1)} {self.vint(d - 1)})"
        if k < 0.75:
            lanes = " ".join(str(r.randrange(32)) for _ in range(16))
            return f"(i8x16.shuffle {lanes} {self.vint(d - 1)} {self.vint(d - 1)})"
        if k < 0.82:
            return f"({r.choice(V_LOADS)} offset={r.choice([0, 3, 16])} {self.addr(d)})"
        if k < 0.85:
            return f"(v128.load16_lane 3 {self.addr(d)} {self.vint(d - 1)})"
        if k < 0.91:
            fs = r.choice(["f32x4", "f64x2"])
            return f"({fs}.{r.choice(FLOAT_CMP)} {self.vfloat(fs, d - 1)} {self.vfloat(fs, d - 1)})"
        if k < 0.96:
            if r.random() < 0.5:
                return f"(i32x4.trunc_sat_f32x4_{r.choice('su')} {self.vfloat('f32x4', d - 1)})"
            return f"(i32x4.trunc_sat_f64x2_{r.choice('su')}_zero {self.vfloat('f64x2', d - 1)})"
        return f"(v128.not {self.vint(d - 1)})"

    def vfloat(self, fs, d):
        """A float-lane vector (lanes may be NaNs of any payload)."""
        r = self.rng
        st = "f32" if fs == "f32x4" else "f64"
        k = r.random()
        if d <= 0 or k < 0.2:
            return f"({fs}.splat {self.expr(st, 0)})"
        if k < 0.45:
            return f"({fs}.{r.choice(V_FLOAT_BIN)} {self.vfloat(fs, d - 1)} {self.vfloat(fs, d - 1)})"
        if k < 0.60:
            return f"({fs}.{r.choice(V_FLOAT_UN)} {self.vfloat(fs, d - 1)})"
        if k < 0.75:
            if fs == "f32x4":
                return f"(f32x4.convert_i32x4_{r.choice('su')} {self.vint(d - 1)})"
            return f"(f64x2.convert_low_i32x4_{r.choice('su')} {self.vint(d - 1)})"
        if k < 0.85:
            if fs == "f32x4":
                return f"(f32x4.demote_f64x2_zero {self.vfloat('f64x2', d - 1)})"
            return f"(f64x2.promote_low_f32x4 {self.vfloat('f32x4', d - 1)})"
        if k < 0.92:
            lane = r.randrange(4 if fs == "f32x4" else 2)
            return f"({fs}.replace_lane {lane} {self.vfloat(fs, d - 1)} {self.expr(st, d - 1)})"
        return f"({fs}.splat {self.expr(st, d - 1)})"

    def from_vector(self, t, d):
        """A scalar of type t taken out of a vector."""
        r = self.rng
        if t == "i32":
            k = r.random()
            if k < 0.4:
                shape = r.choice(["i8x16", "i16x8", "i32x4"])
                n = {"i8x16": 16, "i16x8": 8, "i32x4": 4}[shape]
                sfx = "" if shape == "i32x4" else "_" + r.choice("su")
                return f"({shape}.extract_lane{sfx} {r.randrange(n)} {self.vint(d)})"
            if k < 0.7:
                return f"({r.choice(V_INT)}.bitmask {self.vint(d)})"
            if k < 0.85:
                return f"({r.choice(V_INT)}.all_true {self.vint(d)})"
            return f"(v128.any_true {self.vint(d)})"
        if t == "i64":
            return f"(i64x2.extract_lane {r.randrange(2)} {self.vint(d)})"
        fs = "f32x4" if t == "f32" else "f64x2"
        return f"({fs}.extract_lane {r.randrange(4 if t == 'f32' else 2)} {self.vfloat(fs, d)})"

    def stmt(self, d, depth):
        r = self.rng
        k = r.random()
        if self.simd and k < (0.45 if self.heavy else 0.12):
            if r.random() < 0.5:
                return f"(local.set $v{r.randint(0, 1)} {self.vint(d)})"
            if r.random() < 0.7:
                return f"(v128.store offset={r.choice([0, 1, 32])} {self.addr(d)} {self.vint(d)})"
            return f"(v128.store32_lane 2 {self.addr(d)} {self.vint(d)})"
        k = r.random()
        if k < 0.30:
            i = r.randrange(self.nvars)
            return f"(local.set {i} {self.expr(self.var_types()[i], d)})"
        if k < 0.42:
            t = r.choice(TYPES)
            v = self.expr(t, d)
            if t in ("f32", "f64"):
                v = self.nan_guard(t, v)
            return f"({r.choice(STORES[t])} offset={r.choice([0, 2, 16])} {self.addr(d)} {v})"
        if k < 0.50:
            t = r.choice(TYPES)
            return f"(global.set $g{t} {self.expr(t, d)})"
        if k < 0.62 and depth < 3:
            return (f"(if {self.cond(d)} (then {self.stmts(d, depth + 1)}) "
                    f"(else {self.stmts(d, depth + 1)}))")
        if k < 0.76 and depth < 2 and self.counters < 3:
            c = self.nvars + 2 + self.counters
            self.counters += 1
            n = r.randint(1, 6)
            body = self.stmts(d, depth + 1)
            exit_ = f"(br_if 1 {self.cond(d - 1)})" if r.random() < 0.3 else ""
            return (f"(local.set {c} (i32.const 0)) (block (loop "
                    f"(br_if 1 (i32.ge_u (local.get {c}) (i32.const {n}))) {body} {exit_} "
                    f"(local.set {c} (i32.add (local.get {c}) (i32.const 1))) (br 0)))")
        if k < 0.84 and depth < 3:  # a block left early by br_if (never a loop)
            return f"(block (br_if 0 {self.cond(d)}) {self.stmts(d, depth + 1)})"
        t = r.choice(TYPES)
        return f"(drop {self.expr(t, d)})"

    def stmts(self, d, depth):
        return " ".join(self.stmt(d, depth) for _ in range(self.rng.randint(1, 3)))

    def text(self):
        body = self.stmts(4, 0)
        results = " ".join(self.expr(t, 4) for t in self.results)
        params = "".join(f" (param {t})" for t in self.params)
        res = "".join(f" (result {t})" for t in self.results)
        locs = ("".join(f" (local {t})" for t in self.locals) + " (local f32 f64)" +
                " (local i32)" * self.counters)
        if self.simd:  # named, after every numbered local
            locs += " (local $v0 v128) (local $v1 v128)"
        return (f"  (func $f{self.index} (export \"f{self.index}\"){params}{res}{locs}\n"
                f"    {body}\n    {results})\n")


def module(seed, heavy=False):
    rng = random.Random(seed)
    out = ["(module\n", "  (memory 1 2)\n",
           '  (data (i32.const 0) "\\01\\02\\03\\04\\80\\ff\\7f\\00hello, wasm\\00\\fe\\ca")\n']
    for t in TYPES:
        out.append(f"  (global $g{t} (mut {t}) ({t}.const 3))\n")
    funcs = []
    simd = rng.random() < 0.3 or heavy
    for i in range(rng.randint(2, 5)):
        f = Func(rng, i, list(funcs), simd, heavy)
        out.append(f.text())
        funcs.append((i, f.params, f.results))
    out.append("  (func (export \"memsum\") (result i64) (local i32 i64)\n"
               "    (block (loop (br_if 1 (i32.ge_u (local.get 0) (i32.const 8192)))\n"
               "      (local.set 1 (i64.add (i64.rotl (local.get 1) (i64.const 7))\n"
               "                            (i64.load (local.get 0))))\n"
               "      (local.set 0 (i32.add (local.get 0) (i32.const 8))) (br 0)))\n"
               "    (local.get 1))\n")
    out.append(")\n")
    return "".join(out)


if __name__ == "__main__":
    with open(sys.argv[2], "w") as f:
        f.write(module(int(sys.argv[1]), "--simd" in sys.argv[3:]))
