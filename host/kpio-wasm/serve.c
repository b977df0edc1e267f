/*
 * host/kpio-wasm/serve.c - `kpio-wasm serve`: serves HTTP/1.1 from a
 * wasi:http/incoming-handler, like `wasmtime serve`:
 *
 *   kpio-wasm serve [--addr ADDR:PORT] [--max-conns N] [--head-timeout MS]
 *                   [--handler-timeout MS] [OPTIONS] HANDLER.wasm
 *
 * (OPTIONS as for running a program: --allow-net for the handler's own
 * outgoing requests, --dir HOST[::GUEST] for its files (opened for each
 * instance), --max-host-mib, --max-pages, --engine...).
 * HANDLER.wasm is a component exporting wasi:http/incoming-handler@0.2.N
 * or a core module exporting "wasi:http/incoming-handler@0.2.N#handle"
 * under the canonical ABI (and _initialize, called first, if it has one).
 * It is loaded and checked once; every request gets a fresh instance with
 * its own lib/wasi context and budget.
 *
 * Concurrency: one thread per connection, at most --max-conns (default
 * 64); a connection beyond them follows lib/serve's overload policy, as
 * in the kernel's serve (serve/admit.h: it waits a while for a worker to
 * end, and only then gets 503 and is closed). A worker, not an
 * event loop, because a handler runs synchronously inside lib/wasm: its
 * host calls (body reads and writes, polls, outgoing requests) block, so a
 * loop would stall every other client behind one handler; threads let
 * handlers run on every core, and each wait has a deadline (lib/serve),
 * so a slow client only ever holds its own worker, for a bounded time.
 * A handler that runs past --handler-timeout is stopped (lib/wasm's
 * interrupt hook) and answered 504 if nothing was sent; a trap or an
 * exhausted budget is answered 500.
 *
 * Prints "Serving HTTP on http://ADDR:PORT/" on stderr once listening;
 * SIGINT or SIGTERM stops accepting, lets the connections in progress end
 * (up to 10 s) and exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/error.h"
#include "host/kpio-wasm/native_stack.h"
#include "host/kpio-wasm/options.h"
#include "host/kpio-wasm/serve.h"
#include "serve/admit.h"
#include "serve/handler.h"
#include "host/port/wasi_host.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

int serve_main(int argc, char **argv);

struct server {
    struct kpio_options o;
    struct serve_limits lim;
    uint32_t max_conns;
    /* the handler, loaded once */
    uint8_t *bytes;
    struct serve_handler handler;
    /* connections */
    pthread_mutex_t lock;
    pthread_cond_t ended; /* a worker ended (on CLOCK_MONOTONIC) */
    uint32_t active;
};

static int stop_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    (void)sig;
    char b = 1;
    ssize_t n = write(stop_pipe[1], &b, 1);
    (void)n;
}

/* ---- the handler ------------------------------------------------------------- */

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *p = realloc(buf, cap *= 2);
        if (!p) free(buf);
        buf = p;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Loads and checks the handler; 0, or 1 after saying why. */
