/*
 * lib/wasi/p2.c - WASI 0.2 state (placeholder until the 0.2 interfaces land).
 */
#include "wasi/internal.h"

int wasi_p2_new(struct wasi_ctx *w)
{
    (void)w;
    return 0;
}

void wasi_p2_free(struct wasi_ctx *w)
{
    (void)w;
}

const struct wasi_import_fn *wasi_p2_lookup(const char *iface, size_t iface_len,
                                            const char *field, size_t field_len)
{
    (void)iface, (void)iface_len, (void)field, (void)field_len;
    return NULL;
}
