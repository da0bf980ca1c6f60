/* TCP sockets: the glue between the socket calls and src/tcp.
 *
 * A stream socket owns one TCB (s->tcb, made on first need). A listener's
 * children are bare TCBs until accept() gives each a socket of its own,
 * so a flood of handshakes costs no descriptors.
 *
 * Readiness: the eventfd is raised when the socket is readable in poll's
 * sense (data, EOF, a pending error, a connection to accept); POLLOUT is
 * computed from the TCB when six_poll asks.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>

#include "port/port.h"

#include "sock/sock.h"
#include "sock/tcp6.h"
#include "wire/ipv6.h"

static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

/* ---- upcalls from src/tcp ---- */

static void up_notify(void *owner) {
    struct six_sock *s = owner;
    struct six_tcb *t = s->tcb;

    if (t) {
        if (t->so_error) {
            s->so_error = t->so_error;
            t->so_error = 0;
        }
        if (six__tcp_synchronized(t))
            s->connected = 1;
    }
    six__sock_update_ready(s);
    six__core_wake(s->socks->core);
}

static int up_route(void *owner, struct six_tcb *t, struct six_ip6_out *o, struct six_if **ifp) {
    struct six_sock *s = owner;
    const struct sockaddr_in6 *to = &s->faddr;
    struct sockaddr_in6 child;
    int rc;

    if (s->tcb != t) {
        /* s is the listener of t, a child not yet accepted: its sticky
         * options (the SYN-ACK's, and the MSS's room) with t's peer. */
        child = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = htons(t->fport),
                                      .sin6_addr = t->faddr, .sin6_scope_id = t->scope};
        to = &child;
    }
    if ((rc = six__pktopts_resolve(s, &six__no_send_opts, to, o)) < 0)
        return rc;
    o->src = t->laddr;
    return six__sock_route_out(s, o, ifp);
}

static void up_segment(void *owner, struct six_pkt *pkt) {
    struct six_sock *s = owner;

    if (!s->recv_flags)
        return;
    six__pkt_free(s->tcp_rx_pkt);
    s->tcp_rx_pkt = six__pkt_ref(pkt);
}

int six__tcp6_init(struct six_socks *socks, unsigned max_half_open, unsigned max_time_wait,
                   size_t mem_max) {
    int rc = six__tcp_init(&socks->tcp, socks->core, socks->ip6);

    if (rc < 0)
        return rc;
    socks->tcp.half_open_max = max_half_open;
    socks->tcp.time_wait_max = max_time_wait;
    socks->tcp.mem_max = mem_max;
    socks->tcp.up.notify = up_notify;
    socks->tcp.up.route = up_route;
    socks->tcp.up.segment = up_segment;
    socks->tcp.port_first = socks->ports[IPV6_PORTRANGE_DEFAULT].first;
    socks->tcp.port_last = socks->ports[IPV6_PORTRANGE_DEFAULT].last;
    return 0;
}

void six__tcp6_fini(struct six_socks *socks) {
    six__tcp_fini(&socks->tcp);
}

/* s's TCB, made on first need with the socket's options. */
static struct six_tcb *tcb_of(struct six_sock *s) {
    struct six_tcb *t = s->tcb;

    if (t)
        return t;
    if (!(t = six__tcp_new(&s->socks->tcp, s)))
        return NULL;
    t->rcvbuf = s->rcvbuf;
    t->sndbuf = s->sndbuf;
    t->nodelay = (uint8_t)s->tcp_nodelay;
    t->ipsec_levels = s->ipsec_levels;
    s->tcb = t;
    return t;
}

/* Options the TCB copies from the socket. The buffer sizes apply at once,
 * also to rings holding data: a ring grows up to its new size when it
 * needs to, a smaller size holds back new data until the ring drains
 * below it, and the advertised right edge never moves back. */
static void sync_opts(struct six_sock *s, struct six_tcb *t) {
    t->reuseaddr = (uint8_t)s->reuseaddr;
    t->reuseport = (uint8_t)s->reuseport;
    t->rcvbuf = s->rcvbuf;
    t->sndbuf = s->sndbuf;
    t->recverr = (uint8_t)s->recverr;
}

/* ---- readiness ---- */

static int was_connected_closed(const struct six_sock *s, const struct six_tcb *t) {
    return s->connected && (!t || t->state == SIX_TCP_CLOSED);
}

int six__tcp6_readable(const struct six_sock *s) {
    const struct six_tcb *t = s->tcb;

    if (s->so_error || s->shut_rd || was_connected_closed(s, t))
        return 1;
    if (!t)
        return 0;
    return six__tcp_readable(t) > 0 || t->fin_rcvd || t->acc_head != NULL;
}

