/*
 * kernel/shell/shell.h - the serial console shell.
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include <stdbool.h>
#include <stddef.h>

#define SHELL_LINE_MAX 512
#define SHELL_MAX_ARGS 32

struct shell {
    char cwd[256];
    int last_status;
    int first_failure; /* status of the first failing command in a script */
    bool script;       /* running /etc/rc or run=: no prompt, no editing */
};

/* Starts the shell thread: runs /etc/rc (if present), then the prompt; with
 * the kernel option run="CMD", runs CMD and powers off with its status. */
void shell_start(void);

/* Runs one command line; returns its status. */
int shell_run_line(struct shell *sh, const char *line);

/* Splits a line into words (quotes '...' and "...", backslash escapes).
 * Returns the word count, or -1 on an unterminated quote. *background is
 * set when the line ends in '&'. Words point into buf. */
int shell_split(const char *line, char *buf, size_t size, char **argv, int max, bool *background);

/* Line editing on the console: returns the length, or -1 at end of input. */
int shell_read_line(const char *prompt, char *buf, size_t size);

/* Built-in commands: returns true and sets *status if argv[0] is one. */
bool shell_builtin(struct shell *sh, int argc, char **argv, int *status);

#endif
