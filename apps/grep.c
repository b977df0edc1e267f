/*
 * apps/grep.c - `grep [-EFGHchilnqsvx] [-e PATTERN]... PATTERN [FILE]...`:
 * prints the lines that match, as GNU grep 3 in the C locale. Patterns
 * are POSIX basic (default) or extended (-E) regular expressions, or
 * fixed strings (-F), matched by sdk/regex.c in time linear in the line
 * for any pattern. A pattern with newlines is several patterns. A file
 * with a NUL byte is binary: its first selected line ends the file with
 * "grep: FILE: binary file matches" on stderr, as GNU 3.8 does.
 * Exit status 0 when a line was selected, 1 when none, 2 on an error.
 * Memory: the longest line, and the compiled patterns.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/lines.h"
#include "sdk/regex.h"

static const char help[] = "Usage: grep [OPTION]... PATTERNS [FILE]...\n"
                           "Search for PATTERNS in each FILE.\n"
                           "  -E  PATTERNS are extended regular expressions\n"
                           "  -F  PATTERNS are strings\n"
                           "  -G  PATTERNS are basic regular expressions (the default)\n"
                           "  -e PATTERNS  use PATTERNS for matching\n"
                           "  -i  ignore case distinctions in patterns and data\n"
                           "  -v  select non-matching lines\n"
                           "  -x  match only whole lines\n"
                           "  -c  print only a count of selected lines per FILE\n"
                           "  -n  print line number with output lines\n"
                           "  -l  print only names of FILEs with selected lines\n"
                           "  -q  suppress all normal output\n"
                           "  -s  suppress error messages about nonexistent or unreadable files\n"
                           "  -H  print the file name for each match\n"
                           "  -h  suppress the file name prefix on output\n"
                           "When FILE is '-', read standard input. With no FILE, read '-'.\n"
                           "Exit status is 0 if any line is selected, 1 otherwise;\n"
                           "if any error occurs and -q is not given, the exit status is 2.\n";

static bool opt_v, opt_c, opt_n, opt_l, opt_q, opt_s, opt_F, opt_i, opt_x;
static int opt_names = -1; /* -H 1, -h 0, else by the number of files */
static int syntax = RE_BASIC;

static struct re *pats;
static size_t npats;

/* Appends the BRE for fixed string s (its special bytes escaped). */
static char *fixed_to_bre(const char *s, size_t n, size_t *out_len)
{
    char *o = malloc(2 * n + 1);
    if (!o) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strchr(".[\\*^$", s[i]) && s[i]) o[k++] = '\\';
        o[k++] = s[i];
    }
    *out_len = k;
    return o;
}

/* -x: the pattern as a group anchored at both ends. */
static char *whole_line(const char *s, size_t n, int flags, size_t *out_len)
{
    bool ere = flags & RE_EXTENDED;
    const char *pre = ere ? "^(" : "^\\(", *post = ere ? ")$" : "\\)$";
    size_t lo = strlen(pre), lc = strlen(post);
    char *o = malloc(n + lo + lc);
    if (!o) {
        cli_warn("memory exhausted");
        exit(CLI_USAGE);
    }
    memcpy(o, pre, lo);
    memcpy(o + lo, s, n);
    memcpy(o + lo + n, post, lc);
    *out_len = n + lo + lc;
    return o;
}

/* Compiles one pattern line, or exits 2 with GNU's message. */
static void add_pattern(const char *s, size_t n)
{
    struct re *p = realloc(pats, (npats + 1) * sizeof *p);
    if (!p) {
        cli_warn("memory exhausted");
        exit(CLI_USAGE);
    }
    pats = p;
    size_t len = n;
    char *fixed = opt_F ? fixed_to_bre(s, n, &len) : NULL;
    int flags = (opt_F ? RE_BASIC : syntax) | (opt_i ? RE_ICASE : 0);
    char *whole = opt_x ? whole_line(fixed ? fixed : s, len, flags, &len) : NULL;
    const char *pat = whole ? whole : fixed ? fixed : s;
    const char *err = re_compile(&pats[npats], pat, len, flags);
    free(fixed);
    free(whole);
    if (err) {
        cli_warn("%s", err);
        exit(CLI_USAGE);
    }
    for (size_t i = 0; i < sizeof pats[npats].warns && pats[npats].warns[i]; i++) {
        char w = pats[npats].warns[i];
        cli_warn("warning: %s at start of expression", w == '{' ? "{...}" : (char[2]){w, 0});
    }
    npats++;
}

