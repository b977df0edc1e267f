/*
 * lib/wasi/errno.c - ERR_* values (base/error.h) to preview1 errno values
 * (witx `errno`, wasi_snapshot_preview1 typenames). Both follow POSIX
 * names, so the map is one to one where POSIX has the name; the KPIO-only
 * DNS errors become EIO-like values as other hosts report getaddrinfo
 * failures.
 */
#include "base/util.h"
#include "wasi/internal.h"

struct errmap {
    int err;
    uint16_t wasi;
};

static const struct errmap errmap[] = {
    {ERR_PERM, 63},
    {ERR_NOENT, 44},
    {ERR_IO, 29},
    {ERR_NXIO, 60},
    {ERR_2BIG, 1},
    {ERR_BADF, 8},
    {ERR_AGAIN, 6},
    {ERR_NOMEM, 48},
    {ERR_ACCES, 2},
    {ERR_FAULT, 21},
    {ERR_BUSY, 10},
    {ERR_EXIST, 20},
    {ERR_XDEV, 75},
    {ERR_NODEV, 43},
    {ERR_NOTDIR, 54},
    {ERR_ISDIR, 31},
    {ERR_INVAL, 28},
    {ERR_NFILE, 41},
    {ERR_MFILE, 33},
    {ERR_FBIG, 22},
    {ERR_NOSPC, 51},
    {ERR_SPIPE, 70},
    {ERR_ROFS, 69},
    {ERR_MLINK, 34},
    {ERR_PIPE, 64},
    {ERR_RANGE, 68},
    {ERR_NAMETOOLONG, 37},
    {ERR_NOSYS, 52},
    {ERR_NOTEMPTY, 55},
    {ERR_LOOP, 32},
    {ERR_NOTSUP, 58},
    {ERR_ADDRINUSE, 3},
    {ERR_ADDRNOTAVAIL, 4},
    {ERR_NETDOWN, 38},
    {ERR_NETUNREACH, 40},
    {ERR_CONNABORTED, 13},
    {ERR_CONNRESET, 15},
    {ERR_NOBUFS, 42},
    {ERR_ISCONN, 30},
    {ERR_NOTCONN, 53},
    {ERR_TIMEDOUT, 73},
    {ERR_CONNREFUSED, 14},
    {ERR_HOSTUNREACH, 23},
    {ERR_ALREADY, 7},
    {ERR_INPROGRESS, 26},
    {ERR_CORRUPT, 29},
    {ERR_CANCELED, 11},
    {ERR_PROTO, 65},
    {ERR_BADMSG, 9},
    {ERR_OVERFLOW, 61},
    {ERR_NXDOMAIN, 44},
    {ERR_DNSFAIL, 29},
    {WASI_ERR_NOTCAPABLE, 76},
};

uint16_t wasi_errno_from_err(int err)
{
    if (err >= 0) return 0;
    for (size_t i = 0; i < ARRAY_SIZE(errmap); i++)
        if (errmap[i].err == err) return errmap[i].wasi;
    return WASI_EIO;
}
