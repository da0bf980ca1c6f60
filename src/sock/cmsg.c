/* Ancillary data: parsing what sendmsg() gives, building what recvmsg()
 * returns. ip6(4): an improperly formed object is EINVAL; objects of other
 * levels are ignored, as BSD and Linux do. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sock/sock.h"
#include "wire/ext.h"
#include "wire/ipv6.h"

/* The data of a cmsg whose length is exactly CMSG_LEN(n), or NULL. */
static const void *cmsg_data_exact(const struct cmsghdr *cm, size_t n) {
    return cm->cmsg_len == CMSG_LEN(n) ? CMSG_DATA(cm) : NULL;
}

static int parse_int(const struct cmsghdr *cm, int lo, int hi, int *out) {
    const void *d = cmsg_data_exact(cm, sizeof(int));
    int v;

    if (!d)
        return -EINVAL;
    memcpy(&v, d, sizeof(v));
    if (v < lo || v > hi)
        return -EINVAL;
    *out = v;
    return 0;
}

int six__xh_check(int kind, const uint8_t *p, size_t len) {
    struct six_opt_iter it;
    struct six_opt opt;
    int rc;

    /* RFC 8200 4: (Hdr Ext Len + 1) * 8 bytes, at most 2048. */
    if (len < 8 || len > 2048 || len % 8 != 0 || ((size_t)p[1] + 1) * 8 != len)
        return -EINVAL;
    if (kind == SIX_XH_RTH) {
        /* This node sends no routing header a receiver would act on: RFC
         * 5095 deprecates type 0, and sixstack implements no other. A
         * header with Segments Left 0 is inert and may be sent. */
        return p[SIX_RTHDR_OFF_SEGLEFT] == 0 ? 0 : -EINVAL;
    }
    six_opt_iter_init(&it, p, len);
    while ((rc = six_opt_iter_next(&it, &opt)) > 0) {
    }
    return rc < 0 ? -EINVAL : 0;
}

int six__nexthop_check(const void *p, size_t len) {
    struct sockaddr_in6 sin6;

    if (len != sizeof(sin6))
        return -EINVAL;
    memcpy(&sin6, p, sizeof(sin6));
    return sin6.sin6_family == AF_INET6 ? 0 : -EINVAL;
}

int six__opts_own(struct six_send_opts *o) {
    for (int i = 0; i < SIX_XH_N; i++) {
        uint8_t *copy;
        if (!o->xh[i])
            continue;
        if (!(copy = malloc(o->xh_len[i]))) {
            while (--i >= 0)
                if (o->xh[i])
                    free((void *)o->xh[i]);
            return -ENOBUFS;
        }
        memcpy(copy, o->xh[i], o->xh_len[i]);
        o->xh[i] = copy;
    }
    return 0;
}

void six__opts_release(struct six_send_opts *o) {
    for (int i = 0; i < SIX_XH_N; i++) {
        free((void *)o->xh[i]);
        o->xh[i] = NULL;
        o->xh_len[i] = 0;
    }
}

int six__xh_kind(int type) {
    switch (type) {
    case IPV6_HOPOPTS:
        return SIX_XH_HBH;
    case IPV6_RTHDRDSTOPTS:
        return SIX_XH_DST1;
    case IPV6_RTHDR:
        return SIX_XH_RTH;
    case IPV6_DSTOPTS:
        return SIX_XH_DST2;
    default:
        return -1;
    }
}

static int parse_header(const struct cmsghdr *cm, int kind, struct six_send_opts *o) {
    size_t n = cm->cmsg_len - CMSG_LEN(0);
    const uint8_t *d = (const uint8_t *)cm + CMSG_LEN(0);

    if (cm->cmsg_len < CMSG_LEN(0) || six__xh_check(kind, d, n) < 0)
        return -EINVAL;
    o->xh[kind] = d;
    o->xh_len[kind] = (uint16_t)n;
    return 0;
}

static int parse_one(const struct cmsghdr *cm, struct six_send_opts *o) {
    const void *d;
    int kind = six__xh_kind(cm->cmsg_type);

    if (kind >= 0)
        return parse_header(cm, kind, o);
    switch (cm->cmsg_type) {
    case IPV6_NEXTHOP:
        if (cm->cmsg_len < CMSG_LEN(0) ||
            six__nexthop_check(CMSG_DATA(cm), cm->cmsg_len - CMSG_LEN(0)) < 0)
            return -EINVAL;
        memcpy(&o->nexthop, CMSG_DATA(cm), sizeof(o->nexthop));
        o->have_nexthop = 1;
        return 0;
    case IPV6_PKTINFO:
        if (!(d = cmsg_data_exact(cm, sizeof(struct in6_pktinfo))))
            return -EINVAL;
        memcpy(&o->pktinfo, d, sizeof(o->pktinfo));
        o->have_pktinfo = 1;
        return 0;
    case IPV6_HOPLIMIT:
        /* RFC 3542 6.3: -1 means the default. */
        o->have_hlim = 1;
        return parse_int(cm, -1, 255, &o->hlim);
    case IPV6_TCLASS:
        o->have_tclass = 1;
        return parse_int(cm, -1, 255, &o->tclass);
    case IPV6_USE_MIN_MTU:
        /* RFC 3542 11.1: also ancillary data, -1, 0 or 1. */
        o->have_minmtu = 1;
        return parse_int(cm, -1, 1, &o->minmtu);
    case IPV6_DONTFRAG:
        /* RFC 3542 11.2: also ancillary data; non-zero is on. */
        o->have_dontfrag = 1;
        if (parse_int(cm, INT_MIN, INT_MAX, &o->dontfrag) < 0)
            return -EINVAL;
        o->dontfrag = o->dontfrag != 0;
        return 0;
    default:
        return -EINVAL;
    }
}

