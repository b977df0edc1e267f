/*
 * lib/wasi/internal.h - what the files of lib/wasi share: the context, the
 * preview1 descriptor table, guest-memory helpers, path confinement and
 * error mapping. Not for users of lib/wasi (they include wasi/wasi.h).
 */
#ifndef WASI_INTERNAL_H
#define WASI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/budget.h"
#include "base/endian.h"
#include "base/error.h"
#include "wasi/port.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

/* A sandbox violation (an absolute path, ".." above the directory, a
 * missing right): preview1's `notcapable` (76). Kept outside base/error.h's
 * range because no port ever returns it. */
#define WASI_ERR_NOTCAPABLE (-1076)

/* preview1 errno values used by name in the code (witx `errno`). */
enum {
    WASI_ESUCCESS = 0,
    WASI_EBADF = 8,
    WASI_EFAULT = 21,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_EISDIR = 31,
    WASI_ENOSYS = 52,
    WASI_ENOTDIR = 54,
    WASI_ENOTSOCK = 57,
    WASI_ENOTSUP = 58,
    WASI_ESPIPE = 70,
    WASI_ENOTCAPABLE = 76,
};

/* preview1 rights (witx `rights`). */
#define R_FD_DATASYNC             (1ull << 0)
#define R_FD_READ                 (1ull << 1)
#define R_FD_SEEK                 (1ull << 2)
#define R_FD_FDSTAT_SET_FLAGS     (1ull << 3)
#define R_FD_SYNC                 (1ull << 4)
#define R_FD_TELL                 (1ull << 5)
#define R_FD_WRITE                (1ull << 6)
#define R_FD_ADVISE               (1ull << 7)
#define R_FD_ALLOCATE             (1ull << 8)
#define R_PATH_CREATE_DIRECTORY   (1ull << 9)
#define R_PATH_CREATE_FILE        (1ull << 10)
#define R_PATH_LINK_SOURCE        (1ull << 11)
#define R_PATH_LINK_TARGET        (1ull << 12)
#define R_PATH_OPEN               (1ull << 13)
#define R_FD_READDIR              (1ull << 14)
#define R_PATH_READLINK           (1ull << 15)
#define R_PATH_RENAME_SOURCE      (1ull << 16)
#define R_PATH_RENAME_TARGET      (1ull << 17)
#define R_PATH_FILESTAT_GET       (1ull << 18)
#define R_PATH_FILESTAT_SET_SIZE  (1ull << 19)
#define R_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define R_FD_FILESTAT_GET         (1ull << 21)
#define R_FD_FILESTAT_SET_SIZE    (1ull << 22)
#define R_FD_FILESTAT_SET_TIMES   (1ull << 23)
#define R_PATH_SYMLINK            (1ull << 24)
#define R_PATH_REMOVE_DIRECTORY   (1ull << 25)
#define R_PATH_UNLINK_FILE        (1ull << 26)
#define R_POLL_FD_READWRITE       (1ull << 27)
#define R_SOCK_SHUTDOWN           (1ull << 28)
#define R_SOCK_ACCEPT             (1ull << 29)
#define R_ALL                     ((1ull << 30) - 1)

/* Rights of a regular file, a directory (base and inheriting), a console
 * stream and a socket, as other hosts grant them. */
#define RIGHTS_FILE                                                                                \
    (R_FD_DATASYNC | R_FD_READ | R_FD_SEEK | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_TELL |       \
     R_FD_WRITE | R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_SIZE |       \
     R_FD_FILESTAT_SET_TIMES | R_POLL_FD_READWRITE)
#define RIGHTS_DIR                                                                                 \
    (R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_DATASYNC | R_PATH_CREATE_DIRECTORY |                 \
     R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_OPEN | R_FD_READDIR |   \
     R_PATH_READLINK | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET | R_PATH_FILESTAT_GET |         \
     R_PATH_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_TIMES | R_FD_FILESTAT_GET |                    \
     R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK | R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE)
#define RIGHTS_TTY                                                                                 \
    (R_FD_READ | R_FD_FDSTAT_SET_FLAGS | R_FD_WRITE | R_FD_FILESTAT_GET | R_FD_SYNC |              \
     R_FD_DATASYNC | R_POLL_FD_READWRITE)