static int writable(const struct six_sock *s) {
    const struct six_tcb *t = s->tcb;

    if (s->so_error || s->shut_wr || was_connected_closed(s, t))
        return 1;       /* a send would not block: it fails */
    if (!t)
        return 0;
    return (t->state == SIX_TCP_ESTABLISHED || t->state == SIX_TCP_CLOSE_WAIT) &&
           six__tcp_send_room(t) > 0;
}

short six__tcp6_revents(struct six_sock *s, short events) {
    const struct six_tcb *t = s->tcb;
    short r = 0;

    if (six__tcp6_readable(s) && !(s->so_error && !(t && (six__tcp_readable(t) || t->acc_head))))
        r |= POLLIN | POLLRDNORM;
    if (s->so_error)
        r |= POLLERR | POLLIN | POLLRDNORM;
    if (t && (t->state == SIX_TCP_ESTABLISHED || t->state == SIX_TCP_CLOSE_WAIT) &&
        six__tcp_send_room(t) > 0 && !s->shut_wr)
        r |= POLLOUT | POLLWRNORM;
    if (t && t->fin_rcvd)
        r |= POLLRDHUP | POLLIN | POLLRDNORM;
    /* Linux: hang-up when both directions are shut, or the connection is
     * gone (or never was). */
    if ((s->shut_wr && t && t->fin_rcvd) || was_connected_closed(s, t) ||
        (!t || t->state == SIX_TCP_CLOSED))
        r |= POLLHUP;
    if (!t || t->state == SIX_TCP_CLOSED)
        r |= POLLOUT | POLLWRNORM;
    return r & (short)(events | POLLERR | POLLHUP);
}

short six__tcp6_poll_events(struct six_sock *s, short events) {
    /* POLLOUT of a socket that cannot send yet is not asked of the
     * always-writable eventfd (six_poll would spin); the connection's
     * progress raises the eventfd's POLLIN instead (up_notify). */
    if ((events & (POLLOUT | POLLWRNORM)) && !writable(s)) {
        events &= (short)~(POLLOUT | POLLWRNORM);
        events |= POLLIN;
        s->tcp_want_out = 1;
    } else {
        s->tcp_want_out = 0;
    }
    /* Hung up with no event to raise it (a new socket): raised now. */
    six__sock_update_ready(s);
    return events;
}

/* Whether the eventfd should be raised: readable, writable while a poller
 * waits for POLLOUT, or hung up (no connection, or never one: as Linux,
 * poll then reports POLLHUP, and a blocking call that waits for an event
 * first, as the preload's accept() does, gets its error instead of
 * waiting for ever). */
int six__tcp6_eventfd_ready(const struct six_sock *s) {
    const struct six_tcb *t = s->tcb;
    return six__tcp6_readable(s) || (s->tcp_want_out && writable(s)) || !t ||
           t->state == SIX_TCP_CLOSED;
}

/* ---- waiting ---- */

/* Waits (lock held) until cond(s) or the timeout: -EAGAIN when it
 * expires, -EBADF when closed. */
static int wait_until(struct six_sock *s, int (*cond)(const struct six_sock *), uint64_t timeo) {
    struct six_core *core = s->socks->core;
    uint64_t deadline = SIX_NEVER;

    if (timeo && timeo < SIX_NEVER - six__now(core))
        deadline = six__now(core) + timeo;
    while (!cond(s) && !s->closing) {
        if (six__core_wait(core, deadline) == -ETIMEDOUT && !cond(s))
            return -EAGAIN;
    }
    return s->closing ? -EBADF : 0;
}

/* The same for a call, which a non-blocking socket or MSG_DONTWAIT makes
 * -EAGAIN at once. */
static int wait_for(struct six_sock *s, int (*cond)(const struct six_sock *), uint64_t timeo,
                    int flags) {
    six__sock_sync_ready(s);
    if (s->nonblock || (flags & MSG_DONTWAIT))
        return -EAGAIN;
    return wait_until(s, cond, timeo);
}

static int take_error(struct six_sock *s) {
    int e = s->so_error;
    s->so_error = 0;
    return -e;
}

/* ---- bind, listen, connect, accept ---- */

static int local_addr_ok(struct six_socks *socks, const struct sockaddr_in6 *sin6) {
    const struct six_addr_entry *e;

    if (six_addr_is_multicast(&sin6->sin6_addr))
        return -EADDRNOTAVAIL;
    if (sin6->sin6_scope_id && !six__ip6_if(socks->ip6, sin6->sin6_scope_id))
        return -ENODEV;
    if (six_addr_is_unspecified(&sin6->sin6_addr))
        return 0;
    e = six__ip6_addr_find(socks->ip6, &sin6->sin6_addr);
    if (!e || (e->flags & SIX_ADDR_ANYCAST))
        return -EADDRNOTAVAIL;
    return 0;
}

