/*
 * lib/wasi/p1_table.c - the `wasi_snapshot_preview1` import table: every
 * function of wasi_snapshot_preview1.witx with its core signature, in the
 * witx's order. The signatures are those wasi-libc and every preview1 host
 * use (handles and pointers i32, 64-bit values i64, errno result i32).
 */
#include "base/mem.h"
#include "base/util.h"
#include "wasi/internal.h"

#define F(name, sig)                                                                               \
    {                                                                                              \
        NULL, #name, sig, wasi_p1_##name                                                           \
    }

static const struct wasi_import_fn p1_table[] = {
    F(args_get, "(ii)i"),
    F(args_sizes_get, "(ii)i"),
    F(environ_get, "(ii)i"),
    F(environ_sizes_get, "(ii)i"),
    F(clock_res_get, "(ii)i"),
    F(clock_time_get, "(iIi)i"),
    F(fd_advise, "(iIIi)i"),
    F(fd_allocate, "(iII)i"),
    F(fd_close, "(i)i"),
    F(fd_datasync, "(i)i"),
    F(fd_fdstat_get, "(ii)i"),
    F(fd_fdstat_set_flags, "(ii)i"),
    F(fd_fdstat_set_rights, "(iII)i"),
    F(fd_filestat_get, "(ii)i"),
    F(fd_filestat_set_size, "(iI)i"),
    F(fd_filestat_set_times, "(iIIi)i"),
    F(fd_pread, "(iiiIi)i"),
    F(fd_prestat_get, "(ii)i"),
    F(fd_prestat_dir_name, "(iii)i"),
    F(fd_pwrite, "(iiiIi)i"),
    F(fd_read, "(iiii)i"),
    F(fd_readdir, "(iiiIi)i"),
    F(fd_renumber, "(ii)i"),
    F(fd_seek, "(iIii)i"),
    F(fd_sync, "(i)i"),
    F(fd_tell, "(ii)i"),
    F(fd_write, "(iiii)i"),
    F(path_create_directory, "(iii)i"),
    F(path_filestat_get, "(iiiii)i"),
    F(path_filestat_set_times, "(iiiiIIi)i"),
    F(path_link, "(iiiiiii)i"),
    F(path_open, "(iiiiiIIii)i"),
    F(path_readlink, "(iiiiii)i"),
    F(path_remove_directory, "(iii)i"),
    F(path_rename, "(iiiiii)i"),
    F(path_symlink, "(iiiii)i"),
    F(path_unlink_file, "(iii)i"),
    F(poll_oneoff, "(iiii)i"),
    F(proc_exit, "(i)"),
    F(proc_raise, "(i)i"),
    F(sched_yield, "()i"),
    F(random_get, "(ii)i"),
    F(sock_accept, "(iii)i"),
    F(sock_recv, "(iiiiii)i"),
    F(sock_send, "(iiiii)i"),
    F(sock_shutdown, "(ii)i"),
};

const struct wasi_import_fn *wasi_p1_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(p1_table); i++)
        if (strlen(p1_table[i].name) == len && !memcmp(p1_table[i].name, name, len))
            return &p1_table[i];
    return NULL;
}
