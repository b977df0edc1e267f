/*
 * apps/sleep.c - `sleep N`: waits N seconds (a decimal number, fractions
 * allowed, e.g. 0.25; an s/m/h suffix as in coreutils) on the monotonic
 * clock, through WASI's poll_oneoff with a clock subscription (wasi-libc's
 * nanosleep).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "sdk/cli.h"

static const char help[] =
    "Usage: sleep NUMBER[SUFFIX]...\n"
    "Pause for the sum of the NUMBERs of seconds. SUFFIX may be s (seconds),\n"
    "m (minutes) or h (hours); NUMBER may have a fraction (0.5).\n";

/* Parses "12", "0.25", "1.5m" (at most 10^9 s) into nanoseconds. Returns 0
 * if s is not such a duration. */
static int parse_duration(const char *s, uint64_t *ns)
{
    uint64_t whole = 0, frac = 0, scale = 1000000000u;
    const char *p = s;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (whole > 100000000u) return 0;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
            if (scale >= 10) {
                scale /= 10;
                frac += (uint64_t)(*p - '0') * scale;
            }
        }
    }
    uint64_t mult = 1;
    if (*p == 's' || *p == 'm' || *p == 'h') {
        mult = *p == 's' ? 1 : *p == 'm' ? 60 : 3600;
        p++;
    }
    if (digits == 0 || *p != '\0' || whole * mult > 1000000000u) return 0;
    *ns = (whole * 1000000000u + frac) * mult;
    return 1;
}

int main(int argc, char **argv)
{
    cli_init("sleep", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    while (cli_opts_next(&o, "", help) != 0) {
    }
    if (o.index == argc) cli_usage_error("missing operand");
    uint64_t total = 0;
    for (int i = o.index; i < argc; i++) {
        uint64_t ns;
        if (!parse_duration(argv[i], &ns)) cli_usage_error("invalid time interval '%s'", argv[i]);
        total += ns;
    }
    struct timespec ts = {.tv_sec = (time_t)(total / 1000000000u),
                          .tv_nsec = (long)(total % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0) {
        if (errno != EINTR) {
            cli_warn_err(errno, "cannot sleep");
            return CLI_FAIL;
        }
    }
    return CLI_OK;
}
