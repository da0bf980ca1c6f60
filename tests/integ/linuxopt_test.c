/* Linux's socket options that unmodified programs use (src/sock/linuxopt.c,
 * errqueue.c), between two stacks (harness.h): IPV6_RECVERR and the error
 * queue, IPV6_MTU_DISCOVER, IPV6_MTU, SO_TIMESTAMP(NS) and SOL_RAW's
 * IPV6_CHECKSUM. Layouts are checked against Linux's own headers. */
#include <net/if.h>
#include <poll.h>
#include <time.h>

#include <linux/errqueue.h>

#include "harness.h"

#define PORT_B 5000

static int u_sock(struct hpair *p, struct six_stack *st) {
    int fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0));
    CHECK(p->nsocks < H_MAX_SOCKS);
    p->socks[p->nsocks++] = fd;
    return fd;
}

static ssize_t u_sendto(int fd, const struct in6_addr *to, uint16_t port, const void *buf,
                        size_t len) {
    struct sockaddr_in6 sin6 = h_sin6(to, 0);
    sin6.sin6_port = htons(port);
    return six_sendto(fd, buf, len, 0, (struct sockaddr *)&sin6, sizeof(sin6));
}

static void set_int(int fd, int level, int name, int v) {
    CHECK_OK(six_setsockopt(fd, level, name, &v, sizeof(v)));
}

static int get_int(int fd, int level, int name) {
    int v = -12345;
    socklen_t len = sizeof(v);
    CHECK_OK(six_getsockopt(fd, level, name, &v, &len));
    return v;
}

/* One read of the error queue. */
struct errmsg {
    ssize_t n;
    uint8_t data[2048];
    struct sockaddr_in6 name;
    int flags;
    int have_err;
    struct sock_extended_err ee;
    struct sockaddr_in6 offender;
    int hlim;
};

static void read_errq(int fd, struct errmsg *e) {
    union {
        struct cmsghdr align;
        uint8_t b[512];
    } ctl;
    struct iovec iov = {.iov_base = e->data, .iov_len = sizeof(e->data)};
    struct msghdr m = {.msg_name = &e->name, .msg_namelen = sizeof(e->name), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};

    memset(e, 0, sizeof(*e));
    e->hlim = -1;
    e->n = six_recvmsg(fd, &m, MSG_ERRQUEUE);
    e->flags = m.msg_flags;
    if (e->n < 0)
        return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR) {
            CHECK_EQ(c->cmsg_len, CMSG_LEN(sizeof(e->ee) + sizeof(e->offender)));
            memcpy(&e->ee, CMSG_DATA(c), sizeof(e->ee));
            /* Where Linux's SO_EE_OFFENDER finds it. */
            memcpy(&e->offender, SO_EE_OFFENDER((struct sock_extended_err *)CMSG_DATA(c)),
                   sizeof(e->offender));
            e->have_err = 1;
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)
            memcpy(&e->hlim, CMSG_DATA(c), sizeof(int));
    }
}

