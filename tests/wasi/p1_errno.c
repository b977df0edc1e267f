/*
 * tests/wasi/p1_errno.c - the errno of path calls in their corner cases,
 * built twice from this source: for wasm32-wasi (run under kpio-wasm, each
 * call going through lib/wasi's path_*) and natively for Linux (the
 * reference). run_wasi_tests.py compares the two outputs line by line.
 *
 *   p1_errno DIR    (DIR: an empty directory, the program's working place)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *errname(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {{ENOENT, "ENOENT"}, {EEXIST, "EEXIST"}, {ENOTDIR, "ENOTDIR"},
                 {EISDIR, "EISDIR"}, {EPERM, "EPERM"},   {ENOTEMPTY, "ENOTEMPTY"},
                 {EINVAL, "EINVAL"}, {ELOOP, "ELOOP"},   {EACCES, "EACCES"},
                 {EBADF, "EBADF"},   {EXDEV, "EXDEV"},   {EBUSY, "EBUSY"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].e == e) return names[i].name;
    return "other";
}

static void show(const char *what, int rc)
{
    printf("%s: %s\n", what, rc < 0 ? errname(errno) : "ok");
}

static int open_close(const char *path, int flags)
{
    int fd = open(path, flags, 0644);
    if (fd >= 0) close(fd);
    return fd < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    struct stat st;
    char buf[64];
    if (argc < 2 || chdir(argv[1]) < 0) return 2;
    show("setup file", open_close("f", O_CREAT | O_WRONLY));
    show("setup dir", mkdir("d", 0755));
    show("setup dir entry", open_close("d/x", O_CREAT | O_WRONLY));
    show("mkdir existing", mkdir("d", 0755));
    show("mkdir existing/", mkdir("d/", 0755));
    show("mkdir over file", mkdir("f", 0755));
    show("rmdir file", rmdir("f"));
    show("rmdir not empty", rmdir("d"));
    show("rmdir missing", rmdir("nope"));
    show("unlink dir", unlink("d"));
    show("unlink file/", unlink("f/"));
    show("unlink missing", unlink("nope"));
    show("rename file over dir", rename("f", "d"));
    show("rename dir over file", rename("d", "f"));
    show("rename dir into itself", rename("d", "d/sub"));
    show("rename missing", rename("nope", "x"));
    show("rename file/", rename("f/", "g"));
    show("symlink new/ missing", symlink("f", "new/"));
    show("symlink existing", symlink("f", "f"));
    show("symlink new/ existing file", symlink("f", "f/"));
    show("symlink new/ existing dir", symlink("f", "d/"));
    show("link new/ missing", link("f", "new/"));
    show("link new/ existing", link("f", "f/"));
    show("link old file/", link("f/", "new"));
    show("link dir", link("d", "new"));
    show("link missing", link("nope", "new"));
    show("readlink of a file", (int)readlink("f", buf, sizeof buf));
    show("stat file/", stat("f/", &st));
    show("stat missing", stat("nope", &st));
    show("open dir write", open_close("d", O_WRONLY));
    show("open dir rdwr", open_close("d", O_RDWR));
    show("open dir O_DIRECTORY write", open_close("d", O_DIRECTORY | O_WRONLY));
    show("open dir O_DIRECTORY read", open_close("d", O_DIRECTORY | O_RDONLY));
    show("open file O_DIRECTORY", open_close("f", O_DIRECTORY | O_RDONLY));
    show("open file/", open_close("f/", O_RDONLY));
    show("open missing", open_close("nope", O_RDONLY));
    show("open excl existing", open_close("f", O_CREAT | O_EXCL | O_WRONLY));
    show("open create new/", open_close("new/", O_CREAT | O_WRONLY));
    show("open create in missing dir", open_close("nope/x", O_CREAT | O_WRONLY));
    show("open through file", open_close("f/x", O_RDONLY));
    return 0;
}
