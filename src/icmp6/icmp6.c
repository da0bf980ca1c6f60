/* ICMPv6: see icmp6.h. RFCs: RFC 4443 (all of it), RFC 8200 section 4. */
#include "icmp6/icmp6.h"
#include "icmp6/nd.h"

#include <errno.h>
#include <string.h>

#include "icmp6/mld.h"
#include "wire/bytes.h"
#include "wire/cksum.h"
#include "wire/ext.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

/* RFC 4443 2.4(c): an error carries as much of the invoking packet as
 * fits without the error exceeding the minimum IPv6 MTU. */
#define ERR_QUOTE_MAX (SIX_IP6_MIN_MTU - SIX_IP6_HDR_LEN - SIX_ICMP6_HDR_LEN)

static void icmp6_input(void *ctx, struct six_pkt *pkt);
static void error_hook(void *ctx, struct six_pkt *pkt, uint8_t type, uint8_t code,
                       uint32_t param);

void six__icmp6_init(struct six_icmp6 *icmp6, struct six_ip6 *ip6, unsigned rate,
                     unsigned burst) {
    memset(icmp6, 0, sizeof(*icmp6));
    icmp6->ip6 = ip6;
    icmp6->rate = rate;
    icmp6->burst = burst;
    six__icmp6_rate_reset(icmp6);
    ip6->upper[SIX_NH_ICMPV6] = icmp6_input;
    ip6->upper_ctx[SIX_NH_ICMPV6] = icmp6;
    ip6->send_error = error_hook;
    ip6->error_ctx = icmp6;
}

void six__icmp6_rate_reset(struct six_icmp6 *icmp6) {
    icmp6->tokens_micro = (uint64_t)icmp6->burst * 1000000;
    icmp6->last_refill = six__now(icmp6->ip6->core);
}

int six__icmp6_errno(uint8_t type, uint8_t code) {
    switch (type) {
    case SIX_ICMP6_DST_UNREACH:
        switch (code) {
        case SIX_ICMP6_DU_NOROUTE:
            return ENETUNREACH;
        case SIX_ICMP6_DU_ADMIN:
        case SIX_ICMP6_DU_POLICY:
        case SIX_ICMP6_DU_REJECT:
            return EACCES;
        case SIX_ICMP6_DU_NOPORT:
            return ECONNREFUSED;
        default:
            return EHOSTUNREACH;
        }
    case SIX_ICMP6_PACKET_TOO_BIG:
        return EMSGSIZE;
    case SIX_ICMP6_TIME_EXCEEDED:
        return EHOSTUNREACH;
    case SIX_ICMP6_PARAM_PROB:
        return code == SIX_ICMP6_PP_NEXTHEADER ? ECONNREFUSED : EPROTO;
    default:
        return 0;
    }
}

/* ---- sending ---- */

/* Sends an ICMPv6 message: hdr (8 bytes) then body, from src (:: to let
 * the stack choose) to dst, out of ifindex when dst is scoped. */
