/* Socket options, one small handler per level: SOL_SOCKET, IPPROTO_IPV6
 * (ip6(4) "Options") and IPPROTO_ICMPV6 (ICMP6_FILTER). Values are checked
 * before anything changes: bad input gets its errno and changes nothing.
 * ip6(4): an unknown IPPROTO_IPV6 option name is EINVAL. */
#include <errno.h>
#include <string.h>
#include <sys/time.h>

#include "ipsec/ipsec.h"
#include "sock/sock.h"
#include "sock/tcp6.h"
#include "wire/ipv6.h"

/* Reads an int option value. */
int six__opt_int(const void *val, socklen_t len, int *out) {
    if (!val || len < (socklen_t)sizeof(int))
        return -EINVAL;
    memcpy(out, val, sizeof(int));
    return 0;
}

/* Writes an int option value, truncated to *len like the kernel does. */
int six__opt_put_int(void *val, socklen_t *len, int v) {
    if (!val || !len)
        return -EFAULT;
    if (*len > (socklen_t)sizeof(int))
        *len = sizeof(int);
    memcpy(val, &v, *len);
    return 0;
}

int six__opt_put_bytes(void *val, socklen_t *len, const void *src, size_t n) {
    if (!val || !len)
        return -EFAULT;
    if (*len > (socklen_t)n)
        *len = (socklen_t)n;
    if (*len)
        memcpy(val, src, *len);
    return 0;
}

/* ---- SOL_SOCKET ---- */

static int timeval_to_us(const void *val, socklen_t len, uint64_t *out) {
    struct timeval tv;

    if (!val || len < (socklen_t)sizeof(tv))
        return -EINVAL;
    memcpy(&tv, val, sizeof(tv));
    if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
        return -EDOM;
    /* A timeout too long to count in microseconds is no timeout, as Linux
     * clamps it to forever. */
    if ((uint64_t)tv.tv_sec > (UINT64_MAX - 999999u) / 1000000u) {
        *out = 0;
        return 0;
    }
    *out = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
    return 0;
}

static int put_timeval(void *val, socklen_t *len, uint64_t us) {
    struct timeval tv = {.tv_sec = (time_t)(us / 1000000u), .tv_usec = (suseconds_t)(us % 1000000u)};
    return six__opt_put_bytes(val, len, &tv, sizeof(tv));
}

static int sol_socket_set_common(struct six_sock *s, int name, const void *val,
                                 socklen_t len);

static int sol_socket_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    int rc;

    if (s->type == SOCK_STREAM) {
        /* The generic part first (buffer sizes), then TCP's. */
        if (name == SO_RCVBUF || name == SO_SNDBUF) {
            if ((rc = sol_socket_set_common(s, name, val, len)) < 0)
                return rc;
        }
        if ((rc = six__tcp6_sol_set(s, name, val, len)) != -ENOENT)
            return rc;
    }
    return sol_socket_set_common(s, name, val, len);
}

static int sol_socket_set_common(struct six_sock *s, int name, const void *val, socklen_t len) {
    int v, rc;

    switch (name) {
    case SO_RCVTIMEO:
        return timeval_to_us(val, len, &s->rcvtimeo_us);
    case SO_SNDTIMEO:
        return timeval_to_us(val, len, &s->sndtimeo_us);
    case SO_RCVBUF:
    case SO_SNDBUF:
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        /* Like Linux: at least 2 KiB, and what was asked is doubled to
         * cover bookkeeping (here: headers kept with the data). */
        if (v < 1024)
            v = 1024;
        if (v > (1 << 26))
            v = 1 << 26;
        if (name == SO_RCVBUF)
            s->rcvbuf = (unsigned)v * 2;
        else
            s->sndbuf = (unsigned)v * 2;
        return 0;
    case SO_REUSEADDR:
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        s->reuseaddr = v != 0;
        return 0;
    case SO_REUSEPORT:
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        s->reuseport = v != 0;
        return 0;
    case SO_DONTROUTE:
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        s->dontroute = v != 0;
        return 0;
    case SO_KEEPALIVE:   /* a datagram socket has no connection to keep */
    case SO_BROADCAST:   /* IPv6 has no broadcast */
        return -ENOPROTOOPT;
    default:
        return -ENOPROTOOPT;
    }
}

