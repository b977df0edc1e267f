/*
 * lib/vfs/path.c - path resolution and mount lookup (see path.h).
 *
 * The resolver folds components into out one by one: cwd's first (for a
 * relative path), then path's. out is always canonical ("/" or "/a/b") and
 * depth counts its names. A ".." asks ops whether the name it removes is a
 * directory before removing it; a "/" after the last name leaves a
 * question for the end (dir_needed).
 */
#include "vfs/path.h"

#include <stdbool.h>

#include "base/error.h"
#include "base/mem.h"

struct fold {
    const struct vpath_ops *ops;
    char *out;
    size_t size, len; /* out[0..len) is the path so far, "/" at least */
    int depth;
    bool dir_needed; /* the last name must be a directory */
};

/* Asks whether out (the path so far) is a directory: 0 if it is,
 * ERR_NOTDIR if not, or the filesystem's error. */
static int check_dir(struct fold *f)
{
    if (!f->ops || f->len == 1) return 0;
    f->out[f->len] = '\0';
    int r = f->ops->is_dir(f->ops->ctx, f->out);
    if (r < 0) return r;
    return r ? 0 : ERR_NOTDIR;
}

static int pop_name(struct fold *f)
{
    int err = check_dir(f);
    if (err < 0) return err;
    while (f->len > 1 && f->out[f->len - 1] != '/')
        f->len--;
    if (f->len > 1) f->len--; /* the slash before the removed name */
    if (f->depth > 0) f->depth--;
    f->dir_needed = false;
    return 0;
}

static int push_name(struct fold *f, const char *name, size_t n)
{
    if (n > VPATH_NAME_MAX || f->depth == VPATH_DEPTH_MAX) return ERR_NAMETOOLONG;
    size_t sep = f->len > 1;
    if (f->len + sep + n >= f->size) return ERR_NAMETOOLONG;
    if (sep) f->out[f->len++] = '/';
    memcpy(f->out + f->len, name, n);
    f->len += n;
    f->depth++;
    f->dir_needed = false;
    return 0;
}

/* Folds every component of p into f. A name followed by a slash must be a
 * directory unless another name or ".." follows. */
static int fold_path(struct fold *f, const char *p)
{
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p) return 0;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - s);
        int err = 0;
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            err = pop_name(f);
        } else if (n > 1 || s[0] != '.') {
            err = push_name(f, s, n);
            f->dir_needed = *p == '/';
        }
        if (err < 0) return err;
    }
}

int vpath_resolve(const struct vpath_ops *ops, const char *cwd, const char *path, char *out,
                  size_t size)
{
    if (size < 2 || !path) return ERR_INVAL;
    if (strnlen(path, VPATH_MAX) >= VPATH_MAX) return ERR_NAMETOOLONG;
    struct fold f = {.ops = ops, .out = out, .size = size < VPATH_MAX ? size : VPATH_MAX};
    out[f.len++] = '/';
    int err = 0;
    if (path[0] != '/') {
        if (!cwd || cwd[0] != '/') return ERR_INVAL;
        err = fold_path(&f, cwd);
        f.dir_needed = false; /* cwd's own trailing slash says nothing */
    }
    if (err == 0) err = fold_path(&f, path);
    if (err == 0 && f.dir_needed) {
        err = check_dir(&f);
        if (err == ERR_NOENT) err = 0; /* left to the operation */
    }
    out[f.len] = '\0';
    return err;
}

/* The path inside mount point mp of abs, or NULL if abs is not under it. */
static const char *inside(const char *abs, const char *mp)
{
    size_t n = strlen(mp);
    if (n == 1 && mp[0] == '/') return abs + 1;
    if (strncmp(abs, mp, n) != 0 || (abs[n] != '\0' && abs[n] != '/')) return NULL;
    return abs[n] ? abs + n + 1 : abs + n;
}

int vpath_mount_of(const char *abs, const char *const *points, int n, const char **rel)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < n; i++) {
        if (!points[i]) continue;
        const char *r = inside(abs, points[i]);
        size_t len = strlen(points[i]);
        if (r && (best < 0 || len > best_len)) {
            best = i;
            best_len = len;
            *rel = r;
        }
    }
    return best;
}