TEST(recverr_queues_a_port_unreachable_with_the_datagram_and_the_offender) {
    struct hpair p;
    struct errmsg e;
    uint8_t buf[64];
    int fd;

    h_up(&p);
    fd = u_sock(&p, p.a);
    CHECK_EQ(get_int(fd, IPPROTO_IPV6, IPV6_RECVERR), 0);
    set_int(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
    set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
    CHECK_EQ(get_int(fd, IPPROTO_IPV6, IPV6_RECVERR), 1);
    CHECK_EQ(CHECK_OK(u_sendto(fd, &p.addr_b, PORT_B, "probe", 5)), 5);
    h_pump(&p);
    /* As on Linux: the error is pending too, for the next receive. */
    CHECK_ERRNO(six_recv(fd, buf, sizeof(buf), MSG_DONTWAIT), ECONNREFUSED);
    read_errq(fd, &e);
    CHECK_EQ(e.n, 5);
    CHECK_MEM(e.data, "probe", 5);
    CHECK(e.flags & MSG_ERRQUEUE);
    CHECK(h_addr_eq(&e.name.sin6_addr, &p.addr_b));
    CHECK_EQ(ntohs(e.name.sin6_port), PORT_B);
    CHECK(e.have_err);
    CHECK_EQ(e.ee.ee_errno, ECONNREFUSED);
    CHECK_EQ(e.ee.ee_origin, SO_EE_ORIGIN_ICMP6);
    CHECK_EQ(e.ee.ee_type, ICMP6_DST_UNREACH);
    CHECK_EQ(e.ee.ee_code, ICMP6_DST_UNREACH_NOPORT);
    CHECK_EQ(e.offender.sin6_family, AF_INET6);
    CHECK(h_addr_eq(&e.offender.sin6_addr, &p.addr_b));
    CHECK_EQ(e.hlim, 64);   /* the error's own hop limit, one hop */
    /* Read once; the queue is empty now and nothing else is pending. */
    read_errq(fd, &e);
    CHECK_EQ(e.n, -1);
    CHECK_EQ(errno, EAGAIN);
    CHECK_ERRNO(six_recv(fd, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
    h_done(&p);
}

TEST(without_recverr_an_unconnected_socket_learns_nothing) {
    struct hpair p;
    struct errmsg e;
    int fd;

    h_up(&p);
    fd = u_sock(&p, p.a);
    CHECK_EQ(CHECK_OK(u_sendto(fd, &p.addr_b, PORT_B, "probe", 5)), 5);
    h_pump(&p);
    H_NOTHING(fd);
    read_errq(fd, &e);
    CHECK_EQ(e.n, -1);
    CHECK_EQ(errno, EAGAIN);
    h_done(&p);
}

TEST(recverr_off_empties_the_queue) {
    struct hpair p;
    struct errmsg e;
    int fd;

    h_up(&p);
    fd = u_sock(&p, p.a);
    set_int(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
    CHECK_EQ(CHECK_OK(u_sendto(fd, &p.addr_b, PORT_B, "x", 1)), 1);
    h_pump(&p);
    set_int(fd, IPPROTO_IPV6, IPV6_RECVERR, 0);
    read_errq(fd, &e);
    CHECK_EQ(e.n, -1);
    CHECK_EQ(errno, EAGAIN);
    h_done(&p);
}

TEST(recverr_on_a_raw_icmpv6_socket_gets_the_quoted_echo_request) {
    struct hpair p;
    struct errmsg e;
    uint8_t req[16] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g'};
    struct in6_addr far = h_in6("2001:db8:ff::1");
    static struct hframe f;
    uint8_t q[40 + sizeof(req)] = {0x60};
    int fd;

    h_up(&p);
    fd = h_sock(&p, p.a, IPPROTO_ICMPV6);
    set_int(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
    /* B, a router on the way to far, says the echo request's hop limit
     * ran out (as tracepath and ping -t see): Time Exceeded quoting it. */
    h_put16(q + 4, sizeof(req));
    q[6] = IPPROTO_ICMPV6;
    q[7] = 1;
    memcpy(q + 8, &p.addr_a, 16);
    memcpy(q + 24, &far, 16);
    memcpy(q + 40, req, sizeof(req));
    h_ip6(&f, &p.addr_b, &p.addr_a, IPPROTO_ICMPV6, 64);
    h_icmp6(&f, ICMP6_TIME_EXCEEDED, ICMP6_TIME_EXCEED_TRANSIT, 0, q, sizeof(q));
    CHECK_OK(six_if_inject(p.a, p.ifa, f.b, f.len));
    h_pump(&p);
    read_errq(fd, &e);
    CHECK_EQ(e.n, (ssize_t)sizeof(req));
    CHECK_MEM(e.data, req, sizeof(req));
    CHECK(e.have_err);
    CHECK_EQ(e.ee.ee_origin, SO_EE_ORIGIN_ICMP6);
    CHECK_EQ(e.ee.ee_type, ICMP6_TIME_EXCEEDED);
    CHECK_EQ(e.ee.ee_code, ICMP6_TIME_EXCEED_TRANSIT);
    CHECK_EQ(e.ee.ee_errno, EHOSTUNREACH);
    CHECK(h_addr_eq(&e.offender.sin6_addr, &p.addr_b));
    CHECK(h_addr_eq(&e.name.sin6_addr, &far));
    h_done(&p);
}

TEST(mtu_discover_do_refuses_a_datagram_over_the_mtu_with_a_local_error) {
    struct hpair p;
    struct errmsg e;
    static uint8_t big[2000];
    struct pollfd pfd;
    uint8_t buf[8];
    int fd;

    h_up(&p);
    fd = u_sock(&p, p.a);
    CHECK_EQ(get_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER), IPV6_PMTUDISC_DONT);
    set_int(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
    set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO);
    CHECK_EQ(get_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER), IPV6_PMTUDISC_DO);
    CHECK_ERRNO(u_sendto(fd, &p.addr_b, PORT_B, big, sizeof(big)), EMSGSIZE);
    CHECK_EQ(h_stats(p.a).frag_out_datagrams, 0);
    /* Poll says there is an error to read; a plain receive has none. */
    pfd = (struct pollfd){.fd = fd, .events = POLLIN};
    CHECK_EQ(six_poll(&pfd, 1, 0), 1);
    CHECK(pfd.revents & POLLERR);
    CHECK_ERRNO(six_recv(fd, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
    read_errq(fd, &e);
    CHECK_EQ(e.n, 0);
    CHECK(e.have_err);
    CHECK_EQ(e.ee.ee_errno, EMSGSIZE);
    CHECK_EQ(e.ee.ee_origin, SO_EE_ORIGIN_LOCAL);
    CHECK_EQ(e.ee.ee_info, 1500);
    CHECK_EQ(e.offender.sin6_family, 0);
    CHECK(h_addr_eq(&e.name.sin6_addr, &p.addr_b));
    CHECK_EQ(ntohs(e.name.sin6_port), PORT_B);   /* tracepath finds its probe by it */
    /* Past what a UDP length holds: the same local error (tracepath's
     * first probe is that big). */
    {
        static uint8_t huge[70000];
        CHECK_ERRNO(u_sendto(fd, &p.addr_b, PORT_B, huge, sizeof(huge)), EMSGSIZE);
        read_errq(fd, &e);
        CHECK_EQ(e.n, 0);
        CHECK_EQ(e.ee.ee_errno, EMSGSIZE);
        CHECK_EQ(e.ee.ee_info, 1500);
    }
    /* Back to WANT: the same datagram goes, in fragments. */
    set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_WANT);
    CHECK_EQ(CHECK_OK(u_sendto(fd, &p.addr_b, PORT_B, big, sizeof(big))), sizeof(big));
    CHECK_EQ(h_stats(p.a).frag_out_datagrams, 1);
    h_pump(&p);
    h_done(&p);
}

TEST(mtu_discover_values_sixstack_does_not_do_are_refused) {
    struct hpair p;
    int fd, v;

    h_up(&p);
    fd = u_sock(&p, p.a);
    set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO);
    v = IPV6_PMTUDISC_PROBE;
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v, sizeof(v)), EINVAL);
    v = -1;
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v, sizeof(v)), EINVAL);
    /* Nothing changed. */
    CHECK_EQ(get_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER), IPV6_PMTUDISC_DO);
    h_done(&p);
}

