/*
 * kernel/shell/shell.h - the serial console shell: lib/shell's language
 * over the kernel (apps from /apps, files of the VFS, kernel pipes), its
 * built-in commands and line editing.
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include <stdbool.h>
#include <stddef.h>

#include "shell/sh.h"

#define SHELL_LINE_MAX 512
#define SHELL_TEXT_MAX 4096 /* a command typed over several lines (an open if or quote) */
#define SHELL_MAX_FDS  32   /* descriptors of the shell's commands at once */
#define SHELL_MAX_APPS 32   /* apps started and not yet waited for */

struct kstream;
struct app;

struct shell {
    char cwd[256];
    int first_failure; /* status of the first failing command in a script */
    bool script;       /* running /etc/rc or run=: commands traced, no prompt */
    struct sh sh;      /* variables, jobs, $? */
    struct kstream *fds[SHELL_MAX_FDS];
    struct app *apps[SHELL_MAX_APPS];
    struct kstream *out, *err; /* the running built-in's stdout and stderr */
};

/* Starts the shell thread: runs /etc/rc (if present), then the prompt; with
 * the kernel option run="CMD", runs CMD and powers off with its status. */
void shell_start(void);

/* Runs script text (a line or a file's contents); returns its status. */
int shell_run_text(struct shell *sh, const char *text, size_t len, const char *where);

/* Line editing on the console: returns the length, or -1 at end of input.
 * Tab completes names relative to cwd (NULL: no completion). */
int shell_read_line(const char *prompt, const char *cwd, char *buf, size_t size);

/* Completion of the word that ends at pos: the text to insert in out;
 * returns 1 when it listed several matches (the caller redraws the line). */
int shell_complete(const char *cwd, const char *line, int pos, char *out, size_t size);

/* The kernel's built-in commands: returns true and sets *status if argv[0]
 * is one; output goes to sh->out and sh->err. */
bool shell_builtin(struct shell *sh, int argc, char **argv, int *status);
bool shell_is_builtin(const char *name);
/* The built-ins' names, for completion: NULL after the last. */
const char *shell_builtin_name(int i);

/* Output of built-ins, to the command's stdout or stderr (builtins.c);
 * shell_sink writes to a struct kstream (NULL: nowhere), for fmt_format. */
void shell_sink(void *ctx, const char *s, size_t n);
void shell_printf(struct shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void shell_eprintf(struct shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void shell_write(struct shell *sh, const char *s, size_t n);

#endif
