/* Interfaces, addresses and routes of a stack, and RFC 6724 source
 * address selection (multicast memberships are in mcast.c). Tables are small arrays: a host has
 * a handful of each, and a linear scan of a few cache lines beats a hash
 * at that size. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ip6/ip6.h"
#include "wire/ipv6.h"

void six__ip6_init(struct six_ip6 *ip6, struct six_core *core, uint8_t default_hlim) {
    memset(ip6, 0, sizeof(*ip6));
    ip6->core = core;
    ip6->default_hlim = default_hlim;
    ip6->route_gen = 1;   /* caches start empty at 0 */
}

void six__ip6_fini(struct six_ip6 *ip6) {
    six__reass_fini(&ip6->reass);
    six__ip6_if_destroy_all(ip6);
    six__ip6_mcast_fini(ip6);
    six__pmtu_fini(ip6);
    free(ip6->addrs);
    free(ip6->routes);
    ip6->addrs = NULL;
    ip6->routes = NULL;
}

/* ---- interfaces ---- */

int six__ip6_if_add(struct six_ip6 *ip6, struct six_if *ifp) {
    six__ip6_routing_changed(ip6);
    for (unsigned i = 1; i <= SIX_MAX_IFS; i++) {
        if (ip6->ifs[i])
            continue;
        ifp->index = i;
        ifp->core = ip6->core;
        ifp->input = six__ip6_input;
        ifp->input_ctx = ip6;
        ip6->ifs[i] = ifp;
        if (i > ip6->ifs_hi)
            ip6->ifs_hi = i;
        if ((ifp->flags & SIX_IFF_LOOPBACK) && !ip6->loopback)
            ip6->loopback = ifp;
        return (int)i;
    }
    return -ENOSPC;
}

struct six_if *six__ip6_if(const struct six_ip6 *ip6, unsigned ifindex) {
    return ifindex >= 1 && ifindex <= SIX_MAX_IFS ? ip6->ifs[ifindex] : NULL;
}

struct six_if *six__ip6_if_byname(const struct six_ip6 *ip6, const char *name) {
    for (unsigned i = 1; i <= SIX_MAX_IFS; i++)
        if (ip6->ifs[i] && strncmp(ip6->ifs[i]->name, name, IF_NAMESIZE) == 0)
            return ip6->ifs[i];
    return NULL;
}

void six__ip6_if_remove(struct six_ip6 *ip6, unsigned ifindex) {
    struct six_if *ifp = six__ip6_if(ip6, ifindex);

    six__ip6_routing_changed(ip6);
    if (!ifp)
        return;
    for (unsigned i = 0; i < ip6->naddrs;)
        if (ip6->addrs[i].ifindex == ifindex)
            ip6->addrs[i] = ip6->addrs[--ip6->naddrs];
        else
            i++;
    for (unsigned i = 0; i < ip6->nroutes;)
        if (ip6->routes[i].ifindex == ifindex)
            ip6->routes[i] = ip6->routes[--ip6->nroutes];
        else
            i++;
    six__ip6_mcast_remove_if(ip6, ifindex);
    if (ip6->loopback == ifp)
        ip6->loopback = NULL;
    six__if_destroy(ifp);
    free(ifp);
    ip6->ifs[ifindex] = NULL;
}

void six__ip6_if_destroy_all(struct six_ip6 *ip6) {
    for (unsigned i = 1; i <= SIX_MAX_IFS; i++) {
        if (!ip6->ifs[i])
            continue;
        six__if_destroy(ip6->ifs[i]);
        free(ip6->ifs[i]);
        ip6->ifs[i] = NULL;
    }
    ip6->loopback = NULL;
}

