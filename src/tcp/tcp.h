/* TCP (RFC 9293) over sixstack's IPv6: connection blocks, segment input in
 * RFC 9293 3.10's order, output, retransmission and timers.
 *
 * RFCs to read before editing: RFC 9293 (3.3 sequence numbers, 3.4
 * establishing, 3.6 closing, 3.8 data communication, 3.10 event
 * processing), RFC 6298 (RTO), RFC 5681 and RFC 6582 (congestion control,
 * NewReno), RFC 7323 (window scale), RFC 6528 (ISNs), RFC 5961 (blind
 * injection: challenge ACKs), RFC 1122 4.2.3.2 (delayed ACK), RFC 896
 * (Nagle), RFC 6056 (ephemeral ports).
 *
 * Ownership: the socket layer owns a connection's socket; a TCB points at
 * it through owner (NULL once the socket is closed or before accept()),
 * and tells it of changes through tcp->notify. A TCB whose owner closed
 * lives on alone until the connection is done (FIN handshake, TIME_WAIT).
 *
 * Memory: the send and receive buffers are byte rings allocated on first
 * use and given back when they have stayed empty for a while
 * (TCP_RING_IDLE_US), so an idle connection costs its TCB only. In-order
 * data that arrives while the receive ring is empty stays in its packets
 * (the receive queue, data.c) as long as they fit the socket's receive
 * buffer and the stack's pools have room to spare: the reader copies it
 * straight out of them. Out-of-order data is written straight into the
 * receive ring at its place; a short list of the ranges held says what
 * arrived.
 *
 * Timers: one core timer per TCB, armed for the earliest of its deadlines
 * (retransmission, delayed ACK, TIME_WAIT, ...). Moving a deadline later
 * (every ACK restarts the retransmission timer) touches no heap: the timer
 * fires at the old time, finds nothing due and re-arms for the new one.
 */
#ifndef SIX_TCP_TCP_H
#define SIX_TCP_TCP_H

#include <netinet/in.h>
#include <stdint.h>

#include "core/core.h"
#include "core/hash.h"
#include "icmp6/icmp6.h"
#include "ip6/ip6.h"
#include "wire/tcp.h"

enum six_tcp_state {
    SIX_TCP_CLOSED = 0,
    SIX_TCP_LISTEN,
    SIX_TCP_SYN_SENT,
    SIX_TCP_SYN_RECEIVED,
    SIX_TCP_ESTABLISHED,
    SIX_TCP_FIN_WAIT_1,
    SIX_TCP_FIN_WAIT_2,
    SIX_TCP_CLOSE_WAIT,
    SIX_TCP_CLOSING,
    SIX_TCP_LAST_ACK,
    SIX_TCP_TIME_WAIT,
};

/* Sequence arithmetic modulo 2^32 (RFC 9293 3.4): a before b when the
 * signed distance from a to b is positive. */
static inline int six_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int six_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline int six_seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline int six_seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* A byte ring: len bytes from head, cap bytes of buf (NULL until used). */
struct six_tcp_ring {
    uint8_t *buf;
    uint32_t cap, head, len;
};

/* Connections remembered by the lookup (struct six_tcp's recent). */
#define SIX_TCP_RECENT 4
/* Out-of-order ranges held in the receive ring past rcv_nxt. */
#define SIX_TCP_OOO_MAX 4
/* Ranges of the SACK scoreboard. */
#define SIX_TCP_SACKED_MAX 8

struct six_tcb;

/* A congestion control algorithm (FreeBSD's cc(4) shape): what changes
 * cwnd and ssthresh, per connection, chosen by TCP_CONGESTION. */
struct six_tcp_cc {
    const char *name;
    void (*init)(struct six_tcb *t);
    /* New data ACKed outside recovery: grow cwnd. */
    void (*on_ack)(struct six_tcb *t, uint32_t acked, uint64_t now);
    /* A congestion event (fast retransmit or timeout): the new ssthresh. */
    uint32_t (*ssthresh)(struct six_tcb *t, uint64_t now);
};
extern const struct six_tcp_cc six__tcp_reno, six__tcp_cubic;
/* The algorithm called name ("reno", "cubic"), or NULL. */
const struct six_tcp_cc *six__tcp_cc_find(const char *name);
/* Keepalive (timer.c): arms the first probe after the idle time. */
void six__tcp_keepalive_arm(struct six_tcb *t);
/* Cube root for CUBIC, without libm (exposed for tests). */
double six__tcp_cbrt(double x);

