/*
 * kernel/wasm/serve.c - the shell's `serve` (serve.h): serves HTTP/1.1
 * from a wasi:http incoming handler, as `kpio-wasm serve` does on the host
 * and with the same portable parts: lib/serve/conn.c for each connection
 * (over ksock here) and lib/serve/handler.c for the handler, loaded and
 * validated once by app.c (its JIT code compiled once, by the first
 * instance, and copied for the others).
 *
 * The app's thread listens; each connection gets a kernel thread of its
 * own, at most KSERVE_MAX_CONNS at once: a connection beyond them (or
 * one whose thread finds no memory) is handled by lib/serve's overload
 * policy (serve/admit.h: it waits a while for another to end, then is
 * answered 503 and closed). Each request runs in a fresh
 * instance with its own WASI context and memory budget (the app limit,
 * `ulimit -v`); a trap, an exhausted budget or a run past the handler
 * timeout answers 500 (504) and only that request fails; the handler
 * timeout also ends the port's waits (kport.kill_deadline), so a handler
 * blocked in a poll gets its 504 and frees its worker. The listener joins
 * the threads of ended connections when it accepts the next one, and at
 * the latest REAP_MS after they end while any is there. A kill of the app
 * (kill %N, Ctrl-C) ends the accept wait; the listener then kills its
 * connections' threads (their waits end, a running handler is
 * interrupted), joins them and returns.
 */
#include "kernel/wasm/serve.h"

#include "base/budget.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "base/util.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/net/knet.h"
#include "kernel/net/ktls.h"
#include "kernel/sched/sched.h"
#include "serve/admit.h"
#include "serve/conn.h"
#include "serve/handler.h"
#include "kernel/time/clock.h"
#include "wasi/wasi.h"
#include "kernel/wasm/app.h"
#include "kernel/wasm/kport.h"
#include "kernel/wasm/stream.h"
#include "wasm/wasm.h"

#define CONN_STACK (512 * 1024) /* as an app's: handlers run on it */
#define REAP_MS    1000         /* ended connection threads are joined this soon */

struct kserve;

struct worker {
    struct kserve *sv;
    struct thread *t; /* NULL: a free slot */
    struct ksock *sock;
    bool ended; /* conn_thread is returning: join it */
};

struct kserve {
    const struct kserve_spec *spec;
    struct serve_limits lim;
    struct worker workers[KSERVE_MAX_CONNS];
    struct waitq ended; /* woken when a connection thread ends */
};

/* A decimal number from 1 to max, the whole of s: true with *out. */
static bool parse_num(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t n = 0;
    const char *d = s;
    for (; *d >= '0' && *d <= '9' && n <= max; d++)
        n = n * 10 + (uint64_t)(*d - '0');
    if (*d || d == s || n == 0 || n > max) return false;
    *out = (uint32_t)n;
    return true;
}

/* "A.B.C.D:PORT": true with *addr and *port. */
static bool parse_addr(const char *a, uint32_t *addr, uint16_t *port)
{
    const char *colon = strrchr(a, ':');
    char ip[16];
    uint32_t p;
    if (!colon || (size_t)(colon - a) >= sizeof ip) return false;
    memcpy(ip, a, (size_t)(colon - a));
    ip[colon - a] = 0;
    if (net_ip_parse(ip, addr) < 0 || !parse_num(colon + 1, 65535, &p)) return false;
    *port = (uint16_t)p;
    return true;
}

int kserve_args(char *const *argv, struct kserve_opts *opts, const char **handler)
{
    *opts = (struct kserve_opts){
        .addr = 0, .port = KSERVE_DEFAULT_PORT, .handler_ms = KSERVE_DEFAULT_HANDLER_MS};
    for (; argv[0] && argv[0][0] == '-'; argv += 2) {
        bool ok = argv[1] != NULL;
        if (ok && !strcmp(argv[0], "--addr"))
            ok = parse_addr(argv[1], &opts->addr, &opts->port);
        else if (ok && !strcmp(argv[0], "--handler-timeout"))
            ok = parse_num(argv[1], 24 * 3600 * 1000, &opts->handler_ms);
        else
            ok = false;
        if (!ok) return ERR_INVAL;
    }
    if (!argv[0] || argv[1]) return ERR_INVAL;
    *handler = argv[0];
    return 0;
}

/* ---- the byte stream of a connection (lib/serve's seam over ksock) -------------- */

static long sock_recv(void *ctx, void *buf, size_t len, uint64_t deadline)
{
    /* deadline 0 is serve_io's "do not wait" (and ksock's "no deadline") */
    long n = deadline ? ksock_recv(ctx, buf, len, deadline) : ksock_try_recv(ctx, buf, len);
    return n == ERR_TIMEDOUT || n == ERR_AGAIN || n >= 0 ? n : ERR_CONNRESET;
}

