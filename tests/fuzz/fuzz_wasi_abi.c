/*
 * tests/fuzz/fuzz_wasi_abi.c - libFuzzer target for lib/wasi's canonical
 * ABI readers: WASI 0.2 host functions that parse guest memory (lists of
 * field tuples, lists of lists, strings that must be UTF-8, options and
 * variants flattened into parameters, return-area pointers), called with
 * a linear memory filled from the input and parameters taken from it.
 * Only functions that touch no port resource (files, sockets) are called.
 * Property: no crash, no sanitizer report; a host function either returns
 * 0 or a trap, never anything else.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "tests/fuzz/p2_calls.h"
#include "wasi/p2.h"

static const char *const fns[][2] = {
    {"http/types", "[constructor]fields"},
    {"http/types", "[static]fields.from-list"},
    {"http/types", "[method]fields.append"},
    {"http/types", "[method]fields.set"},
    {"http/types", "[method]fields.delete"},
    {"http/types", "[method]fields.has"},
    {"http/types", "[method]fields.clone"},
    {"http/types", "[resource-drop]fields"},
    {"http/types", "[constructor]outgoing-request"},
    {"http/types", "[method]outgoing-request.set-method"},
    {"http/types", "[method]outgoing-request.set-scheme"},
    {"http/types", "[method]outgoing-request.set-authority"},
    {"http/types", "[method]outgoing-request.set-path-with-query"},
    {"http/types", "[method]outgoing-request.body"},
    {"http/types", "[resource-drop]outgoing-request"},
    {"http/types", "[constructor]request-options"},
    {"http/types", "[method]request-options.set-connect-timeout"},
    {"http/types", "[method]request-options.connect-timeout"},
    {"http/types", "http-error-code"},
    /* The server side with no exchange behind it: responses, their bodies
     * (held until a set that never comes), outparams and requests. */
    {"http/types", "[constructor]outgoing-response"},
    {"http/types", "[method]outgoing-response.set-status-code"},
    {"http/types", "[method]outgoing-response.headers"},
    {"http/types", "[method]outgoing-response.body"},
    {"http/types", "[resource-drop]outgoing-response"},
    {"http/types", "[method]outgoing-body.write"},
    {"http/types", "[static]outgoing-body.finish"},
    {"http/types", "[resource-drop]outgoing-body"},
    {"io/streams", "[method]output-stream.check-write"},
    {"io/streams", "[method]output-stream.write"},
    {"io/streams", "[resource-drop]output-stream"},
    {"http/types", "[static]response-outparam.set"},
    {"http/types", "[method]incoming-request.method"},
    {"http/types", "[method]incoming-request.consume"},
    {"io/poll", "[resource-drop]pollable"},
    {"clocks/monotonic-clock", "subscribe-duration"},
    {"clocks/wall-clock", "now"},
    {"sockets/instance-network", "instance-network"},
    {"sockets/tcp-create-socket", "create-tcp-socket"},
    {"sockets/tcp", "[method]tcp-socket.start-bind"},
    {"sockets/tcp", "[method]tcp-socket.finish-bind"},
    {"sockets/tcp", "[method]tcp-socket.set-keep-alive-idle-time"},
    {"sockets/tcp", "[resource-drop]tcp-socket"},
};

static int stdio_null(void *ctx, int fd, struct wasi_port_file **out)
{
    (void)ctx, (void)fd;
    *out = (struct wasi_port_file *)1;
    return 0;
}
static int close_null(void *ctx, struct wasi_port_file *f)
{
    (void)ctx, (void)f;
    return 0;
}
static int fstat_null(void *ctx, struct wasi_port_file *f, struct wasi_port_stat *st)
{
    (void)ctx, (void)f;
    memset(st, 0, sizeof *st);
    st->filetype = WASI_PORT_FT_CHARACTER_DEVICE;
    return 0;
}
static int clock_fixed(void *ctx, enum wasi_port_clock c, uint64_t *ns)
{
    (void)ctx, (void)c;
    *ns = 1000000000ull;
    return 0;
}

/* A port with no files or sockets: a console that is never used and a clock. */
static const struct wasi_port_ops null_ops = {
    .stdio = stdio_null,
    .close = close_null,
    .fstat = fstat_null,
    .clock_now = clock_fixed,
    .clock_res = clock_fixed,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8) return 0;
    struct wasi_config cfg = {.port = {.ops = &null_ops}};
    struct wasi_ctx *w;
    if (wasi_ctx_new(&cfg, &w)) abort();
    struct wasm_memory *m = wasm_memory_new(1, 1);
    memcpy(wasm_memory_data(m), data, MIN(size, (size_t)WASM_PAGE_SIZE));
    struct wasm_trap trap;
    struct wasm_host_call call = {.memory = m, .user = w, .trap = &trap};
    p2_fuzz_calls(&call, fns, ARRAY_SIZE(fns), data, size);
    wasm_memory_free(m);
    wasi_ctx_free(w);
    return 0;
}