const struct six_send_opts six__no_send_opts;

int six__opts_any(const struct six_send_opts *o) {
    for (int i = 0; i < SIX_XH_N; i++)
        if (o->xh[i])
            return 1;
    return o->have_pktinfo || o->have_hlim || o->have_tclass || o->have_nexthop ||
           o->have_minmtu || o->have_dontfrag;
}

int six__send_opts_check(const struct six_sock *s, const struct six_send_opts *o) {
    /* ip6(4): the option headers (and with them the routing header)
     * "require superuser privileges", checked against the socket's
     * creator, as the receive switches are. */
    for (int i = 0; i < SIX_XH_N; i++)
        if (o->xh[i] && !s->creds.privileged)
            return -EPERM;
    return 0;
}

int six__cmsg_parse_send(const struct six_sock *s, const struct msghdr *msg,
                         struct six_send_opts *buf, const struct six_send_opts **out) {
    int rc;

    *out = &six__no_send_opts;
    if (!msg->msg_controllen)
        return 0;
    if ((rc = six__cmsg_parse(msg->msg_control, msg->msg_controllen, buf)) < 0 ||
        (rc = six__send_opts_check(s, buf)) < 0)
        return rc;
    *out = buf;
    return 0;
}

int six__cmsg_parse(const void *ctl, size_t total, struct six_send_opts *out) {
    const uint8_t *base = ctl;
    size_t off = 0;

    memset(out, 0, sizeof(*out));
    if (total == 0)
        return 0;
    if (!base)
        return -EFAULT;
    /* Walked by hand rather than with CMSG_NXTHDR so that a length that
     * lies is caught before anything is read past the buffer. */
    while (total - off >= sizeof(struct cmsghdr)) {
        struct cmsghdr cm;
        int rc;

        memcpy(&cm, base + off, sizeof(cm));
        if (cm.cmsg_len < sizeof(struct cmsghdr) || cm.cmsg_len > total - off)
            return -EINVAL;
        if ((uintptr_t)(base + off) % _Alignof(struct cmsghdr) != 0)
            return -EINVAL;
        if (cm.cmsg_level == IPPROTO_IPV6 &&
            (rc = parse_one((const struct cmsghdr *)(const void *)(base + off), out)) < 0)
            return rc;
        off += CMSG_ALIGN(cm.cmsg_len);
        if (off > total)
            break;
    }
    return 0;
}

/* Appends one object to msg's control buffer, or sets MSG_CTRUNC when it
 * does not fit. *used is the bytes written so far. */
void six__cmsg_put_level(struct msghdr *msg, size_t *used, int level, int type, const void *data,
                         size_t n) {
    struct cmsghdr cm = {.cmsg_len = CMSG_LEN(n), .cmsg_level = level, .cmsg_type = type};
    uint8_t *p;

    if (!msg->msg_control || msg->msg_controllen < *used ||
        msg->msg_controllen - *used < CMSG_LEN(n)) {
        msg->msg_flags |= MSG_CTRUNC;
        return;
    }
    /* Byte copies at byte offsets: the caller's buffer need not be aligned
     * for struct cmsghdr (the page's example uses a u_char array). */
    p = (uint8_t *)msg->msg_control + *used;
    memcpy(p, &cm, sizeof(cm));
    memcpy(p + CMSG_LEN(0), data, n);
    /* Zero the alignment padding after the data, where it fits, so no
     * stale bytes of the caller's buffer look like part of the object. */
    if (msg->msg_controllen - *used >= CMSG_SPACE(n))
        memset(p + CMSG_LEN(n), 0, CMSG_SPACE(n) - CMSG_LEN(n));
    *used += CMSG_SPACE(n);
    if (*used > msg->msg_controllen)
        *used = msg->msg_controllen;
}

void six__cmsg_put(struct msghdr *msg, size_t *used, int type, const void *data, size_t n) {
    six__cmsg_put_level(msg, used, IPPROTO_IPV6, type, data, n);
}

void six__cmsg_put_tstamp(const struct six_sock *s, uint64_t stack_us, struct msghdr *msg,
                          size_t *used) {
    uint64_t us;

    if (!s->tstamp)
        return;
    us = six__wall_us(s->socks->core, stack_us);
    if (s->tstamp & SIX_TSTAMP_NS) {
        struct timespec ts = {.tv_sec = (time_t)(us / 1000000u),
                              .tv_nsec = (long)(us % 1000000u) * 1000};
        six__cmsg_put_level(msg, used, SOL_SOCKET, SCM_TIMESTAMPNS, &ts, sizeof(ts));
    } else {
        struct timeval tv = {.tv_sec = (time_t)(us / 1000000u),
                             .tv_usec = (suseconds_t)(us % 1000000u)};
        six__cmsg_put_level(msg, used, SOL_SOCKET, SCM_TIMESTAMP, &tv, sizeof(tv));
    }
}

