/* IPv6 input: validate the fixed header, walk the extension header chain,
 * hand the upper-layer header to its handler or to the raw sockets.
 *
 * Each extension header handler takes the packet and the offset of its
 * header, records what recvmsg() will need, and returns 0 to go on to the
 * next header, or a negative value when the packet was dropped (and, where
 * the RFC says so, answered with an ICMPv6 error). Every drop bumps one
 * named counter.
 *
 * Fragments: a fragment that is not atomic goes to reassembly (reass.c)
 * and its walk ends there. When it completes a datagram, the walk goes on
 * in the reassembled packet from the header after the (removed) Fragment
 * header: the headers before it are the first fragment's, which were
 * processed when that fragment arrived, so they are not processed again
 * (no second ICMPv6 error about them), and what the walk recorded about
 * them for recvmsg() comes along with the first fragment's metadata.
 */
#include <errno.h>
#include <string.h>

#include "ip6/ip6.h"
#include "wire/bytes.h"
#include "wire/ext.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

/* The walk's state for one packet. */
struct walk {
    struct six_ip6 *ip6;
    struct six_if *ifp;
    struct six_pkt *pkt;
    struct six_ip6_repr h;
    size_t off;        /* offset of the current header */
    size_t nxt_off;    /* offset of the byte that named it */
    uint8_t nxt;       /* its type */
    int n;             /* headers walked so far */
    int reassembled;   /* the packet was put together from fragments */
    const struct six_mcast_slot *mc;    /* the destination group's slot */
};

#define DROPPED (-1)   /* the walk frees the packet */
#define TAKEN (-2)     /* someone else owns the packet now */
#define RESUMED 1      /* the walk goes on in a new packet, from w->off */
#define AGAIN 2        /* the walk goes on at w->off with w->nxt */

static void send_error(struct walk *w, uint8_t type, uint8_t code, uint32_t param) {
    /* Nothing about what IPsec decrypted goes back: the error would
     * quote it (RFC 4301 6 leaves it to policy; this stack sends none). */
    if (w->ip6->send_error && !w->pkt->meta.ipsec)
        w->ip6->send_error(w->ip6->error_ctx, w->pkt, type, code, param);
}

/* Whether dst is an address this node accepts on ifp; *mc gets a
 * group's slot (the upper layer finds its sockets' memberships there). */
static int is_for_us(const struct six_ip6 *ip6, const struct six_if *ifp,
                     const struct in6_addr *dst, const struct six_mcast_slot **mc) {
    if (six_addr_is_multicast(dst)) {
        *mc = six__ip6_mcast_lookup(ip6, ifp->index, dst);
        /* The upper layer reads the group's first owner (a socket) once
         * the headers are walked: start fetching it now. */
        if (*mc && (*mc)->owner[0])
            __builtin_prefetch((*mc)->owner[0]);
        return *mc || six__ip6_mcast_member(ip6, ifp->index, dst);
    }
    if (six_addr_is_loopback(dst))
        return (ifp->flags & SIX_IFF_LOOPBACK) != 0;
    /* RFC 4862 5.4: packets to a tentative address are not ours yet
     * (DAD hears about it through solicitations to other addresses). */
    const struct six_addr_entry *e = six__ip6_addr_find(ip6, dst);
    return e && six__addr_usable(e);
}

/* RFC 8200 section 3 and RFC 4291 checks on the fixed header. Returns 0
 * or DROPPED. */
static int check_header(struct walk *w, const struct six_if *ifp) {
    struct six_core *core = w->ip6->core;
    int rc = six_ip6_parse(w->pkt->data, w->pkt->len, &w->h);

    if (rc == -EPROTONOSUPPORT) {
        SIX_STAT(core, ip6_in_bad_version);
        return DROPPED;
    }
    if (rc < 0) {
        SIX_STAT(core, ip6_in_truncated);
        return DROPPED;
    }
    /* Bytes past the payload length are link padding. */
    w->pkt->len = SIX_IP6_HDR_LEN + w->h.plen;
    /* RFC 4291 2.7: a multicast address must never be a source. */
    if (six_addr_is_multicast(&w->h.src)) {
        SIX_STAT(core, ip6_in_bad_src);
        return DROPPED;
    }
    /* RFC 4291 2.5.3: packets with loopback addresses received from a
     * link must be dropped; each is counted against the field that
     * carried it. */
    if (!(ifp->flags & SIX_IFF_LOOPBACK) && six_addr_is_loopback(&w->h.src)) {
        SIX_STAT(core, ip6_in_bad_src);
        return DROPPED;
    }
    if (!(ifp->flags & SIX_IFF_LOOPBACK) && six_addr_is_loopback(&w->h.dst)) {
        SIX_STAT(core, ip6_in_bad_dst);
        return DROPPED;
    }
    if (six_addr_is_unspecified(&w->h.dst)) {
        SIX_STAT(core, ip6_in_bad_dst);
        return DROPPED;
    }
    /* RFC 4291 2.7 (verified erratum 3480): packets with interface-local
     * scope received from another node must be discarded. */
    if (!(ifp->flags & SIX_IFF_LOOPBACK) && six_addr_is_multicast(&w->h.dst) &&
        six_addr_scope(&w->h.dst) == 1) {
        SIX_STAT(core, ip6_in_bad_dst);
        return DROPPED;
    }
    if (!is_for_us(w->ip6, ifp, &w->h.dst, &w->mc)) {
        SIX_STAT(core, ip6_in_not_for_us);
        return DROPPED;
    }
    return 0;
}

