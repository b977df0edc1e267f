/*
 * lib/shell/xargs.c - the xargs built-in: `xargs [-n N] [-I REPLACE]
 * [COMMAND [ARG...]]` reads words from its standard input and runs
 * COMMAND (echo by default) with ARGs and as many words as fit (at most
 * N with -n), as POSIX and GNU xargs do; the command runs like any other
 * (a built-in, or an app through the embedder), with xargs's descriptors.
 * WASI has no way to start a process, so xargs lives in the shell.
 *
 * Words are separated by blanks and newlines; '...' and "..." quote
 * (not across a newline) and a backslash escapes the next byte. With -I,
 * each input line (leading blanks dropped, empty lines skipped) is one
 * word and every REPLACE in the ARGs becomes it, one command per line.
 * Without input, COMMAND runs once (GNU's default). Status: 0; 123 when
 * a command exited 1-125; 124 (and stop) when one exited 255; 126 or 127
 * (and stop) when it could not run; 1 for a usage or input error.
 * The command's standard input is an empty pipe (GNU: /dev/null).
 * Memory: one word (XARGS_MAX_WORD bytes) and one command's words (at
 * most SH_MAX_WORDS, 64 KiB: fewer than GNU's 128 KiB, so long inputs make
 * more commands than GNU's).
 */
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "shell/internal.h"

#define XARGS_MAX_WORD  4096
#define XARGS_MAX_BYTES (64 * 1024) /* of the words of one command */

struct xargs {
    struct sh *sh;
    const struct sh_io *io;
    char **cmd; /* COMMAND and its ARGs */
    int ncmd;
    long max_args;    /* -n, or 0 */
    const char *repl; /* -I, or NULL */
    char *words[SH_MAX_WORDS];
    int nwords;
    size_t bytes;
    int runs;
    int status; /* 0 or 123 so far */
    bool stop;
    /* the word being read */
    char word[XARGS_MAX_WORD];
    size_t wlen;
    bool in_word;
    char quote; /* ' or " inside quotes, else 0 */
    bool escaped;
};

static void err_line(struct xargs *x, const char *what)
{
    sh_printf(x->sh, x->io->fd[2], "xargs: %s\n", what);
}

static void free_words(struct xargs *x)
{
    for (int i = 0; i < x->nwords; i++)
        mem_free(x->words[i]);
    x->nwords = 0;
    x->bytes = 0;
}

/* Runs the command with argv; records the status as xargs reports it.
 * Its standard input is an empty pipe, as GNU xargs gives /dev/null: the
 * words xargs reads are not the command's. */
static void run(struct xargs *x, int argc, char **argv)
{
    struct sh *sh = x->sh;
    struct sh_io cio = *x->io;
    int pfd[2] = {-1, -1};
    if (sh->ops->pipe && sh->ops->pipe(sh->ctx, pfd) == 0) {
        sh->ops->close(sh->ctx, pfd[1]);
        cio.fd[0] = pfd[0];
    }
    x->runs++;
    int st = sh_run_argv(sh, argc, argv, &cio);
    if (pfd[0] >= 0) sh->ops->close(sh->ctx, pfd[0]);
    if (st == 255) {
        sh_printf(x->sh, x->io->fd[2], "xargs: %s: exited with status 255; aborting\n", argv[0]);
        x->status = 124;
        x->stop = true;
    } else if (st == 126 || st == 127) {
        x->status = st;
        x->stop = true;
    } else if (st != 0) {
        x->status = 123;
    }
}

/* Runs COMMAND ARGs with the words read so far. */
static void flush(struct xargs *x)
{
    char *argv[SH_MAX_WORDS];
    int n = 0;
    for (int i = 0; i < x->ncmd; i++)
        argv[n++] = x->cmd[i];
    for (int i = 0; i < x->nwords; i++)
        argv[n++] = x->words[i];
    run(x, n, argv);
    free_words(x);
}

/* COMMAND ARGs with every REPLACE in ARGs replaced by line (-I). */
static void run_replaced(struct xargs *x, const char *line)
{
    char *argv[SH_MAX_WORDS];
    size_t rl = strlen(x->repl), ll = strlen(line);
    bool ok = true;
    for (int i = 0; i < x->ncmd; i++) {
        const char *a = x->cmd[i];
        size_t count = 0;
        for (const char *p = a; rl && (p = strstr(p, x->repl)) != NULL; p += rl)
            count++;
        size_t len = strlen(a) + count * ll - count * rl;
        char *o = len < XARGS_MAX_BYTES ? mem_alloc(len + 1) : NULL;
        argv[i] = o;
        if (!o) {
            ok = false;
            continue;
        }
        for (const char *p = a; *p;) {
            if (rl && strncmp(p, x->repl, rl) == 0) {
                memcpy(o, line, ll);
                o += ll;
                p += rl;
            } else {
                *o++ = *p++;
            }
        }
        *o = '\0';
    }
    if (ok) {
        run(x, x->ncmd, argv);
    } else {
        err_line(x, "argument line too long");
        x->status = 1;
        x->stop = true;
    }
    for (int i = 0; i < x->ncmd; i++)
        mem_free(argv[i]);
}