static int load_handler(struct server *sv)
{
    const char *path = sv->o.path;
    size_t len;
    sv->bytes = slurp(path, &len);
    if (!sv->bytes) {
        fprintf(stderr, "kpio-wasm: %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct wasm_error err;
    if (serve_handler_load(&sv->handler, sv->bytes, len, &err)) {
        fprintf(stderr, "kpio-wasm: %s: %s\n", path, err.msg);
        return 1;
    }
    return 0;
}

static int past_deadline(void *user, struct wasm_instance *inst)
{
    (void)inst;
    return serve_now_ns() > *(const uint64_t *)user ? WASM_STOP : WASM_CONTINUE;
}

/* Runs the handler on the request in c, in a fresh instance. */
static void handle_request(void *user, struct serve_conn *c)
{
    struct server *sv = user;
    struct wasi_port port;
    struct wasi_ctx *w = NULL;
    uint64_t deadline = UINT64_MAX; /* set before the handler runs */
    if (wasi_host_port_new(&port)) {
        serve_conn_simple(c, 500, true);
        return;
    }
    wasi_host_port_set_kill_deadline(&port, &deadline); /* a handler blocked in a poll, too */
    const char *argv0 = sv->o.path;
    struct wasi_preopen pre[KPIO_MAX_DIRS];
    for (int i = 0; i < sv->o.ndirs; i++) { /* --dir: the handler's files, per instance */
        pre[i].guest_path = sv->o.guest_dir[i];
        if (wasi_host_open_dir(&port, sv->o.host_dir[i], &pre[i].dir)) {
            while (i-- > 0)
                port.ops->close(port.ctx, pre[i].dir);
            wasi_host_port_free(&port);
            serve_conn_simple(c, 500, true);
            return;
        }
    }
    struct wasi_config cfg = {
        .port = port,
        .argc = 1,
        .argv = &argv0,
        .npreopens = (size_t)sv->o.ndirs,
        .preopens = pre,
        .allow_net = sv->o.allow_net,
        .max_host_bytes = (size_t)sv->o.max_host_mib << 20,
    };
    if (wasi_ctx_new(&cfg, &w)) {
        wasi_host_port_free(&port);
        serve_conn_simple(c, 500, true);
        return;
    }
    struct wasi_http_incoming in;
    serve_conn_incoming(c, &in);
    uint32_t req, out;
    deadline = serve_now_ns() + (uint64_t)sv->lim.handler_ms * 1000000u;
    struct wasm_config wc = sv->o.cfg;
    wc.native_stack_floor = host_native_stack_floor(); /* this worker's stack, not main's */
    wc.interrupt = past_deadline;
    wc.interrupt_user = &deadline;
    struct wasm_trap trap = {0};
    int rc = wasi_http_incoming_new(w, &in, &req, &out);
    struct wasm_error err = {.msg = ""};
    if (!rc) rc = serve_handler_call(&sv->handler, w, &wc, req, out, &trap, &err);
    if (rc && rc != ERR_FAULT && err.msg[0]) fprintf(stderr, "kpio-wasm: %s\n", err.msg);
    enum wasi_http_outcome oc = wasi_http_outcome(w);
    if (rc == ERR_FAULT)
        fprintf(stderr, "kpio-wasm: %s %s: trap: %s\n", c->method, c->target, trap.reason);
    /* Stopped by the interrupt hook, or in a wait that the deadline ended. */
    bool timed_out =
        rc == ERR_FAULT && (trap.kind == WASM_TRAP_KILLED || serve_now_ns() >= deadline);
    serve_conn_after_handler(c, timed_out, oc);
    wasi_ctx_free(w);
    wasi_host_port_free(&port);
}

/* ---- connections ------------------------------------------------------------------ */

struct worker_arg {
    struct server *sv;
    int fd;
};

static void *worker(void *p)
{
    struct worker_arg a = *(struct worker_arg *)p;
    free(p);
    struct serve_conn c;
    struct serve_io io = serve_sock_io(&a.fd);
    if (serve_conn_init(&c, &io, &a.sv->lim) == 0 &&
        wasi_host_sock_borrow(a.fd, &c.wait_sock) == 0) /* handlers poll their request body */
        serve_conn_run(&c, handle_request, a.sv);
    if (c.wait_sock) wasi_host_sock_unborrow(c.wait_sock);
    serve_conn_free(&c);
    close(a.fd);
    pthread_mutex_lock(&a.sv->lock);
    a.sv->active--;
    pthread_cond_broadcast(&a.sv->ended); /* the listener's admission, the stop */
    pthread_mutex_unlock(&a.sv->lock);
    return NULL;
}

/* The listener's side of lib/serve's overload policy (serve/admit.h)
 * for the accepted connection fd. */
struct admit {
    struct server *sv;
    int fd;
};

static bool admit_start(void *ctx)
{
    struct admit *a = ctx;
    struct server *sv = a->sv;
    pthread_mutex_lock(&sv->lock);
    bool room = sv->active < sv->max_conns;
    if (room) sv->active++;
    pthread_mutex_unlock(&sv->lock);
    struct worker_arg *w = room ? malloc(sizeof *w) : NULL;
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    bool started = false;
    if (w) {
        *w = (struct worker_arg){.sv = sv, .fd = a->fd};
        started = pthread_create(&t, &attr, worker, w) == 0;
        if (!started) free(w);
    }
    pthread_attr_destroy(&attr);
    if (room && !started) {
        pthread_mutex_lock(&sv->lock);
        sv->active--;
        pthread_mutex_unlock(&sv->lock);
    }
    return started;
}

/* Waits until a worker is free (one has ended) or the deadline: false
 * once it has passed. */
static bool admit_wait_end(void *ctx, uint64_t deadline_ns)
{
    struct server *sv = ((struct admit *)ctx)->sv;
    struct timespec until = {.tv_sec = (time_t)(deadline_ns / 1000000000u),
                             .tv_nsec = (long)(deadline_ns % 1000000000u)};
    pthread_mutex_lock(&sv->lock);
    while (sv->active >= sv->max_conns &&
           pthread_cond_timedwait(&sv->ended, &sv->lock, &until) == 0)
        ;
    bool free_now = sv->active < sv->max_conns;
    pthread_mutex_unlock(&sv->lock);
    return free_now || serve_now_ns() < deadline_ns;
}

static uint64_t admit_now(void *ctx)
{
    (void)ctx;
    return serve_now_ns();
}

static void admit_refuse(void *ctx, const char *resp, size_t len)
{
    int fd = ((struct admit *)ctx)->fd;
    ssize_t n = send(fd, resp, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)n;
    close(fd);
}

/* Accepts one connection and serves it on a worker, or answers it 503
 * (serve/admit.h). */
static void accept_one(struct server *sv, int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct admit a = {sv, fd};
    struct serve_admit_ops ops = {.ctx = &a,
                                  .start = admit_start,
                                  .wait_end = admit_wait_end,
                                  .now_ns = admit_now,
                                  .refuse = admit_refuse};
    serve_admit(&ops);
}

/* Listens on addr ("IP:PORT", IPv4); the socket or -1 after saying why. */
static int listen_on(const char *addr)
{
    char ip[64];
    unsigned port;
    char end;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    const char *colon = strrchr(addr, ':');
    if (!colon || (size_t)(colon - addr) >= sizeof ip ||
        sscanf(colon + 1, "%u%c", &port, &end) != 1 || port > 65535) {
        fprintf(stderr, "kpio-wasm: --addr wants IPV4:PORT: %s\n", addr);
        return -1;
    }
    memcpy(ip, addr, (size_t)(colon - addr));
    ip[colon - addr] = 0;
    if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
        fprintf(stderr, "kpio-wasm: --addr: not an IPv4 address: %s\n", ip);
        return -1;
    }
    sa.sin_port = htons((uint16_t)port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1024)) {
        fprintf(stderr, "kpio-wasm: listen on %s: %s\n", addr, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    socklen_t sl = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    char shown[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, shown, sizeof shown);
    fprintf(stderr, "Serving HTTP on http://%s:%u/\n", shown, ntohs(sa.sin_port));
    fflush(stderr);
    return fd;
}

/* Accepts until SIGINT/SIGTERM, then waits for the workers. */
static void run_server(struct server *sv, int lfd)
{
    for (;;) {
        struct pollfd p[2] = {{.fd = lfd, .events = POLLIN},
                              {.fd = stop_pipe[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR) break;
        if (p[1].revents) break;
        if (p[0].revents) accept_one(sv, lfd);
    }
    close(lfd);
    fprintf(stderr, "kpio-wasm serve: stopping\n");
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&sv->lock);
    while (sv->active && pthread_cond_timedwait(&sv->ended, &sv->lock, &until) == 0)
        ;
    pthread_mutex_unlock(&sv->lock);
}

/* ---- the command line ------------------------------------------------------------- */

static uint32_t num_arg(const char *opt, const char *v)
{
    char *end;
    unsigned long n = v ? strtoul(v, &end, 10) : 0;
    if (!v || !*v || *end || n == 0 || n > 86400000ul) {
        fprintf(stderr, "kpio-wasm serve: %s wants a positive number\n", opt);
        exit(2);
    }
    return (uint32_t)n;
}

int serve_main(int argc, char **argv)
{
    static struct server sv;
    const char *addr = "0.0.0.0:8080";
    sv.max_conns = 64;
    sv.lim = (struct serve_limits){
        .head_ms = 10000, .idle_ms = 30000, .io_ms = 30000, .handler_ms = 30000};
    /* serve's own options; the rest go to the common parser */
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0;
    rest[nrest++] = argv[0];
    int i = 2;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--addr") && v)
            addr = argv[++i];
        else if (!strcmp(argv[i], "--max-conns"))
            sv.max_conns = num_arg(argv[i], v), i++;
        else if (!strcmp(argv[i], "--head-timeout"))
            sv.lim.head_ms = num_arg(argv[i], v), i++;
        else if (!strcmp(argv[i], "--idle-timeout"))
            sv.lim.idle_ms = num_arg(argv[i], v), i++;
        else if (!strcmp(argv[i], "--io-timeout"))
            sv.lim.io_ms = num_arg(argv[i], v), i++;
        else if (!strcmp(argv[i], "--handler-timeout"))
            sv.lim.handler_ms = num_arg(argv[i], v), i++;
        else {
            /* a common option, with its value unless it is a flag or has = */
            static const char *const flags[] = {"--allow-net", "--time", "-k", "--insecure"};
            bool flag = strchr(argv[i], '=') != NULL;
            for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
                flag = flag || !strcmp(argv[i], flags[k]);
            rest[nrest++] = argv[i];
            if (!flag && i + 2 < argc) rest[nrest++] = argv[++i];
        }
    }
    if (i + 1 != argc) {
        fprintf(stderr, "usage: kpio-wasm serve [--addr ADDR:PORT] [--max-conns N] "
                        "[--head-timeout MS] [--idle-timeout MS] [--io-timeout MS] "
                        "[--handler-timeout MS] [OPTIONS] HANDLER.wasm\n");
        free(rest);
        return 2;
    }
    rest[nrest++] = argv[i];
    kpio_options_parse(nrest, rest, &sv.o);
    int status = 1;
    if (load_handler(&sv) == 0 && pipe2(stop_pipe, O_CLOEXEC) == 0) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        pthread_mutex_init(&sv.lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadlines of serve_now_ns */
        pthread_cond_init(&sv.ended, &ca);
        pthread_condattr_destroy(&ca);
        int lfd = listen_on(addr);
        if (lfd >= 0) {
            run_server(&sv, lfd);
            status = 0;
        }
    }
    kpio_options_free(&sv.o);
    free(rest);
    return status;
}
