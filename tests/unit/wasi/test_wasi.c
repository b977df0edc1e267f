/*
 * tests/unit/wasi/test_wasi.c - lib/wasi's unit tests: path confinement,
 * the import resolver (preview1 names, any 0.2.N version, nothing else),
 * the 0.2 handle table's ownership rules, canonical ABI helpers (address
 * flattening, return areas), error mapping, and host functions called
 * directly with a fake call over a real linear memory and the Linux port
 * on a temporary directory: guest pointers checked, sandbox kept, rights
 * enforced; every wasi:sockets option's getter and setter (defaults,
 * invalid-argument for 0, not-supported, result bytes, traps) and the
 * options reaching the host's sockets; the asynchronous connect
 * (would-block while a loopback listener's full accept queue holds the
 * handshake back, refusal, the timeout, the blocking fallback). Oracles:
 * the preview1 witx values, the WIT's error-code order, POSIX (the files
 * the port leaves on disk, getsockopt on the sockets it made, the bytes
 * the Linux peer receives).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/budget.h"
#include "base/error.h"
#include "host/port/wasi_host.h"
#include "wasi/p2.h"
#include "wasi/p2_http.h"

/* ---- path confinement ------------------------------------------------------ */

static void expect_path(const char *in, const char *want)
{
    char out[WASI_PORT_PATH_MAX + 1];
    unsigned flags;
    int n = wasi_path_confine(in, strlen(in), out, &flags);
    if (n < 0) fail_msg("\"%s\": %s", in, err_name(n));
    assert_string_equal(out, want);
    assert_int_equal((size_t)n, strlen(want));
}

static void expect_path_err(const char *in, size_t len, int err)
{
    char out[WASI_PORT_PATH_MAX + 1];
    unsigned flags;
    assert_int_equal(wasi_path_confine(in, len, out, &flags), err);
}

static void test_path_normal(void **state)
{
    (void)state;
    expect_path("a", "a");
    expect_path("a/b/c", "a/b/c");
    expect_path("./a//b/./c/", "a/b/c");
    expect_path("a/../b", "b");
    expect_path("a/b/../../c", "c");
    expect_path(".", ".");
    expect_path("a/..", ".");
    expect_path("./", ".");
    expect_path("...", "...");
    expect_path("..a/b..", "..a/b..");
    char out[WASI_PORT_PATH_MAX + 1];
    unsigned flags;
    wasi_path_confine("dir/", 4, out, &flags);
    assert_int_equal(flags, WASI_PATH_TRAILING_SLASH);
    wasi_path_confine("dir", 3, out, &flags);
    assert_int_equal(flags, 0);
}

static void test_path_escapes(void **state)
{
    (void)state;
    expect_path_err("..", 2, WASI_ERR_NOTCAPABLE);
    expect_path_err("../a", 4, WASI_ERR_NOTCAPABLE);
    expect_path_err("a/../..", 7, WASI_ERR_NOTCAPABLE);
    expect_path_err("a/./../../b", 11, WASI_ERR_NOTCAPABLE);
    expect_path_err("/etc/passwd", 11, WASI_ERR_NOTCAPABLE);
    expect_path_err("/", 1, WASI_ERR_NOTCAPABLE);
    expect_path_err("", 0, ERR_NOENT);
    expect_path_err("a\0b", 3, ERR_INVAL);
}

