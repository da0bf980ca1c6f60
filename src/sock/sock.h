/* The socket layer: the descriptor table, socket objects, blocking and
 * readiness, raw IPv6 sockets (ip6(4) "Raw Sockets"), socket options and
 * ancillary data.
 *
 * Descriptors: each socket owns an eventfd, and the eventfd's number is
 * the socket's descriptor. The eventfd is readable exactly when the socket
 * is (data queued or an error pending), so the process's own poll/epoll
 * work on it, and no sixstack descriptor can collide with a real one.
 *
 * Locking: a socket belongs to one stack and is only touched with that
 * stack's lock held. The descriptor table has its own rwlock, always taken
 * before (never while holding) a stack's lock.
 */
#ifndef SIX_SOCK_SOCK_H
#define SIX_SOCK_SOCK_H

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "core/core.h"
#include "icmp6/icmp6.h"
#include "ip6/ip6.h"
#include "tcp/tcp.h"

struct six_sock;

/* Per-stack state of the socket layer. */
struct six_socks {
    struct six_core *core;
    struct six_ip6 *ip6;
    struct six_icmp6 *icmp6;
    struct six_sock *raw_by_proto[256];  /* raw sockets, by protocol */
    struct six_sock *raw_any;            /* raw sockets of protocol 0 */
    struct six_sock *all;                /* every open socket */
    unsigned nsocks, max_socks;
    unsigned rcvbuf_default;
    unsigned closed_busy;                /* closed, a call still holds them */
    struct six_sock *retired;            /* closed, freed after a grace period */
    unsigned nretired;

    /* UDP (udp6.c): sockets with a local port, hashed by that port. */
    struct six_sock **udp_hash;
    unsigned udp_mask;                   /* buckets - 1 (a power of 2) */
    unsigned udp_count;
    uint16_t ping_next_id;               /* ping sockets' identifiers */
    struct six_portrange {
        uint16_t first, last;
    } ports[3];                          /* by IPV6_PORTRANGE_* */

    struct six_tcp tcp;                  /* TCP (src/tcp, glue in tcp6.c) */
};

/* Groups one socket may join (BSD's IPV6_MAX_MEMBERSHIPS). */
#define SIX_MAX_MEMBERSHIPS 20
/* Sources one socket may include or exclude per group (Linux's default
 * mld_max_msf); beyond: ENOBUFS. */
#define SIX_MAX_SOCK_SRCS 64

/* One group a socket joined on one interface, with its source filter
 * (RFC 3678): MCAST_INCLUDE or MCAST_EXCLUDE these sources. An
 * any-source join is EXCLUDE with none. */
struct six_memb {
    struct in6_addr group;
    unsigned ifindex;
    int mode;
    unsigned nsrc;
    struct in6_addr *srcs;       /* owned; NULL when nsrc is 0 */
};

/* Receive-side options: which ancillary data recvmsg() returns. */
enum {
    SIX_RECV_PKTINFO = 1 << 0,
    SIX_RECV_HOPLIMIT = 1 << 1,
    SIX_RECV_TCLASS = 1 << 2,
    SIX_RECV_HOPOPTS = 1 << 3,
    SIX_RECV_DSTOPTS = 1 << 4,
    SIX_RECV_RTHDR = 1 << 5,
    SIX_RECV_PATHMTU = 1 << 6,   /* IPV6_RECVPATHMTU: path MTU notices */
    SIX_RECV_FLOWINFO = 1 << 7,  /* Linux's IPV6_FLOWINFO: class and label */
};

/* Receive timestamps a socket asked for. */
enum {
    SIX_TSTAMP_US = 1 << 0,   /* SO_TIMESTAMP: a struct timeval */
    SIX_TSTAMP_NS = 1 << 1,   /* SO_TIMESTAMPNS: a struct timespec (wins) */
};

