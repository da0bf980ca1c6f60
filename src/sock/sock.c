/* Socket objects: creation, receive queues, readiness, waiting, and the
 * sockaddr/iovec helpers every protocol uses. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sock/sock.h"
#include "sock/tcp6.h"
#include "wire/bytes.h"
#include "wire/udp.h"

/* The ICMPv6 error hook: the error goes to the protocol that sent the
 * invoking packet. */
static void notify(void *ctx, const struct six_icmp6_err *err) {
    struct six_socks *socks = ctx;

    if (err->proto == IPPROTO_UDP)
        six__udp6_notify(ctx, err);
    else if (err->proto == IPPROTO_TCP)
        six__tcp_notify(&socks->tcp, err);
    else
        six__raw6_notify(ctx, err);
}

void six__socks_init(struct six_socks *socks, struct six_core *core, struct six_ip6 *ip6,
                     struct six_icmp6 *icmp6, unsigned max_socks, unsigned rcvbuf) {
    memset(socks, 0, sizeof(*socks));
    socks->core = core;
    socks->ip6 = ip6;
    socks->icmp6 = icmp6;
    socks->max_socks = max_socks;
    socks->rcvbuf_default = rcvbuf;
    ip6->raw_input = six__raw6_input;
    ip6->raw_ctx = socks;
    icmp6->notify = notify;
    icmp6->notify_ctx = socks;
}

void six__socks_fini(struct six_socks *socks) {
    struct six_core *core = socks->core;

    struct six_sock *retired;

    six__core_lock(core);
    while (socks->all)
        six__sock_close_locked(socks->all);
    /* Callers blocked in a socket call woke with EBADF but still need the
     * stack's lock to leave it: the stack must outlive them. */
    while (socks->closed_busy > 0)
        six__core_wait(core, SIX_NEVER);
    retired = six__socks_take_retired(socks);
    six__core_unlock(core);
    /* Its grace period also waits out lookups about to lock this stack's
     * mutex, which goes next. */
    six__socks_free_retired(retired);
    six__udp6_fini(socks);
    six__core_lock(core);
    six__tcp6_fini(socks);
    six__core_unlock(core);
}

struct six_sock *six__socks_take_retired(struct six_socks *socks) {
    struct six_sock *retired = socks->retired;

    socks->retired = NULL;
    socks->nretired = 0;
    return retired;
}

static int check_create(struct six_socks *socks, int type, int proto,
                        const struct six_creds *creds) {
    /* Ping sockets need no privilege (Linux asks ping_group_range; a
     * stack of one's own has no such table). */
    if (type == SOCK_DGRAM && proto == IPPROTO_ICMPV6)
        return socks->nsocks >= socks->max_socks ? -ENOBUFS : 0;
    if (type == SOCK_DGRAM || type == SOCK_STREAM) {
        if (proto != 0 && proto != (type == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP))
            return -EPROTONOSUPPORT;
        if (socks->nsocks >= socks->max_socks)
            return -ENOBUFS;
        /* TCP's tables are made by the stack's first stream socket. */
        return type == SOCK_STREAM ? six__tcp_tables(&socks->tcp) : 0;
    }
    if (type != SOCK_RAW)
        return -EPROTONOSUPPORT;
    if (proto < 0 || proto > 255)
        return -EINVAL;
    /* ip6(4) DIAGNOSTICS: EACCES for a raw socket by a non-privileged
     * process. */
    if (!creds->privileged)
        return -EACCES;
    if (socks->nsocks >= socks->max_socks)
        return -ENOBUFS;
    return 0;
}

int six__sock_create(struct six_socks *socks, int domain, int type, int proto) {
    return six__sock_create_ex(socks, domain, type, proto, NULL, NULL);
}

