/* RFC 3678 section 5.1 (protocol-independent multicast source filter
 * options) at level IPPROTO_IPV6: MCAST_JOIN_GROUP, MCAST_LEAVE_GROUP,
 * MCAST_BLOCK_SOURCE, MCAST_UNBLOCK_SOURCE, MCAST_JOIN_SOURCE_GROUP,
 * MCAST_LEAVE_SOURCE_GROUP, with the host's constants and structs
 * (struct group_req, struct group_source_req).
 *
 * Semantics and errors follow BSD (in6p_join_group, in6p_block_unblock_
 * source):
 * - an any-source membership is EXCLUDE {}; BLOCK/UNBLOCK edit its
 *   exclude list and need one (EADDRNOTAVAIL without, EINVAL on a
 *   source-specific one);
 * - a source-specific membership is INCLUDE {sources}; JOIN_SOURCE_GROUP
 *   adds, LEAVE_SOURCE_GROUP removes, and removing the last source leaves
 *   the group; either on an any-source membership is EINVAL, as is
 *   MCAST_JOIN_GROUP on a source-specific one (no mixing on one group);
 * - a source already in the list (add) or not in it (remove) is
 *   EADDRNOTAVAIL; MCAST_JOIN_GROUP on a joined group EADDRINUSE;
 * - more than SIX_MAX_SOCK_SRCS sources is ENOBUFS.
 * Addresses must be AF_INET6 (EINVAL), groups multicast and sources
 * unicast (EINVAL); interface 0 is the default multicast interface, and
 * an interface that does not exist EADDRNOTAVAIL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sock/sock.h"
#include "wire/ipv6.h"

/* The parsed argument of any of the six options. */
struct msf_arg {
    unsigned ifindex;
    struct in6_addr group;
    struct in6_addr source;      /* group_source_req only */
};

static int in6_of(const struct sockaddr_storage *ss, struct in6_addr *out) {
    struct sockaddr_in6 sin6;

    if (ss->ss_family != AF_INET6)
        return -EINVAL;
    memcpy(&sin6, ss, sizeof(sin6));
    *out = sin6.sin6_addr;
    return 0;
}

static int interface_of(struct six_sock *s, unsigned ifindex, unsigned *out) {
    struct six_if *ifp;

    if (ifindex == 0) {
        if (!(ifp = six__ip6_default_mcast_if(s->socks->ip6)))
            return -EADDRNOTAVAIL;
        ifindex = ifp->index;
    }
    if (!six__ip6_if(s->socks->ip6, ifindex))
        return -EADDRNOTAVAIL;
    *out = ifindex;
    return 0;
}

static int group_arg(struct six_sock *s, const void *val, socklen_t len, struct msf_arg *a) {
    struct group_req gr;
    int rc;

    if (!val || len < (socklen_t)sizeof(gr))
        return -EINVAL;
    memcpy(&gr, val, sizeof(gr));
    if ((rc = in6_of(&gr.gr_group, &a->group)) < 0)
        return rc;
    if (!six_addr_is_multicast(&a->group))
        return -EINVAL;
    return interface_of(s, gr.gr_interface, &a->ifindex);
}

static int source_arg(struct six_sock *s, const void *val, socklen_t len, struct msf_arg *a) {
    struct group_source_req gsr;
    int rc;

    if (!val || len < (socklen_t)sizeof(gsr))
        return -EINVAL;
    memcpy(&gsr, val, sizeof(gsr));
    if ((rc = in6_of(&gsr.gsr_group, &a->group)) < 0 ||
        (rc = in6_of(&gsr.gsr_source, &a->source)) < 0)
        return rc;
    if (!six_addr_is_multicast(&a->group) || six_addr_is_multicast(&a->source) ||
        six_addr_is_unspecified(&a->source))
        return -EINVAL;
    return interface_of(s, gsr.gsr_interface, &a->ifindex);
}

static int join_any(struct six_sock *s, const struct msf_arg *a) {
    struct six_memb *m = six__memb_find(s, a->ifindex, &a->group);

    if (m)
        return m->mode == MCAST_EXCLUDE ? -EADDRINUSE : -EINVAL;
    return six__memb_join(s, a->ifindex, &a->group, MCAST_EXCLUDE, NULL);
}

static int leave_any(struct six_sock *s, const struct msf_arg *a) {
    struct six_memb *m = six__memb_find(s, a->ifindex, &a->group);

    if (!m)
        return -EADDRNOTAVAIL;
    six__memb_leave(s, m);
    return 0;
}

/* A source added to (add 1) or taken from the list of a membership in
 * mode; the checks common to the four source options. */
static int edit_source(struct six_sock *s, struct six_memb *m, int mode,
                       const struct in6_addr *src, int add) {
    if (!m)
        return -EADDRNOTAVAIL;
    if (m->mode != mode)
        return -EINVAL;
    if (six__memb_has_source(m, src) == add)
        return -EADDRNOTAVAIL;
    /* An INCLUDE list emptied is a leave. */
    if (!add && mode == MCAST_INCLUDE && m->nsrc == 1) {
        six__memb_leave(s, m);
        return 0;
    }
    return six__memb_source(s, m, src, add);
}

static int source_op(struct six_sock *s, int name, const struct msf_arg *a) {
    struct six_memb *m = six__memb_find(s, a->ifindex, &a->group);

    switch (name) {
    case MCAST_JOIN_SOURCE_GROUP:
        if (!m)
            return six__memb_join(s, a->ifindex, &a->group, MCAST_INCLUDE, &a->source);
        return edit_source(s, m, MCAST_INCLUDE, &a->source, 1);
    case MCAST_LEAVE_SOURCE_GROUP:
        return edit_source(s, m, MCAST_INCLUDE, &a->source, 0);
    case MCAST_BLOCK_SOURCE:
        return edit_source(s, m, MCAST_EXCLUDE, &a->source, 1);
    default: /* MCAST_UNBLOCK_SOURCE */
        return edit_source(s, m, MCAST_EXCLUDE, &a->source, 0);
    }
}

