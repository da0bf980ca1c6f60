/* TCP input in RFC 9293 3.10.7's order, one function per step: check the
 * sequence number, RST, SYN, ACK, process the text, FIN. RFC 5961's rules
 * against blind injection sit in the RST, SYN and ACK steps.
 *
 * No state lives outside the TCB and the segment being processed (struct
 * seg): input keeps no globals. */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "wire/cksum.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

/* One received segment, read once. */
struct seg {
    struct six_tcp_repr h;
    struct in6_addr src, dst;
    const uint8_t *data;
    uint32_t dlen;          /* data bytes */
    uint32_t len;           /* sequence space: data + SYN + FIN */
    unsigned ifindex;
    struct six_pkt *pkt;
};

/* The initial window: RFC 6928's ten segments, as Linux. */
static uint32_t initial_cwnd(const struct six_tcb *t) {
    return 10u * t->mss;
}

void six__tcp_sync_mss(struct six_tcb *t) {
    uint16_t route = six__tcp_route_mss(t);     /* TCP_MAXSEG's cap included */
    t->mss = t->peer_mss < route ? t->peer_mss : route;
    /* Every segment carries 12 bytes of timestamps (RFC 7323 3.2). */
    if (t->ts_ok)
        t->mss -= 12;
}

static void set_mss(struct six_tcb *t, const struct seg *s) {
    t->peer_mss = s->h.opt.has_mss && s->h.opt.mss ? s->h.opt.mss : SIX_TCP_DEFAULT_MSS;
    if (t->peer_mss < 64)
        t->peer_mss = 64;
    six__tcp_sync_mss(t);
}

/* What the peer's SYN agreed to: window scale, timestamps, SACK (we
 * offer all three). Call before set_mss. */
static void take_options(struct six_tcb *t, const struct seg *s) {
    t->ts_ok = s->h.opt.has_ts;
    if (t->ts_ok)
        t->ts_recent = s->h.opt.tsval;
    t->sack_ok = s->h.opt.sack_ok;
}

/* Window scale from a SYN: both sides must offer it (RFC 7323 2.2). */
static void take_wscale(struct six_tcb *t, const struct seg *s, int we_offered) {
    if (s->h.opt.has_ws && we_offered) {
        t->ws_ok = 1;
        t->snd_wscale = s->h.opt.wscale;
    } else {
        t->ws_ok = 0;
        t->snd_wscale = 0;
        t->rcv_wscale = 0;
    }
}

/* The peer's ISN from its SYN. The advertised right edge starts at
 * rcv_nxt: left where it was (0), it could lie half the sequence space
 * ahead, and the window that never shrinks would then promise far more
 * than the buffer holds. */
static void take_irs(struct six_tcb *t, uint32_t irs) {
    t->irs = irs;
    t->rcv_nxt = irs + 1;
    t->rcv_adv = t->rcv_nxt;
}

static void rtt_sample(struct six_tcb *t, uint64_t now) {
    uint32_t r = (uint32_t)(now - t->rtt_start), rto;

    if (r == 0)
        r = 1;
    if (t->srtt_us == 0) {
        t->srtt_us = r;
        t->rttvar_us = r / 2;
    } else {
        uint32_t d = t->srtt_us > r ? t->srtt_us - r : r - t->srtt_us;
        t->rttvar_us = (3 * t->rttvar_us + d) / 4;
        t->srtt_us = (7 * t->srtt_us + r) / 8;
    }
    rto = t->srtt_us + (4 * t->rttvar_us > 1000 ? 4 * t->rttvar_us : 1000);
    t->rto_us = rto < SIX_TCP_RTO_MIN ? SIX_TCP_RTO_MIN : rto > SIX_TCP_RTO_MAX ? SIX_TCP_RTO_MAX : rto;
    t->rtt_timing = 0;
}

/* ---- LISTEN (RFC 9293 3.10.7.2) ---- */

static void established_input(struct six_tcb *t, const struct seg *s);

/* SYN cookies (RFC 4987 3.6): when the half-open table is full, the
 * SYN-ACK's ISN carries everything needed to finish the handshake: a
 * 64-second counter (5 bits), the MSS (3 bits, an index into this table)
 * and 24 bits of a keyed hash of the 4-tuple, the peer's ISN and the
 * counter. Such connections use no window scaling, SACK or timestamps
 * (the SYN-ACK offers none). */
static const uint16_t cookie_mss[8] = {536, 1220, 1280, 1380, 1400, 1440, 1460, 8940};

static uint32_t cookie_hash(const struct six_tcp *tcp, const struct seg *s, uint32_t irs,
                            uint32_t count) {
    uint8_t k[44];
    memcpy(k, &s->src, 16);
    memcpy(k + 16, &s->dst, 16);
    memcpy(k + 32, &s->h.sport, 2);
    memcpy(k + 34, &s->h.dport, 2);
    memcpy(k + 36, &irs, 4);
    memcpy(k + 40, &count, 4);
    return (uint32_t)six__siphash(&tcp->keys->cookie, k, sizeof(k)) & 0xffffff;
}

static uint32_t cookie_count(const struct six_tcp *tcp) {
    return (uint32_t)(six__now(tcp->core) / 64000000u);
}

