/*
 * lib/wasi/path.c - the sandbox's first line: guest paths made relative,
 * canonical and confined to their directory before any port sees them.
 *
 * WASI paths are relative to a directory descriptor (preview1 path_*
 * functions, 0.2 descriptor.*-at); an app may only reach what lies beneath
 * its preopened directories. Here "." and ".." are folded lexically, and
 * anything that would climb above the directory, or starts at "/", is
 * refused with `notcapable`. Symbolic links are the port's part of the
 * job (see port.h): on KPIO's FAT there are none, and the Linux port
 * resolves with RESOLVE_BENEATH.
 */
#include "base/mem.h"
#include "wasi/internal.h"

/* Appends component [s, s+n) to out (length *len), checking the limits. */
static int push_component(char *out, size_t *len, const char *s, size_t n)
{
    if (n > WASI_PORT_NAME_MAX) return ERR_NAMETOOLONG;
    size_t need = *len + (*len ? 1 : 0) + n;
    if (need > WASI_PORT_PATH_MAX) return ERR_NAMETOOLONG;
    if (*len) out[(*len)++] = '/';
    memcpy(out + *len, s, n);
    *len += n;
    return 0;
}

/* Removes the last component of out (which has one). */
static void pop_component(char *out, size_t *len)
{
    size_t i = *len;
    while (i > 0 && out[i - 1] != '/')
        i--;
    *len = i > 0 ? i - 1 : 0;
}

int wasi_path_confine(const char *in, size_t len, char *out, unsigned *flags)
{
    *flags = 0;
    if (len == 0) return ERR_NOENT;
    if (memchr(in, 0, len)) return ERR_INVAL;
    if (in[0] == '/') return WASI_ERR_NOTCAPABLE;
    if (in[len - 1] == '/') *flags |= WASI_PATH_TRAILING_SLASH;
    size_t olen = 0, depth = 0;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && in[i] != '/')
            i++;
        size_t n = i - start;
        while (i < len && in[i] == '/')
            i++;
        if (n == 0 || (n == 1 && in[start] == '.')) continue;
        if (n == 2 && in[start] == '.' && in[start + 1] == '.') {
            if (depth == 0) return WASI_ERR_NOTCAPABLE;
            pop_component(out, &olen);
            depth--;
            continue;
        }
        int rc = push_component(out, &olen, in + start, n);
        if (rc) return rc;
        depth++;
    }
    if (olen == 0) out[olen++] = '.';
    out[olen] = 0;
    return (int)olen;
}
