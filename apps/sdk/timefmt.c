/*
 * apps/sdk/timefmt.c - GNU-style time formatting in UTC (timefmt.h): the
 * codes strftime lacks or words its own way are expanded here, the rest
 * passed to strftime one at a time.
 */
#include "sdk/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Appends n bytes to out at *len; false when they do not fit. */
static int put(char *out, size_t size, size_t *len, const char *s, size_t n)
{
    if (*len + n >= size) return -1;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = 0;
    return 0;
}

/* One conversion (the letter after '%', colon seen or not) into buf. */
static int one(char *buf, size_t size, char c, int colon, const struct tm *tm, int64_t sec,
               long nsec)
{
    switch (c) {
    case 's': return snprintf(buf, size, "%lld", (long long)sec);
    case 'N': return snprintf(buf, size, "%09ld", nsec);
    case 'Z': return snprintf(buf, size, "UTC");
    case 'z': return snprintf(buf, size, colon ? "+00:00" : "+0000");
    case 'k': return snprintf(buf, size, "%2d", tm->tm_hour);
    case 'l': return snprintf(buf, size, "%2d", (tm->tm_hour + 11) % 12 + 1);
    case 'P': return snprintf(buf, size, tm->tm_hour < 12 ? "am" : "pm");
    case 'c': return (int)strftime(buf, size, "%a %b %e %H:%M:%S %Y", tm);
    default: {
        char f[3] = {'%', c, 0};
        size_t n = strftime(buf, size, f, tm);
        return n == 0 && c != 'p' ? snprintf(buf, size, "%%%c", c) : (int)n;
    }
    }
}

int timefmt(char *out, size_t size, const char *fmt, int64_t sec, long nsec)
{
    time_t t = (time_t)sec;
    struct tm tm;
    if (size == 0 || !gmtime_r(&t, &tm)) return -1;
    size_t len = 0;
    out[0] = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || !p[1]) {
            if (put(out, size, &len, p, 1) < 0) return -1;
            continue;
        }
        int colon = p[1] == ':' && p[2] == 'z';
        p += 1 + colon;
        char buf[64];
        int n = one(buf, sizeof buf, *p, colon, &tm, sec, nsec);
        if (n < 0 || (size_t)n >= sizeof buf || put(out, size, &len, buf, (size_t)n) < 0) return -1;
    }
    return (int)len;
}
