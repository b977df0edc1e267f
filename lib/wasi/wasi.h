/*
 * lib/wasi/wasi.h - WASI for lib/wasm instances: preview1
 * (`wasi_snapshot_preview1`) and the WASI 0.2 interfaces at the core-module
 * level (`wasi:io/...@0.2.N`, `wasi:sockets/...`, `wasi:http/...`, ...),
 * implemented once over the system port of wasi/port.h.
 *
 * Use:
 *
 *   struct wasi_config cfg = {.port = port, .argc = .., .argv = ..,
 *                             .preopens = .., .npreopens = ..};
 *   struct wasi_ctx *w;
 *   wasi_ctx_new(&cfg, &w);                  // takes the preopen handles
 *   wasm_instance_new(mod, NULL, wasi_resolve, w, &inst, &err, &trap);
 *   int status;
 *   wasi_run(w, inst, &status, &trap);       // _start or wasi:cli/run#run
 *   wasm_instance_free(inst);
 *   wasi_ctx_free(w);                        // closes what the app left open
 *
 * One context serves one instance. Every guest pointer and length is
 * checked against the instance's memory before use; a call the port does
 * not support returns an errno (preview1) or an error code (0.2), never a
 * trap of the host. What traps: proc_exit / wasi:cli/exit (a clean
 * WASM_TRAP_EXIT with the status), a kill (ERR_CANCELED from the port),
 * and 0.2 calls that break the canonical ABI's rules (a bad handle, a
 * resource dropped before its children, a return area out of bounds), as
 * the component model prescribes.
 */
#ifndef WASI_WASI_H
#define WASI_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/fields.h"
#include "http/sock.h"
#include "wasi/port.h"
#include "wasm/wasm.h"

/* A directory the app sees: guest_path ("/", "/data", ".") names the
 * port's open directory handle dir. */
struct wasi_preopen {
    const char *guest_path;
    struct wasi_port_file *dir;
};

/* TLS for wasi:http's https requests, supplied by the embedder (lib/tls
 * over the host's trust store in kpio-wasm). lib/wasi itself knows no
 * TLS library: it hands wrap() its own TCP socket of http/sock.h and uses
 * the socket it gets back for https URLs. */
struct wasi_tls {
    /* Makes a TLS socket over tcp into *out; *handle is given to alert()
     * and unwrap(). Returns 0 or an error (already logged, e.g. a missing
     * trust store named by its path). */
    int (*wrap)(void *ctx, const struct http_sock *tcp, struct http_sock *out, void **handle);
    /* The id of the alert behind the last ERR_TLS_ALERT, or -1. */
    int (*alert)(void *ctx, void *handle);
    void (*unwrap)(void *ctx, void *handle);
    void *ctx;
};

struct wasi_config {
    struct wasi_port port;
    int argc;
    const char *const *argv; /* argv[0] is the program name */
    int envc;
    const char *const *envp; /* "KEY=VALUE" strings */
    size_t npreopens;
    const struct wasi_preopen *preopens;   /* fds 3, 4, ... in this order */
    size_t nsockets;                       /* listening TCP sockets for preview1's */
    struct wasi_port_sock *const *sockets; /* sock_accept: fds after the preopens */
    const char *cwd;                       /* wasi:cli/environment initial-cwd; may be NULL */
    const struct wasi_tls *tls;            /* NULL: https requests are refused */
    /* Network access (wasi:sockets bind, connect and name lookup; wasi:http
     * requests). Without it those fail with access-denied / HTTP-request-
     * denied, and net_denied (if set) is told once what was refused. Sockets
     * the embedder hands over (sockets above) need no such permission. */
    bool allow_net;
    void (*net_denied)(const char *what);
    /* Host memory the app's WASI 0.2 resources may take (objects, fields,
     * buffered request bodies); 0: WASI_DEFAULT_HOST_BYTES. Past it, the
     * call that would allocate traps or gets an error. */
    size_t max_host_bytes;
    /* Or, when not NULL, the budget they charge instead (max_host_bytes is
     * then ignored): the kernel passes the one the app's linear memory
     * charges too (wasm_config.budget), so the app has one limit. It must
     * outlive the context. */
    struct mem_budget *budget;
};

#define WASI_DEFAULT_HOST_BYTES ((size_t)64 << 20)

struct wasi_ctx;

/*
 * Creates a context: copies args, environment and preopen names, opens the
 * console through the port. The preopen directory handles and the
 * listening sockets belong to the context from now on, even on failure. Returns 0 and *out,
 * ERR_INVAL (a bad config), ERR_NOMEM, or the port's error for the console.
 */
int wasi_ctx_new(const struct wasi_config *cfg, struct wasi_ctx **out);

/* Closes every handle still open (files, sockets, streams) and frees. */
void wasi_ctx_free(struct wasi_ctx *w);

/*
 * The import resolver for wasm_instance_new (ctx is the struct wasi_ctx).
 * Resolves `wasi_snapshot_preview1` and `wasi:<pkg>/<iface>@0.2.<any>`
 * functions; returns ERR_NOENT for anything else, so that a caller may
 * chain its own resolver. A 0.2 function KPIO does not implement resolves
 * to a function that traps "not implemented" when called.
 */