static void test_path_limits(void **state)
{
    (void)state;
    char name[WASI_PORT_NAME_MAX + 2];
    memset(name, 'x', sizeof name);
    expect_path_err(name, WASI_PORT_NAME_MAX + 1, ERR_NAMETOOLONG);
    name[WASI_PORT_NAME_MAX] = 0;
    expect_path(name, name);
    /* Many short components past WASI_PORT_PATH_MAX, and a huge input of
     * "a/.." that folds away: linear and bounded either way. */
    size_t big = 1 << 20;
    char *p = malloc(big + 1);
    for (size_t i = 0; i < big; i += 2)
        memcpy(p + i, "d/", 2);
    expect_path_err(p, big, ERR_NAMETOOLONG);
    for (size_t i = 0; i + 5 <= big; i += 5)
        memcpy(p + i, "a/../", 5);
    p[big - big % 5] = 0;
    expect_path(p, ".");
    free(p);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_errno_map(void **state)
{
    (void)state;
    /* witx errno values */
    assert_int_equal(wasi_errno_from_err(0), 0);
    assert_int_equal(wasi_errno_from_err(ERR_NOENT), 44);
    assert_int_equal(wasi_errno_from_err(ERR_BADF), 8);
    assert_int_equal(wasi_errno_from_err(ERR_EXIST), 20);
    assert_int_equal(wasi_errno_from_err(ERR_ISDIR), 31);
    assert_int_equal(wasi_errno_from_err(ERR_NOTDIR), 54);
    assert_int_equal(wasi_errno_from_err(ERR_NOTEMPTY), 55);
    assert_int_equal(wasi_errno_from_err(ERR_FAULT), 21);
    assert_int_equal(wasi_errno_from_err(ERR_NOTSUP), 58);
    assert_int_equal(wasi_errno_from_err(ERR_CONNREFUSED), 14);
    assert_int_equal(wasi_errno_from_err(WASI_ERR_NOTCAPABLE), 76);
    assert_int_equal(wasi_errno_from_err(-9999), 29); /* unknown: EIO */
    /* wasi:sockets error-code enum order */
    assert_int_equal(p2_sock_error(ERR_CONNREFUSED), 14);
    assert_int_equal(p2_sock_error(ERR_AGAIN), 8);
    assert_int_equal(p2_sock_error(ERR_NXDOMAIN), 18);
    assert_int_equal(p2_sock_error(ERR_TIMEDOUT), 5);
    assert_int_equal(p2_sock_error(ERR_ADDRINUSE), 12);
    /* wasi:http error-code variant order */
    assert_int_equal(p2_http_error(ERR_CONNREFUSED, HTTP_FAIL_CONNECT), 6);
    assert_int_equal(p2_http_error(ERR_NXDOMAIN, HTTP_FAIL_CONNECT), 1);
    assert_int_equal(p2_http_error(ERR_HOSTUNREACH, HTTP_FAIL_CONNECT), 3);
    assert_int_equal(p2_http_error(ERR_CONNRESET, HTTP_FAIL_TRUNCATED), 25);
    assert_int_equal(p2_http_error(ERR_TIMEDOUT, HTTP_FAIL_IDLE_TIMEOUT), 9);
    assert_int_equal(p2_http_error(ERR_BADMSG, HTTP_FAIL_STATUS_LINE), 35);
    assert_int_equal(p2_http_error(ERR_NOMEM, HTTP_FAIL_NOMEM), 38);
}

/* ---- a context over the Linux port, and fake calls ------------------------------- */

struct fixture {
    char dir[64];
    struct wasi_ctx *w;
    struct wasm_memory *mem;
    struct wasm_trap trap;
    struct wasm_host_call call;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct wasi_port port;
    struct wasi_preopen pre = {.guest_path = "/sandbox"};
    strcpy(f->dir, "/tmp/kpio-wasi-unit-XXXXXX");
    wasi_host_port_new(&port);
    if (!mkdtemp(f->dir) || wasi_host_open_dir(&port, f->dir, &pre.dir)) {
        free(f);
        return -1;
    }
    static const char *const argv[] = {"prog", "arg"};
    static const char *const envp[] = {"A=1"};
    struct wasi_config cfg = {.port = port,
                              .argc = 2,
                              .argv = argv,
                              .envc = 1,
                              .envp = envp,
                              .npreopens = 1,
                              .preopens = &pre,
                              .allow_net = true};
    if (wasi_ctx_new(&cfg, &f->w)) {
        free(f);
        return -1;
    }
    f->mem = wasm_memory_new(1, 1);
    f->call.memory = f->mem;
    f->call.user = f->w;
    f->call.trap = &f->trap;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    wasi_ctx_free(f->w);
    wasm_memory_free(f->mem);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

static uint8_t *mem(struct fixture *f)
{
    return wasm_memory_data(f->mem);
}

/* Calls preview1 function name with up to 9 args (i32 or i64 by the
 * signature); returns the errno. */
static int p1(struct fixture *f, const char *name, ...)
{
    const struct wasi_import_fn *fn = wasi_p1_lookup(name, strlen(name));
    assert_non_null(fn);
    wasm_value a[10] = {0}, r[1] = {0};
    va_list ap;
    va_start(ap, name);
    const char *s = fn->sig + 1;
    for (int i = 0; *s != ')'; s++, i++)
        a[i].u64 = *s == 'I' ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
    va_end(ap);
    int rc = fn->fn(&f->call, a, r);
    assert_int_equal(rc, 0);
    return (int)r[0].u32;
}

static void put_str(struct fixture *f, uint32_t at, const char *s)
{
    memcpy(mem(f) + at, s, strlen(s));
}

/* ---- the resolver ------------------------------------------------------------------ */

static int resolve(struct fixture *f, const char *module, const char *name,
                   enum wasm_extern_kind kind)
{
    struct wasm_import imp = {.module = module,
                              .name = name,
                              .module_len = strlen(module),
                              .name_len = strlen(name),
                              .kind = kind};
    struct wasm_extern ext;
    return wasi_resolve(f->w, &imp, &ext);
}

static void test_resolver(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(resolve(f, "wasi_snapshot_preview1", "fd_write", WASM_EXTERN_FUNC), 0);
    assert_int_equal(resolve(f, "wasi_snapshot_preview1", "path_open", WASM_EXTERN_FUNC), 0);
    assert_int_equal(resolve(f, "wasi_snapshot_preview1", "no_such", WASM_EXTERN_FUNC), ERR_NOENT);
    assert_int_equal(resolve(f, "wasi_snapshot_preview1", "fd_write", WASM_EXTERN_MEMORY),
                     ERR_NOENT);
    assert_int_equal(resolve(f, "wasi:io/poll@0.2.0", "poll", WASM_EXTERN_FUNC), 0);
    assert_int_equal(resolve(f, "wasi:io/poll@0.2.12", "poll", WASM_EXTERN_FUNC), 0);
    assert_int_equal(resolve(f, "wasi:io/poll@0.2.99", "poll", WASM_EXTERN_FUNC), 0);
    assert_int_equal(resolve(f, "wasi:io/poll@0.3.0", "poll", WASM_EXTERN_FUNC), ERR_NOENT);
    assert_int_equal(resolve(f, "wasi:io/poll@0.2", "poll", WASM_EXTERN_FUNC), ERR_NOENT);
    assert_int_equal(resolve(f, "wasi:io/poll@0.2.0-rc", "poll", WASM_EXTERN_FUNC), ERR_NOENT);
    assert_int_equal(resolve(f, "wasi:io/poll", "poll", WASM_EXTERN_FUNC), ERR_NOENT);
    assert_int_equal(resolve(f, "wasi:io/poll@0.2.0", "pol", WASM_EXTERN_FUNC), ERR_NOENT);
    assert_int_equal(resolve(f, "env", "poll", WASM_EXTERN_FUNC), ERR_NOENT);
    /* a function KPIO does not implement still resolves (and traps if called) */
    assert_int_equal(
        resolve(f, "wasi:http/types@0.2.0", "[constructor]outgoing-response", WASM_EXTERN_FUNC), 0);
    static const char finish[] = "[static]outgoing-body.finish";
    static const char connect[] = "[method]tcp-socket.start-connect";
    const struct wasi_import_fn *fn = wasi_p2_lookup("http/types", 10, finish, strlen(finish));
    assert_non_null(fn);
    assert_string_equal(fn->sig, "(iiii)");
    fn = wasi_p2_lookup("sockets/tcp", 11, connect, strlen(connect));
    assert_non_null(fn);
    assert_string_equal(fn->sig, "(iiiiiiiiiiiiiii)");
    assert_int_equal(wasi_p2_table_len, 200);
    /* every import of the interfaces KPIO implements has a real function */
    static const char *const done[] = {"io/",        "clocks/", "random/",  "cli/environment",
                                       "cli/exit",   "cli/std", "sockets/", "http/outgoing",
                                       "filesystem/"};
    for (size_t i = 0; i < wasi_p2_table_len; i++)
        for (size_t k = 0; k < sizeof done / sizeof done[0]; k++)
            if (!strncmp(wasi_p2_table[i].iface, done[k], strlen(done[k])) &&
                wasi_p2_table[i].fn == wasi_p2_unimplemented)
                fail_msg("%s %s is not implemented", wasi_p2_table[i].iface, wasi_p2_table[i].name);
}

/* ---- the handle table --------------------------------------------------------------- */

static void test_handles(void **state)
{
    struct fixture *f = *state;
    struct wasm_host_call *c = &f->call;
    struct p2_obj *parent = p2_obj_new(sizeof *parent, P2_NETWORK, NULL, NULL);
    uint32_t hp, hc, hc2;
    assert_int_equal(p2_put(c, parent, &hp), 0);
    assert_true(hp >= 1);
    struct p2_obj *child = p2_obj_new(sizeof *child, P2_POLLABLE, parent, NULL);
    assert_int_equal(p2_put(c, child, &hc), 0);
    assert_int_equal(parent->children, 1);
    /* borrow: lookups by type; a wrong type or a stale handle is NULL */
    assert_ptr_equal(p2_get(c, hp, P2_NETWORK), parent);
    assert_null(p2_get(c, hp, P2_POLLABLE));
    assert_null(p2_get(c, 0, P2_NETWORK));
    assert_null(p2_get(c, 999, P2_NETWORK));
    /* a parent with a child cannot be dropped */
    assert_int_equal(p2_drop(c, hp, P2_NETWORK), WASM_TRAP_HOST);
    assert_non_null(strstr(f->trap.reason, "child"));
    assert_ptr_equal(p2_get(c, hp, P2_NETWORK), parent);
    /* own: take moves the resource out of the table */
    assert_ptr_equal(p2_take(c, hc, P2_POLLABLE), child);
    assert_null(p2_get(c, hc, P2_POLLABLE));
    assert_int_equal(p2_drop(c, hc, P2_POLLABLE), WASM_TRAP_HOST);
    p2_obj_free(f->w, child);
    assert_int_equal(parent->children, 0);
    assert_int_equal(p2_drop(c, hp, P2_NETWORK), 0);
    assert_int_equal(p2_drop(c, hp, P2_NETWORK), WASM_TRAP_HOST);
    /* freed slots are reused */
    struct p2_obj *again = p2_obj_new(sizeof *again, P2_NETWORK, NULL, NULL);
    assert_int_equal(p2_put(c, again, &hc2), 0);
    assert_true(hc2 == hp || hc2 == hc);
    /* many handles grow the table */
    for (int i = 0; i < 1000; i++) {
        struct p2_obj *o = p2_obj_new(sizeof *o, P2_ERROR, NULL, NULL);
        uint32_t h;
        assert_int_equal(p2_put(c, o, &h), 0);
    }
    /* the rest is freed by wasi_ctx_free (leaks would fail under ASan) */
}

/* The embedder's budget (the kernel's per-app one, which the app's linear
 * memory charges too): resources charge it, not a budget of their own, a
 * resource past it traps naming the limit, and freeing the context gives
 * back all they took. */
static void test_shared_budget(void **state)
{
    (void)state;
    struct mem_budget budget = {.limit = 8192, .used = 4096}; /* 4 KiB taken elsewhere */
    struct wasi_config cfg = {.budget = &budget, .max_host_bytes = 1 << 30};
    wasi_host_port_new(&cfg.port);
    struct wasi_ctx *w;
    assert_int_equal(wasi_ctx_new(&cfg, &w), 0);
    struct wasm_trap trap;
    struct wasm_host_call call = {.user = w, .trap = &trap};
    size_t before = budget.used;
    int rc = 0, n = 0;
    while (rc == 0 && n < 1000) {
        struct p2_obj *o = p2_obj_new(sizeof *o, P2_ERROR, NULL, NULL);
        uint32_t h;
        rc = p2_put(&call, o, &h);
        n += rc == 0;
        assert_true(budget.used <= budget.limit);
    }
    assert_int_equal(rc, WASM_TRAP_HOST);
    assert_non_null(strstr(trap.reason, "memory limit of 8192 bytes"));
    assert_true(n > 0 && n < 1000);
    assert_int_equal(budget.used, before + (size_t)n * p2_obj_cost(&(struct p2_obj){
                                                           .size = sizeof(struct p2_obj)}));
    wasi_ctx_free(w);
    assert_int_equal(budget.used, 4096);
}

/* ---- canonical ABI helpers ---------------------------------------------------------- */

static void test_addresses(void **state)
{
    (void)state;
    wasm_value v[12] = {0};
    struct wasi_port_addr a, b;
    v[0].u32 = 0, v[1].u32 = 8080, v[2].u32 = 10, v[3].u32 = 0, v[4].u32 = 2, v[5].u32 = 2;
    assert_int_equal(p2_addr_from_flat(v, &a), 0);
    assert_int_equal(a.family, 4);
    assert_int_equal(a.port, 8080);
    assert_memory_equal(a.addr, "\x0a\x00\x02\x02", 4);
    uint8_t buf[32];
    p2_addr_put(buf, &a);
    assert_int_equal(buf[0], 0);
    assert_int_equal(buf[4] | buf[5] << 8, 8080);
    assert_memory_equal(buf + 6, "\x0a\x00\x02\x02", 4);
    assert_int_equal(p2_addr_get(buf, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    /* ipv6: segments are numbers, the address bytes network order */
    memset(v, 0, sizeof v);
    v[0].u32 = 1, v[1].u32 = 443, v[2].u32 = 7, v[3].u32 = 0x2001, v[4].u32 = 0xdb8;
    v[10].u32 = 1, v[11].u32 = 3;
    assert_int_equal(p2_addr_from_flat(v, &a), 0);
    assert_int_equal(a.family, 6);
    assert_memory_equal(a.addr, "\x20\x01\x0d\xb8", 4);
    assert_int_equal(a.addr[15], 1);
    assert_int_equal(a.flowinfo, 7);
    assert_int_equal(a.scope_id, 3);
    p2_addr_put(buf, &a);
    assert_int_equal(buf[0], 1);
    assert_int_equal(buf[12] | buf[13] << 8, 0x2001);
    assert_int_equal(p2_addr_get(buf, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    v[0].u32 = 2;
    assert_int_equal(p2_addr_from_flat(v, &a), ERR_INVAL);
    buf[0] = 5;
    assert_int_equal(p2_addr_get(buf, &a), ERR_INVAL);
}

static void test_return_areas(void **state)
{
    struct fixture *f = *state;
    uint64_t size = wasm_memory_size(f->mem);
    assert_non_null(p2_ret(&f->call, 64, 40, 8));
    assert_null(p2_ret(&f->call, 65, 40, 8)); /* misaligned */
    assert_null(p2_ret(&f->call, (uint32_t)size - 8, 40, 8));
    assert_null(p2_ret(&f->call, UINT32_MAX - 3, 8, 4));
    memset(mem(f) + 128, 0xaa, 16);
    p2_ret(&f->call, 128, 12, 4);
    assert_int_equal(mem(f)[128], 0);
    assert_int_equal(mem(f)[139], 0);
    assert_int_equal(mem(f)[140], 0xaa);
    /* strings must be UTF-8 (canonical ABI); lists of bytes need not */
    memcpy(mem(f) + 256, "ok\xc3\xa9\xff", 5);
    assert_non_null(p2_arg_bytes(&f->call, 256, 4, true));
    assert_null(p2_arg_bytes(&f->call, 256, 5, true));
    assert_non_null(p2_arg_bytes(&f->call, 256, 5, false));
    memcpy(mem(f) + 256, "\xed\xa0\x80", 3); /* a surrogate */
    assert_null(p2_arg_bytes(&f->call, 256, 3, true));
    memcpy(mem(f) + 256, "\xc0\x80", 2); /* overlong NUL */
    assert_null(p2_arg_bytes(&f->call, 256, 2, true));
    assert_null(p2_arg_bytes(&f->call, (uint32_t)size - 1, 2, false));
}

/* ---- preview1 calls on the Linux port ------------------------------------------------ */

enum { IOV = 1024, BUF = 2048, OUT = 4096, PATH = 8192 };

static void test_p1_files(void **state)
{
    struct fixture *f = *state;
    const uint64_t rw = (1 << 1) | (1 << 6) | (1 << 2) | (1 << 21); /* read write seek stat */
    put_str(f, PATH, "f.txt");
    assert_int_equal(p1(f, "path_open", 3, 0, PATH, 5, 1 /* creat */, rw, rw, 0, OUT), 0);
    uint32_t fd = le32_get(mem(f) + OUT);
    assert_true(fd >= 4);
    put_str(f, BUF, "hello");
    le32_put(mem(f) + IOV, BUF);
    le32_put(mem(f) + IOV + 4, 5);
    assert_int_equal(p1(f, "fd_write", fd, IOV, 1, OUT), 0);
    assert_int_equal(le32_get(mem(f) + OUT), 5);
    /* the file is really there, beneath the preopen */
    char path[128];
    snprintf(path, sizeof path, "%s/f.txt", f->dir);
    FILE *fp = fopen(path, "rb");
    char got[16] = {0};
    assert_non_null(fp);
    assert_int_equal(fread(got, 1, sizeof got, fp), 5);
    fclose(fp);
    assert_string_equal(got, "hello");
    /* a buffer past the end of memory: EFAULT, nothing written */
    le32_put(mem(f) + IOV + 8, 65530);
    le32_put(mem(f) + IOV + 12, 100);
    assert_int_equal(p1(f, "fd_write", fd, IOV, 2, OUT), 21);
    assert_int_equal(p1(f, "fd_write", fd, 65532, 1, OUT), 21);
    assert_int_equal(p1(f, "fd_write", fd, IOV, 1, 65534), 21);
    struct stat st;
    stat(path, &st);
    assert_int_equal(st.st_size, 5);
    /* bad descriptors */
    assert_int_equal(p1(f, "fd_write", 77, IOV, 1, OUT), 8);
    assert_int_equal(p1(f, "fd_close", 77), 8);
    /* escapes */
    put_str(f, PATH, "../x");
    assert_int_equal(p1(f, "path_open", 3, 0, PATH, 4, 1, rw, rw, 0, OUT), 76);
    put_str(f, PATH, "/etc");
    assert_int_equal(p1(f, "path_create_directory", 3, PATH, 4), 76);
    /* a symlink planted (by someone else) pointing out of the sandbox */
    snprintf(path, sizeof path, "%s/out", f->dir);
    assert_int_equal(symlink("/etc", path), 0);
    put_str(f, PATH, "out/passwd");
    assert_int_equal(p1(f, "path_open", 3, 1, PATH, 10, 0, rw, rw, 0, OUT), 63);
    put_str(f, PATH, "out/new");
    assert_int_equal(p1(f, "path_create_directory", 3, PATH, 7), 63);
    /* a read-only descriptor refuses writes: notcapable */
    put_str(f, PATH, "f.txt");
    assert_int_equal(p1(f, "path_open", 3, 0, PATH, 5, 0, (uint64_t)(1 << 1), 0ull, 0, OUT), 0);
    uint32_t ro = le32_get(mem(f) + OUT);
    assert_int_equal(p1(f, "fd_write", ro, IOV, 1, OUT), 76);
    assert_int_equal(p1(f, "fd_close", ro), 0);
    assert_int_equal(p1(f, "fd_close", fd), 0);
    /* the preopen is named */
    assert_int_equal(p1(f, "fd_prestat_get", 3, OUT), 0);
    assert_int_equal(le32_get(mem(f) + OUT + 4), 8);
    assert_int_equal(p1(f, "fd_prestat_dir_name", 3, BUF, 8), 0);
    assert_memory_equal(mem(f) + BUF, "/sandbox", 8);
    assert_int_equal(p1(f, "fd_prestat_dir_name", 3, BUF, 4), 37);
    assert_int_equal(p1(f, "fd_prestat_get", 4, OUT), 8);
    /* args and environment */
    assert_int_equal(p1(f, "args_sizes_get", OUT, OUT + 4), 0);
    assert_int_equal(le32_get(mem(f) + OUT), 2);
    assert_int_equal(le32_get(mem(f) + OUT + 4), 9);
    assert_int_equal(p1(f, "environ_get", OUT, BUF), 0);
    assert_int_equal(le32_get(mem(f) + OUT), BUF);
    assert_string_equal((char *)mem(f) + BUF, "A=1");
    assert_int_equal(p1(f, "environ_get", OUT, 65534), 21);
}

static void test_p1_poll(void **state)
{
    struct fixture *f = *state;
    /* one relative clock subscription of 1 ms */
    uint8_t *s = mem(f) + BUF;
    memset(s, 0, 48);
    le64_put(s, 42);
    s[8] = 0;
    le32_put(s + 16, 1);
    le64_put(s + 24, 1000000);
    assert_int_equal(p1(f, "poll_oneoff", BUF, OUT, 1, IOV), 0);
    assert_int_equal(le32_get(mem(f) + IOV), 1);
    assert_int_equal(le64_get(mem(f) + OUT), 42);
    assert_int_equal(le16_get(mem(f) + OUT + 8), 0);
    /* an unknown clock is an event with EINVAL; a bad fd an event with EBADF */
    le32_put(s + 16, 9);
    assert_int_equal(p1(f, "poll_oneoff", BUF, OUT, 1, IOV), 0);
    assert_int_equal(le16_get(mem(f) + OUT + 8), 28);
    s[8] = 1;
    le32_put(s + 16, 99);
    assert_int_equal(p1(f, "poll_oneoff", BUF, OUT, 1, IOV), 0);
    assert_int_equal(le16_get(mem(f) + OUT + 8), 8);
    assert_int_equal(p1(f, "poll_oneoff", BUF, OUT, 0, IOV), 28);
    assert_int_equal(p1(f, "poll_oneoff", 65530, OUT, 1, IOV), 21);
}

/* ---- 0.2 host functions without lists ------------------------------------------------- */

static int p2(struct fixture *f, const char *iface, const char *field, wasm_value *a, wasm_value *r)
{
    const struct wasi_import_fn *fn = wasi_p2_lookup(iface, strlen(iface), field, strlen(field));
    assert_non_null(fn);
    return fn->fn(&f->call, a, r);
}

static void test_p2_fields(void **state)
{
    struct fixture *f = *state;
    wasm_value a[8] = {0}, r[1] = {0};
    assert_int_equal(p2(f, "http/types", "[constructor]fields", a, r), 0);
    uint32_t h = r[0].u32;
    put_str(f, BUF, "Accept");
    put_str(f, BUF + 16, "text/plain");
    a[0].u32 = h, a[1].u32 = BUF, a[2].u32 = 6, a[3].u32 = BUF + 16, a[4].u32 = 10, a[5].u32 = OUT;
    assert_int_equal(p2(f, "http/types", "[method]fields.append", a, r), 0);
    assert_int_equal(mem(f)[OUT], 0);
    put_str(f, BUF, "ACCEPT");
    a[2].u32 = 6;
    assert_int_equal(p2(f, "http/types", "[method]fields.has", a, r), 0);
    assert_int_equal(r[0].u32, 1);
    put_str(f, BUF, "Connection");
    a[2].u32 = 10;
    put_str(f, BUF + 16, "close");
    a[4].u32 = 5;
    assert_int_equal(p2(f, "http/types", "[method]fields.append", a, r), 0);
    assert_int_equal(mem(f)[OUT], 1);
    assert_int_equal(mem(f)[OUT + 1], 1); /* forbidden */
    put_str(f, BUF, "X y");
    a[2].u32 = 3;
    assert_int_equal(p2(f, "http/types", "[method]fields.append", a, r), 0);
    assert_int_equal(mem(f)[OUT + 1], 0); /* invalid-syntax */
    a[5].u32 = 70000;
    assert_int_equal(p2(f, "http/types", "[method]fields.append", a, r), WASM_TRAP_HOST);
    /* the request takes the fields: the handle is gone */
    a[0].u32 = h;
    assert_int_equal(p2(f, "http/types", "[constructor]outgoing-request", a, r), 0);
    uint32_t req = r[0].u32;
    a[0].u32 = h;
    assert_int_equal(p2(f, "http/types", "[resource-drop]fields", a, r), WASM_TRAP_HOST);
    /* its headers are an immutable child: the request cannot go first */
    a[0].u32 = req;
    assert_int_equal(p2(f, "http/types", "[method]outgoing-request.headers", a, r), 0);
    uint32_t hdrs = r[0].u32;
    a[0].u32 = hdrs, a[1].u32 = BUF, a[2].u32 = 1, a[3].u32 = BUF, a[4].u32 = 1, a[5].u32 = OUT;
    assert_int_equal(p2(f, "http/types", "[method]fields.append", a, r), 0);
    assert_int_equal(mem(f)[OUT + 1], 2); /* immutable */
    a[0].u32 = req;
    assert_int_equal(p2(f, "http/types", "[resource-drop]outgoing-request", a, r), WASM_TRAP_HOST);
    a[0].u32 = hdrs;
    assert_int_equal(p2(f, "http/types", "[resource-drop]fields", a, r), 0);
    /* setters check their input */
    put_str(f, BUF, "a/b");
    a[0].u32 = req, a[1].u32 = 1, a[2].u32 = BUF, a[3].u32 = 3;
    assert_int_equal(p2(f, "http/types", "[method]outgoing-request.set-authority", a, r), 0);
    assert_int_equal(r[0].u32, 1);
    a[3].u32 = 1;
    assert_int_equal(p2(f, "http/types", "[method]outgoing-request.set-authority", a, r), 0);
    assert_int_equal(r[0].u32, 0);
    a[0].u32 = req;
    assert_int_equal(p2(f, "http/types", "[resource-drop]outgoing-request", a, r), 0);
}

/* ---- error codes through the real exchange, over a scripted port -------------------- */

static int script_resolve_err, script_connect_err;

static int fake_stdio(void *ctx, int fd, struct wasi_port_file **out)
{
    (void)ctx, (void)fd;
    *out = (struct wasi_port_file *)1;
    return 0;
}
static int fake_close(void *ctx, struct wasi_port_file *f)
{
    (void)ctx, (void)f;
    return 0;
}
static int fake_fstat(void *ctx, struct wasi_port_file *f, struct wasi_port_stat *st)
{
    (void)ctx, (void)f;
    memset(st, 0, sizeof *st);
    return 0;
}
static int fake_clock(void *ctx, enum wasi_port_clock c, uint64_t *ns)
{
    (void)ctx, (void)c;
    *ns = 5000000000ull;
    return 0;
}
static int fake_resolve(void *ctx, const char *name, struct wasi_port_addr *addrs, int max,
                        uint64_t deadline)
{
    (void)ctx, (void)name, (void)max, (void)deadline;
    if (script_resolve_err) return script_resolve_err;
    memset(addrs, 0, sizeof *addrs);
    addrs->family = 4;
    addrs->addr[0] = 10;
    return 1;
}
static int fake_connect(void *ctx, const struct wasi_port_addr *local,
                        const struct wasi_port_addr *remote, uint64_t deadline,
                        struct wasi_port_sock **out)
{
    (void)ctx, (void)local, (void)remote, (void)deadline, (void)out;
    return script_connect_err;
}
static void fake_sock_close(void *ctx, struct wasi_port_sock *s)
{
    (void)ctx, (void)s;
}

static const struct wasi_port_ops fake_ops = {
    .stdio = fake_stdio,
    .close = fake_close,
    .fstat = fake_fstat,
    .clock_now = fake_clock,
    .clock_res = fake_clock,
    .resolve = fake_resolve,
    .tcp_connect = fake_connect,
    .sock_close = fake_sock_close,
};

/* GET http://example.test/ through handle and future-incoming-response.get
 * with the scripted failures; returns the error-code case, or -1 when
 * handle itself refused the request (then *handle_code has its case). */
static int http_error_for(struct fixture *f, bool https, bool authority, int *handle_code)
{
    wasm_value a[8] = {0}, r[1] = {0};
    p2(f, "http/types", "[constructor]fields", a, r);
    a[0].u32 = r[0].u32;
    p2(f, "http/types", "[constructor]outgoing-request", a, r);
    uint32_t req = r[0].u32;
    put_str(f, BUF, "example.test");
    a[0].u32 = req, a[1].u32 = 1, a[2].u32 = BUF, a[3].u32 = 12;
    if (authority) p2(f, "http/types", "[method]outgoing-request.set-authority", a, r);
    a[0].u32 = req, a[1].u32 = 1, a[2].u32 = https ? 1 : 0;
    p2(f, "http/types", "[method]outgoing-request.set-scheme", a, r);
    a[0].u32 = req, a[1].u32 = 0, a[2].u32 = 0, a[3].u32 = OUT;
    assert_int_equal(p2(f, "http/outgoing-handler", "handle", a, r), 0);
    if (mem(f)[OUT]) {
        *handle_code = mem(f)[OUT + 8];
        return -1;
    }
    uint32_t future = le32_get(mem(f) + OUT + 8);
    a[0].u32 = future, a[1].u32 = OUT;
    assert_int_equal(p2(f, "http/types", "[method]future-incoming-response.get", a, r), 0);
    assert_int_equal(mem(f)[OUT], 1);      /* some */
    assert_int_equal(mem(f)[OUT + 8], 0);  /* not taken before */
    assert_int_equal(mem(f)[OUT + 16], 1); /* err */
    int code = mem(f)[OUT + 24];
    a[0].u32 = future, a[1].u32 = OUT;
    p2(f, "http/types", "[method]future-incoming-response.get", a, r);
    assert_int_equal(mem(f)[OUT + 8], 1); /* a second get: taken */
    a[0].u32 = future;
    assert_int_equal(p2(f, "http/types", "[resource-drop]future-incoming-response", a, r), 0);
    return code;
}

static void test_http_error_codes(void **state)
{
    (void)state;
    struct wasi_config cfg = {.port = {.ops = &fake_ops}, .allow_net = true};
    struct fixture fx = {0}, *f = &fx;
    assert_int_equal(wasi_ctx_new(&cfg, &f->w), 0);
    f->mem = wasm_memory_new(1, 1);
    f->call = (struct wasm_host_call){.memory = f->mem, .user = f->w, .trap = &f->trap};
    static const struct {
        int resolve, connect, code;
    } cases[] = {
        {ERR_TIMEDOUT, 0, 0},    /* DNS-timeout */
        {ERR_NXDOMAIN, 0, 1},    /* DNS-error */
        {ERR_DNSFAIL, 0, 1},     /* DNS-error */
        {0, ERR_CONNREFUSED, 6}, /* connection-refused */
        {0, ERR_HOSTUNREACH, 3}, /* destination-unavailable */
        {0, ERR_NETUNREACH, 3},  /* destination-unavailable */
        {0, ERR_TIMEDOUT, 8},    /* connection-timeout */
    };
    int hc = -1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        script_resolve_err = cases[i].resolve;
        script_connect_err = cases[i].connect;
        int code = http_error_for(f, false, true, &hc);
        if (code != cases[i].code)
            fail_msg("resolve %s connect %s: case %d, want %d", err_name(cases[i].resolve),
                     err_name(cases[i].connect), code, cases[i].code);
    }
    assert_int_equal(http_error_for(f, true, true, &hc), -1); /* https: no TLS */
    assert_int_equal(hc, 19);                                 /* HTTP-request-URI-invalid */
    assert_int_equal(http_error_for(f, false, false, &hc), -1);
    assert_int_equal(hc, 19);
    /* ip-name-lookup: a timed-out lookup is temporary-resolver-failure */
    wasm_value a[8] = {0}, r[1] = {0};
    p2(f, "sockets/instance-network", "instance-network", a, r);
    uint32_t net = r[0].u32;
    for (int k = 0; k < 2; k++) {
        script_resolve_err = k ? ERR_NXDOMAIN : ERR_TIMEDOUT;
        put_str(f, BUF, "example.test");
        a[0].u32 = net, a[1].u32 = BUF, a[2].u32 = 12, a[3].u32 = OUT;
        assert_int_equal(p2(f, "sockets/ip-name-lookup", "resolve-addresses", a, r), 0);
        assert_int_equal(mem(f)[OUT], 0);
        uint32_t rs = le32_get(mem(f) + OUT + 4);
        a[0].u32 = rs, a[1].u32 = OUT;
        p2(f, "sockets/ip-name-lookup", "[method]resolve-address-stream.resolve-next-address", a,
           r);
        assert_int_equal(mem(f)[OUT], 1);
        assert_int_equal(mem(f)[OUT + 2], k ? 18 : 19);
        a[0].u32 = rs;
        p2(f, "sockets/ip-name-lookup", "[resource-drop]resolve-address-stream", a, r);
    }
    wasi_ctx_free(f->w);
    wasm_memory_free(f->mem);
}

/* ---- wasi:sockets options reach the host's kernel ------------------------------------- */

static struct wasi_port_ops sockopt_ops; /* the Linux port with or without the option call */

static void use_ops(struct fixture *f, bool with_option)
{
    sockopt_ops = wasi_host_ops;
    sockopt_ops.sock_set_option = with_option ? wasi_host_sock_set_option : NULL;
    f->w->port.ops = &sockopt_ops;
}

#define RET 4096 /* a return area in guest memory */

/* Calls a 0.2 function of iface with the n args as the signature types
 * them; returns r[0] (for functions with a flat result). */
static uint32_t p2c(struct fixture *f, const char *iface, const char *name, int n, ...)
{
    const struct wasi_import_fn *fn = wasi_p2_lookup(iface, strlen(iface), name, strlen(name));
    if (!fn) fail_msg("no %s %s", iface, name);
    wasm_value a[16] = {0}, r[1] = {0};
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        a[i].u64 = va_arg(ap, uint64_t);
    va_end(ap);
    memset(mem(f) + RET, 0xee, 64);
    int rc = fn->fn(&f->call, a, r);
    if (rc) fail_msg("%s trapped", name);
    return r[0].u32;
}

/* result<_, error-code>: 0 for ok, else 1 + the code. */
static int unit_result(struct fixture *f)
{
    return mem(f)[RET] ? 1 + mem(f)[RET + 1] : 0;
}

/* result<own<handle>, error-code> at RET (8 bytes): the handle. */
static uint32_t handle_result(struct fixture *f)
{
    assert_int_equal(mem(f)[RET], 0);
    uint32_t h;
    memcpy(&h, mem(f) + RET + 4, 4);
    return h;
}

#define U64(x) ((uint64_t)(x))

/* ---- result<own<T>, E>: lowered once, by p2_ret_handle --------------------------------- */

#define SE_INVALID_ARG 3 /* wasi:sockets error-code invalid-argument */

/* The 8 bytes at RET, each check naming what it expects there. */
static void expect_err(struct fixture *f, uint8_t code)
{
    static const uint8_t zero[3];
    assert_int_equal(mem(f)[RET], 1);
    assert_memory_equal(mem(f) + RET + 1, zero, 3);
    assert_int_equal(mem(f)[RET + 4], code);
    assert_memory_equal(mem(f) + RET + 5, zero, 3);
}

static void test_handle_results(void **state)
{
    struct fixture *f = *state;
    memset(mem(f) + RET, 0xee, 16);
    assert_int_equal(p2_ret_handle(&f->call, RET, false, 9, 0x01020304), 0);
    assert_int_equal(handle_result(f), 0x01020304);
    assert_int_equal(mem(f)[RET + 1] | mem(f)[RET + 2] | mem(f)[RET + 3], 0);
    assert_int_equal(mem(f)[RET + 8], 0xee); /* nothing past the 8 bytes */
    memset(mem(f) + RET, 0xee, 16);
    assert_int_equal(p2_ret_handle(&f->call, RET, true, 7, 0x01020304), 0);
    expect_err(f, 7);
    assert_int_equal(p2_ret_handle(&f->call, RET + 2, false, 0, 1), WASM_TRAP_HOST);
    uint32_t end = (uint32_t)wasm_memory_size(f->mem);
    assert_int_equal(p2_ret_handle(&f->call, end - 4, true, 1, 0), WASM_TRAP_HOST);
    /* the host functions that use it: a family other than ipv4/ipv6 */
    p2c(f, "sockets/tcp-create-socket", "create-tcp-socket", 2, U64(2), U64(RET));
    expect_err(f, SE_INVALID_ARG);
    p2c(f, "sockets/udp-create-socket", "create-udp-socket", 2, U64(2), U64(RET));
    expect_err(f, SE_INVALID_ARG);
    /* a name that is not a host name */
    uint32_t net = p2c(f, "sockets/instance-network", "instance-network", 0);
    put_str(f, RET + 64, "a b");
    p2c(f, "sockets/ip-name-lookup", "resolve-addresses", 4, U64(net), U64(RET + 64), U64(3),
        U64(RET));
    expect_err(f, SE_INVALID_ARG);
    /* result<own<outgoing-body>>: the second body() is err, with nothing after the tag */
    uint32_t fields = p2c(f, "http/types", "[constructor]fields", 0);
    uint32_t req = p2c(f, "http/types", "[constructor]outgoing-request", 1, U64(fields));
    p2c(f, "http/types", "[method]outgoing-request.body", 2, U64(req), U64(RET));
    assert_int_not_equal(handle_result(f), 0);
    p2c(f, "http/types", "[method]outgoing-request.body", 2, U64(req), U64(RET));
    expect_err(f, 0);
}

static int sockopt_int(int fd, int level, int name)
{
    int v = -1;
    socklen_t len = sizeof v;
    assert_int_equal(getsockopt(fd, level, name, &v, &len), 0);
    return v;
}

static int tcp_fd(struct fixture *f, uint32_t h)
{
    struct p2_obj *o = p2_get(&f->call, h, P2_TCP_SOCKET);
    assert_non_null(o);
    assert_non_null(p2_tcp_port_sock(o));
    return wasi_host_sock_fd(p2_tcp_port_sock(o));
}

/* A Linux listener on 127.0.0.1 (port chosen by the kernel). */
static int loopback_listener(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static uint32_t new_tcp(struct fixture *f)
{
    p2c(f, "sockets/tcp-create-socket", "create-tcp-socket", 2, U64(0), U64(RET));
    return handle_result(f);
}

#define TCP_IFACE "sockets/tcp"
#define SET(f, h, what, v)                                                                         \
    (p2c(f, TCP_IFACE, "[method]tcp-socket.set-" what, 3, U64(h), U64(v), U64(RET)), unit_result(f))

/* start-connect to 127.0.0.1:port: the unit result. */
static int start_connect(struct fixture *f, uint32_t t, uint32_t net, uint16_t port)
{
    p2c(f, TCP_IFACE, "[method]tcp-socket.start-connect", 15, U64(t), U64(net), U64(0), U64(port),
        U64(127), U64(0), U64(0), U64(1), U64(0), U64(0), U64(0), U64(0), U64(0), U64(0), U64(RET));
    return unit_result(f);
}

/* finish-connect once: 0 with the streams, else 1 + the error-code. */
static int finish_connect(struct fixture *f, uint32_t t, uint32_t *in, uint32_t *out)
{
    p2c(f, TCP_IFACE, "[method]tcp-socket.finish-connect", 2, U64(t), U64(RET));
    if (mem(f)[RET]) return 1 + mem(f)[RET + 4];
    if (in) memcpy(in, mem(f) + RET + 4, 4);
    if (out) memcpy(out, mem(f) + RET + 8, 4);
    return 0;
}

#define SE_WOULD_BLOCK 8 /* wasi:sockets error-code cases */
#define SE_TIMEOUT     5
#define SE_REFUSED     14
#define SE_NOT_IN_PROG 7

static bool pollable_ready(struct fixture *f, uint32_t p)
{
    return p2c(f, "io/poll", "[method]pollable.ready", 1, U64(p)) != 0;
}

/* The way the SDK connects: finish-connect until it stops saying
 * would-block, blocking on the socket's pollable in between. */
static int finish_connect_blocking(struct fixture *f, uint32_t t, uint32_t *in, uint32_t *out)
{
    uint32_t p = p2c(f, TCP_IFACE, "[method]tcp-socket.subscribe", 1, U64(t));
    int rc;
    while ((rc = finish_connect(f, t, in, out)) == 1 + SE_WOULD_BLOCK)
        p2c(f, "io/poll", "[method]pollable.block", 1, U64(p));
    p2c(f, "io/poll", "[resource-drop]pollable", 1, U64(p));
    return rc;
}

/* Options set before connect are applied once the socket is connected,
 * options set after at once: getsockopt on the host's socket shows them
 * (seconds rounded up); the getters report what was set. */
static void test_sockopt_connected(void **state)
{
    struct fixture *f = *state;
    use_ops(f, true);
    uint16_t port;
    int lfd = loopback_listener(&port);
    uint32_t net = p2c(f, "sockets/instance-network", "instance-network", 0);
    uint32_t t = new_tcp(f);
    assert_int_equal(SET(f, t, "keep-alive-enabled", 1), 0);
    assert_int_equal(SET(f, t, "keep-alive-idle-time", 2000000000ull), 0);
    assert_int_equal(SET(f, t, "keep-alive-interval", 3000000000ull), 0);
    assert_int_equal(SET(f, t, "keep-alive-count", 4), 0);
    assert_int_equal(SET(f, t, "hop-limit", 17), 0);
    assert_int_equal(SET(f, t, "keep-alive-count", 0), 1 + 3); /* invalid-argument */
    assert_int_equal(start_connect(f, t, net, port), 0);
    assert_int_equal(finish_connect_blocking(f, t, NULL, NULL), 0);
    int fd = tcp_fd(f, t);
    assert_int_equal(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
    assert_int_equal(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), 2);
    assert_int_equal(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL), 3);
    assert_int_equal(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT), 4);
    assert_int_equal(sockopt_int(fd, IPPROTO_IP, IP_TTL), 17);
    /* after connect: at once, rounded up to whole seconds */
    assert_int_equal(SET(f, t, "keep-alive-idle-time", 5500000000ull), 0);
    assert_int_equal(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), 6);
    assert_int_equal(SET(f, t, "hop-limit", 200), 0);
    assert_int_equal(sockopt_int(fd, IPPROTO_IP, IP_TTL), 200);
    assert_int_equal(SET(f, t, "keep-alive-enabled", 0), 0);
    assert_int_equal(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
    p2c(f, TCP_IFACE, "[method]tcp-socket.keep-alive-idle-time", 2, U64(t), U64(RET));
    uint64_t idle;
    memcpy(&idle, mem(f) + RET + 8, 8);
    assert_int_equal(idle, 5500000000ull);
    close(lfd); /* the handles go with the context (its streams hold the socket) */
}

/* A Linux listener with backlog 0 whose accept queue is already full (one
 * connection waiting): the SYN of a further connect is dropped
 * (tcp_conn_request: sk_acceptq_is_full), so that connect stays in
 * progress until accept() frees the slot and a retransmitted SYN (after
 * Linux's 1 s initial RTO) gets through. *filler is the waiting client. */
static int full_listener(uint16_t *port, int *filler)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 0), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    *filler = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(*filler, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* tcp.wit start-connect / finish-connect / subscribe: start-connect only
 * starts; while the handshake cannot complete, finish-connect says
 * would-block and the pollable is not ready, while a second socket's
 * connect to another listener completes meanwhile. Once
 * the listener accepts, the pollable becomes ready, finish-connect hands
 * out streams that carry data to the peer, and a further finish-connect
 * is not-in-progress. */
static void test_connect_async(void **state)
{
    struct fixture *f = *state;
    uint16_t port, port2;
    int filler, lfd = full_listener(&port, &filler);
    int lfd2 = loopback_listener(&port2);
    uint32_t net = p2c(f, "sockets/instance-network", "instance-network", 0);
    uint32_t t = new_tcp(f), t2 = new_tcp(f);
    assert_int_equal(start_connect(f, t, net, port), 0);
    uint32_t p = p2c(f, TCP_IFACE, "[method]tcp-socket.subscribe", 1, U64(t));
    assert_int_equal(finish_connect(f, t, NULL, NULL), 1 + SE_WOULD_BLOCK);
    assert_false(pollable_ready(f, p));
    /* the other connect goes through while the first is stuck */
    assert_int_equal(start_connect(f, t2, net, port2), 0);
    uint32_t p2 = p2c(f, TCP_IFACE, "[method]tcp-socket.subscribe", 1, U64(t2));
    p2c(f, "io/poll", "[method]pollable.block", 1, U64(p2));
    assert_false(pollable_ready(f, p));
    assert_int_equal(finish_connect(f, t2, NULL, NULL), 0);
    usleep(100000);
    assert_int_equal(finish_connect(f, t, NULL, NULL), 1 + SE_WOULD_BLOCK);
    assert_false(pollable_ready(f, p));
    /* free the slot: the next SYN retransmission completes the handshake */
    int a1 = accept(lfd, NULL, NULL);
    assert_true(a1 >= 0);
    p2c(f, "io/poll", "[method]pollable.block", 1, U64(p));
    assert_true(pollable_ready(f, p));
    uint32_t in, out;
    assert_int_equal(finish_connect(f, t, &in, &out), 0);
    assert_int_equal(finish_connect(f, t, NULL, NULL), 1 + SE_NOT_IN_PROG);
    int a2 = accept(lfd, NULL, NULL);
    assert_true(a2 >= 0);
    memcpy(mem(f) + 12288, "hello", 5);
    p2c(f, "io/streams", "[method]output-stream.blocking-write-and-flush", 4, U64(out), U64(12288),
        U64(5), U64(RET));
    assert_int_equal(mem(f)[RET], 0);
    char buf[8] = {0};
    assert_int_equal(recv(a2, buf, 5, MSG_WAITALL), 5);
    assert_memory_equal(buf, "hello", 5);
    /* and the input stream's pollable sees what the peer sends */
    uint32_t ip = p2c(f, "io/streams", "[method]input-stream.subscribe", 1, U64(in));
    assert_false(pollable_ready(f, ip));
    assert_int_equal(send(a2, "x", 1, 0), 1);
    p2c(f, "io/poll", "[method]pollable.block", 1, U64(ip));
    assert_true(pollable_ready(f, ip));
    close(a1);
    close(a2);
    close(filler);
    close(lfd);
    close(lfd2);
}

/* A refused connect (RST from a closed port): the pollable becomes ready
 * and finish-connect says connection-refused; the socket is then closed
 * (not-in-progress, no local address). */
static void test_connect_refused(void **state)
{
    struct fixture *f = *state;
    uint16_t port;
    int lfd = loopback_listener(&port);
    close(lfd); /* nothing listens there now */
    uint32_t net = p2c(f, "sockets/instance-network", "instance-network", 0);
    uint32_t t = new_tcp(f);
    assert_int_equal(start_connect(f, t, net, port), 0);
    uint32_t p = p2c(f, TCP_IFACE, "[method]tcp-socket.subscribe", 1, U64(t));
    p2c(f, "io/poll", "[method]pollable.block", 1, U64(p));
    assert_true(pollable_ready(f, p));
    assert_int_equal(finish_connect(f, t, NULL, NULL), 1 + SE_REFUSED);
    assert_int_equal(finish_connect(f, t, NULL, NULL), 1 + SE_NOT_IN_PROG);
    p2c(f, TCP_IFACE, "[method]tcp-socket.local-address", 2, U64(t), U64(RET));
    assert_int_equal(mem(f)[RET], 1);
}

/* A port without the non-blocking connect: start-connect connects (the
 * port blocks) and finish-connect has the outcome at once. */
static void test_connect_blocking_port(void **state)
{
    struct fixture *f = *state;
    use_ops(f, true);
    sockopt_ops.tcp_connect_start = NULL;
    sockopt_ops.tcp_connect_result = NULL;
    uint16_t port;
    int lfd = loopback_listener(&port);
    uint32_t net = p2c(f, "sockets/instance-network", "instance-network", 0);
    uint32_t t = new_tcp(f);
    assert_int_equal(start_connect(f, t, net, port), 0);
    assert_int_equal(finish_connect(f, t, NULL, NULL), 0);
    uint32_t t2 = new_tcp(f);
    close(lfd);
    assert_int_equal(start_connect(f, t2, net, port), 0);
    assert_int_equal(finish_connect(f, t2, NULL, NULL), 1 + SE_REFUSED);
}

/* The connect timeout is lib/wasi's own (75 s, BSD's): a port whose
 * attempt never ends, over a clock the test moves. */
static uint64_t script_now = 1000;
static int script_connects;
static int clock_script(void *ctx, enum wasi_port_clock c, uint64_t *ns)
{
    (void)ctx, (void)c;
    *ns = script_now;
    return 0;
}
static int start_forever(void *ctx, const struct wasi_port_addr *local,
                         const struct wasi_port_addr *remote, struct wasi_port_sock **out)
{
    (void)ctx, (void)local, (void)remote;
    script_connects++;
    *out = (struct wasi_port_sock *)&script_connects;
    return 0;
}
static int result_never(void *ctx, struct wasi_port_sock *s)
{
    (void)ctx, (void)s;
    return ERR_AGAIN;
}
static int closed_socks;
static void close_count(void *ctx, struct wasi_port_sock *s)
{
    (void)ctx, (void)s;
    closed_socks++;
}

static void test_connect_timeout(void **state)
{
    (void)state;
    struct wasi_port_ops ops = fake_ops;
    ops.clock_now = clock_script;
    ops.tcp_connect_start = start_forever;
    ops.tcp_connect_result = result_never;
    ops.sock_close = close_count;
    struct wasi_config cfg = {.port = {.ops = &ops}, .allow_net = true};
    struct fixture fx = {0}, *f = &fx;
    assert_int_equal(wasi_ctx_new(&cfg, &f->w), 0);
    f->mem = wasm_memory_new(1, 1);
    f->call = (struct wasm_host_call){.memory = f->mem, .user = f->w, .trap = &f->trap};
    uint32_t net = p2c(f, "sockets/instance-network", "instance-network", 0);
    uint32_t t = new_tcp(f);
    assert_int_equal(start_connect(f, t, net, 80), 0);
    assert_int_equal(script_connects, 1);
    script_now += 74ull * 1000000000u;
    assert_int_equal(finish_connect(f, t, NULL, NULL), 1 + SE_WOULD_BLOCK);
    assert_int_equal(closed_socks, 0);
    script_now += 1000000000u;
    assert_int_equal(finish_connect(f, t, NULL, NULL), 1 + SE_TIMEOUT);
    assert_int_equal(closed_socks, 1); /* the attempt is abandoned */
    wasi_ctx_free(f->w);
    wasm_memory_free(f->mem);
    assert_int_equal(closed_socks, 1); /* and closed once */
}

/* ---- an outgoing request whose name resolves without waiting -------------------------- */

/* A scripted resolution (port resolve_start) pending until the test
 * answers it. Its handle is a real UDP socket of the Linux port: a
 * datagram to it is the answer's wake-up, which the port's own wait() sees. */
static struct wasi_port_ops lookup_ops;
static bool lookup_answered;
static uint16_t lookup_wake_port;

static int scripted_resolve_start(void *ctx, const char *name, struct wasi_port_addr *addrs,
                                  int max, struct wasi_port_sock **pending)
{
    (void)addrs, (void)max;
    assert_string_equal(name, "slow.test");
    struct wasi_port_addr local = {.family = 4, .addr = {127, 0, 0, 1}}, bound;
    assert_int_equal(wasi_host_udp_open(ctx, &local, pending), 0);
    assert_int_equal(wasi_host_sock_name(ctx, *pending, &bound, NULL), 0);
    lookup_wake_port = bound.port;
    return 0;
}

static int scripted_resolve_result(void *ctx, struct wasi_port_sock *pending,
                                   struct wasi_port_addr *addrs, int max)
{
    (void)ctx, (void)pending, (void)max;
    if (!lookup_answered) return ERR_AGAIN;
    *addrs = (struct wasi_port_addr){.family = 4, .addr = {127, 0, 0, 1}};
    return 1;
}

/* Answers the scripted resolution: 127.0.0.1, and a datagram to wake the wait. */
static void answer_lookup(void)
{
    lookup_answered = true;
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons(lookup_wake_port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(sendto(u, "!", 1, 0, (struct sockaddr *)&sa, sizeof sa), 1);
    close(u);
}

/* handle() of GET http://AUTHORITY/: the future's handle. */
static uint32_t http_get_future(struct fixture *f, const char *authority)
{
    wasm_value a[8] = {0}, r[1] = {0};
    p2(f, "http/types", "[constructor]fields", a, r);
    a[0].u32 = r[0].u32;
    p2(f, "http/types", "[constructor]outgoing-request", a, r);
    uint32_t req = r[0].u32;
    put_str(f, BUF, authority);
    a[0].u32 = req, a[1].u32 = 1, a[2].u32 = BUF, a[3].u32 = (uint32_t)strlen(authority);
    p2(f, "http/types", "[method]outgoing-request.set-authority", a, r);
    a[0].u32 = req, a[1].u32 = 0, a[2].u32 = 0, a[3].u32 = OUT;
    assert_int_equal(p2(f, "http/outgoing-handler", "handle", a, r), 0);
    assert_int_equal(mem(f)[OUT], 0); /* ok */
    return le32_get(mem(f) + OUT + 8);
}

/* A loopback listener (*lfd) and handle() of GET http://HOST:its port/:
 * the future (*future) and its pollable. */
static uint32_t http_get_local(struct fixture *f, const char *host, int *lfd, uint32_t *future)
{
    uint16_t port;
    *lfd = loopback_listener(&port);
    char authority[64];
    snprintf(authority, sizeof authority, "%s:%u", host, port);
    *future = http_get_future(f, authority);
    return p2c(f, "http/types", "[method]future-incoming-response.subscribe", 1, U64(*future));
}

/* handle() returns while the name is still being resolved; the future's
 * pollable is not ready and get() says none until the answer comes; then
 * the exchange goes on to the server's response. */
static void test_http_resolves_without_waiting(void **state)
{
    struct fixture *f = *state;
    lookup_ops = wasi_host_ops;
    lookup_ops.resolve = NULL; /* nothing may wait for the name */
    lookup_ops.resolve_start = scripted_resolve_start;
    lookup_ops.resolve_result = scripted_resolve_result;
    f->w->port.ops = &lookup_ops;
    lookup_answered = false;
    int lfd;
    uint32_t future, p = http_get_local(f, "slow.test", &lfd, &future);
    assert_false(pollable_ready(f, p));
    p2c(f, "http/types", "[method]future-incoming-response.get", 2, U64(future), U64(RET));
    assert_int_equal(mem(f)[RET], 0); /* none: still resolving */
    answer_lookup();
    assert_false(pollable_ready(f, p)); /* resolved; connecting, or waiting for the head */
    int conn = accept(lfd, NULL, NULL);
    assert_true(conn >= 0);
    static const char resp[] = "HTTP/1.1 204 No Content\r\n\r\n";
    assert_int_equal(send(conn, resp, sizeof resp - 1, 0), (ssize_t)(sizeof resp - 1));
    p2c(f, "io/poll", "[method]pollable.block", 1, U64(p));
    p2c(f, "http/types", "[method]future-incoming-response.get", 2, U64(future), U64(RET));
    assert_int_equal(mem(f)[RET], 1);      /* some */
    assert_int_equal(mem(f)[RET + 8], 0);  /* not taken before */
    assert_int_equal(mem(f)[RET + 16], 0); /* a response */
    uint32_t resp_h = le32_get(mem(f) + RET + 24);
    assert_int_equal(p2c(f, "http/types", "[method]incoming-response.status", 1, U64(resp_h)), 204);
    close(conn);
    close(lfd);
}

/* The response's body stream read without waiting: skip gives 0 bytes and
 * the stream's pollable is not ready until the next chunk comes; the
 * future-trailers of a body finished before its end is not ready (get:
 * none) until the last chunk and its trailers arrive. */
static void test_http_body_and_trailers_arrive(void **state)
{
    struct fixture *f = *state;
    int lfd;
    uint32_t future, p = http_get_local(f, "127.0.0.1", &lfd, &future);
    assert_false(pollable_ready(f, p)); /* starts the connect */
    int conn = accept(lfd, NULL, NULL);
    assert_true(conn >= 0);
    static const char head[] =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
    assert_int_equal(send(conn, head, sizeof head - 1, 0), (ssize_t)(sizeof head - 1));
    p2c(f, "io/poll", "[method]pollable.block", 1, U64(p));
    p2c(f, "http/types", "[method]future-incoming-response.get", 2, U64(future), U64(RET));
    assert_int_equal(mem(f)[RET + 16], 0); /* a response */
    uint32_t resp = le32_get(mem(f) + RET + 24);
    p2c(f, "http/types", "[method]incoming-response.consume", 2, U64(resp), U64(RET));
    uint32_t body = handle_result(f);
    p2c(f, "http/types", "[method]incoming-body.stream", 2, U64(body), U64(RET));
    uint32_t in = handle_result(f);
    /* skip reads as read does (read's list needs the guest's cabi_realloc) */
    p2c(f, "io/streams", "[method]input-stream.blocking-skip", 3, U64(in), U64(100), U64(RET));
    assert_int_equal(mem(f)[RET], 0);
    assert_int_equal(le64_get(mem(f) + RET + 8), 5); /* "hello" */
    p2c(f, "io/streams", "[method]input-stream.skip", 3, U64(in), U64(100), U64(RET));
    assert_int_equal(mem(f)[RET], 0);
    assert_int_equal(le64_get(mem(f) + RET + 8), 0); /* nothing yet, no wait */
    uint32_t ip = p2c(f, "io/streams", "[method]input-stream.subscribe", 1, U64(in));
    assert_false(pollable_ready(f, ip));
    p2c(f, "io/poll", "[resource-drop]pollable", 1, U64(ip));
    p2c(f, "io/streams", "[resource-drop]input-stream", 1, U64(in));
    uint32_t ft = p2c(f, "http/types", "[static]incoming-body.finish", 1, U64(body));
    uint32_t tp = p2c(f, "http/types", "[method]future-trailers.subscribe", 1, U64(ft));
    assert_false(pollable_ready(f, tp));
    p2c(f, "http/types", "[method]future-trailers.get", 2, U64(ft), U64(RET));
    assert_int_equal(mem(f)[RET], 0); /* none: the body has not ended */
    static const char end[] = "3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n";
    assert_int_equal(send(conn, end, sizeof end - 1, 0), (ssize_t)(sizeof end - 1));
    p2c(f, "io/poll", "[method]pollable.block", 1, U64(tp));
    p2c(f, "http/types", "[method]future-trailers.get", 2, U64(ft), U64(RET));
    assert_int_equal(mem(f)[RET], 1);      /* some */
    assert_int_equal(mem(f)[RET + 8], 0);  /* not taken before */
    assert_int_equal(mem(f)[RET + 16], 0); /* ok */
    assert_int_equal(mem(f)[RET + 24], 1); /* some trailers */
    uint32_t fields = le32_get(mem(f) + RET + 28);
    put_str(f, BUF, "x-sum");
    assert_int_equal(p2c(f, "http/types", "[method]fields.has", 3, U64(fields), U64(BUF), U64(5)),
                     1);
    close(conn);
    close(lfd);
}

/* A listener's options pass to the sockets it accepts (tcp.wit accept). */
static void test_sockopt_accept_inherits(void **state)
{
    struct fixture *f = *state;
    use_ops(f, true);
    uint32_t net = p2c(f, "sockets/instance-network", "instance-network", 0);
    uint32_t l = new_tcp(f);
    p2c(f, TCP_IFACE, "[method]tcp-socket.start-bind", 15, U64(l), U64(net), U64(0), U64(0),
        U64(127), U64(0), U64(0), U64(1), U64(0), U64(0), U64(0), U64(0), U64(0), U64(0), U64(RET));
    assert_int_equal(unit_result(f), 0);
    p2c(f, TCP_IFACE, "[method]tcp-socket.finish-bind", 2, U64(l), U64(RET));
    assert_int_equal(SET(f, l, "keep-alive-enabled", 1), 0);
    assert_int_equal(SET(f, l, "keep-alive-idle-time", 7000000000ull), 0);
    assert_int_equal(SET(f, l, "hop-limit", 33), 0);
    assert_int_equal(SET(f, l, "keep-alive-interval", 4000000000ull), 0);
    assert_int_equal(SET(f, l, "keep-alive-count", 5), 0);
    assert_int_equal(SET(f, l, "receive-buffer-size", 65536), 0);
    assert_int_equal(SET(f, l, "send-buffer-size", 8192), 0);
    p2c(f, TCP_IFACE, "[method]tcp-socket.start-listen", 2, U64(l), U64(RET));
    p2c(f, TCP_IFACE, "[method]tcp-socket.finish-listen", 2, U64(l), U64(RET));
    assert_int_equal(unit_result(f), 0);
    int lfd = tcp_fd(f, l);
    assert_int_equal(sockopt_int(lfd, IPPROTO_TCP, TCP_KEEPIDLE), 7);
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
    int cfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(cfd, (struct sockaddr *)&sa, sizeof sa), 0);
    /* the listener's pollable is ready once the connection can be accepted */
    uint32_t lp = p2c(f, TCP_IFACE, "[method]tcp-socket.subscribe", 1, U64(l));
    p2c(f, "io/poll", "[method]pollable.block", 1, U64(lp));
    uint32_t child = 0;
    p2c(f, TCP_IFACE, "[method]tcp-socket.accept", 2, U64(l), U64(RET));
    assert_int_equal(mem(f)[RET], 0);
    memcpy(&child, mem(f) + RET + 4, 4);
    assert_int_not_equal(child, 0);
    int fd = tcp_fd(f, child);
    assert_int_equal(sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
    assert_int_equal(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), 7);
    assert_int_equal(sockopt_int(fd, IPPROTO_IP, IP_TTL), 33);
    assert_int_equal(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL), 4);
    assert_int_equal(sockopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT), 5);
    p2c(f, TCP_IFACE, "[method]tcp-socket.keep-alive-idle-time", 2, U64(child), U64(RET));
    uint64_t idle;
    memcpy(&idle, mem(f) + RET + 8, 8);
    assert_int_equal(idle, 7000000000ull);
    p2c(f, TCP_IFACE, "[method]tcp-socket.hop-limit", 2, U64(child), U64(RET));
    assert_int_equal(mem(f)[RET + 1], 33);
    p2c(f, TCP_IFACE, "[method]tcp-socket.keep-alive-count", 2, U64(child), U64(RET));
    assert_int_equal(le32_get(mem(f) + RET + 4), 5);
    static const struct {
        const char *name;
        uint64_t want;
    } u64s[] = {{"keep-alive-interval", 4000000000ull},
                {"receive-buffer-size", 65536},
                {"send-buffer-size", 8192}};
    for (size_t i = 0; i < sizeof u64s / sizeof u64s[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "[method]tcp-socket.%s", u64s[i].name);
        p2c(f, TCP_IFACE, name, 2, U64(child), U64(RET));
        uint64_t v;
        memcpy(&v, mem(f) + RET + 8, 8);
        assert_int_equal(v, u64s[i].want);
    }
    close(cfd);
}

/* UDP: the unicast hop limit becomes the socket's IP_TTL (udp.wit). */
static void test_sockopt_udp_ttl(void **state)
{
    struct fixture *f = *state;
    use_ops(f, true);
    uint32_t net = p2c(f, "sockets/instance-network", "instance-network", 0);
    p2c(f, "sockets/udp-create-socket", "create-udp-socket", 2, U64(0), U64(RET));
    uint32_t u = handle_result(f);
    p2c(f, "sockets/udp", "[method]udp-socket.set-unicast-hop-limit", 3, U64(u), U64(9), U64(RET));
    assert_int_equal(unit_result(f), 0);
    p2c(f, "sockets/udp", "[method]udp-socket.start-bind", 15, U64(u), U64(net), U64(0), U64(0),
        U64(127), U64(0), U64(0), U64(1), U64(0), U64(0), U64(0), U64(0), U64(0), U64(0), U64(RET));
    p2c(f, "sockets/udp", "[method]udp-socket.finish-bind", 2, U64(u), U64(RET));
    assert_int_equal(unit_result(f), 0);
    struct p2_obj *o = p2_get(&f->call, u, P2_UDP_SOCKET);
    int fd = wasi_host_sock_fd(p2_udp_port_sock(o));
    assert_int_equal(sockopt_int(fd, IPPROTO_IP, IP_TTL), 9);
    p2c(f, "sockets/udp", "[method]udp-socket.set-unicast-hop-limit", 3, U64(u), U64(99), U64(RET));
    assert_int_equal(unit_result(f), 0);
    assert_int_equal(sockopt_int(fd, IPPROTO_IP, IP_TTL), 99);
}

/* A port that cannot apply options: the setters say not-supported (2 in
 * the WIT's error-code order) instead of pretending; the getters still
 * report the defaults. */
static void test_sockopt_not_supported(void **state)
{
    struct fixture *f = *state;
    use_ops(f, false);
    uint32_t t = new_tcp(f);
    assert_int_equal(SET(f, t, "keep-alive-enabled", 1), 1 + 2);
    assert_int_equal(SET(f, t, "keep-alive-idle-time", 2000000000ull), 1 + 2);
    assert_int_equal(SET(f, t, "keep-alive-interval", 2000000000ull), 1 + 2);
    assert_int_equal(SET(f, t, "keep-alive-count", 3), 1 + 2);
    assert_int_equal(SET(f, t, "hop-limit", 3), 1 + 2);
    p2c(f, TCP_IFACE, "[method]tcp-socket.keep-alive-enabled", 2, U64(t), U64(RET));
    assert_int_equal(mem(f)[RET], 0);
    assert_int_equal(mem(f)[RET + 1], 0);
    p2c(f, "sockets/udp-create-socket", "create-udp-socket", 2, U64(0), U64(RET));
    uint32_t u = handle_result(f);
    p2c(f, "sockets/udp", "[method]udp-socket.set-unicast-hop-limit", 3, U64(u), U64(9), U64(RET));
    assert_int_equal(unit_result(f), 1 + 2);
}

/* ---- every socket option's getter and setter ------------------------------------------ */

/* The options of tcp.wit and udp.wit: the result's payload width (bool
 * and u8 1, u32 4, u64 8: result<T, error-code> is 2 x width bytes with
 * the payload at width), the default, a value to set, whether 0 is
 * invalid-argument and whether the port applies it (else it is a hint,
 * only kept). */
struct opt_case {
    const char *iface, *resource, *name;
    unsigned width;
    uint64_t dflt, value;
    bool zero_invalid, applied;
};

static const struct opt_case opt_cases[] = {
    {TCP_IFACE, "tcp-socket", "keep-alive-enabled", 1, 0, 1, false, true},
    {TCP_IFACE, "tcp-socket", "keep-alive-idle-time", 8, 7200000000000ull, 2000000000, true, true},
    {TCP_IFACE, "tcp-socket", "keep-alive-interval", 8, 75000000000ull, 3000000000, true, true},
    {TCP_IFACE, "tcp-socket", "keep-alive-count", 4, 9, 4, true, true},
    {TCP_IFACE, "tcp-socket", "hop-limit", 1, 64, 17, true, true},
    {TCP_IFACE, "tcp-socket", "receive-buffer-size", 8, 131072, 65536, true, false},
    {TCP_IFACE, "tcp-socket", "send-buffer-size", 8, 131072, 4096, true, false},
    {"sockets/udp", "udp-socket", "unicast-hop-limit", 1, 64, 9, true, true},
    {"sockets/udp", "udp-socket", "receive-buffer-size", 8, 212992, 65536, true, false},
    {"sockets/udp", "udp-socket", "send-buffer-size", 8, 212992, 4096, true, false},
};

static const struct wasi_import_fn *opt_fn(const struct opt_case *c, bool set)
{
    char name[64];
    snprintf(name, sizeof name, "[method]%s.%s%s", c->resource, set ? "set-" : "", c->name);
    const struct wasi_import_fn *fn =
        wasi_p2_lookup(c->iface, strlen(c->iface), name, strlen(name));
    if (!fn) fail_msg("no %s", name);
    return fn;
}

/* Calls the option's getter or setter with return area ret: the trap code. */
static int opt_call(struct fixture *f, const struct opt_case *c, bool set, uint32_t h, uint64_t v,
                    uint32_t ret)
{
    wasm_value a[3] = {{.u32 = h}}, r[1] = {0};
    if (set)
        a[1].u64 = v, a[2].u32 = ret;
    else
        a[1].u32 = ret;
    memset(mem(f) + RET, 0xee, 64);
    return opt_fn(c, set)->fn(&f->call, a, r);
}

/* The getter's value, after checking the bytes of its ok result. */
static uint64_t opt_get(struct fixture *f, const struct opt_case *c, uint32_t h)
{
    assert_int_equal(opt_call(f, c, false, h, 0, RET), 0);
    const uint8_t *p = mem(f) + RET;
    assert_int_equal(p[0], 0);
    for (unsigned i = 1; i < c->width; i++)
        assert_int_equal(p[i], 0);           /* padding */
    assert_int_equal(p[2 * c->width], 0xee); /* nothing past the result */
    uint64_t v = 0;
    for (unsigned i = 0; i < c->width; i++)
        v |= (uint64_t)p[c->width + i] << (8 * i);
    return v;
}

/* The setter's unit result: 0, else 1 + the error-code. */
static int opt_set(struct fixture *f, const struct opt_case *c, uint32_t h, uint64_t v)
{
    assert_int_equal(opt_call(f, c, true, h, v, RET), 0);
    assert_int_equal(mem(f)[RET + 2], 0xee);
    return unit_result(f);
}

static uint32_t new_socket(struct fixture *f, const struct opt_case *c)
{
    bool tcp = !strcmp(c->iface, TCP_IFACE);
    p2c(f, tcp ? "sockets/tcp-create-socket" : "sockets/udp-create-socket",
        tcp ? "create-tcp-socket" : "create-udp-socket", 2, U64(0), U64(RET));
    return handle_result(f);
}

/* One option on a socket without a port socket yet, over a port that can
 * (or cannot) apply options: the default, 0, a value, an u8 that wraps to
 * 0, and the traps for a bad return area and a handle of another type. */
static void check_option(struct fixture *f, const struct opt_case *c, bool port_can)
{
    uint32_t h = new_socket(f, c), net = p2c(f, "sockets/instance-network", "instance-network", 0);
    const int not_supported = 1 + 2, invalid = 1 + 3;
    bool takes = port_can || !c->applied;
    assert_int_equal(opt_get(f, c, h), c->dflt);
    assert_int_equal(opt_set(f, c, h, 0), c->zero_invalid ? invalid : takes ? 0 : not_supported);
    assert_int_equal(opt_get(f, c, h), c->dflt);
    assert_int_equal(opt_set(f, c, h, c->value), takes ? 0 : not_supported);
    assert_int_equal(opt_get(f, c, h), takes ? c->value : c->dflt);
    if (c->width == 1 && c->zero_invalid) { /* u8: the low byte of the i32 */
        assert_int_equal(opt_set(f, c, h, 0x100), invalid);
        assert_int_equal(opt_set(f, c, h, 0x100 + c->value + 1), takes ? 0 : not_supported);
        assert_int_equal(opt_get(f, c, h), takes ? c->value + 1 : c->dflt);
    } else if (c->width == 1) { /* bool: any non-zero i32 is true */
        assert_int_equal(opt_set(f, c, h, 0x100), takes ? 0 : not_supported);
        assert_int_equal(opt_get(f, c, h), takes ? 1 : c->dflt);
    }
    uint32_t end = (uint32_t)wasm_memory_size(f->mem);
    assert_int_equal(opt_call(f, c, false, h, 0, end - 1), WASM_TRAP_HOST);
    if (c->width > 1) assert_int_equal(opt_call(f, c, false, h, 0, RET + 1), WASM_TRAP_HOST);
    assert_int_equal(opt_call(f, c, true, h, c->value, end - 1), WASM_TRAP_HOST);
    assert_int_equal(opt_call(f, c, false, net, 0, RET), WASM_TRAP_HOST);
    assert_int_equal(opt_call(f, c, true, net, c->value, RET), WASM_TRAP_HOST);
}

static void test_sockopt_every_option(void **state)
{
    struct fixture *f = *state;
    for (int port_can = 0; port_can < 2; port_can++) {
        use_ops(f, port_can);
        for (size_t i = 0; i < sizeof opt_cases / sizeof opt_cases[0]; i++)
            check_option(f, &opt_cases[i], port_can);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_normal),
        cmocka_unit_test(test_path_escapes),
        cmocka_unit_test(test_path_limits),
        cmocka_unit_test(test_errno_map),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test_setup_teardown(test_resolver, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handles, setup, teardown),
        cmocka_unit_test(test_shared_budget),
        cmocka_unit_test_setup_teardown(test_return_areas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_p1_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_p1_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_p2_fields, setup, teardown),
        cmocka_unit_test(test_http_error_codes),
        cmocka_unit_test_setup_teardown(test_handle_results, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sockopt_connected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sockopt_accept_inherits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sockopt_udp_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sockopt_not_supported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sockopt_every_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_async, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_blocking_port, setup, teardown),
        cmocka_unit_test(test_connect_timeout),
        cmocka_unit_test_setup_teardown(test_http_resolves_without_waiting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_body_and_trailers_arrive, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
