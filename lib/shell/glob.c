/*
 * lib/shell/glob.c - pathname expansion (POSIX XCU 2.13): * and ? matched
 * against directory listings from the embedder, one path component at a
 * time, matches sorted byte-wise. A backslash makes the next character
 * literal (expand.c escapes quoted * and ?). Names starting with '.' match
 * only a pattern that starts with '.'. Components are bounded so hostile
 * patterns cannot recurse deeply.
 */
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "shell/internal.h"

#define GLOB_MAX_COMPONENTS 32

bool sh_glob_match(const char *p, const char *s)
{
    const char *star_p = NULL, *star_s = NULL;
    for (;;) {
        if (*p == '*') {
            while (*p == '*')
                p++;
            star_p = p;
            star_s = s;
            continue;
        }
        if (*s == '\0') return *p == '\0';
        bool esc = *p == '\\' && p[1];
        if (*p && ((*p == '?' && !esc) || (esc ? p[1] : *p) == *s)) {
            p += esc ? 2 : 1;
            s++;
            continue;
        }
        if (!star_p) return false;
        p = star_p;
        s = ++star_s;
    }
}

static bool has_wild(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n)
            i++;
        else if (p[i] == '*' || p[i] == '?')
            return true;
    }
    return false;
}

struct collect {
    const char *pat;
    bool want_dir;
    struct sh_fields names;
    int err;
};

static int collect_one(void *ctx, const char *name, bool is_dir)
{
    struct collect *c = ctx;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return 0;
    if (name[0] == '.' && c->pat[0] != '.') return 0;
    if (c->want_dir && !is_dir) return 0;
    if (!sh_glob_match(c->pat, name)) return 0;
    size_t n = strlen(name);
    char *s = mem_alloc(n + 1);
    if (!s) return c->err = ERR_NOMEM;
    memcpy(s, name, n + 1);
    if ((c->err = sh_fields_push(&c->names, s)) < 0) return c->err;
    return 0;
}

static void sort_names(struct sh_fields *f)
{
    for (int i = 1; i < f->n; i++) {
        char *k = f->v[i];
        int j = i - 1;
        while (j >= 0 && strcmp(f->v[j], k) > 0) {
            f->v[j + 1] = f->v[j];
            j--;
        }
        f->v[j + 1] = k;
    }
}

/* Copies a pattern component without its backslashes. */
static size_t unescape(char *dst, const char *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '\\' && i + 1 < n) i++;
        dst[o++] = src[i];
    }
    return o;
}

struct gstate {
    struct sh *sh;
    struct sh_fields *out;
    char *path; /* SH_WORD_MAX + 1 bytes: the directory reached so far */
    int matches, err;
};

static void add_path(struct gstate *g, size_t plen, bool checked)
{
    struct sh_stat st;
    if (!checked && (!g->sh->ops->stat || g->sh->ops->stat(g->sh->ctx, g->path, &st) < 0)) return;
    char *s = mem_alloc(plen + 1);
    if (!s) {
        g->err = ERR_NOMEM;
        return;
    }
    memcpy(s, g->path, plen + 1);
    if ((g->err = sh_fields_push(g->out, s)) == 0) g->matches++;
}

/* Matches the components in rest below the directory in g->path[0..plen). */
static void walk(struct gstate *g, size_t plen, const char *rest, bool checked, int depth)
{
    while (*rest == '/')
        rest++;
    if (*rest == '\0') {
        add_path(g, plen, checked);
        return;
    }
    if (depth > GLOB_MAX_COMPONENTS) {
        g->err = ERR_2BIG;
        return;
    }
    const char *slash = strchr(rest, '/');
    size_t clen = slash ? (size_t)(slash - rest) : strlen(rest);
    size_t sep = plen && g->path[plen - 1] != '/' ? 1 : 0;
    if (plen + sep + clen > SH_WORD_MAX) return;
    if (sep) g->path[plen] = '/';
    if (!has_wild(rest, clen)) {
        size_t n = unescape(g->path + plen + sep, rest, clen);
        g->path[plen + sep + n] = '\0';
        walk(g, plen + sep + n, rest + clen, false, depth + 1);
        return;
    }
    struct collect c = {.want_dir = slash != NULL};
    char *pat = mem_alloc(clen + 1);
    if (!pat) {
        g->err = ERR_NOMEM;
        return;
    }
    memcpy(pat, rest, clen);
    pat[clen] = '\0';
    c.pat = pat;
    g->path[plen] = '\0';
    int err = g->sh->ops->list_dir ? g->sh->ops->list_dir(g->sh->ctx, g->path, collect_one, &c)
                                   : ERR_NOTSUP;
    mem_free(pat);
    if (c.err < 0) g->err = c.err;
    if (err >= 0 && !g->err) {
        sort_names(&c.names);
        for (int i = 0; i < c.names.n && !g->err; i++) {
            size_t n = strlen(c.names.v[i]);
            if (plen + sep + n > SH_WORD_MAX) continue;
            if (sep) g->path[plen] = '/';
            memcpy(g->path + plen + sep, c.names.v[i], n + 1);
            walk(g, plen + sep + n, rest + clen, true, depth + 1);
        }
    }
    sh_fields_free(&c.names);
}

int sh_glob(struct sh *sh, const char *pattern, struct sh_fields *out)
{
    struct gstate g = {.sh = sh, .out = out};
    g.path = mem_alloc(SH_WORD_MAX + 1);
    if (!g.path) return ERR_NOMEM;
    size_t plen = 0;
    if (pattern[0] == '/') g.path[plen++] = '/';
    g.path[plen] = '\0';
    walk(&g, plen, pattern, true, 0);
    mem_free(g.path);
    return g.err < 0 ? g.err : g.matches;
}
