/*
 * host/kpio-wasm/run_wasi.c - kpio-wasm's WASI mode: runs a command module
 * (preview1 `_start`, or a 0.2 `wasi:cli/run@0.2.N#run` export) or a WASI
 * 0.2 command component (told apart by its header; lib/component/command.h)
 * with lib/wasi over the Linux port, like `wasmtime run`:
 *
 *   kpio-wasm [--dir HOST[::GUEST]]... [--env K=V]... [--allow-net] [--tcplisten IP:PORT]...
 *             [--cacert FILE] [--insecure] [--max-pages N] [--stack N] [--depth N]
 *             [--time] app.wasm [ARGS...]
 *
 * (options parsed by options.c; `kpio-wasm --help` lists them).
 * wasi:http's https requests verify the server against the trust store of
 * host/port/tls_host.h (SSL_CERT_FILE, SSL_CERT_DIR, Debian's bundle),
 * plus the bundle --cacert FILE for this run; --insecure (-k) checks no
 * certificate and says so on stderr at each use.
 * --dir preopens the host directory HOST as GUEST (default: HOST itself);
 * --env adds one environment variable (the app sees no other);
 * --allow-net lets the app open sockets, look up names and send HTTP
 * requests; without it those fail (access-denied, HTTP-request-denied) and
 * the first refusal prints a hint on stderr.
 * --tcplisten gives the app a listening TCP socket on IPv4 IP:PORT as the
 * descriptor after the preopens (as wasmtime's option, for preview1's
 * sock_accept). --jit-cache DIR keeps a core module's machine code in DIR
 * (jit_cache.h) so later runs start without compiling. argv[0] of
 * the app is the module path as given. The exit status is the app's (0 on
 * a normal return, proc_exit's code, 1 when run returned err); a trap
 * prints its reason and the function and exits with 128 + 6 (as an abort),
 * a load or link error with 1 and a usage error with 2.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "component/command.h"
#include "host/kpio-wasm/invoke_comp.h"
#include "host/kpio-wasm/jit_cache.h"
#include "host/kpio-wasm/options.h"
#include "host/port/tls_host.h"
#include "host/port/wasi_host.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

/* Declared for main.c, which dispatches here. */
int run_wasi_main(const struct kpio_options *o);

#define STATUS_TRAP 134

/* Reads the whole file. NULL with errno set when it cannot be opened, read
 * or held in memory: never a silently truncated copy. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    int err = 0;
    for (;;) {
        if (n == cap) {
            uint8_t *p = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap ? cap * 2 : 1 << 16);
            if (!p) {
                err = ENOMEM;
                break;
            }
            buf = p;
            cap = cap ? cap * 2 : 1 << 16;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) err = EIO;
            break;
        }
    }
    fclose(f);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    *len = n;
    return buf;
}

static int report_trap(const struct wasm_trap *trap)
{
    fprintf(stderr, "kpio-wasm: trap: %s", trap->reason);
    if (trap->func_name) fprintf(stderr, " in function %s", trap->func_name);
    if (trap->func_index != UINT32_MAX) fprintf(stderr, " (#%u)", trap->func_index);
    fprintf(stderr, "\n");
    return STATUS_TRAP;
}

/* Opens the preopens through the port; on failure closes what it opened. */
static int open_dirs(struct wasi_port *port, const struct kpio_options *o, struct wasi_preopen *pre)
{
    for (int i = 0; i < o->ndirs; i++) {
        int rc = wasi_host_open_dir(port, o->host_dir[i], &pre[i].dir);
        if (rc) {
            fprintf(stderr, "kpio-wasm: --dir %s: %s\n", o->host_dir[i], err_str(rc));
            while (i-- > 0)
                port->ops->close(port->ctx, pre[i].dir);
            return rc;
        }
        pre[i].guest_path = o->guest_dir[i];
    }
    return 0;
}