static int send_msg(struct six_icmp6 *icmp6, const uint8_t hdr[SIX_ICMP6_HDR_LEN],
                    const uint8_t *body, size_t body_len, const struct in6_addr *src,
                    const struct in6_addr *dst, unsigned ifindex) {
    struct six_ip6 *ip6 = icmp6->ip6;
    size_t len = SIX_ICMP6_HDR_LEN + body_len;
    struct six_ip6_out o = {.dst = *dst, .nxt = SIX_NH_ICMPV6, .hlim = ip6->default_hlim};
    struct six_pkt *pkt;
    struct six_if *ifp;
    int rc;

    if (src)
        o.src = *src;
    if (six_addr_scope(dst) <= 2 || six_addr_is_multicast(dst))
        o.ifindex = ifindex;
    if ((rc = six__ip6_route_out(ip6, &o, &ifp)) < 0) {
        /* Counted as six__ip6_output would (the route comes first here,
         * for the checksum's source address). */
        if (rc == -ENETUNREACH)
            SIX_STAT(ip6->core, ip6_out_no_route);
        return rc;
    }
    pkt = six__pkt_alloc(&ip6->core->pools, SIX_PKT_HEADROOM, len);
    if (!pkt) {
        SIX_STAT(ip6->core, ip6_out_nobufs);
        return -ENOBUFS;
    }
    memcpy(pkt->data, hdr, SIX_ICMP6_HDR_LEN);
    memcpy(pkt->data + SIX_ICMP6_HDR_LEN, body, body_len);
    six_put16(pkt->data + SIX_ICMP6_OFF_CKSUM,
              six_cksum_ip6(&o.src, &o.dst, SIX_NH_ICMPV6, pkt->data, len));
    SIX_STAT(ip6->core, icmp6_out_msgs);
    return six__ip6_send(ip6, pkt, &o, ifp);
}

/* Walks the invoking packet's extension headers to its upper-layer
 * protocol; returns the offset of that header (0 when the chain cannot be
 * followed within len) and sets *proto. */
static size_t upper_layer(const uint8_t *p, size_t len, uint8_t *proto) {
    size_t off = SIX_IP6_HDR_LEN;
    uint8_t nxt;

    if (len < SIX_IP6_HDR_LEN)
        return 0;
    nxt = p[SIX_IP6_OFF_NXT];
    for (int n = 0; n < SIX_MAX_EXT_HDRS; n++) {
        struct six_ext_repr e;
        if (nxt == SIX_NH_FRAGMENT) {
            struct six_frag_repr f;
            if (six_frag_parse(p + off, len - off, &f) < 0 || f.offset != 0)
                return 0;
            nxt = f.nxt;
            off += SIX_FRAG_HDR_LEN;
            continue;
        }
        if (nxt != SIX_NH_HOPOPTS && nxt != SIX_NH_DSTOPTS && nxt != SIX_NH_ROUTING)
            break;
        if (off >= len || six_ext_parse(p + off, len - off, &e) < 0)
            return 0;
        nxt = e.nxt;
        off += e.len;
    }
    *proto = nxt;
    return off;
}

/* RFC 4443 2.4(e): the packets an error must never answer. */
static int error_forbidden(const struct six_pkt *pkt, const struct six_ip6_repr *h,
                           uint8_t type, uint8_t code) {
    uint8_t proto = 0;
    size_t off;

    /* (e.2) A multicast destination, except Packet Too Big and Parameter
     * Problem code 2 (the caller already checked the option's action). */
    if (six_addr_is_multicast(&h->dst) && type != SIX_ICMP6_PACKET_TOO_BIG &&
        !(type == SIX_ICMP6_PARAM_PROB && code == SIX_ICMP6_PP_OPTION))
        return 1;
    /* (e.3) A packet sent to a link-layer multicast or broadcast
     * address, with the same two exceptions. */
    if (pkt->ll_mcast && type != SIX_ICMP6_PACKET_TOO_BIG &&
        !(type == SIX_ICMP6_PARAM_PROB && code == SIX_ICMP6_PP_OPTION))
        return 1;
    /* (e.5) A source that does not identify a single node. */
    if (six_addr_is_unspecified(&h->src) || six_addr_is_multicast(&h->src))
        return 1;
    /* (e.1) An ICMPv6 error message, and (e.1) a Redirect. A message too
     * short to show its type might be an error: stay silent. */
    off = upper_layer(pkt->data, pkt->len, &proto);
    if (off == 0)
        return 0;
    if (proto == SIX_NH_ICMPV6) {
        if (off >= pkt->len)
            return 1;
        uint8_t t = pkt->data[off];
        return six_icmp6_is_error(t) || t == SIX_ICMP6_REDIRECT;
    }
    return 0;
}

