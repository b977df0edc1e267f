/*
 * tests/fuzz/fuzz_shell_parse.c - libFuzzer target for lib/shell: the input
 * is script text. Checked on every input:
 *   - sh_parse never reads outside the input and either fails with a
 *     message that names a column, or gives a tree whose counts are within
 *     the limits of sh.h;
 *   - an accepted script runs on a fake embedder (commands are not found,
 *     files open as descriptor 3, a directory of four names to glob against)
 *     and ends: the embedder reports an interrupt after a fixed number of
 *     steps, so loops stop.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "shell/sh.h"

static int steps;

static int f_spawn(void *c, char *const *argv, char *const *envp, const int fds[3], bool bg)
{
    (void)c, (void)envp, (void)fds, (void)bg;
    if (!argv[0]) abort();
    return ERR_NOENT;
}
static int f_wait(void *c, int job)
{
    (void)c, (void)job;
    abort(); /* nothing was started */
}
static int f_open(void *c, const char *path, unsigned flags)
{
    (void)c, (void)flags;
    return path[0] == 'x' ? ERR_NOENT : 3;
}
static int f_pipe(void *c, int fds[2])
{
    (void)c;
    fds[0] = 4;
    fds[1] = 5;
    return 0;
}
static void f_close(void *c, int fd)
{
    (void)c;
    if (fd < 3) abort(); /* the shell closes only what it opened */
}
static long f_write(void *c, int fd, const void *buf, size_t len)
{
    (void)c, (void)fd;
    volatile const char *p = buf;
    if (len) (void)p[len - 1];
    return (long)len;
}
static int f_list(void *c, const char *dir, sh_dirent_fn fn, void *cb)
{
    (void)c, (void)dir;
    static const char *const names[] = {"a.txt", "b.txt", ".hidden", "sub"};
    for (int i = 0; i < 4; i++)
        if (fn(cb, names[i], i == 3)) return ERR_NOMEM;
    return 0;
}
static int f_stat(void *c, const char *path, struct sh_stat *st)
{
    (void)c;
    *st = (struct sh_stat){strcmp(path, "sub") == 0, path[0] == 'e' ? 0 : 1};
    return path[0] == 'x' ? ERR_NOENT : 0;
}
static int f_chdir(void *c, const char *path)
{
    (void)c, (void)path;
    return 0;
}
static int f_read_file(void *c, const char *path, char **text, size_t *len)
{
    (void)c, (void)path, (void)text, (void)len;
    return ERR_NOENT;
}
static bool f_interrupted(void *c)
{
    (void)c;
    return ++steps > 2000;
}

static const struct sh_ops ops = {
    .spawn = f_spawn,
    .wait = f_wait,
    .open = f_open,
    .pipe = f_pipe,
    .close = f_close,
    .write = f_write,
    .list_dir = f_list,
    .stat = f_stat,
    .chdir = f_chdir,
    .read_file = f_read_file,
    .interrupted = f_interrupted,
};

static void check(const struct sh_node *n, int depth)
{
    if (!n) return;
    if (depth > 4 * SH_MAX_DEPTH + 8 || n->nwords < 0 || n->nwords > SH_MAX_WORDS ||
        n->nredirs > SH_MAX_REDIRS || n->ncmds > SH_MAX_PIPE || n->nassigns > n->nwords)
        abort();
    for (int i = 0; i < n->nwords; i++)
        if (!n->words[i] || strlen(n->words[i]) > SH_WORD_MAX) abort();
    for (int i = 0; i < n->nredirs; i++)
        if (!n->redirs[i].word || n->redirs[i].fd < 0 || n->redirs[i].fd > 2) abort();
    for (int i = 0; i < n->ncmds; i++)
        check(n->cmds[i], depth + 1);
    check(n->a, depth + 1);
    check(n->b, depth + 1);
    check(n->c, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    memcpy(text, data, size);
    struct sh_script s;
    struct sh_error err;
    int e = sh_parse(text, size, &s, &err);
    if (e < 0) {
        if (e != ERR_NOMEM && !strstr(err.msg, "column")) abort();
        free(text);
        return 0;
    }
    check(s.root, 0);
    static struct sh sh;
    sh_init(&sh, &ops, NULL, "fuzz");
    steps = 0;
    sh_var_set(&sh, "X", "a b *", true);
    sh_run(&sh, s.root);
    sh_free(&sh);
    sh_script_free(&s);
    free(text);
    return 0;
}
