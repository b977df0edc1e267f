/*
 * lib/wasm/jit_x86_64.c - the x86-64 code generator: an instance's
 * functions, from their slot code (compile.c) and its analysis
 * (jit_ir.c), into one block of machine code, plus the entry trampoline,
 * the unwinder and the interrupt stub. Instructions that are not control
 * flow are in jit_x86_64_ops.c; the register conventions are in
 * jit_x86_64.h.
 *
 * A module is compiled once, by its first instance: the code loads the
 * addresses of an instance's objects (its memory, globals, tables and
 * functions) from a table that follows it, each slot recorded as a
 * relocation (fc_obj). The module keeps the bytes and relocations (struct
 * jit_template, in its jit_cache); every instance gets a copy of the code,
 * sealed before it runs (W^X), with the table (writable, never
 * executable) set to its objects; the copy of an ended instance is kept
 * for the next one, which rewrites only the table. An instance whose
 * imports or memory would have been compiled differently (import_shape,
 * template_fits) is compiled on its own. Each function has two
 * entries: "foreign" (loads the memory registers; used from C, by
 * call_indirect and by other instances) and the body entry (direct calls
 * inside the instance). Its prologue pads the frame to 16 bytes, ticks
 * the interrupt counter and initializes locals and registers; calls check
 * the stack limits in the caller, so that "call stack exhausted" names the
 * caller as the interpreter does. Traps jump to one stub per trap kind and
 * function, which records the trap (jit_h_trap) and unwinds to the entry.
 * Backward branches go through a "loop pad" just before their target that
 * ticks the interrupt counter.
 */
#include "wasm/jit_x86_64.h"

#include <stddef.h>

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"

#if defined(__x86_64__)

#define OFF(type, field) ((int32_t)offsetof(struct type, field))
#define MAX_FRAME_SLOTS  (1u << 26) /* 8 * slots must stay a 32-bit displacement */
#define UNSET            UINT32_MAX

/* An instance's copy of a template's code: code_size bytes of machine
 * code (sealed), then the table of its objects' addresses (read-write,
 * never executable), size bytes in all. A copy of the module's published
 * template goes back to its cache's spares when its instance ends. */
struct jit_code {
    const struct wasm_code_memory *mem;
    uint8_t *base;
    size_t size, code_size;
    uint32_t enter;
    uint32_t simd_in_c;
    struct jit_cache *cache; /* non-NULL: a copy of cache->tpl's code */
};

static const uint8_t gpr_of[NGPR] = {RBX, RBP, RSI, RDI, R8, R9, R10, R11};
static const struct jit_regfile regfile = {NGPR, NXMM};

