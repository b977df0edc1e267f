/*
 * tests/apps/fuzz_apps_timefmt.c - libFuzzer target for the apps' GNU-style
 * time formatting (apps/sdk/timefmt.c), which date's +FORMAT and stat's
 * times go through with a format from the command line. Input: 8 bytes of
 * seconds, 4 of nanoseconds, 1 of output size, then the format. Checks,
 * beyond "no crash" under ASan/UBSan: a result is NUL-terminated inside
 * the buffer and its length is the one returned.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 13) return 0;
    int64_t sec;
    uint32_t ns;
    memcpy(&sec, data, 8);
    memcpy(&ns, data + 8, 4);
    sec %= (int64_t)1 << 40; /* about 35,000 years either way: gmtime's range */
    size_t outsize = data[12];
    char *fmt = malloc(size - 13 + 1);
    char *out = malloc(outsize ? outsize : 1);
    if (!fmt || !out) abort();
    memcpy(fmt, data + 13, size - 13);
    fmt[size - 13] = '\0';
    int n = timefmt(out, outsize, fmt, sec, (long)(ns % 1000000000u));
    if (n >= 0 && ((size_t)n >= outsize || out[n] != '\0' || strlen(out) != (size_t)n)) abort();
    free(fmt);
    free(out);
    return 0;
}
