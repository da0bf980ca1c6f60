/* The public socket calls. Each looks its descriptor up (passing calls on
 * other descriptors to the system through the platform layer), runs with the stack locked, and turns
 * a negative errno into -1 and errno here, in one place. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>

#include <sixstack/socket.h>

#include "sock/sock.h"
#include "sock/tcp6.h"
#include "wire/ipv6.h"

/* How many frames a call drains from the stack's links before returning,
 * so loopback traffic is delivered before send() returns. */
#define DRAIN_BUDGET 256

static long ret(long rc) {
    if (rc < 0) {
        errno = (int)-rc;
        return -1;
    }
    return rc;
}

int six_is_socket(int fd) {
    struct six_sock *s = six__sock_acquire(fd);
    if (!s)
        return 0;
    six__sock_release(s);
    return 1;
}

int six_bind(int fd, const struct sockaddr *addr, socklen_t len) {
    struct sockaddr_in6 sin6;
    struct six_sock *s = six__sock_acquire(fd);
    int rc;

    if (!s)
        return SIX_PORT_SYSCALL(bind(fd, addr, len));
    rc = six__sockaddr_in6(addr, len, &sin6);
    if (rc == 0)
        rc = s->ops->bind(s, &sin6);
    six__sock_release(s);
    return (int)ret(rc);
}

static int sock_connect(struct six_sock *s, const struct sockaddr *addr, socklen_t len) {
    struct sockaddr_in6 sin6;
    int rc;

    /* AF_UNSPEC dissolves the association (POSIX connect(2)). */
    if (addr && len >= (socklen_t)sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC) {
        s->ops->disconnect(s);
        return 0;
    }
    if ((rc = six__sockaddr_in6(addr, len, &sin6)) < 0)
        return rc;
    /* ip6(4): EISCONN when the socket already has a connection. */
    if (s->connected && s->type != SOCK_STREAM)
        return -EISCONN;
    return s->ops->connect(s, &sin6);
}

int six_connect(int fd, const struct sockaddr *addr, socklen_t len) {
    struct six_sock *s = six__sock_acquire(fd);
    int rc;

    if (!s)
        return SIX_PORT_SYSCALL(connect(fd, addr, len));
    rc = sock_connect(s, addr, len);
    six__sock_release(s);
    return (int)ret(rc);
}

static ssize_t sock_sendmsg(struct six_sock *s, const struct msghdr *msg, int flags) {
    struct sockaddr_in6 to;
    const struct sockaddr_in6 *dst;
    ssize_t len;
    int rc;

    if (s->type == SOCK_STREAM)
        return six__tcp6_sendmsg(s, msg, flags);
    if (!msg)
        return -EFAULT;
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if (s->shut_wr)
        return -EPIPE;
    if (msg->msg_name && msg->msg_namelen) {
        /* ip6(4): EISCONN for a destination on a connected socket. */
        if (s->connected)
            return -EISCONN;
        if ((rc = six__sockaddr_in6(msg->msg_name, msg->msg_namelen, &to)) < 0)
            return rc;
        dst = &to;
    } else {
        /* ip6(4): ENOTCONN without a destination or a connection. */
        if (!s->connected)
            return -ENOTCONN;
        dst = &s->faddr;
    }
    if ((len = six__iov_len(msg)) < 0)
        return len;
    /* SO_SNDBUF bounds the datagram a send takes (BSD sosend_dgram). */
    if (s->type != SOCK_STREAM && (size_t)len > s->sndbuf)
        return -EMSGSIZE;
    return s->ops->send(s, msg, (size_t)len, dst);
}

/* How often a send waiting for a packet buffer tries again (on the stack's
 * clock; the buffers come back from receivers and the links, which do not
 * signal it). */
#define SEND_RETRY_US 1000

/* A blocking send that found no packet buffer, with SO_SNDTIMEO set:
 * tries again until one is free or the timeout passes (EAGAIN, as
 * Linux). Stack locked (released while waiting). */
