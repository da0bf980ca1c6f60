/* UDP over IPv6 (RFC 768; RFC 8200 section 8.1 for the mandatory checksum)
 * with BSD socket semantics.
 *
 * Demultiplexing: every socket with a local port sits in one hash table
 * keyed by that port, so finding the sockets of a datagram costs the same
 * with one socket or ten thousand. Unicast goes to the single best match
 * (connected to the sender > bound to the destination > wildcard); a
 * multicast datagram goes to every socket on the port that accepts it.
 *
 * Binding follows BSD (in6_pcbbind): two sockets may share a port when
 * both set SO_REUSEPORT, or, for a multicast address, when the newcomer
 * set SO_REUSEADDR and the other either option. SO_REUSEADDR alone also
 * lets a specific address share a port with the wildcard.
 *
 * Ephemeral ports (IPV6_PORTRANGE) are drawn at random from the socket's
 * range, then probed upwards (RFC 6056 section 3.3.1, algorithm 1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sock/sock.h"
#include "wire/bytes.h"
#include "wire/cksum.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"
#include "wire/udp.h"

/* Ports below this need privilege (BSD IPV6_PORTRESERVED). */
#define RESERVED_PORTS 1024
#define HASH_MIN 64

static uint16_t lport(const struct six_sock *s) {
    return ntohs(s->laddr.sin6_port);
}

static struct six_sock **bucket(struct six_socks *socks, uint16_t port) {
    return &socks->udp_hash[port & socks->udp_mask];
}

/* Doubles the table when it holds more sockets than buckets; on failure
 * chains just grow longer. */
static void hash_grow(struct six_socks *socks) {
    unsigned n = (socks->udp_mask + 1) * 2;
    struct six_sock **t;

    if (socks->udp_count <= socks->udp_mask + 1 || !(t = calloc(n, sizeof(*t))))
        return;
    for (unsigned i = 0; i <= socks->udp_mask; i++) {
        struct six_sock *s = socks->udp_hash[i], *next;
        for (; s; s = next) {
            next = s->next_hash;
            s->next_hash = t[lport(s) & (n - 1)];
            t[lport(s) & (n - 1)] = s;
        }
    }
    free(socks->udp_hash);
    socks->udp_hash = t;
    socks->udp_mask = n - 1;
}

static void hash_insert(struct six_sock *s) {
    struct six_socks *socks = s->socks;
    struct six_sock **b = bucket(socks, lport(s));

    s->next_hash = *b;
    *b = s;
    s->hashed = 1;
    socks->udp_count++;
    hash_grow(socks);
}

static void udp6_detach(struct six_sock *s) {
    struct six_sock **pp;

    if (!s->hashed)
        return;
    for (pp = bucket(s->socks, lport(s)); *pp; pp = &(*pp)->next_hash) {
        if (*pp == s) {
            *pp = s->next_hash;
            break;
        }
    }
    s->hashed = 0;
    s->socks->udp_count--;
}

static void udp6_input(void *ctx, struct six_pkt *pkt);

int six__udp6_init(struct six_socks *socks, const struct six_portrange ranges[3]) {
    socks->udp_hash = calloc(HASH_MIN, sizeof(*socks->udp_hash));
    if (!socks->udp_hash)
        return -ENOMEM;
    socks->udp_mask = HASH_MIN - 1;
    memcpy(socks->ports, ranges, sizeof(socks->ports));
    socks->ip6->upper[IPPROTO_UDP] = udp6_input;
    socks->ip6->upper_ctx[IPPROTO_UDP] = socks;
    return 0;
}

void six__udp6_fini(struct six_socks *socks) {
    free(socks->udp_hash);
    socks->udp_hash = NULL;
}

/* ---- binding ---- */

/* Whether s may take port at addr beside the sockets already there
 * (BSD in6_pcbbind). */
