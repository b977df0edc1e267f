/*
 * tests/unit/tls/test_tls.c - lib/tls against OpenSSL's s_server on
 * loopback, with the certificates tests/tls/make_certs.py made in the
 * directory given as argv[1]: which servers a client trusting root.pem
 * accepts (TLS 1.3, TLS 1.2 with RSA and ECDSA suites, a chain through the
 * intermediate, DNS and IP names) and which it refuses, with which error
 * and message; trust-store loading; insecure mode; a clock that was never
 * set; a failing entropy source; whether AES-GCM uses AES-NI; a stepped
 * connect that does not wait for the server. The transport
 * is host/http-get's.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <poll.h>

#include <mbedtls/chachapoly.h>

#include "base/error.h"
#include "host/http-get/sock_posix.h"
#include "tls/tls.h"

static const char *cert_dir;

/* ---- the environment ----------------------------------------------------- */

static int host_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    while (len) {
        ssize_t n = getrandom(buf, len, 0);
        if (n <= 0) return ERR_IO;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}
static int failing_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    return ERR_IO;
}
static int64_t host_time(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}
static int64_t unset_clock(void *ctx)
{
    (void)ctx;
    return 86400 * 3; /* 1970-01-04: an RTC nobody set */
}

static const struct tls_env env = {host_entropy, host_time, NULL};

/* ---- s_server -------------------------------------------------------------- */

struct server {
    pid_t pid;
    int out; /* its stdout */
    uint16_t port;
};

/* The running server, ended by the test's teardown if a failed check
 * jumped past server_stop(). */
static struct server *live;

/* Starts openssl s_server -www on 127.0.0.1 with the extra arguments (a
 * NULL-terminated list; "@name" is the file cert_dir/name); returns once it
 * printed "ACCEPT 127.0.0.1:PORT". */