/* The action an unrecognised option asks for (RFC 8200 4.2). Returns 0 to
 * skip it, DROPPED when the packet was dropped. */
static int unknown_option(struct walk *w, const struct six_opt *opt) {
    uint32_t pointer = (uint32_t)(w->off + opt->off);

    switch (six_opt_action(opt->type)) {
    case SIX_OPT_ACT_SKIP:
        return 0;
    case SIX_OPT_ACT_DISCARD:
        break;
    case SIX_OPT_ACT_DISCARD_ICMP:
        send_error(w, SIX_ICMP6_PARAM_PROB, SIX_ICMP6_PP_OPTION, pointer);
        break;
    case SIX_OPT_ACT_DISCARD_ICMP_UC:
        if (!six_addr_is_multicast(&w->h.dst))
            send_error(w, SIX_ICMP6_PARAM_PROB, SIX_ICMP6_PP_OPTION, pointer);
        break;
    }
    SIX_STAT(w->ip6->core, ip6_in_bad_option);
    return DROPPED;
}

/* Processes the options of a hop-by-hop or destination options header of
 * len bytes at w->off. Returns 0 or DROPPED. */
static int process_options(struct walk *w, size_t len, int hop_by_hop) {
    const uint8_t *hdr = w->pkt->data + w->off;
    struct six_opt_iter it;
    struct six_opt opt;
    int rc;

    six_opt_iter_init(&it, hdr, len);
    while ((rc = six_opt_iter_next(&it, &opt)) > 0) {
        if (opt.type == SIX_OPT_PAD1 || opt.type == SIX_OPT_PADN)
            continue;
        /* Router Alert (RFC 2711) asks routers to look closer; a host
         * such as this one has nothing more to do with it. */
        if (hop_by_hop && opt.type == SIX_OPT_ROUTER_ALERT && opt.len == 2)
            continue;
        if (unknown_option(w, &opt) < 0)
            return DROPPED;
    }
    if (rc < 0) {
        /* An option running past its header: the header is malformed
         * (RFC 8200 4: Parameter Problem code 0 at the bad field). The
         * bad field is the Opt Data Len byte, as FreeBSD's
         * ip6_process_hopopts points; when the header ends before that
         * byte, the type byte is the last one that exists. */
        size_t bad = opt.off + 1 < len ? opt.off + 1 : opt.off;
        send_error(w, SIX_ICMP6_PARAM_PROB, SIX_ICMP6_PP_HEADER, (uint32_t)(w->off + bad));
        SIX_STAT(w->ip6->core, ip6_in_bad_ext);
        return DROPPED;
    }
    return 0;
}

/* Parses the generic header at w->off; returns its length or DROPPED. */
static long ext_header(struct walk *w, struct six_ext_repr *e) {
    if (six_ext_parse(w->pkt->data + w->off, w->pkt->len - w->off, e) < 0) {
        SIX_STAT(w->ip6->core, ip6_in_bad_ext);
        return DROPPED;
    }
    return (long)e->len;
}

static void record(uint16_t *off, uint16_t *len, size_t at, size_t n) {
    /* Only the first of each kind is kept for recvmsg(). */
    if (*off == 0) {
        *off = (uint16_t)at;
        *len = (uint16_t)n;
    }
}

static int hop_by_hop(struct walk *w, struct six_ext_repr *e) {
    struct six_pkt_meta *m = &w->pkt->meta;

    /* RFC 8200 4.1: hop-by-hop must come right after the IPv6 header:
     * be the first header walked, which a reassembled packet's headers
     * from the fragmentable part never are, wherever they now sit. */
    if (w->n != 0) {
        send_error(w, SIX_ICMP6_PARAM_PROB, SIX_ICMP6_PP_NEXTHEADER, (uint32_t)w->nxt_off);
        SIX_STAT(w->ip6->core, ip6_in_hbh_not_first);
        return DROPPED;
    }
    if (ext_header(w, e) < 0 || process_options(w, e->len, 1) < 0)
        return DROPPED;
    record(&m->hbh_off, &m->hbh_len, w->off, e->len);
    return 0;
}

