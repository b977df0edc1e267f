/*
 * bench/wasm/json.c - a JSON-ish parser: a generated document of ~1 MiB
 * (objects, arrays, strings with escapes, integers, decimals, literals)
 * parsed n times by recursive descent; each value is folded into a
 * checksum (numbers as fixed-point integers, strings by length and bytes).
 */
#include "bench.h"

#define DOC_SIZE (1u << 20)

static char doc[DOC_SIZE + 256];
static size_t doc_len;

struct out {
    char *p;
    char *end;
};

static void put(struct out *o, const char *s)
{
    while (*s && o->p < o->end)
        *o->p++ = *s++;
}

static void put_uint(struct out *o, uint32_t v)
{
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n && o->p < o->end)
        *o->p++ = tmp[--n];
}

static void make_doc(void)
{
    static const char *const names[] = {"alpha", "beta", "gamma\\n", "delta \\\"q\\\"", "eps"};
    uint32_t seed = 0x1234abcd;
    struct out o = {doc, doc + DOC_SIZE};
    put(&o, "[");
    for (uint32_t i = 0; o.p < o.end - 512; i++) {
        if (i) put(&o, ",");
        put(&o, "{\"id\":");
        put_uint(&o, i);
        put(&o, ",\"name\":\"");
        put(&o, names[bench_rand(&seed) % 5]);
        put(&o, "\",\"score\":");
        put_uint(&o, bench_rand(&seed) % 100000);
        put(&o, ".");
        put_uint(&o, bench_rand(&seed) % 100);
        put(&o, ",\"active\":");
        put(&o, bench_rand(&seed) & 1 ? "true" : "false");
        put(&o, ",\"tags\":[");
        for (uint32_t k = bench_rand(&seed) % 5; k; k--) {
            put(&o, "\"t");
            put_uint(&o, bench_rand(&seed) % 50);
            put(&o, k > 1 ? "\"," : "\"");
        }
        put(&o, "],\"pos\":{\"x\":-");
        put_uint(&o, bench_rand(&seed) % 1000);
        put(&o, ",\"y\":");
        put_uint(&o, bench_rand(&seed) % 1000);
        put(&o, ",\"z\":null}}");
    }
    put(&o, "]");
    doc_len = (size_t)(o.p - doc);
    doc[doc_len] = 0;
}

struct parser {
    const char *p;
    uint64_t sum;
    int error;
};

static void skip_ws(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' || *ps->p == '\r')
        ps->p++;
}

static void parse_value(struct parser *ps, int depth);

static void parse_string(struct parser *ps)
{
    uint32_t h = 5381, len = 0;
    ps->p++; /* opening quote */
    while (*ps->p != '"') {
        char c = *ps->p++;
        if (!c) {
            ps->error = 1;
            return;
        }
        if (c == '\\') {
            char e = *ps->p++;
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
        h = h * 33 + (uint8_t)c;
        len++;
    }
    ps->p++;
    ps->sum += h ^ len;
}

/* Numbers as fixed point with 3 decimals. */
static void parse_number(struct parser *ps)
{
    int neg = *ps->p == '-';
    int64_t v = 0;
    if (neg) ps->p++;
    while (*ps->p >= '0' && *ps->p <= '9')
        v = v * 10 + (*ps->p++ - '0');
    v *= 1000;
    if (*ps->p == '.') {
        int64_t scale = 100;
        ps->p++;
        while (*ps->p >= '0' && *ps->p <= '9') {
            v += (*ps->p++ - '0') * scale;
            scale /= 10;
        }
    }
    ps->sum += (uint64_t)(neg ? -v : v);
}

static void parse_container(struct parser *ps, int depth, char close)
{
    ps->p++;
    skip_ws(ps);
    if (*ps->p == close) {
        ps->p++;
        return;
    }
    for (;;) {
        skip_ws(ps);
        if (close == '}') {
            if (*ps->p != '"') {
                ps->error = 1;
                return;
            }
            parse_string(ps);
            skip_ws(ps);
            if (*ps->p++ != ':') {
                ps->error = 1;
                return;
            }
        }
        parse_value(ps, depth + 1);
        if (ps->error) return;
        skip_ws(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p++ != close) ps->error = 1;
        return;
    }
}

static int literal(struct parser *ps, const char *word, uint64_t value)
{
    size_t n = strlen(word);
    if (strncmp(ps->p, word, n)) return 0;
    ps->p += n;
    ps->sum += value;
    return 1;
}

static void parse_value(struct parser *ps, int depth)
{
    skip_ws(ps);
    if (depth > 64) {
        ps->error = 1;
        return;
    }
    char c = *ps->p;
    if (c == '{' || c == '[')
        parse_container(ps, depth, c == '{' ? '}' : ']');
    else if (c == '"')
        parse_string(ps);
    else if (c == '-' || (c >= '0' && c <= '9'))
        parse_number(ps);
    else if (!literal(ps, "true", 7) && !literal(ps, "false", 3) && !literal(ps, "null", 1))
        ps->error = 1;
}

BENCH_EXPORT uint32_t run(uint32_t n)
{
    uint64_t total = 0;
    make_doc();
    for (uint32_t r = 0; r < n; r++) {
        struct parser ps = {doc, r, 0};
        parse_value(&ps, 0);
        if (ps.error || (size_t)(ps.p - doc) != doc_len) return 0;
        total = total * 31 + ps.sum;
    }
    return (uint32_t)(total ^ (total >> 32));
}