static ssize_t send_waiting(struct six_sock *s, const struct msghdr *msg, int flags) {
    struct six_core *core = s->socks->core;
    uint64_t now = six__now(core), deadline = SIX_NEVER;
    ssize_t rc = -ENOBUFS;

    if (s->sndtimeo_us < SIX_NEVER - now)
        deadline = now + s->sndtimeo_us;
    while (rc == -ENOBUFS) {
        now = six__now(core);
        if (now >= deadline)
            return -EAGAIN;
        six__core_wait(core, deadline - now > SEND_RETRY_US ? now + SEND_RETRY_US : deadline);
        if (s->closing)
            return -EBADF;
        rc = sock_sendmsg(s, msg, flags);
        six__ip6_poll_links(s->socks->ip6, DRAIN_BUDGET);
    }
    return rc;
}

/* Sends, then delivers what the send looped back before the call returns.
 * Out of packet buffers, a blocking send with SO_SNDTIMEO waits that long
 * for one; without it, ENOBUFS at once (a datagram is never held back
 * indefinitely). Stack locked. */
static ssize_t send_and_drain(struct six_sock *s, const struct msghdr *msg, int flags) {
    ssize_t rc = sock_sendmsg(s, msg, flags);
    six__ip6_poll_links(s->socks->ip6, DRAIN_BUDGET);
    if (rc == -ENOBUFS && s->sndtimeo_us && !s->nonblock && !(flags & MSG_DONTWAIT))
        rc = send_waiting(s, msg, flags);
    return rc;
}

ssize_t six_sendmsg(int fd, const struct msghdr *msg, int flags) {
    struct six_sock *s = six__sock_acquire(fd);
    ssize_t rc;

    if (!s)
        return SIX_PORT_SYSCALL(sendmsg(fd, msg, flags));
    rc = send_and_drain(s, msg, flags);
    six__sock_release(s);
    return ret(rc);
}

ssize_t six_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
                   socklen_t tolen) {
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr msg = {.msg_name = (void *)to, .msg_namelen = to ? tolen : 0,
                         .msg_iov = &iov, .msg_iovlen = 1};
    struct six_sock *s = six__sock_acquire(fd);
    ssize_t rc;

    if (!s)
        return SIX_PORT_SYSCALL(sendto(fd, buf, len, flags, to, tolen));
    rc = send_and_drain(s, &msg, flags);
    six__sock_release(s);
    return ret(rc);
}

ssize_t six_send(int fd, const void *buf, size_t len, int flags) {
    return six_sendto(fd, buf, len, flags, NULL, 0);
}

static void fill_from(const struct six_sock *s, const struct six_pkt *pkt,
                      struct msghdr *msg) {
    struct sockaddr_in6 from = {.sin6_family = AF_INET6,
                                .sin6_port = htons(six__sock_src_port(s, pkt))};

    memcpy(&from.sin6_addr, pkt->data + SIX_IP6_OFF_SRC, 16);
    if (six_addr_scope(&from.sin6_addr) <= 2)
        from.sin6_scope_id = pkt->ifindex;
    /* Like Linux, msg_namelen is only written when there is a name. */
    if (msg->msg_name) {
        size_t n = msg->msg_namelen < sizeof(from) ? msg->msg_namelen : sizeof(from);
        memcpy(msg->msg_name, &from, n);
        msg->msg_namelen = sizeof(from);
    }
}

