/*
 * apps/include/sdk/lines.h - reading a descriptor line by line for the
 * text tools (grep, sort, uniq, head, tail): lines of any length, the
 * last one possibly without a newline, NUL bytes kept. One buffer that
 * grows to the longest line (at most LINES_MAX_LINE bytes, then ENOMEM).
 */
#ifndef SDK_LINES_H
#define SDK_LINES_H

#include <stdbool.h>
#include <stddef.h>

enum { LINES_MAX_LINE = 256 << 20 };

struct lines {
    int fd;
    char *buf;
    size_t cap, start, end;
    bool eof;
    bool saw_nul; /* a NUL byte was read (grep's "binary file") */
};

void lines_init(struct lines *l, int fd);
/* The next line in *line, *len bytes without its '\n'; *nl says whether
 * it had one. The line stays valid until the next call. Returns 1, 0 at
 * the end, or -1 with errno set. */
int lines_next(struct lines *l, const char **line, size_t *len, bool *nl);
void lines_free(struct lines *l);

/* Opens path for reading ("-" is stdin): the descriptor, or -1 with errno
 * set (EISDIR for a directory, as GNU tools report it). */
int lines_open(const char *path);
/* Closes what lines_open returned (not stdin). */
void lines_close(int fd);

#endif
