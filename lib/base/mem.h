/*
 * lib/base/mem.h - memory and string primitives for freestanding code.
 *
 * The names are the C library's, so the compiler's own calls (struct copies,
 * zeroing) resolve to them in the kernel. On the host, the C library provides
 * the same functions and lib/base/mem.c is only built into its own unit test
 * (under other names, see tests/unit/base/).
 */
#ifndef BASE_MEM_H
#define BASE_MEM_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);

/* Not in C11; ours on both sides. */
size_t str_copy(char *dst, const char *src, size_t size); /* like strlcpy */
int str_casecmp(const char *a, const char *b);
int str_ncasecmp(const char *a, const char *b, size_t n);
int str_has_prefix(const char *s, const char *prefix);

static inline int char_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}
static inline int char_upper(int c)
{
    return (c >= 'a' && c <= 'z') ? c - 32 : c;
}
static inline int char_is_digit(int c)
{
    return c >= '0' && c <= '9';
}
static inline int char_is_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}
static inline int char_is_xdigit(int c)
{
    return char_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

#endif
