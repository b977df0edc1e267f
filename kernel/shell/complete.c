/*
 * kernel/shell/complete.c - tab completion for the console's line editor:
 * the word before the cursor is completed as a command name (built-ins and
 * /apps/NAME.wasm) where a command starts, else as a path. One match is
 * inserted whole (with '/' after a directory, ' ' after anything else);
 * several insert their common prefix, or are listed when that adds
 * nothing.
 */
#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/shell/shell.h"

#define NAME_MAX_LEN 128

struct matches {
    const char *prefix;
    size_t plen;
    int count;
    bool list; /* second pass: print every match */
    bool last_is_dir;
    char common[NAME_MAX_LEN];
};

static void offer(struct matches *m, const char *name, bool is_dir)
{
    size_t n = strlen(name);
    if (n < m->plen || strncmp(name, m->prefix, m->plen) != 0 || n >= NAME_MAX_LEN) return;
    if (name[0] == '.' && (m->plen == 0 || m->prefix[0] != '.')) return;
    if (m->list) {
        kprintf("%s%s  ", name, is_dir ? "/" : "");
        return;
    }
    if (m->count++ == 0) {
        str_copy(m->common, name, sizeof m->common);
    } else {
        size_t i = 0;
        while (m->common[i] && m->common[i] == name[i])
            i++;
        m->common[i] = '\0';
    }
    m->last_is_dir = is_dir;
}

/* Offers the entries of dir; with apps, only NAME.wasm files, as NAME. */
static void offer_dir(struct matches *m, const char *dir, bool apps)
{
    struct file *d;
    if (vfs_open(dir, VFS_O_READ | VFS_O_DIRECTORY, &d) < 0) return;
    struct vfs_dirent *e = kmalloc(sizeof *e);
    while (e && vfs_readdir(d, e) == 1) {
        if (!apps) {
            offer(m, e->name, e->st.is_dir);
            continue;
        }
        size_t n = strlen(e->name);
        if (e->st.is_dir || n <= 5 || strcmp(e->name + n - 5, ".wasm") != 0) continue;
        e->name[n - 5] = '\0';
        offer(m, e->name, false);
    }
    kfree(e);
    vfs_close(d);
}

static void offer_commands(struct matches *m)
{
    for (int i = 0; sh_core_builtin_name(i); i++)
        offer(m, sh_core_builtin_name(i), false);
    for (int i = 0; shell_builtin_name(i); i++)
        offer(m, shell_builtin_name(i), false);
    offer_dir(m, "/apps", true);
}

static bool is_separator(char c)
{
    return c == ' ' || c == '\t' || c == '|' || c == ';' || c == '&' || c == '<' || c == '>';
}

static void gather(struct matches *m, const char *cwd, const char *word, size_t wlen, bool command)
{
    const char *slash = NULL;
    for (size_t i = 0; i < wlen; i++)
        if (word[i] == '/') slash = word + i;
    if (command && !slash) {
        m->prefix = word;
        m->plen = wlen;
        offer_commands(m);
        return;
    }
    char dir[VFS_PATH_MAX], rel[VFS_PATH_MAX];
    size_t dlen = slash ? (size_t)(slash - word) + 1 : 0;
    fmt_snprintf(rel, sizeof rel, "%.*s", (int)dlen, word);
    if (vfs_resolve(cwd, dlen ? rel : ".", dir, sizeof dir) < 0) return;
    m->prefix = word + dlen;
    m->plen = wlen - dlen;
    offer_dir(m, dir, false);
}

int shell_complete(const char *cwd, const char *line, int pos, char *out, size_t size)
{
    int ws = pos;
    while (ws > 0 && !is_separator(line[ws - 1]))
        ws--;
    int before = ws;
    while (before > 0 && (line[before - 1] == ' ' || line[before - 1] == '\t'))
        before--;
    bool command = before == 0 || strchr("|;&", line[before - 1]) != NULL;
    struct matches m;
    memset(&m, 0, sizeof m);
    out[0] = '\0';
    gather(&m, cwd, line + ws, (size_t)(pos - ws), command);
    if (m.count == 0) return 0;
    size_t have = m.plen;
    if (m.count == 1) {
        fmt_snprintf(out, size, "%s%s", m.common + have, m.last_is_dir ? "/" : " ");
        return 0;
    }
    if (strlen(m.common) > have) {
        str_copy(out, m.common + have, size);
        return 0;
    }
    kprintf("\n");
    m.list = true;
    gather(&m, cwd, line + ws, (size_t)(pos - ws), command);
    kprintf("\n");
    return 1;
}
