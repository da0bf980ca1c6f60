/* Raw IPv6 sockets, as ip6(4) "Raw Sockets" says:
 *  - protocol 0 sends as IPPROTO_RAW and receives everything that reaches
 *    raw input; a non-zero protocol receives only that protocol;
 *  - TCP and UDP never reach raw input; ICMPv6 does, except echo requests
 *    (answered by the stack);
 *  - bind() fixes the source and filters input on destination; connect()
 *    fixes the destination and filters input on source;
 *  - the IPv6 header is built on output and never seen on input;
 *  - IPV6_CHECKSUM computes on output and verifies on input (fixed at
 *    offset 2 for ICMPv6 sockets); ICMP6_FILTER filters ICMPv6 types.
 */
#include <errno.h>
#include <string.h>

#include "sock/sock.h"
#include "wire/bytes.h"
#include "wire/cksum.h"
#include "wire/ext.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

static struct six_sock **proto_list(struct six_socks *socks, int proto) {
    return proto == 0 ? &socks->raw_any : &socks->raw_by_proto[proto];
}

void six__raw6_attach(struct six_sock *s) {
    struct six_sock **head = proto_list(s->socks, s->proto);

    if (s->proto == IPPROTO_ICMPV6) {
        /* RFC 3542 3.2: ICMPv6 sockets start passing every type; the
         * checksum is always at offset 2. */
        ICMP6_FILTER_SETPASSALL(&s->filter);
        s->checksum_off = SIX_ICMP6_OFF_CKSUM;
    }
    s->next_proto = *head;
    *head = s;
}

static void raw6_detach(struct six_sock *s) {
    struct six_sock **pp = proto_list(s->socks, s->proto);
    for (; *pp; pp = &(*pp)->next_proto) {
        if (*pp == s) {
            *pp = s->next_proto;
            return;
        }
    }
}

/* Whether sin6 names an interface that exists (0 = none named). */
static int scope_ok(const struct six_socks *socks, const struct sockaddr_in6 *sin6) {
    return sin6->sin6_scope_id == 0 || six__ip6_if(socks->ip6, sin6->sin6_scope_id);
}

/* A ping socket's identifier: the bound "port", or the next free one. */
static void ping_autobind(struct six_sock *s, uint16_t want) {
    struct six_socks *socks = s->socks;

    if (!want) {
        int busy;
        do {
            busy = 0;
            want = ++socks->ping_next_id ? socks->ping_next_id : ++socks->ping_next_id;
            for (struct six_sock *o = socks->raw_by_proto[IPPROTO_ICMPV6]; o; o = o->next_proto)
                busy |= o != s && o->ping && o->ping_id == want;
        } while (busy);
    }
    s->ping_id = want;
    s->laddr.sin6_port = htons(want);
}

static int raw6_bind(struct six_sock *s, const struct sockaddr_in6 *sin6) {
    struct six_ip6 *ip6 = s->socks->ip6;
    const struct six_addr_entry *e;

    if (s->ping)
        ping_autobind(s, ntohs(sin6->sin6_port));

    if (!scope_ok(s->socks, sin6))
        return -EADDRNOTAVAIL;
    if (!six_addr_is_unspecified(&sin6->sin6_addr)) {
        /* ip6(4): EADDRNOTAVAIL for an address no interface has. */
        e = six__ip6_addr_find(ip6, &sin6->sin6_addr);
        if (!e || (e->flags & SIX_ADDR_ANYCAST))
            return -EADDRNOTAVAIL;
        /* A link-local address names its link (RFC 4007 6). */
        if (six_addr_scope(&sin6->sin6_addr) <= 2 && sin6->sin6_scope_id &&
            sin6->sin6_scope_id != e->ifindex && !six_addr_is_loopback(&e->addr))
            return -EADDRNOTAVAIL;
    }
    s->laddr = *sin6;
    s->laddr.sin6_port = 0;
    s->laddr.sin6_flowinfo = 0;
    s->bound = 1;
    return 0;
}

static int raw6_connect(struct six_sock *s, const struct sockaddr_in6 *sin6) {
    struct six_ip6_out o = {0};
    struct six_if *ifp;
    int rc;

    if (!scope_ok(s->socks, sin6))
        return -EADDRNOTAVAIL;
    o.dst = sin6->sin6_addr;
    /* BSD and Linux both take :: to mean this host. */
    if (six_addr_is_unspecified(&o.dst))
        o.dst = (struct in6_addr)IN6ADDR_LOOPBACK_INIT;
    o.src = s->laddr.sin6_addr;
    o.ifindex = sin6->sin6_scope_id ? sin6->sin6_scope_id : s->laddr.sin6_scope_id;
    if ((rc = six__ip6_route_out(s->socks->ip6, &o, &ifp)) < 0)
        return rc;
    s->faddr = *sin6;
    s->faddr.sin6_addr = o.dst;
    s->faddr.sin6_port = 0;
    s->connected = 1;
    /* Like BSD and Linux, connect fixes the source when bind did not. */
    if (!s->bound || six_addr_is_unspecified(&s->laddr.sin6_addr)) {
        s->laddr.sin6_addr = o.src;
        s->laddr.sin6_scope_id = six_addr_scope(&o.src) <= 2 ? ifp->index : 0;
    }
    return 0;
}