static int port_conflict(const struct six_sock *s, const struct in6_addr *addr,
                         uint16_t port) {
    int mcast = six_addr_is_multicast(addr);
    /* What the newcomer allows: SO_REUSEPORT, and for a multicast address
     * SO_REUSEADDR means both. */
    int share_port = s->reuseport || (mcast && s->reuseaddr);
    int share_addr = mcast && s->reuseaddr;
    /* Without either option the wildcard overlaps every address. */
    int wild = !s->reuseaddr && !s->reuseport;

    for (const struct six_sock *t = *bucket(s->socks, port); t; t = t->next_hash) {
        int overlap;
        if (t == s || lport(t) != port)
            continue;
        overlap = IN6_ARE_ADDR_EQUAL(&t->laddr.sin6_addr, addr) ||
                  (wild && (six_addr_is_unspecified(addr) ||
                            six_addr_is_unspecified(&t->laddr.sin6_addr)));
        if (!overlap)
            continue;
        if ((share_port && t->reuseport) || (share_addr && t->reuseaddr))
            continue;
        return 1;
    }
    return 0;
}

static int port_in_use(struct six_socks *socks, uint16_t port) {
    for (const struct six_sock *t = *bucket(socks, port); t; t = t->next_hash)
        if (lport(t) == port)
            return 1;
    return 0;
}

/* Picks a free port of s's IPV6_PORTRANGE at random (RFC 6056 3.3.1).
 * Returns it, -EACCES for the low range without privilege, or
 * -EADDRNOTAVAIL when every port of the range is taken. */
static int ephemeral_port(struct six_sock *s) {
    const struct six_portrange *r = &s->socks->ports[s->portrange];
    uint32_t n = (uint32_t)r->last - r->first + 1;
    uint32_t at;

    /* ip6(4) IPV6_PORTRANGE_LOW: ports below 1024 need privilege. */
    if (r->first < RESERVED_PORTS && !s->creds.privileged)
        return -EACCES;
    at = six__rand_below(s->socks->core, n);
    for (uint32_t i = 0; i < n; i++) {
        uint16_t port = (uint16_t)(r->first + (at + i) % n);
        if (!port_in_use(s->socks, port))
            return port;
    }
    return -EADDRNOTAVAIL;
}

/* Gives an unbound socket a port (for send and connect): the wildcard
 * address and an ephemeral port. */
static int autobind(struct six_sock *s) {
    int port;

    if (s->hashed)
        return 0;
    if ((port = ephemeral_port(s)) < 0)
        return port;
    s->laddr.sin6_port = htons((uint16_t)port);
    s->bound = 1;
    hash_insert(s);
    return 0;
}

/* The checks on a local address: one of ours (or a multicast group), in
 * the zone sin6_scope_id names. */
static int local_addr_ok(struct six_socks *socks, const struct sockaddr_in6 *sin6) {
    const struct six_addr_entry *e;

    if (sin6->sin6_scope_id && !six__ip6_if(socks->ip6, sin6->sin6_scope_id))
        return -EADDRNOTAVAIL;
    if (six_addr_is_unspecified(&sin6->sin6_addr) || six_addr_is_multicast(&sin6->sin6_addr))
        return 0;
    e = six__ip6_addr_find(socks->ip6, &sin6->sin6_addr);
    if (!e || (e->flags & SIX_ADDR_ANYCAST))
        return -EADDRNOTAVAIL;
    if (six_addr_scope(&sin6->sin6_addr) <= 2 && sin6->sin6_scope_id &&
        sin6->sin6_scope_id != e->ifindex && !six_addr_is_loopback(&e->addr))
        return -EADDRNOTAVAIL;
    return 0;
}

static int udp6_bind(struct six_sock *s, const struct sockaddr_in6 *sin6) {
    uint16_t port = ntohs(sin6->sin6_port);
    int rc;

    /* BSD: a socket binds once. */
    if (s->hashed)
        return -EINVAL;
    if ((rc = local_addr_ok(s->socks, sin6)) < 0)
        return rc;
    if (port && port < RESERVED_PORTS && !s->creds.privileged)
        return -EACCES;
    if (port && port_conflict(s, &sin6->sin6_addr, port))
        return -EADDRINUSE;
    if (!port) {
        if ((rc = ephemeral_port(s)) < 0)
            return rc;
        port = (uint16_t)rc;
    }
    s->laddr = *sin6;
    s->laddr.sin6_port = htons(port);
    s->laddr.sin6_flowinfo = 0;
    if (six_addr_scope(&sin6->sin6_addr) > 2)
        s->laddr.sin6_scope_id = 0;
    s->bound = 1;
    hash_insert(s);
    return 0;
}