static void cookie_syn_ack(struct six_tcb *l, const struct seg *s) {
    struct six_tcp *tcp = l->tcp;
    uint32_t count = cookie_count(tcp), idx = 0;
    uint16_t mss = s->h.opt.has_mss ? s->h.opt.mss : SIX_TCP_DEFAULT_MSS;
    struct six_tcb tmp;

    while (idx < 7 && cookie_mss[idx + 1] <= mss)
        idx++;
    memset(&tmp, 0, sizeof(tmp));
    six__timer_init(&tmp.timer, six__tcp_timer, &tmp);
    tmp.tcp = tcp;
    tmp.laddr = s->dst;
    tmp.faddr = s->src;
    tmp.lport = s->h.dport;
    tmp.fport = s->h.sport;
    tmp.scope = six_addr_scope(&s->src) <= 2 ? s->ifindex : 0;
    tmp.state = SIX_TCP_SYN_RECEIVED;
    tmp.rcv_nxt = s->h.seq + 1;
    tmp.rcvbuf = l->rcvbuf < 65535 ? l->rcvbuf : 65535;
    tmp.iss = (count & 31) << 27 | idx << 24 | cookie_hash(tcp, s, s->h.seq, count);
    SIX_STAT(tcp->core, tcp_syn_cookies_sent);
    six__tcp_send_seg(&tmp, tmp.iss, 0, SIX_TCP_SYN | SIX_TCP_ACK);
}

/* The MSS a valid cookie in s's ACK carries, or 0. */
static uint16_t cookie_check(const struct six_tcp *tcp, const struct seg *s) {
    uint32_t isn = s->h.ack - 1, irs = s->h.seq - 1, count = cookie_count(tcp);

    for (uint32_t age = 0; age < 2; age++) {
        uint32_t c = count - age;
        if ((c & 31) == isn >> 27 && cookie_hash(tcp, s, irs, c) == (isn & 0xffffff))
            return cookie_mss[(isn >> 24) & 7];
    }
    return 0;
}

/* A child of l for the peer of s (not yet in any table). */
static struct six_tcb *new_child(struct six_tcb *l, const struct seg *s) {
    struct six_tcb *c = six__tcp_new(l->tcp, NULL);

    if (!c)
        return NULL;
    c->laddr = s->dst;
    c->faddr = s->src;
    c->lport = s->h.dport;
    c->fport = s->h.sport;
    c->scope = six_addr_scope(&s->src) <= 2 ? s->ifindex : 0;
    c->nodelay = l->nodelay;
    c->sndbuf = l->sndbuf;
    c->rcvbuf = l->rcvbuf;
    c->cc = l->cc;
    c->cc->init(c);
    c->user_mss = l->user_mss;
    c->ipsec_levels = l->ipsec_levels;
    c->keepalive = l->keepalive;
    c->recverr = l->recverr;
    c->keep_idle_s = l->keep_idle_s;
    c->keep_intvl_s = l->keep_intvl_s;
    c->keep_cnt = l->keep_cnt;
    return c;
}

static void queue_for_accept(struct six_tcb *l, struct six_tcb *c) {
    c->parent = l;
    if (l->acc_tail)
        l->acc_tail->acc_next = c;
    else
        l->acc_head = c;
    l->acc_tail = c;
    l->acc_count++;
    SIX_STAT(l->tcp->core, tcp_conn_passive);
    six__tcp_notify_owner(l);
}

/* An ACK for a listener: the end of a handshake whose SYN got a cookie. */
static void cookie_ack(struct six_tcb *l, const struct seg *s) {
    struct six_tcp *tcp = l->tcp;
    uint16_t mss = (s->h.flags & (SIX_TCP_SYN | SIX_TCP_RST)) ? 0 : cookie_check(tcp, s);
    struct six_tcb *c;

    if (!mss) {
        SIX_STAT(tcp->core, tcp_syn_cookies_bad);
        six__tcp_send_reset(tcp, s->pkt, &s->h, s->len);
        return;
    }
    if (l->acc_count >= l->backlog) {
        SIX_STAT(tcp->core, tcp_in_backlog_full);
        return;
    }
    if (!(c = new_child(l, s))) {
        SIX_STAT(tcp->core, tcp_in_nobufs);
        return;
    }
    SIX_STAT(tcp->core, tcp_syn_cookies_ok);
    c->irs = s->h.seq - 1;
    c->rcv_nxt = s->h.seq;
    c->iss = s->h.ack - 1;
    c->snd_una = c->snd_nxt = c->snd_max = s->h.ack;
    c->snd_wnd = c->max_snd_wnd = s->h.win;
    c->snd_wl1 = s->h.seq;
    c->snd_wl2 = s->h.ack;
    c->rcvbuf = c->rcvbuf < 65535 ? c->rcvbuf : 65535;   /* no window scale */
    c->rcv_adv = c->rcv_nxt + c->rcvbuf;
    c->peer_mss = mss;
    c->mss = six__tcp_route_mss(c);
    if (mss < c->mss)
        c->mss = mss;
    c->cwnd = 10u * c->mss;
    c->state = SIX_TCP_ESTABLISHED;
    c->last_rcv = six__now(tcp->core);
    six__tcp_conns_insert(c);
    six__tcp_keepalive_arm(c);
    queue_for_accept(l, c);
    established_input(c, s);
}

