/*
 * lib/shell/parse.c - the shell's parser: tokens into a tree (POSIX XCU 2.10
 * "Shell Grammar", for the subset in sh.h), by recursive descent.
 *
 *   program    := linebreak [list] EOF
 *   list       := and_or ((';' | '&' | NEWLINE) linebreak and_or)* [';' | '&']
 *   and_or     := pipeline (('&&' | '||') linebreak pipeline)*
 *   pipeline   := ['time'] ['!'] command ('|' linebreak command)*
 *   command    := simple | (if | for | while | until | '{' list '}') redirect*
 *
 * Reserved words are recognized only where a command starts and only when
 * unquoted. Nesting is counted against SH_MAX_DEPTH so hostile text cannot
 * exhaust the C stack; everything lives in the script's arena.
 */
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "shell/internal.h"

struct parser {
    struct sh_lexer lx;
    struct sh_arena *arena;
    int depth;
    const char *last_end; /* the end of the last token consumed */
};

static struct sh_node *parse_list(struct parser *p, const char *const *stops, int *err);
static int nomem(struct parser *p);
static struct sh_node *parse_and_or(struct parser *p, int *err);

static int next(struct parser *p)
{
    if (p->lx.start) p->last_end = p->lx.start + p->lx.tlen;
    return sh_lex_next(&p->lx);
}

/* The source from start to the last token consumed, for traces. */
static int set_text(struct parser *p, struct sh_node *n, const char *start)
{
    size_t len = p->last_end > start ? (size_t)(p->last_end - start) : 0;
    n->text = sh_arena_strndup(p->arena, start, len);
    return n->text ? 0 : nomem(p);
}

static bool is_word(const struct parser *p, const char *w)
{
    size_t n = strlen(w);
    return p->lx.tok == T_WORD && !p->lx.quoted && p->lx.tlen == n &&
           memcmp(p->lx.start, w, n) == 0;
}

static bool at_stop(const struct parser *p, const char *const *stops)
{
    if (p->lx.tok == T_EOF) return true;
    for (; stops && *stops; stops++)
        if (is_word(p, *stops)) return true;
    return false;
}

static int nomem(struct parser *p)
{
    return sh_lex_error(&p->lx, p->lx.tline, p->lx.tcol, false, ERR_NOMEM,
                        "out of memory for the script (limit %d bytes)", SH_ARENA_MAX);
}

/* "syntax error: unexpected 'fi'" for the current token. */
static int unexpected(struct parser *p, const char *expecting)
{
    struct sh_lexer *lx = &p->lx;
    if (lx->tok == T_EOF)
        return sh_lex_error(lx, lx->tline, lx->tcol, true, ERR_BADMSG,
                            "syntax error: unexpected end of input%s%s%s",
                            expecting ? " (expecting '" : "", expecting ? expecting : "",
                            expecting ? "')" : "");
    if (lx->tok == T_NEWLINE)
        return sh_lex_error(
            lx, lx->tline, lx->tcol, false, ERR_BADMSG, "syntax error: unexpected newline%s%s%s",
            expecting ? " (expecting '" : "", expecting ? expecting : "", expecting ? "')" : "");
    int n = lx->tlen > 40 ? 40 : (int)lx->tlen;
    return sh_lex_error(lx, lx->tline, lx->tcol, false, ERR_BADMSG,
                        "syntax error: unexpected '%.*s'%s%s%s", n, lx->start,
                        expecting ? " (expecting '" : "", expecting ? expecting : "",
                        expecting ? "')" : "");
}

static int skip_newlines(struct parser *p)
{
    int err = 0;
    while (p->lx.tok == T_NEWLINE && (err = next(p)) == 0)
        ;
    return err;
}

static struct sh_node *new_node(struct parser *p, enum sh_node_kind k, int line, int col, int *err)
{
    struct sh_node *n = sh_arena_alloc(p->arena, sizeof *n);
    if (!n) {
        *err = nomem(p);
        return NULL;
    }
    n->kind = k;
    n->line = line;
    n->col = col;
    return n;
}

