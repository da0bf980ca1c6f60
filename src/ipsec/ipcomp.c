/* IPComp (RFC 3173) with DEFLATE (RFC 2394) over one packet and one SA.
 * Output compresses what follows the header chain's unfragmentable part
 * (or the inner packet, in a tunnel) when it is worth it: a payload under
 * SIX_IPCOMP_MIN bytes, or one that would not shrink, goes as it is,
 * without an IPComp header (2.2 allows it; the peer's policy must then
 * accept it either way, as "use" says). Input inflates into the SA's
 * buffer, never past what an IPv6 packet can hold.
 */
#include <errno.h>
#include <string.h>

#include "ipsec/ipsec.h"
#include "wire/ext.h"
#include "wire/ipcomp.h"
#include "wire/ipv6.h"

/* Payloads shorter than this go uncompressed (Linux uses 90 for IPv6). */
#define SIX_IPCOMP_MIN 90

int six__ipcomp_output(struct six_ipsec *ips, struct six__sa *sa, struct six_pkt *pkt,
                       size_t off, size_t nxt_off) {
    size_t plen = pkt->len - off;
    long n;

    if (plen < SIX_IPCOMP_MIN) {
        SIX_STAT(ips->core, ipsec_out_ipcomp_skipped);
        return 0;
    }
    n = ips->comp->compress(sa->comp, pkt->data + off, plen, sa->scratch,
                            plen - SIX_IPCOMP_HDR_LEN - 1);
    if (n < 0) {
        /* It would not shrink: sent as it is. */
        SIX_STAT(ips->core, ipsec_out_ipcomp_skipped);
        return 0;
    }
    six_ipcomp_emit(&(struct six_ipcomp_repr){.nxt = pkt->data[nxt_off],
                                              .cpi = (uint16_t)sa->cfg.spi},
                    pkt->data + off);
    memcpy(pkt->data + off + SIX_IPCOMP_HDR_LEN, sa->scratch, (size_t)n);
    pkt->len = (uint32_t)(off + SIX_IPCOMP_HDR_LEN + (size_t)n);
    six__ipsec_adjust_plen(pkt, (long)(SIX_IPCOMP_HDR_LEN + (size_t)n) - (long)plen);
    pkt->data[nxt_off] = SIX_NH_IPCOMP;
    SIX_STAT(ips->core, ipsec_out_ipcomp);
    return 0;
}

/* A copy of pkt's first keep bytes with room for more behind them. */
static struct six_pkt *bigger(struct six_ipsec *ips, const struct six_pkt *pkt, size_t keep,
                              size_t need) {
    struct six_pkt *n = six__pkt_alloc(&ips->core->pools, 0, need);

    if (!n)
        return NULL;
    memcpy(n->data, pkt->data, keep);
    n->ifindex = pkt->ifindex;
    n->flags = pkt->flags;
    n->ll_mcast = pkt->ll_mcast;
    n->meta = pkt->meta;
    return n;
}

int six__ipcomp_input(struct six_ipsec *ips, struct six_pkt **pp, size_t off, size_t nxt_off,
                      uint8_t *nxt, struct six__sa **sa_out) {
    struct six_pkt *pkt = *pp;
    struct six_ipcomp_repr r;
    struct six__sa *sa;
    size_t cap = 65535 + SIX_IP6_HDR_LEN - off;
    long n;

    if (six_ipcomp_parse(pkt->data + off, pkt->len - off, &r) < 0 || off > 65535) {
        SIX_STAT(ips->core, ipsec_in_malformed);
        return -1;
    }
    if (!(sa = six__sad_find_in(ips, pkt, SIX_IPSEC_PROTO_IPCOMP, r.cpi)))
        return -1;
    n = ips->comp->decompress(sa->comp, pkt->data + off + SIX_IPCOMP_HDR_LEN,
                              pkt->len - off - SIX_IPCOMP_HDR_LEN, sa->scratch,
                              cap < SIX_IPCOMP_SCRATCH ? cap : SIX_IPCOMP_SCRATCH);
    if (n < 0) {
        SIX_STAT(ips->core, ipsec_in_comp_failed);
        return -1;
    }
    if (six__sad_charge(ips, sa, (size_t)n) < 0)
        return -1;
    if (six__pkt_headroom(pkt) + off + (size_t)n > pkt->cap) {
        struct six_pkt *b = bigger(ips, pkt, off, off + (size_t)n);
        if (!b) {
            SIX_STAT(ips->core, ipsec_in_comp_failed);
            return -1;
        }
        six__pkt_free(pkt);
        *pp = pkt = b;
    }
    memcpy(pkt->data + off, sa->scratch, (size_t)n);
    pkt->len = (uint32_t)(off + (size_t)n);
    /* The Payload Length of what is there now. */
    pkt->data[SIX_IP6_OFF_PLEN] = (uint8_t)((pkt->len - SIX_IP6_HDR_LEN) >> 8);
    pkt->data[SIX_IP6_OFF_PLEN + 1] = (uint8_t)(pkt->len - SIX_IP6_HDR_LEN);
    pkt->data[nxt_off] = r.nxt;
    *nxt = r.nxt;
    *sa_out = sa;
    SIX_STAT(ips->core, ipsec_in_ipcomp);
    return 0;
}