static int sol_socket_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    int err;

    if (s->type == SOCK_STREAM && (err = six__tcp6_sol_get(s, name, val, len)) != -ENOENT)
        return err;
    switch (name) {
    case SO_TYPE:
        return six__opt_put_int(val, len, s->ping ? SOCK_DGRAM : s->type);
    case SO_PROTOCOL:
        return six__opt_put_int(val, len, s->proto);
    case SO_DOMAIN:
        return six__opt_put_int(val, len, AF_INET6);
    case SO_ERROR:
        err = s->so_error;
        s->so_error = 0;
        six__sock_update_ready(s);
        return six__opt_put_int(val, len, err);
    case SO_RCVBUF:
        return six__opt_put_int(val, len, (int)s->rcvbuf);
    case SO_SNDBUF:
        return six__opt_put_int(val, len, (int)s->sndbuf);
    case SO_RCVTIMEO:
        return put_timeval(val, len, s->rcvtimeo_us);
    case SO_SNDTIMEO:
        return put_timeval(val, len, s->sndtimeo_us);
    case SO_ACCEPTCONN:
        return six__opt_put_int(val, len, s->tcb && s->tcb->state == SIX_TCP_LISTEN);
    case SO_REUSEADDR:
        return six__opt_put_int(val, len, s->reuseaddr);
    case SO_REUSEPORT:
        return six__opt_put_int(val, len, s->reuseport);
    case SO_DONTROUTE:
        return six__opt_put_int(val, len, s->dontroute);
    default:
        return -ENOPROTOOPT;
    }
}

/* ---- IPPROTO_IPV6 ---- */

int six__sock_hops(const struct six_sock *s, const struct in6_addr *dst) {
    /* RFC 3493 5.2: multicast goes out with hop limit 1 unless
     * IPV6_MULTICAST_HOPS says otherwise. */
    if (dst && six_addr_is_multicast(dst))
        return s->mcast_hops >= 0 ? s->mcast_hops : 1;
    return s->unicast_hops >= 0 ? s->unicast_hops : s->socks->ip6->default_hlim;
}

/* An int option in [lo, hi]. */
static int get_int_range(const void *val, socklen_t len, int lo, int hi, int *out) {
    int v, rc = six__opt_int(val, len, &v);
    if (rc < 0)
        return rc;
    if (v < lo || v > hi)
        return -EINVAL;
    *out = v;
    return 0;
}

/* The basic options of the page that shape outgoing packets: hop limits,
 * traffic class, multicast interface and loop, fragmentation policy. They
 * are the third choice of the page's precedence rule. Returns -ENOENT for
 * a name that is not one of them. */
static int basic_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    unsigned u;
    int rc;

    switch (name) {
    case IPV6_UNICAST_HOPS:
        /* RFC 3542 6.3 and the page: -1 resets to the default. */
        return get_int_range(val, len, -1, 255, &s->unicast_hops);
    case IPV6_MULTICAST_HOPS:
        return get_int_range(val, len, -1, 255, &s->mcast_hops);
    case IPV6_TCLASS:
        /* The page: "between -1 and 255"; -1 resets to the default. */
        return get_int_range(val, len, -1, 255, &s->tclass);
    case IPV6_MULTICAST_IF:
        if (!val || len < (socklen_t)sizeof(u))
            return -EINVAL;
        memcpy(&u, val, sizeof(u));
        /* 0 is the default interface; anything else must exist (BSD). */
        if (u != 0 && !six__ip6_if(s->socks->ip6, u))
            return -ENXIO;
        s->mcast_if = u;
        return 0;
    case IPV6_MULTICAST_LOOP:
        if (!val || len < (socklen_t)sizeof(u))
            return -EINVAL;
        memcpy(&u, val, sizeof(u));
        if (u > 1)
            return -EINVAL;   /* RFC 3493 5.2: 0 or 1 */
        s->mcast_loop = u;
        return 0;
    case IPV6_USE_MIN_MTU:
        /* RFC 3542 11.1: -1 (unicast: path MTU, multicast: 1280), 0, 1. */
        return get_int_range(val, len, -1, 1, &s->use_min_mtu);
    case IPV6_DONTFRAG:
        if ((rc = six__opt_int(val, len, &s->dontfrag)) < 0)
            return rc;
        s->dontfrag = s->dontfrag != 0;
        return 0;
    case IPV6_PORTRANGE:
        return get_int_range(val, len, IPV6_PORTRANGE_DEFAULT, IPV6_PORTRANGE_LOW,
                             &s->portrange);
    default:
        return -ENOENT;
    }
}

