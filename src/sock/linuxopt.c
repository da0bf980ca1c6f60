/* The Linux socket options that unmodified programs (ping, tracepath,
 * socat, iperf3...) set on IPv6 sockets, beyond ip6(4) and RFC 3542 (ipv6(7),
 * socket(7)). Each is honoured or refused; sockopt.c asks here first and
 * goes on with its own options on -ENOENT. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <string.h>

#include "sock/sock.h"

/* ipv6(7) values of IPV6_MTU_DISCOVER that sixstack honours: DONT and WANT
 * fragment to the path MTU (Linux's IPv6 does the same for both), DO
 * refuses a datagram over it, as IPV6_DONTFRAG (RFC 3542 11.2) does, with
 * EMSGSIZE and, with IPV6_RECVERR, a local error carrying the MTU. PROBE,
 * INTERFACE and OMIT (which send over the path MTU, ignore it, or let
 * routers fragment) are refused with EINVAL. */
static int mtu_discover_set(struct six_sock *s, const void *val, socklen_t len) {
    int v, rc;

    if ((rc = six__opt_int(val, len, &v)) < 0)
        return rc;
    if (v < IPV6_PMTUDISC_DONT || v > IPV6_PMTUDISC_DO)
        return -EINVAL;
    s->pmtudisc = v;
    s->dontfrag = v == IPV6_PMTUDISC_DO;
    return 0;
}

int six__linux_ipv6_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    int v, rc;

    switch (name) {
    case IPV6_RECVERR:
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        s->recverr = v != 0;
        /* Linux empties the queue when the option goes off. */
        if (!s->recverr)
            six__sock_errq_purge(s);
        return 0;
    case IPV6_MTU_DISCOVER:
        return mtu_discover_set(s, val, len);
    case IPV6_MTU:
        /* Linux's smaller fragment size per socket: not implemented. */
        return -ENOPROTOOPT;
    case IPV6_FLOWINFO:
        /* Each datagram's traffic class and flow label as ancillary data. */
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        if (v)
            s->recv_flags |= SIX_RECV_FLOWINFO;
        else
            s->recv_flags &= ~(unsigned)SIX_RECV_FLOWINFO;
        return 0;
    case IPV6_FLOWINFO_SEND:
        /* sendto's sin6_flowinfo gives the flow label (RFC 6437 lets a
         * source pick any; Linux wants it leased with IPV6_FLOWLABEL_MGR
         * first, which sixstack does not have). */
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        s->flowinfo_send = v != 0;
        return 0;
    case IPV6_MULTICAST_ALL:
        /* sixstack delivers a group's datagrams only to the sockets that
         * joined it: Linux's 0. Linux's default, 1 (every socket bound to
         * the port gets every group any socket joined), is refused. */
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        return v == 0 ? 0 : -EINVAL;
    default:
        return -ENOENT;
    }
}

int six__linux_ipv6_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    switch (name) {
    case IPV6_RECVERR:
        return six__opt_put_int(val, len, s->recverr);
    case IPV6_MTU_DISCOVER:
        return six__opt_put_int(val, len, s->pmtudisc);
    case IPV6_MULTICAST_ALL:
        return six__opt_put_int(val, len, 0);
    case IPV6_FLOWINFO:
        return six__opt_put_int(val, len, !!(s->recv_flags & SIX_RECV_FLOWINFO));
    case IPV6_FLOWINFO_SEND:
        return six__opt_put_int(val, len, s->flowinfo_send);
    case IPV6_MTU: {
        /* The path MTU to the connected peer, as IPV6_PATHMTU's. */
        struct ip6_mtuinfo mi;
        socklen_t l = sizeof(mi);
        int rc = six__sock_getsockopt(s, IPPROTO_IPV6, IPV6_PATHMTU, &mi, &l);
        return rc < 0 ? rc : six__opt_put_int(val, len, (int)mi.ip6m_mtu);
    }
    default:
        return -ENOENT;
    }
}

/* SO_TIMESTAMP and SO_TIMESTAMPNS (socket(7)): each received datagram
 * carries the time it was queued on the socket, on the wall clock, as an
 * SCM_TIMESTAMP (struct timeval) or SCM_TIMESTAMPNS (struct timespec, in
 * whole microseconds: the stack's clock) object; with both, the latter. */
