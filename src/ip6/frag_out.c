/* Fragmentation on output (RFC 8200 section 4.5).
 *
 *   original:  | unfragmentable part | fragmentable part ............... |
 *              | IPv6, HbH, [Dst1, RH] | [Dst2], upper-layer header, data |
 *
 *   fragment i: | unfragmentable part | Fragment header | piece i of the  |
 *                                                        | fragmentable part|
 *
 * Every fragment repeats the unfragmentable part with its Payload Length
 * changed and the Next Header that named the first fragmentable header
 * changed to 44; the Fragment header carries that first header's type,
 * the piece's offset in 8-octet units, M (more) on all but the last, and
 * one identification for the whole packet. Pieces are multiples of 8
 * bytes except the last. The first piece holds the whole header chain
 * (RFC 7112 and RFC 8200 4.5).
 *
 * Nothing below 1280 is ever produced: callers fragment at the path MTU,
 * which is never below it (RFC 8200 5, RFC 8201 4), and never generate
 * atomic fragments (RFC 8021).
 *
 * RFCs to read before editing: RFC 8200 4.5 and 5, RFC 7112, RFC 7739,
 * RFC 8021.
 */
#include <errno.h>
#include <string.h>

#include "ip6/ip6.h"
#include "wire/bytes.h"
#include "wire/ext.h"
#include "wire/ipv6.h"

#define IDENT_COUNTERS (sizeof(((struct six_ip6 *)0)->frag_ctr) / sizeof(uint32_t))
/* The bytes of the upper-layer header the first fragment must hold when
 * the layer is unknown: enough for UDP's and ICMPv6's. */
#define UPPER_HDR_MIN 8

size_t six__frag_unfrag_len(const struct six_ip6_out *o) {
    size_t n = SIX_IP6_HDR_LEN + (o->hbh ? o->hbh_len : 0);
    if (o->rth)
        n += o->rth_len + (o->dst1 ? o->dst1_len : 0);
    return n;
}

/* RFC 7739 section 5 (the hash-based algorithm): a secret-keyed hash of
 * the addresses gives each pair an offset nobody else can guess, and one
 * of a small table of counters, picked by the same hash, moves it on per
 * packet. A destination sees its own identifications go up one by one
 * (no reuse before 2^32 packets, RFC 8200 4.5) and learns nothing about
 * those sent to anyone else. */
void six__frag_ident_forget(struct six_ip6 *ip6) {
    ip6->frag_keyed = 0;
    memset(&ip6->frag_key, 0, sizeof(ip6->frag_key));
    memset(ip6->frag_ctr, 0, sizeof(ip6->frag_ctr));
}

uint32_t six__frag_ident(struct six_ip6 *ip6, const struct in6_addr *src,
                         const struct in6_addr *dst) {
    uint8_t pair[32];
    uint64_t h;

    if (!ip6->frag_keyed) {
        six__rand_key(ip6->core, &ip6->frag_key, sizeof(ip6->frag_key));
        ip6->frag_keyed = 1;
    }
    memcpy(pair, src, 16);
    memcpy(pair + 16, dst, 16);
    h = six__siphash(&ip6->frag_key, pair, sizeof(pair));
    return (uint32_t)h + ++ip6->frag_ctr[(h >> 32) % IDENT_COUNTERS];
}

/* The offset of the Next Header field that names the first header after
 * the unfragmentable part: the fixed header's, or the last extension
 * header's in it (p is a packet this node built, so lengths are sound). */
static size_t last_nxt_off(const uint8_t *p, size_t unfrag_len) {
    size_t nxt_off = SIX_IP6_OFF_NXT;

    for (size_t off = SIX_IP6_HDR_LEN; off < unfrag_len; off += ((size_t)p[off + 1] + 1) * 8)
        nxt_off = off;
    return nxt_off;
}

/* Takes n buffers for fragments of up to len bytes onto q, all or none. */
static int take_buffers(struct six_pools *pools, unsigned n, size_t len, struct six_pktq *q) {
    for (unsigned i = 0; i < n; i++) {
        struct six_pkt *f = six__pkt_alloc(pools, SIX_PKT_HEADROOM, len);
        if (!f) {
            six__pktq_purge(q);
            return -ENOBUFS;
        }
        six__pktq_push(q, f);
    }
    return 0;
}