static int basic_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    switch (name) {
    case IPV6_UNICAST_HOPS:
        return six__opt_put_int(val, len, six__sock_hops(s, NULL));
    case IPV6_MULTICAST_HOPS:
        return six__opt_put_int(val, len, s->mcast_hops >= 0 ? s->mcast_hops : 1);
    case IPV6_TCLASS:
        return six__opt_put_int(val, len, s->tclass >= 0 ? s->tclass : 0);
    case IPV6_MULTICAST_IF:
        return six__opt_put_int(val, len, (int)s->mcast_if);
    case IPV6_MULTICAST_LOOP:
        return six__opt_put_int(val, len, (int)s->mcast_loop);
    case IPV6_USE_MIN_MTU:
        return six__opt_put_int(val, len, s->use_min_mtu);
    case IPV6_DONTFRAG:
        return six__opt_put_int(val, len, s->dontfrag);
    case IPV6_PORTRANGE:
        return six__opt_put_int(val, len, s->portrange);
    default:
        return -ENOENT;
    }
}

/* The slot of an IPsec level option in six_sock.ipsec_levels, or -1. */
static int ipsec_slot(int name) {
    switch (name) {
    case IPV6_AUTH_LEVEL:
        return SIX_IPSEC_SL_AUTH;
    case IPV6_ESP_TRANS_LEVEL:
        return SIX_IPSEC_SL_ESP_TRANS;
    case IPV6_ESP_NETWORK_LEVEL:
        return SIX_IPSEC_SL_ESP_NETWORK;
    case IPV6_IPCOMP_LEVEL:
        return SIX_IPSEC_SL_IPCOMP;
    default:
        return -1;
    }
}

/* The page's IPsec levels (ipsec(4), KAME's meaning): default leaves the
 * socket to the system policy; use, require and unique add protection to
 * it (sixstack-ip6(7) says how they combine). A build without IPsec
 * refuses every level but the default. */
static int ipsec_level_set(struct six_sock *s, int slot, int v) {
    if (v < SIX_IPSEC_LEVEL_DEFAULT || v > SIX_IPSEC_LEVEL_UNIQUE)
        return -EINVAL;
    if (!six__ipsec_built())
        return v == SIX_IPSEC_LEVEL_DEFAULT ? 0 : -EOPNOTSUPP;
    s->ipsec_levels = (s->ipsec_levels & ~(0xffu << (8 * slot))) | (uint32_t)v << (8 * slot);
    if (s->tcb)   /* TCP's input and its socketless segments read the TCB's */
        s->tcb->ipsec_levels = s->ipsec_levels;
    return 0;
}

/* Options for machinery sixstack does not have, refused rather than
 * silently accepted when they ask for it: IPv6-only is all there is
 * (DragonFly's reading: 0 is EOPNOTSUPP) and faith(4) translation does
 * not exist. */
static int unsupported_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    int v, rc, slot = ipsec_slot(name);

    if (name != IPV6_V6ONLY && name != IPV6_FAITH && slot < 0)
        return -ENOENT;
    if ((rc = six__opt_int(val, len, &v)) < 0)
        return rc;
    if (name == IPV6_V6ONLY)
        return v ? 0 : -EOPNOTSUPP;
    if (name == IPV6_FAITH)
        return v ? -EOPNOTSUPP : 0;
    return ipsec_level_set(s, slot, v);
}

