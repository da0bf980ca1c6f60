/* ICMPv6 (RFC 4443): input (checksum, echo reply, errors reported to the
 * sockets they concern, Packet Too Big applied to the path MTU cache
 * first, delivery to raw sockets) and error generation with
 * the "never in response to" rules of section 2.4(e) and the rate limit of
 * section 2.4(f).
 */
#ifndef SIX_ICMP6_ICMP6_H
#define SIX_ICMP6_ICMP6_H

#include <netinet/in.h>
#include <stdint.h>

#include "ip6/ip6.h"

/* An ICMPv6 error as the sockets see it: the message and the invoking
 * packet it quotes. */
struct six_icmp6_err {
    uint8_t type;
    uint8_t code;
    uint32_t word;             /* pointer, or for a Packet Too Big the new
                                  path MTU estimate (only those that
                                  lowered it are reported) */
    struct in6_addr src;       /* the invoking packet's source: us */
    struct in6_addr dst;       /* and its destination: the peer */
    uint8_t proto;             /* its upper-layer protocol, 0 if unknown */
    const uint8_t *l4;         /* its upper-layer bytes quoted, or NULL */
    size_t l4_len;
    unsigned ifindex;          /* the interface the error arrived on */
    struct in6_addr from;      /* the error's own source (IPV6_RECVERR's
                                  offender) */
    uint8_t from_hlim;         /* and its hop limit on arrival */
};

/* Tells the socket layer about a received error. */
typedef void (*six_icmp6_notify_fn)(void *ctx, const struct six_icmp6_err *err);

struct six_mld;
struct six_nd;

struct six_icmp6 {
    struct six_ip6 *ip6;
    struct six_mld *mld;       /* MLD messages go here too, when set */
    six_icmp6_notify_fn notify;
    void *notify_ctx;
    struct six_nd *nd;         /* neighbour discovery, set by nd's init */
    /* Rate limit: a token bucket in millionths of a token, so that a
     * microsecond at rate r adds exactly r of them (no rounding). */
    unsigned rate;             /* tokens per second */
    unsigned burst;            /* bucket size */
    uint64_t tokens_micro;
    uint64_t last_refill;
};

/* Registers ICMPv6 input and error generation with ip6. */
void six__icmp6_init(struct six_icmp6 *icmp6, struct six_ip6 *ip6, unsigned rate,
                     unsigned burst);
/* The error rate limit's bucket full, as at init, from now on. */
void six__icmp6_rate_reset(struct six_icmp6 *icmp6);

/* Sends an ICMPv6 error about pkt (borrowed; data at its IPv6 header)
 * unless RFC 4443 2.4(e) forbids it or the rate limit is reached. */
void six__icmp6_error(struct six_icmp6 *icmp6, struct six_pkt *pkt, uint8_t type,
                      uint8_t code, uint32_t param);

/* The errno an ICMPv6 error means to a socket (RFC 4443 types and codes,
 * as BSD and Linux map them). */
int six__icmp6_errno(uint8_t type, uint8_t code);

#endif
