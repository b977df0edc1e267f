/*
 * tests/wasi/p1_calls.c - exercises every wasi_snapshot_preview1 call and
 * its error cases through the raw imports of wasi-libc's <wasi/api.h>,
 * printing one deterministic line per check ("name: value"). Built for
 * wasm32-wasi; run by tests/wasi/run_wasi_tests.py under kpio-wasm and
 * under node's WASI with a fresh empty directory preopened as /sandbox,
 * and the two outputs compared (and checked against p1_calls.expected).
 *
 * Arguments: p1_calls [WORD]; environment: P1_TEST=value. Exits with 3
 * through proc_exit, so the exit status is checked too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static __wasi_fd_t dir = 3; /* the preopen */

#define SHOW(name, expr) printf("%s: %d\n", name, (int)(expr))

static const __wasi_rights_t RW =
    __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
    __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |
    __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |
    __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |
    __WASI_RIGHTS_POLL_FD_READWRITE;
static const __wasi_rights_t DIR_RIGHTS =
    __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_CREATE_FILE |
    __WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_FILESTAT_GET |
    __WASI_RIGHTS_FD_FILESTAT_GET;

static __wasi_errno_t open_at(__wasi_fd_t d, const char *path, __wasi_oflags_t oflags,
                              __wasi_rights_t rights, __wasi_fdflags_t fdflags, __wasi_fd_t *fd)
{
    return __wasi_path_open(d, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags, rights, rights,
                            fdflags, fd);
}

static void args_env(void)
{
    __wasi_size_t argc, size;
    SHOW("args_sizes_get", __wasi_args_sizes_get(&argc, &size));
    printf("argc: %u\n", (unsigned)argc);
    char **argv = malloc(sizeof(char *) * argc);
    char *buf = malloc(size);
    SHOW("args_get", __wasi_args_get((uint8_t **)argv, (uint8_t *)buf));
    for (__wasi_size_t i = 1; i < argc; i++)
        printf("arg %u: %s\n", (unsigned)i, argv[i]);
    free(argv);
    free(buf);
    __wasi_size_t envc;
    SHOW("environ_sizes_get", __wasi_environ_sizes_get(&envc, &size));
    char **env = malloc(sizeof(char *) * (envc + 1));
    buf = malloc(size);
    SHOW("environ_get", __wasi_environ_get((uint8_t **)env, (uint8_t *)buf));
    for (__wasi_size_t i = 0; i < envc; i++)
        if (!strncmp(env[i], "P1_TEST=", 8)) printf("env: %s\n", env[i]);
    free(env);
    free(buf);
    SHOW("args_get bad pointer", __wasi_args_get((uint8_t **)0xfffffff0u, (uint8_t *)buf));
}

static void clocks_random(void)
{
    __wasi_timestamp_t t1, t2, res;
    SHOW("clock_time_get realtime", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t1));
    printf("realtime after 2020: %d\n", t1 > 1577836800000000000ull);
    SHOW("clock_time_get monotonic", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1));
    SHOW("clock_time_get monotonic again", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t2));
    printf("monotonic non-decreasing: %d\n", t2 >= t1);
    SHOW("clock_time_get process cputime",
         __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &t1));
    SHOW("clock_res_get monotonic", __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res));
    printf("resolution positive: %d\n", res > 0);
    SHOW("clock_time_get bad id", __wasi_clock_time_get(99, 1, &t1));
    SHOW("clock_res_get bad id", __wasi_clock_res_get(99, &res));
    uint8_t r[32] = {0};
    SHOW("random_get", __wasi_random_get(r, sizeof r));
    int nonzero = 0;
    for (size_t i = 0; i < sizeof r; i++)
        nonzero |= r[i];
    printf("random nonzero: %d\n", nonzero != 0);
    SHOW("sched_yield", __wasi_sched_yield());
}

static void prestat(void)
{
    __wasi_prestat_t ps;
    SHOW("fd_prestat_get", __wasi_fd_prestat_get(dir, &ps));
    printf("prestat tag %d len %u\n", ps.tag, (unsigned)ps.u.dir.pr_name_len);
    char name[64] = {0};
    SHOW("fd_prestat_dir_name",
         __wasi_fd_prestat_dir_name(dir, (uint8_t *)name, ps.u.dir.pr_name_len));
    printf("preopen name: %s\n", name);
    SHOW("fd_prestat_get stdin", __wasi_fd_prestat_get(0, &ps));
    SHOW("fd_prestat_get bad fd", __wasi_fd_prestat_get(99, &ps));
}

