/*
 * lib/shell/builtins.c - the built-ins every embedder gets: the ones that
 * change the shell itself (cd, export, unset, exit, sh, ., jobs, wait,
 * kill %N) and the small ones dash also builds in (:, true, false, echo,
 * test and [). Output goes to the command's descriptors, so they redirect
 * and pipe like any command.
 */
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "shell/internal.h"

struct bctx {
    struct sh *sh;
    const struct sh_io *io;
    int argc;
    char **argv;
};

#define OUT(b, ...) sh_printf((b)->sh, (b)->io->fd[1], __VA_ARGS__)
#define ERR(b, ...) sh_printf((b)->sh, (b)->io->fd[2], __VA_ARGS__)

static int b_true(struct bctx *b)
{
    (void)b;
    return 0;
}

static int b_false(struct bctx *b)
{
    (void)b;
    return 1;
}

/* echo as dash has it: -n, and the escapes \a \b \c \f \n \r \t \v \\ \0NNN. */
static int b_echo(struct bctx *b)
{
    int i = 1;
    bool newline = true;
    if (i < b->argc && strcmp(b->argv[i], "-n") == 0) {
        newline = false;
        i++;
    }
    char buf[256];
    size_t o = 0;
    struct sh *sh = b->sh;
    int fd = b->io->fd[1];
    for (; i < b->argc; i++) {
        for (const char *s = b->argv[i]; *s; s++) {
            char c = *s;
            if (c == '\\' && s[1]) {
                const char *esc = "a\ab\bf\fn\nr\rt\tv\v\\\\";
                const char *m = strchr(esc, s[1]);
                if (s[1] == 'c') goto flush_no_newline;
                if (m && ((m - esc) % 2) == 0) {
                    c = m[1];
                    s++;
                } else if (s[1] == '0') {
                    int v = 0, k = 0;
                    for (s += 2; k < 3 && *s >= '0' && *s <= '7'; k++, s++)
                        v = v * 8 + (*s - '0');
                    s--;
                    c = (char)v;
                }
            }
            buf[o++] = c;
            if (o == sizeof buf) {
                sh->ops->write(sh->ctx, fd, buf, o);
                o = 0;
            }
        }
        if (i + 1 < b->argc) buf[o++] = ' ';
        if (o == sizeof buf) {
            sh->ops->write(sh->ctx, fd, buf, o);
            o = 0;
        }
    }
    if (newline) buf[o++] = '\n';
    if (o) sh->ops->write(sh->ctx, fd, buf, o);
    return 0;
flush_no_newline:
    if (o) sh->ops->write(sh->ctx, fd, buf, o);
    return 0;
}

static int b_cd(struct bctx *b)
{
    const char *dir = b->argc > 1 ? b->argv[1] : sh_var_get(b->sh, "HOME");
    if (!dir) dir = "/";
    int err = b->sh->ops->chdir(b->sh->ctx, dir);
    if (err < 0) {
        ERR(b, "cd: %s: %s\n", dir, err_str(err));
        return 1;
    }
    return 0;
}

static int b_export(struct bctx *b)
{
    struct sh *sh = b->sh;
    if (b->argc == 1) {
        for (int i = 0; i < sh->nvars; i++)
            if (sh->vars[i].exported && sh->vars[i].value)
                OUT(b, "export %s='%s'\n", sh->vars[i].name, sh->vars[i].value);
            else if (sh->vars[i].exported)
                OUT(b, "export %s\n", sh->vars[i].name);
        return 0;
    }
    int st = 0;
    for (int i = 1; i < b->argc; i++) {
        char *a = b->argv[i], *eq = strchr(a, '=');
        if (eq) *eq = '\0';
        int err = sh_var_set(sh, a, eq ? eq + 1 : NULL, true);
        if (err < 0) {
            ERR(b, "export: %s: %s\n", a,
                err == ERR_INVAL  ? "not a valid name"
                : err == ERR_2BIG ? "too many variables"
                                  : err_str(err));
            st = 1;
        }
        if (eq) *eq = '=';
    }
    return st;
}

