/* IPsec processing for ip6 (RFC 4301 5.1 and 5.2), through the hooks
 * stack.c installs:
 *
 * - output (5.1): the packet ip6 built is matched against the SPD's
 *   outbound policies (first match) and the sending socket's levels; the
 *   protections they ask for are applied innermost first, each with the
 *   newest SA for its addresses. A tunnel wraps the whole packet in a new
 *   IPv6 header. Fragmentation comes after (ip6 does it on the result).
 * - input (5.2): each ESP header met in the extension header walk is
 *   opened with the SA its SPI names (unknown SPI, replay, ICV, padding:
 *   each dropped and counted, never an ICMPv6 error); the walk goes on
 *   with what it protected, and a tunnel's inner packet is walked anew.
 * - check (5.2, after decryption): before delivery, the packet's
 *   selectors find the first inbound policy; a packet that policy wanted
 *   protected and was not (or not the way it asks) is dropped and counted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/ipsec.h"
#include "wire/bytes.h"
#include "wire/esp.h"
#include "wire/ext.h"
#include "wire/ipv6.h"

/* Room kept in front of a transformed packet for the link's header. */
#define LINK_ROOM 32

int six__ipsec_built(void) { return 1; }

void six__ipsec_adjust_plen(struct six_pkt *pkt, long delta) {
    uint8_t *p = pkt->data + SIX_IP6_OFF_PLEN;
    six_put16(p, (uint16_t)(six_get16(p) + delta));
}

void six__ipsec_open_gap(struct six_pkt *pkt, size_t off, size_t n) {
    memmove(pkt->data - n, pkt->data, off);
    pkt->data -= n;
    pkt->len += (uint32_t)n;
    six__ipsec_adjust_plen(pkt, (long)n);
}

void six__ipsec_close_gap(struct six_pkt *pkt, size_t off, size_t n) {
    memmove(pkt->data + n, pkt->data, off);
    pkt->data += n;
    pkt->len -= (uint32_t)n;
    six__ipsec_adjust_plen(pkt, -(long)n);
}

static size_t tailroom(const struct six_pkt *pkt) {
    return pkt->cap - six__pkt_headroom(pkt) - pkt->len;
}

/* Makes *pp have head bytes (plus the link's) in front and tail behind,
 * moving it to a new buffer when it has not. Returns 0 or -ENOBUFS (*pp
 * unchanged). */
static int make_room(struct six_ipsec *ips, struct six_pkt **pp, size_t head, size_t tail) {
    struct six_pkt *old = *pp, *pkt;

    if (six__pkt_headroom(old) >= head + LINK_ROOM && tailroom(old) >= tail)
        return 0;
    pkt = six__pkt_alloc(&ips->core->pools, SIX_PKT_HEADROOM + head, old->len + tail);
    if (!pkt) {
        SIX_STAT(ips->core, ipsec_out_nobufs);
        return -ENOBUFS;
    }
    memcpy(pkt->data, old->data, old->len);
    pkt->len = old->len;
    pkt->ifindex = old->ifindex;
    pkt->flags = old->flags;
    six__pkt_free(old);
    *pp = pkt;
    return 0;
}

/* ---- output ---- */

/* One protection to apply, with its SA. */
struct step {
    struct six_sp_req req;
    struct six__sa *sa;
};

#define MAX_STEPS (SIX_SP_REQ_MAX + 3)

struct plan {
    struct step s[MAX_STEPS];
    unsigned n;
};

/* The socket levels (o->ipsec_levels) that ask for a transport-mode
 * protocol, innermost first. */
static const struct {
    unsigned slot;
    uint8_t proto;
} sock_transport[] = {
    {SIX_IPSEC_SL_IPCOMP, SIX_IPSEC_PROTO_IPCOMP},
    {SIX_IPSEC_SL_ESP_TRANS, SIX_IPSEC_PROTO_ESP},
    {SIX_IPSEC_SL_AUTH, SIX_IPSEC_PROTO_AH},
};

static unsigned sock_level(uint32_t levels, unsigned slot) { return levels >> (8 * slot) & 0xff; }

static int plan_has(const struct plan *p, uint8_t proto, enum six_ipsec_mode mode) {
    for (unsigned i = 0; i < p->n; i++)
        if (p->s[i].req.proto == proto && p->s[i].req.mode == mode)
            return 1;
    return 0;
}

