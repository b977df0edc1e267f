/*
 * lib/wasi/ctx.c - the WASI context: creation (arguments, environment,
 * console, preopens), the preview1 descriptor table, the 0.2 dispatcher
 * and running a command's entry point. The import resolver is imports.c's.
 */
#include "base/env.h"
#include "base/mem.h"
#include "wasi/internal.h"

/* Copies n C strings into one allocation of pointers followed by the
 * bytes; *size gets the bytes of the strings with their NULs. */
static char **copy_strings(int n, const char *const *src, uint32_t *size)
{
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
        if (!src[i]) return NULL;
        bytes += strlen(src[i]) + 1;
    }
    if (bytes > UINT32_MAX / 2) return NULL;
    char **out = mem_alloc(sizeof(char *) * (size_t)(n + 1) + bytes);
    if (!out) return NULL;
    char *p = (char *)(out + n + 1);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(src[i]) + 1;
        memcpy(p, src[i], len);
        out[i] = p;
        p += len;
    }
    out[n] = NULL;
    *size = (uint32_t)bytes;
    return out;
}

static char *copy_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mem_alloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

int wasi_fd_install(struct wasi_ctx *w, struct wasi_fd *fd, uint32_t min)
{
    uint32_t n = min;
    while (n < w->nfds && w->fds[n])
        n++;
    if (n >= WASI_MAX_FDS) return ERR_MFILE;
    if (n >= w->fds_cap) {
        uint32_t cap = w->fds_cap ? w->fds_cap * 2 : 16;
        while (cap <= n)
            cap *= 2;
        struct wasi_fd **fds = mem_realloc(w->fds, sizeof(*fds) * cap);
        if (!fds) return ERR_NOMEM;
        for (uint32_t i = w->fds_cap; i < cap; i++)
            fds[i] = NULL;
        w->fds = fds;
        w->fds_cap = cap;
    }
    w->fds[n] = fd;
    if (n >= w->nfds) w->nfds = n + 1;
    return (int)n;
}

struct wasi_fd *wasi_fd_get(struct wasi_ctx *w, uint32_t n)
{
    return n < w->nfds ? w->fds[n] : NULL;
}

int wasi_fd_destroy(struct wasi_ctx *w, struct wasi_fd *fd)
{
    int rc = 0;
    if (fd->owned && fd->file) rc = w->port.ops->close(w->port.ctx, fd->file);
    if (fd->owned && fd->sock) w->port.ops->sock_close(w->port.ctx, fd->sock);
    mem_free(fd->preopen);
    mem_free(fd);
    return rc;
}

/* Installs console stream i as descriptor i. */
static int install_console(struct wasi_ctx *w, int i)
{
    int rc = w->port.ops->stdio(w->port.ctx, i, &w->console[i]);
    if (rc) return rc;
    struct wasi_fd *fd = mem_zalloc(sizeof *fd);
    if (!fd) return ERR_NOMEM;
    struct wasi_port_stat st;
    fd->filetype = WASI_PORT_FT_CHARACTER_DEVICE;
    if (w->port.ops->fstat(w->port.ctx, w->console[i], &st) == 0) fd->filetype = st.filetype;
    fd->file = w->console[i];
    fd->rights_base = fd->filetype == WASI_PORT_FT_REGULAR_FILE ? RIGHTS_FILE : RIGHTS_TTY;
    rc = wasi_fd_install(w, fd, (uint32_t)i);
    if (rc < 0) mem_free(fd);
    return rc < 0 ? rc : 0;
}

static int install_preopen(struct wasi_ctx *w, const struct wasi_preopen *p, bool *taken)
{
    struct wasi_fd *fd = mem_zalloc(sizeof *fd);
    char *name = p->guest_path ? copy_str(p->guest_path) : NULL;
    if (!fd || !name) {
        mem_free(fd);
        mem_free(name);
        return p->guest_path ? ERR_NOMEM : ERR_INVAL;
    }
    fd->file = p->dir;
    fd->owned = true;
    fd->filetype = WASI_PORT_FT_DIRECTORY;
    fd->preopen = name;
    fd->rights_base = RIGHTS_DIR;
    fd->rights_inh = RIGHTS_DIR | RIGHTS_FILE;
    int rc = wasi_fd_install(w, fd, 3);
    if (rc < 0) {
        mem_free(name);
        mem_free(fd);
        return rc;
    }
    *taken = true;
    return 0;
}

