/*
 * host/port/tls_host.h - lib/tls on Linux for lib/wasi's wasi:http
 * (struct wasi_tls): entropy from getrandom(2), the wall clock from
 * clock_gettime(2), and the trust store found as OpenSSL and curl find it.
 */
#ifndef HOST_PORT_TLS_HOST_H
#define HOST_PORT_TLS_HOST_H

#include <stdbool.h>

#include "wasi/wasi.h"

struct host_tls;

/* A TLS provider for wasi_config.tls. The trust store is loaded on the
 * first https request: SSL_CERT_FILE if set, else every file of
 * SSL_CERT_DIR if set, else /etc/ssl/certs/ca-certificates.crt; plus the
 * bundle cacert (may be NULL) for this run. insecure turns certificate
 * checks off, with a warning on stderr at each use. NULL when out of
 * memory. */
struct host_tls *host_tls_new(const char *cacert, bool insecure);
void host_tls_free(struct host_tls *h);
const struct wasi_tls *host_tls_provider(struct host_tls *h);

#endif
