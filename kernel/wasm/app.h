/*
 * kernel/wasm/app.h - running WASM apps: load a .wasm from the VFS,
 * instantiate it with the WASI imports and run it in a kernel thread of its
 * own, with the console as stdin/stdout/stderr.
 */
#ifndef WASM_APP_H
#define WASM_APP_H

#include <stdbool.h>

#include "base/list.h"

#define APP_NAME_MAX 32
#define APP_MAX_ARGS 32

struct thread;

struct app {
    int pid; /* the thread id */
    char name[APP_NAME_MAX];
    char path[256];
    struct thread *thread;
    bool background;
    volatile bool done;
    int status; /* exit status once done */
    struct list_node node;
};

/*
 * Starts the app at path (a .wasm file) with argv (argv[0] = its name) in
 * the working directory cwd. A background app gets an empty stdin.
 * Returns 0 and *out, or an error (ERR_NOENT, ERR_BADMSG for a bad module,
 * ERR_NOMEM); the reason is printed on the console.
 */
int app_start(const char *path, int argc, char **argv, const char *cwd, bool background,
              struct app **out);
/* Waits for the app to finish and frees it; returns its exit status (128 +
 * something for a trap or kill, as shells do). */
int app_wait(struct app *a);
/* Stops a running app (its waits end, its loop is interrupted). */
int app_kill(int pid);
/* The foreground app gets Ctrl-C from the console. */
void app_set_foreground(struct app *a);

#endif