/* Multicast this stack sent to its own members. */
static unsigned poll_mloop(struct six_ip6 *ip6, unsigned budget) {
    unsigned n = 0;
    struct six_pkt *pkt;

    while (n < budget && (pkt = six__pktq_pop(&ip6->mloop))) {
        struct six_if *ifp = six__ip6_if(ip6, pkt->ifindex);
        if (ifp)
            six__ip6_input(ip6, ifp, pkt);
        else
            six__pkt_free(pkt);
        n++;
    }
    return n;
}

unsigned six__ip6_poll_links(struct six_ip6 *ip6, unsigned budget) {
    unsigned n = poll_mloop(ip6, budget);

    for (unsigned i = 1; i <= ip6->ifs_hi; i++)
        if (ip6->ifs[i])
            n += ip6->ifs[i]->ops->rx(ip6->ifs[i], budget);
    return n;
}

unsigned six__ip6_poll_loopback(struct six_ip6 *ip6, unsigned budget) {
    unsigned n = poll_mloop(ip6, budget);

    if (ip6->loopback)
        n += ip6->loopback->ops->rx(ip6->loopback, budget);
    return n;
}

/* ---- addresses ---- */

static int addr_index(const struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *a) {
    for (unsigned i = 0; i < ip6->naddrs; i++)
        if (ip6->addrs[i].ifindex == ifindex && IN6_ARE_ADDR_EQUAL(&ip6->addrs[i].addr, a))
            return (int)i;
    return -1;
}

/* RFC 4291 2.8: a node joins the solicited-node group of each of its
 * unicast and anycast addresses on the address's interface, so that
 * neighbour solicitations for it get through (RFC 4861 7.2.1). Only on
 * links that run neighbour discovery (Ethernet): on loopback and on bare
 * IPv6 links (in-memory wires, TUN) nobody solicits, and the membership
 * would only cost MLD reports. join 1 joins, 0 leaves. */
static int solicited_node(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *a,
                          int join) {
    struct six_if *ifp = six__ip6_if(ip6, ifindex);
    struct in6_addr g;

    if (!ifp || !(ifp->flags & SIX_IFF_ETHERNET))
        return 0;
    six_addr_solicited_node(a, &g);
    return join ? six__ip6_mcast_join(ip6, ifindex, &g) : six__ip6_mcast_leave(ip6, ifindex, &g);
}

int six__ip6_addr_add(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *a,
                      unsigned plen, unsigned flags) {
    struct six_addr_entry *e;
    int rc;

    six__ip6_routing_changed(ip6);
    if (!six__ip6_if(ip6, ifindex))
        return -ENODEV;
    if (plen > 128 || six_addr_is_multicast(a) || six_addr_is_unspecified(a))
        return -EINVAL;
    if (addr_index(ip6, ifindex, a) >= 0)
        return -EEXIST;
    rc = six__grow_array((void **)&ip6->addrs, &ip6->addrs_cap, ip6->naddrs + 1, 8, UINT_MAX,
                         sizeof(*ip6->addrs));
    if (rc < 0)
        return rc;
    if ((rc = solicited_node(ip6, ifindex, a, 1)) < 0)
        return rc;
    e = &ip6->addrs[ip6->naddrs++];
    memset(e, 0, sizeof(*e));
    e->addr = *a;
    e->plen = plen;
    e->ifindex = ifindex;
    e->flags = flags;
    e->valid_until = e->preferred_until = SIX_NEVER;
    /* The prefix of an address is on-link through its interface. */
    if (plen > 0 && plen < 128 && !six_addr_is_loopback(a) &&
        !(flags & SIX_ADDR_NOPREFIXROUTE)) {
        struct in6_addr any = IN6ADDR_ANY_INIT;
        rc = six__ip6_route_add(ip6, a, plen, &any, ifindex, SIX_RT_CONNECTED);
        if (rc < 0 && rc != -EEXIST) {
            ip6->naddrs--;
            solicited_node(ip6, ifindex, a, 0);
            return rc;
        }
    }
    if (ip6->addr_event)
        ip6->addr_event(ip6->addr_event_ctx, e, 1);
    return 0;
}