static struct sh_node *binary(struct parser *p, enum sh_node_kind k, struct sh_node *a,
                              struct sh_node *b, int *err)
{
    struct sh_node *n = new_node(p, k, a->line, a->col, err);
    if (n) {
        n->a = a;
        n->b = b;
    }
    return n;
}

/* Consumes the reserved word w or fails naming it. */
static int expect(struct parser *p, const char *w)
{
    if (!is_word(p, w)) return unexpected(p, w);
    return next(p);
}

static int enter(struct parser *p)
{
    if (++p->depth > SH_MAX_DEPTH)
        return sh_lex_error(&p->lx, p->lx.tline, p->lx.tcol, false, ERR_2BIG,
                            "commands nested more than %d deep", SH_MAX_DEPTH);
    return 0;
}

/* ---- simple commands and redirections ------------------------------------------ */

/* Appends to a growing array of pointers in the arena (old copies are left
 * in the arena: a few bytes per doubling). */
static int push_ptr(struct parser *p, void ***v, int *n, int *cap, void *item)
{
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        void **nv = sh_arena_alloc(p->arena, (size_t)ncap * sizeof *nv);
        if (!nv) return nomem(p);
        if (*n) memcpy(nv, *v, (size_t)*n * sizeof *nv);
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = item;
    return 0;
}

static bool is_redir_tok(enum sh_tok t)
{
    return t == T_IO_NUMBER || t == T_LESS || t == T_GREAT || t == T_DGREAT || t == T_LESSAND ||
           t == T_GREATAND || t == T_CLOBBER;
}

static int parse_redir(struct parser *p, struct sh_node *n, int *rcap)
{
    struct sh_lexer *lx = &p->lx;
    int line = lx->tline, col = lx->tcol, fd = -1, err;
    if (lx->tok == T_IO_NUMBER) {
        fd = lx->start[0] - '0';
        if (fd > 2)
            return sh_lex_error(lx, line, col, false, ERR_BADMSG,
                                "syntax error: descriptor %d is not supported (only 0, 1, 2)", fd);
        if ((err = next(p)) < 0) return err;
    }
    enum sh_tok op = lx->tok;
    if ((err = next(p)) < 0) return err;
    if (lx->tok != T_WORD) return unexpected(p, "a file name");
    if (n->nredirs == SH_MAX_REDIRS)
        return sh_lex_error(lx, line, col, false, ERR_2BIG, "more than %d redirections",
                            SH_MAX_REDIRS);
    struct sh_redir r = {.fd = fd, .line = line, .col = col};
    switch (op) {
    case T_LESS: r.kind = SH_R_IN; break;
    case T_DGREAT: r.kind = SH_R_APPEND; break;
    case T_LESSAND:
    case T_GREATAND: r.kind = SH_R_DUP; break;
    default: r.kind = SH_R_OUT; break;
    }
    if (r.fd < 0) r.fd = (op == T_LESS || op == T_LESSAND) ? 0 : 1;
    if (r.kind == SH_R_DUP) {
        if (lx->tlen != 1 || lx->start[0] < '0' || lx->start[0] > '2')
            return sh_lex_error(lx, lx->tline, lx->tcol, false, ERR_BADMSG,
                                "syntax error: '%.*s' after >& or <& is not 0, 1 or 2",
                                (int)(lx->tlen > 40 ? 40 : lx->tlen), lx->start);
        r.dup_from = lx->start[0] - '0';
    }
    r.word = sh_arena_strndup(p->arena, lx->start, lx->tlen);
    if (!r.word) return nomem(p);
    if (n->nredirs == *rcap) {
        int ncap = *rcap ? *rcap * 2 : 2;
        struct sh_redir *nr = sh_arena_alloc(p->arena, (size_t)ncap * sizeof *nr);
        if (!nr) return nomem(p);
        if (n->nredirs) memcpy(nr, n->redirs, (size_t)n->nredirs * sizeof *nr);
        n->redirs = nr;
        *rcap = ncap;
    }
    n->redirs[n->nredirs++] = r;
    return next(p);
}

static int parse_redirs(struct parser *p, struct sh_node *n)
{
    int rcap = n->nredirs, err;
    while (is_redir_tok(p->lx.tok))
        if ((err = parse_redir(p, n, &rcap)) < 0) return err;
    return 0;
}

