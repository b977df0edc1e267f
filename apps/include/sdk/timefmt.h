/*
 * apps/include/sdk/timefmt.h - GNU-style time formatting shared by date
 * and stat: strftime plus the codes GNU adds (%s, %N, %:z), always in
 * UTC (WASI has no time zone).
 */
#ifndef SDK_TIMEFMT_H
#define SDK_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Formats the time sec.nsec (seconds since the epoch, UTC) by fmt as GNU
 * date does into out[size]. Returns the length, or -1 when fmt is too
 * long or the result does not fit. */
int timefmt(char *out, size_t size, const char *fmt, int64_t sec, long nsec);

#endif
