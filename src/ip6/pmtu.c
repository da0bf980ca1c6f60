/* Path MTU discovery (RFC 8201): a Packet Too Big lowers the estimate for
 * the destination of the packet it quotes; output sends no larger packet
 * there than the estimate; after a while the estimate goes back to the
 * link MTU, which is how an increase is detected (RFC 8201 4 and 5.3).
 *
 * The cache is a hash keyed by destination (and zone for scoped
 * destinations) with a secret key: its keys come off the wire, in the
 * Packet Too Big messages anyone can send. It holds at most a configured
 * number of entries; a full cache evicts the entry lowered longest ago.
 *
 * RFCs to read before editing: RFC 8201 (sections 4, 5.2, 5.3), RFC 4443
 * 3.2 (the message), RFC 8200 5 (1280, the minimum link MTU).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ip6/ip6.h"
#include "wire/ipv6.h"

#define PMTU_BUCKETS_MIN 16

static void expire_timer(struct six_timer *t, void *arg);

int six__pmtu_init(struct six_ip6 *ip6, unsigned max, uint64_t expire_us) {
    struct six_pmtu *c = &ip6->pmtu;
    unsigned n = PMTU_BUCKETS_MIN;

    memset(c, 0, sizeof(*c));
    c->max = max;
    c->expire_us = expire_us;
    six__timer_init(&c->timer, expire_timer, ip6);
    while (n < max && n < (1u << 20))
        n *= 2;
    if (!(c->hash = calloc(n, sizeof(*c->hash))))
        return -ENOMEM;
    c->mask = n - 1;
    return 0;
}

void six__pmtu_fini(struct six_ip6 *ip6) {
    struct six_pmtu *c = &ip6->pmtu;

    if (!c->hash)
        return;   /* never set up */
    while (c->oldest) {
        struct six_pmtu_entry *e = c->oldest;
        c->oldest = e->newer;
        free(e);
    }
    six__timer_cancel(ip6->core, &c->timer);
    free(c->hash);
    memset(c, 0, sizeof(*c));
}

/* The zone that tells two scoped destinations apart (RFC 4007 6). */
static unsigned zone_of(const struct in6_addr *dst, unsigned ifindex) {
    return six_addr_scope(dst) <= 2 ? ifindex : 0;
}

static struct six_pmtu_entry **bucket(struct six_ip6 *ip6, const struct in6_addr *dst,
                                      unsigned zone) {
    struct six_pmtu *c = &ip6->pmtu;
    uint8_t k[20];

    if (!c->keyed) {
        six__rand_key(ip6->core, &c->key, sizeof(c->key));
        c->keyed = 1;
    }
    memcpy(k, dst, 16);
    memcpy(k + 16, &zone, 4);
    return &c->hash[six__siphash(&c->key, k, sizeof(k)) & c->mask];
}

static struct six_pmtu_entry *find(struct six_ip6 *ip6, const struct in6_addr *dst,
                                   unsigned zone) {
    for (struct six_pmtu_entry *e = *bucket(ip6, dst, zone); e; e = e->next)
        if (e->zone == zone && IN6_ARE_ADDR_EQUAL(&e->dst, dst))
            return e;
    return NULL;
}

static void list_unlink(struct six_pmtu *c, struct six_pmtu_entry *e) {
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    e->older = e->newer = NULL;
}

static void list_append(struct six_pmtu *c, struct six_pmtu_entry *e) {
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
}

static void remove_entry(struct six_ip6 *ip6, struct six_pmtu_entry *e) {
    struct six_pmtu *c = &ip6->pmtu;
    struct six_pmtu_entry **pp = bucket(ip6, &e->dst, e->zone);

    for (; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    }
    list_unlink(c, e);
    c->count--;
    free(e);
}

/* Arms the timer for the entry that ages out first (the oldest). If the
 * timer cannot be armed, lookups still drop expired entries. */
static void rearm(struct six_ip6 *ip6) {
    struct six_pmtu *c = &ip6->pmtu;

    if (c->oldest && c->oldest->expires != SIX_NEVER)
        six__timer_arm(ip6->core, &c->timer, c->oldest->expires);
    else
        six__timer_cancel(ip6->core, &c->timer);
}

/* RFC 8201 5.3: a stale estimate is dropped, so the path is tried at the
 * link MTU again (the "increase attempt" of section 4). */
static void expire_due(struct six_ip6 *ip6) {
    struct six_pmtu *c = &ip6->pmtu;
    uint64_t now = six__now(ip6->core);

    while (c->oldest && c->oldest->expires <= now) {
        remove_entry(ip6, c->oldest);
        SIX_STAT(ip6->core, pmtu_expired);
    }
}

