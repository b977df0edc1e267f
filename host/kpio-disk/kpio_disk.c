/*
 * host/kpio-disk/kpio_disk.c - a host tool over lib/fat: lists, reads,
 * writes and copies whole trees into and out of FAT disk images, the way
 * mtools does, but through KPIO's own library. The tests use it to check
 * lib/fat against mkfs.fat, mtools and fsck.fat.
 *
 *   kpio-disk [-S sector-size] IMAGE COMMAND [ARGS]
 *     ls [PATH]           list a directory: "d|f SIZE NAME" lines
 *     extract HOSTDIR     copy the whole volume into HOSTDIR
 *     import HOSTDIR      copy HOSTDIR's tree into the volume root
 *     cat PATH            write a file to stdout
 *     put HOSTFILE PATH   copy a host file in (replacing)
 *     mkdir PATH | rmdir PATH | rm PATH | mv FROM TO | stat PATH
 *     statfs | label
 *
 * The device sector size defaults to the image's BPB_BytsPerSec.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "fat/fat.h"
#include "host/kpio-disk/filedev.h"

#define BUF_SIZE (1u << 20)

static int fail(const char *what, const char *path, int err)
{
    fprintf(stderr, "kpio-disk: %s %s: %s (%s)\n", what, path, err_name(err), err_str(err));
    return err;
}

static int cmd_ls(struct fat_volume *v, const char *path)
{
    struct fat_dir *d;
    struct fat_dirent e;
    int r = fat_opendir(v, path, &d);
    if (r < 0) return fail("opendir", path, r);
    while ((r = fat_readdir(d, &e)) > 0)
        printf("%c %llu %s\n", e.st.is_dir ? 'd' : 'f', (unsigned long long)e.st.size, e.name);
    fat_closedir(d);
    return r < 0 ? fail("readdir", path, r) : 0;
}

static int copy_out(struct fat_volume *v, const char *path, const char *host, char *buf)
{
    struct fat_file *f;
    int r = fat_open(v, path, FAT_O_READ, &f);
    if (r < 0) return fail("open", path, r);
    int fd = open(host, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fat_close(f);
        return fail("create host file", host, ERR_IO);
    }
    long n;
    while ((n = fat_read(f, buf, BUF_SIZE)) > 0) {
        if (write(fd, buf, (size_t)n) != n) {
            n = ERR_IO;
            break;
        }
    }
    close(fd);
    fat_close(f);
    return n < 0 ? fail("read", path, (int)n) : 0;
}

/* Copies directory path of the volume into host directory host. */
static int extract(struct fat_volume *v, const char *path, const char *host, char *buf, int depth)
{
    struct fat_dir *d;
    struct fat_dirent e;
    char sub[4096], hsub[4096];
    if (depth > 64) return fail("extract", path, ERR_LOOP);
    int r = fat_opendir(v, path, &d);
    if (r < 0) return fail("opendir", path, r);
    while ((r = fat_readdir(d, &e)) > 0) {
        snprintf(sub, sizeof sub, "%s/%s", path, e.name);
        snprintf(hsub, sizeof hsub, "%s/%s", host, e.name);
        if (e.st.is_dir) {
            if (mkdir(hsub, 0755) < 0 && errno != EEXIST) {
                r = fail("mkdir", hsub, ERR_IO);
                break;
            }
            if ((r = extract(v, sub, hsub, buf, depth + 1)) < 0) break;
        } else if ((r = copy_out(v, sub, hsub, buf)) < 0) {
            break;
        }
    }
    fat_closedir(d);
    return r < 0 ? r : 0;
}

static int copy_in(struct fat_volume *v, const char *host, const char *path, char *buf)
{
    struct fat_file *f;
    int fd = open(host, O_RDONLY);
    if (fd < 0) return fail("open host file", host, ERR_IO);
    int r = fat_open(v, path, FAT_O_WRITE | FAT_O_CREAT | FAT_O_TRUNC, &f);
    if (r < 0) {
        close(fd);
        return fail("create", path, r);
    }
    ssize_t n;
    while ((n = read(fd, buf, BUF_SIZE)) > 0) {
        long w = fat_write(f, buf, (size_t)n);
        if (w != n) {
            r = w < 0 ? (int)w : ERR_NOSPC;
            break;
        }
    }
    close(fd);
    int c = fat_close(f);
    if (r == 0) r = c;
    return r < 0 ? fail("write", path, r) : 0;
}

/* Copies host directory host into volume directory path (which exists). */
static int import(struct fat_volume *v, const char *host, const char *path, char *buf, int depth)
{
    char sub[4096], hsub[4096];
    struct stat st;
    if (depth > 64) return fail("import", host, ERR_LOOP);
    DIR *d = opendir(host);
    if (!d) return fail("opendir", host, ERR_IO);
    struct dirent *de;
    int r = 0;
    while (r == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        snprintf(hsub, sizeof hsub, "%s/%s", host, de->d_name);
        snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
        if (stat(hsub, &st) < 0) {
            r = fail("stat", hsub, ERR_IO);
        } else if (S_ISDIR(st.st_mode)) {
            r = fat_mkdir(v, sub);
            if (r == ERR_EXIST) r = 0;
            if (r < 0)
                fail("mkdir", sub, r);
            else
                r = import(v, hsub, sub, buf, depth + 1);
        } else {
            r = copy_in(v, hsub, sub, buf);
        }
    }
    closedir(d);
    return r;
}

