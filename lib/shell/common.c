/*
 * lib/shell/common.c - the floor of lib/shell's executor files, what they
 * all use: growable lists of fields (argv, environments, glob results) and
 * formatted output to a descriptor through the embedder's write. It calls
 * no other file of lib/shell.
 */
#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "shell/internal.h"

int sh_fields_push(struct sh_fields *f, char *s)
{
    /* The NULL that ends an argv always fits: the limit counts words. */
    if (s && f->n >= SH_MAX_WORDS) {
        mem_free(s);
        return ERR_2BIG;
    }
    if (f->n == f->cap) {
        int ncap = f->cap ? f->cap * 2 : 8;
        char **nv = mem_realloc(f->v, (size_t)ncap * sizeof *nv);
        if (!nv) {
            mem_free(s);
            return ERR_NOMEM;
        }
        f->v = nv;
        f->cap = ncap;
    }
    f->v[f->n++] = s;
    return 0;
}

void sh_fields_free(struct sh_fields *f)
{
    for (int i = 0; i < f->n; i++)
        mem_free(f->v[i]);
    mem_free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}

struct sink_ctx {
    struct sh *sh;
    int fd;
};

static void sink(void *ctx, const char *s, size_t n)
{
    struct sink_ctx *c = ctx;
    if (c->fd >= 0) c->sh->ops->write(c->sh->ctx, c->fd, s, n);
}

void sh_printf(struct sh *sh, int fd, const char *fmt, ...)
{
    struct sink_ctx c = {sh, fd};
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(sink, &c, fmt, ap);
    va_end(ap);
}