/* Registers (jit_ir numbering) a C call clobbers: all but rbx and rbp. */
static bool c_clobbers(uint8_t r)
{
    return r >= 2;
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

bool jit_arch_supported(void)
{
    return true;
}

/* Set only by tests, before instances are made (disasm.h). */
static bool baseline_cpu;

void jit_arch_baseline_cpu(bool baseline)
{
    baseline_cpu = baseline;
}

/* ---- bookkeeping ---- */

void fc_add_fixup(struct fcomp *c, struct fixups *f, uint32_t at, uint32_t target, uint32_t base)
{
    if (f->n == f->cap) {
        uint32_t ncap = f->cap ? 2 * f->cap : 32;
        struct fixup *v = mem_realloc(f->v, (size_t)ncap * sizeof *v);
        if (!v) {
            c->j->oom = true;
            return;
        }
        f->v = v;
        f->cap = ncap;
    }
    f->v[f->n++] = (struct fixup){at, target, base};
}

/* The address of the instance's object kind/index (enum jit_obj). */
static uint64_t obj_addr(const struct wasm_instance *inst, uint32_t kind, uint32_t i)
{
    const void *p = NULL;
    switch (kind) {
    case JO_INST: p = inst; break;
    case JO_OWN_FUNC: p = &inst->own_funcs[i]; break;
    case JO_FUNC: p = inst->funcs[i]; break;
    case JO_FUNC_CODE: p = inst->funcs[i]->jit; break;
    case JO_MEM: p = inst->mem; break;
    case JO_TABLE: p = inst->tables[i]; break;
    case JO_GLOBAL: p = &inst->globals[i]->v; break;
    case JO_ELEM_COUNT: p = &inst->elems[i].count; break;
    case JO_DATA_DROPPED: p = &inst->data_dropped[i]; break;
    case JO_TYPE: p = &inst->mod->types[i]; break;
    case JO_HELPER: p = jit_helpers[i]; break;
    default: break;
    }
    return (uint64_t)(uintptr_t)p;
}

/* reg = the address of object kind/index, loaded from its slot of the
 * table after the code (the displacement is set by template_of). */
static void j_obj(struct jcomp *j, int reg, enum jit_obj kind, uint32_t index)
{
    x_load(&j->b, 1, reg, XRIP());
    struct fcomp c = {.j = j};
    fc_add_fixup(&c, &j->relocs, j->b.rip_at, index, kind);
}

void fc_obj(struct fcomp *c, int reg, enum jit_obj kind, uint32_t index)
{
    j_obj(c->j, reg, kind, index);
}

const void *const jit_helpers[] = {
    (const void *)jit_h_trap,        (const void *)jit_h_tick,
    (const void *)jit_h_call,        (const void *)jit_h_sig,
    (const void *)jit_h_simd,        (const void *)jit_h_memory_grow,
    (const void *)jit_h_memory_init, (const void *)jit_h_memory_copy,
    (const void *)jit_h_memory_fill, (const void *)jit_h_table_grow,
    (const void *)jit_h_table_fill,  (const void *)jit_h_table_copy,
    (const void *)jit_h_table_init,  (const void *)jit_h_unary,
    (const void *)jit_h_trunc,
};
const uint32_t jit_nhelpers = sizeof jit_helpers / sizeof jit_helpers[0];

/* rax = helper fn (its JO_HELPER relocation). */
static void j_helper(struct jcomp *j, const void *fn)
{
    uint32_t i = 0;
    while (i < jit_nhelpers && jit_helpers[i] != fn)
        i++;
    if (i == jit_nhelpers) j->oom = true; /* not reached: every helper is listed */
    j_obj(j, RAX, JO_HELPER, i);
}

void fc_kload(struct fcomp *c, int x, bool f64, uint64_t v)
{
    uint32_t k = c->npool;
    for (uint32_t i = c->npool > 32 ? c->npool - 32 : 0; i < c->npool; i++)
        if (c->pool[i] == v) k = i;
    if (k == c->npool) {
        if (c->npool == c->pool_cap) {
            uint32_t ncap = c->pool_cap ? 2 * c->pool_cap : 16;
            uint64_t *p = mem_realloc(c->pool, (size_t)ncap * sizeof *p);
            if (!p) {
                c->j->oom = true;
                return;
            }
            c->pool = p;
            c->pool_cap = ncap;
        }
        c->pool[c->npool++] = v;
    }
    x_movs_load(c->b, f64, x, XRIP());
    fc_add_fixup(c, &c->kfix, c->b->rip_at, k, c->b->len - c->b->rip_at - 4);
}

void fc_trap_if(struct fcomp *c, int cc, int kind)
{
    uint32_t at = cc < 0 ? x_jmp(c->b, 0) : x_jcc(c->b, cc, 0);
    fc_add_fixup(c, &c->traps, at, (uint32_t)kind, 0);
}

void fc_dirty(struct fcomp *c, uint32_t slot)
{
    int k = jit_cand(&c->fn, slot);
    if (k >= 0) c->clean &= ~(1ull << k);
    for (uint32_t i = 0; i < c->nchk;)
        if (c->chk[i].a == slot || c->chk[i].b == slot)
            c->chk[i] = c->chk[--c->nchk];
        else
            i++;
}

/* ---- where values are ---- */

static struct opnd reg_opnd(uint8_t r)
{
    struct opnd o = {0};
    if (r < NGPR) {
        o.kind = O_GPR;
        o.r = gpr_of[r];
    } else {
        o.kind = O_XMM;
        o.r = (uint8_t)(4 + (r - NGPR));
    }
    o.m = XR(o.r);
    return o;
}

/* Integer view: constants are immediates even when they have a register. */
struct opnd fc_loc(struct fcomp *c, uint32_t slot)
{
    struct opnd o = {0};
    if (jit_is_const(&c->fn, slot)) {
        o.kind = O_IMM;
        o.imm = jit_const(&c->fn, slot);
        return o;
    }
    uint8_t r = jit_reg_of(&c->fn, slot);
    if (r != JIT_NOREG) return reg_opnd(r);
    o.kind = O_MEM;
    o.m = fc_home(slot);
    return o;
}

/* Float view: a constant with a register is used from it. */
static struct opnd floc(struct fcomp *c, uint32_t slot)
{
    uint8_t r = jit_reg_of(&c->fn, slot);
    return r != JIT_NOREG ? reg_opnd(r) : fc_loc(c, slot);
}

void fc_load_gpr(struct fcomp *c, int dst, uint32_t slot, int w)
{
    struct opnd o = fc_loc(c, slot);
    switch (o.kind) {
    case O_GPR:
        if (o.r != dst) x_mov_rr(c->b, w, dst, o.r);
        break;
    case O_MEM: x_load(c->b, w, dst, o.m); break;
    case O_IMM: x_mov_ri(c->b, dst, w ? o.imm : (uint32_t)o.imm); break;
    default: x_movd_rx(c->b, w, XR(dst), o.r); break;
    }
}

int fc_gpr(struct fcomp *c, uint32_t slot, int w, int scratch)
{
    struct opnd o = fc_loc(c, slot);
    if (o.kind == O_GPR) return o.r;
    fc_load_gpr(c, scratch, slot, w);
    return scratch;
}

struct xrm fc_rm(struct fcomp *c, uint32_t slot, int w, int scratch)
{
    struct opnd o = fc_loc(c, slot);
    if (o.kind == O_GPR || o.kind == O_MEM) return o.m;
    fc_load_gpr(c, scratch, slot, w);
    return XR(scratch);
}

int fc_dst_gpr(struct fcomp *c, uint32_t slot, int scratch)
{
    struct opnd o = fc_loc(c, slot);
    return o.kind == O_GPR ? o.r : scratch;
}

void fc_put_gpr(struct fcomp *c, uint32_t slot, int w, int src)
{
    struct opnd o = fc_loc(c, slot);
    switch (o.kind) {
    case O_GPR:
        if (o.r != src) x_mov_rr(c->b, w, o.r, src);
        break;
    case O_XMM: x_movd_xr(c->b, w, o.r, XR(src)); break;
    case O_MEM: x_store(c->b, w, o.m, src); break;
    default: break; /* constants are never written */
    }
    fc_dirty(c, slot);
}

void fc_load_xmm(struct fcomp *c, int dst, uint32_t slot, bool f64)
{
    struct opnd o = floc(c, slot);
    switch (o.kind) {
    case O_XMM:
        if (o.r != dst) x_movaps(c->b, dst, o.r);
        break;
    case O_GPR: x_movd_xr(c->b, f64, dst, XR(o.r)); break;
    case O_MEM: x_movs_load(c->b, f64, dst, o.m); break;
    default: fc_kload(c, dst, f64, o.imm); break;
    }
}

int fc_xmm(struct fcomp *c, uint32_t slot, bool f64, int scratch)
{
    struct opnd o = floc(c, slot);
    if (o.kind == O_XMM) return o.r;
    fc_load_xmm(c, scratch, slot, f64);
    return scratch;
}

struct xrm fc_xrm(struct fcomp *c, uint32_t slot, bool f64, int scratch)
{
    struct opnd o = floc(c, slot);
    if (o.kind == O_XMM || o.kind == O_MEM) return o.m;
    fc_load_xmm(c, scratch, slot, f64);
    return XR(scratch);
}

int fc_dst_xmm(struct fcomp *c, uint32_t slot, int scratch)
{
    struct opnd o = floc(c, slot);
    return o.kind == O_XMM && !jit_is_const(&c->fn, slot) ? o.r : scratch;
}

void fc_put_xmm(struct fcomp *c, uint32_t slot, bool f64, int src)
{
    struct opnd o = fc_loc(c, slot);
    switch (o.kind) {
    case O_XMM:
        if (o.r != src) x_movaps(c->b, o.r, src);
        break;
    case O_GPR: x_movd_rx(c->b, f64, XR(o.r), src); break;
    case O_MEM: x_movs_store(c->b, f64, o.m, src); break;
    default: break;
    }
    fc_dirty(c, slot);
}

/* ---- saving registers around calls ---- */

void fc_save_cand(struct fcomp *c, uint32_t k)
{
    uint64_t bit = 1ull << k;
    if (c->clean & bit) return;
    struct opnd o = reg_opnd(c->fn.reg[k]);
    struct xrm home = fc_home(c->fn.cand[k]);
    if (o.kind == O_GPR)
        x_store(c->b, 1, home, o.r);
    else
        x_movs_store(c->b, true, home, o.r);
    c->clean |= bit;
}

void fc_load_cand(struct fcomp *c, uint32_t k)
{
    struct opnd o = reg_opnd(c->fn.reg[k]);
    uint32_t s = c->fn.cand[k];
    if (jit_is_const(&c->fn, s) && o.kind == O_GPR)
        x_mov_ri(c->b, o.r, jit_const(&c->fn, s));
    else if (jit_is_const(&c->fn, s))
        fc_kload(c, o.r, true, jit_const(&c->fn, s));
    else if (o.kind == O_GPR)
        x_load(c->b, 1, o.r, fc_home(s));
    else
        x_movs_load(c->b, true, o.r, fc_home(s));
    c->clean |= 1ull << k;
}

/* Candidates with a register that are live after the current instruction
 * (not counting what it defines), optionally only C-clobbered ones. */
static uint64_t live_regs(struct fcomp *c, uint64_t defs, bool only_c)
{
    uint64_t m = c->fn.live_out[c->cur] & ~defs, r = 0;
    for (; m; m &= m - 1) {
        int k = __builtin_ctzll(m);
        if (c->fn.reg[k] != JIT_NOREG && (!only_c || c_clobbers(c->fn.reg[k]))) r |= 1ull << k;
    }
    return r;
}

static void save_mask(struct fcomp *c, uint64_t m)
{
    for (; m; m &= m - 1)
        fc_save_cand(c, (uint32_t)__builtin_ctzll(m));
}

static void load_mask(struct fcomp *c, uint64_t m)
{
    for (; m; m &= m - 1)
        fc_load_cand(c, (uint32_t)__builtin_ctzll(m));
}

void fc_c_save(struct fcomp *c, uint64_t defs)
{
    save_mask(c, live_regs(c, defs, true));
}

void fc_c_restore(struct fcomp *c, uint64_t defs)
{
    load_mask(c, live_regs(c, defs, true));
}

void fc_call_c(struct fcomp *c, const void *fn)
{
    j_helper(c->j, fn);
    x_call_r(c->b, RAX);
}

void fc_unwind_if_nz(struct fcomp *c)
{
    x_test_rr(c->b, 0, RAX, RAX);
    x_jcc(c->b, CC_NE, c->j->pos_unwind);
}

void fc_reload_memory(struct fcomp *c)
{
    if (!c->j->mod->nmems) return;
    fc_obj(c, RAX, JO_MEM, 0);
    x_load(c->b, 1, R_MB, XM(RAX, OFF(wasm_memory, data)));
    x_load(c->b, 1, R_MSZ, XM(RAX, OFF(wasm_memory, size)));
}

static void defs_event(uint64_t *m, const struct jit_fn *fn, uint32_t slot)
{
    int k = jit_cand(fn, slot);
    if (k >= 0) *m |= 1ull << k;
}

uint64_t fc_defs(struct fcomp *c)
{
    const struct jit_ins *in = &c->fn.ins[c->cur];
    const uint32_t *cell = c->fn.code->cells + in->pos;
    const char *sh = jit_ins_shape(&c->fn, in);
    uint64_t m = 0;
    for (uint32_t k = 0; sh && sh[k]; k++) {
        if (sh[k] == JK_DEF) defs_event(&m, &c->fn, cell[1 + k]);
        if (sh[k] == JK_BASE) {
            const struct wasm_functype *t = jit_call_type(&c->fn, in);
            for (uint32_t r = 0; r < t->nresults; r++)
                defs_event(&m, &c->fn, cell[1 + k] + jit_stride(&c->fn) * r);
        }
    }
    return m;
}

/* ---- control flow ---- */

/* The instruction an R cell at cell index k branches to. */
static uint32_t target_of(struct fcomp *c, uint32_t k)
{
    return jit_ins_at(&c->fn, k + c->fn.code->cells[k]);
}

/* Jumps (cc < 0: always) to instruction t: backward through its pad. */
static void jump_to(struct fcomp *c, int cc, uint32_t t)
{
    bool back = t <= c->cur;
    uint32_t dest = back ? c->pad[t] : 0;
    uint32_t at = cc < 0 ? x_jmp(c->b, dest) : x_jcc(c->b, cc, dest);
    if (!back) fc_add_fixup(c, &c->fwd, at, t, 0);
}

static const uint8_t cmp_cc[10] = {CC_E, CC_NE, CC_L, CC_B, CC_G, CC_A, CC_LE, CC_BE, CC_GE, CC_AE};

static int mirror_cc(int cc)
{
    switch (cc) {
    case CC_L: return CC_G;
    case CC_G: return CC_L;
    case CC_LE: return CC_GE;
    case CC_GE: return CC_LE;
    case CC_B: return CC_A;
    case CC_A: return CC_B;
    case CC_BE: return CC_AE;
    case CC_AE: return CC_BE;
    default: return cc;
    }
}

/* op r, o (for ALU ops and compares); scratch for xmm operands and wide
 * immediates. */
void fc_alu_r(struct fcomp *c, int w, int alu, int r, struct opnd o, int scratch)
{
    switch (o.kind) {
    case O_GPR: x_alu_rm(c->b, w, alu, r, XR(o.r)); break;
    case O_MEM: x_alu_rm(c->b, w, alu, r, o.m); break;
    case O_IMM: {
        uint64_t v = w ? o.imm : (uint32_t)o.imm;
        if (!w || x_fits32((int64_t)v)) {
            x_alu_mi(c->b, w, alu, XR(r), (int32_t)(uint32_t)v);
        } else {
            x_mov_ri(c->b, scratch, v);
            x_alu_rm(c->b, w, alu, r, XR(scratch));
        }
        break;
    }
    default:
        x_movd_rx(c->b, w, XR(scratch), o.r);
        x_alu_rm(c->b, w, alu, r, XR(scratch));
        break;
    }
}

static bool imm_fits(int w, uint64_t v)
{
    return !w || x_fits32((int64_t)v);
}

static void load_opnd(struct fcomp *c, int dst, struct opnd o, int w)
{
    switch (o.kind) {
    case O_GPR:
        if (o.r != dst) x_mov_rr(c->b, w, dst, o.r);
        break;
    case O_MEM: x_load(c->b, w, dst, o.m); break;
    case O_IMM: x_mov_ri(c->b, dst, w ? o.imm : (uint32_t)o.imm); break;
    default: x_movd_rx(c->b, w, XR(dst), o.r); break;
    }
}

/* Compares a with b; returns the condition for "a cc b" (mirrored when
 * the operands had to be swapped). Uses rax and rdx. */
int fc_cmp(struct fcomp *c, int w, struct opnd a, struct opnd b, int cc)
{
    if (a.kind == O_IMM && b.kind != O_IMM) {
        struct opnd t = a;
        a = b;
        b = t;
        cc = mirror_cc(cc);
    }
    if (a.kind == O_GPR) {
        fc_alu_r(c, w, ALU_CMP, a.r, b, RDX);
    } else if (a.kind == O_MEM && b.kind == O_GPR) {
        x_alu_mr(c->b, w, ALU_CMP, a.m, b.r);
    } else if (a.kind == O_MEM && b.kind == O_IMM && imm_fits(w, b.imm)) {
        x_alu_mi(c->b, w, ALU_CMP, a.m, (int32_t)(uint32_t)b.imm);
    } else {
        load_opnd(c, RAX, a, w);
        fc_alu_r(c, w, ALU_CMP, RAX, b, RDX);
    }
    return cc;
}

/* test a, b (both 32 or 64 bits); uses rax and rdx. */
static void emit_test(struct fcomp *c, int w, struct opnd a, struct opnd b)
{
    if (a.kind == O_IMM) {
        struct opnd t = a;
        a = b;
        b = t;
    }
    int r = a.kind == O_GPR ? a.r : RAX;
    if (a.kind != O_GPR) load_opnd(c, RAX, a, w);
    if (b.kind == O_IMM && imm_fits(w, b.imm)) {
        x_test_mi(c->b, w, XR(r), (uint32_t)b.imm);
    } else {
        if (b.kind == O_MEM) {
            x_test_mr(c->b, w, b.m, r);
            return;
        }
        int rb = b.kind == O_GPR ? b.r : RDX;
        if (b.kind != O_GPR) load_opnd(c, RDX, b, w);
        x_test_rr(c->b, w, r, rb);
    }
}

/* br_if/br_unless and the fused compare-and-branch forms (ops.h). */
static bool emit_cond_branch(struct fcomp *c, enum wasm_op op, const uint32_t *cell, uint32_t pos)
{
    int cc, w = 0;
    uint32_t rcell;
    if (op == OP_br_if || op == OP_br_unless || op == OP_br_if64 || op == OP_br_unless64) {
        w = op == OP_br_if64 || op == OP_br_unless64;
        struct opnd a = fc_loc(c, cell[1]);
        if (a.kind == O_IMM) { /* a constant condition */
            bool taken = (w ? a.imm : (uint32_t)a.imm) != 0;
            if (taken == (op == OP_br_if || op == OP_br_if64))
                jump_to(c, -1, target_of(c, pos + 2));
            return true;
        }
        if (a.kind == O_MEM)
            x_alu_mi(c->b, w, ALU_CMP, a.m, 0);
        else
            emit_test(c, w, a, a);
        cc = op == OP_br_if || op == OP_br_if64 ? CC_NE : CC_E;
        rcell = pos + 2;
    } else if (op == OP_br_and || op == OP_brn_and || op == OP_br_and_imm || op == OP_brn_and_imm) {
        struct opnd b = {O_IMM, 0, cell[2], XR(0)};
        if (op == OP_br_and || op == OP_brn_and) b = fc_loc(c, cell[2]);
        emit_test(c, 0, fc_loc(c, cell[1]), b);
        cc = op == OP_br_and || op == OP_br_and_imm ? CC_NE : CC_E;
        rcell = pos + 3;
    } else if (op >= OP_br_eq_imm && op <= OP_brn_ge_u_imm) {
        unsigned k = (unsigned)(op - OP_br_eq_imm);
        struct opnd b = {O_IMM, 0, cell[2], XR(0)};
        cc = fc_cmp(c, 0, fc_loc(c, cell[1]), b, cmp_cc[k % 10]);
        if (k >= 10) cc ^= 1;
        rcell = pos + 3;
    } else if (op >= OP_br_eq && op <= OP_brn64_ge_u) {
        unsigned k = (unsigned)(op - OP_br_eq);
        w = k >= 20;
        cc = fc_cmp(c, w, fc_loc(c, cell[1]), fc_loc(c, cell[2]), cmp_cc[k % 10]);
        if (k % 20 >= 10) cc ^= 1;
        rcell = pos + 3;
    } else if (op >= OP_add32_br_eq && op <= OP_add64_brn_ge_u) {
        unsigned k = (unsigned)(op - OP_add32_br_eq);
        w = k >= 20;
        fc_alu3(c, w, ALU_ADD, cell[1], fc_loc(c, cell[2]), fc_loc(c, cell[3]));
        cc = fc_cmp(c, w, fc_loc(c, cell[1]), fc_loc(c, cell[4]), cmp_cc[k % 10]);
        if (k % 20 >= 10) cc ^= 1;
        rcell = pos + 5;
    } else {
        return false;
    }
    jump_to(c, cc, target_of(c, rcell));
    return true;
}

static void emit_br_table(struct fcomp *c, const uint32_t *cell, uint32_t pos)
{
    uint32_t n = cell[2];
    fc_load_gpr(c, RAX, cell[1], 0);
    x_mov_ri(c->b, RCX, n);
    x_alu_rm(c->b, 0, ALU_CMP, RAX, XR(RCX));
    x_cmov(c->b, 0, CC_A, RAX, XR(RCX));
    uint32_t lea = x_lea_rip(c->b, RCX);
    x_movsxd(c->b, RAX, XMI(RCX, RAX, 2, 0));
    x_alu_rm(c->b, 1, ALU_ADD, RAX, XR(RCX));
    x_jmp_r(c->b, RAX);
    uint32_t table = c->b->len;
    x_patch(c->b, lea, table);
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t t = target_of(c, pos + 3 + i), at = c->b->len;
        if (t <= c->cur) {
            x_u32(c->b, c->pad[t] - table);
        } else {
            x_u32(c->b, 0);
            fc_add_fixup(c, &c->tabs, at, t, table);
        }
    }
}