static void listen_input(struct six_tcb *l, const struct seg *s) {
    struct six_tcp *tcp = l->tcp;
    struct six_core *core = tcp->core;
    struct six_tcb *c;

    if (s->h.flags & SIX_TCP_RST)
        return;
    if (s->h.flags & SIX_TCP_ACK) {
        cookie_ack(l, s);
        return;
    }
    if (!(s->h.flags & SIX_TCP_SYN))
        return;
    if (l->acc_count >= l->backlog) {
        SIX_STAT(core, tcp_in_backlog_full);
        return;
    }
    if (l->syn_count >= l->backlog || tcp->half_open >= tcp->half_open_max) {
        cookie_syn_ack(l, s);
        return;
    }
    if (!(c = new_child(l, s))) {
        SIX_STAT(core, tcp_in_nobufs);
        return;
    }
    c->parent = l;
    l->syn_count++;
    tcp->half_open++;
    take_irs(c, s->h.seq);
    c->rcv_wscale = six__tcp_wscale_for(c->rcvbuf);
    take_wscale(c, s, 1);
    take_options(c, s);
    c->iss = six__tcp_isn(tcp, c);
    c->snd_una = c->iss;
    c->snd_nxt = c->snd_max = c->iss + 1;
    c->snd_wnd = s->h.win;
    c->snd_wl1 = s->h.seq;
    set_mss(c, s);
    c->cwnd = initial_cwnd(c);
    c->state = SIX_TCP_SYN_RECEIVED;
    six__tcp_conns_insert(c);
    c->rtt_timing = 1;
    c->rtt_start = six__now(core);
    six__tcp_send_seg(c, c->iss, 0, SIX_TCP_SYN | SIX_TCP_ACK);
    six__tcp_set_timer(c, SIX_TCPT_RTX, six__now(core) + c->rto_us);
}

/* ---- SYN-SENT (RFC 9293 3.10.7.3) ---- */

static void syn_sent_input(struct six_tcb *t, const struct seg *s) {
    struct six_core *core = t->tcp->core;
    const struct six_tcp_repr *h = &s->h;
    int ack_ok = 0;

    if (h->flags & SIX_TCP_ACK) {
        if (six_seq_le(h->ack, t->iss) || six_seq_gt(h->ack, t->snd_max)) {
            SIX_STAT(core, tcp_in_bad_ack);
            if (!(h->flags & SIX_TCP_RST))
                six__tcp_send_reset(t->tcp, s->pkt, h, s->len);
            return;
        }
        ack_ok = 1;
    }
    if (h->flags & SIX_TCP_RST) {
        if (ack_ok) {
            SIX_STAT(core, tcp_conn_resets);
            six__tcp_drop(t, ECONNREFUSED);
        }
        return;
    }
    if (!(h->flags & SIX_TCP_SYN))
        return;
    take_irs(t, h->seq);
    take_wscale(t, s, 1);
    take_options(t, s);
    set_mss(t, s);
    t->snd_wnd = h->win;
    t->snd_wl1 = h->seq;
    t->snd_wl2 = h->ack;
    if (!ack_ok) {
        /* Simultaneous open: SYN-RECEIVED, our SYN again with an ACK. */
        t->state = SIX_TCP_SYN_RECEIVED;
        t->cwnd = initial_cwnd(t);
        six__tcp_send_seg(t, t->iss, 0, SIX_TCP_SYN | SIX_TCP_ACK);
        return;
    }
    t->snd_una = h->ack;
    if (t->rtx_count == 0)
        rtt_sample(t, six__now(core));
    t->rtx_count = 0;
    t->cwnd = initial_cwnd(t);
    t->when[SIX_TCPT_RTX] = SIX_NEVER;
    SIX_STAT(core, tcp_conn_active);
    six__tcp_set_state(t, SIX_TCP_ESTABLISHED);
    six__tcp_keepalive_arm(t);
    t->ack_now = 1;
    six__tcp_output(t);
}

/* ---- synchronized states (RFC 9293 3.10.7.4) ---- */

/* Sends an ACK now (RFC 5961's challenge ACK is one too). */
static void ack_now(struct six_tcb *t) {
    t->ack_now = 1;
    six__tcp_output(t);
}

/* RFC 5961 7: whether the stack's allowance of challenge ACKs for this
 * second of its clock has one left. The allowance is drawn for each
 * second, between half and one and a half times the limit (Linux's answer
 * to CVE-2016-5696: a fixed count shared by all connections tells an
 * off-path attacker, who sees how many challenge ACKs his own connection
 * gets, how many the victim's drew). */
static int challenge_allowed(struct six_tcp *tcp) {
    uint32_t sec = (uint32_t)(six__now(tcp->core) / 1000000u) + 1;
    uint32_t limit = tcp->challenge_ack_limit;

    if (sec != tcp->challenge_sec) {
        uint64_t left = limit ? (limit + 1ull) / 2 + six__rand_below(tcp->core, limit) : 0;
        tcp->challenge_sec = sec;
        tcp->challenge_left = left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
    }
    if (tcp->challenge_left == 0)
        return 0;
    tcp->challenge_left--;
    return 1;
}

static void challenge_ack(struct six_tcb *t) {
    if (!challenge_allowed(t->tcp)) {
        SIX_STAT(t->tcp->core, tcp_in_challenge_acks_limited);
        return;
    }
    SIX_STAT(t->tcp->core, tcp_in_challenge_acks);
    ack_now(t);
}

/* Step 1: whether the segment lies in the receive window. */
static int seq_acceptable(const struct six_tcb *t, const struct seg *s) {
    uint32_t wnd = six__tcp_rcv_window(t);
    uint32_t seq = s->h.seq;

    if (s->len == 0) {
        if (wnd == 0)
            return seq == t->rcv_nxt;
        return six_seq_ge(seq, t->rcv_nxt) && six_seq_lt(seq, t->rcv_nxt + wnd);
    }
    if (wnd == 0)
        return 0;
    return (six_seq_ge(seq, t->rcv_nxt) && six_seq_lt(seq, t->rcv_nxt + wnd)) ||
           (six_seq_ge(seq + s->len - 1, t->rcv_nxt) &&
            six_seq_lt(seq + s->len - 1, t->rcv_nxt + wnd));
}