static int dest_options(struct walk *w, struct six_ext_repr *e) {
    struct six_pkt_meta *m = &w->pkt->meta;

    if (ext_header(w, e) < 0 || process_options(w, e->len, 0) < 0)
        return DROPPED;
    if (m->rth_off)
        record(&m->dst2_off, &m->dst2_len, w->off, e->len);
    else
        record(&m->dst1_off, &m->dst1_len, w->off, e->len);
    return 0;
}

static int routing(struct walk *w, struct six_ext_repr *e) {
    struct six_rthdr_repr r;

    if (six_rthdr_parse(w->pkt->data + w->off, w->pkt->len - w->off, &r) < 0) {
        SIX_STAT(w->ip6->core, ip6_in_bad_ext);
        return DROPPED;
    }
    e->nxt = r.nxt;
    e->len = r.len;
    /* RFC 8200 4.4: with Segments Left zero the header is ignored. This
     * node does not forward, and RFC 5095 forbids processing type 0 even
     * when addressed to us, so any other value is an unrecognised routing
     * type: Parameter Problem code 0 at the Routing Type field. */
    if (r.segleft != 0) {
        send_error(w, SIX_ICMP6_PARAM_PROB, SIX_ICMP6_PP_HEADER,
                   (uint32_t)(w->off + SIX_RTHDR_OFF_TYPE));
        SIX_STAT(w->ip6->core, ip6_in_rthdr_bad);
        return DROPPED;
    }
    record(&w->pkt->meta.rth_off, &w->pkt->meta.rth_len, w->off, r.len);
    return 0;
}

/* Returns 0 for an atomic fragment (the walk goes on past it), TAKEN when
 * reassembly kept or dropped the packet, RESUMED when it completed a
 * datagram and w now walks the reassembled packet, DROPPED. */
static int fragment(struct walk *w, struct six_ext_repr *e) {
    struct six_frag_repr f;
    struct six_reass_pos pos = {.off = w->off, .nxt_off = w->nxt_off, .nhdrs = w->n};

    if (six_frag_parse(w->pkt->data + w->off, w->pkt->len - w->off, &f) < 0) {
        SIX_STAT(w->ip6->core, ip6_in_bad_ext);
        return DROPPED;
    }
    /* RFC 6946: an atomic fragment (offset 0, no more fragments) is
     * processed on its own, as if the fragment header were not there,
     * whatever fragments with its identification are waiting. */
    if (f.offset == 0 && !f.more) {
        SIX_STAT(w->ip6->core, reass_atomic);
        e->nxt = f.nxt;
        e->len = SIX_FRAG_HDR_LEN;
        return 0;
    }
    if (six__reass_input(&w->ip6->reass, &w->pkt, &w->h, &f, &pos) == 0)
        return TAKEN;
    /* The header is the first fragment's now (its hop limit, class,
     * flow), with the Payload Length of the whole. */
    (void)six_ip6_parse(w->pkt->data, w->pkt->len, &w->h);
    w->off = pos.off;
    w->nxt_off = pos.nxt_off;
    w->nxt = pos.nxt;
    w->n = pos.nhdrs;
    w->reassembled = 1;
    return RESUMED;
}

/* RFC 6980 5: Neighbor Discovery messages (and SEND's certification path
 * messages) must not arrive in fragments; a reassembled one is dropped. */
static int nd_in_fragments(const struct walk *w) {
    uint8_t type;

    if (!w->reassembled || w->nxt != SIX_NH_ICMPV6 || w->off >= w->pkt->len)
        return 0;
    type = w->pkt->data[w->off];
    return (type >= SIX_ICMP6_ROUTER_SOLICIT && type <= SIX_ICMP6_REDIRECT) ||
           type == SIX_ICMP6_CERT_PATH_SOLICIT || type == SIX_ICMP6_CERT_PATH_ADVERT;
}

/* Hands the upper-layer header at w->off to its handler, else to the raw
 * sockets. Consumes the packet. */
