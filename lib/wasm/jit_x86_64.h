/*
 * lib/wasm/jit_x86_64.h - state and helpers shared by the x86-64 code
 * generator's two files: jit_x86_64.c (instances, functions, frames,
 * calls, control flow, register moves), jit_x86_64_ops.c (memory,
 * numeric, table and bulk instructions) and jit_x86_64_simd.c (v128).
 *
 * Register use in generated code:
 *   r12  struct exec * of the run          r13  memory size in bytes
 *   r14  memory base                       r15  frame pointer (slot 0)
 *   rax, rcx, rdx, xmm0-xmm3               scratch within one instruction
 *   rbx rbp rsi rdi r8-r11, xmm4-xmm15     slots (jit_ir.h's assignment)
 * Slot registers are caller-saved between wasm functions (a call stores
 * the live ones and reloads them); across C calls rbx and rbp survive.
 * In a function body rsp is 16-byte aligned (each frame is a return
 * address and 8 bytes of padding), so helpers are called directly.
 */
#ifndef WASM_JIT_X86_64_H
#define WASM_JIT_X86_64_H

#include "wasm/jit.h"
#include "wasm/jit_ir.h"
#include "wasm/jit_x86_64_asm.h"

#define R_EX  R12
#define R_MSZ R13
#define R_MB  R14
#define R_FP  R15

#define NGPR 8
#define NXMM 12
#define XMM0 0 /* first slot xmm register: 4 */

struct fixup {
    uint32_t at;     /* position of a rel32 (or a table entry) */
    uint32_t target; /* instruction index, defined-function index, or trap kind */
    uint32_t base;   /* table entries: the position the entry is relative to */
};

struct fixups {
    struct fixup *v;
    uint32_t n, cap;
};

/*
 * Objects of an instance that code names by address. Code is compiled once
 * per module (struct jit_template) and copied for each instance; the code
 * loads each address from a slot of a table after it (fc_obj), recorded
 * with its kind and index, and each instance fills its copy's table.
 */
enum jit_obj {
    JO_NONE,         /* not an object: a plain immediate (helper operands) */
    JO_INST,         /* the instance */
    JO_OWN_FUNC,     /* &own_funcs[index] */
    JO_FUNC,         /* funcs[index] */
    JO_FUNC_CODE,    /* funcs[index]->jit (an imported function's machine code) */
    JO_MEM,          /* mem */
    JO_TABLE,        /* tables[index] */
    JO_GLOBAL,       /* &globals[index]->v */
    JO_ELEM_COUNT,   /* &elems[index].count */
    JO_DATA_DROPPED, /* &data_dropped[index] */
    JO_TYPE,         /* &mod->types[index] */
    JO_HELPER,       /* jit_helpers[index]: a C function of jit.h */
    JO_COUNT
};

/* The C functions generated code calls, by JO_HELPER index: their
 * addresses differ between builds and runs, so code names them through
 * relocations (and a cached copy stays valid, jit_store.c). */
extern const void *const jit_helpers[];
extern const uint32_t jit_nhelpers;

/*
 * A module's code, compiled once (by the instance inst of struct jcomp):
 * its bytes, the objects it names (relocs: target = index, base = kind;
 * the instruction whose disp32 is at `at` loads relocs[i]'s address from
 * slot i of the table that follows the code, code_size bytes from its
 * start: jit_table_disp), and what the code assumed of the instance. The
 * bytes hold no address of this process, so they are the same for every
 * instance and run: a copy is reused by the module's next instance with
 * only its table rewritten (no copy, no seal; an emulator such as QEMU's
 * TCG keeps its translation of the code), and jit_store.c saves them as
 * they are. Immutable once published in the module's jit_cache.
 */
struct jit_template {
    uint8_t *bytes;
    uint32_t len, code_size; /* code_size: len rounded up to a page */
    struct fixup *relocs;
    uint32_t nrelocs;
    uint32_t *foreign;  /* per defined function: its foreign entry */
    uint32_t *imports;  /* per imported function: import_shape */
    uint64_t mem_bytes; /* constant addresses below it have no bounds check */
    uint32_t enter, simd_in_c;
    bool sse41, popcnt;
};

