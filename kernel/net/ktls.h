/*
 * kernel/net/ktls.h - lib/tls in the kernel: https for apps' wasi:http
 * requests (struct wasi_tls), with keys from the kernel's DRBG, dates
 * checked against the RTC's wall clock and a trust store read from a PEM
 * bundle on the disk.
 */
#ifndef KNET_KTLS_H
#define KNET_KTLS_H

#include "wasi/wasi.h"

#define KTLS_DEFAULT_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* Sets up the lock; takes the trust store's path from the kernel option
 * cacert=PATH if given. Called once at boot. */
void ktls_init(void);
/* The provider for wasi_config.tls (one for every app). */
const struct wasi_tls *ktls_provider(void);
/* The trust store's path (KTLS_DEFAULT_BUNDLE unless set); setting it
 * makes the next https request read the new file. ERR_NAMETOOLONG. */
const char *ktls_cacert_path(void);
int ktls_set_cacert_path(const char *path);

#endif
