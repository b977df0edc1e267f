/*
 * lib/shell/exec.c - the executor: walks a parsed tree, expanding words as
 * it reaches them, and runs commands through the embedder's struct sh_ops.
 * The core built-ins are reached through sh->core, which sh_init
 * (builtins.c) fills in, so this file calls no file above it.
 *
 * Descriptors: every command runs with three (struct sh_io) that start as
 * the shell's 0, 1, 2 and are replaced by redirections, applied left to
 * right, and by pipes. Files opened for a redirection are closed when the
 * command ends; the embedder's spawn takes what it needs.
 *
 * Pipelines start every external command first, then run the built-ins and
 * compound commands of the pipeline in the shell itself, in order, and wait
 * for the external ones; the status is the last command's (negated by !).
 * A built-in that writes more than a pipe holds before a later command of
 * its own pipeline reads would block: built-ins write little.
 */
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "shell/internal.h"

#define NESTED_SCRIPTS_MAX 8

static int exec_node(struct sh *sh, const struct sh_node *n, const struct sh_io *io);

void sh_free(struct sh *sh)
{
    while (sh->nvars)
        sh_var_unset(sh, sh->vars[0].name);
}

static bool interrupted(struct sh *sh)
{
    return sh->ops->interrupted && sh->ops->interrupted(sh->ctx);
}

/* ---- a simple command, prepared: fields, environment, descriptors ------------------ */

struct prep {
    struct sh_fields argv;
    struct sh_fields env;
    struct sh_io io;
    int opened[SH_MAX_REDIRS];
    int nopened;
};

static void prep_free(struct sh *sh, struct prep *p)
{
    for (int i = 0; i < p->nopened; i++)
        sh->ops->close(sh->ctx, p->opened[i]);
    sh_fields_free(&p->argv);
    sh_fields_free(&p->env);
    mem_free(p);
}

static unsigned open_flags(enum sh_redir_kind k)
{
    if (k == SH_R_IN) return SH_O_READ;
    if (k == SH_R_APPEND) return SH_O_WRITE | SH_O_CREAT | SH_O_APPEND;
    return SH_O_WRITE | SH_O_CREAT | SH_O_TRUNC;
}

/* Applies n's redirections to io; returns 0 or 2 after a message. */
static int apply_redirs(struct sh *sh, const struct sh_node *n, struct sh_io *io, int *opened,
                        int *nopened)
{
    for (int i = 0; i < n->nredirs; i++) {
        const struct sh_redir *r = &n->redirs[i];
        if (r->kind == SH_R_DUP) {
            io->fd[r->fd] = io->fd[r->dup_from];
            continue;
        }
        char *path;
        if (sh_expand_one(sh, r->word, &path) < 0) return 2;
        int fd = path[0] ? sh->ops->open(sh->ctx, path, open_flags(r->kind)) : ERR_NOENT;
        if (fd < 0) {
            sh_printf(sh, io->fd[2], "%s: cannot open '%s': %s\n", sh->arg0, path, err_str(fd));
            mem_free(path);
            return 2;
        }
        mem_free(path);
        opened[(*nopened)++] = fd;
        io->fd[r->fd] = fd;
    }
    return 0;
}

static char *env_entry(const char *name, size_t nlen, const char *value)
{
    size_t vlen = strlen(value);
    char *s = mem_alloc(nlen + vlen + 2);
    if (!s) return NULL;
    memcpy(s, name, nlen);
    s[nlen] = '=';
    memcpy(s + nlen + 1, value, vlen + 1);
    return s;
}

/* The environment of an external command: exported variables, overridden
 * by the command's own NAME=value words (already expanded in assigns). */