/* Deadlines of a TCB's single timer. */
enum {
    SIX_TCPT_RTX,      /* retransmission, SYN retransmission, persist */
    SIX_TCPT_DELACK,   /* delayed ACK */
    SIX_TCPT_LONG,     /* TIME_WAIT, FIN_WAIT_2 of an orphan, keepalive */
    SIX_TCPT_RING,     /* give back empty rings */
    SIX_TCPT_KEEP,     /* keepalive (RFC 9293 3.8.4, RFC 1122 4.2.3.6) */
    SIX_TCPT_N
};

struct six_tcp;

struct six_tcb {
    struct six_tcb *next_conn;    /* in tcp->conns (4-tuple hash) */
    struct six_tcb *next_bind;    /* in tcp->binds (by local port) */
    struct six_tcp *tcp;
    void *owner;                  /* the socket, or NULL */
    /* The 4-tuple; scope: the interface of a scoped (link-local) pair. */
    struct in6_addr laddr, faddr;
    uint16_t lport, fport;
    unsigned scope;
    uint8_t state;                /* enum six_tcp_state */
    uint8_t in_conns, in_binds;
    uint8_t ack_now;              /* send an ACK at the next output */
    uint8_t fin_queued;           /* close/shutdown: FIN after the data */
    uint8_t fin_acked;            /* our FIN is acknowledged */
    uint8_t fin_rcvd;             /* the peer's FIN is in (EOF) */
    uint8_t nodelay;              /* TCP_NODELAY */
    uint8_t reuseaddr, reuseport;
    uint8_t snd_wscale, rcv_wscale;
    uint8_t ws_ok;                /* both sent window scale */
    uint8_t ts_ok;                /* both sent timestamps (RFC 7323) */
    uint8_t sack_ok;              /* both sent SACK-permitted (RFC 2018) */
    uint8_t ooo_last;             /* ooo[] range the last segment joined */
    uint8_t n_sacked;             /* ranges in sacked[] */
    uint8_t keepalive;            /* SO_KEEPALIVE */
    uint8_t recverr;              /* IPV6_RECVERR: ICMPv6 errors reach the socket */
    uint8_t keep_cnt, keep_probes; /* TCP_KEEPCNT; probes unanswered */
    uint16_t keep_idle_s, keep_intvl_s; /* TCP_KEEPIDLE, TCP_KEEPINTVL */
    uint16_t user_mss;            /* TCP_MAXSEG (0: none) */
    uint32_t ipsec_levels;        /* the socket's (six_ip6_out.ipsec_levels) */
    uint32_t total_rtx;           /* retransmissions, for TCP_INFO */
    uint8_t rtx_count;            /* retransmissions of the oldest data */
    uint8_t dupacks;
    uint8_t in_recovery;          /* NewReno fast recovery */
    uint8_t rtt_timing;           /* rtt_seq is being timed */
    uint8_t unacked_segs;         /* full segments received, not ACKed */
    uint8_t n_ooo;
    int16_t so_error;             /* pending error for the socket (errno) */

    /* Send sequence space (RFC 9293 3.3.1). */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2;
    uint32_t snd_wnd;             /* scaled */
    uint32_t max_snd_wnd;
    uint32_t recover;             /* RFC 6582 */
    uint32_t rtt_seq;
    /* Receive sequence space. */
    uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge advertised */
    uint16_t mss;                 /* send MSS: the peer's, the path's */
    uint16_t peer_mss;            /* what the peer's MSS option said */
    uint32_t cwnd, ssthresh;
    uint32_t srtt_us, rttvar_us, rto_us;
    uint64_t rtt_start;
    uint64_t last_rcv;            /* when a segment last arrived */
    uint64_t oow_ack_next;        /* no ACK to an unacceptable segment before (input.c) */
    struct six_tcp_sack ooo[SIX_TCP_OOO_MAX]; /* held ranges, sorted */
    /* Timestamps: ours are the stack clock in ms plus ts_off. */
    uint32_t ts_recent, ts_off, last_ack_sent;
    /* The SACK scoreboard (RFC 6675): ranges the peer holds above snd_una,
     * sorted; high_rxt: where loss recovery's retransmissions got to. */
    struct six_tcp_sack sacked[SIX_TCP_SACKED_MAX];
    uint32_t high_rxt;
    /* Congestion control (cc.c): the algorithm and its state. */
    const struct six_tcp_cc *cc;
    uint32_t cc_w_max, cc_w_est, cc_origin, cc_k_ms;
    uint64_t cc_epoch;

    struct six_tcp_ring snd, rcv;
    uint32_t sndbuf, rcvbuf;      /* ring sizes (SO_SNDBUF, SO_RCVBUF) */

