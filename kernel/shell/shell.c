/*
 * kernel/shell/shell.c - the shell thread and lib/shell's embedder in the
 * kernel: /etc/rc, the prompt, and the operations lib/shell's executor
 * calls (struct sh_ops): apps started from /apps with their argv, the
 * exported variables as WASI environ and three standard streams; files of
 * the VFS for redirections; kernel pipes; built-ins from builtins.c.
 *
 * Descriptors are indexes into sh->fds, a table of reference-counted
 * streams (kernel/wasm/stream.h): 0, 1 and 2 are the console. An app takes
 * its own references to its three streams, so the shell can close its
 * copies as soon as the app has started; a pipe's reader sees end of file
 * when the last writer (app or shell) lets go. Jobs are indexes into
 * sh->apps.
 */
#include "kernel/shell/shell.h"

#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/boot/cmdline.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/power/power.h"
#include "kernel/sched/sched.h"
#include "kernel/wasm/app.h"
#include "kernel/wasm/serve.h"
#include "kernel/time/clock.h"
#include "kernel/wasm/stream.h"

#define APPS_DIR "/apps"
#define RC_PATH  "/etc/rc"

static struct shell *of(void *ctx)
{
    return ctx;
}

static struct kstream *fd_stream(struct shell *sh, int fd)
{
    return fd >= 0 && fd < SHELL_MAX_FDS ? sh->fds[fd] : NULL;
}

static int fd_add(struct shell *sh, struct kstream *s)
{
    for (int i = 3; i < SHELL_MAX_FDS; i++)
        if (!sh->fds[i]) {
            sh->fds[i] = s;
            return i;
        }
    kstream_put(s);
    return ERR_MFILE;
}

/* ---- starting and waiting for apps ----------------------------------------------------- */

/* argv[0] -> the .wasm to run: a path if it has a slash, else /apps/NAME.wasm. */
static int find_app(struct shell *sh, const char *name, char *out, size_t size)
{
    struct vfs_stat st;
    if (strchr(name, '/')) {
        int err = vfs_resolve(sh->cwd, name, out, size);
        if (err < 0) return err;
    } else {
        fmt_snprintf(out, size, APPS_DIR "/%s.wasm", name);
    }
    int err = vfs_stat(out, &st);
    if (err == 0 && st.is_dir) return ERR_ISDIR;
    return err;
}

/* A free job slot. Apps are freed only by o_wait: lib/shell waits for every
 * job it started, finished background ones when it needs room. */
static int job_slot(struct shell *sh)
{
    for (int i = 0; i < SHELL_MAX_APPS; i++)
        if (!sh->apps[i]) return i;
    return ERR_2BIG;
}

static int o_spawn(void *ctx, char *const *argv, char *const *envp, const int fds[3],
                   bool background)
{
    struct shell *sh = of(ctx);
    char path[VFS_PATH_MAX];
    struct kstream *err_out = fd_stream(sh, fds[2]);
    /* nonet CMD ARGS...: the app runs without network access. */
    bool no_net = strcmp(argv[0], "nonet") == 0;
    if (no_net && !*++argv) {
        fmt_format(shell_sink, err_out, "nonet: usage: nonet COMMAND [ARGS...]\n");
        return ERR_INVAL;
    }
    /* serve [OPTIONS] HANDLER: an app that serves the handler. */
    bool serve = strcmp(argv[0], "serve") == 0;
    struct kserve_opts serve_opts;
    const char *handler = NULL;
    if (serve && kserve_args(argv + 1, &serve_opts, &handler) < 0) {
        fmt_format(shell_sink, err_out, "serve: usage: " KSERVE_USAGE "\n");
        return ERR_INVAL;
    }
    const char *name = serve ? handler : argv[0];
    int err = find_app(sh, name, path, sizeof path);
    if (err == ERR_NOENT && !strchr(name, '/') && !serve) {
        fmt_format(shell_sink, err_out,
                   "%s: command not found (no built-in and no %s/%s.wasm; try 'help')\n", argv[0],
                   APPS_DIR, argv[0]);
        return ERR_NOENT;
    }
    if (err < 0) {
        fmt_format(shell_sink, err_out, "%s: %s\n", serve ? name : argv[0], err_str(err));
        return err == ERR_NOENT ? ERR_NOENT : ERR_ACCES;
    }
    int slot = job_slot(sh);
    if (slot < 0) {
        fmt_format(shell_sink, err_out, "%s: more than %d apps running\n", argv[0], SHELL_MAX_APPS);
        return ERR_2BIG;
    }
    int argc = 0;
    while (argv[argc])
        argc++;
    struct app_spec spec = {.path = path,
                            .argc = argc,
                            .argv = argv,
                            .envp = envp,
                            .cwd = sh->cwd,
                            .background = background,
                            .owned = true,
                            .no_net = no_net,
                            .serve = serve ? &serve_opts : NULL};
    for (int i = 0; i < 3; i++) {
        struct kstream *s = fd_stream(sh, fds[i]);
        spec.stdio[i] = s && s->kind != KS_CONSOLE ? s : NULL;
    }
    struct app *a;
    err = app_spawn(&spec, &a);
    if (err < 0) return ERR_ACCES; /* the reason is printed; a 126 */
    sh->apps[slot] = a;
    if (!background && app_fg_interrupted()) app_kill(a->pid); /* Ctrl-C came first */
    return slot;
}

