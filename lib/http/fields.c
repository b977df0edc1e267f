/*
 * lib/http/fields.c - the ordered field list of fields.h: one byte array
 * for names and values and one array of slots indexing it, both grown by
 * doubling up to the caps.
 */
#include "http/fields.h"

#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "http/chars.h"

void http_fields_init(struct http_fields *f, size_t max_bytes, size_t max_count)
{
    memset(f, 0, sizeof *f);
    f->max_bytes = max_bytes;
    f->max_count = max_count;
}

void http_fields_free(struct http_fields *f)
{
    mem_free(f->bytes);
    mem_free(f->slots);
    http_fields_init(f, f->max_bytes, f->max_count);
}

void http_fields_clear(struct http_fields *f)
{
    f->len = 0;
    f->count = 0;
}

/* Makes room for need more bytes and one more slot. */
static int fields_reserve(struct http_fields *f, size_t need)
{
    if (need > UINT32_MAX - f->len) return ERR_2BIG;
    if (f->len + need > f->cap) {
        size_t cap = f->cap ? f->cap : 256;
        while (cap < f->len + need)
            cap *= 2;
        char *b = mem_realloc(f->bytes, cap);
        if (!b) return ERR_NOMEM;
        f->bytes = b;
        f->cap = cap;
    }
    if (f->count == f->slot_cap) {
        size_t cap = f->slot_cap ? f->slot_cap * 2 : 16;
        struct http_field_slot *s = mem_realloc(f->slots, cap * sizeof *s);
        if (!s) return ERR_NOMEM;
        f->slots = s;
        f->slot_cap = cap;
    }
    return 0;
}

int http_fields_add(struct http_fields *f, const char *name, size_t name_len, const char *value,
                    size_t value_len)
{
    if (name_len > UINT32_MAX / 4 || value_len > UINT32_MAX / 4) return ERR_2BIG;
    size_t need = name_len + value_len + 2;
    if ((f->max_bytes && f->len + need > f->max_bytes) ||
        (f->max_count && f->count >= f->max_count))
        return ERR_2BIG;
    int r = fields_reserve(f, need);
    if (r < 0) return r;
    struct http_field_slot *s = &f->slots[f->count++];
    s->name = (uint32_t)f->len;
    s->name_len = (uint32_t)name_len;
    memcpy(f->bytes + f->len, name, name_len);
    f->len += name_len;
    f->bytes[f->len++] = '\0';
    s->value = (uint32_t)f->len;
    s->value_len = (uint32_t)value_len;
    memcpy(f->bytes + f->len, value, value_len);
    f->len += value_len;
    f->bytes[f->len++] = '\0';
    return 0;
}

size_t http_fields_remove(struct http_fields *f, const char *name)
{
    return http_fields_remove_n(f, name, strlen(name));
}

size_t http_fields_remove_n(struct http_fields *f, const char *name, size_t nlen)
{
    size_t kept = 0, removed = 0;
    for (size_t i = 0; i < f->count; i++) {
        struct http_field_slot s = f->slots[i];
        if (s.name_len == nlen && str_ncasecmp(f->bytes + s.name, name, nlen) == 0)
            removed++;
        else
            f->slots[kept++] = s;
    }
    f->count = kept; /* the bytes stay until the list is cleared */
    return removed;
}

size_t http_fields_count(const struct http_fields *f)
{
    return f->count;
}

struct http_field http_fields_at(const struct http_fields *f, size_t i)
{
    BASE_ASSERT(i < f->count);
    const struct http_field_slot *s = &f->slots[i];
    struct http_field fl = {f->bytes + s->name, s->name_len, f->bytes + s->value, s->value_len};
    return fl;
}

long http_fields_find(const struct http_fields *f, const char *name, size_t name_len, size_t from)
{
    for (size_t i = from; i < f->count; i++) {
        const struct http_field_slot *s = &f->slots[i];
        if (s->name_len == name_len && str_ncasecmp(f->bytes + s->name, name, name_len) == 0)
            return (long)i;
    }
    return -1;
}

const char *http_fields_get(const struct http_fields *f, const char *name, size_t *len)
{
    long i = http_fields_find(f, name, strlen(name), 0);
    if (i < 0) return NULL;
    const struct http_field_slot *s = &f->slots[i];
    if (len) *len = s->value_len;
    return f->bytes + s->value;
}

bool http_field_valid(const char *name, size_t name_len, const char *value, size_t value_len)
{
    return http_is_token(name, name_len) && http_is_field_value(value, value_len);
}