static ssize_t sock_recvmsg(struct six_sock *s, struct msghdr *msg, int flags) {
    ssize_t total;
    struct six_pkt *pkt;
    size_t off, n, copied;
    int rc;

    if (s->type == SOCK_STREAM) {
        /* A read may open the window: the update to a peer on ::1 goes
         * before the call returns, or a writer waiting for it stalls. */
        ssize_t r = six__tcp6_recvmsg(s, msg, flags);
        six__ip6_poll_loopback(s->socks->ip6, DRAIN_BUDGET);
        return r;
    }
    if (!msg)
        return -EFAULT;
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if ((total = six__iov_len(msg)) < 0)
        return total;
    if (flags & MSG_ERRQUEUE)
        return six__sock_recv_err(s, msg, flags);
    for (;;) {
        if (s->so_error) {
            rc = s->so_error;
            s->so_error = 0;
            six__sock_update_ready(s);
            return -rc;
        }
        if (s->rxq.head || s->pmtu_pending)
            break;
        if (s->shut_rd)
            return 0;
        if ((rc = six__sock_wait_readable(s, flags)) < 0)
            return rc;
    }
    if (s->pmtu_pending)
        return six__sock_recv_pmtu(s, msg, flags);
    pkt = s->rxq.head;
    off = six__sock_data_off(s, pkt);
    n = pkt->len - off;
    msg->msg_flags = 0;
    copied = six__iov_scatter(msg, pkt->data + off, n);
    if (copied < n)
        msg->msg_flags |= MSG_TRUNC;
    fill_from(s, pkt, msg);
    six__cmsg_build_recv(s, pkt, msg);
    if (!(flags & MSG_PEEK)) {
        six__pktq_pop(&s->rxq);
        s->rx_bytes -= pkt->cap;
        six__pkt_free(pkt);
        six__sock_update_ready(s);
    }
    return (ssize_t)((flags & MSG_TRUNC) ? n : copied);
}

ssize_t six_recvmsg(int fd, struct msghdr *msg, int flags) {
    struct six_sock *s = six__sock_acquire(fd);
    ssize_t rc;

    if (!s)
        return SIX_PORT_SYSCALL(recvmsg(fd, msg, flags));
    rc = sock_recvmsg(s, msg, flags);
    six__sock_release(s);
    return ret(rc);
}

ssize_t six_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                     socklen_t *fromlen) {
    struct iovec iov = {.iov_base = buf, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    struct six_sock *s = six__sock_acquire(fd);
    ssize_t rc;

    if (!s)
        return SIX_PORT_SYSCALL(recvfrom(fd, buf, len, flags, from, fromlen));
    if (from && fromlen) {
        msg.msg_name = from;
        msg.msg_namelen = *fromlen;
    }
    rc = sock_recvmsg(s, &msg, flags);
    six__sock_release(s);
    if (rc >= 0 && from && fromlen)
        *fromlen = msg.msg_namelen;
    return ret(rc);
}

ssize_t six_recv(int fd, void *buf, size_t len, int flags) {
    return six_recvfrom(fd, buf, len, flags, NULL, NULL);
}

int six_setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
    struct six_sock *s = six__sock_acquire(fd);
    int rc;

    if (!s)
        return SIX_PORT_SYSCALL(setsockopt(fd, level, name, val, len));
    rc = six__sock_setsockopt(s, level, name, val, len);
    six__sock_release(s);
    return (int)ret(rc);
}

int six_getsockopt(int fd, int level, int name, void *val, socklen_t *len) {
    struct six_sock *s = six__sock_acquire(fd);
    int rc;

    if (!s)
        return SIX_PORT_SYSCALL(getsockopt(fd, level, name, val, len));
    rc = six__sock_getsockopt(s, level, name, val, len);
    six__sock_release(s);
    return (int)ret(rc);
}

static int put_name(const struct sockaddr_in6 *sin6, struct sockaddr *addr, socklen_t *len) {
    size_t n;

    if (!addr || !len)
        return -EFAULT;
    if ((int)*len < 0)
        return -EINVAL;
    n = *len < sizeof(*sin6) ? *len : sizeof(*sin6);
    memcpy(addr, sin6, n);
    *len = sizeof(*sin6);
    return 0;
}

int six_getsockname(int fd, struct sockaddr *addr, socklen_t *len) {
    struct six_sock *s = six__sock_acquire(fd);
    int rc;

    if (!s)
        return SIX_PORT_SYSCALL(getsockname(fd, addr, len));
    rc = put_name(&s->laddr, addr, len);
    six__sock_release(s);
    return (int)ret(rc);
}

int six_getpeername(int fd, struct sockaddr *addr, socklen_t *len) {
    struct six_sock *s = six__sock_acquire(fd);
    int rc;

    if (!s)
        return SIX_PORT_SYSCALL(getpeername(fd, addr, len));
    rc = s->connected ? put_name(&s->faddr, addr, len) : -ENOTCONN;
    six__sock_release(s);
    return (int)ret(rc);
}

