/*
 * kernel/wasm/app.c - loading and running WASM apps.
 *
 * An app is read whole from the VFS, decoded, validated and compiled by
 * lib/wasm, instantiated with lib/wasi's imports over the kernel port, and
 * run by a kernel thread of its own named after it. A WASI 0.2 command
 * component (told by its header) is loaded and checked by lib/component
 * and run the same way (lib/component/command.h). The thread can be
 * preempted at any instruction like every kernel thread; the interpreter's
 * interrupt hook only checks whether the app was killed. A trap ends the
 * app with a message naming the reason and the function; the kernel goes
 * on. Exit statuses follow shells: the app's own status, 128+6 after a
 * trap, 128+9 after a kill. A module's machine code is cached on disk
 * (jit_disk.h): read before its instance is made, written after a run
 * that compiled it.
 */
#include "kernel/wasm/app.h"

#include "base/budget.h"
#include "base/error.h"
#include "component/command.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "base/util.h"
#include "kernel/drivers/serial/serial.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/phases.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/pmm.h"
#include "kernel/net/ktls.h"
#include "kernel/sched/sched.h"
#include "wasi/wasi.h"
#include "kernel/wasm/jit_disk.h"
#include "kernel/wasm/jit_mem.h"
#include "serve/handler.h"
#include "kernel/wasm/kport.h"
#include "kernel/wasm/serve.h"
#include "kernel/wasm/stream.h"
#include "wasm/wasm.h"

/* An app's stack holds the C frames of host calls, plus 16 bytes per wasm
 * frame on the JIT (160 KiB at the default depth of 10000, see wasm.h);
 * app_config.c keeps the JIT's frames off the last APP_HOST_MARGIN. */
#define MAX_APP_SIZE  (64u << 20)
#define APP_STACK     (512 * 1024)
#define STATUS_TRAP   (128 + 6)
#define STATUS_KILLED (128 + 9)

struct app_run {
    struct app app;
    struct kport port;
    struct wasm_module *mod;
    struct comp *comp; /* or a component, which borrows bytes */
    uint8_t *bytes;
    int argc;
    char *argv[APP_MAX_ARGS + 1];
    int envc;
    char *env[APP_MAX_ENV + 1];
    char cwd[VFS_PATH_MAX];
    bool no_net;
    /* `serve`: the handler, loaded once, and how to serve it */
    bool serve;
    struct serve_handler handler;
    struct kserve_opts serve_opts;
};

static struct list_node apps = LIST_INIT(apps);
static volatile bool fg_interrupted;

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    struct vfs_stat st;
    int err = vfs_stat(path, &st);
    if (err < 0) return err;
    if (st.is_dir) return ERR_ISDIR;
    if (st.size > MAX_APP_SIZE) return ERR_FBIG;
    struct file *f;
    if ((err = vfs_open(path, VFS_O_READ, &f)) < 0) return err;
    uint8_t *buf = kmalloc(st.size ? st.size : 1);
    long n = buf ? vfs_read(f, buf, st.size) : ERR_NOMEM;
    vfs_close(f);
    if (n < 0 || (uint64_t)n != st.size) {
        kfree(buf);
        return n < 0 ? (int)n : ERR_IO;
    }
    *data = buf;
    *len = st.size;
    return 0;
}

/* Instantiates and runs a command component: 0 with *status, ERR_FAULT
 * (a trap: *trap), or 0 with status 126 after saying why it cannot run. */
static int run_component(struct app_run *r, struct wasi_ctx *w, const struct wasm_config *wc,
                         int *status, struct wasm_trap *trap)
{
    struct comp_instance *ci;
    struct comp_error cerr;
    int err = comp_command_instantiate(r->comp, w, wc, &ci, &cerr, trap);
    if (err == 0) {
        phase_mark(PHASE_APP_COMPILED);
        err = comp_command_run(ci, status, trap, &cerr);
        comp_instance_free(ci);
    }
    if (err && err != ERR_FAULT) {
        kprintf("%s: cannot run: %s\n", r->app.name, cerr.msg);
        *status = 126;
        err = 0;
    }
    return err;
}

static int serve(struct app_run *r)
{
    struct kserve_spec spec = {.name = r->app.name,
                               .path = r->app.path,
                               .h = &r->handler,
                               .opts = r->serve_opts,
                               .stdio = &r->port,
                               .no_net = r->no_net};
    return kserve_run(&spec);
}