static int tcp6_bind(struct six_sock *s, const struct sockaddr_in6 *sin6) {
    struct six_tcb *t = tcb_of(s);
    int rc;

    if (!t)
        return -ENOBUFS;
    if (s->bound)
        return -EINVAL;
    if ((rc = local_addr_ok(s->socks, sin6)) < 0)
        return rc;
    sync_opts(s, t);
    if ((rc = six__tcp_bind(t, &sin6->sin6_addr, ntohs(sin6->sin6_port), sin6->sin6_scope_id,
                            s->creds.privileged)) < 0)
        return rc;
    s->laddr = *sin6;
    s->laddr.sin6_port = htons(t->lport);
    s->laddr.sin6_flowinfo = 0;
    if (six_addr_scope(&sin6->sin6_addr) > 2)
        s->laddr.sin6_scope_id = 0;
    s->bound = 1;
    return 0;
}

int six__tcp6_listen(struct six_sock *s, int backlog) {
    struct six_tcb *t;
    int rc;

    if (s->type != SOCK_STREAM)
        return -EOPNOTSUPP;
    if (!(t = tcb_of(s)))
        return -ENOBUFS;
    if (s->connected || (t->state != SIX_TCP_CLOSED && t->state != SIX_TCP_LISTEN))
        return -EINVAL;
    sync_opts(s, t);
    if (backlog > 4096 || backlog < 0)
        backlog = 4096;   /* Linux: somaxconn */
    if ((rc = six__tcp_listen(t, backlog)) < 0)
        return rc;
    if (!s->bound) {
        s->laddr.sin6_port = htons(t->lport);
        s->bound = 1;
    }
    return 0;
}

static int connect_done(const struct six_sock *s) {
    const struct six_tcb *t = s->tcb;
    return !t || (t->state != SIX_TCP_SYN_SENT && t->state != SIX_TCP_SYN_RECEIVED) ||
           s->so_error;
}

/* The outcome of a connection attempt that finished. */
static int connect_result(struct six_sock *s) {
    if (s->so_error)
        return take_error(s);
    if (s->tcb && six__tcp_synchronized(s->tcb) && s->tcb->state != SIX_TCP_CLOSED)
        return 0;
    return -ECONNREFUSED;
}

static int tcp6_connect(struct six_sock *s, const struct sockaddr_in6 *sin6) {
    struct six_socks *socks = s->socks;
    struct six_ip6_out o;
    struct six_if *ifp;
    struct six_tcb *t;
    int rc;

    if (!(t = tcb_of(s)))
        return -ENOBUFS;
    if (t->state == SIX_TCP_LISTEN)
        return -EINVAL;
    if (t->state == SIX_TCP_SYN_SENT || t->state == SIX_TCP_SYN_RECEIVED) {
        if (s->nonblock)
            return -EALREADY;
        goto wait;
    }
    if (t->state != SIX_TCP_CLOSED || s->connected)
        return -EISCONN;
    if (sin6->sin6_port == 0 || six_addr_is_multicast(&sin6->sin6_addr))
        return -ENETUNREACH;
    if (sin6->sin6_scope_id && !six__ip6_if(socks->ip6, sin6->sin6_scope_id))
        return -ENODEV;
    s->faddr = *sin6;
    /* IPV6_FLOWINFO_SEND: the label given to connect() goes in every
     * segment (as Linux, which wants it leased first). */
    s->faddr.sin6_flowinfo = s->flowinfo_send ? sin6->sin6_flowinfo & htonl(0xfffff) : 0;
    if (six_addr_is_unspecified(&s->faddr.sin6_addr))
        s->faddr.sin6_addr = (struct in6_addr)IN6ADDR_LOOPBACK_INIT;
    if ((rc = six__pktopts_resolve(s, &six__no_send_opts, &s->faddr, &o)) < 0)
        return rc;
    if ((rc = six__sock_route_out(s, &o, &ifp)) < 0)
        return rc;
    sync_opts(s, t);
    if (six_addr_is_unspecified(&t->laddr))
        t->laddr = o.src;
    if (!t->in_binds)
        t->scope = six_addr_scope(&o.src) <= 2 ? ifp->index : 0;
    if ((rc = six__tcp_connect(t, &s->faddr.sin6_addr, ntohs(sin6->sin6_port),
                               six_addr_scope(&s->faddr.sin6_addr) <= 2 ? ifp->index : 0)) < 0)
        return rc;
    s->laddr.sin6_addr = t->laddr;
    s->laddr.sin6_port = htons(t->lport);
    s->laddr.sin6_scope_id = six_addr_scope(&t->laddr) <= 2 ? ifp->index : 0;
    s->bound = 1;
    if (s->faddr.sin6_scope_id == 0 && six_addr_scope(&s->faddr.sin6_addr) <= 2)
        s->faddr.sin6_scope_id = ifp->index;
    /* Loopback answers before connect returns. */
    six__ip6_poll_links(socks->ip6, 64);
    if (connect_done(s))
        return connect_result(s);
    if (s->nonblock)
        return -EINPROGRESS;
wait:
    /* Linux: SO_SNDTIMEO bounds a blocking connect (EINPROGRESS). */
    if ((rc = wait_for(s, connect_done, s->sndtimeo_us, 0)) < 0)
        return rc == -EAGAIN ? -EINPROGRESS : rc;
    return connect_result(s);
}

