/* Unit tests for src/core/pkt.c: the two packet pools and their limits,
 * reuse from the free lists, the small-to-large fallback, reference
 * counts, fault injection (fail_nth), headroom and push, and the packet
 * FIFO. Each test builds its own pools and ends with every buffer back. */
#include <stdlib.h>

#include "core/pkt.h"
#include "test.h"

/* Ends a test: every packet is back in its pool. */
static void pools_done(struct six_pools *p) {
    CHECK_EQ(six__pools_in_use(p), 0);
    CHECK_EQ(p->small.out, 0);
    CHECK_EQ(p->large.out, 0);
    six__pools_fini(p);
}

/* ---- allocation ---- */

TEST(pkt_alloc_places_data_after_headroom_with_one_reference) {
    struct six_pools p;
    struct six_pkt *pkt;

    six__pools_init(&p, 4, 4);
    pkt = six__pkt_alloc(&p, 100, 300);
    CHECK(pkt != NULL);
    CHECK(pkt->data == pkt->buf + 100);
    CHECK_EQ(six__pkt_headroom(pkt), 100);
    CHECK_EQ(pkt->len, 300);
    CHECK_EQ(pkt->refs, 1);
    CHECK(pkt->cap >= 400);
    CHECK(pkt->pool == &p.small);
    CHECK(pkt->next == NULL);
    /* The whole of headroom + len is writable (ASan checks the bound). */
    memset(pkt->buf, 0xab, 400);
    CHECK_EQ(six__pools_in_use(&p), 1);
    six__pkt_free(pkt);
    pools_done(&p);
}

TEST(pkt_alloc_picks_the_small_pool_up_to_its_size_exactly) {
    struct six_pools p;
    struct six_pkt *a, *b;

    six__pools_init(&p, 4, 4);
    a = six__pkt_alloc(&p, SIX_PKT_HEADROOM, SIX_PKT_SMALL - SIX_PKT_HEADROOM);
    b = six__pkt_alloc(&p, SIX_PKT_HEADROOM, SIX_PKT_SMALL - SIX_PKT_HEADROOM + 1);
    CHECK(a && b);
    CHECK(a->pool == &p.small);
    CHECK(b->pool == &p.large);
    CHECK_EQ(a->cap, SIX_PKT_SMALL);
    CHECK_EQ(b->cap, SIX_PKT_LARGE);
    six__pkt_free(a);
    six__pkt_free(b);
    pools_done(&p);
}

TEST(pkt_alloc_over_the_large_size_fails_and_counts) {
    struct six_pools p;
    struct six_pkt *ok;

    six__pools_init(&p, 4, 4);
    CHECK(six__pkt_alloc(&p, 0, SIX_PKT_LARGE + 1) == NULL);
    CHECK(six__pkt_alloc(&p, 1, SIX_PKT_LARGE) == NULL);
    CHECK_EQ(p.failures, 2);
    CHECK_EQ(p.large.made, 0);
    ok = six__pkt_alloc(&p, 0, SIX_PKT_LARGE);
    CHECK(ok != NULL);
    CHECK(ok->pool == &p.large);
    CHECK_EQ(p.failures, 2);
    six__pkt_free(ok);
    pools_done(&p);
}

/* ---- limits ---- */

TEST(pool_limit_reached_gives_null_and_counts_a_failure) {
    struct six_pools p;
    struct six_pkt *a, *b;

    six__pools_init(&p, 2, 0);
    a = six__pkt_alloc(&p, 0, 10);
    b = six__pkt_alloc(&p, 0, 10);
    CHECK(a && b);
    CHECK_EQ(p.failures, 0);
    CHECK(six__pkt_alloc(&p, 0, 10) == NULL);
    CHECK(six__pkt_alloc(&p, 0, 10) == NULL);
    CHECK_EQ(p.failures, 2);
    CHECK_EQ(p.small.made, 2);
    CHECK_EQ(six__pools_in_use(&p), 2);
    six__pkt_free(a);
    six__pkt_free(b);
    pools_done(&p);
}

TEST(small_request_falls_back_to_the_large_pool_when_small_is_dry) {
    struct six_pools p;
    struct six_pkt *a, *b, *c;

    six__pools_init(&p, 1, 1);
    a = six__pkt_alloc(&p, 0, 10);
    b = six__pkt_alloc(&p, 0, 10);
    CHECK(a && b);
    CHECK(a->pool == &p.small);
    CHECK(b->pool == &p.large);
    CHECK_EQ(b->cap, SIX_PKT_LARGE);
    CHECK(six__pkt_alloc(&p, 0, 10) == NULL);
    CHECK_EQ(p.failures, 1);
    /* The borrowed large buffer goes back to the large pool. */
    six__pkt_free(b);
    CHECK_EQ(p.large.out, 0);
    c = six__pkt_alloc(&p, 0, 5000);
    CHECK(c == b);
    six__pkt_free(c);
    six__pkt_free(a);
    pools_done(&p);
}

