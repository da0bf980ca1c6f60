/* RFC 3678 source filter options at IPPROTO_IPV6 (MCAST_JOIN_GROUP and
 * friends): the errors BSD gives, limits, and how they mix with the
 * page's IPV6_JOIN_GROUP. What they do on the wire and to delivery is in
 * mld_test.c. */
#include "harness.h"

static struct group_req greq(unsigned ifindex, const char *g) {
    struct group_req r;
    struct in6_addr a = h_in6(g);
    struct sockaddr_in6 s = h_sin6(&a, 0);
    memset(&r, 0, sizeof(r));
    r.gr_interface = ifindex;
    memcpy(&r.gr_group, &s, sizeof(s));
    return r;
}

static struct group_source_req gsreq(unsigned ifindex, const char *g, const char *src) {
    struct group_source_req r;
    struct in6_addr a = h_in6(g), b = h_in6(src);
    struct sockaddr_in6 s = h_sin6(&a, 0), t = h_sin6(&b, 0);
    memset(&r, 0, sizeof(r));
    r.gsr_interface = ifindex;
    memcpy(&r.gsr_group, &s, sizeof(s));
    memcpy(&r.gsr_source, &t, sizeof(t));
    return r;
}

#define SET(fd, name, v) six_setsockopt((fd), IPPROTO_IPV6, (name), &(v), sizeof(v))

static int udp(struct hpair *p) {
    return (int)CHECK_OK(six_socket_on(p->b, AF_INET6, SOCK_DGRAM, 0));
}

TEST(msf_join_leave_group_and_errors) {
    struct hpair p;
    h_up(&p);
    int fd = udp(&p);
    struct group_req r = greq(p.ifb, "ff1e::1");
    CHECK_OK(SET(fd, MCAST_JOIN_GROUP, r));
    CHECK_ERRNO(SET(fd, MCAST_JOIN_GROUP, r), EADDRINUSE);
    /* The page's IPV6_JOIN_GROUP is the same membership. */
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = h_in6("ff1e::1"), .ipv6mr_interface = p.ifb};
    CHECK_ERRNO(SET(fd, IPV6_JOIN_GROUP, mr), EADDRINUSE);
    CHECK_OK(SET(fd, MCAST_LEAVE_GROUP, r));
    CHECK_ERRNO(SET(fd, MCAST_LEAVE_GROUP, r), EADDRNOTAVAIL);
    /* Interface 0: the default multicast interface. */
    struct group_req r0 = greq(0, "ff1e::1");
    CHECK_OK(SET(fd, MCAST_JOIN_GROUP, r0));
    CHECK_OK(SET(fd, IPV6_LEAVE_GROUP, mr));
    /* Bad arguments. */
    struct group_req bad = greq(p.ifb, "2001:db8::9");
    CHECK_ERRNO(SET(fd, MCAST_JOIN_GROUP, bad), EINVAL);
    bad = greq(p.ifb, "::");
    CHECK_ERRNO(SET(fd, MCAST_JOIN_GROUP, bad), EINVAL);
    bad = greq(p.ifb, "ff1e::1");
    bad.gr_group.ss_family = AF_INET;
    CHECK_ERRNO(SET(fd, MCAST_JOIN_GROUP, bad), EINVAL);
    bad = greq(99, "ff1e::1");
    CHECK_ERRNO(SET(fd, MCAST_JOIN_GROUP, bad), EADDRNOTAVAIL);
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, MCAST_JOIN_GROUP, &r, sizeof(r) - 1), EINVAL);
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, MCAST_JOIN_GROUP, NULL, sizeof(r)), EINVAL);
    CHECK_OK(six_close(fd));
    h_done(&p);
}

TEST(msf_source_joins_and_no_mixing) {
    struct hpair p;
    h_up(&p);
    int fd = udp(&p);
    struct group_source_req s1 = gsreq(p.ifb, "ff3e::1", "2001:db8::a1");
    struct group_source_req s2 = gsreq(p.ifb, "ff3e::1", "2001:db8::a2");
    struct group_req asm_ = greq(p.ifb, "ff3e::1");
    CHECK_OK(SET(fd, MCAST_JOIN_SOURCE_GROUP, s1));
    CHECK_ERRNO(SET(fd, MCAST_JOIN_SOURCE_GROUP, s1), EADDRNOTAVAIL);
    CHECK_OK(SET(fd, MCAST_JOIN_SOURCE_GROUP, s2));
    /* Mixing any-source and source-specific on one group: EINVAL. */
    CHECK_ERRNO(SET(fd, MCAST_JOIN_GROUP, asm_), EINVAL);
    CHECK_ERRNO(SET(fd, MCAST_BLOCK_SOURCE, s1), EINVAL);
    CHECK_ERRNO(SET(fd, MCAST_UNBLOCK_SOURCE, s1), EINVAL);
    CHECK_OK(SET(fd, MCAST_LEAVE_SOURCE_GROUP, s1));
    CHECK_ERRNO(SET(fd, MCAST_LEAVE_SOURCE_GROUP, s1), EADDRNOTAVAIL);
    /* The last source out leaves the group. */
    CHECK_OK(SET(fd, MCAST_LEAVE_SOURCE_GROUP, s2));
    CHECK_ERRNO(SET(fd, MCAST_LEAVE_GROUP, asm_), EADDRNOTAVAIL);
    /* Now any-source: source joins on it are EINVAL. */
    CHECK_OK(SET(fd, MCAST_JOIN_GROUP, asm_));
    CHECK_ERRNO(SET(fd, MCAST_JOIN_SOURCE_GROUP, s1), EINVAL);
    CHECK_ERRNO(SET(fd, MCAST_LEAVE_SOURCE_GROUP, s1), EINVAL);
    CHECK_OK(SET(fd, MCAST_BLOCK_SOURCE, s1));
    CHECK_ERRNO(SET(fd, MCAST_BLOCK_SOURCE, s1), EADDRNOTAVAIL);
    CHECK_OK(SET(fd, MCAST_UNBLOCK_SOURCE, s1));
    CHECK_ERRNO(SET(fd, MCAST_UNBLOCK_SOURCE, s1), EADDRNOTAVAIL);
    /* IPV6_LEAVE_GROUP leaves whatever the filter. */
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = h_in6("ff3e::1"), .ipv6mr_interface = p.ifb};
    CHECK_OK(SET(fd, MCAST_BLOCK_SOURCE, s2));
    CHECK_OK(SET(fd, IPV6_LEAVE_GROUP, mr));
    CHECK_ERRNO(SET(fd, MCAST_UNBLOCK_SOURCE, s2), EADDRNOTAVAIL);
    CHECK_OK(six_close(fd));
    h_done(&p);
}

