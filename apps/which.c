/*
 * apps/which.c - `which [-a] NAME...`: where the KPIO shell finds each
 * command. The shell runs NAME from /apps/NAME.wasm; here each directory
 * of $PATH (default /apps, the shell's only one) is tried for NAME, then
 * NAME.wasm, and the first regular file found is printed (-a: every one).
 * A NAME with a '/' is a path, printed when it names a regular file.
 * Exit status as debianutils' which: 0 when all were found, 1 when some
 * were not, 2 for bad usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sdk/cli.h"

static const char help[] = "Usage: which [-a] NAME...\n"
                           "Print where each command NAME is found: the first of DIR/NAME\n"
                           "and DIR/NAME.wasm, for each DIR of $PATH (default /apps).\n"
                           "  -a  print every match, not only the first\n";

static bool opt_all;

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Tries dir/name and dir/name.wasm; returns how many were printed. */
static int try_dir(const char *dir, size_t dlen, const char *name)
{
    static const char *const suffixes[] = {"", ".wasm"};
    int found = 0;
    for (int s = 0; s < 2 && (opt_all || !found); s++) {
        size_t n = dlen + strlen(name) + 8;
        char *p = malloc(n);
        if (!p) return found;
        if (dlen == 0)
            snprintf(p, n, "%s%s", name, suffixes[s]); /* an empty entry is the cwd */
        else
            snprintf(p, n, "%.*s%s%s%s", (int)dlen, dir, dir[dlen - 1] == '/' ? "" : "/", name,
                     suffixes[s]);
        if (is_file(p)) {
            printf("%s\n", p);
            found++;
        }
        free(p);
    }
    return found;
}

static bool which_one(const char *name)
{
    if (strchr(name, '/')) {
        if (!is_file(name)) return false;
        printf("%s\n", name);
        return true;
    }
    const char *path = getenv("PATH");
    if (!path) path = "/apps";
    int found = 0;
    for (const char *p = path;; p++) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        found += try_dir(p, len, name);
        if (!end || (found && !opt_all)) break;
        p = end;
    }
    return found > 0;
}

int main(int argc, char **argv)
{
    cli_init("which", CLI_USAGE);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    while (cli_opts_next(&o, "a", help) != 0)
        opt_all = true;
    if (o.index == argc) return CLI_FAIL;
    int status = CLI_OK;
    for (int i = o.index; i < argc; i++)
        if (!which_one(argv[i])) status = CLI_FAIL;
    return fflush(stdout) == 0 ? status : CLI_FAIL;
}
