/*
 * kernel/boot/cmdline.c - parsing and storing kernel options (see
 * cmdline.h). Storage is static: options are read before the heap exists.
 */
#include "kernel/boot/cmdline.h"

#include "base/mem.h"
#include "kernel/lib/klog.h"

#define MAX_OPTS 32
#define KEY_MAX  32
#define VAL_MAX  512
#define RAW_MAX  2048

static struct {
    char key[KEY_MAX];
    char val[VAL_MAX];
} opts[MAX_OPTS];
static int nopts;
static char raw[RAW_MAX];

static void set(const char *key, const char *val)
{
    int i;
    for (i = 0; i < nopts; i++)
        if (strcmp(opts[i].key, key) == 0) break;
    if (i == nopts) {
        if (nopts == MAX_OPTS) {
            klog_warn("boot", "too many kernel options; '%s' ignored", key);
            return;
        }
        nopts++;
    }
    str_copy(opts[i].key, key, KEY_MAX);
    str_copy(opts[i].val, val, VAL_MAX);
}

void cmdline_parse(const char *s)
{
    size_t used = strlen(raw);
    if (used && used + 1 < RAW_MAX) raw[used++] = ' ';
    str_copy(raw + used, s, RAW_MAX - used);
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        if (!*s) break;
        char key[KEY_MAX], val[VAL_MAX];
        size_t k = 0, v = 0;
        while (*s && *s != '=' && *s != ' ' && *s != '\t' && *s != '\n') {
            if (k + 1 < KEY_MAX) key[k++] = *s;
            s++;
        }
        key[k] = '\0';
        if (*s == '=') {
            s++;
            int quoted = 0;
            while (*s && (quoted || (*s != ' ' && *s != '\t' && *s != '\n'))) {
                if (*s == '"')
                    quoted = !quoted;
                else if (v + 1 < VAL_MAX)
                    val[v++] = *s;
                s++;
            }
        }
        val[v] = '\0';
        if (k) set(key, val);
    }
}

const char *cmdline_get(const char *key)
{
    for (int i = 0; i < nopts; i++)
        if (strcmp(opts[i].key, key) == 0) return opts[i].val;
    return NULL;
}

const char *cmdline_raw(void)
{
    return raw;
}
