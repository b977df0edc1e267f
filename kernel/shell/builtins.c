/*
 * kernel/shell/builtins.c - the kernel's built-in commands (cat, df, ps,
 * ifconfig, ...). `ls` is the app /apps/ls.wasm (-l, -a), not a built-in,
 * so that the prompt and kpio-wasm list files the same way. lib/shell has the ones that change the
 * shell itself (cd, export, exit, echo, test, jobs, ...). Output goes to the command's stdout and
 * stderr (sh->out, sh->err) through shell_printf and friends, here, so built-ins redirect and pipe
 * and this file calls nothing in shell.c.
 */
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/pmm.h"
#include "kernel/net/knet.h"
#include "kernel/net/ktls.h"
#include "kernel/power/power.h"
#include "kernel/sched/sched.h"
#include "kernel/shell/shell.h"
#include "kernel/time/clock.h"
#include "kernel/wasm/app.h"
#include "kernel/wasm/serve.h"
#include "kernel/wasm/stream.h"
#include "wasm/wasm.h"

/* The built-ins' output, to the running command's stdout or stderr. */
void shell_sink(void *ctx, const char *s, size_t n)
{
    struct kstream *st = ctx;
    if (st) kstream_write(st, s, n);
}

void shell_write(struct shell *sh, const char *s, size_t n)
{
    shell_sink(sh->out, s, n);
}

void shell_printf(struct shell *sh, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(shell_sink, sh->out, fmt, ap);
    va_end(ap);
}

void shell_eprintf(struct shell *sh, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(shell_sink, sh->err, fmt, ap);
    va_end(ap);
}

static void path_of(struct shell *sh, const char *arg, char *out, size_t size)
{
    if (vfs_resolve(sh->cwd, arg, out, size) < 0) str_copy(out, arg, size);
}

static int fail(struct shell *sh, const char *cmd, const char *what, int err)
{
    shell_eprintf(sh, "%s: %s: %s\n", cmd, what, err_str(err));
    return 1;
}

static int b_pwd(struct shell *sh, int argc, char **argv)
{
    (void)argc, (void)argv;
    shell_printf(sh, "%s\n", sh->cwd);
    return 0;
}

static int b_cat(struct shell *sh, int argc, char **argv)
{
    int status = 0;
    char *buf = kmalloc(4096);
    if (!buf) return fail(sh, "cat", "buffer", ERR_NOMEM);
    for (int i = 1; i < argc; i++) {
        char p[VFS_PATH_MAX];
        path_of(sh, argv[i], p, sizeof p);
        struct file *f;
        int err = vfs_open(p, VFS_O_READ, &f);
        if (err < 0) {
            status = fail(sh, "cat", argv[i], err);
            continue;
        }
        long n;
        while ((n = vfs_read(f, buf, 4096)) > 0)
            shell_write(sh, buf, (size_t)n);
        if (n < 0) status = fail(sh, "cat", argv[i], (int)n);
        vfs_close(f);
    }
    kfree(buf);
    return status;
}

static void mount_line(const char *path, const char *dev, const char *fstype, void *ctx)
{
    struct shell *sh = ctx;
    struct vfs_statfs sf;
    if (vfs_statfs(path, &sf) == 0)
        shell_printf(sh, "%-6s on %-10s type %-6s (%llu MiB, %llu MiB free)\n", dev, path, fstype,
                     (unsigned long long)(sf.total_blocks * sf.block_size >> 20),
                     (unsigned long long)(sf.free_blocks * sf.block_size >> 20));
    else
        shell_printf(sh, "%-6s on %-10s type %s\n", dev, path, fstype);
}

static int b_mount(struct shell *sh, int argc, char **argv)
{
    (void)sh, (void)argc, (void)argv;
    vfs_for_each_mount(mount_line, sh);
    return 0;
}

/* ---- df: GNU `df -k`'s columns from each mount's statfs ---------------------------------- */

#define DF_MAX 8

struct df_row {
    char path[64], dev[16];
    struct vfs_statfs sf;
    bool ok;
};

struct df_rows {
    struct df_row v[DF_MAX];
    int n;
};

