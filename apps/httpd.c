/*
 * apps/httpd.c - `httpd [-p PORT] [-n COUNT] [DIR]`: a small HTTP/1.1
 * server for the files under DIR (default "."), over wasi:sockets
 * (listen and accept on 0.0.0.0:PORT, default 8080; -p 0 takes any free
 * port). It prints "httpd: serving DIR on port N" on stderr once it
 * listens, and one line per request. With -n it exits after COUNT
 * connections (for tests).
 *
 * One connection at a time, one request per connection ("Connection:
 * close"): GET and HEAD of a file answer 200 with Content-Length and the
 * file streamed in 64 KiB writes; a folder serves its index.html or a
 * listing; a missing file is 404, a target that climbs above DIR with ".."
 * is 403, other methods 405 (RFC 9110 section 15.5.6), a malformed
 * request 400. The request head must arrive within 10 s.
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

static const char *root = ".";
static char head[HTTPREQ_MAX_HEAD];
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

static int send_head(struct net_tcp *c, int status, const char *type, long long length,
                     const char *extra)
{
    char h[512];
    int n = snprintf(h, sizeof h,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lld\r\n%s"
                     "Connection: close\r\nServer: kpio-httpd\r\n\r\n",
                     status, reason(status), type, length, extra ? extra : "");
    return wasi2_write_all(c->out, h, (size_t)n);
}

/* A short text body for errors. */
static int send_error(struct net_tcp *c, int status, bool head_only)
{
    char body[64];
    int n = snprintf(body, sizeof body, "%d %s\n", status, reason(status));
    const char *allow = status == 405 ? "Allow: GET, HEAD\r\n" : NULL;
    if (send_head(c, status, "text/plain; charset=utf-8", n, allow) < 0) return -1;
    return head_only ? 0 : wasi2_write_all(c->out, body, (size_t)n);
}