static int cmd_stat(struct fat_volume *v, const char *path)
{
    struct fat_stat st;
    int r = fat_stat(v, path, &st);
    if (r < 0) return fail("stat", path, r);
    printf("%s size=%llu attr=0x%02x cluster=%u mtime=%lld\n", st.is_dir ? "dir" : "file",
           (unsigned long long)st.size, st.attr, st.first_cluster, (long long)st.mtime);
    return 0;
}

static int run(struct fat_volume *v, int argc, char **argv, char *buf)
{
    const char *cmd = argv[0], *a = argc > 1 ? argv[1] : "", *b = argc > 2 ? argv[2] : "";
    int r;
    if (!strcmp(cmd, "ls")) return cmd_ls(v, a);
    if (!strcmp(cmd, "extract") && argc == 2) return extract(v, "", a, buf, 0);
    if (!strcmp(cmd, "import") && argc == 2) return import(v, a, "", buf, 0);
    if (!strcmp(cmd, "put") && argc == 3) return copy_in(v, a, b, buf);
    if (!strcmp(cmd, "stat") && argc == 2) return cmd_stat(v, a);
    if (!strcmp(cmd, "cat") && argc == 2) {
        struct fat_file *f;
        long n;
        if ((r = fat_open(v, a, FAT_O_READ, &f)) < 0) return fail("open", a, r);
        while ((n = fat_read(f, buf, BUF_SIZE)) > 0)
            fwrite(buf, 1, (size_t)n, stdout);
        fat_close(f);
        return n < 0 ? fail("read", a, (int)n) : 0;
    }
    if (!strcmp(cmd, "mkdir") && argc == 2)
        return (r = fat_mkdir(v, a)) < 0 ? fail("mkdir", a, r) : 0;
    if (!strcmp(cmd, "rmdir") && argc == 2)
        return (r = fat_rmdir(v, a)) < 0 ? fail("rmdir", a, r) : 0;
    if (!strcmp(cmd, "rm") && argc == 2) return (r = fat_unlink(v, a)) < 0 ? fail("rm", a, r) : 0;
    if (!strcmp(cmd, "mv") && argc == 3)
        return (r = fat_rename(v, a, b)) < 0 ? fail("mv", a, r) : 0;
    if (!strcmp(cmd, "statfs")) {
        struct fat_statfs s;
        if ((r = fat_statfs(v, &s)) < 0) return fail("statfs", "", r);
        printf("FAT%d sector=%u cluster=%u clusters=%u free=%u\n", s.fat_type, s.sector_size,
               s.cluster_size, s.total_clusters, s.free_clusters);
        return 0;
    }
    if (!strcmp(cmd, "label")) {
        char lab[16];
        if ((r = fat_label(v, lab, sizeof lab)) < 0) return fail("label", "", r);
        printf("%s\n", lab);
        return 0;
    }
    fprintf(stderr, "kpio-disk: unknown command or arguments: %s\n", cmd);
    return ERR_INVAL;
}

/* BPB_BytsPerSec of the image, or 512. */
static uint32_t image_sector_size(const char *path)
{
    unsigned char b[16];
    FILE *f = fopen(path, "rb");
    uint32_t ss = 512;
    if (f && fread(b, 1, sizeof b, f) == sizeof b) {
        uint32_t v = b[11] | (uint32_t)b[12] << 8;
        if (v >= 512 && v <= 4096 && (v & (v - 1)) == 0) ss = v;
    }
    if (f) fclose(f);
    return ss;
}

int main(int argc, char **argv)
{
    uint32_t ss = 0;
    int i = 1;
    if (i + 1 < argc && !strcmp(argv[i], "-S")) {
        ss = (uint32_t)atoi(argv[i + 1]);
        i += 2;
    }
    if (argc - i < 2) {
        fprintf(stderr, "usage: kpio-disk [-S sector-size] IMAGE COMMAND [ARGS]\n");
        return 2;
    }
    const char *image = argv[i++];
    const char *cmd = argv[i];
    bool rdonly = !strcmp(cmd, "ls") || !strcmp(cmd, "extract") || !strcmp(cmd, "cat") ||
                  !strcmp(cmd, "stat") || !strcmp(cmd, "label");
    struct filedev dev;
    if (!ss) ss = image_sector_size(image);
    int r = filedev_open(&dev, image, ss, rdonly);
    if (r < 0) return fail("open image", image, r), 1;
    struct fat_blockdev bd = filedev_blockdev(&dev);
    struct fat_clock clk = filedev_clock();
    struct fat_volume *v;
    if ((r = fat_mount(&bd, &clk, rdonly ? FAT_MOUNT_RDONLY : 0, &v)) < 0) {
        filedev_close(&dev);
        return fail("mount", image, r), 1;
    }
    char *buf = malloc(BUF_SIZE);
    r = buf ? run(v, argc - i, argv + i, buf) : ERR_NOMEM;
    free(buf);
    int u = fat_unmount(v);
    if (u < 0) fail("unmount", image, u);
    filedev_close(&dev);
    return (r < 0 || u < 0) ? 1 : 0;
}
