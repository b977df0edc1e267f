/*
 * apps/test.c - `test EXPRESSION`: POSIX test, with GNU coreutils'
 * parsing and messages: up to four arguments by POSIX's rules by count,
 * longer expressions by precedence (! binds tightest, then -a, then -o;
 * parentheses group). Operators: -e -f -d -s -L -h -b -c -p -S -t -z -n,
 * = == != and -eq -ne -lt -le -gt -ge on integers of any length.
 * Exit status 0 true, 1 false, 2 error ("test: invalid integer 'x'").
 * Built with TEST_BRACKET it is `[ EXPRESSION ]` ([.wasm): the last
 * argument must be "]" ("[: missing ']'", status 2), `[ --help` prints the
 * usage. The KPIO shell runs its own built-ins test and [ before these.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"

#ifdef TEST_BRACKET
#define TEST_NAME "["
static const char help[] = "Usage: [ EXPRESSION ]\n"
                           "  or:  test EXPRESSION\n"
                           "Exit with the status of EXPRESSION: 0 true, 1 false, 2 error.\n"
                           "  -e -f -d -s -L -h -b -c -p -S FILE, -t FD, -z -n STRING,\n"
                           "  S1 = S2, S1 != S2, N1 -eq -ne -lt -le -gt -ge N2,\n"
                           "  ! EXPR, EXPR -a EXPR, EXPR -o EXPR, ( EXPR )\n"
                           "`test --help` is a true one-word expression; `[ --help` prints this.\n";
#else
#define TEST_NAME "test"
#endif

static int argc_;
static char **argv_;
static int pos;

static _Noreturn void syntax_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void syntax_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", cli_name());
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static _Noreturn void beyond(void)
{
    syntax_error("missing argument after '%s'", argv_[argc_ - 1]);
}

/* An integer operand: blanks, sign, digits, blanks. Sets *neg and the
 * digit span without leading zeros. */
static void integer(const char *s, bool *neg, const char **d, size_t *n)
{
    const char *p = s;
    while (isblank((unsigned char)*p))
        p++;
    *neg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    const char *start = p;
    while (isdigit((unsigned char)*p))
        p++;
    const char *end = p;
    while (isblank((unsigned char)*p))
        p++;
    if (start == end || *p) syntax_error("invalid integer '%s'", s);
    while (start < end - 1 && *start == '0')
        start++;
    if (end - start == 1 && *start == '0') *neg = false;
    *d = start;
    *n = (size_t)(end - start);
}

static int int_cmp(const char *a, const char *b)
{
    bool na, nb;
    const char *da, *db;
    size_t la, lb;
    integer(a, &na, &da, &la);
    integer(b, &nb, &db, &lb);
    if (na != nb) return na ? -1 : 1;
    int c = la != lb ? (la < lb ? -1 : 1) : memcmp(da, db, la);
    c = (c > 0) - (c < 0);
    return na ? -c : c;
}

