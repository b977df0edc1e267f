/*
 * tests/unit/vfs/test_path.c - lib/vfs/path.c (cmocka, ASan/UBSan).
 *
 * Two filesystems answer the resolver's questions: a table of paths
 * written here (which also logs every question), and a real directory
 * tree in a temporary folder, where Linux's own realpath(3) is the oracle
 * for ".", "..", repeated and trailing slashes and non-directories.
 */

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/error.h"
#include "vfs/path.h"

/* ---- a table filesystem ------------------------------------------------------------ */

struct table_fs {
    const char *const *dirs, *const *files;
    char asked[16][VPATH_MAX];
    int nasked;
};

static bool listed(const char *const *list, const char *abs)
{
    for (; *list; list++)
        if (strcmp(*list, abs) == 0) return true;
    return false;
}

static int table_is_dir(void *ctx, const char *abs)
{
    struct table_fs *t = ctx;
    if (t->nasked < 16) snprintf(t->asked[t->nasked], VPATH_MAX, "%s", abs);
    t->nasked++;
    if (listed(t->dirs, abs)) return 1;
    return listed(t->files, abs) ? 0 : ERR_NOENT;
}

static const char *const tree_dirs[] = {"/a", "/a/b", "/mnt", NULL};
static const char *const tree_files[] = {"/f", "/a/f", NULL};

static struct table_fs tree(void)
{
    return (struct table_fs){.dirs = tree_dirs, .files = tree_files};
}

/* Resolves with the table filesystem; returns the error, out the path. */
static int resolve(struct table_fs *t, const char *cwd, const char *path, char *out)
{
    struct vpath_ops ops = {table_is_dir, t};
    t->nasked = 0;
    return vpath_resolve(&ops, cwd, path, out, VPATH_MAX);
}

static void expect_path(const char *cwd, const char *path, const char *want)
{
    struct table_fs t = tree();
    char out[VPATH_MAX];
    int err = resolve(&t, cwd, path, out);
    if (err != 0) fail_msg("%s from %s: %s", path, cwd ? cwd : "(none)", err_name(err));
    assert_string_equal(out, want);
}

static void expect_error(const char *cwd, const char *path, int want)
{
    struct table_fs t = tree();
    char out[VPATH_MAX];
    assert_int_equal(resolve(&t, cwd, path, out), want);
}

/* ---- folding ------------------------------------------------------------------------- */

static void test_dot_and_dotdot(void **state)
{
    (void)state;
    expect_path("/", "/a/./b/..", "/a");
    expect_path("/", "/..", "/");
    expect_path("/", "/../../a", "/a");
    expect_path("/a/b", "../../..", "/");
    expect_path("/a", ".", "/a");
    expect_path("/a", "./b/./", "/a/b");
    expect_path("/a", "b/../f", "/a/f");
    expect_path("/", ".", "/");
}

static void test_repeated_slashes(void **state)
{
    (void)state;
    expect_path("/", "//a///b", "/a/b");
    expect_path("/", "////", "/");
    expect_path("/a//", "b//", "/a/b");
}

static void test_trailing_slash(void **state)
{
    (void)state;
    expect_path("/", "/a/b/", "/a/b");
    expect_error("/", "/a/f/", ERR_NOTDIR);
    expect_error("/", "/a/f/.", ERR_NOTDIR);
    expect_error("/", "/a/f//", ERR_NOTDIR);
    expect_path("/", "/a/new/", "/a/new"); /* mkdir "new/" decides */
    /* Without ops nothing is asked: folding only. */
    char out[VPATH_MAX];
    assert_int_equal(vpath_resolve(NULL, "/", "/a/f/", out, sizeof out), 0);
    assert_string_equal(out, "/a/f");
}

static void test_non_directory_in_the_middle(void **state)
{
    (void)state;
    expect_error("/", "/f/../a", ERR_NOTDIR);
    expect_error("/", "/a/f/../b", ERR_NOTDIR);
    expect_error("/", "/missing/../a", ERR_NOENT);
    expect_error("/f", "../a", ERR_NOTDIR); /* a cwd that is a file */
    /* Exactly the names that ".." removes are asked about, once each. */
    struct table_fs t = tree();
    char out[VPATH_MAX];
    assert_int_equal(resolve(&t, "/", "/a/b/../f", out), 0);
    assert_string_equal(out, "/a/f");
    assert_int_equal(t.nasked, 1);
    assert_string_equal(t.asked[0], "/a/b");
    assert_int_equal(resolve(&t, "/", "/a/x/y", out), 0); /* the driver's to check */
    assert_int_equal(t.nasked, 0);
}

