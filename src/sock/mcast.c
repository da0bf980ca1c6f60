/* Multicast membership (ip6(4) IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP): a
 * list per socket, each entry a group on an interface with its source
 * filter (RFC 3678; msf.c has the MCAST_* options that shape it). The
 * IPv6 layer counts every socket's filter and merges them per interface
 * (RFC 3810 4.2), so the stack accepts a group while any socket holds
 * it and MLD reports what they want together. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sock/sock.h"
#include "wire/ipv6.h"

static struct six_mcast_filter filter_of(const struct six_memb *m) {
    return (struct six_mcast_filter){.mode = m->mode, .nsrc = m->nsrc, .srcs = m->srcs};
}

/* Tells ip6's entry for m about s (op SIX_MC_OWNER_*), so that input
 * finds s's membership there (udp6.c member_filter_ok). */
static void owner_note(struct six_sock *s, const struct six_memb *m, int op) {
    six__ip6_mcast_owner(s->socks->ip6, m->ifindex, &m->group, s, op,
                         m->mode == MCAST_EXCLUDE && m->nsrc == 0);
}

struct six_memb *six__memb_find(struct six_sock *s, unsigned ifindex, const struct in6_addr *g) {
    uint8_t tag = six__memb_tag(ifindex, g);

    for (unsigned i = 0; i < s->nmemb; i++)
        if (s->memb_tag[i] == tag && s->memb[i].ifindex == ifindex &&
            IN6_ARE_ADDR_EQUAL(&s->memb[i].group, g))
            return &s->memb[i];
    return NULL;
}

/* Room for one more membership: the array grows by doubling up to the
 * limit. Returns 0, -ETOOMANYREFS or -ENOBUFS. */
static int memb_reserve(struct six_sock *s) {
    if (s->nmemb == SIX_MAX_MEMBERSHIPS)
        return -ETOOMANYREFS;
    return six__grow_array((void **)&s->memb, &s->memb_cap, s->nmemb + 1, 2, SIX_MAX_MEMBERSHIPS,
                           sizeof(*s->memb));
}

int six__memb_has_source(const struct six_memb *m, const struct in6_addr *a) {
    for (unsigned i = 0; i < m->nsrc; i++)
        if (IN6_ARE_ADDR_EQUAL(&m->srcs[i], a))
            return 1;
    return 0;
}

int six__memb_join(struct six_sock *s, unsigned ifindex, const struct in6_addr *g, int mode,
                   const struct in6_addr *src) {
    struct six_memb m = {.group = *g, .ifindex = ifindex, .mode = mode};
    struct six_mcast_filter f;
    int rc;

    if ((rc = memb_reserve(s)) < 0)
        return rc;
    if (src) {
        if (!(m.srcs = malloc(sizeof(*m.srcs))))
            return -ENOBUFS;
        m.srcs[0] = *src;
        m.nsrc = 1;
    }
    f = filter_of(&m);
    if ((rc = six__ip6_mcast_update(s->socks->ip6, ifindex, g, NULL, &f)) < 0) {
        free(m.srcs);
        return rc;
    }
    s->memb_tag[s->nmemb] = six__memb_tag(ifindex, g);
    s->memb[s->nmemb++] = m;
    s->nmemb_any_group += six_addr_is_unspecified(g);
    owner_note(s, &m, SIX_MC_OWNER_ADD);
    return 0;
}

/* A copy of m's sources with src added or taken away; *n gets the new
 * count. NULL (with *n 0) is a valid empty list. */
static int sources_with(const struct six_memb *m, const struct in6_addr *src, int add,
                        struct in6_addr **out, unsigned *n) {
    unsigned k = 0;

    *out = NULL;
    *n = add ? m->nsrc + 1 : m->nsrc - 1;
    if (*n == 0)
        return 0;
    if (!(*out = malloc(*n * sizeof(**out))))
        return -ENOBUFS;
    for (unsigned i = 0; i < m->nsrc; i++)
        if (add || !IN6_ARE_ADDR_EQUAL(&m->srcs[i], src))
            (*out)[k++] = m->srcs[i];
    if (add)
        (*out)[k] = *src;
    return 0;
}

int six__memb_replace(struct six_sock *s, struct six_memb *m, int mode, struct in6_addr *list,
                      unsigned n) {
    struct six_mcast_filter before = filter_of(m);
    struct six_mcast_filter after = {.mode = mode, .nsrc = n, .srcs = list};
    int rc;

    if ((rc = six__ip6_mcast_update(s->socks->ip6, m->ifindex, &m->group, &before, &after)) < 0)
        return rc;
    free(m->srcs);
    m->srcs = list;
    m->nsrc = n;
    m->mode = mode;
    owner_note(s, m, SIX_MC_OWNER_SET);
    return 0;
}

