/*
 * lib/tls/tls.h - TLS 1.3 and 1.2 client connections with verified
 * certificates: a thin seam over Mbed TLS 3.6 (configured by
 * mbedtls_config.h), shared by the kernel and the host.
 *
 * A TLS socket (struct tls_sock) wraps a byte-stream socket of
 * http/sock.h (the transport: TCP over the kernel's or the host's port)
 * and is itself one: connect opens the transport and runs the handshake,
 * send and recv move application data, so lib/http's client runs over it
 * unchanged. Mbed TLS never blocks: its I/O callbacks call the transport's
 * send and recv with the time left to the operation's deadline and report
 * WANT_READ / WANT_WRITE when it passes; the waiting happens in the port.
 *
 *     struct tls_trust *t;  tls_trust_create(&t);
 *     tls_trust_add_pem(t, bundle, bundle_len);       // the caller read the file
 *     struct tls_client_config cfg = {.env = &env, .trust = t};
 *     struct tls_sock *ts;  tls_sock_create(&tcp, &cfg, &ts);
 *     struct http_sock s;   tls_sock_get(ts, &s);     // then http_client_set_tls(c, &s)
 *
 * Verification (verify.c), like curl's and browsers': a chain to a trusted
 * root through the intermediates the server sends; the name asked for
 * against the leaf's DNS and IP subject-alternative names (RFC 6125
 * wildcards, left-most label only); validity dates against env's wall
 * clock; SHA-256/384/512 signatures only (no MD5, no SHA-1), RSA keys of
 * 2048 bits or more, P-256/P-384 ECDSA. SNI always names the host; ALPN
 * offers http/1.1.
 *
 * Errors are negative ERR_* values; the TLS ones are ERR_TLS_CERT,
 * ERR_TLS_ALERT and ERR_TLS_PROTO (base/error.h), and tls_sock_error()
 * gives the details: the wasi:http error-code variant, an alert's id, and
 * one line a person understands ("certificate expired on 2025-01-01").
 */
#ifndef TLS_TLS_H
#define TLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/sock.h"

/* Randomness and time, supplied by the caller. */
struct tls_env {
    /* Fills buf[0..len) from a strong source: returns 0, or an error, and
     * then no key is made ("no entropy source"). */
    int (*entropy)(void *ctx, uint8_t *buf, size_t len);
    /* The wall clock in seconds since 1970-01-01 00:00 UTC. */
    int64_t (*wall_time)(void *ctx);
    void *ctx;
    /* Optional: where the calling thread keeps lib/tls's current memory
     * budget (a pointer slot, NULL until lib/tls sets it). With it, the
     * Mbed TLS heap each connection takes is counted against
     * tls_client_config.conn_mem_cap; NULL: connections are not counted.
     * Only the env given to tls_init() is asked (Mbed TLS's heap hooks are
     * one per program). */
    void **(*budget_slot)(void *ctx);
};

/* Starts Mbed TLS's PSA crypto core, once per program, drawing its random
 * bytes (TLS 1.3 key shares) from env, which must stay valid. This is the
 * one global of lib/tls: Mbed TLS 3.6 keeps one PSA key store and random
 * generator per program. Later calls return 0 and keep the first env.
 * Returns 0, ERR_IO when the entropy source fails, or ERR_NOMEM. */
int tls_init(const struct tls_env *env);

/* ---- trust store ------------------------------------------------------- */

struct tls_trust;

int tls_trust_create(struct tls_trust **out);
void tls_trust_destroy(struct tls_trust *t);
/* Adds the certificates of a PEM bundle pem[0..len) (need not be
 * NUL-terminated). Returns how many were added, which is 0 for a bundle
 * with none (the caller says "no certificates in PATH"); blocks that are
 * not valid certificates are skipped. ERR_NOMEM, ERR_2BIG (over 64 MiB). */
long tls_trust_add_pem(struct tls_trust *t, const void *pem, size_t len);
/* Certificates in the store. */
size_t tls_trust_count(const struct tls_trust *t);

/* ---- failures ------------------------------------------------------------ */

