/*
 * host/http-get/main.c - http-get, lib/http's client on Linux: fetches
 * each URL in turn with one client (so sequential requests to one server
 * share a kept-alive connection) and writes the bodies to a file. The
 * tests in tests/http and the download benchmark drive it; its report on
 * stderr is one line per fact, for them to parse:
 *
 *   status <code> <final url> redirects=<n> length=<body length or -1>
 *   header <name>: <value>        (with -v)
 *   trailer <name>: <value>       (with -v)
 *   body <bytes>
 *   error <ERR_*> <HTTP_FAIL_*> <message>
 *   connects <n>                  (TCP connections opened, at the end)
 *   stats bytes=<n> seconds=<s> mib_s=<rate>   (with --stats)
 *
 * The exit status is 0 if every URL gave a complete response (of any
 * status), 1 if any failed, 2 for a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "http/client.h"
#include "sock_posix.h"

#define MAX_FIELDS 32

struct options {
    const char *out_path;
    const char *method;
    const char *body;        /* -d: a MEMORY body */
    const char *stream;      /* --stream-body: a STREAM body */
    long long stream_length; /* --stream-length (-1: chunked) */
    size_t chunk;            /* --chunk: write() piece size */
    size_t read_size;        /* --read-size: use http_client_read() */
    struct http_field fields[MAX_FIELDS];
    size_t field_count;
    bool verbose, stats;
    struct http_client_config cfg;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: http-get [options] URL [[request options] URL]...\n"
            "  -o FILE               write the bodies to FILE ('-': stdout); default: discard\n"
            "  -X METHOD             request method (default GET)\n"
            "  -d DATA               request body from memory, with Content-Length\n"
            "  --stream-body DATA    request body written piece by piece (chunked)\n"
            "  --stream-length N     ... with Content-Length N instead\n"
            "  --chunk N             write the streamed body N bytes at a time\n"
            "  -H 'Name: value'      add a request field\n"
            "  --max-redirects N     --connect-timeout MS  --header-timeout MS\n"
            "  --idle-timeout MS     --recv-buffer BYTES   --no-keep-alive\n"
            "  --read-size N         read the body by copies of N bytes (default: slices)\n"
            "  -v                    print the response fields and trailers\n"
            "Request options (-X -d --stream-body --stream-length --chunk -H) may also\n"
            "come between URLs and apply to the URLs after them.\n"
            "  --stats               print bytes, seconds and MiB/s at the end\n");
}

static bool parse_size(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') return false;
    *out = v;
    return true;
}

/* Parses the option at argv[*i] (and its value), advancing *i past it.
 * Options of the client's config are refused once the client exists
 * (after the first URL); request options apply to the URLs that follow.
 * Returns false for a usage error. */
static bool parse_option(struct options *o, int argc, char **argv, int *i, bool config)
{
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    unsigned long long n = 0;
    (*i)++;
    if (!strcmp(a, "-v")) return o->verbose = true;
    if (!strcmp(a, "--stats")) return o->stats = true;
    if (!strcmp(a, "--no-keep-alive")) {
        o->cfg.keep_alive = false;
        return config;
    }
    if (!v) return false;
    (*i)++;
    if (!strcmp(a, "-o")) return config && (o->out_path = v);
    if (!strcmp(a, "-X")) return (o->method = v);
    if (!strcmp(a, "-d")) {
        o->body = v;
        o->stream = NULL;
        return true;
    }
    if (!strcmp(a, "--stream-body")) {
        o->stream = v;
        o->body = NULL;
        return true;
    }
    if (!strcmp(a, "-H")) {
        const char *colon = strchr(v, ':');
        if (!colon || o->field_count == MAX_FIELDS) return false;
        const char *val = colon + 1;
        while (*val == ' ')
            val++;
        o->fields[o->field_count++] = (struct http_field){v, (size_t)(colon - v), val, strlen(val)};
        return true;
    }
    if (!parse_size(v, &n)) return false;
    if (!strcmp(a, "--stream-length"))
        o->stream_length = (long long)n;
    else if (!strcmp(a, "--chunk"))
        o->chunk = n;
    else if (!strcmp(a, "--read-size"))
        return config && (o->read_size = n) > 0;
    else if (!config)
        return false;
    else if (!strcmp(a, "--max-redirects"))
        o->cfg.max_redirects = (unsigned)n;
    else if (!strcmp(a, "--connect-timeout"))
        o->cfg.connect_timeout_ms = (uint32_t)n;
    else if (!strcmp(a, "--header-timeout"))
        o->cfg.header_timeout_ms = (uint32_t)n;
    else if (!strcmp(a, "--idle-timeout"))
        o->cfg.idle_timeout_ms = (uint32_t)n;
    else if (!strcmp(a, "--recv-buffer"))
        o->cfg.recv_buffer = n;
    else
        return false;
    return true;
}

static bool is_option(const char *a)
{
    return a[0] == '-' && a[1];
}

