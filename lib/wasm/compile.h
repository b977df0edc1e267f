/*
 * lib/wasm/compile.h - the function compiler's state, shared by compile.c
 * (stack, control flow, calls, variables, the instruction loop) and
 * compile_ops.c (memory, bulk, numeric, constant, reference and table
 * instructions). See compile.c for how the translation works.
 */
#ifndef WASM_COMPILE_H
#define WASM_COMPILE_H

#include "base/error.h"
#include "wasm/internal.h"
#include "wasm/ops.h"

#define NONE       0xffffffffu
#define TAG_TEMP   0x80000000u
#define TAG_CONST  0x40000000u
#define TAG_MASK   0xc0000000u
#define TEMP(h)    (TAG_TEMP | (h))
#define MAX_HEIGHT (1u << 20)
#define MAX_CELLS  (1u << 24)
#define ANY        0 /* the unknown type of a polymorphic stack */

enum { FR_FUNC, FR_BLOCK, FR_LOOP, FR_IF };

struct cval {
    uint8_t type;
    uint32_t slot;
};

struct cframe {
    uint8_t kind;
    bool unreachable; /* spec: rest of the frame is unreachable (stack-polymorphic) */
    bool live_in;     /* control reached the frame's entry */
    bool label_used;  /* a live branch targets the end label */
    bool has_else;
    uint32_t height; /* operand height below the frame's params */
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    uint32_t start;      /* loop: code position of its head */
    uint32_t fixups;     /* chain of R cells that branch to the end label */
    uint32_t else_fixup; /* if: R cell of the branch to the else arm */
};

/* A branch condition: slot a, or the compare `cmp` of a (and b). */
struct cond {
    enum wasm_op cmp; /* OP_COUNT: plain i32 slot a */
    uint32_t a, b;
};

struct cc {
    struct wasm_module *m;
    struct wasm_code *code;
    struct wasm_error *err;
    uint32_t func;
    bool wide; /* the module uses v128: 16-byte slots (see widen_code) */
    const uint8_t *p, *end, *start;
    const int32_t *handlers;
    int rc; /* sticky allocation failure */

    uint8_t *local_types; /* params then locals */
    uint32_t nlocals_total;
    uint32_t *refcnt; /* per local: stack values that still read it */
    uint32_t nlazy;   /* stack values that read a local, in all */

    struct cval *stack;
    uint32_t height, stack_cap, max_height;
    struct cframe *frames;
    uint32_t nframes, frames_cap;

    uint32_t *cells;
    uint32_t ncells, cells_cap;
    uint32_t *reloc; /* bitmap: cells holding tagged slots */

    uint64_t *consts;
    uint32_t nconsts, consts_cap;
    uint32_t *const_hash; /* open addressing: const index + 1 */
    uint32_t hash_cap;

    bool dead;            /* the current point is unreachable: emit nothing */
    uint32_t hist_pos[2]; /* the last two instructions ([1] is the latest), or NONE */
    enum wasm_op hist_op[2];
    uint32_t last_pos; /* last op whose result is at TEMP(last_h), or NONE */
    uint32_t last_h;
    enum wasm_op last_op;
    uint32_t last_copy; /* position of the last op if it is a lone copy, else NONE */
};

