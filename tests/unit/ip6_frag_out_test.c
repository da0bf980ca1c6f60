/* Unit tests for src/ip6/frag_out.c: six__frag_split on packets built
 * byte by byte, with and without every extension header, every fragment
 * checked to the byte; the refusals (unfragmentable part too big, header
 * chain not fitting the first fragment, buffers running out half-way);
 * the unfragmentable length; fragment identifications (RFC 7739).
 *
 *   original   | IPv6 | HbH | Dst1 | RH | Dst2 | upper-layer data ...... |
 *              |<--- unfragmentable --->|<------- fragmentable -------->|
 *   fragment k | IPv6 | HbH | Dst1 | RH | Frag | piece k                 |
 *                                   RH's Next Header becomes 44; Frag's is
 *                                   60 (Dst2), piece 0 starts with Dst2.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "ip6/ip6.h"
#include "test.h"
#include "wire/bytes.h"
#include "wire/ext.h"
#include "wire/ipv6.h"

#define UPPER 253

static struct six_pools pools;

static void pools_up(void) { six__pools_init(&pools, 256, 8); }

static void pools_down(void) {
    CHECK_EQ(six__pools_in_use(&pools), 0);
    six__pools_fini(&pools);
}

/* The headers a test packet carries: lengths in bytes, 0 for none. */
struct shape {
    size_t hbh, dst1, rth, dst2;
    size_t data;
};

/* Appends an options header of len bytes (PadN filling it) naming nxt. */
static size_t put_opts(uint8_t *p, size_t len, uint8_t nxt) {
    memset(p, 0, len);
    p[0] = nxt;
    p[1] = (uint8_t)(len / 8 - 1);
    six_opt_pad(p + 2, len - 2);
    return len;
}

/* A routing header of len bytes, type 0, Segments Left 0. */
static size_t put_rth(uint8_t *p, size_t len, uint8_t nxt) {
    memset(p, 0, len);
    p[0] = nxt;
    p[1] = (uint8_t)(len / 8 - 1);
    return len;
}

/* Builds the packet sh describes; data bytes are i * 7 + 3. Returns it
 * and sets *unfrag to its unfragmentable length. */
static struct six_pkt *build(const struct shape *sh, size_t *unfrag) {
    size_t ext = sh->hbh + (sh->rth ? sh->dst1 + sh->rth : 0) + sh->dst2;
    struct six_pkt *pkt = six__pkt_alloc(&pools, 0, SIX_IP6_HDR_LEN + ext + sh->data);
    struct six_ip6_repr h = {.plen = (uint16_t)(ext + sh->data), .hlim = 64};
    uint8_t *p;

    CHECK(pkt != NULL);
    inet_pton(AF_INET6, "2001:db8::1", &h.src);
    inet_pton(AF_INET6, "2001:db8::2", &h.dst);
    /* Next Header values, first to last. */
    uint8_t chain[6];
    int n = 0;
    if (sh->hbh)
        chain[n++] = SIX_NH_HOPOPTS;
    if (sh->rth && sh->dst1)
        chain[n++] = SIX_NH_DSTOPTS;
    if (sh->rth)
        chain[n++] = SIX_NH_ROUTING;
    if (sh->dst2)
        chain[n++] = SIX_NH_DSTOPTS;
    chain[n] = UPPER;
    h.nxt = chain[0];
    six_ip6_emit(&h, pkt->data);
    p = pkt->data + SIX_IP6_HDR_LEN;
    int i = 1;
    if (sh->hbh)
        p += put_opts(p, sh->hbh, chain[i++]);
    if (sh->rth && sh->dst1)
        p += put_opts(p, sh->dst1, chain[i++]);
    if (sh->rth)
        p += put_rth(p, sh->rth, chain[i++]);
    *unfrag = (size_t)(p - pkt->data);
    if (sh->dst2)
        p += put_opts(p, sh->dst2, chain[i++]);
    for (size_t k = 0; k < sh->data; k++)
        p[k] = (uint8_t)(k * 7 + 3);
    return pkt;
}

