/*
 * host/port/wasi_common.c - what the files (wasi_files.c) and the sockets
 * (wasi_sock.c) of lib/wasi's Linux port share: Linux errno values as
 * ERR_* codes, and the monotonic clock. It calls neither of them, so the
 * sockets need not reach up into the file that holds the ops table.
 */
#include "wasi_host.h"

#include <errno.h>
#include <time.h>

#include "base/error.h"

int wasi_host_errno(int e)
{
    switch (e) {
    case EPERM: return ERR_PERM;
    case ENOENT: return ERR_NOENT;
    case EIO: return ERR_IO;
    case ENXIO: return ERR_NXIO;
    case E2BIG: return ERR_2BIG;
    case EBADF: return ERR_BADF;
    case EAGAIN: return ERR_AGAIN;
    case ENOMEM: return ERR_NOMEM;
    case EACCES: return ERR_ACCES;
    case EFAULT: return ERR_FAULT;
    case EBUSY: return ERR_BUSY;
    case EEXIST: return ERR_EXIST;
    case EXDEV: return ERR_PERM; /* RESOLVE_BENEATH: a link out of the sandbox */
    case ENODEV: return ERR_NODEV;
    case ENOTDIR: return ERR_NOTDIR;
    case EISDIR: return ERR_ISDIR;
    case EINVAL: return ERR_INVAL;
    case ENFILE: return ERR_NFILE;
    case EMFILE: return ERR_MFILE;
    case EFBIG: return ERR_FBIG;
    case ENOSPC: return ERR_NOSPC;
    case ESPIPE: return ERR_SPIPE;
    case EROFS: return ERR_ROFS;
    case EMLINK: return ERR_MLINK;
    case EPIPE: return ERR_PIPE;
    case ERANGE: return ERR_RANGE;
    case ENAMETOOLONG: return ERR_NAMETOOLONG;
    case ENOSYS: return ERR_NOSYS;
    case ENOTEMPTY: return ERR_NOTEMPTY;
    case ELOOP: return ERR_LOOP;
    case EOPNOTSUPP: return ERR_NOTSUP;
    case EADDRINUSE: return ERR_ADDRINUSE;
    case EADDRNOTAVAIL: return ERR_ADDRNOTAVAIL;
    case ENETDOWN: return ERR_NETDOWN;
    case ENETUNREACH: return ERR_NETUNREACH;
    case ECONNABORTED: return ERR_CONNABORTED;
    case ECONNRESET: return ERR_CONNRESET;
    case ENOBUFS: return ERR_NOBUFS;
    case EISCONN: return ERR_ISCONN;
    case ENOTCONN: return ERR_NOTCONN;
    case ETIMEDOUT: return ERR_TIMEDOUT;
    case ECONNREFUSED: return ERR_CONNREFUSED;
    case EHOSTUNREACH: return ERR_HOSTUNREACH;
    case EALREADY: return ERR_ALREADY;
    case EINPROGRESS: return ERR_INPROGRESS;
    case EOVERFLOW: return ERR_OVERFLOW;
    case EAFNOSUPPORT: return ERR_NOTSUP;
    default: return ERR_IO;
    }
}

uint64_t wasi_host_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
