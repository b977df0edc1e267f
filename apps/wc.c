/*
 * apps/wc.c - `wc [-lwc] [FILE]...`: newline, word and byte counts, in
 * the exact layout of GNU coreutils 9 in the C locale, so tests can
 * compare with it: the fields share one width, the digits of the total
 * size of the regular-file operands (at least 7 when one is not a regular
 * file, 1 when only one count of one file is asked for); a "total" line
 * for several operands. A word starts at a printable byte that is not
 * white space and ends at white space; other bytes do not count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"

static const char help[] = "Usage: wc [-lwc] [FILE]...\n"
                           "Print newline, word and byte counts for each FILE, and a total line\n"
                           "if more than one FILE is given. With no FILE, or when FILE is -,\n"
                           "read standard input.\n"
                           "  -c  print the byte counts\n"
                           "  -l  print the newline counts\n"
                           "  -w  print the word counts\n";

struct counts {
    uint64_t lines, words, bytes;
};

static bool opt_lines, opt_words, opt_bytes;
static char buf[256 * 1024];

static bool is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Printable and not a space: what starts a word. Other bytes (controls,
 * DEL, bytes >= 0x80) neither start nor end one, as in GNU wc. */
static bool is_graph(unsigned char c)
{
    return c > ' ' && c < 0x7f;
}

/* Counts fd into *c. Returns 0 or an errno (counts so far are kept). */
static int count_fd(int fd, struct counts *c)
{
    bool in_word = false;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : 0;
        c->bytes += (uint64_t)n;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char b = (unsigned char)buf[i];
            if (b == '\n') c->lines++;
            if (is_space(b)) {
                in_word = false;
            } else if (is_graph(b) && !in_word) {
                in_word = true;
                c->words++;
            }
        }
    }
}

static void print_counts(const struct counts *c, int width, const char *name)
{
    const char *sep = "";
    if (opt_lines) {
        printf("%*llu", width, (unsigned long long)c->lines);
        sep = " ";
    }
    if (opt_words) {
        printf("%s%*llu", sep, width, (unsigned long long)c->words);
        sep = " ";
    }
    if (opt_bytes) printf("%s%*llu", sep, width, (unsigned long long)c->bytes);
    if (name) printf(" %s", name);
    putchar('\n');
}

/* The field width as GNU wc computes it (compute_number_width). */
static int number_width(int nfiles, char **files)
{
    int nopts = opt_lines + opt_words + opt_bytes;
    if (nfiles == 1 && nopts == 1) return 1;
    uint64_t total = 0;
    int min_width = 1;
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        bool is_stdin = !files || !strcmp(files[i], "-");
        int r = is_stdin ? fstat(STDIN_FILENO, &st) : stat(files[i], &st);
        if (r != 0) continue;
        if (S_ISREG(st.st_mode))
            total += (uint64_t)st.st_size;
        else
            min_width = 7;
    }
    int width = 1;
    for (; total >= 10; total /= 10)
        width++;
    return width < min_width ? min_width : width;
}

/* Counts one operand and prints its line. Returns false on an error. */
static bool wc_one(const char *path, int width, struct counts *total)
{
    struct counts c = {0};
    int err;
    if (!path || !strcmp(path, "-")) {
        err = count_fd(STDIN_FILENO, &c);
    } else {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            cli_warn_err(errno, "%s", path);
            return false;
        }
        struct stat st;
        err = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
        if (!err) err = count_fd(fd, &c);
        close(fd);
    }
    if (err) cli_warn_err(err, "%s", path ? path : "-");
    print_counts(&c, width, path);
    total->lines += c.lines;
    total->words += c.words;
    total->bytes += c.bytes;
    return err == 0;
}

int main(int argc, char **argv)
{
    cli_init("wc", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    int ch;
    while ((ch = cli_opts_next(&o, "lwc", help)) != 0) {
        opt_lines |= ch == 'l';
        opt_words |= ch == 'w';
        opt_bytes |= ch == 'c';
    }
    if (!opt_lines && !opt_words && !opt_bytes) opt_lines = opt_words = opt_bytes = true;
    int nfiles = argc - o.index;
    char **files = nfiles ? argv + o.index : NULL;
    int width = number_width(nfiles ? nfiles : 1, files);
    struct counts total = {0};
    bool ok = true;
    if (!files) ok = wc_one(NULL, width, &total);
    for (int i = 0; i < nfiles; i++)
        ok = wc_one(files[i], width, &total) && ok;
    if (nfiles > 1) print_counts(&total, width, "total");
    if (fflush(stdout) != 0) {
        cli_warn_err(errno, "write error");
        return CLI_FAIL;
    }
    return ok ? CLI_OK : CLI_FAIL;
}