static int build_env(struct sh *sh, const struct sh_fields *assigns, struct sh_fields *env)
{
    for (int i = 0; i < sh->nvars; i++) {
        const struct sh_var *v = &sh->vars[i];
        bool overridden = false;
        for (int k = 0; k < assigns->n && !overridden; k++) {
            size_t nl = strlen(v->name);
            overridden = strncmp(assigns->v[k], v->name, nl) == 0 && assigns->v[k][nl] == '=';
        }
        if (!v->exported || !v->value || overridden) continue;
        char *s = env_entry(v->name, strlen(v->name), v->value);
        int err = s ? sh_fields_push(env, s) : ERR_NOMEM;
        if (err < 0) return err;
    }
    for (int k = 0; k < assigns->n; k++) {
        size_t n = strlen(assigns->v[k]) + 1;
        char *s = mem_alloc(n);
        if (!s) return ERR_NOMEM;
        memcpy(s, assigns->v[k], n);
        int err = sh_fields_push(env, s);
        if (err < 0) return err;
    }
    return 0;
}

/* NAME=value words expanded to "NAME=value" strings. */
static int expand_assigns(struct sh *sh, const struct sh_node *n, struct sh_fields *out)
{
    for (int i = 0; i < n->nassigns; i++) {
        const char *w = n->words[i], *eq = strchr(w, '=');
        char *value;
        int err = sh_expand_one(sh, eq + 1, &value);
        if (err < 0) return err;
        char *s = env_entry(w, (size_t)(eq - w), value);
        mem_free(value);
        if (!s || (err = sh_fields_push(out, s)) < 0) return s ? err : ERR_NOMEM;
    }
    return 0;
}

static int set_assigns(struct sh *sh, const struct sh_fields *a)
{
    for (int i = 0; i < a->n; i++) {
        char *eq = strchr(a->v[i], '=');
        *eq = '\0';
        int err = sh_var_set(sh, a->v[i], eq + 1, false);
        *eq = '=';
        if (err < 0) {
            sh_printf(sh, sh->err_fd, "%s: cannot set %.*s: %s\n", sh->arg0, (int)(eq - a->v[i]),
                      a->v[i], err == ERR_2BIG ? "too many variables or too long" : err_str(err));
            return 1;
        }
    }
    return 0;
}

/* Expands and opens everything of a simple command; *p is the result, run
 * or not. Returns 0, or a status after printing why. */
static int prepare(struct sh *sh, const struct sh_node *n, const struct sh_io *io,
                   struct prep **out)
{
    struct prep *p = mem_zalloc(sizeof *p);
    *out = p;
    if (!p) {
        sh_printf(sh, io->fd[2], "%s: out of memory\n", sh->arg0);
        return 2;
    }
    p->io = *io;
    sh->err_fd = io->fd[2];
    struct sh_fields assigns = {0};
    int st = expand_assigns(sh, n, &assigns) < 0 ? 2 : 0;
    for (int i = n->nassigns; i < n->nwords && st == 0; i++)
        if (sh_expand_word(sh, n->words[i], true, &p->argv) < 0) st = 2;
    if (st == 0) st = apply_redirs(sh, n, &p->io, p->opened, &p->nopened);
    if (st == 0 && p->argv.n == 0) st = set_assigns(sh, &assigns);
    if (st == 0 && p->argv.n > 0 && build_env(sh, &assigns, &p->env) < 0) {
        sh_printf(sh, io->fd[2], "%s: out of memory for the environment\n", sh->arg0);
        st = 2;
    }
    sh_fields_free(&assigns);
    /* argv[argc] and the environment end with NULL, not counted */
    if (st == 0 && (sh_fields_push(&p->argv, NULL) < 0 || sh_fields_push(&p->env, NULL) < 0)) {
        sh_printf(sh, io->fd[2], "%s: out of memory for the arguments\n", sh->arg0);
        return 2;
    }
    if (st == 0) p->argv.n--, p->env.n--;
    return st;
}

static bool is_builtin(struct sh *sh, const char *name)
{
    return sh->core->is(name) || (sh->ops->is_builtin && sh->ops->is_builtin(sh->ctx, name));
}