/* The word just read is complete. */
static void end_word(struct xargs *x)
{
    x->word[x->wlen] = '\0';
    x->in_word = false;
    x->wlen = 0;
    if (x->repl) {
        if (x->word[0]) run_replaced(x, x->word);
        return;
    }
    size_t len = strlen(x->word) + 1;
    int room = SH_MAX_WORDS - 1 - x->ncmd;
    if (x->nwords > 0 && (x->nwords >= room || x->bytes + len > XARGS_MAX_BYTES)) flush(x);
    char *w = mem_alloc(len);
    if (!w) {
        err_line(x, "out of memory");
        x->status = 1;
        x->stop = true;
        return;
    }
    memcpy(w, x->word, len);
    x->words[x->nwords++] = w;
    x->bytes += len;
    if (x->max_args && x->nwords >= x->max_args) flush(x);
}

static void put_byte(struct xargs *x, char c)
{
    if (x->wlen + 1 >= sizeof x->word) {
        err_line(x, "argument too long");
        x->status = 1;
        x->stop = true;
        return;
    }
    x->word[x->wlen++] = c;
    x->in_word = true;
}

/* One input byte, in the -I way: lines, leading blanks dropped. */
static void feed_line_byte(struct xargs *x, char c)
{
    if (c == '\n') {
        end_word(x);
    } else if (x->in_word || (c != ' ' && c != '\t')) {
        put_byte(x, c);
    }
}

/* One input byte, in the default way: blank-separated words, quotes. */
static void feed_byte(struct xargs *x, char c)
{
    if (x->escaped) {
        x->escaped = false;
        put_byte(x, c);
    } else if (x->quote) {
        if (c == x->quote) {
            x->quote = 0;
        } else if (c == '\n') {
            sh_printf(x->sh, x->io->fd[2], "xargs: unmatched %s quote\n",
                      x->quote == '\'' ? "single" : "double");
            x->status = 1;
            x->stop = true;
        } else {
            put_byte(x, c);
        }
    } else if (c == ' ' || c == '\t' || c == '\n') {
        if (x->in_word) end_word(x);
    } else if (c == '\'' || c == '"') {
        x->quote = c;
        x->in_word = true;
    } else if (c == '\\') {
        x->escaped = true;
        x->in_word = true;
    } else {
        put_byte(x, c);
    }
}

/* The value of -n: a decimal number of at least 1 (large ones stop growing
 * past SH_MAX_WORDS, which no command line reaches), or -1. */
static long max_args_value(const char *val)
{
    long n = *val ? 0 : -1;
    for (const char *p = val; *p && n >= 0; p++)
        n = *p < '0' || *p > '9' ? -1 : n > SH_MAX_WORDS ? n : n * 10 + (*p - '0');
    return n < 1 ? -1 : n;
}

/* Options; returns the index of COMMAND, or -1 after a one-line message. */
static int parse_opts(struct xargs *x, int argc, char **argv)
{
    int fd = x->io->fd[2];
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) return i + 1;
        if (a[1] != 'n' && a[1] != 'I') {
            sh_printf(x->sh, fd, "xargs: invalid option -- '%c'\n", a[1]);
            err_line(x, "usage: xargs [-n N] [-I REPLACE] [COMMAND [ARG...]]");
            return -1;
        }
        const char *val = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
        if (!val) {
            sh_printf(x->sh, fd, "xargs: option requires an argument -- '%c'\n", a[1]);
            return -1;
        }
        if (a[1] == 'I') {
            x->repl = val;
            continue;
        }
        x->max_args = max_args_value(val);
        if (x->max_args < 0) {
            sh_printf(x->sh, fd, "xargs: invalid number \"%s\" for -n option\n", val);
            return -1;
        }
    }
    return i;
}

int sh_xargs(struct sh *sh, int argc, char **argv, const struct sh_io *io)
{
    struct xargs *x = mem_zalloc(sizeof *x);
    if (!x) {
        sh_printf(sh, io->fd[2], "xargs: out of memory\n");
        return 1;
    }
    x->sh = sh;
    x->io = io;
    static char echo_name[] = "echo";
    static char *echo[] = {echo_name};
    int i = parse_opts(x, argc, argv);
    int st = 1;
    if (i < 0) goto out;
    x->cmd = i < argc ? argv + i : echo;
    x->ncmd = i < argc ? argc - i : 1;
    if (x->ncmd >= SH_MAX_WORDS - 1) {
        err_line(x, "too many arguments");
        goto out;
    }
    if (!sh->ops->read) {
        err_line(x, "this shell cannot read standard input");
        goto out;
    }
    char buf[512];
    while (!x->stop) {
        if (sh->ops->interrupted && sh->ops->interrupted(sh->ctx)) break;
        long n = sh->ops->read(sh->ctx, io->fd[0], buf, sizeof buf);
        if (n < 0) {
            sh_printf(sh, io->fd[2], "xargs: read error: %s\n", err_str((int)n));
            x->status = 1;
            break;
        }
        if (n == 0) break;
        for (long k = 0; k < n && !x->stop; k++) {
            if (x->repl)
                feed_line_byte(x, buf[k]);
            else
                feed_byte(x, buf[k]);
        }
    }
    if (!x->stop && x->quote) {
        sh_printf(sh, io->fd[2], "xargs: unmatched %s quote\n",
                  x->quote == '\'' ? "single" : "double");
        x->status = 1;
        x->stop = true;
    }
    if (!x->stop && x->in_word) end_word(x);
    if (!x->stop && (x->nwords > 0 || (x->runs == 0 && !x->repl))) flush(x);
    st = x->status;
out:
    free_words(x);
    mem_free(x);
    return st;
}
