/* IPv6 reassembly: see reass.h for the design and the RFCs.
 *
 * Choices where the RFCs leave room (docs/ARCHITECTURE.md repeats them):
 * - The key adds the arrival interface to RFC 8200's (source,
 *   destination, identification) when either address is link-local or
 *   narrower (RFC 4007 zones): two links may use the same fe80:: pair.
 * - A fragment whose range is already held with the same bytes and the
 *   same M flag is an exact duplicate (RFC 8200 4.5 allows dropping it
 *   alone). Any other overlap discards the whole datagram (RFC 5722); so
 *   do fragments that disagree on where the datagram ends, and one
 *   fragment past the per-datagram limit. A discarded datagram stays in
 *   the table without buffers until its 60 s are up, so that its later
 *   fragments are dropped too instead of starting it again; it then goes
 *   without a Time Exceeded.
 * - A fragment with no data and M set carries nothing: dropped.
 * - Eviction is silent (no Time Exceeded): the oldest datagram, or for the
 *   per-source limit that source's oldest.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ip6/ip6.h"
#include "wire/bytes.h"
#include "wire/icmp6.h"
#include "wire/udp.h"

struct six_reass_src {
    struct six_reass_src *hnext, **hprev;  /* hash chain; hnext: free list */
    struct in6_addr addr;
    uint32_t zone;
    struct six_reass_dgram *oldest, *newest;   /* its datagrams */
    unsigned count;
};

struct six_reass_dgram {
    /* What a lookup walking the chain reads, in the first cache line. */
    struct six_reass_dgram *hnext, **hprev;    /* hash chain; hnext: free list */
    uint32_t ident, zone;
    struct in6_addr saddr, daddr;
    struct six_reass_dgram *older, *newer;     /* every datagram, by arrival */
    struct six_reass_dgram *src_older, *src_newer;
    struct six_reass_src *src;
    uint64_t expires;
    struct six_pkt *frags, *tail;  /* by offset; tail ends furthest */
    size_t charge;                 /* buffer bytes its fragments hold */
    uint32_t have;                 /* fragmentable bytes held */
    int32_t total;                 /* fragmentable length once known, else -1 */
    uint32_t first_nxt_off;        /* of the offset-0 fragment: the byte that */
    uint16_t nfrags;               /* named its Fragment header, and the */
    uint8_t first_nhdrs;           /* headers before it */
    uint8_t dead;                  /* discarded: drop what still comes */
};

_Static_assert(offsetof(struct six_reass_dgram, daddr) + 16 <= 64,
               "a chain walk should read one cache line per datagram");

/* ---- small helpers ---- */

static struct six_core *core_of(const struct six_reass *r) { return r->ip6->core; }

static void send_error(struct six_reass *r, struct six_pkt *pkt, uint8_t type, uint8_t code,
                       uint32_t param) {
    if (r->ip6->send_error)
        r->ip6->send_error(r->ip6->error_ctx, pkt, type, code, param);
}

static uint32_t frag_len(const struct six_pkt *p) { return p->len - p->meta.frag_data; }
static uint32_t frag_end(const struct six_pkt *p) { return p->meta.frag_off + frag_len(p); }
static const uint8_t *frag_bytes(const struct six_pkt *p) { return p->data + p->meta.frag_data; }

/* What a fragment costs the memory limit: its whole buffer. */
static size_t charge_of(const struct six_pkt *p) { return sizeof(*p) + p->cap; }

/* The zone a datagram's key carries: the interface, when an address is
 * only meaningful on its link (RFC 4007); else 0. */
static uint32_t zone_of(const struct six_pkt *pkt, const struct six_ip6_repr *h) {
    if (six_addr_scope(&h->src) <= 2 || six_addr_scope(&h->dst) <= 2)
        return pkt->ifindex;
    return 0;
}

static unsigned bucket_of(const struct six_reass *r, const struct in6_addr *src,
                          const struct in6_addr *dst, uint32_t ident, uint32_t zone) {
    uint8_t k[40];
    memcpy(k, src, 16);
    memcpy(k + 16, dst, 16);
    six_put32(k + 32, ident);
    six_put32(k + 36, zone);
    return (unsigned)six__siphash(&r->key, k, sizeof(k)) & r->mask;
}