/* RFC 4443 2.4(f): a token bucket on the stack's clock. Each elapsed
 * microsecond adds rate millionths of a token, exactly: a bucket counted
 * in coarser units and refilled with a rounded-down quotient gained
 * nothing when errors came less than a unit's time apart, so under a
 * steady flood it never refilled at all. */
static int rate_limited(struct six_icmp6 *icmp6) {
    uint64_t now = six__now(icmp6->ip6->core);
    uint64_t cap = (uint64_t)icmp6->burst * 1000000;
    uint64_t elapsed = now - icmp6->last_refill;

    /* A pause long enough to fill the bucket fills it (and keeps the
     * product below from overflowing after a long idle time). */
    if (icmp6->rate && elapsed >= cap / icmp6->rate + 1)
        icmp6->tokens_micro = cap;
    else
        icmp6->tokens_micro += elapsed * icmp6->rate;
    if (icmp6->tokens_micro > cap)
        icmp6->tokens_micro = cap;
    icmp6->last_refill = now;
    if (icmp6->tokens_micro < 1000000)
        return 1;
    icmp6->tokens_micro -= 1000000;
    return 0;
}

/* Borrows pkt. */
void six__icmp6_error(struct six_icmp6 *icmp6, struct six_pkt *pkt, uint8_t type,
                      uint8_t code, uint32_t param) {
    struct six_core *core = icmp6->ip6->core;
    struct six_ip6_repr h;
    uint8_t hdr[SIX_ICMP6_HDR_LEN];
    const struct in6_addr *src = NULL;
    size_t quote;

    if (six_ip6_parse(pkt->data, pkt->len, &h) < 0)
        return;
    if (error_forbidden(pkt, &h, type, code)) {
        SIX_STAT(core, icmp6_err_suppressed);
        return;
    }
    if (rate_limited(icmp6)) {
        SIX_STAT(core, icmp6_err_rate_limited);
        return;
    }
    /* Answer from the address the packet was sent to when it is one of
     * our unicast addresses (RFC 4443 2.2), else let selection choose. */
    if (six__ip6_addr_is_local(icmp6->ip6, &h.dst))
        src = &h.dst;
    quote = pkt->len < ERR_QUOTE_MAX ? pkt->len : ERR_QUOTE_MAX;
    six_icmp6_emit_header(type, code, param, hdr);
    if (send_msg(icmp6, hdr, pkt->data, quote, src, &h.src, pkt->ifindex) == 0)
        SIX_STAT(core, icmp6_out_errors);
}

static void error_hook(void *ctx, struct six_pkt *pkt, uint8_t type, uint8_t code,
                       uint32_t param) {
    six__icmp6_error(ctx, pkt, type, code, param);
}

/* ---- receiving ---- */

/* RFC 4443 4.2: the reply carries the request's data back. */
static void echo_request(struct six_icmp6 *icmp6, struct six_pkt *pkt,
                         const struct six_ip6_repr *h, const struct six_icmp6_repr *m) {
    struct six_core *core = icmp6->ip6->core;
    uint8_t hdr[SIX_ICMP6_HDR_LEN];
    const struct in6_addr *src = NULL;

    SIX_STAT(core, icmp6_in_echo_requests);
    if (six_addr_is_unspecified(&h->src))
        return;
    /* RFC 4443 4.2: a reply to a multicast or anycast request comes from
     * one of our unicast addresses, chosen by source selection (an
     * anycast address is never a source). */
    if (six__ip6_addr_is_local(icmp6->ip6, &h->dst))
        src = &h->dst;
    six_icmp6_emit_header(SIX_ICMP6_ECHO_REPLY, 0, m->word, hdr);
    if (send_msg(icmp6, hdr, m->body, m->body_len, src, &h->src, pkt->ifindex) == 0)
        SIX_STAT(core, icmp6_out_echo_replies);
}

