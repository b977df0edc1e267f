/*
 * lib/shell/sh.h - a small POSIX-style shell: lexer, parser, expansion and
 * executor, portable and freestanding.
 *
 * The parser turns script text into a tree (struct sh_node) held in an
 * arena; words stay as their source text (quotes included) and are expanded
 * only when the executor reaches them, as POSIX shells do. The executor
 * walks the tree and reaches the world only through struct sh_ops, which
 * its embedder passes in: the kernel's shell (apps, kernel pipes, the VFS)
 * or the host harness (fork/exec/pipe on Linux). Every size is bounded by
 * the limits below and a limit that is hit is an error with a message, never
 * a truncation.
 *
 * The subset: words with '...', "...", backslash escapes, $NAME, ${NAME},
 * $?, $#, $0-$9, $@, $*, ~; field splitting of unquoted expansions; * and ?
 * globbing; # comments; pipelines with ! and time, redirections < > >> 2> 2>&1 N<&M;
 * lists ; && || & and newlines; if/then/elif/else/fi, for NAME in WORDS,
 * while and until loops, { ...; } groups; NAME=value assignments.
 */
#ifndef SHELL_SH_H
#define SHELL_SH_H

#include <stdbool.h>
#include <stddef.h>

/* ---- limits ---------------------------------------------------------------- */

#define SH_MAX_DEPTH  32        /* nesting of compound commands, pipelines, lists */
#define SH_WORD_MAX   4096      /* bytes of one word, before and after expansion */
#define SH_MAX_WORDS  256       /* words (arguments) of one command after expansion */
#define SH_MAX_REDIRS 8         /* redirections of one command */
#define SH_MAX_PIPE   16        /* commands in one pipeline */
#define SH_MAX_VARS   128       /* variables of one shell */
#define SH_MAX_JOBS   16        /* background jobs */
#define SH_MAX_SCRIPT (1 << 20) /* bytes of script text the parser accepts */
#define SH_ARENA_MAX  (4 << 20) /* bytes of tree one parse may allocate */
#define SH_ERR_MAX    160       /* bytes of an error message */

/* ---- the tree ---------------------------------------------------------------- */

enum sh_redir_kind {
    SH_R_IN,     /* N<word  (N defaults to 0) */
    SH_R_OUT,    /* N>word  (N defaults to 1) */
    SH_R_APPEND, /* N>>word */
    SH_R_DUP,    /* N>&M or N<&M */
};

struct sh_redir {
    enum sh_redir_kind kind;
    int fd;           /* 0, 1 or 2 */
    int dup_from;     /* SH_R_DUP: the descriptor copied */
    const char *word; /* the target's source text, expanded at run time */
    int col, line;    /* where it starts, for messages */
};

enum sh_node_kind {
    SH_N_CMD,   /* a simple command */
    SH_N_PIPE,  /* cmds[0] | cmds[1] | ... */
    SH_N_AND,   /* a && b */
    SH_N_OR,    /* a || b */
    SH_N_SEQ,   /* a ; b */
    SH_N_BG,    /* a & */
    SH_N_IF,    /* if a then b [else c] fi (elif becomes a nested if) */
    SH_N_FOR,   /* for name in words; do body; done */
    SH_N_WHILE, /* while a; do b; done */
    SH_N_UNTIL, /* until a; do b; done */
    SH_N_GROUP, /* { a; } */
};

struct sh_node {
    enum sh_node_kind kind;
    int line, col;
    const char *text; /* SH_N_CMD, SH_N_PIPE: the source text (for traces) */
    /* redirections of this command (any kind of command may have them) */
    struct sh_redir *redirs;
    int nredirs;
    /* SH_N_CMD: words (NAME=value assignments first, counted in nassigns) */
    const char **words;
    int nwords, nassigns;
    /* SH_N_PIPE: the commands; negate for '!', timed for 'time' */
    struct sh_node **cmds;
    int ncmds;
    bool negate, timed;
    /* binary lists, if, loops, group: a, b, c as their kind says */
    struct sh_node *a, *b, *c;
    /* SH_N_FOR: the variable and the words (in_given false: "$@") */
    const char *name;
    bool in_given;
};