static int udp6_connect(struct six_sock *s, const struct sockaddr_in6 *sin6) {
    struct six_ip6_out o = {0};
    struct six_if *ifp;
    int rc;

    /* BSD in6_pcbconnect: a peer needs a port. */
    if (sin6->sin6_port == 0)
        return -EADDRNOTAVAIL;
    if (sin6->sin6_scope_id && !six__ip6_if(s->socks->ip6, sin6->sin6_scope_id))
        return -EADDRNOTAVAIL;
    o.dst = sin6->sin6_addr;
    if (six_addr_is_unspecified(&o.dst))
        o.dst = (struct in6_addr)IN6ADDR_LOOPBACK_INIT;
    if (!six_addr_is_multicast(&s->laddr.sin6_addr))
        o.src = s->laddr.sin6_addr;
    o.ifindex = sin6->sin6_scope_id ? sin6->sin6_scope_id : s->laddr.sin6_scope_id;
    if (six_addr_is_multicast(&o.dst) && !o.ifindex)
        o.ifindex = s->mcast_if;
    if ((rc = six__ip6_route_out(s->socks->ip6, &o, &ifp)) < 0)
        return rc;
    if ((rc = autobind(s)) < 0)
        return rc;
    s->faddr = *sin6;
    s->faddr.sin6_addr = o.dst;
    s->faddr.sin6_flowinfo = 0;
    s->connected = 1;
    /* Connect fixes the source when bind did not (BSD, Linux). */
    if (six_addr_is_unspecified(&s->laddr.sin6_addr)) {
        s->laddr.sin6_addr = o.src;
        s->laddr.sin6_scope_id = six_addr_scope(&o.src) <= 2 ? ifp->index : 0;
        s->addr_by_connect = 1;
    }
    return 0;
}

static void udp6_disconnect(struct six_sock *s) {
    s->connected = 0;
    memset(&s->faddr.sin6_addr, 0, sizeof(s->faddr.sin6_addr));
    s->faddr.sin6_port = 0;
    s->faddr.sin6_scope_id = 0;
    /* The address connect chose goes with the peer; the port stays. */
    if (s->addr_by_connect) {
        memset(&s->laddr.sin6_addr, 0, sizeof(s->laddr.sin6_addr));
        s->laddr.sin6_scope_id = 0;
        s->addr_by_connect = 0;
    }
}

/* ---- output ---- */

static ssize_t udp6_send(struct six_sock *s, const struct msghdr *msg, size_t len,
                         const struct sockaddr_in6 *to) {
    struct six_socks *socks = s->socks;
    struct six_send_opts so_buf;
    const struct six_send_opts *so;
    struct six_ip6_out o;   /* six__pktopts_resolve sets every field */
    struct six_udp_repr u;
    struct six_pkt *pkt;
    struct six_if *ifp;
    int rc;

    if ((rc = six__cmsg_parse_send(s, msg, &so_buf, &so)) < 0)
        return rc;
    /* As Linux: port 0 is no destination. */
    if (to->sin6_port == 0)
        return -EINVAL;
    if ((rc = six__pktopts_resolve(s, so, to, &o)) < 0)
        return rc;
    /* A socket bound to a group sends from a unicast address. */
    if (six_addr_is_multicast(&o.src))
        memset(&o.src, 0, sizeof(o.src));
    if ((rc = six__sock_route_out(s, &o, &ifp)) < 0)
        return rc;
    /* Past what a UDP length holds. A socket that does not fragment
     * learns the MTU as for any datagram over it (Linux's local error,
     * which tracepath's first probe counts on). */
    if (len > 65535 - SIX_UDP_HDR_LEN) {
        if (o.dontfrag)
            six__sock_dontfrag_refused(s, &o, ifp, to->sin6_port);
        return -EMSGSIZE;
    }
    if ((rc = autobind(s)) < 0)
        return rc;
    pkt = six__pkt_alloc(&socks->core->pools, SIX_PKT_HEADROOM + six__ip6_ext_len(&o),
                         len + SIX_UDP_HDR_LEN);
    if (!pkt) {
        SIX_STAT(socks->core, ip6_out_nobufs);
        return -ENOBUFS;
    }
    u = (struct six_udp_repr){.sport = lport(s), .dport = ntohs(to->sin6_port),
                              .len = (uint16_t)(len + SIX_UDP_HDR_LEN)};
    six_udp_emit(&u, pkt->data);
    six__iov_gather(msg, pkt->data + SIX_UDP_HDR_LEN, len);
    six_put16(pkt->data + SIX_UDP_OFF_CKSUM,
              six_cksum_ip6(&o.src, &o.dst, IPPROTO_UDP, pkt->data, pkt->len));
    pkt->flags |= SIX_PKT_CSUM_OK;
    SIX_STAT(socks->core, udp_out_datagrams);
    rc = six__ip6_send(socks->ip6, pkt, &o, ifp);
    if (rc == -EMSGSIZE && o.dontfrag)
        six__sock_dontfrag_refused(s, &o, ifp, to->sin6_port);
    return rc < 0 ? rc : (ssize_t)len;
}