static unsigned src_bucket_of(const struct six_reass *r, const struct in6_addr *src,
                              uint32_t zone) {
    uint8_t k[20];
    memcpy(k, src, 16);
    six_put32(k + 16, zone);
    return (unsigned)six__siphash(&r->key, k, sizeof(k)) & r->mask;
}

/* ---- the timer: armed for the oldest datagram's deadline ---- */

static void rearm(struct six_reass *r) {
    struct six_core *c = core_of(r);

    if (!r->oldest) {
        six__timer_cancel(c, &r->timer);
        return;
    }
    if (six__timer_armed(&r->timer) && r->timer.when == r->oldest->expires)
        return;
    /* The heap grows only on the first arming: with one timer for the
     * whole table, a failure here needs a stack with no timer room at all;
     * the next datagram that arrives tries again. */
    (void)six__timer_arm(c, &r->timer, r->oldest->expires);
}

/* ---- sources: how many datagrams each has waiting ---- */

/* The entry for a in bucket b (src_bucket_of), or NULL. */
static struct six_reass_src *src_find(struct six_reass *r, unsigned b, const struct in6_addr *a,
                                      uint32_t zone) {
    struct six_reass_src *s = r->src_buckets[b];
    for (; s; s = s->hnext)
        if (s->zone == zone && memcmp(&s->addr, a, 16) == 0)
            return s;
    return NULL;
}

/* A source entry for a; there is always a free one, since every entry in
 * use has a datagram and a slot was free for the new one. */
static struct six_reass_src *src_get(struct six_reass *r, unsigned b, const struct in6_addr *a,
                                     uint32_t zone) {
    struct six_reass_src *s = src_find(r, b, a, zone), **head;

    if (s)
        return s;
    s = r->free_srcs;
    r->free_srcs = s->hnext;
    memset(s, 0, sizeof(*s));
    s->addr = *a;
    s->zone = zone;
    head = &r->src_buckets[b];
    s->hnext = *head;
    s->hprev = head;
    if (*head)
        (*head)->hprev = &s->hnext;
    *head = s;
    return s;
}

static void src_put(struct six_reass *r, struct six_reass_src *s) {
    if (--s->count > 0)
        return;
    *s->hprev = s->hnext;
    if (s->hnext)
        s->hnext->hprev = s->hprev;
    s->hnext = r->free_srcs;
    r->free_srcs = s;
}

/* ---- datagrams ---- */

static void free_frags(struct six_reass *r, struct six_reass_dgram *d) {
    struct six_pkt *p = d->frags;
    while (p) {
        struct six_pkt *next = p->next;
        six__pkt_free(p);
        p = next;
    }
    d->frags = d->tail = NULL;
    r->bytes -= d->charge;
    d->charge = 0;
    d->have = 0;
    d->nfrags = 0;
}

/* Unlinks d from every list, frees its fragments and its slot. */
static void release(struct six_reass *r, struct six_reass_dgram *d) {
    struct six_reass_src *s = d->src;
    int was_oldest = r->oldest == d;

    free_frags(r, d);
    *d->hprev = d->hnext;
    if (d->hnext)
        d->hnext->hprev = d->hprev;
    *(d->older ? &d->older->newer : &r->oldest) = d->newer;
    *(d->newer ? &d->newer->older : &r->newest) = d->older;
    *(d->src_older ? &d->src_older->src_newer : &s->oldest) = d->src_newer;
    *(d->src_newer ? &d->src_newer->src_older : &s->newest) = d->src_older;
    src_put(r, s);
    d->hnext = r->free_dgrams;
    r->free_dgrams = d;
    r->ndgrams--;
    if (was_oldest)
        rearm(r);
}

/* Discards d's fragments but keeps it, marked, until its deadline. */
static void kill(struct six_reass *r, struct six_reass_dgram *d) {
    free_frags(r, d);
    d->dead = 1;
}

/* Drops d to make room; a datagram already discarded is not counted
 * again. */
static void evict(struct six_reass *r, struct six_reass_dgram *d, uint64_t *counter) {
    if (!d->dead)
        (*counter)++;
    release(r, d);
}

/* The datagram with this key, or NULL; *bucket says where it goes. */
static struct six_reass_dgram *lookup(struct six_reass *r, const struct six_ip6_repr *h,
                                      uint32_t ident, uint32_t zone, unsigned *bucket) {
    struct six_reass_dgram *d;

    *bucket = bucket_of(r, &h->src, &h->dst, ident, zone);
    for (d = r->buckets[*bucket]; d; d = d->hnext)
        if (d->ident == ident && d->zone == zone && memcmp(&d->saddr, &h->src, 16) == 0 &&
            memcmp(&d->daddr, &h->dst, 16) == 0)
            return d;
    return NULL;
}

