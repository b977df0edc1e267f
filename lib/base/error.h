/*
 * lib/base/error.h - the error values every KPIO library returns.
 *
 * Functions return 0 (or a count) on success and a negative ERR_* on
 * failure. The numbering is ours; errno-like names make them easy to read
 * and to map onto WASI errno values at the system-call boundary.
 */
#ifndef BASE_ERROR_H
#define BASE_ERROR_H

enum {
    ERR_OK = 0,
    ERR_PERM = -1,         /* operation not permitted */
    ERR_NOENT = -2,        /* no such file or directory */
    ERR_IO = -5,           /* input/output error from a device */
    ERR_NXIO = -6,         /* no such device */
    ERR_2BIG = -7,         /* argument list or value too large */
    ERR_BADF = -9,         /* bad handle or descriptor */
    ERR_AGAIN = -11,       /* try again: would block */
    ERR_NOMEM = -12,       /* out of memory */
    ERR_ACCES = -13,       /* permission denied */
    ERR_FAULT = -14,       /* bad address */
    ERR_BUSY = -16,        /* resource busy */
    ERR_EXIST = -17,       /* already exists */
    ERR_XDEV = -18,        /* cross-device link */
    ERR_NODEV = -19,       /* no such device or unsupported operation on it */
    ERR_NOTDIR = -20,      /* not a directory */
    ERR_ISDIR = -21,       /* is a directory */
    ERR_INVAL = -22,       /* invalid argument */
    ERR_NFILE = -23,       /* too many open files in the system */
    ERR_MFILE = -24,       /* too many open files */
    ERR_FBIG = -27,        /* file too large */
    ERR_NOSPC = -28,       /* no space left on device */
    ERR_SPIPE = -29,       /* illegal seek */
    ERR_ROFS = -30,        /* read-only file system */
    ERR_MLINK = -31,       /* too many links */
    ERR_PIPE = -32,        /* broken pipe */
    ERR_RANGE = -34,       /* result out of range */
    ERR_NAMETOOLONG = -36, /* name too long */
    ERR_NOSYS = -38,       /* function not implemented */
    ERR_NOTEMPTY = -39,    /* directory not empty */
    ERR_LOOP = -40,        /* too many levels / a loop */
    ERR_NOTSUP = -95,      /* operation not supported */
    ERR_ADDRINUSE = -98,   /* address in use */
    ERR_ADDRNOTAVAIL = -99,
    ERR_NETDOWN = -100,
    ERR_NETUNREACH = -101,
    ERR_CONNABORTED = -103,
    ERR_CONNRESET = -104,
    ERR_NOBUFS = -105,
    ERR_ISCONN = -106,
    ERR_NOTCONN = -107,
    ERR_TIMEDOUT = -110,
    ERR_CONNREFUSED = -111,
    ERR_HOSTUNREACH = -113,
    ERR_ALREADY = -114,
    ERR_INPROGRESS = -115,
    ERR_CORRUPT = -117, /* on-disk or on-wire structure is corrupt */
    ERR_CANCELED = -125,
    ERR_PROTO = -71,      /* protocol error */
    ERR_BADMSG = -74,     /* malformed message */
    ERR_OVERFLOW = -75,   /* value too large for defined data type */
    ERR_NXDOMAIN = -200,  /* DNS: the name does not exist */
    ERR_DNSFAIL = -201,   /* DNS: server failure or refused */
    ERR_TLS_CERT = -210,  /* TLS: the server's certificate was refused */
    ERR_TLS_ALERT = -211, /* TLS: the server sent a fatal alert */
    ERR_TLS_PROTO = -212, /* TLS: any other TLS failure */
};

/* Returns from the calling function with the result of x when that result
 * is non-zero (an error), so a sequence of steps reads as one line each. */
#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_) return rc_;                                                                       \
    } while (0)

/* A short human-readable description; never NULL. */
const char *err_str(int err);
/* The symbolic name ("ERR_NOENT"); never NULL. */
const char *err_name(int err);

#endif
