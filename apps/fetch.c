/*
 * apps/fetch.c - `fetch [-qvH] [-r N] [-t SECONDS] URL [OUTFILE]`, like
 * `curl -o`: GETs URL over wasi:http (sdk/http.h), following redirects,
 * and streams the body to OUTFILE (or to stdout) with constant memory.
 *
 * The file is written under a temporary name in OUTFILE's directory
 * (".NAME.XXXXXXXX.part") in large writes, synced, and renamed to OUTFILE
 * only when the whole body arrived; on any failure the temporary file is
 * removed and the reason printed, so a file named OUTFILE is always
 * complete. Progress goes to stderr (bytes, percentage when the length is
 * known, rate; at most 4 updates a second on a terminal, 1 otherwise);
 * the summary line (status, bytes, time, rate, SHA-256 of the body) goes
 * to stdout, or to stderr when the body itself goes to stdout. -H skips
 * the hash (benchmarks compare the download with wget, which has none).
 *
 * Exit status: 0 success; 1 for an HTTP status >= 400, a network error or
 * a body shorter than announced; 2 for bad usage; as curl's, 60 when the
 * server's TLS certificate was refused and 35 for any other TLS failure
 * (an alert, an unsupported version, a stream cut without close_notify).
 * The host verifies certificates (kpio-wasm: --cacert FILE, --insecure).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/url.h"
#include "sdk/cli.h"
#include "sdk/sha256.h"
#include "sdk/fsutil.h"
#include "sdk/http.h"

static const char help[] =
    "Usage: fetch [-qvH] [-r N] [-t SECONDS] URL [OUTFILE]\n"
    "Download URL (http or https) into OUTFILE, or to standard output.\n"
    "Redirects are followed. OUTFILE appears only once the whole body has arrived.\n"
    "  -q          no progress on stderr\n"
    "  -v          also print the size of the app's linear memory at the end\n"
    "  -H          do not compute the SHA-256 of the body (the summary says so)\n"
    "  -r N        follow at most N redirects (default 10)\n"
    "  -t SECONDS  connect, first-byte and between-bytes timeouts (default 30)\n";

#define WRITE_BUF_SIZE (256 * 1024) /* big writes: much faster on the disk */
#define READ_SIZE      (256 * 1024)

struct fetch {
    const char *url;
    int fd;         /* output: the temporary file or stdout */
    char *tmp_path; /* NULL when writing to stdout */
    uint8_t *wbuf;  /* WRITE_BUF_SIZE */
    size_t wfill;
    uint64_t written;
    int write_err; /* errno of a failed write */
    struct sdk_sha256 sha;
    int status;
    int64_t length; /* announced, or -1 */
    uint64_t received, shown_bytes;
    uint64_t start_ns, body_start_ns, last_progress_ns, progress_every_ns;
    bool quiet, verbose, tty, progress_shown, no_hash;
};

static int flush_wbuf(struct fetch *f, const uint8_t *data, size_t len)
{
    if (f->write_err || len == 0) return f->write_err ? -1 : 0;
    if (cli_write_all(f->fd, data, len) != 0) {
        f->write_err = errno;
        return -1;
    }
    if (!f->no_hash) sdk_sha256_update(&f->sha, data, len);
    f->written += len;
    return 0;
}

/* A progress line: at most every progress_every_ns, and a last one
 * (final) unless the last shown already had every byte. On a terminal the
 * line is rewritten in place and ended by the final call. */
static void show_progress(struct fetch *f, bool final)
{
    uint64_t now = cli_now_ns();
    if (f->quiet || (!final && now - f->last_progress_ns < f->progress_every_ns)) return;
    bool up_to_date = f->progress_shown && f->shown_bytes == f->received;
    if (final && (!f->progress_shown || up_to_date)) {
        if (up_to_date && f->tty) fputc('\n', stderr);
        return;
    }
    f->last_progress_ns = now;
    f->shown_bytes = f->received;
    f->progress_shown = true;
    char got[32], total[32], rate[32], pct[16] = "";
    cli_format_bytes(f->received, got, sizeof got);
    cli_format_rate(f->received, now - f->body_start_ns, rate, sizeof rate);
    if (f->length > 0) {
        cli_format_bytes((uint64_t)f->length, total, sizeof total);
        snprintf(pct, sizeof pct, " (%d%%)", (int)(f->received * 100 / (uint64_t)f->length));
        fprintf(stderr, f->tty ? "\rfetch: %s of %s%s, %s\x1b[K" : "fetch: %s of %s%s, %s\n", got,
                total, pct, rate);
    } else {
        fprintf(stderr, f->tty ? "\rfetch: %s, %s\x1b[K" : "fetch: %s, %s\n", got, rate);
    }
    if (final && f->tty) fputc('\n', stderr);
}

