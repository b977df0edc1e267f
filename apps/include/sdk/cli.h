/*
 * apps/include/sdk/cli.h - what every KPIO app shares: its name in
 * messages, coreutils-style diagnostics on stderr, the exit-status
 * conventions, option scanning, whole writes and number formatting.
 *
 * Exit statuses: CLI_OK (0) success, CLI_FAIL (1) an operation failed,
 * and on bad usage the status the app names in cli_init(): GNU's for the
 * program of the same name (1 for most coreutils, 2 for ls, sort, grep,
 * test and debianutils' which, 125 for env), CLI_USAGE (2) for an app
 * without a GNU counterpart. Messages go to stderr as "NAME: what: why",
 * the way coreutils writes them ("cat: /x: No such file or directory").
 */
#ifndef SDK_CLI_H
#define SDK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Sets the name used in messages and the exit status of a usage error.
 * argv[0] is not used: WASI hosts pass the module path or anything at all
 * there. */
void cli_init(const char *name, int usage_status);
/* The usage_status given to cli_init() (CLI_USAGE before it). */
int cli_usage_status(void);
const char *cli_name(void);

/* "NAME: <formatted>\n" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "NAME: <formatted>: strerror(err)\n" on stderr. */
void cli_warn_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "NAME: <formatted>\nTry 'NAME --help' for more information.\n" on
 * stderr, then exit(cli_usage_status()). */
_Noreturn void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line that usage errors print before "Try ..." (grep prints
 * "Usage: grep [OPTION]... PATTERNS [FILE]..." there); NULL for none. */
void cli_set_usage_line(const char *line);
/* Writes text to stdout and exits with CLI_OK: for --help. */
_Noreturn void cli_help(const char *text);

/*
 * Option scanning in the getopt style, with our own messages: short
 * options clustered ("-rf"), "--" ends the options, "-" alone is an
 * operand, "--help" calls cli_help(help). `letters` lists the accepted
 * option letters (none takes an argument except those followed by ':').
 * Returns the next option letter, 0 when the options end (then *index is
 * the first operand), or does not return on a bad option (usage error).
 */
struct cli_opts {
    int argc;
    char **argv;
    int index;        /* next argv element to look at */
    const char *next; /* rest of a cluster, or NULL */
    const char *arg;  /* the argument of an option letter followed by ':' */
};
void cli_opts_init(struct cli_opts *o, int argc, char **argv);
/* GNU getopt's default order: moves every option word (with the next
 * word when it is the argument of a letter followed by ':' in letters)
 * before the operands, keeping both orders, and a "--" (which ends the
 * options) between them. For the text tools (`sort FILE -r`); call before
 * cli_opts_init. Returns false when out of memory (argv unchanged). */
bool cli_opts_permute(int argc, char **argv, const char *letters);
int cli_opts_next(struct cli_opts *o, const char *letters, const char *help);

/* write(2) until all of buf is written. Returns 0, or -1 with errno set. */
int cli_write_all(int fd, const void *buf, size_t len);

/* "12.3 MiB", "512 B": binary units with one decimal from KiB up. */
void cli_format_bytes(uint64_t n, char *out, size_t size);
/* Bytes per second from n bytes in ns nanoseconds, as "12.3 MiB/s". */
void cli_format_rate(uint64_t n, uint64_t ns, char *out, size_t size);
/* Nanoseconds on the monotonic clock. */
uint64_t cli_now_ns(void);

/* Parses a whole decimal string into *out (no sign, no spaces, at most
 * max). Returns false when s is not such a number. */
bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out);

#endif
