/*
 * apps/date.c - `date [-u] [+FORMAT]`: the wall clock (WASI's realtime
 * clock) in GNU date's default format, "%a %b %e %H:%M:%S %Z %Y", or in
 * FORMAT (GNU's % codes, sdk/timefmt.h). Always UTC: WASI has no time
 * zone, so -u changes nothing. Setting the clock and -d are refused.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sdk/cli.h"
#include "sdk/timefmt.h"

static const char help[] = "Usage: date [-u] [+FORMAT]\n"
                           "Print the current time (UTC) in the default format or in FORMAT:\n"
                           "  %a %A %b %B %c %d %D %e %F %H %I %j %k %l %m %M %n %N %p %P\n"
                           "  %r %R %s %S %t %T %u %V %w %y %Y %z %:z %Z %%\n"
                           "  -u  UTC (the only time zone WASI knows)\n";

int main(int argc, char **argv)
{
    cli_init("date", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    while (cli_opts_next(&o, "u", help) != 0) {
    }
    const char *fmt = "%a %b %e %H:%M:%S %Z %Y";
    if (o.index < argc) {
        const char *a = argv[o.index];
        if (a[0] != '+') {
            cli_warn("cannot set the date: WASI apps cannot set the clock");
            return CLI_FAIL;
        }
        if (o.index + 1 < argc) cli_usage_error("extra operand '%s'", argv[o.index + 1]);
        fmt = a + 1;
    }
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        cli_warn("cannot read the clock");
        return CLI_FAIL;
    }
    char out[4096];
    int n = timefmt(out, sizeof out, fmt, (int64_t)ts.tv_sec, ts.tv_nsec);
    if (n < 0) {
        cli_warn("the formatted date is too long");
        return CLI_FAIL;
    }
    out[n] = '\n';
    if (cli_write_all(1, out, (size_t)n + 1) != 0) {
        cli_warn("write error");
        return CLI_FAIL;
    }
    return CLI_OK;
}