TEST(ipv6_mtu_reads_the_path_mtu_of_a_connected_socket_and_cannot_be_set) {
    struct hpair p;
    struct sockaddr_in6 sin6;
    socklen_t len = sizeof(int);
    int fd, v = 1400;

    h_up(&p);
    fd = u_sock(&p, p.a);
    CHECK_ERRNO(six_getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &v, &len), ENOTCONN);
    sin6 = h_sin6(&p.addr_b, 0);
    sin6.sin6_port = htons(PORT_B);
    CHECK_OK(six_connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_EQ(get_int(fd, IPPROTO_IPV6, IPV6_MTU), 1500);
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &v, sizeof(v)), ENOPROTOOPT);
    h_done(&p);
}

/* One datagram from A to B's socket fd; returns its control data. */
static size_t recv_ctl(struct hpair *p, int fd, uint8_t *ctl, size_t cap) {
    int tx = u_sock(p, p->a);
    uint8_t buf[16];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                       .msg_controllen = cap};

    CHECK_EQ(CHECK_OK(u_sendto(tx, &p->addr_b, PORT_B, "t", 1)), 1);
    h_pump(p);
    CHECK_EQ(CHECK_OK(six_recvmsg(fd, &m, MSG_DONTWAIT)), 1);
    return m.msg_controllen;
}