static int run_builtin(struct sh *sh, struct prep *p)
{
    int st = 0;
    sh->err_fd = p->io.fd[2];
    if (sh->core->run(sh, p->argv.n, p->argv.v, &p->io, &st)) return st;
    if (sh->ops->builtin && sh->ops->builtin(sh->ctx, p->argv.n, p->argv.v, p->io.fd, &st))
        return st;
    return 127;
}

/* Starts an external command; returns a job or a status > 0 as -(status). */
static int spawn(struct sh *sh, struct prep *p, bool background)
{
    int job = sh->ops->spawn(sh->ctx, p->argv.v, p->env.v, p->io.fd, background);
    if (job >= 0) return job;
    return job == ERR_NOENT ? -127 : -126;
}

static int exec_simple(struct sh *sh, const struct sh_node *n, const struct sh_io *io)
{
    struct prep *p;
    int st = prepare(sh, n, io, &p);
    if (st == 0 && p->argv.n > 0) {
        if (is_builtin(sh, p->argv.v[0])) {
            st = run_builtin(sh, p);
        } else {
            int job = spawn(sh, p, false);
            st = job < 0 ? -job : sh->ops->wait(sh->ctx, job);
        }
    }
    if (p) prep_free(sh, p);
    sh->err_fd = io->fd[2];
    return st;
}

/* Runs argv as a simple command with io and the exported variables: a
 * built-in or an app, as exec_simple would (xargs). Returns its status. */
int sh_run_argv(struct sh *sh, int argc, char *const *argv, const struct sh_io *io)
{
    struct prep *p = mem_zalloc(sizeof *p);
    struct sh_fields none = {0};
    int st = p && argc > 0 ? 0 : 126;
    if (p) p->io = *io;
    for (int i = 0; i < argc && st == 0; i++) {
        size_t n = strlen(argv[i]) + 1;
        char *a = mem_alloc(n);
        if (a) memcpy(a, argv[i], n);
        if (!a || sh_fields_push(&p->argv, a) < 0) st = 126;
    }
    if (st == 0 && build_env(sh, &none, &p->env) < 0) st = 126;
    if (st == 0 && (sh_fields_push(&p->argv, NULL) < 0 || sh_fields_push(&p->env, NULL) < 0))
        st = 126;
    if (st != 0) {
        sh_printf(sh, io->fd[2], "%s: %s: out of memory or too many arguments\n", sh->arg0,
                  argc > 0 ? argv[0] : "");
    } else {
        p->argv.n--;
        p->env.n--;
        if (is_builtin(sh, p->argv.v[0])) {
            st = run_builtin(sh, p);
        } else {
            int job = spawn(sh, p, false);
            st = job < 0 ? -job : sh->ops->wait(sh->ctx, job);
        }
    }
    if (p) {
        p->nopened = 0; /* io belongs to the caller */
        prep_free(sh, p);
    }
    sh->err_fd = io->fd[2];
    return st;
}

/* ---- pipelines and jobs ----------------------------------------------------------------- */

struct elem {
    struct prep *p;
    int job;     /* >= 0 when spawned */
    bool inproc; /* runs in the shell */
    int status;
};

int sh_job_pid(struct sh *sh, int job)
{
    return sh->ops->job_pid ? sh->ops->job_pid(sh->ctx, job) : job;
}

/* Waits for the jobs whose commands have all ended, freeing their slots. */
static void reap_jobs(struct sh *sh)
{
    for (int s = 0; s < SH_MAX_JOBS && sh->ops->job_done; s++) {
        struct sh_job *j = &sh->jobs[s];
        bool done = j->used;
        for (int i = 0; i < j->njobs && done; i++)
            done = sh->ops->job_done(sh->ctx, j->ids[i]);
        if (done) sh_job_wait(sh, s + 1);
    }
}