/* ---- limits and bad arguments -------------------------------------------------------- */

static void test_too_long(void **state)
{
    (void)state;
    static char path[VPATH_MAX + 8], out[VPATH_MAX];
    memset(path, 'x', sizeof path);
    path[0] = '/';
    path[VPATH_MAX] = '\0'; /* VPATH_MAX bytes before the NUL: one too many */
    assert_int_equal(vpath_resolve(NULL, "/", path, out, sizeof out), ERR_NAMETOOLONG);
    path[VPATH_NAME_MAX + 2] = '\0'; /* "/" and one name of VPATH_NAME_MAX + 1 */
    assert_int_equal(vpath_resolve(NULL, "/", path, out, sizeof out), ERR_NAMETOOLONG);
    path[VPATH_NAME_MAX + 1] = '\0';
    assert_int_equal(vpath_resolve(NULL, "/", path, out, sizeof out), 0);
    assert_int_equal(strlen(out), VPATH_NAME_MAX + 1);
    /* The output buffer is a limit too: "/abc" needs 5 bytes. */
    assert_int_equal(vpath_resolve(NULL, "/", "/abc", out, 4), ERR_NAMETOOLONG);
    assert_int_equal(vpath_resolve(NULL, "/", "/abc", out, 5), 0);
    /* A long relative path that folds short is fine. */
    char rel[VPATH_MAX - 1] = "";
    while (strlen(rel) + 5 < sizeof rel)
        strcat(rel, "a/../");
    strcat(rel, "b");
    assert_int_equal(vpath_resolve(NULL, "/a/b/c", rel, out, sizeof out), 0);
    assert_string_equal(out, "/a/b/c/b");
}

static void test_too_deep(void **state)
{
    (void)state;
    char path[VPATH_MAX], out[VPATH_MAX];
    path[0] = '\0';
    for (int i = 0; i < VPATH_DEPTH_MAX; i++)
        strcat(path, "/d");
    assert_int_equal(vpath_resolve(NULL, "/", path, out, sizeof out), 0);
    strcat(path, "/d");
    assert_int_equal(vpath_resolve(NULL, "/", path, out, sizeof out), ERR_NAMETOOLONG);
    strcat(path, "/..");
    assert_int_equal(vpath_resolve(NULL, "/", path, out, sizeof out), ERR_NAMETOOLONG);
    /* Depth counts the result, not the input. */
    path[0] = '\0';
    for (int i = 0; i < VPATH_DEPTH_MAX + 10; i++)
        strcat(path, "/d/..");
    assert_int_equal(vpath_resolve(NULL, "/", path, out, sizeof out), 0);
    assert_string_equal(out, "/");
}

static void test_bad_arguments(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(vpath_resolve(NULL, "/", NULL, out, sizeof out), ERR_INVAL);
    assert_int_equal(vpath_resolve(NULL, "a", "b", out, sizeof out), ERR_INVAL);
    assert_int_equal(vpath_resolve(NULL, NULL, "b", out, sizeof out), ERR_INVAL);
    assert_int_equal(vpath_resolve(NULL, NULL, "/b", out, sizeof out), 0);
    assert_int_equal(vpath_resolve(NULL, "/", "/", out, 1), ERR_INVAL);
    assert_int_equal(vpath_resolve(NULL, "/", "", out, sizeof out), 0); /* "" is the cwd */
    assert_string_equal(out, "/");
}

/* ---- mount points -------------------------------------------------------------------- */

static void expect_mount(const char *const *points, int n, const char *abs, int want,
                         const char *want_rel)
{
    const char *rel = NULL;
    assert_int_equal(vpath_mount_of(abs, points, n, &rel), want);
    if (want >= 0) assert_string_equal(rel, want_rel);
}

