/*
 * apps/include/sdk/wasi2.h - the base of the app SDK over the raw WASI
 * 0.2 imports of wasi2/imports.h: the module's cabi_realloc export and what
 * the host allocates through it, error reporting, waiting on pollables,
 * and reading and writing wasi:io streams.
 *
 * Memory the host returns (lists, strings) comes through cabi_realloc.
 * Inside the SDK's calls it is tracked and freed when the call is done,
 * so that an app's memory stays constant however long it runs; a read can
 * also "land" the host's allocation directly in the caller's buffer
 * (wasi2_read), which saves a copy for bulk data.
 *
 * Ownership follows the WIT (../shared/wit/ABI.md): an own<> handle moves
 * into the callee; children are dropped before their parents (pollables
 * before their stream or socket, streams before their body or socket).
 */
#ifndef SDK_WASI2_H
#define SDK_WASI2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasi2/imports.h"

/* ---- errors -------------------------------------------------------------- */

enum wasi2_err_kind {
    WASI2_ERR_NONE,
    WASI2_ERR_SOCKETS, /* code: wasi:sockets/network error-code */
    WASI2_ERR_HTTP,    /* code: wasi:http/types error-code case */
    WASI2_ERR_STREAM,  /* a stream's last-operation-failed; msg from the host */
    WASI2_ERR_TIMEOUT, /* the SDK's own deadline passed */
    WASI2_ERR_OTHER,   /* bad input, out of memory, host misbehaviour */
};

struct wasi2_err {
    enum wasi2_err_kind kind;
    int code;
    char msg[256]; /* human text, e.g. "connection refused" */
};

/* The last failure of an SDK call (valid until the next failure). */
const struct wasi2_err *wasi2_error(void);
const char *wasi2_errmsg(void);
void wasi2_set_error(enum wasi2_err_kind kind, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* WIT names of wasi:sockets error codes and wasi:http error-code cases
 * ("connection-refused"), and the human text used in messages. */
const char *wasi2_sockets_code_name(int code);
const char *wasi2_sockets_code_text(int code);
const char *wasi2_http_code_name(int code);

/* Records a failure from a sockets error-code. */
void wasi2_sockets_failed(int code);

/* ---- host allocations ---------------------------------------------------- */

/* Between begin and end, every allocation the host makes through
 * cabi_realloc is remembered; end frees them all. Calls nest. */
void wasi2_host_mem_begin(void);
void wasi2_host_mem_end(void);

/* The next host allocation of at most cap bytes goes to buf (16-byte
 * aligned) instead of the heap; wasi2_landed() tells whether it did. */
void wasi2_land(void *buf, size_t cap);
bool wasi2_landed(void);

/* ---- pollables and clocks ------------------------------------------------ */

/* wasi:clocks/monotonic-clock now(), in nanoseconds. */
uint64_t wasi2_now_ns(void);
/* What is left of a deadline (0 once it passed). */
static inline uint64_t wasi2_left_ns(uint64_t deadline)
{
    uint64_t now = wasi2_now_ns();
    return now < deadline ? deadline - now : 0;
}

/* Waits until the pollable is ready (borrows it). */
void wasi2_block(int32_t pollable);
/* Waits until one of p[0..n) is ready or timeout_ns passes (UINT64_MAX:
 * no timeout). Returns a bit mask of the ready ones (n <= 31), 0 when the
 * time ran out. */
uint32_t wasi2_wait(const int32_t *p, size_t n, uint64_t timeout_ns);
/* The same for any number of pollables (an event loop over many sockets):
 * sets ready[i] for each of p[0..n) and returns how many are ready, 0 when
 * the time ran out (or n is 0 without a timeout), -1 when out of memory.
 * One wasi:io/poll call: the host waits, the app does not spin. */
long wasi2_poll(const int32_t *p, size_t n, uint64_t timeout_ns, bool *ready);

/* ---- streams ------------------------------------------------------------- */

enum { WASI2_FAIL = -1, WASI2_EOF = -2 };

/* Reads at most cap bytes into buf. Blocking: waits for data. Returns the
 * count (0 only when not blocking and nothing is there yet), WASI2_EOF when
 * the stream is closed, or WASI2_FAIL (wasi2_error()). */
long wasi2_read(int32_t in, void *buf, size_t cap, bool blocking);

/* Writes all of buf, waiting as the stream allows (check-write, write,
 * then flush). Returns 0 or WASI2_FAIL; WASI2_EOF when the peer closed. */
int wasi2_write_all(int32_t out, const void *buf, size_t len);
/* Writes what the stream accepts now without waiting: at most len
 * bytes, possibly 0. Returns the count, WASI2_FAIL or WASI2_EOF. */
long wasi2_write_some(int32_t out, const void *buf, size_t len);
/* What the stream accepts now (check-write): a byte count, 0 while it is
 * full or a flush is still going on (wait on its pollable), or WASI2_FAIL
 * or WASI2_EOF. */
long wasi2_write_room(int32_t out);

/* Flushes and waits until the data is handed over. */
int wasi2_flush(int32_t out);
/* Starts a flush without waiting: it is done once the stream's pollable is
 * ready and wasi2_write_room() is not 0. Returns 0, WASI2_FAIL or WASI2_EOF. */
int wasi2_flush_start(int32_t out);

/* Records a stream-error read from a return area at p (its u8 case, then
 * at p + 4 the own<error> handle when the case is last-operation-failed),
 * dropping the error. Returns WASI2_EOF for closed, else WASI2_FAIL. */
int wasi2_stream_failed(const uint8_t *p);

#endif
