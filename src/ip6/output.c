/* IPv6 output: route, choose the source, prepend extension headers in
 * RFC 8200 section 4.1 order and the fixed header, fragment what is over
 * the path MTU (frag_out.c, pmtu.c), hand to the link.
 */
#include <errno.h>
#include <string.h>

#include "ip6/ip6.h"
#include "wire/bytes.h"
#include "wire/ext.h"
#include "wire/ipv6.h"

/* The default multicast interface (ip6(4): "a value of zero specifies the
 * default interface"): the first multicast-capable interface that is not
 * loopback, else the loopback interface (a stack with lo alone still
 * chooses one, as BSD and Linux do). */
struct six_if *six__ip6_default_mcast_if(const struct six_ip6 *ip6) {
    for (unsigned i = 1; i <= SIX_MAX_IFS; i++) {
        struct six_if *ifp = ip6->ifs[i];
        if (ifp && (ifp->flags & SIX_IFF_MULTICAST) && !(ifp->flags & SIX_IFF_LOOPBACK))
            return ifp;
    }
    return ip6->loopback;
}

int six__ip6_route_out(const struct six_ip6 *ip6, struct six_ip6_out *o,
                       struct six_if **ifp_out) {
    struct six_if *ifp = NULL;
    const struct in6_addr *gateway = NULL;
    unsigned src_if;

    if (o->ifindex && !six__ip6_if(ip6, o->ifindex))
        return -ENXIO;
    if (six_addr_is_loopback(&o->dst) || six__ip6_addr_find(ip6, &o->dst)) {
        /* Our own address: deliver through loopback (RFC 4291 2.5.3:
         * ::1 is never sent on a link). */
        ifp = ip6->loopback;
        src_if = 0;
    } else if (six_addr_is_multicast(&o->dst) || six_addr_scope(&o->dst) <= 2) {
        /* Scoped destinations need their zone (sin6_scope_id, pktinfo or
         * IPV6_MULTICAST_IF) unless a route says which interface. */
        ifp = six__ip6_if(ip6, o->ifindex);   /* NULL for 0 */
        if (!ifp) {
            const struct six_route *r = six__ip6_route_lookup(ip6, &o->dst, 0);
            if (r)
                ifp = six__ip6_if(ip6, r->ifindex);
            else if (six_addr_is_multicast(&o->dst))
                ifp = six__ip6_default_mcast_if(ip6);
            else
                return -EINVAL;
        }
        src_if = ifp ? ifp->index : 0;
    } else if (o->via_neighbour && o->ifindex) {
        ifp = six__ip6_if(ip6, o->ifindex);
        src_if = o->ifindex;
    } else {
        const struct six_route *r = six__ip6_route_lookup(ip6, &o->dst, o->ifindex);
        if (!r)
            return -ENETUNREACH;
        ifp = six__ip6_if(ip6, r->ifindex);
        src_if = r->ifindex;
        if (!six_addr_is_unspecified(&r->gateway))
            gateway = &r->gateway;
    }
    if (!ifp)
        return -ENETUNREACH;
    if (!o->via_neighbour)
        o->nexthop = gateway ? *gateway : o->dst;
    if (six_addr_is_unspecified(&o->src)) {
        int rc = six__ip6_select_src(ip6, &o->dst, src_if, &o->src);
        if (rc < 0)
            return rc;
    } else if (!six__ip6_addr_is_local(ip6, &o->src)) {
        return -EADDRNOTAVAIL;
    }
    *ifp_out = ifp;
    return 0;
}

