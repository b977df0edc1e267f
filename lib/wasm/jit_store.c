/*
 * lib/wasm/jit_store.c - a module's machine code (struct jit_template) as
 * bytes and back, for a cache on disk that spares an app's next run the
 * compilation (wasm_module_jit_save/load in wasm.h).
 *
 * Layout (little-endian, as the machine that runs the code):
 *   header   "KPIOJIT\n", format, engine id (a hash of lib/wasm's sources
 *            made by the build), ABI (sizes and offsets code relies on),
 *            CPU features, the module's SHA-256, the counts and sizes
 *   body     code bytes (as they run: they name objects and helpers only
 *            through the table that follows the code in memory, so they
 *            hold no address), relocations (at, kind, index: the load
 *            whose disp32 is at `at` reads table slot i), per-function
 *            foreign entries, per-import shapes
 *   trailer  a 64-bit checksum of all of the above (jit_store_checksum:
 *            fast, since the code of a large app is tens of MiB, and
 *            sure to change with any one changed 8-byte word)
 * Loading checks the checksum, the key (engine, ABI, CPU, module) and
 * every offset and index against the code and the module (each
 * relocation's displacement must reach its own table slot); anything wrong
 * is refused (ERR_INVAL) and the module compiles as if there were no file.
 * The checksum catches damage, not malice: whoever can write the cache can
 * give an app other code, like whoever can write its .wasm.
 */
#include "wasm/jit_x86_64.h"

#include <stddef.h>

#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/sha256.h"

/* Set by the build (lib/wasm/module.mk) to a hash of lib/wasm's sources;
 * a build without it (0) neither writes nor reads caches. */
#ifndef JIT_ENGINE_ID
#define JIT_ENGINE_ID 0
#endif

#define STORE_MAGIC  "KPIOJIT\n"
#define STORE_FORMAT 2u /* 1: addresses as zeroed 8-byte immediates */
#define MAX_CODE     (256u << 20)

/* Four lanes over 8-byte words; each step (h ^ w) rotated and multiplied
 * by an odd constant is a bijection of h, so a changed word always changes
 * its lane's result. The tail is one more word, padded with zeros, and the
 * length is mixed in. */
uint64_t jit_store_checksum(const uint8_t *p, size_t n)
{
    static const uint64_t k = 0x9e3779b97f4a7c15ull;
    uint64_t h[4] = {1, 2, 3, 4};
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int l = 0; l < 4; l++) {
            uint64_t w;
            memcpy(&w, p + i + 8 * l, 8);
            w ^= h[l];
            h[l] = ((w << 31) | (w >> 33)) * k;
        }
    uint8_t tail[40] = {0};
    memcpy(tail, p + i, n - i);
    uint64_t r = n;
    for (size_t t = 0; t < 40; t += 8) {
        uint64_t w;
        memcpy(&w, tail + t, 8);
        r = (((r ^ w) << 29) | ((r ^ w) >> 35)) * k;
    }
    for (int l = 0; l < 4; l++) {
        r ^= h[l];
        r = ((r << 27) | (r >> 37)) * k;
    }
    return r ^ (r >> 32);
}

void wasm_module_sha256(const struct wasm_module *mod, uint8_t digest[32])
{
    struct sha256 s;
    sha256_init(&s);
    sha256_update(&s, mod->bytes, mod->len);
    sha256_final(&s, digest);
}

#if defined(__x86_64__)

struct store_header {
    char magic[8];
    uint32_t format;
    uint32_t cpu; /* bit 0: SSE4.1, bit 1: POPCNT */
    uint64_t engine, abi;
    uint8_t module[32];
    uint32_t len, nrelocs, ncodes, nimports, enter, simd_in_c;
    uint64_t mem_bytes;
};

struct store_reloc {
    uint32_t at, kind, index;
};

/* The layout facts generated code depends on beyond the engine's sources
 * (which compiler, which target: the kernel or a host program). */