/* Adds what the socket's levels ask for and the policy does not give
 * (ipsec(4) as KAME reads it: a socket level adds to the system policy,
 * never weakens it). Returns 0, or -EAGAIN when ESP_NETWORK_LEVEL
 * requires a tunnel no policy provides. */
static int plan_socket(struct six_ipsec *ips, struct plan *p, uint32_t levels) {
    unsigned net = sock_level(levels, SIX_IPSEC_SL_ESP_NETWORK);

    if (net >= SIX_SP_LEVEL_REQUIRE && !plan_has(p, SIX_IPSEC_PROTO_ESP, SIX_IPSEC_MODE_TUNNEL)) {
        SIX_STAT(ips->core, ipsec_out_no_sa);
        return -EAGAIN;
    }
    /* The transport protections go inside any tunnel: before it. */
    unsigned at = p->n && p->s[p->n - 1].req.mode == SIX_IPSEC_MODE_TUNNEL ? p->n - 1 : p->n;
    for (unsigned i = 0; i < sizeof(sock_transport) / sizeof(sock_transport[0]); i++) {
        unsigned lvl = sock_level(levels, sock_transport[i].slot);
        if (lvl == SIX_SP_LEVEL_DEFAULT ||
            plan_has(p, sock_transport[i].proto, SIX_IPSEC_MODE_TRANSPORT))
            continue;
        memmove(&p->s[at + 1], &p->s[at], (p->n - at) * sizeof(p->s[0]));
        p->s[at] = (struct step){.req = {.proto = sock_transport[i].proto,
                                         .mode = SIX_IPSEC_MODE_TRANSPORT,
                                         .level = (enum six_sp_level)lvl}};
        p->n++;
        at++;
    }
    return 0;
}

/* The effective level of a step: a policy's default is require; a
 * socket's level raises a policy's use. */
static unsigned step_level(const struct step *st, uint32_t levels) {
    unsigned lvl = st->req.level == SIX_SP_LEVEL_DEFAULT ? SIX_SP_LEVEL_REQUIRE : st->req.level;
    if (st->req.mode == SIX_IPSEC_MODE_TRANSPORT) {
        for (unsigned i = 0; i < sizeof(sock_transport) / sizeof(sock_transport[0]); i++) {
            unsigned s = sock_level(levels, sock_transport[i].slot);
            if (sock_transport[i].proto == st->req.proto && s > lvl)
                lvl = s;
        }
    }
    return lvl;
}

/* Finds every step's SA before anything is changed: a required SA that
 * is missing fails the send with nothing sent (-EAGAIN, as Linux
 * answers while no SA is there); a used one that is missing drops the
 * step. */
static int plan_sas(struct six_ipsec *ips, struct plan *p, const struct six_ip6_out *o) {
    unsigned kept = 0;

    for (unsigned i = 0; i < p->n; i++) {
        struct step *st = &p->s[i];
        int tunnel = st->req.mode == SIX_IPSEC_MODE_TUNNEL;
        st->sa = six__sad_find_out(ips, tunnel ? &st->req.tsrc : &o->src,
                                   tunnel ? &st->req.tdst : &o->dst, st->req.proto,
                                   st->req.mode, st->req.reqid);
        if (!st->sa) {
            if (step_level(st, o->ipsec_levels) == SIX_SP_LEVEL_USE)
                continue;
            SIX_STAT(ips->core, ipsec_out_no_sa);
            return -EAGAIN;
        }
        p->s[kept++] = *st;
    }
    p->n = kept;
    return 0;
}

/* Offset of the Next Header byte that names what follows the
 * unfragmentable part of o's packets. */
static size_t unfrag_nxt_off(const struct six_ip6_out *o) {
    if (o->rth)
        return SIX_IP6_HDR_LEN + (o->hbh ? o->hbh_len : 0) + (o->dst1 ? o->dst1_len : 0);
    return o->hbh ? SIX_IP6_HDR_LEN : SIX_IP6_OFF_NXT;
}

/* Wraps the whole packet in an outer IPv6 header from the tunnel's
 * source to its destination (RFC 4301 5.1.2.1: class and flow from the
 * inner header, hop limit the stack's). */
static void encapsulate(struct six_ipsec *ips, struct six_pkt *pkt, const struct six_sp_req *r) {
    struct six_ip6_repr in, out;

    (void)six_ip6_parse(pkt->data, pkt->len, &in);
    out = (struct six_ip6_repr){.tclass = in.tclass, .flow = in.flow,
                                .plen = (uint16_t)pkt->len, .nxt = SIX_NH_IPV6,
                                .hlim = ips->ip6->default_hlim, .src = r->tsrc, .dst = r->tdst};
    six_ip6_emit(&out, six__pkt_push(pkt, SIX_IP6_HDR_LEN));
}

