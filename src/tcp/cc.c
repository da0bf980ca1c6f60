/* Congestion control behind an operations table: NewReno (RFC 5681, RFC
 * 6582) and CUBIC (RFC 9438). Fast recovery itself (NewReno's partial ACKs,
 * RFC 6675's SACK recovery) is input.c's and sack.c's; an algorithm here
 * only says how cwnd grows and where ssthresh goes at a congestion event.
 */
#include <string.h>

#include "tcp/tcp.h"

/* cwnd grows by n, up to the largest window a peer can offer (RFC 7323:
 * 65535 << 14, 1 GiB): more would never be used, and a connection that
 * never loses a segment (loopback) grew it past 2^32 after 4 GiB, back to
 * nearly 0, and stopped sending for good. */
static void cwnd_grow(struct six_tcb *t, uint32_t n) {
    t->cwnd = t->cwnd < SIX_TCP_CWND_MAX - n ? t->cwnd + n : SIX_TCP_CWND_MAX;
}

/* ---- NewReno (RFC 5681 3.1) ---- */

static void reno_init(struct six_tcb *t) { (void)t; }

static void reno_on_ack(struct six_tcb *t, uint32_t acked, uint64_t now) {
    (void)now;
    if (t->cwnd < t->ssthresh)   /* slow start, RFC 3465's L = 2 SMSS */
        cwnd_grow(t, acked < 2u * t->mss ? acked : 2u * t->mss);
    else                         /* congestion avoidance: ~1 SMSS per RTT */
        cwnd_grow(t, (uint32_t)((uint64_t)t->mss * t->mss / t->cwnd) + 1);
}

/* RFC 5681 (4): max(FlightSize / 2, 2 SMSS). */
static uint32_t reno_ssthresh(struct six_tcb *t, uint64_t now) {
    uint32_t half = (t->snd_max - t->snd_una) / 2;
    (void)now;
    return half > 2u * t->mss ? half : 2u * t->mss;
}

const struct six_tcp_cc six__tcp_reno = {
    .name = "reno", .init = reno_init, .on_ack = reno_on_ack, .ssthresh = reno_ssthresh};

/* ---- CUBIC (RFC 9438) ----
 * Windows in segments as doubles inside the formulas; cwnd stays bytes.
 * C = 0.4, beta_cubic = 0.7, fast convergence on (RFC 9438 4.7). */

#define CUBIC_C 0.4
#define CUBIC_BETA 0.7

double six__tcp_cbrt(double x) {
    double r = x > 1 ? x / 3 : 1;
    if (x <= 0)
        return 0;
    for (int i = 0; i < 60; i++) {
        double next = (2 * r + x / (r * r)) / 3;
        if (next == r)
            break;
        r = next;
    }
    return r;
}

static void cubic_init(struct six_tcb *t) {
    t->cc_w_max = 0;
    t->cc_epoch = 0;
}

static void cubic_on_ack(struct six_tcb *t, uint32_t acked, uint64_t now) {
    double mss = t->mss, cwnd = t->cwnd / mss, target, w_est, tsec;

    if (t->cwnd < t->ssthresh) {
        reno_on_ack(t, acked, now);
        return;
    }
    if (t->cc_epoch == 0) {
        /* RFC 9438 4.2: a new congestion avoidance epoch. */
        t->cc_epoch = now ? now : 1;
        if (t->cc_w_max > t->cwnd) {
            double k = six__tcp_cbrt((t->cc_w_max - t->cwnd) / mss / CUBIC_C);
            t->cc_k_ms = (uint32_t)(k * 1000);
            t->cc_origin = t->cc_w_max;
        } else {
            t->cc_k_ms = 0;
            t->cc_origin = t->cwnd;
        }
        t->cc_w_est = t->cwnd;
    }
    /* W_cubic(t + RTT) (RFC 9438 4.2, Figure 1). */
    tsec = ((double)(now - t->cc_epoch) + t->srtt_us) / 1e6 - t->cc_k_ms / 1000.0;
    target = t->cc_origin / mss + CUBIC_C * tsec * tsec * tsec;
    /* The Reno-friendly estimate (RFC 9438 4.3). */
    w_est = t->cc_w_est / mss +
            3.0 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA) * ((double)acked / mss) / cwnd;
    t->cc_w_est = (uint32_t)(w_est * mss);
    if (w_est > target)
        target = w_est;
    if (target > 1.5 * cwnd)
        target = 1.5 * cwnd;   /* RFC 9438 4.2: at most 1.5 cwnd per RTT */
    if (target > cwnd)
        cwnd_grow(t, (uint32_t)((target - cwnd) / cwnd * acked) + 1);
}

static uint32_t cubic_ssthresh(struct six_tcb *t, uint64_t now) {
    uint32_t w = t->cwnd, s;
    (void)now;
    /* Fast convergence (RFC 9438 4.7). */
    if (w < t->cc_w_max)
        t->cc_w_max = (uint32_t)(w * (1 + CUBIC_BETA) / 2);
    else
        t->cc_w_max = w;
    t->cc_epoch = 0;
    s = (uint32_t)(w * CUBIC_BETA);
    return s > 2u * t->mss ? s : 2u * t->mss;
}

const struct six_tcp_cc six__tcp_cubic = {
    .name = "cubic", .init = cubic_init, .on_ack = cubic_on_ack, .ssthresh = cubic_ssthresh};

const struct six_tcp_cc *six__tcp_cc_find(const char *name) {
    static const struct six_tcp_cc *const all[] = {&six__tcp_reno, &six__tcp_cubic};
    for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (strcmp(all[i]->name, name) == 0)
            return all[i];
    return NULL;
}