int sh_job_add(struct sh *sh, const int *ids, int n)
{
    reap_jobs(sh);
    for (int s = 0; s < SH_MAX_JOBS; s++) {
        struct sh_job *j = &sh->jobs[s];
        if (j->used) continue;
        j->used = true;
        j->njobs = n;
        memcpy(j->ids, ids, (size_t)n * sizeof *ids);
        j->id = ids[n - 1];
        return s + 1;
    }
    return ERR_2BIG;
}

int sh_job_wait(struct sh *sh, int slot)
{
    struct sh_job *j = &sh->jobs[slot - 1];
    int st = 0;
    for (int i = 0; i < j->njobs; i++)
        st = sh->ops->wait(sh->ctx, j->ids[i]);
    j->used = false;
    return st;
}

static void close_pipe_end(struct sh *sh, int *fd)
{
    if (*fd >= 0) sh->ops->close(sh->ctx, *fd);
    *fd = -1;
}

/* Starts every external command of the pipeline; fills e[]. */
static void start_externals(struct sh *sh, struct sh_node *const *cmds, int k, int (*pfd)[2],
                            const struct sh_io *io, struct elem *e, bool background)
{
    for (int i = 0; i < k; i++) {
        struct sh_io cio = *io;
        if (i > 0) cio.fd[0] = pfd[i - 1][0];
        if (i < k - 1) cio.fd[1] = pfd[i][1];
        e[i].job = -1;
        if (cmds[i]->kind != SH_N_CMD) {
            e[i].inproc = true;
            continue;
        }
        e[i].status = prepare(sh, cmds[i], &cio, &e[i].p);
        if (e[i].status == 0 && e[i].p->argv.n > 0 && !is_builtin(sh, e[i].p->argv.v[0])) {
            int job = spawn(sh, e[i].p, background);
            e[i].status = job < 0 ? -job : 0;
            e[i].job = job;
        } else if (e[i].status == 0) {
            e[i].inproc = true;
        }
        if (!e[i].inproc && e[i].p) {
            prep_free(sh, e[i].p); /* the spawned command holds its own */
            e[i].p = NULL;
        }
    }
}

static int run_pipeline(struct sh *sh, struct sh_node *const *cmds, int k, bool negate,
                        bool background, const struct sh_io *io)
{
    int pfd[SH_MAX_PIPE][2];
    struct elem *e = mem_zalloc((size_t)k * sizeof *e);
    if (!e) {
        sh_printf(sh, io->fd[2], "%s: out of memory\n", sh->arg0);
        return 2;
    }
    int made = 0, err = 0;
    for (; made < k - 1; made++)
        if ((err = sh->ops->pipe(sh->ctx, pfd[made])) < 0) break;
    if (err < 0) {
        sh_printf(sh, io->fd[2], "%s: cannot make a pipe: %s\n", sh->arg0, err_str(err));
        for (int i = 0; i < made; i++) {
            close_pipe_end(sh, &pfd[i][0]);
            close_pipe_end(sh, &pfd[i][1]);
        }
        mem_free(e);
        return 2;
    }
    start_externals(sh, cmds, k, pfd, io, e, background);
    /* The shell keeps only the pipe ends its own commands use. */
    for (int i = 0; i < k; i++) {
        if (e[i].inproc) continue;
        if (i > 0) close_pipe_end(sh, &pfd[i - 1][0]);
        if (i < k - 1) close_pipe_end(sh, &pfd[i][1]);
    }
    for (int i = 0; i < k; i++) {
        if (!e[i].inproc) continue;
        if (e[i].p) {
            e[i].status = e[i].p->argv.n ? run_builtin(sh, e[i].p) : 0;
        } else {
            struct sh_io cio = *io;
            if (i > 0) cio.fd[0] = pfd[i - 1][0];
            if (i < k - 1) cio.fd[1] = pfd[i][1];
            e[i].status = exec_node(sh, cmds[i], &cio);
        }
        if (i > 0) close_pipe_end(sh, &pfd[i - 1][0]);
        if (i < k - 1) close_pipe_end(sh, &pfd[i][1]);
    }
    int ids[SH_MAX_PIPE], nids = 0;
    for (int i = 0; i < k; i++) {
        if (e[i].p) prep_free(sh, e[i].p);
        if (e[i].job >= 0) ids[nids++] = e[i].job;
    }
    int st = e[k - 1].status;
    if (background && nids > 0) {
        int slot = sh_job_add(sh, ids, nids);
        if (slot > 0)
            sh_printf(sh, io->fd[2], "[%d] %d\n", slot, sh_job_pid(sh, ids[nids - 1]));
        else
            for (int i = 0; i < nids; i++) /* no slot: wait now rather than lose them */
                sh->ops->wait(sh->ctx, ids[i]);
        st = 0;
    } else {
        for (int i = 0; i < k; i++)
            if (e[i].job >= 0) e[i].status = sh->ops->wait(sh->ctx, e[i].job);
        st = e[k - 1].status;
    }
    mem_free(e);
    sh->err_fd = io->fd[2];
    return negate ? !st : st;
}