#define RIGHTS_SOCK                                                                                \
    (R_FD_READ | R_FD_FDSTAT_SET_FLAGS | R_FD_WRITE | R_FD_FILESTAT_GET | R_POLL_FD_READWRITE |    \
     R_SOCK_SHUTDOWN | R_SOCK_ACCEPT)

/* fdflags (witx `fdflags`). */
enum {
    FDFLAG_APPEND = 1,
    FDFLAG_DSYNC = 2,
    FDFLAG_NONBLOCK = 4,
    FDFLAG_RSYNC = 8,
    FDFLAG_SYNC = 16,
};

/* One preview1 descriptor. */
struct wasi_fd {
    struct wasi_port_file *file; /* files, directories, console */
    struct wasi_port_sock *sock; /* sockets */
    uint8_t filetype;            /* enum wasi_port_filetype */
    uint16_t fdflags;
    bool owned;    /* the port handle is closed with the descriptor (not the console's) */
    char *preopen; /* a preopen's guest path (NUL-terminated), else NULL */
    uint64_t rights_base, rights_inh;
};

struct wasi_p2; /* the 0.2 resource tables (p2.c) */

struct wasi_ctx {
    struct wasi_port port;
    int argc, envc;
    char **argv, **envp;
    uint32_t args_size, env_size; /* bytes of the NUL-terminated strings */
    char *cwd;
    struct wasi_port_file *console[3]; /* stdin, stdout, stderr, owned by the context */
    struct wasi_fd **fds;              /* NULL entries are free descriptors */
    uint32_t nfds, fds_cap;
    struct wasi_p2 *p2;
    struct wasm_func *realloc; /* the guest's cabi_realloc, looked up once */
    bool realloc_looked_up;
    bool in_realloc;                  /* a 0.2 call is inside the guest's cabi_realloc */
    bool lowered;                     /* the current 0.2 call is a component's canon lower */
    struct wasi_p2_binding *bindings; /* one per resolved 0.2 import */
    const struct wasi_tls *tls;       /* the config's, may be NULL */
    struct mem_budget *budget; /* what WASI 0.2 resources charge: own_budget or the config's */
    struct mem_budget own_budget;
    bool allow_net, told_net_denied;
    void (*net_denied)(const char *what);
};

/* Whether the app may use the network for what ("tcp connect", ...);
 * when not, tells the embedder the first time. */
bool wasi_net_allowed(struct wasi_ctx *w, const char *what);

/* Descriptor numbers above this are refused (EMFILE / EBADF). */
#define WASI_MAX_FDS 4096

/* ---- guest memory -------------------------------------------------- */

/* A host pointer to guest bytes [off, off+len), or NULL when out of bounds
 * (or the instance has no memory). Valid until the memory grows, i.e. until
 * the next call into wasm. */
static inline uint8_t *guest_ptr(struct wasm_host_call *call, uint64_t off, uint64_t len)
{
    return call->memory ? (uint8_t *)wasm_memory_ptr(call->memory, off, len) : NULL;
}

/* The context of a host call. */
static inline struct wasi_ctx *call_ctx(struct wasm_host_call *call)
{
    return (struct wasi_ctx *)call->user;
}

/* ---- paths (path.c) -------------------------------------------------- */

enum { WASI_PATH_TRAILING_SLASH = 1 };

/*
 * Confines a guest path to its directory: folds "." and ".." lexically and
 * writes the result (the port's form, see port.h; "." for the directory
 * itself) into out, which has WASI_PORT_PATH_MAX + 1 bytes. *flags gets
 * WASI_PATH_TRAILING_SLASH when the path ended in '/'. Returns the length,
 * or ERR_NOENT (empty), ERR_INVAL (a NUL byte), WASI_ERR_NOTCAPABLE (an
 * absolute path, or ".." above the directory), ERR_NAMETOOLONG.
 */
int wasi_path_confine(const char *in, size_t len, char *out, unsigned *flags);

/* ---- descriptors (ctx.c) ---------------------------------------------- */

/* Installs fd at the lowest free number >= min: the number, or ERR_MFILE /
 * ERR_NOMEM (then fd is not taken). */
int wasi_fd_install(struct wasi_ctx *w, struct wasi_fd *fd, uint32_t min);
/* The descriptor n, or NULL. */
struct wasi_fd *wasi_fd_get(struct wasi_ctx *w, uint32_t n);
/* Closes the port handle (if owned) and frees fd; returns the port's
 * result. */
