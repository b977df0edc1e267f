/*
 * tests/spec/json.h - a small JSON reader for wast2json's output: parses a
 * whole document into a tree; numbers are kept as their source text.
 */
#ifndef SPEC_JSON_H
#define SPEC_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    char *str;           /* JSON_STRING / JSON_NUMBER text; JSON_BOOL "true"/"false" */
    size_t len;          /* bytes in str (a string may contain NUL) */
    size_t n;            /* children of an array or object */
    struct json **items; /* children */
    char **keys;         /* object keys, parallel to items */
};

/* Parses text; returns NULL with *err set on a syntax error. */
struct json *json_parse(const char *text, const char **err);
void json_free(struct json *j);

/* Member of an object by key, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* String value of a member, or NULL if absent or not a string/number. */
const char *json_str(const struct json *obj, const char *key);

#endif
