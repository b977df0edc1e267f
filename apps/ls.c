/*
 * apps/ls.c - `ls [-1al] [FILE]...`: lists directories, one name a line,
 * sorted by byte value (as LC_ALL=C ls does). -a shows names that start
 * with '.', and "." and ".." (made here, since WASI hosts differ on
 * whether fd_readdir returns them); -l prints the type ('d', '-' or 'l'),
 * the size and the modification time (UTC) before each name; -1 is the
 * default. As in coreutils, FILE operands that are not directories come
 * first, then each directory under a "NAME:" header when there are
 * several operands. A missing operand is reported ("ls: cannot access
 * 'x': No such file or directory") and gives exit status 2.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sdk/cli.h"
#include "sdk/fsutil.h"

static const char help[] = "Usage: ls [-1al] [FILE]...\n"
                           "List the FILEs (the current directory by default), sorted by name.\n"
                           "  -1  one name per line (the default)\n"
                           "  -a  do not ignore names that start with '.'\n"
                           "  -l  long listing: type, size, modification time (UTC), name\n";

static bool opt_all, opt_long;

struct names {
    char **v;
    size_t n, cap;
};

static int names_add(struct names *s, const char *name)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v) return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n] = strdup(name);
    return s->v[s->n] ? (int)s->n++ : -1;
}

static void names_free(struct names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    *s = (struct names){0};
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char type_char(mode_t m)
{
    return S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : '-';
}

/* One line of output: the name, or with -l type, size, time and name.
 * path is what to stat (the name joined to its directory). */
static bool print_entry(const char *path, const char *name, int size_width)
{
    if (!opt_long) {
        printf("%s\n", name);
        return true;
    }
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (!strcmp(name, "..")) {
            /* the parent of a preopened directory is outside the sandbox */
            printf("d %*s %-16s %s\n", size_width, "?", "?", name);
            return true;
        }
        cli_warn_err(errno, "cannot access '%s'", path);
        return false;
    }
    struct tm tm;
    time_t t = st.st_mtim.tv_sec;
    char when[32] = "-";
    if (gmtime_r(&t, &tm)) strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    printf("%c %*lld %s %s\n", type_char(st.st_mode), size_width, (long long)st.st_size, when,
           name);
    return true;
}

/* Width of the widest size among the entries, for -l. */
static int size_width(char *const *paths, size_t n)
{
    int w = 1;
    for (size_t i = 0; i < n && opt_long; i++) {
        struct stat st;
        if (lstat(paths[i], &st) == 0) {
            int d = snprintf(NULL, 0, "%lld", (long long)st.st_size);
            w = d > w ? d : w;
        }
    }
    return w;
}

/* Lists one directory. Returns 0, 1 (minor trouble: an entry could not
 * be examined) or 2 (the directory could not be read). */
static int list_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_warn_err(errno, "cannot open directory '%s'", dir);
        return 2;
    }
    struct names names = {0};
    int status = 0;
    if (opt_all && (names_add(&names, ".") < 0 || names_add(&names, "..") < 0)) status = 2;
    struct dirent *e;
    errno = 0;
    while (status == 0 && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            (e->d_name[0] == '.' && !opt_all))
            continue;
        if (names_add(&names, e->d_name) < 0) status = 2;
    }
    if (status == 0 && errno != 0) {
        cli_warn_err(errno, "reading directory '%s'", dir);
        status = 2;
    }
    closedir(d);
    qsort(names.v, names.n, sizeof *names.v, cmp_names);
    struct names paths = {0};
    for (size_t i = 0; i < names.n && status == 0; i++) {
        char *p = fs_join(dir, names.v[i]);
        if (!p || names_add(&paths, p) < 0) status = 2;
        free(p);
    }
    if (status == 2) {
        cli_warn_err(ENOMEM, "'%s'", dir);
    } else {
        int w = size_width(paths.v, paths.n);
        for (size_t i = 0; i < names.n; i++)
            if (!print_entry(paths.v[i], names.v[i], w)) status = 1;
    }
    names_free(&names);
    names_free(&paths);
    return status;
}

int main(int argc, char **argv)
{
    cli_init("ls");
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    int c;
    while ((c = cli_opts_next(&o, "1al", help)) != 0) {
        if (c == 'a')
            opt_all = true;
        else if (c == 'l')
            opt_long = true;
    }
    if (o.index == argc) return list_dir(".");

    /* Sort the operands into missing ones, files and directories. */
    struct names files = {0}, dirs = {0};
    int status = 0;
    for (int i = o.index; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            cli_warn_err(errno, "cannot access '%s'", argv[i]);
            status = 2;
        } else if (names_add(S_ISDIR(st.st_mode) ? &dirs : &files, argv[i]) < 0) {
            cli_warn_err(ENOMEM, "'%s'", argv[i]);
            return 2;
        }
    }
    qsort(files.v, files.n, sizeof *files.v, cmp_names);
    qsort(dirs.v, dirs.n, sizeof *dirs.v, cmp_names);
    int w = size_width(files.v, files.n);
    for (size_t i = 0; i < files.n; i++)
        if (!print_entry(files.v[i], files.v[i], w) && status < 1) status = 1;
    bool headers = argc - o.index > 1;
    for (size_t i = 0; i < dirs.n; i++) {
        if (headers) printf("%s%s:\n", (i > 0 || files.n > 0) ? "\n" : "", dirs.v[i]);
        int s = list_dir(dirs.v[i]);
        status = s > status ? s : status;
    }
    names_free(&files);
    names_free(&dirs);
    if (fflush(stdout) != 0) {
        cli_warn_err(errno, "write error");
        return 2;
    }
    return status;
}
