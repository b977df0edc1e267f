/*
 * apps/touch.c - `touch [-acm] FILE...`: creates each FILE that does not
 * exist (empty) and sets its access and modification times to now
 * through WASI's path_filestat_set_times. -c creates nothing (a missing
 * FILE is silently skipped), -a and -m change only that time. Messages
 * and exit status as GNU touch's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sdk/cli.h"

static const char help[] = "Usage: touch [-acm] FILE...\n"
                           "Update the access and modification times of each FILE to now;\n"
                           "a FILE that does not exist is created empty.\n"
                           "  -a  change only the access time\n"
                           "  -c  do not create any files\n"
                           "  -m  change only the modification time\n";

static bool opt_nocreate, opt_atime, opt_mtime;

/* Touches one file. Returns CLI_OK or CLI_FAIL (after the message). */
static int touch_one(const char *path)
{
    int open_err = 0;
    if (!opt_nocreate) {
        int fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK, 0666);
        if (fd >= 0)
            close(fd);
        else if (errno != EISDIR)
            open_err = errno;
    }
    /* The time itself rather than UTIME_NOW: node's WASI refuses the
     * "now" flags of path_filestat_set_times. */
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
        cli_warn("cannot read the clock");
        return CLI_FAIL;
    }
    struct timespec ts[2] = {now, now};
    struct stat st;
    if (opt_atime != opt_mtime && stat(path, &st) == 0) {
        /* the time kept is passed as it is (node's WASI refuses UTIME_OMIT too) */
        if (opt_atime) ts[1] = st.st_mtim;
        if (opt_mtime) ts[0] = st.st_atim;
    }
    if (utimensat(AT_FDCWD, path, ts, 0) == 0) return CLI_OK;
    int err = errno;
    if (opt_nocreate && err == ENOENT) return CLI_OK;
    if (open_err)
        cli_warn_err(open_err, "cannot touch '%s'", path);
    else
        cli_warn_err(err, "setting times of '%s'", path);
    return CLI_FAIL;
}

int main(int argc, char **argv)
{
    cli_init("touch", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    int c;
    while ((c = cli_opts_next(&o, "acm", help)) != 0) {
        if (c == 'a') opt_atime = true;
        if (c == 'c') opt_nocreate = true;
        if (c == 'm') opt_mtime = true;
    }
    if (o.index == argc) cli_usage_error("missing file operand");
    int status = CLI_OK;
    for (int i = o.index; i < argc; i++)
        if (touch_one(argv[i]) != CLI_OK) status = CLI_FAIL;
    return status;
}
