/* Router discovery and redirects for a host: see addrconf.h. RFCs: RFC
 * 4861 6.1.2 (RA validity), 6.3.4 (RA processing), 6.3.6 (default router
 * selection), 6.3.7 (solicitations), 8.1 and 8.3 (redirects), 10
 * (constants); RFC 5942 (on-link); RFC 4862 5.5.3 (SLAAC, addrconf.c).
 *
 * The default router list, the prefix list and the redirect table are
 * small arrays bounded by the config. The default route is one ::/0
 * route (SIX_RT_ROUTER) through the router selection prefers; a default
 * route added by hand is never replaced. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "icmp6/addrconf.h"
#include "icmp6/nd.h"
#include "wire/icmp6.h"

static void log_router(struct six_ac *ac, unsigned ifindex, const struct in6_addr *a,
                       const char *what) {
    struct six_if *ifp = six__ip6_if(ac->ip6, ifindex);
    char s[INET6_ADDRSTRLEN];

    inet_ntop(AF_INET6, a, s, sizeof(s));
    six__log(ac->ip6->core, "router: %s: %s %s", ifp ? ifp->name : "?", s, what);
}

/* ---- Router Solicitations (RFC 4861 6.3.7) ---- */

void six__rd_solicit(struct six_ac *ac, struct six_if *ifp, int rs) {
    struct six_ac_if *ai = &ac->ifs[ifp->index];

    ai->rs_left = (uint8_t)(rs ? (ac->rtr_solicits > 255 ? 255 : ac->rtr_solicits) : 0);
    /* "delay the transmission for a random amount of time between 0 and
     * MAX_RTR_SOLICITATION_DELAY" */
    ai->rs_next = ai->rs_left ? six__now(ac->ip6->core) +
                                    (uint64_t)six__rand_below(ac->ip6->core,
                                                              SIX_AC_MAX_RTR_SOLICITATION_DELAY) *
                                        1000
                              : SIX_NEVER;
}

/* A usable link-local address of ifp, or NULL. */
static const struct six_addr_entry *linklocal_of(const struct six_ac *ac, unsigned ifindex) {
    for (unsigned i = 0; i < ac->ip6->naddrs; i++) {
        const struct six_addr_entry *e = &ac->ip6->addrs[i];
        if (e->ifindex == ifindex && six_addr_is_linklocal(&e->addr) && six__addr_usable(e) &&
            !(e->flags & SIX_ADDR_ANYCAST))
            return e;
    }
    return NULL;
}

/* To all-routers, from the link-local address with our MAC; while that
 * address is tentative, from :: without it (6.3.7: the unspecified
 * source never carries a Source Link-Layer Address option). */
static void send_rs(struct six_ac *ac, struct six_if *ifp) {
    static const struct in6_addr all_routers = {{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                  0, 2}}};
    const struct six_addr_entry *ll = linklocal_of(ac, ifp->index);
    struct six_nd_repr r = {.type = SIX_ICMP6_ROUTER_SOLICIT};
    struct in6_addr src = IN6ADDR_ANY_INIT;
    uint8_t msg[SIX_ND_RS_LEN + 8];
    int len;

    if (ll)
        src = ll->addr;
    len = six_nd_emit(&r, ll ? ifp->hwaddr : NULL, ll ? SIX_ETH_ALEN : 0, msg, sizeof(msg));
    if (len > 0 && six__nd_send(ac->nd, ifp, msg, (size_t)len, &src, &all_routers) == 0)
        SIX_STAT(ac->ip6->core, nd_out_rs);
}

/* ---- the default router list (6.3.4, 6.3.6) ---- */

static struct six_ac_router *router_find(struct six_ac *ac, unsigned ifindex,
                                         const struct in6_addr *a) {
    for (unsigned i = 0; i < ac->nrouters; i++)
        if (ac->routers[i].ifindex == ifindex && IN6_ARE_ADDR_EQUAL(&ac->routers[i].addr, a))
            return &ac->routers[i];
    return NULL;
}