static int on_redirect(void *ctx, int status, const char *from, const char *to)
{
    struct fetch *f = ctx;
    (void)from;
    if (!f->quiet) fprintf(stderr, "fetch: %d redirect to %s\n", status, to);
    return 0;
}

static int on_head(void *ctx, const struct http_head *h)
{
    struct fetch *f = ctx;
    f->status = h->status;
    f->length = h->content_length;
    f->body_start_ns = f->last_progress_ns = cli_now_ns();
    return h->status >= 400 ? HTTP_GET_SKIP_BODY : 0;
}

static int on_body(void *ctx, const void *data, size_t len)
{
    struct fetch *f = ctx;
    const uint8_t *p = data;
    f->received += len;
    if (f->wfill == 0 && len >= WRITE_BUF_SIZE / 2) {
        if (flush_wbuf(f, p, len) < 0) return 1; /* big piece: no copy */
    } else {
        while (len > 0) {
            size_t n = WRITE_BUF_SIZE - f->wfill;
            n = n < len ? n : len;
            memcpy(f->wbuf + f->wfill, p, n);
            f->wfill += n;
            p += n;
            len -= n;
            if (f->wfill == WRITE_BUF_SIZE) {
                if (flush_wbuf(f, f->wbuf, f->wfill) < 0) return 1;
                f->wfill = 0;
            }
        }
    }
    show_progress(f, false);
    return 0;
}

/* ".NAME.XXXXXXXX.part" next to path, created exclusively. */
static int open_temp(struct fetch *f, const char *path)
{
    char base[200], dir[4096];
    fs_basename(path, base, sizeof base);
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    if (dlen >= sizeof dir) return ENAMETOOLONG;
    memcpy(dir, path, dlen);
    dir[dlen] = '\0';
    for (int tries = 0; tries < 8; tries++) {
        uint32_t r;
        if (getentropy(&r, sizeof r) != 0) return errno;
        size_t n = dlen + strlen(base) + 24;
        if (!(f->tmp_path = malloc(n))) return ENOMEM;
        snprintf(f->tmp_path, n, "%s.%s.%08x.part", dir, base, (unsigned)r);
        f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (f->fd >= 0) return 0;
        int err = errno;
        free(f->tmp_path);
        f->tmp_path = NULL;
        if (err != EEXIST) return err;
    }
    return EEXIST;
}

/* Where a failure happened: the host:port for connection-level errors
 * (as "fetch: connection refused: 10.0.2.2:8080"), else the URL. */
static const char *failure_place(const struct http_get_result *r, char *buf, size_t size)
{
    const struct wasi2_err *e = wasi2_error();
    struct http_url u;
    bool connection =
        e->kind == WASI2_ERR_HTTP && (e->code <= WASI_HTTP_TYPES_ERROR_CODE_CONNECTION_TIMEOUT ||
                                      e->code == WASI_HTTP_TYPES_ERROR_CODE_TLS_PROTOCOL_ERROR ||
                                      e->code == WASI_HTTP_TYPES_ERROR_CODE_TLS_CERTIFICATE_ERROR ||
                                      e->code == WASI_HTTP_TYPES_ERROR_CODE_TLS_ALERT_RECEIVED);
    if (connection && http_url_parse(r->url, strlen(r->url), &u, NULL) == 0) {
        snprintf(buf, size, "%.*s:%u", (int)u.host_len, u.host, u.port);
        return buf;
    }
    return r->url;
}

/* curl's exit codes for TLS failures, else CLI_FAIL. A body stream's
 * failure carries only the host's text (the SDK reads io errors with
 * to-debug-string), which names TLS for lib/tls's errors. */
static int tls_status(void)
{
    const struct wasi2_err *e = wasi2_error();
    if (e->kind == WASI2_ERR_STREAM && strstr(e->msg, "(TLS ")) return 35;
    if (e->kind != WASI2_ERR_HTTP) return CLI_FAIL;
    if (e->code == WASI_HTTP_TYPES_ERROR_CODE_TLS_CERTIFICATE_ERROR) return 60;
    if (e->code == WASI_HTTP_TYPES_ERROR_CODE_TLS_PROTOCOL_ERROR ||
        e->code == WASI_HTTP_TYPES_ERROR_CODE_TLS_ALERT_RECEIVED)
        return 35;
    return CLI_FAIL;
}

static void summary(struct fetch *f, const char *outfile, uint64_t ns)
{
    uint8_t d[32];
    char hex[65], rate[32];
    sdk_sha256_final(&f->sha, d);
    sdk_sha256_hex(d, hex);
    if (f->no_hash) snprintf(hex, sizeof hex, "not computed (-H)");
    cli_format_rate(f->written, ns, rate, sizeof rate);
    FILE *out = outfile ? stdout : stderr;
    fprintf(out, "fetch: status %d, %llu bytes, %.3f s, %s, sha256 %s, %s%s\n", f->status,
            (unsigned long long)f->written, (double)ns / 1e9, rate, hex,
            outfile ? "saved to " : "written to stdout", outfile ? outfile : "");
}