static int sock_shutdown(struct six_sock *s, int how) {
    if (s->type == SOCK_STREAM) {
        int rc = six__tcp6_shutdown(s, how);
        six__ip6_poll_loopback(s->socks->ip6, DRAIN_BUDGET);   /* the FIN */
        return rc;
    }
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return -EINVAL;
    if (!s->connected)
        return -ENOTCONN;
    if (how != SHUT_WR)
        s->shut_rd = 1;
    if (how != SHUT_RD)
        s->shut_wr = 1;
    six__sock_update_ready(s);
    six__core_wake(s->socks->core);
    return 0;
}

int six_shutdown(int fd, int how) {
    struct six_sock *s = six__sock_acquire(fd);
    int rc;

    if (!s)
        return SIX_PORT_SYSCALL(shutdown(fd, how));
    rc = sock_shutdown(s, how);
    six__sock_release(s);
    return (int)ret(rc);
}

int six_listen(int fd, int backlog) {
    struct six_sock *s = six__sock_acquire(fd);
    int rc;

    if (!s)
        return SIX_PORT_SYSCALL(listen(fd, backlog));
    rc = six__tcp6_listen(s, backlog);
    six__sock_release(s);
    return (int)ret(rc);
}

int six_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    struct six_sock *s = six__sock_acquire(fd);
    int rc;

    if (!s)
        return SIX_PORT_SYSCALL(accept4(fd, addr, len, flags));
    if (addr && (!len || (int)*len < 0))
        rc = -EINVAL;
    else
        rc = six__tcp6_accept(s, addr, len, flags);
    six__sock_release(s);
    return (int)ret(rc);
}

int six_accept(int fd, struct sockaddr *addr, socklen_t *len) {
    return six_accept4(fd, addr, len, 0);
}

int six_close(int fd) {
    struct six_sock *s = six__sock_acquire(fd);
    struct six_ip6 *ip6;

    if (!s)
        return (int)ret(six_port_close(fd));
    if (s->type == SOCK_STREAM)
        six__tcp6_linger(s);
    ip6 = s->socks->ip6;
    six__sock_close_locked(s);
    /* A FIN or RST for a peer on ::1 goes before close returns. */
    six__ip6_poll_loopback(ip6, DRAIN_BUDGET);
    six__sock_release(s);
    return 0;
}

static int sock_fcntl(struct six_sock *s, int cmd, long arg) {
    switch (cmd) {
    case F_GETFL:
        return O_RDWR | (s->nonblock ? O_NONBLOCK : 0);
    case F_SETFL:
        s->nonblock = (arg & O_NONBLOCK) != 0;
        return 0;
    case F_GETFD:
    case F_SETFD: {
        /* Close-on-exec is the signal's own flag. */
        return six_port_signal_fdflags(s->fd, cmd, (int)arg);
    }
    default:
        return -EINVAL;
    }
}

int six_fcntl(int fd, int cmd, ...) {
    struct six_sock *s;
    va_list ap;
    long arg;
    int rc;

    va_start(ap, cmd);
    arg = va_arg(ap, long);
    va_end(ap);
    s = six__sock_acquire(fd);
    if (!s)
        return (int)ret(six_port_fcntl(fd, cmd, arg));
    rc = sock_fcntl(s, cmd, arg);
    six__sock_release(s);
    return (int)ret(rc);
}

static int sock_ioctl(struct six_sock *s, unsigned long req, void *arg) {
    int v;

    switch (req) {
    case FIONREAD:
        if (s->type == SOCK_STREAM) {
            v = s->tcb ? (int)six__tcp_readable(s->tcb) : 0;
            memcpy(arg, &v, sizeof(v));
            return 0;
        }
        v = s->rxq.head ? (int)(s->rxq.head->len - six__sock_data_off(s, s->rxq.head)) : 0;
        memcpy(arg, &v, sizeof(v));
        return 0;
    case FIONBIO:
        memcpy(&v, arg, sizeof(v));
        s->nonblock = v != 0;
        return 0;
    default:
        return -ENOTTY;
    }
}