    struct six_timer timer;
    uint64_t when[SIX_TCPT_N];    /* SIX_NEVER: not set */

    /* Listeners: children that completed the handshake and wait for
     * accept() (acc_*), and how many are still half-open. Children: the
     * listener (parent) and the link in its accept queue. */
    struct six_tcb *parent;
    struct six_tcb *acc_head, *acc_tail, *acc_next;
    uint16_t acc_count, backlog;
    uint16_t syn_count;
    /* What the socket's options made of its segments (hop limit, traffic
     * class, option headers, ...), kept when the socket closed with
     * options set (six__tcp_keep_out): the FIN, retransmissions and the
     * last ACKs go out as before. NULL: the defaults. */
    struct six_ip6_out *kept_out;

    /* In-order data kept in the packets it came in (data.c), read before
     * the receive ring: its bytes, and the buffers' size it is charged. */
    struct six_pktq rcvq;
    uint32_t rcvq_bytes, rcvq_mem;
};

/* What the TCP layer needs from the socket layer above it. */
struct six_tcp_upcalls {
    /* Something a waiter or poller of owner may care about changed. */
    void (*notify)(void *owner);
    /* Fills o for a segment of t's (owned by owner): addresses, hop limit,
     * traffic class, extension headers, as the socket's options say; routes
     * it; returns 0 or a negative errno. */
    int (*route)(void *owner, struct six_tcb *t, struct six_ip6_out *o, struct six_if **ifp);
    /* A segment arrived for owner's connection (borrowed): what RFC 2292's
     * getsockopt(IPV6_PKTOPTIONS) reports of a TCP socket. */
    void (*segment)(void *owner, struct six_pkt *pkt);
};

/* The per-stack secrets, made with the tables. */
struct six_tcp_keys {
    struct six_hash_key hash;            /* the 4-tuple table */
    struct six_hash_key isn;             /* RFC 6528 */
    struct six_hash_key cookie;          /* SYN cookies (RFC 4987 3.6) */
};

struct six_tcp {
    struct six_core *core;
    struct six_ip6 *ip6;
    struct six_tcp_upcalls up;
    void *up_ctx;
    /* The tables and the secrets are made with the first TCB
     * (six__tcp_tables): a stack that never uses TCP pays nothing for them
     * (the board's RAM), and a segment reaching it finds no connection and
     * is answered as today. Put new state that only matters once TCP is in
     * use behind a pointer too, not in this struct. */
    struct six_tcp_keys *keys;
    /* Connections by keyed hash of the 4-tuple (listeners not included). */
    struct six_tcb **conns;
    unsigned conns_mask, nconns;
    /* The connections the last segments were for (tcb.c): a segment of one
     * of them skips hashing its 4-tuple (SipHash was ~13 % of a 64-byte
     * request/response's CPU). Emptied whenever conns changes, so it never
     * holds a TCB the table does not; 4 pointers, so the board keeps it. */
    struct six_tcb *recent[SIX_TCP_RECENT];
    unsigned recent_next;
    /* Every TCB that holds a local port (bound, listening, connected by
     * connect()), by port; a listener's children are not in it. */
    struct six_tcb **binds;
    unsigned binds_mask, nbinds;
    unsigned ntcbs;
    unsigned time_wait, time_wait_max;
    unsigned half_open, half_open_max;   /* SYN-RECEIVED children */
    size_t mem_used, mem_max;            /* bytes of rings */
    /* RFC 5961 7: challenge ACKs per second (0: none), what is left of
     * this second's allowance, and which second that is (plus 1; 0:
     * none yet). */
    uint32_t challenge_ack_limit, challenge_left, challenge_sec;
    /* Least time between two ACKs of a connection to unacceptable
     * segments without data (tcp_invalid_ratelimit_ms; 0: none). */
    uint64_t oow_ack_gap_us;
    uint16_t port_first, port_last;
};

/* Timing constants (microseconds unless said). */
#define SIX_TCP_RTO_INIT 1000000u     /* RFC 6298 2.1 */
#define SIX_TCP_RTO_MIN 200000u       /* Linux's; RFC 6298 2.4 says 1 s */
#define SIX_TCP_RTO_MAX 60000000u     /* RFC 6298 2.5 */
#define SIX_TCP_DELACK_US 40000u      /* Linux's minimum; RFC 1122: < 0.5 s */
#define SIX_TCP_MSL_US 30000000ull    /* TIME_WAIT is 2 MSL = 60 s, as Linux */
#define SIX_TCP_FIN_WAIT2_US 60000000ull
#define SIX_TCP_RING_IDLE_US 1000000ull
#define SIX_TCP_SYN_RETRIES 6
#define SIX_TCP_DATA_RETRIES 15
/* The largest congestion window (cc.c): the largest send window. */
#define SIX_TCP_CWND_MAX (65535u << SIX_TCP_MAX_WSCALE)
/* RFC 9293 3.7.1: the MSS assumed when the peer sends none (IPv6). */
#define SIX_TCP_DEFAULT_MSS 1220

