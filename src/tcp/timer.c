/* A TCB's timers: retransmission with exponential backoff (RFC 6298 5),
 * SYN retransmission, zero-window probes (RFC 9293 3.8.6.1), delayed ACKs
 * (RFC 1122 4.2.3.2), TIME_WAIT (2 MSL), the FIN_WAIT_2 limit of a
 * connection whose socket closed, and giving back empty rings. All on the
 * stack's clock, behind one core timer per TCB (tcp.h). */
#include <errno.h>

#include "tcp/tcp.h"

void six__tcp_set_timer(struct six_tcb *t, int k, uint64_t when) {
    t->when[k] = when;
    if (when == SIX_NEVER)
        return;
    if (!six__timer_armed(&t->timer) || when < t->timer.when)
        six__timer_arm(t->tcp->core, &t->timer, when);
}

static void backoff(struct six_tcb *t) {
    uint64_t rto = (uint64_t)t->rto_us * 2;
    t->rto_us = (uint32_t)(rto > SIX_TCP_RTO_MAX ? SIX_TCP_RTO_MAX : rto);
}

/* Returns 1 when t is gone. */
static int rtx_timeout(struct six_tcb *t, uint64_t now) {
    struct six_core *core = t->tcp->core;
    uint32_t flight = t->snd_max - t->snd_una;

    if (t->state == SIX_TCP_SYN_SENT || t->state == SIX_TCP_SYN_RECEIVED) {
        if (++t->rtx_count > SIX_TCP_SYN_RETRIES) {
            SIX_STAT(core, tcp_conn_timeouts);
            six__tcp_drop(t, ETIMEDOUT);
            return 1;
        }
        backoff(t);
        SIX_STAT(core, tcp_out_retransmits);
        t->rtt_timing = 0;
        six__tcp_send_seg(t, t->iss, 0,
                          t->state == SIX_TCP_SYN_SENT ? SIX_TCP_SYN : SIX_TCP_SYN | SIX_TCP_ACK);
        six__tcp_set_timer(t, SIX_TCPT_RTX, now + t->rto_us);
        return 0;
    }
    if (flight > 0) {
        uint32_t half = flight / 2;
        if (++t->rtx_count > SIX_TCP_DATA_RETRIES) {
            SIX_STAT(core, tcp_conn_timeouts);
            six__tcp_drop(t, ETIMEDOUT);
            return 1;
        }
        SIX_STAT(core, tcp_out_timeouts);
        t->total_rtx++;
        /* RFC 5681 3.1 (4): ssthresh = max(FlightSize / 2, 2 SMSS), and
         * the window restarts from one segment; RFC 6298 5.5: back off;
         * everything past snd_una goes again (go-back-N). */
        (void)half;
        t->ssthresh = t->cc->ssthresh(t, now);
        t->cwnd = t->mss;
        t->n_sacked = 0;      /* go-back-N resends everything anyway */
        t->in_recovery = 0;
        t->dupacks = 0;
        t->recover = t->snd_max;
        backoff(t);
        t->snd_nxt = t->snd_una;
        t->rtt_timing = 0;
        six__tcp_rtx_one(t);
        t->snd_nxt = t->snd_una + (t->snd_max - t->snd_una < t->mss ? t->snd_max - t->snd_una : t->mss);
        six__tcp_set_timer(t, SIX_TCPT_RTX, now + t->rto_us);
        six__tcp_output(t);
        return 0;
    }
    if (t->snd_wnd == 0 && t->snd.len > 0 && six__tcp_synchronized(t)) {
        /* A window probe: an old sequence number draws an ACK that says
         * the window; probes go on as long as the peer answers. */
        six__tcp_send_ctl(t, t->snd_una - 1, SIX_TCP_ACK);
        backoff(t);
        six__tcp_set_timer(t, SIX_TCPT_RTX, now + t->rto_us);
    }
    return 0;
}

