/*
 * lib/wasi/p2.h - what the WASI 0.2 files of lib/wasi share: resources in
 * a per-instance handle table, the canonical ABI helpers (return areas,
 * lists and strings through the guest's cabi_realloc, ip addresses) and
 * the objects behind each resource type.
 *
 * Resources follow the component model's rules (ABI.md in the shared WIT
 * folder): handles are i32 indices starting at 1; an own<T> parameter
 * moves the resource out of the table (p2_take), a borrow looks it up
 * (p2_get); a resource that still has children (a pollable of a stream, the
 * streams of a socket, the stream of a body, the headers of a request) may
 * not be dropped: that traps, naming the resource. Misuse of handles is a
 * trap too, as in every component host.
 *
 * Host functions of 0.2 return 0, or the value of wasm_host_trap(); the
 * helpers below follow the same convention (0 or a trap value to return).
 */
#ifndef WASI_P2_H
#define WASI_P2_H

#include "http/client.h"
#include "wasi/internal.h"

/*
 * A 0.2 host function, defined at the start of a line so that
 * gen_p2_table.py finds it, written against its named, typed core
 * parameters: the flattening of its WIT parameters in order (a string or
 * list is NAME_ptr, NAME_len; a value that flattens to N > 1 core values is
 * P2_FLAT(NAME, N), the N values), then `uint32_t ret_ptr` when its results
 * go to a return area, or `uint32_t *result` / `uint64_t *result` for a
 * single core result:
 *
 *     P2_IMPL(p2_filesystem_types_descriptor_read, uint32_t self, uint64_t length,
 *             uint64_t offset, uint32_t ret_ptr)
 *
 * gen_p2_table.py checks every parameter against the official core
 * signature and generates the adapter from lib/wasm's argument array
 * (P2_DECL: lib/wasm's wasm_host_fn, which only the adapters and
 * wasi_p2_unimplemented are written as).
 */
#define P2_IMPL(name, ...) int name(struct wasm_host_call *call, __VA_ARGS__)
#define P2_FLAT(name, n)   const wasm_value *name
#define P2_DECL(name)      int name(struct wasm_host_call *call, const wasm_value *a, wasm_value *r)

P2_DECL(wasi_p2_unimplemented);

enum p2_type {
    P2_ERROR = 1,
    P2_POLLABLE,
    P2_INPUT_STREAM,
    P2_OUTPUT_STREAM,
    P2_NETWORK,
    P2_TCP_SOCKET,
    P2_UDP_SOCKET,
    P2_IN_DGRAM,
    P2_OUT_DGRAM,
    P2_RESOLVE,
    P2_FIELDS,
    P2_OUT_REQUEST,
    P2_OUT_BODY,
    P2_REQ_OPTIONS,
    P2_FUTURE_RESPONSE,
    P2_IN_RESPONSE,
    P2_IN_BODY,
    P2_FUTURE_TRAILERS,
    P2_DESCRIPTOR,
    P2_DIR_STREAM,
    P2_IN_REQUEST,
    P2_RESP_OUTPARAM,
    P2_OUT_RESPONSE,
    P2_TYPE_COUNT_
};

/* The header of every resource object. */
struct p2_obj {
    uint8_t type;          /* enum p2_type */
    uint32_t children;     /* live objects whose parent this is */
    struct p2_obj *parent; /* counted in parent->children, or NULL */
    uint32_t size;         /* of the object, as allocated */
    size_t charged;        /* bytes counted against the instance's budget (p2_charge) */
    /* Frees what the object owns (not the object, not the parent link). */
    void (*destroy)(struct wasi_ctx *w, struct p2_obj *o);
    /* The table lets go of the object as the context is freed; NULL:
     * p2_obj_free. (An outgoing body may still be held by its request.) */
    void (*release)(struct wasi_ctx *w, struct p2_obj *o);
};

/* ---- the handle table (p2.c) ---------------------------------------- */