/* Removes the host routes redirects through router made. */
static void drop_redirects(struct six_ac *ac, unsigned ifindex, const struct in6_addr *router) {
    for (unsigned i = 0; i < ac->nredirects;) {
        struct six_ac_redirect *d = &ac->redirects[i];
        if (d->ifindex != ifindex || !IN6_ARE_ADDR_EQUAL(&d->router, router)) {
            i++;
            continue;
        }
        struct six_route *rt = six__ip6_route_find(ac->ip6, &d->dst, 128);
        if (rt && (rt->flags & SIX_RT_REDIRECT))
            six__ip6_route_del(ac->ip6, &d->dst, 128);
        *d = ac->redirects[--ac->nredirects];
    }
}

/* Takes router i off the list, keeping the order of the others. */
static void router_remove(struct six_ac *ac, unsigned i) {
    struct six_ac_router gone = ac->routers[i];

    memmove(&ac->routers[i], &ac->routers[i + 1],
            (ac->nrouters - i - 1) * sizeof(*ac->routers));
    ac->nrouters--;
    drop_redirects(ac, gone.ifindex, &gone.addr);
}

/* Whether the router is reachable or probably so (6.3.6): its
 * neighbour entry is anything but missing or INCOMPLETE. */
static int router_known(const struct six_ac *ac, const struct six_ac_router *r) {
    const struct six_neigh *n = six__nd_lookup(ac->nd, r->ifindex, &r->addr);
    return n && n->state != SIX_NUD_INCOMPLETE;
}

/* Points the ::/0 route at best, or removes it (NULL). */
static void install_default(struct six_ac *ac, const struct six_ac_router *best) {
    static const struct in6_addr any = IN6ADDR_ANY_INIT;
    struct six_route *rt = six__ip6_route_find(ac->ip6, &any, 0);

    if (rt && !(rt->flags & SIX_RT_ROUTER))
        return;   /* a default route added by hand wins */
    if (!best) {
        if (rt)
            six__ip6_route_del(ac->ip6, &any, 0);
        return;
    }
    if (rt) {
        if (rt->ifindex != best->ifindex || !IN6_ARE_ADDR_EQUAL(&rt->gateway, &best->addr))
            six__ip6_routing_changed(ac->ip6);
        rt->gateway = best->addr;
        rt->ifindex = best->ifindex;
        return;
    }
    (void)six__ip6_route_add(ac->ip6, &any, 0, &best->addr, best->ifindex, SIX_RT_ROUTER);
}

/* 6.3.6: the first router on the list known to be reachable, else the
 * first (a router that stops answering goes to the end of the list,
 * which walks the others round-robin). */
void six__rd_select(struct six_ac *ac) {
    const struct six_ac_router *best = NULL;

    for (unsigned i = 0; i < ac->nrouters && !best; i++)
        if (router_known(ac, &ac->routers[i]))
            best = &ac->routers[i];
    if (!best && ac->nrouters)
        best = &ac->routers[0];
    install_default(ac, best);
}

void six__rd_neigh_lost(struct six_ac *ac, unsigned ifindex, const struct in6_addr *addr) {
    struct six_ac_router *r = router_find(ac, ifindex, addr), moved;
    unsigned i;

    if (!r || ac->nrouters < 2) {
        if (r)
            six__rd_select(ac);
        return;
    }
    moved = *r;
    i = (unsigned)(r - ac->routers);
    memmove(&ac->routers[i], &ac->routers[i + 1], (ac->nrouters - i - 1) * sizeof(*r));
    ac->routers[ac->nrouters - 1] = moved;
    six__rd_select(ac);
}

void six__rd_not_router(struct six_ac *ac, unsigned ifindex, const struct in6_addr *addr) {
    struct six_ac_router *r = router_find(ac, ifindex, addr);

    if (!r)
        return;
    log_router(ac, ifindex, addr, "is no longer a router");
    router_remove(ac, (unsigned)(r - ac->routers));
    six__rd_select(ac);
}

