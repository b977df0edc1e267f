/*
 * tests/shell/kpio_sh.c - lib/shell on Linux: the shell's parser, expansion
 * and executor over a POSIX embedder (fork/exec, pipe, open, opendir), so
 * that scripts can be compared with dash's output and exit status.
 *
 *   kpio-sh -c SCRIPT [ARG0 [ARGS...]]
 *   kpio-sh FILE [ARGS...]
 *
 * Descriptors are real ones: everything the embedder opens is close-on-exec,
 * and a child gets only its three standard descriptors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/env.h"
#include "base/error.h"
#include "shell/sh.h"

extern char **environ;

static int neg_errno(void)
{
    return errno ? -errno : ERR_IO;
}

/* The PATH lookup happens here so that "not found" is known before forking. */
static int find_command(const char *name, char *out, size_t size)
{
    if (strchr(name, '/')) {
        snprintf(out, size, "%s", name);
        return access(out, X_OK) == 0 ? 0 : neg_errno();
    }
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    while (*path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        snprintf(out, size, "%.*s/%s", (int)n, n ? path : ".", name);
        struct stat st;
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0) return 0;
        path += n + (end ? 1 : 0);
    }
    return ERR_NOENT;
}

static int p_spawn(void *ctx, char *const *argv, char *const *envp, const int fds[3],
                   bool background)
{
    (void)ctx, (void)background;
    char path[4096];
    int err = find_command(argv[0], path, sizeof path);
    if (err < 0) {
        fprintf(stderr, "kpio-sh: %s: %s\n", argv[0],
                err == ERR_NOENT ? "not found" : strerror(-err));
        return err;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return neg_errno();
    if (pid == 0) {
        int tmp[3];
        for (int i = 0; i < 3; i++)
            tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        for (int i = 0; i < 3; i++)
            if (tmp[i] < 0 || dup2(tmp[i], i) < 0) _exit(126);
        execve(path, argv, envp);
        fprintf(stderr, "kpio-sh: %s: %s\n", argv[0], strerror(errno));
        _exit(126);
    }
    return (int)pid;
}

static int p_wait(void *ctx, int job)
{
    (void)ctx;
    int status;
    while (waitpid(job, &status, 0) < 0)
        if (errno != EINTR) return 127;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

static int p_kill(void *ctx, int job)
{
    (void)ctx;
    return kill(job, SIGTERM) < 0 ? neg_errno() : 0;
}

static int p_open(void *ctx, const char *path, unsigned flags)
{
    (void)ctx;
    int of = O_CLOEXEC;
    if ((flags & SH_O_READ) && (flags & SH_O_WRITE))
        of |= O_RDWR;
    else
        of |= (flags & SH_O_WRITE) ? O_WRONLY : O_RDONLY;
    if (flags & SH_O_CREAT) of |= O_CREAT;
    if (flags & SH_O_TRUNC) of |= O_TRUNC;
    if (flags & SH_O_APPEND) of |= O_APPEND;
    int fd = open(path, of, 0666);
    return fd < 0 ? neg_errno() : fd;
}

static int p_pipe(void *ctx, int fds[2])
{
    (void)ctx;
    return pipe2(fds, O_CLOEXEC) < 0 ? neg_errno() : 0;
}

static void p_close(void *ctx, int fd)
{
    (void)ctx;
    close(fd);
}

static long p_write(void *ctx, int fd, const void *buf, size_t len)
{
    (void)ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, (const char *)buf + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return done ? (long)done : neg_errno();
        done += (size_t)n;
    }
    return (long)done;
}

static int p_list_dir(void *ctx, const char *dir, sh_dirent_fn fn, void *cb_ctx)
{
    (void)ctx;
    DIR *d = opendir(dir[0] ? dir : ".");
    if (!d) return neg_errno();
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        bool is_dir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
            struct stat st;
            is_dir = fstatat(dirfd(d), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
        }
        rc = fn(cb_ctx, e->d_name, is_dir);
    }
    closedir(d);
    return rc;
}

static int p_stat(void *ctx, const char *path, struct sh_stat *out)
{
    (void)ctx;
    struct stat st;
    if (stat(path, &st) < 0) return neg_errno();
    *out = (struct sh_stat){S_ISDIR(st.st_mode), (unsigned long long)st.st_size};
    return 0;
}

static int p_chdir(void *ctx, const char *path)
{
    (void)ctx;
    return chdir(path) < 0 ? neg_errno() : 0;
}

static int p_read_file(void *ctx, const char *path, char **text, size_t *len)
{
    (void)ctx;
    FILE *f = fopen(path, "rb");
    if (!f) return neg_errno();
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = n < SH_MAX_SCRIPT + 1 ? realloc(buf, cap *= 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (!buf) return ERR_NOMEM;
    *text = buf;
    *len = n;
    return 0;
}

static bool p_builtin(void *ctx, int argc, char **argv, const int fds[3], int *status)
{
    (void)ctx, (void)argc;
    if (strcmp(argv[0], "pwd") != 0) return false;
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) {
        *status = 1;
        return true;
    }
    size_t n = strlen(cwd);
    cwd[n++] = '\n';
    *status = p_write(NULL, fds[1], cwd, n) < 0;
    return true;
}

static bool p_is_builtin(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "pwd") == 0;
}

static unsigned long long p_now_ns(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static long p_read(void *ctx, int fd, void *buf, size_t len)
{
    (void)ctx;
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? neg_errno() : (long)n;
    }
}

static const struct sh_ops posix_ops = {
    .spawn = p_spawn,
    .wait = p_wait,
    .kill = p_kill,
    .open = p_open,
    .pipe = p_pipe,
    .close = p_close,
    .write = p_write,
    .read = p_read,
    .list_dir = p_list_dir,
    .stat = p_stat,
    .chdir = p_chdir,
    .read_file = p_read_file,
    .builtin = p_builtin,
    .is_builtin = p_is_builtin,
    .now_ns = p_now_ns,
};

static void import_environ(struct sh *sh)
{
    for (char **e = environ; *e; e++) {
        char *eq = strchr(*e, '=');
        if (!eq) continue;
        *eq = '\0';
        sh_var_set(sh, *e, eq + 1, true); /* names the shell cannot hold are skipped */
        *eq = '=';
    }
}

int main(int argc, char **argv)
{
    static struct sh sh;
    if (argc < 2) {
        fprintf(stderr, "usage: kpio-sh -c SCRIPT [ARG0 ARGS...] | kpio-sh FILE [ARGS...]\n");
        return 2;
    }
    char *text;
    size_t len;
    const char *where;
    int first_arg;
    if (strcmp(argv[1], "-c") == 0) {
        if (argc < 3) return 2;
        text = strdup(argv[2]);
        len = strlen(argv[2]);
        where = argc > 3 ? argv[3] : "kpio-sh";
        first_arg = 4;
    } else {
        if (p_read_file(NULL, argv[1], &text, &len) < 0) {
            fprintf(stderr, "kpio-sh: cannot read %s: %s\n", argv[1], strerror(errno));
            return 127;
        }
        where = argv[1];
        first_arg = 2;
    }
    sh_init(&sh, &posix_ops, NULL, where);
    import_environ(&sh);
    sh.args = argv + (first_arg < argc ? first_arg : argc);
    sh.nargs = first_arg < argc ? argc - first_arg : 0;
    int st = sh_run_text(&sh, text, len, where);
    free(text);
    sh_free(&sh);
    return st;
}