/* What a protocol (raw, later UDP) does for the generic socket calls. */
struct six_proto_ops {
    int (*bind)(struct six_sock *s, const struct sockaddr_in6 *sin6);
    int (*connect)(struct six_sock *s, const struct sockaddr_in6 *sin6);
    void (*disconnect)(struct six_sock *s);
    /* Sends one datagram; to is NULL when connected. */
    ssize_t (*send)(struct six_sock *s, const struct msghdr *msg, size_t len,
                    const struct sockaddr_in6 *to);
    /* Unlinks the socket from the protocol's lookup tables. */
    void (*detach)(struct six_sock *s);
};

/* Options for outgoing packets given as ancillary data (per packet) or
 * as sticky options (per socket). have_* say which were given. */
enum {
    SIX_XH_HBH,   /* IPV6_HOPOPTS */
    SIX_XH_DST1,  /* IPV6_RTHDRDSTOPTS: destination options before routing */
    SIX_XH_RTH,   /* IPV6_RTHDR */
    SIX_XH_DST2,  /* IPV6_DSTOPTS */
    SIX_XH_N
};

struct six_send_opts {
    int have_pktinfo;
    struct in6_pktinfo pktinfo;
    int have_hlim;
    int hlim;
    int have_tclass;
    int tclass;
    int have_nexthop;
    struct sockaddr_in6 nexthop;
    int have_minmtu;
    int minmtu;                  /* IPV6_USE_MIN_MTU: -1, 0, 1 */
    int have_dontfrag;
    int dontfrag;                /* IPV6_DONTFRAG: 0 or 1 */
    /* Extension headers, whole and checked; per packet they point into
     * the caller's control buffer, sticky ones at copies they own. */
    const uint8_t *xh[SIX_XH_N];
    uint16_t xh_len[SIX_XH_N];
};

/* The SIX_XH_* kind of header a cmsg type or sticky option name carries
 * (IPV6_HOPOPTS, IPV6_RTHDRDSTOPTS, IPV6_RTHDR, IPV6_DSTOPTS; RFC 3542
 * uses the same numbers for both), or -1. */
int six__xh_kind(int type);
/* Checks an IPV6_NEXTHOP value (RFC 3542 6.1): an AF_INET6 sockaddr of
 * the right size. Returns 0 or -EINVAL. */
int six__nexthop_check(const void *p, size_t len);
/* Checks an extension header given by an application (ancillary data or a
 * sticky option) of kind SIX_XH_*: its length field matches len, its
 * options are well formed, and a routing header is one sixstack may send.
 * Returns 0 or -EINVAL. */
int six__xh_check(int kind, const uint8_t *p, size_t len);
/* Makes o's headers copies it owns (-ENOBUFS); six__opts_release frees
 * them. */
int six__opts_own(struct six_send_opts *o);
void six__opts_release(struct six_send_opts *o);

struct six_sock {
    /* What input reads of every socket a datagram is offered to (match,
     * the membership check, queueing, readiness) and what a receive
     * reads come first, in two cache lines on a 64-bit host, so that a
     * datagram among thousands of sockets costs few cache misses. */
    struct six_sock *next_hash;  /* in socks->udp_hash */
    struct six_socks *socks;
    uint8_t closing;
    uint8_t shut_rd, shut_wr;
    uint8_t bound, connected;
    uint8_t evt_set;             /* the eventfd is signalled */
    struct sockaddr_in6 laddr;   /* bound (or chosen by connect) address */
    int type;                    /* SOCK_RAW or SOCK_DGRAM */
    unsigned busy;               /* calls in progress */
    int so_error;
    struct six_pktq rxq;
    unsigned rx_bytes, rcvbuf;
    unsigned recv_flags;         /* SIX_RECV_* */
    unsigned nmemb;              /* memberships (below) */
    unsigned nmemb_any_group;    /* of them, joins of the unspecified group */
    unsigned bound_if;           /* SO_BINDTODEVICE: 0 or an interface */
    unsigned tstamp;             /* SIX_TSTAMP_*: SO_TIMESTAMP, SO_TIMESTAMPNS */
    /* IPV6_AUTH_LEVEL, IPV6_ESP_TRANS_LEVEL, IPV6_ESP_NETWORK_LEVEL,
     * IPV6_IPCOMP_LEVEL: one byte each, by SIX_IPSEC_SL_* slot. */
    uint32_t ipsec_levels;
    /* IPV6_RECVPATHMTU: the latest path MTU notice not read yet (RFC 3542
     * 11.3; one slot, a newer notice replaces it). */
    int pmtu_pending;
    int fd;                      /* the eventfd; our descriptor */

