/*
 * apps/include/sdk/fsutil.h - file helpers shared by cp and mv (and fetch):
 * a whole-file copy through a large buffer, path joining, the "same file"
 * test and the SOURCE... TARGET operand convention of cp and mv.
 */
#ifndef SDK_FSUTIL_H
#define SDK_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Which side of a copy failed, for the message. */
enum fs_copy_side { FS_COPY_SRC_OPEN, FS_COPY_SRC_READ, FS_COPY_DST_OPEN, FS_COPY_DST_WRITE };

/* Copies the regular file src to dst (created or truncated). Returns 0,
 * or an errno value with *side saying where it failed. dst was created or
 * truncated exactly when *side is FS_COPY_SRC_READ or FS_COPY_DST_WRITE;
 * it is then left as written so far (cp's behaviour). */
int fs_copy_file(const char *src, const char *dst, enum fs_copy_side *side);

/* dir "/" base, without doubling a '/'. The caller frees it; NULL when out
 * of memory. */
char *fs_join(const char *dir, const char *base);

/* The last component of path, without trailing slashes, into out[size]. */
void fs_basename(const char *path, char *out, size_t size);

/* True when a and b name the same existing file (same device and inode). */
bool fs_same_file(const char *a, const char *b);

/* What cp or mv does to one source and its destination path; false when
 * it failed (and said so). */
typedef bool (*fs_pair_fn)(const char *src, const char *dst);

/* The operands argv[first..argc-1] of `cmd SOURCE DEST` or `cmd SOURCE...
 * DIRECTORY`: calls each(source, DEST), or each(source, DIRECTORY/base
 * name of source) when the last operand is a directory. Missing operands
 * are a usage error (exits); several sources need a directory. Returns
 * CLI_OK when every call succeeded, else CLI_FAIL. */
int fs_apply_to_target(int argc, char **argv, int first, fs_pair_fn each);

#endif
