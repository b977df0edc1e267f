/*
 * lib/serve/admit.c - the overload policy of both wasi:http servers
 * (admit.h): a connection beyond the workers waits SERVE_BUSY_WAIT_MS for
 * one to end, then is answered 503 and closed.
 */
#include "serve/admit.h"

#include "http/response.h"

bool serve_admit(const struct serve_admit_ops *ops)
{
    uint64_t deadline = ops->now_ns(ops->ctx) + (uint64_t)SERVE_BUSY_WAIT_MS * 1000000u;
    while (!ops->start(ops->ctx))
        if (!ops->wait_end(ops->ctx, deadline)) {
            char resp[256];
            long n = http_response_simple(503, true, resp, sizeof resp);
            ops->refuse(ops->ctx, resp, n > 0 ? (size_t)n : 0);
            return false;
        }
    return true;
}
