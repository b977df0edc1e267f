/*
 * tests/apps/fuzz_apps_regex.c - libFuzzer target for grep's regular
 * expressions (apps/sdk/regex.c): the first byte picks the flags
 * (basic/extended, case), the bytes up to the first NUL are the pattern,
 * the rest is the line. Checks, beyond "no crash" under ASan/UBSan: the
 * program stays within RE_MAX_PROG; a search gives the same answer twice;
 * a pattern of letters and digits only finds what memmem finds.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/regex.h"

static bool plain(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)p[i])) return false;
    return true;
}

static bool contains(const char *h, size_t hn, const char *n, size_t nn)
{
    if (nn == 0) return true;
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(h + i, n, nn) == 0) return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int flags = data[0] & (RE_EXTENDED | RE_ICASE);
    const char *pat = (const char *)data + 1;
    size_t rest = size - 1;
    const char *nul = memchr(pat, 0, rest);
    size_t plen = nul ? (size_t)(nul - pat) : rest;
    if (plen > 512) return 0; /* intervals multiply: keep runs short */
    const char *line = nul ? nul + 1 : pat + rest;
    size_t llen = (size_t)((const char *)data + size - line);
    struct re re;
    if (re_compile(&re, pat, plen, flags) != NULL) return 0;
    if (re.len > RE_MAX_PROG) abort();
    bool a = re_search(&re, line, llen), b = re_search(&re, line, llen);
    if (a != b) abort();
    if (!(flags & RE_ICASE) && plain(pat, plen) && a != contains(line, llen, pat, plen)) abort();
    re_free(&re);
    return 0;
}