/* ---- function entry and exit ---- */

static void emit_epilogue(struct fcomp *c)
{
    x_alu_mi(c->b, 1, ALU_ADD, XR(RSP), 8);
    x_ret(c->b);
}

/* ret1 A: the result to slot 0, from wherever it is. */
static void emit_ret1(struct fcomp *c, uint32_t a)
{
    struct opnd o = floc(c, a);
    if (o.kind == O_XMM)
        x_movs_store(c->b, true, fc_home(0), o.r);
    else if (o.kind == O_IMM && x_fits32((int64_t)o.imm))
        x_mov_mi(c->b, 1, fc_home(0), (uint32_t)o.imm);
    else
        x_store(c->b, 1, fc_home(0), fc_gpr(c, a, 1, RAX));
    emit_epilogue(c);
}

/* ret1_w A: the 16 bytes of A to slots 0 and 1 (wide frames: A is never
 * a register candidate). */
static void emit_ret1_w(struct fcomp *c, uint32_t a)
{
    x_op(c->b, 0xf3, 0, 0x0f6f, 2, 0, fc_home(a)); /* movdqu xmm0, [A] */
    x_op(c->b, 0xf3, 0, 0x0f7f, 2, 0, fc_home(0)); /* movdqu [slot 0], xmm0 */
    emit_epilogue(c);
}