/* Bytes the step's transform adds in front of and behind len bytes. */
static void step_room(const struct step *st, size_t len, size_t *head, size_t *tail) {
    if (st->req.proto == SIX_IPSEC_PROTO_AH) {
        *head = six__ah_len();
        *tail = 0;
    } else if (st->req.proto == SIX_IPSEC_PROTO_IPCOMP) {
        *head = 0;   /* compression writes in place, and only to shrink */
        *tail = 0;
    } else {
        *head = six__esp_head_len(st->sa);
        *tail = six__esp_tail_len(st->sa, len);
    }
    if (st->req.mode == SIX_IPSEC_MODE_TUNNEL)
        *head += SIX_IP6_HDR_LEN;
}

/* Applies one step to *pp. Returns 0 or a negative errno. */
static int apply(struct six_ipsec *ips, struct six_pkt **pp, const struct step *st,
                 const struct six_ip6_out *o, int *tunnelled) {
    size_t off = six__frag_unfrag_len(o), nxt_off = unfrag_nxt_off(o);
    size_t head, tail;
    int rc;

    if (*tunnelled || st->req.mode == SIX_IPSEC_MODE_TUNNEL) {
        off = SIX_IP6_HDR_LEN;
        nxt_off = SIX_IP6_OFF_NXT;
    } else if (st->req.proto == SIX_IPSEC_PROTO_AH && o->rth) {
        /* The ICV would have to cover the header as the final
         * destination will see it, which this host does not predict. */
        return -EOPNOTSUPP;
    }
    step_room(st, (*pp)->len + SIX_IP6_HDR_LEN, &head, &tail);
    /* No jumbograms: the result must fit the Payload Length. */
    if ((*pp)->len - SIX_IP6_HDR_LEN + head + tail > 65535) {
        SIX_STAT(ips->core, ip6_out_too_big);
        return -EMSGSIZE;
    }
    if ((rc = make_room(ips, pp, head, tail)) < 0)
        return rc;
    if (st->req.mode == SIX_IPSEC_MODE_TUNNEL) {
        encapsulate(ips, *pp, &st->req);
        *tunnelled = 1;
    }
    if (six__sad_charge(ips, st->sa, (*pp)->len - off) < 0)
        return -EAGAIN;   /* its hard lifetime ended with this packet */
    if (st->req.proto == SIX_IPSEC_PROTO_AH)
        return six__ah_output(ips, st->sa, *pp, off, nxt_off);
    if (st->req.proto == SIX_IPSEC_PROTO_IPCOMP)
        return six__ipcomp_output(ips, st->sa, *pp, off, nxt_off);
    return six__esp_output(ips, st->sa, *pp, off, nxt_off);
}

/* The outbound policy for a packet built from o whose upper-layer header
 * starts with l4[0..len), or NULL (none, or no policies). */
static const struct six_sp *out_policy(const struct six_ipsec *ips, const struct six_ip6_out *o,
                                       const uint8_t *l4, size_t len) {
    struct six__sel sel = {.src = &o->src, .dst = &o->dst};

    if (!ips->nsp[SIX_SP_OUT])
        return NULL;
    six__sel_ports(&sel, o->nxt, l4, len);
    return six__spd_lookup(ips, SIX_SP_OUT, &sel);
}

/* The steps policy sp (may be NULL) and the socket's levels ask for, in
 * p. Returns 0 or -EAGAIN (plan_socket). */
static int plan_steps(struct six_ipsec *ips, struct plan *p, const struct six_sp *sp,
                      uint32_t levels) {
    p->n = 0;
    if (sp && sp->action == SIX_SP_PROTECT)
        for (unsigned i = 0; i < sp->nreq; i++)
            p->s[p->n++] = (struct step){.req = sp->req[i]};
    return plan_socket(ips, p, levels);
}

/* The hook: RFC 4301 5.1 for one packet ip6 built from o. Returns 0 (send
 * *pp as it is now), 1 (a tunnel: send *pp as *tun says, out of *ifp),
 * or a negative errno (*pp freed and NULL). */