/* Allocates a zeroed object of size bytes and type, with parent (may be
 * NULL; its child count goes up). NULL when out of memory. */
void *p2_obj_new(size_t size, enum p2_type type, struct p2_obj *parent,
                 void (*destroy)(struct wasi_ctx *, struct p2_obj *));
/* Destroys and frees an object that is in no table (its children must be
 * gone); drops the link to its parent. */
void p2_obj_free(struct wasi_ctx *w, struct p2_obj *o);

/* Counts o as taking bytes of host memory now (its object and what it
 * owns) against the instance's budget (wasi_config.max_host_bytes or .budget): 0, or
 * ERR_NOMEM (and o's count unchanged) when that would pass the budget. */
int p2_charge(struct wasi_ctx *w, struct p2_obj *o, size_t bytes);
/* What an allocation of size bytes takes from a heap, for p2_charge: a
 * small one rounded up to a power of two (a slab class), a large one to
 * whole pages plus one for its header; 0 for none. */
size_t p2_heap_cost(size_t size);
/* An object itself and its slot in the handle table, which doubles as it
 * grows (and is copied while it does): what p2_put charges. */
size_t p2_obj_cost(const struct p2_obj *o);
/* The trap for a call that would pass the budget, naming what. */
int p2_over_budget(struct wasm_host_call *call, const char *what);

/* p2_put without a call: 0, or ERR_NOMEM (o is then freed). */
int p2_put_ctx(struct wasi_ctx *w, struct p2_obj *o, uint32_t *handle);
/* Puts o into the table (charging its size against the budget): its handle (>= 1) in *handle, or a
 * trap value (out of memory; o is then freed). */
int p2_put(struct wasm_host_call *call, struct p2_obj *o, uint32_t *handle);
/* The object behind a borrowed handle of type t, or NULL (then the
 * caller returns p2_bad_handle()). */
void *p2_get(struct wasm_host_call *call, uint32_t handle, enum p2_type t);
/* Removes an owned handle from the table and returns its object (NULL for
 * a bad handle or one with children). */
void *p2_take(struct wasm_host_call *call, uint32_t handle, enum p2_type t);
/* The trap for a bad handle of type t. */
int p2_bad_handle(struct wasm_host_call *call, uint32_t handle, enum p2_type t);
/* [resource-drop]: removes and frees; traps for a bad handle or when the
 * resource still has children. */
int p2_drop(struct wasm_host_call *call, uint32_t handle, enum p2_type t);

/* ---- canonical ABI helpers (p2.c) -------------------------------------- */

/* The return area [ptr, ptr+size) with alignment align: the host pointer,
 * or NULL (the caller traps with p2_bad_ret()). Zeroed. Valid until the
 * next call into wasm (cabi_realloc). */
uint8_t *p2_ret(struct wasm_host_call *call, uint32_t ptr, uint32_t size, uint32_t align);
int p2_bad_ret(struct wasm_host_call *call, uint32_t ptr);
/* Lowers result<own<T>, E> (8 bytes, align 4) at ptr: [0] the
 * discriminant (0 ok, 1 err), [4] the handle h when ok, or the error's case
 * byte code when failed (0 when the error carries nothing, as in
 * result<own<T>>). 0, or the trap for a bad return area. */
int p2_ret_handle(struct wasm_host_call *call, uint32_t ptr, bool failed, uint8_t code, uint32_t h);
/* Allocates size bytes with align in guest memory through the guest's
 * cabi_realloc(0, 0, align, size): 0 and *out, or a trap value. */
int p2_alloc(struct wasm_host_call *call, uint32_t align, uint32_t size, uint32_t *out);
/* Reallocates (ptr, old) to new_size bytes: 0 and *out, or a trap value. */
int p2_realloc(struct wasm_host_call *call, uint32_t ptr, uint32_t old, uint32_t align,
               uint32_t new_size, uint32_t *out);