/* NAME=... before the command's first word. */
static bool is_assignment(const char *s, size_t len)
{
    const char *eq = memchr(s, '=', len);
    return eq && eq > s && sh_name_valid(s, (size_t)(eq - s));
}

static struct sh_node *parse_simple(struct parser *p, int *err)
{
    struct sh_lexer *lx = &p->lx;
    struct sh_node *n = new_node(p, SH_N_CMD, lx->tline, lx->tcol, err);
    if (!n) return NULL;
    const char *start = lx->start;
    int cap = 0, rcap = 0;
    while (lx->tok == T_WORD || is_redir_tok(lx->tok)) {
        if (lx->tok != T_WORD) {
            if ((*err = parse_redir(p, n, &rcap)) < 0) return NULL;
            continue;
        }
        if (n->nwords == SH_MAX_WORDS) {
            *err = sh_lex_error(lx, lx->tline, lx->tcol, false, ERR_2BIG,
                                "more than %d words in one command", SH_MAX_WORDS);
            return NULL;
        }
        char *w = sh_arena_strndup(p->arena, lx->start, lx->tlen);
        if (!w || (*err = push_ptr(p, (void ***)&n->words, &n->nwords, &cap, w)) < 0) {
            if (!w) *err = nomem(p);
            return NULL;
        }
        if (n->nwords - 1 == n->nassigns && is_assignment(lx->start, lx->tlen)) n->nassigns++;
        if ((*err = next(p)) < 0) return NULL;
    }
    if (n->nwords == 0 && n->nredirs == 0) {
        *err = unexpected(p, NULL);
        return NULL;
    }
    if ((*err = set_text(p, n, start)) < 0) return NULL;
    return n;
}

/* ---- compound commands ---------------------------------------------------------------- */

static const char *const stop_then[] = {"then", NULL};
static const char *const stop_else[] = {"elif", "else", "fi", NULL};
static const char *const stop_fi[] = {"fi", NULL};
static const char *const stop_do[] = {"do", NULL};
static const char *const stop_done[] = {"done", NULL};
static const char *const stop_brace[] = {"}", NULL};

/* A compound list that must not be empty (POSIX: "if then" is an error). */
static struct sh_node *parse_body(struct parser *p, const char *const *stops, int *err)
{
    if ((*err = skip_newlines(p)) < 0) return NULL;
    if (at_stop(p, stops)) {
        *err = unexpected(p, p->lx.tok == T_EOF ? stops[0] : NULL);
        return NULL;
    }
    return parse_list(p, stops, err);
}

/* After 'if' or 'elif': cond then body [elif ...|else body] fi. */
static struct sh_node *parse_if_rest(struct parser *p, int line, int col, int *err)
{
    struct sh_node *n = new_node(p, SH_N_IF, line, col, err);
    if (!n || !(n->a = parse_body(p, stop_then, err)) || (*err = expect(p, "then")) < 0 ||
        !(n->b = parse_body(p, stop_else, err)))
        return NULL;
    if (is_word(p, "elif")) {
        int l = p->lx.tline, c = p->lx.tcol;
        if ((*err = next(p)) < 0 || (*err = enter(p)) < 0) return NULL;
        n->c = parse_if_rest(p, l, c, err);
        p->depth--;
        return n->c ? n : NULL;
    }
    if (is_word(p, "else")) {
        if ((*err = next(p)) < 0 || !(n->c = parse_body(p, stop_fi, err))) return NULL;
    }
    if ((*err = expect(p, "fi")) < 0) return NULL;
    return n;
}

static struct sh_node *parse_do_group(struct parser *p, struct sh_node *n, int *err)
{
    if ((*err = expect(p, "do")) < 0 || !(n->b = parse_body(p, stop_done, err)) ||
        (*err = expect(p, "done")) < 0)
        return NULL;
    return n;
}