static int b_unset(struct bctx *b)
{
    for (int i = 1; i < b->argc; i++)
        sh_var_unset(b->sh, b->argv[i]);
    return 0;
}

/* A decimal integer, optionally signed; false if s is not one. */
static bool parse_int(const char *s, long *out)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    if (!*s) return false;
    long v = 0;
    for (; *s; s++) {
        if (!char_is_digit(*s) || v > 100000000000L) return false;
        v = v * 10 + (*s - '0');
    }
    *out = neg ? -v : v;
    return true;
}

static int b_exit(struct bctx *b)
{
    long v = b->sh->status;
    if (b->argc > 1 && !parse_int(b->argv[1], &v)) {
        ERR(b, "exit: %s: not a number\n", b->argv[1]);
        v = 2;
    }
    b->sh->exiting = true;
    b->sh->status = (int)(v & 255);
    return b->sh->status;
}

/* ---- test and [ ------------------------------------------------------------------------ */

static int test_unary(struct bctx *b, const char *op, const char *arg)
{
    struct sh_stat st = {0};
    if (strcmp(op, "-n") == 0) return arg[0] ? 0 : 1;
    if (strcmp(op, "-z") == 0) return arg[0] ? 1 : 0;
    if (op[0] == '-' && op[1] && !op[2] && strchr("efds", op[1])) {
        struct sh *sh = b->sh;
        if (!sh->ops->stat || sh->ops->stat(sh->ctx, arg, &st) < 0) return 1;
        if (op[1] == 'e') return 0;
        if (op[1] == 's') return st.size > 0 ? 0 : 1;
        return (op[1] == 'd') == st.is_dir ? 0 : 1;
    }
    ERR(b, "test: %s: unknown operator\n", op);
    return 2;
}

static int test_binary(struct bctx *b, const char *l, const char *op, const char *r)
{
    if (strcmp(op, "=") == 0) return strcmp(l, r) == 0 ? 0 : 1;
    if (strcmp(op, "!=") == 0) return strcmp(l, r) != 0 ? 0 : 1;
    static const char *const ops[] = {"-eq", "-ne", "-lt", "-le", "-gt", "-ge"};
    for (int i = 0; i < 6; i++) {
        if (strcmp(op, ops[i]) != 0) continue;
        long a, c;
        if (!parse_int(l, &a) || !parse_int(r, &c)) {
            ERR(b, "test: %s: integer expected\n", parse_int(l, &a) ? r : l);
            return 2;
        }
        bool res[] = {a == c, a != c, a<c, a <= c, a> c, a >= c};
        return res[i] ? 0 : 1;
    }
    ERR(b, "test: %s: unknown operator\n", op);
    return 2;
}

static bool test_is_binop(const char *s)
{
    static const char *const ops[] = {"=", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge"};
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(s, ops[i]) == 0) return true;
    return false;
}

/* Longer expressions: ! binds tightest, then -a, then -o; ( ) group. */
struct tparse {
    struct bctx *b;
    char **a;
    int n, pos;
};

static int test_or(struct tparse *p);

static int test_missing(struct tparse *p)
{
    ERR(p->b, "test: argument expected\n");
    return 2;
}

static int test_term(struct tparse *p)
{
    bool negate = false;
    while (p->pos < p->n && strcmp(p->a[p->pos], "!") == 0) {
        negate = !negate;
        p->pos++;
    }
    if (p->pos >= p->n) return test_missing(p);
    const char *w = p->a[p->pos];
    int r;
    if (strcmp(w, "(") == 0) {
        p->pos++;
        r = test_or(p);
        if (r == 2) return 2;
        if (p->pos >= p->n || strcmp(p->a[p->pos], ")") != 0) {
            ERR(p->b, "test: closing paren expected\n");
            return 2;
        }
        p->pos++;
    } else if (p->n - p->pos >= 3 && test_is_binop(p->a[p->pos + 1])) {
        r = test_binary(p->b, w, p->a[p->pos + 1], p->a[p->pos + 2]);
        p->pos += 3;
    } else if (w[0] == '-' && w[1] && !w[2] && strchr("nzefds", w[1]) && p->pos + 1 < p->n) {
        r = test_unary(p->b, w, p->a[p->pos + 1]);
        p->pos += 2;
    } else {
        r = w[0] ? 0 : 1;
        p->pos++;
    }
    return r == 2 ? 2 : negate ? !r : r;
}

