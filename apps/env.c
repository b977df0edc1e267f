/*
 * apps/env.c - `env [-i] [-u NAME]... [NAME=VALUE]...`: prints the
 * environment the app was given (WASI environ), with -u's names removed,
 * -i starting from an empty one and the NAME=VALUE words added, one
 * NAME=VALUE a line in order. Running a COMMAND needs a process spawn,
 * which WASI does not have: it is refused with exit status 126 (in the
 * KPIO shell, `NAME=VALUE COMMAND` does it).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/cli.h"

static const char help[] = "Usage: env [-i] [-u NAME]... [NAME=VALUE]...\n"
                           "Print the environment, with each NAME=VALUE set.\n"
                           "  -i       start with an empty environment\n"
                           "  -u NAME  remove NAME from the environment\n"
                           "Running a COMMAND is not possible under WASI (no process spawn);\n"
                           "in the KPIO shell write NAME=VALUE COMMAND instead.\n";

extern char **environ;

/* GNU env's statuses: its own failure (usage too), and a command it
cannot run. */
enum { ENV_FAIL = 125, ENV_CANNOT_RUN = 126 };

int main(int argc, char **argv)
{
    cli_init("env", ENV_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    int c;
    while ((c = cli_opts_next(&o, "iu:", help)) != 0) {
        if (c == 'i') {
            if (clearenv() != 0) return ENV_FAIL;
        } else if (c == 'u' && (!*o.arg || strchr(o.arg, '='))) {
            cli_warn("cannot unset '%s': Invalid argument", o.arg);
            return ENV_FAIL;
        } else if (c == 'u') {
            unsetenv(o.arg);
        }
    }
    int i = o.index;
    for (; i < argc && strchr(argv[i], '='); i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == argv[i]) {
            cli_warn("cannot set '%s': Invalid argument", argv[i]);
            return ENV_FAIL;
        }
        *eq = 0;
        int r = setenv(argv[i], eq + 1, 1);
        *eq = '=';
        if (r != 0) {
            cli_warn("cannot set '%s': Out of memory", argv[i]);
            return ENV_FAIL;
        }
    }
    if (i < argc) {
        cli_warn("'%s': cannot run a command: WASI has no process spawn "
                 "(in the KPIO shell, write NAME=VALUE %s)",
                 argv[i], argv[i]);
        return ENV_CANNOT_RUN;
    }
    for (char **e = environ; e && *e; e++)
        printf("%s\n", *e);
    if (fflush(stdout) != 0) {
        cli_warn("write error");
        return ENV_FAIL;
    }
    return CLI_OK;
}
