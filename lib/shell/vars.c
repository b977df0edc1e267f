/*
 * lib/shell/vars.c - the shell's variables: a bounded table of names and
 * values, each marked exported or not, and the environment built from it
 * for the commands the shell starts.
 */
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "shell/internal.h"

bool sh_name_valid(const char *name, size_t len)
{
    if (len == 0) return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool alpha = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alpha && (i == 0 || c < '0' || c > '9')) return false;
    }
    return true;
}

static struct sh_var *find(const struct sh *sh, const char *name)
{
    for (int i = 0; i < sh->nvars; i++)
        if (strcmp(sh->vars[i].name, name) == 0) return (struct sh_var *)&sh->vars[i];
    return NULL;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mem_alloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

int sh_var_set(struct sh *sh, const char *name, const char *value, bool exported)
{
    if (!sh_name_valid(name, strlen(name))) return ERR_INVAL;
    if (value && strlen(value) > SH_WORD_MAX) return ERR_2BIG;
    struct sh_var *v = find(sh, name);
    char *nv = value ? dup_str(value) : NULL;
    if (value && !nv) return ERR_NOMEM;
    if (v && !value) { /* export NAME of a set variable keeps its value */
        v->exported |= exported;
        return 0;
    }
    if (v) {
        mem_free(v->value);
        v->value = nv;
        v->exported |= exported;
        return 0;
    }
    if (sh->nvars == SH_MAX_VARS) {
        mem_free(nv);
        return ERR_2BIG;
    }
    char *nn = dup_str(name);
    if (!nn) {
        mem_free(nv);
        return ERR_NOMEM;
    }
    sh->vars[sh->nvars++] = (struct sh_var){nn, nv, exported};
    return 0;
}

const char *sh_var_get(const struct sh *sh, const char *name)
{
    const struct sh_var *v = find(sh, name);
    return v ? v->value : NULL;
}

void sh_var_unset(struct sh *sh, const char *name)
{
    struct sh_var *v = find(sh, name);
    if (!v) return;
    mem_free(v->name);
    mem_free(v->value);
    *v = sh->vars[--sh->nvars];
}