/* The disp32 of the load whose displacement is at `at` that reads slot
 * slot of the table code_size bytes from the code's start. */
static inline uint32_t jit_table_disp(uint32_t code_size, uint32_t at, uint32_t slot)
{
    return code_size + 8 * slot - (at + 4);
}

/* The optional instructions code may use on this CPU (jit_arch_baseline_cpu
 * turns them off). */
void jit_cpu_features(bool *sse41, bool *popcnt);

/* One module's compilation, for the instance that triggered it. */
struct jcomp {
    struct xbuf b;
    struct wasm_instance *inst;
    const struct wasm_module *mod;
    struct jit_opmap *ops; /* the interpreter's handlers, sorted */
    bool sse41, popcnt;
    bool oom;
    uint32_t simd_in_c; /* simd ops done by jit_h_simd */
    bool mem_stable;    /* no direct call can move or grow memory */
    uint32_t pos_enter, pos_unwind, pos_tick;
    uint32_t *entry;      /* per defined function: body entry, or UINT32_MAX */
    uint32_t *foreign;    /* per defined function: entry that loads the memory registers */
    struct fixups calls;  /* direct calls to defined functions */
    struct fixups relocs; /* fc_obj's table loads: target = index, base = kind */
};

/* One function's compilation. */
struct fcomp {
    struct jcomp *j;
    struct xbuf *b;
    struct jit_fn fn;
    uint32_t self;       /* the function's index (JO_OWN_FUNC) */
    uint32_t cur;        /* instruction being compiled */
    uint32_t *native;    /* per instruction: its code position */
    uint32_t *pad;       /* per instruction: its loop pad (ticks), or UINT32_MAX */
    struct fixups fwd;   /* rel32 to an instruction not emitted yet */
    struct fixups tabs;  /* br_table entries to instructions not emitted yet */
    struct fixups traps; /* rel32 to the trap stub of a kind */
    struct fixups ticks; /* rel32 to a tick call, target: where to resume */
    struct fixups kfix;  /* [rip + disp32] of a pool constant: target = index */
    uint64_t *pool;      /* the function's constants, emitted after its code */
    uint32_t npool, pool_cap;
    uint64_t clean;    /* candidates whose frame slot holds their register's value */
    uint64_t readonly; /* candidates never written (their slot is always current) */
    /* Bounds checks done since the last label: address (A [+ B]) is known
     * to have end = offset + size bytes in bounds (memories never shrink);
     * forgotten when A or B is written. */
    struct {
        uint32_t a, b, end;
    } chk[8];
    uint32_t nchk;
    /* jit_x86_64_simd.c: the slot whose 16 bytes xmm0 holds after the
     * last wide instruction, and that slot for the current one. */
    uint32_t vx0, vhit;
};

/* Where a slot's value is. */
enum { O_GPR, O_XMM, O_MEM, O_IMM };
struct opnd {
    uint8_t kind;
    uint8_t r;    /* O_GPR, O_XMM: the register */
    uint64_t imm; /* O_IMM */
    struct xrm m; /* O_MEM: the frame slot; O_GPR: XR(r) */
};

struct opnd fc_loc(struct fcomp *c, uint32_t slot);
/* The frame slot of s as a memory operand. */
static inline struct xrm fc_home(uint32_t s)
{
    return XM(R_FP, (int32_t)(8 * s));
}

