/*
 * apps/cp.c - `cp [-r] SOURCE DEST` and `cp [-r] SOURCE... DIRECTORY`:
 * copies regular files (and with -r, directories and what is in them).
 * Messages and statuses as coreutils': "cp: cannot stat 'x': No such file
 * or directory", "cp: -r not specified; omitting directory 'd'"; 1 when
 * something could not be copied, 2 for bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sdk/cli.h"
#include "sdk/fsutil.h"

static const char help[] = "Usage: cp [-r] SOURCE DEST\n"
                           "  or:  cp [-r] SOURCE... DIRECTORY\n"
                           "Copy SOURCE to DEST, or the SOURCEs into DIRECTORY.\n"
                           "  -r, -R  copy directories recursively\n";

static bool opt_recursive;

static bool copy_path(const char *src, const char *dst);

static void copy_error(int err, enum fs_copy_side side, const char *src, const char *dst)
{
    switch (side) {
    case FS_COPY_SRC_OPEN: cli_warn_err(err, "cannot open '%s' for reading", src); break;
    case FS_COPY_SRC_READ: cli_warn_err(err, "error reading '%s'", src); break;
    case FS_COPY_DST_OPEN: cli_warn_err(err, "cannot create regular file '%s'", dst); break;
    case FS_COPY_DST_WRITE: cli_warn_err(err, "error writing '%s'", dst); break;
    }
}

/* Copies the directory src to dst (created if missing), entry by entry. */
static bool copy_dir(const char *src, const char *dst)
{
    struct stat st;
    if (stat(dst, &st) != 0) {
        if (mkdir(dst, 0777) != 0) {
            cli_warn_err(errno, "cannot create directory '%s'", dst);
            return false;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        cli_warn("cannot overwrite non-directory '%s' with directory '%s'", dst, src);
        return false;
    }
    DIR *d = opendir(src);
    if (!d) {
        cli_warn_err(errno, "cannot access '%s'", src);
        return false;
    }
    bool ok = true;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *s = fs_join(src, e->d_name), *t = fs_join(dst, e->d_name);
        ok = s && t ? copy_path(s, t) && ok : false;
        free(s);
        free(t);
    }
    closedir(d);
    return ok;
}

static bool copy_path(const char *src, const char *dst)
{
    struct stat st;
    if (stat(src, &st) != 0) {
        cli_warn_err(errno, "cannot stat '%s'", src);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        if (!opt_recursive) {
            cli_warn("-r not specified; omitting directory '%s'", src);
            return false;
        }
        return copy_dir(src, dst);
    }
    if (fs_same_file(src, dst)) {
        cli_warn("'%s' and '%s' are the same file", src, dst);
        return false;
    }
    enum fs_copy_side side;
    int err = fs_copy_file(src, dst, &side);
    if (err) copy_error(err, side, src, dst);
    return err == 0;
}

int main(int argc, char **argv)
{
    cli_init("cp", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    while (cli_opts_next(&o, "rR", help) != 0)
        opt_recursive = true;
    return fs_apply_to_target(argc, argv, o.index, copy_path);
}