static void file_io(void)
{
    __wasi_fd_t fd;
    SHOW("path_open create",
         open_at(dir, "a.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RW, 0, &fd));
    __wasi_ciovec_t iov[2] = {{(const uint8_t *)"hello ", 6}, {(const uint8_t *)"world\n", 6}};
    __wasi_size_t n;
    SHOW("fd_write", __wasi_fd_write(fd, iov, 2, &n));
    printf("written: %u\n", (unsigned)n);
    __wasi_filesize_t pos;
    SHOW("fd_tell", __wasi_fd_tell(fd, &pos));
    printf("tell: %llu\n", (unsigned long long)pos);
    SHOW("fd_seek set", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    char buf[64] = {0};
    __wasi_iovec_t rv = {(uint8_t *)buf, sizeof buf - 1};
    SHOW("fd_read", __wasi_fd_read(fd, &rv, 1, &n));
    printf("read %u: %s", (unsigned)n, buf);
    SHOW("fd_read at end", __wasi_fd_read(fd, &rv, 1, &n));
    printf("read at end: %u\n", (unsigned)n);
    SHOW("fd_seek end", __wasi_fd_seek(fd, -3, __WASI_WHENCE_END, &pos));
    printf("seek end-3: %llu\n", (unsigned long long)pos);
    SHOW("fd_seek negative", __wasi_fd_seek(fd, -100, __WASI_WHENCE_SET, &pos));
    SHOW("fd_seek bad whence", __wasi_fd_seek(fd, 0, 7, &pos));
    memset(buf, 0, sizeof buf);
    rv.buf_len = 5;
    SHOW("fd_pread", __wasi_fd_pread(fd, &rv, 1, 6, &n));
    printf("pread: %s\n", buf);
    __wasi_ciovec_t pw = {(const uint8_t *)"HELLO", 5};
    SHOW("fd_pwrite", __wasi_fd_pwrite(fd, &pw, 1, 0, &n));
    __wasi_filestat_t st;
    SHOW("fd_filestat_get", __wasi_fd_filestat_get(fd, &st));
    printf("size %llu type %d nlink %llu\n", (unsigned long long)st.size, st.filetype,
           (unsigned long long)st.nlink);
    SHOW("fd_filestat_set_size", __wasi_fd_filestat_set_size(fd, 5));
    __wasi_fd_filestat_get(fd, &st);
    printf("size after truncate: %llu\n", (unsigned long long)st.size);
    SHOW("fd_filestat_set_times",
         __wasi_fd_filestat_set_times(fd, 1000000000ull * 1000000000ull,
                                      1500000000ull * 1000000000ull,
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    __wasi_fd_filestat_get(fd, &st);
    printf("mtim: %llu\n", (unsigned long long)(st.mtim / 1000000000ull));
    SHOW("fd_filestat_set_times both",
         __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
    __wasi_fdstat_t fs;
    SHOW("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &fs));
    printf("fdstat type %d flags %d\n", fs.fs_filetype, fs.fs_flags);
    SHOW("fd_fdstat_set_flags append", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos);
    __wasi_ciovec_t app = {(const uint8_t *)"!", 1};
    __wasi_fd_write(fd, &app, 1, &n);
    __wasi_fd_filestat_get(fd, &st);
    printf("size after append: %llu\n", (unsigned long long)st.size);
    __wasi_fd_fdstat_get(fd, &fs);
    printf("flags now %d\n", fs.fs_flags);
    SHOW("fd_sync", __wasi_fd_sync(fd));
    SHOW("fd_datasync", __wasi_fd_datasync(fd));
    SHOW("fd_advise", __wasi_fd_advise(fd, 0, 10, __WASI_ADVICE_SEQUENTIAL));
    SHOW("fd_advise bad", __wasi_fd_advise(fd, 0, 10, 9));
    SHOW("fd_allocate", __wasi_fd_allocate(fd, 0, 100));
    __wasi_fd_filestat_get(fd, &st);
    printf("size after allocate: %llu\n", (unsigned long long)st.size);
    SHOW("fd_fdstat_set_rights drop write",
         __wasi_fd_fdstat_set_rights(fd, RW & ~__WASI_RIGHTS_FD_WRITE, 0));
    SHOW("fd_write without right", __wasi_fd_write(fd, &app, 1, &n));
    SHOW("fd_fdstat_set_rights grow", __wasi_fd_fdstat_set_rights(fd, RW, 0));
    SHOW("fd_close", __wasi_fd_close(fd));
    SHOW("fd_close again", __wasi_fd_close(fd));
}

static void bad_args(void)
{
    __wasi_size_t n;
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    SHOW("fd_write bad fd", __wasi_fd_write(99, &iov, 1, &n));
    SHOW("fd_read bad fd", __wasi_fd_read(99, (__wasi_iovec_t *)&iov, 1, &n));
    __wasi_ciovec_t bad = {(const uint8_t *)0xfffffff0u, 100};
    SHOW("fd_write bad buffer", __wasi_fd_write(1, &bad, 1, &n));
    SHOW("fd_write bad iovec array",
         __wasi_fd_write(1, (const __wasi_ciovec_t *)0xfffffff8u, 2, &n));
    SHOW("fd_write bad result pointer", __wasi_fd_write(1, &iov, 1, (__wasi_size_t *)0xfffffffeu));
    __wasi_filesize_t pos;
    SHOW("fd_seek on directory", __wasi_fd_seek(dir, 0, __WASI_WHENCE_CUR, &pos));
    SHOW("fd_renumber bad", __wasi_fd_renumber(99, 1));
    SHOW("random_get bad pointer", __wasi_random_get((uint8_t *)0xfffffff0u, 100));
}

static void directories(void)
{
    __wasi_fd_t fd, d;
    SHOW("path_create_directory", __wasi_path_create_directory(dir, "sub"));
    SHOW("path_create_directory again", __wasi_path_create_directory(dir, "sub"));
    __wasi_filestat_t st;
    SHOW("path_filestat_get dir", __wasi_path_filestat_get(dir, 0, "sub", &st));
    printf("sub type: %d\n", st.filetype);
    SHOW("path_rename", __wasi_path_rename(dir, "a.txt", dir, "sub/b.txt"));
    SHOW("path_filestat_get old", __wasi_path_filestat_get(dir, 0, "a.txt", &st));
    SHOW("path_filestat_get new", __wasi_path_filestat_get(dir, 0, "sub/b.txt", &st));
    printf("b.txt size: %llu\n", (unsigned long long)st.size);
    SHOW("path_filestat_set_times",
         __wasi_path_filestat_set_times(dir, 0, "sub/b.txt", 0, 1234567890ull * 1000000000ull,
                                        __WASI_FSTFLAGS_MTIM));
    __wasi_path_filestat_get(dir, 0, "sub/b.txt", &st);
    printf("b.txt mtim: %llu\n", (unsigned long long)(st.mtim / 1000000000ull));
    SHOW("path_open c.txt", open_at(dir, "sub/c.txt", __WASI_OFLAGS_CREAT, RW, 0, &fd));
    __wasi_fd_close(fd);
    SHOW("path_open excl existing",
         open_at(dir, "sub/c.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW, 0, &fd));
    SHOW("path_open missing", open_at(dir, "nope.txt", 0, RW, 0, &fd));
    SHOW("path_open file as directory",
         open_at(dir, "sub/c.txt", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0, &fd));
    SHOW("path_open directory for writing", open_at(dir, "sub", 0, RW, 0, &fd));
    SHOW("path_open directory", open_at(dir, "sub", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0, &d));
    char buf[256];
    __wasi_size_t used;
    SHOW("fd_readdir", __wasi_fd_readdir(d, (uint8_t *)buf, sizeof buf, 0, &used));
    /* names in order of the listing, "." and ".." skipped; sorted here */
    char names[8][32];
    int count = 0;
    for (size_t off = 0; off + sizeof(__wasi_dirent_t) <= used && count < 8;) {
        __wasi_dirent_t e;
        memcpy(&e, buf + off, sizeof e);
        off += sizeof e;
        if (off + e.d_namlen > used) break;
        if (!(e.d_namlen == 1 && buf[off] == '.') &&
            !(e.d_namlen == 2 && !memcmp(buf + off, "..", 2)))
            snprintf(names[count++], sizeof names[0], "%.*s:%d", (int)e.d_namlen, buf + off,
                     e.d_type);
        off += e.d_namlen;
    }
    for (int i = 0; i < count; i++)
        for (int j = i + 1; j < count; j++)
            if (strcmp(names[i], names[j]) > 0) {
                char t[32];
                memcpy(t, names[i], 32);
                memcpy(names[i], names[j], 32);
                memcpy(names[j], t, 32);
            }
    for (int i = 0; i < count; i++)
        printf("entry %s\n", names[i]);
    __wasi_iovec_t iov = {(uint8_t *)buf, 10};
    SHOW("fd_read on directory", __wasi_fd_read(d, &iov, 1, &used));
    SHOW("fd_readdir on file", __wasi_fd_readdir(0, (uint8_t *)buf, sizeof buf, 0, &used));
    SHOW("path_remove_directory non-empty", __wasi_path_remove_directory(dir, "sub"));
    SHOW("path_unlink_file on directory", __wasi_path_unlink_file(dir, "sub"));
    SHOW("path_remove_directory on file", __wasi_path_remove_directory(dir, "sub/c.txt"));
    SHOW("path_unlink_file", __wasi_path_unlink_file(d, "c.txt"));
    SHOW("path_unlink_file missing", __wasi_path_unlink_file(d, "c.txt"));
    SHOW("path_open relative to non-directory", open_at(0, "x", 0, RW, 0, &fd));
    __wasi_fd_close(d);
}

static void links(void)
{
    __wasi_filestat_t st;
    SHOW("path_symlink", __wasi_path_symlink("b.txt", dir, "sub/link"));
    char buf[64] = {0};
    __wasi_size_t used;
    SHOW("path_readlink", __wasi_path_readlink(dir, "sub/link", (uint8_t *)buf, sizeof buf, &used));
    printf("readlink: %.*s\n", (int)used, buf);
    SHOW("path_filestat_get follow",
         __wasi_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sub/link", &st));
    printf("follow type: %d\n", st.filetype);
    SHOW("path_filestat_get nofollow", __wasi_path_filestat_get(dir, 0, "sub/link", &st));
    printf("nofollow type: %d\n", st.filetype);
    SHOW("path_link", __wasi_path_link(dir, 0, "sub/b.txt", dir, "sub/hard"));
    __wasi_path_filestat_get(dir, 0, "sub/b.txt", &st);
    printf("nlink: %llu\n", (unsigned long long)st.nlink);
    /* a trailing slash on the new name fails as on Linux and creates nothing */
    SHOW("path_symlink new/ missing", __wasi_path_symlink("b.txt", dir, "sub/new/"));
    SHOW("path_symlink new/ file", __wasi_path_symlink("b.txt", dir, "sub/hard/"));
    SHOW("path_symlink new/ directory", __wasi_path_symlink("b.txt", dir, "sub/"));
    SHOW("path_link new/ missing", __wasi_path_link(dir, 0, "sub/b.txt", dir, "sub/new/"));
    SHOW("path_link new/ file", __wasi_path_link(dir, 0, "sub/b.txt", dir, "sub/hard/"));
    SHOW("path_link new/ not created", __wasi_path_filestat_get(dir, 0, "sub/new", &st));
    SHOW("path_link old file/", __wasi_path_link(dir, 0, "sub/b.txt/", dir, "sub/new"));
    SHOW("path_unlink_file link", __wasi_path_unlink_file(dir, "sub/link"));
    SHOW("path_unlink_file hard", __wasi_path_unlink_file(dir, "sub/hard"));
}

/* Directories opened with each access: writing one is EISDIR as on Linux,
 * with or without O_DIRECTORY; O_DIRECTORY on a file is ENOTDIR. */
static void open_dirs(void)
{
    __wasi_fd_t fd;
    static const struct {
        const char *name, *path;
        __wasi_oflags_t oflags;
        __wasi_rights_t rights;
    } cases[] = {
        {"path_open O_DIRECTORY read", "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR},
        {"path_open O_DIRECTORY write", "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_WRITE},
        {"path_open O_DIRECTORY read+write", "sub", __WASI_OFLAGS_DIRECTORY,
         __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE},
        {"path_open O_DIRECTORY set_size", "sub", __WASI_OFLAGS_DIRECTORY,
         __WASI_RIGHTS_FD_FILESTAT_SET_SIZE},
        {"path_open O_DIRECTORY all file rights", "sub", __WASI_OFLAGS_DIRECTORY, RW},
        {"path_open dir/ write", "sub/", 0, __WASI_RIGHTS_FD_WRITE},
        {"path_open dir write", "sub", 0, __WASI_RIGHTS_FD_WRITE},
        {"path_open O_DIRECTORY file write", "sub/b.txt", __WASI_OFLAGS_DIRECTORY,
         __WASI_RIGHTS_FD_WRITE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        __wasi_errno_t e = open_at(dir, cases[i].path, cases[i].oflags, cases[i].rights, 0, &fd);
        SHOW(cases[i].name, e);
        if (e == 0) __wasi_fd_close(fd);
    }
}

/* Attempts that must not leave the sandbox: only "refused" is printed, as
 * hosts differ in the errno they choose. */
static void escapes(void)
{
    __wasi_fd_t fd;
    static const char *const paths[] = {"..",
                                        "../x",
                                        "/etc/passwd",
                                        "sub/../../x",
                                        "sub/../..",
                                        "./../sub",
                                        "sub/./../../../../etc/passwd"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        __wasi_errno_t e = open_at(dir, paths[i], 0, __WASI_RIGHTS_FD_READ, 0, &fd);
        printf("escape %s: %s\n", paths[i], e ? "refused" : "OPENED");
    }
    __wasi_errno_t e = __wasi_path_create_directory(dir, "../outside");
    printf("escape mkdir ..: %s\n", e ? "refused" : "CREATED");
    e = __wasi_path_rename(dir, "sub/b.txt", dir, "../stolen");
    printf("escape rename: %s\n", e ? "refused" : "MOVED");
    /* A symlink pointing out, then followed. */
    __wasi_path_symlink("../../../../../../etc/passwd", dir, "evil");
    e = open_at(dir, "evil", 0, __WASI_RIGHTS_FD_READ, 0, &fd);
    printf("escape via relative symlink: %s\n", e ? "refused" : "OPENED");
    __wasi_path_unlink_file(dir, "evil");
    e = __wasi_path_symlink("/etc/passwd", dir, "evil2");
    __wasi_errno_t e2 = open_at(dir, "evil2", 0, __WASI_RIGHTS_FD_READ, 0, &fd);
    printf("escape via absolute symlink: %s\n", e || e2 ? "refused" : "OPENED");
    __wasi_path_unlink_file(dir, "evil2");
    char longname[301];
    memset(longname, 'n', 300);
    longname[300] = 0;
    SHOW("path_open long name", open_at(dir, longname, __WASI_OFLAGS_CREAT, RW, 0, &fd));
    static char longpath[5000];
    for (int i = 0; i < 4998; i += 2)
        memcpy(longpath + i, "d/", 2);
    e = open_at(dir, longpath, 0, RW, 0, &fd);
    printf("long path refused: %d\n", e != 0);
}

static void renumber_poll(void)
{
    __wasi_fd_t a, b;
    open_at(dir, "sub/b.txt", 0, RW, 0, &a);
    open_at(dir, "sub/b.txt", 0, RW, 0, &b);
    SHOW("fd_renumber", __wasi_fd_renumber(a, b));
    __wasi_fdstat_t fs;
    SHOW("renumbered old fd", __wasi_fd_fdstat_get(a, &fs));
    SHOW("renumbered new fd", __wasi_fd_fdstat_get(b, &fs));
    __wasi_subscription_t subs[2];
    __wasi_event_t ev[2];
    __wasi_size_t nev;
    memset(subs, 0, sizeof subs);
    subs[0].userdata = 11;
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 20000000;
    SHOW("poll_oneoff clock", __wasi_poll_oneoff(subs, ev, 1, &nev));
    printf("events %u userdata %llu type %d error %d\n", (unsigned)nev,
           (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);
    subs[1].userdata = 22;
    subs[1].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[1].u.u.fd_read.file_descriptor = b;
    subs[0].u.u.clock.timeout = 5000000000ull;
    SHOW("poll_oneoff file+clock", __wasi_poll_oneoff(subs, ev, 2, &nev));
    printf("events %u first userdata %llu type %d\n", (unsigned)nev,
           (unsigned long long)ev[0].userdata, ev[0].type);
    subs[1].u.u.fd_read.file_descriptor = 99;
    SHOW("poll_oneoff bad fd", __wasi_poll_oneoff(subs, ev, 2, &nev));
    printf("events %u first userdata %llu error %d\n", (unsigned)nev,
           (unsigned long long)ev[0].userdata, ev[0].error);
    SHOW("poll_oneoff none", __wasi_poll_oneoff(subs, ev, 0, &nev));
    __wasi_fd_close(b);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    args_env();
    clocks_random();
    prestat();
    file_io();
    bad_args();
    directories();
    links();
    open_dirs();
    escapes();
    renumber_poll();
    printf("done\n");
    fflush(stdout);
    __wasi_proc_exit(3);
}