static int run(struct app_run *r)
{
    struct app *a = &r->app;
    struct wasi_port_file *root = NULL, *cwd = NULL;
    if (kport_open_dir("/", &root) < 0) {
        kprintf("%s: cannot open / for the app\n", a->name);
        return 126;
    }
    struct wasi_preopen pre[2] = {{"/", root}, {".", NULL}};
    size_t npre = 1;
    if (kport_open_dir(r->cwd, &cwd) == 0) {
        pre[1].dir = cwd;
        npre = 2;
    }
    struct wasi_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.port.ops = &kport_ops;
    cfg.port.ctx = &r->port;
    cfg.argc = r->argc;
    cfg.argv = (const char *const *)r->argv;
    static const char *const env[] = {"PATH=/apps", "HOME=/", "TERM=vt100"};
    cfg.envc = r->envc ? (size_t)r->envc : 3;
    cfg.envp = r->envc ? (const char *const *)r->env : env;
    cfg.preopens = pre;
    cfg.npreopens = npre;
    cfg.cwd = r->cwd;
    cfg.allow_net = !r->no_net; /* the shell is the machine's own user */
    cfg.tls = ktls_provider();
    /* One limit for the app: its linear memory and its WASI resources. */
    struct mem_budget budget = {.limit = app_memory_limit(), .used = 0};
    cfg.budget = &budget;
    struct wasi_ctx *w;
    int err = wasi_ctx_new(&cfg, &w);
    if (err < 0) {
        kprintf("%s: cannot set up WASI: %s\n", a->name, err_str(err));
        return 126;
    }
    struct wasm_config wc;
    app_wasm_config(&wc, &budget);
    struct wasm_instance *inst;
    struct wasm_error werr;
    struct wasm_trap trap;
    int status = 0;
    if (r->comp) {
        err = run_component(r, w, &wc, &status, &trap);
    } else {
        if (wc.engine == WASM_ENGINE_JIT) jit_disk_load(r->mod, a->name);
        err = wasm_instance_new(r->mod, &wc, wasi_resolve, w, &inst, &werr, &trap);
        if (err == 0) phase_mark(PHASE_APP_COMPILED);
        if (err == 0) jit_disk_save(r->mod, a->name);
        if (err == 0 || err == ERR_FAULT) {
            if (err == 0) err = wasi_run(w, inst, &status, &trap);
            wasm_instance_free(inst);
        } else {
            kprintf("%s: cannot start: %s\n", a->name, werr.msg);
            status = 126;
            err = 0;
        }
    }
    if (err == ERR_FAULT) {
        if (trap.kind == WASM_TRAP_KILLED || thread_should_stop()) {
            kprintf("%s: killed\n", a->name);
            status = STATUS_KILLED;
        } else {
            kprintf("%s: trapped: %s in function %s\n", a->name, trap.reason,
                    trap.func_name ? trap.func_name : "?");
            status = STATUS_TRAP;
        }
    } else if (err == ERR_NOENT) {
        kprintf("%s: not a command (no _start or wasi:cli/run export)\n", a->name);
        status = 126;
    } else if (err < 0) {
        kprintf("%s: %s\n", a->name, err_str(err));
        status = 126;
    }
    wasi_ctx_free(w);
    return status;
}

static void release_stdio(struct kport *p)
{
    for (int i = 0; i < 3; i++) {
        kstream_put(p->stdio[i]);
        p->stdio[i] = NULL;
    }
}

static void app_thread(void *arg)
{
    struct app_run *r = arg;
    r->app.status = r->serve ? serve(r) : run(r);
    if (r->mod) wasm_module_free(r->mod);
    r->mod = NULL;
    serve_handler_free(&r->handler);
    release_stdio(&r->port); /* a pipe's reader sees end of file now, not at the wait */
    comp_free(r->comp);
    r->comp = NULL;
    kfree(r->bytes);
    r->bytes = NULL;
    r->app.done = true;
    if (r->app.background)
        kprintf("[%d] %s exited with status %d\n", r->app.pid, r->app.name, r->app.status);
}

static void free_run(struct app_run *r)
{
    for (int i = 0; i < r->argc; i++)
        kfree(r->argv[i]);
    for (int i = 0; i < r->envc; i++)
        kfree(r->env[i]);
    release_stdio(&r->port);
    if (r->mod) wasm_module_free(r->mod);
    comp_free(r->comp);
    serve_handler_free(&r->handler);
    kfree(r->bytes);
    kfree(r);
}

static char *copy_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = kmalloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* Copies argv and envp into r; ERR_NOMEM or ERR_2BIG. */
static int copy_args(struct app_run *r, const struct app_spec *spec)
{
    for (int i = 0; i < spec->argc && i < APP_MAX_ARGS; i++) {
        if (!(r->argv[i] = copy_str(spec->argv[i]))) return ERR_NOMEM;
        r->argc = i + 1;
    }
    for (int i = 0; spec->envp && spec->envp[i]; i++) {
        if (i == APP_MAX_ENV) return ERR_2BIG;
        if (!(r->env[i] = copy_str(spec->envp[i]))) return ERR_NOMEM;
        r->envc = i + 1;
    }
    return 0;
}

int app_start(const char *path, int argc, char **argv, const char *cwd, bool background,
              struct app **out)
{
    struct app_spec spec = {
        .path = path, .argc = argc, .argv = argv, .cwd = cwd, .background = background};
    return app_spawn(&spec, out);
}