/* Checks every fragment on q against the original: size, unfragmentable
 * part repeated with only Payload Length and the last Next Header
 * changed, offsets in order and multiples of 8, M on all but the last,
 * one identification, and the pieces together the fragmentable part. */
static void check_fragments(const struct six_pkt *orig, size_t unfrag, unsigned mtu,
                            uint32_t ident, const struct six_pktq *q, size_t nxt_off) {
    size_t frag_total = orig->len - unfrag, next = 0;
    uint8_t nxt_orig = orig->data[nxt_off];

    for (const struct six_pkt *f = q->head; f; f = f->next) {
        struct six_frag_repr fr;
        size_t piece = f->len - unfrag - SIX_FRAG_HDR_LEN;

        CHECK(f->len <= mtu);
        CHECK_EQ(six_get16(f->data + SIX_IP6_OFF_PLEN), f->len - SIX_IP6_HDR_LEN);
        /* The unfragmentable part, but for Payload Length and the Next
         * Header that now names the Fragment header. */
        CHECK_MEM(f->data, orig->data, SIX_IP6_OFF_PLEN);
        CHECK_EQ(f->data[nxt_off], SIX_NH_FRAGMENT);
        for (size_t k = SIX_IP6_OFF_PLEN + 2; k < unfrag; k++)
            if (k != nxt_off)
                CHECK_EQ(f->data[k], orig->data[k]);
        CHECK_EQ(six_frag_parse(f->data + unfrag, SIX_FRAG_HDR_LEN, &fr), 0);
        CHECK_EQ(fr.nxt, nxt_orig);
        CHECK_EQ(fr.ident, ident);
        CHECK_EQ(fr.offset, next);
        CHECK_EQ(fr.offset % 8, 0);
        CHECK_EQ(fr.more, f->next != NULL);
        if (f->next)
            CHECK_EQ(piece % 8, 0);
        CHECK(piece > 0);
        CHECK_MEM(f->data + unfrag + SIX_FRAG_HDR_LEN, orig->data + unfrag + next, piece);
        next += piece;
    }
    CHECK_EQ(next, frag_total);
}

static int split(const struct six_pkt *pkt, size_t unfrag, size_t first_min, unsigned mtu,
                 uint32_t ident, struct six_pktq *q) {
    memset(q, 0, sizeof(*q));
    return six__frag_split(&pools, pkt, unfrag, first_min, mtu, ident, q);
}

TEST(split_without_extension_headers) {
    struct shape sh = {.data = 3000};
    struct six_pktq q;
    size_t unfrag;

    pools_up();
    struct six_pkt *pkt = build(&sh, &unfrag);
    CHECK_EQ(unfrag, 40);
    /* (1500 - 40 - 8) & ~7 = 1448: pieces of 1448, 1448, 104. */
    CHECK_EQ(split(pkt, unfrag, 8, 1500, 0x12345678, &q), 3);
    CHECK_EQ(q.head->len, 1496);
    CHECK_EQ(q.tail->len, 40 + 8 + 104);
    check_fragments(pkt, unfrag, 1500, 0x12345678, &q, SIX_IP6_OFF_NXT);
    six__pktq_purge(&q);
    six__pkt_free(pkt);
    pools_down();
}

TEST(split_with_every_extension_header) {
    struct shape sh = {.hbh = 8, .dst1 = 16, .rth = 24, .dst2 = 8, .data = 2500};
    struct six_pktq q;
    size_t unfrag;

    pools_up();
    struct six_pkt *pkt = build(&sh, &unfrag);
    CHECK_EQ(unfrag, 40 + 8 + 16 + 24);
    CHECK(split(pkt, unfrag, 16, 1280, 7, &q) >= 2);
    /* The routing header's Next Header (at 40 + 8 + 16) named Dst2; the
     * Fragment header names it now, and only the first piece has it. */
    check_fragments(pkt, unfrag, 1280, 7, &q, 40 + 8 + 16);
    CHECK_EQ(q.head->data[unfrag], SIX_NH_DSTOPTS);
    CHECK_MEM(q.head->data + unfrag + 8, pkt->data + unfrag, 8);
    for (const struct six_pkt *f = q.head->next; f; f = f->next)
        CHECK(memcmp(f->data + unfrag + 8, pkt->data + unfrag, 8) != 0);
    six__pktq_purge(&q);
    six__pkt_free(pkt);
    pools_down();
}

