/* TCP output: building segments, what the windows allow (RFC 9293 3.8.6,
 * RFC 5681), Nagle (RFC 896, RFC 9293 3.7.4), resets.
 *
 * A segment's data is copied once, from the send ring into the packet
 * buffer that goes to IPv6 output; the ring keeps it until it is ACKed.
 *
 * A segment that comes straight back to this node (loopback, nothing
 * capturing it, no IPsec to apply) carries no computed checksum: its
 * bytes never leave memory, and input trusts SIX_PKT_CSUM_OK on loopback
 * (Linux skips it on lo the same way, CHECKSUM_PARTIAL). */
#include <errno.h>
#include <string.h>

#include "ipsec/ipsec.h"
#include "link/link.h"
#include "tcp/tcp.h"
#include "wire/bytes.h"
#include "wire/cksum.h"
#include "wire/ipv6.h"

/* IPv6 and TCP headers without options. */
#define HDRS (40u + SIX_TCP_HDR_LEN)

/* Addresses and defaults for a TCB without a socket. */
static int route_plain(struct six_tcb *t, struct six_ip6_out *o, struct six_if **ifp) {
    memset(o, 0, sizeof(*o));
    o->src = t->laddr;
    o->dst = t->faddr;
    o->ifindex = t->scope;
    o->nxt = IPPROTO_TCP;
    o->hlim = t->tcp->ip6->default_hlim;
    o->ipsec_levels = t->ipsec_levels;
    return six__ip6_route_out(t->tcp->ip6, o, ifp);
}

static int route(struct six_tcb *t, struct six_ip6_out *o, struct six_if **ifp) {
    struct six_tcp *tcp = t->tcp;
    /* A listener's child not yet accepted: the listener's options. */
    void *owner = t->owner ? t->owner : t->parent ? t->parent->owner : NULL;
    int rc;

    if (owner && tcp->up.route)
        rc = tcp->up.route(owner, t, o, ifp);
    else if (t->kept_out)
        rc = six__tcp_route_kept(t, o, ifp);
    else
        rc = route_plain(t, o, ifp);
    o->nxt = IPPROTO_TCP;
    return rc;
}

uint16_t six__tcp_route_mss(struct six_tcb *t) {
    struct six_ip6_out o;
    struct six_if *ifp;
    unsigned mtu;

    if (route(t, &o, &ifp) < 0)
        return SIX_TCP_DEFAULT_MSS;
    mtu = six__ip6_path_mtu(t->tcp->ip6, &o, ifp);
    mtu -= (unsigned)six__ip6_ext_len(&o);
    /* ESP or AH on the connection: their bytes come out of the segment
     * (else every full segment would leave in two fragments). */
    uint8_t ports[4];
    six_put16(ports, t->lport);
    six_put16(ports + 2, t->fport);
    mtu -= (unsigned)six__ip6_ipsec_overhead(t->tcp->ip6, &o, ports, sizeof(ports));
    mtu = mtu > HDRS + 64 ? mtu - HDRS : 64;
    /* TCP_MAXSEG lowers what we announce and send (as Linux). */
    if (t->user_mss && t->user_mss < mtu)
        mtu = t->user_mss;
    return (uint16_t)mtu;
}

uint32_t six__tcp_rcv_window(const struct six_tcb *t) {
    uint32_t held = six__tcp_readable(t);
    uint32_t room = t->rcvbuf > held ? t->rcvbuf - held : 0;
    uint32_t adv = six_seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;

    /* RFC 9293 3.8.6.2.2: the right edge never moves back. */
    if (room < adv)
        room = adv;
    return room;
}

uint32_t six__tcp_ts_now(const struct six_tcb *t) {
    return (uint32_t)(six__now(t->tcp->core) / 1000) + t->ts_off;
}

/* SACK blocks for an ACK (RFC 2018 4): the range the latest segment
 * joined first, then the others. */
static void fill_sack(const struct six_tcb *t, struct six_tcp_opts *opt) {
    unsigned k = 0;

    if (t->ooo_last < t->n_ooo)
        opt->sack[k++] = t->ooo[t->ooo_last];
    for (unsigned i = 0; i < t->n_ooo && k < SIX_TCP_MAX_SACK; i++)
        if (i != t->ooo_last)
            opt->sack[k++] = t->ooo[i];
    opt->nsack = (uint8_t)k;
}