/* Splits PATTERNS at newlines. */
static void add_patterns(const char *s)
{
    for (;;) {
        const char *nl = strchr(s, '\n');
        add_pattern(s, nl ? (size_t)(nl - s) : strlen(s));
        if (!nl) return;
        s = nl + 1;
    }
}

static bool selected(const char *line, size_t len)
{
    bool m = false;
    for (size_t i = 0; i < npats && !m; i++)
        m = re_search(&pats[i], line, len);
    return m != opt_v;
}

/* Greps one open descriptor. Returns the number of selected lines, or
 * -1 after a read error (reported). */
static long grep_fd(int fd, const char *name)
{
    struct lines in;
    lines_init(&in, fd);
    long count = 0, lineno = 0;
    const char *line;
    size_t len;
    bool nl;
    int r;
    while ((r = lines_next(&in, &line, &len, &nl)) > 0) {
        lineno++;
        if (!selected(line, len)) continue;
        count++;
        if (opt_q) exit(CLI_OK);
        if (opt_l) break;
        if (opt_c) continue;
        if (in.saw_nul) {
            fflush(stdout);
            fprintf(stderr, "grep: %s: binary file matches\n", name);
            break;
        }
        if (opt_names) printf("%s:", name);
        if (opt_n) printf("%ld:", lineno);
        fwrite(line, 1, len, stdout);
        putchar('\n');
    }
    if (r < 0 && !opt_s) cli_warn_err(errno, "%s", name);
    lines_free(&in);
    if (opt_c) {
        if (opt_names) printf("%s:", name);
        printf("%ld\n", count);
    }
    if (opt_l && count) printf("%s\n", name);
    return r < 0 ? -1 : count;
}

/* Greps one operand. Returns 0 if a line was selected, 1 if none, 2 on an
 * error. */
static int grep_one(const char *path)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "(standard input)" : path;
    int fd = lines_open(path);
    if (fd < 0) {
        if (!opt_s) cli_warn_err(errno, "%s", path);
        return 2;
    }
    long n = grep_fd(fd, name);
    lines_close(fd);
    return n < 0 ? 2 : n > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    cli_init("grep", CLI_USAGE);
    cli_set_usage_line("Usage: grep [OPTION]... PATTERNS [FILE]...");
    struct cli_opts o;
    cli_opts_permute(argc, argv, "EFGHce:hilnqsvx"); /* GNU: options after operands too */
    cli_opts_init(&o, argc, argv);
    const char *eargs[64];
    size_t neargs = 0;
    int ch;
    while ((ch = cli_opts_next(&o, "EFGHce:hilnqsvx", help)) != 0) {
        switch (ch) {
        case 'E': syntax = RE_EXTENDED, opt_F = false; break;
        case 'F': opt_F = true; break;
        case 'G': syntax = RE_BASIC, opt_F = false; break;
        case 'H': opt_names = 1; break;
        case 'h': opt_names = 0; break;
        case 'c': opt_c = true; break;
        case 'i': opt_i = true; break;
        case 'l': opt_l = true; break;
        case 'n': opt_n = true; break;
        case 'q': opt_q = true; break;
        case 's': opt_s = true; break;
        case 'v': opt_v = true; break;
        case 'x': opt_x = true; break;
        case 'e':
            if (neargs < sizeof eargs / sizeof eargs[0])
                eargs[neargs++] = o.arg;
            else
                cli_usage_error("too many -e options");
            break;
        }
    }
    int i = o.index;
    if (neargs == 0) {
        if (i >= argc) {
            fputs("Usage: grep [OPTION]... PATTERNS [FILE]...\n"
                  "Try 'grep --help' for more information.\n",
                  stderr);
            return CLI_USAGE;
        }
        eargs[neargs++] = argv[i++];
    }
    for (size_t k = 0; k < neargs; k++)
        add_patterns(eargs[k]);
    int nfiles = argc - i;
    if (opt_names < 0) opt_names = nfiles > 1;
    int status = 1;
    bool error = false;
    if (nfiles == 0) {
        int r = grep_one("-");
        error = r == 2;
        status = r;
    }
    for (; i < argc; i++) {
        int r = grep_one(argv[i]);
        if (r == 2)
            error = true;
        else if (r == 0)
            status = 0;
    }
    if (fflush(stdout) != 0) {
        cli_warn_err(errno, "write error");
        return CLI_USAGE;
    }
    return error ? CLI_USAGE : status; /* -q returned 0 at its first match */
}
