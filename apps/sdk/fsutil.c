/*
 * apps/sdk/fsutil.c - whole-file copy, path joining, basenames and the
 * same-file test (sdk/fsutil.h).
 */
#include "sdk/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"

/* Big transfers: a FAT32 disk behind virtio is much faster with them. */
#define COPY_BUF_SIZE (256 * 1024)

int fs_copy_file(const char *src, const char *dst, enum fs_copy_side *side)
{
    static char *buf;
    if (!buf && !(buf = malloc(COPY_BUF_SIZE))) {
        *side = FS_COPY_SRC_OPEN;
        return ENOMEM;
    }
    int in = open(src, O_RDONLY);
    if (in < 0) {
        *side = FS_COPY_SRC_OPEN;
        return errno;
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (out < 0) {
        int err = errno;
        close(in);
        *side = FS_COPY_DST_OPEN;
        return err;
    }
    int err = 0;
    for (;;) {
        ssize_t n = read(in, buf, COPY_BUF_SIZE);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n < 0) {
                err = errno;
                *side = FS_COPY_SRC_READ;
            }
            break;
        }
        if (cli_write_all(out, buf, (size_t)n) != 0) {
            err = errno;
            *side = FS_COPY_DST_WRITE;
            break;
        }
    }
    close(in);
    if (close(out) != 0 && !err) {
        err = errno;
        *side = FS_COPY_DST_WRITE;
    }
    return err;
}

char *fs_join(const char *dir, const char *base)
{
    size_t a = strlen(dir), b = strlen(base);
    char *p = malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    if (a > 0 && dir[a - 1] != '/') p[a++] = '/';
    memcpy(p + a, base, b + 1);
    return p;
}

void fs_basename(const char *path, char *out, size_t size)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t n = end - start;
    if (size == 0) return;
    if (n >= size) n = size - 1;
    memcpy(out, path + start, n);
    out[n] = '\0';
}

bool fs_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}