/* The options of a segment with flags and len bytes of data. Every
 * option a SYN-ACK carries answers one the SYN offered (RFC 7323 2.2 and
 * 3.2, RFC 2018 2). */
static void fill_options(struct six_tcb *t, uint8_t flags, uint32_t len,
                         struct six_tcp_opts *opt) {
    int syn = flags & SIX_TCP_SYN, synack = syn && (flags & SIX_TCP_ACK);

    memset(opt, 0, sizeof(*opt));
    if (flags & SIX_TCP_RST)
        return;
    if (syn) {
        opt->has_mss = 1;
        opt->mss = six__tcp_route_mss(t);
        if (!synack || t->ws_ok) {
            opt->has_ws = 1;
            opt->wscale = t->rcv_wscale;
        }
        opt->sack_ok = !synack || t->sack_ok;
    }
    if ((syn && !synack) || t->ts_ok) {
        opt->has_ts = 1;
        opt->tsval = six__tcp_ts_now(t);
        opt->tsecr = (flags & SIX_TCP_ACK) ? t->ts_recent : 0;
    }
    /* SACK blocks ride on ACKs, and on data only where they fit in the
     * MSS the segment was cut for. */
    if (t->sack_ok && t->n_ooo && !syn && (len == 0 || len + 36 <= t->mss))
        fill_sack(t, opt);
}

/* The checksum must be computed: the segment may leave this node, be
 * captured, or be protected by IPsec (which may tunnel it elsewhere). */
static int csum_needed(const struct six_tcp *tcp, const struct six_ip6_out *o,
                       const struct six_if *ifp) {
    const struct six_ipsec *ips = tcp->ip6->ipsec_ctx;

    return !(ifp->flags & SIX_IFF_LOOPBACK) || ifp->capture || o->ipsec_levels ||
           (ips && ips->nsp[SIX_SP_OUT]);
}

/* A large segment's payload starts on a cache line: the copy out of the
 * send ring into a misaligned destination runs at a third of the speed
 * (measured with glibc's memmove here). Its packet is allocated with
 * ALIGN_SLACK bytes of headroom to spare, and its data moved back by up
 * to that much. Small segments (and small buffers) go as they are. */
#define ALIGN_SLACK 63u
#define ALIGN_MIN 4096u

static void align_payload(struct six_pkt *pkt, size_t hlen) {
    uint8_t *base = pkt->data - ALIGN_SLACK;
    pkt->data = base + ((0u - (uintptr_t)(base + hlen)) & ALIGN_SLACK);
}

int six__tcp_send_seg(struct six_tcb *t, uint32_t seq, uint32_t len, uint8_t flags) {
    struct six_tcp *tcp = t->tcp;
    struct six_core *core = tcp->core;
    struct six_tcp_repr r;
    struct six_ip6_out o;
    struct six_if *ifp;
    struct six_pkt *pkt;
    uint32_t win;
    size_t hlen, head, slack;
    int rc;

    if ((rc = route(t, &o, &ifp)) < 0) {
        SIX_STAT(core, tcp_out_errors);
        return rc;
    }
    if (t->state != SIX_TCP_SYN_SENT || !(flags & SIX_TCP_SYN))
        flags |= SIX_TCP_ACK;
    r.sport = t->lport;
    r.dport = t->fport;
    r.seq = seq;
    r.ack = (flags & SIX_TCP_ACK) ? t->rcv_nxt : 0;
    r.flags = flags;
    r.cksum = 0;
    r.urg = 0;
    fill_options(t, flags, len, &r.opt);
    win = six__tcp_rcv_window(t);
    if (flags & SIX_TCP_SYN) {
        /* RFC 7323 2.2: the window of a SYN is never scaled. */
        r.win = (uint16_t)(win > 65535 ? 65535 : win);
        win = r.win;
    } else {
        uint32_t w = win >> t->rcv_wscale;
        r.win = (uint16_t)(w > 65535 ? 65535 : w);
        win = (uint32_t)r.win << t->rcv_wscale;
    }
    hlen = six_tcp_hdr_len(&r);
    head = SIX_PKT_HEADROOM + six__ip6_ext_len(&o);
    slack = len >= ALIGN_MIN && head + ALIGN_SLACK + hlen + len <= SIX_PKT_LARGE ? ALIGN_SLACK : 0;
    pkt = six__pkt_alloc(&core->pools, head + slack, hlen + len);
    if (!pkt) {
        SIX_STAT(core, ip6_out_nobufs);
        return -ENOBUFS;
    }
    if (slack)
        align_payload(pkt, hlen);
    six_tcp_emit(&r, pkt->data);
    if (len)
        six__ring_copy_out(&t->snd, seq - t->snd_una, pkt->data + hlen, len);
    if (csum_needed(tcp, &o, ifp))
        six_put16(pkt->data + SIX_TCP_OFF_CKSUM,
                  six_cksum_ip6(&o.src, &o.dst, IPPROTO_TCP, pkt->data, pkt->len));
    pkt->flags |= SIX_PKT_CSUM_OK;
    if (flags & SIX_TCP_ACK) {
        if (six_seq_gt(t->rcv_nxt + win, t->rcv_adv))
            t->rcv_adv = t->rcv_nxt + win;
        t->ack_now = 0;
        t->unacked_segs = 0;
        t->last_ack_sent = t->rcv_nxt;
        t->when[SIX_TCPT_DELACK] = SIX_NEVER;
    }
    SIX_STAT(core, tcp_out_segs);
    if (flags & SIX_TCP_RST)
        SIX_STAT(core, tcp_out_rsts);
    rc = six__ip6_send(tcp->ip6, pkt, &o, ifp);
    if (rc < 0)
        SIX_STAT(core, tcp_out_errors);
    return rc;
}

