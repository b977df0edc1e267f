/*
 * apps/httpd.c - `httpd [-p PORT] [-n COUNT] [DIR]`: a small HTTP/1.1
 * server for the files under DIR (default "."), over wasi:sockets
 * (listen and accept on 0.0.0.0:PORT, default 8080; -p 0 takes any free
 * port). It prints "httpd: serving DIR on port N" on stderr once it
 * listens, and one line per request. With -n it exits after COUNT
 * connections (for tests), once the last of them is done.
 *
 * Many connections at once: one event loop polls the listener and every
 * connection (wasi2_poll), each a small state machine that reads its
 * request head, then sends the answer as the socket accepts it (a file in
 * chunks of up to 64 KiB read at its offset), then flushes and closes. At
 * most MAX_CONNS connections are open; beyond that the listener is not
 * polled, so new ones wait in its backlog until one ends. A request head
 * must arrive within 10 s of the accept (else 408): the poll's timeout is
 * the nearest such deadline, so a slow client never delays the others.
 *
 * One request per connection ("Connection: close"): GET and HEAD of a
 * file answer 200 with Content-Length; a folder serves its index.html or
 * a listing; a missing file is 404, a target that climbs above DIR with
 * ".." is 403, other methods 405 (RFC 9110 section 15.5.6), a malformed
 * request 400.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/fsutil.h"
#include "sdk/httpreq.h"
#include "sdk/net.h"

static const char help[] = "Usage: httpd [-p PORT] [-n COUNT] [DIR]\n"
                           "Serve the files under DIR (default .) over HTTP/1.1 on 0.0.0.0:PORT\n"
                           "(default 8080; 0 picks a free port).\n"
                           "  -n COUNT  exit after COUNT connections\n";

#define HEAD_TIMEOUT_NS (10ull * 1000000000u)
#define FILE_CHUNK      (64 * 1024)
#define MAX_CONNS       64

enum conn_state {
    READING_HEAD, /* waiting for the request head, until the deadline */
    SENDING,      /* the queued bytes, then the rest of the file */
    FLUSHING,     /* all written: waiting for the flush before closing */
    DONE,         /* to be closed */
};

/* One connection and where it is. */
struct conn {
    struct net_tcp c;
    struct net_addr peer;
    enum conn_state state;
    int32_t in_ready, out_ready; /* the streams' pollables */
    uint64_t deadline;           /* of the head */
    char head[HTTPREQ_MAX_HEAD];
    size_t head_len;
    struct httpreq req;
    int parsed; /* httpreq_parse's result */
    int status; /* answered with; 0: nothing to log */
    char *out;  /* the response head and any body built in memory */
    size_t out_len, out_sent;
    int fd; /* the file still to send (-1: none), from file_off */
    long long file_off, file_left;
};

static const char *root = ".";
static char filebuf[FILE_CHUNK];

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
        {".css", "text/css"},
        {".js", "text/javascript"},
        {".json", "application/json"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".wasm", "application/wasm"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0) return types[i][1];
    return "application/octet-stream";
}

/* Appends bytes to the connection's response; on failure (memory) the
 * connection is dropped unanswered. */
static void queue(struct conn *k, const char *data, size_t len)
{
    char *p = k->state == DONE ? NULL : realloc(k->out, k->out_len + len);
    if (!p) {
        k->state = DONE;
        return;
    }
    memcpy(p + k->out_len, data, len);
    k->out = p;
    k->out_len += len;
}

static void queue_head(struct conn *k, int status, const char *type, long long length,
                       const char *extra)
{
    char h[512];
    int n = snprintf(h, sizeof h,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lld\r\n%s"
                     "Connection: close\r\nServer: kpio-httpd\r\n\r\n",
                     status, reason(status), type, length, extra ? extra : "");
    k->status = status;
    queue(k, h, (size_t)n);
}

/* A short text body for errors. */
static void queue_error(struct conn *k, int status, bool head_only)
{
    char body[64];
    int n = snprintf(body, sizeof body, "%d %s\n", status, reason(status));
    const char *allow = status == 405 ? "Allow: GET, HEAD\r\n" : NULL;
    queue_head(k, status, "text/plain; charset=utf-8", n, allow);
    if (!head_only) queue(k, body, (size_t)n);
}

