/*
 * lib/base/fmt.c - the formatter behind fmt.h.
 *
 * One pass over the format string; each conversion renders into a small
 * local buffer (digits) or straight from the argument (strings) and is padded
 * to its width on the way to the sink.
 */
#include "base/fmt.h"

#include <stdbool.h>
#include <stdint.h>

#include "base/mem.h"

struct spec {
    bool left, zero, plus, space, alt;
    int width;
    int prec;   /* -1 when absent */
    int length; /* 'H' hh, 'h', 'l', 'L' ll, 'z', 'j', 't', 0 none */
};

struct out {
    fmt_sink_fn sink;
    void *ctx;
    size_t count;
};

static void emit(struct out *o, const char *s, size_t n)
{
    if (n) {
        o->sink(o->ctx, s, n);
        o->count += n;
    }
}

static void emit_repeat(struct out *o, char c, int n)
{
    char block[16];
    memset(block, c, sizeof block);
    while (n > 0) {
        int k = n < (int)sizeof block ? n : (int)sizeof block;
        emit(o, block, (size_t)k);
        n -= k;
    }
}

/* Writes digits of v in base into the end of buf; returns the start. */
static char *render_digits(char *end, uintmax_t v, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v);
    return p;
}

static void emit_number(struct out *o, const struct spec *sp, uintmax_t v, bool negative,
                        unsigned base, bool upper)
{
    char buf[72];
    char *end = buf + sizeof buf;
    char *digits = (v == 0 && sp->prec == 0) ? end : render_digits(end, v, base, upper);
    int ndigits = (int)(end - digits);
    const char *prefix = "";
    if (negative)
        prefix = "-";
    else if (sp->plus)
        prefix = "+";
    else if (sp->space)
        prefix = " ";
    if (sp->alt && v != 0) {
        if (base == 16)
            prefix = upper ? "0X" : "0x";
        else if (base == 8 && (sp->prec <= ndigits))
            prefix = "0";
    }
    int plen = (int)strlen(prefix);
    int zeros = sp->prec > ndigits ? sp->prec - ndigits : 0;
    int body = plen + zeros + ndigits;
    int pad = sp->width > body ? sp->width - body : 0;
    if (sp->zero && !sp->left && sp->prec < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!sp->left) emit_repeat(o, ' ', pad);
    emit(o, prefix, (size_t)plen);
    emit_repeat(o, '0', zeros);
    emit(o, digits, (size_t)ndigits);
    if (sp->left) emit_repeat(o, ' ', pad);
}

static void emit_padded(struct out *o, const struct spec *sp, const char *s, size_t n)
{
    int pad = sp->width > (int)n ? sp->width - (int)n : 0;
    if (!sp->left) emit_repeat(o, ' ', pad);
    emit(o, s, n);
    if (sp->left) emit_repeat(o, ' ', pad);
}

static intmax_t take_signed(const struct spec *sp, va_list *ap)
{
    switch (sp->length) {
    case 'H': return (signed char)va_arg(*ap, int);
    case 'h': return (short)va_arg(*ap, int);
    case 'l': return va_arg(*ap, long);
    case 'L': return va_arg(*ap, long long);
    case 'z': return (intmax_t)va_arg(*ap, size_t);
    case 'j': return va_arg(*ap, intmax_t);
    case 't': return va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, int);
    }
}

static uintmax_t take_unsigned(const struct spec *sp, va_list *ap)
{
    switch (sp->length) {
    case 'H': return (unsigned char)va_arg(*ap, unsigned);
    case 'h': return (unsigned short)va_arg(*ap, unsigned);
    case 'l': return va_arg(*ap, unsigned long);
    case 'L': return va_arg(*ap, unsigned long long);
    case 'z': return va_arg(*ap, size_t);
    case 'j': return va_arg(*ap, uintmax_t);
    case 't': return (uintmax_t)va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, unsigned);
    }
}

/* Parses flags, width, precision and length; returns the conversion char. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    memset(sp, 0, sizeof *sp);
    sp->prec = -1;
    for (;; f++) {
        if (*f == '-')
            sp->left = true;
        else if (*f == '0')
            sp->zero = true;
        else if (*f == '+')
            sp->plus = true;
        else if (*f == ' ')
            sp->space = true;
        else if (*f == '#')
            sp->alt = true;
        else
            break;
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) {
            sp->left = true;
            sp->width = -sp->width;
        }
        f++;
    } else {
        while (char_is_digit(*f))
            sp->width = sp->width * 10 + (*f++ - '0');
    }
    if (*f == '.') {
        f++;
        sp->prec = 0;
        if (*f == '*') {
            sp->prec = va_arg(*ap, int);
            if (sp->prec < 0) sp->prec = -1;
            f++;
        } else {
            while (char_is_digit(*f))
                sp->prec = sp->prec * 10 + (*f++ - '0');
        }
    }
    if (f[0] == 'h' && f[1] == 'h')
        sp->length = 'H', f += 2;
    else if (f[0] == 'l' && f[1] == 'l')
        sp->length = 'L', f += 2;
    else if (*f == 'h' || *f == 'l' || *f == 'z' || *f == 'j' || *f == 't')
        sp->length = *f++;
    return f;
}

size_t fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap_in)
{
    struct out o = {sink, ctx, 0};
    va_list ap;
    va_copy(ap, ap_in);
    const char *f = fmt;
    while (*f) {
        const char *lit = f;
        while (*f && *f != '%')
            f++;
        emit(&o, lit, (size_t)(f - lit));
        if (!*f) break;
        struct spec sp;
        f = parse_spec(f + 1, &sp, &ap);
        char c = *f ? *f++ : '\0';
        switch (c) {
        case 'd':
        case 'i': {
            intmax_t v = take_signed(&sp, &ap);
            uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
            emit_number(&o, &sp, mag, v < 0, 10, false);
            break;
        }
        case 'u': emit_number(&o, &sp, take_unsigned(&sp, &ap), false, 10, false); break;
        case 'x': emit_number(&o, &sp, take_unsigned(&sp, &ap), false, 16, false); break;
        case 'X': emit_number(&o, &sp, take_unsigned(&sp, &ap), false, 16, true); break;
        case 'o': emit_number(&o, &sp, take_unsigned(&sp, &ap), false, 8, false); break;
        case 'p': {
            sp.alt = true;
            emit_number(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false);
            break;
        }
        case 'c': {
            char ch = (char)va_arg(ap, int);
            emit_padded(&o, &sp, &ch, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            size_t n = sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s);
            emit_padded(&o, &sp, s, n);
            break;
        }
        case '%': emit(&o, "%", 1); break;
        case '\0': emit(&o, "%", 1); break;
        default: { /* unknown conversion: show it rather than guess */
            char bad[2] = {'%', c};
            emit(&o, bad, 2);
        }
        }
    }
    va_end(ap);
    return o.count;
}

size_t fmt_format(fmt_sink_fn sink, void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vformat(sink, ctx, fmt, ap);
    va_end(ap);
    return n;
}

struct buf_sink {
    char *buf;
    size_t size, used;
};

static void buf_put(void *ctx, const char *s, size_t n)
{
    struct buf_sink *b = ctx;
    if (b->used + 1 < b->size) {
        size_t room = b->size - 1 - b->used;
        size_t k = n < room ? n : room;
        memcpy(b->buf + b->used, s, k);
        b->used += k;
    }
}

size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buf_sink b = {buf, size, 0};
    size_t n = fmt_vformat(buf_put, &b, fmt, ap);
    if (size) buf[b.used] = '\0';
    return n;
}

size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