static int unsupported_get(const struct six_sock *s, int name, void *val, socklen_t *len) {
    int slot = ipsec_slot(name);

    switch (name) {
    case IPV6_V6ONLY:
        return six__opt_put_int(val, len, 1);
    case IPV6_FAITH:
        return six__opt_put_int(val, len, 0);
    default:
        if (slot < 0)
            return -ENOENT;
        return six__opt_put_int(val, len, (int)(s->ipsec_levels >> (8 * slot) & 0xff));
    }
}

/* A receive switch (IPV6_HOPLIMIT as the page's int, IPV6_RECV*). */
static int set_recv_flag(struct six_sock *s, unsigned flag, const void *val, socklen_t len) {
    int v, rc = six__opt_int(val, len, &v);
    if (rc < 0)
        return rc;
    if (v)
        s->recv_flags |= flag;
    else
        s->recv_flags &= ~flag;
    return 0;
}

/* The switches for received headers: the page's int forms of
 * IPV6_PKTINFO, IPV6_HOPOPTS, IPV6_DSTOPTS and IPV6_RTHDR, and RFC 3542's
 * IPV6_RECV* names for the same. ip6(4): the option headers "require
 * superuser privileges", checked against the socket's creator; refused
 * with EPERM as BSD does. The same names with other lengths are RFC 3542
 * sticky headers for sending (sticky_header_set). */
static int recv_switch_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    int page_form = name == IPV6_PKTINFO || name == IPV6_HOPOPTS || name == IPV6_DSTOPTS ||
                    name == IPV6_RTHDR;
    unsigned flag;

    switch (name) {
    case IPV6_PKTINFO:
    case IPV6_RECVPKTINFO:
        flag = SIX_RECV_PKTINFO;
        break;
    case IPV6_HOPOPTS:
    case IPV6_RECVHOPOPTS:
        flag = SIX_RECV_HOPOPTS;
        break;
    case IPV6_DSTOPTS:
    case IPV6_RECVDSTOPTS:
        flag = SIX_RECV_DSTOPTS;
        break;
    case IPV6_RTHDR:
    case IPV6_RECVRTHDR:
        flag = SIX_RECV_RTHDR;
        break;
    default:
        return -EINVAL;   /* ip6(4): an unknown option name */
    }
    /* The page's int form is told apart by its length (spec README). */
    if (page_form && len != (socklen_t)sizeof(int))
        return -EINVAL;
    int on, rc = six__opt_int(val, len, &on);
    if (rc < 0)
        return rc;
    /* Turning it off needs no privilege. */
    if (flag != SIX_RECV_PKTINFO && on && !s->creds.privileged)
        return -EPERM;
    return set_recv_flag(s, flag, val, len);
}

/* RFC 2292's names, where the host keeps them apart from RFC 3542's
 * (glibc's IPV6_2292*): the page's int switches under another number. */
static int rfc2292_name(int name) {
    switch (name) {
#ifdef IPV6_2292PKTINFO
    case IPV6_2292PKTINFO:
        return IPV6_PKTINFO;
    case IPV6_2292HOPLIMIT:
        return IPV6_HOPLIMIT;
    case IPV6_2292HOPOPTS:
        return IPV6_HOPOPTS;
    case IPV6_2292DSTOPTS:
        return IPV6_DSTOPTS;
    case IPV6_2292RTHDR:
        return IPV6_RTHDR;
#endif
    default:
        return name;
    }
}