    struct sockaddr_in6 faddr;   /* connected peer */
    /* Memberships (IPV6_JOIN_GROUP, MCAST_*): grown on join, so a socket
     * that joins nothing pays nothing; memb_tag[i] is six__memb_tag() of
     * memb[i], scanned when ip6's slot for the group cannot answer. */
    unsigned memb_cap;
    struct six_memb *memb;
    uint8_t memb_tag[SIX_MAX_MEMBERSHIPS];
    const struct six_proto_ops *ops;
    int proto;                   /* protocol given to socket() */
    struct six_creds creds;      /* of the creating thread */
    struct six_sock *next_all;
    struct six_sock *next_proto; /* in raw_by_proto[] or raw_any */
    int hashed;                  /* UDP: has a local port in udp_hash */
    int addr_by_connect;         /* UDP: laddr's address came from connect */
    int reuseaddr, reuseport;    /* SO_REUSEADDR, SO_REUSEPORT */
    int dontroute;               /* SO_DONTROUTE: on-link destinations only */

    int closed;                  /* six__sock_close_locked ran */
    int nonblock;
    /* SO_RCVTIMEO (0: wait forever); SO_SNDTIMEO (0: a send out of
     * buffers fails at once, see api.c send_and_drain). */
    uint64_t rcvtimeo_us, sndtimeo_us;
    unsigned sndbuf;             /* SO_SNDBUF: the largest datagram a send takes */

    /* IPPROTO_IPV6 options. */
    int unicast_hops;            /* -1: the stack's default */
    int mcast_hops;              /* -1: 1 (RFC 3493 5.2) */
    unsigned mcast_if;           /* 0: the default multicast interface */
    unsigned mcast_loop;         /* 1 by default */
    int tclass;                  /* -1: 0 */
    int portrange;               /* IPV6_PORTRANGE_* */
    int use_min_mtu;             /* -1, 0, 1 as RFC 3542 11.1 */
    int dontfrag;
    int checksum_off;            /* -1: none */
    struct icmp6_filter filter;  /* ICMPv6 sockets */
    struct six_send_opts sticky; /* IPV6_PKTOPTIONS and RFC 3542 sticky */
    int sticky_any;              /* six__opts_any(&sticky), kept by sticky.c */
    struct six_route_cache route; /* the last send's route and source */
    struct ip6_mtuinfo pmtu_info;

    /* TCP (tcp6.c). */
    struct six_tcb *tcb;         /* made on first need; NULL once closed */
    int tcp_nodelay;             /* TCP_NODELAY */
    int tcp_want_out;            /* six_poll waits for POLLOUT */
    int linger_on, linger_s;     /* SO_LINGER */
    /* Linux's IPV6_RECVERR and its error queue (errqueue.c), and
     * IPV6_MTU_DISCOVER's value (IPV6_PMTUDISC_DO sets dontfrag). */
    int recverr;
    int pmtudisc;
    int rcvlowat;                /* SO_RCVLOWAT of a datagram socket (0: 1) */
    /* An ICMPv6 "ping socket" (SOCK_DGRAM, IPPROTO_ICMPV6, as Linux's):
     * a raw ICMPv6 socket inside that sends echo requests under its own
     * identifier (its "port") and receives the matching replies only. */
    int ping;
    uint16_t ping_id;            /* 0 until bound or first send */
    int flowinfo_send;           /* IPV6_FLOWINFO_SEND: sendto's sin6_flowinfo */
    struct six_errq_ent *errq_head, *errq_tail;
    unsigned errq_len;
    /* RFC 2292: the last segment received while recv_flags asked for
     * options (a reference), for getsockopt(IPV6_PKTOPTIONS). */
    struct six_pkt *tcp_rx_pkt;
};