/* Two ends out of step (after a forged segment, say) would answer each
 * other's ACKs with ACKs for ever: each finds the other's unacceptable,
 * and RFC 9293 3.10.7.4 (and RFC 5961 5.2, for an ACK of unsent data)
 * has it answer; a flood of such segments would draw one answer each.
 * So the answer to a segment without data or FIN (a bare ACK, a SYN), to
 * one failing PAWS too, and SYN-RECEIVED's SYN-ACK again, goes at most
 * once per tcp_invalid_ratelimit_ms of the clock per connection (Linux's
 * tcp_invalid_ratelimit, 500 ms, which counts SYNs in as well). A segment
 * with data or FIN is always answered: a peer repairing a lost ACK by
 * retransmitting is no loop, nor is a FIN again in TIME-WAIT. Returns
 * whether the ACK may go. */
static int oow_ack_allowed(struct six_tcb *t, const struct seg *s) {
    uint64_t now = six__now(t->tcp->core);

    if (s->len && !(s->h.flags & SIX_TCP_SYN))
        return 1;
    if (now < t->oow_ack_next) {
        SIX_STAT(t->tcp->core, tcp_in_oow_acks_limited);
        return 0;
    }
    t->oow_ack_next = now + t->tcp->oow_ack_gap_us;
    return 1;
}

static int check_seq(struct six_tcb *t, const struct seg *s) {
    if (seq_acceptable(t, s))
        return 0;
    /* A zero window still takes ACKs and RSTs at rcv_nxt (RFC 9293: "if
     * the RCV.WND is zero, no segments will be acceptable, but special
     * allowance should be made to accept valid ACKs, URGs, and RSTs"). */
    if (s->h.seq == t->rcv_nxt && six__tcp_rcv_window(t) == 0)
        return 0;
    if (s->h.flags & SIX_TCP_RST)
        return -1;
    if (s->len && six_seq_le(s->h.seq + s->len, t->rcv_nxt))
        SIX_STAT(t->tcp->core, tcp_in_dup_segs);      /* all old: a duplicate */
    else
        SIX_STAT(t->tcp->core, tcp_in_out_of_window);
    /* TIME-WAIT: the peer's FIN again (our ACK was lost) restarts the
     * 2 MSL wait (RFC 9293 3.10.7.4, as Linux reads it). */
    if (t->state == SIX_TCP_TIME_WAIT && (s->h.flags & SIX_TCP_FIN) &&
        s->h.seq + s->len == t->rcv_nxt)
        six__tcp_set_timer(t, SIX_TCPT_LONG, six__now(t->tcp->core) + 2 * SIX_TCP_MSL_US);
    if (!oow_ack_allowed(t, s))
        return -1;
    if (t->state == SIX_TCP_SYN_RECEIVED)
        six__tcp_send_seg(t, t->iss, 0, SIX_TCP_SYN | SIX_TCP_ACK);
    else
        ack_now(t);
    return -1;
}

/* Step 2 (RFC 5961 3.2): only a RST at exactly rcv_nxt resets; one
 * elsewhere in the window draws a challenge ACK. Returns 1 when the
 * segment is done with (t may be gone). */
static int check_rst(struct six_tcb *t, const struct seg *s) {
    if (!(s->h.flags & SIX_TCP_RST))
        return 0;
    if (s->h.seq != t->rcv_nxt) {
        SIX_STAT(t->tcp->core, tcp_in_rst_ignored);
        challenge_ack(t);
        return 1;
    }
    switch (t->state) {
    case SIX_TCP_SYN_RECEIVED:
        /* A passive open goes back to LISTEN: the child just goes. An
         * active one (simultaneous open) is refused. */
        six__tcp_drop(t, t->parent ? 0 : ECONNREFUSED);
        return 1;
    case SIX_TCP_ESTABLISHED:
    case SIX_TCP_FIN_WAIT_1:
    case SIX_TCP_FIN_WAIT_2:
    case SIX_TCP_CLOSE_WAIT:
        SIX_STAT(t->tcp->core, tcp_conn_resets);
        six__tcp_drop(t, ECONNRESET);
        return 1;
    default:
        six__tcp_drop(t, 0);
        return 1;
    }
}

/* Step 4 (RFC 5961 4.2): a SYN in a synchronized state draws a challenge
 * ACK and is dropped. */
static int check_syn(struct six_tcb *t, const struct seg *s) {
    if (!(s->h.flags & SIX_TCP_SYN))
        return 0;
    challenge_ack(t);
    return 1;
}

static uint32_t fin_seq(const struct six_tcb *t) {
    return t->snd_una + t->snd.len;
}

static int our_fin_acked(const struct six_tcb *t) {
    return t->fin_acked;
}

/* SYN-RECEIVED's ACK: the connection is established; a passive one moves
 * to its listener's accept queue. Returns 1 when the segment is done. */