/* Installs a listening socket as the next descriptor (as wasmtime's
 * --tcplisten does), for preview1's sock_accept. */
static int install_socket(struct wasi_ctx *w, struct wasi_port_sock *s, bool *taken)
{
    struct wasi_fd *fd = mem_zalloc(sizeof *fd);
    if (!fd) return ERR_NOMEM;
    fd->sock = s;
    fd->owned = true;
    fd->filetype = WASI_PORT_FT_SOCKET_STREAM;
    fd->rights_base = RIGHTS_SOCK;
    int rc = wasi_fd_install(w, fd, 3);
    if (rc < 0) {
        mem_free(fd);
        return rc;
    }
    *taken = true;
    return 0;
}

int wasi_ctx_new(const struct wasi_config *cfg, struct wasi_ctx **out)
{
    *out = NULL;
    size_t taken = 0, socks = 0;
    int rc = ERR_NOMEM;
    struct wasi_ctx *w = mem_zalloc(sizeof *w);
    if (!w) goto fail_preopens;
    w->port = cfg->port;
    if (!w->port.ops || !w->port.ops->stdio || !w->port.ops->close || cfg->argc < 0 ||
        cfg->envc < 0) {
        rc = ERR_INVAL;
        goto fail;
    }
    w->argc = cfg->argc;
    w->envc = cfg->envc;
    w->argv = copy_strings(cfg->argc, cfg->argv, &w->args_size);
    w->envp = copy_strings(cfg->envc, cfg->envp, &w->env_size);
    w->cwd = cfg->cwd ? copy_str(cfg->cwd) : NULL;
    w->tls = cfg->tls;
    w->own_budget.limit = cfg->max_host_bytes ? cfg->max_host_bytes : WASI_DEFAULT_HOST_BYTES;
    w->budget = cfg->budget ? cfg->budget : &w->own_budget;
    w->allow_net = cfg->allow_net;
    w->net_denied = cfg->net_denied;
    if (!w->argv || !w->envp || (cfg->cwd && !w->cwd)) goto fail;
    for (int i = 0; i < 3; i++)
        if ((rc = install_console(w, i)) != 0) goto fail;
    for (; taken < cfg->npreopens; taken++) {
        bool ok = false;
        rc = install_preopen(w, &cfg->preopens[taken], &ok);
        if (!ok) goto fail;
    }
    if (cfg->nsockets && !w->port.ops->sock_close) {
        rc = ERR_INVAL;
        goto fail;
    }
    for (; socks < cfg->nsockets; socks++) {
        bool ok = false;
        rc = install_socket(w, cfg->sockets[socks], &ok);
        if (!ok) goto fail;
    }
    if ((rc = wasi_p2_new(w)) != 0) goto fail;
    *out = w;
    return 0;
fail:
    wasi_ctx_free(w);
fail_preopens:
    for (size_t i = taken; i < cfg->npreopens; i++)
        cfg->port.ops->close(cfg->port.ctx, cfg->preopens[i].dir);
    for (size_t i = socks; i < cfg->nsockets && cfg->port.ops->sock_close; i++)
        cfg->port.ops->sock_close(cfg->port.ctx, cfg->sockets[i]);
    return rc;
}

void wasi_ctx_free(struct wasi_ctx *w)
{
    if (!w) return;
    wasi_p2_free(w);
    for (uint32_t i = 0; i < w->nfds; i++)
        if (w->fds[i]) wasi_fd_destroy(w, w->fds[i]);
    mem_free(w->fds);
    for (int i = 0; i < 3; i++)
        if (w->console[i]) w->port.ops->close(w->port.ctx, w->console[i]);
    while (w->bindings) {
        struct wasi_p2_binding *b = w->bindings;
        w->bindings = b->next;
        mem_free(b);
    }
    mem_free(w->argv);
    mem_free(w->envp);
    mem_free(w->cwd);
    mem_free(w);
}