/* Which wasi:http error-code a failure maps to. */
enum tls_fail {
    TLS_FAIL_NONE = 0,
    TLS_FAIL_CERT,     /* TLS-certificate-error: verification refused the server */
    TLS_FAIL_ALERT,    /* TLS-alert-received(id, message): the server sent a fatal alert */
    TLS_FAIL_PROTOCOL, /* TLS-protocol-error: anything else TLS (version, bad records, ...) */
};

struct tls_error {
    enum tls_fail kind;
    int alert;     /* TLS_FAIL_ALERT: the alert's id (RFC 8446 section 6) */
    char msg[192]; /* one line: "certificate not trusted (self-signed)" */
};

/* "handshake_failure"; NULL for an id this table does not know. */
const char *tls_alert_name(int id);

/* ---- client sockets ---------------------------------------------------------- */

struct tls_client_config {
    const struct tls_env *env;     /* entropy and the wall clock; tls_init() done */
    const struct tls_trust *trust; /* roots; may be NULL only when insecure */
    bool insecure;                 /* no certificate checks at all (fetch -k): the caller warns */
    /* Bytes of Mbed TLS heap one connection may hold at once (its record
     * buffers, the server's certificates, keys); 0: no cap. Needs the
     * tls_init() env's budget_slot. Over it, the operation fails with
     * ERR_TLS_PROTO and "TLS connection over its memory budget". */
    size_t conn_mem_cap;
};

struct tls_sock;

/* A TLS socket over the transport `inner` (copied), with cfg (copied; the
 * trust store and env must outlive it). Returns 0 and *out, ERR_INVAL (no
 * trust store and not insecure), or ERR_NOMEM. */
int tls_sock_create(const struct http_sock *inner, const struct tls_client_config *cfg,
                    struct tls_sock **out);
/* Frees the socket; every connection must have been closed. */
void tls_sock_destroy(struct tls_sock *ts);
/* The socket interface of its connections (see the file comment):
 *   connect: the transport's, then the handshake within the same timeout;
 *            ERR_TLS_CERT, ERR_TLS_ALERT, ERR_TLS_PROTO, ERR_TIMEDOUT, or
 *            the transport's errors.
 *   recv:    application data; 0 only after the server's close_notify; a
 *            transport close without it is ERR_TLS_PROTO ("closed without
 *            TLS close_notify"), so a cut body is never taken as complete.
 *   send, close (sends close_notify, best effort), now_ms. */
void tls_sock_get(struct tls_sock *ts, struct http_sock *out);
/* Details of the last failure that returned an ERR_TLS_* value. */
const struct tls_error *tls_sock_error(const struct tls_sock *ts);
/* The id of the peer's alert behind the last ERR_TLS_ALERT, or -1. */
int tls_sock_alert(const struct tls_sock *ts);

/* Of one open connection (a struct http_conn from this socket's connect):
 * the negotiated version ("TLSv1.3"), cipher suite and ALPN protocol
 * (NULL if none). */
const char *tls_conn_version(struct http_conn *conn);
const char *tls_conn_cipher(struct http_conn *conn);
const char *tls_conn_alpn(struct http_conn *conn);
/* The most Mbed TLS heap the connection has held at once, in bytes (0
 * when the tls_init() env has no budget_slot). */
size_t tls_conn_mem_peak(struct http_conn *conn);
/* Bytes of Mbed TLS heap allocated now, by every connection, trust store
 * and PSA's key store: after the last connection closes it is back where
 * it was before the first. */
size_t tls_heap_in_use(void);
/* True when AES-GCM runs on AES-NI and PCLMULQDQ (the CPU has both),
 * false when it runs Mbed TLS's portable C (accel.c). */
bool tls_aes_hw(void);

/* The record ciphers (AEADs) of our cipher suites, for tls_aead_seal. */
enum tls_aead { TLS_AEAD_CHACHA20_POLY1305, TLS_AEAD_AES_128_GCM };
/* Encrypts buf[0..len) in place with aead under key (AES-128-GCM takes
 * its first 16 bytes) and nonce, with no additional data, and writes the
 * 16-byte tag: the code that protects TLS records, run alone, for
 * benchmarks (accel.c). Returns 0, or ERR_INVAL. */
int tls_aead_seal(enum tls_aead aead, const uint8_t key[32], const uint8_t nonce[12], uint8_t *buf,
                  size_t len, uint8_t tag[16]);

#endif