static int route_index(const struct six_ip6 *ip6, const struct in6_addr *prefix, unsigned plen);

/* The connected route an address made goes with the last address of its
 * interface in that prefix: without one, the prefix is no longer known
 * to be on-link (RFC 4861 5.1, RFC 5942 4). Routes added by hand stay. */
static void drop_connected_route(struct six_ip6 *ip6, const struct six_addr_entry *gone) {
    int r;

    if (gone->plen == 0 || gone->plen >= 128 || (gone->flags & SIX_ADDR_NOPREFIXROUTE))
        return;
    for (unsigned i = 0; i < ip6->naddrs; i++)
        if (ip6->addrs[i].ifindex == gone->ifindex && ip6->addrs[i].plen == gone->plen &&
            six_addr_prefix_match(&ip6->addrs[i].addr, &gone->addr, (int)gone->plen))
            return;
    r = route_index(ip6, &gone->addr, gone->plen);
    if (r >= 0 && (ip6->routes[r].flags & SIX_RT_CONNECTED) &&
        !(ip6->routes[r].flags & SIX_RT_PREFIX) &&
        ip6->routes[r].ifindex == gone->ifindex)
        ip6->routes[r] = ip6->routes[--ip6->nroutes];
}

int six__ip6_addr_del(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *a) {
    int i = addr_index(ip6, ifindex, a);
    struct six_addr_entry gone;

    six__ip6_routing_changed(ip6);
    if (i < 0)
        return -EADDRNOTAVAIL;
    gone = ip6->addrs[i];
    ip6->addrs[i] = ip6->addrs[--ip6->naddrs];
    drop_connected_route(ip6, &gone);
    solicited_node(ip6, ifindex, a, 0);
    if (ip6->addr_event)
        ip6->addr_event(ip6->addr_event_ctx, &gone, 0);
    return 0;
}

const struct six_addr_entry *six__ip6_addr_find(const struct six_ip6 *ip6,
                                                const struct in6_addr *a) {
    for (unsigned i = 0; i < ip6->naddrs; i++)
        if (IN6_ARE_ADDR_EQUAL(&ip6->addrs[i].addr, a))
            return &ip6->addrs[i];
    return NULL;
}

struct six_addr_entry *six__ip6_addr_get(struct six_ip6 *ip6, unsigned ifindex,
                                         const struct in6_addr *a) {
    int i = addr_index(ip6, ifindex, a);
    return i < 0 ? NULL : &ip6->addrs[i];
}

int six__ip6_addr_is_local(const struct six_ip6 *ip6, const struct in6_addr *a) {
    const struct six_addr_entry *e = six__ip6_addr_find(ip6, a);
    return e && !(e->flags & SIX_ADDR_ANYCAST) && six__addr_usable(e);
}

/* ---- routes ---- */

static int route_index(const struct six_ip6 *ip6, const struct in6_addr *prefix, unsigned plen) {
    for (unsigned i = 0; i < ip6->nroutes; i++)
        if (ip6->routes[i].plen == plen &&
            six_addr_prefix_match(&ip6->routes[i].prefix, prefix, (int)plen))
            return (int)i;
    return -1;
}

