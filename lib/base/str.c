/*
 * lib/base/str.c - string helpers that are not in C11, used on every side
 * (kernel and host alike).
 */
#include "base/mem.h"

size_t str_copy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

int str_ncasecmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        int x = char_lower((unsigned char)*a), y = char_lower((unsigned char)*b);
        if (x != y) return x - y;
        if (!x) return 0;
    }
    return 0;
}

int str_casecmp(const char *a, const char *b)
{
    return str_ncasecmp(a, b, (size_t)-1);
}

int str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}