/* The file (opened as fd, which the connection now owns) follows the head. */
static void queue_file(struct conn *k, int fd, long long size, const char *path, bool head_only)
{
    queue_head(k, 200, content_type(path), size, NULL);
    if (head_only) {
        close(fd);
        return;
    }
    k->fd = fd;
    k->file_left = size;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An HTML list of a folder's entries, sorted, names escaped. */
static void queue_listing(struct conn *k, const char *fs_path, const char *url_path, bool head_only)
{
    DIR *d = opendir(fs_path);
    if (!d) {
        queue_error(k, 404, head_only);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            char **v = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof *v);
            if (!v) break;
            names = v;
        }
        if (!(names[n] = strdup(e->d_name))) break;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    size_t size = 128 + strlen(url_path);
    for (size_t i = 0; i < n; i++)
        size += 32 + 12 * strlen(names[i]); /* worst case: every byte escaped, twice */
    char *html = malloc(size);
    if (html) {
        size_t m =
            (size_t)snprintf(html, size, "<!DOCTYPE html>\n<title>/%s</title>\n<ul>\n", url_path);
        for (size_t i = 0; i < n; i++) {
            char esc[1024];
            size_t q = 0;
            for (const char *p = names[i]; *p && q + 7 < sizeof esc; p++) {
                const char *rep = *p == '<'   ? "&lt;"
                                  : *p == '>' ? "&gt;"
                                  : *p == '&' ? "&amp;"
                                  : *p == '"' ? "&quot;"
                                              : NULL;
                if (rep) {
                    memcpy(esc + q, rep, strlen(rep));
                    q += strlen(rep);
                } else {
                    esc[q++] = *p;
                }
            }
            esc[q] = '\0';
            m += (size_t)snprintf(html + m, size - m, "<li><a href=\"%s\">%s</a></li>\n", esc, esc);
        }
        m += (size_t)snprintf(html + m, size - m, "</ul>\n");
        queue_head(k, 200, "text/html; charset=utf-8", (long long)m, NULL);
        if (!head_only) queue(k, html, m);
    } else {
        k->state = DONE;
    }
    free(html);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Opens the file at path and queues it, or the error. */
static void serve_file(struct conn *k, const char *path, long long size, bool head_only)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        queue_error(k, errno == EACCES ? 403 : 404, head_only);
    else
        queue_file(k, fd, size, path, head_only);
}

/* Answers a GET or HEAD of the path (relative to root, already checked). */
static void serve_path(struct conn *k, const char *rel, bool head_only)
{
    char *path = rel[0] ? fs_join(root, rel) : strdup(root);
    struct stat st;
    if (!path) {
        queue_error(k, 500, head_only);
    } else if (stat(path, &st) != 0) {
        queue_error(k, 404, head_only);
    } else if (S_ISDIR(st.st_mode)) {
        char *index = fs_join(path, "index.html");
        struct stat ist;
        if (index && stat(index, &ist) == 0 && S_ISREG(ist.st_mode))
            serve_file(k, index, (long long)ist.st_size, head_only);
        else
            queue_listing(k, path, rel, head_only);
        free(index);
    } else {
        serve_file(k, path, (long long)st.st_size, head_only);
    }
    free(path);
}

/* Queues the answer to the head read so far (r: httpreq_parse's result,
 * or the negated status of a failure). */
static void respond(struct conn *k, int r)
{
    k->parsed = r;
    k->state = SENDING;
    bool head_only = r > 0 && strcmp(k->req.method, "HEAD") == 0;
    if (r < 0) {
        queue_error(k, -r, false);
    } else if (strcmp(k->req.method, "GET") != 0 && !head_only) {
        queue_error(k, 405, false);
    } else {
        char rel[HTTPREQ_MAX_TARGET];
        bool dir_slash;
        int p = httpreq_path(k->req.target, rel, sizeof rel, &dir_slash);
        if (p < 0)
            queue_error(k, -p, head_only);
        else
            serve_path(k, rel, head_only);
    }
}

