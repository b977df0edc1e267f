/*
 * tests/unit/http/make_seeds.c - writes the seed corpora of lib/http's
 * fuzz targets from the recorded responses of responses.h and the URL
 * cases of RFC 3986 section 5.4:
 *
 *     make_seeds parse DIR     one file per response, for fuzz_http_parse
 *     make_seeds url DIR       one "base\nreference" file per case
 *     make_seeds request DIR   one file per request of requests.h, for
 *                              fuzz_http_request
 *
 * Each parse seed starts with the flags byte fuzz_http_parse reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "requests.h"
#include "responses.h"

static int write_seed(const char *dir, const char *name, unsigned char flags, const char *bytes,
                      size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputc(flags, f) == EOF || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

static int parse_seeds(const char *dir)
{
    int err = 0;
    char name[160];
    for (size_t i = 0; i < sizeof recorded_responses / sizeof recorded_responses[0]; i++) {
        const struct recorded *r = &recorded_responses[i];
        unsigned char flags = (unsigned char)(r->head | r->eof << 1 | (i % 32) << 3);
        snprintf(name, sizeof name, "ok_%s", r->name);
        err |= write_seed(dir, name, flags, r->bytes, r->len);
        snprintf(name, sizeof name, "small_%s", r->name); /* under the small limits */
        err |= write_seed(dir, name, flags | 4, r->bytes, r->len);
    }
    for (size_t i = 0; i < sizeof bad_responses / sizeof bad_responses[0]; i++) {
        const struct bad_response *b = &bad_responses[i];
        snprintf(name, sizeof name, "bad_%s", b->name);
        err |=
            write_seed(dir, name, (unsigned char)(b->eof << 1 | (i % 32) << 3), b->bytes, b->len);
    }
    return err;
}

static int request_seeds(const char *dir)
{
    int err = 0;
    char name[160];
    for (size_t i = 0; i < sizeof req_cases / sizeof req_cases[0]; i++) {
        snprintf(name, sizeof name, "req_%zu", i);
        err |= write_seed(dir, name, (unsigned char)((i % 32) << 3), req_cases[i].bytes,
                          strlen(req_cases[i].bytes));
        snprintf(name, sizeof name, "small_%zu", i);
        err |= write_seed(dir, name, (unsigned char)(4 | (i % 32) << 3), req_cases[i].bytes,
                          strlen(req_cases[i].bytes));
    }
    return err;
}

static int url_seeds(const char *dir)
{
    static const char *const refs[] = {
        "g",
        "./g",
        "g/",
        "/g",
        "//g",
        "?y",
        "g?y",
        "#s",
        "g#s",
        "g?y#s",
        ";x",
        "g;x",
        "",
        ".",
        "./",
        "..",
        "../",
        "../g",
        "../..",
        "../../g",
        "../../../g",
        "/./g",
        "/../g",
        "g.",
        ".g",
        "g..",
        "..g",
        "./../g",
        "./g/.",
        "g/./h",
        "g/../h",
        "g;x=1/./y",
        "g;x=1/../y",
        "g?y/./x",
        "g#s/../x",
        "http:g",
        "https://h/",
        "http://[::1]:8080/a?b",
        "http://user@h/",
        "http://h:65536/",
    };
    int err = 0;
    char name[32], text[128];
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        int n = snprintf(text, sizeof text, "http://a/b/c/d;p?q\n%s", refs[i]);
        snprintf(name, sizeof name, "rfc3986_%zu", i);
        err |= write_seed(dir, name, 255, text, (size_t)n);
    }
    return err;
}

int main(int argc, char **argv)
{
    if (argc != 3 ||
        (strcmp(argv[1], "parse") && strcmp(argv[1], "url") && strcmp(argv[1], "request"))) {
        fprintf(stderr, "usage: make_seeds parse|url|request DIR\n");
        return 2;
    }
    if (!strcmp(argv[1], "request")) return request_seeds(argv[2]);
    return strcmp(argv[1], "parse") ? url_seeds(argv[2]) : parse_seeds(argv[2]);
}