static int ipsec_output(void *ctx, struct six_pkt **pp, const struct six_ip6_out *o,
                        struct six_ip6_out *tun, struct six_if **ifp) {
    struct six_ipsec *ips = ctx;
    struct six_pkt *pkt = *pp;
    const struct six_sp *sp;
    struct plan p;
    int rc = 0, tunnelled = 0;

    if (!ips->nsp[SIX_SP_OUT] && !o->ipsec_levels)
        return 0;
    size_t ul = SIX_IP6_HDR_LEN + six__ip6_ext_len(o);
    sp = out_policy(ips, o, pkt->data + ul, pkt->len > ul ? pkt->len - ul : 0);
    if (sp && sp->action == SIX_SP_DISCARD) {
        SIX_STAT(ips->core, ipsec_out_discard);
        rc = -EPERM;
        goto drop;
    }
    if ((rc = plan_steps(ips, &p, sp, o->ipsec_levels)) < 0 || (rc = plan_sas(ips, &p, o)) < 0)
        goto drop;
    for (unsigned i = 0; i < p.n; i++)
        if ((rc = apply(ips, pp, &p.s[i], o, &tunnelled)) < 0)
            goto drop;
    if (!tunnelled)
        return 0;
    const struct six_sp_req *t = &p.s[p.n - 1].req;
    *tun = (struct six_ip6_out){.src = t->tsrc, .dst = t->tdst, .nxt = SIX_NH_IPV6,
                                .hlim = ips->ip6->default_hlim, .minmtu = SIX_MINMTU_NEVER};
    if ((rc = six__ip6_route_out(ips->ip6, tun, ifp)) < 0)
        goto drop;
    return 1;
drop:
    six__pkt_free(*pp);
    *pp = NULL;
    return rc;
}

/* Bytes a step adds at most, whatever the payload's length: with its SA's
 * sizes, or without an SA yet the most its protocol takes here (ESP with
 * AES-CBC and HMAC: 8 + 16 IV + 15 padding + 2 + 16 ICV). */
static size_t step_max_room(struct six_ipsec *ips, const struct step *st,
                            const struct six_ip6_out *o) {
    int tunnel = st->req.mode == SIX_IPSEC_MODE_TUNNEL;
    size_t n = tunnel ? SIX_IP6_HDR_LEN : 0;
    const struct six__sa *sa;

    if (st->req.proto == SIX_IPSEC_PROTO_AH)
        return n + six__ah_len();
    if (st->req.proto != SIX_IPSEC_PROTO_ESP)
        return n;   /* IPComp only ever shrinks a packet */
    sa = six__sad_find_out(ips, tunnel ? &st->req.tsrc : &o->src,
                           tunnel ? &st->req.tdst : &o->dst, st->req.proto, st->req.mode,
                           st->req.reqid);
    if (!sa)
        return n + SIX_ESP_HDR_LEN + 16 + 15 + SIX_ESP_TRAILER_LEN + SIX_CRYPTO_TAG_LEN;
    return n + six__esp_head_len(sa) + sa->block - 1u + SIX_ESP_TRAILER_LEN + sa->icv_len;
}

/* The hook ip6->ipsec_overhead: what the policy and levels for o would
 * add to any packet (0 when discarded or not protected). */
static size_t ipsec_overhead(void *ctx, const struct six_ip6_out *o, const uint8_t *l4,
                             size_t len) {
    struct six_ipsec *ips = ctx;
    const struct six_sp *sp;
    struct plan p;
    size_t n = 0;

    if (!ips->nsp[SIX_SP_OUT] && !o->ipsec_levels)
        return 0;
    sp = out_policy(ips, o, l4, len);
    if ((sp && sp->action == SIX_SP_DISCARD) || plan_steps(ips, &p, sp, o->ipsec_levels) < 0)
        return 0;
    for (unsigned i = 0; i < p.n; i++)
        n += step_max_room(ips, &p.s[i], o);
    return n;
}

/* ---- input ---- */

