/*
 * lib/wasi/port.h - the system port: everything lib/wasi needs from the
 * system it runs on, as a table of functions plus a context pointer.
 *
 * lib/wasi implements WASI (preview1 and the 0.2 interfaces) once, over
 * this port. Two ports exist: the kernel's (kernel/wasm/: VFS, console,
 * RTC and monotonic clock, RDRAND/CSPRNG, kernel sockets over lib/net) and
 * the host's (host/port/wasi_*.c: Linux openat/read/poll/sockets/
 * getaddrinfo). One port object serves one running app.
 *
 * Contract shared by every function:
 *  - Calls are blocking-friendly: the app runs on its own thread (a kernel
 *    thread in KPIO, the process on Linux) and a call may sleep. Calls
 *    documented as "non-blocking" must not wait; "wait" is the only call
 *    that waits for readiness, and every wait has a deadline.
 *  - Errors are negative ERR_* values of base/error.h; 0 or a count is
 *    success. lib/wasi maps them to WASI errno values and WIT error codes,
 *    so the port should return the most specific one (ERR_NOENT,
 *    ERR_ISDIR, ERR_CONNREFUSED, ERR_NXDOMAIN, ...). ERR_CANCELED from any
 *    call means the app is being killed: lib/wasi ends the run with a trap.
 *  - Buffers passed in are host pointers that lib/wasi has already checked
 *    against the guest's linear memory; they stay valid for the call only.
 *  - Paths are already normalized and confined by lib/wasi: a path given
 *    to an *_at function is relative to the directory handle, non-empty,
 *    made of components separated by single '/', with no "." or ".."
 *    component, no leading '/', no trailing '/', no NUL, at most
 *    WASI_PORT_PATH_MAX bytes and each component at most WASI_PORT_NAME_MAX
 *    bytes; or exactly "." for the directory itself. The port must still
 *    make sure that symbolic links cannot lead outside the directory (on
 *    Linux: openat2 with RESOLVE_BENEATH); KPIO's FAT has no links.
 *  - A function pointer may be NULL where the doc says "optional": lib/wasi
 *    then returns ERR_NOTSUP (ENOTSUP / not-supported) to the app.
 *  - Handles (struct wasi_port_file, struct wasi_port_sock) are the port's
 *    own opaque objects; lib/wasi never looks inside. Each handle returned
 *    is closed exactly once by lib/wasi (close / sock_close).
 *  - Time is in nanoseconds. Deadlines are absolute values of the
 *    monotonic clock; WASI_PORT_NO_DEADLINE means wait indefinitely
 *    (until readiness or a kill).
 */
#ifndef WASI_PORT_H
#define WASI_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WASI_PORT_PATH_MAX 1024 /* bytes of a relative path handed to the port */
/* bytes of one component: the 255 UTF-16 units of a FAT long name as UTF-8 */
#define WASI_PORT_NAME_MAX    765
#define WASI_PORT_NO_DEADLINE UINT64_MAX

struct wasi_port_file; /* an open file, directory or console stream */
struct wasi_port_sock; /* a TCP or UDP socket */

/* File types, numbered as preview1's `filetype` (witx typenames). */
enum wasi_port_filetype {
    WASI_PORT_FT_UNKNOWN = 0,
    WASI_PORT_FT_BLOCK_DEVICE = 1,
    WASI_PORT_FT_CHARACTER_DEVICE = 2, /* the console */
    WASI_PORT_FT_DIRECTORY = 3,
    WASI_PORT_FT_REGULAR_FILE = 4,
    WASI_PORT_FT_SOCKET_DGRAM = 5,
    WASI_PORT_FT_SOCKET_STREAM = 6,
    WASI_PORT_FT_SYMBOLIC_LINK = 7,
};

/* What stat returns (preview1 `filestat` without the padding). Times are
 * ns since the Unix epoch; 0 where the filesystem has none. */
struct wasi_port_stat {
    uint64_t dev, ino;
    uint8_t filetype; /* enum wasi_port_filetype */
    uint64_t nlink, size;
    uint64_t atim, mtim, ctim;
};

