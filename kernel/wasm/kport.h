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

/* A directory handle for an absolute VFS path (for preopens). */
int kport_open_dir(const char *abs, struct wasi_port_file **out);

#endif
