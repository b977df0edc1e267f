/*
 * host/http-get/sock_posix.h - lib/http's socket interface (http/sock.h)
 * over Linux BSD sockets: getaddrinfo for names, non-blocking sockets and
 * poll(2) for every timeout.
 */
#ifndef HOST_HTTP_SOCK_POSIX_H
#define HOST_HTTP_SOCK_POSIX_H

#include "http/sock.h"

/* Fills *sock with the POSIX implementation (no context needed). */
void http_sock_posix(struct http_sock *sock);

#endif