TEST(large_request_never_borrows_from_the_small_pool) {
    struct six_pools p;

    six__pools_init(&p, 8, 0);
    CHECK(six__pkt_alloc(&p, 0, SIX_PKT_SMALL + 1) == NULL);
    CHECK_EQ(p.failures, 1);
    CHECK_EQ(p.small.made, 0);
    pools_done(&p);
}

TEST(pool_limit_counts_packets_out_not_packets_ever_made) {
    struct six_pools p;

    six__pools_init(&p, 2, 0);
    for (int i = 0; i < 100; i++) {
        struct six_pkt *a = six__pkt_alloc(&p, 0, 10);
        struct six_pkt *b = six__pkt_alloc(&p, 0, 10);
        CHECK(a && b);
        six__pkt_free(a);
        six__pkt_free(b);
    }
    CHECK_EQ(p.failures, 0);
    pools_done(&p);
}

/* ---- reuse ---- */

TEST(freed_buffer_is_reused_without_a_new_allocation) {
    struct six_pools p;
    struct six_pkt *a, *b;

    six__pools_init(&p, 4, 4);
    a = six__pkt_alloc(&p, 0, 100);
    CHECK_EQ(p.small.made, 1);
    six__pkt_free(a);
    b = six__pkt_alloc(&p, 0, 200);
    CHECK(b == a);
    CHECK_EQ(p.small.made, 1);
    six__pkt_free(b);
    pools_done(&p);
}

TEST(reused_buffer_starts_clean) {
    struct six_pools p;
    struct six_pkt *a, *b;

    six__pools_init(&p, 1, 0);
    a = six__pkt_alloc(&p, 10, 100);
    a->ifindex = 7;
    a->meta.l4_off = 40;
    a->meta.l4_proto = 58;
    a->meta.hbh_off = 40;
    six__pkt_free(a);
    b = six__pkt_alloc(&p, 64, 20);
    CHECK(b == a);
    CHECK_EQ(b->refs, 1);
    CHECK_EQ(b->ifindex, 0);
    CHECK_EQ(b->len, 20);
    CHECK(b->data == b->buf + 64);
    CHECK(b->next == NULL);
    CHECK_EQ(b->meta.l4_off, 0);
    CHECK_EQ(b->meta.l4_proto, 0);
    CHECK_EQ(b->meta.hbh_off, 0);
    six__pkt_free(b);
    pools_done(&p);
}

TEST(pools_fini_frees_the_free_lists) {
    struct six_pools p;
    struct six_pkt *a, *b;

    six__pools_init(&p, 4, 4);
    a = six__pkt_alloc(&p, 0, 10);
    b = six__pkt_alloc(&p, 0, 5000);
    six__pkt_free(a);
    six__pkt_free(b);
    six__pools_fini(&p);
    /* LeakSanitizer reports the buffers if they were kept. */
    CHECK(p.small.free == NULL);
    CHECK(p.large.free == NULL);
    CHECK_EQ(p.small.made, 0);
    CHECK_EQ(p.large.made, 0);
}

/* ---- reference counts ---- */

TEST(pkt_ref_keeps_the_buffer_out_until_the_last_free) {
    struct six_pools p;
    struct six_pkt *a;

    six__pools_init(&p, 4, 4);
    a = six__pkt_alloc(&p, 0, 10);
    CHECK(six__pkt_ref(a) == a);
    six__pkt_ref(a);
    CHECK_EQ(a->refs, 3);
    six__pkt_free(a);
    six__pkt_free(a);
    CHECK_EQ(six__pools_in_use(&p), 1);
    CHECK(p.small.free == NULL);
    six__pkt_free(a);
    CHECK_EQ(six__pools_in_use(&p), 0);
    CHECK(p.small.free == a);
    pools_done(&p);
}

TEST(pkt_free_of_null_does_nothing) {
    struct six_pools p;

    six__pools_init(&p, 4, 4);
    six__pkt_free(NULL);
    pools_done(&p);
}

/* ---- fault injection ---- */

TEST(fail_nth_fails_exactly_the_nth_allocation) {
    struct six_pools p;
    struct six_pkt *got[6];

    six__pools_init(&p, 8, 8);
    p.fail_nth = 3;
    for (int i = 0; i < 6; i++)
        got[i] = six__pkt_alloc(&p, 0, i % 2 ? 5000 : 10);
    CHECK(got[0] && got[1]);
    CHECK(got[2] == NULL);
    CHECK(got[3] && got[4] && got[5]);
    CHECK_EQ(p.failures, 1);
    CHECK_EQ(p.fail_nth, 0);
    for (int i = 0; i < 6; i++)
        six__pkt_free(got[i]);
    pools_done(&p);
}

