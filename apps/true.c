/*
 * apps/true.c - `true`: does nothing, successfully; its operands are
 * ignored, as in GNU coreutils (except a lone --help).
 */
#include <string.h>

#include "sdk/cli.h"

int main(int argc, char **argv)
{
    cli_init("true", CLI_FAIL);
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        cli_help("Usage: true [ignored command line arguments]\nExit with a status code indicating "
                 "success.\n");
    return CLI_OK;
}