/* One directory entry. next is the cookie of the entry after this one. */
struct wasi_port_dirent {
    uint64_t next;
    uint64_t ino;
    uint8_t filetype;
    uint16_t name_len;
    char name[WASI_PORT_NAME_MAX + 1]; /* NUL-terminated */
};

/* open_at flags. Access is READ and/or WRITE; a directory is opened with
 * DIRECTORY and READ only. */
enum {
    WASI_PORT_O_READ = 1 << 0,
    WASI_PORT_O_WRITE = 1 << 1,
    WASI_PORT_O_CREAT = 1 << 2,     /* create if missing */
    WASI_PORT_O_EXCL = 1 << 3,      /* with CREAT: fail with ERR_EXIST if present */
    WASI_PORT_O_TRUNC = 1 << 4,     /* truncate to 0 (needs WRITE) */
    WASI_PORT_O_DIRECTORY = 1 << 5, /* must be a directory, else ERR_NOTDIR */
    WASI_PORT_O_APPEND = 1 << 6,    /* every write goes to the end */
    WASI_PORT_O_NOFOLLOW = 1 << 7,  /* a symlink as last component: ERR_LOOP */
    WASI_PORT_O_SYNC = 1 << 8,      /* writes are synchronous (may be ignored) */
    WASI_PORT_O_NONBLOCK = 1 << 9,  /* reads/writes return ERR_AGAIN rather than wait */
};

/* set_times flags (preview1 `fstflags`). */
enum {
    WASI_PORT_ATIM = 1 << 0,     /* set atime to atim */
    WASI_PORT_ATIM_NOW = 1 << 1, /* set atime to now */
    WASI_PORT_MTIM = 1 << 2,
    WASI_PORT_MTIM_NOW = 1 << 3,
};

enum wasi_port_clock {
    WASI_PORT_CLOCK_REALTIME = 0,
    WASI_PORT_CLOCK_MONOTONIC = 1,
    WASI_PORT_CLOCK_PROCESS_CPU = 2,
    WASI_PORT_CLOCK_THREAD_CPU = 3,
};

/* An IP socket address. family 4: addr[0..3] in network order; family 6:
 * addr[0..15], flowinfo and scope_id. port in host order. */
struct wasi_port_addr {
    uint8_t family; /* 4 or 6 */
    uint16_t port;
    uint8_t addr[16];
    uint32_t flowinfo, scope_id;
};

enum { WASI_PORT_SHUT_RD = 0, WASI_PORT_SHUT_WR = 1, WASI_PORT_SHUT_RDWR = 2 };

/* Socket options for sock_set_option (wasi:sockets tcp.wit and udp.wit
 * name their BSD equivalents). */
enum wasi_port_sockopt {
    WASI_PORT_SO_KEEPALIVE = 1, /* SO_KEEPALIVE: value 0 or 1 (TCP) */
    WASI_PORT_TCP_KEEPIDLE,     /* TCP_KEEPIDLE: idle time before probes, ns (> 0) */
    WASI_PORT_TCP_KEEPINTVL,    /* TCP_KEEPINTVL: time between probes, ns (> 0) */
    WASI_PORT_TCP_KEEPCNT,      /* TCP_KEEPCNT: unanswered probes before the abort (> 0) */
    WASI_PORT_IP_TTL,           /* IP_TTL / IPV6_UNICAST_HOPS: 1..255 (TCP and UDP) */
};

/* Readiness events for wait(). HUP and ERR are reported whether asked or not. */
enum {
    WASI_PORT_EV_IN = 1 << 0,  /* readable, an accept ready, a datagram queued, or EOF */
    WASI_PORT_EV_OUT = 1 << 1, /* writable, or a connect finished */
    WASI_PORT_EV_HUP = 1 << 2, /* peer closed */
    WASI_PORT_EV_ERR = 1 << 3, /* an error is pending */
};

/* One object to wait on: exactly one of file and sock is set. */
struct wasi_port_pollfd {
    struct wasi_port_file *file;
    struct wasi_port_sock *sock;
    unsigned events;  /* WASI_PORT_EV_IN / _OUT */
    unsigned revents; /* set by wait() */
    /* For files: bytes readable if known (0 if unknown); set by wait(). */
    uint64_t nbytes;
};