static void df_collect(const char *path, const char *dev, const char *fstype, void *ctx)
{
    (void)fstype;
    struct df_rows *r = ctx;
    if (r->n == DF_MAX) return;
    struct df_row *row = &r->v[r->n++];
    str_copy(row->path, path, sizeof row->path);
    str_copy(row->dev, dev, sizeof row->dev);
    row->ok = vfs_statfs(path, &row->sf) == 0;
}

/* The mount that holds abs: the longest mount path that prefixes it. */
static int df_mount_of(const struct df_rows *r, const char *abs)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < r->n; i++) {
        size_t n = strlen(r->v[i].path);
        bool under =
            strncmp(abs, r->v[i].path, n) == 0 && (n == 1 || abs[n] == '\0' || abs[n] == '/');
        if (under && (best < 0 || n > best_len)) {
            best = i;
            best_len = n;
        }
    }
    return best;
}

static void df_line(struct shell *sh, const struct df_row *row)
{
    if (!row->ok) {
        shell_printf(sh, "%-14s %9s %9s %9s %4s %s\n", row->dev, "-", "-", "-", "-", row->path);
        return;
    }
    uint64_t total = row->sf.total_blocks * row->sf.block_size / 1024;
    uint64_t avail = row->sf.free_blocks * row->sf.block_size / 1024;
    uint64_t used = total - avail;
    char pct[8] = "-";
    if (used + avail) /* GNU rounds the percentage up */
        fmt_snprintf(pct, sizeof pct, "%llu%%",
                     (unsigned long long)((used * 100 + used + avail - 1) / (used + avail)));
    shell_printf(sh, "%-14s %9llu %9llu %9llu %4s %s\n", row->dev, (unsigned long long)total,
                 (unsigned long long)used, (unsigned long long)avail, pct, row->path);
}

/* df [-k] [PATH...]: WASI has no statvfs, so df is a built-in reading the
 * FAT free-cluster count through vfs_statfs. Sizes in KiB, as df -k. */
static int b_df(struct shell *sh, int argc, char **argv)
{
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        }
        for (const char *p = argv[first] + 1; *p; p++)
            if (*p != 'k') {
                if (*p == '-')
                    shell_eprintf(sh, "df: unrecognized option '%s'\n", argv[first]);
                else
                    shell_eprintf(sh, "df: invalid option -- '%c'\n", *p);
                shell_eprintf(sh, "Try 'df --help' for more information.\n");
                return 1;
            }
    }
    struct df_rows *r = kmalloc(sizeof *r);
    if (!r) return fail(sh, "df", "mount table", ERR_NOMEM);
    r->n = 0;
    vfs_for_each_mount(df_collect, r);
    shell_printf(sh, "%-14s %9s %9s %9s %4s %s\n", "Filesystem", "1K-blocks", "Used", "Available",
                 "Use%", "Mounted on");
    int status = 0;
    for (int i = first; i < argc; i++) {
        char p[VFS_PATH_MAX];
        struct vfs_stat st;
        path_of(sh, argv[i], p, sizeof p);
        int err = vfs_stat(p, &st), m = err < 0 ? -1 : df_mount_of(r, p);
        if (err < 0) {
            status = fail(sh, "df", argv[i], err);
        } else if (m < 0) {
            status = fail(sh, "df", argv[i], ERR_NOENT);
        } else {
            df_line(sh, &r->v[m]);
        }
    }
    for (int i = 0; i < r->n && first == argc; i++)
        df_line(sh, &r->v[i]);
    kfree(r);
    return status;
}

static int b_sync(struct shell *sh, int argc, char **argv)
{
    (void)sh, (void)argc, (void)argv;
    int err = vfs_sync_all();
    return err < 0 ? fail(sh, "sync", "filesystems", err) : 0;
}

static void ps_line(struct thread *t, void *ctx)
{
    struct shell *sh = ctx;
    static const char *states[] = {"ready", "run", "sleep", "dead"};
    uint64_t ms = t->run_ns / NS_PER_MS;
    shell_printf(sh, "%5d  %-6s %6llu.%03llu  %s%s\n", t->id, states[t->state],
                 (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000), t->name,
                 t->user ? " (app)" : "");
}