/* Called with the stack unlocked. */
int six__sock_create_ex(struct six_socks *socks, int domain, int type, int proto,
                        const struct six_creds *with, struct six_sock **out) {
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    struct six_creds creds;
    struct six_sock *s;
    int rc;

    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain != AF_INET6)
        return -EAFNOSUPPORT;
    if (with)
        creds = *with;
    else
        six__creds_current(&creds);
    six__core_lock(socks->core);
    rc = check_create(socks, type, proto, &creds);
    if (rc == 0)
        socks->nsocks++;        /* reserve a place before unlocking */
    six__core_unlock(socks->core);
    if (rc < 0)
        return rc;

    s = calloc(1, sizeof(*s));
    if (!s) {
        rc = -ENOBUFS;
        goto unreserve;
    }
    s->fd = six_port_signal_open();
    if (s->fd < 0) {
        rc = s->fd;
        free(s);
        goto unreserve;
    }
    s->socks = socks;
    s->type = type;
    s->proto = proto;
    s->creds = creds;
    s->nonblock = (flags & SOCK_NONBLOCK) != 0;
    s->rcvbuf = socks->rcvbuf_default;
    s->sndbuf = socks->rcvbuf_default;
    s->unicast_hops = -1;
    s->mcast_hops = -1;
    s->mcast_loop = 1;
    s->tclass = -1;
    s->use_min_mtu = -1;
    s->checksum_off = -1;
    s->laddr.sin6_family = AF_INET6;
    s->faddr.sin6_family = AF_INET6;
    if (type == SOCK_DGRAM && proto == IPPROTO_ICMPV6) {
        s->ping = 1;
        s->type = type = SOCK_RAW;   /* SO_TYPE still says SOCK_DGRAM */
    }
    s->ops = type == SOCK_DGRAM    ? &six__udp6_ops
             : type == SOCK_STREAM ? &six__tcp6_ops
                                   : &six__raw6_ops;
    if (type == SOCK_DGRAM)
        s->proto = IPPROTO_UDP;
    if (type == SOCK_STREAM)
        s->proto = IPPROTO_TCP;
    if ((rc = six__socktab_insert(s)) < 0) {
        six_port_signal_close(s->fd);
        free(s);
        goto unreserve;
    }
    six__core_lock(socks->core);
    s->next_all = socks->all;
    socks->all = s;
    if (type == SOCK_RAW)
        six__raw6_attach(s);
    six__core_unlock(socks->core);
    if (out)
        *out = s;
    return s->fd;

unreserve:
    six__core_lock(socks->core);
    socks->nsocks--;
    six__core_unlock(socks->core);
    return rc;
}

/* ---- readiness ---- */

static int readable(const struct six_sock *s) {
    if (s->type == SOCK_STREAM)
        return six__tcp6_eventfd_ready(s);
    return s->rxq.count > 0 || s->so_error != 0 || s->shut_rd || s->pmtu_pending;
}

/* The eventfd is raised as soon as the socket becomes readable, but only
 * lowered when someone looks and finds nothing (a receive that would
 * block, six_poll): a steady stream of packets then costs no system call
 * at all, where mirroring every change cost a write and a read per packet.
 * The price is one spurious wake-up of a process polling the descriptor
 * itself after it drained the socket: its next receive says EAGAIN and
 * lowers the eventfd (documented in ARCHITECTURE). */
void six__sock_update_ready(struct six_sock *s) {
    if (s->evt_set || s->closing || !readable(s))
        return;
    if (six_port_signal_raise(s->fd) == 0)
        s->evt_set = 1;
}

void six__sock_sync_ready(struct six_sock *s) {
    if (!s->evt_set || s->closing || readable(s))
        return;
    if (six_port_signal_lower(s->fd) == 0)
        s->evt_set = 0;
}

/* Consumes pkt. The receive buffer is charged the whole buffer a packet
 * holds (like Linux's truesize), not just its bytes: otherwise a socket
 * queueing small packets could take every buffer of the stack's pools.
 * As on Linux, a packet is taken while the charge is below the limit, so
 * a queue always holds at least one whatever its size. */
int six__sock_rcvbuf_full(struct six_sock *s) {
    if (!s->shut_rd && s->rx_bytes < s->rcvbuf)
        return 0;
    if (s->type == SOCK_DGRAM)
        SIX_STAT(s->socks->core, udp_in_rcvbuf_full);
    else
        SIX_STAT(s->socks->core, raw_in_rcvbuf_full);
    return 1;
}

int six__sock_enqueue(struct six_sock *s, struct six_pkt *pkt) {
    if (s->ipsec_levels && !six__ip6_ipsec_levels_met(s->ipsec_levels, pkt->meta.ipsec)) {
        SIX_STAT(s->socks->core, ipsec_in_sock_policy);
        six__pkt_free(pkt);
        return -EACCES;
    }
    if (six__sock_rcvbuf_full(s)) {
        six__pkt_free(pkt);
        return -ENOBUFS;
    }
    s->rx_bytes += pkt->cap;
    if (s->tstamp)
        pkt->meta.rx_us = six__now(s->socks->core);
    six__pktq_push(&s->rxq, pkt);
    six__sock_update_ready(s);
    six__core_wake(s->socks->core);
    return 0;
}