/* Zeroes the bits of a past plen, so equal prefixes compare equal. */
static struct in6_addr prefix_of(const struct in6_addr *a, unsigned plen) {
    struct in6_addr p = *a;
    for (unsigned bit = plen; bit < 128; bit++)
        p.s6_addr[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
    return p;
}

int six__ip6_route_add(struct six_ip6 *ip6, const struct in6_addr *prefix, unsigned plen,
                       const struct in6_addr *gw, unsigned ifindex, unsigned flags) {
    struct in6_addr any = IN6ADDR_ANY_INIT;
    int rc;

    six__ip6_routing_changed(ip6);
    if (plen > 128)
        return -EINVAL;
    if (!six__ip6_if(ip6, ifindex))
        return -ENODEV;
    if (route_index(ip6, prefix, plen) >= 0)
        return -EEXIST;
    rc = six__grow_array((void **)&ip6->routes, &ip6->routes_cap, ip6->nroutes + 1, 8, UINT_MAX,
                         sizeof(*ip6->routes));
    if (rc < 0)
        return rc;
    ip6->routes[ip6->nroutes++] = (struct six_route){
        .prefix = prefix_of(prefix, plen),
        .plen = plen,
        .gateway = gw ? *gw : any,
        .ifindex = ifindex,
        .flags = flags,
    };
    return 0;
}

struct six_route *six__ip6_route_find(struct six_ip6 *ip6, const struct in6_addr *prefix,
                                      unsigned plen) {
    int i = route_index(ip6, prefix, plen);
    return i < 0 ? NULL : &ip6->routes[i];
}

int six__ip6_route_del(struct six_ip6 *ip6, const struct in6_addr *prefix, unsigned plen) {
    int i = route_index(ip6, prefix, plen);

    six__ip6_routing_changed(ip6);
    if (i < 0)
        return -ESRCH;
    ip6->routes[i] = ip6->routes[--ip6->nroutes];
    return 0;
}

const struct six_route *six__ip6_route_lookup(const struct six_ip6 *ip6,
                                              const struct in6_addr *dst, unsigned ifindex) {
    const struct six_route *best = NULL;
    for (unsigned i = 0; i < ip6->nroutes; i++) {
        const struct six_route *r = &ip6->routes[i];
        if (ifindex && r->ifindex != ifindex)
            continue;
        if (best && r->plen <= best->plen)
            continue;
        if (six_addr_prefix_match(dst, &r->prefix, (int)r->plen))
            best = r;
    }
    return best;
}

/* ---- RFC 6724 source address selection ---- */

/* The default policy table of RFC 6724 section 2.1: the label of an
 * address is that of the longest prefix matching it. */
static unsigned policy_label(const struct in6_addr *a) {
    static const struct {
        uint8_t prefix[16];
        unsigned plen;
        unsigned label;
    } table[] = {
        {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, 0}, /* ::1/128 */
        {{0x20, 0x02}, 16, 2},                                      /* 2002::/16 */
        {{0x20, 0x01, 0, 0}, 32, 5},                                /* 2001::/32 */
        {{0xfc}, 7, 13},                                            /* fc00::/7 */
        {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96, 4},        /* ::ffff:0:0/96 */
        {{0xfe, 0xc0}, 10, 11},                                     /* fec0::/10 */
        {{0x3f, 0xfe}, 16, 12},                                     /* 3ffe::/16 */
        {{0}, 96, 3},                                               /* ::/96 */
        {{0}, 0, 1},                                                /* ::/0 */
    };
    unsigned best_len = 0, label = 1;
    int found = 0;

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        struct in6_addr p;
        memcpy(p.s6_addr, table[i].prefix, 16);
        if (six_addr_prefix_match(a, &p, (int)table[i].plen) &&
            (!found || table[i].plen > best_len)) {
            best_len = table[i].plen;
            label = table[i].label;
            found = 1;
        }
    }
    return label;
}

/* RFC 6724 2.2: CommonPrefixLen(S, D) stops at S's prefix length. */
static int common_prefix_len(const struct six_addr_entry *s, const struct in6_addr *d) {
    int n = six_addr_common_prefix(&s->addr, d);
    return n < (int)s->plen ? n : (int)s->plen;
}

/* Whether candidate a is better than b as a source for dst, by rules 1,
 * 2, 3, 5, 6 and 8 of RFC 6724 section 5 (rules 4 and 7 concern mobile
 * home addresses and temporary addresses, which sixstack does not have). */