/* Copies len bytes into a new guest allocation: 0 and *out, or a trap. */
int p2_alloc_copy(struct wasm_host_call *call, const void *src, uint32_t len, uint32_t *out);
/* Reads a string/list<u8> parameter: the host pointer or NULL (trap with
 * p2_bad_ptr). Strings must be valid UTF-8 (canonical ABI): utf8 true
 * checks that too. */
const uint8_t *p2_arg_bytes(struct wasm_host_call *call, uint32_t ptr, uint32_t len, bool utf8);
int p2_bad_ptr(struct wasm_host_call *call, const char *what);

/* ip-socket-address from 12 flattened i32 (tag, then the case's fields):
 * 0, or ERR_INVAL for a bad tag. */
int p2_addr_from_flat(const wasm_value *v, struct wasi_port_addr *out);
/* Writes an ip-socket-address (32 bytes, align 4) at p. */
void p2_addr_put(uint8_t *p, const struct wasi_port_addr *a);
/* Reads one from memory (32 bytes at p): 0 or ERR_INVAL. */
int p2_addr_get(const uint8_t *p, struct wasi_port_addr *out);

/* ---- errors (p2.c) --------------------------------------------------------- */

/* wasi:sockets/network error-code (enum, in WIT order). */
enum p2_sock_error_code {
    SE_UNKNOWN,
    SE_ACCESS_DENIED,
    SE_NOT_SUPPORTED,
    SE_INVALID_ARGUMENT,
    SE_OUT_OF_MEMORY,
    SE_TIMEOUT,
    SE_CONCURRENCY_CONFLICT,
    SE_NOT_IN_PROGRESS,
    SE_WOULD_BLOCK,
    SE_INVALID_STATE,
    SE_NEW_SOCKET_LIMIT,
    SE_ADDRESS_NOT_BINDABLE,
    SE_ADDRESS_IN_USE,
    SE_REMOTE_UNREACHABLE,
    SE_CONNECTION_REFUSED,
    SE_CONNECTION_RESET,
    SE_CONNECTION_ABORTED,
    SE_DATAGRAM_TOO_LARGE,
    SE_NAME_UNRESOLVABLE,
    SE_TEMPORARY_RESOLVER_FAILURE,
    SE_PERMANENT_RESOLVER_FAILURE,
};

/* wasi:sockets error-code for an ERR_* value. */
uint8_t p2_sock_error(int err);
/* wasi:http error-code case DNS-timeout (lib/http has no fail kind for it). */
#define P2_HTTP_DNS_TIMEOUT 0
/* ... and case HTTP-request-denied (the app has no network access). */
#define P2_HTTP_REQUEST_DENIED 15
/* wasi:http error-code case for an ERR_* value and an http_fail. */
uint8_t p2_http_error(int err, enum http_fail fail);

/* io/error: a message and, for errors of wasi:http, its error-code case. */
struct p2_error {
    struct p2_obj h;
    int err;
    int http_code; /* -1: not an HTTP error */
    char msg[120];
};
/* Makes an io/error resource; 0 and *handle, or a trap value. */
int p2_error_new(struct wasm_host_call *call, int err, int http_code, const char *msg,
                 uint32_t *handle);

/* Writes a stream-error result at ret: [0] = 1 (err), [off] case and
 * [off2] the error handle for last-operation-failed(err), closed when
 * err == 0. Returns 0 or a trap value. */
int p2_stream_error(struct wasm_host_call *call, uint32_t ret_ptr, uint32_t size, uint32_t align,
                    uint32_t case_off, uint32_t handle_off, int err, int http_code,
                    const char *msg);

/* ---- pollables and streams (p2_io.c; each kind in the file that owns it) -- */

/* What one pollable needs now: ready, a deadline, or a wait on a port
 * handle (pfd). Filled by its kind's prepare. */
struct p2_wait {
    bool ready;
    bool waits;   /* pfd is used */
    bool recheck; /* pfd's readiness only means "prepare again" (an HTTP exchange's step) */
    uint64_t deadline;
    struct wasi_port_pollfd pfd;
};

