/*
 * kernel/wasm/serve.h - the shell's `serve`: a wasi:http incoming handler
 * served over the kernel's TCP, run as an app (a job the shell can put in
 * the background and kill) whose thread is the listener.
 */
#ifndef WASM_SERVE_H
#define WASM_SERVE_H

#include <stdbool.h>
#include <stdint.h>

struct serve_handler;
struct kport;

#define KSERVE_DEFAULT_PORT       8080
#define KSERVE_MAX_CONNS          32    /* connections served at once; beyond them 503 */
#define KSERVE_DEFAULT_HANDLER_MS 30000 /* a handler's run, beyond it 504 */
#define KSERVE_USAGE              "serve [--addr ADDR:PORT] [--handler-timeout MS] HANDLER.wasm"

/* The command line's options. */
struct kserve_opts {
    uint32_t addr; /* to listen on (0: any) */
    uint16_t port;
    uint32_t handler_ms;
};

/* What to serve. */
struct kserve_spec {
    const char *name;              /* for messages */
    const char *path;              /* the handler's .wasm, its argv[0] */
    const struct serve_handler *h; /* loaded once */
    struct kserve_opts opts;
    struct kport *stdio; /* the app's streams, the handlers' stdout and stderr */
    bool no_net;         /* handlers without network access of their own */
};

/* Parses KSERVE_USAGE's arguments (argv after "serve", NULL-ended): 0 with
 * *opts and *handler, or ERR_INVAL. */
int kserve_args(char *const *argv, struct kserve_opts *opts, const char **handler);

/* Listens, prints "Serving HTTP on http://ADDR:PORT/" on the app's stdout
 * and serves until the thread is killed (kill %N, Ctrl-C); then stops the
 * connections in progress and returns 0 (1 if it could not listen). Runs
 * on the app's thread. */
int kserve_run(const struct kserve_spec *spec);

#endif