int six__tcp_init(struct six_tcp *tcp, struct six_core *core, struct six_ip6 *ip6);
/* Frees every TCB (sockets must be gone). */
void six__tcp_fini(struct six_tcp *tcp);

/* Makes the tables and secrets if they are not there yet: 0, or -ENOBUFS
 * (nothing changed). */
int six__tcp_tables(struct six_tcp *tcp);
/* A new closed TCB for a socket (owner), or NULL (-ENOBUFS); makes the
 * tables first if need be. */
struct six_tcb *six__tcp_new(struct six_tcp *tcp, void *owner);
/* The socket is going (close()): detaches it; with abort (SO_LINGER 0,
 * or unread data, RFC 2525 2.17) resets the connection, else closes it
 * gracefully (FIN after the queued data) and lets it finish alone. */
void six__tcp_close(struct six_tcb *t, int abort);
/* Keeps a copy of o (a segment's output parameters before routing, its
 * headers included) for t's segments once it has no socket: 0 or
 * -ENOBUFS (the defaults then). six__tcp_route_kept routes one with it. */
int six__tcp_keep_out(struct six_tcb *t, const struct six_ip6_out *o);
int six__tcp_route_kept(struct six_tcb *t, struct six_ip6_out *o, struct six_if **ifp);

int six__tcp_bind(struct six_tcb *t, const struct in6_addr *addr, uint16_t port, unsigned scope,
                  int privileged);
int six__tcp_listen(struct six_tcb *t, int backlog);
/* Starts an active open to faddr/fport (t closed). Returns 0 or errno. */
int six__tcp_connect(struct six_tcb *t, const struct in6_addr *faddr, uint16_t fport,
                     unsigned scope);
/* Takes the first child of listener l's accept queue, or NULL. */
struct six_tcb *six__tcp_accept(struct six_tcb *l);

/* Queues up to len bytes from iov (gathered) for sending; returns the
 * bytes taken (0 when the send buffer is full) or a negative errno. */
struct msghdr;
long six__tcp_send(struct six_tcb *t, const struct msghdr *msg, size_t skip, size_t len);
/* Copies up to len bytes of in-order data into msg's iovecs (skipping
 * the first skip of them), and consumes them unless peek. Returns the
 * bytes copied. */
size_t six__tcp_recv(struct six_tcb *t, struct msghdr *msg, size_t skip, size_t len, int peek);
/* In-order data (len bytes at data, in pkt) that may stay in pkt instead
 * of being copied into the receive ring: keeps it in the receive queue
 * (a reference to pkt, or a copy after the queue's last packet) and
 * returns 1, or returns 0 (the caller copies it into the ring). */
int six__tcp_rcvq_take(struct six_tcb *t, struct six_pkt *pkt, const uint8_t *data, uint32_t len);
/* Frees the packets of the receive queue. */
void six__tcp_rcvq_purge(struct six_tcb *t);
/* shutdown(SHUT_WR): a FIN after the queued data. */
void six__tcp_shutdown_wr(struct six_tcb *t);
/* Sends what the windows allow (and a pending ACK). */
void six__tcp_output(struct six_tcb *t);

/* The window scale that lets a window of rcvbuf bytes be advertised. */
static inline uint8_t six__tcp_wscale_for(uint32_t rcvbuf) {
    uint8_t s = 0;
    while (s < SIX_TCP_MAX_WSCALE && (rcvbuf >> s) > 65535)
        s++;
    return s;
}
/* Bytes of in-order data waiting to be read. */
static inline uint32_t six__tcp_readable(const struct six_tcb *t) {
    return t->rcvq_bytes + t->rcv.len;
}
/* Free room in the send buffer. */
static inline uint32_t six__tcp_send_room(const struct six_tcb *t) {
    return t->sndbuf > t->snd.len ? t->sndbuf - t->snd.len : 0;
}
static inline int six__tcp_synchronized(const struct six_tcb *t) {
    return t->state >= SIX_TCP_ESTABLISHED;
}
const char *six__tcp_state_name(int state);

/* Sets the send MSS from the peer's (peer_mss) and the route's: the path
 * MTU less every header, the socket's option headers among them, and
 * TCP_MAXSEG's cap (as Linux's tcp_sync_mss when options change). */
