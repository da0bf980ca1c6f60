/* Unit tests for the table of src/ip6/reass.c: many datagrams at once,
 * and keys chosen to collide under a plain hash, still give short chains
 * (the lookup stays O(1)); the limits hold at that scale. Fragments go in
 * through six__reass_input directly, on a bare core and IPv6 layer.
 * (Behaviour through the public API is in tests/integ/reass_test.c.) */
#include <arpa/inet.h>

#include "ip6/ip6.h"
#include "test.h"
#include "wire/bytes.h"
#include "wire/ipv6.h"

struct fx {
    struct six_core core;
    struct six_ip6 ip6;
};

static void fx_up(struct fx *f, unsigned max_dgrams) {
    struct six_stack_config cfg;

    memset(f, 0, sizeof(*f));
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 7;
    cfg.pkt_small_max = max_dgrams + 16;
    cfg.reass_max_datagrams = max_dgrams;
    cfg.reass_max_per_source = 0;
    cfg.reass_max_bytes = (size_t)(max_dgrams + 16) * 4096;
    CHECK_EQ(six__core_init(&f->core, &cfg), 0);
    six__ip6_init(&f->ip6, &f->core, 64);
    CHECK_EQ(six__reass_init(&f->ip6.reass, &f->ip6, &cfg), 0);
}

static void fx_down(struct fx *f) {
    six__ip6_fini(&f->ip6);
    CHECK_EQ(six__pools_in_use(&f->core.pools), 0);
    six__core_fini(&f->core);
}

/* Hands reassembly a first fragment (offset 0, M = 1, 8 bytes of data
 * for protocol 253) from src to dst with ident. */
static void first_fragment(struct fx *f, const struct in6_addr *src, const struct in6_addr *dst,
                           uint32_t ident) {
    struct six_pkt *pkt = six__pkt_alloc(&f->core.pools, SIX_PKT_HEADROOM, 56);
    struct six_ip6_repr h = {.plen = 16, .nxt = 44, .hlim = 64, .src = *src, .dst = *dst};
    struct six_frag_repr fr = {.nxt = 253, .offset = 0, .more = 1, .ident = ident};
    struct six_reass_pos pos = {.off = 40, .nxt_off = 6};

    CHECK(pkt != NULL);
    six_ip6_emit(&h, pkt->data);
    six_frag_emit(&fr, pkt->data + 40);
    memset(pkt->data + 48, 0xab, 8);
    CHECK_EQ(six__reass_input(&f->ip6.reass, &pkt, &h, &fr, &pos), 0);
    CHECK(pkt == NULL);
}

static struct in6_addr addr_n(unsigned n) {
    struct in6_addr a;
    inet_pton(AF_INET6, "2001:db8::", &a);
    six_put32(a.s6_addr + 12, n);
    return a;
}

TEST(reass_table_holds_many_datagrams_in_short_chains) {
    struct fx f;
    struct in6_addr dst = addr_n(0xffff);
    fx_up(&f, 20000);
    for (uint32_t i = 0; i < 20000; i++) {
        struct in6_addr src = addr_n(i % 97);
        first_fragment(&f, &src, &dst, i);
    }
    CHECK_EQ(six__reass_count(&f.ip6.reass), 20000);
    CHECK_EQ(f.core.stats.reass_evict_full, 0);
    /* 20000 keys in 32768 buckets: a sound hash's longest chain is a
     * handful. */
    CHECK(six__reass_max_chain(&f.ip6.reass) <= 10);
    /* One more evicts exactly one, the oldest. */
    first_fragment(&f, &dst, &dst, 1);
    CHECK_EQ(six__reass_count(&f.ip6.reass), 20000);
    CHECK_EQ(f.core.stats.reass_evict_full, 1);
    fx_down(&f);
}

TEST(reass_keys_built_to_collide_still_spread) {
    struct fx f;
    struct in6_addr src = addr_n(1), dst = addr_n(2);
    fx_up(&f, 4096);
    /* Identifications equal in their low 20 bits, and sources equal but
     * for their top bytes: both would share a bucket under a hash that
     * takes the low bits of the key. */
    for (uint32_t i = 0; i < 2048; i++)
        first_fragment(&f, &src, &dst, i << 20);
    for (uint32_t i = 0; i < 2048; i++) {
        struct in6_addr s = src;
        s.s6_addr[0] = (uint8_t)i;
        s.s6_addr[1] = (uint8_t)(i >> 8);
        first_fragment(&f, &s, &dst, 5);
    }
    CHECK_EQ(six__reass_count(&f.ip6.reass), 4096);
    CHECK(six__reass_max_chain(&f.ip6.reass) <= 10);
    fx_down(&f);
}

TEST(reass_off_takes_no_table) {
    struct fx f;
    struct in6_addr a = addr_n(1);
    fx_up(&f, 0);
    first_fragment(&f, &a, &a, 1);
    CHECK_EQ(f.core.stats.reass_off, 1);
    CHECK_EQ(six__reass_count(&f.ip6.reass), 0);
    CHECK_EQ(six__reass_max_chain(&f.ip6.reass), 0);
    fx_down(&f);
}