/* 6.3.4: the Router Lifetime of an advertisement from src on ifp. */
static void router_update(struct six_ac *ac, struct six_if *ifp, const struct in6_addr *src,
                          uint16_t lifetime) {
    struct six_ac_router *r = router_find(ac, ifp->index, src);

    if (lifetime == 0) {
        if (r) {
            router_remove(ac, (unsigned)(r - ac->routers));
            log_router(ac, ifp->index, src, "is no longer a default router");
        }
        return;
    }
    if (!r) {
        if (ac->nrouters >= ac->max_routers) {
            SIX_STAT(ac->ip6->core, nd_ra_table_full);
            return;
        }
        r = &ac->routers[ac->nrouters++];
        r->ifindex = ifp->index;
        r->addr = *src;
        log_router(ac, ifp->index, src, "is a default router");
    }
    r->expires = six__ac_deadline(ac, lifetime);
}

/* ---- the prefix list (6.3.4, RFC 5942) ---- */

static struct six_ac_prefix *prefix_find(struct six_ac *ac, unsigned ifindex,
                                         const struct in6_addr *p, unsigned plen) {
    for (unsigned i = 0; i < ac->nprefixes; i++) {
        struct six_ac_prefix *x = &ac->prefixes[i];
        if (x->ifindex == ifindex && x->plen == plen &&
            six_addr_prefix_match(&x->prefix, p, (int)plen))
            return x;
    }
    return NULL;
}

/* The on-link route of a prefix, made when missing (an address's own
 * connected route may already say so; then it is not ours). */
static void prefix_route(struct six_ac *ac, struct six_ac_prefix *x) {
    if (x->own_route || six__ip6_route_find(ac->ip6, &x->prefix, x->plen))
        return;
    x->own_route = six__ip6_route_add(ac->ip6, &x->prefix, x->plen, NULL, x->ifindex,
                                      SIX_RT_CONNECTED | SIX_RT_PREFIX) == 0;
}

static void prefix_remove(struct six_ac *ac, unsigned i) {
    struct six_ac_prefix *x = &ac->prefixes[i];
    struct six_route *rt = six__ip6_route_find(ac->ip6, &x->prefix, x->plen);

    if (x->own_route && rt && (rt->flags & SIX_RT_PREFIX))
        six__ip6_route_del(ac->ip6, &x->prefix, x->plen);
    *x = ac->prefixes[--ac->nprefixes];
}

/* 6.3.4: a Prefix Information option with the on-link flag. */
static void prefix_onlink(struct six_ac *ac, struct six_if *ifp, const struct six_nd_prefix *pi) {
    struct six_ac_prefix *x = prefix_find(ac, ifp->index, &pi->prefix, pi->plen);

    if (!x) {
        if (pi->valid == 0)
            return;
        if (ac->nprefixes >= ac->max_prefixes) {
            SIX_STAT(ac->ip6->core, nd_ra_table_full);
            return;
        }
        x = &ac->prefixes[ac->nprefixes++];
        memset(x, 0, sizeof(*x));
        x->ifindex = ifp->index;
        x->plen = pi->plen;
        x->prefix = pi->prefix;
        for (unsigned bit = pi->plen; bit < 128; bit++)
            x->prefix.s6_addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    }
    /* A valid lifetime of 0 times the prefix out at once. */
    x->expires = six__ac_deadline(ac, pi->valid);
    if (pi->valid == 0) {
        prefix_remove(ac, (unsigned)(x - ac->prefixes));
        return;
    }
    prefix_route(ac, x);
}

static void prefix_option(struct six_ac *ac, struct six_if *ifp, const struct six_nd_prefix *pi) {
    /* 6.3.4: "If the prefix is the link-local prefix, silently ignore
     * the Prefix Information option." */
    if (six_addr_is_linklocal(&pi->prefix) || pi->plen > 128) {
        SIX_STAT(ac->ip6->core, nd_in_ra_bad_prefix);
        return;
    }
    if (pi->flags & SIX_ND_PREFIX_ONLINK)
        prefix_onlink(ac, ifp, pi);
    if (pi->flags & SIX_ND_PREFIX_AUTO)
        six__ac_slaac(ac, ifp, pi);
}

/* ---- Router Advertisements ---- */

/* 6.3.4: Cur Hop Limit, Reachable Time, Retrans Timer and the MTU option,
 * each only when specified (non-zero) and within bounds. The hop limit is
 * the stack's (sixstack has one default hop limit for all interfaces). */