/* ret: the copies before it put the results in slots 0..n-1; those with
 * registers go home. */
static void emit_ret(struct fcomp *c)
{
    for (uint32_t r = 0; r < c->fn.code->nresults; r++) {
        int k = jit_cand(&c->fn, jit_stride(&c->fn) * r);
        if (k >= 0 && c->fn.reg[k] != JIT_NOREG) fc_save_cand(c, (uint32_t)k);
    }
    emit_epilogue(c);
}

/* sub dword [ticks], 1; js -> a call of the tick stub, then back here. */
static void emit_tick(struct fcomp *c)
{
    x_alu_mi(c->b, 0, ALU_SUB, XM(R_EX, OFF(exec, ticks)), 1);
    uint32_t at = x_jcc(c->b, CC_S, 0);
    fc_add_fixup(c, &c->ticks, at, c->b->len, 0);
}

static void emit_prologue(struct fcomp *c)
{
    struct jcomp *j = c->j;
    const struct wasm_code *code = c->fn.code;
    uint32_t di = c->fn.index - j->mod->nfunc_imports;
    j->foreign[di] = c->b->len;
    fc_reload_memory(c);
    j->entry[di] = c->b->len;
    x_alu_mi(c->b, 1, ALU_SUB, XR(RSP), 8);
    emit_tick(c);
    /* Locals are zero in their frame slots, unless they have a register
     * and are written somewhere (then the slot is only read after a save). */
    uint32_t nz = 0;
    for (uint32_t s = code->nparams; s < code->nparams + code->nlocals; s++) {
        int k = jit_cand(&c->fn, s);
        if (k >= 0 && c->fn.reg[k] != JIT_NOREG && (c->fn.written >> k & 1)) continue;
        nz++;
    }
    if (nz > 16 && nz == code->nlocals) {
        x_lea(c->b, 1, RDI, fc_home(code->nparams));
        x_mov_ri(c->b, RCX, code->nlocals);
        x_alu_rm(c->b, 0, ALU_XOR, RAX, XR(RAX));
        x_byte(c->b, 0xf3); /* rep stosq */
        x_byte(c->b, 0x48);
        x_byte(c->b, 0xab);
    } else if (nz) {
        x_alu_rm(c->b, 0, ALU_XOR, RAX, XR(RAX));
        for (uint32_t s = code->nparams; s < code->nparams + code->nlocals; s++) {
            int k = jit_cand(&c->fn, s);
            if (k >= 0 && c->fn.reg[k] != JIT_NOREG && (c->fn.written >> k & 1)) continue;
            x_store(c->b, 1, fc_home(s), RAX);
        }
    }
    /* Constant slots that are also result slots start with their constant;
     * with wide frames all do, for the 16-byte moves and the simd ops done
     * in C, which read their operands from the frame. */
    bool wide = j->mod->wide;
    for (uint32_t s = c->fn.const_base; s < c->fn.const_base + code->nconsts; s++) {
        if (!c->fn.written_slot[s] && !(wide && s % 2 == 0)) continue;
        x_mov_ri(c->b, RAX, jit_const(&c->fn, s));
        x_store(c->b, 1, fc_home(s), RAX);
    }
    /* Registers of candidates live at the entry. */
    for (uint32_t k = 0; k < c->fn.ncand; k++) {
        if (c->fn.reg[k] == JIT_NOREG || !(c->fn.live_in >> k & 1)) continue;
        uint32_t s = c->fn.cand[k];
        if (s >= code->nparams && s < code->nparams + code->nlocals) {
            struct opnd o = reg_opnd(c->fn.reg[k]);
            if (o.kind == O_GPR)
                x_alu_rm(c->b, 0, ALU_XOR, o.r, XR(o.r));
            else
                x_bitps(c->b, SSE_XOR, o.r, o.r);
            if (!(c->fn.written >> k & 1)) c->clean |= 1ull << k;
        } else {
            fc_load_cand(c, k);
        }
    }
}