static void deliver(struct walk *w) {
    struct six_ip6 *ip6 = w->ip6;
    struct six_pkt *pkt = w->pkt;
    int taken;

    pkt->meta.l4_off = (uint16_t)w->off;
    pkt->meta.l4_proto = w->nxt;
    /* The group's slot, unless a tunnel's inner packet now goes to
     * another destination than the one it was found for. */
    pkt->meta.mc_entry =
        w->mc && memcmp(&w->mc->group, pkt->data + SIX_IP6_OFF_DST, 16) == 0 ? w->mc : NULL;
    /* RFC 4301 5.2: the inbound policy judges what decryption left. */
    if (ip6->ipsec_check && ip6->ipsec_check(ip6->ipsec_ctx, pkt) < 0) {
        six__pkt_free(pkt);
        return;
    }
    if (nd_in_fragments(w)) {
        SIX_STAT(ip6->core, reass_nd);
        six__pkt_free(pkt);
        return;
    }
    if (ip6->upper[w->nxt]) {
        SIX_STAT(ip6->core, ip6_in_delivers);
        ip6->upper[w->nxt](ip6->upper_ctx[w->nxt], pkt);
        return;
    }
    taken = ip6->raw_input ? ip6->raw_input(ip6->raw_ctx, pkt) : 0;
    if (taken > 0) {
        SIX_STAT(ip6->core, ip6_in_delivers);
    } else if (taken < 0) {
        /* Wanted, but corrupt (IPV6_CHECKSUM): dropped and counted by the
         * raw layer, silently (BSD rip6_input). */
    } else {
        /* RFC 8200 4: an unrecognised Next Header value gets Parameter
         * Problem code 1 pointing at the byte that holds it. */
        send_error(w, SIX_ICMP6_PARAM_PROB, SIX_ICMP6_PP_NEXTHEADER, (uint32_t)w->nxt_off);
        SIX_STAT(ip6->core, ip6_in_unknown_proto);
    }
    six__pkt_free(pkt);
}

/* An ESP, AH or IPComp header: IPsec opens it in place and the walk goes
 * on with what it protected (AGAIN), or drops the packet. */
static int security(struct walk *w) {
    int nxt = w->ip6->ipsec_input(w->ip6->ipsec_ctx, &w->pkt, w->off, w->nxt_off, w->nxt);

    if (nxt < 0)
        return DROPPED;
    w->nxt = (uint8_t)nxt;
    return AGAIN;
}

/* The inner packet of a tunnel IPsec just opened (RFC 4301 5.2 step 4):
 * the outer headers go and the walk starts again on the inner header,
 * checked as any received one. */
static int decapsulate(struct walk *w) {
    uint8_t sec = w->pkt->meta.ipsec & ~SIX_PKT_SEC_DECAP;

    w->pkt->data += w->off;
    w->pkt->len -= (uint32_t)w->off;
    w->pkt->meta = (struct six_pkt_meta){.ipsec = sec};
    if (check_header(w, w->ifp) < 0)
        return DROPPED;
    w->off = SIX_IP6_HDR_LEN;
    w->nxt_off = SIX_IP6_OFF_NXT;
    w->nxt = w->h.nxt;
    w->reassembled = 0;
    return AGAIN;
}

/* Walks the chain from the fixed header. Consumes the packet. */
static void walk_chain(struct walk *w) {
    w->off = SIX_IP6_HDR_LEN;
    w->nxt_off = SIX_IP6_OFF_NXT;
    w->nxt = w->h.nxt;

    for (w->n = 0;; w->n++) {
        struct six_ext_repr e;
        int rc;

        if (w->n >= SIX_MAX_EXT_HDRS) {
            SIX_STAT(w->ip6->core, ip6_in_too_many_ext);
            goto drop;
        }
        switch (w->nxt) {
        case SIX_NH_HOPOPTS:
            rc = hop_by_hop(w, &e);
            break;
        case SIX_NH_DSTOPTS:
            rc = dest_options(w, &e);
            break;
        case SIX_NH_ROUTING:
            rc = routing(w, &e);
            break;
        case SIX_NH_FRAGMENT:
            rc = fragment(w, &e);
            break;
        case SIX_NH_NONE:
            SIX_STAT(w->ip6->core, ip6_in_no_next_header);
            goto drop;
        case SIX_NH_ESP:
        case SIX_NH_AH:
        case SIX_NH_IPCOMP:
            if (!w->ip6->ipsec_input) {
                deliver(w);
                return;
            }
            rc = security(w);
            break;
        case SIX_NH_IPV6:
            if (!(w->pkt->meta.ipsec & SIX_PKT_SEC_DECAP)) {
                deliver(w);
                return;
            }
            rc = decapsulate(w);
            break;
        default:
            deliver(w);
            return;
        }
        if (rc == TAKEN)
            return;
        if (rc < 0)
            goto drop;
        if (rc == RESUMED) {
            w->n--;                /* the loop counts w->n as walked */
            continue;
        }
        if (rc == AGAIN)
            continue;
        w->nxt_off = w->off;       /* Next Header is each header's byte 0 */
        w->off += e.len;
        w->nxt = e.nxt;
    }
drop:
    six__pkt_free(w->pkt);
}

/* Consumes pkt. */
void six__ip6_input(void *ctx, struct six_if *ifp, struct six_pkt *pkt) {
    struct walk w = {.ip6 = ctx, .ifp = ifp, .pkt = pkt};

    SIX_STAT(w.ip6->core, ip6_in_receives);
    pkt->meta = (struct six_pkt_meta){0};
    if (check_header(&w, ifp) < 0) {
        six__pkt_free(pkt);
        return;
    }
    walk_chain(&w);
}
