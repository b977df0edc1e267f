/*
 * lib/wasi/p2_fs.h - what the wasi:filesystem files of lib/wasi share
 * (p2_fs.c descriptors, p2_fs_path.c the *-at calls, p2_fs_dir.c
 * directory streams, p2_fs_stream.c file streams): the descriptor object,
 * its flags as the WIT numbers them, results in return areas, and guest
 * paths made safe with path.c's confinement.
 *
 * Descriptor flags are permissions: a directory descriptor may be read
 * (open-at, stat-at, readlink-at, read-directory) with the read flag, else
 * not-permitted, and changed (create, remove, rename, link, symlink,
 * set-times, opening for writing) with mutate-directory, else read-only
 * (types.wit, descriptor-flags and open-at); a file is read with read and
 * written with write, else bad-descriptor (as wasmtime); a directory used
 * as a file is bad-descriptor, a file used as a directory not-directory.
 * Misused handles trap (p2.h).
 */
#ifndef WASI_P2_FS_H
#define WASI_P2_FS_H

#include "wasi/p2.h"

/* descriptor-flags (wasi:filesystem/types). */
enum {
    DF_READ = 1 << 0,
    DF_WRITE = 1 << 1,
    DF_FILE_INTEGRITY_SYNC = 1 << 2,
    DF_DATA_INTEGRITY_SYNC = 1 << 3,
    DF_REQUESTED_WRITE_SYNC = 1 << 4,
    DF_MUTATE_DIRECTORY = 1 << 5,
    DF_ALL_ = (1 << 6) - 1,
};

/* open-flags and path-flags. */
enum { OF_CREATE = 1, OF_DIRECTORY = 2, OF_EXCLUSIVE = 4, OF_TRUNCATE = 8, OF_ALL_ = 15 };
enum { PF_SYMLINK_FOLLOW = 1 };

/* error-code (enum, in WIT order). */
enum {
    FSE_ACCESS,
    FSE_WOULD_BLOCK,
    FSE_ALREADY,
    FSE_BAD_DESCRIPTOR,
    FSE_BUSY,
    FSE_DEADLOCK,
    FSE_QUOTA,
    FSE_EXIST,
    FSE_FILE_TOO_LARGE,
    FSE_ILLEGAL_BYTE_SEQUENCE,
    FSE_IN_PROGRESS,
    FSE_INTERRUPTED,
    FSE_INVALID,
    FSE_IO,
    FSE_IS_DIRECTORY,
    FSE_LOOP,
    FSE_TOO_MANY_LINKS,
    FSE_MESSAGE_SIZE,
    FSE_NAME_TOO_LONG,
    FSE_NO_DEVICE,
    FSE_NO_ENTRY,
    FSE_NO_LOCK,
    FSE_INSUFFICIENT_MEMORY,
    FSE_INSUFFICIENT_SPACE,
    FSE_NOT_DIRECTORY,
    FSE_NOT_EMPTY,
    FSE_NOT_RECOVERABLE,
    FSE_UNSUPPORTED,
    FSE_NO_TTY,
    FSE_NO_SUCH_DEVICE,
    FSE_OVERFLOW,
    FSE_NOT_PERMITTED,
    FSE_PIPE,
    FSE_READ_ONLY,
    FSE_INVALID_SEEK,
    FSE_TEXT_FILE_BUSY,
    FSE_CROSS_DEVICE,
};

/* A descriptor: an open file or directory. */
struct p2_desc {
    struct p2_obj h;
    struct p2_fref *fref;
    uint8_t type;  /* enum wasi_port_filetype, from fstat at open */
    uint8_t flags; /* DF_* */
};

/* Makes a descriptor over file (which it then owns, closed on failure
 * too) with flags: 0 and *handle, or a trap value. */
int p2_desc_new(struct wasm_host_call *call, struct wasi_port_file *file, uint8_t flags,
                uint32_t *handle);
/* Checks that d is a directory with flags need: 0, ERR_NOTDIR, ERR_ROFS
 * (read-only: no mutate-directory) or ERR_PERM (not-permitted: no read). */
int p2_desc_dir(const struct p2_desc *d, uint8_t need);
/* Checks that d is a file (not a directory) with flags need: 0 or
 * ERR_BADF (bad-descriptor). */
int p2_desc_file(const struct p2_desc *d, uint8_t need);

/* Time of a port stat (ns, 0: none) as option<datetime> at p (24 bytes:
 * tag, seconds at +8, nanoseconds at +16). */
void p2_fs_put_time(uint8_t *p, uint64_t ns);
/* descriptor-type for a port file type. */
uint8_t p2_fs_type(uint8_t port_type);

/* Writes result<_, error-code>-shaped errors: [0] = 1, [code_off] the
 * error-code of err. Returns 0, or a trap value (bad return area, or
 * ERR_CANCELED: killed). */
int p2_fs_fail(struct wasm_host_call *call, uint32_t ret_ptr, uint32_t size, uint32_t align,
               uint32_t code_off, int err);
/* result<_, error-code> (2 bytes): ok for err == 0, else the error. */
int p2_fs_unit(struct wasm_host_call *call, uint32_t ret_ptr, int err);

/* A guest path, confined (path.c). */
struct p2_path {
    unsigned flags; /* WASI_PATH_TRAILING_SLASH */
    char path[WASI_PORT_PATH_MAX + 1];
};
/* Reads and confines (ptr, len): 0 and *out (heap, mem_free it), an ERR_*
 * for a bad path (*out NULL), or a trap value > 0 (not UTF-8, out of
 * bounds). */
int p2_path_get(struct wasm_host_call *call, uint32_t ptr, uint32_t len, struct p2_path **out);

#endif