static void ra_parameters(struct six_ac *ac, struct six_if *ifp, const struct six_nd_repr *r) {
    if (r->cur_hlim)
        ac->ip6->default_hlim = r->cur_hlim;
    if (r->reachable_ms && r->reachable_ms <= SIX_AC_MAX_REACHABLE_MS)
        six__nd_set_reachable(ac->nd, ifp->index, r->reachable_ms);
    if (r->retrans_ms && r->retrans_ms <= SIX_AC_MAX_RETRANS_MS)
        ac->nd->ifs[ifp->index].retrans_ms = r->retrans_ms;
    if (!r->mtu)
        return;
    if (r->mtu < SIX_IP6_MIN_MTU || r->mtu > ac->ifs[ifp->index].mtu_max) {
        SIX_STAT(ac->ip6->core, nd_in_ra_bad_mtu);
        return;
    }
    ifp->mtu = r->mtu;
}

/* Borrows nothing: h and r describe a message nd checked (6.1.2: hop
 * limit 255, code 0, length, options); the source check is ours. */
void six__rd_ra_input(struct six_ac *ac, struct six_if *ifp, const struct six_ip6_repr *h,
                      const struct six_nd_repr *r) {
    struct six_nd_prefix pi;
    size_t pos = 0;

    /* 6.1.2: "IP Source Address is a link-local address." */
    if (!six_addr_is_linklocal(&h->src)) {
        SIX_STAT(ac->ip6->core, nd_in_ra_bad_src);
        return;
    }
    if (ifp->index > SIX_MAX_IFS || !ac->ifs[ifp->index].on) {
        SIX_STAT(ac->ip6->core, nd_in_ra_ignored);
        return;
    }
    SIX_STAT(ac->ip6->core, nd_in_ra);
    /* 6.3.7: a valid advertisement ends the solicitations. */
    ac->ifs[ifp->index].rs_left = 0;
    ac->ifs[ifp->index].rs_next = SIX_NEVER;
    if (r->lladdr)
        six__nd_learn(ac->nd, ifp, &h->src, r->lladdr, 1);
    ra_parameters(ac, ifp, r);
    router_update(ac, ifp, &h->src, r->router_lifetime);
    while (six_nd_prefix_next(r, &pos, &pi))
        prefix_option(ac, ifp, &pi);
    six__rd_select(ac);
    six__ac_schedule(ac);
}

/* ---- Redirects (8.1, 8.3) ---- */

/* 8.1: the checks nd's common ones leave. The source must be the first
 * hop output uses for the destination now, on this interface. */
static int redirect_valid(struct six_ac *ac, struct six_if *ifp, const struct six_ip6_repr *h,
                          const struct six_nd_repr *r) {
    const struct six_route *rt;

    if (!six_addr_is_linklocal(&h->src) || six_addr_is_multicast(&r->dest))
        return 0;
    if (!six_addr_is_linklocal(&r->target) && !IN6_ARE_ADDR_EQUAL(&r->target, &r->dest))
        return 0;
    if (six_addr_is_multicast(&r->target))
        return 0;
    rt = six__ip6_route_lookup(ac->ip6, &r->dest, 0);
    if (!rt || rt->ifindex != ifp->index)
        return 0;
    return IN6_ARE_ADDR_EQUAL(six_addr_is_unspecified(&rt->gateway) ? &r->dest : &rt->gateway,
                              &h->src);
}

/* The record of the redirect for dst, made when missing. */
static struct six_ac_redirect *redirect_slot(struct six_ac *ac, unsigned ifindex,
                                             const struct in6_addr *dst) {
    for (unsigned i = 0; i < ac->nredirects; i++)
        if (IN6_ARE_ADDR_EQUAL(&ac->redirects[i].dst, dst))
            return &ac->redirects[i];
    if (ac->nredirects >= ac->max_redirects)
        return NULL;
    ac->redirects[ac->nredirects] = (struct six_ac_redirect){.ifindex = ifindex, .dst = *dst};
    return &ac->redirects[ac->nredirects++];
}

/* 8.3: a host route to the destination through the target (or on-link
 * when the target is the destination). A host route added by hand is
 * left alone. */