static int ipsec_input(void *ctx, struct six_pkt **pp, size_t off, size_t nxt_off,
                       uint8_t proto) {
    struct six_ipsec *ips = ctx;
    struct six_pkt *pkt = *pp;
    struct six__sa *sa;
    uint8_t nxt;

    int ah = proto == SIX_NH_AH, rc;

    if (proto == SIX_NH_ESP)
        rc = six__esp_input(ips, pkt, off, nxt_off, &nxt, &sa);
    else if (ah)
        rc = six__ah_input(ips, pkt, off, nxt_off, &nxt, &sa);
    else
        rc = six__ipcomp_input(ips, pp, off, nxt_off, &nxt, &sa);
    if (rc < 0)
        return -1;
    pkt = *pp;
    if (proto == SIX_NH_IPCOMP) {
        pkt->meta.ipsec |= SIX_PKT_SEC_COMP;
        if (sa->cfg.mode == SIX_IPSEC_MODE_TUNNEL && nxt == SIX_NH_IPV6)
            pkt->meta.ipsec |= SIX_PKT_SEC_DECAP;
        return nxt;
    }
    if (sa->cfg.mode == SIX_IPSEC_MODE_TUNNEL) {
        /* What a tunnel SA protects is a whole IPv6 packet. */
        if (nxt != SIX_NH_IPV6 && nxt != SIX_NH_NONE) {
            SIX_STAT(ips->core, ipsec_in_malformed);
            return -1;
        }
        pkt->meta.ipsec |= (ah ? SIX_PKT_SEC_AH_TUNNEL : SIX_PKT_SEC_ESP_TUNNEL) | SIX_PKT_SEC_DECAP;
    } else {
        pkt->meta.ipsec |= ah ? SIX_PKT_SEC_AH : SIX_PKT_SEC_ESP;
    }
    return nxt;
}

/* The protection bit a request is met by. */
static unsigned req_bit(const struct six_sp_req *r) {
    int tunnel = r->mode == SIX_IPSEC_MODE_TUNNEL;
    switch (r->proto) {
    case SIX_IPSEC_PROTO_ESP:
        return tunnel ? SIX_PKT_SEC_ESP_TUNNEL : SIX_PKT_SEC_ESP;
    case SIX_IPSEC_PROTO_AH:
        return tunnel ? SIX_PKT_SEC_AH_TUNNEL : SIX_PKT_SEC_AH;
    default:
        return SIX_PKT_SEC_COMP;
    }
}

static int ipsec_check(void *ctx, struct six_pkt *pkt) {
    struct six_ipsec *ips = ctx;
    struct in6_addr src, dst;
    const struct six_sp *sp;

    if (!ips->nsp[SIX_SP_IN])
        return 0;
    memcpy(&src, pkt->data + SIX_IP6_OFF_SRC, sizeof(src));
    memcpy(&dst, pkt->data + SIX_IP6_OFF_DST, sizeof(dst));
    struct six__sel sel = {.src = &src, .dst = &dst};
    size_t l4 = pkt->meta.l4_off;
    six__sel_ports(&sel, pkt->meta.l4_proto, pkt->data + l4, pkt->len > l4 ? pkt->len - l4 : 0);
    if (!(sp = six__spd_lookup(ips, SIX_SP_IN, &sel)) || sp->action == SIX_SP_BYPASS)
        return 0;
    if (sp->action == SIX_SP_DISCARD) {
        SIX_STAT(ips->core, ipsec_in_discard);
        return -1;
    }
    for (unsigned i = 0; i < sp->nreq; i++) {
        const struct six_sp_req *r = &sp->req[i];
        /* IPComp may be left out by a sender whose data would not
         * shrink (RFC 3173 2.2): never required on input. */
        if (r->level == SIX_SP_LEVEL_USE || r->proto == SIX_IPSEC_PROTO_IPCOMP)
            continue;
        if (!(pkt->meta.ipsec & req_bit(r))) {
            SIX_STAT(ips->core, ipsec_in_policy);
            return -1;
        }
    }
    return 0;
}

struct six_ipsec *six__ipsec_new(struct six_core *core, struct six_ip6 *ip6) {
    struct six_ipsec *ips = calloc(1, sizeof(*ips));

    if (!ips)
        return NULL;
    ips->core = core;
    ips->ip6 = ip6;
    ips->crypto = &six__crypto_openssl;
    ips->comp = &six__comp_zlib;
    six__timer_init(&ips->life_timer, six__sad_life_timer, ips);
    ip6->ipsec_input = ipsec_input;
    ip6->ipsec_check = ipsec_check;
    ip6->ipsec_output = ipsec_output;
    ip6->ipsec_overhead = ipsec_overhead;
    ip6->ipsec_ctx = ips;
    return ips;
}

void six__ipsec_free(struct six_ipsec *ips) {
    if (!ips)
        return;
    six__timer_cancel(ips->core, &ips->life_timer);
    six__ipsec_sa_flush(ips);
    free(ips->spd[SIX_SP_IN]);
    free(ips->spd[SIX_SP_OUT]);
    ips->ip6->ipsec_input = NULL;
    ips->ip6->ipsec_check = NULL;
    ips->ip6->ipsec_output = NULL;
    ips->ip6->ipsec_overhead = NULL;
    free(ips);
}