static void raw6_disconnect(struct six_sock *s) {
    s->connected = 0;
    memset(&s->faddr.sin6_addr, 0, sizeof(s->faddr.sin6_addr));
    s->faddr.sin6_scope_id = 0;
}

static ssize_t raw6_send(struct six_sock *s, const struct msghdr *msg, size_t len,
                         const struct sockaddr_in6 *to) {
    struct six_socks *socks = s->socks;
    struct six_send_opts so_buf;
    const struct six_send_opts *so;
    struct six_ip6_out o;   /* six__pktopts_resolve sets every field */
    struct six_pkt *pkt;
    struct six_if *ifp;
    int rc;

    if ((rc = six__cmsg_parse_send(s, msg, &so_buf, &so)) < 0)
        return rc;
    if (len > 65535)
        return -EMSGSIZE;
    if (s->checksum_off >= 0 && (size_t)s->checksum_off + 2 > len)
        return -EINVAL;
    if ((rc = six__pktopts_resolve(s, so, to, &o)) < 0)
        return rc;
    /* Looked up first, for the checksum's source address. */
    if ((rc = six__sock_route_out(s, &o, &ifp)) < 0)
        return rc;
    pkt = six__pkt_alloc(&socks->core->pools, SIX_PKT_HEADROOM + six__ip6_ext_len(&o), len);
    if (!pkt) {
        SIX_STAT(socks->core, ip6_out_nobufs);
        return -ENOBUFS;
    }
    six__iov_gather(msg, pkt->data, len);
    if (s->ping) {
        /* Echo requests only; the identifier is the socket's (Linux). */
        if (len < 8 || pkt->data[0] != ICMP6_ECHO_REQUEST || pkt->data[1] != 0) {
            six__pkt_free(pkt);
            return -EINVAL;
        }
        if (!s->ping_id)
            ping_autobind(s, 0);
        six_put16(pkt->data + 4, s->ping_id);
    }
    if (s->checksum_off >= 0) {
        uint8_t *field = pkt->data + s->checksum_off;
        six_put16(field, 0);
        six_put16(field, six_cksum_ip6(&o.src, &o.dst, o.nxt, pkt->data, len));
    }
    rc = six__ip6_send(socks->ip6, pkt, &o, ifp);
    if (rc == -EMSGSIZE && o.dontfrag)
        six__sock_dontfrag_refused(s, &o, ifp, 0);
    return rc < 0 ? rc : (ssize_t)len;
}

const struct six_proto_ops six__raw6_ops = {
    .bind = raw6_bind,
    .connect = raw6_connect,
    .disconnect = raw6_disconnect,
    .send = raw6_send,
    .detach = raw6_detach,
};

/* ---- input ---- */

/* Whether s wants pkt, by the rules of ip6(4) and RFC 3542 3.2: 1 yes,
 * 0 no, -1 when s wants the protocol but the packet fails its
 * IPV6_CHECKSUM. */
static int raw6_wants(struct six_sock *s, const struct six_pkt *pkt) {
    const uint8_t *h = pkt->data;
    const uint8_t *l4 = pkt->data + pkt->meta.l4_off;
    size_t l4_len = pkt->len - pkt->meta.l4_off;

    if (s->closing || s->shut_rd)
        return 0;
    if (s->bound_if && s->bound_if != pkt->ifindex)
        return 0;   /* SO_BINDTODEVICE */
    /* A ping socket: the echo replies to its identifier. */
    if (s->ping && (l4_len < 8 || l4[0] != ICMP6_ECHO_REPLY || l4[1] != 0 ||
                    six_get16(l4 + 4) != s->ping_id))
        return 0;
    if (s->bound && !six_addr_is_unspecified(&s->laddr.sin6_addr) &&
        memcmp(h + SIX_IP6_OFF_DST, &s->laddr.sin6_addr, 16) != 0)
        return 0;
    if (s->connected && memcmp(h + SIX_IP6_OFF_SRC, &s->faddr.sin6_addr, 16) != 0)
        return 0;
    if (s->proto == IPPROTO_ICMPV6) {
        if (l4_len < 1 || ICMP6_FILTER_WILLBLOCK(l4[0], &s->filter)) {
            SIX_STAT(s->socks->core, raw_in_filtered);
            return 0;
        }
        return 1;   /* icmp6 input verified the checksum already */
    }
    if (s->checksum_off >= 0) {
        struct in6_addr src, dst;
        memcpy(&src, h + SIX_IP6_OFF_SRC, 16);
        memcpy(&dst, h + SIX_IP6_OFF_DST, 16);
        if ((size_t)s->checksum_off + 2 > l4_len ||
            !six_cksum_ip6_ok(&src, &dst, pkt->meta.l4_proto, l4, l4_len)) {
            SIX_STAT(s->socks->core, raw_in_bad_checksum);
            return -1;
        }
    }
    return 1;
}

