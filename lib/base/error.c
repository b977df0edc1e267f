/*
 * lib/base/error.c - names and descriptions of the ERR_* values.
 */
#include "base/error.h"

#include "base/util.h"

static const struct {
    int code;
    const char *name, *text;
} errors[] = {
    {ERR_OK, "OK", "success"},
    {ERR_PERM, "ERR_PERM", "operation not permitted"},
    {ERR_NOENT, "ERR_NOENT", "no such file or directory"},
    {ERR_IO, "ERR_IO", "input/output error"},
    {ERR_NXIO, "ERR_NXIO", "no such device or address"},
    {ERR_2BIG, "ERR_2BIG", "argument too large"},
    {ERR_BADF, "ERR_BADF", "bad descriptor"},
    {ERR_AGAIN, "ERR_AGAIN", "resource temporarily unavailable"},
    {ERR_NOMEM, "ERR_NOMEM", "out of memory"},
    {ERR_ACCES, "ERR_ACCES", "permission denied"},
    {ERR_FAULT, "ERR_FAULT", "bad address"},
    {ERR_BUSY, "ERR_BUSY", "device or resource busy"},
    {ERR_EXIST, "ERR_EXIST", "file exists"},
    {ERR_XDEV, "ERR_XDEV", "cross-device link"},
    {ERR_NODEV, "ERR_NODEV", "no such device"},
    {ERR_NOTDIR, "ERR_NOTDIR", "not a directory"},
    {ERR_ISDIR, "ERR_ISDIR", "is a directory"},
    {ERR_INVAL, "ERR_INVAL", "invalid argument"},
    {ERR_NFILE, "ERR_NFILE", "too many open files in system"},
    {ERR_MFILE, "ERR_MFILE", "too many open files"},
    {ERR_FBIG, "ERR_FBIG", "file too large"},
    {ERR_NOSPC, "ERR_NOSPC", "no space left on device"},
    {ERR_SPIPE, "ERR_SPIPE", "illegal seek"},
    {ERR_ROFS, "ERR_ROFS", "read-only file system"},
    {ERR_MLINK, "ERR_MLINK", "too many links"},
    {ERR_PIPE, "ERR_PIPE", "broken pipe"},
    {ERR_RANGE, "ERR_RANGE", "result out of range"},
    {ERR_NAMETOOLONG, "ERR_NAMETOOLONG", "name too long"},
    {ERR_NOSYS, "ERR_NOSYS", "function not implemented"},
    {ERR_NOTEMPTY, "ERR_NOTEMPTY", "directory not empty"},
    {ERR_LOOP, "ERR_LOOP", "too many levels or a loop"},
    {ERR_NOTSUP, "ERR_NOTSUP", "operation not supported"},
    {ERR_ADDRINUSE, "ERR_ADDRINUSE", "address already in use"},
    {ERR_ADDRNOTAVAIL, "ERR_ADDRNOTAVAIL", "address not available"},
    {ERR_NETDOWN, "ERR_NETDOWN", "network is down"},
    {ERR_NETUNREACH, "ERR_NETUNREACH", "network unreachable"},
    {ERR_CONNABORTED, "ERR_CONNABORTED", "connection aborted"},
    {ERR_CONNRESET, "ERR_CONNRESET", "connection reset by peer"},
    {ERR_NOBUFS, "ERR_NOBUFS", "no buffer space available"},
    {ERR_ISCONN, "ERR_ISCONN", "already connected"},
    {ERR_NOTCONN, "ERR_NOTCONN", "not connected"},
    {ERR_TIMEDOUT, "ERR_TIMEDOUT", "timed out"},
    {ERR_CONNREFUSED, "ERR_CONNREFUSED", "connection refused"},
    {ERR_HOSTUNREACH, "ERR_HOSTUNREACH", "host unreachable"},
    {ERR_ALREADY, "ERR_ALREADY", "operation already in progress"},
    {ERR_INPROGRESS, "ERR_INPROGRESS", "operation in progress"},
    {ERR_CORRUPT, "ERR_CORRUPT", "structure is corrupt"},
    {ERR_CANCELED, "ERR_CANCELED", "operation canceled"},
    {ERR_PROTO, "ERR_PROTO", "protocol error"},
    {ERR_BADMSG, "ERR_BADMSG", "malformed message"},
    {ERR_OVERFLOW, "ERR_OVERFLOW", "value too large"},
    {ERR_NXDOMAIN, "ERR_NXDOMAIN", "name does not exist"},
    {ERR_DNSFAIL, "ERR_DNSFAIL", "name server failure"},
    {ERR_TLS_CERT, "ERR_TLS_CERT", "TLS certificate refused"},
    {ERR_TLS_ALERT, "ERR_TLS_ALERT", "TLS alert received"},
    {ERR_TLS_PROTO, "ERR_TLS_PROTO", "TLS protocol error"},
};

static int find(int err)
{
    for (unsigned i = 0; i < ARRAY_SIZE(errors); i++)
        if (errors[i].code == err) return (int)i;
    return -1;
}

const char *err_str(int err)
{
    int i = find(err);
    return i < 0 ? "unknown error" : errors[i].text;
}

const char *err_name(int err)
{
    int i = find(err);
    return i < 0 ? "ERR_UNKNOWN" : errors[i].name;
}