struct p2_pollable;

/* A kind of pollable, given by the file that owns what is polled
 * (p2_io.c's poll evaluates every pollable through it). */
struct p2_poll_ops {
    /* Fills it (zeroed) for p at time now (monotonic ns). */
    void (*prepare)(struct wasi_ctx *w, const struct p2_pollable *p, uint64_t now,
                    struct p2_wait *it);
};

struct p2_pollable {
    struct p2_obj h; /* parent: the object polled (none for clocks) */
    const struct p2_poll_ops *ops;
    uint64_t deadline;
};

extern const struct p2_poll_ops p2_poll_ready;  /* always ready (p2_io.c) */
extern const struct p2_poll_ops p2_poll_clock;  /* ready at deadline (p2_cli.c) */
extern const struct p2_poll_ops p2_poll_stream; /* an input or output stream (p2_io.c) */

/* Makes a pollable with ops on target (its parent) and gives its handle
 * (functions returning own<pollable>). */
int p2_subscribe(struct wasm_host_call *call, struct p2_obj *target, const struct p2_poll_ops *ops,
                 uint64_t deadline, uint32_t *handle);

struct p2_stream;

/* A kind of stream (console, TCP, file, HTTP body), given by the file that
 * owns what it reads or writes; p2_io.c's wasi:io/streams calls it. */
struct p2_stream_ops {
    /* Input: the next bytes, at most max (a copy in p2_scratch, at most
     * P2_SCRATCH, or the source's own buffer): their count with *data, 0
     * when nothing is there (!block), ERR_PIPE at the end, or another
     * ERR_* with *http_code (preset to -1) its wasi:http error-code case. */
    long (*read)(struct wasi_ctx *w, struct p2_stream *s, size_t max, bool block,
                 const uint8_t **data, int *http_code);
    /* Output: writes all of data, waiting as long as it takes: 0 or ERR_*. */
    int (*write)(struct wasi_ctx *w, struct p2_stream *s, const uint8_t *data, size_t len);
    /* Output: 1 when a write would go out without waiting, 0 when not (then
     * check-write permits nothing), or an error; NULL: always 1. */
    int (*check_write)(struct wasi_ctx *w, struct p2_stream *s);
    /* What a pollable of the stream waits for (a closed stream is ready
     * without asking). */
    void (*prepare)(struct wasi_ctx *w, struct p2_stream *s, struct p2_wait *it);
};

struct p2_stream {
    struct p2_obj h; /* parent: the tcp socket or body; none for the console or a file */
    const struct p2_stream_ops *ops;
    bool closed;                 /* end of stream seen (input) or broken (output) */
    struct wasi_port_file *file; /* console; a file's port handle (owned by fref) */
    struct p2_fref *fref;        /* a file: the open file, shared with its descriptor */
    uint64_t offset;             /* a file: where the next read or write goes */
    bool append;                 /* a file's output: every write goes to the end */
    uint64_t permit;             /* output: bytes the last check-write allowed, not yet written */
};

/* The socket options of tcp.wit and udp.wit: the rows of p2_sock.c's
 * sock_options (WIT name, owner, value type, rules). gen_p2_table.py reads
 * the rows and makes each option's getter and setter import call these
 * two with its row. */
enum p2_sock_opt {
    P2_OPT_TCP_KEEPALIVE,
    P2_OPT_TCP_KEEPIDLE,
    P2_OPT_TCP_KEEPINTVL,
    P2_OPT_TCP_KEEPCNT,
    P2_OPT_TCP_HOP_LIMIT,
    P2_OPT_TCP_RCVBUF,
    P2_OPT_TCP_SNDBUF,
    P2_OPT_UDP_HOP_LIMIT,
    P2_OPT_UDP_RCVBUF,
    P2_OPT_UDP_SNDBUF,
    P2_OPT_COUNT
};
/* <option>() -> result<T, error-code>: the value set, or the initial one. */
int p2_sock_option_get(struct wasm_host_call *call, enum p2_sock_opt id, uint32_t self,
                       uint32_t ret_ptr);
