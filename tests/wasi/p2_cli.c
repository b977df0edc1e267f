/*
 * tests/wasi/p2_cli.c - a WASI 0.2 command (it exports
 * wasi:cli/run@0.2.0#run and no _start) exercising wasi:cli, wasi:clocks,
 * wasi:random and wasi:io streams and polls, printing one deterministic
 * line per check on the 0.2 stdout stream (no preview1 printf). Run by
 * tests/wasi/run_wasi_tests.py with arguments "one two" and P2_TEST=env.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi02.h"

static int32_t out;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void say(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ret16_t ret;
    output_blocking_write_and_flush(out, buf, n, &ret);
    if (ret.tag) abort();
}

struct str {
    char *ptr;
    uint32_t len;
};

static void cli(void)
{
    struct {
        struct str *ptr;
        uint32_t len;
    } list;
    cli_get_arguments(&list);
    say("arguments: %u\n", (unsigned)list.len);
    for (uint32_t i = 1; i < list.len; i++)
        say("argument %u: %.*s\n", (unsigned)i, (int)list.ptr[i].len, list.ptr[i].ptr);
    struct {
        struct str *ptr;
        uint32_t len;
    } env;
    cli_get_environment(&env);
    for (uint32_t i = 0; i < env.len; i++)
        if (env.ptr[2 * i].len == 7 && !memcmp(env.ptr[2 * i].ptr, "P2_TEST", 7))
            say("environment P2_TEST=%.*s\n", (int)env.ptr[2 * i + 1].len, env.ptr[2 * i + 1].ptr);
    struct {
        uint8_t some;
        struct str s;
    } cwd;
    cli_initial_cwd(&cwd);
    say("initial-cwd: %s\n", cwd.some ? "some" : "none");
    struct {
        uint8_t some;
        int32_t h;
    } term;
    cli_get_terminal_stdout(&term);
    say("terminal-stdout: %s\n", term.some ? "some" : "none");
}

static void clocks_random(void)
{
    int64_t t0 = mono_now();
    say("monotonic resolution positive: %d\n", mono_resolution() > 0);
    int32_t p = mono_subscribe_duration(20000000);
    say("pollable ready at once: %d\n", pollable_ready(p));
    pollable_block(p);
    int64_t t1 = mono_now();
    say("blocked at least 20 ms: %d\n", t1 - t0 >= 20000000);
    say("pollable ready after: %d\n", pollable_ready(p));
    pollable_drop(p);
    int32_t ps[3] = {mono_subscribe_duration(5000000000ll), mono_subscribe_duration(10000000),
                     mono_subscribe_instant(0)};
    struct {
        uint32_t *ptr;
        uint32_t len;
    } ready;
    io_poll(ps, 3, &ready);
    say("poll ready:");
    for (uint32_t i = 0; i < ready.len; i++)
        say(" %u", (unsigned)ready.ptr[i]);
    say("\n");
    for (int i = 0; i < 3; i++)
        pollable_drop(ps[i]);
    struct {
        uint64_t s;
        uint32_t ns;
    } __attribute__((aligned(8))) dt;
    wall_now(&dt);
    say("wall clock after 2020: %d, nanoseconds valid: %d\n", dt.s > 1577836800ull,
        dt.ns < 1000000000u);
    struct {
        uint8_t *ptr;
        uint32_t len;
    } bytes;
    random_bytes(64, &bytes);
    int nonzero = 0;
    for (uint32_t i = 0; i < bytes.len; i++)
        nonzero |= bytes.ptr[i];
    say("random bytes: %u, nonzero: %d\n", (unsigned)bytes.len, nonzero != 0);
    say("random u64 pair differs: %d\n", random_u64() != random_u64());
    say("insecure u64 pair differs: %d\n", insecure_u64() != insecure_u64());
    struct {
        uint64_t a, b;
    } seed;
    insecure_seed(&seed);
    say("insecure seed nonzero: %d\n", (seed.a | seed.b) != 0);
}

static void streams(void)
{
    ret64_t r;
    output_check_write(out, &r);
    say("check-write ok: %d, budget positive: %d\n", r.bytes[0] == 0,
        *(uint64_t *)(r.bytes + 8) > 0);
    output_write(out, "write\n", 6, &r);
    say("write ok: %d\n", r.bytes[0] == 0);
    output_write_zeroes(out, 0, &r);
    say("write-zeroes 0 ok: %d\n", r.bytes[0] == 0);
    output_blocking_flush(out, &r);
    say("flush ok: %d\n", r.bytes[0] == 0);
    int32_t sub = output_subscribe(out);
    say("stdout writable: %d\n", pollable_ready(sub));
    pollable_drop(sub);
    int32_t err = cli_get_stderr();
    output_blocking_write_and_flush(err, "to stderr\n", 10, &r);
    say("stderr write ok: %d\n", r.bytes[0] == 0);
    output_drop(err);
    /* stdin is empty (the harness gives /dev/null): read reports closed */
    int32_t in = cli_get_stdin();
    input_blocking_read(in, 100, &r);
    say("stdin read: tag %d case %d\n", r.bytes[0], r.bytes[4]);
    input_drop(in);
}

/* With the argument "splice": skips 3 bytes of stdin, splices the rest to
 * stdout, and writes 5 zero bytes to stderr. */
static int splice_mode(void)
{
    ret64_t r;
    int32_t in = cli_get_stdin();
    input_blocking_skip(in, 3, &r);
    say("skipped: %d\n", (int)*(uint64_t *)(r.bytes + 8));
    uint64_t total = 0;
    for (;;) {
        output_blocking_splice(out, in, 4, &r);
        if (r.bytes[0]) break; /* closed */
        total += *(uint64_t *)(r.bytes + 8);
    }
    say("\nspliced: %d, then: %s\n", (int)total, r.bytes[8] == 1 ? "closed" : "failed");
    int32_t err = cli_get_stderr();
    output_check_write(err, &r); /* a write needs a permit (streams.wit) */
    output_write_zeroes(err, 5, &r);
    output_drop(err);
    input_drop(in);
    output_drop(out);
    return 0;
}

__attribute__((export_name("wasi:cli/run@0.2.0#run"))) int32_t run(void)
{
    out = cli_get_stdout();
    struct {
        struct str *ptr;
        uint32_t len;
    } args;
    cli_get_arguments(&args);
    if (args.len == 2 && args.ptr[1].len == 6 && !memcmp(args.ptr[1].ptr, "splice", 6))
        return splice_mode();
    cli();
    clocks_random();
    streams();
    say("done\n");
    output_drop(out);
    return 0;
}