int six_ioctl(int fd, unsigned long req, ...) {
    struct six_sock *s;
    va_list ap;
    void *arg;
    int rc;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    s = six__sock_acquire(fd);
    if (!s)
        return (int)ret(six_port_ioctl(fd, req, arg));
    rc = arg ? sock_ioctl(s, req, arg) : -EFAULT;
    six__sock_release(s);
    return (int)ret(rc);
}

/* The events a sixstack socket shows to poll. */
static short sock_revents(struct six_sock *s, short events) {
    short r = 0;

    if (s->type == SOCK_STREAM)
        return six__tcp6_revents(s, events);
    if (s->rxq.head || s->shut_rd || s->pmtu_pending)
        r |= POLLIN | POLLRDNORM;
    if (!s->shut_wr)
        r |= POLLOUT | POLLWRNORM;
    if (s->so_error || s->errq_head)
        r |= POLLERR;
    if (s->shut_rd && s->shut_wr)
        r |= POLLHUP;
    return r & (short)(events | POLLERR | POLLHUP);
}

/* Events a sixstack socket cannot meet are not asked of its eventfd
 * (always writable), so the system's poll does not wake for them: here
 * POLLOUT after shutdown(SHUT_WR). A stale readable eventfd is lowered
 * first. Returns the events to ask. */
static short eventfd_events(int fd, short events, int *pending) {
    struct six_sock *s = six__sock_acquire(fd);
    if (!s)
        return events;
    if (s->type == SOCK_STREAM)
        events = six__tcp6_poll_events(s, events);
    six__sock_sync_ready(s);
    /* An error queue holding only local errors leaves the eventfd low
     * (nothing to receive): poll must not wait for it. */
    if (s->errq_head)
        *pending = 1;
    if (s->shut_wr)
        events &= (short)~(POLLOUT | POLLWRNORM);
    six__sock_release(s);
    return events;
}

/* Lowers stale eventfds and narrows the events of small sets (asked[]
 * keeps what the caller asked). Returns whether events were narrowed. */
static int prepare_poll(struct pollfd *fds, nfds_t nfds, short *asked, size_t nasked,
                        int *pending) {
    int narrow = nfds <= nasked;

    *pending = 0;
    for (nfds_t i = 0; i < nfds; i++) {
        short ev = eventfd_events(fds[i].fd, fds[i].events, pending);
        if (narrow) {
            asked[i] = fds[i].events;
            fds[i].events = ev;
        }
    }
    return narrow;
}

static long now_ms(void) { return (long)(six_port_mono_us() / 1000); }

/* The system's poll waits on the sockets' eventfds (readable when the
 * socket is, or stale until looked at); the sockets' own state then gives
 * the exact events. A wake-up that finds nothing ready polls again for
 * the rest of the timeout. */
int six_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms) {
    short asked[64];
    long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;

    for (;;) {
        /* Only small sets get their events narrowed; larger ones are
         * polled as given (a rare spurious wake-up, never a missed one). */
        int pending;
        int narrow = prepare_poll(fds, nfds, asked, sizeof(asked) / sizeof(asked[0]), &pending);
        int rc = six_port_poll(fds, nfds, pending ? 0 : timeout_ms), ready = 0;

        for (nfds_t i = 0; narrow && i < nfds; i++)
            fds[i].events = asked[i];
        if (rc < 0 || (rc == 0 && !pending))
            return (int)ret(rc);
        for (nfds_t i = 0; i < nfds; i++) {
            struct six_sock *s = six__sock_acquire(fds[i].fd);
            if (s) {
                fds[i].revents = sock_revents(s, fds[i].events);
                six__sock_release(s);
            }
            if (fds[i].revents)
                ready++;
        }
        if (ready || timeout_ms == 0)
            return ready;
        if (timeout_ms > 0 && (timeout_ms = (int)(deadline - now_ms())) <= 0)
            return 0;
    }
}
