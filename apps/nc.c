/*
 * apps/nc.c - `nc [-w SECONDS] HOST PORT`: a TCP client over wasi:sockets.
 * Connects to HOST (a name or an IP literal) and then copies standard
 * input to the socket and the socket to standard output at the same time
 * (wasi:io/poll over both), so an echo or a request/response works either
 * way round without deadlock. The program ends when the peer closes its
 * side, with exit status 0. At the end of standard input nothing is sent
 * by default (as OpenBSD's nc); with -N the sending side is shut down
 * (tcp-socket.shutdown(send): the peer sees end of stream). -k SECONDS turns
 * on TCP keep-alive (a probe after SECONDS of silence, then every SECONDS;
 * three unanswered ones end the connection). Errors: "nc: connection
 * refused: 127.0.0.1:7", exit status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/net.h"

static const char help[] = "Usage: nc [-N] [-k SECONDS] [-w SECONDS] HOST PORT\n"
                           "Connect to HOST:PORT over TCP; copy standard input to the connection\n"
                           "and the connection to standard output until the peer closes it.\n"
                           "  -N          shut down the sending side at the end of standard input\n"
                           "  -k SECONDS  TCP keep-alive: probe after SECONDS idle, then every\n"
                           "              SECONDS; 3 unanswered probes end the connection\n"
                           "  -w SECONDS  connect timeout (default 10)\n";

#define CHUNK (64 * 1024)

struct relay {
    struct net_tcp c;
    int32_t stdin_stream;
    int32_t p_stdin, p_in, p_out; /* pollables of stdin, socket in, socket out */
    bool stdin_open, peer_open, shutdown_at_eof;
    uint8_t pending[CHUNK]; /* read from stdin, not yet accepted by the socket */
    size_t pending_off, pending_len;
    uint8_t rbuf[CHUNK];
};

/* Socket to stdout: what is there now. Returns -1 on failure. */
static int pump_in(struct relay *r)
{
    long n = wasi2_read(r->c.in, r->rbuf, sizeof r->rbuf, false);
    if (n == WASI2_EOF) {
        r->peer_open = false;
        return 0;
    }
    if (n < 0) return -1;
    if (n > 0 && cli_write_all(STDOUT_FILENO, r->rbuf, (size_t)n) != 0) {
        cli_warn_err(errno, "write error");
        return -2;
    }
    return 0;
}

/* Stdin to the socket: read when nothing is pending, write what the
 * socket accepts; at the end of stdin, shut down the sending side. */
static int pump_out(struct relay *r, uint32_t ready, uint32_t bit_stdin, uint32_t bit_out)
{
    if (r->pending_len == 0 && (ready & bit_stdin)) {
        long n = wasi2_read(r->stdin_stream, r->pending, sizeof r->pending, false);
        if (n == WASI2_EOF) {
            r->stdin_open = false;
            if (r->shutdown_at_eof && net_tcp_shutdown_send(&r->c) < 0 && r->peer_open) return -1;
            return 0;
        }
        if (n < 0) return -1;
        r->pending_off = 0;
        r->pending_len = (size_t)n;
    }
    if (r->pending_len > 0 && ((ready & bit_out) != 0 || r->pending_off == 0)) {
        long n = wasi2_write_some(r->c.out, r->pending + r->pending_off, r->pending_len);
        if (n < 0) return -1;
        r->pending_off += (size_t)n;
        r->pending_len -= (size_t)n;
    }
    return 0;
}

static int relay_loop(struct relay *r)
{
    while (r->peer_open) {
        int32_t set[3];
        uint32_t bit_stdin = 0, bit_in = 0, bit_out = 0;
        size_t n = 0;
        if (r->pending_len > 0) {
            bit_out = 1u << n;
            set[n++] = r->p_out;
        } else if (r->stdin_open) {
            bit_stdin = 1u << n;
            set[n++] = r->p_stdin;
        }
        bit_in = 1u << n;
        set[n++] = r->p_in;
        uint32_t ready = wasi2_wait(set, n, UINT64_MAX);
        if ((ready & bit_in) && pump_in(r) < 0) return -1;
        if ((ready & (bit_stdin | bit_out)) && pump_out(r, ready, bit_stdin, bit_out) < 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli_init("nc", CLI_USAGE);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    uint64_t timeout_s = 10, keepalive_s = 0, port;
    bool shutdown_at_eof = false;
    int ch;
    while ((ch = cli_opts_next(&o, "Nk:w:", help)) != 0) {
        if (ch == 'N')
            shutdown_at_eof = true;
        else if (ch == 'k') {
            if (!cli_parse_u64(o.arg, 86400, &keepalive_s) || keepalive_s == 0)
                cli_usage_error("bad keep-alive time '%s'", o.arg);
        } else if (!cli_parse_u64(o.arg, 3600, &timeout_s) || timeout_s == 0)
            cli_usage_error("bad timeout '%s'", o.arg);
    }
    if (argc - o.index != 2) cli_usage_error("expected HOST and PORT");
    const char *host = argv[o.index];
    if (!cli_parse_u64(argv[o.index + 1], 65535, &port) || port == 0)
        cli_usage_error("bad port '%s'", argv[o.index + 1]);

    static struct relay r;
    if (net_tcp_connect_name(host, (uint16_t)port, timeout_s * 1000000000u, &r.c) < 0) {
        cli_warn("%s: %s:%u", wasi2_errmsg(), host, (unsigned)port);
        return CLI_FAIL;
    }
    if (keepalive_s &&
        net_tcp_keepalive(&r.c, keepalive_s * 1000000000u, keepalive_s * 1000000000u, 3) < 0) {
        cli_warn("keep-alive: %s", wasi2_errmsg());
        net_tcp_close(&r.c);
        return CLI_FAIL;
    }
    r.stdin_stream = wasi_cli_stdin_get_stdin();
    r.p_stdin = wasi_io_streams_input_stream_subscribe(r.stdin_stream);
    r.p_in = wasi_io_streams_input_stream_subscribe(r.c.in);
    r.p_out = wasi_io_streams_output_stream_subscribe(r.c.out);
    r.stdin_open = r.peer_open = true;
    r.shutdown_at_eof = shutdown_at_eof;
    int rc = relay_loop(&r);
    if (rc == -1) cli_warn("%s: %s:%u", wasi2_errmsg(), host, (unsigned)port);
    /* pollables before their streams, streams before the socket */
    wasi_io_poll_pollable_drop(r.p_stdin);
    wasi_io_poll_pollable_drop(r.p_in);
    wasi_io_poll_pollable_drop(r.p_out);
    wasi_io_streams_input_stream_drop(r.stdin_stream);
    net_tcp_close(&r.c);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}