/* ---- calls ---- */

/* Checks that the callee's frame (frame_bytes, or in rax when
 * frame_bytes < 0) fits above base, and one more native frame. */
static void stack_checks(struct fcomp *c, uint32_t base, int64_t frame_bytes)
{
    x_alu_rm(c->b, 1, ALU_CMP, RSP, XM(R_EX, OFF(exec, jit_limit)));
    fc_trap_if(c, CC_B, WASM_TRAP_STACK_EXHAUSTED);
    if (frame_bytes >= 0)
        x_lea(c->b, 1, RAX, fc_home(base + (uint32_t)(frame_bytes / 8)));
    else
        x_lea(c->b, 1, RAX, XMI(R_FP, RAX, 0, (int32_t)(8 * base)));
    x_alu_rm(c->b, 1, ALU_CMP, RAX, XM(R_EX, OFF(exec, stack_end)));
    fc_trap_if(c, CC_A, WASM_TRAP_STACK_EXHAUSTED);
}

static void shift_fp(struct fcomp *c, int alu, uint32_t base)
{
    if (base) x_alu_mi(c->b, 1, alu, XR(R_FP), (int32_t)(8 * base));
}

/* Before a call: arguments to their slots, live registers saved. Returns
 * what to reload after it (live registers and results). */
static uint64_t before_call(struct fcomp *c, const struct wasm_functype *t, uint32_t base,
                            bool c_call)
{
    for (uint32_t a = 0; a < t->nparams; a++) {
        int k = jit_cand(&c->fn, base + jit_stride(&c->fn) * a);
        if (k >= 0 && c->fn.reg[k] != JIT_NOREG) fc_save_cand(c, (uint32_t)k);
    }
    uint64_t defs = fc_defs(c);
    uint64_t keep = live_regs(c, defs, c_call);
    save_mask(c, keep);
    uint64_t results = live_regs(c, 0, false) & defs;
    return keep | results;
}

/* C path of a call: jit_h_call(ex, callee (in rsi), fp + base, self, sp). */
static void call_via_c(struct fcomp *c, uint32_t base)
{
    x_mov_rr(c->b, 1, RDI, R_EX);
    x_lea(c->b, 1, RDX, fc_home(base));
    fc_self(c, RCX);
    x_mov_rr(c->b, 1, R8, RSP);
    fc_call_c(c, (const void *)jit_h_call);
    fc_unwind_if_nz(c);
}

static void after_call(struct fcomp *c, uint64_t reload, bool direct)
{
    fc_forget_checks(c);
    if (!direct || !c->j->mem_stable) fc_reload_memory(c);
    c->clean &= ~reload;
    load_mask(c, reload);
}

static void emit_call(struct fcomp *c, const uint32_t *cell)
{
    struct jcomp *j = c->j;
    uint32_t f = cell[1], base = cell[2];
    const struct wasm_functype *t = mod_func_type(j->mod, f);
    struct wasm_func *callee = j->inst->funcs[f];
    bool own = f >= j->mod->nfunc_imports;
    /* another instance's code only if its frames have our width */
    bool native = own || (callee->jit && callee->jit_wide == j->mod->wide);
    uint64_t reload = before_call(c, t, base, !native);
    if (!native) {
        fc_obj(c, RSI, JO_FUNC, f);
        call_via_c(c, base);
        after_call(c, reload, false);
        return;
    }
    int64_t fb =
        own ? 8 * (int64_t)j->mod->codes[f - j->mod->nfunc_imports].frame_size : callee->jit_frame;
    stack_checks(c, base, fb);
    shift_fp(c, ALU_ADD, base);
    if (own) {
        uint32_t di = f - j->mod->nfunc_imports;
        uint32_t at = x_call(c->b, j->entry[di] == UNSET ? 0 : j->entry[di]);
        if (j->entry[di] == UNSET) fc_add_fixup(c, &j->calls, at, di, 0);
    } else { /* another instance's machine code: its foreign entry */
        fc_obj(c, RAX, JO_FUNC_CODE, f);
        x_call_r(c->b, RAX);
    }
    shift_fp(c, ALU_SUB, base);
    after_call(c, reload, own);
}

static void emit_call_indirect(struct fcomp *c, const uint32_t *cell)
{
    struct jcomp *j = c->j;
    uint32_t ty = cell[1], base = cell[4];
    const struct wasm_functype *want = &j->mod->types[ty];
    uint64_t reload = before_call(c, want, base, false);
    fc_load_gpr(c, RAX, cell[3], 0);
    fc_obj(c, RCX, JO_TABLE, cell[2]);
    x_alu_rm(c->b, 0, ALU_CMP, RAX, XM(RCX, OFF(wasm_table, size)));
    fc_trap_if(c, CC_AE, WASM_TRAP_UNDEFINED_ELEM);
    x_load(c->b, 1, RCX, XM(RCX, OFF(wasm_table, elems)));
    x_load(c->b, 1, RCX, XMI(RCX, RAX, 3, 0));
    x_test_rr(c->b, 1, RCX, RCX);
    fc_trap_if(c, CC_E, WASM_TRAP_UNINIT_ELEM);
    /* the type: the same object, else a structural comparison in C */
    fc_obj(c, RDX, JO_TYPE, ty);
    x_alu_rm(c->b, 1, ALU_CMP, RDX, XM(RCX, OFF(wasm_func, type)));
    uint32_t same = x_jcc(c->b, CC_E, 0);
    x_push(c->b, RAX);
    x_push(c->b, RCX);
    x_load(c->b, 1, RDI, XM(RCX, OFF(wasm_func, type)));
    x_mov_rr(c->b, 1, RSI, RDX);
    fc_call_c(c, (const void *)jit_h_sig);
    x_mov_rr(c->b, 0, RDX, RAX);
    x_pop(c->b, RCX);
    x_pop(c->b, RAX);
    x_test_rr(c->b, 0, RDX, RDX);
    fc_trap_if(c, CC_E, WASM_TRAP_INDIRECT_TYPE);
    x_patch(c->b, same, c->b->len);
    /* machine code: a native call; else through C */
    x_load(c->b, 1, RDX, XM(RCX, OFF(wasm_func, jit)));
    x_test_rr(c->b, 1, RDX, RDX);
    uint32_t to_c = x_jcc(c->b, CC_E, 0);
    x_alu_mi(c->b, 0, ALU_CMP, XM(RCX, OFF(wasm_func, jit_wide)), j->mod->wide);
    uint32_t to_c2 = x_jcc(c->b, CC_NE, 0); /* frames of the other width */
    x_load(c->b, 0, RAX, XM(RCX, OFF(wasm_func, jit_frame)));
    stack_checks(c, base, -1);
    shift_fp(c, ALU_ADD, base);
    x_call_r(c->b, RDX);
    shift_fp(c, ALU_SUB, base);
    uint32_t done = x_jmp(c->b, 0);
    x_patch(c->b, to_c, c->b->len);
    x_patch(c->b, to_c2, c->b->len);
    x_mov_rr(c->b, 1, RSI, RCX);
    call_via_c(c, base);
    x_patch(c->b, done, c->b->len);
    after_call(c, reload, false);
}

