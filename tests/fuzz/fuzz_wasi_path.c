/*
 * tests/fuzz/fuzz_wasi_path.c - libFuzzer target for lib/wasi's path
 * confinement (wasi_path_confine), the sandbox's first check of guest
 * paths. Checks it against a reference model written independently here:
 * a stack of components where ".." pops and fails on empty.
 *
 * Properties: never crashes or overruns; on success the output is
 * non-empty, has no "." or ".." component, no empty component, no leading
 * or trailing '/', respects the length limits and equals the model's; on
 * failure the model also fails (or the limits were passed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "wasi/internal.h"

/* The model: 0 and out, or -1 (escape/absolute/empty/NUL), or -2 (limits). */
static int model(const char *in, size_t len, char *out, size_t cap)
{
    if (len == 0 || memchr(in, 0, len) || in[0] == '/') return -1;
    size_t starts[WASI_PORT_PATH_MAX], depth = 0, olen = 0;
    const char *p = in, *end = in + len;
    while (p < end) {
        const char *q = memchr(p, '/', (size_t)(end - p));
        if (!q) q = end;
        size_t n = (size_t)(q - p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (depth == 0) return -1;
            olen = starts[--depth];
            if (olen) olen--; /* the separator */
        } else if (n && !(n == 1 && p[0] == '.')) {
            if (n > WASI_PORT_NAME_MAX || depth >= WASI_PORT_PATH_MAX) return -2;
            size_t at = olen ? olen + 1 : 0;
            if (at + n > cap - 1) return -2;
            if (olen) out[olen] = '/';
            starts[depth++] = at;
            memcpy(out + at, p, n);
            olen = at + n;
        }
        p = q + 1;
    }
    if (olen == 0) out[olen++] = '.';
    out[olen] = 0;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[WASI_PORT_PATH_MAX + 1], ref[WASI_PORT_PATH_MAX + 1];
    unsigned flags;
    int n = wasi_path_confine((const char *)data, size, out, &flags);
    int m = model((const char *)data, size, ref, sizeof ref);
    if (n >= 0) {
        if (m != 0 || strcmp(out, ref) != 0 || (size_t)n != strlen(out)) abort();
        if (out[0] == '/' || out[n - 1] == '/' || strstr(out, "//")) abort();
        if (strcmp(out, ".") != 0) {
            for (char *c = out; c;) {
                char *s = strchr(c, '/');
                size_t k = s ? (size_t)(s - c) : strlen(c);
                if ((k == 1 && c[0] == '.') || (k == 2 && c[0] == '.' && c[1] == '.') ||
                    k > WASI_PORT_NAME_MAX)
                    abort();
                c = s ? s + 1 : NULL;
            }
        }
    } else if (m == 0) {
        abort(); /* refused what the model accepts */
    } else if (m == -1 && n != ERR_NOENT && n != ERR_INVAL && n != WASI_ERR_NOTCAPABLE) {
        abort();
    }
    return 0;
}