static uint64_t abi_id(void)
{
    static const uint64_t facts[] = {
        sizeof(void *),
        sizeof(struct exec),
        offsetof(struct exec, jit_entry_sp),
        offsetof(struct exec, jit_limit),
        offsetof(struct exec, jit_mbase),
        offsetof(struct exec, jit_args),
        sizeof(struct wasm_func),
        offsetof(struct wasm_func, jit),
        offsetof(struct wasm_func, type),
        sizeof(struct wasm_memory),
        offsetof(struct wasm_memory, data),
        sizeof(struct wasm_table),
        sizeof(struct wasm_instance),
        JO_COUNT,
#if defined(KPIO_KERNEL)
        1,
#else
        0,
#endif
    };
    uint64_t h = 14695981039346656037ull; /* FNV-1a over the facts */
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        h ^= facts[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint32_t cpu_bits(void)
{
    bool sse41, popcnt;
    jit_cpu_features(&sse41, &popcnt);
    return (sse41 ? 1u : 0u) | (popcnt ? 2u : 0u);
}

static void fill_header(struct store_header *h, const struct wasm_module *mod)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, STORE_MAGIC, 8);
    h->format = STORE_FORMAT;
    h->engine = JIT_ENGINE_ID;
    h->abi = abi_id();
    wasm_module_sha256(mod, h->module);
}

int wasm_module_jit_save(const struct wasm_module *mod, uint8_t **out, size_t *len)
{
    const struct jit_template *t =
        mod->jit_cache ? __atomic_load_n(&mod->jit_cache->tpl, __ATOMIC_ACQUIRE) : NULL;
    if (!t) return ERR_NOENT;
    if (!JIT_ENGINE_ID) return ERR_NOTSUP;
    struct store_header h;
    fill_header(&h, mod);
    h.cpu = (t->sse41 ? 1u : 0u) | (t->popcnt ? 2u : 0u);
    h.len = t->len;
    h.nrelocs = t->nrelocs;
    h.ncodes = mod->ncodes;
    h.nimports = mod->nfunc_imports;
    h.enter = t->enter;
    h.simd_in_c = t->simd_in_c;
    h.mem_bytes = t->mem_bytes;
    size_t relocs_at = sizeof h + t->len;
    size_t foreign_at = relocs_at + (size_t)t->nrelocs * sizeof(struct store_reloc);
    size_t imports_at = foreign_at + (size_t)mod->ncodes * 4;
    size_t sum_at = imports_at + (size_t)mod->nfunc_imports * 4;
    uint8_t *p = mem_alloc(sum_at + 8);
    if (!p) return ERR_NOMEM;
    memcpy(p, &h, sizeof h);
    memcpy(p + sizeof h, t->bytes, t->len);
    for (uint32_t i = 0; i < t->nrelocs; i++) {
        struct store_reloc r = {t->relocs[i].at, t->relocs[i].base, t->relocs[i].target};
        memcpy(p + relocs_at + (size_t)i * sizeof r, &r, sizeof r);
    }
    memcpy(p + foreign_at, t->foreign, (size_t)mod->ncodes * 4);
    memcpy(p + imports_at, t->imports, (size_t)mod->nfunc_imports * 4);
    uint64_t sum = jit_store_checksum(p, sum_at);
    memcpy(p + sum_at, &sum, 8);
    *out = p;
    *len = sum_at + 8;
    return 0;
}

/* How many objects of kind mod's instances have (indexes must be below). */
static uint64_t kind_count(const struct wasm_module *mod, uint32_t kind)
{
    switch (kind) {
    case JO_INST:
    case JO_MEM: return 1;
    case JO_OWN_FUNC:
    case JO_FUNC: return mod->nfuncs;
    case JO_FUNC_CODE: return mod->nfunc_imports;
    case JO_TABLE: return mod->ntables;
    case JO_GLOBAL: return mod->nglobals;
    case JO_ELEM_COUNT: return mod->nelems;
    case JO_DATA_DROPPED: return mod->ndatas;
    case JO_TYPE: return mod->ntypes;
    case JO_HELPER: return jit_nhelpers;
    default: return 0;
    }
}