TEST(split_with_hop_by_hop_only_patches_its_next_header) {
    struct shape sh = {.hbh = 16, .data = 2000};
    struct six_pktq q;
    size_t unfrag;

    pools_up();
    struct six_pkt *pkt = build(&sh, &unfrag);
    CHECK_EQ(split(pkt, unfrag, 8, 1500, 99, &q), 2);
    CHECK_EQ(q.head->data[SIX_IP6_OFF_NXT], SIX_NH_HOPOPTS);
    check_fragments(pkt, unfrag, 1500, 99, &q, 40);
    CHECK_EQ(q.head->data[unfrag], UPPER);
    six__pktq_purge(&q);
    six__pkt_free(pkt);
    pools_down();
}

TEST(split_with_destination_options_after_routing_only) {
    /* Dst2 alone is fragmentable: the fixed header's Next Header changes. */
    struct shape sh = {.dst2 = 24, .data = 1500};
    struct six_pktq q;
    size_t unfrag;

    pools_up();
    struct six_pkt *pkt = build(&sh, &unfrag);
    CHECK_EQ(unfrag, 40);
    CHECK_EQ(split(pkt, unfrag, 32, 1280, 1, &q), 2);
    check_fragments(pkt, unfrag, 1280, 1, &q, SIX_IP6_OFF_NXT);
    CHECK_EQ(q.head->data[40], SIX_NH_DSTOPTS);
    six__pktq_purge(&q);
    six__pkt_free(pkt);
    pools_down();
}

TEST(split_at_1280_fills_every_fragment_but_the_last) {
    struct shape sh = {.data = 65535 - 40};
    struct six_pktq q;
    size_t unfrag;

    pools_up();
    struct six_pkt *pkt = build(&sh, &unfrag);
    int n = split(pkt, unfrag, 8, 1280, 0xffffffff, &q);
    /* (1280 - 48) = 1232 per piece: ceil(65495 / 1232) = 54. */
    CHECK_EQ(n, 54);
    for (const struct six_pkt *f = q.head; f && f->next; f = f->next)
        CHECK_EQ(f->len, 1280);
    check_fragments(pkt, unfrag, 1280, 0xffffffff, &q, SIX_IP6_OFF_NXT);
    six__pktq_purge(&q);
    six__pkt_free(pkt);
    pools_down();
}

TEST(split_refuses_an_unfragmentable_part_that_leaves_no_room) {
    /* 40 + 1232 + 8 = 1280 leaves no 8-byte piece. */
    struct shape sh = {.hbh = 1232, .data = 100};
    struct six_pktq q;
    size_t unfrag;

    pools_up();
    struct six_pkt *pkt = build(&sh, &unfrag);
    CHECK_EQ(split(pkt, unfrag, 8, 1280, 1, &q), -EMSGSIZE);
    CHECK(q.head == NULL);
    /* With 8 bytes less there is room for pieces of 8. */
    CHECK_EQ(split(pkt, unfrag, 8, 1288, 1, &q), 13);
    check_fragments(pkt, unfrag, 1288, 1, &q, 40);
    six__pktq_purge(&q);
    six__pkt_free(pkt);
    pools_down();
}

TEST(split_refuses_a_header_chain_longer_than_the_first_fragment) {
    /* RFC 7112: the first fragment must hold Dst2 and the upper-layer
     * header; 1200 bytes of Dst2 + 8 do not fit a 1160-byte piece. */
    struct shape sh = {.hbh = 72, .dst2 = 1200, .data = 100};
    struct six_pktq q;
    size_t unfrag;

    pools_up();
    struct six_pkt *pkt = build(&sh, &unfrag);
    CHECK_EQ(split(pkt, unfrag, 1208, 1280, 1, &q), -EMSGSIZE);
    CHECK(q.head == NULL);
    CHECK_EQ(split(pkt, unfrag, 1208, 1500, 1, &q), 1);
    six__pktq_purge(&q);
    six__pkt_free(pkt);
    pools_down();
}

