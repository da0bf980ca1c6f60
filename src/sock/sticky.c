/* Sticky options (ip6(4) IPV6_PKTOPTIONS and RFC 3542 6): per-socket
 * values for outgoing packets, the second level of the page's precedence
 * rule (src/sock/pktopts.c applies them). Where one name is also the
 * page's int switch, the length tells them apart (spec README). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sock/sock.h"
#include "sock/tcp6.h"
#include "wire/ipv6.h"

/* ip6(4) IPV6_PKTOPTIONS: "all options must fit within the size of an
 * mbuf"; a 2 KiB cluster here. */
#define PKTOPTIONS_MAX 2048

/* Validates sticky options before they replace the socket's. */
static int sticky_check(const struct six_sock *s, const struct six_send_opts *o) {
    int rc = six__send_opts_check(s, o);
    if (rc < 0)
        return rc;
    if (o->have_pktinfo && o->pktinfo.ipi6_ifindex &&
        !six__ip6_if(s->socks->ip6, o->pktinfo.ipi6_ifindex))
        return -ENXIO;
    return 0;
}

/* IPV6_PKTOPTIONS: a series of cmsghdr replacing every sticky option;
 * length 0 resets them all. */
static int pktoptions_set(struct six_sock *s, const void *val, socklen_t len) {
    union {
        struct cmsghdr align;
        uint8_t b[PKTOPTIONS_MAX];
    } copy;
    struct six_send_opts o;
    int rc;

    if (len == 0) {
        six__opts_release(&s->sticky);
        memset(&s->sticky, 0, sizeof(s->sticky));
        return 0;
    }
    if (!val || len > PKTOPTIONS_MAX)
        return -EINVAL;
    /* The caller's bytes need not be aligned for struct cmsghdr. */
    memcpy(copy.b, val, len);
    if ((rc = six__cmsg_parse(copy.b, len, &o)) < 0 || (rc = sticky_check(s, &o)) < 0 ||
        (rc = six__opts_own(&o)) < 0)
        return rc;
    six__opts_release(&s->sticky);
    s->sticky = o;
    return 0;
}

static int pktoptions_get(const struct six_sock *s, void *val, socklen_t *len) {
    union {
        struct cmsghdr align;
        uint8_t b[PKTOPTIONS_MAX];
    } out;
    size_t n = six__cmsg_put_opts(&s->sticky, out.b, sizeof(out.b));
    if (n > *len)
        n = six__cmsg_put_opts(&s->sticky, out.b, *len);
    return six__opt_put_bytes(val, len, out.b, n);
}

/* RFC 3542 6.1: IPV6_PKTINFO with a struct in6_pktinfo is a sticky
 * source address and interface (an all-zero one removes it). */
static int sticky_pktinfo_set(struct six_sock *s, const void *val) {
    struct six_send_opts o = s->sticky;
    int rc;

    memcpy(&o.pktinfo, val, sizeof(o.pktinfo));
    o.have_pktinfo = o.pktinfo.ipi6_ifindex || !six_addr_is_unspecified(&o.pktinfo.ipi6_addr);
    if ((rc = sticky_check(s, &o)) < 0)
        return rc;
    s->sticky = o;
    return 0;
}

/* RFC 3542 sticky header: the whole header as the value, length 0 to
 * remove it. */
static int sticky_header_set(struct six_sock *s, int kind, const void *val, socklen_t len) {
    uint8_t *copy = NULL;
    int rc;

    if (len > 0) {
        struct six_send_opts one = {0};
        if (!val)
            return -EFAULT;
        if ((rc = six__xh_check(kind, val, len)) < 0)
            return rc;
        one.xh[kind] = val;
        if ((rc = sticky_check(s, &one)) < 0)
            return rc;
        if (!(copy = malloc(len)))
            return -ENOBUFS;
        memcpy(copy, val, len);
    }
    free((void *)s->sticky.xh[kind]);
    s->sticky.xh[kind] = copy;
    s->sticky.xh_len[kind] = (uint16_t)len;
    return 0;
}

/* RFC 3542 6.1: a sticky next hop; length 0 removes it. */
static int nexthop_set(struct six_sock *s, const void *val, socklen_t len) {
    if (len == 0) {
        s->sticky.have_nexthop = 0;
        return 0;
    }
    if (!val || six__nexthop_check(val, len) < 0)
        return -EINVAL;
    memcpy(&s->sticky.nexthop, val, sizeof(s->sticky.nexthop));
    s->sticky.have_nexthop = 1;
    return 0;
}

static int sticky_set_one(struct six_sock *s, int name, const void *val, socklen_t len) {
    /* The page's int switches keep their names; other lengths are RFC
     * 3542's sticky headers. */
    if (six__xh_kind(name) >= 0 && (len != (socklen_t)sizeof(int) || name == IPV6_RTHDRDSTOPTS))
        return sticky_header_set(s, six__xh_kind(name), val, len);
    switch (name) {
    case IPV6_NEXTHOP:
        return nexthop_set(s, val, len);
    case IPV6_PKTOPTIONS:
        return pktoptions_set(s, val, len);
    case IPV6_PKTINFO:
        if (val && len == (socklen_t)sizeof(struct in6_pktinfo))
            return sticky_pktinfo_set(s, val);
        return -ENOENT;
    default:
        return -ENOENT;
    }
}

int six__sticky_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    int rc = sticky_set_one(s, name, val, len);
    /* Sends skip the first two levels of the precedence rule while there
     * is neither ancillary data nor a sticky option. */
    s->sticky_any = six__opts_any(&s->sticky);
    return rc;
}

int six__sticky_copy(struct six_sock *to, const struct six_sock *from) {
    struct six_send_opts o = from->sticky;
    int rc = six__opts_own(&o);

    if (rc < 0)
        return rc;
    six__opts_release(&to->sticky);
    to->sticky = o;
    to->sticky_any = from->sticky_any;
    return 0;
}

int six__sticky_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    if (six__xh_kind(name) >= 0 && (*len != (socklen_t)sizeof(int) || name == IPV6_RTHDRDSTOPTS)) {
        int kind = six__xh_kind(name);
        return six__opt_put_bytes(val, len, s->sticky.xh[kind],
                                  s->sticky.xh[kind] ? s->sticky.xh_len[kind] : 0);
    }
    switch (name) {
    case IPV6_NEXTHOP:
        return six__opt_put_bytes(val, len, &s->sticky.nexthop,
                                  s->sticky.have_nexthop ? sizeof(s->sticky.nexthop) : 0);
    case IPV6_PKTOPTIONS:
        if (s->type == SOCK_STREAM && s->recv_flags)
            return six__tcp6_pktoptions_get(s, val, len);
        return pktoptions_get(s, val, len);
    case IPV6_PKTINFO:
        if (*len >= (socklen_t)sizeof(struct in6_pktinfo)) {
            struct in6_pktinfo none = {0};
            return six__opt_put_bytes(val, len,
                                      s->sticky.have_pktinfo ? &s->sticky.pktinfo : &none,
                                      sizeof(none));
        }
        return -ENOENT;
    default:
        return -ENOENT;
    }
}