static struct sh_node *parse_for(struct parser *p, int line, int col, int *err)
{
    struct sh_lexer *lx = &p->lx;
    struct sh_node *n = new_node(p, SH_N_FOR, line, col, err);
    if (!n) return NULL;
    if (lx->tok != T_WORD || lx->quoted || !sh_name_valid(lx->start, lx->tlen)) {
        *err = lx->tok == T_WORD ? sh_lex_error(lx, lx->tline, lx->tcol, false, ERR_BADMSG,
                                                "syntax error: bad for loop variable '%.*s'",
                                                (int)(lx->tlen > 40 ? 40 : lx->tlen), lx->start)
                                 : unexpected(p, "a variable name");
        return NULL;
    }
    if (!(n->name = sh_arena_strndup(p->arena, lx->start, lx->tlen))) {
        *err = nomem(p);
        return NULL;
    }
    if ((*err = next(p)) < 0 || (*err = skip_newlines(p)) < 0) return NULL;
    if (is_word(p, "in")) {
        n->in_given = true;
        int cap = 0;
        if ((*err = next(p)) < 0) return NULL;
        while (lx->tok == T_WORD) {
            char *w = sh_arena_strndup(p->arena, lx->start, lx->tlen);
            if (n->nwords == SH_MAX_WORDS || !w) {
                *err = w ? sh_lex_error(lx, lx->tline, lx->tcol, false, ERR_2BIG,
                                        "more than %d words in one for loop", SH_MAX_WORDS)
                         : nomem(p);
                return NULL;
            }
            if ((*err = push_ptr(p, (void ***)&n->words, &n->nwords, &cap, w)) < 0 ||
                (*err = next(p)) < 0)
                return NULL;
        }
        if (lx->tok != T_SEMI && lx->tok != T_NEWLINE) {
            *err = unexpected(p, "do");
            return NULL;
        }
        if ((*err = next(p)) < 0) return NULL;
    } else if (lx->tok == T_SEMI) {
        if ((*err = next(p)) < 0) return NULL;
    }
    if ((*err = skip_newlines(p)) < 0) return NULL;
    return parse_do_group(p, n, err);
}

static struct sh_node *parse_compound(struct parser *p, int *err)
{
    struct sh_lexer *lx = &p->lx;
    int line = lx->tline, col = lx->tcol;
    struct sh_node *n = NULL;
    bool is_if = is_word(p, "if"), is_for = is_word(p, "for"), is_while = is_word(p, "while"),
         is_until = is_word(p, "until");
    if ((*err = next(p)) < 0) return NULL;
    if (is_if) {
        n = parse_if_rest(p, line, col, err);
    } else if (is_for) {
        n = parse_for(p, line, col, err);
    } else if (is_while || is_until) {
        n = new_node(p, is_while ? SH_N_WHILE : SH_N_UNTIL, line, col, err);
        if (n && (n->a = parse_body(p, stop_do, err)) != NULL)
            n = parse_do_group(p, n, err);
        else
            n = NULL;
    } else {
        n = new_node(p, SH_N_GROUP, line, col, err);
        if (!n || !(n->a = parse_body(p, stop_brace, err)) || (*err = expect(p, "}")) < 0) n = NULL;
    }
    if (n && (*err = parse_redirs(p, n)) < 0) return NULL;
    return n;
}

static struct sh_node *parse_command(struct parser *p, int *err)
{
    static const char *const starts[] = {"if", "for", "while", "until", "{", NULL};
    static const char *const misplaced[] = {"then", "else", "elif", "fi", "do",
                                            "done", "}",    "in",   "!",  NULL};
    if ((*err = enter(p)) < 0) return NULL;
    struct sh_node *n = NULL;
    if (at_stop(p, starts) && p->lx.tok != T_EOF)
        n = parse_compound(p, err);
    else if (at_stop(p, misplaced) && p->lx.tok != T_EOF)
        *err = unexpected(p, NULL);
    else
        n = parse_simple(p, err);
    p->depth--;
    return n;
}