int wasi_fd_destroy(struct wasi_ctx *w, struct wasi_fd *fd);

/* ---- errors (errno.c) -------------------------------------------------- */

uint16_t wasi_errno_from_err(int err);

/* Writes a preview1 filestat (64 bytes) at out (p1_fd.c). */
void wasi_put_filestat(uint8_t *out, const struct wasi_port_stat *st);
/* Checks preview1 fstflags: 0 or ERR_INVAL (p1_fd.c). */
int wasi_check_fstflags(uint32_t flags);

/* ---- the import tables -------------------------------------------------- */

struct wasi_import_fn {
    const char *iface; /* 0.2: "io/streams"; NULL for preview1 */
    const char *name;
    const char *sig;
    wasm_host_fn fn;
};

/* preview1 (p1_*.c): looked up by name. */
const struct wasi_import_fn *wasi_p1_lookup(const char *name, size_t len);

/* Ends the call: an errno result, or a trap for ERR_CANCELED. */
int wasi_p1_ret(struct wasm_host_call *call, wasm_value *results, int err);

/* Functions of p1_fd.c, p1_path.c and p1_misc.c, listed in p1_table.c. */
#define P1_DECL(name)                                                                              \
    int wasi_p1_##name(struct wasm_host_call *call, const wasm_value *a, wasm_value *r)
P1_DECL(args_get);
P1_DECL(args_sizes_get);
P1_DECL(environ_get);
P1_DECL(environ_sizes_get);
P1_DECL(clock_res_get);
P1_DECL(clock_time_get);
P1_DECL(fd_advise);
P1_DECL(fd_allocate);
P1_DECL(fd_close);
P1_DECL(fd_datasync);
P1_DECL(fd_fdstat_get);
P1_DECL(fd_fdstat_set_flags);
P1_DECL(fd_fdstat_set_rights);
P1_DECL(fd_filestat_get);
P1_DECL(fd_filestat_set_size);
P1_DECL(fd_filestat_set_times);
P1_DECL(fd_pread);
P1_DECL(fd_prestat_get);
P1_DECL(fd_prestat_dir_name);
P1_DECL(fd_pwrite);
P1_DECL(fd_read);
P1_DECL(fd_readdir);
P1_DECL(fd_renumber);
P1_DECL(fd_seek);
P1_DECL(fd_sync);
P1_DECL(fd_tell);
P1_DECL(fd_write);
P1_DECL(path_create_directory);
P1_DECL(path_filestat_get);
P1_DECL(path_filestat_set_times);
P1_DECL(path_link);
P1_DECL(path_open);
P1_DECL(path_readlink);
P1_DECL(path_remove_directory);
P1_DECL(path_rename);
P1_DECL(path_symlink);
P1_DECL(path_unlink_file);
P1_DECL(poll_oneoff);
P1_DECL(proc_exit);
P1_DECL(proc_raise);
P1_DECL(sched_yield);
P1_DECL(random_get);
P1_DECL(sock_accept);
P1_DECL(sock_recv);
P1_DECL(sock_send);
P1_DECL(sock_shutdown);

/* 0.2 (p2_table.c, generated): looked up by interface ("io/streams", the
 * package and interface without "wasi:" and the version) and field
 * (ctx.c). */
extern const struct wasi_import_fn wasi_p2_table[];
extern const size_t wasi_p2_table_len;
const struct wasi_import_fn *wasi_p2_lookup(const char *iface, size_t iface_len, const char *field,
                                            size_t field_len);
/* A resolved 0.2 import: the host function behind wasi_p2_dispatch. */
struct wasi_p2_binding {
    struct wasi_ctx *w;
    wasm_host_fn fn;
    struct wasi_p2_binding *next;
    /* A component's canon lower (wasi_p2_bind): the options' memory and
     * realloc replace the caller's memory and cabi_realloc export. */
    bool lowered;
    struct wasm_memory *memory;
    struct wasm_func *realloc;
};
int wasi_p2_dispatch(struct wasm_host_call *call, const wasm_value *a, wasm_value *r);

/* The 0.2 state (p2.c). */
int wasi_p2_new(struct wasi_ctx *w);
void wasi_p2_free(struct wasi_ctx *w);

#endif