void fc_add_fixup(struct fcomp *c, struct fixups *f, uint32_t at, uint32_t target, uint32_t base);
/* reg = the address of the instance's object kind/index (relocated). */
void fc_obj(struct fcomp *c, int reg, enum jit_obj kind, uint32_t index);
/* reg = the compiled function's struct wasm_func. */
static inline void fc_self(struct fcomp *c, int reg)
{
    fc_obj(c, reg, JO_OWN_FUNC, c->self);
}
/* xmm x = the pool constant v (movss/movsd from the function's pool). */
void fc_kload(struct fcomp *c, int x, bool f64, uint64_t v);
/* A conditional jump to the trap stub of kind (elem: eax holds the index). */
void fc_trap_if(struct fcomp *c, int cc, int kind);
void fc_dirty(struct fcomp *c, uint32_t slot);
/* Forget every bounds check (after a call: its results were written). */
static inline void fc_forget_checks(struct fcomp *c)
{
    c->nchk = 0;
}

/* Values into scratch registers and back (w: 64-bit). */
int fc_gpr(struct fcomp *c, uint32_t slot, int w, int scratch);       /* a GPR holding it */
struct xrm fc_rm(struct fcomp *c, uint32_t slot, int w, int scratch); /* GPR or memory */
void fc_load_gpr(struct fcomp *c, int dst, uint32_t slot, int w);
void fc_put_gpr(struct fcomp *c, uint32_t slot, int w, int src);
int fc_xmm(struct fcomp *c, uint32_t slot, bool f64, int scratch);
struct xrm fc_xrm(struct fcomp *c, uint32_t slot, bool f64, int scratch);
void fc_load_xmm(struct fcomp *c, int dst, uint32_t slot, bool f64);
void fc_put_xmm(struct fcomp *c, uint32_t slot, bool f64, int src);
/* The register a result for slot should be computed in: its own GPR, or
 * the scratch (then fc_put_gpr it). */
int fc_dst_gpr(struct fcomp *c, uint32_t slot, int scratch);
int fc_dst_xmm(struct fcomp *c, uint32_t slot, int scratch);

/* A C helper call from instruction cur: saves the live registers it would
 * clobber (except those in `defs`), later restores them. */
void fc_c_save(struct fcomp *c, uint64_t defs);
void fc_c_restore(struct fcomp *c, uint64_t defs);
/* call rax-style absolute call of a C function (one of jit_helpers). */
void fc_call_c(struct fcomp *c, const void *fn);
void fc_unwind_if_nz(struct fcomp *c);
void fc_reload_memory(struct fcomp *c);
/* Candidates written by the current instruction. */
uint64_t fc_defs(struct fcomp *c);

/* op r, o (ALU group); scratch serves xmm operands and wide immediates. */
void fc_alu_r(struct fcomp *c, int w, int alu, int r, struct opnd o, int scratch);
/* Compares a with b and returns the condition meaning "a cc b" (mirrored
 * when the operands were swapped). Uses rax and rdx. */
int fc_cmp(struct fcomp *c, int w, struct opnd a, struct opnd b, int cc);
/* d = a <alu> b for the ALU group and ALU_MUL (imul). */
#define ALU_MUL 8
void fc_alu3(struct fcomp *c, int w, int alu, uint32_t d, struct opnd a, struct opnd b);

/* The memory operand of address A [+ B, when b >= 0] + off after a bounds
 * check of size bytes (may trap). Uses rax and rdx. */
struct xrm fc_address(struct fcomp *c, uint32_t a, int64_t b, uint32_t off, uint32_t size);
/* A candidate's register to its frame slot (if not clean), and back. */
void fc_save_cand(struct fcomp *c, uint32_t k);
void fc_load_cand(struct fcomp *c, uint32_t k);

/* jit_x86_64_ops.c: one instruction; false if op is not one of its. */
bool fc_op_memory(struct fcomp *c, enum wasm_op op, const uint32_t *cell);
bool fc_op_numeric(struct fcomp *c, enum wasm_op op, const uint32_t *cell);
bool fc_op_misc(struct fcomp *c, enum wasm_op op, const uint32_t *cell);
/* jit_x86_64_simd.c: the 16-byte moves and the simd op of wide frames. */
bool fc_op_wide(struct fcomp *c, enum wasm_op op, const uint32_t *cell);

#endif
