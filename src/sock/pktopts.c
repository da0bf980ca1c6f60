/* The precedence rule of ip6(4), in one place:
 *
 *   "options specified by using ancillary data (i.e., sendmsg(2)) are
 *    considered first, options specified by using IPV6_PKTOPTIONS to set
 *    sticky options are considered second, options specified by using the
 *    individual, basic, and direct socket options (e.g.,
 *    IPV6_UNICAST_HOPS) are considered third, and options specified in the
 *    socket address supplied to sendto(2) are the last choice."
 *
 * RFC 3542's sticky options (setsockopt IPV6_PKTINFO with a struct
 * in6_pktinfo) are sticky options too: the second level.
 */
#include <errno.h>
#include <string.h>

#include "sock/sock.h"
#include "wire/ipv6.h"

/* The first of ancillary data and sticky options that gives the field. */
static const struct six_send_opts *pick(const struct six_send_opts *anc,
                                        const struct six_send_opts *sticky, int anc_has,
                                        int sticky_has) {
    if (anc_has)
        return anc;
    return sticky_has ? sticky : NULL;
}

/* The basic levels' interface: a bound scoped address, then
 * IPV6_MULTICAST_IF, then the destination's zone. */
static unsigned basic_ifindex(const struct six_sock *s, const struct in6_addr *dst,
                              const struct sockaddr_in6 *to) {
    if (s->laddr.sin6_scope_id)
        return s->laddr.sin6_scope_id;
    if (six_addr_is_multicast(dst) && s->mcast_if)
        return s->mcast_if;
    return to->sin6_scope_id;
}

/* RFC 3542 6.1 IPV6_NEXTHOP: the packet goes out of the interface the
 * next hop is a neighbour on. Without neighbour discovery, a neighbour is
 * an address on-link by a connected route, or a link-local address with
 * its zone. Multicast destinations ignore it. */
static int nexthop_ifindex(const struct six_sock *s, const struct sockaddr_in6 *nh,
                           unsigned *ifindex) {
    const struct six_route *r;

    if (six_addr_scope(&nh->sin6_addr) <= 2 && !six_addr_is_loopback(&nh->sin6_addr)) {
        if (!nh->sin6_scope_id || !six__ip6_if(s->socks->ip6, nh->sin6_scope_id))
            return -EHOSTUNREACH;
        *ifindex = nh->sin6_scope_id;
        return 0;
    }
    r = six__ip6_route_lookup(s->socks->ip6, &nh->sin6_addr, 0);
    if (!r || !(r->flags & SIX_RT_CONNECTED))
        return -EHOSTUNREACH;
    *ifindex = r->ifindex;
    return 0;
}

/* RFC 3542's -1, 0, 1 as output's SIX_MINMTU_*. */
static int minmtu_policy(int v) {
    return v < 0 ? SIX_MINMTU_MCAST : v == 0 ? SIX_MINMTU_NEVER : SIX_MINMTU_ALWAYS;
}

/* The third and fourth levels alone: the socket's basic options and the
 * address given to sendto. */
static void resolve_basic(const struct six_sock *s, const struct sockaddr_in6 *to,
                          struct six_ip6_out *o) {
    /* Every field by hand: a zeroing initializer of the whole struct was
     * a rep stos per packet. */
    o->dst = to->sin6_addr;
    if (six_addr_is_unspecified(&o->dst))
        o->dst = (struct in6_addr)IN6ADDR_LOOPBACK_INIT;
    o->src = s->laddr.sin6_addr;
    o->ifindex = basic_ifindex(s, &o->dst, to);
    if (!o->ifindex)
        o->ifindex = s->bound_if;   /* SO_BINDTODEVICE */
    o->via_neighbour = 0;
    o->nexthop = (struct in6_addr){0};
    o->nxt = (uint8_t)(s->proto == 0 ? IPPROTO_RAW : s->proto);
    o->mcast_loop = (int)s->mcast_loop;
    /* IPV6_FLOWINFO_SEND: the label given with the destination. */
    o->flow = s->flowinfo_send ? ntohl(to->sin6_flowinfo) & 0xfffffu : 0;
    o->hbh = o->dst1 = o->rth = o->dst2 = NULL;
    o->hbh_len = o->dst1_len = o->rth_len = o->dst2_len = 0;
    o->minmtu = minmtu_policy(s->use_min_mtu);
    o->dontfrag = s->dontfrag;
    o->ipsec_levels = s->ipsec_levels;
    o->hlim = (uint8_t)six__sock_hops(s, &o->dst);
    o->tclass = (uint8_t)(s->tclass >= 0 ? s->tclass : 0);
}