void six__socks_init(struct six_socks *socks, struct six_core *core, struct six_ip6 *ip6,
                     struct six_icmp6 *icmp6, unsigned max_socks, unsigned rcvbuf);
/* Closes every socket of the stack (their descriptors become invalid). */
void six__socks_fini(struct six_socks *socks);

/* Creates a socket; returns its descriptor or a negative errno. */
int six__sock_create(struct six_socks *socks, int domain, int type, int proto);
/* The same, with creds (NULL: the calling thread's), also giving the new
 * socket (valid while the stack lives and the descriptor is not closed). */
int six__sock_create_ex(struct six_socks *socks, int domain, int type, int proto,
                        const struct six_creds *creds, struct six_sock **out);

/* ---- the descriptor table (socktab.c) ---- */
/* Closed sockets freed per grace period. */
#define SIX_RETIRE_BATCH 32
/* Looks fd up (without a table lock) and returns the socket with its stack
 * locked and marked busy, or NULL (not ours / closing). */
struct six_sock *six__sock_acquire(int fd);
/* Ends a call: unmarks busy, retires a socket closed meanwhile, unlocks,
 * and frees a batch of retired sockets when one is due. */
void six__sock_release(struct six_sock *s);
int six__socktab_insert(struct six_sock *s);
/* Takes s's descriptor out of the table (if it still names s). */
void six__socktab_remove(struct six_sock *s);
/* Returns once every lookup that might have seen a removed entry has
 * finished. Call with no stack locked. */
void six__socktab_synchronize(void);
/* Tests only: called inside a lookup's window, after the slot's load. */
extern void (*six__socktab_window_hook)(int fd);
/* Frees a list of retired sockets (linked by next_all, may be empty) after
 * a grace period. Call with no stack locked. */
void six__socks_free_retired(struct six_sock *list);
/* Takes every retired socket off the stack's list (stack locked), for
 * six__socks_free_retired once unlocked. */
struct six_sock *six__socks_take_retired(struct six_socks *socks);
/* Closes s (stack locked): takes it out of the table, unlinks, purges, and
 * retires it now or when the last call using it ends. */
void six__sock_close_locked(struct six_sock *s);

/* ---- queues and readiness (sock.c) ---- */
/* Queues pkt (consumed) on s, or drops it when the receive buffer is
 * full. Returns 0 or -ENOBUFS. */
int six__sock_enqueue(struct six_sock *s, struct six_pkt *pkt);
/* Whether s would drop a packet now (receive buffer full or shut down);
 * counts the drop. Lets a sender of copies skip making one. */
int six__sock_rcvbuf_full(struct six_sock *s);
/* Sets a pending error and wakes readers. */
void six__sock_set_error(struct six_sock *s, int err);
/* Raises the eventfd if the socket is readable (lowering is lazy). */
void six__sock_update_ready(struct six_sock *s);
/* Lowers the eventfd if the socket is no longer readable. */
void six__sock_sync_ready(struct six_sock *s);
/* Waits for s to become readable or for its deadline; lowers a stale
 * eventfd first. Lock held. */
int six__sock_wait_readable(struct six_sock *s, int flags);

/* ---- raw sockets (raw6.c) ---- */
extern const struct six_proto_ops six__raw6_ops;
/* The ip6 raw delivery hook: borrows pkt. */
int six__raw6_input(void *ctx, struct six_pkt *pkt);
/* The ICMPv6 error hook. */
void six__raw6_notify(void *ctx, const struct six_icmp6_err *err);
void six__raw6_attach(struct six_sock *s);

/* ---- UDP sockets (udp6.c) ---- */
extern const struct six_proto_ops six__udp6_ops;
/* Sets up the port table and the ephemeral port ranges, and registers UDP
 * input with ip6. Returns 0 or -ENOMEM. */
