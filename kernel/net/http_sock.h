/*
 * kernel/net/http_sock.h - lib/http's socket interface over kernel sockets,
 * for HTTP done by the kernel itself (benchmarks, tests).
 */
#ifndef KNET_HTTP_SOCK_H
#define KNET_HTTP_SOCK_H

#include "http/sock.h"

/* The interface (its ctx is unused: pass NULL). */
extern const struct http_sock_ops khttp_sock_ops;

#endif