int six__ip6_route_out_cached(const struct six_ip6 *ip6, struct six_route_cache *c,
                              struct six_ip6_out *o, struct six_if **ifp_out) {
    struct in6_addr src_in = o->src;
    int rc;

    if (!o->via_neighbour && c->gen == ip6->route_gen && c->ifindex_in == o->ifindex &&
        IN6_ARE_ADDR_EQUAL(&c->dst, &o->dst) && IN6_ARE_ADDR_EQUAL(&c->src_in, &o->src)) {
        *ifp_out = ip6->ifs[c->ifindex];   /* an interface gone moved the gen */
        o->nexthop = c->nexthop;
        o->src = c->src;
        return 0;
    }
    if ((rc = six__ip6_route_out(ip6, o, ifp_out)) < 0 || o->via_neighbour)
        return rc;
    *c = (struct six_route_cache){.gen = ip6->route_gen, .dst = o->dst, .src_in = src_in,
                                  .ifindex_in = o->ifindex, .ifindex = (*ifp_out)->index,
                                  .nexthop = o->nexthop, .src = o->src};
    return 0;
}

size_t six__ip6_ext_len(const struct six_ip6_out *o) {
    size_t n = o->hbh_len + o->rth_len + o->dst2_len;
    /* Destination options before a routing header only exist with one
     * (RFC 3542 6.2 IPV6_RTHDRDSTOPTS). */
    if (o->rth)
        n += o->dst1_len;
    return n;
}

/* Prepends one extension header whose Next Header is *nxt, then makes it
 * the new *nxt. */
static void push_ext(struct six_pkt *pkt, const uint8_t *hdr, size_t len, uint8_t *nxt,
                     uint8_t type) {
    uint8_t *p = six__pkt_push(pkt, len);
    memcpy(p, hdr, len);
    p[0] = *nxt;
    *nxt = type;
}

/* Consumes pkt. */
int six__ip6_output(struct six_ip6 *ip6, struct six_pkt *pkt, struct six_ip6_out *o) {
    struct six_if *ifp;
    int rc = six__ip6_route_out(ip6, o, &ifp);

    if (rc < 0) {
        if (rc == -ENETUNREACH)
            SIX_STAT(ip6->core, ip6_out_no_route);
        six__pkt_free(pkt);
        return rc;
    }
    return six__ip6_send(ip6, pkt, o, ifp);
}

/* Queues pkt (consumed) to be received on ifp by this stack on the next
 * poll of the links: no recursion from output into input. */
static void loop_back(struct six_ip6 *ip6, struct six_if *ifp, struct six_pkt *pkt) {
    pkt->ifindex = ifp->index;
    six__pktq_push(&ip6->mloop, pkt);
    SIX_STAT(ip6->core, ip6_out_mcast_looped);
}

/* A finished packet (consumed) onto ifp's link: whole when it fits in
 * mtu, else in fragments. */
static int transmit(struct six_ip6 *ip6, struct six_if *ifp, const struct six_ip6_out *o,
                    struct six_pkt *pkt, unsigned mtu) {
    if (pkt->len <= mtu)
        return six__ip6_link_out(ip6, ifp, &o->nexthop, pkt);
    return six__ip6_fragment(ip6, ifp, o, pkt, mtu);
}

/* A multicast packet (consumed) out of ifp: with IPV6_MULTICAST_LOOP on
 * and this stack a member of the group there, a copy comes back to it
 * (ip6(4)), whole; hop limit 0 keeps the packet on this node, and so does
 * the loopback interface (BSD ip6_output: nothing is transmitted there,
 * only the loop copy, so the option decides alone). */
static int multicast_out(struct six_ip6 *ip6, struct six_if *ifp, const struct six_ip6_out *o,
                         struct six_pkt *pkt, unsigned mtu) {
    int local = o->mcast_loop && six__ip6_mcast_member(ip6, ifp->index, &o->dst);
    struct six_pkt *copy;

    if (o->hlim == 0 || (ifp->flags & SIX_IFF_LOOPBACK)) {
        if (local)
            loop_back(ip6, ifp, pkt);
        else
            six__pkt_free(pkt);
        return 0;
    }
    if (local) {
        if ((copy = six__pkt_clone(&ip6->core->pools, pkt)))
            loop_back(ip6, ifp, copy);
        else
            SIX_STAT(ip6->core, ip6_out_nobufs);
    }
    return transmit(ip6, ifp, o, pkt, mtu);
}

