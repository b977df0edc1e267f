/*
 * apps/seq.c - `seq [-w] [-s SEP] [FIRST [INCR]] LAST`: numbers from
 * FIRST (1) by INCR (1) while not past LAST, as GNU coreutils, for
 * decimal operands ("-2", "1.25"): they are held exactly as integers
 * scaled by 10^P (P the most fraction digits of the three, at most 9),
 * and printed with as many fraction digits as FIRST or INCR has (GNU's
 * rule). -w pads with zeros to the widest of FIRST and LAST. Exponents,
 * hex, inf and nan (which GNU's floating point takes) are refused as
 * invalid arguments, and so is -f.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sdk/cli.h"

static const char help[] = "Usage: seq [OPTION]... LAST\n"
                           "  or:  seq [OPTION]... FIRST LAST\n"
                           "  or:  seq [OPTION]... FIRST INCREMENT LAST\n"
                           "Print numbers from FIRST to LAST, in steps of INCREMENT.\n"
                           "  -s STRING  use STRING to separate numbers (default: \\n)\n"
                           "  -w         equalize width by padding with leading zeroes\n";

enum { MAX_PREC = 9 };

struct num {
    bool neg;
    uint64_t ipart, frac; /* frac has `prec` digits */
    int prec;
};

static bool parse_num(const char *s, struct num *n)
{
    memset(n, 0, sizeof *n);
    if (*s == '+' || *s == '-') n->neg = *s++ == '-';
    bool digits = false;
    for (; isdigit((unsigned char)*s); s++, digits = true) {
        if (n->ipart > (UINT64_MAX / 10 - 9) / 1000000000u) return false;
        n->ipart = n->ipart * 10 + (uint64_t)(*s - '0');
    }
    if (*s == '.') {
        for (s++; isdigit((unsigned char)*s); s++, digits = true) {
            if (n->prec == MAX_PREC) return false;
            n->frac = n->frac * 10 + (uint64_t)(*s - '0');
            n->prec++;
        }
    }
    return digits && *s == '\0';
}

static uint64_t pow10u(int p)
{
    uint64_t v = 1;
    while (p-- > 0)
        v *= 10;
    return v;
}

/* n scaled by 10^prec (prec >= n->prec). */
static int64_t scaled(const struct num *n, int prec)
{
    int64_t v = (int64_t)(n->ipart * pow10u(prec) + n->frac * pow10u(prec - n->prec));
    return n->neg ? -v : v;
}

/* v (scaled by 10^scale) with `prec` fraction digits, zero-padded to
 * width. */
static void format(int64_t v, int scale, int prec, int width, char *out, size_t size)
{
    uint64_t a = v < 0 ? (uint64_t)-v : (uint64_t)v;
    a /= pow10u(scale - prec);
    uint64_t p = pow10u(prec);
    char digits[64];
    if (prec > 0)
        snprintf(digits, sizeof digits, "%llu.%0*llu", (unsigned long long)(a / p), prec,
                 (unsigned long long)(a % p));
    else
        snprintf(digits, sizeof digits, "%llu", (unsigned long long)a);
    int pad = width - (int)strlen(digits) - (v < 0);
    if (pad < 0) pad = 0;
    snprintf(out, size, "%s%.*s%s", v < 0 ? "-" : "", pad, "000000000000000000000000000000",
             digits);
}

static bool is_number_word(const char *w)
{
    return w[0] == '-' && (isdigit((unsigned char)w[1]) || w[1] == '.');
}

int main(int argc, char **argv)
{
    cli_init("seq", CLI_FAIL);
    const char *sep = "\n";
    bool equal_width = false;
    int i = 1;
    while (i < argc && argv[i][0] == '-' && argv[i][1] && !is_number_word(argv[i])) {
        const char *w = argv[i++];
        if (strcmp(w, "--") == 0) break;
        if (strcmp(w, "--help") == 0) cli_help(help);
        if (w[1] == '-') cli_usage_error("unrecognized option '%s'", w);
        for (const char *c = w + 1; *c; c++) {
            if (*c == 'w') {
                equal_width = true;
            } else if (*c == 's') {
                if (c[1]) {
                    sep = c + 1;
                } else if (i < argc) {
                    sep = argv[i++];
                } else {
                    cli_usage_error("option requires an argument -- 's'");
                }
                break;
            } else {
                cli_usage_error("invalid option -- '%c'", *c);
            }
        }
    }
    int nops = argc - i;
    if (nops == 0) cli_usage_error("missing operand");
    if (nops > 3) cli_usage_error("extra operand '%s'", argv[i + 3]);
    struct num first = {.ipart = 1}, incr = {.ipart = 1}, last = {0};
    struct num *slots[3][3] = {{&last}, {&first, &last}, {&first, &incr, &last}};
    for (int k = 0; k < nops && nops <= 3; k++)
        if (!parse_num(argv[i + k], slots[nops - 1][k]))
            cli_usage_error("invalid floating point argument: '%s'", argv[i + k]);
    int scale = first.prec > incr.prec ? first.prec : incr.prec;
    int out_prec = scale;
    if (last.prec > scale) scale = last.prec;
    int64_t v = scaled(&first, scale), step = scaled(&incr, scale), end = scaled(&last, scale);
    if (step == 0) cli_usage_error("invalid Zero increment value: '%s'", argv[i + 1]);
    int width = 0;
    char b[96];
    if (equal_width) {
        format(v, scale, out_prec, 0, b, sizeof b);
        width = (int)strlen(b);
        format(end - (end % (int64_t)pow10u(scale - out_prec)), scale, out_prec, 0, b, sizeof b);
        if ((int)strlen(b) > width) width = (int)strlen(b);
    }
    bool any = false;
    while (step > 0 ? v <= end : v >= end) {
        format(v, scale, out_prec, width, b, sizeof b);
        printf("%s%s", any ? sep : "", b);
        any = true;
        if ((step > 0 && v > INT64_MAX - step) || (step < 0 && v < INT64_MIN - step)) break;
        v += step;
    }
    if (any) putchar('\n');
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}