/* ---- MCAST_MSFILTER (RFC 3678 5.2, the full-state API behind
 * setsourcefilter and getsourcefilter): a struct group_filter gives or
 * takes a membership's whole filter at once. As BSD: a group the socket
 * has not joined is EADDRNOTAVAIL; as msf.c's other options, an INCLUDE
 * list made empty is a leave, sources are unicast AF_INET6 addresses
 * (EINVAL) and at most SIX_MAX_SOCK_SRCS (ENOBUFS). ---- */

static int msfilter_head(struct six_sock *s, const struct group_filter *gf, struct msf_arg *a) {
    int rc;

    if ((rc = in6_of(&gf->gf_group, &a->group)) < 0)
        return rc;
    if (!six_addr_is_multicast(&a->group))
        return -EINVAL;
    return interface_of(s, gf->gf_interface, &a->ifindex);
}

static int msfilter_set(struct six_sock *s, const void *val, socklen_t len) {
    struct group_filter gf;
    struct in6_addr *list = NULL;
    struct six_memb *m;
    struct msf_arg a;
    int rc;

    if (!val || len < (socklen_t)GROUP_FILTER_SIZE(0))
        return -EINVAL;
    memcpy(&gf, val, GROUP_FILTER_SIZE(0));
    if ((rc = msfilter_head(s, &gf, &a)) < 0)
        return rc;
    if (gf.gf_fmode != MCAST_INCLUDE && gf.gf_fmode != MCAST_EXCLUDE)
        return -EINVAL;
    if (gf.gf_numsrc > SIX_MAX_SOCK_SRCS)
        return -ENOBUFS;
    if (len < (socklen_t)GROUP_FILTER_SIZE(gf.gf_numsrc))
        return -EINVAL;
    if (!(m = six__memb_find(s, a.ifindex, &a.group)))
        return -EADDRNOTAVAIL;
    if (gf.gf_fmode == MCAST_INCLUDE && gf.gf_numsrc == 0) {
        six__memb_leave(s, m);
        return 0;
    }
    if (gf.gf_numsrc && !(list = malloc(gf.gf_numsrc * sizeof(*list))))
        return -ENOBUFS;
    for (uint32_t i = 0; i < gf.gf_numsrc; i++) {
        struct sockaddr_storage ss;
        memcpy(&ss, (const uint8_t *)val + GROUP_FILTER_SIZE(i), sizeof(ss));
        if ((rc = in6_of(&ss, &list[i])) < 0 || six_addr_is_multicast(&list[i]) ||
            six_addr_is_unspecified(&list[i])) {
            free(list);
            return rc < 0 ? rc : -EINVAL;
        }
    }
    if ((rc = six__memb_replace(s, m, (int)gf.gf_fmode, list, gf.gf_numsrc)) < 0)
        free(list);
    return rc;
}

int six__msf_get(struct six_sock *s, int name, void *val, socklen_t *len) {
    struct group_filter gf;
    struct six_memb *m;
    struct msf_arg a;
    uint32_t room, n;
    int rc;

    if (name != MCAST_MSFILTER)
        return -ENOENT;
    if (!val || *len < (socklen_t)GROUP_FILTER_SIZE(0))
        return -EINVAL;
    memcpy(&gf, val, GROUP_FILTER_SIZE(0));
    if ((rc = msfilter_head(s, &gf, &a)) < 0)
        return rc;
    if (!(m = six__memb_find(s, a.ifindex, &a.group)))
        return -EADDRNOTAVAIL;
    /* Room for as many sources as the caller said and its buffer holds;
     * gf_numsrc says how many there are. */
    room = gf.gf_numsrc;
    if (room > (*len - GROUP_FILTER_SIZE(0)) / sizeof(struct sockaddr_storage))
        room = (uint32_t)((*len - GROUP_FILTER_SIZE(0)) / sizeof(struct sockaddr_storage));
    n = m->nsrc < room ? m->nsrc : room;
    gf.gf_fmode = (uint32_t)m->mode;
    gf.gf_numsrc = m->nsrc;
    memcpy(val, &gf, GROUP_FILTER_SIZE(0));
    for (uint32_t i = 0; i < n; i++) {
        struct sockaddr_storage ss;
        struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = m->srcs[i]};
        memset(&ss, 0, sizeof(ss));
        memcpy(&ss, &sin6, sizeof(sin6));
        memcpy((uint8_t *)val + GROUP_FILTER_SIZE(i), &ss, sizeof(ss));
    }
    *len = (socklen_t)GROUP_FILTER_SIZE(n);
    return 0;
}

int six__msf_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    struct msf_arg a;
    int rc;

    switch (name) {
    case MCAST_JOIN_GROUP:
    case MCAST_LEAVE_GROUP:
        if ((rc = group_arg(s, val, len, &a)) < 0)
            return rc;
        return name == MCAST_JOIN_GROUP ? join_any(s, &a) : leave_any(s, &a);
    case MCAST_JOIN_SOURCE_GROUP:
    case MCAST_LEAVE_SOURCE_GROUP:
    case MCAST_BLOCK_SOURCE:
    case MCAST_UNBLOCK_SOURCE:
        if ((rc = source_arg(s, val, len, &a)) < 0)
            return rc;
        return source_op(s, name, &a);
    case MCAST_MSFILTER:
        return msfilter_set(s, val, len);
    default:
        return -ENOENT;
    }
}
