/*
 * apps/spin.c - `spin`: prints "spinning" and then loops forever without
 * calling the host, so the kernel's tests can prove that a runaway app is
 * preempted (the shell and the network keep working) and that `kill`
 * ends it. Optional `spin N`: stop after N iterations (for host tests).
 */
#include <stdint.h>
#include <stdio.h>

#include "sdk/cli.h"

static const char help[] = "Usage: spin [N]\n"
                           "Loop forever (or N iterations) without calling the host.\n";

static volatile uint64_t counter;

int main(int argc, char **argv)
{
    cli_init("spin", CLI_USAGE);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    while (cli_opts_next(&o, "", help) != 0) {
    }
    uint64_t limit = UINT64_MAX;
    if (o.index < argc && (argc - o.index > 1 || !cli_parse_u64(argv[o.index], UINT64_MAX, &limit)))
        cli_usage_error("invalid iteration count '%s'", argv[o.index]);
    printf("spinning\n");
    fflush(stdout);
    while (counter < limit)
        counter = counter + 1;
    printf("spun %llu\n", (unsigned long long)counter);
    return CLI_OK;
}