static bool is_binop(const char *s)
{
    static const char *const ops[] = {"=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(s, ops[i]) == 0) return true;
    return false;
}

static bool is_unop(const char *s)
{
    return s[0] == '-' && s[1] && !s[2] && strchr("efdsLhbcpStzn", s[1]);
}

static bool binary(const char *a, const char *op, const char *b)
{
    if (!strcmp(op, "=") || !strcmp(op, "==")) return strcmp(a, b) == 0;
    if (!strcmp(op, "!=")) return strcmp(a, b) != 0;
    int c = int_cmp(a, b);
    if (!strcmp(op, "-eq")) return c == 0;
    if (!strcmp(op, "-ne")) return c != 0;
    if (!strcmp(op, "-lt")) return c < 0;
    if (!strcmp(op, "-le")) return c <= 0;
    if (!strcmp(op, "-gt")) return c > 0;
    return c >= 0; /* -ge */
}

static bool unary(char op, const char *arg)
{
    struct stat st;
    switch (op) {
    case 'z': return arg[0] == '\0';
    case 'n': return arg[0] != '\0';
    case 't': {
        bool neg;
        const char *d;
        size_t n;
        integer(arg, &neg, &d, &n);
        return !neg && n < 4 && isatty(atoi(d));
    }
    case 'L':
    case 'h': return lstat(arg, &st) == 0 && S_ISLNK(st.st_mode);
    }
    if (stat(arg, &st) != 0) return false;
    switch (op) {
    case 'f': return S_ISREG(st.st_mode);
    case 'd': return S_ISDIR(st.st_mode);
    case 's': return st.st_size > 0;
    case 'b': return S_ISBLK(st.st_mode);
    case 'c': return S_ISCHR(st.st_mode);
    case 'p': return S_ISFIFO(st.st_mode);
    case 'S': return S_ISSOCK(st.st_mode);
    default: return true; /* -e */
    }
}

static bool expr(void);

static bool term(void)
{
    if (pos >= argc_) beyond();
    bool negate = false;
    while (pos < argc_ && strcmp(argv_[pos], "!") == 0)
        pos++, negate = !negate;
    if (pos >= argc_) beyond();
    bool v;
    if (strcmp(argv_[pos], "(") == 0) {
        pos++;
        if (pos >= argc_) beyond();
        v = expr();
        if (pos >= argc_) syntax_error("')' expected");
        if (strcmp(argv_[pos], ")") != 0) syntax_error("')' expected, found '%s'", argv_[pos]);
        pos++;
    } else if (argc_ - pos >= 3 && is_binop(argv_[pos + 1])) {
        v = binary(argv_[pos], argv_[pos + 1], argv_[pos + 2]);
        pos += 3;
    } else if (is_unop(argv_[pos])) {
        if (pos + 1 >= argc_) beyond();
        v = unary(argv_[pos][1], argv_[pos + 1]);
        pos += 2;
    } else {
        v = argv_[pos][0] != '\0';
        pos++;
    }
    return v != negate;
}

static bool and_expr(void)
{
    bool v = term();
    while (pos < argc_ && strcmp(argv_[pos], "-a") == 0) {
        pos++;
        v = term() && v;
    }
    return v;
}

static bool expr(void)
{
    bool v = and_expr();
    while (pos < argc_ && strcmp(argv_[pos], "-o") == 0) {
        pos++;
        v = and_expr() || v;
    }
    return v;
}

static bool one_arg(void)
{
    return argv_[pos++][0] != '\0';
}

static bool two_args(void)
{
    if (strcmp(argv_[pos], "!") == 0) {
        pos++;
        return !one_arg();
    }
    if (argv_[pos][0] == '-' && argv_[pos][1] && !argv_[pos][2]) {
        if (!is_unop(argv_[pos])) syntax_error("'%s': unary operator expected", argv_[pos]);
        pos += 2;
        return unary(argv_[pos - 2][1], argv_[pos - 1]);
    }
    beyond();
}

static bool three_args(void)
{
    if (is_binop(argv_[pos + 1])) {
        pos += 3;
        return binary(argv_[pos - 3], argv_[pos - 2], argv_[pos - 1]);
    }
    if (strcmp(argv_[pos], "!") == 0) {
        pos++;
        return !two_args();
    }
    if (strcmp(argv_[pos], "(") == 0 && strcmp(argv_[pos + 2], ")") == 0) {
        pos++;
        bool v = one_arg();
        pos++;
        return v;
    }
    if (strcmp(argv_[pos + 1], "-a") == 0 || strcmp(argv_[pos + 1], "-o") == 0) return expr();
    syntax_error("'%s': binary operator expected", argv_[pos + 1]);
}

int main(int argc, char **argv)
{
    cli_init(TEST_NAME, CLI_USAGE);
#ifdef TEST_BRACKET
    if (argc == 2 && strcmp(argv[1], "--help") == 0) cli_help(help);
    if (argc < 2 || strcmp(argv[argc - 1], "]") != 0) syntax_error("missing ']'");
    argc--;
#endif
    argc_ = argc;
    argv_ = argv;
    pos = 1;
    int n = argc - 1;
    bool v;
    switch (n) {
    case 0: return 1;
    case 1: v = one_arg(); break;
    case 2: v = two_args(); break;
    case 3: v = three_args(); break;
    case 4:
        if (strcmp(argv[1], "!") == 0) {
            pos++;
            v = !three_args();
            break;
        }
        if (strcmp(argv[1], "(") == 0 && strcmp(argv[4], ")") == 0) {
            pos++;
            v = two_args();
            pos++;
            break;
        }
        /* fall through */
    default: v = expr();
    }
    if (pos != argc) syntax_error("extra argument '%s'", argv[pos]);
    return v ? 0 : 1;
}