static int src_better(const struct six_addr_entry *a, const struct six_addr_entry *b,
                      const struct in6_addr *dst, unsigned out_ifindex) {
    int sa = six_addr_scope(&a->addr), sb = six_addr_scope(&b->addr), sd = six_addr_scope(dst);
    int da, db;

    /* Rule 1: prefer the same address. */
    if (IN6_ARE_ADDR_EQUAL(&a->addr, dst) != IN6_ARE_ADDR_EQUAL(&b->addr, dst))
        return IN6_ARE_ADDR_EQUAL(&a->addr, dst);
    /* Rule 2: prefer the appropriate scope. */
    if (sa != sb) {
        if (sa < sb)
            return sa >= sd;
        return sb < sd;
    }
    /* Rule 3: avoid deprecated addresses. */
    da = !!(a->flags & SIX_ADDR_DEPRECATED);
    db = !!(b->flags & SIX_ADDR_DEPRECATED);
    if (da != db)
        return !da;
    /* Rule 5: prefer an address of the outgoing interface. */
    if ((a->ifindex == out_ifindex) != (b->ifindex == out_ifindex))
        return a->ifindex == out_ifindex;
    /* Rule 6: prefer a matching label. */
    {
        unsigned ld = policy_label(dst);
        int ma = policy_label(&a->addr) == ld, mb = policy_label(&b->addr) == ld;
        if (ma != mb)
            return ma;
    }
    /* Rule 8: prefer the longest matching prefix, CommonPrefixLen of RFC
     * 6724 2.2 counting "up to the length of S's prefix". */
    return common_prefix_len(a, dst) > common_prefix_len(b, dst);
}

/* Whether c may be the source of a packet to dst (of scope dscope) out of
 * ifindex (0: any); out_lo: ifindex is the loopback interface. */
static int src_candidate(const struct six_addr_entry *c, const struct in6_addr *dst, int dscope,
                         unsigned ifindex, int out_lo) {
    /* RFC 4862 5.4: a tentative (or duplicated) address is not assigned
     * yet; it never goes out as a source. */
    if ((c->flags & SIX_ADDR_ANYCAST) || !six__addr_usable(c))
        return 0;
    /* A link-local (or narrower) source is only valid on its own link: it
     * must belong to the outgoing interface. And RFC 6724 4: for a
     * multicast or link-local destination, the candidates MUST only be
     * addresses of the outgoing interface's link. */
    if ((six_addr_scope(&c->addr) <= 2 || six_addr_is_multicast(dst) || dscope <= 2) &&
        ifindex && c->ifindex != ifindex && !six_addr_is_loopback(dst))
        return 0;
    /* The loopback address never leaves the node (RFC 4291 2.5.3): it is
     * a source for the node itself, or for what goes out of the loopback
     * interface (multicast there stays on the node). */
    if (six_addr_is_loopback(&c->addr) && !six_addr_is_loopback(dst) && !(dscope == 1) &&
        !out_lo)
        return 0;
    return 1;
}

int six__ip6_select_src(const struct six_ip6 *ip6, const struct in6_addr *dst,
                        unsigned ifindex, struct in6_addr *src) {
    const struct six_addr_entry *best = six__ip6_addr_find(ip6, dst);
    int dscope = six_addr_scope(dst);
    int out_lo = ifindex && ip6->loopback && ifindex == ip6->loopback->index;

    /* Rule 1 first: a destination that is itself a candidate beats every
     * other (traffic to our own addresses, ::1 among them). */
    if (best && src_candidate(best, dst, dscope, ifindex, out_lo)) {
        *src = best->addr;
        return 0;
    }
    best = NULL;
    for (unsigned i = 0; i < ip6->naddrs; i++) {
        const struct six_addr_entry *c = &ip6->addrs[i];
        if (src_candidate(c, dst, dscope, ifindex, out_lo) &&
            (!best || src_better(c, best, dst, ifindex)))
            best = c;
    }
    if (!best)
        return -EADDRNOTAVAIL;
    *src = best->addr;
    return 0;
}