struct wasi_port_ops {
    /* ---- files, directories and the console ---------------------- */

    /* The console stream for fd 0, 1 or 2 (stdin, stdout, stderr). It is
     * a file handle like any other: read/write/wait/fstat (type
     * CHARACTER_DEVICE, or whatever the host has there) and close. */
    int (*stdio)(void *ctx, int fd, struct wasi_port_file **out);

    /* Opens path relative to directory dir with WASI_PORT_O_* flags.
     * A directory may also be opened without DIRECTORY when the access is
     * READ only (as open(2) allows); a directory handle serves readdir,
     * fstat, sync and the *_at calls.
     * Symlinks in intermediate components are followed but must not leave
     * dir (ERR_PERM or ERR_LOOP if they would); the last component is
     * followed unless NOFOLLOW. Errors: ERR_NOENT, ERR_EXIST, ERR_NOTDIR,
     * ERR_ISDIR (WRITE on a directory), ERR_ACCES, ERR_ROFS, ERR_LOOP, ... */
    int (*open_at)(void *ctx, struct wasi_port_file *dir, const char *path, unsigned flags,
                   struct wasi_port_file **out);
    /* Closes a handle (files, directories, console). Errors are reported
     * but the handle is gone either way. */
    int (*close)(void *ctx, struct wasi_port_file *f);

    /* Reads up to len bytes at the current position: count, 0 at end of
     * file, or an error. Blocks for the console unless the handle has
     * NONBLOCK (then ERR_AGAIN). */
    long (*read)(void *ctx, struct wasi_port_file *f, void *buf, size_t len);
    /* Writes up to len bytes at the current position (at the end with
     * APPEND): the count written (>0 unless len is 0), or an error. */
    long (*write)(void *ctx, struct wasi_port_file *f, const void *buf, size_t len);
    /* Positional read/write; the position is unchanged. ERR_SPIPE for
     * the console. */
    long (*pread)(void *ctx, struct wasi_port_file *f, void *buf, size_t len, uint64_t off);
    long (*pwrite)(void *ctx, struct wasi_port_file *f, const void *buf, size_t len, uint64_t off);
    /* Moves the position (whence 0 SET, 1 CUR, 2 END); *pos gets the new
     * one. ERR_INVAL for a negative result, ERR_SPIPE for the console. */
    int (*seek)(void *ctx, struct wasi_port_file *f, int64_t off, int whence, uint64_t *pos);
    /* Flushes data (and metadata unless data_only) to the device. */
    int (*sync)(void *ctx, struct wasi_port_file *f, bool data_only);
    int (*fstat)(void *ctx, struct wasi_port_file *f, struct wasi_port_stat *st);
    /* Truncates or extends (with zeros) to size. */
    int (*set_size)(void *ctx, struct wasi_port_file *f, uint64_t size);
    /* Sets times with WASI_PORT_ATIM... flags (optional). */
    int (*set_times)(void *ctx, struct wasi_port_file *f, uint64_t atim, uint64_t mtim,
                     unsigned flags);
    /* Changes APPEND / NONBLOCK of an open handle (optional). */
    int (*set_flags)(void *ctx, struct wasi_port_file *f, unsigned flags);
    /* Reserves space for [off, off+len) (optional; preview1 fd_allocate). */
    int (*allocate)(void *ctx, struct wasi_port_file *f, uint64_t off, uint64_t len);

    /* Reads the directory entry at cookie (0 = the first; otherwise a
     * `next` value returned before for this handle; cookies are below
     * 2^62). Returns 1 and *ent, 0 at the end, or an error. "." and ".."
     * are skipped by lib/wasi if the port returns them. */
    int (*readdir)(void *ctx, struct wasi_port_file *dir, uint64_t cookie,
                   struct wasi_port_dirent *ent);