size_t six__cmsg_put_opts(const struct six_send_opts *o, void *buf, size_t cap) {
    struct msghdr m = {.msg_control = buf, .msg_controllen = cap};
    size_t used = 0;

    if (o->have_pktinfo)
        six__cmsg_put(&m, &used, IPV6_PKTINFO, &o->pktinfo, sizeof(o->pktinfo));
    if (o->have_hlim)
        six__cmsg_put(&m, &used, IPV6_HOPLIMIT, &o->hlim, sizeof(o->hlim));
    if (o->have_tclass)
        six__cmsg_put(&m, &used, IPV6_TCLASS, &o->tclass, sizeof(o->tclass));
    if (o->have_nexthop)
        six__cmsg_put(&m, &used, IPV6_NEXTHOP, &o->nexthop, sizeof(o->nexthop));
    if (o->have_minmtu)
        six__cmsg_put(&m, &used, IPV6_USE_MIN_MTU, &o->minmtu, sizeof(o->minmtu));
    if (o->have_dontfrag)
        six__cmsg_put(&m, &used, IPV6_DONTFRAG, &o->dontfrag, sizeof(o->dontfrag));
    if (o->xh[SIX_XH_HBH])
        six__cmsg_put(&m, &used, IPV6_HOPOPTS, o->xh[SIX_XH_HBH], o->xh_len[SIX_XH_HBH]);
    if (o->xh[SIX_XH_DST1])
        six__cmsg_put(&m, &used, IPV6_RTHDRDSTOPTS, o->xh[SIX_XH_DST1], o->xh_len[SIX_XH_DST1]);
    if (o->xh[SIX_XH_RTH])
        six__cmsg_put(&m, &used, IPV6_RTHDR, o->xh[SIX_XH_RTH], o->xh_len[SIX_XH_RTH]);
    if (o->xh[SIX_XH_DST2])
        six__cmsg_put(&m, &used, IPV6_DSTOPTS, o->xh[SIX_XH_DST2], o->xh_len[SIX_XH_DST2]);
    return used;
}

void six__cmsg_build_pmtu(const struct ip6_mtuinfo *mi, struct msghdr *msg) {
    size_t used = 0;

    six__cmsg_put(msg, &used, IPV6_PATHMTU, mi, sizeof(*mi));
    msg->msg_controllen = used;
}

void six__cmsg_build_recv(const struct six_sock *s, const struct six_pkt *pkt,
                          struct msghdr *msg) {
    const uint8_t *h = pkt->data;
    const struct six_pkt_meta *m = &pkt->meta;
    unsigned want = s->recv_flags;
    size_t used = 0;

    six__cmsg_put_tstamp(s, m->rx_us, msg, &used);

    if (want & SIX_RECV_PKTINFO) {
        struct in6_pktinfo pi;
        memcpy(&pi.ipi6_addr, h + SIX_IP6_OFF_DST, 16);
        pi.ipi6_ifindex = pkt->ifindex;
        six__cmsg_put(msg, &used, IPV6_PKTINFO, &pi, sizeof(pi));
    }
    if (want & SIX_RECV_HOPLIMIT) {
        int hlim = h[SIX_IP6_OFF_HLIM];
        six__cmsg_put(msg, &used, IPV6_HOPLIMIT, &hlim, sizeof(hlim));
    }
    if (want & SIX_RECV_FLOWINFO) {
        /* Class and label as they came, in network order (Linux). */
        uint32_t fi;
        memcpy(&fi, h, 4);
        fi &= htonl(0x0fffffffu);
        six__cmsg_put(msg, &used, IPV6_FLOWINFO, &fi, sizeof(fi));
    }
    if (want & SIX_RECV_TCLASS) {
        int tclass = (h[0] & 0x0f) << 4 | h[1] >> 4;
        six__cmsg_put(msg, &used, IPV6_TCLASS, &tclass, sizeof(tclass));
    }
    if ((want & SIX_RECV_HOPOPTS) && m->hbh_off)
        six__cmsg_put(msg, &used, IPV6_HOPOPTS, h + m->hbh_off, m->hbh_len);
    if ((want & SIX_RECV_DSTOPTS) && m->dst1_off)
        six__cmsg_put(msg, &used, IPV6_DSTOPTS, h + m->dst1_off, m->dst1_len);
    if ((want & SIX_RECV_RTHDR) && m->rth_off)
        six__cmsg_put(msg, &used, IPV6_RTHDR, h + m->rth_off, m->rth_len);
    if ((want & SIX_RECV_DSTOPTS) && m->dst2_off)
        six__cmsg_put(msg, &used, IPV6_DSTOPTS, h + m->dst2_off, m->dst2_len);
    msg->msg_controllen = used;
}