const struct six_proto_ops six__udp6_ops = {
    .bind = udp6_bind,
    .connect = udp6_connect,
    .disconnect = udp6_disconnect,
    .send = udp6_send,
    .detach = udp6_detach,
};

/* ---- input ---- */

/* The datagram's addresses and ports, read once. */
struct dgram {
    struct in6_addr src, dst;
    uint16_t sport, dport;
    unsigned ifindex;
    const struct six_mcast_slot *mc;    /* ip6's slot for dst, or NULL */
};

/* How well s matches d: -1 not at all, else more for more specific
 * (a connected peer counts more than a bound address). */
static int match(const struct six_sock *s, const struct dgram *d) {
    int score = 0;

    if (s->closing || s->shut_rd || lport(s) != d->dport)
        return -1;
    if (s->bound_if && s->bound_if != d->ifindex)
        return -1;   /* SO_BINDTODEVICE */
    if (!six_addr_is_unspecified(&s->laddr.sin6_addr)) {
        if (!IN6_ARE_ADDR_EQUAL(&s->laddr.sin6_addr, &d->dst))
            return -1;
        /* A scoped address names its zone: the arrival link. */
        if (s->laddr.sin6_scope_id && six_addr_scope(&d->dst) <= 2 &&
            !six_addr_is_loopback(&d->dst) && s->laddr.sin6_scope_id != d->ifindex)
            return -1;
        score += 1;
    }
    if (s->connected) {
        if (!IN6_ARE_ADDR_EQUAL(&s->faddr.sin6_addr, &d->src) ||
            ntohs(s->faddr.sin6_port) != d->sport)
            return -1;
        score += 2;
    }
    return score;
}

/* Bit i set when memb_tag[i] is tag or tag_all. Every slot is compared,
 * with no branch per entry: the cost does not depend on where in the list
 * the group sits, so it stays the same however many sockets and groups
 * take turns (a scan that stopped at the match mispredicted once a packet
 * when they did). */
_Static_assert(SIX_MAX_MEMBERSHIPS < 32, "tag_hits keeps one bit per membership");

static uint32_t tag_hits(const struct six_sock *s, uint8_t tag, uint8_t tag_all) {
    uint32_t hits = 0;

    for (unsigned i = 0; i < SIX_MAX_MEMBERSHIPS; i++)
        hits |= (uint32_t)((s->memb_tag[i] == tag) | (s->memb_tag[i] == tag_all)) << i;
    return hits & ((1u << s->nmemb) - 1);
}

/* Whether s's memberships let it see a datagram to group on ifindex. As
 * BSD (im6o_mc_filter): a socket that joined groups sees only those, and
 * of each only the sources its filter passes (RFC 3678: INCLUDE lists the
 * sources it wants, EXCLUDE those it does not); one that joined none sees
 * every group the stack accepted for its port. */