static int send_file(struct net_tcp *c, int fd, long long size, const char *path, bool head_only)
{
    if (send_head(c, 200, content_type(path), size, NULL) < 0) return -1;
    for (long long left = size; !head_only && left > 0;) {
        ssize_t n = read(fd, filebuf, sizeof filebuf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1; /* the length is promised: closing tells the client */
        if (n > left) n = (ssize_t)left;
        if (wasi2_write_all(c->out, filebuf, (size_t)n) < 0) return -1;
        left -= n;
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An HTML list of a folder's entries, sorted, names escaped. */
static int send_listing(struct net_tcp *c, const char *fs_path, const char *url_path,
                        bool head_only)
{
    DIR *d = opendir(fs_path);
    if (!d) return send_error(c, 404, head_only);
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
    int rc = -1;
    if (html) {
        size_t k =
            (size_t)snprintf(html, size, "<!DOCTYPE html>\n<title>/%s</title>\n<ul>\n", url_path);
        for (size_t i = 0; i < n; i++) {
            char esc[1024];
            size_t m = 0;
            for (const char *p = names[i]; *p && m + 7 < sizeof esc; p++) {
                const char *rep = *p == '<'   ? "&lt;"
                                  : *p == '>' ? "&gt;"
                                  : *p == '&' ? "&amp;"
                                  : *p == '"' ? "&quot;"
                                              : NULL;
                if (rep) {
                    memcpy(esc + m, rep, strlen(rep));
                    m += strlen(rep);
                } else {
                    esc[m++] = *p;
                }
            }
            esc[m] = '\0';
            k += (size_t)snprintf(html + k, size - k, "<li><a href=\"%s\">%s</a></li>\n", esc, esc);
        }
        k += (size_t)snprintf(html + k, size - k, "</ul>\n");
        rc = send_head(c, 200, "text/html; charset=utf-8", (long long)k, NULL);
        if (rc == 0 && !head_only) rc = wasi2_write_all(c->out, html, k);
    }
    free(html);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Serves the path (relative to root, already checked) of a GET or HEAD. */
static int serve_path(struct net_tcp *c, const char *rel, bool head_only, int *status)
{
    char *path = rel[0] ? fs_join(root, rel) : strdup(root);
    if (!path) return send_error(c, *status = 500, head_only);
    struct stat st;
    int rc;
    if (stat(path, &st) != 0) {
        rc = send_error(c, *status = 404, head_only);
    } else if (S_ISDIR(st.st_mode)) {
        char *index = fs_join(path, "index.html");
        struct stat ist;
        if (index && stat(index, &ist) == 0 && S_ISREG(ist.st_mode)) {
            int fd = open(index, O_RDONLY);
            *status = fd >= 0 ? 200 : 404;
            rc = fd >= 0 ? send_file(c, fd, (long long)ist.st_size, index, head_only)
                         : send_error(c, 404, head_only);
            if (fd >= 0) close(fd);
        } else {
            *status = 200;
            rc = send_listing(c, path, rel, head_only);
        }
        free(index);
    } else {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            rc = send_error(c, *status = errno == EACCES ? 403 : 404, head_only);
        } else {
            *status = 200;
            rc = send_file(c, fd, (long long)st.st_size, path, head_only);
            close(fd);
        }
    }
    free(path);
    return rc;
}

/* Reads the request head within the deadline. Returns its parse result. */
static int read_head(struct net_tcp *c, struct httpreq *req)
{
    size_t len = 0;
    int32_t pollable = wasi_io_streams_input_stream_subscribe(c->in);
    uint64_t deadline = cli_now_ns() + HEAD_TIMEOUT_NS;
    int r = HTTPREQ_INCOMPLETE;
    while (r == HTTPREQ_INCOMPLETE) {
        uint64_t now = cli_now_ns();
        if (now >= deadline || wasi2_wait(&pollable, 1, deadline - now) == 0) {
            r = -408;
            break;
        }
        long n = wasi2_read(c->in, head + len, sizeof head - len, false);
        if (n < 0) {
            r = n == WASI2_EOF && len == 0 ? -1 : HTTPREQ_BAD;
            break;
        }
        len += (size_t)n;
        r = httpreq_parse(head, len, req);
        if (r == HTTPREQ_INCOMPLETE && len == sizeof head) r = HTTPREQ_TOO_LARGE;
    }
    wasi_io_poll_pollable_drop(pollable);
    return r;
}

static void handle(struct net_tcp *c, const struct net_addr *peer)
{
    struct httpreq req;
    int r = read_head(c, &req);
    char who[64];
    net_addr_format(peer, who, sizeof who);
    if (r == -1) return; /* closed before sending anything */
    int status;
    bool head_only = r > 0 && strcmp(req.method, "HEAD") == 0;
    if (r < 0) {
        status = -r;
        send_error(c, status, false);
    } else if (strcmp(req.method, "GET") != 0 && !head_only) {
        send_error(c, status = 405, false);
    } else {
        char rel[HTTPREQ_MAX_TARGET];
        bool dir_slash;
        int p = httpreq_path(req.target, rel, sizeof rel, &dir_slash);
        if (p < 0)
            send_error(c, status = -p, head_only);
        else
            serve_path(c, rel, head_only, &status);
    }
    wasi2_flush(c->out);
    fprintf(stderr, "httpd: %s \"%s %s\" %d\n", who, r > 0 ? req.method : "-",
            r > 0 ? req.target : "-", status);
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
    if (net_tcp_listen(&any, 16, &listener) < 0) {
        cli_warn("cannot listen on port %u: %s", (unsigned)port, wasi2_errmsg());
        return CLI_FAIL;
    }
    struct net_addr local;
    if (net_tcp_local_address(listener, &local) == 0) port = local.port;
    fprintf(stderr, "httpd: serving %s on port %u\n", root, (unsigned)port);
    for (uint64_t served = 0; count == 0 || served < count; served++) {
        struct net_tcp c;
        struct net_addr peer;
        if (net_tcp_accept(listener, &c, &peer) < 0) {
            cli_warn("accept: %s", wasi2_errmsg());
            return CLI_FAIL;
        }
        handle(&c, &peer);
        net_tcp_close(&c);
    }
    wasi_sockets_tcp_tcp_socket_drop(listener);
    return CLI_OK;
}
