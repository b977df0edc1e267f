/*
 * lib/shell/internal.h - what the files of lib/shell share and nobody else
 * uses: the arena that holds a parsed tree, the lexer's tokens, and the
 * executor's descriptor frame.
 */
#ifndef SHELL_INTERNAL_H
#define SHELL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "shell/sh.h"

/* ---- arena: one parse's nodes and strings, freed at once ------------------ */

struct sh_arena;
struct sh_arena *sh_arena_new(void);
/* Zeroed memory, 8-byte aligned; NULL when out of memory or over SH_ARENA_MAX. */
void *sh_arena_alloc(struct sh_arena *a, size_t size);
char *sh_arena_strndup(struct sh_arena *a, const char *s, size_t n);
void sh_arena_free(struct sh_arena *a);

/* ---- lexer ------------------------------------------------------------------ */

enum sh_tok {
    T_EOF,
    T_WORD,
    T_NEWLINE,
    T_SEMI,      /* ; */
    T_AMP,       /* & */
    T_AND_IF,    /* && */
    T_OR_IF,     /* || */
    T_PIPE,      /* | */
    T_LESS,      /* < */
    T_GREAT,     /* > */
    T_DGREAT,    /* >> */
    T_LESSAND,   /* <& */
    T_GREATAND,  /* >& */
    T_CLOBBER,   /* >| */
    T_IO_NUMBER, /* the digit before a redirection operator */
};

struct sh_lexer {
    const char *text;
    size_t len, pos;
    int line, col;  /* of pos */
    bool multiline; /* the text has more than one line: messages say the line */
    /* the current token */
    enum sh_tok tok;
    const char *start; /* its text */
    size_t tlen;
    int tline, tcol;
    bool quoted; /* a word with a quote or a backslash: never a reserved word */
    struct sh_error *err;
};

void sh_lex_init(struct sh_lexer *lx, const char *text, size_t len, struct sh_error *err);
/* Reads the next token into lx; returns 0 or ERR_BADMSG/ERR_2BIG with err set. */
int sh_lex_next(struct sh_lexer *lx);
/* Sets err to "syntax error: WHAT at column C" (or "line L, column C"). */
int sh_lex_error(struct sh_lexer *lx, int line, int col, bool incomplete, int code, const char *fmt,
                 ...) __attribute__((format(printf, 6, 7)));

/* ---- executor ----------------------------------------------------------------- */

/* The standard descriptors a command runs with. */
struct sh_io {
    int fd[3];
};

/* Core built-ins (cd, export, echo, test, ...): returns true and *status if
 * argv[0] is one. */
bool sh_core_builtin(struct sh *sh, int argc, char **argv, const struct sh_io *io, int *status);
bool sh_is_core_builtin(const char *name);
/* The core built-ins as the executor reaches them (sh->core, set by
 * sh_init in builtins.c): the executor calls no file above it. */
struct sh_core_builtins {
    bool (*is)(const char *name);
    bool (*run)(struct sh *sh, int argc, char **argv, const struct sh_io *io, int *status);
};
/* Runs argv as a simple command (built-in or app) with io (exec.c). */
int sh_run_argv(struct sh *sh, int argc, char *const *argv, const struct sh_io *io);
/* The xargs built-in (xargs.c). */
int sh_xargs(struct sh *sh, int argc, char **argv, const struct sh_io *io);
/* The jobs built-ins need the job table (exec.c). */
int sh_job_add(struct sh *sh, const int *ids, int n);
int sh_job_wait(struct sh *sh, int slot);
int sh_job_pid(struct sh *sh, int job);

#endif