/* Fills fragment f with the unfragmentable part of p, a Fragment header
 * and piece [off, off + len) of the fragmentable part. */
static void fill(struct six_pkt *f, const struct six_pkt *p, size_t unfrag_len, size_t off,
                 size_t len, uint32_t ident) {
    size_t nxt_off = last_nxt_off(p->data, unfrag_len);
    size_t frag_total = p->len - unfrag_len;
    struct six_frag_repr fr = {
        .nxt = p->data[nxt_off],
        .offset = (uint16_t)off,
        .more = off + len < frag_total,
        .ident = ident,
    };

    f->len = (uint32_t)(unfrag_len + SIX_FRAG_HDR_LEN + len);
    memcpy(f->data, p->data, unfrag_len);
    f->data[nxt_off] = SIX_NH_FRAGMENT;
    six_put16(f->data + SIX_IP6_OFF_PLEN, (uint16_t)(f->len - SIX_IP6_HDR_LEN));
    six_frag_emit(&fr, f->data + unfrag_len);
    memcpy(f->data + unfrag_len + SIX_FRAG_HDR_LEN, p->data + unfrag_len + off, len);
}

/* Borrows pkt. */
int six__frag_split(struct six_pools *pools, const struct six_pkt *pkt, size_t unfrag_len,
                    size_t first_min, unsigned mtu, uint32_t ident, struct six_pktq *q) {
    size_t frag_total = pkt->len - unfrag_len, piece, off = 0;
    unsigned n;
    int rc;

    /* Each piece but the last is a multiple of 8 bytes (RFC 8200 4.5). */
    if (unfrag_len + SIX_FRAG_HDR_LEN + 8 > mtu)
        return -EMSGSIZE;
    piece = (mtu - unfrag_len - SIX_FRAG_HDR_LEN) & ~(size_t)7;
    /* RFC 7112 / RFC 8200 4.5: the first fragment carries every header up
     * to and including the upper-layer header. */
    if (piece < first_min)
        return -EMSGSIZE;
    n = (unsigned)((frag_total + piece - 1) / piece);
    if ((rc = take_buffers(pools, n, unfrag_len + SIX_FRAG_HDR_LEN + piece, q)) < 0)
        return rc;
    for (struct six_pkt *f = q->head; f; f = f->next, off += piece)
        fill(f, pkt, unfrag_len, off, frag_total - off < piece ? frag_total - off : piece,
             ident);
    return (int)n;
}

/* Sends the fragments on q (consumed) in order; after a link error the
 * rest are dropped (the packet cannot be reassembled anyway). */
static int send_all(struct six_ip6 *ip6, struct six_if *ifp, const struct in6_addr *nexthop,
                    struct six_pktq *q) {
    struct six_pkt *f;
    int rc = 0;

    while ((f = six__pktq_pop(q))) {
        if (rc < 0) {
            six__pkt_free(f);
            continue;
        }
        rc = six__ip6_link_out(ip6, ifp, nexthop, f);
        if (rc == 0)
            SIX_STAT(ip6->core, frag_out_fragments);
    }
    return rc;
}

/* Consumes pkt. */
int six__ip6_fragment(struct six_ip6 *ip6, struct six_if *ifp, const struct six_ip6_out *o,
                      struct six_pkt *pkt, unsigned mtu) {
    size_t unfrag_len = six__frag_unfrag_len(o);
    size_t upper = pkt->len - unfrag_len - (o->dst2 ? o->dst2_len : 0);
    size_t first_min = (o->dst2 ? o->dst2_len : 0) + (upper < UPPER_HDR_MIN ? upper : UPPER_HDR_MIN);
    struct six_pktq q = {0};
    int rc;

    rc = six__frag_split(&ip6->core->pools, pkt, unfrag_len, first_min, mtu,
                         six__frag_ident(ip6, &o->src, &o->dst), &q);
    six__pkt_free(pkt);
    if (rc == -ENOBUFS)
        SIX_STAT(ip6->core, frag_out_nobufs);
    else if (rc == -EMSGSIZE)
        SIX_STAT(ip6->core, frag_out_headers_too_big);
    if (rc < 0)
        return rc;
    SIX_STAT(ip6->core, frag_out_datagrams);
    return send_all(ip6, ifp, &o->nexthop, &q);
}
