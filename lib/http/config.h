/*
 * lib/http/config.h - every tunable of lib/http with its default. The
 * parser limits and client timeouts are also run-time settings (struct
 * http_limits, struct http_client_config); these are the values the
 * *_default() functions fill in. A port may override any of them with -D.
 */
#ifndef HTTP_CONFIG_H
#define HTTP_CONFIG_H

/* Parser limits (bytes, except the count). RFC 9110 section 5.4 leaves
 * them to the implementation; these accept every real server's responses. */
#ifndef HTTP_MAX_STATUS_LINE
#define HTTP_MAX_STATUS_LINE 2048 /* status-line, without CRLF */
#endif
#ifndef HTTP_MAX_REQUEST_LINE
#define HTTP_MAX_REQUEST_LINE 8192 /* request-line on a server, without CRLF (RFC 9112 3) */
#endif
#ifndef HTTP_MAX_FIELD_LINE
#define HTTP_MAX_FIELD_LINE 8192 /* one field line, obs-folds joined */
#endif
#ifndef HTTP_MAX_SECTION
#define HTTP_MAX_SECTION 65536 /* a header or trailer section, line ends included */
#endif
#ifndef HTTP_MAX_FIELDS
#define HTTP_MAX_FIELDS 128 /* field lines per header or trailer section */
#endif
#ifndef HTTP_MAX_CHUNK_LINE
#define HTTP_MAX_CHUNK_LINE 1024 /* chunk-size line with extensions, without CRLF */
#endif

/* URLs and host names. */
#ifndef HTTP_MAX_URL
#define HTTP_MAX_URL 8192 /* an absolute URL, redirect targets included */
#endif
#ifndef HTTP_MAX_HOST
#define HTTP_MAX_HOST 255 /* a host name (253 for DNS) or an IP literal */
#endif

/* Client. */
#ifndef HTTP_CONNECT_TIMEOUT_MS
#define HTTP_CONNECT_TIMEOUT_MS 10000 /* name resolution and TCP connect */
#endif
#ifndef HTTP_HEADER_TIMEOUT_MS
#define HTTP_HEADER_TIMEOUT_MS 30000 /* request sent -> response head complete */
#endif
#ifndef HTTP_IDLE_TIMEOUT_MS
#define HTTP_IDLE_TIMEOUT_MS 30000 /* longest silence while sending or receiving */
#endif
#ifndef HTTP_MAX_REDIRECTS
#define HTTP_MAX_REDIRECTS 10
#endif
#ifndef HTTP_RECV_BUFFER
#define HTTP_RECV_BUFFER 65536 /* bytes read from the socket at a time */
#endif
#ifndef HTTP_MAX_REQUEST_HEAD
#define HTTP_MAX_REQUEST_HEAD 16384 /* serialized request line and fields */
#endif
#ifndef HTTP_DRAIN_LIMIT
#define HTTP_DRAIN_LIMIT 65536 /* unread body bytes skipped to keep a connection */
#endif

#endif