static int test_and(struct tparse *p)
{
    int r = test_term(p);
    while (r != 2 && p->pos < p->n && strcmp(p->a[p->pos], "-a") == 0) {
        p->pos++;
        int r2 = test_term(p);
        r = r2 == 2 ? 2 : (r == 0 && r2 == 0) ? 0 : 1;
    }
    return r;
}

static int test_or(struct tparse *p)
{
    int r = test_and(p);
    while (r != 2 && p->pos < p->n && strcmp(p->a[p->pos], "-o") == 0) {
        p->pos++;
        int r2 = test_or(p);
        r = r2 == 2 ? 2 : (r == 0 || r2 == 0) ? 0 : 1;
    }
    return r;
}

/* POSIX's rules by the number of arguments up to 3 (and ! before them),
 * then the precedence parser above. */
static int test_eval(struct bctx *b, char **a, int n)
{
    if (n == 0) return 1;
    if (n == 1) return a[0][0] ? 0 : 1;
    if (n == 3 && test_is_binop(a[1])) return test_binary(b, a[0], a[1], a[2]);
    if (n <= 4 && strcmp(a[0], "!") == 0) {
        int r = test_eval(b, a + 1, n - 1);
        return r == 2 ? 2 : !r;
    }
    if (n == 2) return test_unary(b, a[0], a[1]);
    if (n == 3 && strcmp(a[0], "(") == 0 && strcmp(a[2], ")") == 0) return a[1][0] ? 0 : 1;
    struct tparse p = {b, a, n, 0};
    int r = test_or(&p);
    if (r != 2 && p.pos < n) {
        ERR(b, "test: %s: unexpected operator\n", a[p.pos]);
        return 2;
    }
    return r;
}

static int b_test(struct bctx *b)
{
    int n = b->argc - 1;
    if (strcmp(b->argv[0], "[") == 0) {
        if (n == 0 || strcmp(b->argv[n], "]") != 0) {
            ERR(b, "[: missing ]\n");
            return 2;
        }
        n--;
    }
    return test_eval(b, b->argv + 1, n);
}

/* ---- scripts ----------------------------------------------------------------------------- */

static int read_script(struct bctx *b, const char *path, char **text, size_t *len)
{
    struct sh *sh = b->sh;
    int err = sh->ops->read_file ? sh->ops->read_file(sh->ctx, path, text, len) : ERR_NOTSUP;
    if (err < 0) ERR(b, "%s: %s: %s\n", b->argv[0], path, err_str(err));
    return err;
}

/* sh FILE [ARGS]: a child shell with the exported variables. */
static int b_sh(struct bctx *b)
{
    if (b->argc < 2) {
        ERR(b, "usage: sh FILE [ARG...]\n");
        return 2;
    }
    char *text;
    size_t len;
    if (read_script(b, b->argv[1], &text, &len) < 0) return 127;
    struct sh *parent = b->sh, *child = mem_alloc(sizeof *child);
    if (!child) {
        mem_free(text);
        ERR(b, "sh: out of memory\n");
        return 2;
    }
    sh_init(child, parent->ops, parent->ctx, b->argv[1]);
    for (int i = 0; i < parent->nvars; i++)
        if (parent->vars[i].exported && parent->vars[i].value)
            sh_var_set(child, parent->vars[i].name, parent->vars[i].value, true);
    child->args = b->argv + 2;
    child->nargs = b->argc - 2;
    child->depth = parent->depth;
    child->err_fd = b->io->fd[2];
    int st = sh_run_text(child, text, len, b->argv[1]);
    sh_free(child);
    mem_free(child);
    mem_free(text);
    return st;
}

/* . FILE: runs in this shell. */
static int b_dot(struct bctx *b)
{
    if (b->argc < 2) {
        ERR(b, "usage: . FILE\n");
        return 2;
    }
    char *text;
    size_t len;
    if (read_script(b, b->argv[1], &text, &len) < 0) return 1;
    int st = sh_run_text(b->sh, text, len, b->argv[1]);
    mem_free(text);
    return st;
}

