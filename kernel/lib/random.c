/*
 * kernel/lib/random.c - a ChaCha20-based generator (RFC 8439 block
 * function) keyed from the best entropy the machine offers: RDSEED or
 * RDRAND when CPUID reports them, else the low bits of TSC readings taken
 * across timer interrupts (their jitter under emulation and on hardware),
 * mixed with the RTC. Output blocks use a counter; after every request the
 * key is replaced by fresh output (fast key erasure), so earlier outputs
 * cannot be recomputed from the state. Hardware bytes are mixed into the
 * key again on every request when available.
 */
#include "lib/random.h"

#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "base/mem.h"
#include "lib/klog.h"
#include "time/clock.h"

static uint32_t key[8];
static uint64_t counter;
static bool have_rdrand, have_rdseed;

static inline uint32_t rotl(uint32_t x, int n)
{
    return x << n | x >> (32 - n);
}

#define QR(a, b, c, d)                                                                             \
    a += b, d ^= a, d = rotl(d, 16), c += d, b ^= c, b = rotl(b, 12), a += b, d ^= a,              \
                    d = rotl(d, 8), c += d, b ^= c, b = rotl(b, 7)

static void chacha_block(const uint32_t k[8], uint64_t ctr, uint32_t out[16])
{
    uint32_t s[16] = {
        0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, k[0], k[1],          k[2],
        k[3],       k[4],       k[5],       k[6],       k[7], (uint32_t)ctr, (uint32_t)(ctr >> 32),
        0,          0};
    uint32_t x[16];
    memcpy(x, s, sizeof x);
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        out[i] = x[i] + s[i];
}

static bool hw_u64(uint64_t *v)
{
    unsigned char ok = 0;
    for (int i = 0; i < 10 && !ok; i++) {
        if (have_rdseed)
            __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
        else if (have_rdrand)
            __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        else
            return false;
    }
    return ok;
}

/* Folds 32 bytes into the key through one block. */
static void mix(const uint32_t in[8])
{
    uint32_t out[16];
    for (int i = 0; i < 8; i++)
        key[i] ^= in[i];
    chacha_block(key, counter++, out);
    memcpy(key, out, sizeof key);
}

static void mix_hw(void)
{
    uint32_t in[8];
    for (int i = 0; i < 4; i++) {
        uint64_t v;
        if (!hw_u64(&v)) return;
        in[2 * i] = (uint32_t)v;
        in[2 * i + 1] = (uint32_t)(v >> 32);
    }
    mix(in);
}

void random_init(void)
{
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    have_rdrand = c & (1u << 30);
    cpuid(7, 0, &a, &b, &c, &d);
    have_rdseed = b & (1u << 18);
    /* Timing jitter: TSC samples around 64 timer ticks. */
    uint32_t in[8] = {0};
    for (int i = 0; i < 64; i++) {
        uint64_t t0 = clock_ticks();
        while (clock_ticks() == t0)
            hlt();
        in[i % 8] ^= (uint32_t)rdtsc() * 0x9E3779B1u + (uint32_t)i;
        if (i % 8 == 7) mix(in);
    }
    uint64_t rt = clock_realtime_ns();
    uint32_t more[8] = {(uint32_t)rt, (uint32_t)(rt >> 32), (uint32_t)rdtsc()};
    mix(more);
    mix_hw();
    klog_info("random", "seeded from %s",
              have_rdseed   ? "RDSEED and timer jitter"
              : have_rdrand ? "RDRAND and timer jitter"
                            : "timer jitter and the RTC (no RDRAND)");
}

void random_bytes(void *buf, size_t len)
{
    uint8_t *p = buf;
    uint64_t f = irq_save();
    mix_hw();
    uint32_t block[16];
    while (len) {
        chacha_block(key, counter++, block);
        size_t n = len < sizeof block ? len : sizeof block;
        memcpy(p, block, n);
        p += n;
        len -= n;
    }
    chacha_block(key, counter++, block); /* fast key erasure */
    memcpy(key, block, sizeof key);
    irq_restore(f);
}
