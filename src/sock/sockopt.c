/* Socket options, one small handler per level: SOL_SOCKET, IPPROTO_IPV6
 * (ip6(4) "Options") and IPPROTO_ICMPV6 (ICMP6_FILTER). Values are checked
 * before anything changes: bad input gets its errno and changes nothing.
 * ip6(4): an unknown IPPROTO_IPV6 option name is EINVAL. */
#include <errno.h>
#include <string.h>
#include <sys/time.h>

#include "sock/sock.h"
#include "wire/ipv6.h"

/* Reads an int option value. */
static int get_int_arg(const void *val, socklen_t len, int *out) {
    if (!val || len < (socklen_t)sizeof(int))
        return -EINVAL;
    memcpy(out, val, sizeof(int));
    return 0;
}

/* Writes an int option value, truncated to *len like the kernel does. */
static int put_int(void *val, socklen_t *len, int v) {
    if (!val || !len)
        return -EFAULT;
    if (*len > (socklen_t)sizeof(int))
        *len = sizeof(int);
    memcpy(val, &v, *len);
    return 0;
}

static int put_bytes(void *val, socklen_t *len, const void *src, size_t n) {
    if (!val || !len)
        return -EFAULT;
    if (*len > (socklen_t)n)
        *len = (socklen_t)n;
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
    *out = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
    return 0;
}

static int put_timeval(void *val, socklen_t *len, uint64_t us) {
    struct timeval tv = {.tv_sec = (time_t)(us / 1000000u), .tv_usec = (suseconds_t)(us % 1000000u)};
    return put_bytes(val, len, &tv, sizeof(tv));
}

static int sol_socket_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    int v, rc;

    switch (name) {
    case SO_RCVTIMEO:
        return timeval_to_us(val, len, &s->rcvtimeo_us);
    case SO_SNDTIMEO:
        return timeval_to_us(val, len, &s->sndtimeo_us);
    case SO_RCVBUF:
    case SO_SNDBUF:
        if ((rc = get_int_arg(val, len, &v)) < 0)
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
    case SO_REUSEPORT:
    case SO_KEEPALIVE:
    case SO_DONTROUTE:
    case SO_BROADCAST:
        return get_int_arg(val, len, &v);   /* accepted, no effect yet */
    default:
        return -ENOPROTOOPT;
    }
}

static int sol_socket_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    int err;

    switch (name) {
    case SO_TYPE:
        return put_int(val, len, s->type);
    case SO_PROTOCOL:
        return put_int(val, len, s->proto);
    case SO_DOMAIN:
        return put_int(val, len, AF_INET6);
    case SO_ERROR:
        err = s->so_error;
        s->so_error = 0;
        six__sock_update_ready(s);
        return put_int(val, len, err);
    case SO_RCVBUF:
        return put_int(val, len, (int)s->rcvbuf);
    case SO_SNDBUF:
        return put_int(val, len, (int)s->sndbuf);
    case SO_RCVTIMEO:
        return put_timeval(val, len, s->rcvtimeo_us);
    case SO_SNDTIMEO:
        return put_timeval(val, len, s->sndtimeo_us);
    case SO_ACCEPTCONN:
        return put_int(val, len, 0);
    default:
        return -ENOPROTOOPT;
    }
}

/* ---- IPPROTO_IPV6 ---- */

int six__sock_hops(const struct six_sock *s, const struct in6_addr *dst) {
    /* RFC 3493 5.2: multicast goes out with hop limit 1 unless
     * IPV6_MULTICAST_HOPS says otherwise (that option comes with the
     * multicast work). */
    if (dst && six_addr_is_multicast(dst))
        return 1;
    return s->unicast_hops >= 0 ? s->unicast_hops : s->socks->ip6->default_hlim;
}

/* A receive switch (IPV6_HOPLIMIT as the page's int, IPV6_RECV*). */
static int set_recv_flag(struct six_sock *s, unsigned flag, const void *val, socklen_t len) {
    int v, rc = get_int_arg(val, len, &v);
    if (rc < 0)
        return rc;
    if (v)
        s->recv_flags |= flag;
    else
        s->recv_flags &= ~flag;
    return 0;
}

static int ipv6_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    int v, rc;

    switch (name) {
    case IPV6_UNICAST_HOPS:
        if ((rc = get_int_arg(val, len, &v)) < 0)
            return rc;
        /* RFC 3542 6.3 and the page: -1 resets to the default. */
        if (v < -1 || v > 255)
            return -EINVAL;
        s->unicast_hops = v;
        return 0;
    case IPV6_CHECKSUM:
        if ((rc = get_int_arg(val, len, &v)) < 0)
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
    case IPV6_RECVPKTINFO:
        return set_recv_flag(s, SIX_RECV_PKTINFO, val, len);
    case IPV6_RECVTCLASS:
        return set_recv_flag(s, SIX_RECV_TCLASS, val, len);
    default:
        return -EINVAL;
    }
}

static int ipv6_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    switch (name) {
    case IPV6_UNICAST_HOPS:
        return put_int(val, len, six__sock_hops(s, NULL));
    case IPV6_CHECKSUM:
        return put_int(val, len, s->checksum_off);
    case IPV6_HOPLIMIT:
    case IPV6_RECVHOPLIMIT:
        return put_int(val, len, !!(s->recv_flags & SIX_RECV_HOPLIMIT));
    case IPV6_RECVPKTINFO:
        return put_int(val, len, !!(s->recv_flags & SIX_RECV_PKTINFO));
    case IPV6_RECVTCLASS:
        return put_int(val, len, !!(s->recv_flags & SIX_RECV_TCLASS));
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
    return put_bytes(val, len, &s->filter, sizeof(s->filter));
}

int six__sock_setsockopt(struct six_sock *s, int level, int name, const void *val,
                         socklen_t len) {
    switch (level) {
    case SOL_SOCKET:
        return sol_socket_set(s, name, val, len);
    case IPPROTO_IPV6:
        return ipv6_set(s, name, val, len);
    case IPPROTO_ICMPV6:
        return icmpv6_set(s, name, val, len);
    default:
        return -ENOPROTOOPT;
    }
}

int six__sock_getsockopt(struct six_sock *s, int level, int name, void *val, socklen_t *len) {
    if (!len)
        return -EFAULT;
    if ((int)*len < 0)
        return -EINVAL;
    switch (level) {
    case SOL_SOCKET:
        return sol_socket_get(s, name, val, len);
    case IPPROTO_IPV6:
        return ipv6_get(s, name, val, len);
    case IPPROTO_ICMPV6:
        return icmpv6_get(s, name, val, len);
    default:
        return -ENOPROTOOPT;
    }
}
