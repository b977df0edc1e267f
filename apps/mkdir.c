/*
 * apps/mkdir.c - `mkdir [-p] DIRECTORY...`: creates directories; with -p
 * also their missing parents, and an existing directory is no error.
 * "mkdir: cannot create directory 'x': File exists" otherwise, status 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sdk/cli.h"

static const char help[] = "Usage: mkdir [-p] DIRECTORY...\n"
                           "Create the DIRECTORYs.\n"
                           "  -p  no error if existing, make parent directories as needed\n";

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p: each prefix ending before a '/' and then the whole path. */
static bool make_parents(const char *path)
{
    char *p = strdup(path);
    if (!p) {
        cli_warn_err(ENOMEM, "cannot create directory '%s'", path);
        return false;
    }
    bool ok = true;
    size_t len = strlen(p);
    for (size_t i = 1; i <= len && ok; i++) {
        if (i < len && p[i] != '/') continue;
        char saved = p[i];
        p[i] = '\0';
        if (p[i - 1] != '/' && mkdir(p, 0777) != 0 && !(errno == EEXIST && is_dir(p))) {
            cli_warn_err(errno == EEXIST ? ENOTDIR : errno, "cannot create directory '%s'", p);
            ok = false;
        }
        p[i] = saved;
    }
    free(p);
    return ok;
}

int main(int argc, char **argv)
{
    cli_init("mkdir", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    bool parents = false;
    while (cli_opts_next(&o, "p", help) != 0)
        parents = true;
    if (o.index == argc) cli_usage_error("missing operand");
    bool ok = true;
    for (int i = o.index; i < argc; i++) {
        if (parents) {
            ok = make_parents(argv[i]) && ok;
        } else if (mkdir(argv[i], 0777) != 0) {
            cli_warn_err(errno, "cannot create directory '%s'", argv[i]);
            ok = false;
        }
    }
    return ok ? CLI_OK : CLI_FAIL;
}