TEST(split_takes_every_buffer_first_or_none) {
    struct shape sh = {.data = 5000};
    struct six_pktq q;
    size_t unfrag;

    pools_up();
    struct six_pkt *pkt = build(&sh, &unfrag);
    for (unsigned nth = 1; nth <= 4; nth++) {
        pools.fail_nth = nth;
        CHECK_EQ(split(pkt, unfrag, 8, 1500, 1, &q), -ENOBUFS);
        CHECK(q.head == NULL);
        CHECK_EQ(six__pools_in_use(&pools), 1);
    }
    pools.fail_nth = 0;
    CHECK_EQ(split(pkt, unfrag, 8, 1500, 1, &q), 4);
    six__pktq_purge(&q);
    six__pkt_free(pkt);
    pools_down();
}

TEST(unfragmentable_length_counts_dst1_only_with_a_routing_header) {
    uint8_t h8[8] = {0}, h24[24] = {0};
    struct six_ip6_out o = {.hbh = h8, .hbh_len = 8, .dst1 = h24, .dst1_len = 24,
                            .dst2 = h8, .dst2_len = 8};

    CHECK_EQ(six__frag_unfrag_len(&o), 48);
    o.rth = h24;
    o.rth_len = 24;
    CHECK_EQ(six__frag_unfrag_len(&o), 40 + 8 + 24 + 24);
    o.hbh = NULL;
    CHECK_EQ(six__frag_unfrag_len(&o), 40 + 24 + 24);
}

/* ---- identifications ---- */

struct idfx {
    struct six_core core;
    struct six_ip6 ip6;
};

static void id_up(struct idfx *f, uint64_t seed) {
    struct six_stack_config cfg;
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = seed;
    CHECK_EQ(six__core_init(&f->core, &cfg), 0);
    six__ip6_init(&f->ip6, &f->core, 64);
}

static void id_down(struct idfx *f) {
    six__ip6_fini(&f->ip6);
    six__core_fini(&f->core);
}

static struct in6_addr A6(const char *s) {
    struct in6_addr a;
    CHECK_EQ(inet_pton(AF_INET6, s, &a), 1);
    return a;
}

TEST(ident_counts_up_per_pair_from_a_secret_offset) {
    struct idfx f;
    struct in6_addr a = A6("2001:db8::1"), b = A6("2001:db8::2"), c = A6("2001:db8::3");

    id_up(&f, 5);
    uint32_t first = six__frag_ident(&f.ip6, &a, &b);
    CHECK_EQ(six__frag_ident(&f.ip6, &a, &b), first + 1);
    CHECK_EQ(six__frag_ident(&f.ip6, &a, &b), first + 2);
    /* Another destination starts elsewhere: it learns nothing of b's. */
    uint32_t other = six__frag_ident(&f.ip6, &a, &c);
    CHECK(other - first > 1000 && first - other > 1000);
    id_down(&f);
}

TEST(ident_repeats_with_a_seed_and_differs_without) {
    struct idfx f, g;
    struct in6_addr a = A6("2001:db8::1"), b = A6("2001:db8::2");

    id_up(&f, 77);
    id_up(&g, 77);
    CHECK_EQ(six__frag_ident(&f.ip6, &a, &b), six__frag_ident(&g.ip6, &a, &b));
    id_down(&f);
    id_down(&g);
    /* Unseeded, the keys come from getrandom(): two stacks agree on four
     * offsets with probability 2^-128. */
    id_up(&f, 0);
    id_up(&g, 0);
    int same = 0;
    for (int i = 0; i < 4; i++) {
        struct in6_addr d = b;
        d.s6_addr[15] = (uint8_t)(i + 10);
        same += six__frag_ident(&f.ip6, &a, &d) == six__frag_ident(&g.ip6, &a, &d);
    }
    CHECK(same < 4);
    id_down(&f);
    id_down(&g);
}