/* ---- moves ---- */

/* copy D A: the whole 64-bit slot. */
static void emit_copy(struct fcomp *c, uint32_t d, uint32_t a)
{
    if (d == a) return;
    struct opnd od = fc_loc(c, d), oa = floc(c, a);
    if (od.kind == O_XMM) {
        fc_load_xmm(c, od.r, a, true);
    } else if (od.kind == O_GPR) {
        fc_load_gpr(c, od.r, a, 1);
    } else if (oa.kind == O_XMM) {
        x_movs_store(c->b, true, od.m, oa.r);
    } else if (oa.kind == O_IMM && x_fits32((int64_t)oa.imm)) {
        x_mov_mi(c->b, 1, od.m, (uint32_t)oa.imm);
    } else {
        x_store(c->b, 1, od.m, fc_gpr(c, a, 1, RAX));
    }
    fc_dirty(c, d);
}

/* ---- one instruction ---- */

static bool emit_ins(struct fcomp *c)
{
    const struct jit_ins *in = &c->fn.ins[c->cur];
    const uint32_t *cell = c->fn.code->cells + in->pos;
    enum wasm_op op = (enum wasm_op)in->op;
    switch (op) {
    case OP_unreachable: fc_trap_if(c, -1, WASM_TRAP_UNREACHABLE); return true;
    case OP_br: jump_to(c, -1, target_of(c, in->pos + 1)); return true;
    case OP_br_table: emit_br_table(c, cell, in->pos); return true;
    case OP_ret1: emit_ret1(c, cell[1]); return true;
    case OP_ret1_w: emit_ret1_w(c, cell[1]); return true;
    case OP_ret: emit_ret(c); return true;
    case OP_call: emit_call(c, cell); return true;
    case OP_call_indirect: emit_call_indirect(c, cell); return true;
    case OP_copy: emit_copy(c, cell[1], cell[2]); return true;
    case OP_copy2:
        emit_copy(c, cell[1], cell[2]);
        emit_copy(c, cell[3], cell[4]);
        return true;
    default: break;
    }
    return emit_cond_branch(c, op, cell, in->pos) || fc_op_memory(c, op, cell) ||
           fc_op_numeric(c, op, cell) || fc_op_misc(c, op, cell) || fc_op_wide(c, op, cell);
}

/* ---- cold code after a function: ticks, traps, constants ---- */

static void emit_cold(struct fcomp *c)
{
    struct xbuf *b = c->b;
    if (c->ticks.n) {
        uint32_t stub = b->len; /* rax = this function, then the shared stub */
        fc_self(c, RAX);
        x_jmp(b, c->j->pos_tick);
        for (uint32_t i = 0; i < c->ticks.n; i++) {
            x_patch(b, c->ticks.v[i].at, b->len);
            x_call(b, stub);
            x_jmp(b, c->ticks.v[i].target);
        }
    }
    for (int kind = 1; kind <= WASM_TRAP_NOMEM; kind++) {
        bool used = false;
        for (uint32_t i = 0; i < c->traps.n; i++)
            if (c->traps.v[i].target == (uint32_t)kind) {
                x_patch(b, c->traps.v[i].at, b->len);
                used = true;
            }
        if (!used) continue;
        x_mov_ri(b, RSI, (uint32_t)kind);
        x_mov_rr(b, 0, RDX, RAX);
        x_mov_rr(b, 1, RDI, R_EX);
        fc_self(c, RCX);
        fc_call_c(c, (const void *)jit_h_trap);
        x_jmp(b, c->j->pos_unwind);
    }
    if (c->npool) {
        while (b->len % 8)
            x_byte(b, 0xcc);
        uint32_t pool = b->len;
        for (uint32_t i = 0; i < c->npool; i++)
            x_u64(b, c->pool[i]);
        for (uint32_t i = 0; i < c->kfix.n; i++) {
            const struct fixup *f = &c->kfix.v[i];
            x_put32(b, f->at, pool + 8 * f->target - (f->at + 4 + f->base));
        }
    }
}

/* Marks the targets of backward branches: they get a loop pad. */
static void find_loops(struct fcomp *c)
{
    for (uint32_t i = 0; i < c->fn.nins; i++) {
        const struct jit_ins *in = &c->fn.ins[i];
        const char *sh = jit_shape((enum wasm_op)in->op);
        uint32_t first, last;
        if (sh) {
            const char *r = strchr(sh, JK_BR);
            if (!r) continue;
            first = last = in->pos + 1 + (uint32_t)(r - sh);
        } else {
            first = in->pos + 3;
            last = in->pos + in->len - 1;
        }
        for (uint32_t k = first; k <= last; k++) {
            uint32_t t = jit_ins_at(&c->fn, k + c->fn.code->cells[k]);
            if (t <= i) c->pad[t] = 0;
        }
    }
}

static void emit_pad(struct fcomp *c)
{
    struct xbuf *b = c->b;
    x_byte(b, 0xeb); /* jmp over the pad */
    uint32_t rel = b->len;
    x_byte(b, 0);
    c->pad[c->cur] = b->len;
    emit_tick(c);
    if (!b->oom) b->p[rel] = (uint8_t)(b->len - (rel + 1));
}

static void free_fcomp(struct fcomp *c)
{
    jit_fn_free(&c->fn);
    mem_free(c->native);
    mem_free(c->pad);
    mem_free(c->fwd.v);
    mem_free(c->tabs.v);
    mem_free(c->traps.v);
    mem_free(c->ticks.v);
    mem_free(c->kfix.v);
    mem_free(c->pool);
}

static int compile_function(struct jcomp *j, uint32_t di, char *why, size_t why_size)
{
    struct fcomp c;
    memset(&c, 0, sizeof c);
    c.j = j;
    c.b = &j->b;
    uint32_t index = j->mod->nfunc_imports + di;
    c.self = index;
    int rc = jit_fn_analyze(&c.fn, j->mod, index, j->ops, &regfile);
    if (!rc && c.fn.code->frame_size > MAX_FRAME_SLOTS) rc = ERR_NOTSUP;
    if (!rc) {
        c.native = mem_alloc(((size_t)c.fn.nins + 1) * sizeof(uint32_t));
        c.pad = mem_alloc(((size_t)c.fn.nins + 1) * sizeof(uint32_t));
        if (!c.native || !c.pad) rc = ERR_NOMEM;
    }
    if (rc) {
        fmt_snprintf(why, why_size, "function %u: %s", index,
                     rc == ERR_NOMEM ? "out of memory" : "not supported");
        free_fcomp(&c);
        return rc;
    }
    for (uint32_t i = 0; i <= c.fn.nins; i++)
        c.pad[i] = UNSET;
    find_loops(&c);
    for (uint32_t k = 0; k < c.fn.ncand; k++)
        if (c.fn.reg[k] != JIT_NOREG && !(c.fn.written >> k & 1)) c.readonly |= 1ull << k;
    c.clean = c.readonly;
    c.vx0 = c.vhit = UNSET;
    emit_prologue(&c);
    for (c.cur = 0; c.cur < c.fn.nins && !rc; c.cur++) {
        if (c.fn.ins[c.cur].flags & JI_TARGET) {
            c.clean = c.readonly;
            fc_forget_checks(&c);
        }
        if (c.pad[c.cur] != UNSET) emit_pad(&c);
        /* xmm0 carries a v128 only from one wide op to the next (simd.c) */
        enum wasm_op op = (enum wasm_op)c.fn.ins[c.cur].op;
        bool wide_op = op == OP_simd || op == OP_copy_w;
        c.vhit = wide_op && !(c.fn.ins[c.cur].flags & JI_TARGET) ? c.vx0 : UNSET;
        c.vx0 = UNSET;
        c.native[c.cur] = j->b.len;
        if (!emit_ins(&c)) {
            fmt_snprintf(why, why_size, "function %u: no code for op %u at %u", index,
                         c.fn.ins[c.cur].op, c.fn.ins[c.cur].pos);
            rc = ERR_NOTSUP;
        }
    }
    if (!rc) {
        emit_cold(&c);
        for (uint32_t i = 0; i < c.fwd.n; i++)
            x_patch(&j->b, c.fwd.v[i].at, c.native[c.fwd.v[i].target]);
        for (uint32_t i = 0; i < c.tabs.n; i++)
            x_put32(&j->b, c.tabs.v[i].at, c.native[c.tabs.v[i].target] - c.tabs.v[i].base);
    }
    free_fcomp(&c);
    return rc;
}

