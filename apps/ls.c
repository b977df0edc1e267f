/*
 * apps/ls.c - `ls [-1al] [FILE]...`: lists directories, one name a line,
 * sorted by byte value (as LC_ALL=C ls does). -a shows names that start
 * with '.', and "." and ".." (made here, since WASI hosts differ on
 * whether fd_readdir returns them); -l prints GNU's `ls -l` line without
 * the owner and group columns (as `ls -go`: mode, links, size, time in
 * GNU's default style, name) and no "total" line (WASI has no block
 * counts); -1 is the default. As in coreutils, FILE operands that are not directories come
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
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/fsutil.h"

static const char help[] = "Usage: ls [-1al] [FILE]...\n"
                           "List the FILEs (the current directory by default), sorted by name.\n"
                           "  -1  one name per line (the default)\n"
                           "  -a  do not ignore names that start with '.'\n"
                           "  -l  long listing: mode, links, size, modification time (UTC), name\n";

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

/* The mode column. WASI gives a file's type but no permission bits, so
 * they are the ones a FAT volume has under Linux's default umask (022):
 * rw-r--r-- for files, rwxr-xr-x for directories. */
static void mode_string(mode_t m, char out[11])
{
    char t = S_ISDIR(m)    ? 'd'
             : S_ISLNK(m)  ? 'l'
             : S_ISCHR(m)  ? 'c'
             : S_ISBLK(m)  ? 'b'
             : S_ISSOCK(m) ? 's'
             : S_ISFIFO(m) ? 'p'
             : S_ISREG(m)  ? '-'
                           : '?';
    const char *perm = t == 'd' ? "rwxr-xr-x" : t == 'l' ? "rwxrwxrwx" : "rw-r--r--";
    out[0] = t;
    memcpy(out + 1, perm, 10);
}

/* GNU's default time style: "Mon DD HH:MM" for times in the last six
 * months (and not in the future), else "Mon DD  YYYY". In UTC: WASI has
 * no time zone. */
static void format_when(time_t t, char *out, size_t size)
{
    static time_t now;
    if (!now) now = time(NULL);
    const time_t six_months = 31556952 / 2; /* half a Gregorian year, as GNU */
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, size, "%12s", "?");
        return;
    }
    bool recent = t > now - six_months && t <= now;
    strftime(out, size, recent ? "%b %e %H:%M" : "%b %e  %Y", &tm);
}

/* Column widths of a long listing: link count and size. */
struct widths {
    int links, size;
};

/* An entry's lstat, taken once for the widths and the line (as GNU, so
 * that a file growing meanwhile, like ls's own output, stays aligned). */
struct entry_stat {
    int err; /* 0 or lstat's errno */
    struct stat st;
};

/* One line of output: the name, or with -l GNU's `ls -go` line (mode,
 * links, size, time, name, "-> target" for a symbolic link). path is
 * the name joined to its directory, es its lstat. */
static bool print_entry(const char *path, const char *name, const struct widths *w,
                        const struct entry_stat *es)
{
    if (!opt_long) {
        printf("%s\n", name);
        return true;
    }
    const struct stat st = es->st;
    if (es->err) {
        if (!strcmp(name, "..")) {
            /* the parent of a preopened directory is outside the sandbox:
             * shown as GNU shows an entry it cannot stat */
            printf("d????????? %*s %*s %12s %s\n", w->links, "?", w->size, "?", "?", name);
            return true;
        }
        cli_warn_err(es->err, "cannot access '%s'", path);
        return false;
    }
    char mode[11], when[32];
    mode_string(st.st_mode, mode);
    format_when(st.st_mtim.tv_sec, when, sizeof when);
    printf("%s %*llu %*lld %s %s", mode, w->links, (unsigned long long)st.st_nlink, w->size,
           (long long)st.st_size, when, name);
    char target[1024];
    ssize_t n;
    if (S_ISLNK(st.st_mode) && (n = readlink(path, target, sizeof target - 1)) >= 0) {
        target[n] = 0;
        printf(" -> %s", target);
    }
    printf("\n");
    return true;
}

/* With -l: lstat of every path into es[n] (NULL when out of memory:
 * the caller gives up) and the widest link count and size into *w. */
static struct entry_stat *stat_all(char *const *paths, size_t n, struct widths *w)
{
    *w = (struct widths){1, 1};
    struct entry_stat *es = calloc(n ? n : 1, sizeof *es);
    for (size_t i = 0; es && i < n && opt_long; i++) {
        struct stat *st = &es[i].st;
        es[i].err = lstat(paths[i], st) == 0 ? 0 : errno;
        if (es[i].err) continue;
        int d = snprintf(NULL, 0, "%lld", (long long)st->st_size);
        w->size = d > w->size ? d : w->size;
        d = snprintf(NULL, 0, "%llu", (unsigned long long)st->st_nlink);
        w->links = d > w->links ? d : w->links;
    }
    return es;
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
        struct widths w;
        struct entry_stat *es = stat_all(paths.v, paths.n, &w);
        if (!es) {
            cli_warn_err(ENOMEM, "'%s'", dir);
            status = 2;
        }
        for (size_t i = 0; es && i < names.n; i++)
            if (!print_entry(paths.v[i], names.v[i], &w, &es[i])) status = 1;
        free(es);
    }
    names_free(&names);
    names_free(&paths);
    return status;
}

int main(int argc, char **argv)
{
    cli_init("ls", CLI_USAGE);
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
    /* As GNU, the file operands' columns are as wide as every operand's. */
    struct names all = {0};
    for (size_t i = 0; i < files.n + dirs.n; i++)
        if (names_add(&all, i < files.n ? files.v[i] : dirs.v[i - files.n]) < 0) break;
    struct widths w;
    struct entry_stat *es = stat_all(all.v, all.n, &w);
    names_free(&all);
    if (!es) {
        cli_warn_err(ENOMEM, "operands");
        return 2;
    }
    for (size_t i = 0; i < files.n; i++)
        if (!print_entry(files.v[i], files.v[i], &w, &es[i]) && status < 1) status = 1;
    free(es);
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
