/*
 * tests/net/relay.c - the fault-injecting relay (see relay.h). Held frames
 * wait in a list ordered by release time; with no faults configured every
 * frame passes straight through.
 */
#include "tests/net/relay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct held {
    struct held *next;
    uint64_t when;
    enum relay_dir dir;
    size_t len;
    uint8_t data[];
};

struct relay {
    struct relay_params p;
    relay_deliver_fn deliver;
    void *ctx;
    uint64_t rng;
    struct held *queue; /* ordered by when */
    uint64_t outage_start, outage_end;
    struct relay_stats st;
};

int relay_parse(const char *spec, struct relay_params *out)
{
    memset(out, 0, sizeof *out);
    out->reorder_ms = 3;
    out->seed = 1;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (!eq) return -1;
        *eq = '\0';
        double v = atof(eq + 1);
        if (!strcmp(tok, "loss"))
            out->loss = v;
        else if (!strcmp(tok, "dup"))
            out->dup = v;
        else if (!strcmp(tok, "reorder"))
            out->reorder = v;
        else if (!strcmp(tok, "corrupt"))
            out->corrupt = v;
        else if (!strcmp(tok, "delay"))
            out->delay_ms = (uint32_t)v;
        else if (!strcmp(tok, "hold"))
            out->reorder_ms = (uint32_t)v;
        else if (!strcmp(tok, "seed"))
            out->seed = (uint64_t)v;
        else
            return -1;
    }
    return 0;
}

struct relay *relay_new(const struct relay_params *p, relay_deliver_fn deliver, void *ctx)
{
    struct relay *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->p = *p;
    r->deliver = deliver;
    r->ctx = ctx;
    r->rng = p->seed ? p->seed * 0x9e3779b97f4a7c15ull : 1;
    return r;
}

void relay_free(struct relay *r)
{
    if (!r) return;
    while (r->queue) {
        struct held *n = r->queue->next;
        free(r->queue);
        r->queue = n;
    }
    free(r);
}

int relay_active(const struct relay *r)
{
    return r->p.loss > 0 || r->p.dup > 0 || r->p.reorder > 0 || r->p.corrupt > 0 ||
           r->p.delay_ms > 0 || r->outage_end > 0;
}

static uint64_t rng_next(struct relay *r)
{
    uint64_t x = r->rng; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->rng = x;
    return x * 0x2545f4914f6cdd1dull;
}

static int chance(struct relay *r, double percent)
{
    if (percent <= 0) return 0;
    return (double)(rng_next(r) % 1000000) < percent * 10000.0;
}

static void hold(struct relay *r, enum relay_dir dir, const uint8_t *f, size_t len, uint64_t when,
                 int corrupt)
{
    struct held *h = malloc(sizeof *h + len);
    if (!h) return;
    h->when = when;
    h->dir = dir;
    h->len = len;
    memcpy(h->data, f, len);
    if (corrupt && len > 14) {
        size_t at = 14 + rng_next(r) % (len - 14);
        h->data[at] ^= (uint8_t)(1u << (rng_next(r) % 8));
    }
    struct held **pp = &r->queue;
    while (*pp && (*pp)->when <= when)
        pp = &(*pp)->next;
    h->next = *pp;
    *pp = h;
}

void relay_push(struct relay *r, enum relay_dir dir, const uint8_t *f, size_t len, uint64_t now)
{
    r->st.frames[dir]++;
    if (now >= r->outage_start && now < r->outage_end) {
        r->st.outage[dir]++;
        return;
    }
    if (!relay_active(r)) {
        r->deliver(r->ctx, dir, f, len);
        return;
    }
    if (chance(r, r->p.loss)) {
        r->st.dropped[dir]++;
        return;
    }
    int copies = 1;
    if (chance(r, r->p.dup)) {
        r->st.duplicated[dir]++;
        copies = 2;
    }
    for (int i = 0; i < copies; i++) {
        uint64_t when = now + r->p.delay_ms;
        if (chance(r, r->p.reorder)) {
            r->st.reordered[dir]++;
            when += 1 + rng_next(r) % (r->p.reorder_ms ? r->p.reorder_ms : 1);
        }
        int corrupt = chance(r, r->p.corrupt);
        if (corrupt) r->st.corrupted[dir]++;
        if (when == now && !corrupt && r->queue == NULL)
            r->deliver(r->ctx, dir, f, len);
        else
            hold(r, dir, f, len, when, corrupt);
    }
}

void relay_flush(struct relay *r, uint64_t now)
{
    while (r->queue && r->queue->when <= now) {
        struct held *h = r->queue;
        r->queue = h->next;
        if (now >= r->outage_start && now < r->outage_end)
            r->st.outage[h->dir]++;
        else
            r->deliver(r->ctx, h->dir, h->data, h->len);
        free(h);
    }
}

uint64_t relay_next(const struct relay *r)
{
    return r->queue ? r->queue->when : UINT64_MAX;
}

void relay_set_outage(struct relay *r, uint64_t start, uint64_t len)
{
    r->outage_start = start;
    r->outage_end = start + len;
}

void relay_get_stats(const struct relay *r, struct relay_stats *out)
{
    *out = r->st;
}