static int o_wait(void *ctx, int job)
{
    struct shell *sh = of(ctx);
    if (job < 0 || job >= SHELL_MAX_APPS || !sh->apps[job]) return 127;
    int st = app_wait(sh->apps[job]);
    sh->apps[job] = NULL;
    return st;
}

static int o_kill(void *ctx, int job)
{
    struct shell *sh = of(ctx);
    if (job < 0 || job >= SHELL_MAX_APPS || !sh->apps[job]) return ERR_NOENT;
    return sh->apps[job]->done ? 0 : app_kill(sh->apps[job]->pid);
}

static bool o_job_done(void *ctx, int job)
{
    struct shell *sh = of(ctx);
    return job < 0 || job >= SHELL_MAX_APPS || !sh->apps[job] || sh->apps[job]->done;
}

static int o_job_pid(void *ctx, int job)
{
    struct shell *sh = of(ctx);
    return job >= 0 && job < SHELL_MAX_APPS && sh->apps[job] ? sh->apps[job]->pid : job;
}

/* ---- descriptors -------------------------------------------------------------------------- */

static int o_open(void *ctx, const char *path, unsigned flags)
{
    struct shell *sh = of(ctx);
    char abs[VFS_PATH_MAX];
    int err = vfs_resolve(sh->cwd, path, abs, sizeof abs);
    if (err < 0) return err;
    unsigned vf = 0;
    if (flags & SH_O_READ) vf |= VFS_O_READ;
    if (flags & SH_O_WRITE) vf |= VFS_O_WRITE;
    if (flags & SH_O_CREAT) vf |= VFS_O_CREAT;
    if (flags & SH_O_TRUNC) vf |= VFS_O_TRUNC;
    if (flags & SH_O_APPEND) vf |= VFS_O_APPEND;
    struct vfs_stat st;
    if (vfs_stat(abs, &st) == 0 && st.is_dir) return ERR_ISDIR;
    struct kstream *s;
    if ((err = kstream_open(abs, vf, &s)) < 0) return err;
    return fd_add(sh, s);
}

static int o_pipe(void *ctx, int fds[2])
{
    struct shell *sh = of(ctx);
    struct kstream *r, *w;
    int err = kstream_pipe(&r, &w);
    if (err < 0) return err;
    fds[0] = fd_add(sh, r);
    if (fds[0] < 0) {
        kstream_put(w);
        return fds[0];
    }
    fds[1] = fd_add(sh, w);
    if (fds[1] < 0) {
        kstream_put(sh->fds[fds[0]]);
        sh->fds[fds[0]] = NULL;
        return fds[1];
    }
    return 0;
}

static void o_close(void *ctx, int fd)
{
    struct shell *sh = of(ctx);
    if (fd < 3 || fd >= SHELL_MAX_FDS) return;
    kstream_put(sh->fds[fd]);
    sh->fds[fd] = NULL;
}

static long o_write(void *ctx, int fd, const void *buf, size_t len)
{
    struct kstream *s = fd_stream(of(ctx), fd);
    return s ? kstream_write(s, buf, len) : ERR_BADF;
}

static long o_read(void *ctx, int fd, void *buf, size_t len)
{
    struct kstream *s = fd_stream(of(ctx), fd);
    return s ? kstream_read(s, buf, len, false) : ERR_BADF;
}