static int long_timeout(struct six_tcb *t) {
    if (t->state == SIX_TCP_TIME_WAIT || (!t->owner && t->state == SIX_TCP_FIN_WAIT_2)) {
        six__tcp_drop(t, 0);
        return 1;
    }
    return 0;
}

static void ring_timeout(struct six_tcb *t) {
    if (t->snd.len == 0 && t->snd.buf)
        six__ring_free(t->tcp, &t->snd);
    if (t->rcv.len == 0 && t->n_ooo == 0 && t->rcv.buf)
        six__ring_free(t->tcp, &t->rcv);
}

void six__tcp_keepalive_arm(struct six_tcb *t) {
    uint64_t base = six__now(t->tcp->core);

    if (!t->keepalive || !six__tcp_synchronized(t) || t->state == SIX_TCP_TIME_WAIT) {
        t->when[SIX_TCPT_KEEP] = SIX_NEVER;
        return;
    }
    six__tcp_set_timer(t, SIX_TCPT_KEEP, base + (uint64_t)t->keep_idle_s * 1000000u);
}

/* Keepalive (RFC 1122 4.2.3.6): after keep_idle_s without a segment from
 * the peer, a probe (an ACK one byte back, which the peer must answer)
 * every keep_intvl_s; keep_cnt unanswered end the connection. A segment
 * arriving just moves last_rcv (no timer touched per segment): the timer
 * then finds the idle time not over yet and waits the rest. Returns 1
 * when t is gone. */
static int keep_timeout(struct six_tcb *t, uint64_t now) {
    uint64_t idle = (uint64_t)t->keep_idle_s * 1000000u;

    if (!t->keepalive || !six__tcp_synchronized(t) || t->state >= SIX_TCP_CLOSING)
        return 0;
    if (now - t->last_rcv < idle && t->keep_probes == 0) {
        six__tcp_set_timer(t, SIX_TCPT_KEEP, t->last_rcv + idle);
        return 0;
    }
    if (t->keep_probes >= t->keep_cnt) {
        SIX_STAT(t->tcp->core, tcp_conn_timeouts);
        six__tcp_drop(t, ETIMEDOUT);
        return 1;
    }
    t->keep_probes++;
    SIX_STAT(t->tcp->core, tcp_out_keepalives);
    six__tcp_send_ctl(t, t->snd_una - 1, SIX_TCP_ACK);
    six__tcp_set_timer(t, SIX_TCPT_KEEP, now + (uint64_t)t->keep_intvl_s * 1000000u);
    return 0;
}

void six__tcp_timer(struct six_timer *tm, void *arg) {
    struct six_tcb *t = arg;
    uint64_t now = six__now(t->tcp->core), next = SIX_NEVER;
    (void)tm;

    if (t->when[SIX_TCPT_DELACK] <= now) {
        t->when[SIX_TCPT_DELACK] = SIX_NEVER;
        SIX_STAT(t->tcp->core, tcp_out_delayed_acks);
        six__tcp_send_ctl(t, t->snd_nxt, SIX_TCP_ACK);
    }
    if (t->when[SIX_TCPT_RING] <= now) {
        t->when[SIX_TCPT_RING] = SIX_NEVER;
        ring_timeout(t);
    }
    if (t->when[SIX_TCPT_LONG] <= now) {
        t->when[SIX_TCPT_LONG] = SIX_NEVER;
        if (long_timeout(t))
            return;
    }
    if (t->when[SIX_TCPT_RTX] <= now) {
        t->when[SIX_TCPT_RTX] = SIX_NEVER;
        if (rtx_timeout(t, now))
            return;
    }
    if (t->when[SIX_TCPT_KEEP] <= now) {
        t->when[SIX_TCPT_KEEP] = SIX_NEVER;
        if (keep_timeout(t, now))
            return;
    }
    for (int k = 0; k < SIX_TCPT_N; k++)
        if (t->when[k] < next)
            next = t->when[k];
    if (next != SIX_NEVER && (!six__timer_armed(&t->timer) || next < t->timer.when))
        six__timer_arm(t->tcp->core, &t->timer, next);
}
