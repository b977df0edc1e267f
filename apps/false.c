/*
 * apps/false.c - `false`: does nothing, unsuccessfully (status 1); its
 * operands are ignored, as in GNU coreutils (except a lone --help, which
 * still exits 1 there and here).
 */
#include <stdio.h>
#include <string.h>

#include "sdk/cli.h"

int main(int argc, char **argv)
{
    cli_init("false", CLI_FAIL);
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs("Usage: false [ignored command line arguments]\nExit with a status code indicating "
              "failure.\n",
              stdout);
    }
    return CLI_FAIL;
}