TEST(so_timestamp_and_timestampns_carry_the_time_the_datagram_was_queued) {
    struct hpair p;
    struct sockaddr_in6 sin6;
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } ctl;
    struct cmsghdr *c;
    struct msghdr m = {.msg_control = ctl.b};
    struct timeval tv;
    struct timespec ts;
    int fd;

    h_up(&p);
    fd = u_sock(&p, p.b);
    sin6 = h_sin6(&p.addr_b, 0);
    sin6.sin6_port = htons(PORT_B);
    CHECK_OK(six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
    /* Off: no timestamp. */
    CHECK_EQ(recv_ctl(&p, fd, ctl.b, sizeof(ctl.b)), 0);
    set_int(fd, SOL_SOCKET, SO_TIMESTAMP, 1);
    CHECK_EQ(get_int(fd, SOL_SOCKET, SO_TIMESTAMP), 1);
    /* The manual clock is the wall clock tests see. */
    CHECK_OK(six_stack_set_time(p.b, 1234567890));
    m.msg_controllen = recv_ctl(&p, fd, ctl.b, sizeof(ctl.b));
    c = CMSG_FIRSTHDR(&m);
    CHECK(c != NULL);
    CHECK_EQ(c->cmsg_level, SOL_SOCKET);
    CHECK_EQ(c->cmsg_type, SCM_TIMESTAMP);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(sizeof(tv)));
    memcpy(&tv, CMSG_DATA(c), sizeof(tv));
    CHECK_EQ(tv.tv_sec, 1234);
    CHECK_EQ(tv.tv_usec, 567890);
    /* With SO_TIMESTAMPNS too, a timespec. */
    set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
    CHECK_OK(six_stack_set_time(p.b, 2000000001));
    m.msg_controllen = recv_ctl(&p, fd, ctl.b, sizeof(ctl.b));
    c = CMSG_FIRSTHDR(&m);
    CHECK(c != NULL);
    CHECK_EQ(c->cmsg_type, SCM_TIMESTAMPNS);
    memcpy(&ts, CMSG_DATA(c), sizeof(ts));
    CHECK_EQ(ts.tv_sec, 2000);
    CHECK_EQ(ts.tv_nsec, 1000);
    set_int(fd, SOL_SOCKET, SO_TIMESTAMP, 0);
    set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 0);
    CHECK_EQ(recv_ctl(&p, fd, ctl.b, sizeof(ctl.b)), 0);
    h_done(&p);
}

TEST(sol_raw_checksum_is_offset_2_on_icmpv6_and_nothing_else_at_that_level) {
    struct hpair p;
    int icmp, udp, v;

    h_up(&p);
    icmp = h_sock(&p, p.a, IPPROTO_ICMPV6);
    udp = u_sock(&p, p.a);
    set_int(icmp, SOL_RAW, IPV6_CHECKSUM, 2);
    CHECK_EQ(get_int(icmp, SOL_RAW, IPV6_CHECKSUM), 2);
    v = 4;
    CHECK_ERRNO(six_setsockopt(icmp, SOL_RAW, IPV6_CHECKSUM, &v, sizeof(v)), EINVAL);
    v = 1;
    CHECK_ERRNO(six_setsockopt(icmp, SOL_RAW, ICMP6_FILTER + 100, &v, sizeof(v)), ENOPROTOOPT);
    CHECK_ERRNO(six_setsockopt(udp, SOL_RAW, IPV6_CHECKSUM, &v, sizeof(v)), ENOPROTOOPT);
    h_done(&p);
}

/* A group_filter with room for n sources. */
static struct group_filter *gf_new(uint32_t ifindex, const char *group, uint32_t mode,
                                   uint32_t n) {
    static uint8_t buf[4096];
    struct group_filter *gf = (struct group_filter *)buf;
    struct sockaddr_in6 g = h_sin6(&(struct in6_addr){0}, 0);

    memset(buf, 0, sizeof(buf));
    g.sin6_addr = h_in6(group);
    gf->gf_interface = ifindex;
    memcpy(&gf->gf_group, &g, sizeof(g));
    gf->gf_fmode = mode;
    gf->gf_numsrc = n;
    return gf;
}

static void gf_source(struct group_filter *gf, uint32_t i, const char *src) {
    struct sockaddr_in6 a = h_sin6(&(struct in6_addr){0}, 0);
    a.sin6_addr = h_in6(src);
    memset(&gf->gf_slist[i], 0, sizeof(gf->gf_slist[i]));
    memcpy(&gf->gf_slist[i], &a, sizeof(a));
}

