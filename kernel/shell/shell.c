/*
 * kernel/shell/shell.c - the shell thread: /etc/rc, the prompt, and running
 * commands (built-ins first, then apps searched in /apps).
 */
#include "shell/shell.h"

#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "boot/cmdline.h"
#include "fs/vfs.h"
#include "lib/klog.h"
#include "mm/heap.h"
#include "power/power.h"
#include "sched/sched.h"
#include "wasm/app.h"

#define APPS_DIR "/apps"
#define RC_PATH  "/etc/rc"

/* argv[0] -> the .wasm to run: a path if it has a slash, else /apps/NAME.wasm. */
static int find_app(struct shell *sh, const char *name, char *out, size_t size)
{
    struct vfs_stat st;
    if (strchr(name, '/')) {
        int err = vfs_resolve(sh->cwd, name, out, size);
        if (err < 0) return err;
    } else {
        fmt_snprintf(out, size, APPS_DIR "/%s.wasm", name);
    }
    int err = vfs_stat(out, &st);
    if (err == 0 && st.is_dir) return ERR_ISDIR;
    return err;
}

static int run_app(struct shell *sh, int argc, char **argv, bool background)
{
    char path[VFS_PATH_MAX];
    int err = find_app(sh, argv[0], path, sizeof path);
    if (err == ERR_NOENT && !strchr(argv[0], '/')) {
        kprintf("%s: command not found (no built-in and no %s/%s.wasm; try 'help')\n", argv[0],
                APPS_DIR, argv[0]);
        return 127;
    }
    if (err < 0) {
        kprintf("%s: %s\n", argv[0], err_str(err));
        return 126;
    }
    struct app *a;
    err = app_start(path, argc, argv, sh->cwd, background, &a);
    if (err < 0) return 126;
    if (background) {
        kprintf("[%d] %s\n", a->pid, a->name);
        return 0;
    }
    app_set_foreground(a);
    int status = app_wait(a);
    app_set_foreground(NULL);
    return status;
}

int shell_run_line(struct shell *sh, const char *line)
{
    char buf[SHELL_LINE_MAX];
    char *argv[SHELL_MAX_ARGS + 1];
    bool background;
    int argc = shell_split(line, buf, sizeof buf, argv, SHELL_MAX_ARGS, &background);
    if (argc < 0) {
        kprintf("shell: cannot parse the line (an unterminated quote, or too long)\n");
        return 2;
    }
    if (argc == 0) return sh->last_status;
    argv[argc] = NULL;
    int status;
    if (background || !shell_builtin(sh, argc, argv, &status))
        status = run_app(sh, argc, argv, background);
    sh->last_status = status;
    if (status && !sh->first_failure) sh->first_failure = status;
    return status;
}

/* Runs /etc/rc line by line; returns false if there is none. */
static bool run_rc(struct shell *sh)
{
    struct file *f;
    if (vfs_open(RC_PATH, VFS_O_READ, &f) < 0) return false;
    klog_info("shell", "running %s", RC_PATH);
    char *text = kmalloc(16384);
    long n = text ? vfs_read(f, text, 16383) : ERR_NOMEM;
    vfs_close(f);
    if (n < 0) {
        kprintf("shell: cannot read %s: %s\n", RC_PATH, err_str((int)n));
        kfree(text);
        return true;
    }
    text[n] = '\0';
    sh->script = true;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p && *p != '#') {
            kprintf("rc> %s\n", p);
            int st = shell_run_line(sh, p);
            if (st) kprintf("rc: '%s' exited with status %d\n", p, st);
        }
        line = nl ? nl + 1 : NULL;
    }
    sh->script = false;
    kfree(text);
    return true;
}

static void shell_thread(void *arg)
{
    (void)arg;
    static struct shell sh;
    str_copy(sh.cwd, "/", sizeof sh.cwd);
    const char *one = cmdline_get("run");
    if (one) {
        sh.script = true;
        kprintf("run> %s\n", one);
        int st = shell_run_line(&sh, one);
        kprintf("run: exit status %d\n", st);
        power_set_exit_status((unsigned)st);
        power_off();
    }
    run_rc(&sh);
    if (cmdline_get("shell") && strcmp(cmdline_get("shell"), "0") == 0) return;
    kprintf("\nKPIO shell. Type 'help' for the commands.\n");
    char line[SHELL_LINE_MAX], prompt[300];
    for (;;) {
        fmt_snprintf(prompt, sizeof prompt, "kpio:%s$ ", sh.cwd);
        int n = shell_read_line(prompt, line, sizeof line);
        if (n < 0) {
            thread_sleep_ms(100); /* no console input: keep the shell alive */
            continue;
        }
        shell_run_line(&sh, line);
    }
}

void shell_start(void)
{
    if (!thread_create("shell", shell_thread, NULL, 64 * 1024, 0))
        klog_error("shell", "cannot start the shell thread");
}