int app_spawn(const struct app_spec *spec, struct app **out)
{
    const char *path = spec->path;
    char *const *argv = spec->argv;
    uint8_t *bytes = NULL;
    size_t len = 0;
    int err = read_file(path, &bytes, &len);
    if (err < 0) {
        kprintf("%s: cannot read %s: %s\n", argv[0], path, err_str(err));
        return err;
    }
    struct app_run *r = kzalloc(sizeof *r);
    if (!r) {
        kfree(bytes);
        return ERR_NOMEM;
    }
    if (spec->serve) {
        struct wasm_error werr;
        r->bytes = bytes; /* a component borrows them */
        r->serve = true;
        r->serve_opts = *spec->serve;
        err = serve_handler_load(&r->handler, bytes, len, &werr);
        if (err < 0) {
            kprintf("%s: %s: %s\n", argv[0], path, werr.msg);
            free_run(r);
            return err;
        }
    } else if (comp_header(bytes, len) == COMP_HEADER_COMPONENT) {
        struct comp_error cerr;
        r->bytes = bytes;
        err = comp_load(bytes, len, &r->comp, &cerr);
        if (err == 0) err = comp_command_check(r->comp, &cerr);
        if (err < 0) {
            kprintf("%s: %s: %s\n", argv[0], path, cerr.msg);
            free_run(r);
            return err;
        }
    } else {
        struct wasm_error werr;
        err = wasm_module_load(bytes, len, &r->mod, &werr);
        kfree(bytes);
        if (err < 0) {
            kprintf("%s: %s is not a valid WebAssembly module: %s\n", argv[0], path, werr.msg);
            kfree(r);
            return err;
        }
    }
    phase_mark(PHASE_APP_LOADED);
    const char *base = strrchr(argv[0], '/');
    str_copy(r->app.name, base ? base + 1 : argv[0], sizeof r->app.name);
    str_copy(r->app.path, path, sizeof r->app.path);
    str_copy(r->cwd, spec->cwd, sizeof r->cwd);
    r->app.background = spec->background;
    r->app.owned = spec->owned;
    r->no_net = spec->no_net;
    r->port.background = spec->background;
    for (int i = 0; i < 3; i++) {
        r->port.stdio[i] = spec->stdio[i] ? kstream_get(spec->stdio[i]) : kstream_console();
        if (!r->port.stdio[i]) err = ERR_NOMEM;
    }
    if (err == 0) err = copy_args(r, spec);
    if (err < 0) {
        kprintf("%s: %s\n", argv[0],
                err == ERR_2BIG ? "more than 64 environment variables" : "out of memory");
        free_run(r);
        return err;
    }
    struct thread *t = thread_create(r->app.name, app_thread, r, APP_STACK, 0);
    if (!t) {
        kprintf("%s: out of memory for its thread\n", argv[0]);
        free_run(r);
        return ERR_NOMEM;
    }
    t->user = &r->app;
    r->app.thread = t;
    r->app.pid = t->id;
    uint64_t f = irq_save();
    list_push_back(&apps, &r->app.node);
    irq_restore(f);
    *out = &r->app;
    return 0;
}

int app_wait(struct app *a)
{
    struct app_run *r = container_of(a, struct app_run, app);
    int code;
    thread_join(a->thread, 0, &code); /* a kill of the shell does not end it */
    int status = a->status;
    uint64_t f = irq_save();
    list_remove(&a->node);
    irq_restore(f);
    free_run(r);
    return status;
}

/* Background apps are reaped when they end: nobody waits for them. */
static void reap_background(void)
{
    struct list_node *it, *tmp;
    uint64_t f = irq_save();
    list_for_each_safe(it, tmp, &apps)
    {
        struct app *a = list_entry(it, struct app, node);
        if (a->background && !a->owned && a->done && a->thread->state == THREAD_DEAD) {
            irq_restore(f);
            app_wait(a);
            f = irq_save();
        }
    }
    irq_restore(f);
}

int app_kill(int pid)
{
    reap_background();
    struct list_node *it;
    list_for_each(it, &apps)
    {
        struct app *a = list_entry(it, struct app, node);
        if (a->pid == pid && !a->done) {
            thread_kill(a->thread);
            return 0;
        }
    }
    return ERR_NOENT;
}

/* From the serial interrupt: stops every foreground app (a whole pipeline). */
static void ctrl_c(void)
{
    struct list_node *it;
    fg_interrupted = true;
    list_for_each(it, &apps)
    {
        struct app *a = list_entry(it, struct app, node);
        if (!a->background && !a->done) thread_kill(a->thread);
    }
}

void app_fg_begin(void)
{
    reap_background();
    fg_interrupted = false;
    serial_set_interrupt_handler(ctrl_c);
}

void app_fg_end(void)
{
    serial_set_interrupt_handler(NULL);
}

bool app_fg_interrupted(void)
{
    return fg_interrupted;
}