static int b_ps(struct shell *sh, int argc, char **argv)
{
    (void)sh, (void)argc, (void)argv;
    shell_printf(sh, "  PID  STATE      CPU s  NAME\n");
    sched_for_each(ps_line, sh);
    return 0;
}

/* Reads a decimal number from lo to hi into *out; false if it is none. */
static bool parse_bounded(const char *p, size_t lo, size_t hi, size_t *out)
{
    size_t n = 0;
    const char *q = p;
    for (; *q >= '0' && *q <= '9' && n <= hi; q++)
        n = n * 10 + (size_t)(*q - '0');
    *out = n;
    return *p != 0 && *q == 0 && n >= lo && n <= hi;
}

static int b_kill(struct shell *sh, int argc, char **argv)
{
    if (argc != 2) {
        shell_eprintf(sh, "usage: kill PID\n");
        return 2;
    }
    size_t pid;
    if (!parse_bounded(argv[1], 0, 999999999, &pid)) {
        shell_eprintf(sh, "kill: %s: not a process id\n", argv[1]);
        return 2;
    }
    int err = app_kill((int)pid);
    if (err == ERR_NOENT) {
        shell_eprintf(sh, "kill: %s: no running app has this pid (see ps)\n", argv[1]);
        return 1;
    }
    return err < 0 ? fail(sh, "kill", argv[1], err) : 0;
}

/* free [-r]: memory use; -r then starts the heap's peak over from now. */
static int b_free(struct shell *sh, int argc, char **argv)
{
    bool reset = argc == 2 && !strcmp(argv[1], "-r");
    if (argc > 2 || (argc == 2 && !reset)) {
        shell_eprintf(sh, "free: usage: free [-r] (-r: reset the heap's peak)\n");
        return 2;
    }
    struct heap_stats hs;
    heap_get_stats(&hs);
    size_t total = pmm_total_count() * PAGE_SIZE, freeb = pmm_free_count() * PAGE_SIZE;
    shell_printf(sh, "memory: %zu KiB total, %zu KiB used, %zu KiB free\n", total >> 10,
                 (total - freeb) >> 10, freeb >> 10);
    shell_printf(sh, "kernel heap: %zu KiB in use in %zu blocks, peak %zu KiB\n", hs.in_use >> 10,
                 hs.allocations, hs.peak >> 10);
    if (reset) heap_reset_peak();
    return 0;
}

/* ulimit [-v [KIB] | -s [FRAMES]]: shows or sets the memory each app may
 * have (linear memory and WASI resources) or how deep its calls may nest. */
static int b_ulimit(struct shell *sh, int argc, char **argv)
{
    const char *opt = argc > 1 ? argv[1] : "-v";
    if (argc > 3 || (strcmp(opt, "-v") != 0 && strcmp(opt, "-s") != 0)) {
        shell_eprintf(sh, "ulimit: usage: ulimit [-v [KIB]] (the memory each app may have)\n"
                          "       ulimit -s [FRAMES] (how deep an app's calls may nest)\n");
        return 2;
    }
    bool mem = opt[1] == 'v';
    if (argc < 3) {
        shell_printf(sh, "%zu\n", mem ? app_memory_limit() >> 10 : (size_t)app_call_depth());
        return 0;
    }
    size_t n, max = mem ? (size_t)65536 * WASM_PAGE_SIZE >> 10 : APP_MAX_DEPTH;
    size_t min = mem ? 64 : 100;
    if (!parse_bounded(argv[2], min, max, &n)) {
        shell_eprintf(sh, "ulimit: %s: not a %s from %zu to %zu\n", argv[2],
                      mem ? "size in KiB" : "number of frames", min, max);
        return 1;
    }
    if (mem)
        app_set_memory_limit(n << 10);
    else
        app_set_call_depth((uint32_t)n);
    return 0;
}

static int b_uptime(struct shell *sh, int argc, char **argv)
{
    (void)sh, (void)argc, (void)argv;
    uint64_t s = clock_monotonic_ns() / NS_PER_SEC;
    shell_printf(sh, "up %llu:%02llu:%02llu, %llu context switches\n",
                 (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60),
                 (unsigned long long)(s % 60), (unsigned long long)sched_context_switches());
    return 0;
}