/* Parses the options before the first URL; returns its index, or -1. */
static int parse_args(int argc, char **argv, struct options *o)
{
    http_client_config_default(&o->cfg);
    o->method = "GET";
    o->stream_length = -1;
    int i = 1;
    while (i < argc && is_option(argv[i]))
        if (!parse_option(o, argc, argv, &i, true)) return -1;
    return i < argc ? i : -1;
}

static void report_error(struct http_client *c, int err)
{
    fprintf(stderr, "error %s %s %s\n", err_name(err), http_fail_name(http_client_fail(c)),
            http_client_error(c));
}

static void print_fields(const char *tag, const struct http_fields *f)
{
    for (size_t i = 0; i < http_fields_count(f); i++) {
        struct http_field fl = http_fields_at(f, i);
        fprintf(stderr, "%s %s: %s\n", tag, fl.name, fl.value);
    }
}

/* Sends the request of one URL; returns the status or an error. */
static int send_request(struct http_client *c, const struct options *o, const char *url)
{
    struct http_client_request req = {
        .method = o->method, .url = url, .fields = o->fields, .field_count = o->field_count};
    if (o->body) {
        req.body_kind = HTTP_CLIENT_BODY_MEMORY;
        req.body = o->body;
        req.body_len = strlen(o->body);
    } else if (o->stream) {
        req.body_kind = HTTP_CLIENT_BODY_STREAM;
        req.stream_length = o->stream_length;
    }
    int r = http_client_open(c, &req);
    if (r < 0) return r;
    if (o->stream) {
        size_t len = strlen(o->stream), step = o->chunk ? o->chunk : len;
        for (size_t off = 0; off < len && r == 0; off += step)
            r = http_client_write(c, o->stream + off, len - off < step ? len - off : step);
        if (r < 0) return r;
    }
    return http_client_response(c);
}

/* Reads the body to out (may be NULL); returns its length or an error. */
static long long read_body(struct http_client *c, const struct options *o, FILE *out,
                           char *copy_buf)
{
    long long total = 0;
    long n;
    for (;;) {
        const uint8_t *d;
        if (o->read_size) {
            n = http_client_read(c, copy_buf, o->read_size);
            d = (const uint8_t *)copy_buf;
        } else {
            n = http_client_read_slice(c, &d);
        }
        if (n <= 0) break;
        if (out && fwrite(d, 1, (size_t)n, out) != (size_t)n) {
            fprintf(stderr, "http-get: write: %s\n", strerror(errno));
            return ERR_IO;
        }
        total += n;
    }
    return n < 0 ? n : total;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct options o = {0};
    int first = parse_args(argc, argv, &o);
    if (first < 0) {
        usage();
        return 2;
    }
    FILE *out = NULL;
    if (o.out_path) out = strcmp(o.out_path, "-") ? fopen(o.out_path, "wb") : stdout;
    if (o.out_path && !out) {
        fprintf(stderr, "http-get: %s: %s\n", o.out_path, strerror(errno));
        return 2;
    }
    static char out_buf[1 << 20];
    if (out) setvbuf(out, out_buf, _IOFBF, sizeof out_buf);
    char *copy_buf = o.read_size ? malloc(o.read_size) : NULL;
    struct http_sock sock;
    http_sock_posix(&sock);
    struct http_client *c;
    int r = http_client_create(&sock, &o.cfg, &c);
    if (r < 0) {
        fprintf(stderr, "http-get: %s\n", err_str(r));
        return 2;
    }
    int status = 0;
    long long bytes = 0;
    double t0 = now_s();
    for (int i = first; i < argc; i++) {
        if (is_option(argv[i])) {
            if (!parse_option(&o, argc, argv, &i, false)) {
                usage();
                status = 2;
                break;
            }
            i--;
            continue;
        }
        r = send_request(c, &o, argv[i]);
        if (r < 0) {
            report_error(c, r);
            status = 1;
            continue;
        }
        fprintf(stderr, "status %d %s redirects=%u length=%lld\n", r, http_client_url(c),
                http_client_redirects(c), (long long)http_client_body_length(c));
        if (o.verbose) print_fields("header", http_client_headers(c));
        long long n = read_body(c, &o, out, copy_buf);
        if (n < 0) {
            report_error(c, (int)n);
            status = 1;
            continue;
        }
        bytes += n;
        if (o.verbose) print_fields("trailer", http_client_trailers(c));
        fprintf(stderr, "body %lld\n", n);
        http_client_end(c);
    }
    double secs = now_s() - t0;
    fprintf(stderr, "connects %u\n", http_client_connects(c));
    if (o.stats)
        fprintf(stderr, "stats bytes=%lld seconds=%.6f mib_s=%.1f\n", bytes, secs,
                secs > 0 ? (double)bytes / (1024.0 * 1024.0) / secs : 0.0);
    http_client_destroy(c);
    free(copy_buf);
    if (out && fflush(out) != 0) {
        fprintf(stderr, "http-get: write: %s\n", strerror(errno));
        status = 1;
    }
    if (out && out != stdout) fclose(out);
    return status;
}