/* A pipeline, with its elapsed time on stderr after 'time' ("real 1.234 s"). */
static int exec_timed(struct sh *sh, const struct sh_node *n, const struct sh_io *io)
{
    bool clock = n->timed && sh->ops->now_ns;
    unsigned long long t0 = clock ? sh->ops->now_ns(sh->ctx) : 0;
    int st = run_pipeline(sh, n->cmds, n->ncmds, n->negate, false, io);
    if (clock) {
        unsigned long long ms = (sh->ops->now_ns(sh->ctx) - t0) / 1000000u;
        sh_printf(sh, io->fd[2], "real %llu.%03llu s\n", ms / 1000, ms % 1000);
    }
    return st;
}

/* ---- compound commands -------------------------------------------------------------------- */

static int for_items(struct sh *sh, const struct sh_node *n, struct sh_fields *items)
{
    if (n->in_given) {
        for (int i = 0; i < n->nwords; i++)
            if (sh_expand_word(sh, n->words[i], true, items) < 0) return 2;
        return 0;
    }
    for (int i = 0; i < sh->nargs; i++) {
        size_t len = strlen(sh->args[i]) + 1;
        char *s = mem_alloc(len);
        if (!s || sh_fields_push(items, s) < 0) return 2;
        memcpy(s, sh->args[i], len);
    }
    return 0;
}

static int exec_for(struct sh *sh, const struct sh_node *n, const struct sh_io *io)
{
    struct sh_fields items = {0};
    sh->err_fd = io->fd[2];
    int st = for_items(sh, n, &items);
    bool ok = st == 0;
    for (int i = 0; ok && i < items.n && !sh->exiting; i++) {
        if (sh_var_set(sh, n->name, items.v[i], false) < 0) {
            sh_printf(sh, io->fd[2], "%s: cannot set %s\n", sh->arg0, n->name);
            st = 2;
            break;
        }
        if (interrupted(sh)) {
            st = 130;
            break;
        }
        st = exec_node(sh, n->b, io);
    }
    sh_fields_free(&items);
    return st;
}

/* A command whose status is tested (conditions, the left of && and ||). */
static int exec_test(struct sh *sh, const struct sh_node *n, const struct sh_io *io)
{
    sh->testing++;
    int st = exec_node(sh, n, io);
    sh->testing--;
    return st;
}

static int exec_loop(struct sh *sh, const struct sh_node *n, const struct sh_io *io)
{
    int st = 0;
    while (!sh->exiting) {
        if (interrupted(sh)) return 130;
        int c = exec_test(sh, n->a, io);
        if (sh->exiting || (n->kind == SH_N_WHILE ? c != 0 : c == 0)) break;
        st = exec_node(sh, n->b, io);
    }
    return st;
}

