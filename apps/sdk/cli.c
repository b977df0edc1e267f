/*
 * apps/sdk/cli.c - the app name, diagnostics, option scanning, whole
 * writes and number formatting shared by every app (sdk/cli.h).
 */
#include "sdk/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *app_name = "app";
static const char *usage_line;
static int usage_status = CLI_USAGE;

void cli_init(const char *name, int usage)
{
    app_name = name;
    usage_status = usage;
}

int cli_usage_status(void)
{
    return usage_status;
}

const char *cli_name(void)
{
    return app_name;
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", app_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_warn_err(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", app_name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, ": %s\n", strerror(err));
    va_end(ap);
}

_Noreturn void cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", app_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    if (usage_line) fprintf(stderr, "%s\n", usage_line);
    fprintf(stderr, "Try '%s --help' for more information.\n", app_name);
    va_end(ap);
    exit(usage_status);
}

void cli_set_usage_line(const char *line)
{
    usage_line = line;
}

_Noreturn void cli_help(const char *text)
{
    fputs(text, stdout);
    exit(fflush(stdout) == 0 ? CLI_OK : CLI_FAIL);
}

void cli_opts_init(struct cli_opts *o, int argc, char **argv)
{
    o->argc = argc;
    o->argv = argv;
    o->index = 1;
    o->next = NULL;
    o->arg = NULL;
}

/* Whether option word w ("-abc") ends with a letter that takes the next
 * word as its argument. */
static bool takes_next(const char *w, const char *letters)
{
    if (w[1] == '-') return false; /* --long */
    for (const char *c = w + 1; *c; c++) {
        const char *p = *c != ':' ? strchr(letters, *c) : NULL;
        if (p && p[1] == ':') return c[1] == '\0';
    }
    return false;
}

bool cli_opts_permute(int argc, char **argv, const char *letters)
{
    char **opts = malloc((size_t)argc * sizeof *opts), **rest = malloc((size_t)argc * sizeof *rest);
    if (!opts || !rest) {
        free(opts);
        free(rest);
        return false;
    }
    int no = 0, nr = 0;
    char *dashdash = NULL;
    for (int i = 1; i < argc; i++) {
        char *w = argv[i];
        if (strcmp(w, "--") == 0) {
            dashdash = w;
            while (++i < argc)
                rest[nr++] = argv[i];
            break;
        }
        if (w[0] != '-' || w[1] == '\0') {
            rest[nr++] = w;
            continue;
        }
        opts[no++] = w;
        if (takes_next(w, letters) && i + 1 < argc) opts[no++] = argv[++i];
    }
    int k = 1;
    for (int i = 0; i < no; i++)
        argv[k++] = opts[i];
    if (dashdash) argv[k++] = dashdash;
    for (int i = 0; i < nr; i++)
        argv[k++] = rest[i];
    free(opts);
    free(rest);
    return true;
}

/* An option letter's argument: the rest of the cluster or the next word. */
static int opt_take_arg(struct cli_opts *o, char c)
{
    if (*o->next) {
        o->arg = o->next;
    } else if (o->index < o->argc) {
        o->arg = o->argv[o->index++];
    } else {
        cli_usage_error("option requires an argument -- '%c'", c);
    }
    o->next = NULL;
    return c;
}

int cli_opts_next(struct cli_opts *o, const char *letters, const char *help)
{
    if (!o->next || !*o->next) {
        if (o->index >= o->argc) return 0;
        const char *w = o->argv[o->index];
        if (strcmp(w, "--") == 0) {
            o->index++;
            return 0;
        }
        if (strcmp(w, "--help") == 0) cli_help(help);
        if (w[0] == '-' && w[1] == '-') cli_usage_error("unrecognized option '%s'", w);
        if (w[0] != '-' || w[1] == '\0') return 0;
        o->next = w + 1;
        o->index++;
    }
    char c = *o->next++;
    const char *p = c != ':' ? strchr(letters, c) : NULL;
    if (!p) cli_usage_error("invalid option -- '%c'", c);
    if (p[1] == ':') return opt_take_arg(o, c);
    return c;
}

int cli_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

void cli_format_bytes(uint64_t n, char *out, size_t size)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (n < 1024) {
        snprintf(out, size, "%llu B", (unsigned long long)n);
        return;
    }
    double v = (double)n / 1024.0;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, size, "%.1f %s", v, units[u]);
}

void cli_format_rate(uint64_t n, uint64_t ns, char *out, size_t size)
{
    char b[32];
    if (ns == 0) ns = 1;
    double per_s = (double)n * 1e9 / (double)ns;
    cli_format_bytes(per_s >= 1.8e19 ? UINT64_MAX : (uint64_t)per_s, b, sizeof b);
    snprintf(out, size, "%s/s", b);
}

uint64_t cli_now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s) return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}
