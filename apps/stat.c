/*
 * apps/stat.c - `stat [-L] [-c FORMAT] FILE...`: GNU stat's default
 * layout for the fields WASI's filestat has (name, size, type, inode,
 * links, access, modification and change times; no blocks, device,
 * permissions or owners, which WASI does not give), times in UTC. -c
 * FORMAT prints FORMAT with %n %N %s %F %h %i %X %Y %Z %x %y %z %% for
 * each FILE. A symbolic link is described itself unless -L.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/timefmt.h"

static const char help[] = "Usage: stat [-L] [-c FORMAT] FILE...\n"
                           "Display what WASI knows about each FILE.\n"
                           "  -c FORMAT  print FORMAT: %n name, %N quoted name (-> target),\n"
                           "             %s size, %F type, %h links, %i inode, %X %Y %Z\n"
                           "             access/modify/change seconds, %x %y %z as dates\n"
                           "  -L         follow symbolic links\n";

static bool opt_follow;

static const char *type_name(const struct stat *st)
{
    mode_t m = st->st_mode;
    if (S_ISREG(m)) return st->st_size == 0 ? "regular empty file" : "regular file";
    if (S_ISDIR(m)) return "directory";
    if (S_ISLNK(m)) return "symbolic link";
    if (S_ISCHR(m)) return "character special file";
    if (S_ISBLK(m)) return "block special file";
    if (S_ISFIFO(m)) return "fifo";
    if (S_ISSOCK(m)) return "socket";
    return "weird file";
}

/* "2026-12-07 02:30:33.123456789 +0000", as GNU's %y. */
static void when(const struct timespec *t, char *out, size_t size)
{
    if (timefmt(out, size, "%Y-%m-%d %H:%M:%S.%N %z", t->tv_sec, t->tv_nsec) < 0)
        snprintf(out, size, "?");
}

/* The quoted name, with " -> 'target'" for a link, as GNU's %N. */
static void print_quoted(const char *path, const struct stat *st)
{
    printf("'%s'", path);
    char target[1024];
    ssize_t n;
    if (S_ISLNK(st->st_mode) && (n = readlink(path, target, sizeof target - 1)) >= 0) {
        target[n] = 0;
        printf(" -> '%s'", target);
    }
}

static void print_default(const char *path, const struct stat *st)
{
    char a[64], m[64], c[64];
    when(&st->st_atim, a, sizeof a);
    when(&st->st_mtim, m, sizeof m);
    when(&st->st_ctim, c, sizeof c);
    printf("  File: %s", path);
    char target[1024];
    ssize_t n;
    if (S_ISLNK(st->st_mode) && (n = readlink(path, target, sizeof target - 1)) >= 0) {
        target[n] = 0;
        printf(" -> %s", target);
    }
    printf("\n  Size: %-10lld\t%s\n", (long long)st->st_size, type_name(st));
    printf("Inode: %-11llu Links: %llu\n", (unsigned long long)st->st_ino,
           (unsigned long long)st->st_nlink);
    printf("Access: %s\nModify: %s\nChange: %s\n", a, m, c);
}

static void print_format(const char *fmt, const char *path, const struct stat *st)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || !p[1]) {
            putchar(*p);
            continue;
        }
        char buf[64];
        switch (*++p) {
        case 'n': printf("%s", path); break;
        case 'N': print_quoted(path, st); break;
        case 's': printf("%lld", (long long)st->st_size); break;
        case 'F': printf("%s", type_name(st)); break;
        case 'h': printf("%llu", (unsigned long long)st->st_nlink); break;
        case 'i': printf("%llu", (unsigned long long)st->st_ino); break;
        case 'X': printf("%lld", (long long)st->st_atim.tv_sec); break;
        case 'Y': printf("%lld", (long long)st->st_mtim.tv_sec); break;
        case 'Z': printf("%lld", (long long)st->st_ctim.tv_sec); break;
        case 'x': when(&st->st_atim, buf, sizeof buf), printf("%s", buf); break;
        case 'y': when(&st->st_mtim, buf, sizeof buf), printf("%s", buf); break;
        case 'z': when(&st->st_ctim, buf, sizeof buf), printf("%s", buf); break;
        case '%': putchar('%'); break;
        default: printf("?"); break;
        }
    }
    putchar('\n');
}

int main(int argc, char **argv)
{
    cli_init("stat", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    const char *fmt = NULL;
    int c;
    while ((c = cli_opts_next(&o, "Lc:", help)) != 0) {
        if (c == 'L') opt_follow = true;
        if (c == 'c') fmt = o.arg;
    }
    if (o.index == argc) cli_usage_error("missing operand");
    int status = CLI_OK;
    for (int i = o.index; i < argc; i++) {
        struct stat st;
        if ((opt_follow ? stat(argv[i], &st) : lstat(argv[i], &st)) != 0) {
            cli_warn_err(errno, "cannot statx '%s'", argv[i]);
            status = CLI_FAIL;
        } else if (fmt) {
            print_format(fmt, argv[i], &st);
        } else {
            print_default(argv[i], &st);
        }
    }
    if (fflush(stdout) != 0) {
        cli_warn_err(errno, "write error");
        return CLI_FAIL;
    }
    return status;
}