TEST(fail_nth_one_fails_the_next_allocation) {
    struct six_pools p;
    struct six_pkt *a;

    six__pools_init(&p, 8, 8);
    p.fail_nth = 1;
    CHECK(six__pkt_alloc(&p, 0, 10) == NULL);
    CHECK_EQ(p.failures, 1);
    a = six__pkt_alloc(&p, 0, 10);
    CHECK(a != NULL);
    six__pkt_free(a);
    pools_done(&p);
}

TEST(fail_nth_zero_fails_nothing) {
    struct six_pools p;
    struct six_pkt *got[64];

    six__pools_init(&p, 64, 0);
    for (int i = 0; i < 64; i++)
        CHECK((got[i] = six__pkt_alloc(&p, 0, 10)) != NULL);
    CHECK_EQ(p.failures, 0);
    for (int i = 0; i < 64; i++)
        six__pkt_free(got[i]);
    pools_done(&p);
}

/* ---- headroom and push ---- */

TEST(pkt_push_grows_data_into_the_headroom) {
    struct six_pools p;
    struct six_pkt *a;
    uint8_t *old, *hdr;

    six__pools_init(&p, 4, 4);
    a = six__pkt_alloc(&p, 64, 10);
    old = a->data;
    hdr = six__pkt_push(a, 40);
    CHECK(hdr == old - 40);
    CHECK(a->data == hdr);
    CHECK_EQ(a->len, 50);
    CHECK_EQ(six__pkt_headroom(a), 24);
    hdr = six__pkt_push(a, 24);
    CHECK(hdr == a->buf);
    CHECK_EQ(six__pkt_headroom(a), 0);
    CHECK_EQ(a->len, 74);
    six__pkt_free(a);
    pools_done(&p);
}

/* ---- the FIFO ---- */

TEST(pktq_pops_in_push_order_and_tracks_count) {
    struct six_pools p;
    struct six_pktq q = {0};
    struct six_pkt *a, *b, *c;

    six__pools_init(&p, 4, 4);
    a = six__pkt_alloc(&p, 0, 1);
    b = six__pkt_alloc(&p, 0, 2);
    c = six__pkt_alloc(&p, 0, 3);
    CHECK(six__pktq_pop(&q) == NULL);
    six__pktq_push(&q, a);
    six__pktq_push(&q, b);
    CHECK_EQ(q.count, 2);
    CHECK(six__pktq_pop(&q) == a);
    CHECK(a->next == NULL);
    six__pktq_push(&q, c);
    CHECK(six__pktq_pop(&q) == b);
    CHECK(six__pktq_pop(&q) == c);
    CHECK_EQ(q.count, 0);
    CHECK(q.head == NULL && q.tail == NULL);
    CHECK(six__pktq_pop(&q) == NULL);
    /* Emptied then refilled: the tail was reset. */
    six__pktq_push(&q, a);
    CHECK(q.head == a && q.tail == a);
    CHECK(six__pktq_pop(&q) == a);
    six__pkt_free(a);
    six__pkt_free(b);
    six__pkt_free(c);
    pools_done(&p);
}

TEST(pktq_purge_frees_every_queued_packet) {
    struct six_pools p;
    struct six_pktq q = {0};

    six__pools_init(&p, 8, 0);
    for (int i = 0; i < 5; i++)
        six__pktq_push(&q, six__pkt_alloc(&p, 0, 10));
    CHECK_EQ(six__pools_in_use(&p), 5);
    six__pktq_purge(&q);
    CHECK_EQ(q.count, 0);
    CHECK(q.head == NULL && q.tail == NULL);
    pools_done(&p);
}

TEST(pktq_purge_drops_only_the_queue_reference) {
    struct six_pools p;
    struct six_pktq q = {0};
    struct six_pkt *a;

    six__pools_init(&p, 8, 0);
    a = six__pkt_alloc(&p, 0, 10);
    six__pktq_push(&q, six__pkt_ref(a));
    six__pktq_purge(&q);
    CHECK_EQ(six__pools_in_use(&p), 1);
    CHECK_EQ(a->refs, 1);
    six__pkt_free(a);
    pools_done(&p);
}

/* ---- six__pools_in_use ---- */

TEST(pools_in_use_counts_both_pools) {
    struct six_pools p;
    struct six_pkt *a, *b, *c;

    six__pools_init(&p, 4, 4);
    CHECK_EQ(six__pools_in_use(&p), 0);
    a = six__pkt_alloc(&p, 0, 10);
    b = six__pkt_alloc(&p, 0, 5000);
    c = six__pkt_alloc(&p, 0, 5000);
    CHECK_EQ(six__pools_in_use(&p), 3);
    six__pkt_free(b);
    CHECK_EQ(six__pools_in_use(&p), 2);
    six__pkt_free(a);
    six__pkt_free(c);
    pools_done(&p);
}
