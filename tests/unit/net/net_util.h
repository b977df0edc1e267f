/*
 * tests/unit/net/net_util.h - a test bench for lib/net in the style of
 * lwIP's test/unit: the stack's transmit callback records every frame, time
 * and randomness are under the test's control, and helpers build frames
 * (Ethernet, ARP, IPv4, ICMP, UDP, TCP with options) and parse what the
 * stack sent. Checksums are computed here with a plain RFC 1071 loop, an
 * oracle independent of lib/net's own.
 *
 * Addresses: the stack is 10.0.0.2 (MAC 02:00:00:00:00:01), its peer and
 * gateway 10.0.0.1 (MAC 02:00:00:00:00:02), all on 10.0.0.0/24.
 */
#ifndef TESTS_UNIT_NET_UTIL_H
#define TESTS_UNIT_NET_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

#define US_IP    0x0a000002u
#define PEER_IP  0x0a000001u
#define MAXFRAME 2048
#define MAXOUT   512

extern const uint8_t US_MAC[6], PEER_MAC[6], BCAST_MAC[6];

struct frame {
    uint8_t d[MAXFRAME];
    size_t len;
};

struct bench {
    struct net_stack *st;
    uint64_t now;
    struct frame out[MAXOUT];
    int nout;
    unsigned events;
    unsigned if_events;
    uint64_t rng;
};

extern struct bench B;

/* A stack with optional config tweaks (NULL for defaults); static address
 * when static_ip, with the peer already in the ARP cache. */
void bench_init(const struct net_config *tweak, bool static_ip);
void bench_free(void);
void bench_clear(void);
void bench_advance(uint64_t ms); /* moves time and runs net_poll */
void bench_input(const uint8_t *f, size_t len);

/* RFC 1071 over a buffer, starting from a partial sum (pseudo-header). */
uint16_t ref_csum(const void *a, size_t alen, uint32_t start);

/* Frame builders; all return the frame length. */
size_t mk_arp(uint8_t *f, uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha,
              uint32_t tpa, const uint8_t *eth_dst);
size_t mk_ipv4(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, uint16_t frag,
               const void *payload, size_t plen);
size_t mk_udp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
              const void *data, size_t dlen);
size_t mk_tcp(uint8_t *f, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
              const uint8_t *opts, size_t olen, const void *data, size_t dlen);
/* TCP from PEER_IP:peer_port to US_IP:us_port (set by the tests). */
extern uint16_t tcp_peer_port, tcp_us_port;

/* What the stack sent. */
struct tcp_seen {
    uint32_t src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    size_t dlen;
    const uint8_t *data;
    int mss, ws;
    bool sackp, ts;
    uint32_t tsval, tsecr;
    int nsack;
    uint32_t sack[4][2];
};
/* Parses out[i] as TCP/IPv4, checking both checksums; false otherwise. */
bool parse_tcp(const struct frame *fr, struct tcp_seen *t);
/* Parses out[i] as UDP/IPv4 (checksums checked); returns payload and ports. */
bool parse_udp(const struct frame *fr, uint32_t *src, uint32_t *dst, uint16_t *sport,
               uint16_t *dport, const uint8_t **data, size_t *dlen);
/* The IPv4 payload (after checks), or NULL. */
const uint8_t *parse_ipv4(const struct frame *fr, uint8_t *proto, uint32_t *src, uint32_t *dst,
                          size_t *plen);
/* Index of the last TCP frame sent, -1 if none. */
int last_tcp(struct tcp_seen *t);
int count_tcp(void);

#define TCP_F 0x01
#define TCP_S 0x02
#define TCP_R 0x04
#define TCP_P 0x08
#define TCP_A 0x10

#endif