void six__tcp_sync_mss(struct six_tcb *t);
/* The ICMPv6 error hook for TCP (RFC 5927). */
void six__tcp_notify(struct six_tcp *tcp, const struct six_icmp6_err *err);

/* ---- internal to src/tcp ---- */
void six__tcp_input(void *ctx, struct six_pkt *pkt);
void six__tcp_timer(struct six_timer *tm, void *arg);
/* Sets deadline k of t to when (SIX_NEVER clears it); arms the core timer
 * only when it must fire earlier than it is armed for. */
void six__tcp_set_timer(struct six_tcb *t, int k, uint64_t when);
/* A segment with no data from t: flags, at seq (ACK field from t). */
/* Resends the oldest unacknowledged segment. */
void six__tcp_rtx_one(struct six_tcb *t);
void six__tcp_send_ctl(struct six_tcb *t, uint32_t seq, uint8_t flags);
/* A RST answering a segment that has no connection (RFC 9293 3.10.7.1). */
void six__tcp_send_reset(struct six_tcp *tcp, const struct six_pkt *pkt,
                         const struct six_tcp_repr *seg, uint32_t seg_len);
/* Sends (or resends) the segment of t at seq with up to len data bytes
 * and flags. */
int six__tcp_send_seg(struct six_tcb *t, uint32_t seq, uint32_t len, uint8_t flags);
/* Moves t to state; closing states release what they can. */
void six__tcp_set_state(struct six_tcb *t, int state);
/* Ends t: out of the tables, its socket told (err: its pending error,
 * 0 for none), freed unless a socket still owns it. */
void six__tcp_drop(struct six_tcb *t, int err);
void six__tcp_free(struct six_tcb *t);
int six__tcp_conns_insert(struct six_tcb *t);
struct six_tcb *six__tcp_lookup(struct six_tcp *tcp, const struct in6_addr *src,
                                const struct in6_addr *dst, uint16_t sport, uint16_t dport);
struct six_tcb *six__tcp_lookup_listener(struct six_tcp *tcp, const struct in6_addr *dst,
                                         uint16_t dport, unsigned ifindex);
uint32_t six__tcp_isn(struct six_tcp *tcp, const struct six_tcb *t);
/* The receive window to advertise (scaled down by rcv_wscale). */
uint32_t six__tcp_rcv_window(const struct six_tcb *t);
/* The MSS for t's route (path MTU less the headers). */
uint16_t six__tcp_route_mss(struct six_tcb *t);
void six__tcp_notify_owner(struct six_tcb *t);

/* Adds [left, right) to r, *count sorted disjoint ranges (at most max),
 * merging those it overlaps or touches. When a new range is needed and r
 * is full: with evict, the highest range makes room unless the new one
 * would be it; without, nothing changes. Returns the index of the range
 * that holds [left, right), or -1 when it was not added. (sack.c) */
int six__ranges_add(struct six_tcp_sack *r, uint8_t *count, unsigned max, uint32_t left,
                    uint32_t right, int evict);
/* The SACK scoreboard (sack.c). */
void six__sack_update(struct six_tcb *t, const struct six_tcp_opts *opt);
void six__sack_trim(struct six_tcb *t);
uint32_t six__sack_bytes(const struct six_tcb *t);
/* RFC 6675 SetPipe, simplified: bytes thought in the network. */
uint32_t six__sack_pipe(const struct six_tcb *t);
/* The next hole at or after from below the highest SACKed byte: its
 * start and length (0 when none). */
uint32_t six__sack_next_hole(const struct six_tcb *t, uint32_t from, uint32_t *start);
/* Loss recovery's sending (RFC 6675 5 (C)): holes first, then new data,
 * while the pipe is below cwnd. */
void six__sack_recover(struct six_tcb *t);
/* Our timestamp clock. */
uint32_t six__tcp_ts_now(const struct six_tcb *t);

/* Rings (ring.c). */
/* Makes r hold at least need bytes (need <= max): -ENOBUFS past max, past
 * the stack's TCP memory, or without memory. */
int six__ring_fit(struct six_tcp *tcp, struct six_tcp_ring *r, uint32_t need, uint32_t max);
void six__ring_copy_out(const struct six_tcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n);
void six__ring_copy_in(struct six_tcp_ring *r, uint32_t off, const uint8_t *src, uint32_t n);
void six__ring_drop(struct six_tcp_ring *r, uint32_t n);
void six__ring_free(struct six_tcp *tcp, struct six_tcp_ring *r);

#endif