static int has_child(const struct six_sock *s) {
    return s->tcb && s->tcb->acc_head != NULL;
}

/* What a socket accept() returns takes from its listener besides the
 * sticky options (six__sticky_copy): what Linux's clone of the listening
 * socket (sk_clone_lock, and its copy of ipv6_pinfo) carries over. */
static void inherit(struct six_sock *ns, const struct six_sock *l) {
    ns->rcvbuf = l->rcvbuf;
    ns->sndbuf = l->sndbuf;
    ns->rcvtimeo_us = l->rcvtimeo_us;
    ns->sndtimeo_us = l->sndtimeo_us;
    ns->linger_on = l->linger_on;
    ns->linger_s = l->linger_s;
    ns->reuseaddr = l->reuseaddr;
    ns->reuseport = l->reuseport;
    ns->dontroute = l->dontroute;
    ns->unicast_hops = l->unicast_hops;
    ns->tclass = l->tclass;
    ns->use_min_mtu = l->use_min_mtu;
    ns->dontfrag = l->dontfrag;
    ns->pmtudisc = l->pmtudisc;
    ns->recverr = l->recverr;
    ns->flowinfo_send = l->flowinfo_send;
    ns->recv_flags = l->recv_flags;
    ns->tcp_nodelay = l->tcp_nodelay;
}

/* A new socket for child c of listener l (both locked). */
static void adopt(struct six_sock *ns, struct six_sock *l, struct six_tcb *c) {
    ns->tcb = c;
    c->owner = ns;
    ns->laddr.sin6_addr = c->laddr;
    ns->laddr.sin6_port = htons(c->lport);
    ns->laddr.sin6_scope_id = six_addr_scope(&c->laddr) <= 2 ? c->scope : 0;
    ns->faddr.sin6_addr = c->faddr;
    ns->faddr.sin6_port = htons(c->fport);
    ns->faddr.sin6_scope_id = six_addr_scope(&c->faddr) <= 2 ? c->scope : 0;
    ns->bound = 1;
    ns->connected = 1;
    inherit(ns, l);
    /* The listener's IPsec levels, which the child already answers with
     * (KAME copies the listener's policy to the new socket). */
    ns->ipsec_levels = c->ipsec_levels;
    if (c->so_error) {
        ns->so_error = c->so_error;
        c->so_error = 0;
    }
    six__sock_update_ready(ns);
}

int six__tcp6_accept(struct six_sock *s, struct sockaddr *addr, socklen_t *alen, int flags) {
    struct six_socks *socks = s->socks;
    struct six_creds creds;
    struct six_sock *ns;
    struct six_tcb *c;
    int fd, rc;

    if (s->type != SOCK_STREAM)
        return -EOPNOTSUPP;
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (!s->tcb || s->tcb->state != SIX_TCP_LISTEN)
        return -EINVAL;
    for (;;) {
        while (!has_child(s))
            if ((rc = wait_for(s, has_child, s->rcvtimeo_us, 0)) < 0)
                return rc;
        /* The descriptor is made without the lock (it is a system call).
         * It has the listener's credentials, as BSD's sonewconn(): no
         * system call to read the caller's. */
        creds = s->creds;
        six__core_unlock(socks->core);
        fd = six__sock_create_ex(socks, AF_INET6, SOCK_STREAM | flags, IPPROTO_TCP, &creds, &ns);
        six__core_lock(socks->core);
        if (fd < 0)
            return fd;
        /* The listener's sticky options, as Linux copies np->opt: copied
         * before a connection is taken, so a failed copy leaves it queued. */
        if ((rc = six__sticky_copy(ns, s)) < 0) {
            six__sock_close_locked(ns);
            return rc;
        }
        if (s->closing || !s->tcb || !(c = six__tcp_accept(s->tcb))) {
            six__sock_close_locked(ns);
            if (s->closing)
                return -EBADF;
            continue;
        }
        if (ns->closed) {
            /* Closed by a guess at its number meanwhile: the child goes. */
            six__tcp_close(c, 1);
            continue;
        }
        /* The listener's eventfd stays raised even when this was the
         * last connection queued: it is lowered when an accept finds
         * none (wait_for), as a receive does (ARCHITECTURE
         * "Descriptors"), which saves a write and a read per connection
         * when connections keep coming. */
        adopt(ns, s, c);
        break;
    }
    if (addr && alen) {
        size_t n = *alen < sizeof(ns->faddr) ? *alen : sizeof(ns->faddr);
        memcpy(addr, &ns->faddr, n);
        *alen = sizeof(ns->faddr);
    }
    return fd;
}