TEST(msf_source_argument_errors) {
    struct hpair p;
    h_up(&p);
    int fd = udp(&p);
    struct group_source_req r = gsreq(p.ifb, "ff3e::1", "ff1e::2");
    CHECK_ERRNO(SET(fd, MCAST_JOIN_SOURCE_GROUP, r), EINVAL);   /* multicast source */
    r = gsreq(p.ifb, "ff3e::1", "::");
    CHECK_ERRNO(SET(fd, MCAST_JOIN_SOURCE_GROUP, r), EINVAL);
    r = gsreq(p.ifb, "2001:db8::1", "2001:db8::2");
    CHECK_ERRNO(SET(fd, MCAST_JOIN_SOURCE_GROUP, r), EINVAL);   /* unicast group */
    r = gsreq(p.ifb, "ff3e::1", "2001:db8::2");
    r.gsr_source.ss_family = AF_INET;
    CHECK_ERRNO(SET(fd, MCAST_JOIN_SOURCE_GROUP, r), EINVAL);
    r = gsreq(42, "ff3e::1", "2001:db8::2");
    CHECK_ERRNO(SET(fd, MCAST_JOIN_SOURCE_GROUP, r), EADDRNOTAVAIL);
    CHECK_ERRNO(SET(fd, MCAST_BLOCK_SOURCE, r), EADDRNOTAVAIL);
    r = gsreq(p.ifb, "ff3e::1", "2001:db8::2");
    CHECK_ERRNO(SET(fd, MCAST_BLOCK_SOURCE, r), EADDRNOTAVAIL);    /* not joined */
    CHECK_ERRNO(SET(fd, MCAST_UNBLOCK_SOURCE, r), EADDRNOTAVAIL);
    CHECK_ERRNO(SET(fd, MCAST_LEAVE_SOURCE_GROUP, r), EADDRNOTAVAIL);
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, MCAST_JOIN_SOURCE_GROUP, &r, sizeof(r) - 1),
                EINVAL);
    /* Set-only: getsockopt knows no such name (ip6(4): EINVAL). */
    socklen_t len = sizeof(r);
    CHECK_ERRNO(six_getsockopt(fd, IPPROTO_IPV6, MCAST_JOIN_SOURCE_GROUP, &r, &len), EINVAL);
    CHECK_OK(six_close(fd));
    h_done(&p);
}

/* SIX_MAX_SOCK_SRCS (64) sources per group per socket, then ENOBUFS,
 * in either mode; SIX_MAX_MEMBERSHIPS groups, then ETOOMANYREFS. */
TEST(msf_limits) {
    struct hpair p;
    char src[64], grp[64];
    h_up(&p);
    int fd = udp(&p), fe = udp(&p);
    struct group_req asm_ = greq(p.ifb, "ff1e::7");
    CHECK_OK(SET(fe, MCAST_JOIN_GROUP, asm_));
    for (int i = 0; i < 64; i++) {
        snprintf(src, sizeof(src), "2001:db8::1:%x", i);
        struct group_source_req r = gsreq(p.ifb, "ff3e::7", src);
        CHECK_OK(SET(fd, MCAST_JOIN_SOURCE_GROUP, r));
        struct group_source_req b = gsreq(p.ifb, "ff1e::7", src);
        CHECK_OK(SET(fe, MCAST_BLOCK_SOURCE, b));
    }
    struct group_source_req over = gsreq(p.ifb, "ff3e::7", "2001:db8::2:1");
    CHECK_ERRNO(SET(fd, MCAST_JOIN_SOURCE_GROUP, over), ENOBUFS);
    over = gsreq(p.ifb, "ff1e::7", "2001:db8::2:1");
    CHECK_ERRNO(SET(fe, MCAST_BLOCK_SOURCE, over), ENOBUFS);
    CHECK_OK(six_close(fe));
    /* Groups. */
    for (int i = 1; i < 20; i++) {
        snprintf(grp, sizeof(grp), "ff3e::1:%x", i);
        struct group_source_req r = gsreq(p.ifb, grp, "2001:db8::a");
        CHECK_OK(SET(fd, MCAST_JOIN_SOURCE_GROUP, r));
    }
    struct group_req one_more = greq(p.ifb, "ff1e::99");
    CHECK_ERRNO(SET(fd, MCAST_JOIN_GROUP, one_more), ETOOMANYREFS);
    CHECK_OK(six_close(fd));
    h_done(&p);
}