static void server_start(struct server *s, const char *const *extra)
{
    const char *argv[40] = {"openssl", "s_server", "-accept", "127.0.0.1:0",
                            "-www",    "-naccept", "4"};
    static char files[32][256];
    int argc = 7, nf = 0;
    for (const char *a; (a = *extra++) != NULL && argc < 38 && nf < 32;) {
        if (a[0] == '@') {
            snprintf(files[nf], sizeof files[nf], "%s/%s", cert_dir, a + 1);
            a = files[nf++];
        }
        argv[argc++] = a;
    }
    argv[argc] = NULL;
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        execvp("openssl", (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    s->out = pipefd[0];
    live = s;
    char line[512];
    size_t len = 0;
    s->port = 0;
    while (s->port == 0) {
        struct pollfd p = {.fd = s->out, .events = POLLIN};
        if (poll(&p, 1, 20000) <= 0) fail_msg("s_server printed no ACCEPT line in 20 s");
        ssize_t n = read(s->out, line + len, sizeof line - 1 - len);
        if (n <= 0) fail_msg("s_server exited before listening");
        len += (size_t)n;
        line[len] = '\0';
        const char *a = strstr(line, "ACCEPT 127.0.0.1:");
        if (a && strchr(a, '\n')) s->port = (uint16_t)atoi(a + 17);
    }
}

static void server_stop(struct server *s)
{
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    close(s->out);
    live = NULL;
}

static int teardown(void **state)
{
    (void)state;
    if (live) server_stop(live);
    return 0;
}

/* ---- a client ------------------------------------------------------------------ */

struct client {
    struct tls_trust *trust;
    struct tls_sock *ts;
    struct http_sock sock;
};

static void client_open(struct client *cl, const struct tls_env *e, bool insecure)
{
    struct http_sock tcp;
    http_sock_posix(&tcp);
    assert_int_equal(tls_trust_create(&cl->trust), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/root.pem", cert_dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char pem[16384];
    size_t n = fread(pem, 1, sizeof pem, f);
    fclose(f);
    assert_int_equal(tls_trust_add_pem(cl->trust, pem, n), 1);
    struct tls_client_config cfg = {.env = e, .trust = cl->trust, .insecure = insecure};
    assert_int_equal(tls_sock_create(&tcp, &cfg, &cl->ts), 0);
    tls_sock_get(cl->ts, &cl->sock);
}

static void client_close(struct client *cl)
{
    tls_sock_destroy(cl->ts);
    tls_trust_destroy(cl->trust);
}

/* What one connection to host:port did. */
struct outcome {
    int err; /* 0 or the connect error */
    char msg[192];
    char version[32], cipher[96], alpn[32];
    char reply[64]; /* the first bytes of s_server's page */
};

/* Connects, and on success sends a GET and reads the reply to its end. */
static void exchange(struct client *cl, const char *host, uint16_t port, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    struct http_conn *conn;
    o->err = cl->sock.ops->connect(cl->sock.ctx, host, port, 10000, &conn);
    if (o->err < 0) {
        snprintf(o->msg, sizeof o->msg, "%s", tls_sock_error(cl->ts)->msg);
        return;
    }
    snprintf(o->version, sizeof o->version, "%s", tls_conn_version(conn));
    snprintf(o->cipher, sizeof o->cipher, "%s", tls_conn_cipher(conn));
    snprintf(o->alpn, sizeof o->alpn, "%s", tls_conn_alpn(conn) ? tls_conn_alpn(conn) : "");
    static const char req[] = "GET / HTTP/1.0\r\n\r\n";
    assert_int_equal(cl->sock.ops->send(cl->sock.ctx, conn, req, sizeof req - 1, 10000),
                     (long)sizeof req - 1);
    char buf[4096];
    size_t got = 0;
    long n;
    while ((n = cl->sock.ops->recv(cl->sock.ctx, conn, buf, sizeof buf, 10000)) > 0) {
        size_t k = sizeof o->reply - 1 - got;
        if (k > (size_t)n) k = (size_t)n;
        memcpy(o->reply + got, buf, k);
        got += k;
    }
    if (n < 0) fail_msg("recv: %s: %s", err_name((int)n), tls_sock_error(cl->ts)->msg);
    cl->sock.ops->close(cl->sock.ctx, conn);
}

/* One server with the arguments args, one connection from a client
 * trusting root.pem. */
static void run_case(struct outcome *o, const char *host, bool insecure, const struct tls_env *e,
                     const char *const *args)
{
    struct server s;
    server_start(&s, args);
    struct client cl;
    client_open(&cl, e, insecure);
    exchange(&cl, host, s.port, o);
    client_close(&cl);
    server_stop(&s);
    if (o->err) printf("# %s: %s\n", err_name(o->err), o->msg);
}

#define RUN(o, host, insecure, e, ...)                                                             \
    run_case(o, host, insecure, e, (const char *const[]){"-alpn", "http/1.1", __VA_ARGS__, NULL})

#define ACCEPTS(o)                                                                                 \
    do {                                                                                           \
        if ((o).err) fail_msg("refused: %s: %s", err_name((o).err), (o).msg);                      \
        assert_true(strncmp((o).reply, "HTTP/1.0 200 ok", 15) == 0);                               \
    } while (0)

/* ---- accepted ------------------------------------------------------------------ */

static void test_tls13_chain(void **state)
{
    (void)state;
    struct outcome o;
    struct server s;
    server_start(&s,
                 (const char *const[]){"-alpn", "http/1.1", "-tls1_3", "-cert", "@leaf-ec.pem",
                                       "-key", "@leaf-ec.key", "-cert_chain", "@int.pem", NULL});
    struct client cl;
    client_open(&cl, &env, false);
    exchange(&cl, "localhost", s.port, &o);
    ACCEPTS(o);
    assert_string_equal(o.version, "TLSv1.3");
    assert_string_equal(o.alpn, "http/1.1");
    /* The same socket makes a second connection. */
    exchange(&cl, "127.0.0.1", s.port, &o);
    ACCEPTS(o);
    client_close(&cl);
    server_stop(&s);
}

static void test_tls12_rsa_aes128gcm(void **state)
{
    (void)state;
    struct outcome o;
    RUN(&o, "localhost", false, &env, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-cert",
        "@leaf-rsa.pem", "-cert_chain", "@int.pem", "-key", "@leaf-rsa.key");
    ACCEPTS(o);
    assert_string_equal(o.version, "TLSv1.2");
    assert_non_null(strstr(o.cipher, "ECDHE-RSA-WITH-AES-128-GCM"));
}

static void test_tls12_ecdsa_chacha20(void **state)
{
    (void)state;
    struct outcome o;
    RUN(&o, "127.0.0.1", false, &env, "-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305",
        "-cert", "@leaf-ec.pem", "-cert_chain", "@int.pem", "-key", "@leaf-ec.key");
    ACCEPTS(o);
    assert_string_equal(o.version, "TLSv1.2");
    assert_non_null(strstr(o.cipher, "ECDHE-ECDSA-WITH-CHACHA20-POLY1305"));
}

static void test_ip_and_dns_names(void **state)
{
    (void)state;
    struct outcome o;
    RUN(&o, "127.0.0.1", false, &env, "-cert", "@leaf-ip.pem", "-cert_chain", "@int.pem", "-key",
        "@leaf-ip.key", NULL, NULL);
    ACCEPTS(o);
    RUN(&o, "localhost", false, &env, "-cert", "@leaf-dns.pem", "-cert_chain", "@int.pem", "-key",
        "@leaf-dns.key");
    ACCEPTS(o);
    /* A DNS name does not match an address, nor an address a name. */
    RUN(&o, "127.0.0.1", false, &env, "-cert", "@leaf-dns.pem", "-cert_chain", "@int.pem", "-key",
        "@leaf-dns.key");
    assert_int_equal(o.err, ERR_TLS_CERT);
    assert_string_equal(o.msg, "certificate is for localhost, not 127.0.0.1");
    RUN(&o, "localhost", false, &env, "-cert", "@leaf-ip.pem", "-cert_chain", "@int.pem", "-key",
        "@leaf-ip.key", NULL, NULL);
    assert_int_equal(o.err, ERR_TLS_CERT);
    assert_string_equal(o.msg, "certificate is for 127.0.0.1, not localhost");
}

static void test_insecure_accepts_self_signed(void **state)
{
    (void)state;
    struct outcome o;
    RUN(&o, "127.0.0.1", true, &env, "-cert", "@self.pem", "-key", "@self.key");
    ACCEPTS(o);
}

/* ---- refused ------------------------------------------------------------------- */

static void refused(const char *host, const char *cert, const char *key, const char *chain, int err,
                    const char *msg)
{
    struct outcome o;
    RUN(&o, host, false, &env, "-cert", cert, "-key", key, chain ? "-cert_chain" : NULL, chain);
    assert_int_equal(o.err, err);
    assert_string_equal(o.msg, msg);
}

static void test_self_signed(void **state)
{
    (void)state;
    refused("127.0.0.1", "@self.pem", "@self.key", NULL, ERR_TLS_CERT,
            "certificate not trusted (self-signed)");
}

static void test_wrong_name(void **state)
{
    (void)state;
    refused("127.0.0.1", "@leaf-other.pem", "@leaf-other.key", "@int.pem", ERR_TLS_CERT,
            "certificate is for other.example, not 127.0.0.1");
}

static void test_expired(void **state)
{
    (void)state;
    refused("127.0.0.1", "@leaf-expired.pem", "@leaf-expired.key", "@int.pem", ERR_TLS_CERT,
            "certificate expired on 2025-01-01");
}

static void test_not_yet_valid(void **state)
{
    (void)state;
    refused("127.0.0.1", "@leaf-future.pem", "@leaf-future.key", "@int.pem", ERR_TLS_CERT,
            "certificate not valid before 2090-01-01");
}

static void test_missing_intermediate(void **state)
{
    (void)state;
    refused("127.0.0.1", "@leaf-ec.pem", "@leaf-ec.key", NULL, ERR_TLS_CERT,
            "certificate not trusted (issued by CN=KPIO Test Intermediate, which is not a "
            "trusted root)");
}

static void test_sha1_signature(void **state)
{
    (void)state;
    struct outcome o;
    RUN(&o, "127.0.0.1", false, &env, "-cert", "@leaf-sha1.pem", "-cert_chain", "@int.pem", "-key",
        "@leaf-sha1.key", "-cipher", "DEFAULT:@SECLEVEL=0", "-tls1_2");
    assert_int_equal(o.err, ERR_TLS_CERT);
    assert_string_equal(o.msg, "certificate signed with a weak hash (MD5 or SHA-1)");
}

static void test_tls10_only(void **state)
{
    (void)state;
    struct outcome o;
    RUN(&o, "127.0.0.1", false, &env, "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0", "-cert",
        "@leaf-rsa.pem", "-cert_chain", "@int.pem", "-key", "@leaf-rsa.key");
    assert_true(o.err == ERR_TLS_PROTO || o.err == ERR_TLS_ALERT);
    assert_string_equal(o.msg, "server requires TLS 1.0, which is not supported");
}

static void test_clock_not_set(void **state)
{
    (void)state;
    static const struct tls_env unset = {host_entropy, unset_clock, NULL};
    struct outcome o;
    RUN(&o, "127.0.0.1", false, &unset, "-cert", "@leaf-ec.pem", "-cert_chain", "@int.pem", "-key",
        "@leaf-ec.key");
    assert_int_equal(o.err, ERR_TLS_CERT);
    assert_string_equal(o.msg,
                        "clock not set (it reads before 2020), so certificate dates cannot be "
                        "checked");
}

static void test_no_entropy(void **state)
{
    (void)state;
    static const struct tls_env broken = {failing_entropy, host_time, NULL};
    struct outcome o;
    RUN(&o, "127.0.0.1", false, &broken, "-cert", "@leaf-ec.pem", "-cert_chain", "@int.pem", "-key",
        "@leaf-ec.key");
    assert_int_equal(o.err, ERR_TLS_PROTO);
    assert_string_equal(o.msg, "no entropy source: TLS refuses to make keys");
}

/* AES-GCM runs on AES-NI and PCLMULQDQ exactly when this CPU has both (the
 * handshakes above then used them); the portable fallback is the kernel's
 * qemu/https case on a CPU without them. */
static void test_aes_hw_matches_cpu(void **state)
{
    (void)state;
    __builtin_cpu_init();
    bool cpu = __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul");
    assert_int_equal(tls_aes_hw(), cpu);
}

/* tls_aead_seal runs the record ciphers themselves: AES-128-GCM gives
 * test case 2 of the GCM specification (McGrew and Viega: zero key, IV and
 * block), ChaCha20-Poly1305 the keystream of RFC 8439 section 2.4.2 (the
 * AEAD encrypts from block counter 1, as that example does) and a tag
 * Mbed TLS's own decryption accepts. */
static void test_aead_seal(void **state)
{
    (void)state;
    uint8_t key[32] = {0}, nonce[12] = {0}, tag[16], buf[114];
    static const uint8_t gcm_c[16] = {0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92,
                                      0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2, 0xfe, 0x78};
    static const uint8_t gcm_t[16] = {0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd,
                                      0xf5, 0x3a, 0x67, 0xb2, 0x12, 0x57, 0xbd, 0xdf};
    memset(buf, 0, 16);
    assert_int_equal(tls_aead_seal(TLS_AEAD_AES_128_GCM, key, nonce, buf, 16, tag), 0);
    assert_memory_equal(buf, gcm_c, 16);
    assert_memory_equal(tag, gcm_t, 16);

    static const char text[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
                               "only one tip for the future, sunscreen would be it.";
    static const uint8_t chacha_c[16] = {0x6e, 0x2e, 0x35, 0x9a, 0x25, 0x68, 0xf9, 0x80,
                                         0x41, 0xba, 0x07, 0x28, 0xdd, 0x0d, 0x69, 0x81};
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    nonce[7] = 0x4a;
    memcpy(buf, text, sizeof buf);
    assert_int_equal(tls_aead_seal(TLS_AEAD_CHACHA20_POLY1305, key, nonce, buf, sizeof buf, tag),
                     0);
    assert_memory_equal(buf, chacha_c, sizeof chacha_c);
    mbedtls_chachapoly_context ctx;
    mbedtls_chachapoly_init(&ctx);
    assert_int_equal(mbedtls_chachapoly_setkey(&ctx, key), 0);
    assert_int_equal(
        mbedtls_chachapoly_auth_decrypt(&ctx, sizeof buf, nonce, NULL, 0, tag, buf, buf), 0);
    mbedtls_chachapoly_free(&ctx);
    assert_memory_equal(buf, text, sizeof buf);

    assert_int_equal(tls_aead_seal((enum tls_aead)7, key, nonce, buf, sizeof buf, tag), ERR_INVAL);
}

/* s_server follows the client's order, which puts ChaCha20-Poly1305 first
 * whether or not AES-GCM could run on AES-NI (conn.c says why). */
static void test_cipher_order_chacha_first(void **state)
{
    (void)state;
    struct outcome o;
    RUN(&o, "localhost", false, &env, "-tls1_3", "-cert", "@leaf-ec.pem", "-key", "@leaf-ec.key",
        "-cert_chain", "@int.pem");
    ACCEPTS(o);
    assert_string_equal(o.cipher, "TLS1-3-CHACHA20-POLY1305-SHA256");
}

/* ---- a stepped connect ---------------------------------------------------------- */

/* connect_start returns at once and connect_result shakes hands a step at
 * a time: against a server that accepts and never answers, the
 * ClientHello goes out and the step says ERR_AGAIN instead of waiting. */
static void test_stepped_handshake(void **state)
{
    (void)state;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(lfd, 1), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
    struct client cl;
    client_open(&cl, &env, false);
    assert_non_null(cl.sock.ops->connect_start);
    struct http_conn *conn;
    assert_int_equal(
        cl.sock.ops->connect_start(cl.sock.ctx, "127.0.0.1", ntohs(sa.sin_port), 10000, &conn), 0);
    assert_int_equal(cl.sock.ops->connect_result(cl.sock.ctx, conn), ERR_AGAIN);
    int peer = accept(lfd, NULL, NULL);
    assert_true(peer >= 0);
    uint8_t hello[5];
    assert_int_equal(recv(peer, hello, sizeof hello, MSG_WAITALL), (ssize_t)sizeof hello);
    assert_int_equal(hello[0], 22); /* a handshake record: the ClientHello */
    assert_int_equal(cl.sock.ops->connect_result(cl.sock.ctx, conn), ERR_AGAIN);
    cl.sock.ops->close(cl.sock.ctx, conn);
    client_close(&cl);
    close(peer);
    close(lfd);
}

/* ---- trust stores ------------------------------------------------------------------ */

static void test_trust_store(void **state)
{
    (void)state;
    struct tls_trust *t;
    assert_int_equal(tls_trust_create(&t), 0);
    assert_int_equal(tls_trust_add_pem(t, "", 0), 0);
    static const char junk[] = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"
                               "-----END CERTIFICATE-----\n\0-----BEGIN CERTIFICATE-----";
    assert_int_equal(tls_trust_add_pem(t, junk, sizeof junk - 1), 0);
    assert_int_equal(tls_trust_count(t), 0);
    /* root and intermediate, with text around them and a NUL between */
    char path[512];
    static char both[32768];
    size_t n = 0;
    const char *names[] = {"root.pem", "int.pem"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", cert_dir, names[i]);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        n += fread(both + n, 1, sizeof both / 2 - n, f);
        fclose(f);
        both[n++] = i ? '\n' : '\0';
    }
    assert_int_equal(tls_trust_add_pem(t, both, n), 2);
    assert_int_equal(tls_trust_count(t), 2);
    tls_trust_destroy(t);
}

static void test_system_bundle(void **state)
{
    (void)state;
    FILE *f = fopen("/etc/ssl/certs/ca-certificates.crt", "rb");
    if (!f) skip();
    static char pem[1 << 20];
    size_t n = fread(pem, 1, sizeof pem, f);
    fclose(f);
    struct tls_trust *t;
    assert_int_equal(tls_trust_create(&t), 0);
    long added = tls_trust_add_pem(t, pem, n);
    /* Debian's bundle: roughly 140 roots; every one must parse. */
    size_t blocks = 0;
    for (const char *p = pem; (p = strstr(p, "BEGIN CERTIFICATE")) != NULL; p++)
        blocks++;
    printf("# system bundle: %ld of %zu certificates\n", added, blocks);
    assert_true(added > 100);
    assert_int_equal((size_t)added, blocks);
    tls_trust_destroy(t);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CERT_DIR (made by tests/tls/make_certs.py)\n", argv[0]);
        return 2;
    }
    cert_dir = argv[1];
    signal(SIGPIPE, SIG_IGN);
    if (tls_init(&env) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_trust_store, teardown),
        cmocka_unit_test_teardown(test_system_bundle, teardown),
        cmocka_unit_test_teardown(test_tls13_chain, teardown),
        cmocka_unit_test_teardown(test_tls12_rsa_aes128gcm, teardown),
        cmocka_unit_test_teardown(test_tls12_ecdsa_chacha20, teardown),
        cmocka_unit_test_teardown(test_ip_and_dns_names, teardown),
        cmocka_unit_test_teardown(test_insecure_accepts_self_signed, teardown),
        cmocka_unit_test_teardown(test_self_signed, teardown),
        cmocka_unit_test_teardown(test_wrong_name, teardown),
        cmocka_unit_test_teardown(test_expired, teardown),
        cmocka_unit_test_teardown(test_not_yet_valid, teardown),
        cmocka_unit_test_teardown(test_missing_intermediate, teardown),
        cmocka_unit_test_teardown(test_sha1_signature, teardown),
        cmocka_unit_test_teardown(test_tls10_only, teardown),
        cmocka_unit_test_teardown(test_clock_not_set, teardown),
        cmocka_unit_test_teardown(test_no_entropy, teardown),
        cmocka_unit_test(test_aes_hw_matches_cpu),
        cmocka_unit_test(test_aead_seal),
        cmocka_unit_test_teardown(test_cipher_order_chacha_first, teardown),
        cmocka_unit_test(test_stepped_handshake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
