/*
 * host/kpio-wasm/options.c - parses kpio-wasm's command line with
 * getopt_long (see options.h) and owns the text of `kpio-wasm --help`:
 * one line per option, grouped by mode, like `wasmtime run --help`.
 */
/* getopt_long: glibc declares it under _GNU_SOURCE, which the build defines */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/kpio-wasm/jit_mem.h"
#include "host/kpio-wasm/native_stack.h"
#include "host/kpio-wasm/options.h"
#include "wasm/disasm.h"

#define STATUS_USAGE_WASI   2
#define STATUS_USAGE_INVOKE 1

static const char usage_text[] =
    "usage: kpio-wasm [OPTIONS] APP.wasm [ARGS]...\n"
    "       kpio-wasm [OPTIONS] MODULE.wasm --invoke NAME [VALUES]...\n"
    "       kpio-wasm [OPTIONS] COMPONENT.wasm --invoke NAME [WAVE]...\n";

static const char help_text[] =
    "\n"
    "Runs a WebAssembly module on Linux with KPIO's lib/wasm: a WASI program (preview1\n"
    "_start or wasi:cli/run) with lib/wasi, like `wasmtime run`, or one exported function.\n"
    "Options come before the module; what follows it is the app's ARGS (or --invoke ...).\n"
    "\n"
    "Running a WASI program:\n"
    "      --dir HOST[::GUEST]    preopen host directory HOST as GUEST (default: as HOST)\n"
    "      --env NAME=VALUE       set an environment variable of the app (it sees no other)\n"
    "      --allow-net            let the app use the network (denied by default)\n"
    "      --max-host-mib N       host memory for the app's WASI 0.2 resources (default 64)\n"
    "      --tcplisten IP:PORT    pass a socket listening on IPv4 IP:PORT (fd after the preopens)\n"
    "      --cacert FILE          also trust the PEM certificates in FILE for https\n"
    "  -k, --insecure             check no https certificate (warns at every use)\n"
    "\n"
    "Calling an export:\n"
    "      --invoke NAME          call export NAME with VALUES, print the results (i32:42 "
    "f64:2.5);\n"
    "                             of a component: NAME is func, iface#func or \'func(WAVE, "
    "...)\',\n"
    "                             VALUES and the result are WAVE (42, \"s\", [1, 2], {a: 1}, "
    "some(1));\n"
    "                             after a call, each VALUE is another call on the same instance,\n"
    "                             resources are own<N> and borrow<N> (N: printed by a call)\n"
    "      --dump                 list the compiled code of every function\n"
    "      --dump-jit=FILE        write the machine code to FILE, list where each function starts\n"
    "\n"
    "Both:\n"
    "      --engine interp|jit    engine (default: $KPIO_WASM_ENGINE, else jit where there is "
    "one);\n"
    "                             jit-baseline is the JIT without SSE4.1 and POPCNT\n"
    "      --max-pages N          cap linear memory at N 64 KiB pages\n"
    "      --stack N              value stack size in slots\n"
    "      --depth N              maximum call depth\n"
    "      --time                 print the load, start and run (or call) times and peak memory\n"
    "                             on stderr\n"
    "      --jit-cache DIR        keep machine code in DIR, start later runs from it (default: "
    "off)\n"
    "  -h, --help                 print this help\n"
    "\n"
    "VALUES of a core module: integers (decimal or 0x), C float literals, nan, inf, or\n"
    "bits:0x... (raw bits).\n"
    "Exit status of a WASI program: the app's (proc_exit's code; 1 when wasi:cli/run returns\n"
    "err), 134 after a trap, 1 for load and link errors, 2 for usage errors. Of --invoke: 0,\n"
    "2 after a trap (134 for a component), 1 for usage, load and link errors.\n";

enum {
    OPT_DIR = 256,
    OPT_ENV,
    OPT_TCPLISTEN,
    OPT_ALLOW_NET,
    OPT_MAX_HOST_MIB,
    OPT_CACERT,
    OPT_ENGINE,
    OPT_MAX_PAGES,
    OPT_STACK,
    OPT_DEPTH,
    OPT_TIME,
    OPT_INVOKE,
    OPT_DUMP,
    OPT_DUMP_JIT,
    OPT_JIT_CACHE,
};

static const struct option long_options[] = {
    {"dir", required_argument, NULL, OPT_DIR},
    {"env", required_argument, NULL, OPT_ENV},
    {"tcplisten", required_argument, NULL, OPT_TCPLISTEN},
    {"allow-net", no_argument, NULL, OPT_ALLOW_NET},
    {"max-host-mib", required_argument, NULL, OPT_MAX_HOST_MIB},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"insecure", no_argument, NULL, 'k'},
    {"engine", required_argument, NULL, OPT_ENGINE},
    {"max-pages", required_argument, NULL, OPT_MAX_PAGES},
    {"stack", required_argument, NULL, OPT_STACK},
    {"depth", required_argument, NULL, OPT_DEPTH},
    {"time", no_argument, NULL, OPT_TIME},
    {"invoke", required_argument, NULL, OPT_INVOKE},
    {"dump", no_argument, NULL, OPT_DUMP},
    {"dump-jit", required_argument, NULL, OPT_DUMP_JIT},
    {"jit-cache", required_argument, NULL, OPT_JIT_CACHE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static _Noreturn void usage_error(const struct kpio_options *o, const char *why, const char *arg)
{
    if (why) fprintf(stderr, "kpio-wasm: %s%s%s\n", why, arg ? ": " : "", arg ? arg : "");
    fputs(usage_text, stderr);
    fputs("Try 'kpio-wasm --help' for more information.\n", stderr);
    exit(o->invoke_mode ? STATUS_USAGE_INVOKE : STATUS_USAGE_WASI);
}

static uint32_t parse_u32(const struct kpio_options *o, const char *s)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (!*s || *end || errno || v > UINT32_MAX) usage_error(o, "not a number", s);
    return (uint32_t)v;
}

