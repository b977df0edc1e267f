/*
 * lib/shell/expand.c - word expansion (POSIX XCU 2.6): tilde, parameters,
 * quote removal, field splitting of unquoted expansions, and pathname
 * expansion through glob.c.
 *
 * A word is expanded in one pass into fields. Each character carries a
 * flag: quoted (never split or globbed), from an unquoted expansion (split
 * at blanks, globbed) or a literal (globbed). Quoted empty strings still
 * make a field ("" is one empty argument); an unquoted expansion that is
 * empty makes none, as in dash. Every field is bounded by SH_WORD_MAX and
 * the fields of one command by SH_MAX_WORDS.
 */
#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "shell/internal.h"

enum { F_LIT = 0, F_QUOTED = 1, F_EXP = 2 };

struct xp {
    struct sh *sh;
    struct sh_fields *out;
    bool glob, split;
    char *buf;           /* the field being built */
    unsigned char *flag; /* its characters' flags */
    size_t n;
    bool has;  /* the field exists even if empty (it had quotes) */
    bool wild; /* it has an unquoted * or ? */
    int err;
};

static char *dup_n(const char *s, size_t n)
{
    char *p = mem_alloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static void put(struct xp *x, char c, unsigned char flag)
{
    if (x->err) return;
    if (x->n >= SH_WORD_MAX) {
        x->err = ERR_2BIG;
        return;
    }
    if (flag != F_QUOTED && (c == '*' || c == '?')) x->wild = true;
    x->buf[x->n] = c;
    x->flag[x->n++] = flag;
}

/* A pattern for glob.c: quoted characters that glob.c treats specially
 * (* ? \) get a backslash. */
static char *make_pattern(const struct xp *x)
{
    char *p = mem_alloc(2 * x->n + 1);
    if (!p) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < x->n; i++) {
        char c = x->buf[i];
        if (x->flag[i] == F_QUOTED && (c == '*' || c == '?' || c == '\\')) p[o++] = '\\';
        p[o++] = c;
    }
    p[o] = '\0';
    return p;
}

static void end_field(struct xp *x)
{
    if (x->err || (x->n == 0 && !x->has)) goto reset;
    if (x->glob && x->wild) {
        char *pat = make_pattern(x);
        int m = pat ? sh_glob(x->sh, pat, x->out) : ERR_NOMEM;
        mem_free(pat);
        if (m < 0) x->err = m;
        if (m != 0) goto reset;
    }
    char *s = dup_n(x->buf, x->n);
    x->err = s ? sh_fields_push(x->out, s) : ERR_NOMEM;
reset:
    x->n = 0;
    x->has = false;
    x->wild = false;
}