TEST(mcast_msfilter_sets_and_reads_a_whole_filter) {
    struct hpair p;
    struct group_filter *gf;
    struct ipv6_mreq mr;
    socklen_t len;
    int fd;

    h_up(&p);
    fd = u_sock(&p, p.a);
    /* Not joined: EADDRNOTAVAIL (BSD). */
    gf = gf_new(p.ifa, "ff1e::5", MCAST_EXCLUDE, 0);
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, GROUP_FILTER_SIZE(0)),
                EADDRNOTAVAIL);
    mr.ipv6mr_multiaddr = h_in6("ff1e::5");
    mr.ipv6mr_interface = p.ifa;
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)));
    /* INCLUDE two sources at once. */
    gf = gf_new(p.ifa, "ff1e::5", MCAST_INCLUDE, 2);
    gf_source(gf, 0, "2001:db8::a");
    gf_source(gf, 1, "2001:db8::b");
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, GROUP_FILTER_SIZE(2)));
    /* Read back with room for one: the mode, the count, the first. */
    gf = gf_new(p.ifa, "ff1e::5", 99, 1);
    len = GROUP_FILTER_SIZE(1);
    CHECK_OK(six_getsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, &len));
    CHECK_EQ(gf->gf_fmode, MCAST_INCLUDE);
    CHECK_EQ(gf->gf_numsrc, 2);
    CHECK_EQ(len, GROUP_FILTER_SIZE(1));
    CHECK(h_addr_eq(&((struct sockaddr_in6 *)&gf->gf_slist[0])->sin6_addr,
                    &(struct in6_addr){{{0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a}}}));
    /* Bad: a multicast source, a mode that is neither, too short. */
    gf = gf_new(p.ifa, "ff1e::5", MCAST_EXCLUDE, 1);
    gf_source(gf, 0, "ff1e::9");
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, GROUP_FILTER_SIZE(1)),
                EINVAL);
    gf = gf_new(p.ifa, "ff1e::5", 7, 0);
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, GROUP_FILTER_SIZE(0)),
                EINVAL);
    gf = gf_new(p.ifa, "ff1e::5", MCAST_EXCLUDE, 3);
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, GROUP_FILTER_SIZE(2)),
                EINVAL);
    /* Nothing changed by them. */
    gf = gf_new(p.ifa, "ff1e::5", 99, 0);
    len = GROUP_FILTER_SIZE(0);
    CHECK_OK(six_getsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, &len));
    CHECK_EQ(gf->gf_fmode, MCAST_INCLUDE);
    CHECK_EQ(gf->gf_numsrc, 2);
    /* INCLUDE {} leaves the group. */
    gf = gf_new(p.ifa, "ff1e::5", MCAST_INCLUDE, 0);
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, GROUP_FILTER_SIZE(0)));
    len = GROUP_FILTER_SIZE(0);
    CHECK_ERRNO(six_getsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, &len), EADDRNOTAVAIL);
    h_done(&p);
}

TEST(mcast_msfilter_exclude_list_filters_what_the_socket_receives) {
    struct hpair p;
    struct group_filter *gf;
    struct ipv6_mreq mr;
    struct sockaddr_in6 sin6;
    uint8_t buf[16];
    int rx, tx;

    h_up(&p);
    rx = u_sock(&p, p.b);
    tx = u_sock(&p, p.a);
    sin6 = h_sin6(&(struct in6_addr){0}, 0);
    sin6.sin6_port = htons(PORT_B);
    CHECK_OK(six_bind(rx, (struct sockaddr *)&sin6, sizeof(sin6)));
    mr.ipv6mr_multiaddr = h_in6("ff1e::6");
    mr.ipv6mr_interface = p.ifb;
    CHECK_OK(six_setsockopt(rx, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)));
    set_int(tx, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)p.ifa);
    CHECK_EQ(CHECK_OK(u_sendto(tx, &mr.ipv6mr_multiaddr, PORT_B, "in", 2)), 2);
    h_pump(&p);
    CHECK_EQ(six_recv(rx, buf, sizeof(buf), MSG_DONTWAIT), 2);
    /* EXCLUDE A's address: its datagrams no longer come. */
    gf = gf_new(p.ifb, "ff1e::6", MCAST_EXCLUDE, 1);
    gf_source(gf, 0, H_ADDR_A);
    CHECK_OK(six_setsockopt(rx, IPPROTO_IPV6, MCAST_MSFILTER, gf, GROUP_FILTER_SIZE(1)));
    CHECK_EQ(CHECK_OK(u_sendto(tx, &mr.ipv6mr_multiaddr, PORT_B, "out", 3)), 3);
    h_pump(&p);
    H_NOTHING(rx);
    h_done(&p);
}

