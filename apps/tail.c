/*
 * apps/tail.c - `tail [-qv] [-n [+]N] [-c [+]N] [FILE]...`: the last N
 * lines (default 10) or bytes of each FILE, or with +N everything from
 * line or byte N on, as GNU coreutils; headers as head's. `tail -N` is
 * -n N. No -f. Memory: for the last N lines or bytes tail holds those
 * (plus one read of 64 KiB), whatever the size of the input; from +N it
 * streams.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/textio.h"

static const char help[] =
    "Usage: tail [OPTION]... [FILE]...\n"
    "Print the last 10 lines of each FILE to standard output.\n"
    "With more than one FILE, precede each with a header giving the file name.\n"
    "With no FILE, or when FILE is -, read standard input.\n"
    "  -c [+]N  output the last N bytes; or use -c +N to output\n"
    "           starting with byte N of each file\n"
    "  -n [+]N  output the last N lines, instead of the last 10;\n"
    "           or use -n +N to output starting with line N\n"
    "  -q       never output headers giving file names\n"
    "  -v       always output headers giving file names\n";

enum { CHUNK = 64 * 1024 };

struct mode {
    uint64_t count;
    bool bytes, from_start;
};

static char chunk[CHUNK];

static ssize_t read_some(int fd, char *b, size_t n)
{
    for (;;) {
        ssize_t r = read(fd, b, n);
        if (r >= 0 || errno != EINTR) return r;
    }
}

/* Copies fd from line or byte `skip` + 1 on. */
static int tail_from(int fd, uint64_t skip, bool bytes)
{
    for (;;) {
        ssize_t n = read_some(fd, chunk, sizeof chunk);
        if (n < 0) return errno;
        if (n == 0) return 0;
        size_t off = 0;
        if (bytes) {
            off = skip < (uint64_t)n ? (size_t)skip : (size_t)n;
            skip -= off;
        } else {
            while (skip > 0 && off < (size_t)n) {
                char *nl = memchr(chunk + off, '\n', (size_t)n - off);
                off = nl ? (size_t)(nl - chunk) + 1 : (size_t)n;
                if (nl) skip--;
            }
        }
        textio_write(chunk + off, (size_t)n - off);
    }
}

/* Keeps the last `count` lines or bytes of fd in a growing buffer, then
 * writes them. */
static int tail_last(int fd, uint64_t count, bool bytes)
{
    struct textio_buf b = {0};
    int err = 0;
    for (;;) {
        ssize_t n = read_some(fd, chunk, sizeof chunk);
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            break;
        }
        err = textio_buf_append(&b, chunk, (size_t)n);
        if (err) break;
        textio_buf_drop(&b, textio_last(b.data, b.len, count, bytes));
    }
    if (!err && b.len) textio_write(b.data, b.len);
    free(b.data);
    return err;
}

static bool tail_one(const char *path, bool header, const struct mode *m)
{
    int fd = textio_open(path);
    if (fd < 0) return false;
    if (header) textio_header(path);
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (!err && m->from_start)
        err = tail_from(fd, m->count ? m->count - 1 : 0, m->bytes);
    else if (!err)
        err = tail_last(fd, m->count, m->bytes);
    if (fd != STDIN_FILENO) close(fd);
    if (err) textio_read_error(path, err);
    return err == 0;
}

int main(int argc, char **argv)
{
    cli_init("tail", CLI_FAIL);
    struct mode m = {.count = 10};
    int verbose = -1;
    textio_obsolete_count(&argc, &argv, &m.count);
    struct cli_opts o;
    cli_opts_permute(argc, argv, "c:n:qv"); /* GNU: options after operands too */
    cli_opts_init(&o, argc, argv);
    int ch;
    while ((ch = cli_opts_next(&o, "c:n:qv", help)) != 0) {
        if (ch == 'c' || ch == 'n') {
            m.bytes = ch == 'c';
            m.count = textio_count(o.arg, m.bytes ? "bytes" : "lines", &m.from_start);
        }
        if (ch == 'q' || ch == 'v') verbose = ch == 'v';
    }
    int nfiles = argc - o.index;
    bool header = verbose < 0 ? nfiles > 1 : verbose;
    bool ok = true;
    if (nfiles == 0) ok = tail_one("-", header, &m);
    for (int i = o.index; i < argc; i++)
        ok = tail_one(argv[i], header, &m) && ok;
    if (fflush(stdout) != 0) {
        cli_warn_err(errno, "error writing 'standard output'");
        return CLI_FAIL;
    }
    return ok ? CLI_OK : CLI_FAIL;
}
