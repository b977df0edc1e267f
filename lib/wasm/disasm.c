/*
 * lib/wasm/disasm.c - a listing of a compiled function's internal code
 * (ops.h), for debugging the compiler and for `kpio-wasm --dump`. Host
 * builds only (not part of the kernel's sources).
 */
#include "wasm/disasm.h"

#include "base/error.h"
#include "base/fmt.h"
#include "wasm/internal.h"
#include "wasm/jit.h"
#include "wasm/ops.h"

#define OP_NAME(name, n) #name,
static const char *const op_names[] = {WASM_OPS(OP_NAME)};
#undef OP_NAME
#define OP_CELLS(name, n) n,
static const int op_cells[] = {WASM_OPS(OP_CELLS)};
#undef OP_CELLS

static int op_of(const int32_t *handlers, uint32_t cell)
{
    for (int i = 0; i < OP_COUNT; i++)
        if ((uint32_t)handlers[i] == cell) return i;
    return -1;
}

int wasm_disasm(const struct wasm_module *m, uint32_t func, wasm_disasm_out out, void *ctx)
{
    char line[256];
    if (func >= m->nfuncs) return ERR_NOENT;
    if (func < m->nfunc_imports) return 1;
    const struct wasm_code *code = &m->codes[func - m->nfunc_imports];
    const int32_t *handlers = interp_handlers();
    fmt_snprintf(line, sizeof line,
                 "func %u%s%s: params %u, locals %u, consts %u (from slot %u), frame %u slots",
                 func, m->func_names && m->func_names[func] ? " " : "",
                 m->func_names && m->func_names[func] ? m->func_names[func] : "", code->nparams,
                 code->nlocals, code->nconsts, code->nparams + code->nlocals, code->frame_size);
    out(ctx, line);
    for (uint32_t i = 0; i < code->nconsts; i++) {
        fmt_snprintf(line, sizeof line, "  const s%u = 0x%llx", code->nparams + code->nlocals + i,
                     (unsigned long long)code->consts[i]);
        out(ctx, line);
    }
    for (uint32_t pc = 0; pc < code->ncells;) {
        int op = op_of(handlers, code->cells[pc]);
        if (op < 0) {
            fmt_snprintf(line, sizeof line, "%5u: ??? 0x%x", pc, code->cells[pc]);
            out(ctx, line);
            return ERR_CORRUPT;
        }
        uint32_t n = op_cells[op] >= 0 ? (uint32_t)op_cells[op] : 2 + code->cells[pc + 2] + 1;
        size_t len = fmt_snprintf(line, sizeof line, "%5u: %s", pc, op_names[op]);
        for (uint32_t k = 1; k <= n && pc + k < code->ncells && len < sizeof line; k++)
            len += fmt_snprintf(line + len, sizeof line - len, " %d", (int32_t)code->cells[pc + k]);
        out(ctx, line);
        pc += 1 + n;
    }
    return 0;
}

const uint8_t *wasm_jit_code(const struct wasm_instance *inst, size_t *len)
{
    return inst->jit ? jit_arch_code(inst->jit, len) : NULL;
}

uint32_t wasm_jit_entry(const struct wasm_instance *inst, uint32_t func)
{
    size_t len;
    const uint8_t *base = wasm_jit_code(inst, &len);
    if (!base || func >= inst->mod->nfuncs || !inst->funcs[func]->jit ||
        inst->funcs[func]->inst != inst)
        return UINT32_MAX;
    return (uint32_t)((const uint8_t *)inst->funcs[func]->jit - base);
}

uint32_t wasm_module_func_count(const struct wasm_module *m)
{
    return m->nfuncs;
}

uint32_t wasm_jit_simd_in_c(const struct wasm_instance *inst)
{
    return inst->jit ? jit_arch_simd_in_c(inst->jit) : 0;
}

void wasm_jit_baseline_cpu(bool baseline)
{
    jit_arch_baseline_cpu(baseline);
}