/* Writes what the socket takes now: the queued bytes, then the file in
 * chunks read at its offset (as much as the stream permits). When all is
 * written, starts the flush. */
static void send_some(struct conn *k)
{
    while (k->state == SENDING) {
        long n;
        if (k->out_sent < k->out_len) {
            n = wasi2_write_some(k->c.out, k->out + k->out_sent, k->out_len - k->out_sent);
            if (n > 0) k->out_sent += (size_t)n;
        } else if (k->file_left > 0) {
            n = wasi2_write_room(k->c.out);
            if (n > 0) {
                size_t want = (size_t)n < sizeof filebuf ? (size_t)n : sizeof filebuf;
                if ((long long)want > k->file_left) want = (size_t)k->file_left;
                ssize_t got = pread(k->fd, filebuf, want, (off_t)k->file_off);
                /* the length is promised: closing early tells the client */
                n = got <= 0 ? WASI2_FAIL : wasi2_write_some(k->c.out, filebuf, (size_t)got);
            }
            if (n > 0) {
                k->file_off += n;
                k->file_left -= n;
            }
        } else {
            n = wasi2_flush_start(k->c.out);
            if (n == 0) k->state = FLUSHING;
        }
        if (n < 0) k->state = DONE;
        if (n == 0) return; /* the stream is full: wait on its pollable */
    }
}

/* Reads what has come of the head; answers once it is complete or bad. */
static void read_some(struct conn *k)
{
    long n = wasi2_read(k->c.in, k->head + k->head_len, sizeof k->head - k->head_len, false);
    if (n == 0) return;
    if (n < 0) {
        if (n == WASI2_EOF && k->head_len == 0)
            k->state = DONE; /* closed before sending anything */
        else
            respond(k, HTTPREQ_BAD);
        return;
    }
    k->head_len += (size_t)n;
    int r = httpreq_parse(k->head, k->head_len, &k->req);
    if (r == HTTPREQ_INCOMPLETE && k->head_len == sizeof k->head) r = HTTPREQ_TOO_LARGE;
    if (r != HTTPREQ_INCOMPLETE) respond(k, r);
}

/* Moves a connection on after its pollable was ready. */
static void step(struct conn *k)
{
    if (k->state == READING_HEAD) read_some(k);
    if (k->state == SENDING) send_some(k);
    if (k->state == FLUSHING && wasi2_write_room(k->c.out) != 0) k->state = DONE;
}

static struct conn *conn_open(const struct net_tcp *c, const struct net_addr *peer)
{
    struct conn *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->c = *c;
    k->peer = *peer;
    k->fd = -1;
    k->in_ready = wasi_io_streams_input_stream_subscribe(c->in);
    k->out_ready = wasi_io_streams_output_stream_subscribe(c->out);
    k->deadline = cli_now_ns() + HEAD_TIMEOUT_NS;
    return k;
}

/* Logs the request (if one was answered) and frees the connection. */
static void conn_close(struct conn *k)
{
    if (k->status) {
        char who[64];
        net_addr_format(&k->peer, who, sizeof who);
        bool got = k->parsed > 0;
        fprintf(stderr, "httpd: %s \"%s %s\" %d\n", who, got ? k->req.method : "-",
                got ? k->req.target : "-", k->status);
    }
    wasi_io_poll_pollable_drop(k->in_ready);
    wasi_io_poll_pollable_drop(k->out_ready);
    net_tcp_close(&k->c);
    if (k->fd >= 0) close(k->fd);
    free(k->out);
    free(k);
}

static struct conn *conns[MAX_CONNS];
static size_t nconns;

/* Accepts the connections waiting, up to the bound and to want. Returns
 * how many, or -1 when accept failed. */
static long accept_some(int32_t listener, uint64_t want)
{
    long n = 0;
    while (nconns < MAX_CONNS && (uint64_t)n < want) {
        struct net_tcp c;
        struct net_addr peer;
        int r = net_tcp_try_accept(listener, &c, &peer);
        if (r < 0) return -1;
        if (r == 0) break;
        n++;
        if (!(conns[nconns] = conn_open(&c, &peer)))
            net_tcp_close(&c); /* out of memory: dropped, as a reset */
        else
            nconns++;
    }
    return n;
}

