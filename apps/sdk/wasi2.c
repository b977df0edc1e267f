/*
 * apps/sdk/wasi2.c - the SDK base (sdk/wasi2.h): the cabi_realloc export
 * with tracked and "landed" host allocations, error records, pollables,
 * and wasi:io streams. Canonical ABI layouts are those of
 * ../shared/wit/ABI.md and return-area-layouts-0.2.12.tsv.
 */
#include "sdk/wasi2.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---------------------------------------------------------------- */

static struct wasi2_err last_error;

const struct wasi2_err *wasi2_error(void)
{
    return &last_error;
}

const char *wasi2_errmsg(void)
{
    return last_error.msg;
}

void wasi2_set_error(enum wasi2_err_kind kind, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    last_error.kind = kind;
    last_error.code = code;
    vsnprintf(last_error.msg, sizeof last_error.msg, fmt, ap);
    va_end(ap);
}

static const char *const sockets_names[] = {WASI_SOCKETS_NETWORK_ERROR_CODE__NAMES};
static const char *const http_names[] = {WASI_HTTP_TYPES_ERROR_CODE__NAMES};

const char *wasi2_sockets_code_name(int code)
{
    if (code < 0 || code >= WASI_SOCKETS_NETWORK_ERROR_CODE__COUNT) return "unknown-error-code";
    return sockets_names[code];
}

const char *wasi2_http_code_name(int code)
{
    if (code < 0 || code >= WASI_HTTP_TYPES_ERROR_CODE__COUNT) return "unknown-error-code";
    return http_names[code];
}

const char *wasi2_sockets_code_text(int code)
{
    switch (code) {
    case WASI_SOCKETS_NETWORK_ERROR_CODE_CONNECTION_REFUSED: return "connection refused";
    case WASI_SOCKETS_NETWORK_ERROR_CODE_CONNECTION_RESET: return "connection reset";
    case WASI_SOCKETS_NETWORK_ERROR_CODE_CONNECTION_ABORTED: return "connection aborted";
    case WASI_SOCKETS_NETWORK_ERROR_CODE_TIMEOUT: return "timed out";
    case WASI_SOCKETS_NETWORK_ERROR_CODE_REMOTE_UNREACHABLE: return "host unreachable";
    case WASI_SOCKETS_NETWORK_ERROR_CODE_NAME_UNRESOLVABLE: return "unknown host";
    case WASI_SOCKETS_NETWORK_ERROR_CODE_TEMPORARY_RESOLVER_FAILURE: return "temporary DNS failure";
    case WASI_SOCKETS_NETWORK_ERROR_CODE_PERMANENT_RESOLVER_FAILURE: return "DNS failure";
    case WASI_SOCKETS_NETWORK_ERROR_CODE_ADDRESS_IN_USE: return "address in use";
    case WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED: return "access denied";
    case WASI_SOCKETS_NETWORK_ERROR_CODE_NOT_SUPPORTED: return "not supported";
    default: return wasi2_sockets_code_name(code);
    }
}

void wasi2_sockets_failed(int code)
{
    wasi2_set_error(WASI2_ERR_SOCKETS, code, "%s", wasi2_sockets_code_text(code));
}

/* ---- host allocations -------------------------------------------------------- */

static struct {
    int depth;   /* nesting of begin/end */
    void **ptrs; /* heap blocks handed to the host while depth > 0 */
    size_t n, cap;
    void *land; /* one-shot landing buffer */
    size_t land_cap;
    bool landed;
} hm;

void wasi2_host_mem_begin(void)
{
    hm.depth++;
}

void wasi2_host_mem_end(void)
{
    if (hm.depth == 0 || --hm.depth > 0) return;
    for (size_t i = 0; i < hm.n; i++)
        free(hm.ptrs[i]);
    hm.n = 0;
    hm.land = NULL;
}

void wasi2_land(void *buf, size_t cap)
{
    hm.land = buf;
    hm.land_cap = cap;
    hm.landed = false;
}

bool wasi2_landed(void)
{
    return hm.landed;
}

