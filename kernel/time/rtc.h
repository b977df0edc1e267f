/*
 * kernel/time/rtc.h - the CMOS real-time clock (read once at boot).
 */
#ifndef TIME_RTC_H
#define TIME_RTC_H

#include <stdint.h>

/* Seconds since 1970-01-01 00:00 UTC, read from the CMOS RTC. */
uint64_t rtc_read_epoch_seconds(void);
/* Days since the epoch for a civil date (proleptic Gregorian). */
int64_t rtc_days_from_civil(int y, unsigned m, unsigned d);
/* The civil date of a day since the epoch. */
void rtc_civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d);

#endif