void six__tcp_send_ctl(struct six_tcb *t, uint32_t seq, uint8_t flags) {
    six__tcp_send_seg(t, seq, 0, flags);
}

/* RFC 9293 3.10.7.1: the answer to a segment for no connection. Borrows
 * pkt. */
void six__tcp_send_reset(struct six_tcp *tcp, const struct six_pkt *pkt,
                         const struct six_tcp_repr *seg, uint32_t seg_len) {
    struct six_core *core = tcp->core;
    struct six_tcp_repr r;
    struct six_ip6_out o;
    struct six_if *ifp;
    struct six_pkt *out;

    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    memcpy(&o.src, pkt->data + SIX_IP6_OFF_DST, 16);
    memcpy(&o.dst, pkt->data + SIX_IP6_OFF_SRC, 16);
    if (six_addr_scope(&o.dst) <= 2)
        o.ifindex = pkt->ifindex;
    o.nxt = IPPROTO_TCP;
    o.hlim = tcp->ip6->default_hlim;
    if (six__ip6_route_out(tcp->ip6, &o, &ifp) < 0)
        return;
    r.sport = seg->dport;
    r.dport = seg->sport;
    if (seg->flags & SIX_TCP_ACK) {
        r.seq = seg->ack;
        r.flags = SIX_TCP_RST;
    } else {
        r.ack = seg->seq + seg_len;
        r.flags = SIX_TCP_RST | SIX_TCP_ACK;
    }
    if (!(out = six__pkt_alloc(&core->pools, SIX_PKT_HEADROOM, SIX_TCP_HDR_LEN))) {
        SIX_STAT(core, ip6_out_nobufs);
        return;
    }
    six_tcp_emit(&r, out->data);
    six_put16(out->data + SIX_TCP_OFF_CKSUM,
              six_cksum_ip6(&o.src, &o.dst, IPPROTO_TCP, out->data, out->len));
    out->flags |= SIX_PKT_CSUM_OK;
    SIX_STAT(core, tcp_out_segs);
    SIX_STAT(core, tcp_out_rsts);
    six__ip6_send(tcp->ip6, out, &o, ifp);
}

/* The sequence number of our FIN (valid when fin_queued). */
static uint32_t fin_seq(const struct six_tcb *t) {
    return t->snd_una + t->snd.len;
}

/* Data may flow: our SYN is acknowledged and the state sends. Only a
 * close in SYN-RECEIVED reaches these states with the SYN unacknowledged:
 * then nothing but the SYN went (snd_una = iss, snd_max = iss + 1). Not
 * "snd_una after iss": that stops being true after 2 GiB sent. */
static int may_send_data(const struct six_tcb *t) {
    switch (t->state) {
    case SIX_TCP_ESTABLISHED:
    case SIX_TCP_CLOSE_WAIT:
    case SIX_TCP_FIN_WAIT_1:
    case SIX_TCP_CLOSING:
    case SIX_TCP_LAST_ACK:
        return !(t->snd_una == t->iss && t->snd_max == t->iss + 1);
    default:
        return 0;
    }
}

