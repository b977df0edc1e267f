/*
 * lib/http/fields.h - an ordered list of HTTP fields (name, value), as a
 * response's header or trailer section or a request's user fields.
 *
 * Fields keep their order and repeats (RFC 9110 section 5.3: the order of
 * repeated field lines is significant); names are matched without regard
 * to case (section 5.1) and kept as received. Names and values are copied
 * in and stored NUL-terminated, so they may also be used as C strings.
 * Optional caps bound the memory: they are the parser's limits when the
 * list holds a response's fields.
 */
#ifndef HTTP_FIELDS_H
#define HTTP_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_field {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

struct http_fields {
    char *bytes; /* "name\0value\0" for each field */
    size_t len, cap;
    struct http_field_slot {
        uint32_t name, name_len, value, value_len;
    } * slots;
    size_t count, slot_cap;
    size_t max_bytes, max_count; /* 0: no cap */
};

/* An empty list; max_bytes caps the stored names and values (each with
 * its NUL), max_count the number of fields; 0 means no cap. */
void http_fields_init(struct http_fields *f, size_t max_bytes, size_t max_count);
/* Frees the storage; the list is empty and usable again. */
void http_fields_free(struct http_fields *f);
/* Removes every field, keeping the storage. */
void http_fields_clear(struct http_fields *f);

/* Appends a copy of one field. Returns 0, ERR_2BIG beyond a cap, or
 * ERR_NOMEM. No syntax check: see http_field_valid(). */
int http_fields_add(struct http_fields *f, const char *name, size_t name_len, const char *value,
                    size_t value_len);
/* Removes every field called name (any case); returns how many. */
size_t http_fields_remove(struct http_fields *f, const char *name);
/* The same for a name of nlen bytes that need not end in NUL. */
size_t http_fields_remove_n(struct http_fields *f, const char *name, size_t nlen);

size_t http_fields_count(const struct http_fields *f);
/* The i-th field, i < count. Pointers stay valid until the list changes. */
struct http_field http_fields_at(const struct http_fields *f, size_t i);
/* The index of the first field at or after from called name (any case),
 * or -1. Repeated fields are found by calling again with index + 1. */
long http_fields_find(const struct http_fields *f, const char *name, size_t name_len, size_t from);
/* The value of the first field called name (a C string, any case), NULL if
 * there is none; *len gets its length when len is not NULL. */
const char *http_fields_get(const struct http_fields *f, const char *name, size_t *len);

/* True if name is a token and value a valid field value without leading or
 * trailing whitespace (RFC 9110 sections 5.1 and 5.5). */
bool http_field_valid(const char *name, size_t name_len, const char *value, size_t value_len);

#endif