    /* Path operations relative to dir (paths as in the contract above).
     * follow: whether a symlink as last component is followed. */
    int (*stat_at)(void *ctx, struct wasi_port_file *dir, const char *path, bool follow,
                   struct wasi_port_stat *st);
    int (*mkdir_at)(void *ctx, struct wasi_port_file *dir, const char *path);
    /* Removes a file (ERR_ISDIR for a directory). */
    int (*unlink_at)(void *ctx, struct wasi_port_file *dir, const char *path);
    /* Removes an empty directory (ERR_NOTEMPTY, ERR_NOTDIR). */
    int (*rmdir_at)(void *ctx, struct wasi_port_file *dir, const char *path);
    /* Renames within or across the directories of this port (POSIX
     * rename semantics: replaces a file, or an empty directory). */
    int (*rename_at)(void *ctx, struct wasi_port_file *from_dir, const char *from,
                     struct wasi_port_file *to_dir, const char *to);
    /* Optional. */
    int (*set_times_at)(void *ctx, struct wasi_port_file *dir, const char *path, bool follow,
                        uint64_t atim, uint64_t mtim, unsigned flags);
    /* Optional: the link's target into buf (not NUL-terminated), its length. */
    long (*readlink_at)(void *ctx, struct wasi_port_file *dir, const char *path, char *buf,
                        size_t size);
    /* Optional: creates path as a link to target (lib/wasi refuses absolute
     * targets before calling). */
    int (*symlink_at)(void *ctx, const char *target, struct wasi_port_file *dir, const char *path);
    /* Optional: a hard link. */
    int (*link_at)(void *ctx, struct wasi_port_file *from_dir, const char *from, bool follow,
                   struct wasi_port_file *to_dir, const char *to);

    /* ---- clocks, randomness, scheduling --------------------------- */

    /* The clock's current value in ns: realtime since the Unix epoch,
     * monotonic since an arbitrary start (never decreasing), CPU time of
     * the app. ERR_NOTSUP for a clock the port does not have. */
    int (*clock_now)(void *ctx, enum wasi_port_clock clock, uint64_t *ns);
    /* The clock's resolution in ns. */
    int (*clock_res)(void *ctx, enum wasi_port_clock clock, uint64_t *ns);
    /* Fills buf with cryptographically secure random bytes. */
    int (*random)(void *ctx, void *buf, size_t len);
    /* Lets other threads run (sched_yield). Optional. */
    void (*yield)(void *ctx);

    /* ---- sockets (optional as a group) ---------------------------- */