int six__udp6_init(struct six_socks *socks, const struct six_portrange ranges[3]);
void six__udp6_fini(struct six_socks *socks);
/* The ICMPv6 error hook for UDP. */
void six__udp6_notify(struct six_socks *socks, const struct six_icmp6_err *err);
/* Bytes in front of a queued datagram's data (from its IPv6 header), and
 * the datagram's source port (0 for raw sockets). */
size_t six__sock_data_off(const struct six_sock *s, const struct six_pkt *pkt);
uint16_t six__sock_src_port(const struct six_sock *s, const struct six_pkt *pkt);

/* ---- socket options (sockopt.c) ---- */
int six__sock_setsockopt(struct six_sock *s, int level, int name, const void *val,
                         socklen_t len);
int six__sock_getsockopt(struct six_sock *s, int level, int name, void *val, socklen_t *len);
/* Option value helpers shared by the option files: an int argument (EINVAL
 * when short), and results truncated to *len as the kernel does. */
int six__opt_int(const void *val, socklen_t len, int *out);
int six__opt_put_int(void *val, socklen_t *len, int v);
int six__opt_put_bytes(void *val, socklen_t *len, const void *src, size_t n);
/* Sticky options (sticky.c) and memberships (mcast.c): -ENOENT when name
 * (at that length) is not theirs. */
int six__sticky_set(struct six_sock *s, int name, const void *val, socklen_t len);
int six__sticky_get(struct six_sock *s, int name, void *val, socklen_t *len);
/* Gives to a copy of from's sticky options (its own header buffers), as
 * a socket accept() returns gets its listener's. 0 or -ENOBUFS (to keeps
 * its own). */
int six__sticky_copy(struct six_sock *to, const struct six_sock *from);
int six__mcast_set(struct six_sock *s, int name, const void *val, socklen_t len);
/* RFC 3678's protocol-independent options (msf.c): MCAST_JOIN_GROUP and
 * friends; -ENOENT for other names. */
int six__msf_set(struct six_sock *s, int name, const void *val, socklen_t len);
/* getsockopt(MCAST_MSFILTER); -ENOENT for other names. */
int six__msf_get(struct six_sock *s, int name, void *val, socklen_t *len);
/* Leaves every group s joined (on close). */
void six__sock_leave_all(struct six_sock *s);
/* Memberships (mcast.c), shared by both option families. */
/* A one-byte fingerprint of (g, ifindex): equal memberships have equal
 * tags; a socket's 20 fit in the cache line input reads anyway. */
static inline uint8_t six__memb_tag(unsigned ifindex, const struct in6_addr *g) {
    uint32_t w;
    memcpy(&w, g->s6_addr + 12, sizeof(w));
    w = (w ^ g->s6_addr[1]) ^ (ifindex * 0x9e3779b1u);
    w ^= w >> 16;
    return (uint8_t)(w ^ w >> 8);
}
/* s's membership of g on ifindex, or NULL. */
struct six_memb *six__memb_find(struct six_sock *s, unsigned ifindex, const struct in6_addr *g);
/* Joins g on ifindex with filter mode and one source (src NULL: none).
 * Returns 0, -ETOOMANYREFS (SIX_MAX_MEMBERSHIPS) or ip6's error. */
int six__memb_join(struct six_sock *s, unsigned ifindex, const struct in6_addr *g, int mode,
                   const struct in6_addr *src);
/* Adds src to m's source list (add 1) or takes it away (0). Returns 0,
 * -ENOBUFS (SIX_MAX_SOCK_SRCS, memory) or ip6's error; nothing changes
 * on failure. */
/* Gives m the filter mode with sources list (n of them; taken over on
 * success, the caller's to free on failure): one state change. */
int six__memb_replace(struct six_sock *s, struct six_memb *m, int mode, struct in6_addr *list,
                      unsigned n);