/* ---- the filesystem ------------------------------------------------------------------------- */

static int o_list_dir(void *ctx, const char *dir, sh_dirent_fn fn, void *cb_ctx)
{
    struct shell *sh = of(ctx);
    char abs[VFS_PATH_MAX];
    int err = vfs_resolve(sh->cwd, dir[0] ? dir : ".", abs, sizeof abs);
    struct file *d;
    if (err < 0 || (err = vfs_open(abs, VFS_O_READ | VFS_O_DIRECTORY, &d)) < 0) return err;
    struct vfs_dirent *e = kmalloc(sizeof *e);
    int rc = e ? 0 : ERR_NOMEM;
    while (rc == 0 && (err = vfs_readdir(d, e)) == 1)
        rc = fn(cb_ctx, e->name, e->st.is_dir);
    kfree(e);
    vfs_close(d);
    return rc < 0 ? rc : err < 0 ? err : 0;
}

static int o_stat(void *ctx, const char *path, struct sh_stat *out)
{
    char abs[VFS_PATH_MAX];
    struct vfs_stat st;
    int err = vfs_resolve(of(ctx)->cwd, path, abs, sizeof abs);
    if (err == 0 && (err = vfs_stat(abs, &st)) == 0) *out = (struct sh_stat){st.is_dir, st.size};
    return err;
}

static int o_chdir(void *ctx, const char *path)
{
    struct shell *sh = of(ctx);
    char abs[VFS_PATH_MAX];
    struct vfs_stat st;
    int err = vfs_resolve(sh->cwd, path, abs, sizeof abs);
    if (err == 0) err = vfs_stat(abs, &st);
    if (err == 0 && !st.is_dir) err = ERR_NOTDIR;
    if (err == 0 && strlen(abs) >= sizeof sh->cwd) err = ERR_NAMETOOLONG;
    if (err == 0) str_copy(sh->cwd, abs, sizeof sh->cwd);
    return err;
}

static int o_read_file(void *ctx, const char *path, char **text, size_t *len)
{
    char abs[VFS_PATH_MAX];
    struct vfs_stat st;
    struct file *f;
    int err = vfs_resolve(of(ctx)->cwd, path, abs, sizeof abs);
    if (err < 0 || (err = vfs_stat(abs, &st)) < 0) return err;
    if (st.is_dir) return ERR_ISDIR;
    if (st.size > SH_MAX_SCRIPT) return ERR_FBIG;
    if ((err = vfs_open(abs, VFS_O_READ, &f)) < 0) return err;
    char *buf = kmalloc(st.size + 1);
    long n = buf ? vfs_read(f, buf, st.size) : ERR_NOMEM;
    vfs_close(f);
    if (n < 0) {
        kfree(buf);
        return (int)n;
    }
    *text = buf;
    *len = (size_t)n;
    return 0;
}

/* ---- built-ins, Ctrl-C, traces ----------------------------------------------------------------
 */

static bool o_builtin(void *ctx, int argc, char **argv, const int fds[3], int *status)
{
    struct shell *sh = of(ctx);
    struct kstream *out = sh->out, *err = sh->err;
    sh->out = fd_stream(sh, fds[1]);
    sh->err = fd_stream(sh, fds[2]);
    bool found = shell_builtin(sh, argc, argv, status);
    sh->out = out;
    sh->err = err;
    return found;
}

static bool o_is_builtin(void *ctx, const char *name)
{
    (void)ctx;
    return shell_is_builtin(name);
}

static bool o_interrupted(void *ctx)
{
    (void)ctx;
    return app_fg_interrupted();
}

/* A script's log: "rc> CMD" before each command, its status after a failure. */
static void o_trace(void *ctx, const char *text, bool done, int status, bool tested)
{
    struct shell *sh = of(ctx);
    if (!sh->script) return;
    if (!done) {
        kprintf("rc> %s\n", text);
        return;
    }
    if (status == 0 || tested) return;
    kprintf("rc: '%s' exited with status %d\n", text, status);
    if (!sh->first_failure) sh->first_failure = status;
}

static unsigned long long o_now_ns(void *ctx)
{
    (void)ctx;
    return clock_monotonic_ns();
}

