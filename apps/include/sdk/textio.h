/*
 * apps/include/sdk/textio.h - what head and tail share: their count
 * operands (GNU's "invalid number of lines: 'x'" when not a number), the
 * "==> NAME <==" headers between several files, messages for files that
 * cannot be opened or read, in GNU's words, and the growing buffer that
 * holds a window of the last lines or bytes.
 */
#ifndef SDK_TEXTIO_H
#define SDK_TEXTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a count: decimal digits, optionally a leading '+' (*plus set)
 * or '-' (the same as none) when plus is not NULL. On failure prints "NAME: invalid number of
 * WHAT: 'S'" and exits 1, as GNU does. */
uint64_t textio_count(const char *s, const char *what, bool *plus);
/* GNU's obsolete count operand: when argv[1] is "-N" (N lines), sets
 * *count to N and takes it out of the arguments. */
void textio_obsolete_count(int *argc, char ***argv, uint64_t *count);
/* Where the last `count` lines of b[0, len) start (a last line without a
 * newline counts as one): tail's and head -n -N's window. */
size_t textio_last_lines(const char *b, size_t len, uint64_t count);
/* Where the last `count` lines, or bytes when bytes is set, of b[0, len)
 * start. */
size_t textio_last(const char *b, size_t len, uint64_t count, bool bytes);

/* A buffer that grows (doubling) as text is appended. */
struct textio_buf {
    char *data;
    size_t len, cap;
};
/* Appends n bytes of p; 0, or ENOMEM with the buffer unchanged. */
int textio_buf_append(struct textio_buf *b, const void *p, size_t n);
/* Drops the first n bytes. */
void textio_buf_drop(struct textio_buf *b, size_t n);

/* Prints "==> NAME <==" ("standard input" for "-"), preceded by an empty
 * line from the second header on. */
void textio_header(const char *path);
/* Opens an operand ("-" is stdin). On failure prints "NAME: cannot open
 * 'PATH' for reading: why" and returns -1. */
int textio_open(const char *path);
/* "NAME: error reading 'PATH': why". */
void textio_read_error(const char *path, int err);
/* Writes all of buf to stdout; on failure prints "NAME: error writing
 * 'standard output': why" and exits 1. */
void textio_write(const void *buf, uint64_t len);

#endif