/* set-<option>(value) -> result<_, error-code>; value is the setter's core
 * parameter (an i32 or i64) as it came. */
int p2_sock_option_set(struct wasm_host_call *call, enum p2_sock_opt id, uint32_t self,
                       uint64_t value, uint32_t ret_ptr);

/* The port socket of a tcp-socket or udp-socket object, or NULL
 * (p2_sock.c; for tests). */
struct wasi_port_sock *p2_tcp_port_sock(const struct p2_obj *tcp);
struct wasi_port_sock *p2_udp_port_sock(const struct p2_obj *udp);

/* Makes a stream with ops and puts it in the table (handle in *handle). */
int p2_stream_new(struct wasm_host_call *call, enum p2_type type, const struct p2_stream_ops *ops,
                  struct p2_obj *parent, struct wasi_port_file *file, uint32_t *handle);
/* A body's stream() / write(): once (*taken), a stream of parent in the
 * table; then an error. Writes result<own<stream>> (8 bytes) at ret_ptr:
 * 0 or a trap value. */
int p2_stream_once(struct wasm_host_call *call, bool *taken, enum p2_type type,
                   const struct p2_stream_ops *ops, struct p2_obj *parent, uint32_t ret_ptr);
/* Waits until s is ready per its prepare, or returns at once when !block:
 * 1 ready, 0 not, or an error of the port. */
int p2_stream_wait(struct wasi_ctx *w, struct p2_stream *s, bool block);
/* Writes all of data through once (a port write or send that may say
 * ERR_AGAIN), waiting on the stream between tries: 0 or an ERR_*. */
int p2_stream_write_all(struct wasi_ctx *w, struct p2_stream *s, const uint8_t *data, size_t len,
                        long (*once)(struct wasi_ctx *, struct p2_stream *, const uint8_t *,
                                     size_t));
/* A prepare for streams that never wait (files, HTTP bodies). */
void p2_stream_always_ready(struct wasi_ctx *w, struct p2_stream *s, struct p2_wait *it);

/* ---- wasi:filesystem (p2_fs*.c) ------------------------------------------ */

/* An open port file shared by a descriptor and the streams and directory
 * streams made from it: as in wasmtime, those outlive a dropped
 * descriptor, so they are not its children; the port handle is closed
 * when the last of them goes. */
struct p2_fref {
    struct wasi_port_file *file;
    uint32_t refs;
};
void p2_fref_put(struct wasi_ctx *w, struct p2_fref *f);

/* wasi:filesystem error-code case for an ERR_* value. */
uint8_t p2_fs_error(int err);

/* The 0.2 state of a context. */
struct wasi_p2 {
    struct p2_obj **slots; /* handle h is slots[h - 1]; NULL: free */
    uint32_t nslots;
    uint32_t free_hint;             /* no free slot below this index */
    struct http_client *clients[4]; /* idle HTTP clients kept for keep-alive */
    struct http_sock tls_sock;      /* from w->tls->wrap(), made on the first https need */
    void *tls_handle;               /* NULL: not made */
    uint64_t insecure_state;
    uint8_t *scratch;                     /* P2_SCRATCH bytes for console and socket reads */
    bool dns_timed_out;                   /* the last HTTP connect failed in name resolution's
                                             timeout */
    struct wasi_port_pollfd http_wait;    /* what the last HTTP socket call that returned
                                             instead of waiting needed (p2_http.c) */
    struct p2_srv *srv;                   /* the incoming exchange (p2_http_server.c), or NULL */
    void (*srv_free)(struct wasi_ctx *w); /* frees srv; set with it */
};

#define P2_SCRATCH 65536
/* The scratch buffer (allocated on first use), or NULL. */
uint8_t *p2_scratch(struct wasi_ctx *w);

/* Monotonic now through the port (0 if the port fails). */
uint64_t p2_now(struct wasi_ctx *w);

#endif
