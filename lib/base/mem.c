/*
 * lib/base/mem.c - freestanding memory and string functions.
 *
 * Plain C, word-at-a-time where alignment allows. The kernel links these as
 * its C library; host programs use their own libc and build this file only
 * in its unit test.
 */
#include "base/mem.h"

#include <stdint.h>

typedef uintptr_t word_t;
#define WORD sizeof(word_t)

/* A word loaded or stored at any alignment (x86 allows it; the attribute
 * tells the compiler not to assume alignment or type). */
typedef word_t __attribute__((aligned(1), may_alias)) uword_t;

/* Copies a word at a time whatever the alignment: packet payloads start at
 * odd offsets, and a byte loop costs eight times as much (more under
 * emulation). */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD, s += 4 * WORD) {
        word_t a = ((const uword_t *)s)[0], b = ((const uword_t *)s)[1];
        word_t c = ((const uword_t *)s)[2], e = ((const uword_t *)s)[3];
        ((uword_t *)d)[0] = a;
        ((uword_t *)d)[1] = b;
        ((uword_t *)d)[2] = c;
        ((uword_t *)d)[3] = e;
    }
    for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
        *(uword_t *)d = *(const uword_t *)s;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

/* Word stores at any alignment, as memcpy: Mbed TLS wipes each TLS
 * record's plaintext (16 KiB at an odd offset) after reading it, which a
 * byte loop made a tenth of an https download's time under emulation. */
void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    word_t w = (unsigned char)c;
    w *= (word_t)-1 / 0xff; /* replicate the byte into every lane */
    for (; n >= WORD; n -= WORD, d += WORD)
        *(uword_t *)d = w;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        if (p[i] == (unsigned char)c) return (void *)(p + i);
    return NULL;
}

size_t strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b) return (unsigned char)*a - (unsigned char)*b;
        if (!*a) return 0;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c) return (char *)s;
        if (!*s) return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c) last = s;
        if (!*s) return (char *)last;
    }
}

char *strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (; *haystack; haystack++)
        if (strncmp(haystack, needle, n) == 0) return (char *)haystack;
    return n == 0 ? (char *)haystack : NULL;
}