static int sock_send(void *ctx, const struct serve_piece *v, int n, uint32_t idle_ms)
{
    for (int i = 0; i < n; i++) {
        size_t done = 0;
        while (done < v[i].len) { /* each bit of progress within idle_ms */
            long k = ksock_send(ctx, (const char *)v[i].data + done, v[i].len - done,
                                clock_monotonic_ns() + (uint64_t)idle_ms * NS_PER_MS);
            if (k <= 0) return k == ERR_TIMEDOUT ? ERR_TIMEDOUT : ERR_CONNRESET;
            done += (size_t)k;
        }
    }
    return 0;
}

static uint64_t sock_now(void *ctx)
{
    (void)ctx;
    return clock_monotonic_ns();
}

/* ---- one request ------------------------------------------------------------------- */

static int past_deadline(void *user, struct wasm_instance *inst)
{
    (void)inst;
    return thread_should_stop() || clock_monotonic_ns() > *(const uint64_t *)user ? WASM_STOP
                                                                                  : WASM_CONTINUE;
}

/* Runs the handler on the request in c, in a fresh instance. */
static void handle_request(void *user, struct serve_conn *c)
{
    const struct kserve_spec *spec = ((struct kserve *)user)->spec;
    struct wasi_port_file *root = NULL;
    if (kport_open_dir("/", &root) < 0) {
        serve_conn_simple(c, 500, true);
        return;
    }
    uint64_t deadline = WASI_PORT_NO_DEADLINE; /* set before the handler runs */
    struct kport port = *spec->stdio;
    port.background = true;         /* no console input */
    port.kill_deadline = &deadline; /* a handler blocked in a poll is cut off, too */
    struct wasi_preopen pre[1] = {{"/", root}};
    const char *argv0 = spec->path;
    static const char *const env[] = {"PATH=/apps", "HOME=/", "TERM=vt100"};
    struct mem_budget budget = {.limit = app_memory_limit(), .used = 0};
    struct wasi_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.port.ops = &kport_ops;
    cfg.port.ctx = &port;
    cfg.argc = 1;
    cfg.argv = &argv0;
    cfg.envc = 3;
    cfg.envp = env;
    cfg.preopens = pre;
    cfg.npreopens = 1;
    cfg.cwd = "/";
    cfg.allow_net = !spec->no_net;
    cfg.tls = ktls_provider();
    cfg.budget = &budget;
    struct wasi_ctx *w;
    if (wasi_ctx_new(&cfg, &w) < 0) { /* it owns root from here on, even on failure */
        serve_conn_simple(c, 500, true);
        return;
    }
    struct wasm_config wc;
    app_wasm_config(&wc, &budget);
    deadline = clock_monotonic_ns() + (uint64_t)c->lim->handler_ms * NS_PER_MS;
    wc.interrupt = past_deadline;
    wc.interrupt_user = &deadline;
    struct wasi_http_incoming in;
    serve_conn_incoming(c, &in);
    uint32_t req, out;
    struct wasm_trap trap = {0};
    struct wasm_error err = {.msg = ""};
    int rc = wasi_http_incoming_new(w, &in, &req, &out);
    if (!rc) rc = serve_handler_call(spec->h, w, &wc, req, out, &trap, &err);
    /* Stopped by the interrupt hook, or in a wait that the deadline ended. */
    bool timed_out =
        rc == ERR_FAULT && (trap.kind == WASM_TRAP_KILLED || clock_monotonic_ns() >= deadline);
    if (rc == ERR_FAULT && !timed_out)
        kprintf("%s: %s %s: trap: %s\n", spec->name, c->method, c->target, trap.reason);
    else if (rc && rc != ERR_FAULT)
        kprintf("%s: %s\n", spec->name, err.msg[0] ? err.msg : err_str(rc));
    serve_conn_after_handler(c, timed_out, wasi_http_outcome(w));
    wasi_ctx_free(w);
}

/* ---- connections ---------------------------------------------------------------------- */

static void conn_thread(void *arg)
{
    struct worker *wk = arg;
    struct serve_io io = {
        .ctx = wk->sock, .recv = sock_recv, .send = sock_send, .now_ns = sock_now};
    struct serve_conn c;
    if (serve_conn_init(&c, &io, &wk->sv->lim) == 0 &&
        kport_sock_borrow(wk->sock, &c.wait_sock) == 0) /* handlers poll their request body */
        serve_conn_run(&c, handle_request, wk->sv);
    if (c.wait_sock) kport_sock_unborrow(c.wait_sock);
    serve_conn_free(&c);
    ksock_close(wk->sock);
    wk->ended = true;
    waitq_wake_all(&wk->sv->ended);
}

