/*
 * apps/sdk/textio.c - counts, headers and messages shared by head and
 * tail (sdk/textio.h).
 */
#include "sdk/textio.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdk/cli.h"

uint64_t textio_count(const char *s, const char *what, bool *plus)
{
    const char *d = s;
    if (plus) *plus = false;
    if (plus && (*d == '+' || *d == '-')) { /* tail: "-n -3" is "-n 3" */
        *plus = *d == '+';
        d++;
    }
    uint64_t v;
    if (!cli_parse_u64(d, UINT64_MAX, &v)) {
        cli_warn("invalid number of %s: '%s'", what, s);
        exit(CLI_FAIL);
    }
    return v;
}

void textio_header(const char *path)
{
    static bool first = true;
    printf("%s==> %s <==\n", first ? "" : "\n", strcmp(path, "-") ? path : "standard input");
    first = false;
}

int textio_open(const char *path)
{
    if (strcmp(path, "-") == 0) return STDIN_FILENO;
    int fd = open(path, O_RDONLY);
    if (fd < 0) cli_warn_err(errno, "cannot open '%s' for reading", path);
    return fd;
}

void textio_read_error(const char *path, int err)
{
    cli_warn_err(err, "error reading '%s'", strcmp(path, "-") ? path : "standard input");
}

void textio_write(const void *buf, uint64_t len)
{
    if (fflush(stdout) != 0 || cli_write_all(STDOUT_FILENO, buf, (size_t)len) != 0) {
        cli_warn_err(errno, "error writing 'standard output'");
        exit(CLI_FAIL);
    }
}

void textio_obsolete_count(int *argc, char ***argv, uint64_t *count)
{
    char **v = *argv;
    if (*argc < 2 || v[1][0] != '-' || !isdigit((unsigned char)v[1][1])) return;
    *count = textio_count(v[1] + 1, "lines", NULL);
    v[1] = v[0];
    (*argv)++, (*argc)--;
}

size_t textio_last_lines(const char *b, size_t len, uint64_t count)
{
    if (count == 0) return len;
    size_t i = len;
    if (i > 0 && b[i - 1] == '\n') i--; /* the last line's own newline */
    for (; i > 0; i--)
        if (b[i - 1] == '\n' && --count == 0) return i;
    return 0;
}

size_t textio_last(const char *b, size_t len, uint64_t count, bool bytes)
{
    if (!bytes) return textio_last_lines(b, len, count);
    return count < len ? len - (size_t)count : 0;
}

int textio_buf_append(struct textio_buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64 * 1024;
        while (cap < b->len + n)
            cap *= 2;
        char *data = realloc(b->data, cap);
        if (!data) return ENOMEM;
        b->data = data, b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

void textio_buf_drop(struct textio_buf *b, size_t n)
{
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}
