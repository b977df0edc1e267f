/*
 * apps/include/sdk/httpreq.h - the server side of HTTP/1.1 for httpd: the
 * request head (RFC 9112 sections 2-3 and 5) and the mapping of a request
 * target to a path under the served folder. Plain C with no WASI calls,
 * so that the host can unit-test and fuzz it (tests/apps/).
 */
#ifndef SDK_HTTPREQ_H
#define SDK_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>

#define HTTPREQ_MAX_HEAD   8192 /* request line and fields, line ends included */
#define HTTPREQ_MAX_TARGET 2048

enum httpreq_status {
    HTTPREQ_INCOMPLETE = 0,   /* no empty line yet: read more */
    HTTPREQ_BAD = -400,       /* malformed: 400 Bad Request */
    HTTPREQ_TOO_LARGE = -431, /* head over HTTPREQ_MAX_HEAD: 431 */
    HTTPREQ_URI_TOO_LONG = -414,
    HTTPREQ_VERSION = -505, /* not HTTP/1.x: 505 */
};

struct httpreq {
    char method[16];
    char target[HTTPREQ_MAX_TARGET]; /* as sent, NUL-terminated */
    int minor;                       /* HTTP/1.minor */
    bool close;                      /* "Connection: close" was sent, or HTTP/1.0 */
};

/*
 * Parses the request head in buf[0..len). Returns the head's length
 * (through the empty line) when it is complete and valid, 0 when more
 * bytes are needed, or a negative enum httpreq_status. Line ends are CRLF
 * or a bare LF (RFC 9112 section 2.2 lets a recipient accept LF); field
 * values are checked for forbidden bytes but otherwise ignored, except
 * Connection. Fields without a colon or with white space before it are
 * rejected (section 5.1).
 */
int httpreq_parse(const char *buf, size_t len, struct httpreq *r);

enum httpreq_path_result {
    HTTPREQ_PATH_OK = 0,
    HTTPREQ_PATH_BAD = -400,    /* not origin-form, bad %-escape, NUL or '\\' */
    HTTPREQ_PATH_ESCAPE = -403, /* ".." would climb above the root */
};

/*
 * The path of the request target (origin-form "/a/b?q" or absolute-form
 * "http://host/a/b"), %-decoded, with "." and ".." segments resolved (RFC
 * 3986 section 5.2.4) and never above "/", into out[0..size) as
 * "a/b" (no leading '/'; "" for the root). *dir_slash tells whether the
 * target ended in '/'. Returns an enum httpreq_path_result.
 */
int httpreq_path(const char *target, char *out, size_t size, bool *dir_slash);

#endif
