/*
 * host/kpio-wasm/options.h - kpio-wasm's command line, parsed in one place
 * (getopt_long) for both of its modes:
 *
 *   kpio-wasm [OPTIONS] APP.wasm [ARGS]...                 run a WASI program
 *   kpio-wasm [OPTIONS] MODULE.wasm --invoke NAME [VALUES]... call one export
 *
 * Options come before the module; what follows it belongs to the app (or is
 * --invoke NAME and its values). `kpio-wasm --help` lists every option.
 */
#ifndef HOST_KPIO_WASM_OPTIONS_H
#define HOST_KPIO_WASM_OPTIONS_H

#include <stdbool.h>

#include "wasm/wasm.h"

#define KPIO_MAX_DIRS 64
#define KPIO_MAX_ENV  1024

struct kpio_options {
    /* both modes */
    struct wasm_config cfg; /* limits; the engine is the process default */
    bool time;
    const char *jit_cache; /* --jit-cache DIR, or NULL */
    const char *path;      /* the module */
    /* running a WASI program (run_wasi.c) */
    const char *host_dir[KPIO_MAX_DIRS], *guest_dir[KPIO_MAX_DIRS];
    char *dir_buf[KPIO_MAX_DIRS]; /* owned: HOST and GUEST of one --dir */
    int ndirs;
    const char *env[KPIO_MAX_ENV];
    int nenv;
    const char *listen[KPIO_MAX_DIRS];
    int nlisten;
    bool allow_net;        /* --allow-net */
    uint32_t max_host_mib; /* --max-host-mib; 0: lib/wasi's default */
    const char *cacert;    /* --cacert: a PEM bundle trusted besides the store */
    bool insecure;         /* -k/--insecure: no certificate checks */
    int app_argc;          /* argv of the app: the module path, then ARGS */
    char **app_argv;
    /* calling an export (main.c) */
    bool invoke_mode; /* --invoke, --dump or --dump-jit given */
    const char *invoke;
    char **args;
    int nargs;
    bool dump;
    const char *dump_jit;
};

/*
 * Parses argv into *o (zeroed first) and makes --engine (else
 * $KPIO_WASM_ENGINE, else the JIT where lib/wasm has one) the process's
 * default engine. --help prints the help and exits 0; a usage error prints
 * the short usage and exits 2 in the WASI mode, 1 in the --invoke mode.
 */
void kpio_options_parse(int argc, char **argv, struct kpio_options *o);

/* Frees what kpio_options_parse allocated. */
void kpio_options_free(struct kpio_options *o);

#endif