/* ---- data ---- */

static int send_ready(const struct six_sock *s) {
    const struct six_tcb *t = s->tcb;
    return s->so_error || !t || s->shut_wr ||
           (t->state != SIX_TCP_SYN_SENT && t->state != SIX_TCP_SYN_RECEIVED &&
            (t->state != SIX_TCP_ESTABLISHED && t->state != SIX_TCP_CLOSE_WAIT)) ||
           six__tcp_send_room(t) > 0;
}

/* EPIPE, with SIGPIPE unless MSG_NOSIGNAL (as Linux). */
static ssize_t broken_pipe(int flags) {
    if (!(flags & MSG_NOSIGNAL))
        six_port_sigpipe();
    return -EPIPE;
}

ssize_t six__tcp6_sendmsg(struct six_sock *s, const struct msghdr *msg, int flags) {
    ssize_t total;
    size_t sent = 0;
    int rc;

    if (!msg)
        return -EFAULT;
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    /* ip6(4): header options of a TCP socket are set by socket options
     * only; ancillary data is refused (docs/man/sixstack-ip6.7). */
    if (msg->msg_control && msg->msg_controllen)
        return -EINVAL;
    if ((total = six__iov_len(msg)) < 0)
        return total;
    for (;;) {
        struct six_tcb *t = s->tcb;
        if (s->so_error)
            return sent ? (ssize_t)sent : take_error(s);
        if (s->shut_wr)
            return sent ? (ssize_t)sent : broken_pipe(flags);
        if (!t || t->state == SIX_TCP_CLOSED || t->state == SIX_TCP_LISTEN)
            return sent ? (ssize_t)sent
                        : (s->connected ? broken_pipe(flags) : -ENOTCONN);
        if (t->state != SIX_TCP_SYN_SENT && t->state != SIX_TCP_SYN_RECEIVED &&
            t->state != SIX_TCP_ESTABLISHED && t->state != SIX_TCP_CLOSE_WAIT)
            return sent ? (ssize_t)sent : broken_pipe(flags);
        if (sent == (size_t)total && total > 0)
            return (ssize_t)sent;
        if (six__tcp_synchronized(t) && six__tcp_send_room(t) > 0) {
            long n = six__tcp_send(t, msg, sent, (size_t)total - sent);
            if (n < 0)
                return sent ? (ssize_t)sent : n;
            sent += (size_t)n;
            six__tcp_output(t);
            if (sent == (size_t)total)
                return (ssize_t)sent;
            continue;
        }
        if (total == 0 && six__tcp_synchronized(t))
            return 0;
        if ((rc = wait_for(s, send_ready, s->sndtimeo_us, flags)) < 0) {
            if (sent)
                return (ssize_t)sent;
            return rc;
        }
    }
}

static int recv_ready(const struct six_sock *s) {
    const struct six_tcb *t = s->tcb;
    return s->so_error || s->shut_rd || !t || six__tcp_readable(t) > 0 || t->fin_rcvd ||
           t->state == SIX_TCP_CLOSED;
}

ssize_t six__tcp6_recvmsg(struct six_sock *s, struct msghdr *msg, int flags) {
    ssize_t total;
    size_t got = 0;
    int rc;

    if (!msg)
        return -EFAULT;
    if (flags & MSG_OOB)
        return -EINVAL;     /* no urgent data, ever (Linux: EINVAL) */
    if ((total = six__iov_len(msg)) < 0)
        return total;
    msg->msg_flags = 0;
    msg->msg_controllen = 0;
    if (msg->msg_name)
        msg->msg_namelen = 0;
    for (;;) {
        struct six_tcb *t = s->tcb;
        if (t && six__tcp_readable(t) > 0) {
            size_t n = six__tcp_recv(t, msg, got, (size_t)total - got, flags & MSG_PEEK);
            got += n;
            if (got == (size_t)total || !(flags & MSG_WAITALL) || (flags & MSG_PEEK))
                return (ssize_t)got;
        }
        if (total == 0)
            return 0;
        if (s->so_error)
            return got ? (ssize_t)got : take_error(s);
        if (s->shut_rd || (t && t->fin_rcvd) || was_connected_closed(s, t))
            return (ssize_t)got;
        if (!t || (t->state != SIX_TCP_SYN_SENT && t->state != SIX_TCP_SYN_RECEIVED &&
                   !six__tcp_synchronized(t)))
            return got ? (ssize_t)got : -ENOTCONN;
        if ((rc = wait_for(s, recv_ready, s->rcvtimeo_us, flags)) < 0)
            return got ? (ssize_t)got : rc;
    }
}

