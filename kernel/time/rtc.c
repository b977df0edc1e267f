/*
 * kernel/time/rtc.c - reading the MC146818-compatible CMOS clock.
 *
 * The registers are read twice until two reads agree, so an update in
 * progress cannot give a torn value; BCD and 12-hour modes are decoded per
 * status register B. The century comes from register 0x32 when plausible
 * (QEMU provides it), else 2000 is assumed.
 */
#include "kernel/time/rtc.h"

#include "kernel/arch/x86_64/cpu.h"
#include "base/mem.h"

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, (uint8_t)(0x80 | reg)); /* bit 7: keep NMIs disabled meanwhile */
    return inb(0x71);
}

static int update_in_progress(void)
{
    return cmos(0x0A) & 0x80;
}

struct rtc_regs {
    uint8_t sec, min, hour, day, mon, year, century;
};

static void read_regs(struct rtc_regs *r)
{
    for (int i = 0; i < 100000 && update_in_progress(); i++)
        ;
    r->sec = cmos(0x00);
    r->min = cmos(0x02);
    r->hour = cmos(0x04);
    r->day = cmos(0x07);
    r->mon = cmos(0x08);
    r->year = cmos(0x09);
    r->century = cmos(0x32);
}

static unsigned bcd(uint8_t v)
{
    return (v & 0x0F) + (v >> 4) * 10u;
}

int64_t rtc_days_from_civil(int y, unsigned m, unsigned d)
{
    /* Howard Hinnant's days_from_civil algorithm, reworded. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void rtc_civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d)
{
    /* The inverse of rtc_days_from_civil (Howard Hinnant's civil_from_days). */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

uint64_t rtc_read_epoch_seconds(void)
{
    struct rtc_regs a, b;
    read_regs(&a);
    for (int tries = 0; tries < 5; tries++) {
        read_regs(&b);
        if (memcmp(&a, &b, sizeof a) == 0) break;
        a = b;
    }
    uint8_t regb = cmos(0x0B);
    int is_bcd = !(regb & 0x04), is_24h = regb & 0x02;
    unsigned pm = a.hour & 0x80;
    a.hour &= 0x7F;
    unsigned sec = is_bcd ? bcd(a.sec) : a.sec, min = is_bcd ? bcd(a.min) : a.min;
    unsigned hour = is_bcd ? bcd(a.hour) : a.hour, day = is_bcd ? bcd(a.day) : a.day;
    unsigned mon = is_bcd ? bcd(a.mon) : a.mon, year = is_bcd ? bcd(a.year) : a.year;
    unsigned century = is_bcd ? bcd(a.century) : a.century;
    if (!is_24h) {
        hour %= 12;
        if (pm) hour += 12;
    }
    unsigned full_year = (century >= 19 && century <= 30) ? century * 100 + year : 2000 + year;
    if (mon < 1 || mon > 12 || day < 1 || day > 31) return 0;
    int64_t days = rtc_days_from_civil((int)full_year, mon, day);
    return (uint64_t)(days * 86400 + hour * 3600 + min * 60 + sec);
}
