/*
 * apps/hello.c - `hello [NAME]`: greets NAME (default "world") and says
 * which WASI host ran it, the smallest check that an app runs at all.
 */
#include <stdio.h>

#include "sdk/cli.h"

static const char help[] = "Usage: hello [NAME]\n"
                           "Print a greeting to NAME (default: world).\n";

int main(int argc, char **argv)
{
    cli_init("hello", CLI_USAGE);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    while (cli_opts_next(&o, "", help) != 0) {
    }
    if (argc - o.index > 1) cli_usage_error("extra operand '%s'", argv[o.index + 1]);
    const char *who = o.index < argc ? argv[o.index] : "world";
    printf("Hello, %s!\n", who);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}