static int member_filter_ok(const struct six_sock *s, const struct dgram *d) {
    static const struct in6_addr all = IN6ADDR_ANY_INIT;
    int ok = 0;

    if (s->nmemb == 0)
        return 1;
    /* ip6's slot for the group, read by its input already, answers for
     * the usual socket (any source, not one of many owners) without a
     * look at the socket's own list, which thousands of groups taking
     * turns keep out of the cache. */
    if (d->mc && !s->nmemb_any_group) {
        int owned = six__ip6_mcast_owned(d->mc, s);
        if (owned >= 0)
            return owned;
    }
    for (uint32_t hits = tag_hits(s, six__memb_tag(d->ifindex, &d->dst),
                                  six__memb_tag(d->ifindex, &all));
         hits; hits &= hits - 1) {
        const struct six_memb *m = &s->memb[__builtin_ctz(hits)];
        if (m->ifindex != d->ifindex)
            continue;
        if (six_addr_is_unspecified(&m->group))
            return 1;
        if (IN6_ARE_ADDR_EQUAL(&m->group, &d->dst))
            ok = six__memb_has_source(m, &d->src) == (m->mode == MCAST_INCLUDE);
    }
    return ok;
}

static void enqueue(struct six_sock *s, struct six_pkt *pkt) {
    if (six__sock_enqueue(s, pkt) == 0)
        SIX_STAT(s->socks->core, udp_in_delivered);
}

/* Consumes pkt: one copy per socket that accepts it. Returns how many
 * sockets took it. */
static int deliver_multicast(struct six_socks *socks, struct six_pkt *pkt,
                             const struct dgram *d) {
    struct six_sock *last = NULL;
    int n = 0;

    for (struct six_sock *s = *bucket(socks, d->dport); s; s = s->next_hash) {
        if (match(s, d) < 0)
            continue;
        if (!member_filter_ok(s, d)) {
            SIX_STAT(socks->core, udp_in_mcast_filtered);
            continue;
        }
        n++;
        /* A full socket drops it: no copy made for nothing. */
        if (six__sock_rcvbuf_full(s))
            continue;
        /* Every socket but the last gets a copy; the last the original. */
        if (last) {
            struct six_pkt *copy = six__pkt_clone(&socks->core->pools, pkt);
            if (copy)
                enqueue(last, copy);
            else
                SIX_STAT(socks->core, ip6_in_nobufs);
        }
        last = s;
    }
    if (last)
        enqueue(last, pkt);
    else
        six__pkt_free(pkt);
    return n;
}

static struct six_sock *lookup_unicast(struct six_socks *socks, const struct dgram *d) {
    struct six_sock *best = NULL;
    int best_score = -1;

    for (struct six_sock *s = *bucket(socks, d->dport); s; s = s->next_hash) {
        int score = match(s, d);
        if (score > best_score) {
            best = s;
            best_score = score;
        }
    }
    return best;
}

/* Checks the header and the checksum; fills d. Returns 0 or -1 (counted). */
static int check_datagram(struct six_socks *socks, struct six_pkt *pkt, struct dgram *d) {
    const uint8_t *l4 = pkt->data + pkt->meta.l4_off;
    size_t avail = pkt->len - pkt->meta.l4_off;
    struct six_udp_repr u;

    if (six_udp_parse(l4, avail, &u) < 0) {
        SIX_STAT(socks->core, udp_in_bad_length);
        return -1;
    }
    /* Bytes past the UDP length are not the datagram's. */
    pkt->len = pkt->meta.l4_off + u.len;
    memcpy(&d->src, pkt->data + SIX_IP6_OFF_SRC, 16);
    memcpy(&d->dst, pkt->data + SIX_IP6_OFF_DST, 16);
    d->mc = pkt->meta.mc_entry;
    /* RFC 8200 8.1: a zero UDP checksum must be discarded. */
    if (u.cksum == 0) {
        SIX_STAT(socks->core, udp_in_zero_checksum);
        return -1;
    }
    if (!(pkt->flags & SIX_PKT_CSUM_OK) &&
        !six_cksum_ip6_ok(&d->src, &d->dst, IPPROTO_UDP, l4, u.len)) {
        SIX_STAT(socks->core, udp_in_bad_checksum);
        return -1;
    }
    d->sport = u.sport;
    d->dport = u.dport;
    d->ifindex = pkt->ifindex;
    return 0;
}

