/*
 * lib/http/out.h - the bounded buffer that the head writers (request.c,
 * response.c) append to: bytes go in while they fit; once one piece does
 * not, nothing more is written and `full` records the overflow.
 */
#ifndef HTTP_OUT_H
#define HTTP_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/mem.h"

struct http_out {
    char *buf;
    size_t size, len;
    bool full;
};

static inline void http_out_put(struct http_out *o, const char *s, size_t n)
{
    if (o->full || n > o->size - o->len) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static inline void http_out_puts(struct http_out *o, const char *s)
{
    http_out_put(o, s, strlen(s));
}

#endif
