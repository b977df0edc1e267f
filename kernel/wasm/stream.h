/*
 * kernel/wasm/stream.h - the standard streams of apps and of the shell's
 * commands: the console, a VFS file (a redirection) or one end of a kernel
 * pipe. A stream is reference counted: the shell's descriptor table and
 * every app that has it as stdin, stdout or stderr hold a reference, and
 * the file is closed or the pipe end shut when the last one goes.
 *
 * Pipes: a bounded ring buffer (KPIPE_SIZE bytes). A reader blocks until
 * there is data or no writer is left (then end of file, 0); a writer blocks
 * until there is room, and gets ERR_PIPE once no reader is left. Waits end
 * with ERR_CANCELED when the thread is killed. Every change wakes the
 * pipe's queue and the iopoll point (WASI poll).
 */
#ifndef WASM_STREAM_H
#define WASM_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#define KPIPE_SIZE (64 * 1024)

enum kstream_kind { KS_CONSOLE, KS_FILE, KS_PIPE_READ, KS_PIPE_WRITE };

struct kpipe;
struct file;

struct kstream {
    enum kstream_kind kind;
    int refs;
    struct file *f;     /* KS_FILE */
    struct kpipe *pipe; /* KS_PIPE_* */
};

/* A new console stream (one reference). NULL when out of memory. */
struct kstream *kstream_console(void);
/* Opens an absolute VFS path with VFS_O_* flags as a stream. */
int kstream_open(const char *path, unsigned vfs_flags, struct kstream **out);
/* A pipe: *r reads what *w writes. */
int kstream_pipe(struct kstream **r, struct kstream **w);
struct kstream *kstream_get(struct kstream *s);
void kstream_put(struct kstream *s);

/* Reads up to len bytes: a count, 0 at end of file, ERR_AGAIN (nonblock and
 * nothing there), ERR_CANCELED (killed) or another error. The console is the
 * caller's business (KS_CONSOLE gives ERR_NOTSUP). */
long kstream_read(struct kstream *s, void *buf, size_t len, bool nonblock);
/* Writes all of len bytes unless the reader has gone (ERR_PIPE, or the count
 * written before), the thread is killed, or the file fails. */
long kstream_write(struct kstream *s, const void *buf, size_t len);
/* For poll: bytes readable now (*eof when the writer is gone) and whether a
 * write would not block. */
void kstream_poll(struct kstream *s, size_t *readable, bool *eof, bool *writable);

#endif