/* Joins the connection threads that ended; with stop, kills and joins all. */
static void reap(struct kserve *sv, bool stop)
{
    for (int i = 0; i < KSERVE_MAX_CONNS; i++) {
        struct worker *wk = &sv->workers[i];
        if (!wk->t || (!stop && !wk->ended)) continue;
        if (stop) thread_kill(wk->t);
        int code;
        thread_join(wk->t, 0, &code); /* our own kill does not end this wait */
        wk->t = NULL;
    }
}

/* How long the accept wait may last: for ever with no connection thread;
 * with some, REAP_MS, so that the stacks of those that ended are freed
 * soon even when no new connection comes. */
static uint64_t reap_deadline(const struct kserve *sv)
{
    for (int i = 0; i < KSERVE_MAX_CONNS; i++)
        if (sv->workers[i].t) return clock_monotonic_ns() + (uint64_t)REAP_MS * NS_PER_MS;
    return 0;
}

/* True when a connection thread has ended and waits to be joined. */
static bool any_ended(const struct kserve *sv)
{
    for (int i = 0; i < KSERVE_MAX_CONNS; i++)
        if (sv->workers[i].t && sv->workers[i].ended) return true;
    return false;
}

/* Starts a connection thread for s in a free slot (joining the ended
 * ones first): false if there is no free slot or no memory for the
 * thread. */
static bool start_conn(struct kserve *sv, struct ksock *s)
{
    reap(sv, false);
    for (int i = 0; i < KSERVE_MAX_CONNS; i++) {
        struct worker *wk = &sv->workers[i];
        if (wk->t) continue;
        *wk = (struct worker){.sv = sv, .sock = s};
        wk->t = thread_create("serve-conn", conn_thread, wk, CONN_STACK, 0);
        return wk->t != NULL;
    }
    return false;
}

/* The listener's side of lib/serve's overload policy (serve/admit.h)
 * for the accepted connection s. */
struct admit {
    struct kserve *sv;
    struct ksock *s;
};

static bool admit_start(void *ctx)
{
    struct admit *a = ctx;
    return start_conn(a->sv, a->s); /* it joined every ended thread */
}

static bool admit_wait_end(void *ctx, uint64_t deadline_ns)
{
    struct kserve *sv = ((struct admit *)ctx)->sv;
    return WAIT_EVENT(&sv->ended, any_ended(sv), deadline_ns) >= 0;
}

static void admit_refuse(void *ctx, const char *resp, size_t len)
{
    struct admit *a = ctx;
    kprintf("%s: no connection thread free within %u ms: 503\n", a->sv->spec->name,
            (unsigned)SERVE_BUSY_WAIT_MS);
    ksock_send(a->s, resp, len, clock_monotonic_ns() + NS_PER_SEC);
    ksock_close(a->s);
}

/* Serves s on a thread of its own, or answers it 503 (serve/admit.h). */
static void accept_one(struct kserve *sv, struct ksock *s)
{
    struct admit a = {sv, s};
    struct serve_admit_ops ops = {.ctx = &a,
                                  .start = admit_start,
                                  .wait_end = admit_wait_end,
                                  .now_ns = sock_now,
                                  .refuse = admit_refuse};
    serve_admit(&ops);
}

int kserve_run(const struct kserve_spec *spec)
{
    struct kserve *sv = kzalloc(sizeof *sv);
    if (!sv) return 1;
    sv->spec = spec;
    waitq_init(&sv->ended);
    sv->lim = (struct serve_limits){
        .head_ms = 10000, .idle_ms = 30000, .io_ms = 30000, .handler_ms = spec->opts.handler_ms};
    struct ksock *l;
    char ip[16], line[64];
    net_ip_format(spec->opts.addr, ip);
    int err = ksock_tcp_listen(spec->opts.addr, spec->opts.port, KSERVE_MAX_CONNS, &l);
    if (err < 0) {
        kprintf("%s: cannot listen on %s:%u: %s\n", spec->name, ip, spec->opts.port, err_str(err));
        kfree(sv);
        return 1;
    }
    size_t n =
        fmt_snprintf(line, sizeof line, "Serving HTTP on http://%s:%u/\n", ip, spec->opts.port);
    kstream_write(spec->stdio->stdio[1], line, n);
    for (;;) {
        struct ksock *s;
        err = ksock_accept(l, reap_deadline(sv), &s);
        if (err == ERR_CANCELED || thread_should_stop()) {
            if (err == 0) ksock_close(s);
            break;
        }
        if (err == 0)
            accept_one(sv, s);
        else
            reap(sv, false);
    }
    ksock_close(l);
    reap(sv, true);
    kfree(sv);
    return 0;
}
