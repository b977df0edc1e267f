/*
 * tests/net/relay.h - the fault-injecting relay between lib/net and the
 * TAP device (the netem qdisc is not available here). Each frame, in each
 * direction, may be dropped, duplicated, delayed, reordered (held back a
 * little so that later frames overtake it) or corrupted (one byte flipped
 * past the Ethernet header), at configurable rates; an outage drops every
 * frame for a while. Randomness comes from a seeded generator, so a run
 * can be repeated.
 */
#ifndef TESTS_NET_RELAY_H
#define TESTS_NET_RELAY_H

#include <stddef.h>
#include <stdint.h>

enum relay_dir { RELAY_OUT = 0, RELAY_IN = 1 };

struct relay_params {
    double loss, dup, reorder, corrupt; /* percent, 0..100 */
    uint32_t delay_ms;                  /* added to every frame */
    uint32_t reorder_ms;                /* how long a reordered frame is held (default 3) */
    uint64_t seed;
};

struct relay_stats {
    uint64_t frames[2], dropped[2], duplicated[2], reordered[2], corrupted[2], outage[2];
};

typedef void (*relay_deliver_fn)(void *ctx, enum relay_dir dir, const uint8_t *frame, size_t len);

struct relay;

/* Parses "loss=5,dup=2,reorder=5,corrupt=1,delay=1,hold=3,seed=7". */
int relay_parse(const char *spec, struct relay_params *out);
struct relay *relay_new(const struct relay_params *p, relay_deliver_fn deliver, void *ctx);
void relay_free(struct relay *r);
/* A frame enters the relay in one direction at time now (ms). */
void relay_push(struct relay *r, enum relay_dir dir, const uint8_t *frame, size_t len,
                uint64_t now);
/* Delivers the frames whose time has come. */
void relay_flush(struct relay *r, uint64_t now);
/* The next time relay_flush has work; UINT64_MAX if none. */
uint64_t relay_next(const struct relay *r);
/* Every frame in [start, start + len) ms is dropped. */
void relay_set_outage(struct relay *r, uint64_t start, uint64_t len);
void relay_get_stats(const struct relay *r, struct relay_stats *out);
int relay_active(const struct relay *r);

#endif