static int exec_compound(struct sh *sh, const struct sh_node *n, const struct sh_io *io)
{
    int st;
    switch (n->kind) {
    case SH_N_AND:
        st = exec_test(sh, n->a, io);
        return st == 0 && !sh->exiting ? exec_node(sh, n->b, io) : st;
    case SH_N_OR:
        st = exec_test(sh, n->a, io);
        return st != 0 && !sh->exiting ? exec_node(sh, n->b, io) : st;
    case SH_N_SEQ:
        exec_node(sh, n->a, io);
        return sh->exiting ? sh->status : exec_node(sh, n->b, io);
    case SH_N_BG:
        if (n->a->kind == SH_N_CMD)
            return run_pipeline(sh, (struct sh_node *const *)&n->a, 1, false, true, io);
        if (n->a->kind == SH_N_PIPE)
            return run_pipeline(sh, n->a->cmds, n->a->ncmds, n->a->negate, true, io);
        return exec_node(sh, n->a, io); /* lists and compounds run in the foreground */
    case SH_N_IF:
        if (exec_test(sh, n->a, io) == 0) return sh->exiting ? sh->status : exec_node(sh, n->b, io);
        return n->c && !sh->exiting ? exec_node(sh, n->c, io) : 0;
    case SH_N_FOR: return exec_for(sh, n, io);
    case SH_N_WHILE:
    case SH_N_UNTIL: return exec_loop(sh, n, io);
    case SH_N_GROUP: return exec_node(sh, n->a, io);
    case SH_N_PIPE: return exec_timed(sh, n, io);
    case SH_N_CMD: return exec_simple(sh, n, io);
    }
    return 2;
}

static int exec_node(struct sh *sh, const struct sh_node *n, const struct sh_io *io)
{
    if (sh->exiting) return sh->status;
    if (interrupted(sh)) return sh->status = 130;
    int st;
    if (n->kind != SH_N_CMD && n->nredirs > 0) {
        struct sh_io cio = *io;
        int opened[SH_MAX_REDIRS], nopened = 0;
        sh->err_fd = io->fd[2];
        st = apply_redirs(sh, n, &cio, opened, &nopened);
        if (st == 0) st = exec_compound(sh, n, &cio);
        for (int i = 0; i < nopened; i++)
            sh->ops->close(sh->ctx, opened[i]);
    } else {
        bool traced = sh->ops->trace && n->text && (n->kind == SH_N_CMD || n->kind == SH_N_PIPE);
        if (traced) sh->ops->trace(sh->ctx, n->text, false, 0, sh->testing > 0);
        st = exec_compound(sh, n, io);
        if (traced) sh->ops->trace(sh->ctx, n->text, true, st, sh->testing > 0);
    }
    if (!sh->exiting) sh->status = st;
    return sh->exiting ? sh->status : st;
}

int sh_run(struct sh *sh, const struct sh_node *n)
{
    struct sh_io io = {{0, 1, 2}};
    if (!n) return sh->status;
    return exec_node(sh, n, &io);
}

int sh_run_text(struct sh *sh, const char *text, size_t len, const char *where)
{
    if (sh->depth >= NESTED_SCRIPTS_MAX) {
        sh_printf(sh, sh->err_fd, "%s: scripts nested more than %d deep\n", sh->arg0,
                  NESTED_SCRIPTS_MAX);
        return sh->status = 2;
    }
    struct sh_script s;
    struct sh_error err;
    int e = sh_parse(text, len, &s, &err);
    if (e < 0) {
        sh_printf(sh, sh->err_fd, "%s: %s\n", where ? where : sh->arg0,
                  e == ERR_NOMEM && !err.msg[0] ? "out of memory" : err.msg);
        return sh->status = 2;
    }
    sh->depth++;
    int st = sh_run(sh, s.root);
    sh->depth--;
    sh_script_free(&s);
    return st;
}