static int syn_received_ack(struct six_tcb *t, const struct seg *s) {
    struct six_tcb *l = t->parent;
    uint32_t ack = s->h.ack;

    if (!six_seq_gt(ack, t->snd_una) || six_seq_gt(ack, t->snd_max)) {
        SIX_STAT(t->tcp->core, tcp_in_bad_ack);
        six__tcp_send_reset(t->tcp, s->pkt, &s->h, s->len);
        return 1;
    }
    if (t->rtx_count == 0 && t->rtt_timing)
        rtt_sample(t, six__now(t->tcp->core));
    t->rtx_count = 0;
    t->snd_una = t->iss + 1;
    t->snd_wnd = (uint32_t)s->h.win << t->snd_wscale;
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = s->h.seq;
    t->snd_wl2 = ack;
    t->when[SIX_TCPT_RTX] = SIX_NEVER;
    if (l) {
        l->syn_count--;
        t->tcp->half_open--;
        six__tcp_set_state(t, t->fin_queued ? SIX_TCP_FIN_WAIT_1 : SIX_TCP_ESTABLISHED);
        queue_for_accept(l, t);
    } else {
        SIX_STAT(t->tcp->core, tcp_conn_active);
        six__tcp_set_state(t, t->fin_queued ? SIX_TCP_FIN_WAIT_1 : SIX_TCP_ESTABLISHED);
    }
    six__tcp_keepalive_arm(t);
    return 0;
}

/* Leaves fast recovery (RFC 6582 3.2 (6) option 1, RFC 6675 5): cwnd
 * deflates to min(ssthresh, max(FlightSize, SMSS) + SMSS), so an empty
 * flight restarts with two segments, not one. */
static void end_recovery(struct six_tcb *t) {
    uint32_t flight = t->snd_max - t->snd_una;
    if (flight < t->mss)
        flight = t->mss;
    t->cwnd = t->ssthresh < flight + t->mss ? t->ssthresh : flight + t->mss;
    t->in_recovery = 0;
    t->dupacks = 0;
}

static void cc_on_ack(struct six_tcb *t, uint32_t acked, uint64_t now) {
    if (t->in_recovery) {
        if (six_seq_ge(t->snd_una, t->recover)) {
            end_recovery(t);
        } else if (!t->sack_ok) {
            /* NewReno's partial ACK: the next hole goes at once; deflate
             * by what was ACKed, add back one segment. */
            six__tcp_rtx_one(t);
            t->cwnd = t->cwnd > acked ? t->cwnd - acked + t->mss : t->mss;
        }
        return;
    }
    t->dupacks = 0;
    t->cc->on_ack(t, acked, now);
}

static void ack_advance(struct six_tcb *t, uint32_t ack) {
    struct six_core *core = t->tcp->core;
    uint64_t now = six__now(core);
    uint32_t acked = ack - t->snd_una, data = acked;

    if (t->fin_queued && six_seq_gt(ack, fin_seq(t))) {
        data--;
        t->fin_acked = 1;
    }
    if (data > t->snd.len)
        data = t->snd.len;
    six__ring_drop(&t->snd, data);
    t->snd_una = ack;
    if (six_seq_lt(t->snd_nxt, ack))
        t->snd_nxt = ack;
    if (t->n_sacked)
        six__sack_trim(t);
    if (t->rtt_timing && six_seq_gt(ack, t->rtt_seq))
        rtt_sample(t, now);
    t->rtx_count = 0;
    cc_on_ack(t, acked, now);
    if (t->snd_una == t->snd_max)
        t->when[SIX_TCPT_RTX] = SIX_NEVER;
    else
        six__tcp_set_timer(t, SIX_TCPT_RTX, now + t->rto_us);
    if (t->snd.len == 0 && t->snd.buf)
        six__tcp_set_timer(t, SIX_TCPT_RING, now + SIX_TCP_RING_IDLE_US);
    six__tcp_notify_owner(t);
}

/* Enters fast recovery (RFC 5681 3.2, RFC 6582 3.2, RFC 6675 5): ssthresh
 * from the algorithm, the first hole resent at once. */
static void start_recovery(struct six_tcb *t) {
    /* RFC 6582 4.1: no new recovery for ACKs of what the last timeout
     * already resent. */
    if (six_seq_lt(t->snd_una, t->recover))
        return;
    t->ssthresh = t->cc->ssthresh(t, six__now(t->tcp->core));
    t->recover = t->snd_max;
    t->in_recovery = 1;
    t->high_rxt = t->snd_una;
    SIX_STAT(t->tcp->core, tcp_out_fast_retransmits);
    t->total_rtx++;
    if (t->sack_ok) {
        t->cwnd = t->ssthresh;
        six__tcp_rtx_one(t);
        t->high_rxt = t->snd_una + (t->snd_max - t->snd_una < t->mss ? t->snd_max - t->snd_una : t->mss);
        six__sack_recover(t);
    } else {
        six__tcp_rtx_one(t);
        t->cwnd = t->ssthresh + 3u * t->mss;
    }
}

/* A duplicate ACK: the third (or, with SACK, DupThresh segments SACKed
 * above snd_una: RFC 6675's IsLost) starts recovery; in NewReno recovery
 * more inflate the window. */
static void dup_ack(struct six_tcb *t) {
    if (t->in_recovery) {
        if (!t->sack_ok)
            t->cwnd += t->mss;
        return;
    }
    if (++t->dupacks >= 3 || (t->sack_ok && six__sack_bytes(t) >= 3u * t->mss))
        start_recovery(t);
}

