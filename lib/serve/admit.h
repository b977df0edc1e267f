/*
 * lib/serve/admit.h - the overload policy of both wasi:http servers
 * (`kpio-wasm serve` on the host, the kernel shell's `serve`): what
 * happens to a connection that arrives while every worker is busy.
 *
 * The listener does not refuse it at once: a burst of short clients
 * beyond the limit is common (a browser opening its connections, a load
 * test), and each of them is worth a short wait. It waits up to
 * SERVE_BUSY_WAIT_MS for a worker to end and starts the connection then;
 * only a connection that finds no worker within that time is answered
 * 503 Service Unavailable and closed. The listener accepts nothing else
 * while it waits (the listen backlog holds the others), so the limit on
 * workers is never passed.
 */
#ifndef SERVE_ADMIT_H
#define SERVE_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERVE_BUSY_WAIT_MS 5000 /* how long a connection beyond the limit waits for a worker */

/* The server's side of the policy, for one accepted connection. */
struct serve_admit_ops {
    void *ctx;
    /* Starts a worker on the connection: true, or false when every worker
     * is busy (or none could be made). */
    bool (*start)(void *ctx);
    /* Waits until some worker has ended or deadline_ns passes (on now_ns's
     * clock): false once the deadline has passed. */
    bool (*wait_end)(void *ctx, uint64_t deadline_ns);
    uint64_t (*now_ns)(void *ctx);
    /* Sends resp (best effort, without waiting long) and closes the
     * connection. */
    void (*refuse)(void *ctx, const char *resp, size_t len);
};

/* Applies the policy to one accepted connection: true when a worker
 * serves it, false when it was answered 503 and closed. */
bool serve_admit(const struct serve_admit_ops *ops);

#endif