static void test_mount_points(void **state)
{
    (void)state;
    const char *const points[] = {"/", "/mnt", "/mnt/usb", NULL, "/data"};
    expect_mount(points, 5, "/", 0, "");
    expect_mount(points, 5, "/etc/rc", 0, "etc/rc");
    expect_mount(points, 5, "/mnt", 1, "");
    expect_mount(points, 5, "/mnt/x", 1, "x");
    expect_mount(points, 5, "/mntx", 0, "mntx");
    expect_mount(points, 5, "/mnt/usb/a/b", 2, "a/b");
    expect_mount(points, 5, "/mnt/usbx", 1, "usbx");
    expect_mount(points, 5, "/data/a", 4, "a");
    const char *const no_root[] = {"/mnt", "/data"};
    expect_mount(no_root, 2, "/x", -1, NULL);
    expect_mount(no_root, 2, "/", -1, NULL);
    /* Order does not matter: the longest wins. */
    const char *const reversed[] = {"/mnt/usb", "/mnt", "/"};
    expect_mount(reversed, 3, "/mnt/usb/k", 0, "k");
    /* ".." out of a mount is folded before the lookup. */
    char out[VPATH_MAX];
    assert_int_equal(vpath_resolve(NULL, "/mnt/usb", "../../etc", out, sizeof out), 0);
    expect_mount(points, 5, out, 0, "etc");
}

/* ---- against Linux ------------------------------------------------------------------- */

struct real_fs {
    char root[64];
};

static int real_is_dir(void *ctx, const char *abs)
{
    struct real_fs *r = ctx;
    char p[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof p, "%s%s", r->root, abs);
    if (lstat(p, &st) < 0) return errno == ENOTDIR ? ERR_NOTDIR : ERR_NOENT;
    return S_ISDIR(st.st_mode);
}

static void make_tree(struct real_fs *r)
{
    snprintf(r->root, sizeof r->root, "/tmp/kpio-vpath-XXXXXX");
    assert_non_null(mkdtemp(r->root));
    static const char *const dirs[] = {"/a", "/a/b", "/a/b/c", "/d"};
    static const char *const files[] = {"/f", "/a/g", "/a/b/h"};
    char p[PATH_MAX];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", r->root, dirs[i]);
        assert_int_equal(mkdir(p, 0755), 0);
    }
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", r->root, files[i]);
        FILE *fp = fopen(p, "w");
        assert_non_null(fp);
        fclose(fp);
    }
}

static void remove_tree(struct real_fs *r)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->root);
    assert_int_equal(system(cmd), 0);
}

/* Linux's answer for abs under the tree: 0 and the canonical path, or a
 * negative ERR_*. */
static int linux_resolve(const struct real_fs *r, const char *abs, char *out)
{
    char p[PATH_MAX], real[PATH_MAX];
    snprintf(p, sizeof p, "%s%s", r->root, abs);
    if (!realpath(p, real)) return errno == ENOTDIR ? ERR_NOTDIR : ERR_NOENT;
    const char *rest = real + strlen(r->root);
    snprintf(out, VPATH_MAX, "%s", *rest ? rest : "/");
    return 0;
}

/* Paths that stay inside the tree (Linux's ".." at "/" would leave it). */
static void test_agrees_with_linux(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "/a/b/c/../..",
        "/a//b///c/",
        "/a/./b/./c/.",
        "/a/b/../../d",
        "/a/b/h/..",
        "/a/g/",
        "/a/g/.",
        "/f/../a",
        "/a/b/c/../h",
        "/a/b/h",
        "/d/../a/b/../g",
        "//d//",
        "/a/b/c/../../../f",
        "/a/g/../b",
        "/f/",
        "/a/b/c/./../../g",
        "/a/b/../b/c/../../g/",
    };
    struct real_fs r = {{0}};
    make_tree(&r);
    struct vpath_ops ops = {real_is_dir, &r};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char ours[VPATH_MAX], theirs[VPATH_MAX];
        int a = vpath_resolve(&ops, "/", paths[i], ours, sizeof ours);
        int b = linux_resolve(&r, paths[i], theirs);
        if (a != b) fail_msg("%s: ours %s, Linux %s", paths[i], err_name(a), err_name(b));
        if (a == 0 && strcmp(ours, theirs) != 0)
            fail_msg("%s: ours %s, Linux %s", paths[i], ours, theirs);
    }
    remove_tree(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_and_dotdot),
        cmocka_unit_test(test_repeated_slashes),
        cmocka_unit_test(test_trailing_slash),
        cmocka_unit_test(test_non_directory_in_the_middle),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_too_deep),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_mount_points),
        cmocka_unit_test(test_agrees_with_linux),
    };
    return cmocka_run_group_tests_name("unit/vfs/path", tests, NULL, NULL);
}
