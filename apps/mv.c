/*
 * apps/mv.c - `mv SOURCE DEST` and `mv SOURCE... DIRECTORY`: renames, or
 * when the rename crosses file systems (EXDEV, e.g. two preopens) copies
 * a regular file and removes the source. Messages and statuses as
 * coreutils' ("mv: cannot stat 'x': No such file or directory"; 1 on
 * failure, 2 for bad usage).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/fsutil.h"

static const char help[] = "Usage: mv SOURCE DEST\n"
                           "  or:  mv SOURCE... DIRECTORY\n"
                           "Rename SOURCE to DEST, or move the SOURCEs into DIRECTORY.\n";

/* Copy and unlink, for a rename across file systems. */
static bool move_by_copy(const char *src, const char *dst, const struct stat *st)
{
    if (!S_ISREG(st->st_mode)) {
        cli_warn_err(EXDEV, "cannot move '%s' to '%s'", src, dst);
        return false;
    }
    enum fs_copy_side side;
    int err = fs_copy_file(src, dst, &side);
    if (err) {
        cli_warn_err(err, "cannot move '%s' to '%s'", src, dst);
        if (side == FS_COPY_SRC_READ || side == FS_COPY_DST_WRITE)
            unlink(dst); /* ours, half written */
        return false;
    }
    if (unlink(src) != 0) {
        cli_warn_err(errno, "cannot remove '%s'", src);
        return false;
    }
    return true;
}

static bool move(const char *src, const char *dst)
{
    struct stat st;
    if (lstat(src, &st) != 0) {
        cli_warn_err(errno, "cannot stat '%s'", src);
        return false;
    }
    if (fs_same_file(src, dst)) {
        cli_warn("'%s' and '%s' are the same file", src, dst);
        return false;
    }
    if (rename(src, dst) == 0) return true;
    if (errno == EXDEV) return move_by_copy(src, dst, &st);
    cli_warn_err(errno, "cannot move '%s' to '%s'", src, dst);
    return false;
}

int main(int argc, char **argv)
{
    cli_init("mv", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    while (cli_opts_next(&o, "", help) != 0) {
    }
    return fs_apply_to_target(argc, argv, o.index, move);
}
