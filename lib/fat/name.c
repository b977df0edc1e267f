/*
 * lib/fat/name.c - names and times: UTF-8 path components to UTF-16 long
 * names and back, case folding for lookups, short (8.3) names with their
 * basis and numeric tails (FAT spec section 7), the long-name checksum, and
 * FAT dates and times.
 */
#include "fat/fat_int.h"

#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"

/* ---- UTF-8 <-> UTF-16 ------------------------------------------------------ */

/* Decodes one UTF-8 sequence at s[*i] (len bytes); -1 if malformed, overlong,
 * a surrogate or above U+10FFFF. */
static int32_t utf8_decode(const uint8_t *s, size_t len, size_t *i)
{
    uint8_t c = s[*i];
    uint32_t cp, min;
    unsigned n;
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    if ((c & 0xE0) == 0xC0)
        cp = c & 0x1F, n = 1, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        cp = c & 0x0F, n = 2, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        cp = c & 0x07, n = 3, min = 0x10000;
    else
        return -1;
    if (len - *i <= n) return -1;
    for (unsigned k = 1; k <= n; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) return -1;
        cp = cp << 6 | (s[*i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    *i += n + 1;
    return (int32_t)cp;
}

/*
 * Parses one path component (len bytes of UTF-8, not NUL-terminated) into a
 * long name. ERR_INVAL for bad UTF-8, an empty name, "." or "..", characters
 * the FAT spec (section 7) forbids in long names, and a trailing ' ' or '.'
 * (Windows strips those, which would make the stored name differ);
 * ERR_NAMETOOLONG above 255 UTF-16 units.
 */
int name_parse(const char *s, size_t len, struct fat_name *out)
{
    const uint8_t *b = (const uint8_t *)s;
    out->len = 0;
    if (len == 0 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
        return ERR_INVAL;
    for (size_t i = 0; i < len;) {
        int32_t cp = utf8_decode(b, len, &i);
        if (cp < 0 || cp < 0x20 || cp == 0x7F || (cp < 0x80 && strchr("\"*/:<>?\\|", cp)))
            return ERR_INVAL;
        unsigned need = cp >= 0x10000 ? 2 : 1;
        if (out->len + need > FAT_NAME_MAX) return ERR_NAMETOOLONG;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out->u[out->len++] = (uint16_t)(0xD800 | (cp >> 10));
            out->u[out->len++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
        } else {
            out->u[out->len++] = (uint16_t)cp;
        }
    }
    uint16_t last = out->u[out->len - 1];
    if (last == ' ' || last == '.') return ERR_INVAL;
    return 0;
}

/* Writes u as NUL-terminated UTF-8 into out (size bytes, > 0), stopping
 * before a character that would not fit; an unpaired surrogate becomes
 * U+FFFD. Returns the length written. */
size_t name_to_utf8(const uint16_t *u, unsigned len, char *out, size_t size)
{
    size_t o = 0;
    for (unsigned i = 0; i < len; i++) {
        uint32_t cp = u[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < len && u[i + 1] >= 0xDC00 &&
            u[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (u[i + 1] - 0xDC00);
            i++;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        uint8_t e[4];
        unsigned n;
        if (cp < 0x80)
            e[0] = (uint8_t)cp, n = 1;
        else if (cp < 0x800)
            e[0] = (uint8_t)(0xC0 | cp >> 6), e[1] = (uint8_t)(0x80 | (cp & 0x3F)), n = 2;
        else if (cp < 0x10000)
            e[0] = (uint8_t)(0xE0 | cp >> 12), e[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)),
            e[2] = (uint8_t)(0x80 | (cp & 0x3F)), n = 3;
        else
            e[0] = (uint8_t)(0xF0 | cp >> 18), e[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F)),
            e[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)), e[3] = (uint8_t)(0x80 | (cp & 0x3F)),
            n = 4;
        if (o + n >= size) break;
        memcpy(out + o, e, n);
        o += n;
    }
    out[o] = 0;
    return o;
}

/* ---- case folding ------------------------------------------------------------ */

/* Upper case of a UTF-16 unit for case-insensitive lookups: ASCII, Latin-1,
 * Latin Extended-A, basic Greek and Cyrillic. Other characters compare as
 * they are. */
uint16_t name_upcase(uint16_t c)
{
    if (c < 0x80) return (uint16_t)char_upper(c);
    if ((c >= 0xE0 && c <= 0xFE && c != 0xF7) || (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) ||
        (c >= 0x430 && c <= 0x44F))
        return (uint16_t)(c - 0x20);
    if (c == 0xFF) return 0x178;
    if (c >= 0x450 && c <= 0x45F) return (uint16_t)(c - 0x50);
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (uint16_t)(c & ~1u);
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) ? c : (uint16_t)(c - 1);
    return c;
}

bool name_equal(const uint16_t *a, unsigned alen, const uint16_t *b, unsigned blen)
{
    if (alen != blen) return false;
    for (unsigned i = 0; i < alen; i++)
        if (a[i] != b[i] && name_upcase(a[i]) != name_upcase(b[i])) return false;
    return true;
}

/* ---- short names ---------------------------------------------------------- */

/* The checksum of a short name stored in each of its long-name entries
 * (FAT spec section 7.2). */
uint8_t name_checksum(const uint8_t sfn[11])
{
    uint8_t sum = 0;
    for (int i = 0; i < 11; i++)
        sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[i]);
    return sum;
}

