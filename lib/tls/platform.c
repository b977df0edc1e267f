/*
 * lib/tls/platform.c - the hooks Mbed TLS's platform layer calls
 * (mbedtls_config.h names them): its heap is lib/base's, its snprintf is
 * lib/base's, and its PSA random generator draws from the tls_env given to
 * tls_init(). Also tls_init() itself, and the per-connection heap budgets:
 * every block carries a header naming the budget it was counted against
 * (the calling thread's, through the env's budget_slot), so a block freed
 * later or elsewhere is given back to the right one.
 */
#include <mbedtls/ctr_drbg.h>
#include <psa/crypto.h>
#include <stddef.h>

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "tls/internal.h"

/* PSA's random generator and the budget slot come from here: Mbed TLS
 * 3.6 keeps one PSA core per program, hence the one static of lib/tls. */
static const struct tls_env *psa_env;
/* Bytes of every Mbed TLS block now allocated, for tls_heap_in_use(). */
static size_t heap_in_use;

union block_head {
    struct {
        struct tls_budget *budget; /* counted against; NULL: none */
        size_t size;
    } h;
    max_align_t align; /* Mbed TLS's blocks stay aligned as mem_zalloc's */
};

static void **budget_slot(void)
{
    return psa_env && psa_env->budget_slot ? psa_env->budget_slot(psa_env->ctx) : NULL;
}

struct tls_budget *tls_budget_enter(struct tls_budget *b)
{
    void **slot = budget_slot();
    if (!slot) return NULL;
    struct tls_budget *prev = *slot;
    *slot = b;
    return prev;
}

void tls_budget_leave(struct tls_budget *prev)
{
    void **slot = budget_slot();
    if (slot) *slot = prev;
}

size_t tls_heap_in_use(void)
{
    return __atomic_load_n(&heap_in_use, __ATOMIC_RELAXED);
}

void *tls_mbed_calloc(size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size) return NULL;
    size_t total = n * size;
    if (total > (size_t)-1 - sizeof(union block_head)) return NULL;
    void **slot = budget_slot();
    struct tls_budget *b = slot ? *slot : NULL;
    if (b && b->cap && total > b->cap - b->used) {
        b->over = true;
        return NULL;
    }
    union block_head *head = mem_zalloc(sizeof *head + total);
    if (!head) return NULL;
    head->h.budget = b;
    head->h.size = total;
    __atomic_add_fetch(&heap_in_use, total, __ATOMIC_RELAXED);
    if (b) {
        b->used += total;
        if (b->used > b->peak) b->peak = b->used;
    }
    return head + 1;
}

void tls_mbed_free(void *p)
{
    if (!p) return;
    union block_head *head = (union block_head *)p - 1;
    if (head->h.budget) head->h.budget->used -= head->h.size;
    __atomic_sub_fetch(&heap_in_use, head->h.size, __ATOMIC_RELAXED);
    mem_free(head);
}

int tls_mbed_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n > INT32_MAX ? -1 : (int)n;
}

int tls_entropy_cb(void *env, unsigned char *buf, size_t len)
{
    const struct tls_env *e = env;
    return e->entropy(e->ctx, buf, len) == 0 ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* PSA's random generator (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG). */
psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *context,
                                             uint8_t *output, size_t output_size,
                                             size_t *output_length)
{
    (void)context;
    *output_length = 0;
    if (!psa_env || psa_env->entropy(psa_env->ctx, output, output_size) != 0)
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    *output_length = output_size;
    return PSA_SUCCESS;
}

int tls_init(const struct tls_env *env)
{
    if (psa_env) return 0;
    if (!env || !env->entropy || !env->wall_time) return ERR_INVAL;
    psa_env = env;
    psa_status_t s = psa_crypto_init();
    if (s == PSA_SUCCESS) return 0;
    psa_env = NULL;
    log_write(LOG_ERROR, "tls", "PSA crypto init failed: %d", (int)s);
    return s == PSA_ERROR_INSUFFICIENT_MEMORY ? ERR_NOMEM : ERR_IO;
}