static void host_mem_track(void *old, void *p)
{
    for (size_t i = 0; i < hm.n && old; i++) {
        if (hm.ptrs[i] == old) {
            hm.ptrs[i] = p;
            return;
        }
    }
    if (hm.n == hm.cap) {
        size_t cap = hm.cap ? hm.cap * 2 : 32;
        void **v = realloc(hm.ptrs, cap * sizeof *v);
        if (!v) return; /* untracked: a leak, not a fault */
        hm.ptrs = v;
        hm.cap = cap;
    }
    hm.ptrs[hm.n++] = p;
}

/*
 * The canonical ABI's allocator export (ABI.md, "Lists and strings returned
 * by the host"): the host calls cabi_realloc(0, 0, align, size) for each
 * list or string it returns. It must not fail: the host has no way to
 * report that, so running out of memory traps.
 */
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size,
                                                                size_t align, size_t new_size)
{
    (void)old_size;
    if (!old && hm.land && new_size <= hm.land_cap && align <= 16) {
        void *p = hm.land;
        hm.land = NULL;
        hm.landed = true;
        return p;
    }
    void *p;
    if (align <= 16) {
        p = realloc(old, new_size ? new_size : 1);
    } else {
        p = aligned_alloc(align, (new_size + align - 1) / align * align);
        if (p && old) memcpy(p, old, old_size < new_size ? old_size : new_size);
    }
    if (!p) {
        fputs("cabi_realloc: out of memory\n", stderr);
        __builtin_trap();
    }
    if (hm.depth > 0) host_mem_track(old, p);
    return p;
}

/* ---- pollables ------------------------------------------------------------- */

void wasi2_block(int32_t pollable)
{
    wasi_io_poll_pollable_block(pollable);
}

uint64_t wasi2_now_ns(void)
{
    return (uint64_t)wasi_clocks_monotonic_clock_now();
}

long wasi2_poll(const int32_t *p, size_t n, uint64_t timeout_ns, bool *ready)
{
    memset(ready, 0, n * sizeof *ready);
    size_t count = n + (timeout_ns != UINT64_MAX);
    if (count == 0) return 0; /* poll of an empty list traps on some hosts */
    int32_t small[32], *list = count <= 32 ? small : malloc(count * sizeof *list);
    if (!list) {
        wasi2_set_error(WASI2_ERR_OTHER, 0, "out of memory");
        return -1;
    }
    memcpy(list, p, n * sizeof *p);
    if (count > n)
        list[n] = wasi_clocks_monotonic_clock_subscribe_duration(
            (int64_t)(timeout_ns > INT64_MAX ? INT64_MAX : timeout_ns));
    _Alignas(8) uint8_t ret[8];
    wasi2_host_mem_begin();
    wasi_io_poll_poll((int32_t)(uintptr_t)list, (int32_t)count, (int32_t)(uintptr_t)ret);
    uint32_t ptr, len;
    memcpy(&ptr, ret, 4);
    memcpy(&len, ret + 4, 4);
    long got = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t idx;
        memcpy(&idx, (const uint8_t *)(uintptr_t)ptr + 4 * i, 4);
        if (idx < n && !ready[idx]) {
            ready[idx] = true;
            got++;
        }
    }
    wasi2_host_mem_end();
    if (count > n) wasi_io_poll_pollable_drop(list[n]);
    if (list != small) free(list);
    return got;
}

uint32_t wasi2_wait(const int32_t *p, size_t n, uint64_t timeout_ns)
{
    bool ready[31];
    if (n > 31) n = 31;
    uint32_t mask = 0;
    if (wasi2_poll(p, n, timeout_ns, ready) > 0)
        for (size_t i = 0; i < n; i++)
            if (ready[i]) mask |= 1u << i;
    return mask;
}

/* ---- streams ----------------------------------------------------------------- */

/* The debug string of an io error (borrowed) into the error record.
 * (wasi:http's http-error-code would say more for a body stream, but jco
 * 1.35's shim throws on io errors that are not HTTP ones, so the generic
 * to-debug-string is what works everywhere.) */
static void describe_io_error(int32_t err)
{
    _Alignas(8) uint8_t ret[8];
    wasi2_host_mem_begin();
    wasi_io_error_error_to_debug_string(err, (int32_t)(uintptr_t)ret);
    uint32_t ptr, len;
    memcpy(&ptr, ret, 4);
    memcpy(&len, ret + 4, 4);
    wasi2_set_error(WASI2_ERR_STREAM, 0, "%.*s", (int)(len > 200 ? 200 : len),
                    (const char *)(uintptr_t)ptr);
    wasi2_host_mem_end();
}