/* Makes room for one more datagram from src: its source's oldest goes
 * when the source is at its limit, the oldest of all when the table is
 * full. */
static void make_slot(struct six_reass *r, unsigned sb, const struct in6_addr *src,
                      uint32_t zone) {
    struct six_stats *st = &core_of(r)->stats;
    struct six_reass_src *s = src_find(r, sb, src, zone);

    if (s && s->count >= r->max_per_src)
        evict(r, s->oldest, &st->reass_evict_src);
    if (!r->free_dgrams)
        evict(r, r->oldest, &st->reass_evict_full);
}

static struct six_reass_dgram *create(struct six_reass *r, const struct six_ip6_repr *h,
                                      uint32_t ident, uint32_t zone, unsigned bucket) {
    unsigned sb = src_bucket_of(r, &h->src, zone);
    struct six_reass_dgram *d, **head;
    struct six_reass_src *s;

    make_slot(r, sb, &h->src, zone);
    d = r->free_dgrams;
    r->free_dgrams = d->hnext;
    memset(d, 0, sizeof(*d));
    d->saddr = h->src;
    d->daddr = h->dst;
    d->ident = ident;
    d->zone = zone;
    d->total = -1;
    d->expires = six__now(core_of(r)) + SIX_REASS_TIMEOUT_US;
    head = &r->buckets[bucket];
    d->hnext = *head;
    d->hprev = head;
    if (*head)
        (*head)->hprev = &d->hnext;
    *head = d;
    d->older = r->newest;
    *(r->newest ? &r->newest->newer : &r->oldest) = d;
    r->newest = d;
    s = src_get(r, sb, &h->src, zone);
    d->src = s;
    d->src_older = s->newest;
    *(s->newest ? &s->newest->src_newer : &s->oldest) = d;
    s->newest = d;
    s->count++;
    r->ndgrams++;
    rearm(r);   /* a no-op unless d is the only one, or arming failed */
    return d;
}

/* ---- one fragment on its own (RFC 8200 4.5, RFC 7112) ---- */

/* Whether the first fragment (borrowed) holds the whole header chain
 * through the upper-layer header (RFC 7112 5, RFC 8200 4.5). Only the
 * headers this stack's input walks are extension headers; anything else
 * is an upper-layer header, of which the known ones must be there whole. */
static int chain_complete(const struct six_pkt *pkt, size_t off, uint8_t nxt) {
    const uint8_t *p = pkt->data;
    size_t end = pkt->len;

    for (int n = 0; n < SIX_MAX_EXT_HDRS; n++) {
        switch (nxt) {
        case SIX_NH_HOPOPTS:
        case SIX_NH_ROUTING:
        case SIX_NH_DSTOPTS:
            if (end - off < 2 || end - off < ((size_t)p[off + 1] + 1) * 8)
                return 0;
            nxt = p[off];
            off += ((size_t)p[off + 1] + 1) * 8;
            break;
        case SIX_NH_FRAGMENT:
            if (end - off < SIX_FRAG_HDR_LEN)
                return 0;
            nxt = p[off];
            off += SIX_FRAG_HDR_LEN;
            break;
        case SIX_NH_ICMPV6:
            return end - off >= SIX_ICMP6_HDR_LEN;
        case SIX_NH_UDP:
            return end - off >= SIX_UDP_HDR_LEN;
        case SIX_NH_TCP:
            return end - off >= 20;   /* RFC 9293 3.1: the fixed header */
        default:
            return 1;   /* No Next Header, or a protocol of unknown shape */
        }
    }
    return 1;   /* too long a chain: the input walk drops it later */
}

/* The checks one fragment must pass before it is queued. Borrows pkt;
 * returns 0, or -EINVAL when it must be dropped (counted, error sent). */
