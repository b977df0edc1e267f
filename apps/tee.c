/*
 * apps/tee.c - `tee [-a] [FILE]...`: copies standard input to standard
 * output and to each FILE (truncated, or appended to with -a), as GNU
 * coreutils. A FILE that cannot be opened or written is reported and
 * dropped; the others go on; the exit status is then 1. Memory: one
 * 64 KiB buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdk/cli.h"

static const char help[] = "Usage: tee [OPTION]... [FILE]...\n"
                           "Copy standard input to each FILE, and also to standard output.\n"
                           "  -a  append to the given FILEs, do not overwrite\n";

static char buf[64 * 1024];

int main(int argc, char **argv)
{
    cli_init("tee", CLI_FAIL);
    struct cli_opts o;
    cli_opts_permute(argc, argv, "a"); /* GNU: options after operands too */
    cli_opts_init(&o, argc, argv);
    bool append = false;
    while (cli_opts_next(&o, "a", help) != 0)
        append = true;
    int n = argc - o.index + 1;
    int *fds = calloc((size_t)n, sizeof *fds);
    const char **names = calloc((size_t)n, sizeof *names);
    if (!fds || !names) {
        cli_warn("memory exhausted");
        return CLI_FAIL;
    }
    bool ok = true;
    fds[0] = STDOUT_FILENO;
    names[0] = "standard output";
    for (int i = 1; i < n; i++) {
        names[i] = argv[o.index + i - 1];
        fds[i] = open(names[i], O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0666);
        if (fds[i] < 0) {
            cli_warn_err(errno, "%s", names[i]);
            ok = false;
        }
    }
    for (;;) {
        ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            cli_warn_err(errno, "read error");
            ok = false;
        }
        if (r <= 0) break;
        for (int i = 0; i < n; i++) {
            if (fds[i] < 0 || cli_write_all(fds[i], buf, (size_t)r) == 0) continue;
            cli_warn_err(errno, "%s", names[i]);
            if (i > 0) close(fds[i]);
            fds[i] = -1;
            ok = false;
        }
    }
    for (int i = 1; i < n; i++)
        if (fds[i] >= 0 && close(fds[i]) != 0) {
            cli_warn_err(errno, "%s", names[i]);
            ok = false;
        }
    return ok ? CLI_OK : CLI_FAIL;
}