/* Code page 437 (the OEM code page of US Windows and Linux's vfat default)
 * for short-name bytes 0x80..0xFF. */
static const uint16_t cp437_high[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF,
    0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA,
    0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4,
    0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

/* Lower case for the NT lower-case flags: ASCII and Latin-1 letters. */
static uint16_t name_lowcase(uint16_t c)
{
    if (c < 0x80) return (uint16_t)char_lower(c);
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return (uint16_t)(c + 0x20);
    return c;
}

static uint16_t oem_char(uint8_t b)
{
    return b < 0x80 ? b : cp437_high[b - 0x80];
}

/* The name a short entry shows when it has no long name: "BASE.EXT", in
 * lower case where the NT flags (byte 12, as Windows NT, Linux and mtools
 * write them) say so. Bytes above 0x7F are code page 437. Returns the
 * length. */
unsigned name_short_to_u16(const uint8_t *raw, uint16_t *out)
{
    unsigned n = 0, blen = 8, elen = 3;
    uint8_t nt = raw[DE_NTRES];
    while (blen > 0 && raw[blen - 1] == ' ')
        blen--;
    while (elen > 0 && raw[8 + elen - 1] == ' ')
        elen--;
    for (unsigned i = 0; i < blen; i++) {
        uint16_t c = oem_char((i == 0 && raw[0] == 0x05) ? 0xE5 : raw[i]);
        out[n++] = (nt & NTRES_LOWER_BASE) ? name_lowcase(c) : c;
    }
    if (elen) {
        out[n++] = '.';
        for (unsigned i = 0; i < elen; i++) {
            uint16_t c = oem_char(raw[8 + i]);
            out[n++] = (nt & NTRES_LOWER_EXT) ? name_lowcase(c) : c;
        }
    }
    return n;
}

/* "BASE.EXT" exactly as stored (for fat_dirent.short_name). */
void name_short_display(const uint8_t sfn[11], char out[13])
{
    unsigned n = 0;
    for (unsigned i = 0; i < 8 && sfn[i] != ' '; i++)
        out[n++] = (char)((i == 0 && sfn[0] == 0x05) ? 0xE5 : sfn[i]);
    if (sfn[8] != ' ') {
        out[n++] = '.';
        for (unsigned i = 8; i < 11 && sfn[i] != ' '; i++)
            out[n++] = (char)sfn[i];
    }
    out[n] = 0;
}

/* Is c allowed in a short name (FAT spec section 6.1)? c is upper case. */
static bool short_char_ok(uint16_t c)
{
    if (c >= 'A' && c <= 'Z') return true;
    if (c >= '0' && c <= '9') return true;
    return c < 0x80 && c > ' ' && strchr("!#$%&'()-@^_`{}~", c) != NULL;
}

/*
 * The basis name of n (FAT spec section 7.4, "Basis-Name Generation"): upper
 * case; characters not allowed in short names become '_' (*lossy); spaces
 * and all periods but the last are dropped, leading periods too; the base is
 * cut to 8 and the extension to 3 characters. *fits is true when n is
 * already a valid 8.3 name apart from case, so that no numeric tail is needed.
 * Returns 1 if n has lower-case letters (a long name must keep the case).
 */
int name_basis(const struct fat_name *n, uint8_t sfn[11], bool *lossy, bool *fits)
{
    unsigned lead = 0, last_dot = n->len, blen = 0, elen = 0, bsrc = 0, esrc = 0;
    bool lower = false;
    *lossy = false;
    memset(sfn, ' ', 11);
    while (lead < n->len && (n->u[lead] == '.' || n->u[lead] == ' '))
        lead++;
    for (unsigned i = lead; i < n->len; i++)
        if (n->u[i] == '.') last_dot = i;
    for (unsigned i = lead; i < n->len; i++) {
        uint16_t c = n->u[i];
        if (c == ' ' || (c == '.' && i != last_dot)) continue;
        if (i == last_dot) continue;
        if (name_upcase(c) != c) lower = true;
        uint16_t u = name_upcase(c);
        if (!short_char_ok(u)) {
            *lossy = true;
            u = '_';
        }
        if (i < last_dot) {
            bsrc++;
            if (blen < 8) sfn[blen++] = (uint8_t)u;
        } else {
            esrc++;
            if (elen < 3) sfn[8 + elen++] = (uint8_t)u;
        }
    }
    if (blen == 0) sfn[blen++] = '_';
    /* 8.3 as is: no leading dot or space, no other dots or spaces, lengths */
    unsigned dots = 0, spaces = 0;
    for (unsigned i = 0; i < n->len; i++) {
        dots += n->u[i] == '.';
        spaces += n->u[i] == ' ';
    }
    *fits = !*lossy && lead == 0 && spaces == 0 && dots <= 1 && bsrc >= 1 && bsrc <= 8 &&
            esrc <= 3 && !(dots == 1 && esrc == 0);
    return lower;
}

/* 16 bits of FNV-1a over the long name, for the hashed aliases. */
static uint16_t name_hash(const struct fat_name *n)
{
    uint32_t h = 2166136261u;
    for (unsigned i = 0; i < n->len; i++) {
        h = (h ^ (n->u[i] & 0xFF)) * 16777619u;
        h = (h ^ (n->u[i] >> 8)) * 16777619u;
    }
    return (uint16_t)(h ^ (h >> 16));
}

/*
 * The k'th alias candidate (k >= 1) for basis: k = 1..4 are "BASIS~k" (FAT
 * spec 7.4, numeric-tail generation); k = 5..13, as Windows does once four
 * aliases collide, keep two characters of the basis and add four hex digits
 * of a hash of the long name: "BAXXXX~1".."BAXXXX~9"; after that "BAS~14"
 * upwards (numbers up to 999999).
 */
void name_tail(const uint8_t basis[11], const struct fat_name *n, unsigned k, uint8_t sfn[11])
{
    char tail[8];
    unsigned tlen = 0, blen = 0, num = k;
    uint8_t base[8];
    memcpy(sfn, basis, 11);
    while (blen < 8 && basis[blen] != ' ')
        blen++;
    memcpy(base, basis, 8);
    if (k >= 5 && k <= 13) {
        static const char hex[] = "0123456789ABCDEF";
        uint16_t h = name_hash(n);
        blen = MIN(blen, 2u);
        for (int i = 0; i < 4; i++)
            base[blen++] = (uint8_t)hex[(h >> (12 - 4 * i)) & 15];
        num = k - 4;
    }
    char digits[8];
    unsigned nd = 0;
    do {
        digits[nd++] = (char)('0' + num % 10);
        num /= 10;
    } while (num && nd < 6);
    tail[tlen++] = '~';
    while (nd)
        tail[tlen++] = digits[--nd];
    unsigned keep = MIN(blen, 8 - tlen);
    memset(sfn, ' ', 8);
    memcpy(sfn, base, keep);
    memcpy(sfn + keep, tail, tlen);
}

/* ---- times (FAT spec section 6.3) --------------------------------------------- */

#define FAT_EPOCH 315532800LL  /* 1980-01-01 00:00:00 UTC */
#define FAT_LAST  4354819198LL /* 2107-12-31 23:59:58 UTC */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void name_time_to_fat(int64_t t, uint16_t *date, uint16_t *time, uint8_t *tenth)
{
    if (t < FAT_EPOCH) t = FAT_EPOCH;
    if (t > FAT_LAST) t = FAT_LAST;
    int64_t days = t / 86400, secs = t % 86400;
    /* civil from days: the inverse of days_from_civil */
    int64_t z = days + 719468, era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
    *date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
    *time = (uint16_t)((secs / 3600) << 11 | ((secs / 60) % 60) << 5 | (secs % 60) / 2);
    if (tenth) *tenth = (uint8_t)((secs % 2) * 100);
}

/* Seconds since the epoch of a FAT date and time; 0 for an unset or invalid
 * date. */
int64_t name_fat_to_time(uint16_t date, uint16_t time)
{
    unsigned d = date & 31, m = (date >> 5) & 15, y = 1980 + (date >> 9);
    unsigned s = (time & 31) * 2, mi = (time >> 5) & 63, h = time >> 11;
    if (date == 0 || d == 0 || m == 0 || m > 12 || h > 23 || mi > 59 || s > 59) return 0;
    return days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

int64_t vol_now(struct fat_volume *v)
{
    return v->clock.now ? v->clock.now(v->clock.ctx) : FAT_EPOCH;
}