static int ipv6_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    int v, rc;

    if (rfc2292_name(name) != name) {
        if (len != (socklen_t)sizeof(int))
            return -EINVAL;   /* RFC 2292 6.1: an int on/off switch */
        name = rfc2292_name(name);
    }

    if ((rc = basic_set(s, name, val, len)) != -ENOENT ||
        (rc = six__linux_ipv6_set(s, name, val, len)) != -ENOENT ||
        (rc = unsupported_set(s, name, val, len)) != -ENOENT)
        return rc;
    if ((rc = six__sticky_set(s, name, val, len)) != -ENOENT ||
        (rc = six__mcast_set(s, name, val, len)) != -ENOENT)
        return rc;
    switch (name) {
    case IPV6_CHECKSUM:
        /* A raw socket's option: BSD and Linux both refuse it on UDP. */
        if (s->type != SOCK_RAW)
            return -ENOPROTOOPT;
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        /* ip6(4): the ICMPv6 checksum cannot be moved or turned off. An
         * odd offset cannot hold an aligned 16-bit checksum. */
        if (s->proto == IPPROTO_ICMPV6 || v < -1 || (v > 0 && (v & 1)))
            return -EINVAL;
        s->checksum_off = v;
        return 0;
    case IPV6_HOPLIMIT:      /* the page's form: an int switch */
    case IPV6_RECVHOPLIMIT:  /* RFC 3542's name for it */
        return set_recv_flag(s, SIX_RECV_HOPLIMIT, val, len);
    case IPV6_RECVTCLASS:
        return set_recv_flag(s, SIX_RECV_TCLASS, val, len);
    case IPV6_RECVPATHMTU:
        if ((rc = set_recv_flag(s, SIX_RECV_PATHMTU, val, len)) < 0)
            return rc;
        /* Turned off, a notice not read yet is no longer wanted. */
        if (!(s->recv_flags & SIX_RECV_PATHMTU))
            s->pmtu_pending = 0;
        return 0;
    case IPV6_PATHMTU:
        return -ENOPROTOOPT;   /* RFC 3542 11.4: get only */
    default:
        return recv_switch_set(s, name, val, len);
    }
}

/* RFC 3542 11.4: the path MTU toward the connected peer: the first hop's
 * link MTU, or the lower estimate Packet Too Big messages left in the
 * path MTU cache (RFC 8201). IPV6_USE_MIN_MTU does not change the path. */
static int pathmtu_get(struct six_sock *s, void *val, socklen_t *len) {
    struct six_ip6_out o = {.minmtu = SIX_MINMTU_NEVER};
    struct ip6_mtuinfo mi;
    struct six_if *ifp;
    int rc;

    if (!s->connected)
        return -ENOTCONN;
    o.dst = s->faddr.sin6_addr;
    o.src = s->laddr.sin6_addr;
    o.ifindex = s->faddr.sin6_scope_id;
    if ((rc = six__ip6_route_out(s->socks->ip6, &o, &ifp)) < 0)
        return rc;
    memset(&mi, 0, sizeof(mi));
    mi.ip6m_addr = s->faddr;
    mi.ip6m_mtu = six__ip6_path_mtu(s->socks->ip6, &o, ifp);
    return six__opt_put_bytes(val, len, &mi, sizeof(mi));
}