static int b_cacert(struct shell *sh, int argc, char **argv)
{
    (void)sh;
    if (argc > 2) {
        kprintf("usage: cacert [FILE]\n");
        return 2;
    }
    if (argc == 2 && ktls_set_cacert_path(argv[1]) < 0) {
        kprintf("cacert: path too long\n");
        return 1;
    }
    kprintf("https trusts the certificates in %s\n", ktls_cacert_path());
    return 0;
}

static void dmesg_sink(void *ctx, const char *s, size_t n)
{
    shell_write(ctx, s, n);
}

static int b_dmesg(struct shell *sh, int argc, char **argv)
{
    (void)sh, (void)argc, (void)argv;
    klog_dump(dmesg_sink, sh);
    return 0;
}

static int b_poweroff(struct shell *sh, int argc, char **argv)
{
    (void)argc, (void)argv;
    /* A script reports its first failure to the host (isa-debug-exit). */
    if (sh->script) power_set_exit_status((unsigned)sh->first_failure);
    power_off();
}

static int b_reboot(struct shell *sh, int argc, char **argv)
{
    (void)sh, (void)argc, (void)argv;
    power_reboot();
}

static int b_ifconfig(struct shell *sh, int argc, char **argv)
{
    (void)sh, (void)argc, (void)argv;
    struct knet_info in;
    if (knet_info(&in) < 0) {
        shell_eprintf(sh, "ifconfig: no network interface\n");
        return 1;
    }
    const uint8_t *m = in.ip.mac;
    char a[16], g[16];
    net_ip_format(in.ip.addr, a);
    net_ip_format(in.ip.gateway, g);
    int prefix = 0;
    for (uint32_t nm = in.ip.netmask; nm & 0x80000000u; nm <<= 1)
        prefix++;
    shell_printf(sh, "%s: %s, link %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u\n", in.name,
                 in.driver, in.link_up ? "up" : "down", m[0], m[1], m[2], m[3], m[4], m[5],
                 in.ip.mtu);
    if (in.ip.up)
        shell_printf(sh, "    inet %s/%d gateway %s (%s)\n", a, prefix, g,
                     in.ip.dhcp ? "DHCP" : "static");
    else
        shell_printf(sh, "    no address\n");
    for (int i = 0; i < in.ip.ndns; i++) {
        net_ip_format(in.ip.dns[i], a);
        shell_printf(sh, "    dns %s\n", a);
    }
    shell_printf(sh, "    RX %llu frames %llu bytes, %llu dropped, %llu errors\n",
                 (unsigned long long)in.rx_frames, (unsigned long long)in.rx_bytes,
                 (unsigned long long)(in.rx_drops + in.stack.rx_drops),
                 (unsigned long long)(in.rx_errors + in.stack.rx_errors));
    shell_printf(sh, "    TX %llu frames %llu bytes, %llu dropped, %llu errors\n",
                 (unsigned long long)in.tx_frames, (unsigned long long)in.tx_bytes,
                 (unsigned long long)(in.tx_drops + in.stack.tx_drops),
                 (unsigned long long)in.tx_errors);
    shell_printf(sh,
                 "    TCP %llu retransmits, %llu timeouts, %llu keep-alive probes, %llu keep-alive "
                 "timeouts\n",
                 (unsigned long long)in.stack.tcp_retransmits,
                 (unsigned long long)in.stack.tcp_timeouts,
                 (unsigned long long)in.stack.tcp_keepalive_probes,
                 (unsigned long long)in.stack.tcp_keepalive_timeouts);
    return 0;
}

