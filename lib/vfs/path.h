/*
 * lib/vfs/path.h - the virtual filesystem's path rules, portable: making a
 * path absolute and canonical, and finding the mount that owns it.
 *
 * vpath_resolve folds "." and "..", collapses repeated slashes, and keeps
 * ".." at "/" at "/". Folding alone would hide a component that is not a
 * directory ("/file/../x" is not "/x" in POSIX, and neither is "/file/"),
 * so the resolver asks the filesystem, through the caller's ops, whether
 * the name a ".." removes is a directory, and whether the last name of a
 * path ending in "/" or "/." is one. Every other component is checked by
 * the filesystem driver when it walks the path itself (a file in the
 * middle gives ERR_NOTDIR there). Limits: VPATH_MAX bytes in and out,
 * VPATH_NAME_MAX bytes per name, VPATH_DEPTH_MAX names.
 */
#ifndef VFS_PATH_H
#define VFS_PATH_H

#include <stddef.h>

#define VPATH_MAX       1024 /* bytes of a path with its NUL */
#define VPATH_NAME_MAX  765  /* bytes of one name: 255 UTF-16 units as UTF-8 */
#define VPATH_DEPTH_MAX 128  /* names in a resolved path */

/* What the resolver asks the filesystem. abs is absolute and canonical. */
struct vpath_ops {
    /* 1 for a directory, 0 for anything else, or a negative ERR_*
     * (ERR_NOENT: nothing there). */
    int (*is_dir)(void *ctx, const char *abs);
    void *ctx;
};

/* Makes path absolute from cwd (absolute; unused for an absolute path) and
 * canonical into out. ops may be NULL: folding only, nothing asked.
 * Returns 0, ERR_INVAL (no path, a relative cwd, size < 2),
 * ERR_NAMETOOLONG (past a limit), ERR_NOTDIR (".." after, or a trailing
 * slash on, something that is not a directory), ERR_NOENT (".." after a
 * name that does not exist), or what ops->is_dir returned. A missing last
 * name before a trailing slash is left to the operation (mkdir "new/"). */
int vpath_resolve(const struct vpath_ops *ops, const char *cwd, const char *path, char *out,
                  size_t size);

/* The mount point among points[0..n) (canonical; NULL for an unused slot)
 * that owns abs: the longest one abs equals or lies under ("/" holds
 * everything, "/mnt" holds "/mnt/x" but not "/mntx"). Returns its index and
 * sets *rel to the rest of abs without a leading slash ("" for the mount's
 * root), or returns -1. */
int vpath_mount_of(const char *abs, const char *const *points, int n, const char **rel);

#endif