/* The ip6 upper-layer hook for UDP. Consumes pkt. */
static void udp6_input(void *ctx, struct six_pkt *pkt) {
    struct six_socks *socks = ctx;
    struct six_ip6 *ip6 = socks->ip6;
    struct six_sock *s;
    struct dgram d;

    SIX_STAT(socks->core, udp_in_datagrams);
    if (check_datagram(socks, pkt, &d) < 0) {
        six__pkt_free(pkt);
        return;
    }
    if (six_addr_is_multicast(&d.dst)) {
        if (deliver_multicast(socks, pkt, &d) == 0)
            SIX_STAT(socks->core, udp_in_no_port);
        return;
    }
    if ((s = lookup_unicast(socks, &d))) {
        enqueue(s, pkt);
        return;
    }
    /* RFC 4443 3.1: a closed port is Destination Unreachable code 4. */
    SIX_STAT(socks->core, udp_in_no_port);
    if (ip6->send_error)
        ip6->send_error(ip6->error_ctx, pkt, SIX_ICMP6_DST_UNREACH, SIX_ICMP6_DU_NOPORT, 0);
    six__pkt_free(pkt);
}

/* ---- errors ---- */

/* A Packet Too Big about a datagram from sport to dport: the sockets on
 * sport that could have sent it (connected to dport, or not connected)
 * learn of it by pmtu_notify.c's rules. */
static void udp6_ptb(struct six_socks *socks, const struct six_icmp6_err *err, uint16_t sport,
                     uint16_t dport) {
    for (struct six_sock *s = *bucket(socks, sport); s; s = s->next_hash) {
        if (s->recverr || lport(s) != sport ||
            (s->connected && ntohs(s->faddr.sin6_port) != dport))
            continue;
        six__sock_ptb(s, err);
    }
}

/* Sockets with IPV6_RECVERR queue every error about a datagram they could
 * have sent, connected or not (Linux's __udp6_lib_err); the data is what
 * the error quoted after the UDP header. */
static void udp6_recverr(struct six_socks *socks, const struct six_icmp6_err *err, int e,
                         uint16_t sport, uint16_t dport) {
    const uint8_t *data = err->l4_len > 8 ? err->l4 + 8 : NULL;
    size_t len = err->l4_len > 8 ? err->l4_len - 8 : 0;

    for (struct six_sock *s = *bucket(socks, sport); s; s = s->next_hash) {
        if (!s->recverr || lport(s) != sport ||
            (s->connected && (ntohs(s->faddr.sin6_port) != dport ||
                              !IN6_ARE_ADDR_EQUAL(&s->faddr.sin6_addr, &err->dst))))
            continue;
        if (!six_addr_is_unspecified(&s->laddr.sin6_addr) &&
            !IN6_ARE_ADDR_EQUAL(&s->laddr.sin6_addr, &err->src))
            continue;
        six__sock_err_icmp(s, err, e, data, len);
    }
}

/* An ICMPv6 error about a datagram we sent: the connected socket it came
 * from gets it as so_error (BSD udp6_ctlinput: unconnected sockets learn
 * nothing, they could not tell which send failed), unless it asked for
 * Linux's IPV6_RECVERR. */
void six__udp6_notify(struct six_socks *socks, const struct six_icmp6_err *err) {
    uint16_t sport, dport;
    int e = six__icmp6_errno(err->type, err->code);

    if (!e || !err->l4 || err->l4_len < 4)
        return;
    sport = six_get16(err->l4);
    dport = six_get16(err->l4 + 2);
    udp6_recverr(socks, err, e, sport, dport);
    if (err->type == SIX_ICMP6_PACKET_TOO_BIG) {
        udp6_ptb(socks, err, sport, dport);
        return;
    }
    for (struct six_sock *s = *bucket(socks, sport); s; s = s->next_hash) {
        if (s->recverr || lport(s) != sport || !s->connected ||
            ntohs(s->faddr.sin6_port) != dport ||
            !IN6_ARE_ADDR_EQUAL(&s->faddr.sin6_addr, &err->dst))
            continue;
        if (!six_addr_is_unspecified(&s->laddr.sin6_addr) &&
            !IN6_ARE_ADDR_EQUAL(&s->laddr.sin6_addr, &err->src))
            continue;
        six__sock_set_error(s, e);
    }
}
