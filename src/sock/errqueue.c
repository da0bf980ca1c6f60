/* Linux's extended error reporting (IPV6_RECVERR, ipv6(7)): a socket that
 * asks for it keeps a queue of the errors its sends met, ICMPv6 errors
 * from the network and local ones (a datagram over the path MTU with
 * IPV6_MTU_DISCOVER set to IPV6_PMTUDISC_DO), read with
 * recvmsg(MSG_ERRQUEUE): the data is what the error quoted of the
 * datagram (from the upper-layer header for raw sockets, after it for
 * UDP), msg_name the datagram's destination, and an IPV6_RECVERR object
 * holds a struct sock_extended_err followed by the offender, the node that
 * sent the ICMPv6 error (SO_EE_OFFENDER; zero for local errors).
 *
 * As on Linux, queueing an ICMPv6 error also makes it the socket's pending
 * error (so the next receive fails with it), reading the queue leaves the
 * next queued one pending, or none, and poll says POLLERR while the queue
 * holds anything. A socket with SO_TIMESTAMP gets the time each error was
 * queued (tracepath times its local errors by it). The queue holds
 * at most SIX_ERRQ_MAX errors; past that new ones are dropped (Linux
 * bounds it by the receive buffer). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sock/sock.h"
#include "wire/ipv6.h"

/* Linux's struct sock_extended_err (<linux/errqueue.h>), spelt out: the
 * stack builds where there is no Linux header. */
struct six_ee {
    uint32_t ee_errno;
    uint8_t ee_origin, ee_type, ee_code, ee_pad;
    uint32_t ee_info, ee_data;
};
#define SIX_EE_ORIGIN_LOCAL 1
#define SIX_EE_ORIGIN_ICMP6 3

struct six_errq_ent {
    struct six_errq_ent *next;
    struct six_ee ee;
    struct sockaddr_in6 offender;   /* follows ee in the IPV6_RECVERR object */
    struct sockaddr_in6 name;       /* the datagram's destination */
    int hlim;                       /* the ICMPv6 error's hop limit, -1: local */
    uint64_t queued_us;             /* stack time, for SO_TIMESTAMP */
    size_t len;
    uint8_t data[];
};

static void push(struct six_sock *s, struct six_errq_ent *e) {
    e->next = NULL;
    e->queued_us = six__now(s->socks->core);
    if (s->errq_tail)
        s->errq_tail->next = e;
    else
        s->errq_head = e;
    s->errq_tail = e;
    s->errq_len++;
    if (e->ee.ee_origin == SIX_EE_ORIGIN_ICMP6)
        six__sock_set_error(s, (int)e->ee.ee_errno);
}

static struct six_errq_ent *new_ent(struct six_sock *s, int err, const uint8_t *data, size_t len) {
    struct six_errq_ent *e;

    if (s->closing || s->errq_len >= SIX_ERRQ_MAX)
        return NULL;
    if (len > SIX_ERRQ_DATA_MAX)
        len = SIX_ERRQ_DATA_MAX;
    if (!(e = calloc(1, sizeof(*e) + len)))
        return NULL;
    e->ee.ee_errno = (uint32_t)err;
    e->len = len;
    if (len)
        memcpy(e->data, data, len);
    e->name.sin6_family = AF_INET6;
    e->hlim = -1;
    return e;
}

void six__sock_err_icmp(struct six_sock *s, const struct six_icmp6_err *err, int e_no,
                        const uint8_t *data, size_t len) {
    struct six_errq_ent *e = new_ent(s, e_no, data, len);

    if (!e)
        return;
    e->ee.ee_origin = SIX_EE_ORIGIN_ICMP6;
    e->ee.ee_type = err->type;
    e->ee.ee_code = err->code;
    e->ee.ee_info = err->word;   /* the MTU of a Packet Too Big, a pointer */
    e->offender.sin6_family = AF_INET6;
    e->offender.sin6_addr = err->from;
    if (six_addr_scope(&err->from) <= 2)
        e->offender.sin6_scope_id = err->ifindex;
    e->hlim = err->from_hlim;
    e->name.sin6_addr = err->dst;
    if (six_addr_scope(&err->dst) <= 2 && !six_addr_is_loopback(&err->dst))
        e->name.sin6_scope_id = err->ifindex;
    /* UDP: the destination port of the quoted datagram. */
    if (err->proto == IPPROTO_UDP && err->l4 && err->l4_len >= 4)
        memcpy(&e->name.sin6_port, err->l4 + 2, 2);
    push(s, e);
}

void six__sock_err_local(struct six_sock *s, int e_no, const struct sockaddr_in6 *dst,
                         uint32_t info) {
    struct six_errq_ent *e = new_ent(s, e_no, NULL, 0);

    if (!e)
        return;
    e->ee.ee_origin = SIX_EE_ORIGIN_LOCAL;
    e->ee.ee_info = info;
    e->name = *dst;
    push(s, e);
}

void six__sock_errq_purge(struct six_sock *s) {
    while (s->errq_head) {
        struct six_errq_ent *e = s->errq_head;
        s->errq_head = e->next;
        free(e);
    }
    s->errq_tail = NULL;
    s->errq_len = 0;
}

/* The IPV6_RECVERR object: the error and the offender, back to back. */
static void put_err(struct msghdr *msg, size_t *used, const struct six_errq_ent *e) {
    uint8_t obj[sizeof(e->ee) + sizeof(e->offender)];

    memcpy(obj, &e->ee, sizeof(e->ee));
    memcpy(obj + sizeof(e->ee), &e->offender, sizeof(e->offender));
    six__cmsg_put(msg, used, IPV6_RECVERR, obj, sizeof(obj));
}

ssize_t six__sock_recv_err(struct six_sock *s, struct msghdr *msg, int flags) {
    struct six_errq_ent *e = s->errq_head;
    size_t used = 0, copied;

    /* Like Linux: reading the queue never blocks. */
    if (!e)
        return -EAGAIN;
    msg->msg_flags = MSG_ERRQUEUE;
    copied = six__iov_scatter(msg, e->data, e->len);
    if (copied < e->len)
        msg->msg_flags |= MSG_TRUNC;
    if (msg->msg_name) {
        size_t n = msg->msg_namelen < sizeof(e->name) ? msg->msg_namelen : sizeof(e->name);
        memcpy(msg->msg_name, &e->name, n);
        msg->msg_namelen = sizeof(e->name);
    }
    six__cmsg_put_tstamp(s, e->queued_us, msg, &used);
    put_err(msg, &used, e);
    if ((s->recv_flags & SIX_RECV_HOPLIMIT) && e->hlim >= 0)
        six__cmsg_put(msg, &used, IPV6_HOPLIMIT, &e->hlim, sizeof(e->hlim));
    msg->msg_controllen = used;
    if (flags & MSG_PEEK)
        return (ssize_t)((flags & MSG_TRUNC) ? e->len : copied);
    s->errq_head = e->next;
    if (!s->errq_head)
        s->errq_tail = NULL;
    s->errq_len--;
    /* The next error from the network is the pending one now, or none
     * (Linux's sock_dequeue_err_skb). */
    s->so_error = s->errq_head && s->errq_head->ee.ee_origin == SIX_EE_ORIGIN_ICMP6
                      ? (int)s->errq_head->ee.ee_errno
                      : 0;
    six__sock_update_ready(s);
    copied = (flags & MSG_TRUNC) ? e->len : copied;
    free(e);
    return (ssize_t)copied;
}
