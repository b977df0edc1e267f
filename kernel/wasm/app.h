/*
 * kernel/wasm/app.h - running WASM apps: load a .wasm from the VFS,
 * instantiate it with the WASI imports and run it in a kernel thread of its
 * own, with three standard streams (the console, a file or a pipe end,
 * kernel/wasm/stream.h) and an environment.
 */
#ifndef WASM_APP_H
#define WASM_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/list.h"

#define APP_NAME_MAX 32
#define APP_MAX_ARGS 32
#define APP_MAX_ENV  64

struct thread;
struct kstream;

struct app {
    int pid; /* the thread id */
    char name[APP_NAME_MAX];
    char path[256];
    struct thread *thread;
    bool background;
    bool owned; /* its starter waits for it (the shell's jobs): never reaped for it */
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
/* Everything an app starts with. */
struct app_spec {
    const char *path; /* the .wasm */
    int argc;
    char *const *argv;
    char *const *envp; /* NULL-terminated "NAME=value"; NULL: PATH, HOME and TERM defaults */
    const char *cwd;
    bool background;                 /* no console input; its end is reported on the console */
    bool owned;                      /* the caller will app_wait even in the background */
    bool no_net;                     /* no network access (sockets, HTTP): the shell's nonet */
    const struct kserve_opts *serve; /* non-NULL: path is a wasi:http handler to serve
                                        this way (kernel/wasm/serve.h) */
    struct kstream *stdio[3];        /* stdin, stdout, stderr; NULL: the console. The app takes
                                        its own references and drops them when it ends. */
};

/* app_start with every option. */
int app_spawn(const struct app_spec *spec, struct app **out);

/* Waits for the app to finish and frees it; returns its exit status (128 +
 * something for a trap or kill, as shells do). */
int app_wait(struct app *a);
/* Stops a running app (its waits end, its loop is interrupted). */
int app_kill(int pid);
/* The most memory an app may have (bytes): its linear memory and the host
 * memory its WASI resources take, charged to one budget; memory.grow
 * beyond it returns -1, a WASI call beyond it traps. By default a quarter of the machine's RAM, at
 * least 64 MiB. app_set_memory_limit(0) restores the default; the shell's `ulimit -v`. */
size_t app_memory_limit(void);
void app_set_memory_limit(size_t bytes);
/* How deep an app's calls may nest, in wasm frames (the shell's `ulimit -s`;
 * 0 restores the default). Whatever it says, the JIT's calls stop above the
 * app's native stack floor with the same "call stack exhausted" trap. */
#define APP_DEFAULT_DEPTH 10000
#define APP_MAX_DEPTH     1000000
uint32_t app_call_depth(void);
void app_set_call_depth(uint32_t frames);
/* The engine settings an app runs under on the current thread (the JIT or
 * not, the memory and call depth limits, its native stack), its memory
 * charged to budget: for apps and for serve's handler instances. */
struct wasm_config;
struct mem_budget;
void app_wasm_config(struct wasm_config *wc, struct mem_budget *budget);
/* Between begin and end, Ctrl-C on the console stops every app that is not
 * in the background and is remembered for app_fg_interrupted. */
void app_fg_begin(void);
void app_fg_end(void);
bool app_fg_interrupted(void);

#endif