/* ---- jobs ----------------------------------------------------------------------------------- */

static int job_slot(struct bctx *b, const char *arg)
{
    long n;
    if (arg[0] != '%' || !parse_int(arg + 1, &n) || n < 1 || n > SH_MAX_JOBS ||
        !b->sh->jobs[n - 1].used) {
        ERR(b, "%s: %s: no such job\n", b->argv[0], arg);
        return 0;
    }
    return (int)n;
}

static int b_jobs(struct bctx *b)
{
    for (int s = 0; s < SH_MAX_JOBS; s++)
        if (b->sh->jobs[s].used) OUT(b, "[%d] %d\n", s + 1, sh_job_pid(b->sh, b->sh->jobs[s].id));
    return 0;
}

static int b_wait(struct bctx *b)
{
    int st = 0;
    if (b->argc == 1) {
        for (int s = 1; s <= SH_MAX_JOBS; s++)
            if (b->sh->jobs[s - 1].used) sh_job_wait(b->sh, s);
        return 0;
    }
    for (int i = 1; i < b->argc; i++) {
        int s = job_slot(b, b->argv[i]);
        st = s ? sh_job_wait(b->sh, s) : 127;
    }
    return st;
}

static int b_kill(struct bctx *b)
{
    int st = 0;
    for (int i = 1; i < b->argc; i++) {
        int s = job_slot(b, b->argv[i]);
        if (!s || !b->sh->ops->kill) {
            st = 1;
            continue;
        }
        for (int k = 0; k < b->sh->jobs[s - 1].njobs; k++)
            b->sh->ops->kill(b->sh->ctx, b->sh->jobs[s - 1].ids[k]);
    }
    return st;
}

static int b_xargs(struct bctx *b)
{
    return sh_xargs(b->sh, b->argc, b->argv, b->io);
}

static const struct {
    const char *name;
    int (*fn)(struct bctx *b);
} core[] = {
    {":", b_true},    {"true", b_true},     {"false", b_false}, {"echo", b_echo},
    {"cd", b_cd},     {"export", b_export}, {"unset", b_unset}, {"exit", b_exit},
    {"test", b_test}, {"[", b_test},        {"sh", b_sh},       {".", b_dot},
    {"jobs", b_jobs}, {"wait", b_wait},     {"kill", b_kill},   {"xargs", b_xargs},
};

/* kill without %N is the embedder's (kill PID). */
static bool handles(const char *name, int argc, char **argv)
{
    if (strcmp(name, "kill") == 0) return argc > 1 && argv[1][0] == '%';
    return true;
}

const char *sh_core_builtin_name(int i)
{
    return i >= 0 && i < (int)(sizeof core / sizeof core[0]) ? core[i].name : NULL;
}

bool sh_is_core_builtin(const char *name)
{
    for (unsigned i = 0; i < sizeof core / sizeof core[0]; i++)
        if (strcmp(name, core[i].name) == 0) return true;
    return false;
}

bool sh_core_builtin(struct sh *sh, int argc, char **argv, const struct sh_io *io, int *status)
{
    for (unsigned i = 0; i < sizeof core / sizeof core[0]; i++) {
        if (strcmp(argv[0], core[i].name) != 0 || !handles(argv[0], argc, argv)) continue;
        struct bctx b = {sh, io, argc, argv};
        *status = core[i].fn(&b);
        return true;
    }
    return false;
}

static const struct sh_core_builtins core_builtins = {.is = sh_is_core_builtin,
                                                      .run = sh_core_builtin};

/* A shell is the executor (exec.c) with these built-ins: they are given to
 * it here, the top of lib/shell, so exec.c never calls up into this file. */
void sh_init(struct sh *sh, const struct sh_ops *ops, void *ctx, const char *arg0)
{
    memset(sh, 0, sizeof *sh);
    sh->ops = ops;
    sh->ctx = ctx;
    sh->core = &core_builtins;
    sh->arg0 = arg0;
    sh->err_fd = 2;
}