TEST(so_rcvlowat_and_ipv6_multicast_all_on_datagram_sockets) {
    struct hpair p;
    int fd, v;

    h_up(&p);
    fd = u_sock(&p, p.a);
    CHECK_EQ(get_int(fd, SOL_SOCKET, SO_RCVLOWAT), 1);
    set_int(fd, SOL_SOCKET, SO_RCVLOWAT, 100);
    CHECK_EQ(get_int(fd, SOL_SOCKET, SO_RCVLOWAT), 100);
    set_int(fd, SOL_SOCKET, SO_RCVLOWAT, -1);   /* Linux: INT_MAX */
    CHECK_EQ(get_int(fd, SOL_SOCKET, SO_RCVLOWAT), 0x7fffffff);
    /* What sixstack does is Linux's IPV6_MULTICAST_ALL 0; 1 is refused. */
    CHECK_EQ(get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL), 0);
    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
    v = 1;
    CHECK_ERRNO(six_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &v, sizeof(v)), EINVAL);
    h_done(&p);
}

TEST(so_bindtodevice_limits_a_socket_to_one_interface) {
    struct hpair p;
    struct sockaddr_in6 sin6;
    char name[IF_NAMESIZE] = "";
    socklen_t len = sizeof(name);
    uint8_t buf[16];
    int rx, tx, tcp;

    h_up(&p);
    rx = u_sock(&p, p.b);
    tx = u_sock(&p, p.a);
    sin6 = h_sin6(&(struct in6_addr){0}, 0);
    sin6.sin6_port = htons(PORT_B);
    CHECK_OK(six_bind(rx, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_getsockopt(rx, SOL_SOCKET, SO_BINDTODEVICE, name, &len));
    CHECK_EQ(len, 0);
    /* Bound to lo: what comes in on b0 is not its. */
    CHECK_OK(six_setsockopt(rx, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2));
    len = sizeof(name);
    CHECK_OK(six_getsockopt(rx, SOL_SOCKET, SO_BINDTODEVICE, name, &len));
    CHECK_EQ(len, 3);
    CHECK(strcmp(name, "lo") == 0);
    CHECK_EQ(CHECK_OK(u_sendto(tx, &p.addr_b, PORT_B, "x", 1)), 1);
    h_pump(&p);
    H_NOTHING(rx);
    /* Nor does it send out of b0. */
    CHECK(u_sendto(rx, &p.addr_a, PORT_B, "y", 1) < 0);
    /* Bound to b0 it is; empty unbinds. */
    CHECK_OK(six_setsockopt(rx, SOL_SOCKET, SO_BINDTODEVICE, "b0", 3));
    CHECK_EQ(CHECK_OK(u_sendto(tx, &p.addr_b, PORT_B, "z", 1)), 1);
    h_pump(&p);
    CHECK_EQ(six_recv(rx, buf, sizeof(buf), MSG_DONTWAIT), 1);
    CHECK_OK(six_setsockopt(rx, SOL_SOCKET, SO_BINDTODEVICE, "", 0));
    len = sizeof(name);
    CHECK_OK(six_getsockopt(rx, SOL_SOCKET, SO_BINDTODEVICE, name, &len));
    CHECK_EQ(len, 0);
    /* Errors: no such interface, no privilege, TCP. */
    CHECK_ERRNO(six_setsockopt(rx, SOL_SOCKET, SO_BINDTODEVICE, "nope0", 5), ENODEV);
    tcp = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_STREAM, 0));
    CHECK_ERRNO(six_setsockopt(tcp, SOL_SOCKET, SO_BINDTODEVICE, "b0", 2), ENOPROTOOPT);
    CHECK_OK(six_close(tcp));
    h_privileged(0);
    tcp = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_DGRAM, 0));
    CHECK_ERRNO(six_setsockopt(tcp, SOL_SOCKET, SO_BINDTODEVICE, "b0", 2), EPERM);
    CHECK_OK(six_close(tcp));
    h_privileged(1);
    h_done(&p);
}

