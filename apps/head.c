/*
 * apps/head.c - `head [-qv] [-n N] [-c N] [FILE]...`: the first N lines
 * (default 10) or N bytes of each FILE, as GNU coreutils; "==> NAME <=="
 * headers when there are several files (-q never, -v always). The old
 * form `head -N` is -n N; `-n -N` and `-c -N` print all but the last N
 * lines or bytes. Reads at most up to the N-th line; memory is one 64 KiB
 * buffer, plus the last N lines or bytes held back for -N.
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
    "Usage: head [OPTION]... [FILE]...\n"
    "Print the first 10 lines of each FILE to standard output.\n"
    "With more than one FILE, precede each with a header giving the file name.\n"
    "With no FILE, or when FILE is -, read standard input.\n"
    "  -c N  print the first N bytes of each file\n"
    "  -n N  print the first N lines instead of the first 10\n"
    "  -q    never print headers giving file names\n"
    "  -v    always print headers giving file names\n";

static char buf[64 * 1024];

/* Copies the first `count` lines (or bytes) of fd. Returns 0 or an errno
 * of reading. */
static int head_fd(int fd, uint64_t count, bool bytes)
{
    while (count > 0) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return 0;
        size_t take = (size_t)n;
        if (bytes) {
            if ((uint64_t)take > count) take = (size_t)count;
            count -= take;
        } else {
            for (size_t i = 0; i < (size_t)n; i++) {
                if (buf[i] == '\n' && --count == 0) {
                    take = i + 1;
                    break;
                }
            }
        }
        textio_write(buf, take);
    }
    return 0;
}

/* Copies all but the last `count` lines (or bytes) of fd: holds those
 * back in a buffer that grows to their size. */
static int head_elide(int fd, uint64_t count, bool bytes)
{
    struct textio_buf b = {0};
    int err = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            break;
        }
        err = textio_buf_append(&b, buf, (size_t)n);
        if (err) break;
        size_t out = textio_last(b.data, b.len, count, bytes);
        if (out == 0) continue;
        textio_write(b.data, out);
        textio_buf_drop(&b, out);
    }
    free(b.data);
    return err;
}

static bool head_one(const char *path, bool header, uint64_t count, bool bytes, bool elide)
{
    int fd = textio_open(path);
    if (fd < 0) return false;
    if (header) textio_header(path);
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (!err) err = elide ? head_elide(fd, count, bytes) : head_fd(fd, count, bytes);
    if (fd != STDIN_FILENO) close(fd);
    if (err) textio_read_error(path, err);
    return err == 0;
}

int main(int argc, char **argv)
{
    cli_init("head", CLI_FAIL);
    uint64_t count = 10;
    bool bytes = false, elide = false;
    int verbose = -1;
    textio_obsolete_count(&argc, &argv, &count);
    struct cli_opts o;
    cli_opts_permute(argc, argv, "c:n:qv"); /* GNU: options after operands too */
    cli_opts_init(&o, argc, argv);
    int ch;
    while ((ch = cli_opts_next(&o, "c:n:qv", help)) != 0) {
        if (ch == 'c' || ch == 'n') {
            bytes = ch == 'c';
            elide = o.arg[0] == '-';
            if (!cli_parse_u64(o.arg + elide, UINT64_MAX, &count)) {
                cli_warn("invalid number of %s: '%s'", bytes ? "bytes" : "lines", o.arg + elide);
                return CLI_FAIL;
            }
        }
        if (ch == 'q' || ch == 'v') verbose = ch == 'v';
    }
    int nfiles = argc - o.index;
    bool header = verbose < 0 ? nfiles > 1 : verbose;
    bool ok = true;
    if (nfiles == 0) ok = head_one("-", header, count, bytes, elide);
    for (int i = o.index; i < argc; i++)
        ok = head_one(argv[i], header, count, bytes, elide) && ok;
    if (fflush(stdout) != 0) {
        cli_warn_err(errno, "error writing 'standard output'");
        return CLI_FAIL;
    }
    return ok ? CLI_OK : CLI_FAIL;
}