static int ipv6_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    int rc;

    if (rfc2292_name(name) != name) {
        int v = 0;
        socklen_t l = sizeof(v);
        name = rfc2292_name(name);
        if ((rc = ipv6_get(s, name == IPV6_PKTINFO ? IPV6_RECVPKTINFO : name, &v, &l)) < 0)
            return rc;
        return six__opt_put_int(val, len, v);
    }

    if ((rc = basic_get(s, name, val, len)) != -ENOENT ||
        (rc = six__linux_ipv6_get(s, name, val, len)) != -ENOENT ||
        (rc = six__msf_get(s, name, val, len)) != -ENOENT ||
        (rc = unsupported_get(s, name, val, len)) != -ENOENT)
        return rc;
    if ((rc = six__sticky_get(s, name, val, len)) != -ENOENT)
        return rc;
    switch (name) {
    case IPV6_PATHMTU:
        return pathmtu_get(s, val, len);
    case IPV6_RECVPATHMTU:
        return six__opt_put_int(val, len, !!(s->recv_flags & SIX_RECV_PATHMTU));
    case IPV6_PKTINFO:
        return six__opt_put_int(val, len, !!(s->recv_flags & SIX_RECV_PKTINFO));
    case IPV6_CHECKSUM:
        if (s->type != SOCK_RAW)
            return -ENOPROTOOPT;
        return six__opt_put_int(val, len, s->checksum_off);
    case IPV6_HOPLIMIT:
    case IPV6_RECVHOPLIMIT:
        return six__opt_put_int(val, len, !!(s->recv_flags & SIX_RECV_HOPLIMIT));
    case IPV6_RECVPKTINFO:
        return six__opt_put_int(val, len, !!(s->recv_flags & SIX_RECV_PKTINFO));
    case IPV6_RECVTCLASS:
        return six__opt_put_int(val, len, !!(s->recv_flags & SIX_RECV_TCLASS));
    case IPV6_HOPOPTS:
    case IPV6_RECVHOPOPTS:
        return six__opt_put_int(val, len, !!(s->recv_flags & SIX_RECV_HOPOPTS));
    case IPV6_DSTOPTS:
    case IPV6_RECVDSTOPTS:
        return six__opt_put_int(val, len, !!(s->recv_flags & SIX_RECV_DSTOPTS));
    case IPV6_RTHDR:
    case IPV6_RECVRTHDR:
        return six__opt_put_int(val, len, !!(s->recv_flags & SIX_RECV_RTHDR));
    default:
        return -EINVAL;
    }
}

/* ---- IPPROTO_ICMPV6 ---- */

static int icmpv6_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    if (s->proto != IPPROTO_ICMPV6)
        return -EOPNOTSUPP;
    if (name != ICMP6_FILTER)
        return -ENOPROTOOPT;
    if (!val || len < (socklen_t)sizeof(s->filter))
        return -EINVAL;
    memcpy(&s->filter, val, sizeof(s->filter));
    return 0;
}

static int icmpv6_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    if (s->proto != IPPROTO_ICMPV6)
        return -EOPNOTSUPP;
    if (name != ICMP6_FILTER)
        return -ENOPROTOOPT;
    return six__opt_put_bytes(val, len, &s->filter, sizeof(s->filter));
}

int six__sock_setsockopt(struct six_sock *s, int level, int name, const void *val,
                         socklen_t len) {
    int rc;

    if (s->type == SOCK_STREAM && (rc = six__tcp6_refused(level, name)) < 0)
        return rc;
    switch (level) {
    case SOL_SOCKET:
        if ((rc = six__linux_sol_set(s, name, val, len)) != -ENOENT)
            return rc;
        return sol_socket_set(s, name, val, len);
    case SOL_RAW:
        return six__linux_raw_set(s, name, val, len);
    case IPPROTO_IPV6:
        if ((rc = ipv6_set(s, name, val, len)) == 0 && s->type == SOCK_STREAM)
            six__tcp6_ipv6_changed(s);
        return rc;
    case IPPROTO_ICMPV6:
        return icmpv6_set(s, name, val, len);
    case IPPROTO_TCP:
        return six__tcp6_setsockopt(s, name, val, len);
    default:
        return -ENOPROTOOPT;
    }
}

int six__sock_getsockopt(struct six_sock *s, int level, int name, void *val, socklen_t *len) {
    if (!len)
        return -EFAULT;
    if ((int)*len < 0)
        return -EINVAL;
    int rc;

    switch (level) {
    case SOL_SOCKET:
        if ((rc = six__linux_sol_get(s, name, val, len)) != -ENOENT)
            return rc;
        return sol_socket_get(s, name, val, len);
    case SOL_RAW:
        return six__linux_raw_get(s, name, val, len);
    case IPPROTO_IPV6:
        return ipv6_get(s, name, val, len);
    case IPPROTO_ICMPV6:
        return icmpv6_get(s, name, val, len);
    case IPPROTO_TCP:
        return six__tcp6_getsockopt(s, name, val, len);
    default:
        return -ENOPROTOOPT;
    }
}