/* Sends one new segment if the windows, Nagle and silly window avoidance
 * let it. Returns 1 when one went. */
static int send_one(struct six_tcb *t) {
    uint32_t inflight = t->snd_nxt - t->snd_una;
    uint32_t off = inflight, unsent, wnd, room, len;
    int fin = 0;
    uint8_t flags = 0;

    if (t->fin_acked || (t->fin_queued && t->snd_nxt == fin_seq(t) + 1))
        return 0;                           /* everything went, FIN too */
    unsent = t->snd.len > off ? t->snd.len - off : 0;
    wnd = t->snd_wnd < t->cwnd ? t->snd_wnd : t->cwnd;
    room = wnd > inflight ? wnd - inflight : 0;
    /* In SACK recovery the pipe, not the flight, meets cwnd (RFC 6675). */
    if (t->in_recovery && t->sack_ok) {
        uint32_t pipe = six__sack_pipe(t);
        room = t->cwnd > pipe ? t->cwnd - pipe : 0;
        if (room > t->snd_wnd - (inflight < t->snd_wnd ? inflight : t->snd_wnd))
            room = t->snd_wnd > inflight ? t->snd_wnd - inflight : 0;
    }
    len = unsent < t->mss ? unsent : t->mss;
    if (len > room)
        len = room;
    fin = t->fin_queued && len == unsent;
    if (len == 0 && !fin)
        return 0;
    /* A FIN with no window for data left to send still waits its turn. */
    if (len == 0 && unsent > 0)
        return 0;
    if (len < t->mss && len < unsent)
        return 0;                           /* window-limited runt (SWS) */
    if (len < t->mss && !fin && inflight > 0 && !t->nodelay)
        return 0;                           /* Nagle */
    flags = (uint8_t)(SIX_TCP_ACK | (len && len == unsent ? SIX_TCP_PSH : 0) |
                      (fin ? SIX_TCP_FIN : 0));
    if (len && !t->rtt_timing) {
        t->rtt_timing = 1;
        t->rtt_seq = t->snd_nxt;
        t->rtt_start = six__now(t->tcp->core);
    }
    six__tcp_send_seg(t, t->snd_nxt, len, flags);
    t->snd_nxt += len + (uint32_t)fin;
    if (six_seq_gt(t->snd_nxt, t->snd_max))
        t->snd_max = t->snd_nxt;
    if (t->when[SIX_TCPT_RTX] == SIX_NEVER)
        six__tcp_set_timer(t, SIX_TCPT_RTX, six__now(t->tcp->core) + t->rto_us);
    return 1;
}

void six__tcp_output(struct six_tcb *t) {
    if (may_send_data(t)) {
        while (send_one(t))
            ;
        /* Zero window with data waiting: probe (RFC 9293 3.8.6.1). */
        if (t->snd_wnd == 0 && t->snd.len > t->snd_nxt - t->snd_una &&
            t->when[SIX_TCPT_RTX] == SIX_NEVER)
            six__tcp_set_timer(t, SIX_TCPT_RTX, six__now(t->tcp->core) + t->rto_us);
    }
    if (t->ack_now && t->state != SIX_TCP_CLOSED && t->state != SIX_TCP_LISTEN &&
        t->state != SIX_TCP_SYN_SENT)
        six__tcp_send_ctl(t, t->snd_nxt, SIX_TCP_ACK);
}

/* Resends the oldest unacknowledged segment (fast retransmit, partial
 * ACKs in recovery). */
void six__tcp_rtx_one(struct six_tcb *t) {
    uint32_t len = t->snd_max - t->snd_una;
    uint8_t flags = SIX_TCP_ACK;

    if (t->fin_queued && six_seq_gt(t->snd_max, fin_seq(t))) {
        len--;                               /* the FIN is no data */
        if (len <= t->mss)
            flags |= SIX_TCP_FIN;
    }
    if (len > t->mss) {
        len = t->mss;
        flags &= (uint8_t)~SIX_TCP_FIN;
    }
    SIX_STAT(t->tcp->core, tcp_out_retransmits);
    t->rtt_timing = 0;                       /* Karn */
    six__tcp_send_seg(t, t->snd_una, len, flags);
}