void six__sock_set_error(struct six_sock *s, int err) {
    s->so_error = err;
    six__sock_update_ready(s);
    six__core_wake(s->socks->core);
}

int six__sock_wait_readable(struct six_sock *s, int flags) {
    struct six_core *core = s->socks->core;
    uint64_t deadline = SIX_NEVER;

    six__sock_sync_ready(s);
    if (s->nonblock || (flags & MSG_DONTWAIT))
        return -EAGAIN;
    if (s->rcvtimeo_us && s->rcvtimeo_us < SIX_NEVER - six__now(core))
        deadline = six__now(core) + s->rcvtimeo_us;
    while (!readable(s) && !s->closing) {
        int rc = six__core_wait(core, deadline);
        /* Linux reports an expired SO_RCVTIMEO as EAGAIN; where no thread
         * could wake the caller (bare), the call cannot block. */
        if (rc < 0 && !readable(s))
            return rc == -ETIMEDOUT ? -EAGAIN : rc;
    }
    return s->closing ? -EBADF : 0;
}

/* ---- helpers ---- */

/* A raw socket's data is the upper-layer packet; a UDP socket's is what
 * follows the UDP header. */
size_t six__sock_data_off(const struct six_sock *s, const struct six_pkt *pkt) {
    return pkt->meta.l4_off + (s->type == SOCK_DGRAM ? SIX_UDP_HDR_LEN : 0u);
}

uint16_t six__sock_src_port(const struct six_sock *s, const struct six_pkt *pkt) {
    const uint8_t *l4 = pkt->data + pkt->meta.l4_off;
    return s->type == SOCK_DGRAM ? six_get16(l4) : 0;
}

int six__sockaddr_in6(const struct sockaddr *sa, socklen_t len, struct sockaddr_in6 *out) {
    if (!sa || len < (socklen_t)sizeof(sa_family_t))
        return -EINVAL;
    if (sa->sa_family != AF_INET6)
        return -EAFNOSUPPORT;
    if (len < (socklen_t)sizeof(struct sockaddr_in6))
        return -EINVAL;
    memcpy(out, sa, sizeof(*out));
    return 0;
}

ssize_t six__iov_len(const struct msghdr *msg) {
    size_t total = 0;

    if (msg->msg_iovlen > 0 && !msg->msg_iov)
        return -EFAULT;
    for (size_t i = 0; i < msg->msg_iovlen; i++) {
        if (msg->msg_iov[i].iov_len > SSIZE_MAX - total)
            return -EINVAL;
        if (msg->msg_iov[i].iov_len && !msg->msg_iov[i].iov_base)
            return -EFAULT;
        total += msg->msg_iov[i].iov_len;
    }
    return (ssize_t)total;
}

void six__iov_gather(const struct msghdr *msg, uint8_t *dst, size_t len) {
    for (size_t i = 0; i < msg->msg_iovlen && len > 0; i++) {
        size_t n = msg->msg_iov[i].iov_len < len ? msg->msg_iov[i].iov_len : len;
        memcpy(dst, msg->msg_iov[i].iov_base, n);
        dst += n;
        len -= n;
    }
}

size_t six__iov_scatter(struct msghdr *msg, const uint8_t *src, size_t len) {
    size_t done = 0;
    for (size_t i = 0; i < msg->msg_iovlen && done < len; i++) {
        size_t n = msg->msg_iov[i].iov_len;
        if (n > len - done)
            n = len - done;
        if (n)
            memcpy(msg->msg_iov[i].iov_base, src + done, n);
        done += n;
    }
    return done;
}

int six__sock_route_out(struct six_sock *s, struct six_ip6_out *o, struct six_if **ifp) {
    int rc = six__ip6_route_out_cached(s->socks->ip6, &s->route, o, ifp);

    if (rc == -ENETUNREACH)
        SIX_STAT(s->socks->core, ip6_out_no_route);
    if (rc == 0 && s->dontroute && !o->via_neighbour && !IN6_ARE_ADDR_EQUAL(&o->nexthop, &o->dst))
        rc = -ENETUNREACH;
    return rc;
}
