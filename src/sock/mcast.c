/* Multicast membership (ip6(4) IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP): a
 * list per socket, counted per interface in the IPv6 layer so the stack
 * accepts a group while any socket holds it. */
#include <errno.h>
#include <string.h>

#include "sock/sock.h"
#include "wire/ipv6.h"

static int memb_index(const struct six_sock *s, const struct ipv6_mreq *mr) {
    for (unsigned i = 0; i < s->nmemb; i++)
        if (s->memb[i].ipv6mr_interface == mr->ipv6mr_interface &&
            IN6_ARE_ADDR_EQUAL(&s->memb[i].ipv6mr_multiaddr, &mr->ipv6mr_multiaddr))
            return (int)i;
    return -1;
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

static int join_group(struct six_sock *s, const void *val, socklen_t len) {
    struct ipv6_mreq mr;
    int rc;

    if ((rc = mreq_arg(s, val, len, &mr)) < 0)
        return rc;
    /* ip6(4): the unspecified group (every group) requires privilege. */
    if (six_addr_is_unspecified(&mr.ipv6mr_multiaddr) && !s->creds.privileged)
        return -EPERM;
    if (memb_index(s, &mr) >= 0)
        return -EADDRINUSE;
    if (s->nmemb == SIX_MAX_MEMBERSHIPS)
        return -ETOOMANYREFS;
    if ((rc = six__ip6_mcast_join(s->socks->ip6, mr.ipv6mr_interface,
                                  &mr.ipv6mr_multiaddr)) < 0)
        return rc;
    s->memb[s->nmemb++] = mr;
    return 0;
}

static int leave_group(struct six_sock *s, const void *val, socklen_t len) {
    struct ipv6_mreq mr;
    int i, rc;

    if ((rc = mreq_arg(s, val, len, &mr)) < 0)
        return rc;
    if ((i = memb_index(s, &mr)) < 0)
        return -EADDRNOTAVAIL;
    six__ip6_mcast_leave(s->socks->ip6, mr.ipv6mr_interface, &mr.ipv6mr_multiaddr);
    s->memb[i] = s->memb[--s->nmemb];
    return 0;
}

void six__sock_leave_all(struct six_sock *s) {
    while (s->nmemb > 0) {
        struct ipv6_mreq *mr = &s->memb[--s->nmemb];
        six__ip6_mcast_leave(s->socks->ip6, mr->ipv6mr_interface, &mr->ipv6mr_multiaddr);
    }
}

int six__mcast_set(struct six_sock *s, int name, const void *val, socklen_t len) {
    switch (name) {
    case IPV6_JOIN_GROUP:
        return join_group(s, val, len);
    case IPV6_LEAVE_GROUP:
        return leave_group(s, val, len);
    default:
        return -ENOENT;
    }
}