/*
 * Every 0.2 host function is entered here. A module's cabi_realloc runs
 * while a 0.2 call is half done (a list being returned); if it called a
 * 0.2 function itself, that function could change or free what the
 * unfinished call still uses, so such a call traps. Preview1 functions
 * touch no 0.2 state and stay callable.
 */
int wasi_p2_dispatch(struct wasm_host_call *call, const wasm_value *a, wasm_value *r)
{
    const struct wasi_p2_binding *b = call->user;
    if (b->w->in_realloc)
        return wasm_host_trap(call, "a WASI 0.2 function was called from cabi_realloc");
    struct wasm_host_call c = *call;
    c.user = b->w;
    if (!b->lowered) return b->fn(&c, a, r);
    /* A canon lower: its options' memory and realloc for this call (0.2
     * calls do not nest: see the guard above). */
    struct wasi_ctx *w = b->w;
    struct wasm_func *realloc = w->realloc;
    bool looked_up = w->realloc_looked_up;
    c.memory = b->memory;
    w->realloc = b->realloc;
    w->realloc_looked_up = true;
    w->lowered = true;
    int rc = b->fn(&c, a, r);
    w->realloc = realloc;
    w->realloc_looked_up = looked_up;
    w->lowered = false;
    return rc;
}

/* The export "wasi:cli/run@0.2.N#run", or NULL. */
static struct wasm_func *find_p2_run(struct wasm_instance *inst)
{
    const struct wasm_module *mod = wasm_instance_module(inst);
    uint32_t n = wasm_module_export_count(mod);
    for (uint32_t i = 0; i < n; i++) {
        enum wasm_extern_kind kind;
        const char *name = wasm_module_export(mod, i, &kind);
        if (kind != WASM_EXTERN_FUNC || !str_has_prefix(name, "wasi:cli/run@0.2.")) continue;
        const char *hash = strchr(name, '#');
        if (hash && !strcmp(hash, "#run")) return wasm_instance_func(inst, name);
    }
    return NULL;
}

/* Calls f (no parameters, nresults results); 0, or ERR_FAULT with an exit
 * already turned into *status. */
static int call_entry(struct wasm_func *f, uint32_t nresults, int *status, bool *exited,
                      struct wasm_trap *trap, wasm_value *result)
{
    int rc = wasm_call(f, NULL, 0, result, nresults, trap);
    if (rc == ERR_FAULT && trap->kind == WASM_TRAP_EXIT) {
        *status = trap->exit_code;
        *exited = true;
        return 0;
    }
    return rc;
}

int wasi_run(struct wasi_ctx *w, struct wasm_instance *inst, int *status, struct wasm_trap *trap)
{
    (void)w;
    *status = 0;
    struct wasm_func *start = wasm_instance_func(inst, "_start");
    struct wasm_func *run = start ? NULL : find_p2_run(inst);
    struct wasm_func *f = start ? start : run;
    if (!f) return ERR_NOENT;
    const struct wasm_functype *t = wasm_func_type(f);
    if (t->nparams != 0 || t->nresults > (start ? 0u : 1u)) return ERR_INVAL;
    bool exited = false;
    wasm_value result = {0};
    struct wasm_func *init = wasm_instance_func(inst, "_initialize");
    if (init && wasm_func_type(init)->nparams == 0 && wasm_func_type(init)->nresults == 0) {
        int rc = call_entry(init, 0, status, &exited, trap, &result);
        if (rc || exited) return rc;
    }
    int rc = call_entry(f, t->nresults, status, &exited, trap, &result);
    if (rc || exited) return rc;
    if (run && t->nresults == 1) *status = result.u32 == 0 ? 0 : 1;
    return 0;
}
