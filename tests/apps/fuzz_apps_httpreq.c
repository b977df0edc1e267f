/*
 * tests/apps/fuzz_apps_httpreq.c - libFuzzer target for httpd's request
 * parser and target mapping (apps/sdk/httpreq.c), the code that reads
 * what any client sends. Checks, beyond "no crash" under ASan/UBSan:
 * a complete head's length is within the input and ends with a line
 * feed; the parse of a prefix never claims a longer head; every path that
 * maps is free of "..", "." and empty segments, has no NUL or '\\', and
 * does not start with '/'.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/httpreq.h"

static void check_path(const char *target)
{
    char out[HTTPREQ_MAX_TARGET];
    bool slash;
    if (httpreq_path(target, out, sizeof out, &slash) != HTTPREQ_PATH_OK) return;
    size_t n = strlen(out);
    if (n >= sizeof out || (n > 0 && (out[0] == '/' || out[n - 1] == '/'))) abort();
    if (strchr(out, '\\')) abort();
    const char *p = out;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            abort();
        p += len + (e != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct httpreq r;
    int n = httpreq_parse((const char *)data, size, &r);
    if (n > 0) {
        if ((size_t)n > size || data[n - 1] != '\n') abort();
        if (strlen(r.target) >= sizeof r.target || strlen(r.method) >= sizeof r.method) abort();
        struct httpreq again;
        int m = httpreq_parse((const char *)data, (size_t)n, &again); /* the head alone */
        if (m != n) abort();
        check_path(r.target);
    }
    /* Any NUL-terminated prefix as a target. */
    char target[HTTPREQ_MAX_TARGET + 16];
    size_t k = size < sizeof target - 1 ? size : sizeof target - 1;
    memcpy(target, data, k);
    target[k] = '\0';
    check_path(target);
    return 0;
}
