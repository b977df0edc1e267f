/*
 * apps/sdk/lines.c - line-by-line reading for the text tools
 * (sdk/lines.h).
 */
#include "sdk/lines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CHUNK = 64 * 1024 };

void lines_init(struct lines *l, int fd)
{
    memset(l, 0, sizeof *l);
    l->fd = fd;
}

/* Makes room for CHUNK more bytes after end. Returns false (errno set). */
static bool make_room(struct lines *l)
{
    if (l->start > 0) {
        memmove(l->buf, l->buf + l->start, l->end - l->start);
        l->end -= l->start;
        l->start = 0;
    }
    if (l->cap - l->end >= CHUNK) return true;
    size_t cap = l->cap ? l->cap * 2 : 2 * CHUNK;
    if (cap > (size_t)LINES_MAX_LINE + CHUNK) {
        errno = ENOMEM;
        return false;
    }
    char *b = realloc(l->buf, cap);
    if (!b) {
        errno = ENOMEM;
        return false;
    }
    l->buf = b;
    l->cap = cap;
    return true;
}

int lines_next(struct lines *l, const char **line, size_t *len, bool *nl)
{
    for (;;) {
        char *s = l->buf + l->start;
        size_t have = l->end - l->start;
        char *e = have ? memchr(s, '\n', have) : NULL;
        if (e || (l->eof && have)) {
            *line = s;
            *len = e ? (size_t)(e - s) : have;
            *nl = e != NULL;
            l->start += *len + (e != NULL);
            return 1;
        }
        if (l->eof) return 0;
        if (!make_room(l)) return -1;
        ssize_t n = read(l->fd, l->buf + l->end, l->cap - l->end);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) l->eof = true;
        if (n > 0 && memchr(l->buf + l->end, '\0', (size_t)n)) l->saw_nul = true;
        l->end += (size_t)n;
    }
}

void lines_free(struct lines *l)
{
    free(l->buf);
    memset(l, 0, sizeof *l);
}

int lines_open(const char *path)
{
    if (strcmp(path, "-") == 0) return STDIN_FILENO;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return -1;
    }
    return fd;
}

void lines_close(int fd)
{
    if (fd != STDIN_FILENO && fd >= 0) close(fd);
}
