/* Unit tests for congestion control's window growth (src/tcp/cc.c): a
 * connection that never loses a segment grows cwnd on every ACK, and it
 * must stop at the largest window a peer can offer instead of wrapping
 * past 2^32 (after 4 GiB without a loss, cwnd came back near 0 and the
 * connection never sent again). */
#include <stdlib.h>

#include "tcp/tcp.h"
#include "test.h"

static struct six_tcb *tcb_with(const struct six_tcp_cc *cc, uint32_t cwnd, uint32_t ssthresh) {
    struct six_tcb *t = calloc(1, sizeof(*t));
    CHECK(t != NULL);
    t->mss = 65463;
    t->srtt_us = 20;
    t->cc = cc;
    cc->init(t);
    t->cwnd = cwnd;
    t->ssthresh = ssthresh;
    return t;
}

/* Slow start (ssthresh never reached) and congestion avoidance, each
 * algorithm: 10,000 ACKs of two full segments from just under the top
 * leave cwnd at the top, never smaller than it was. */
static void grows_to_the_top(const struct six_tcp_cc *cc, uint32_t ssthresh) {
    struct six_tcb *t = tcb_with(cc, SIX_TCP_CWND_MAX - 10000, ssthresh);
    uint32_t was = t->cwnd;

    for (int i = 0; i < 10000; i++) {
        cc->on_ack(t, 2u * t->mss, 1000u * (uint64_t)(i + 1));
        CHECK(t->cwnd >= was);
        CHECK(t->cwnd <= SIX_TCP_CWND_MAX);
        was = t->cwnd;
    }
    CHECK_EQ(t->cwnd, SIX_TCP_CWND_MAX);
    free(t);
}

TEST(reno_cwnd_stops_at_the_largest_window_in_slow_start) {
    grows_to_the_top(&six__tcp_reno, UINT32_MAX);
}

TEST(reno_cwnd_stops_at_the_largest_window_in_congestion_avoidance) {
    grows_to_the_top(&six__tcp_reno, 2u * 65463);
}

TEST(cubic_cwnd_stops_at_the_largest_window_in_slow_start) {
    grows_to_the_top(&six__tcp_cubic, UINT32_MAX);
}

TEST(cubic_cwnd_stops_at_the_largest_window_in_congestion_avoidance) {
    grows_to_the_top(&six__tcp_cubic, 2u * 65463);
}

/* Below the top, growth is as before: slow start adds what was ACKed,
 * up to 2 SMSS (RFC 3465). */
TEST(slow_start_still_grows_by_the_bytes_acked) {
    struct six_tcb *t = tcb_with(&six__tcp_reno, 10u * 65463, UINT32_MAX);

    six__tcp_reno.on_ack(t, 1000, 1);
    CHECK_EQ(t->cwnd, 10u * 65463 + 1000);
    six__tcp_reno.on_ack(t, 3u * 65463, 2);
    CHECK_EQ(t->cwnd, 12u * 65463 + 1000);
    free(t);
}