/* A parse error: one line naming the problem and where it is. incomplete is
 * true when more input could complete the text (an open quote, an if without
 * fi), so an interactive reader may ask for another line. */
struct sh_error {
    char msg[SH_ERR_MAX];
    int line, col;
    bool incomplete;
};

struct sh_arena;

/* A parsed script: the tree and the arena that holds it. */
struct sh_script {
    struct sh_node *root; /* NULL for text with no commands */
    struct sh_arena *arena;
};

/*
 * Parses len bytes of text. Returns 0 and *out, or ERR_BADMSG (syntax, the
 * message in *err: "syntax error: unterminated quote at column 12"),
 * ERR_2BIG (a limit, also with a message) or ERR_NOMEM. Free with
 * sh_script_free.
 */
int sh_parse(const char *text, size_t len, struct sh_script *out, struct sh_error *err);
void sh_script_free(struct sh_script *s);

/* ---- the embedder -------------------------------------------------------------- */

/* Descriptors are the embedder's small non-negative integers; 0, 1 and 2 are
 * the shell's own standard input, output and error. */
enum {
    SH_O_READ = 1,
    SH_O_WRITE = 2,
    SH_O_CREAT = 4,
    SH_O_TRUNC = 8,
    SH_O_APPEND = 16,
};

/* Called once per directory entry by list_dir; returns 0 to go on. */
typedef int (*sh_dirent_fn)(void *cb_ctx, const char *name, bool is_dir);

/* What the shell asks of a path (ops->stat). */
struct sh_stat {
    bool is_dir;
    unsigned long long size; /* bytes */
};

struct sh_ops {
    /* Starts an external command with its standard descriptors fds[0..2];
     * argv and envp end with NULL. Returns a job id >= 0, or an error after
     * printing its reason (127 and 126 are the caller's status for ERR_NOENT
     * and other errors). */
    int (*spawn)(void *ctx, char *const *argv, char *const *envp, const int fds[3],
                 bool background);
    /* Waits for a job; returns its exit status (0-255). */
    int (*wait)(void *ctx, int job);
    /* Asks a job to stop (kill %N). */
    int (*kill)(void *ctx, int job);
    /* The process id to show for a job ("[1] 23" after &, jobs); NULL: the
     * job id itself. */
    int (*job_pid)(void *ctx, int job);
    /* True when a job has ended (a wait would not block); finished jobs are
     * waited for when a new one needs a slot. May be NULL. */
    bool (*job_done)(void *ctx, int job);
    /* Opens a file for a redirection (SH_O_* flags); returns a descriptor. */
    int (*open)(void *ctx, const char *path, unsigned flags);
    /* Makes a pipe: fds[0] reads, fds[1] writes. */
    int (*pipe)(void *ctx, int fds[2]);
    /* Closes a descriptor the shell got from open or pipe. */
    void (*close)(void *ctx, int fd);
    /* Writes to a descriptor (built-ins' output and the shell's errors). */
    long (*write)(void *ctx, int fd, const void *buf, size_t len);
    /* Reads up to len bytes from a descriptor (xargs's input): the count,
     * 0 at the end, or an error. May be NULL (then xargs refuses to run). */
    long (*read)(void *ctx, int fd, void *buf, size_t len);
    /* Lists a directory for globbing ("" is the working directory). */
    int (*list_dir)(void *ctx, const char *dir, sh_dirent_fn fn, void *cb_ctx);
    /* Reports whether path exists (0), if it is a directory and its size
     * (globbing, and test -e/-d/-f/-s). */
    int (*stat)(void *ctx, const char *path, struct sh_stat *st);
    /* Changes the working directory (cd). */
    int (*chdir)(void *ctx, const char *path);
    /* Reads a whole script file (sh FILE, . FILE); *text from mem_alloc. */
    int (*read_file)(void *ctx, const char *path, char **text, size_t *len);
    /* The embedder's own built-ins (ls, ps, ...): returns true and *status if
     * argv[0] is one. May be NULL. */
    bool (*builtin)(void *ctx, int argc, char **argv, const int fds[3], int *status);
    /* True if name is one of the embedder's built-ins (pipelines start the
     * external commands first). May be NULL. */
    bool (*is_builtin)(void *ctx, const char *name);
    /* True when the user asked to stop (Ctrl-C): loops end. May be NULL. */
    bool (*interrupted)(void *ctx);
    /* Called before (done false) and after (done true, with the status)
     * each simple command and pipeline, with its source text; tested is
     * true when the status is being tested (the condition of if, while,
     * until, the left side of && and ||), so a failure there is no error.
     * For a script log such as /etc/rc's. May be NULL. */
    void (*trace)(void *ctx, const char *text, bool done, int status, bool tested);
    /* A monotonic clock in ns, for 'time PIPELINE'. May be NULL (then time
     * only runs the pipeline). */
    unsigned long long (*now_ns)(void *ctx);
};