/* ---- the shared stubs ---- */

static void emit_stubs(struct jcomp *j)
{
    struct xbuf *b = &j->b;
    static const uint8_t saved[6] = {RBX, RBP, R12, R13, R14, R15};
    /* int enter(struct exec *ex, void *code, slot_t *fp) */
    j->pos_enter = b->len;
    for (int i = 0; i < 6; i++)
        x_push(b, saved[i]);
    x_alu_mi(b, 1, ALU_SUB, XR(RSP), 8);
    x_mov_rr(b, 1, R_EX, RDI);
    x_mov_rr(b, 1, R_FP, RDX);
    x_store(b, 1, XM(R_EX, OFF(exec, jit_entry_sp)), RSP);
    x_mov_rr(b, 1, RAX, RSP);
    x_alu_rm(b, 1, ALU_SUB, RAX, XM(R_EX, OFF(exec, jit_depth_bytes)));
    uint32_t no_borrow = x_jcc(b, CC_AE, 0);
    x_alu_rm(b, 0, ALU_XOR, RAX, XR(RAX));
    x_patch(b, no_borrow, b->len);
    x_store(b, 1, XM(R_EX, OFF(exec, jit_limit)), RAX);
    x_call_r(b, RSI);
    x_alu_rm(b, 0, ALU_XOR, RAX, XR(RAX));
    uint32_t exit = b->len;
    x_alu_mi(b, 1, ALU_ADD, XR(RSP), 8);
    for (int i = 5; i >= 0; i--)
        x_pop(b, saved[i]);
    x_ret(b);
    /* unwind: back to the innermost entry, returning ERR_FAULT */
    j->pos_unwind = b->len;
    x_load(b, 1, RSP, XM(R_EX, OFF(exec, jit_entry_sp)));
    x_mov_ri(b, RAX, (uint32_t)ERR_FAULT);
    x_jmp(b, exit);
    /* tick: rax = the function; saves the caller-saved slot registers */
    static const uint8_t volat[6] = {RSI, RDI, R8, R9, R10, R11};
    j->pos_tick = b->len;
    for (int i = 0; i < 6; i++)
        x_push(b, volat[i]);
    x_alu_mi(b, 1, ALU_SUB, XR(RSP), 104);
    for (int k = 0; k < NXMM; k++)
        x_movs_store(b, true, XM(RSP, 8 * k), 4 + k);
    x_mov_rr(b, 1, RDI, R_EX);
    x_mov_rr(b, 1, RSI, RAX);
    x_mov_rr(b, 1, RDX, R_FP);
    x_lea(b, 1, RCX, XM(RSP, 104 + 48 + 8));
    j_helper(j, (const void *)jit_h_tick);
    x_call_r(b, RAX);
    x_test_rr(b, 0, RAX, RAX);
    x_jcc(b, CC_NE, j->pos_unwind);
    for (int k = 0; k < NXMM; k++)
        x_movs_load(b, true, 4 + k, XM(RSP, 8 * k));
    x_alu_mi(b, 1, ALU_ADD, XR(RSP), 104);
    for (int i = 5; i >= 0; i--)
        x_pop(b, volat[i]);
    x_load(b, 1, R_MB, XM(R_EX, OFF(exec, jit_mbase)));
    x_load(b, 1, R_MSZ, XM(R_EX, OFF(exec, jit_msize)));
    x_ret(b);
}

/* ---- modules and instances ---- */

/* How emit_call calls imported function f: the frame bytes of another
 * instance's machine code with our frame width, else UNSET (through C). */
static uint32_t import_shape(const struct wasm_instance *inst, uint32_t f)
{
    const struct wasm_func *callee = inst->funcs[f];
    return callee->jit && callee->jit_wide == inst->mod->wide ? callee->jit_frame : UNSET;
}

void jit_cpu_features(bool *sse41, bool *popcnt)
{
    uint32_t a, bx, cx, dx;
    cpuid(1, &a, &bx, &cx, &dx);
    *sse41 = !baseline_cpu && ((cx >> 19) & 1);
    *popcnt = !baseline_cpu && ((cx >> 23) & 1);
}

/* Would compiling for inst give t's code (up to the relocations)? Memories
 * never shrink, so one at least as large keeps the unchecked addresses. */
static bool template_fits(const struct jit_template *t, const struct wasm_instance *inst)
{
    bool sse41, popcnt;
    jit_cpu_features(&sse41, &popcnt);
    if (sse41 != t->sse41 || popcnt != t->popcnt || inst->mem->size < t->mem_bytes) return false;
    for (uint32_t i = 0; i < inst->mod->nfunc_imports; i++)
        if (import_shape(inst, i) != t->imports[i]) return false;
    return true;
}

void jit_arch_template_free(struct jit_template *t)
{
    if (!t) return;
    mem_free(t->bytes);
    mem_free(t->relocs);
    mem_free(t->foreign);
    mem_free(t->imports);
    mem_free(t);
}

/* Writes inst's object addresses into code's table and points inst's
 * functions at code. */
static void bind(const struct jit_template *t, struct wasm_instance *inst, struct jit_code *code)
{
    const struct wasm_module *m = inst->mod;
    uint64_t *table = (uint64_t *)(void *)(code->base + t->code_size);
    for (uint32_t i = 0; i < t->nrelocs; i++)
        table[i] = obj_addr(inst, t->relocs[i].base, t->relocs[i].target);
    for (uint32_t i = 0; i < m->ncodes; i++) {
        struct wasm_func *f = &inst->own_funcs[m->nfunc_imports + i];
        f->jit = code->base + t->foreign[i];
        f->jit_frame = 8 * m->codes[i].frame_size;
        f->jit_wide = m->wide;
    }
}

/* inst's copy of t's code: a spare one of cache (which publishes t), else
 * a fresh copy, sealed; with its table written and its functions' entries
 * set. */