int six__memb_source(struct six_sock *s, struct six_memb *m, const struct in6_addr *src,
                     int add);
/* Whether m's list holds a. */
int six__memb_has_source(const struct six_memb *m, const struct in6_addr *a);
/* Leaves m's group. */
void six__memb_leave(struct six_sock *s, struct six_memb *m);
/* Routes a send of s (six__ip6_route_out_cached, counting a missing route
 * as six__ip6_output would); with SO_DONTROUTE only an on-link
 * destination (no gateway) passes, else -ENETUNREACH (BSD). An interface
 * that does not exist is -ENXIO. */
int six__sock_route_out(struct six_sock *s, struct six_ip6_out *o, struct six_if **ifp);
/* The hop limit for a packet to dst from the basic options. */
int six__sock_hops(const struct six_sock *s, const struct in6_addr *dst);

/* ---- ancillary data (cmsg.c) ---- */
/* Options that give nothing (what a send without control data gets). */
extern const struct six_send_opts six__no_send_opts;
/* Whether o gives any option. */
int six__opts_any(const struct six_send_opts *o);
/* Whether s may send with options o, ancillary or sticky (the one check
 * of both): 0, or -EPERM for an option header from an unprivileged
 * socket. */
int six__send_opts_check(const struct six_sock *s, const struct six_send_opts *o);
/* Parses msg's control data into *buf, checks it for s
 * (six__send_opts_check) and points *out at it, or, without control data,
 * points *out at options that give nothing (no clearing of a buffer per
 * send). Returns 0, -EINVAL on a malformed object or -EPERM. */
int six__cmsg_parse_send(const struct six_sock *s, const struct msghdr *msg,
                         struct six_send_opts *buf, const struct six_send_opts **out);
/* The same for a series of cmsghdr at ctl (aligned) of len bytes. */
int six__cmsg_parse(const void *ctl, size_t len, struct six_send_opts *out);
/* Writes o as a series of cmsghdr into buf (whole objects that fit);
 * returns the bytes used. */
size_t six__cmsg_put_opts(const struct six_send_opts *o, void *buf, size_t cap);
/* The page's precedence rule, in one place: for each field, ancillary data
 * (anc), then sticky options (IPV6_PKTOPTIONS and RFC 3542's), then the
 * basic options, then the socket address `to`. Fills o's addresses,
 * interface, hop limit, traffic class, fragmentation policy
 * (IPV6_USE_MIN_MTU, IPV6_DONTFRAG), headers and next header. Returns 0,
 * or -EHOSTUNREACH for an IPV6_NEXTHOP that is not a neighbour. */
int six__pktopts_resolve(const struct six_sock *s, const struct six_send_opts *anc,
                         const struct sockaddr_in6 *to, struct six_ip6_out *o);
/* Writes the ancillary data s asked for about pkt into msg (sets
 * MSG_CTRUNC when it does not fit). */
/* Appends one object to msg's control buffer (*used bytes of it written
 * so far), or sets MSG_CTRUNC when it does not fit; six__cmsg_put at
 * IPPROTO_IPV6. */
void six__cmsg_put_level(struct msghdr *msg, size_t *used, int level, int type, const void *data,
                         size_t n);
void six__cmsg_put(struct msghdr *msg, size_t *used, int type, const void *data, size_t n);
/* The receive timestamp s asked for (SO_TIMESTAMP, SO_TIMESTAMPNS; Linux
 * puts it first), of something queued at stack time stack_us. */
void six__cmsg_put_tstamp(const struct six_sock *s, uint64_t stack_us, struct msghdr *msg,
                          size_t *used);
void six__cmsg_build_recv(const struct six_sock *s, const struct six_pkt *pkt,
                          struct msghdr *msg);

/* ---- path MTU on sockets (pmtu_notify.c; RFC 3542 11, RFC 8201) ----
 * Generic over protocols: raw6.c and udp6.c call these. */
