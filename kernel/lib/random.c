/*
 * kernel/lib/random.c - the kernel's random generator: Mbed TLS's
 * CTR_DRBG (lib/tls/rng.h) seeded from the machine's entropy sources,
 * RDSEED (else RDRAND) when CPUID reports it and the virtio-rng device,
 * XORed together when both are there, so either alone suffices.
 *
 * Without either source the generator still runs, seeded from TSC jitter
 * across timer ticks and the RTC, for TCP sequence numbers and apps'
 * random bytes (the old generator's seed; the boot log warns), but
 * random_secure() reports the failure and TLS refuses to make keys. The
 * boot log says which sources were used.
 *
 * random_bytes may be called from any thread and with interrupts off: it
 * only runs the DRBG (with fresh hardware bytes as additional input when
 * the CPU has them). Seed material from the device is gathered by
 * random_secure() in thread context, at most once a minute.
 */
#include "kernel/lib/random.h"

#include <stdint.h>

#include "kernel/arch/x86_64/cpu.h"
#include "base/error.h"
#include "base/mem.h"
#include "kernel/drivers/virtio/virtio_rng.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/panic.h"
#include "kernel/time/clock.h"
#include "tls/rng.h"

#define DEVICE_TIMEOUT_NS (5 * NS_PER_SEC)
#define RESEED_EVERY_NS   (60 * NS_PER_SEC)

static struct tls_rng *drbg;
static bool have_rdrand, have_rdseed, strong;
static uint64_t last_reseed_ns;

/* One 64-bit value from RDSEED (else RDRAND); false when the CPU has
 * neither or it keeps failing (Intel SDM vol. 1 7.3.17: retry a few times). */
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

/* XORs len bytes from the CPU into buf; false if it failed. */
static bool mix_hw(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v;
        if (!hw_u64(&v)) return false;
        for (size_t k = 0; k < 8 && i + k < len; k++)
            buf[i + k] ^= (uint8_t)(v >> (8 * k));
    }
    return true;
}

/* XORs len bytes from the virtio-rng device into buf; false if it failed. */
static bool mix_device(uint8_t *buf, size_t len)
{
    uint8_t tmp[TLS_RNG_SEED_LEN];
    uint64_t deadline = clock_monotonic_ns() + DEVICE_TIMEOUT_NS;
    size_t got = 0;
    while (got < len) {
        long n = virtio_rng_read(tmp, len - got < sizeof tmp ? len - got : sizeof tmp, deadline);
        if (n <= 0) return false;
        for (long i = 0; i < n; i++)
            buf[got + (size_t)i] ^= tmp[i];
        got += (size_t)n;
    }
    memset(tmp, 0, sizeof tmp);
    return true;
}

/* Fills seed from every strong source there is; returns how many gave. */
static int gather(uint8_t seed[TLS_RNG_SEED_LEN])
{
    memset(seed, 0, TLS_RNG_SEED_LEN);
    int sources = 0;
    if ((have_rdseed || have_rdrand) && mix_hw(seed, TLS_RNG_SEED_LEN)) sources++;
    if (virtio_rng_present() && mix_device(seed, TLS_RNG_SEED_LEN)) sources++;
    return sources;
}

/* Weak seed material: TSC readings around 64 timer ticks, and the RTC. */
static void gather_jitter(uint8_t seed[TLS_RNG_SEED_LEN])
{
    for (int i = 0; i < 64; i++) {
        uint64_t t0 = clock_ticks();
        while (clock_ticks() == t0)
            hlt();
        uint64_t t = rdtsc();
        seed[i % TLS_RNG_SEED_LEN] ^= (uint8_t)(t ^ t >> 8);
    }
    uint64_t rt = clock_realtime_ns();
    for (int k = 0; k < 8; k++)
        seed[k] ^= (uint8_t)(rt >> (8 * k));
}

void random_init(void)
{
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    have_rdrand = c & (1u << 30);
    cpuid(7, 0, &a, &b, &c, &d);
    have_rdseed = b & (1u << 18);
    uint8_t seed[TLS_RNG_SEED_LEN];
    strong = gather(seed) > 0;
    if (!strong) gather_jitter(seed);
    if (tls_rng_create(seed, sizeof seed, "kpio kernel", &drbg) < 0)
        panic("random: cannot instantiate the DRBG");
    memset(seed, 0, sizeof seed);
    last_reseed_ns = clock_monotonic_ns();
    const char *cpu = have_rdseed ? "RDSEED" : have_rdrand ? "RDRAND" : NULL;
    bool dev = virtio_rng_present();
    if (strong)
        klog_info("random", "CTR_DRBG (AES-256, Mbed TLS) seeded from %s%s%s", cpu ? cpu : "",
                  cpu && dev ? " and " : "", dev ? "virtio-rng" : "");
    else
        klog_warn("random", "no entropy source (no RDSEED/RDRAND, no virtio-rng): CTR_DRBG "
                            "seeded from timer jitter; TLS will refuse to make keys");
}

void random_bytes(void *buf, size_t len)
{
    uint8_t add[32] = {0};
    bool fresh = (have_rdseed || have_rdrand) && mix_hw(add, sizeof add);
    uint8_t *p = buf;
    do { /* interrupts are off for one 1 KiB piece (a CTR_DRBG request) at a time */
        size_t n = len < 1024 ? len : 1024;
        uint64_t f = irq_save();
        int err = tls_rng_generate(drbg, p, n, fresh ? add : NULL, fresh ? sizeof add : 0);
        irq_restore(f);
        if (err < 0) panic("random: the DRBG failed (%d)", err);
        fresh = false;
        p += n;
        len -= n;
    } while (len);
}

int random_secure(void *buf, size_t len)
{
    if (!strong) return ERR_NODEV;
    if (clock_monotonic_ns() - last_reseed_ns >= RESEED_EVERY_NS) {
        uint8_t seed[TLS_RNG_SEED_LEN];
        if (gather(seed) == 0) {
            klog_warn("random", "entropy sources failed: no more keys are made");
            strong = false;
            return ERR_NODEV;
        }
        uint64_t f = irq_save();
        int err = tls_rng_reseed(drbg, seed, sizeof seed);
        irq_restore(f);
        memset(seed, 0, sizeof seed);
        if (err < 0) return err;
        last_reseed_ns = clock_monotonic_ns();
    }
    random_bytes(buf, len);
    return 0;
}