static int b_ping(struct shell *sh, int argc, char **argv)
{
    size_t count = 4;
    const char *host = NULL;
    bool bad = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            bad |= !parse_bounded(argv[++i], 1, 1000000, &count);
        else
            host = argv[i];
    }
    if (!host || bad) {
        shell_eprintf(sh, "usage: ping [-c COUNT] HOST\n");
        return 2;
    }
    uint32_t addr;
    int err = knet_resolve(host, &addr, 1, clock_monotonic_ns() + 10 * NS_PER_SEC);
    if (err == ERR_NOENT) {
        shell_eprintf(sh, "ping: %s: the name has no IPv4 address\n", host);
        return 1;
    }
    if (err < 0) return fail(sh, "ping", host, err);
    char a[16];
    net_ip_format(addr, a);
    shell_printf(sh, "PING %s (%s): 56 data bytes\n", host, a);
    int got = 0;
    for (size_t seq = 1; seq <= count; seq++) {
        uint64_t start = clock_monotonic_ns();
        struct net_ping_reply r;
        err = knet_ping(addr, (uint16_t)seq, 56, start + 2 * NS_PER_SEC, &r);
        if (err == 0) {
            got++;
            shell_printf(sh, "64 bytes from %s: seq=%u ttl=%u time=%u ms\n", a, r.seq, r.ttl,
                         r.rtt_ms);
        } else if (err == ERR_CANCELED) {
            break;
        } else {
            shell_printf(sh, "no reply for seq=%zu: %s\n", seq, err_str(err));
        }
        if (seq < count && thread_sleep_until(start + NS_PER_SEC) < 0) break;
    }
    shell_printf(sh, "--- %s: %zu sent, %d received ---\n", host, count, got);
    return got ? 0 : 1;
}

static int b_help(struct shell *sh, int argc, char **argv);

static const struct {
    const char *name, *usage;
    int (*fn)(struct shell *sh, int argc, char **argv);
} builtins[] = {
    {"pwd", "pwd                 print the working directory", b_pwd},
    {"cat", "cat FILE...         print files", b_cat},
    {"mount", "mount               list mounted filesystems", b_mount},
    {"df", "df [-k] [PATH...]   disk space of the mounted filesystems, in KiB", b_df},
    {"sync", "sync                write cached data to the disks", b_sync},
    {"ps", "ps                  list threads and apps", b_ps},
    {"kill", "kill PID            stop an app", b_kill},
    {"free", "free [-r]           memory use (-r: reset the heap's peak)", b_free},
    {"ulimit", "ulimit [-v|-s [N]]  an app's memory (KiB) or call depth (frames)", b_ulimit},
    {"uptime", "uptime              time since boot", b_uptime},
    {"cacert", "cacert [FILE]       show or set the PEM bundle https trusts", b_cacert},
    {"dmesg", "dmesg               the kernel log", b_dmesg},
    {"ifconfig", "ifconfig            network interface state and counters", b_ifconfig},
    {"ping", "ping [-c N] HOST    send ICMP echo requests", b_ping},
    {"poweroff", "poweroff            sync and power off", b_poweroff},
    {"reboot", "reboot              sync and restart", b_reboot},
    {"help", "help                this list", b_help},
};

static int b_help(struct shell *sh, int argc, char **argv)
{
    (void)sh, (void)argc, (void)argv;
    shell_printf(sh, "Built-in commands:\n");
    for (unsigned i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        shell_printf(sh, "  %s\n", builtins[i].usage);
    shell_printf(sh, "Shell built-ins: cd export unset exit echo test [ true false sh . jobs "
                     "wait 'kill %%N'\n");
    shell_printf(sh, "Other commands run apps from /apps (NAME runs /apps/NAME.wasm). "
                     "Pipelines a | b, redirections > >> < 2> 2>&1, lists ; && || &, $VAR, "
                     "if/for/while; Ctrl-C stops the foreground pipeline. Apps may use the "
                     "network; nonet CMD runs one without it. " KSERVE_USAGE
                     " serves a wasi:http handler (default 0.0.0.0:8080).\n");
    return 0;
}

const char *shell_builtin_name(int i)
{
    return i >= 0 && i < (int)(sizeof builtins / sizeof builtins[0]) ? builtins[i].name : NULL;
}

bool shell_is_builtin(const char *name)
{
    for (unsigned i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(name, builtins[i].name) == 0) return true;
    return false;
}

bool shell_builtin(struct shell *sh, int argc, char **argv, int *status)
{
    for (unsigned i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(argv[0], builtins[i].name) == 0) {
            *status = builtins[i].fn(sh, argc, argv);
            return true;
        }
    return false;
}