static void expire_timer(struct six_timer *t, void *arg) {
    (void)t;
    expire_due(arg);
    rearm(arg);
}

uint32_t six__pmtu_lookup(struct six_ip6 *ip6, const struct in6_addr *dst, unsigned zone) {
    struct six_pmtu_entry *e;

    if (ip6->pmtu.count == 0)
        return 0;
    expire_due(ip6);
    e = find(ip6, dst, zone);
    return e ? e->mtu : 0;
}

/* Sets dst's estimate to mtu, making room if the cache is full. Returns 0
 * or -ENOBUFS. */
static int store(struct six_ip6 *ip6, const struct in6_addr *dst, unsigned zone,
                 uint32_t mtu) {
    struct six_pmtu *c = &ip6->pmtu;
    struct six_pmtu_entry *e = find(ip6, dst, zone);

    if (e) {
        list_unlink(c, e);
    } else {
        if (c->max == 0)
            return -ENOBUFS;
        if (c->count >= c->max) {
            remove_entry(ip6, c->oldest);
            SIX_STAT(ip6->core, pmtu_evicted);
        }
        if (!(e = calloc(1, sizeof(*e))))
            return -ENOBUFS;
        e->dst = *dst;
        e->zone = zone;
        struct six_pmtu_entry **b = bucket(ip6, dst, zone);
        e->next = *b;
        *b = e;
        c->count++;
    }
    e->mtu = mtu;
    /* RFC 8201 4: no attempt to detect an increase for some time after a
     * Packet Too Big; the clock restarts with each one. */
    e->expires = c->expire_us ? six__now(ip6->core) + c->expire_us : SIX_NEVER;
    list_append(c, e);
    rearm(ip6);
    return 0;
}

unsigned six__ip6_path_mtu(struct six_ip6 *ip6, const struct six_ip6_out *o,
                           const struct six_if *ifp) {
    unsigned mtu = ifp->mtu;
    uint32_t p;

    /* A packet to this node has no path to fit: neither the cache nor
     * IPV6_USE_MIN_MTU applies on loopback. */
    if (ifp->flags & SIX_IFF_LOOPBACK)
        return mtu;
    p = six__pmtu_lookup(ip6, &o->dst, zone_of(&o->dst, ifp->index));
    if (p && p < mtu)
        mtu = p;
    /* RFC 3542 11.1: 1280 for every packet, or by default (-1) for
     * multicast, which path MTU discovery does not cover. */
    if (o->minmtu == SIX_MINMTU_ALWAYS ||
        (o->minmtu == SIX_MINMTU_MCAST && six_addr_is_multicast(&o->dst)))
        mtu = mtu < SIX_IP6_MIN_MTU ? mtu : SIX_IP6_MIN_MTU;
    return mtu;
}

uint32_t six__ip6_ptb(struct six_ip6 *ip6, const struct in6_addr *src,
                      const struct in6_addr *dst, unsigned arrival, uint32_t mtu) {
    struct six_ip6_out o = {.src = *src, .dst = *dst, .minmtu = SIX_MINMTU_NEVER};
    struct six_core *core = ip6->core;
    struct six_if *ifp;

    /* The quoted packet must be one this node sent (RFC 8201 5.2 keys
     * the estimate by the quoted destination; RFC 5927-style blind
     * attacks need a packet we never sent to count). */
    if (!six__ip6_addr_is_local(ip6, src)) {
        SIX_STAT(core, pmtu_ptb_not_ours);
        return 0;
    }
    /* RFC 8201 4: "If a node receives a Packet Too Big message reporting
     * a next-hop MTU that is less than the IPv6 minimum link MTU, it must
     * discard it." */
    if (mtu < SIX_IP6_MIN_MTU) {
        SIX_STAT(core, pmtu_ptb_too_small);
        return 0;
    }
    o.ifindex = zone_of(dst, arrival);
    if (six__ip6_route_out(ip6, &o, &ifp) < 0 || (ifp->flags & SIX_IFF_LOOPBACK)) {
        SIX_STAT(core, pmtu_ptb_no_path);
        return 0;
    }
    /* RFC 8201 4: "A node must not increase its estimate of the Path MTU
     * in response to the contents of a Packet Too Big message"; nor can
     * the path carry more than the first link does. */
    if (mtu >= six__ip6_path_mtu(ip6, &o, ifp)) {
        SIX_STAT(core, pmtu_ptb_not_lower);
        return 0;
    }
    if (store(ip6, dst, zone_of(dst, ifp->index), mtu) < 0) {
        SIX_STAT(core, pmtu_ptb_no_room);
        return 0;
    }
    SIX_STAT(core, pmtu_updates);
    return mtu;
}
