/*
 * kernel/wasm/stream.c - reference-counted standard streams and the kernel
 * pipe (see stream.h). KPIO runs on one CPU: a pipe's state is changed with
 * interrupts masked, which is also what makes WAIT_EVENT's check-then-sleep
 * safe against a lost wake-up.
 */
#include "kernel/wasm/stream.h"

#include "kernel/arch/x86_64/cpu.h"
#include "base/error.h"
#include "base/mem.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/iopoll.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/sched/waitq.h"

struct kpipe {
    uint8_t *buf;
    size_t head, len; /* data is buf[head .. head+len) modulo KPIPE_SIZE */
    int readers, writers;
    struct waitq wq;
};

static struct kstream *new_stream(enum kstream_kind k)
{
    struct kstream *s = kzalloc(sizeof *s);
    if (s) {
        s->kind = k;
        s->refs = 1;
    }
    return s;
}

struct kstream *kstream_console(void)
{
    return new_stream(KS_CONSOLE);
}

int kstream_open(const char *path, unsigned vfs_flags, struct kstream **out)
{
    struct kstream *s = new_stream(KS_FILE);
    if (!s) return ERR_NOMEM;
    int err = vfs_open(path, vfs_flags, &s->f);
    if (err < 0) {
        kfree(s);
        return err;
    }
    *out = s;
    return 0;
}

int kstream_pipe(struct kstream **r, struct kstream **w)
{
    struct kpipe *p = kzalloc(sizeof *p);
    struct kstream *rs = new_stream(KS_PIPE_READ), *ws = new_stream(KS_PIPE_WRITE);
    uint8_t *buf = kmalloc(KPIPE_SIZE);
    if (!p || !rs || !ws || !buf) {
        kfree(p);
        kfree(rs);
        kfree(ws);
        kfree(buf);
        return ERR_NOMEM;
    }
    p->buf = buf;
    p->readers = p->writers = 1;
    waitq_init(&p->wq);
    rs->pipe = ws->pipe = p;
    *r = rs;
    *w = ws;
    return 0;
}

struct kstream *kstream_get(struct kstream *s)
{
    uint64_t f = irq_save();
    s->refs++;
    irq_restore(f);
    return s;
}

/* The last reference to one end is gone. */
static void pipe_end_closed(struct kpipe *p, bool reader)
{
    uint64_t f = irq_save();
    if (reader)
        p->readers--;
    else
        p->writers--;
    bool last = p->readers == 0 && p->writers == 0;
    waitq_wake_all(&p->wq);
    irq_restore(f);
    iopoll_notify();
    if (last) {
        kfree(p->buf);
        kfree(p);
    }
}

void kstream_put(struct kstream *s)
{
    if (!s) return;
    uint64_t f = irq_save();
    int left = --s->refs;
    irq_restore(f);
    if (left > 0) return;
    if (s->kind == KS_FILE) {
        int err = vfs_close(s->f);
        if (err < 0) klog_warn("stream", "closing a redirected file: %s", err_str(err));
    } else if (s->kind != KS_CONSOLE) {
        pipe_end_closed(s->pipe, s->kind == KS_PIPE_READ);
    }
    kfree(s);
}

static long pipe_read(struct kpipe *p, uint8_t *buf, size_t len, bool nonblock)
{
    if (len == 0) return 0;
    uint64_t f = irq_save();
    while (p->len == 0 && p->writers > 0) { /* another reader may have taken the data */
        irq_restore(f);
        if (nonblock) return ERR_AGAIN;
        int err = WAIT_EVENT(&p->wq, p->len > 0 || p->writers == 0, 0);
        if (err < 0) return err;
        f = irq_save();
    }
    size_t n = len < p->len ? len : p->len;
    for (size_t done = 0; done < n;) {
        size_t chunk = KPIPE_SIZE - p->head;
        if (chunk > n - done) chunk = n - done;
        memcpy(buf + done, p->buf + p->head, chunk);
        p->head = (p->head + chunk) % KPIPE_SIZE;
        p->len -= chunk;
        done += chunk;
    }
    waitq_wake_all(&p->wq);
    irq_restore(f);
    iopoll_notify();
    return (long)n;
}

static long pipe_write(struct kpipe *p, const uint8_t *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        int err = WAIT_EVENT(&p->wq, p->len < KPIPE_SIZE || p->readers == 0, 0);
        if (err < 0) return done ? (long)done : err;
        uint64_t f = irq_save();
        if (p->readers == 0) {
            irq_restore(f);
            return done ? (long)done : ERR_PIPE;
        }
        size_t tail = (p->head + p->len) % KPIPE_SIZE;
        size_t chunk = KPIPE_SIZE - p->len;
        if (chunk > KPIPE_SIZE - tail) chunk = KPIPE_SIZE - tail;
        if (chunk > len - done) chunk = len - done;
        memcpy(p->buf + tail, buf + done, chunk);
        p->len += chunk;
        done += chunk;
        waitq_wake_all(&p->wq);
        irq_restore(f);
        iopoll_notify();
    }
    return (long)done;
}

long kstream_read(struct kstream *s, void *buf, size_t len, bool nonblock)
{
    switch (s->kind) {
    case KS_FILE: return vfs_read(s->f, buf, len);
    case KS_PIPE_READ: return pipe_read(s->pipe, buf, len, nonblock);
    case KS_PIPE_WRITE: return ERR_BADF;
    default: return ERR_NOTSUP;
    }
}

long kstream_write(struct kstream *s, const void *buf, size_t len)
{
    switch (s->kind) {
    case KS_FILE: return vfs_write(s->f, buf, len);
    case KS_PIPE_WRITE: return pipe_write(s->pipe, buf, len);
    case KS_PIPE_READ: return ERR_BADF;
    default: console_write(buf, len); return (long)len;
    }
}

void kstream_poll(struct kstream *s, size_t *readable, bool *eof, bool *writable)
{
    *readable = 0;
    *eof = false;
    *writable = true;
    if (s->kind == KS_PIPE_READ || s->kind == KS_PIPE_WRITE) {
        uint64_t f = irq_save();
        struct kpipe *p = s->pipe;
        *readable = p->len;
        *eof = p->writers == 0;
        *writable = p->len < KPIPE_SIZE || p->readers == 0;
        irq_restore(f);
    } else if (s->kind == KS_FILE) {
        struct vfs_stat st;
        uint64_t pos;
        if (vfs_fstat(s->f, &st) == 0 && vfs_seek(s->f, 0, VFS_SEEK_CUR, &pos) == 0)
            *readable = st.size > pos ? st.size - pos : 0;
        *eof = *readable == 0;
    }
}
