/*
 * tests/spec/json.c - the JSON reader of json.h (RFC 8259), enough for
 * wast2json's files: objects, arrays, strings with escapes (\uXXXX is
 * encoded as UTF-8; surrogate pairs joined), numbers, true/false/null.
 */
#include "json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const char *p;
    const char *err;
};

static void skip_ws(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static struct json *node(enum json_type t)
{
    struct json *j = calloc(1, sizeof *j);
    if (j) j->type = t;
    return j;
}

static int add_child(struct json *parent, struct json *child, char *key)
{
    struct json **items = realloc(parent->items, (parent->n + 1) * sizeof *items);
    if (!items) return -1;
    parent->items = items;
    if (parent->type == JSON_OBJECT) {
        char **keys = realloc(parent->keys, (parent->n + 1) * sizeof *keys);
        if (!keys) return -1;
        parent->keys = keys;
        keys[parent->n] = key;
    }
    items[parent->n++] = child;
    return 0;
}

static void put_utf8(char **out, uint32_t cp)
{
    char *o = *out;
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | cp >> 12);
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | cp >> 18);
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    *out = o;
}

static int hex4(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static char *parse_string(struct parser *ps, size_t *out_len)
{
    const char *p = ps->p + 1; /* after the quote */
    size_t len = 0;
    while (p[len] && p[len] != '"')
        len += p[len] == '\\' && p[len + 1] ? 2 : 1;
    if (!p[len]) {
        ps->err = "unterminated string";
        return NULL;
    }
    char *s = malloc(len * 2 + 1), *o = s; /* escapes never expand past 2x */
    if (!s) {
        ps->err = "out of memory";
        return NULL;
    }
    while (*p != '"') {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        p++;
        uint32_t cp, lo;
        switch (*p) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u':
            if (hex4(p + 1, &cp)) {
                ps->err = "bad \\u escape";
                free(s);
                return NULL;
            }
            p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && p[1] == '\\' && p[2] == 'u' && !hex4(p + 3, &lo) &&
                lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p += 6;
            }
            put_utf8(&o, cp);
            break;
        default: *o++ = *p; break;
        }
        p++;
    }
    *o = 0;
    if (out_len) *out_len = (size_t)(o - s);
    ps->p = p + 1;
    return s;
}

static struct json *parse_value(struct parser *ps, int depth);

static struct json *parse_container(struct parser *ps, int depth, char close)
{
    struct json *j = node(close == '}' ? JSON_OBJECT : JSON_ARRAY);
    if (!j) return NULL;
    ps->p++;
    skip_ws(ps);
    if (*ps->p == close) {
        ps->p++;
        return j;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (close == '}') {
            if (*ps->p != '"' || !(key = parse_string(ps, NULL))) {
                ps->err = ps->err ? ps->err : "expected a key";
                break;
            }
            skip_ws(ps);
            if (*ps->p++ != ':') {
                ps->err = "expected ':'";
                free(key);
                break;
            }
        }
        struct json *v = parse_value(ps, depth + 1);
        if (!v || add_child(j, v, key)) {
            free(key);
            json_free(v);
            break;
        }
        skip_ws(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            return j;
        }
        ps->err = "expected ',' or the end of a container";
        break;
    }
    if (!ps->err) ps->err = "out of memory";
    json_free(j);
    return NULL;
}

static struct json *parse_value(struct parser *ps, int depth)
{
    skip_ws(ps);
    if (depth > 100) {
        ps->err = "nested too deeply";
        return NULL;
    }
    char c = *ps->p;
    if (c == '{') return parse_container(ps, depth, '}');
    if (c == '[') return parse_container(ps, depth, ']');
    struct json *j = NULL;
    if (c == '"') {
        size_t len = 0;
        char *s = parse_string(ps, &len);
        if (s && (j = node(JSON_STRING))) {
            j->str = s;
            j->len = len;
        } else {
            free(s);
        }
        return j;
    }
    static const struct {
        const char *word;
        enum json_type type;
    } words[] = {{"true", JSON_BOOL}, {"false", JSON_BOOL}, {"null", JSON_NULL}};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i].word);
        if (!strncmp(ps->p, words[i].word, n)) {
            ps->p += n;
            j = node(words[i].type);
            if (j) j->str = strdup(words[i].word);
            return j;
        }
    }
    const char *start = ps->p;
    while (*ps->p && strchr("+-0123456789.eE", *ps->p))
        ps->p++;
    if (ps->p == start) {
        ps->err = "unexpected character";
        return NULL;
    }
    j = node(JSON_NUMBER);
    if (j) j->str = strndup(start, (size_t)(ps->p - start));
    return j;
}

struct json *json_parse(const char *text, const char **err)
{
    struct parser ps = {text, NULL};
    struct json *j = parse_value(&ps, 0);
    if (j) {
        skip_ws(&ps);
        if (*ps.p) {
            ps.err = "trailing characters";
            json_free(j);
            j = NULL;
        }
    }
    if (!j && err) *err = ps.err ? ps.err : "out of memory";
    return j;
}

void json_free(struct json *j)
{
    if (!j) return;
    for (size_t i = 0; i < j->n; i++) {
        json_free(j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->str);
    free(j);
}

const struct json *json_get(const struct json *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT) return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (!strcmp(obj->keys[i], key)) return obj->items[i];
    return NULL;
}

const char *json_str(const struct json *obj, const char *key)
{
    const struct json *v = json_get(obj, key);
    return v && (v->type == JSON_STRING || v->type == JSON_NUMBER) ? v->str : NULL;
}