static void deliver_list(struct six_socks *socks, struct six_sock *list, struct six_pkt *pkt,
                         int *taken, int *bad_cksum, int *used_original) {
    for (struct six_sock *s = list; s; s = s->next_proto) {
        struct six_pkt *copy;
        int want = raw6_wants(s, pkt);

        if (want < 0)
            (*bad_cksum)++;
        if (want <= 0)
            continue;
        (*taken)++;
        /* A full socket drops it: no copy made for nothing. */
        if (six__sock_rcvbuf_full(s))
            continue;
        if (!*used_original) {
            copy = six__pkt_ref(pkt);
            *used_original = 1;
        } else if (!(copy = six__pkt_clone(&socks->core->pools, pkt))) {
            SIX_STAT(socks->core, ip6_in_nobufs);
            continue;
        }
        if (six__sock_enqueue(s, copy) == 0)
            SIX_STAT(socks->core, raw_in_delivered);
    }
}

/* Borrows pkt. Returns the sockets that queued it, or -1 when none did
 * but one dropped it for a bad IPV6_CHECKSUM. */
int six__raw6_input(void *ctx, struct six_pkt *pkt) {
    struct six_socks *socks = ctx;
    uint8_t proto = pkt->meta.l4_proto;
    int taken = 0, bad_cksum = 0, used_original = 0;

    /* ip6(4): TCP and UDP are the stack's, never raw sockets'. */
    if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
        return 0;
    deliver_list(socks, socks->raw_by_proto[proto], pkt, &taken, &bad_cksum, &used_original);
    deliver_list(socks, socks->raw_any, pkt, &taken, &bad_cksum, &used_original);
    /* A socket wanted this protocol and the packet failed its checksum:
     * that is a corrupt packet, not an unknown protocol, so no Parameter
     * Problem goes back (BSD rip6_input: "Drop the received message,
     * don't send an ICMP6 message"; Linux does the same). */
    if (!taken && bad_cksum)
        return -1;
    if (!taken && proto != IPPROTO_ICMPV6)
        SIX_STAT(socks->core, raw_in_no_socket);
    return taken;
}

/* Linux's IPV6_RECVERR (rawv6_err): the socket queues the error when its
 * addresses allow that it sent the packet, connected or not; the data is
 * the quoted packet from its upper-layer header. */
static void raw6_recverr(struct six_sock *s, const struct six_icmp6_err *err, int e) {
    if (s->connected && !IN6_ARE_ADDR_EQUAL(&s->faddr.sin6_addr, &err->dst))
        return;
    /* A ping socket: errors about its own echo requests. */
    if (s->ping && (!err->l4 || err->l4_len < 8 || err->l4[0] != ICMP6_ECHO_REQUEST ||
                    six_get16(err->l4 + 4) != s->ping_id))
        return;
    if (s->bound && !six_addr_is_unspecified(&s->laddr.sin6_addr) &&
        !IN6_ARE_ADDR_EQUAL(&s->laddr.sin6_addr, &err->src))
        return;
    six__sock_err_icmp(s, err, e, err->l4, err->l4 ? err->l4_len : 0);
}

/* An ICMPv6 error about a packet one of our raw sockets sent: a connected
 * socket whose addresses match gets the error as so_error, as BSD's
 * in6_pcbnotify does. A Packet Too Big goes to pmtu_notify.c's rules
 * instead (IPV6_PATHMTU notices, EMSGSIZE). A socket with IPV6_RECVERR
 * queues it instead. */
void six__raw6_notify(void *ctx, const struct six_icmp6_err *err) {
    struct six_socks *socks = ctx;
    int e = six__icmp6_errno(err->type, err->code);

    if (!e)
        return;
    for (int pass = 0; pass < 2; pass++) {
        struct six_sock *s = pass == 0 ? socks->raw_by_proto[err->proto] : socks->raw_any;
        for (; s; s = s->next_proto) {
            if (s->recverr) {
                raw6_recverr(s, err, e);
                continue;
            }
            if (err->type == ICMP6_PACKET_TOO_BIG) {
                six__sock_ptb(s, err);
                continue;
            }
            if (!s->connected || !IN6_ARE_ADDR_EQUAL(&s->faddr.sin6_addr, &err->dst))
                continue;
            if (s->bound && !six_addr_is_unspecified(&s->laddr.sin6_addr) &&
                !IN6_ARE_ADDR_EQUAL(&s->laddr.sin6_addr, &err->src))
                continue;
            six__sock_set_error(s, e);
        }
    }
}
