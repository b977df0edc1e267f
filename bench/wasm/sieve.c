/*
 * bench/wasm/sieve.c - the sieve of Eratosthenes over 8 M byte flags, n
 * times: byte loads and stores in tight loops. Returns the prime count
 * summed over the rounds.
 */
#include "bench.h"

#define LIMIT (8u << 20)

static uint8_t composite[LIMIT];

static uint32_t sieve(void)
{
    uint32_t count = 0;
    memset(composite, 0, sizeof composite);
    for (uint32_t i = 2; i < LIMIT; i++) {
        if (composite[i]) continue;
        count++;
        for (uint64_t j = (uint64_t)i * i; j < LIMIT; j += i)
            composite[j] = 1;
    }
    return count;
}

BENCH_EXPORT uint32_t run(uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t r = 0; r < n; r++)
        sum += sieve();
    return sum;
}
