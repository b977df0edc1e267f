/*
 * lib/wasi/p2_cli.c - wasi:cli (environment, exit, stdin/stdout/stderr,
 * terminal-*), wasi:clocks (monotonic-clock, wall-clock) and wasi:random
 * (random, insecure, insecure-seed) of WASI 0.2 (wasi-cli, wasi-clocks,
 * wasi-random package.wit), with the stream kind of the console and the
 * pollable kind of clocks.
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/p2.h"

/* list<string> of strs (n), as [ptr, len] pairs: 0 or a trap value. */
static int put_string_list(struct wasm_host_call *call, char **strs, int n, uint32_t ret_ptr,
                           bool split_env)
{
    uint32_t elem = split_env ? 16 : 8, arr;
    int rc = p2_alloc(call, 4, (uint32_t)n * elem, &arr);
    for (int i = 0; i < n && !rc; i++) {
        const char *s = strs[i];
        size_t len = strlen(s);
        const char *eq = split_env ? memchr(s, '=', len) : NULL;
        size_t klen = eq ? (size_t)(eq - s) : len;
        uint32_t kp, vp = 0, vlen = eq ? (uint32_t)(len - klen - 1) : 0;
        rc = p2_alloc_copy(call, s, (uint32_t)klen, &kp);
        if (!rc && split_env) rc = p2_alloc_copy(call, eq ? eq + 1 : "", vlen, &vp);
        if (rc) break;
        uint8_t *e = guest_ptr(call, arr + (uint64_t)i * elem, elem);
        le32_put(e, kp);
        le32_put(e + 4, (uint32_t)klen);
        if (split_env) {
            le32_put(e + 8, vp);
            le32_put(e + 12, vlen);
        }
    }
    if (rc) return rc;
    uint8_t *ret = p2_ret(call, ret_ptr, 8, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le32_put(ret, arr);
    le32_put(ret + 4, (uint32_t)n);
    return 0;
}

P2_IMPL(p2_cli_environment_get_arguments, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    return put_string_list(call, w->argv, w->argc, ret_ptr, false);
}

P2_IMPL(p2_cli_environment_get_environment, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    return put_string_list(call, w->envp, w->envc, ret_ptr, true);
}

/* initial-cwd() -> option<string>: 12 bytes. */
P2_IMPL(p2_cli_environment_initial_cwd, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    uint32_t ptr = 0, len = w->cwd ? (uint32_t)strlen(w->cwd) : 0;
    if (w->cwd) {
        int rc = p2_alloc_copy(call, w->cwd, len, &ptr);
        if (rc) return rc;
    }
    uint8_t *ret = p2_ret(call, ret_ptr, 12, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    ret[0] = w->cwd != NULL;
    le32_put(ret + 4, ptr);
    le32_put(ret + 8, len);
    return 0;
}

/* exit(status: result): ok is 0, err is 1. */
P2_IMPL(p2_cli_exit_exit, uint32_t status)
{
    return wasm_host_exit(call, status == 0 ? 0 : 1);
}

P2_IMPL(p2_cli_exit_exit_with_code, uint32_t status_code)
{
    return wasm_host_exit(call, (int)(status_code & 0xff));
}

/* ---- the console's streams: the port's stdin, stdout and stderr ---- */

static void console_prepare(struct wasi_ctx *w, struct p2_stream *s, struct p2_wait *it)
{
    (void)w;
    it->waits = true;
    it->pfd.file = s->file;
    it->pfd.events = s->h.type == P2_INPUT_STREAM ? WASI_PORT_EV_IN : WASI_PORT_EV_OUT;
}

static long console_read(struct wasi_ctx *w, struct p2_stream *s, size_t max, bool block,
                         const uint8_t **data, int *http_code)
{
    (void)http_code;
    uint8_t *buf = p2_scratch(w);
    if (!buf) return ERR_NOMEM;
    int ready = p2_stream_wait(w, s, block);
    if (ready <= 0) return ready;
    long n = w->port.ops->read(w->port.ctx, s->file, buf, MIN(max, (size_t)P2_SCRATCH));
    *data = buf;
    return n == 0 ? ERR_PIPE : n;
}

static long console_write_once(struct wasi_ctx *w, struct p2_stream *s, const uint8_t *data,
                               size_t len)
{
    return w->port.ops->write(w->port.ctx, s->file, data, len);
}

static int console_write(struct wasi_ctx *w, struct p2_stream *s, const uint8_t *data, size_t len)
{
    return p2_stream_write_all(w, s, data, len, console_write_once);
}

static const struct p2_stream_ops console_ops = {
    .read = console_read,
    .write = console_write,
    .prepare = console_prepare,
};

static int get_stdio(struct wasm_host_call *call, int fd, uint32_t *handle)
{
    struct wasi_ctx *w = call_ctx(call);
    return p2_stream_new(call, fd == 0 ? P2_INPUT_STREAM : P2_OUTPUT_STREAM, &console_ops, NULL,
                         w->console[fd], handle);
}

P2_IMPL(p2_cli_stdin_get_stdin, uint32_t *result)
{
    return get_stdio(call, 0, result);
}

P2_IMPL(p2_cli_stdout_get_stdout, uint32_t *result)
{
    return get_stdio(call, 1, result);
}

P2_IMPL(p2_cli_stderr_get_stderr, uint32_t *result)
{
    return get_stdio(call, 2, result);
}

/* get-terminal-*() -> option<terminal-*>: the console is not offered as a
 * terminal (none), as hosts do for a stream that is not a tty. */
static int no_terminal(struct wasm_host_call *call, uint32_t ret_ptr)
{
    return p2_ret(call, ret_ptr, 8, 4) ? 0 : p2_bad_ret(call, ret_ptr);
}

P2_IMPL(p2_cli_terminal_stdin_get_terminal_stdin, uint32_t ret_ptr)
{
    return no_terminal(call, ret_ptr);
}

P2_IMPL(p2_cli_terminal_stdout_get_terminal_stdout, uint32_t ret_ptr)
{
    return no_terminal(call, ret_ptr);
}

P2_IMPL(p2_cli_terminal_stderr_get_terminal_stderr, uint32_t ret_ptr)
{
    return no_terminal(call, ret_ptr);
}

/* ---- clocks ------------------------------------------------------------------ */

static int clock_value(struct wasm_host_call *call, enum wasi_port_clock c, bool res, uint64_t *ns)
{
    struct wasi_ctx *w = call_ctx(call);
    int rc = res ? w->port.ops->clock_res(w->port.ctx, c, ns)
                 : w->port.ops->clock_now(w->port.ctx, c, ns);
    if (rc == ERR_CANCELED) return wasm_host_trap(call, "killed");
    return rc ? wasm_host_trap(call, "the clock failed: %s", err_str(rc)) : 0;
}

P2_IMPL(p2_clocks_monotonic_clock_now, uint64_t *result)
{
    return clock_value(call, WASI_PORT_CLOCK_MONOTONIC, false, result);
}

P2_IMPL(p2_clocks_monotonic_clock_resolution, uint64_t *result)
{
    return clock_value(call, WASI_PORT_CLOCK_MONOTONIC, true, result);
}

static void clock_prepare(struct wasi_ctx *w, const struct p2_pollable *p, uint64_t now,
                          struct p2_wait *it)
{
    (void)w;
    it->ready = p->deadline <= now;
    it->deadline = p->deadline;
}

const struct p2_poll_ops p2_poll_clock = {.prepare = clock_prepare};

P2_IMPL(p2_clocks_monotonic_clock_subscribe_instant, uint64_t when, uint32_t *result)
{
    return p2_subscribe(call, NULL, &p2_poll_clock, when, result);
}

P2_IMPL(p2_clocks_monotonic_clock_subscribe_duration, uint64_t when, uint32_t *result)
{
    uint64_t now;
    int rc = clock_value(call, WASI_PORT_CLOCK_MONOTONIC, false, &now);
    if (rc) return rc;
    uint64_t d = when;
    return p2_subscribe(call, NULL, &p2_poll_clock,
                        d > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + d, result);
}

/* datetime {seconds: u64, nanoseconds: u32}: 16 bytes, align 8. */
static int put_datetime(struct wasm_host_call *call, uint32_t ret_ptr, uint64_t ns)
{
    uint8_t *ret = p2_ret(call, ret_ptr, 16, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le64_put(ret, ns / 1000000000u);
    le32_put(ret + 8, (uint32_t)(ns % 1000000000u));
    return 0;
}

P2_IMPL(p2_clocks_wall_clock_now, uint32_t ret_ptr)
{
    uint64_t ns;
    int rc = clock_value(call, WASI_PORT_CLOCK_REALTIME, false, &ns);
    return rc ? rc : put_datetime(call, ret_ptr, ns);
}

P2_IMPL(p2_clocks_wall_clock_resolution, uint32_t ret_ptr)
{
    uint64_t ns;
    int rc = clock_value(call, WASI_PORT_CLOCK_REALTIME, true, &ns);
    return rc ? rc : put_datetime(call, ret_ptr, ns);
}

/* ---- random ---------------------------------------------------------------------- */

/* get-random-bytes(len) -> list<u8>: filled in place in guest memory. */
static int random_list(struct wasm_host_call *call, uint64_t len, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    if (len > (1u << 30)) return wasm_host_trap(call, "get-random-bytes of more than 1 GiB");
    uint32_t ptr;
    int rc = p2_alloc(call, 1, (uint32_t)len, &ptr);
    if (rc) return rc;
    if (len) {
        rc = w->port.ops->random(w->port.ctx, guest_ptr(call, ptr, len), (size_t)len);
        if (rc) return wasm_host_trap(call, "random failed: %s", err_str(rc));
    }
    uint8_t *ret = p2_ret(call, ret_ptr, 8, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le32_put(ret, ptr);
    le32_put(ret + 4, (uint32_t)len);
    return 0;
}

static int random_u64(struct wasm_host_call *call, uint64_t *out)
{
    struct wasi_ctx *w = call_ctx(call);
    uint8_t b[8];
    int rc = w->port.ops->random(w->port.ctx, b, sizeof b);
    if (rc) return wasm_host_trap(call, "random failed: %s", err_str(rc));
    *out = le64_get(b);
    return 0;
}

P2_IMPL(p2_random_random_get_random_bytes, uint64_t len, uint32_t ret_ptr)
{
    return random_list(call, len, ret_ptr);
}

P2_IMPL(p2_random_random_get_random_u64, uint64_t *result)
{
    return random_u64(call, result);
}

/* insecure: the same secure source (allowed: "insecure" only relaxes). */
P2_IMPL(p2_random_insecure_get_insecure_random_bytes, uint64_t len, uint32_t ret_ptr)
{
    return random_list(call, len, ret_ptr);
}

P2_IMPL(p2_random_insecure_get_insecure_random_u64, uint64_t *result)
{
    return random_u64(call, result);
}

/* insecure-seed() -> tuple<u64, u64>: 16 bytes, align 8. */
P2_IMPL(p2_random_insecure_seed_insecure_seed, uint32_t ret_ptr)
{
    uint64_t s0, s1;
    int rc = random_u64(call, &s0);
    if (!rc) rc = random_u64(call, &s1);
    if (rc) return rc;
    uint8_t *ret = p2_ret(call, ret_ptr, 16, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le64_put(ret, s0);
    le64_put(ret + 8, s1);
    return 0;
}
