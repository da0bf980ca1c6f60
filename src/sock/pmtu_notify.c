/* Path MTU as sockets see it (RFC 3542 section 11): Packet Too Big
 * reported to the sockets it concerns, IPV6_PATHMTU notices for
 * IPV6_RECVPATHMTU, and their delivery by recvmsg as a message without
 * data. Generic over protocols: raw6.c and udp6.c find the sockets (by
 * protocol, ports), these functions decide what each one learns.
 *
 * Choices where the RFCs leave room (docs/ARCHITECTURE.md):
 *  - a socket with IPV6_RECVPATHMTU gets the notice and no error for the
 *    same event; one without it, connected to the destination, gets
 *    EMSGSIZE once (as BSD and Linux report it to connected UDP sockets);
 *  - one notice waits at a time, the newest, and recvmsg returns it
 *    before any queued data (as Linux): the latest MTU is what matters.
 */
#include <errno.h>
#include <string.h>

#include "sock/sock.h"
#include "wire/ipv6.h"

/* Queues (replaces) s's notice that the path MTU to dst is mtu. */
static void notice(struct six_sock *s, const struct in6_addr *dst, unsigned ifindex,
                   const uint8_t *port, uint32_t mtu) {
    struct ip6_mtuinfo *mi = &s->pmtu_info;

    memset(mi, 0, sizeof(*mi));
    mi->ip6m_addr.sin6_family = AF_INET6;
    mi->ip6m_addr.sin6_addr = *dst;
    if (six_addr_scope(dst) <= 2 && !six_addr_is_loopback(dst))
        mi->ip6m_addr.sin6_scope_id = ifindex;
    if (port)
        memcpy(&mi->ip6m_addr.sin6_port, port, 2);
    mi->ip6m_mtu = mtu;
    s->pmtu_pending = 1;
    SIX_STAT(s->socks->core, pmtu_notices);
    six__sock_update_ready(s);
    six__core_wake(s->socks->core);
}

void six__sock_ptb(struct six_sock *s, const struct six_icmp6_err *err) {
    int to_peer = s->connected && IN6_ARE_ADDR_EQUAL(&s->faddr.sin6_addr, &err->dst);
    const uint8_t *port = NULL;

    if (s->closing || (s->connected && !to_peer))
        return;
    if (!six_addr_is_unspecified(&s->laddr.sin6_addr) &&
        !six_addr_is_multicast(&s->laddr.sin6_addr) &&
        !IN6_ARE_ADDR_EQUAL(&s->laddr.sin6_addr, &err->src))
        return;
    if (s->recv_flags & SIX_RECV_PATHMTU) {
        /* UDP: the destination port of the quoted datagram. */
        if (err->proto == IPPROTO_UDP && err->l4 && err->l4_len >= 4)
            port = err->l4 + 2;
        notice(s, &err->dst, err->ifindex, port, err->word);
    } else if (to_peer) {
        SIX_STAT(s->socks->core, pmtu_errors);
        six__sock_set_error(s, EMSGSIZE);
    }
}

void six__sock_dontfrag_refused(struct six_sock *s, const struct six_ip6_out *o,
                                const struct six_if *ifp, uint16_t dport) {
    if (s->recverr) {
        /* The port too: tracepath finds its probe by it. */
        struct sockaddr_in6 dst = {.sin6_family = AF_INET6, .sin6_port = dport,
                                   .sin6_addr = o->dst};
        six__sock_err_local(s, EMSGSIZE, &dst, six__ip6_path_mtu(s->socks->ip6, o, ifp));
    }
    if (!(s->recv_flags & SIX_RECV_PATHMTU))
        return;
    /* The MTU that refused it, IPV6_USE_MIN_MTU included: the size a
     * retry must keep to. */
    notice(s, &o->dst, ifp->index, NULL, six__ip6_path_mtu(s->socks->ip6, o, ifp));
}

ssize_t six__sock_recv_pmtu(struct six_sock *s, struct msghdr *msg, int flags) {
    const struct sockaddr_in6 *name = &s->pmtu_info.ip6m_addr;

    msg->msg_flags = 0;
    if (msg->msg_name) {
        size_t n = msg->msg_namelen < sizeof(*name) ? msg->msg_namelen : sizeof(*name);
        memcpy(msg->msg_name, name, n);
        msg->msg_namelen = sizeof(*name);
    }
    six__cmsg_build_pmtu(&s->pmtu_info, msg);
    /* The eventfd is lowered lazily, as after any receive (sock.c). */
    if (!(flags & MSG_PEEK))
        s->pmtu_pending = 0;
    return 0;
}