static void parse_args(int argc, char **argv, struct http_get_opts *o, struct fetch *f,
                       const char **outfile)
{
    struct cli_opts opts;
    cli_opts_init(&opts, argc, argv);
    int c;
    uint64_t v;
    while ((c = cli_opts_next(&opts, "qvHr:t:", help)) != 0) {
        if (c == 'q') {
            f->quiet = true;
        } else if (c == 'H') {
            f->no_hash = true;
        } else if (c == 'v') {
            f->verbose = true;
        } else if (c == 'r') {
            if (!cli_parse_u64(opts.arg, 100, &v))
                cli_usage_error("bad redirect limit '%s'", opts.arg);
            o->max_redirects = (int)v;
        } else {
            if (!cli_parse_u64(opts.arg, 86400, &v) || v == 0)
                cli_usage_error("bad timeout '%s'", opts.arg);
            o->connect_timeout_ns = o->first_byte_timeout_ns = o->between_bytes_timeout_ns =
                v * 1000000000u;
        }
    }
    int n = argc - opts.index;
    if (n < 1) cli_usage_error("missing URL");
    if (n > 2) cli_usage_error("extra operand '%s'", argv[opts.index + 2]);
    f->url = argv[opts.index];
    *outfile = n == 2 ? argv[opts.index + 1] : NULL;
}

int main(int argc, char **argv)
{
    cli_init("fetch", CLI_USAGE);
    static struct fetch f;
    struct http_get_opts o;
    const char *outfile;
    http_get_opts_default(&o);
    o.read_size = READ_SIZE;
    parse_args(argc, argv, &o, &f, &outfile);
    f.fd = STDOUT_FILENO;
    f.length = -1;
    f.tty = isatty(STDERR_FILENO);
    f.progress_every_ns = f.tty ? 250000000u : 1000000000u;
    sdk_sha256_init(&f.sha);
    if (!(f.wbuf = malloc(WRITE_BUF_SIZE))) {
        cli_warn_err(ENOMEM, "buffer");
        return CLI_FAIL;
    }
    if (outfile) {
        int err = open_temp(&f, outfile);
        if (err) {
            cli_warn_err(err, "cannot create a temporary file next to '%s'", outfile);
            return CLI_FAIL;
        }
    }

    f.start_ns = cli_now_ns();
    static struct http_get_result r;
    struct http_get_cb cb = {&f, on_redirect, on_head, on_body};
    int rc = http_get(f.url, &o, &cb, &r);
    if (rc == 0 && f.status < 400 && flush_wbuf(&f, f.wbuf, f.wfill) == 0) f.wfill = 0;
    uint64_t elapsed = cli_now_ns() - f.start_ns;
    show_progress(&f, true);

    char place[300];
    bool ok = false;
    if (rc < 0 && !r.url[0]) /* the URL itself was refused; the message names it */
        cli_warn("%s", wasi2_errmsg());
    else if (rc < 0)
        cli_warn("%s: %s", wasi2_errmsg(), failure_place(&r, place, sizeof place));
    else if (f.write_err)
        cli_warn_err(f.write_err, "error writing %s", outfile ? outfile : "to stdout");
    else if (f.status >= 400)
        cli_warn("%s: HTTP %d", r.url, f.status);
    else
        ok = true;
    if (outfile) {
        if (ok && fsync(f.fd) != 0 && errno != EINVAL && errno != ENOTSUP) {
            cli_warn_err(errno, "cannot sync %s", f.tmp_path);
            ok = false;
        }
        if (close(f.fd) != 0 && ok) {
            cli_warn_err(errno, "error writing %s", f.tmp_path);
            ok = false;
        }
        if (ok && rename(f.tmp_path, outfile) != 0) {
            cli_warn_err(errno, "cannot rename %s to %s", f.tmp_path, outfile);
            ok = false;
        }
        if (!ok) {
            if (unlink(f.tmp_path) == 0)
                cli_warn("removed the partial download %s (%llu bytes); %s was not written",
                         f.tmp_path, (unsigned long long)f.written, outfile);
            else
                cli_warn_err(errno, "cannot remove %s", f.tmp_path);
        }
    }
    if (ok) summary(&f, outfile, elapsed);
    if (f.verbose) /* constant memory: this does not grow with the body's size */
        fprintf(stderr, "fetch: linear memory %zu KiB\n", __builtin_wasm_memory_size(0) * 64);
    if (fflush(stdout) != 0) ok = false;
    if (!ok) return tls_status();
    return ok ? CLI_OK : CLI_FAIL;
}