static struct sh_node *parse_pipeline(struct parser *p, int *err)
{
    struct sh_lexer *lx = &p->lx;
    int line = lx->tline, col = lx->tcol;
    const char *start = lx->start;
    bool timed = is_word(p, "time");
    if (timed && (*err = next(p)) < 0) return NULL;
    bool negate = is_word(p, "!");
    if (negate && (*err = next(p)) < 0) return NULL;
    struct sh_node *first = parse_command(p, err);
    if (!first) return NULL;
    if (lx->tok != T_PIPE && !negate && !timed) return first;
    struct sh_node *n = new_node(p, SH_N_PIPE, line, col, err);
    if (!n) return NULL;
    n->negate = negate;
    n->timed = timed;
    int cap = 0;
    if ((*err = push_ptr(p, (void ***)&n->cmds, &n->ncmds, &cap, first)) < 0) return NULL;
    while (lx->tok == T_PIPE) {
        if ((*err = next(p)) < 0 || (*err = skip_newlines(p)) < 0) return NULL;
        if (n->ncmds == SH_MAX_PIPE) {
            *err = sh_lex_error(lx, lx->tline, lx->tcol, false, ERR_2BIG,
                                "more than %d commands in one pipeline", SH_MAX_PIPE);
            return NULL;
        }
        struct sh_node *c = parse_command(p, err);
        if (!c || (*err = push_ptr(p, (void ***)&n->cmds, &n->ncmds, &cap, c)) < 0) return NULL;
    }
    if ((*err = set_text(p, n, start)) < 0) return NULL;
    return n;
}

static struct sh_node *parse_and_or(struct parser *p, int *err)
{
    struct sh_node *n = parse_pipeline(p, err);
    while (n && (p->lx.tok == T_AND_IF || p->lx.tok == T_OR_IF)) {
        enum sh_node_kind k = p->lx.tok == T_AND_IF ? SH_N_AND : SH_N_OR;
        if ((*err = next(p)) < 0 || (*err = skip_newlines(p)) < 0) return NULL;
        struct sh_node *b = parse_pipeline(p, err);
        n = b ? binary(p, k, n, b, err) : NULL;
    }
    return n;
}

/* A list up to one of stops (or EOF); NULL with *err == 0 when empty. */
static struct sh_node *parse_list(struct parser *p, const char *const *stops, int *err)
{
    struct sh_node *list = NULL;
    *err = 0;
    if ((*err = skip_newlines(p)) < 0) return NULL;
    while (!at_stop(p, stops)) {
        struct sh_node *item = parse_and_or(p, err);
        if (!item) return NULL;
        enum sh_tok sep = p->lx.tok;
        if (sep == T_AMP) {
            struct sh_node *bg = new_node(p, SH_N_BG, item->line, item->col, err);
            if (!bg) return NULL;
            bg->a = item;
            item = bg;
        }
        list = list ? binary(p, SH_N_SEQ, list, item, err) : item;
        if (!list) return NULL;
        if (sep != T_AMP && sep != T_SEMI && sep != T_NEWLINE) break;
        if ((*err = next(p)) < 0 || (*err = skip_newlines(p)) < 0) return NULL;
    }
    return list;
}

int sh_parse(const char *text, size_t len, struct sh_script *out, struct sh_error *err)
{
    struct parser p;
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    sh_lex_init(&p.lx, text, len, err);
    p.depth = 0;
    if (len > SH_MAX_SCRIPT)
        return sh_lex_error(&p.lx, 1, 1, false, ERR_2BIG, "script longer than %d bytes",
                            SH_MAX_SCRIPT);
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        int line = 1, col = 1;
        for (const char *s = text; s < nul; s++) {
            col = *s == '\n' ? 1 : col + 1;
            line += *s == '\n';
        }
        return sh_lex_error(&p.lx, line, col, false, ERR_BADMSG, "syntax error: NUL byte");
    }
    if (!(p.arena = sh_arena_new())) return ERR_NOMEM;
    int e = next(&p);
    struct sh_node *root = e < 0 ? NULL : parse_list(&p, NULL, &e);
    if (e == 0 && p.lx.tok != T_EOF) e = unexpected(&p, NULL);
    if (e < 0) {
        sh_arena_free(p.arena);
        return e;
    }
    out->root = root;
    out->arena = p.arena;
    return 0;
}

void sh_script_free(struct sh_script *s)
{
    sh_arena_free(s->arena);
    s->arena = NULL;
    s->root = NULL;
}