int wasi2_stream_failed(const uint8_t *p)
{
    if (p[0] == WASI_IO_STREAMS_STREAM_ERROR_CLOSED) {
        wasi2_set_error(WASI2_ERR_STREAM, 1, "stream closed");
        return WASI2_EOF;
    }
    int32_t err;
    memcpy(&err, p + 4, 4);
    describe_io_error(err);
    wasi_io_error_error_drop(err);
    return WASI2_FAIL;
}

long wasi2_read(int32_t in, void *buf, size_t cap, bool blocking)
{
    _Alignas(8) uint8_t ret[12];
    wasi2_host_mem_begin();
    wasi2_land(buf, cap);
    if (blocking)
        wasi_io_streams_input_stream_blocking_read(in, (int64_t)cap, (int32_t)(uintptr_t)ret);
    else
        wasi_io_streams_input_stream_read(in, (int64_t)cap, (int32_t)(uintptr_t)ret);
    bool landed = wasi2_landed();
    wasi2_land(NULL, 0);
    long r;
    if (ret[0] != 0) {
        r = wasi2_stream_failed(ret + 4);
    } else {
        uint32_t ptr, len;
        memcpy(&ptr, ret + 4, 4);
        memcpy(&len, ret + 8, 4);
        if (len > cap) {
            wasi2_set_error(WASI2_ERR_OTHER, 0, "host returned %u bytes for a read of %zu",
                            (unsigned)len, cap);
            r = WASI2_FAIL;
        } else {
            if (len > 0 && (!landed || (void *)(uintptr_t)ptr != buf))
                memmove(buf, (const void *)(uintptr_t)ptr, len);
            r = (long)len;
        }
    }
    wasi2_host_mem_end();
    return r;
}

int wasi2_write_all(int32_t out, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        _Alignas(8) uint8_t ret[16];
        wasi_io_streams_output_stream_check_write(out, (int32_t)(uintptr_t)ret);
        if (ret[0] != 0) return wasi2_stream_failed(ret + 8);
        uint64_t permit;
        memcpy(&permit, ret + 8, 8);
        if (permit == 0) {
            int32_t pollable = wasi_io_streams_output_stream_subscribe(out);
            wasi2_block(pollable);
            wasi_io_poll_pollable_drop(pollable);
            continue;
        }
        size_t n = permit < len ? (size_t)permit : len;
        wasi_io_streams_output_stream_write(out, (int32_t)(uintptr_t)p, (int32_t)n,
                                            (int32_t)(uintptr_t)ret);
        if (ret[0] != 0) return wasi2_stream_failed(ret + 4);
        p += n;
        len -= n;
    }
    return 0;
}

long wasi2_write_room(int32_t out)
{
    _Alignas(8) uint8_t ret[16];
    wasi_io_streams_output_stream_check_write(out, (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) return wasi2_stream_failed(ret + 8);
    uint64_t permit;
    memcpy(&permit, ret + 8, 8);
    return permit > LONG_MAX ? LONG_MAX : (long)permit;
}

long wasi2_write_some(int32_t out, const void *buf, size_t len)
{
    long permit = wasi2_write_room(out);
    if (permit < 0) return permit;
    size_t n = (size_t)permit < len ? (size_t)permit : len;
    if (n == 0) return 0;
    _Alignas(8) uint8_t ret[16];
    wasi_io_streams_output_stream_write(out, (int32_t)(uintptr_t)buf, (int32_t)n,
                                        (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) return wasi2_stream_failed(ret + 4);
    return (long)n;
}

int wasi2_flush(int32_t out)
{
    _Alignas(8) uint8_t ret[12];
    wasi_io_streams_output_stream_blocking_flush(out, (int32_t)(uintptr_t)ret);
    return ret[0] != 0 ? wasi2_stream_failed(ret + 4) : 0;
}

int wasi2_flush_start(int32_t out)
{
    _Alignas(8) uint8_t ret[12];
    wasi_io_streams_output_stream_flush(out, (int32_t)(uintptr_t)ret);
    return ret[0] != 0 ? wasi2_stream_failed(ret + 4) : 0;
}