static void redirect_route(struct six_ac *ac, struct six_if *ifp, const struct six_ip6_repr *h,
                           const struct six_nd_repr *r) {
    int onlink = IN6_ARE_ADDR_EQUAL(&r->target, &r->dest);
    unsigned flags = SIX_RT_REDIRECT | (onlink ? SIX_RT_CONNECTED : 0);
    struct in6_addr any = IN6ADDR_ANY_INIT;
    struct six_route *rt = six__ip6_route_find(ac->ip6, &r->dest, 128);
    struct six_ac_redirect *d;

    if (rt && !(rt->flags & SIX_RT_REDIRECT))
        return;
    if (!(d = redirect_slot(ac, ifp->index, &r->dest))) {
        SIX_STAT(ac->ip6->core, nd_ra_table_full);
        return;
    }
    d->router = h->src;
    d->ifindex = ifp->index;
    if (!rt) {
        if (six__ip6_route_add(ac->ip6, &r->dest, 128, onlink ? &any : &r->target, ifp->index,
                               flags) < 0)
            ac->nredirects--;
        return;
    }
    rt->gateway = onlink ? any : r->target;
    rt->ifindex = ifp->index;
    rt->flags = flags;
    six__ip6_routing_changed(ac->ip6);
}

void six__rd_redirect_input(struct six_ac *ac, struct six_if *ifp, const struct six_ip6_repr *h,
                            const struct six_nd_repr *r) {
    if (!redirect_valid(ac, ifp, h, r)) {
        SIX_STAT(ac->ip6->core, nd_in_redirect_bad);
        return;
    }
    SIX_STAT(ac->ip6->core, nd_in_redirect);
    /* 8.3: the target's MAC, and a target that is not the destination is
     * a router. */
    if (r->lladdr)
        six__nd_learn(ac->nd, ifp, &r->target, r->lladdr,
                      !IN6_ARE_ADDR_EQUAL(&r->target, &r->dest));
    redirect_route(ac, ifp, h, r);
}

/* ---- deadlines ---- */

static void rs_tick(struct six_ac *ac, unsigned i, uint64_t now) {
    struct six_ac_if *ai = &ac->ifs[i];
    struct six_if *ifp = six__ip6_if(ac->ip6, i);

    if (ai->rs_next > now)
        return;
    if (!ifp || !ai->on || !ai->rs_left) {
        ai->rs_left = 0;
        ai->rs_next = SIX_NEVER;
        return;
    }
    send_rs(ac, ifp);
    ai->rs_left--;
    ai->rs_next = ai->rs_left ? now + (uint64_t)SIX_AC_RTR_SOLICITATION_INTERVAL * 1000 : SIX_NEVER;
}

void six__rd_tick(struct six_ac *ac, uint64_t now) {
    int changed = 0;

    for (unsigned i = 1; i <= SIX_MAX_IFS; i++)
        rs_tick(ac, i, now);
    for (unsigned i = 0; i < ac->nrouters;) {
        struct six_ac_router *r = &ac->routers[i];
        if (r->expires > now && six__ip6_if(ac->ip6, r->ifindex)) {
            i++;
            continue;
        }
        SIX_STAT(ac->ip6->core, nd_routers_expired);
        log_router(ac, r->ifindex, &r->addr, "expired");
        router_remove(ac, i);
        changed = 1;
    }
    for (unsigned i = 0; i < ac->nprefixes;) {
        if (ac->prefixes[i].expires > now && six__ip6_if(ac->ip6, ac->prefixes[i].ifindex)) {
            i++;
            continue;
        }
        SIX_STAT(ac->ip6->core, nd_prefixes_expired);
        prefix_remove(ac, i);
    }
    if (changed)
        six__rd_select(ac);
}

uint64_t six__rd_next(const struct six_ac *ac) {
    uint64_t next = SIX_NEVER;

    for (unsigned i = 1; i <= SIX_MAX_IFS; i++)
        if (ac->ifs[i].rs_next < next)
            next = ac->ifs[i].rs_next;
    for (unsigned i = 0; i < ac->nrouters; i++)
        if (ac->routers[i].expires < next)
            next = ac->routers[i].expires;
    for (unsigned i = 0; i < ac->nprefixes; i++)
        if (ac->prefixes[i].expires < next)
            next = ac->prefixes[i].expires;
    return next;
}