int six__tcp6_shutdown(struct six_sock *s, int how) {
    struct six_tcb *t = s->tcb;

    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return -EINVAL;
    if (!t || t->state == SIX_TCP_CLOSED || t->state == SIX_TCP_SYN_SENT)
        return -ENOTCONN;
    if (t->state == SIX_TCP_LISTEN) {
        /* Linux: shutting a listener down stops it. */
        return -ENOTCONN;
    }
    if (how != SHUT_WR)
        s->shut_rd = 1;
    if (how != SHUT_RD) {
        s->shut_wr = 1;
        six__tcp_shutdown_wr(t);
    }
    six__sock_update_ready(s);
    six__core_wake(s->socks->core);
    return 0;
}

/* Whether s's options make its segments differ from a bare TCB's. */
static int has_out_opts(const struct six_sock *s) {
    return s->sticky_any || s->unicast_hops >= 0 || s->tclass > 0 || s->use_min_mtu >= 0 ||
           s->dontfrag;
}

/* The connection outlives its socket (FIN, retransmissions, TIME-WAIT's
 * ACKs, a RST): its segments keep what the socket's options made of them
 * (as Linux's orphaned socket keeps np->opt). Without memory for the copy
 * they go with the defaults. */
static void keep_out_opts(struct six_sock *s, struct six_tcb *t) {
    struct six_ip6_out o;

    if (!has_out_opts(s) || !six__tcp_synchronized(t) ||
        six__pktopts_resolve(s, &six__no_send_opts, &s->faddr, &o) < 0)
        return;
    o.src = t->laddr;
    six__tcp_keep_out(t, &o);
}

static void tcp6_detach(struct six_sock *s) {
    struct six_tcb *t = s->tcb;

    s->tcb = NULL;
    six__pkt_free(s->tcp_rx_pkt);
    s->tcp_rx_pkt = NULL;
    if (t) {
        keep_out_opts(s, t);
        six__tcp_close(t, s->linger_on && s->linger_s == 0);
    }
}

static void tcp6_disconnect(struct six_sock *s) {
    /* connect(AF_UNSPEC) on a TCP socket aborts the connection (Linux). */
    struct six_tcb *t = s->tcb;

    if (!t)
        return;
    s->tcb = NULL;
    keep_out_opts(s, t);
    six__tcp_close(t, 1);
    s->connected = 0;
    s->bound = 0;
    memset(&s->faddr.sin6_addr, 0, sizeof(s->faddr.sin6_addr));
    s->faddr.sin6_port = 0;
    s->laddr.sin6_addr = any6;
    s->laddr.sin6_port = 0;
}

static ssize_t tcp6_send(struct six_sock *s, const struct msghdr *msg, size_t len,
                         const struct sockaddr_in6 *to) {
    (void)len;
    (void)to;
    return six__tcp6_sendmsg(s, msg, 0);
}

const struct six_proto_ops six__tcp6_ops = {
    .bind = tcp6_bind,
    .connect = tcp6_connect,
    .disconnect = tcp6_disconnect,
    .send = tcp6_send,
    .detach = tcp6_detach,
};

/* ---- options ---- */

/* Linux's numbering of tcpi_state. */
static uint8_t linux_state(int state) {
    static const uint8_t map[] = {
        [SIX_TCP_CLOSED] = 7,      [SIX_TCP_LISTEN] = 10,     [SIX_TCP_SYN_SENT] = 2,
        [SIX_TCP_SYN_RECEIVED] = 3, [SIX_TCP_ESTABLISHED] = 1, [SIX_TCP_FIN_WAIT_1] = 4,
        [SIX_TCP_FIN_WAIT_2] = 5,  [SIX_TCP_CLOSE_WAIT] = 8,  [SIX_TCP_CLOSING] = 11,
        [SIX_TCP_LAST_ACK] = 9,    [SIX_TCP_TIME_WAIT] = 6,
    };
    return map[state];
}

/* TCP_INFO: Linux's struct tcp_info, the subset docs/man/sixstack-ip6.7
 * lists; every other field is 0. */