/* --dir HOST[::GUEST]: one allocation holds both names. */
static void add_dir(struct kpio_options *o, const char *v)
{
    if (o->ndirs == KPIO_MAX_DIRS) usage_error(o, "too many --dir", NULL);
    char *copy = strdup(v);
    if (!copy) usage_error(o, "out of memory", NULL);
    char *sep = strstr(copy, "::");
    if (sep) *sep = 0;
    o->dir_buf[o->ndirs] = copy;
    o->host_dir[o->ndirs] = copy;
    o->guest_dir[o->ndirs] = sep ? sep + 2 : copy;
    o->ndirs++;
}

/* One option of getopt_long's; returns false for an unknown one. */
static bool take_option(struct kpio_options *o, int c, const char *v, const char **engine)
{
    switch (c) {
    case OPT_DIR: add_dir(o, v); break;
    case OPT_ENV:
        if (o->nenv == KPIO_MAX_ENV || !strchr(v, '=')) usage_error(o, "--env wants NAME=VALUE", v);
        o->env[o->nenv++] = v;
        break;
    case OPT_TCPLISTEN:
        if (o->nlisten == KPIO_MAX_DIRS) usage_error(o, "too many --tcplisten", NULL);
        o->listen[o->nlisten++] = v;
        break;
    case OPT_ALLOW_NET: o->allow_net = true; break;
    case OPT_MAX_HOST_MIB: o->max_host_mib = parse_u32(o, v); break;
    case OPT_CACERT: o->cacert = v; break;
    case 'k': o->insecure = true; break;
    case OPT_ENGINE: *engine = v; break;
    case OPT_MAX_PAGES: o->cfg.max_memory_pages = parse_u32(o, v); break;
    case OPT_STACK: o->cfg.value_stack_slots = parse_u32(o, v); break;
    case OPT_DEPTH: o->cfg.max_call_depth = parse_u32(o, v); break;
    case OPT_TIME: o->time = true; break;
    case OPT_JIT_CACHE: o->jit_cache = v; break;
    case OPT_INVOKE: o->invoke = v, o->invoke_mode = true; break;
    case OPT_DUMP: o->dump = true, o->invoke_mode = true; break;
    case OPT_DUMP_JIT: o->dump_jit = v, o->invoke_mode = true; break;
    default: return false;
    }
    return true;
}

/* What follows the module: the app's ARGS, or --invoke NAME VALUES. */
static void take_operands(struct kpio_options *o, int argc, char **argv, int first)
{
    if (first >= argc) usage_error(o, "no module given", NULL);
    o->path = argv[first];
    char **rest = argv + first + 1;
    int nrest = argc - first - 1;
    if (!o->invoke && nrest > 0 && !strcmp(rest[0], "--invoke")) {
        o->invoke_mode = true;
        if (nrest < 2) usage_error(o, "--invoke needs a NAME", NULL);
        o->invoke = rest[1];
        rest += 2;
        nrest -= 2;
    }
    if (o->invoke_mode) {
        if (!o->invoke && !o->dump && !o->dump_jit) usage_error(o, NULL, NULL);
        if (!o->invoke && nrest) usage_error(o, "values without --invoke", rest[0]);
        o->args = rest;
        o->nargs = nrest;
    } else {
        o->app_argv = argv + first;
        o->app_argc = argc - first;
    }
}

void kpio_options_parse(int argc, char **argv, struct kpio_options *o)
{
    memset(o, 0, sizeof *o);
    wasm_config_default(&o->cfg);
    const char *engine = NULL;
    int c;
    opterr = 0;
    /* "+": stop at the module, so the app's own options stay its own */
    while ((c = getopt_long(argc, argv, "+hk", long_options, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            fputs(help_text, stdout);
            exit(0);
        }
        if (c == '?' || c == ':' || !take_option(o, c, optarg, &engine))
            usage_error(o, "unknown option or missing value", argv[optind - 1]);
    }
    take_operands(o, argc, argv, optind);
    /* the process default, and this run's (cfg was filled before it was known) */
    enum wasm_engine dflt = wasm_jit_supported() ? WASM_ENGINE_JIT : WASM_ENGINE_INTERP;
    enum wasm_engine chosen;
    bool baseline = engine && !strcmp(engine, "jit-baseline");
    wasm_jit_baseline_cpu(baseline);
    if (host_engine_select(baseline ? "jit" : engine, dflt, &chosen)) {
        fprintf(stderr, "kpio-wasm: unknown engine \"%s\" (interp or jit)\n", engine);
        exit(1);
    }
    o->cfg.engine = chosen;
    o->cfg.code_mem = chosen == WASM_ENGINE_JIT ? &host_code_memory : NULL;
    /* wasm runs on this (the main) thread: deep recursion on the JIT traps
     * before the real stack ends, whatever --depth says */
    o->cfg.native_stack_floor = host_native_stack_floor();
}

void kpio_options_free(struct kpio_options *o)
{
    for (int i = 0; i < o->ndirs; i++)
        free(o->dir_buf[i]);
    o->ndirs = 0;
}