TEST(ipv6_flowinfo_send_sets_the_label_and_ipv6_flowinfo_reports_it) {
    struct hpair p;
    struct sockaddr_in6 to, bsin;
    union {
        struct cmsghdr align;
        uint8_t b[128];
    } ctl;
    uint8_t buf[16];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    struct cmsghdr *c;
    uint32_t fi;
    int rx, tx, i;

    h_up(&p);
    rx = u_sock(&p, p.b);
    tx = u_sock(&p, p.a);
    bsin = h_sin6(&(struct in6_addr){0}, 0);
    bsin.sin6_port = htons(PORT_B);
    CHECK_OK(six_bind(rx, (struct sockaddr *)&bsin, sizeof(bsin)));
    set_int(rx, IPPROTO_IPV6, IPV6_FLOWINFO, 1);
    CHECK_EQ(get_int(rx, IPPROTO_IPV6, IPV6_FLOWINFO), 1);
    to = h_sin6(&p.addr_b, 0);
    to.sin6_port = htons(PORT_B);
    to.sin6_flowinfo = htonl(0x12345);
    for (i = 0; i < 2; i++) {
        /* Without IPV6_FLOWINFO_SEND the label is 0; with it, sendto's. */
        if (i == 1)
            set_int(tx, IPPROTO_IPV6, IPV6_FLOWINFO_SEND, 1);
        set_int(tx, IPPROTO_IPV6, IPV6_TCLASS, 0x28);
        CHECK_EQ(CHECK_OK(six_sendto(tx, "f", 1, 0, (struct sockaddr *)&to, sizeof(to))), 1);
        h_pump(&p);
        m.msg_control = ctl.b;
        m.msg_controllen = sizeof(ctl.b);
        CHECK_EQ(CHECK_OK(six_recvmsg(rx, &m, MSG_DONTWAIT)), 1);
        c = CMSG_FIRSTHDR(&m);
        CHECK(c != NULL);
        CHECK_EQ(c->cmsg_type, IPV6_FLOWINFO);
        memcpy(&fi, CMSG_DATA(c), sizeof(fi));
        CHECK_EQ(ntohl(fi), (0x28u << 20) | (i ? 0x12345u : 0));
    }
    h_done(&p);
}

TEST(ping_sockets_send_echo_requests_under_their_identifier_and_get_their_replies) {
    struct hpair p;
    struct sockaddr_in6 name, from;
    socklen_t len = sizeof(name);
    uint8_t req[12] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0x11, 0x11, 0, 7, 'd', 'a', 't', 'a'};
    uint8_t bad[8] = {ICMP6_ECHO_REPLY, 0};
    uint8_t buf[64];
    int ping, other;

    h_up(&p);
    /* No privilege needed. */
    h_privileged(0);
    ping = (int)CHECK_OK(six_socket_on(p.a, AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6));
    other = (int)CHECK_OK(six_socket_on(p.a, AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6));
    p.socks[p.nsocks++] = ping;
    p.socks[p.nsocks++] = other;
    h_privileged(1);
    CHECK_EQ(get_int(ping, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
    CHECK_EQ(get_int(ping, SOL_SOCKET, SO_PROTOCOL), IPPROTO_ICMPV6);
    /* Only echo requests. */
    CHECK_ERRNO(h_sendto(ping, &p.addr_b, bad, sizeof(bad)), EINVAL);
    h_send_ok(ping, &p.addr_b, req, sizeof(req));
    h_pump(&p);
    /* The identifier is the socket's, its "port". */
    CHECK_OK(six_getsockname(ping, (struct sockaddr *)&name, &len));
    CHECK(name.sin6_port != 0);
    CHECK_EQ(CHECK_OK(h_recv(ping, buf, sizeof(buf), &from)), (ssize_t)sizeof(req));
    CHECK_EQ(buf[0], ICMP6_ECHO_REPLY);
    CHECK_EQ(h_get16(buf + 4), ntohs(name.sin6_port));
    CHECK_EQ(h_get16(buf + 6), 7);
    CHECK_MEM(buf + 8, "data", 4);
    CHECK(h_addr_eq(&from.sin6_addr, &p.addr_b));
    /* Another ping socket does not see it. */
    H_NOTHING(other);
    /* bind chooses the identifier. */
    name = h_sin6(&(struct in6_addr){0}, 0);
    name.sin6_port = htons(0x4242);
    CHECK_OK(six_bind(other, (struct sockaddr *)&name, sizeof(name)));
    h_send_ok(other, &p.addr_b, req, sizeof(req));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(other, buf, sizeof(buf), NULL)), (ssize_t)sizeof(req));
    CHECK_EQ(h_get16(buf + 4), 0x4242);
    H_NOTHING(ping);
    h_done(&p);
}