    /* TCP: connects to remote (from local if not NULL: a bind address),
     * blocking until connected, refused or the deadline (ERR_TIMEDOUT).
     * The returned socket is in non-blocking mode for send/recv. */
    int (*tcp_connect)(void *ctx, const struct wasi_port_addr *local,
                       const struct wasi_port_addr *remote, uint64_t deadline,
                       struct wasi_port_sock **out);
    /* TCP, optional (both or neither): starts connecting to remote (from
     * local if not NULL) and returns at once with *out in progress, or an
     * immediate error (then no socket). wait() with WASI_PORT_EV_OUT
     * reports the socket ready once the attempt has ended either way (a
     * failure as EV_ERR / EV_HUP); tcp_connect_result then tells,
     * without waiting: 0 connected, ERR_AGAIN still in progress, or the
     * error (ERR_CONNREFUSED, ERR_TIMEDOUT, ERR_HOSTUNREACH...). The
     * caller enforces its own deadline (the attempt may run on for the
     * stack's SYN retries). Options may be set while connecting. Without
     * these, lib/wasi connects with the blocking tcp_connect. */
    int (*tcp_connect_start)(void *ctx, const struct wasi_port_addr *local,
                             const struct wasi_port_addr *remote, struct wasi_port_sock **out);
    int (*tcp_connect_result)(void *ctx, struct wasi_port_sock *s);
    /* TCP: binds to local (port 0: any) and listens with backlog. */
    int (*tcp_listen)(void *ctx, const struct wasi_port_addr *local, unsigned backlog,
                      struct wasi_port_sock **out);
    /* Non-blocking: a pending connection of a listening socket, or
     * ERR_AGAIN. */
    int (*tcp_accept)(void *ctx, struct wasi_port_sock *s, struct wasi_port_sock **out);
    /* Non-blocking: sends up to len bytes; count (> 0), ERR_AGAIN when no
     * room, or an error (ERR_PIPE after shutdown, ERR_CONNRESET...). */
    long (*send)(void *ctx, struct wasi_port_sock *s, const void *buf, size_t len);
    /* Non-blocking: receives up to len bytes; count (> 0), 0 at end of
     * stream, ERR_AGAIN when nothing is there, or an error. */
    long (*recv)(void *ctx, struct wasi_port_sock *s, void *buf, size_t len);
    /* WASI_PORT_SHUT_RD / _WR / _RDWR. */
    int (*shutdown)(void *ctx, struct wasi_port_sock *s, int how);
    /* UDP: a socket bound to local (port 0: any). */
    int (*udp_open)(void *ctx, const struct wasi_port_addr *local, struct wasi_port_sock **out);
    /* Non-blocking: one datagram to to; count, ERR_AGAIN, or an error. */
    long (*udp_sendto)(void *ctx, struct wasi_port_sock *s, const void *buf, size_t len,
                       const struct wasi_port_addr *to);
    /* Non-blocking: one datagram (truncated to len) and its sender; the
     * datagram's length (up to len), ERR_AGAIN, or an error. */
    long (*udp_recvfrom)(void *ctx, struct wasi_port_sock *s, void *buf, size_t len,
                         struct wasi_port_addr *from);
    /* Local and remote address of a socket; either pointer may be NULL.
     * ERR_NOTCONN for the remote of an unconnected socket. */
    int (*sock_name)(void *ctx, struct wasi_port_sock *s, struct wasi_port_addr *local,
                     struct wasi_port_addr *remote);
    /* Closes and frees a socket. */
    void (*sock_close)(void *ctx, struct wasi_port_sock *s);
    /* Sets an option of a connected or listening TCP socket, or a UDP
     * socket (WASI_PORT_IP_TTL only), so that it takes effect: a port
     * that cannot apply an option returns ERR_NOTSUP, never 0. Values out
     * of the port's range are clamped (the WIT allows it); ERR_INVAL for
     * a zero where the enum says > 0. Optional: without it lib/wasi
     * reports not-supported for these options. */
    int (*sock_set_option)(void *ctx, struct wasi_port_sock *s, enum wasi_port_sockopt opt,
                           uint64_t value);
    /* Resolves name (a host name or an address literal) to at most max
     * addresses, waiting until deadline. Returns the count (>= 1),
     * ERR_NXDOMAIN (no such name), ERR_DNSFAIL (server failure), or
     * ERR_TIMEDOUT. */
    int (*resolve)(void *ctx, const char *name, struct wasi_port_addr *addrs, int max,
                   uint64_t deadline);
    /* Starts resolving name without waiting. Returns the count (>= 1) when
     * the answer is known at once (an address literal), 0 with *pending: a
     * handle that wait() reports EV_IN on once the answer is in (read it
     * with resolve_result, free it with sock_close), or resolve's errors.
     * Optional (both or neither): without them lib/wasi calls resolve. */
    int (*resolve_start)(void *ctx, const char *name, struct wasi_port_addr *addrs, int max,
                         struct wasi_port_sock **pending);
    /* The answer of a started resolution: as resolve, or ERR_AGAIN while
     * it is still pending. */
    int (*resolve_result)(void *ctx, struct wasi_port_sock *pending, struct wasi_port_addr *addrs,
                          int max);

    /* ---- waiting --------------------------------------------------- */

    /* Waits until one of the n objects is ready for its events, or until
     * deadline (n may be 0: a sleep). Sets revents of every entry and
     * returns the number of ready entries (0 on timeout), or an error
     * (ERR_CANCELED: killed). Regular files are always ready. */
    int (*wait)(void *ctx, struct wasi_port_pollfd *fds, size_t n, uint64_t deadline);
};

struct wasi_port {
    const struct wasi_port_ops *ops;
    void *ctx;
};

#endif
