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

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Applies each to src and the path it takes in the directory dir. */
static bool apply_into_dir(const char *src, const char *dir, fs_pair_fn each)
{
    char base[256];
    fs_basename(src, base, sizeof base);
    char *target = fs_join(dir, base);
    if (!target) {
        cli_warn_err(ENOMEM, "'%s'", src);
        return false;
    }
    bool ok = each(src, target);
    free(target);
    return ok;
}

int fs_apply_to_target(int argc, char **argv, int first, fs_pair_fn each)
{
    int n = argc - first;
    if (n == 0) cli_usage_error("missing file operand");
    if (n == 1) cli_usage_error("missing destination file operand after '%s'", argv[first]);
    const char *dest = argv[argc - 1];
    bool into = is_directory(dest);
    if (n > 2 && !into) {
        cli_warn_err(ENOTDIR, "target '%s'", dest);
        return CLI_FAIL;
    }
    bool ok = true;
    for (int i = first; i < argc - 1; i++)
        ok = (into ? apply_into_dir(argv[i], dest, each) : each(argv[i], dest)) && ok;
    return ok ? CLI_OK : CLI_FAIL;
}