int six__memb_source(struct six_sock *s, struct six_memb *m, const struct in6_addr *src,
                     int add) {
    struct in6_addr *list;
    unsigned n;
    int rc;

    if (add && m->nsrc >= SIX_MAX_SOCK_SRCS)
        return -ENOBUFS;
    if ((rc = sources_with(m, src, add, &list, &n)) < 0)
        return rc;
    if ((rc = six__memb_replace(s, m, m->mode, list, n)) < 0)
        free(list);
    return rc;
}

void six__memb_leave(struct six_sock *s, struct six_memb *m) {
    struct six_mcast_filter f = filter_of(m);

    owner_note(s, m, SIX_MC_OWNER_DEL);
    s->nmemb_any_group -= six_addr_is_unspecified(&m->group);
    /* The interface may be gone already; its memberships went with it. */
    six__ip6_mcast_update(s->socks->ip6, m->ifindex, &m->group, &f, NULL);
    free(m->srcs);
    s->nmemb--;
    s->memb_tag[m - s->memb] = s->memb_tag[s->nmemb];
    *m = s->memb[s->nmemb];
}

/* Reads a struct ipv6_mreq and resolves interface 0 to the default
 * multicast interface (ip6(4)). Errors as BSD: EINVAL for a short value or
 * a group that is not multicast, EADDRNOTAVAIL for no such interface. */
static int mreq_arg(struct six_sock *s, const void *val, socklen_t len, struct ipv6_mreq *mr) {
    if (!val || len < (socklen_t)sizeof(*mr))
        return -EINVAL;
    memcpy(mr, val, sizeof(*mr));
    if (!six_addr_is_multicast(&mr->ipv6mr_multiaddr) &&
        !six_addr_is_unspecified(&mr->ipv6mr_multiaddr))
        return -EINVAL;
    if (mr->ipv6mr_interface == 0) {
        struct six_if *ifp = six__ip6_default_mcast_if(s->socks->ip6);
        if (!ifp)
            return -EADDRNOTAVAIL;
        mr->ipv6mr_interface = ifp->index;
    }
    if (!six__ip6_if(s->socks->ip6, mr->ipv6mr_interface))
        return -EADDRNOTAVAIL;
    return 0;
}

/* An any-source join (EXCLUDE {}). Joined already: EADDRINUSE, or EINVAL
 * when that membership is source-specific (BSD: no mixing). */
static int join_group(struct six_sock *s, const void *val, socklen_t len) {
    struct ipv6_mreq mr;
    struct six_memb *m;
    int rc;

    if ((rc = mreq_arg(s, val, len, &mr)) < 0)
        return rc;
    /* ip6(4): the unspecified group (every group) requires privilege. */
    if (six_addr_is_unspecified(&mr.ipv6mr_multiaddr) && !s->creds.privileged)
        return -EPERM;
    if ((m = six__memb_find(s, mr.ipv6mr_interface, &mr.ipv6mr_multiaddr)))
        return m->mode == MCAST_EXCLUDE ? -EADDRINUSE : -EINVAL;
    return six__memb_join(s, mr.ipv6mr_interface, &mr.ipv6mr_multiaddr, MCAST_EXCLUDE, NULL);
}

/* Leaves the group whatever its filter (BSD and Linux). */
static int leave_group(struct six_sock *s, const void *val, socklen_t len) {
    struct ipv6_mreq mr;
    struct six_memb *m;
    int rc;

    if ((rc = mreq_arg(s, val, len, &mr)) < 0)
        return rc;
    if (!(m = six__memb_find(s, mr.ipv6mr_interface, &mr.ipv6mr_multiaddr)))
        return -EADDRNOTAVAIL;
    six__memb_leave(s, m);
    return 0;
}

void six__sock_leave_all(struct six_sock *s) {
    while (s->nmemb > 0)
        six__memb_leave(s, &s->memb[s->nmemb - 1]);
}

int six__mcast_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    switch (name) {
    case IPV6_JOIN_GROUP:
        return join_group(s, val, len);
    case IPV6_LEAVE_GROUP:
        return leave_group(s, val, len);
    default:
        return six__msf_set(s, name, val, len);
    }
}
