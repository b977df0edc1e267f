/*
 * host/kpio-wasm/serve.h - `kpio-wasm serve`: what serve.c (the listener,
 * the workers and the handler instances) and serve_sock.c (lib/serve's
 * byte stream over a POSIX socket) share.
 */
#ifndef HOST_KPIO_WASM_SERVE_H
#define HOST_KPIO_WASM_SERVE_H

#include <stdint.h>

#include "serve/conn.h"

/* The byte stream of the connected socket *fd (which must outlive it). */
struct serve_io serve_sock_io(int *fd);
uint64_t serve_now_ns(void);

#endif