static int tcp_info_get(struct six_sock *s, void *val, socklen_t *len) {
    const struct six_tcb *t = s->tcb;
    struct tcp_info ti;

    memset(&ti, 0, sizeof(ti));
    ti.tcpi_state = linux_state(t ? t->state : SIX_TCP_CLOSED);
    if (t) {
        ti.tcpi_ca_state = t->in_recovery ? 3 : 0;   /* TCP_CA_Recovery */
        ti.tcpi_retransmits = t->rtx_count;
        ti.tcpi_probes = t->keep_probes;
        ti.tcpi_options = (uint8_t)((t->ts_ok ? TCPI_OPT_TIMESTAMPS : 0) |
                                    (t->sack_ok ? TCPI_OPT_SACK : 0) |
                                    (t->ws_ok ? TCPI_OPT_WSCALE : 0));
        ti.tcpi_snd_wscale = t->snd_wscale & 15;
        ti.tcpi_rcv_wscale = t->rcv_wscale & 15;
        ti.tcpi_rto = t->rto_us;
        ti.tcpi_snd_mss = t->mss;
        ti.tcpi_rcv_mss = t->peer_mss;
        ti.tcpi_unacked = t->mss ? (t->snd_max - t->snd_una + t->mss - 1) / t->mss : 0;
        ti.tcpi_sacked = t->mss ? six__sack_bytes(t) / t->mss : 0;
        ti.tcpi_rtt = t->srtt_us;
        ti.tcpi_rttvar = t->rttvar_us;
        ti.tcpi_snd_ssthresh = t->ssthresh == UINT32_MAX ? 0x7fffffff : t->ssthresh / t->mss;
        ti.tcpi_snd_cwnd = t->mss ? t->cwnd / t->mss : 0;
        ti.tcpi_advmss = t->mss;
        ti.tcpi_rcv_space = t->rcvbuf;
        ti.tcpi_total_retrans = t->total_rtx;
    }
    return six__opt_put_bytes(val, len, &ti, sizeof(ti));
}

static int int_in(const void *val, socklen_t len, int lo, int hi, int *out) {
    int rc = six__opt_int(val, len, out);
    if (rc < 0)
        return rc;
    return *out < lo || *out > hi ? -EINVAL : 0;
}

int six__tcp6_setsockopt(struct six_sock *s, int name, const void *val, socklen_t len) {
    struct six_tcb *t;
    int v, rc;

    if (s->type != SOCK_STREAM)
        return -EOPNOTSUPP;
    if (!(t = tcb_of(s)))
        return -ENOBUFS;
    switch (name) {
    case TCP_NODELAY:
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        s->tcp_nodelay = v != 0;
        t->nodelay = (uint8_t)(v != 0);
        if (v)
            six__tcp_output(t);
        return 0;
    case TCP_MAXSEG:
        /* Linux's bounds (TCP_MIN_MSS 88, MAX_TCP_WINDOW 32767). */
        if ((rc = int_in(val, len, 0, 32767, &v)) < 0)
            return rc;
        if (v && v < 88)
            return -EINVAL;
        t->user_mss = (uint16_t)v;
        if (v && six__tcp_synchronized(t) && v < t->mss)
            t->mss = (uint16_t)v;
        return 0;
    case TCP_KEEPIDLE:
    case TCP_KEEPINTVL:
        if ((rc = int_in(val, len, 1, 32767, &v)) < 0)
            return rc;
        if (name == TCP_KEEPIDLE)
            t->keep_idle_s = (uint16_t)v;
        else
            t->keep_intvl_s = (uint16_t)v;
        six__tcp_keepalive_arm(t);
        return 0;
    case TCP_KEEPCNT:
        if ((rc = int_in(val, len, 1, 127, &v)) < 0)
            return rc;
        t->keep_cnt = (uint8_t)v;
        return 0;
    case TCP_CONGESTION: {
        char name_buf[16];
        const struct six_tcp_cc *cc;
        size_t n = len < sizeof(name_buf) - 1 ? len : sizeof(name_buf) - 1;
        if (!val)
            return -EFAULT;
        memcpy(name_buf, val, n);
        name_buf[n] = 0;
        if (!(cc = six__tcp_cc_find(name_buf)))
            return -ENOENT;       /* Linux: no such algorithm */
        if (t->cc != cc) {
            t->cc = cc;
            cc->init(t);
        }
        return 0;
    }
    default:
        return -ENOPROTOOPT;
    }
}

int six__tcp6_getsockopt(struct six_sock *s, int name, void *val, socklen_t *len) {
    const struct six_tcb *t = s->tcb;

    if (s->type != SOCK_STREAM)
        return -EOPNOTSUPP;
    switch (name) {
    case TCP_NODELAY:
        return six__opt_put_int(val, len, s->tcp_nodelay);
    case TCP_MAXSEG:
        if (t && six__tcp_synchronized(t))
            return six__opt_put_int(val, len, t->mss);
        return six__opt_put_int(val, len, t && t->user_mss ? t->user_mss : 536);
    case TCP_KEEPIDLE:
        return six__opt_put_int(val, len, t ? t->keep_idle_s : 7200);
    case TCP_KEEPINTVL:
        return six__opt_put_int(val, len, t ? t->keep_intvl_s : 75);
    case TCP_KEEPCNT:
        return six__opt_put_int(val, len, t ? t->keep_cnt : 9);
    case TCP_CONGESTION: {
        char name_buf[16] = {0};
        strncpy(name_buf, t ? t->cc->name : six__tcp_cubic.name, sizeof(name_buf) - 1);
        return six__opt_put_bytes(val, len, name_buf, sizeof(name_buf));
    }
    case TCP_INFO:
        return tcp_info_get(s, val, len);
    default:
        return -ENOPROTOOPT;
    }
}