/* Consumes pkt. */
int six__ip6_send(struct six_ip6 *ip6, struct six_pkt *pkt, const struct six_ip6_out *o,
                  struct six_if *ifp) {
    struct six_ip6_repr h;
    size_t ext_len = six__ip6_ext_len(o);
    unsigned mtu = six__ip6_path_mtu(ip6, o, ifp);
    uint8_t nxt = o->nxt;
    int rc;

    if (six__pkt_headroom(pkt) < ext_len + SIX_IP6_HDR_LEN) {
        rc = -EINVAL;
        goto drop;
    }
    /* No jumbograms (RFC 2675): the payload length field bounds it. */
    if (pkt->len + ext_len > 65535) {
        SIX_STAT(ip6->core, ip6_out_too_big);
        rc = -EMSGSIZE;
        goto drop;
    }
    /* RFC 3542 11.2 IPV6_DONTFRAG: refuse rather than fragment. */
    if (o->dontfrag && pkt->len + ext_len + SIX_IP6_HDR_LEN > mtu) {
        SIX_STAT(ip6->core, frag_out_dontfrag);
        rc = -EMSGSIZE;
        goto drop;
    }
    /* Built back to front: the last header goes on first. */
    if (o->dst2)
        push_ext(pkt, o->dst2, o->dst2_len, &nxt, SIX_NH_DSTOPTS);
    if (o->rth)
        push_ext(pkt, o->rth, o->rth_len, &nxt, SIX_NH_ROUTING);
    if (o->rth && o->dst1)
        push_ext(pkt, o->dst1, o->dst1_len, &nxt, SIX_NH_DSTOPTS);
    if (o->hbh)
        push_ext(pkt, o->hbh, o->hbh_len, &nxt, SIX_NH_HOPOPTS);
    h = (struct six_ip6_repr){
        .tclass = o->tclass,
        .flow = o->flow & 0xfffff,
        .plen = (uint16_t)pkt->len,
        .nxt = nxt,
        .hlim = o->hlim,
        .src = o->src,
        .dst = o->dst,
    };
    six_ip6_emit(&h, six__pkt_push(pkt, SIX_IP6_HDR_LEN));
    SIX_STAT(ip6->core, ip6_out_requests);
    /* RFC 4301 5.1: IPsec on the whole packet, fragmentation after it. */
    if (ip6->ipsec_output) {
        struct six_ip6_out tun;
        rc = ip6->ipsec_output(ip6->ipsec_ctx, &pkt, o, &tun, &ifp);
        if (rc < 0)
            return rc;
        if (rc == 1)
            mtu = six__ip6_path_mtu(ip6, &tun, ifp);
        /* IPV6_DONTFRAG holds for what IPsec made of the packet too. */
        if (o->dontfrag && pkt->len > mtu) {
            SIX_STAT(ip6->core, frag_out_dontfrag);
            rc = -EMSGSIZE;
            goto drop;
        }
        if (rc == 1)
            return transmit(ip6, ifp, &tun, pkt, mtu);
    }
    if (six_addr_is_multicast(&o->dst))
        return multicast_out(ip6, ifp, o, pkt, mtu);
    return transmit(ip6, ifp, o, pkt, mtu);
drop:
    six__pkt_free(pkt);
    return rc;
}

/* Consumes pkt. */
int six__ip6_link_out(struct six_ip6 *ip6, struct six_if *ifp,
                      const struct in6_addr *nexthop, struct six_pkt *pkt) {
    int rc;

    if (!(ifp->flags & SIX_IFF_ETHERNET))
        rc = six__if_tx(ifp, pkt);
    else if (six_addr_is_multicast(nexthop))
        rc = six__ether_output_mcast(ifp, nexthop, pkt);   /* RFC 2464 7 */
    else if (ip6->resolve)
        rc = ip6->resolve(ip6->resolve_ctx, ifp, nexthop, pkt);
    else {
        six__pkt_free(pkt);
        rc = -EHOSTUNREACH;
    }
    if (rc == -ENOBUFS)
        SIX_STAT(ip6->core, ip6_out_link_drops);
    return rc;
}