/* RFC 4443 3.2 Packet Too Big, checked and applied to the path MTU cache
 * (RFC 8201). Returns the new estimate, or 0 when nothing changed and the
 * sockets have nothing to learn. The Code is ignored, as 3.2 says. */
static uint32_t packet_too_big(struct six_icmp6 *icmp6, const struct six_icmp6_repr *m,
                               const struct six_ip6_repr *inner, int quoted, unsigned arrival) {
    struct six_core *core = icmp6->ip6->core;

    SIX_STAT(core, pmtu_ptb_received);
    if (!quoted) {
        /* Nothing tells whose packet it was: not one of ours. */
        SIX_STAT(core, pmtu_ptb_not_ours);
        return 0;
    }
    return six__ip6_ptb(icmp6->ip6, &inner->src, &inner->dst, arrival, m->word);
}

/* Reports an error message to the sockets it concerns; a Packet Too Big
 * first lowers the path MTU, and only one that did is reported. */
static void error_message(struct six_icmp6 *icmp6, const struct six_icmp6_repr *m,
                          const struct six_ip6_repr *outer, unsigned arrival) {
    struct six_icmp6_err err = {
        .type = m->type, .code = m->code, .word = m->word, .ifindex = arrival,
        .from = outer->src, .from_hlim = outer->hlim};
    struct six_ip6_repr inner;
    int quoted;
    size_t off;

    SIX_STAT(icmp6->ip6->core, icmp6_in_errors);
    quoted = six_ip6_parse_quoted(m->body, m->body_len, &inner) == 0;
    if (m->type == SIX_ICMP6_PACKET_TOO_BIG &&
        (err.word = packet_too_big(icmp6, m, &inner, quoted, arrival)) == 0)
        return;
    if (!icmp6->notify || !quoted)
        return;
    err.src = inner.src;
    err.dst = inner.dst;
    off = upper_layer(m->body, m->body_len, &err.proto);
    if (off && off < m->body_len) {
        err.l4 = m->body + off;
        err.l4_len = m->body_len - off;
    }
    icmp6->notify(icmp6->notify_ctx, &err);
}

/* Consumes pkt. */
static void icmp6_input(void *ctx, struct six_pkt *pkt) {
    struct six_icmp6 *icmp6 = ctx;
    struct six_ip6 *ip6 = icmp6->ip6;
    struct six_core *core = ip6->core;
    const uint8_t *msg = pkt->data + pkt->meta.l4_off;
    size_t len = pkt->len - pkt->meta.l4_off;
    struct six_icmp6_repr m;
    struct six_ip6_repr h;

    SIX_STAT(core, icmp6_in_msgs);
    six_ip6_parse(pkt->data, pkt->len, &h);
    if (six_icmp6_parse(msg, len, &m) < 0) {
        SIX_STAT(core, icmp6_in_truncated);
        goto done;
    }
    if (!six_cksum_ip6_ok(&h.src, &h.dst, SIX_NH_ICMPV6, msg, len)) {
        SIX_STAT(core, icmp6_in_bad_checksum);
        goto done;
    }
    if (m.type == SIX_ICMP6_ECHO_REQUEST) {
        /* ip6(4): echo requests are answered here, never passed to raw
         * sockets. */
        echo_request(icmp6, pkt, &h, &m);
        goto done;
    }
    if (six_icmp6_is_error(m.type))
        error_message(icmp6, &m, &h, pkt->ifindex);
    if (six__mld_is_mld(m.type) && icmp6->mld)
        six__mld_input(icmp6->mld, pkt, &h);
    if (m.type >= SIX_ICMP6_ROUTER_SOLICIT && m.type <= SIX_ICMP6_REDIRECT && icmp6->nd)
        six__nd_input(icmp6->nd, six__ip6_if(ip6, pkt->ifindex), pkt, &h);
    if (ip6->raw_input)
        ip6->raw_input(ip6->raw_ctx, pkt);
done:
    six__pkt_free(pkt);
}
