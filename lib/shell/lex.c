/*
 * lib/shell/lex.c - the shell's lexer: script text into tokens (POSIX XCU
 * 2.3 "Token Recognition", for the subset in sh.h).
 *
 * A word is kept as its source text, quotes and all; the lexer only finds
 * where it ends, checking that every quote and ${ closes, and marks words
 * with any quoting so that they are never taken for reserved words. What
 * the subset leaves out ($(...), `...`, here-documents, subshells) is an
 * error naming it, never a silent misreading.
 */
#include <stdarg.h>

#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "shell/internal.h"

void sh_lex_init(struct sh_lexer *lx, const char *text, size_t len, struct sh_error *err)
{
    memset(lx, 0, sizeof *lx);
    lx->text = text;
    lx->len = len;
    lx->line = 1;
    lx->col = 1;
    lx->err = err;
    const char *nl = memchr(text, '\n', len);
    lx->multiline = nl && (size_t)(nl - text) + 1 < len;
}

int sh_lex_error(struct sh_lexer *lx, int line, int col, bool incomplete, int code, const char *fmt,
                 ...)
{
    struct sh_error *e = lx->err;
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n < sizeof e->msg) {
        if (lx->multiline)
            fmt_snprintf(e->msg + n, sizeof e->msg - n, " at line %d, column %d", line, col);
        else
            fmt_snprintf(e->msg + n, sizeof e->msg - n, " at column %d", col);
    }
    e->line = line;
    e->col = col;
    e->incomplete = incomplete;
    return code;
}

static int peek(const struct sh_lexer *lx, size_t off)
{
    return lx->pos + off < lx->len ? (unsigned char)lx->text[lx->pos + off] : -1;
}

static void advance(struct sh_lexer *lx)
{
    if (lx->text[lx->pos] == '\n') {
        lx->line++;
        lx->col = 1;
    } else {
        lx->col++;
    }
    lx->pos++;
}

static bool is_meta(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' ||
           c == '>' || c == '(' || c == ')';
}

/* At a '$': checks ${...} and refuses $( and $((. */
static int scan_dollar(struct sh_lexer *lx)
{
    int line = lx->line, col = lx->col;
    advance(lx);
    if (peek(lx, 0) == '(')
        return sh_lex_error(lx, line, col, false, ERR_BADMSG,
                            "syntax error: command substitution $(...) is not supported");
    if (peek(lx, 0) != '{') return 0;
    advance(lx);
    size_t start = lx->pos;
    while (peek(lx, 0) != '}') {
        if (peek(lx, 0) < 0)
            return sh_lex_error(lx, line, col, true, ERR_BADMSG, "syntax error: unterminated ${");
        advance(lx);
    }
    size_t n = lx->pos - start;
    const char *s = lx->text + start;
    advance(lx);
    bool ok = n > 0 && (sh_name_valid(s, n) ||
                        (n == 1 && (strchr("?#@*0123456789", s[0]) != NULL && s[0] != '\0')));
    if (!ok)
        return sh_lex_error(lx, line, col, false, ERR_BADMSG,
                            "syntax error: bad substitution '${%.*s}'", (int)(n < 40 ? n : 40), s);
    return 0;
}

static int scan_quote(struct sh_lexer *lx, int q)
{
    int line = lx->line, col = lx->col;
    advance(lx);
    for (;;) {
        int c = peek(lx, 0);
        if (c < 0)
            return sh_lex_error(lx, line, col, true, ERR_BADMSG,
                                "syntax error: unterminated quote");
        if (c == q) break;
        if (q == '"' && c == '\\' && peek(lx, 1) >= 0) {
            advance(lx);
        } else if (q == '"' && c == '$') {
            int err = scan_dollar(lx);
            if (err < 0) return err;
            continue;
        } else if (q == '"' && c == '`') {
            return sh_lex_error(lx, lx->line, lx->col, false, ERR_BADMSG,
                                "syntax error: command substitution `...` is not supported");
        }
        advance(lx);
    }
    advance(lx);
    return 0;
}

