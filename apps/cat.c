/*
 * apps/cat.c - `cat [FILE]...`: copies each FILE, or standard input for
 * "-" or no FILE, to standard output. A file that cannot be read is
 * reported ("cat: /x: No such file or directory") and the others are
 * still copied; the exit status is then 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"

static const char help[] = "Usage: cat [FILE]...\n"
                           "Concatenate FILEs to standard output.\n"
                           "With no FILE, or when FILE is -, read standard input.\n";

static char buf[64 * 1024];

/* Copies fd to stdout. Returns 0, or an errno; *wfail tells a write error
 * (which ends the program) from a read error. */
static int copy_fd(int fd, bool *wfail)
{
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0) return 0;
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (cli_write_all(STDOUT_FILENO, buf, (size_t)n) != 0) {
            *wfail = true;
            return errno;
        }
    }
}

/* Copies one operand. Returns true on success. */
static bool cat_one(const char *path, bool *wfail)
{
    if (strcmp(path, "-") == 0) {
        int err = copy_fd(STDIN_FILENO, wfail);
        if (err) cli_warn_err(err, *wfail ? "write error" : "-");
        return err == 0;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        cli_warn_err(errno, "%s", path);
        return false;
    }
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (!err) err = copy_fd(fd, wfail);
    close(fd);
    if (err) cli_warn_err(err, "%s", *wfail ? "write error" : path);
    return err == 0;
}

int main(int argc, char **argv)
{
    cli_init("cat", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    while (cli_opts_next(&o, "u", help) != 0) {
        /* -u (unbuffered) is what cat does anyway */
    }
    bool ok = true, wfail = false;
    if (o.index == argc) return cat_one("-", &wfail) ? CLI_OK : CLI_FAIL;
    for (int i = o.index; i < argc && !wfail; i++)
        ok &= cat_one(argv[i], &wfail);
    return ok ? CLI_OK : CLI_FAIL;
}