static int install(const struct jit_template *t, struct wasm_instance *inst,
                   const struct wasm_code_memory *mem, struct jit_cache *cache,
                   struct jit_code **out, char *why, size_t why_size)
{
    struct jit_code *code = cache ? jit_cache_take(cache) : NULL;
    if (code) {
        bind(t, inst, code);
        *out = code;
        return 0;
    }
    size_t table = ((size_t)t->nrelocs * 8 + 4095) & ~(size_t)4095;
    size_t size = t->code_size + table;
    code = mem_zalloc(sizeof *code);
    uint8_t *p = code ? mem->alloc(mem->ctx, size) : NULL;
    if (!p) {
        mem_free(code);
        str_copy(why, "no executable memory", why_size);
        return ERR_NOMEM;
    }
    memcpy(p, t->bytes, t->len);
    memset(p + t->len, 0xcc, t->code_size - t->len);
    if (mem->seal(mem->ctx, p, t->code_size)) { /* the table stays writable, not executable */
        str_copy(why, "cannot make code executable", why_size);
        mem->release(mem->ctx, p, size);
        mem_free(code);
        return ERR_NOMEM;
    }
    *code = (struct jit_code){mem, p, size, t->code_size, t->enter, t->simd_in_c, cache};
    bind(t, inst, code);
    *out = code;
    return 0;
}

/* Compiles inst's module into j (the code for inst). */
static int compile_module(struct jcomp *j, struct wasm_instance *inst, char *why, size_t why_size)
{
    const struct wasm_module *m = inst->mod;
    j->inst = inst;
    j->mod = m;
    j->ops = jit_opmap_new(interp_handlers());
    jit_cpu_features(&j->sse41, &j->popcnt);
    j->entry = mem_alloc(((size_t)m->ncodes + 1) * sizeof(uint32_t));
    j->foreign = mem_alloc(((size_t)m->ncodes + 1) * sizeof(uint32_t));
    int rc = j->entry && j->foreign && j->ops ? 0 : ERR_NOMEM;
    for (uint32_t i = 0; !rc && i < m->ncodes; i++)
        j->entry[i] = j->foreign[i] = UNSET;
    bool grows = true, indirect = true;
    if (!rc) rc = jit_module_scan(m, j->ops, &grows, &indirect);
    /* With neither, and no imported functions, a direct call runs only
     * this module's code, which cannot change the memory's size or place
     * (the interrupt stub reloads the registers itself). */
    j->mem_stable = !grows && !indirect && m->nfunc_imports == 0;
    if (!rc) emit_stubs(j);
    for (uint32_t i = 0; !rc && i < m->ncodes; i++)
        rc = compile_function(j, i, why, why_size);
    for (uint32_t i = 0; !rc && i < j->calls.n; i++)
        x_patch(&j->b, j->calls.v[i].at, j->entry[j->calls.v[i].target]);
    if (!rc && (j->oom || j->b.oom)) rc = ERR_NOMEM;
    if (rc == ERR_NOMEM) str_copy(why, "out of memory", why_size);
    return rc;
}

/* j's code as a template (taking its buffers), or NULL (out of memory). */
static struct jit_template *template_of(struct jcomp *j)
{
    const struct wasm_module *m = j->mod;
    struct jit_template *t = mem_zalloc(sizeof *t);
    uint32_t *imports = mem_alloc(((size_t)m->nfunc_imports + 1) * sizeof(uint32_t));
    if (!t || !imports) {
        mem_free(t);
        mem_free(imports);
        return NULL;
    }
    for (uint32_t i = 0; i < m->nfunc_imports; i++)
        imports[i] = import_shape(j->inst, i);
    uint32_t code_size = (j->b.len + 4095) & ~(uint32_t)4095;
    for (uint32_t i = 0; i < j->relocs.n; i++) { /* each load from its own table slot */
        uint32_t at = j->relocs.v[i].at;
        x_put32(&j->b, at, jit_table_disp(code_size, at, i));
    }
    *t = (struct jit_template){j->b.p,       j->b.len,     code_size, j->relocs.v,
                               j->relocs.n,  j->foreign,   imports,   j->inst->mem->size,
                               j->pos_enter, j->simd_in_c, j->sse41,  j->popcnt};
    j->b.p = NULL;
    j->relocs.v = NULL;
    j->foreign = NULL;
    return t;
}

int jit_arch_compile(struct wasm_instance *inst, const struct wasm_code_memory *mem,
                     struct jit_cache *cache, struct jit_code **out, char *why, size_t why_size)
{
    struct jit_template *t = cache ? __atomic_load_n(&cache->tpl, __ATOMIC_ACQUIRE) : NULL;
    if (t && template_fits(t, inst)) return install(t, inst, mem, cache, out, why, why_size);
    struct jcomp j;
    memset(&j, 0, sizeof j);
    int rc = compile_module(&j, inst, why, why_size);
    t = NULL;
    if (!rc) {
        t = template_of(&j);
        if (!t) str_copy(why, "out of memory", why_size);
        rc = t ? install(t, inst, mem, NULL, out, why, why_size) : ERR_NOMEM;
    }
    if (!rc && cache) {
        __atomic_add_fetch(&cache->compiles, 1, __ATOMIC_RELAXED);
        /* the first compilation is the module's; a later one (an instance
         * that did not fit, or a race) stays this instance's alone */
        struct jit_template *none = NULL;
        if (__atomic_compare_exchange_n(&cache->tpl, &none, t, false, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED)) {
            (*out)->cache = cache; /* a copy of the published code: reusable */
            t = NULL;
        }
    }
    jit_arch_template_free(t);
    mem_free(j.b.p);
    mem_free(j.entry);
    mem_free(j.foreign);
    jit_opmap_free(j.ops);
    mem_free(j.calls.v);
    mem_free(j.relocs.v);
    return rc;
}

void jit_arch_release(struct jit_code *code, bool keep)
{
    if (keep && code->cache && jit_cache_keep(code->cache, code)) return;
    code->mem->release(code->mem->ctx, code->base, code->size);
    mem_free(code);
}

uint32_t jit_arch_simd_in_c(const struct jit_code *code)
{
    return code->simd_in_c;
}

const uint8_t *jit_arch_code(const struct jit_code *code, size_t *len)
{
    *len = code->code_size;
    return code->base;
}

/* UBSan's -fsanitize=function reads a type signature just before the
 * target of an indirect call; generated code has none. */
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
int jit_arch_enter(struct exec *ex, struct wasm_func *f, slot_t *fp)
{
    typedef int (*enter_fn)(struct exec *, void *, slot_t *);
    enter_fn enter;
    void *p = f->inst->jit->base + f->inst->jit->enter;
    memcpy(&enter, &p, sizeof enter);
    return enter(ex, f->jit, fp);
}

#else /* no code generator for this machine */

bool jit_arch_supported(void)
{
    return false;
}

int jit_arch_compile(struct wasm_instance *inst, const struct wasm_code_memory *mem,
                     struct jit_cache *cache, struct jit_code **out, char *why, size_t why_size)
{
    (void)inst, (void)mem, (void)cache, (void)out;
    str_copy(why, "no JIT for this machine", why_size);
    return ERR_NOTSUP;
}

void jit_arch_release(struct jit_code *code, bool keep)
{
    (void)code, (void)keep;
}

void jit_arch_template_free(struct jit_template *t)
{
    (void)t;
}

uint32_t jit_arch_simd_in_c(const struct jit_code *code)
{
    (void)code;
    return 0;
}

const uint8_t *jit_arch_code(const struct jit_code *code, size_t *len)
{
    (void)code;
    *len = 0;
    return NULL;
}

void jit_arch_baseline_cpu(bool baseline)
{
    (void)baseline;
}

int jit_arch_enter(struct exec *ex, struct wasm_func *f, slot_t *fp)
{
    (void)ex, (void)f, (void)fp;
    return ERR_NOTSUP;
}

#endif