/* Step 5. Returns 1 when the segment is done with (t may be gone). */
static int check_ack(struct six_tcb *t, const struct seg *s) {
    const struct six_tcp_repr *h = &s->h;
    uint32_t ack = h->ack;

    if (!(h->flags & SIX_TCP_ACK))
        return 1;
    if (t->state == SIX_TCP_SYN_RECEIVED && syn_received_ack(t, s))
        return 1;
    /* RFC 5961 5.2: an ACK of what was never sent, or of data older than
     * the largest window the peer could have seen, draws an ACK. */
    if (six_seq_gt(ack, t->snd_max) ||
        six_seq_lt(ack, t->snd_una - (t->max_snd_wnd > 1 ? t->max_snd_wnd : 1))) {
        SIX_STAT(t->tcp->core, tcp_in_bad_ack);
        if (oow_ack_allowed(t, s))
            challenge_ack(t);
        return 1;
    }
    /* RFC 6675 2: an ACK that SACKs new bytes is a duplicate ACK even when
     * it carries data or moves the window (a peer sending data of its own
     * puts its SACK blocks there); without SACK, RFC 5681 2's rule. The
     * scoreboard is summed only for segments that carry SACK blocks. */
    int new_sack = 0;
    if (t->sack_ok && h->opt.nsack) {
        uint32_t sacked = six__sack_bytes(t);
        six__sack_update(t, &h->opt);
        new_sack = six__sack_bytes(t) > sacked;
    }
    if (six_seq_gt(ack, t->snd_una)) {
        ack_advance(t, ack);
        if (t->in_recovery && t->sack_ok)
            six__sack_recover(t);
        else if (!t->in_recovery && t->sack_ok && six__sack_bytes(t) >= 3u * t->mss)
            start_recovery(t);
    } else if (ack == t->snd_una && t->snd_una != t->snd_max &&
               (new_sack ||
                (s->len == 0 && ((uint32_t)h->win << t->snd_wscale) == t->snd_wnd))) {
        dup_ack(t);
        if (t->in_recovery && t->sack_ok)
            six__sack_recover(t);
    }
    if (six_seq_lt(t->snd_wl1, h->seq) || (t->snd_wl1 == h->seq && six_seq_le(t->snd_wl2, ack))) {
        uint32_t old = t->snd_wnd;
        t->snd_wnd = (uint32_t)h->win << t->snd_wscale;
        t->snd_wl1 = h->seq;
        t->snd_wl2 = ack;
        if (t->snd_wnd > t->max_snd_wnd)
            t->max_snd_wnd = t->snd_wnd;
        if (old == 0 && t->snd_wnd > 0) {
            /* The window opened: probing is over. */
            if (t->snd_una == t->snd_max)
                t->when[SIX_TCPT_RTX] = SIX_NEVER;
            six__tcp_notify_owner(t);
        }
    }
    switch (t->state) {
    case SIX_TCP_FIN_WAIT_1:
        if (our_fin_acked(t)) {
            six__tcp_set_state(t, SIX_TCP_FIN_WAIT_2);
            if (!t->owner)
                six__tcp_set_timer(t, SIX_TCPT_LONG, six__now(t->tcp->core) + SIX_TCP_FIN_WAIT2_US);
        }
        break;
    case SIX_TCP_CLOSING:
        if (our_fin_acked(t))
            six__tcp_set_state(t, SIX_TCP_TIME_WAIT);
        break;
    case SIX_TCP_LAST_ACK:
        if (our_fin_acked(t)) {
            six__tcp_drop(t, 0);
            return 1;
        }
        break;
    default:
        break;
    }
    return 0;
}

/* Inserts [seq, end) into the out-of-order ranges, merging. Returns 0 or
 * -1 when no range is left (ranges already held are never forgotten: the
 * peer may have taken them as SACKed). */
static int ooo_add(struct six_tcb *t, uint32_t seq, uint32_t end) {
    int i = six__ranges_add(t->ooo, &t->n_ooo, SIX_TCP_OOO_MAX, seq, end, 0);

    if (i < 0)
        return -1;
    t->ooo_last = (uint8_t)i;
    return 0;
}

/* Moves rcv_nxt over out-of-order data that now follows it. Returns
 * whether any did. */
static int ooo_pull(struct six_tcb *t) {
    int moved = 0;

    while (t->n_ooo && six_seq_le(t->ooo[0].left, t->rcv_nxt)) {
        if (six_seq_gt(t->ooo[0].right, t->rcv_nxt)) {
            uint32_t add = t->ooo[0].right - t->rcv_nxt;
            t->rcv.len += add;
            t->rcv_nxt += add;
        }
        memmove(&t->ooo[0], &t->ooo[1], (t->n_ooo - 1) * sizeof(t->ooo[0]));
        t->n_ooo--;
        t->ooo_last = SIX_TCP_OOO_MAX;
        moved = 1;
    }
    return moved;
}