static int scan_word(struct sh_lexer *lx)
{
    lx->tok = T_WORD;
    lx->quoted = false;
    for (;;) {
        int c = peek(lx, 0);
        if (c < 0 || is_meta(c)) break;
        int err = 0;
        if (c == '\\') {
            lx->quoted = true;
            advance(lx);
            if (peek(lx, 0) >= 0) advance(lx);
        } else if (c == '\'' || c == '"') {
            lx->quoted = true;
            err = scan_quote(lx, c);
        } else if (c == '$') {
            err = scan_dollar(lx);
        } else if (c == '`') {
            err = sh_lex_error(lx, lx->line, lx->col, false, ERR_BADMSG,
                               "syntax error: command substitution `...` is not supported");
        } else {
            advance(lx);
        }
        if (err < 0) return err;
        if (lx->pos - (size_t)(lx->start - lx->text) > SH_WORD_MAX)
            return sh_lex_error(lx, lx->tline, lx->tcol, false, ERR_2BIG,
                                "word longer than %d bytes", SH_WORD_MAX);
    }
    lx->tlen = lx->pos - (size_t)(lx->start - lx->text);
    /* A single digit right before < or > is the descriptor of a redirection. */
    if (lx->tlen == 1 && char_is_digit(lx->start[0]) && (peek(lx, 0) == '<' || peek(lx, 0) == '>'))
        lx->tok = T_IO_NUMBER;
    return 0;
}

static int op(struct sh_lexer *lx, enum sh_tok t, int n)
{
    for (int i = 0; i < n; i++)
        advance(lx);
    lx->tok = t;
    lx->tlen = (size_t)n;
    return 0;
}

static int unsupported(struct sh_lexer *lx, const char *what)
{
    return sh_lex_error(lx, lx->line, lx->col, false, ERR_BADMSG, "syntax error: %s", what);
}

static int scan_operator(struct sh_lexer *lx, int c)
{
    int d = peek(lx, 1);
    switch (c) {
    case '\n': return op(lx, T_NEWLINE, 1);
    case ';':
        if (d == ';') return unsupported(lx, "';;' outside a case (case is not supported)");
        return op(lx, T_SEMI, 1);
    case '&': return d == '&' ? op(lx, T_AND_IF, 2) : op(lx, T_AMP, 1);
    case '|': return d == '|' ? op(lx, T_OR_IF, 2) : op(lx, T_PIPE, 1);
    case '<':
        if (d == '<') return unsupported(lx, "here-documents (<<) are not supported");
        if (d == '>') return unsupported(lx, "'<>' is not supported");
        return d == '&' ? op(lx, T_LESSAND, 2) : op(lx, T_LESS, 1);
    case '>':
        if (d == '>') return op(lx, T_DGREAT, 2);
        if (d == '&') return op(lx, T_GREATAND, 2);
        return d == '|' ? op(lx, T_CLOBBER, 2) : op(lx, T_GREAT, 1);
    default: return unsupported(lx, "subshells ( ) are not supported");
    }
}

int sh_lex_next(struct sh_lexer *lx)
{
    for (;;) {
        int c = peek(lx, 0);
        if (c == ' ' || c == '\t') {
            advance(lx);
        } else if (c == '\\' && peek(lx, 1) == '\n') { /* line continuation */
            advance(lx);
            advance(lx);
        } else if (c == '#') {
            while (peek(lx, 0) >= 0 && peek(lx, 0) != '\n')
                advance(lx);
        } else {
            break;
        }
    }
    lx->start = lx->text + lx->pos;
    lx->tline = lx->line;
    lx->tcol = lx->col;
    lx->tlen = 0;
    lx->quoted = false;
    int c = peek(lx, 0);
    if (c < 0) {
        lx->tok = T_EOF;
        return 0;
    }
    if (c == '\0')
        return sh_lex_error(lx, lx->line, lx->col, false, ERR_BADMSG, "syntax error: NUL byte");
    if (is_meta(c)) return scan_operator(lx, c);
    return scan_word(lx);
}