int six__tcp6_refused(int level, int name) {
    if (level == SOL_SOCKET) {
        /* Linux stamps what a TCP read returns; sixstack does not. */
        return name == SO_TIMESTAMP || name == SO_TIMESTAMPNS ? -ENOPROTOOPT : 0;
    }
    if (level != IPPROTO_IPV6)
        return 0;
    /* TCP sends and receives no multicast. Linux refuses the first two and
     * IPV6_JOIN_GROUP/IPV6_LEAVE_GROUP (EPROTO) too; it takes
     * IPV6_MULTICAST_LOOP and RFC 3678's joins and does nothing with them. */
    switch (name) {
    case IPV6_MULTICAST_IF:
    case IPV6_MULTICAST_HOPS:
    case IPV6_MULTICAST_LOOP:
    case IPV6_RECVPATHMTU:   /* TCP follows the path MTU itself (Linux: ignored) */
        return -ENOPROTOOPT;
    case IPV6_JOIN_GROUP:
    case IPV6_LEAVE_GROUP:
    case MCAST_JOIN_GROUP:
    case MCAST_LEAVE_GROUP:
    case MCAST_JOIN_SOURCE_GROUP:
    case MCAST_LEAVE_SOURCE_GROUP:
    case MCAST_BLOCK_SOURCE:
    case MCAST_UNBLOCK_SOURCE:
    case MCAST_MSFILTER:
        return -EPROTO;
    default:
        return 0;
    }
}

void six__tcp6_ipv6_changed(struct six_sock *s) {
    if (!s->tcb)
        return;
    s->tcb->recverr = (uint8_t)s->recverr;
    if (six__tcp_synchronized(s->tcb))
        six__tcp_sync_mss(s->tcb);
}

/* SOL_SOCKET options with a TCP meaning (sockopt.c passes them on):
 * SO_KEEPALIVE, SO_LINGER, and the buffer sizes. -ENOENT: not ours. */
int six__tcp6_sol_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    struct six_tcb *t = tcb_of(s);
    int v, rc;

    if (!t)
        return -ENOBUFS;
    switch (name) {
    case SO_KEEPALIVE:
        if ((rc = six__opt_int(val, len, &v)) < 0)
            return rc;
        t->keepalive = v != 0;
        if (v)
            t->keep_probes = 0;
        six__tcp_keepalive_arm(t);
        return 0;
    case SO_LINGER: {
        struct linger lg;
        if (!val || len < (socklen_t)sizeof(lg))
            return -EINVAL;
        memcpy(&lg, val, sizeof(lg));
        s->linger_on = lg.l_onoff != 0;
        s->linger_s = lg.l_linger < 0 ? 0 : lg.l_linger;
        return 0;
    }
    case SO_RCVBUF:
    case SO_SNDBUF:
        sync_opts(s, t);
        return 0;
    default:
        return -ENOENT;
    }
}

int six__tcp6_sol_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    switch (name) {
    case SO_KEEPALIVE:
        return six__opt_put_int(val, len, s->tcb && s->tcb->keepalive);
    case SO_LINGER: {
        struct linger lg = {.l_onoff = s->linger_on, .l_linger = s->linger_s};
        return six__opt_put_bytes(val, len, &lg, sizeof(lg));
    }
    default:
        return -ENOENT;
    }
}

static int fin_done(const struct six_sock *s) {
    const struct six_tcb *t = s->tcb;
    return !t || t->fin_acked || t->state == SIX_TCP_CLOSED || s->so_error;
}

void six__tcp6_linger(struct six_sock *s) {
    struct six_tcb *t = s->tcb;

    /* SO_LINGER with a time: close() waits until the queued data and the
     * FIN are acknowledged, or the time is up; the connection then goes on
     * closing alone either way. As Linux, a non-blocking socket waits too
     * (FreeBSD's does not). */
    if (!t || !s->linger_on || s->linger_s == 0 || !six__tcp_synchronized(t))
        return;
    if (six__tcp_readable(t) > 0)
        return;    /* close() resets: nothing to wait for */
    s->shut_wr = 1;
    six__tcp_shutdown_wr(t);
    six__sock_sync_ready(s);
    wait_until(s, fin_done, (uint64_t)s->linger_s * 1000000u);
}

int six__tcp6_pktoptions_get(struct six_sock *s, void *val, socklen_t *len) {
    struct msghdr msg = {.msg_control = val, .msg_controllen = *len};

    if (!s->tcp_rx_pkt) {
        *len = 0;
        return 0;
    }
    six__cmsg_build_recv(s, s->tcp_rx_pkt, &msg);
    *len = (socklen_t)msg.msg_controllen;
    return 0;
}