int wasi_resolve(void *ctx, const struct wasm_import *imp, struct wasm_extern *out);

/*
 * For component runners (lib/component): the core signature ("(ii)i", as
 * wasm_extern_host takes it) of the WASI 0.2 function `name`
 * ("[method]output-stream.write", "[resource-drop]pollable") of the
 * interface `iface` ("wasi:io/streams@0.2.3", any 0.2.N) when it is in
 * lib/wasi's table (it may still be one that traps "not implemented" when
 * called), else NULL.
 */
const char *wasi_p2_signature(const char *iface, size_t iface_len, const char *name,
                              size_t name_len);

/*
 * Binds that function as the core function of a component's `canon lower`
 * into *out (a host function of wasi_p2_signature's signature). The
 * lower's options say where its strings, lists and return areas live:
 * memory replaces the calling instance's memory and realloc (may be NULL:
 * then a call that must allocate traps) the caller's cabi_realloc export,
 * because in a component the caller (an adapter or a shim) is often not
 * the instance that owns them. Returns 0, or ERR_NOENT (not provided),
 * ERR_NOMEM.
 */
int wasi_p2_bind(struct wasi_ctx *w, const char *iface, size_t iface_len, const char *name,
                 size_t name_len, struct wasm_memory *memory, struct wasm_func *realloc,
                 struct wasm_extern *out);

/*
 * Runs the command: calls `_initialize` if exported, then `_start`
 * (preview1) or `wasi:cli/run@0.2.N#run` (0.2). Returns 0 with *status the
 * exit status (0 after a normal return, proc_exit's / exit's code, 1 when
 * run returned err), ERR_FAULT when the app trapped (*trap says how), or
 * ERR_NOENT when the module exports no entry point.
 */
int wasi_run(struct wasi_ctx *w, struct wasm_instance *inst, int *status, struct wasm_trap *trap);

/*
 * The server side of wasi:http (wasi:http/incoming-handler, the proxy
 * world): the embedder parses a request off its connection, hands it to a
 * context with wasi_http_incoming_new(), calls the handler's `handle`
 * export with the two handles, and reads the outcome. The body streams
 * both ways through ops while the handler runs (nothing is buffered whole
 * once response-outparam.set was called; writes before it are held, and
 * charged to the instance's budget). Each op may block until its
 * connection's deadline; ctx is the embedder's.
 */
struct wasi_http_server_ops {
    /* The next piece of the request body: its length with *data valid
     * until the next call, 0 at the end, or an ERR_*. */
    long (*body_read)(void *ctx, const uint8_t **data);
    /* The same without waiting (optional): ERR_AGAIN when nothing has
     * arrived yet, with *wait the port handle (of the context's port) that
     * turns readable when more comes and *deadline_ns (monotonic) when the
     * silence becomes a failure; then a handler's poll waits on it along
     * with its other pollables. Without it, the body's reads wait in
     * body_read. */
    long (*body_try_read)(void *ctx, const uint8_t **data, struct wasi_port_pollfd *wait,
                          uint64_t *deadline_ns);
    /* The request's trailers once body_read returned 0 (NULL: none). */
    const struct http_fields *(*trailers)(void *ctx);
    /* Sends the response head: status 100..599 and the handler's fields
     * (the embedder chooses the framing: their Content-Length or chunked). */
    int (*respond)(void *ctx, int status, const struct http_fields *headers);
    /* Sends body bytes (all of them, or an ERR_*: the client is gone). */
    int (*body_write)(void *ctx, const uint8_t *data, size_t len);
    /* Ends the body, with trailers (NULL: none). */
    int (*body_finish)(void *ctx, const struct http_fields *trailers);
};

struct wasi_http_incoming {
    const char *method;          /* a token, e.g. "GET" */
    bool https;                  /* the scheme the request arrived by */
    const char *authority;       /* the Host field, or NULL */
    const char *path_with_query; /* the origin-form target */
    const struct http_fields *headers;
    const struct wasi_http_server_ops *ops;
    void *ctx;
};

/* Puts an incoming-request for in (copied; in's strings and fields must
 * outlive the call to handle) and a response-outparam in w's table: 0 with
 * their handles, or ERR_NOMEM / ERR_BUSY (one per context). */
int wasi_http_incoming_new(struct wasi_ctx *w, const struct wasi_http_incoming *in,
                           uint32_t *request, uint32_t *outparam);

/* What the handler did with its response-outparam. */
enum wasi_http_outcome {
    WASI_HTTP_NOT_SET,    /* never set: the embedder answers 500 */
    WASI_HTTP_ERROR,      /* set to an error-code: 500 as well */
    WASI_HTTP_SENT,       /* head sent, body finished */
    WASI_HTTP_UNFINISHED, /* head sent, body not finished: close the connection */
};
enum wasi_http_outcome wasi_http_outcome(struct wasi_ctx *w);

/* Maps an ERR_* value to a preview1 errno (witx `errno`). */
uint16_t wasi_errno_from_err(int err);

#endif