static const struct sh_ops kernel_sh_ops = {
    .spawn = o_spawn,
    .wait = o_wait,
    .kill = o_kill,
    .job_pid = o_job_pid,
    .job_done = o_job_done,
    .open = o_open,
    .pipe = o_pipe,
    .close = o_close,
    .write = o_write,
    .read = o_read,
    .list_dir = o_list_dir,
    .stat = o_stat,
    .chdir = o_chdir,
    .read_file = o_read_file,
    .builtin = o_builtin,
    .is_builtin = o_is_builtin,
    .interrupted = o_interrupted,
    .trace = o_trace,
    .now_ns = o_now_ns,
};

int shell_run_text(struct shell *sh, const char *text, size_t len, const char *where)
{
    app_fg_begin();
    int st = sh_run_text(&sh->sh, text, len, where);
    app_fg_end();
    return st;
}

/* ---- the shell thread ------------------------------------------------------------------------ */

static bool shell_init(struct shell *sh)
{
    str_copy(sh->cwd, "/", sizeof sh->cwd);
    sh_init(&sh->sh, &kernel_sh_ops, sh, "sh");
    for (int i = 0; i < 3; i++)
        if (!(sh->fds[i] = kstream_console())) return false;
    sh->out = sh->fds[1];
    sh->err = sh->fds[2];
    return sh_var_set(&sh->sh, "PATH", APPS_DIR, true) == 0 &&
           sh_var_set(&sh->sh, "HOME", "/", true) == 0 &&
           sh_var_set(&sh->sh, "TERM", "vt100", true) == 0;
}

/* Runs /etc/rc with the same parser as the prompt; returns false if there is none. */
static bool run_rc(struct shell *sh)
{
    char *text;
    size_t len;
    struct vfs_stat st;
    if (vfs_stat(RC_PATH, &st) < 0) return false;
    klog_info("shell", "running %s", RC_PATH);
    int err = o_read_file(sh, RC_PATH, &text, &len);
    if (err < 0) {
        kprintf("shell: cannot read %s: %s\n", RC_PATH, err_str(err));
        return true;
    }
    sh->script = true;
    shell_run_text(sh, text, len, RC_PATH);
    sh->script = false;
    sh->sh.exiting = false; /* 'exit' ends the script, not the shell */
    kfree(text);
    return true;
}

/* Reads one command, with "> " continuation lines while it is incomplete
 * (an open quote, an if without fi). Returns its length or -1. */
static int read_command(struct shell *sh, char *text, size_t size)
{
    char prompt[300];
    fmt_snprintf(prompt, sizeof prompt, "kpio:%s$ ", sh->cwd);
    size_t len = 0;
    for (;;) {
        int n = shell_read_line(len ? "> " : prompt, sh->cwd, text + len, size - len - 1);
        if (n < 0) return len ? (int)len : -1;
        len += (size_t)n;
        struct sh_script s;
        struct sh_error e;
        int err = sh_parse(text, len, &s, &e);
        if (err == 0) sh_script_free(&s);
        if (err == 0 || !e.incomplete || len + 2 >= size) return (int)len;
        text[len++] = '\n';
        text[len] = '\0';
    }
}

static void shell_thread(void *arg)
{
    (void)arg;
    static struct shell sh;
    if (!shell_init(&sh)) {
        klog_error("shell", "out of memory for the shell");
        return;
    }
    const char *one = cmdline_get("run");
    if (one) {
        sh.script = true;
        kprintf("run> %s\n", one);
        int st = shell_run_text(&sh, one, strlen(one), "run");
        kprintf("run: exit status %d\n", st);
        power_set_exit_status((unsigned)st);
        power_off();
    }
    run_rc(&sh);
    if (cmdline_get("shell") && strcmp(cmdline_get("shell"), "0") == 0) return;
    kprintf("\nKPIO shell. Type 'help' for the commands.\n");
    char *text = kmalloc(SHELL_TEXT_MAX);
    if (!text) return;
    for (;;) {
        int n = read_command(&sh, text, SHELL_TEXT_MAX);
        if (n < 0) {
            thread_sleep_ms(100); /* no console input: keep the shell alive */
            continue;
        }
        shell_run_text(&sh, text, (size_t)n, "sh");
        sh.sh.exiting = false; /* there is no session to leave on the console */
    }
}

void shell_start(void)
{
    if (!thread_create("shell", shell_thread, NULL, 64 * 1024, 0))
        klog_error("shell", "cannot start the shell thread");
}
