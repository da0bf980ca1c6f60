/* Neighbor Discovery: see nd.h. RFCs: RFC 4861 (sections 4, 6.3.2, 7,
 * 10, appendix C), RFC 4443 3.1, RFC 2464 (link-layer options).
 *
 * The cache is one array of cache_max slots allocated when the stack is
 * made, so an entry's address (and its embedded timer) never moves and
 * memory is bounded whatever arrives. Lookups scan it: a host talks to a
 * handful of neighbours.
 */
#include "icmp6/nd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "icmp6/addrconf.h"
#include "icmp6/icmp6.h"
#include "wire/bytes.h"
#include "wire/cksum.h"
#include "wire/ext.h"
#include "wire/icmp6.h"
#include "wire/nd.h"

static int nd_resolve(void *ctx, struct six_if *ifp, const struct in6_addr *nexthop,
                      struct six_pkt *pkt);
static void neigh_timer(struct six_timer *t, void *arg);

const char *six__nud_name(enum six_nud s) {
    static const char *names[] = {"none", "incomplete", "reachable", "stale", "delay", "probe"};
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* RFC 4861 6.3.2: ReachableTime is BaseReachableTime times a uniformly
 * distributed random factor between MIN_RANDOM_FACTOR (0.5) and
 * MAX_RANDOM_FACTOR (1.5), from the stack's (seedable) random. */
static void new_reachable_time(struct six_nd *nd, struct six_nd_if *nif) {
    uint32_t base = nif->base_reachable_ms;
    nif->reachable_ms = base / 2 + six__rand_below(nd->ip6->core, base ? base : 1);
}

int six__nd_init(struct six_nd *nd, struct six_icmp6 *icmp6, unsigned cache_max,
                 unsigned queue_max) {
    memset(nd, 0, sizeof(*nd));
    nd->icmp6 = icmp6;
    nd->ip6 = icmp6->ip6;
    nd->cache_max = cache_max ? cache_max : 1;
    nd->queue_max = queue_max ? queue_max : 1;
    /* RFC 6583 7.1 gives no figure: a quarter of the cache resolves at
     * once, so unsolicited traffic never holds more than that (nor more
     * than a quarter's queues of packet buffers). */
    nd->incomplete_max = nd->cache_max / 4 ? nd->cache_max / 4 : 1;
    nd->cache = calloc(nd->cache_max, sizeof(*nd->cache));
    if (!nd->cache)
        return -ENOMEM;
    for (unsigned i = 0; i < nd->cache_max; i++) {
        nd->cache[i].nd = nd;
        six__timer_init(&nd->cache[i].timer, neigh_timer, &nd->cache[i]);
    }
    for (unsigned i = 0; i <= SIX_MAX_IFS; i++) {
        nd->ifs[i].base_reachable_ms = SIX_ND_REACHABLE_TIME;
        nd->ifs[i].retrans_ms = SIX_ND_RETRANS_TIMER;
        new_reachable_time(nd, &nd->ifs[i]);
    }
    nd->ip6->resolve = nd_resolve;
    nd->ip6->resolve_ctx = nd;
    icmp6->nd = nd;
    return 0;
}

/* Empties a slot: cancels its timer and drops its queue (counted). */
static void neigh_free(struct six_neigh *n) {
    struct six_core *core = n->nd->ip6->core;
    struct six_pkt *pkt;

    while ((pkt = six__pktq_pop(&n->queue))) {
        SIX_STAT(core, nd_queue_drops);
        six__pkt_free(pkt);
    }
    six__timer_cancel(core, &n->timer);
    n->state = SIX_NUD_NONE;
}

void six__nd_flush(struct six_nd *nd) {
    for (unsigned i = 0; i < nd->cache_max; i++)
        if (nd->cache[i].state != SIX_NUD_NONE)
            neigh_free(&nd->cache[i]);
}

void six__nd_fini(struct six_nd *nd) {
    if (!nd->cache)
        return;
    six__nd_flush(nd);
    free(nd->cache);
    nd->cache = NULL;
    nd->ip6->resolve = NULL;
}

static struct six_neigh *neigh_find(const struct six_nd *nd, unsigned ifindex,
                                    const struct in6_addr *addr) {
    for (unsigned i = 0; i < nd->cache_max; i++) {
        struct six_neigh *n = &nd->cache[i];
        if (n->state != SIX_NUD_NONE && n->ifindex == ifindex &&
            IN6_ARE_ADDR_EQUAL(&n->addr, addr))
            return n;
    }
    return NULL;
}

const struct six_neigh *six__nd_lookup(const struct six_nd *nd, unsigned ifindex,
                                       const struct in6_addr *addr) {
    return neigh_find(nd, ifindex, addr);
}

/* How much an entry is worth keeping (RFC 6583 7.1): a neighbour traffic
 * goes to (REACHABLE, STALE, DELAY or PROBE, used) above one only learnt
 * (an unsolicited NS's STALE entry), above one still resolving, which
 * anyone can make us create by sending us anything. */
static int neigh_worth(const struct six_neigh *n) {
    if (n->state == SIX_NUD_INCOMPLETE)
        return 0;
    return n->used ? 2 : 1;
}

/* The slot to reuse: the least recently used of the entries worth least
 * (only_incomplete: of the INCOMPLETE ones). */
static struct six_neigh *neigh_victim(struct six_nd *nd, int only_incomplete) {
    struct six_neigh *best = NULL;
    for (unsigned i = 0; i < nd->cache_max; i++) {
        struct six_neigh *n = &nd->cache[i];
        if (only_incomplete && n->state != SIX_NUD_INCOMPLETE)
            continue;
        if (!best || neigh_worth(n) < neigh_worth(best) ||
            (neigh_worth(n) == neigh_worth(best) && n->last_used < best->last_used))
            best = n;
    }
    return best;
}

/* A new entry in state (no MAC yet), evicting one when the cache is
 * full, or an older INCOMPLETE one when incomplete_max of them are
 * resolving: memory stays bounded whoever floods us, and the neighbours
 * in use stay. */
static struct six_neigh *neigh_new(struct six_nd *nd, unsigned ifindex,
                                   const struct in6_addr *addr, enum six_nud state) {
    struct six_neigh *n = NULL;
    unsigned incomplete = 0;

    for (unsigned i = 0; i < nd->cache_max; i++) {
        if (nd->cache[i].state == SIX_NUD_NONE && !n)
            n = &nd->cache[i];
        incomplete += nd->cache[i].state == SIX_NUD_INCOMPLETE;
    }
    if (state == SIX_NUD_INCOMPLETE && incomplete >= nd->incomplete_max)
        n = neigh_victim(nd, 1);
    else if (!n)
        n = neigh_victim(nd, 0);
    if (n->state != SIX_NUD_NONE) {
        SIX_STAT(nd->ip6->core, nd_cache_evictions);
        neigh_free(n);
    }
    n->state = state;
    n->ifindex = ifindex;
    n->addr = *addr;
    memset(n->mac, 0, sizeof(n->mac));
    n->is_router = 0;
    n->probes = 0;
    n->used = 0;
    n->last_used = six__now(nd->ip6->core);
    return n;
}

/* Arms n's timer ms milliseconds from now; an entry whose timer cannot be
 * armed (no memory for the heap) is dropped rather than left stuck. */
static void neigh_arm(struct six_neigh *n, uint32_t ms) {
    struct six_core *core = n->nd->ip6->core;
    if (six__timer_arm(core, &n->timer, six__now(core) + (uint64_t)ms * 1000) < 0)
        neigh_free(n);
}

static void neigh_log(struct six_neigh *n, const char *what) {
    char a[INET6_ADDRSTRLEN];
    const uint8_t *m = n->mac;
    inet_ntop(AF_INET6, &n->addr, a, sizeof(a));
    six__log(n->nd->ip6->core, "nd: %s %s (%02x:%02x:%02x:%02x:%02x:%02x) %s", a, what, m[0], m[1],
             m[2], m[3], m[4], m[5], six__nud_name(n->state));
}

/* ---- sending NS and NA ---- */

/* Sends an ND message (msg, len bytes, checksum not yet set) on ifp from
 * src to dst with hop limit 255 (RFC 4861 7.1: receivers drop anything
 * else, so an off-link forger cannot reach them). */
int six__nd_send(struct six_nd *nd, struct six_if *ifp, const uint8_t *msg, size_t len,
                 const struct in6_addr *src, const struct in6_addr *dst) {
    struct six_ip6 *ip6 = nd->ip6;
    struct six_ip6_out o = {.src = *src, .dst = *dst, .nexthop = *dst, .ifindex = ifp->index,
                            .nxt = SIX_NH_ICMPV6, .hlim = 255};
    struct six_pkt *pkt = six__pkt_alloc(&ip6->core->pools, SIX_PKT_HEADROOM, len);

    if (!pkt) {
        SIX_STAT(ip6->core, ip6_out_nobufs);
        return -ENOBUFS;
    }
    memcpy(pkt->data, msg, len);
    six_put16(pkt->data + SIX_ICMP6_OFF_CKSUM,
              six_cksum_ip6(src, dst, SIX_NH_ICMPV6, pkt->data, len));
    SIX_STAT(ip6->core, icmp6_out_msgs);
    return six__ip6_send(ip6, pkt, &o, ifp);
}

/* The address an NS about target goes out from: hint when it is one of
 * ifp's (RFC 4861 7.2.2: the source of the packet that prompted it), else
 * the one source selection picks. */
static int ns_source(struct six_nd *nd, struct six_if *ifp, const struct in6_addr *target,
                     const struct in6_addr *hint, struct in6_addr *src) {
    const struct six_addr_entry *e = hint ? six__ip6_addr_find(nd->ip6, hint) : NULL;

    if (e && e->ifindex == ifp->index && !(e->flags & SIX_ADDR_ANYCAST) &&
        six__addr_usable(e)) {
        *src = *hint;
        return 0;
    }
    return six__ip6_select_src(nd->ip6, target, ifp->index, src);
}

/* RFC 4861 7.2.2 and 7.3.3: a solicitation for n's address, multicast to
 * its solicited-node group while resolving, unicast to it while
 * probing, with our MAC in a Source Link-Layer Address option. */
static void send_ns(struct six_nd *nd, struct six_neigh *n, const struct in6_addr *hint) {
    struct six_if *ifp = six__ip6_if(nd->ip6, n->ifindex);
    struct six_nd_repr r = {.type = SIX_ICMP6_NEIGHBOR_SOLICIT, .target = n->addr};
    struct in6_addr src, dst = n->addr;
    uint8_t msg[SIX_ND_NS_LEN + 8];
    int len;

    if (!ifp || ns_source(nd, ifp, &n->addr, hint, &src) < 0)
        return;
    if (n->state == SIX_NUD_INCOMPLETE)
        six_addr_solicited_node(&n->addr, &dst);
    len = six_nd_emit(&r, ifp->hwaddr, SIX_ETH_ALEN, msg, sizeof(msg));
    if (len > 0 && six__nd_send(nd, ifp, msg, (size_t)len, &src, &dst) == 0)
        SIX_STAT(nd->ip6->core, nd_out_ns);
}

/* RFC 4861 7.2.4: the advertisement answering a solicitation for target
 * (one of ours) from src. A solicitation from :: (duplicate address
 * detection) is answered to all-nodes, unsolicited. */
static void send_na(struct six_nd *nd, struct six_if *ifp, const struct six_addr_entry *target,
                    const struct in6_addr *to) {
    struct six_nd_repr r = {.type = SIX_ICMP6_NEIGHBOR_ADVERT, .target = target->addr};
    struct in6_addr dst = *to;
    uint8_t msg[SIX_ND_NA_LEN + 8];
    int len;

    /* Override unless the target is anycast (7.2.4: another node may own
     * it too, and a proxy would not override either). */
    if (!(target->flags & SIX_ADDR_ANYCAST))
        r.flags |= SIX_ND_NA_OVERRIDE;
    if (nd->router_flag)
        r.flags |= SIX_ND_NA_ROUTER;
    if (six_addr_is_unspecified(to))
        inet_pton(AF_INET6, "ff02::1", &dst);
    else
        r.flags |= SIX_ND_NA_SOLICITED;
    len = six_nd_emit(&r, ifp->hwaddr, SIX_ETH_ALEN, msg, sizeof(msg));
    /* The source is the target itself, an address of this interface;
     * an anycast target answers from a unicast address of the link. */
    {
        struct in6_addr src = target->addr;
        if ((target->flags & SIX_ADDR_ANYCAST) &&
            six__ip6_select_src(nd->ip6, &dst, ifp->index, &src) < 0)
            return;
        if (len > 0 && six__nd_send(nd, ifp, msg, (size_t)len, &src, &dst) == 0)
            SIX_STAT(nd->ip6->core, nd_out_na);
    }
}

/* ---- output through the cache ---- */

/* Sends pkt to n's MAC; using a STALE entry starts NUD (RFC 4861 7.3.3:
 * STALE -> DELAY, probing in DELAY_FIRST_PROBE_TIME). Consumes pkt. */
static int neigh_output(struct six_neigh *n, struct six_if *ifp, struct six_pkt *pkt) {
    n->last_used = six__now(n->nd->ip6->core);
    n->used = 1;
    if (n->state == SIX_NUD_STALE) {
        n->state = SIX_NUD_DELAY;
        neigh_arm(n, SIX_ND_DELAY_FIRST_PROBE_TIME);
    }
    return six__ether_output(ifp, n->mac, pkt);
}

/* RFC 4861 7.2.2: while resolving, packets wait in a small queue; "if the
 * queue overflows, the new arrival SHOULD replace the oldest entry".
 * Consumes pkt. */
static void neigh_enqueue(struct six_neigh *n, struct six_pkt *pkt) {
    if (n->queue.count >= n->nd->queue_max) {
        SIX_STAT(n->nd->ip6->core, nd_queue_drops);
        six__pkt_free(six__pktq_pop(&n->queue));
    }
    six__pktq_push(&n->queue, pkt);
}

/* Sends what waited for n's MAC, in order. */
static void neigh_flush(struct six_neigh *n, struct six_if *ifp) {
    struct six_pkt *pkt;
    while (n->state != SIX_NUD_NONE && n->state != SIX_NUD_INCOMPLETE &&
           (pkt = six__pktq_pop(&n->queue)))
        neigh_output(n, ifp, pkt);
}

/* The resolver hook: consumes pkt. */
static int nd_resolve(void *ctx, struct six_if *ifp, const struct in6_addr *nexthop,
                      struct six_pkt *pkt) {
    struct six_nd *nd = ctx;
    struct six_neigh *n = neigh_find(nd, ifp->index, nexthop);
    struct in6_addr src;

    if (n && n->state != SIX_NUD_INCOMPLETE)
        return neigh_output(n, ifp, pkt);
    if (n) {
        neigh_enqueue(n, pkt);
        return 0;
    }
    /* RFC 4861 7.2.2: a new INCOMPLETE entry, the packet queued, a
     * multicast solicitation, retransmitted every RetransTimer. */
    memcpy(&src, pkt->data + SIX_IP6_OFF_SRC, sizeof(src));
    n = neigh_new(nd, ifp->index, nexthop, SIX_NUD_INCOMPLETE);
    neigh_enqueue(n, pkt);
    n->probes = 1;
    send_ns(nd, n, &src);
    neigh_arm(n, nd->ifs[ifp->index].retrans_ms);
    return 0;
}

/* ---- timers ---- */

/* RFC 4861 7.2.2: resolution failed. Every queued packet gets ICMPv6
 * Destination Unreachable, code 3 (address unreachable, RFC 4443 3.1),
 * and the entry goes. */
static void resolution_failed(struct six_neigh *n) {
    struct six_nd *nd = n->nd;
    struct six_pkt *pkt;

    SIX_STAT(nd->ip6->core, nd_resolve_failed);
    neigh_log(n, "did not answer:");
    if (nd->ac)
        six__rd_neigh_lost(nd->ac, n->ifindex, &n->addr);
    while ((pkt = six__pktq_pop(&n->queue))) {
        six__icmp6_error(nd->icmp6, pkt, SIX_ICMP6_DST_UNREACH, SIX_ICMP6_DU_ADDR, 0);
        six__pkt_free(pkt);
    }
    neigh_free(n);
}

static void neigh_timer(struct six_timer *t, void *arg) {
    struct six_neigh *n = arg;
    struct six_nd *nd = n->nd;
    uint32_t retrans = nd->ifs[n->ifindex].retrans_ms;

    (void)t;
    if (!six__ip6_if(nd->ip6, n->ifindex)) {
        neigh_free(n);   /* its interface is gone */
        return;
    }
    switch (n->state) {
    case SIX_NUD_INCOMPLETE:
        if (n->probes >= SIX_ND_MAX_MULTICAST_SOLICIT) {
            resolution_failed(n);
            return;
        }
        break;
    case SIX_NUD_REACHABLE:
        /* 7.3.3: ReachableTime passed without confirmation. */
        n->state = SIX_NUD_STALE;
        return;
    case SIX_NUD_DELAY:
        n->state = SIX_NUD_PROBE;
        n->probes = 0;
        break;
    case SIX_NUD_PROBE:
        if (n->probes >= SIX_ND_MAX_UNICAST_SOLICIT) {
            /* 7.3.3: retransmissions cease and the entry SHOULD be
             * deleted; the next packet resolves afresh. */
            SIX_STAT(nd->ip6->core, nd_unreachable);
            neigh_log(n, "is unreachable:");
            neigh_free(n);
            if (nd->ac)
                six__rd_neigh_lost(nd->ac, n->ifindex, &n->addr);
            return;
        }
        break;
    default:
        return;
    }
    n->probes++;
    send_ns(nd, n, NULL);
    neigh_arm(n, retrans);
}

/* ---- receiving ---- */

/* Whether an ND message passes the checks of RFC 4861 7.1.1 / 7.1.2 that
 * every type shares; counts the failure. */
static int valid_common(struct six_core *core, const struct six_ip6_repr *h,
                        const struct six_nd_repr *r, int parse_rc) {
    /* The IP Hop Limit field has a value of 255: the packet cannot have
     * been forwarded by a router. */
    if (h->hlim != 255) {
        SIX_STAT(core, nd_in_bad_hlim);
        return 0;
    }
    if (parse_rc == -EMSGSIZE) {
        SIX_STAT(core, nd_in_truncated);
        return 0;
    }
    /* All included options have a length greater than zero (and fit). */
    if (parse_rc < 0) {
        SIX_STAT(core, nd_in_bad_option);
        return 0;
    }
    if (r->code != 0) {
        SIX_STAT(core, nd_in_bad_code);
        return 0;
    }
    /* RFC 2464 8: on Ethernet a link-layer address option is 8 octets. */
    if (r->lladdr && r->lladdr_len != 6) {
        SIX_STAT(core, nd_in_bad_option);
        return 0;
    }
    return 1;
}

/* 7.1.1 for NS, 7.1.2 for NA: the target is not multicast; an NS from
 * the unspecified address (DAD) goes to a solicited-node group and has
 * no Source Link-Layer Address option; an NA to a multicast destination
 * is not solicited. */
static int valid_ns_na(struct six_core *core, const struct six_ip6_repr *h,
                       const struct six_nd_repr *r) {
    if (six_addr_is_multicast(&r->target)) {
        SIX_STAT(core, nd_in_bad_target);
        return 0;
    }
    if (r->type == SIX_ICMP6_NEIGHBOR_SOLICIT && six_addr_is_unspecified(&h->src)) {
        struct in6_addr sn;
        six_addr_solicited_node(&r->target, &sn);
        if (!IN6_ARE_ADDR_EQUAL(&h->dst, &sn) || r->lladdr) {
            SIX_STAT(core, nd_in_bad_dad_ns);
            return 0;
        }
    }
    if (r->type == SIX_ICMP6_NEIGHBOR_ADVERT && six_addr_is_multicast(&h->dst) &&
        (r->flags & SIX_ND_NA_SOLICITED)) {
        SIX_STAT(core, nd_in_bad_na_flags);
        return 0;
    }
    return 1;
}

/* RFC 4861 7.2.3 (and 6.3.4, 8.3 for RA and Redirect): a message from a
 * neighbour that names its MAC creates a STALE entry or, when the MAC
 * changed, updates it and makes it STALE; an INCOMPLETE entry learns the
 * MAC and sends what waited. */
void six__nd_learn(struct six_nd *nd, struct six_if *ifp, const struct in6_addr *addr,
                   const uint8_t *mac, int is_router) {
    struct six_neigh *n = neigh_find(nd, ifp->index, addr);

    if (!n) {
        n = neigh_new(nd, ifp->index, addr, SIX_NUD_STALE);
    } else if (n->state != SIX_NUD_INCOMPLETE && memcmp(n->mac, mac, SIX_ETH_ALEN) == 0) {
        n->is_router |= is_router != 0;
        return;
    } else {
        six__timer_cancel(nd->ip6->core, &n->timer);
        n->state = SIX_NUD_STALE;
    }
    memcpy(n->mac, mac, SIX_ETH_ALEN);
    n->is_router |= is_router != 0;
    neigh_flush(n, ifp);
}

void six__nd_set_reachable(struct six_nd *nd, unsigned ifindex, uint32_t base_ms) {
    if (ifindex > SIX_MAX_IFS || nd->ifs[ifindex].base_reachable_ms == base_ms)
        return;
    nd->ifs[ifindex].base_reachable_ms = base_ms;
    new_reachable_time(nd, &nd->ifs[ifindex]);
}

static void ns_input(struct six_nd *nd, struct six_if *ifp, const struct six_ip6_repr *h,
                     const struct six_nd_repr *r) {
    struct six_core *core = nd->ip6->core;
    struct six_addr_entry *t = six__ip6_addr_get(nd->ip6, ifp->index, &r->target);

    SIX_STAT(core, nd_in_ns);
    /* 7.2.3: a target that is not an address of the receiving
     * interface is silently discarded. */
    if (!t) {
        SIX_STAT(core, nd_in_not_our_target);
        return;
    }
    if (!six__addr_usable(t)) {
        /* RFC 4862 5.4.3: a tentative target is never answered; a
         * solicitation from :: is another node's DAD for it, so it is a
         * duplicate. (A duplicated address is not ours at all.) */
        SIX_STAT(core, nd_in_ns_tentative);
        if ((t->flags & SIX_ADDR_TENTATIVE) && six_addr_is_unspecified(&h->src) && nd->ac)
            six__ac_dad_duplicate(nd->ac, t);
        return;
    }
    if (!six_addr_is_unspecified(&h->src) && r->lladdr)
        six__nd_learn(nd, ifp, &h->src, r->lladdr, 0);
    send_na(nd, ifp, t, &h->src);
}

/* RFC 4861 7.2.5: an advertisement updates an existing entry only. */
static void na_update(struct six_nd *nd, struct six_if *ifp, struct six_neigh *n,
                      const struct six_nd_repr *r) {
    int solicited = r->flags & SIX_ND_NA_SOLICITED, override = r->flags & SIX_ND_NA_OVERRIDE;
    int differs = r->lladdr && memcmp(r->lladdr, n->mac, SIX_ETH_ALEN) != 0;

    if (n->state == SIX_NUD_INCOMPLETE) {
        if (!r->lladdr)
            return;   /* nothing to resolve with */
        memcpy(n->mac, r->lladdr, SIX_ETH_ALEN);
    } else if (!override && differs) {
        /* (a) REACHABLE becomes STALE, nothing else changes; (b) in any
         * other state the advertisement is ignored. */
        if (n->state == SIX_NUD_REACHABLE) {
            six__timer_cancel(nd->ip6->core, &n->timer);
            n->state = SIX_NUD_STALE;
        }
        return;
    } else if (differs) {
        memcpy(n->mac, r->lladdr, SIX_ETH_ALEN);
    }
    /* 7.2.5: IsRouter going from true to false takes the neighbour off
     * the default router list. */
    if (n->is_router && !(r->flags & SIX_ND_NA_ROUTER) && nd->ac)
        six__rd_not_router(nd->ac, n->ifindex, &n->addr);
    n->is_router = (r->flags & SIX_ND_NA_ROUTER) != 0;
    six__timer_cancel(nd->ip6->core, &n->timer);
    if (solicited) {
        n->state = SIX_NUD_REACHABLE;
        neigh_arm(n, nd->ifs[ifp->index].reachable_ms);
    } else if (differs || n->state == SIX_NUD_INCOMPLETE) {
        n->state = SIX_NUD_STALE;
    } else if (n->state == SIX_NUD_DELAY || n->state == SIX_NUD_PROBE) {
        /* Unchanged: keep probing on the timer just cancelled. */
        neigh_arm(n, n->state == SIX_NUD_DELAY ? SIX_ND_DELAY_FIRST_PROBE_TIME
                                               : nd->ifs[ifp->index].retrans_ms);
    }
    if (n->state == SIX_NUD_REACHABLE || n->state == SIX_NUD_STALE)
        neigh_log(n, "is at");
    neigh_flush(n, ifp);
}

static void na_input(struct six_nd *nd, struct six_if *ifp, const struct six_nd_repr *r) {
    struct six_core *core = nd->ip6->core;
    struct six_addr_entry *t = six__ip6_addr_get(nd->ip6, ifp->index, &r->target);
    struct six_neigh *n;

    SIX_STAT(core, nd_in_na);
    /* RFC 4862 5.4.4: an advertisement for a tentative address means it
     * is another node's. */
    if (t && (t->flags & SIX_ADDR_TENTATIVE) && nd->ac) {
        six__ac_dad_duplicate(nd->ac, t);
        return;
    }
    if (six__ip6_addr_find(nd->ip6, &r->target)) {
        /* Someone else claims one of our addresses (7.2.5: DAD, RFC
         * 4862 5.4, decides what to do; here it is reported). */
        char a[INET6_ADDRSTRLEN];
        SIX_STAT(core, nd_in_na_for_ours);
        inet_ntop(AF_INET6, &r->target, a, sizeof(a));
        six__log(core, "nd: another node advertises our address %s", a);
        return;
    }
    if (!(n = neigh_find(nd, ifp->index, &r->target))) {
        SIX_STAT(core, nd_in_na_unsolicited);
        return;
    }
    na_update(nd, ifp, n, r);
}

/* Borrows pkt. */
void six__nd_input(struct six_nd *nd, struct six_if *ifp, struct six_pkt *pkt,
                   const struct six_ip6_repr *h) {
    struct six_core *core = nd->ip6->core;
    const uint8_t *msg = pkt->data + pkt->meta.l4_off;
    struct six_nd_repr r;
    int rc = six_nd_parse(msg, pkt->len - pkt->meta.l4_off, &r);

    if (!valid_common(core, h, &r, rc))
        return;
    /* Links without link-layer addresses (loopback, bare in-memory
     * wires) need no resolution: the messages only go to raw sockets. */
    if (!ifp || !(ifp->flags & SIX_IFF_ETHERNET))
        return;
    switch (r.type) {
    case SIX_ICMP6_NEIGHBOR_SOLICIT:
        if (valid_ns_na(core, h, &r))
            ns_input(nd, ifp, h, &r);
        break;
    case SIX_ICMP6_NEIGHBOR_ADVERT:
        if (valid_ns_na(core, h, &r))
            na_input(nd, ifp, &r);
        break;
    case SIX_ICMP6_ROUTER_SOLICIT:
        /* RFC 4861 6.2.6 is for routers: a host discards these. */
        SIX_STAT(core, nd_in_rs_ignored);
        break;
    case SIX_ICMP6_ROUTER_ADVERT:
        if (nd->ac)
            six__rd_ra_input(nd->ac, ifp, h, &r);
        break;
    case SIX_ICMP6_REDIRECT:
        if (nd->ac)
            six__rd_redirect_input(nd->ac, ifp, h, &r);
        break;
    default:
        break;
    }
}