/* Records an error message; bad() evaluates to the (non-zero) code. */
void cc_bad_msg(struct cc *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define bad(c, code, ...) (cc_bad_msg(c, code, __VA_ARGS__), (code))

static inline bool cc_is_const(uint32_t slot)
{
    return (slot & TAG_MASK) == TAG_CONST;
}

/* The value of a constant-pool operand (cc_is_const). */
static inline uint64_t cc_const_value(const struct cc *c, uint32_t slot)
{
    return c->consts[slot & ~TAG_MASK];
}

/* Reading the body: 0 or a malformation (ERR_BADMSG). */
int cc_rd_byte(struct cc *c, uint8_t *out);
int cc_rd_u32(struct cc *c, uint32_t *out);
int cc_rd_zero(struct cc *c);

/* Emission (nothing is emitted while c->dead). */
uint32_t cc_emit_op(struct cc *c, enum wasm_op op); /* returns the op's position */
/* Emits handler (a variant of op with the same cells) but records op, so
 * that the peepholes see the plain instruction. */
uint32_t cc_emit_op_as(struct cc *c, enum wasm_op handler, enum wasm_op op);
void cc_emit_slot(struct cc *c, uint32_t slot);
void cc_emit_imm(struct cc *c, uint32_t v);
void cc_truncate_code(struct cc *c, uint32_t pos);
void cc_note_result(struct cc *c, uint32_t pos, enum wasm_op op);
uint32_t cc_const_slot(struct cc *c, uint64_t bits);

/* The operand stack (spec appendix: push_val, pop_val). */
int cc_push(struct cc *c, uint8_t type, uint32_t slot);
int cc_push_home(struct cc *c, uint8_t type, uint32_t *slot);
int cc_pop(struct cc *c, uint8_t want, struct cval *out);
struct cframe *cc_top_frame(struct cc *c);

/* The integer ALU ops that leave their result in acc, in the order of
 * their _ra and _rb variants (ops.h, WASM_ACC_OPS); op_tables.c. */
#define CC_NALU 22
extern const enum wasm_op cc_alu_ops[CC_NALU];

/* compile_ops.c: one instruction each, its opcode already read. */
int cc_op_memory(struct cc *c, uint8_t opcode);      /* 0x28 .. 0x3e */
int cc_op_numeric(struct cc *c, uint8_t opcode);     /* 0x45 .. 0xc4 */
int cc_op_const(struct cc *c, uint8_t opcode);       /* 0x41 .. 0x44 */
int cc_op_select(struct cc *c, bool typed);          /* 0x1b, 0x1c */
int cc_op_ref(struct cc *c, uint8_t opcode);         /* 0xd0 .. 0xd2 */
int cc_op_table(struct cc *c, uint8_t opcode);       /* 0x25, 0x26 */
int cc_op_memory_size(struct cc *c, uint8_t opcode); /* 0x3f, 0x40 */
int cc_op_prefixed(struct cc *c);                    /* 0xfc */
/* compile_simd.c */
int cc_op_simd(struct cc *c); /* 0xfd, with wide frames */

/* The operand shapes of the SIMD instructions (0xfd SUB), for the JIT. */
enum simd_shape {
    SH_NONE,       /* not an instruction */
    SH_LOAD,       /* memarg; i32 -> v128 */
    SH_STORE,      /* memarg; i32 v128 -> */
    SH_LOAD_LANE,  /* memarg lane; i32 v128 -> v128 */
    SH_STORE_LANE, /* memarg lane; i32 v128 -> */
    SH_CONST,      /* 16 bytes; -> v128 */
    SH_SHUFFLE,    /* 16 lane bytes; v128 v128 -> v128 */
    SH_SPLAT,      /* t -> v128 */
    SH_EXTRACT,    /* lane; v128 -> t */
    SH_REPLACE,    /* lane; v128 t -> v128 */
    SH_UN,         /* v128 -> v128 */
    SH_BIN,        /* v128 v128 -> v128 */
    SH_TERN,       /* v128 v128 v128 -> v128 */
    SH_TEST,       /* v128 -> i32 */
    SH_SHIFT,      /* v128 i32 -> v128 */
};

enum simd_shape cc_simd_shape(uint32_t sub);
/* An opcode's shape with its argument (op_tables.c). */
struct simd_sig {
    uint8_t shape;
    uint8_t arg;   /* memory ops: natural alignment (log2); lanes ops: the scalar type */
    uint8_t lanes; /* lane ops: the lane count */
};
struct simd_sig cc_simd_sig(uint32_t op);

#endif