static int check_fragment(struct six_reass *r, struct six_pkt *pkt,
                          const struct six_frag_repr *f, size_t hdr_off) {
    struct six_core *c = core_of(r);
    size_t data = hdr_off + SIX_FRAG_HDR_LEN;
    size_t len = pkt->len - data;

    /* RFC 8200 4.5: a fragment other than the last whose length is not a
     * multiple of 8 is discarded, with Parameter Problem code 0 pointing
     * at its Payload Length field. */
    if (f->more && len % 8 != 0) {
        send_error(r, pkt, SIX_ICMP6_PARAM_PROB, SIX_ICMP6_PP_HEADER, SIX_IP6_OFF_PLEN);
        SIX_STAT(c, reass_bad_len);
        return -EINVAL;
    }
    if (f->more && len == 0) {
        SIX_STAT(c, reass_empty);
        return -EINVAL;
    }
    /* RFC 8200 4.5: a fragment that would make the reassembled Payload
     * Length (its own unfragmentable headers, then offset + length) pass
     * 65535 is discarded, with Parameter Problem code 0 pointing at its
     * Fragment Offset field. */
    if ((hdr_off - SIX_IP6_HDR_LEN) + f->offset + len > 65535) {
        send_error(r, pkt, SIX_ICMP6_PARAM_PROB, SIX_ICMP6_PP_HEADER, (uint32_t)hdr_off + 2);
        SIX_STAT(c, reass_too_big);
        return -EINVAL;
    }
    /* RFC 7112 5 / RFC 8200 4.5: a first fragment without the whole
     * header chain is discarded, with Parameter Problem code 3, pointer
     * 0. */
    if (f->offset == 0 && !chain_complete(pkt, data, f->nxt)) {
        send_error(r, pkt, SIX_ICMP6_PARAM_PROB, SIX_ICMP6_PP_FIRSTFRAG, 0);
        SIX_STAT(c, reass_first_short);
        return -EINVAL;
    }
    return 0;
}

/* ---- a fragment against its datagram ---- */

enum fit { FIT_OK, FIT_DUP, FIT_OVERLAP, FIT_BAD_END, FIT_TOO_MANY };

/* Whether p, already held, is the datagram's last fragment. */
static int is_last(const struct six_reass_dgram *d, const struct six_pkt *p) {
    return d->total >= 0 && frag_end(p) == (uint32_t)d->total;
}

/* Finds where pkt goes in d's list (*pred: the fragment it follows, NULL
 * for the head) and whether it may. Borrows pkt; changes nothing. */
static enum fit fit(const struct six_reass *r, const struct six_reass_dgram *d,
                    const struct six_pkt *pkt, int more, struct six_pkt **pred) {
    uint32_t off = pkt->meta.frag_off, end = frag_end(pkt);
    struct six_pkt *p = NULL, *succ;

    /* RFC 8200 4.5: the fragment with M = 0 gives the datagram's length;
     * nothing may lie past it, and there is one such end. */
    if (d->total >= 0 && (end > (uint32_t)d->total || (!more && end != (uint32_t)d->total)))
        return FIT_BAD_END;
    if (!more && d->tail && frag_end(d->tail) > end)
        return FIT_BAD_END;
    /* In order is the common case: straight after the tail. */
    if (d->tail && d->tail->meta.frag_off <= off)
        p = d->tail;
    else
        for (struct six_pkt *q = d->frags; q && q->meta.frag_off <= off; q = q->next)
            p = q;
    *pred = p;
    succ = p ? p->next : d->frags;
    if (p && p->meta.frag_off == off && frag_len(p) == frag_len(pkt) &&
        is_last(d, p) == !more && memcmp(frag_bytes(p), frag_bytes(pkt), frag_len(p)) == 0)
        return FIT_DUP;
    /* RFC 5722: any overlap discards the datagram. */
    if ((p && frag_end(p) > off) || (succ && end > succ->meta.frag_off))
        return FIT_OVERLAP;
    if (d->nfrags >= r->max_frags)
        return FIT_TOO_MANY;
    return FIT_OK;
}

/* Evicts the oldest datagrams other than d until what is held fits the
 * memory limit. Returns 0, or -ENOBUFS when d alone is over it. */
static int make_room(struct six_reass *r, struct six_reass_dgram *d) {
    while (r->bytes > r->max_bytes) {
        struct six_reass_dgram *victim = r->oldest == d ? d->newer : r->oldest;
        if (!victim)
            return -ENOBUFS;
        evict(r, victim, &core_of(r)->stats.reass_evict_mem);
    }
    return 0;
}

