/*
 * kernel/wasm/kport.h - the kernel's implementation of lib/wasi's system
 * port (lib/wasi/port.h).
 */
#ifndef KWASM_KPORT_H
#define KWASM_KPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "wasi/port.h"

struct kstream;

/* Per-app state behind the port's ctx pointer. */
struct kport {
    bool background;          /* no console input */
    struct kstream *stdio[3]; /* stdin, stdout, stderr (the app holds a reference) */
    /* NULL, or a monotonic time (ns) at which every wait of the port ends
     * with ERR_CANCELED: serve's handler deadline, so that a handler
     * blocked in a poll is cut off like one that computes. */
    const uint64_t *kill_deadline;
};

extern const struct wasi_port_ops kport_ops;

struct ksock;

/* A socket handle of the port for k, which stays the caller's: for waits
 * on a connection that lib/wasi does not own (serve's client, whose
 * request body a handler polls). 0 or ERR_NOMEM; unborrow frees the
 * handle and leaves k open. */
int kport_sock_borrow(struct ksock *k, struct wasi_port_sock **out);
void kport_sock_unborrow(struct wasi_port_sock *s);

/* A directory handle for an absolute VFS path (for preopens). */
int kport_open_dir(const char *abs, struct wasi_port_file **out);

#endif