static bool is_ifs(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* The text of an expansion: unquoted, it is split at blanks. */
static void put_value(struct xp *x, const char *v, bool quoted)
{
    for (; v && *v && !x->err; v++) {
        if (!quoted && x->split && is_ifs(*v))
            end_field(x);
        else
            put(x, *v, quoted ? F_QUOTED : F_EXP);
    }
}

static void put_int(struct xp *x, int v, bool quoted)
{
    char num[16];
    fmt_snprintf(num, sizeof num, "%d", v);
    put_value(x, num, quoted);
}

/* $@ and $*: the positional parameters, one field each unless quoted "$*". */
static void put_args(struct xp *x, bool quoted, bool star)
{
    struct sh *sh = x->sh;
    for (int i = 0; i < sh->nargs && !x->err; i++) {
        if (i > 0) {
            if (quoted && star)
                put(x, ' ', F_QUOTED);
            else
                end_field(x);
        }
        put_value(x, sh->args[i], quoted);
        if (quoted) x->has = true;
    }
}

static bool name_char(char c, bool first)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

/* At '$' in w; returns the number of source bytes used (1 for a lone '$'). */
static size_t expand_param(struct xp *x, const char *w, size_t len, bool quoted)
{
    struct sh *sh = x->sh;
    const char *name = w + 1;
    size_t n = 0, used;
    if (len >= 2 && w[1] == '{') {
        name = w + 2;
        const char *close = memchr(name, '}', len - 2);
        if (!close) { /* the lexer checked this; a word from elsewhere may not be */
            put(x, '$', quoted ? F_QUOTED : F_LIT);
            return 1;
        }
        n = (size_t)(close - name);
        used = n + 3;
    } else if (len >= 2 && name_char(w[1], true)) {
        while (1 + n < len && name_char(name[n], n == 0))
            n++;
        used = n + 1;
    } else if (len >= 2 && strchr("?#@*0123456789", w[1]) && w[1]) {
        n = 1;
        used = 2;
    } else {
        put(x, '$', quoted ? F_QUOTED : F_LIT);
        return 1;
    }
    if (n == 1 && name[0] == '?') {
        put_int(x, sh->status, quoted);
    } else if (n == 1 && name[0] == '#') {
        put_int(x, sh->nargs, quoted);
    } else if (n == 1 && (name[0] == '@' || name[0] == '*')) {
        put_args(x, quoted, name[0] == '*');
    } else if (n == 1 && char_is_digit(name[0])) {
        int i = name[0] - '0';
        put_value(x, i == 0 ? sh->arg0 : (i <= sh->nargs ? sh->args[i - 1] : NULL), quoted);
    } else if (n > 0 && n < 64) {
        char nm[64];
        memcpy(nm, name, n);
        nm[n] = '\0';
        put_value(x, sh_var_get(sh, nm), quoted);
    }
    return used;
}

/* Inside "...": \ escapes only $ ` " \ and newline (XCU 2.2.3). */
static size_t expand_dquote(struct xp *x, const char *w, size_t len)
{
    size_t i = 1;
    x->has = true;
    while (i < len && w[i] != '"' && !x->err) {
        if (w[i] == '\\' && i + 1 < len && strchr("$`\"\\\n", w[i + 1])) {
            if (w[i + 1] != '\n') put(x, w[i + 1], F_QUOTED);
            i += 2;
        } else if (w[i] == '$') {
            i += expand_param(x, w + i, len - i, true);
        } else {
            put(x, w[i++], F_QUOTED);
        }
    }
    return i < len ? i + 1 : i;
}

static void expand_tilde(struct xp *x, const char *w, size_t len, size_t *i)
{
    if (len >= 1 && w[0] == '~' && (len == 1 || w[1] == '/')) {
        const char *home = sh_var_get(x->sh, "HOME");
        put_value(x, home ? home : "~", true);
        *i = 1;
    }
}

static int expand(struct sh *sh, const char *w, bool glob, bool split, struct sh_fields *out)
{
    struct xp x = {.sh = sh, .out = out, .glob = glob, .split = split};
    x.buf = mem_alloc(SH_WORD_MAX);
    x.flag = mem_alloc(SH_WORD_MAX);
    if (!x.buf || !x.flag) x.err = ERR_NOMEM;
    size_t len = strlen(w), i = 0;
    if (!x.err) expand_tilde(&x, w, len, &i);
    while (i < len && !x.err) {
        char c = w[i];
        if (c == '\\') {
            x.has = true;
            if (i + 1 < len && w[i + 1] != '\n') put(&x, w[i + 1], F_QUOTED);
            i += i + 1 < len ? 2 : 1;
        } else if (c == '\'') {
            x.has = true;
            const char *q = memchr(w + i + 1, '\'', len - i - 1);
            size_t end = q ? (size_t)(q - w) : len;
            for (size_t k = i + 1; k < end; k++)
                put(&x, w[k], F_QUOTED);
            i = q ? end + 1 : len;
        } else if (c == '"') {
            i += expand_dquote(&x, w + i, len - i);
        } else if (c == '$') {
            i += expand_param(&x, w + i, len - i, false);
        } else {
            put(&x, c, F_LIT);
            i++;
        }
    }
    end_field(&x);
    mem_free(x.buf);
    mem_free(x.flag);
    if (x.err == ERR_2BIG)
        sh_printf(sh, sh->err_fd,
                  "%s: a word is longer than %d bytes or a command has more than %d "
                  "words after expansion\n",
                  sh->arg0, SH_WORD_MAX, SH_MAX_WORDS);
    else if (x.err == ERR_NOMEM)
        sh_printf(sh, sh->err_fd, "%s: out of memory expanding a word\n", sh->arg0);
    return x.err;
}

int sh_expand_word(struct sh *sh, const char *word, bool glob, struct sh_fields *out)
{
    return expand(sh, word, glob, true, out);
}

int sh_expand_one(struct sh *sh, const char *word, char **out)
{
    struct sh_fields f = {0};
    int err = expand(sh, word, false, false, &f);
    if (err == 0) {
        /* Without splitting there is at most one field; none means "". */
        *out = f.n ? f.v[0] : dup_n("", 0);
        if (f.n) f.v[0] = NULL;
        if (!*out) err = ERR_NOMEM;
    }
    sh_fields_free(&f);
    return err;
}