static int tstamp_set(struct six_sock *s, unsigned flag, const void *val, socklen_t len) {
    int v, rc;

    if ((rc = six__opt_int(val, len, &v)) < 0)
        return rc;
    if (v)
        s->tstamp |= flag;
    else
        s->tstamp &= ~flag;
    return 0;
}

/* SO_BINDTODEVICE (socket(7)): the socket sends through that interface
 * only (unless a datagram names another) and takes datagrams that came in
 * on it only. An interface name (not NUL-terminated, at most IFNAMSIZ
 * bytes); empty unbinds. As Linux: binding needs privilege (EPERM), an
 * unknown name is ENODEV. TCP sockets refuse it (its demultiplexing does
 * not know interfaces). */
static int bindtodevice_set(struct six_sock *s, const void *val, socklen_t len) {
    char name[IF_NAMESIZE];
    struct six_if *ifp;

    if (s->type == SOCK_STREAM)
        return -ENOPROTOOPT;
    if (len > 0 && !val)
        return -EFAULT;
    if (len >= (socklen_t)sizeof(name))
        len = sizeof(name) - 1;
    memset(name, 0, sizeof(name));
    if (len > 0)
        memcpy(name, val, len);
    if (!name[0]) {
        s->bound_if = 0;
        return 0;
    }
    if (!s->creds.privileged)
        return -EPERM;
    if (!(ifp = six__ip6_if_byname(s->socks->ip6, name)))
        return -ENODEV;
    s->bound_if = ifp->index;
    return 0;
}

static int bindtodevice_get(struct six_sock *s, void *val, socklen_t *len) {
    struct six_if *ifp = s->bound_if ? six__ip6_if(s->socks->ip6, s->bound_if) : NULL;

    if (s->type == SOCK_STREAM)
        return -ENOPROTOOPT;
    if (!ifp) {
        *len = 0;
        return 0;
    }
    return six__opt_put_bytes(val, len, ifp->name, strlen(ifp->name) + 1);
}

int six__linux_sol_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    int v, rc;

    switch (name) {
    case SO_BINDTODEVICE:
        return bindtodevice_set(s, val, len);
    case SO_RCVLOWAT:
        /* Datagram sockets: kept and read back, and without effect, as on
         * Linux (a datagram is returned whole or not at all). Stream
         * sockets are TCP's. */
        if (s->type == SOCK_STREAM)
            return -ENOENT;
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        s->rcvlowat = v < 0 ? INT_MAX : (v == 0 ? 1 : v);
        return 0;
    case SO_TIMESTAMP:
        return tstamp_set(s, SIX_TSTAMP_US, val, len);
    case SO_TIMESTAMPNS:
        return tstamp_set(s, SIX_TSTAMP_NS, val, len);
    default:
        return -ENOENT;
    }
}

int six__linux_sol_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    switch (name) {
    case SO_BINDTODEVICE:
        return bindtodevice_get(s, val, len);
    case SO_RCVLOWAT:
        if (s->type == SOCK_STREAM)
            return -ENOENT;
        return six__opt_put_int(val, len, s->rcvlowat ? s->rcvlowat : 1);
    case SO_TIMESTAMP:
        return six__opt_put_int(val, len, !!(s->tstamp & SIX_TSTAMP_US));
    case SO_TIMESTAMPNS:
        return six__opt_put_int(val, len, !!(s->tstamp & SIX_TSTAMP_NS));
    default:
        return -ENOENT;
    }
}

/* SOL_RAW's IPV6_CHECKSUM (Linux's level for it on raw sockets; ping sets
 * it). On an ICMPv6 socket only offset 2, where the ICMPv6 checksum always
 * is, is accepted; elsewhere it is IPPROTO_IPV6's IPV6_CHECKSUM. */
int six__linux_raw_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    int v, rc;

    if (s->type != SOCK_RAW || name != IPV6_CHECKSUM)
        return -ENOPROTOOPT;
    if (s->proto != IPPROTO_ICMPV6)
        return six__sock_setsockopt(s, IPPROTO_IPV6, name, val, len);
    if ((rc = six__opt_int(val, len, &v)) < 0)
        return rc;
    return v == 2 ? 0 : -EINVAL;
}

int six__linux_raw_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    if (s->type != SOCK_RAW || name != IPV6_CHECKSUM)
        return -ENOPROTOOPT;
    return six__sock_getsockopt(s, IPPROTO_IPV6, name, val, len);
}