/* Step 7: the segment's data into the receive ring. */
static void process_text(struct six_tcb *t, const struct seg *s) {
    struct six_core *core = t->tcp->core;
    uint32_t seq = s->h.seq, dlen = s->dlen, room, off;
    const uint8_t *data = s->data;

    if (s->h.flags & SIX_TCP_SYN)
        seq++;
    if (six_seq_lt(seq, t->rcv_nxt)) {
        uint32_t skip = t->rcv_nxt - seq;
        if (skip >= dlen) {
            SIX_STAT(core, tcp_in_dup_segs);
            t->ack_now = 1;
            return;
        }
        data += skip;
        dlen -= skip;
        seq = t->rcv_nxt;
    }
    room = t->rcvbuf > six__tcp_readable(t) ? t->rcvbuf - six__tcp_readable(t) : 0;
    off = seq - t->rcv_nxt;
    if (off >= room)
        return;
    if (dlen > room - off)
        dlen = room - off;
    if (off == 0 && six__tcp_rcvq_take(t, s->pkt, data, dlen))
        goto in_order;
    if (six__ring_fit(t->tcp, &t->rcv, t->rcv.len + off + dlen, t->rcvbuf) < 0) {
        SIX_STAT(core, tcp_in_nobufs);
        return;
    }
    if (off > 0) {
        if (ooo_add(t, seq, seq + dlen) < 0) {
            SIX_STAT(core, tcp_in_ooo_dropped);
        } else {
            six__ring_copy_in(&t->rcv, t->rcv.len + off, data, dlen);
            SIX_STAT(core, tcp_in_ooo_segs);
        }
        /* RFC 5681 4.2: an out-of-order segment draws a duplicate ACK at
         * once. It goes alone, with its SACK blocks: on a full-sized data
         * segment it would carry none and count as no duplicate ACK (RFC
         * 5681 2: it has no data), and the peer would wait for its RTO. */
        six__tcp_send_ctl(t, t->snd_nxt, SIX_TCP_ACK);
        return;
    }
    six__ring_copy_in(&t->rcv, t->rcv.len, data, dlen);
    t->rcv.len += dlen;
in_order:
    t->rcv_nxt += dlen;
    if (t->n_ooo && ooo_pull(t))
        t->ack_now = 1;       /* a filled hole is ACKed at once */
    /* RFC 1122 4.2.3.2 / RFC 5681 4.2: an ACK for at least every second
     * full-sized segment, else within the delayed ACK time. */
    if (++t->unacked_segs >= 2 || t->n_ooo)
        t->ack_now = 1;
    else if (t->when[SIX_TCPT_DELACK] == SIX_NEVER)
        six__tcp_set_timer(t, SIX_TCPT_DELACK, six__now(core) + SIX_TCP_DELACK_US);
    six__tcp_notify_owner(t);
}

/* Step 8. Returns 1 when t is gone. */
static int check_fin(struct six_tcb *t, const struct seg *s) {
    if (!(s->h.flags & SIX_TCP_FIN))
        return 0;
    /* Only a FIN that follows everything received so far counts. */
    if (s->h.seq + s->len - 1 != t->rcv_nxt)
        return 0;
    if (!t->fin_rcvd) {
        t->rcv_nxt++;
        t->fin_rcvd = 1;
    }
    t->ack_now = 1;
    switch (t->state) {
    case SIX_TCP_SYN_RECEIVED:
    case SIX_TCP_ESTABLISHED:
        six__tcp_set_state(t, SIX_TCP_CLOSE_WAIT);
        break;
    case SIX_TCP_FIN_WAIT_1:
        six__tcp_set_state(t, our_fin_acked(t) ? SIX_TCP_TIME_WAIT : SIX_TCP_CLOSING);
        break;
    case SIX_TCP_FIN_WAIT_2:
        six__tcp_set_state(t, SIX_TCP_TIME_WAIT);
        break;
    case SIX_TCP_TIME_WAIT:
        six__tcp_set_timer(t, SIX_TCPT_LONG, six__now(t->tcp->core) + 2 * SIX_TCP_MSL_US);
        break;
    default:
        break;
    }
    return 0;
}

/* RFC 7323 5.3 PAWS: a segment whose timestamp is older than the last
 * one kept is an old duplicate: ACKed and dropped (RSTs are exempt). */
static int check_paws(struct six_tcb *t, const struct seg *s) {
    if (!t->ts_ok || !s->h.opt.has_ts || (s->h.flags & SIX_TCP_RST))
        return 0;
    if (!six_seq_lt(s->h.opt.tsval, t->ts_recent))
        return 0;
    SIX_STAT(t->tcp->core, tcp_in_paws);
    if (oow_ack_allowed(t, s))
        ack_now(t);
    return -1;
}

/* RFC 7323 4.3: the timestamp to echo is that of the segment that the
 * last ACK sent covered the start of. */
static void update_ts_recent(struct six_tcb *t, const struct seg *s) {
    if (t->ts_ok && s->h.opt.has_ts && six_seq_le(s->h.seq, t->last_ack_sent) &&
        six_seq_ge(s->h.opt.tsval, t->ts_recent))
        t->ts_recent = s->h.opt.tsval;
}

static void established_input(struct six_tcb *t, const struct seg *s) {
    if (check_paws(t, s) < 0 || check_seq(t, s) < 0)
        return;
    update_ts_recent(t, s);
    if (check_rst(t, s) || check_syn(t, s) || check_ack(t, s))
        return;
    if (s->dlen && !t->owner && !t->parent &&
        (t->state == SIX_TCP_FIN_WAIT_1 || t->state == SIX_TCP_FIN_WAIT_2)) {
        /* Data for a socket that was closed: nobody will read it. Reset,
         * as Linux does (RFC 9293 3.10.4: a closed user cannot receive). */
        SIX_STAT(t->tcp->core, tcp_in_data_after_close);
        six__tcp_send_ctl(t, t->snd_nxt, SIX_TCP_RST | SIX_TCP_ACK);
        six__tcp_drop(t, 0);
        return;
    }
    if (s->dlen && (t->state == SIX_TCP_ESTABLISHED || t->state == SIX_TCP_FIN_WAIT_1 ||
                    t->state == SIX_TCP_FIN_WAIT_2))
        process_text(t, s);
    if (check_fin(t, s))
        return;
    six__tcp_output(t);
}

/* Checks the header and the checksum; fills s. Returns 0 or -1
 * (counted). */
