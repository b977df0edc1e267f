/*
 * apps/nslookup.c - `nslookup [-t SECONDS] NAME`: resolves NAME through
 * wasi:sockets/ip-name-lookup (the host's resolver: KPIO's DNS client in
 * lib/net, getaddrinfo on Linux) and prints
 *
 *   Name:    NAME
 *   Address: 10.0.2.2
 *
 * one Address line per address, in the order the host gives them. A name
 * that does not exist (name-unresolvable), a resolver failure or no
 * answer within the timeout (default 10 s) is reported on stderr with the
 * WIT error code, e.g. "nslookup: nosuch.test: unknown host
 * (name-unresolvable)", and exit status 1.
 */
#include <stdio.h>

#include "sdk/cli.h"
#include "sdk/net.h"

static const char help[] = "Usage: nslookup [-t SECONDS] NAME\n"
                           "Print the IP addresses of NAME (a host name or an IP literal).\n"
                           "  -t SECONDS  give up after SECONDS (default 10)\n";

int main(int argc, char **argv)
{
    cli_init("nslookup", CLI_USAGE);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    uint64_t timeout_s = 10;
    while (cli_opts_next(&o, "t:", help) != 0) {
        if (!cli_parse_u64(o.arg, 3600, &timeout_s) || timeout_s == 0)
            cli_usage_error("bad timeout '%s'", o.arg);
    }
    if (argc - o.index != 1)
        cli_usage_error(o.index == argc ? "missing NAME" : "too many operands");
    const char *name = argv[o.index];
    struct net_addr addrs[32];
    int n = net_resolve(name, addrs, sizeof addrs / sizeof addrs[0], timeout_s * 1000000000u);
    if (n < 0) {
        const struct wasi2_err *e = wasi2_error();
        if (e->kind == WASI2_ERR_SOCKETS)
            cli_warn("%s: %s (%s)", name, e->msg, wasi2_sockets_code_name(e->code));
        else
            cli_warn("%s: %s (timeout)", name, e->msg);
        return CLI_FAIL;
    }
    printf("Name:    %s\n", name);
    for (int i = 0; i < n; i++) {
        char text[64];
        net_addr_format(&addrs[i], text, sizeof text);
        printf("Address: %s\n", text);
    }
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}
