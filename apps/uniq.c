/*
 * apps/uniq.c - `uniq [-cdu] [INPUT [OUTPUT]]`: adjacent equal lines
 * (bytewise, as LC_ALL=C) reported once, as GNU coreutils: -c prefixes
 * the count ("%7d "), -d prints only repeated lines, -u only unique ones.
 * A last line without a newline gets one. Memory: two lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/lines.h"

static const char help[] = "Usage: uniq [OPTION]... [INPUT [OUTPUT]]\n"
                           "Filter adjacent matching lines from INPUT (or standard input),\n"
                           "writing to OUTPUT (or standard output).\n"
                           "  -c  prefix lines by the number of occurrences\n"
                           "  -d  only print duplicate lines, one for each group\n"
                           "  -u  only print unique lines\n";

static bool opt_c, opt_d, opt_u;

static void flush_group(FILE *out, const char *line, size_t len, unsigned long count)
{
    if ((opt_d && count < 2) || (opt_u && count > 1)) return;
    if (opt_c) fprintf(out, "%7lu ", count);
    fwrite(line, 1, len, out);
    fputc('\n', out);
}

int main(int argc, char **argv)
{
    cli_init("uniq", CLI_FAIL);
    struct cli_opts o;
    cli_opts_permute(argc, argv, "cdu"); /* GNU: options after operands too */
    cli_opts_init(&o, argc, argv);
    int ch;
    while ((ch = cli_opts_next(&o, "cdu", help)) != 0) {
        opt_c |= ch == 'c';
        opt_d |= ch == 'd';
        opt_u |= ch == 'u';
    }
    int nops = argc - o.index;
    if (nops > 2) cli_usage_error("extra operand '%s'", argv[o.index + 2]);
    const char *in_path = nops > 0 ? argv[o.index] : "-";
    int fd = lines_open(in_path);
    if (fd < 0 && errno == EISDIR) {
        cli_warn("error reading '%s'", in_path); /* GNU's words, no reason */
        return CLI_FAIL;
    }
    if (fd < 0) {
        cli_warn_err(errno, "%s", in_path);
        return CLI_FAIL;
    }
    FILE *out = stdout;
    if (nops == 2 && strcmp(argv[o.index + 1], "-") != 0) {
        out = fopen(argv[o.index + 1], "w");
        if (!out) {
            cli_warn_err(errno, "%s", argv[o.index + 1]);
            return CLI_FAIL;
        }
    }
    struct lines in;
    lines_init(&in, fd);
    char *prev = NULL;
    size_t plen = 0;
    unsigned long count = 0;
    const char *line;
    size_t len;
    bool nl;
    int r;
    while ((r = lines_next(&in, &line, &len, &nl)) > 0) {
        if (count && len == plen && memcmp(line, prev, len) == 0) {
            count++;
            continue;
        }
        if (count) flush_group(out, prev, plen, count);
        char *p = realloc(prev, len ? len : 1);
        if (!p) {
            cli_warn("memory exhausted");
            return CLI_FAIL;
        }
        prev = p;
        memcpy(prev, line, len);
        plen = len;
        count = 1;
    }
    if (count) flush_group(out, prev, plen, count);
    bool ok = true;
    if (r < 0) {
        cli_warn_err(errno, "error reading '%s'", in_path);
        ok = false;
    }
    if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
        cli_warn_err(errno, "write error");
        ok = false;
    }
    free(prev);
    lines_free(&in);
    return ok ? CLI_OK : CLI_FAIL;
}