/* Opens the --tcplisten sockets; on failure closes what it opened. */
static int open_listeners(struct wasi_port *port, const struct kpio_options *o,
                          struct wasi_port_sock **socks)
{
    for (int i = 0; i < o->nlisten; i++) {
        unsigned b[4], p;
        char end;
        struct wasi_port_addr addr = {.family = 4};
        int rc = ERR_INVAL;
        if (sscanf(o->listen[i], "%u.%u.%u.%u:%u%c", &b[0], &b[1], &b[2], &b[3], &p, &end) == 5 &&
            b[0] < 256 && b[1] < 256 && b[2] < 256 && b[3] < 256 && p < 65536) {
            for (int k = 0; k < 4; k++)
                addr.addr[k] = (uint8_t)b[k];
            addr.port = (uint16_t)p;
            rc = port->ops->tcp_listen(port->ctx, &addr, 128, &socks[i]);
        }
        if (rc) {
            fprintf(stderr, "kpio-wasm: --tcplisten %s: %s\n", o->listen[i], err_str(rc));
            while (i-- > 0)
                port->ops->sock_close(port->ctx, socks[i]);
            return rc;
        }
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* lib/wasi refused the app network access: say how to give it. */
static void tell_net_denied(const char *what)
{
    fprintf(stderr, "kpio-wasm: network access denied (%s); run with --allow-net to allow it\n",
            what);
}

/* The process's peak resident memory since it started this program: the
 * VmHWM line of /proc/self/status (getrusage's ru_maxrss would include what
 * the parent had before the exec). */
static long peak_rss_kib(void)
{
    char line[128];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    if (f) fclose(f);
    return kib;
}

/* --time: the run's wall-clock time and the process's peak memory. */
static void report_time(const struct kpio_options *o, double start)
{
    if (o->time)
        fprintf(stderr, "time: %.6f s\npeak resident memory: %ld KiB\n", now_seconds() - start,
                peak_rss_kib());
}

/* Instantiates and runs a core module; returns the process exit status. */
static int run_module(struct wasm_module *mod, struct wasi_ctx *w, const struct kpio_options *o)
{
    struct wasm_instance *inst;
    struct wasm_error err;
    struct wasm_trap trap;
    double loaded = now_seconds();
    if (o->cfg.engine == WASM_ENGINE_JIT) host_jit_cache_load(o->jit_cache, mod);
    int rc = wasm_instance_new(mod, &o->cfg, wasi_resolve, w, &inst, &err, &trap);
    if (rc == 0 && o->time) fprintf(stderr, "start: %.6f s\n", now_seconds() - loaded);
    if (rc == 0) host_jit_cache_save(o->jit_cache, mod);
    if (rc == ERR_FAULT) {
        int status = trap.kind == WASM_TRAP_EXIT ? trap.exit_code : report_trap(&trap);
        wasm_instance_free(inst);
        return status;
    }
    if (rc) {
        fprintf(stderr, "kpio-wasm: %s: %s\n", o->path, err.msg);
        return 1;
    }
    int status = 0;
    double start = now_seconds();
    rc = wasi_run(w, inst, &status, &trap);
    report_time(o, start);
    if (rc == ERR_FAULT)
        status = report_trap(&trap);
    else if (rc == ERR_NOENT)
        fprintf(stderr, "kpio-wasm: %s: no _start or wasi:cli/run export\n", o->path);
    else if (rc)
        fprintf(stderr, "kpio-wasm: %s: bad entry point type\n", o->path);
    if (rc && rc != ERR_FAULT) status = 1;
    wasm_instance_free(inst);
    return status;
}

/* Instantiates and runs a command component (lib/component/command.h):
 * the process exit status. */
static int run_component(struct comp *c, struct wasi_ctx *w, const struct kpio_options *o)
{
    struct comp_instance *ci;
    struct comp_error err;
    struct wasm_trap trap;
    double loaded = now_seconds();
    if (o->cfg.engine == WASM_ENGINE_JIT) host_jit_cache_load_comp(o->jit_cache, c);
    int rc = comp_command_instantiate(c, w, &o->cfg, &ci, &err, &trap);
    if (rc == 0 && o->time) fprintf(stderr, "start: %.6f s\n", now_seconds() - loaded);
    if (rc == 0) host_jit_cache_save_comp(o->jit_cache, c);
    if (rc == ERR_FAULT) return trap.kind == WASM_TRAP_EXIT ? trap.exit_code : report_trap(&trap);
    if (rc) {
        fprintf(stderr, "kpio-wasm: %s: %s\n", o->path, err.msg);
        return 1;
    }
    int status = 0;
    double start = now_seconds();
    rc = comp_command_run(ci, &status, &trap, &err);
    report_time(o, start);
    if (rc == ERR_FAULT) {
        status = report_trap(&trap);
    } else if (rc) {
        fprintf(stderr, "kpio-wasm: %s: %s\n", o->path, err.msg);
        status = 1;
    }
    comp_instance_free(ci);
    return status;
}

/* What the file holds: a core module, or a component (which borrows the
 * bytes). Loads and checks it; 0, or 1 after saying why on stderr. */
struct program {
    uint8_t *bytes;
    struct wasm_module *mod;
    struct comp *comp;
};

static int load_program(const char *path, struct program *p)
{
    size_t len;
    p->mod = NULL, p->comp = NULL;
    p->bytes = slurp(path, &len);
    if (!p->bytes) {
        fprintf(stderr, "kpio-wasm: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (comp_header(p->bytes, len) == COMP_HEADER_COMPONENT) {
        struct comp_error cerr;
        int rc = comp_load(p->bytes, len, &p->comp, &cerr);
        if (rc == 0) rc = comp_command_check(p->comp, &cerr);
        if (rc)
            fprintf(stderr, "kpio-wasm: %s: %s%s\n", path,
                    rc == ERR_BADMSG  ? "malformed component: "
                    : rc == ERR_INVAL ? "invalid component: "
                                      : "",
                    cerr.msg);
        return rc ? 1 : 0;
    }
    struct wasm_error err;
    int rc = wasm_module_load(p->bytes, len, &p->mod, &err);
    free(p->bytes);
    p->bytes = NULL;
    if (rc)
        fprintf(stderr, "kpio-wasm: %s: %s: %s\n", path,
                rc == ERR_BADMSG ? "malformed module" : "invalid module", err.msg);
    return rc ? 1 : 0;
}

static void free_program(struct program *p)
{
    comp_free(p->comp);
    free(p->bytes);
    if (p->mod) wasm_module_free(p->mod);
}

int run_wasi_main(const struct kpio_options *o)
{
    struct program prog;
    double reading = now_seconds();
    if (load_program(o->path, &prog)) {
        free_program(&prog);
        return 1;
    }
    if (o->time) fprintf(stderr, "load: %.6f s\n", now_seconds() - reading);
    int rc;
    struct wasi_port port;
    struct wasi_preopen pre[KPIO_MAX_DIRS];
    struct wasi_port_sock *socks[KPIO_MAX_DIRS];
    int status = 1;
    struct host_tls *tls = host_tls_new(o->cacert, o->insecure);
    bool dirs_open = false;
    if (wasi_host_port_new(&port) == 0 && (dirs_open = open_dirs(&port, o, pre) == 0) &&
        open_listeners(&port, o, socks) == 0) {
        struct wasi_config cfg = {
            .port = port,
            .argc = o->app_argc,
            .argv = (const char *const *)o->app_argv,
            .envc = o->nenv,
            .envp = o->env,
            .npreopens = (size_t)o->ndirs,
            .preopens = pre,
            .nsockets = (size_t)o->nlisten,
            .sockets = socks,
            .cwd = o->ndirs ? o->guest_dir[0] : NULL,
            .tls = tls ? host_tls_provider(tls) : NULL,
            .allow_net = o->allow_net,
            .max_host_bytes = (size_t)o->max_host_mib << 20,
            .net_denied = tell_net_denied,
        };
        struct wasi_ctx *w;
        rc = wasi_ctx_new(&cfg, &w);
        if (rc) {
            fprintf(stderr, "kpio-wasm: WASI set-up failed: %s\n", err_str(rc));
        } else {
            fflush(stdout);
            if (prog.comp && o->invoke)
                status = invoke_component(prog.comp, w, o);
            else
                status = prog.comp ? run_component(prog.comp, w, o) : run_module(prog.mod, w, o);
            wasi_ctx_free(w);
        }
        wasi_host_port_free(&port);
    } else if (dirs_open) {
        for (int i = 0; i < o->ndirs; i++)
            port.ops->close(port.ctx, pre[i].dir);
    }
    host_tls_free(tls);
    free_program(&prog);
    return status;
}