/* ---- the shell -------------------------------------------------------------------- */

struct sh_var {
    char *name, *value; /* value NULL: exported but not set */
    bool exported;
};

struct sh_job {
    int id;    /* the embedder's job of the last command */
    int njobs; /* jobs of the pipeline, all waited for */
    int ids[SH_MAX_PIPE];
    bool used;
};

struct sh_core_builtins;

struct sh {
    const struct sh_ops *ops;
    void *ctx;
    const struct sh_core_builtins *core; /* set by sh_init (builtins.c) */
    struct sh_var vars[SH_MAX_VARS];
    int nvars;
    int status;   /* $? */
    bool exiting; /* the exit built-in ran */
    int exit_status;
    int depth;        /* nesting of sh FILE and . FILE */
    int err_fd;       /* where the shell's own messages go now (2 unless redirected) */
    int testing;      /* > 0 inside a condition (see trace) */
    const char *arg0; /* $0 */
    char **args;      /* $1 ... */
    int nargs;
    struct sh_job jobs[SH_MAX_JOBS];
};

/* A shell with no variables; arg0 names it in messages. */
void sh_init(struct sh *sh, const struct sh_ops *ops, void *ctx, const char *arg0);
void sh_free(struct sh *sh);

/* Variables. set copies both strings (a NULL value: exported but unset,
 * as 'export NAME' leaves an unset NAME); returns 0, ERR_INVAL for a bad name,
 * ERR_2BIG when the table is full, ERR_NOMEM. */
int sh_var_set(struct sh *sh, const char *name, const char *value, bool exported);
const char *sh_var_get(const struct sh *sh, const char *name);
void sh_var_unset(struct sh *sh, const char *name);
bool sh_name_valid(const char *name, size_t len);

/* Parses and runs text; a syntax error is printed on fd 2 (prefixed by
 * where, e.g. "/etc/rc: ") and gives status 2. Returns the status. */
int sh_run_text(struct sh *sh, const char *text, size_t len, const char *where);
/* Runs a parsed tree with the standard descriptors; returns its status. */
int sh_run(struct sh *sh, const struct sh_node *n);

/* Prints a formatted line on the shell's descriptor fd. */
void sh_printf(struct sh *sh, int fd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- expansion (also used by the executor's embedders and the tests) ---------------- */

/* The names of the core built-ins, for completion: NULL after the last. */
const char *sh_core_builtin_name(int i);

/* A list of expanded fields, each allocated with mem_alloc. */
struct sh_fields {
    char **v;
    int n, cap;
};

/* Expands one source word: parameters, quote removal, field splitting and
 * (when glob is true) pathname expansion, appending to *out. Returns 0 or
 * ERR_2BIG/ERR_NOMEM/ERR_BADMSG with a message printed on fd 2. */
int sh_expand_word(struct sh *sh, const char *word, bool glob, struct sh_fields *out);
/* Expands a word into exactly one string (redirection targets, assignments):
 * no field splitting, no globbing. *out from mem_alloc. */
int sh_expand_one(struct sh *sh, const char *word, char **out);
void sh_fields_free(struct sh_fields *f);

/* Matches name against a glob pattern (* ? and backslash escapes). */
bool sh_glob_match(const char *pattern, const char *name);
/* Expands pattern against the filesystem through ops->list_dir; appends the
 * sorted matches to out. Returns the number of matches (0: no match), or an
 * error. */
int sh_glob(struct sh *sh, const char *pattern, struct sh_fields *out);
int sh_fields_push(struct sh_fields *f, char *s);

#endif
