/*
 * apps/rm.c - `rm [-fr] FILE...`: removes files, and with -r directories
 * with everything in them. Messages and statuses as coreutils': "rm:
 * cannot remove 'x': No such file or directory" (not with -f), "rm:
 * cannot remove 'd': Is a directory" without -r; with -r, "." and ".." as
 * the last component are refused.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/fsutil.h"

static const char help[] = "Usage: rm [-fr] FILE...\n"
                           "Remove the FILEs.\n"
                           "  -f      ignore missing files, never fail for them\n"
                           "  -r, -R  remove directories and their contents recursively\n";

static bool opt_force, opt_recursive;

static bool remove_path(const char *path);

static bool remove_dir_contents(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        cli_warn_err(errno, "cannot remove '%s'", path);
        return false;
    }
    /* Collect first: removing while reading a directory is unspecified. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = realloc(names, cap * sizeof *v);
            ok = v != NULL;
            names = v ? v : names;
        }
        if (ok && !(names[n++] = fs_join(path, e->d_name))) ok = false;
    }
    closedir(d);
    if (!ok) cli_warn_err(ENOMEM, "cannot remove '%s'", path);
    for (size_t i = 0; i < n; i++) {
        if (ok && names[i]) ok = remove_path(names[i]);
        free(names[i]);
    }
    free(names);
    return ok;
}

static bool remove_path(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (opt_force && errno == ENOENT) return true;
        cli_warn_err(errno, "cannot remove '%s'", path);
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) == 0) return true;
        cli_warn_err(errno, "cannot remove '%s'", path);
        return false;
    }
    if (!opt_recursive) {
        cli_warn_err(EISDIR, "cannot remove '%s'", path);
        return false;
    }
    if (!remove_dir_contents(path)) return false;
    if (rmdir(path) == 0) return true;
    cli_warn_err(errno, "cannot remove '%s'", path);
    return false;
}

/* "." and ".." as the last component: coreutils refuses those. */
static bool is_dot_or_dotdot(const char *path)
{
    char base[256];
    fs_basename(path, base, sizeof base);
    return !strcmp(base, ".") || !strcmp(base, "..");
}

int main(int argc, char **argv)
{
    cli_init("rm", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    int c;
    while ((c = cli_opts_next(&o, "frR", help)) != 0) {
        if (c == 'f')
            opt_force = true;
        else
            opt_recursive = true;
    }
    if (o.index == argc) {
        if (opt_force) return CLI_OK;
        cli_usage_error("missing operand");
    }
    bool ok = true;
    for (int i = o.index; i < argc; i++) {
        if (opt_recursive && is_dot_or_dotdot(argv[i])) {
            cli_warn("refusing to remove '.' or '..' directory: skipping '%s'", argv[i]);
            ok = false;
            continue;
        }
        if (!strcmp(argv[i], "/")) {
            cli_warn("it is dangerous to operate recursively on '/'");
            ok = false;
            continue;
        }
        ok = remove_path(argv[i]) && ok;
    }
    return ok ? CLI_OK : CLI_FAIL;
}