/* A Packet Too Big that lowered the path MTU (err->word) for a packet
 * sent from s's protocol, whose ports (if any) the caller has matched:
 * with IPV6_RECVPATHMTU, s (unconnected, or connected to err->dst) gets
 * an IPV6_PATHMTU notice; else a socket connected to err->dst gets
 * EMSGSIZE as its pending error. A socket bound to another address than
 * err->src learns nothing. */
void six__sock_ptb(struct six_sock *s, const struct six_icmp6_err *err);

/* ---- Linux's options (linuxopt.c): -ENOENT for a name they do not
 * know ---- */
int six__linux_ipv6_set(struct six_sock *s, int name, const void *val, socklen_t len);
int six__linux_ipv6_get(struct six_sock *s, int name, void *val, socklen_t *len);
int six__linux_sol_set(struct six_sock *s, int name, const void *val, socklen_t len);
int six__linux_sol_get(struct six_sock *s, int name, void *val, socklen_t *len);
/* SOL_RAW (Linux's raw socket level): -ENOPROTOOPT for other names. */
int six__linux_raw_set(struct six_sock *s, int name, const void *val, socklen_t len);
int six__linux_raw_get(struct six_sock *s, int name, void *val, socklen_t *len);

/* ---- the error queue (errqueue.c; Linux's IPV6_RECVERR) ---- */
/* Most errors queued on a socket, and most bytes of the datagram kept
 * with each. */
#define SIX_ERRQ_MAX 16
#define SIX_ERRQ_DATA_MAX 1280
struct six_errq_ent;
/* Queues an ICMPv6 error (errno e_no) about a datagram s sent, with data
 * (len bytes) of the datagram that it quoted. */
void six__sock_err_icmp(struct six_sock *s, const struct six_icmp6_err *err, int e_no,
                        const uint8_t *data, size_t len);
/* Queues a local error about a datagram to dst (info: the MTU of an
 * EMSGSIZE). */
void six__sock_err_local(struct six_sock *s, int e_no, const struct sockaddr_in6 *dst,
                         uint32_t info);
/* recvmsg(MSG_ERRQUEUE): -EAGAIN when the queue is empty. */
ssize_t six__sock_recv_err(struct six_sock *s, struct msghdr *msg, int flags);
void six__sock_errq_purge(struct six_sock *s);
/* After a send refused with EMSGSIZE because of IPV6_DONTFRAG (o and ifp
 * as the send resolved them, dport the UDP destination port, network
 * order, or 0): with IPV6_RECVPATHMTU, a notice of the path MTU that
 * refused it (RFC 3542 11.2); with IPV6_RECVERR, a local error. */
void six__sock_dontfrag_refused(struct six_sock *s, const struct six_ip6_out *o,
                                const struct six_if *ifp, uint16_t dport);
/* Receives the pending notice (s->pmtu_pending): no data, the
 * destination as the name, one IPV6_PATHMTU object. Returns 0. */
ssize_t six__sock_recv_pmtu(struct six_sock *s, struct msghdr *msg, int flags);
/* Writes one IPV6_PATHMTU object holding mi into msg's control buffer
 * (MSG_CTRUNC when it does not fit) and sets msg_controllen. */
void six__cmsg_build_pmtu(const struct ip6_mtuinfo *mi, struct msghdr *msg);

/* ---- credentials (creds.c) ---- */
void six__creds_current(struct six_creds *out);

/* ---- helpers ---- */
/* Validates a sockaddr for an AF_INET6 socket call. */
int six__sockaddr_in6(const struct sockaddr *sa, socklen_t len, struct sockaddr_in6 *out);
/* Total bytes of msg's iovecs, or -EINVAL when they overflow. */
ssize_t six__iov_len(const struct msghdr *msg);
/* Gathers msg's iovecs into dst (len bytes). */
void six__iov_gather(const struct msghdr *msg, uint8_t *dst, size_t len);
/* Scatters src into msg's iovecs; returns bytes copied. */
size_t six__iov_scatter(struct msghdr *msg, const uint8_t *src, size_t len);

#endif