/* The template in bytes (len of them, checksum already checked), or NULL. */
static struct jit_template *parse(const struct wasm_module *mod, const uint8_t *bytes, size_t len)
{
    struct store_header h, want;
    memcpy(&h, bytes, sizeof h);
    fill_header(&want, mod);
    if (memcmp(h.magic, want.magic, 8) || h.format != want.format || h.engine != want.engine ||
        h.abi != want.abi || memcmp(h.module, want.module, 32) || h.cpu != cpu_bits() ||
        h.ncodes != mod->ncodes || h.nimports != mod->nfunc_imports || h.len == 0 ||
        h.len > MAX_CODE || h.enter >= h.len || h.nrelocs > h.len / 4)
        return NULL;
    uint64_t need = sizeof h + (uint64_t)h.len + (uint64_t)h.nrelocs * sizeof(struct store_reloc) +
                    4 * ((uint64_t)h.ncodes + h.nimports) + 8;
    if (need != len) return NULL;
    struct jit_template *t = mem_zalloc(sizeof *t);
    if (!t) return NULL;
    t->bytes = mem_alloc(h.len);
    t->relocs = mem_alloc(((size_t)h.nrelocs + 1) * sizeof *t->relocs);
    t->foreign = mem_alloc(((size_t)h.ncodes + 1) * 4);
    t->imports = mem_alloc(((size_t)h.nimports + 1) * 4);
    bool ok = t->bytes && t->relocs && t->foreign && t->imports;
    const uint8_t *p = bytes + sizeof h;
    if (ok) memcpy(t->bytes, p, h.len);
    p += h.len;
    uint32_t code_size = (h.len + 4095) & ~(uint32_t)4095;
    for (uint32_t i = 0; ok && i < h.nrelocs; i++, p += sizeof(struct store_reloc)) {
        struct store_reloc r;
        memcpy(&r, p, sizeof r);
        ok = h.len >= 4 && r.at <= h.len - 4 && r.index < kind_count(mod, r.kind);
        uint32_t disp = 0;
        if (ok) memcpy(&disp, t->bytes + r.at, 4);
        ok = ok && disp == jit_table_disp(code_size, r.at, i); /* slot i, nothing else */
        t->relocs[i] = (struct fixup){r.at, r.index, r.kind};
    }
    if (ok) memcpy(t->foreign, p, (size_t)h.ncodes * 4);
    p += (size_t)h.ncodes * 4;
    for (uint32_t i = 0; ok && i < h.ncodes; i++)
        ok = t->foreign[i] < h.len;
    if (ok) memcpy(t->imports, p, (size_t)h.nimports * 4);
    if (!ok) {
        jit_arch_template_free(t);
        return NULL;
    }
    t->len = h.len;
    t->code_size = code_size;
    t->nrelocs = h.nrelocs;
    t->mem_bytes = h.mem_bytes;
    t->enter = h.enter;
    t->simd_in_c = h.simd_in_c;
    t->sse41 = h.cpu & 1;
    t->popcnt = (h.cpu >> 1) & 1;
    return t;
}

int wasm_module_jit_load(struct wasm_module *mod, const uint8_t *bytes, size_t len)
{
    struct jit_cache *cache = mod->jit_cache;
    if (!cache) return ERR_NOMEM;
    if (__atomic_load_n(&cache->tpl, __ATOMIC_ACQUIRE)) return ERR_BUSY;
    if (!JIT_ENGINE_ID) return ERR_NOTSUP;
    if (len < sizeof(struct store_header) + 8) return ERR_INVAL;
    uint64_t sum = jit_store_checksum(bytes, len - 8);
    if (memcmp(&sum, bytes + len - 8, 8)) return ERR_INVAL;
    struct jit_template *t = parse(mod, bytes, len);
    if (!t) return ERR_INVAL;
    struct jit_template *none = NULL;
    if (!__atomic_compare_exchange_n(&cache->tpl, &none, t, false, __ATOMIC_RELEASE,
                                     __ATOMIC_RELAXED)) {
        jit_arch_template_free(t);
        return ERR_BUSY;
    }
    return 0;
}

#else /* no code generator for this machine: nothing to store */

int wasm_module_jit_save(const struct wasm_module *mod, uint8_t **out, size_t *len)
{
    (void)mod, (void)out, (void)len;
    return ERR_NOTSUP;
}

int wasm_module_jit_load(struct wasm_module *mod, const uint8_t *bytes, size_t len)
{
    (void)mod, (void)bytes, (void)len;
    return ERR_NOTSUP;
}

#endif
