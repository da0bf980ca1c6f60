/* Neighbor Discovery (RFC 4861) for a host: address resolution with a
 * bounded queue per neighbour, the neighbour cache with its NUD states and
 * timers, and NS/NA with their validity checks.
 *
 * RFCs to read before editing nd.c: RFC 4861 sections 7 (address
 * resolution and NUD, all of it), 6.3.2 (the host variables), 10 (the
 * constants), appendix C (the state machine); RFC 4443 3.1 code 3.
 *
 * ND plugs into ip6 as its resolver (ip6->resolve): six__ip6_link_out
 * hands it every unicast packet for an Ethernet interface. Messages come
 * from icmp6_input (six__nd_input).
 */
#ifndef SIX_ICMP6_ND_H
#define SIX_ICMP6_ND_H

#include <netinet/in.h>
#include <stdint.h>

#include "ip6/ip6.h"
#include "wire/ether.h"
#include "wire/ipv6.h"

struct six_icmp6;
struct six_ac;

/* RFC 4861 10: protocol constants (times in milliseconds). */
#define SIX_ND_MAX_MULTICAST_SOLICIT 3
#define SIX_ND_MAX_UNICAST_SOLICIT 3
#define SIX_ND_REACHABLE_TIME 30000u
#define SIX_ND_RETRANS_TIMER 1000u
#define SIX_ND_DELAY_FIRST_PROBE_TIME 5000u

struct six_nd;

struct six_neigh {
    struct six_nd *nd;
    enum six_nud state;
    unsigned ifindex;
    struct in6_addr addr;
    uint8_t mac[SIX_ETH_ALEN];
    uint8_t is_router;
    uint8_t probes;            /* solicitations sent in this state */
    uint8_t used;              /* traffic went out through it (eviction) */
    uint64_t last_used;        /* stack clock: for eviction */
    struct six_timer timer;
    struct six_pktq queue;     /* packets waiting for resolution */
};

/* RFC 4861 6.3.2: the host variables of one interface. */
struct six_nd_if {
    uint32_t base_reachable_ms;
    uint32_t reachable_ms;     /* base times a random factor in [0.5, 1.5] */
    uint32_t retrans_ms;
};

struct six_nd {
    struct six_ip6 *ip6;
    struct six_icmp6 *icmp6;
    struct six_neigh *cache;   /* cache_max slots, allocated once */
    unsigned cache_max;
    unsigned queue_max;        /* packets queued per INCOMPLETE entry */
    unsigned incomplete_max;   /* INCOMPLETE entries at once (RFC 6583 7.1) */
    struct six_nd_if ifs[SIX_MAX_IFS + 1];
    struct six_ac *ac;         /* autoconfiguration, set by its init */
    int router_flag;           /* set the Router flag in our NAs */
};

/* Allocates the cache and plugs ND into ip6 and icmp6. */
int six__nd_init(struct six_nd *nd, struct six_icmp6 *icmp6, unsigned cache_max,
                 unsigned queue_max);
/* Cancels every timer and frees every queued packet and the cache. */
void six__nd_fini(struct six_nd *nd);
/* Forgets every neighbour (their timers and queued packets with them). */
void six__nd_flush(struct six_nd *nd);

/* An ND message (type 133..137) received on ifp. Borrows pkt (data at its
 * IPv6 header, the message at meta.l4_off, checksum already verified). */
void six__nd_input(struct six_nd *nd, struct six_if *ifp, struct six_pkt *pkt,
                   const struct six_ip6_repr *h);

/* The entry for addr on ifindex, or NULL (for tests and the host's
 * listing). */
const struct six_neigh *six__nd_lookup(const struct six_nd *nd, unsigned ifindex,
                                       const struct in6_addr *addr);

/* Sends an ND message (msg, len bytes, checksum not yet set) on ifp from
 * src to dst with hop limit 255. Returns 0 or a negative errno. */
int six__nd_send(struct six_nd *nd, struct six_if *ifp, const uint8_t *msg, size_t len,
                 const struct in6_addr *src, const struct in6_addr *dst);
/* RFC 4861 6.3.4, 7.2.3, 8.3: a message from addr named its MAC: makes or
 * updates its entry (STALE when new or changed); is_router 1 marks it a
 * router. */
void six__nd_learn(struct six_nd *nd, struct six_if *ifp, const struct in6_addr *addr,
                   const uint8_t *mac, int is_router);
/* RFC 4861 6.3.4: a new BaseReachableTime for ifindex (a new random
 * ReachableTime from it). */
void six__nd_set_reachable(struct six_nd *nd, unsigned ifindex, uint32_t base_ms);

/* Names of the states, for logs. */
const char *six__nud_name(enum six_nud s);

#endif