int six__pktopts_resolve(const struct six_sock *s, const struct six_send_opts *anc,
                         const struct sockaddr_in6 *to, struct six_ip6_out *o) {
    const struct six_send_opts *st = &s->sticky, *pi, *hl, *tc, *nh, *mm, *df;

    resolve_basic(s, to, o);
    /* The common case: no ancillary data, no sticky options. */
    if (anc == &six__no_send_opts && !s->sticky_any)
        return 0;

    /* The first two levels override. RFC 3542 6.1: an unspecified pktinfo
     * address or a zero index leaves that part to the next level, so each
     * part is picked on its own. */
    pi = pick(anc, st, anc->have_pktinfo && !six_addr_is_unspecified(&anc->pktinfo.ipi6_addr),
              st->have_pktinfo && !six_addr_is_unspecified(&st->pktinfo.ipi6_addr));
    if (pi)
        o->src = pi->pktinfo.ipi6_addr;
    pi = pick(anc, st, anc->have_pktinfo && anc->pktinfo.ipi6_ifindex,
              st->have_pktinfo && st->pktinfo.ipi6_ifindex);
    if (pi)
        o->ifindex = pi->pktinfo.ipi6_ifindex;
    nh = pick(anc, st, anc->have_nexthop, st->have_nexthop);
    if (nh && !six_addr_is_multicast(&o->dst)) {
        unsigned via;
        int rc = nexthop_ifindex(s, &nh->nexthop, &via);
        if (rc < 0)
            return rc;
        /* A pktinfo interface that is not the next hop's cannot be met. */
        if (pi && pi->pktinfo.ipi6_ifindex && pi->pktinfo.ipi6_ifindex != via)
            return -EHOSTUNREACH;
        o->ifindex = via;
        o->via_neighbour = 1;
        o->nexthop = nh->nexthop.sin6_addr;
    }

    /* Each extension header from ancillary data, else the sticky one. */
    const uint8_t **dst[SIX_XH_N] = {&o->hbh, &o->dst1, &o->rth, &o->dst2};
    size_t *dst_len[SIX_XH_N] = {&o->hbh_len, &o->dst1_len, &o->rth_len, &o->dst2_len};
    for (int i = 0; i < SIX_XH_N; i++) {
        const struct six_send_opts *from = anc->xh[i] ? anc : st;
        *dst[i] = from->xh[i];
        *dst_len[i] = from->xh_len[i];
    }

    /* RFC 3542 11.1 and 11.2: per packet, else sticky, else the option.
     * Here -1 is a value of its own (multicast only), not "the next
     * level". */
    if ((mm = pick(anc, st, anc->have_minmtu, st->have_minmtu)))
        o->minmtu = minmtu_policy(mm->minmtu);
    if ((df = pick(anc, st, anc->have_dontfrag, st->have_dontfrag)))
        o->dontfrag = df->dontfrag;

    /* -1 in either means "the default": the next level decides. */
    hl = pick(anc, st, anc->have_hlim && anc->hlim >= 0, st->have_hlim && st->hlim >= 0);
    if (hl)
        o->hlim = (uint8_t)hl->hlim;
    tc = pick(anc, st, anc->have_tclass && anc->tclass >= 0,
              st->have_tclass && st->tclass >= 0);
    if (tc)
        o->tclass = (uint8_t)tc->tclass;
    return 0;
}