/* Links pkt into d after pred. Consumes pkt. */
static void link_frag(struct six_reass *r, struct six_reass_dgram *d, struct six_pkt *pkt,
                      struct six_pkt *pred, int more, const struct six_reass_pos *pos) {
    if (pred) {
        pkt->next = pred->next;
        pred->next = pkt;
    } else {
        pkt->next = d->frags;
        d->frags = pkt;
    }
    if (!pkt->next)
        d->tail = pkt;
    if (!more)
        d->total = (int32_t)frag_end(pkt);
    if (pkt->meta.frag_off == 0) {
        d->first_nxt_off = (uint32_t)pos->nxt_off;
        d->first_nhdrs = (uint8_t)pos->nhdrs;
    }
    d->have += frag_len(pkt);
    d->nfrags++;
    d->charge += charge_of(pkt);
    r->bytes += charge_of(pkt);
}

/* ---- completion ---- */

/* Copies d's fragments into one packet: the first fragment's headers up
 * to its Fragment header, then every fragment's data at its offset.
 * Returns the packet (and where its walk resumes), or NULL (counted). */
static struct six_pkt *join(struct six_reass *r, struct six_reass_dgram *d,
                            struct six_reass_pos *pos) {
    const struct six_pkt *first = d->frags;
    size_t unfrag = first->meta.frag_data - SIX_FRAG_HDR_LEN;
    size_t size = unfrag + (size_t)d->total;
    struct six_pkt *out;

    /* Each fragment passed the 65535 check with its own headers; only
     * the first's are kept, and they may be longer. */
    if (size - SIX_IP6_HDR_LEN > 65535) {
        SIX_STAT(core_of(r), reass_too_big);
        return NULL;
    }
    if (!(out = six__pkt_alloc(&core_of(r)->pools, SIX_PKT_HEADROOM, size))) {
        SIX_STAT(core_of(r), reass_nobufs);
        return NULL;
    }
    memcpy(out->data, first->data, unfrag);
    for (const struct six_pkt *p = d->frags; p; p = p->next)
        memcpy(out->data + unfrag + p->meta.frag_off, frag_bytes(p), frag_len(p));
    /* RFC 8200 4.5: the Next Header of the last unfragmentable header
     * comes from the first fragment's Fragment header; the Payload Length
     * is recomputed. */
    pos->off = unfrag;
    pos->nxt = first->data[unfrag];
    pos->nxt_off = d->first_nxt_off;
    pos->nhdrs = d->first_nhdrs + 1;
    out->data[pos->nxt_off] = pos->nxt;
    six_put16(out->data + SIX_IP6_OFF_PLEN, (uint16_t)(size - SIX_IP6_HDR_LEN));
    out->ifindex = first->ifindex;
    out->meta = first->meta;
    out->meta.frag_data = 0;
    out->meta.frag_off = 0;
    return out;
}

static int complete(const struct six_reass_dgram *d) {
    return d->total >= 0 && d->have == (uint32_t)d->total;
}

/* ---- the entry point ---- */

/* Files pkt into its datagram. Consumes pkt. Returns the reassembled
 * packet when it completed one, else NULL. */
static struct six_pkt *file(struct six_reass *r, struct six_pkt *pkt,
                            const struct six_ip6_repr *h, const struct six_frag_repr *f,
                            struct six_reass_pos *pos) {
    struct six_core *c = core_of(r);
    uint32_t zone = zone_of(pkt, h);
    struct six_reass_dgram *d;
    struct six_pkt *pred, *out = NULL;
    unsigned bucket;

    if (!(d = lookup(r, h, f->ident, zone, &bucket)))
        d = create(r, h, f->ident, zone, bucket);
    if (d->dead) {
        SIX_STAT(c, reass_dead);
        goto drop;
    }
    switch (fit(r, d, pkt, f->more, &pred)) {
    case FIT_OK:
        break;
    case FIT_DUP:
        SIX_STAT(c, reass_dup);
        goto drop;
    case FIT_OVERLAP:
        SIX_STAT(c, reass_overlap);
        kill(r, d);
        goto drop;
    case FIT_BAD_END:
        SIX_STAT(c, reass_bad_end);
        kill(r, d);
        goto drop;
    case FIT_TOO_MANY:
        SIX_STAT(c, reass_too_many_frags);
        kill(r, d);
        goto drop;
    }
    link_frag(r, d, pkt, pred, f->more, pos);
    if (complete(d)) {
        if ((out = join(r, d, pos)))
            SIX_STAT(c, reass_ok);
        release(r, d);
        return out;
    }
    /* Only what stays counts against the memory limit. */
    if (make_room(r, d) < 0) {
        SIX_STAT(c, reass_evict_mem);
        release(r, d);
    }
    return NULL;
drop:
    six__pkt_free(pkt);
    return NULL;
}

