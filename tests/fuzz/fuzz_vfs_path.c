/*
 * tests/fuzz/fuzz_vfs_path.c - libFuzzer target for lib/vfs/path.c. The
 * input is a path, or (first byte odd) a cwd and a path split by a NUL;
 * a made-up filesystem answers the resolver: a last name starting with 'f'
 * is a file, with 'm' missing, anything else a directory.
 *
 * Properties: never crashes or overruns; a result is canonical (absolute,
 * no empty, "." or ".." name, no trailing slash), within every limit, a
 * fixed point of resolution, and what folding alone gives; folding alone
 * equals a model written independently here (split into names first, then
 * a stack); the mount lookup returns a mount the path lies under.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "vfs/path.h"

static int made_up_is_dir(void *ctx, const char *abs)
{
    (void)ctx;
    const char *last = strrchr(abs, '/') + 1;
    if (last[0] == 'f') return 0;
    return last[0] == 'm' ? ERR_NOENT : 1;
}

/* The model of folding alone: 0 and out, or ERR_NAMETOOLONG. */
static int model(const char *cwd, const char *path, char *out, size_t size)
{
    static const char *names[2 * VPATH_MAX];
    static size_t lens[2 * VPATH_MAX];
    size_t n = 0;
    const char *parts[2] = {path[0] == '/' ? "" : cwd, path};
    for (int k = 0; k < 2; k++)
        for (const char *p = parts[k]; *p;) {
            const char *e = strchr(p, '/');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            names[n] = p;
            lens[n++] = len;
            p += len + (e != NULL);
        }
    size_t depth = 0, stack[VPATH_DEPTH_MAX];
    for (size_t i = 0; i < n; i++) {
        if (lens[i] == 0 || (lens[i] == 1 && names[i][0] == '.')) continue;
        if (lens[i] == 2 && names[i][0] == '.' && names[i][1] == '.') {
            if (depth) depth--;
            continue;
        }
        if (lens[i] > VPATH_NAME_MAX || depth == VPATH_DEPTH_MAX) return ERR_NAMETOOLONG;
        stack[depth++] = i;
        size_t total = 0;
        for (size_t j = 0; j < depth; j++)
            total += 1 + lens[stack[j]];
        if (total >= size) return ERR_NAMETOOLONG;
    }
    size_t o = 0;
    for (size_t j = 0; j < depth; j++) {
        out[o++] = '/';
        memcpy(out + o, names[stack[j]], lens[stack[j]]);
        o += lens[stack[j]];
    }
    if (o == 0) out[o++] = '/';
    out[o] = '\0';
    return 0;
}

static void check_canonical(const char *out)
{
    size_t len = strlen(out), depth = 0;
    if (out[0] != '/' || len >= VPATH_MAX) abort();
    if (len == 1) return;
    if (out[len - 1] == '/') abort();
    for (const char *p = out + 1;;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || n > VPATH_NAME_MAX || ++depth > VPATH_DEPTH_MAX) abort();
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) abort();
        if (!e) return;
        p = e + 1;
    }
}

static void check_mount(const char *abs)
{
    static const char *const points[] = {"/", "/mnt", "/mnt/usb", "/d"};
    const char *rel = NULL;
    int i = vpath_mount_of(abs, points, 4, &rel);
    if (i < 0 || !rel || rel[0] == '/') abort();
    size_t n = strlen(points[i]);
    if (i > 0 && (strncmp(abs, points[i], n) != 0 || (abs[n] && abs[n] != '/'))) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char buf[2 * VPATH_MAX + 2], out[VPATH_MAX], lex[VPATH_MAX], ref[VPATH_MAX],
        again[VPATH_MAX];
    if (size < 1 || size > sizeof buf - 1) return 0;
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    const char *cwd = "/", *path = buf;
    if (data[0] & 1) {
        cwd = buf;
        path = buf + strlen(buf) + (strlen(buf) < size - 1);
        if (cwd[0] != '/') cwd = "/";
    }
    size_t outsize = data[0] & 2 ? 64 : sizeof out;
    struct vpath_ops ops = {made_up_is_dir, NULL};
    int r = vpath_resolve(&ops, cwd, path, out, outsize);
    int l = vpath_resolve(NULL, cwd, path, lex, outsize);
    if (strnlen(path, VPATH_MAX) >= VPATH_MAX) {
        if (l != ERR_NAMETOOLONG) abort();
        return 0;
    }
    int m = model(cwd, path, ref, outsize);
    if (l != m || (l == 0 && strcmp(lex, ref) != 0)) abort();
    if (r == 0) {
        check_canonical(out);
        if (l != 0 || strcmp(out, lex) != 0) abort();
        if (vpath_resolve(NULL, "/", out, again, sizeof again) != 0 || strcmp(again, out) != 0)
            abort();
        check_mount(out);
    } else if (r != ERR_NAMETOOLONG && r != ERR_NOTDIR && r != ERR_NOENT) {
        abort();
    }
    return 0;
}