/* The event loop: until COUNT connections (0: no end) were accepted and
 * ended. Returns CLI_OK or CLI_FAIL. */
static int serve(int32_t listener, uint64_t count)
{
    static int32_t polls[MAX_CONNS + 1];
    static struct conn *owner[MAX_CONNS + 1];
    static bool ready[MAX_CONNS + 1];
    int32_t incoming = wasi_sockets_tcp_tcp_socket_subscribe(listener);
    uint64_t accepted = 0;
    int rc = CLI_OK;
    for (;;) {
        bool accepting = (count == 0 || accepted < count) && nconns < MAX_CONNS;
        if (!accepting && nconns == 0) break;
        size_t n = 0;
        uint64_t deadline = UINT64_MAX;
        if (accepting) {
            owner[n] = NULL;
            polls[n++] = incoming;
        }
        for (size_t i = 0; i < nconns; i++) {
            struct conn *k = conns[i];
            owner[n] = k;
            polls[n++] = k->state == READING_HEAD ? k->in_ready : k->out_ready;
            if (k->state == READING_HEAD && k->deadline < deadline) deadline = k->deadline;
        }
        uint64_t now = cli_now_ns();
        uint64_t timeout = UINT64_MAX; /* none: nothing is reading a head */
        if (deadline != UINT64_MAX) timeout = deadline > now ? deadline - now : 0;
        if (wasi2_poll(polls, n, timeout, ready) < 0) {
            cli_warn("poll: %s", wasi2_errmsg());
            rc = CLI_FAIL;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (!ready[i]) continue;
            if (owner[i]) {
                step(owner[i]);
                continue;
            }
            long got = accept_some(listener, count ? count - accepted : UINT64_MAX);
            if (got < 0) {
                cli_warn("accept: %s", wasi2_errmsg());
                rc = CLI_FAIL;
                break;
            }
            accepted += (uint64_t)got;
        }
        if (rc != CLI_OK) break;
        now = cli_now_ns();
        size_t kept = 0;
        for (size_t i = 0; i < nconns; i++) {
            struct conn *k = conns[i];
            if (k->state == READING_HEAD && now >= k->deadline) {
                respond(k, -408);
                send_some(k);
            }
            if (k->state == DONE)
                conn_close(k);
            else
                conns[kept++] = k;
        }
        nconns = kept;
    }
    while (nconns > 0)
        conn_close(conns[--nconns]);
    wasi_io_poll_pollable_drop(incoming);
    return rc;
}

int main(int argc, char **argv)
{
    cli_init("httpd", CLI_USAGE);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    uint64_t port = 8080, count = 0;
    int ch;
    while ((ch = cli_opts_next(&o, "p:n:", help)) != 0) {
        if (ch == 'p' && !cli_parse_u64(o.arg, 65535, &port))
            cli_usage_error("bad port '%s'", o.arg);
        if (ch == 'n' && (!cli_parse_u64(o.arg, UINT32_MAX, &count) || count == 0))
            cli_usage_error("bad count '%s'", o.arg);
    }
    if (argc - o.index > 1) cli_usage_error("extra operand '%s'", argv[o.index + 1]);
    if (o.index < argc) root = argv[o.index];
    struct stat st;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_warn_err(errno ? errno : ENOTDIR, "%s", root);
        return CLI_FAIL;
    }
    struct net_addr any = {.family = WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV4,
                           .port = (uint16_t)port};
    int32_t listener;
    if (net_tcp_listen(&any, MAX_CONNS, &listener) < 0) {
        cli_warn("cannot listen on port %u: %s", (unsigned)port, wasi2_errmsg());
        return CLI_FAIL;
    }
    struct net_addr local;
    if (net_tcp_local_address(listener, &local) == 0) port = local.port;
    fprintf(stderr, "httpd: serving %s on port %u\n", root, (unsigned)port);
    int rc = serve(listener, count);
    wasi_sockets_tcp_tcp_socket_drop(listener);
    return rc;
}
