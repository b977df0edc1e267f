/*
 * apps/sort.c - `sort [-nrsu] [FILE]...`: the lines of all FILEs sorted,
 * as GNU coreutils with LC_ALL=C: bytewise, or by the leading number
 * with -n (blanks, '-', digits, '.', digits; anything else counts as 0),
 * equal keys then ordered bytewise unless -s (stable) or -u; -r reverses
 * the whole order; -u keeps the first line of each run of equal keys. A
 * last line without a newline gets one. The sort is a stable merge sort.
 * Memory: sort holds its whole input in one buffer, plus two words per
 * line (keys and -k, -t, -o are not supported).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/lines.h" /* lines_open */

static const char help[] = "Usage: sort [OPTION]... [FILE]...\n"
                           "Write sorted concatenation of all FILE(s) to standard output.\n"
                           "With no FILE, or when FILE is -, read standard input.\n"
                           "  -n  compare according to string numerical value\n"
                           "  -r  reverse the result of comparisons\n"
                           "  -s  stabilize sort by disabling last-resort comparison\n"
                           "  -u  output only the first of an equal run\n";

struct line {
    char *s;
    size_t len;
};

static bool opt_n, opt_r, opt_s, opt_u;
static struct line *lines;
static size_t nlines;
static char *data; /* all of the input, each file ending with a newline */
static size_t data_len, data_cap;
static char chunk[64 * 1024];

static _Noreturn void fail_mem(void)
{
    cli_warn("memory exhausted");
    exit(CLI_USAGE);
}

/* Appends n bytes to the input. */
static void append(const char *p, size_t n)
{
    if (data_len + n > data_cap) {
        size_t cap = data_cap ? data_cap : 64 * 1024;
        while (cap < data_len + n)
            cap *= 2;
        char *d = realloc(data, cap);
        if (!d) fail_mem();
        data = d;
        data_cap = cap;
    }
    memcpy(data + data_len, p, n);
    data_len += n;
}

/* Reads all of path into the input, ending it with a newline; exits 2
 * with GNU's message on an error. */
static void read_all(const char *path)
{
    int fd = lines_open(path);
    if (fd < 0) {
        if (errno == EISDIR)
            cli_warn_err(errno, "read failed: %s", path);
        else
            cli_warn_err(errno, "cannot read: %s", path);
        exit(CLI_USAGE);
    }
    size_t start = data_len;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            cli_warn_err(errno, "read failed: %s", path);
            exit(CLI_USAGE);
        }
        if (n == 0) break;
        append(chunk, (size_t)n);
    }
    if (data_len > start && data[data_len - 1] != '\n') append("\n", 1);
    lines_close(fd);
}

/* Splits the input into lines. */
static void split_lines(void)
{
    size_t count = 0;
    for (char *p = data, *end = data + data_len; p < end; p++)
        count += *p == '\n';
    lines = malloc((count ? count : 1) * sizeof *lines);
    if (!lines) fail_mem();
    char *p = data, *end = data + data_len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        lines[nlines++] = (struct line){p, (size_t)(nl - p)};
        p = nl + 1;
    }
}

static int bytes_cmp(const struct line *a, const struct line *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

struct numkey {
    bool neg;
    const char *ip, *fp; /* integer digits (no leading zeros), fraction */
    size_t il, fl;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static struct numkey num_key(const struct line *l)
{
    struct numkey k = {0};
    size_t i = 0;
    while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
        i++;
    if (i < l->len && l->s[i] == '-') k.neg = true, i++;
    while (i < l->len && l->s[i] == '0')
        i++;
    k.ip = l->s + i;
    while (i < l->len && is_digit(l->s[i]))
        i++, k.il++;
    if (i < l->len && l->s[i] == '.') {
        k.fp = l->s + ++i;
        while (i < l->len && is_digit(l->s[i]))
            i++, k.fl++;
    }
    while (k.fl > 0 && k.fp[k.fl - 1] == '0')
        k.fl--;
    if (k.il == 0 && k.fl == 0) k.neg = false; /* -0 is 0 */
    return k;
}

static int num_cmp(const struct line *a, const struct line *b)
{
    struct numkey x = num_key(a), y = num_key(b);
    if (x.neg != y.neg) return x.neg ? -1 : 1;
    int c = x.il != y.il ? (x.il < y.il ? -1 : 1) : memcmp(x.ip, y.ip, x.il);
    for (size_t i = 0; c == 0 && (i < x.fl || i < y.fl); i++) {
        char dx = i < x.fl ? x.fp[i] : '0', dy = i < y.fl ? y.fp[i] : '0';
        c = (dx > dy) - (dx < dy);
    }
    return x.neg ? -c : c;
}

static int key_cmp(const struct line *a, const struct line *b)
{
    return opt_n ? num_cmp(a, b) : bytes_cmp(a, b);
}

static int order(const struct line *a, const struct line *b)
{
    int c = key_cmp(a, b);
    if (c == 0 && opt_n && !opt_s && !opt_u) c = bytes_cmp(a, b);
    return opt_r ? -c : c;
}

/* Bottom-up merge sort: stable, n log n comparisons. */
static void merge_sort(struct line *a, size_t n)
{
    struct line *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp) fail_mem();
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = order(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
    free(tmp);
}

int main(int argc, char **argv)
{
    cli_init("sort", CLI_USAGE);
    struct cli_opts o;
    cli_opts_permute(argc, argv, "nrsu"); /* GNU: options after operands too */
    cli_opts_init(&o, argc, argv);
    int ch;
    while ((ch = cli_opts_next(&o, "nrsu", help)) != 0) {
        opt_n |= ch == 'n';
        opt_r |= ch == 'r';
        opt_s |= ch == 's';
        opt_u |= ch == 'u';
    }
    if (o.index == argc) read_all("-");
    for (int i = o.index; i < argc; i++)
        read_all(argv[i]);
    split_lines();
    merge_sort(lines, nlines);
    for (size_t i = 0; i < nlines; i++) {
        if (opt_u && i > 0 && key_cmp(&lines[i - 1], &lines[i]) == 0) continue;
        fwrite(lines[i].s, 1, lines[i].len, stdout);
        putchar('\n');
    }
    if (fflush(stdout) != 0) {
        cli_warn_err(errno, "write failed: 'standard output'");
        return CLI_USAGE;
    }
    return CLI_OK;
}