static int read_seg(struct six_tcp *tcp, struct six_pkt *pkt, struct seg *s) {
    const uint8_t *l4 = pkt->data + pkt->meta.l4_off;
    size_t avail = pkt->len - pkt->meta.l4_off;

    if (six_tcp_parse(l4, avail, &s->h) < 0) {
        SIX_STAT(tcp->core, tcp_in_bad_header);
        return -1;
    }
    memcpy(&s->src, pkt->data + SIX_IP6_OFF_SRC, 16);
    memcpy(&s->dst, pkt->data + SIX_IP6_OFF_DST, 16);
    /* RFC 9293 3.10.7.2: no connections to or from multicast. */
    if (six_addr_is_multicast(&s->dst) || six_addr_is_multicast(&s->src)) {
        SIX_STAT(tcp->core, tcp_in_bad_addr);
        return -1;
    }
    if (!(pkt->flags & SIX_PKT_CSUM_OK) &&
        !six_cksum_ip6_ok(&s->src, &s->dst, IPPROTO_TCP, l4, avail)) {
        SIX_STAT(tcp->core, tcp_in_bad_checksum);
        return -1;
    }
    s->data = l4 + s->h.hdr_len;
    s->dlen = (uint32_t)(avail - s->h.hdr_len);
    s->len = s->dlen + !!(s->h.flags & SIX_TCP_SYN) + !!(s->h.flags & SIX_TCP_FIN);
    s->ifindex = pkt->ifindex;
    s->pkt = pkt;
    return 0;
}

/* RFC 4301 5.2 for the socket's own IPsec levels (KAME's
 * ipsec6_in_reject): a segment that should have come protected and did
 * not is dropped as if it never arrived (no RST, which would go in the
 * clear) and counted. */
static int ipsec_refused(const struct six_tcb *t, const struct six_pkt *pkt) {
    if (!t->ipsec_levels || six__ip6_ipsec_levels_met(t->ipsec_levels, pkt->meta.ipsec))
        return 0;
    SIX_STAT(t->tcp->core, ipsec_in_sock_policy);
    return 1;
}

/* The ip6 upper-layer hook for TCP. Consumes pkt. */
void six__tcp_input(void *ctx, struct six_pkt *pkt) {
    struct six_tcp *tcp = ctx;
    struct six_tcb *t;
    struct seg s;

    SIX_STAT(tcp->core, tcp_in_segs);
    if (read_seg(tcp, pkt, &s) < 0)
        goto done;
    t = six__tcp_lookup(tcp, &s.src, &s.dst, s.h.sport, s.h.dport);
    if (t && ipsec_refused(t, pkt))
        goto done;
    if (t) {
        t->last_rcv = six__now(tcp->core);
        t->keep_probes = 0;
        if (t->owner && tcp->up.segment)
            tcp->up.segment(t->owner, pkt);
    }
    if (t && t->state == SIX_TCP_SYN_SENT) {
        syn_sent_input(t, &s);
    } else if (t) {
        established_input(t, &s);
    } else if ((t = six__tcp_lookup_listener(tcp, &s.dst, s.h.dport, s.ifindex))) {
        if (!ipsec_refused(t, pkt))
            listen_input(t, &s);
    } else {
        /* RFC 9293 3.10.7.1: CLOSED answers everything but a RST with
         * one. */
        SIX_STAT(tcp->core, tcp_in_no_conn);
        if (!(s.h.flags & SIX_TCP_RST))
            six__tcp_send_reset(tcp, pkt, &s.h, s.len);
    }
done:
    six__pkt_free(pkt);
}

/* RFC 5927: ICMPv6 errors about our segments. Hard errors (port or
 * administratively unreachable, RFC 5927 says at most for connections in
 * SYN-SENT) abort an opening connection; established ones only note the
 * error (soft). Packet Too Big lowers the MSS of the connection and
 * resends at once (RFC 8201). The quoted sequence number must lie in the
 * send window (RFC 5927 4.1). */
void six__tcp_notify(struct six_tcp *tcp, const struct six_icmp6_err *err) {
    struct six_tcb *t;
    uint32_t seq;
    int e;

    if (!err->l4 || err->l4_len < 8)
        return;
    t = six__tcp_lookup(tcp, &err->dst, &err->src, (uint16_t)(err->l4[2] << 8 | err->l4[3]),
                        (uint16_t)(err->l4[0] << 8 | err->l4[1]));
    if (!t)
        return;
    seq = (uint32_t)err->l4[4] << 24 | (uint32_t)err->l4[5] << 16 | (uint32_t)err->l4[6] << 8 |
          err->l4[7];
    if (six_seq_lt(seq, t->snd_una) || six_seq_ge(seq, t->snd_max))
        return;
    if (err->type == SIX_ICMP6_PACKET_TOO_BIG) {
        uint16_t mss = six__tcp_route_mss(t);
        /* The segments carry timestamps beside the MSS's bytes. */
        if (t->ts_ok && mss > 64 + 12)
            mss -= 12;
        if (mss < t->mss) {
            t->mss = mss;
            if (t->snd_una != t->snd_max) {
                t->snd_nxt = t->snd_una;
                six__tcp_rtx_one(t);
                t->snd_nxt = t->snd_una + (t->snd_max - t->snd_una < mss ? t->snd_max - t->snd_una : mss);
            }
        }
        return;
    }
    if (!(e = six__icmp6_errno(err->type, err->code)))
        return;
    if (t->state == SIX_TCP_SYN_SENT && (e == ECONNREFUSED || e == EACCES || e == EHOSTUNREACH ||
                                         e == ENETUNREACH)) {
        six__tcp_drop(t, e);
        return;
    }
    /* Soft errors of a synchronized connection change nothing (RFC 5927
     * 4.1, RFC 1122 4.2.3.9): retransmission decides. With IPV6_RECVERR
     * the socket hears of each at once, as on Linux (tcp_v6_err), and the
     * connection goes on. */
    if (t->recverr && t->owner) {
        t->so_error = (int16_t)e;
        six__tcp_notify_owner(t);
    }
}