int six__reass_input(struct six_reass *r, struct six_pkt **pktp, const struct six_ip6_repr *h,
                     const struct six_frag_repr *f, struct six_reass_pos *pos) {
    struct six_pkt *pkt = *pktp;

    *pktp = NULL;
    SIX_STAT(core_of(r), reass_in_frags);
    if (!r->max_dgrams) {
        SIX_STAT(core_of(r), reass_off);
        six__pkt_free(pkt);
        return 0;
    }
    if (check_fragment(r, pkt, f, pos->off) < 0) {
        six__pkt_free(pkt);
        return 0;
    }
    pkt->meta.frag_data = (uint32_t)(pos->off + SIX_FRAG_HDR_LEN);
    pkt->meta.frag_off = f->offset;
    *pktp = file(r, pkt, h, f, pos);
    return *pktp != NULL;
}

/* ---- timeout ---- */

/* RFC 8200 4.5: 60 s after its first-arriving fragment a datagram is
 * abandoned; if its first fragment came, the source hears Time Exceeded
 * code 1 about that fragment. */
static void expire(struct six_timer *t, void *arg) {
    struct six_reass *r = arg;
    uint64_t now = six__now(core_of(r));
    struct six_reass_dgram *d;

    (void)t;
    while ((d = r->oldest) && d->expires <= now) {
        if (!d->dead) {
            SIX_STAT(core_of(r), reass_timeout);
            if (d->frags && d->frags->meta.frag_off == 0)
                send_error(r, d->frags, SIX_ICMP6_TIME_EXCEEDED, SIX_ICMP6_TE_REASSEMBLY, 0);
        }
        release(r, d);
    }
    rearm(r);
}

unsigned six__reass_max_chain(const struct six_reass *r) {
    unsigned longest = 0;

    for (unsigned b = 0; r->buckets && b <= r->mask; b++) {
        unsigned n = 0;
        for (const struct six_reass_dgram *d = r->buckets[b]; d; d = d->hnext)
            n++;
        if (n > longest)
            longest = n;
    }
    return longest;
}

/* ---- setup ---- */

int six__reass_init(struct six_reass *r, struct six_ip6 *ip6,
                    const struct six_stack_config *cfg) {
    unsigned n = cfg->reass_max_datagrams, buckets = 1;

    memset(r, 0, sizeof(*r));
    r->ip6 = ip6;
    six__timer_init(&r->timer, expire, r);
    r->max_dgrams = n;
    r->max_per_src = cfg->reass_max_per_source ? cfg->reass_max_per_source : UINT32_MAX;
    r->max_frags = cfg->reass_max_frags < 2 ? 2 : cfg->reass_max_frags;
    if (r->max_frags > UINT16_MAX)
        r->max_frags = UINT16_MAX;
    r->max_bytes = cfg->reass_max_bytes;
    if (n == 0)
        return 0;
    while (buckets < n && buckets < (1u << 30))
        buckets <<= 1;
    r->mask = buckets - 1;
    six__rand_key(ip6->core, &r->key, sizeof(r->key));
    r->slots = calloc(n, sizeof(*r->slots));
    r->srcs = calloc(n, sizeof(*r->srcs));
    r->buckets = calloc(buckets, sizeof(*r->buckets));
    r->src_buckets = calloc(buckets, sizeof(*r->src_buckets));
    if (!r->slots || !r->srcs || !r->buckets || !r->src_buckets) {
        six__reass_fini(r);
        return -ENOMEM;
    }
    for (unsigned i = n; i-- > 0;) {
        r->slots[i].hnext = r->free_dgrams;
        r->free_dgrams = &r->slots[i];
        r->srcs[i].hnext = r->free_srcs;
        r->free_srcs = &r->srcs[i];
    }
    return 0;
}

void six__reass_fini(struct six_reass *r) {
    while (r->oldest)
        release(r, r->oldest);
    if (r->ip6)
        six__timer_cancel(r->ip6->core, &r->timer);
    free(r->slots);
    free(r->srcs);
    free(r->buckets);
    free(r->src_buckets);
    r->slots = NULL;
    r->srcs = NULL;
    r->buckets = NULL;
    r->src_buckets = NULL;
    r->max_dgrams = 0;
}
