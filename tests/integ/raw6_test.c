/* Raw IPv6 sockets through the public API, two stacks on a memwire: every
 * rule of ip6(4) "Raw Sockets", the options the page lists for them, and
 * every error of its DIAGNOSTICS section. One behaviour per test. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static const uint8_t payload[] = "sixstack raw payload 0123456789";

/* Receives one datagram and its hop limit (the page's int cmsg); -1 for
 * the hop limit when none came. Returns the byte count. */
static ssize_t recv_hlim(int fd, void *buf, size_t len, int *hlim) {
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } ctl;
    struct iovec iov = {.iov_base = buf, .iov_len = len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
                       .msg_controllen = sizeof(ctl.b)};
    ssize_t n = six_recvmsg(fd, &m, MSG_DONTWAIT);

    *hlim = -1;
    if (n < 0)
        return n;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
        if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT &&
            cm->cmsg_len == CMSG_LEN(sizeof(int)))
            memcpy(hlim, CMSG_DATA(cm), sizeof(int));
    return n;
}

static void set_int(int fd, int level, int name, int v) {
    CHECK_OK(six_setsockopt(fd, level, name, &v, sizeof(v)));
}

static int get_int(int fd, int level, int name) {
    int v = 0x5a5a5a5a;
    socklen_t len = sizeof(v);
    CHECK_OK(six_getsockopt(fd, level, name, &v, &len));
    CHECK_EQ(len, sizeof(int));
    return v;
}

/* Receives one datagram on fd and checks it is exactly want from src. */
static void expect_datagram(int fd, const void *want, size_t want_len,
                            const struct in6_addr *src) {
    uint8_t buf[2048];
    struct sockaddr_in6 from;
    ssize_t n = CHECK_OK(h_recv(fd, buf, sizeof(buf), &from));
    CHECK_EQ(n, want_len);
    CHECK_MEM(buf, want, want_len);
    CHECK_EQ(from.sin6_family, AF_INET6);
    if (src)
        CHECK(h_addr_eq(&from.sin6_addr, src));
}

/* payload from a on stack A to B's address, delivered to fd on B from src. */
static void send_expect(struct hpair *p, int a, int fd, const struct in6_addr *src) {
    h_send_ok(a, &p->addr_b, payload, sizeof(payload));
    h_pump(p);
    expect_datagram(fd, payload, sizeof(payload), src);
}

/* ---- DIAGNOSTICS: EACCES, ENOBUFS ---- */

TEST(raw_socket_unprivileged_is_eacces) {
    struct hpair p;
    h_up(&p);
    h_privileged(0);
    CHECK_ERRNO(six_socket_on(p.a, AF_INET6, SOCK_RAW, 0), EACCES);
    CHECK_ERRNO(six_socket_on(p.a, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), EACCES);
    /* The same thread, privileged again, may. */
    h_privileged(1);
    int fd = h_sock(&p, p.a, 0);
    CHECK(six_is_socket(fd));
    h_done(&p);
}

TEST(socket_enobufs_at_max_sockets) {
    struct hpair p;
    struct six_stack_config ca = h_config(1);
    ca.max_sockets = 2;
    h_up_cfg(&p, &ca, NULL);
    int s1 = h_sock(&p, p.a, 0);
    h_sock(&p, p.a, 253);
    CHECK_ERRNO(six_socket_on(p.a, AF_INET6, SOCK_RAW, 254), ENOBUFS);
    /* Closing one makes room again. */
    h_close(&p, s1);
    h_sock(&p, p.a, 254);
    CHECK_ERRNO(six_socket_on(p.a, AF_INET6, SOCK_RAW, 0), ENOBUFS);
    h_done(&p);
}

TEST(send_enobufs_when_pool_exhausted) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    uint64_t before = h_stats(p.a).ip6_out_nobufs;
    uint64_t sent = h_stats(p.a).ip6_out_requests;

    six_stack_fail_alloc(p.a, 1);
    CHECK_ERRNO(h_sendto(a, &p.addr_b, payload, sizeof(payload)), ENOBUFS);
    CHECK_EQ(h_stats(p.a).ip6_out_nobufs, before + 1);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, sent);
    h_pump(&p);
    H_NOTHING(b);
    /* The failure was one allocation: the next send goes. */
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    expect_datagram(b, payload, sizeof(payload), &p.addr_a);
    h_done(&p);
}

TEST(send_enobufs_when_pool_really_empty) {
    /* Three buffers in all: datagrams looped back to a socket that never
     * reads hold them, and the fourth send finds the pool empty. */
    struct hpair p;
    struct six_stack_config ca = h_config(1);
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    ca.pkt_small_max = 3;
    ca.pkt_large_max = 0;
    h_up_cfg(&p, &ca, NULL);
    int s = h_sock(&p, p.a, 253);
    for (int i = 0; i < 3; i++)
        h_send_ok(s, &lo, payload, sizeof(payload));
    CHECK_EQ(six_stack_pkts_in_use(p.a), 3);
    CHECK_ERRNO(h_sendto(s, &lo, payload, sizeof(payload)), ENOBUFS);
    CHECK_EQ(h_stats(p.a).ip6_out_nobufs, 1);
    /* Reading one frees one. */
    expect_datagram(s, payload, sizeof(payload), &lo);
    h_send_ok(s, &lo, payload, sizeof(payload));
    h_done(&p);
}

/* ---- protocols ---- */

TEST(raw_proto_zero_sends_as_ipproto_raw) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 0);
    int b255 = h_sock(&p, p.b, IPPROTO_RAW);
    int b253 = h_sock(&p, p.b, 253);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    expect_datagram(b255, payload, sizeof(payload), &p.addr_a);
    H_NOTHING(b253);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 1);
    h_done(&p);
}

TEST(raw_proto_filters_delivery) {
    struct hpair p;
    h_up(&p);
    int a253 = h_sock(&p, p.a, 253);
    int a254 = h_sock(&p, p.a, 254);
    int b253 = h_sock(&p, p.b, 253);
    int b254 = h_sock(&p, p.b, 254);
    const uint8_t one[] = "to 253", two[] = "to 254";

    h_send_ok(a253, &p.addr_b, one, sizeof(one));
    h_send_ok(a254, &p.addr_b, two, sizeof(two));
    h_pump(&p);
    expect_datagram(b253, one, sizeof(one), &p.addr_a);
    H_NOTHING(b253);
    expect_datagram(b254, two, sizeof(two), &p.addr_a);
    H_NOTHING(b254);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 2);
    h_done(&p);
}

TEST(raw_proto_zero_receives_unknown_protocols) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 0);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    expect_datagram(b, payload, sizeof(payload), &p.addr_a);
    CHECK_EQ(h_stats(p.b).raw_in_no_socket, 0);
    CHECK_EQ(h_stats(p.b).icmp6_out_errors, 0);
    h_done(&p);
}

TEST(raw_proto_specific_and_zero_both_get_a_copy) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b0 = h_sock(&p, p.b, 0);
    int b253 = h_sock(&p, p.b, 253);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    expect_datagram(b253, payload, sizeof(payload), &p.addr_a);
    expect_datagram(b0, payload, sizeof(payload), &p.addr_a);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 2);
    h_done(&p);
}

TEST(raw_udp_and_tcp_never_delivered) {
    struct hpair p;
    h_up(&p);
    int au = h_sock(&p, p.a, IPPROTO_UDP);
    int at = h_sock(&p, p.a, IPPROTO_TCP);
    int b0 = h_sock(&p, p.b, 0);
    int bu = h_sock(&p, p.b, IPPROTO_UDP);
    int bt = h_sock(&p, p.b, IPPROTO_TCP);
    uint8_t seg[20] = {0x12, 0x34, 0x00, 0x50};

    h_send_ok(au, &p.addr_b, seg, 8);
    h_send_ok(at, &p.addr_b, seg, sizeof(seg));
    h_pump(&p);
    H_NOTHING(b0);
    H_NOTHING(bu);
    H_NOTHING(bt);
    CHECK_EQ(h_stats(p.b).ip6_in_receives, 2);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 0);
    h_done(&p);
}

/* ---- ICMPv6 on raw sockets ---- */

TEST(raw_icmp_echo_request_not_delivered_but_answered) {
    struct hpair p;
    h_up(&p);
    int a = h_icmp_sock(&p, p.a);
    int bi = h_icmp_sock(&p, p.b);
    int b0 = h_sock(&p, p.b, 0);
    uint8_t req[16] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, 'p', 'i', 'n', 'g'};
    struct hicmp m;

    h_send_ok(a, &p.addr_b, req, sizeof(req));
    h_pump(&p);
    H_NOTHING(bi);
    H_NOTHING(b0);
    CHECK_EQ(h_stats(p.b).icmp6_in_echo_requests, 1);
    CHECK_EQ(h_stats(p.b).icmp6_out_echo_replies, 1);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 0);
    h_icmp_read(a, &m);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);
    CHECK_EQ(m.word, 0x12340001);
    CHECK_EQ(m.len, sizeof(req));
    CHECK_MEM(m.msg + 8, req + 8, sizeof(req) - 8);
    CHECK(h_addr_eq(&m.from.sin6_addr, &p.addr_b));
    h_done(&p);
}

TEST(raw_icmp_other_types_delivered) {
    struct hpair p;
    h_up(&p);
    int a = h_icmp_sock(&p, p.a);
    int bi = h_icmp_sock(&p, p.b);
    int b0 = h_sock(&p, p.b, 0);
    int b253 = h_sock(&p, p.b, 253);
    uint8_t msg[12] = {200, 7, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t buf[64];

    h_send_ok(a, &p.addr_b, msg, sizeof(msg));
    h_pump(&p);
    /* The ICMPv6 socket and the protocol 0 socket each get the message,
     * with the checksum the sender computed at offset 2. */
    for (int i = 0; i < 2; i++) {
        int fd = i == 0 ? bi : b0;
        ssize_t n = CHECK_OK(h_recv(fd, buf, sizeof(buf), NULL));
        CHECK_EQ(n, sizeof(msg));
        CHECK_EQ(buf[0], 200);
        CHECK_EQ(buf[1], 7);
        CHECK_MEM(buf + 4, msg + 4, sizeof(msg) - 4);
        CHECK_EQ(h_cksum(&p.addr_a, &p.addr_b, IPPROTO_ICMPV6, buf, (size_t)n), 0);
    }
    H_NOTHING(b253);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 2);
    h_done(&p);
}

TEST(icmp6_filter_blocks_types) {
    struct hpair p;
    h_up(&p);
    int a = h_icmp_sock(&p, p.a);
    int b = h_icmp_sock(&p, p.b);
    struct icmp6_filter f, got;
    socklen_t len = sizeof(got);
    uint8_t blocked[8] = {200, 0, 0, 0, 0, 0, 0, 1};
    uint8_t passed[8] = {ICMP6_ECHO_REPLY, 0, 0, 0, 0, 0, 0, 2};
    struct hicmp m;

    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
    CHECK_OK(six_setsockopt(b, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)));
    CHECK_OK(six_getsockopt(b, IPPROTO_ICMPV6, ICMP6_FILTER, &got, &len));
    CHECK_EQ(len, sizeof(got));
    CHECK_MEM(&got, &f, sizeof(f));

    h_send_ok(a, &p.addr_b, blocked, sizeof(blocked));
    h_send_ok(a, &p.addr_b, passed, sizeof(passed));
    h_pump(&p);
    h_icmp_read(b, &m);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);
    CHECK_EQ(m.word, 2);
    H_NOTHING(b);
    CHECK_EQ(h_stats(p.b).raw_in_filtered, 1);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 1);
    h_done(&p);
}

TEST(icmp6_filter_on_non_icmp_socket_fails) {
    struct hpair p;
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    struct icmp6_filter f;
    socklen_t len = sizeof(f);
    ICMP6_FILTER_SETBLOCKALL(&f);
    /* Linux's answer; the filter means nothing on other protocols. */
    CHECK_ERRNO(six_setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)), EOPNOTSUPP);
    CHECK_ERRNO(six_getsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f, &len), EOPNOTSUPP);
    /* A filter that is too short is improperly formed. */
    int i = h_icmp_sock(&p, p.a);
    CHECK_ERRNO(six_setsockopt(i, IPPROTO_ICMPV6, ICMP6_FILTER, &f, 4), EINVAL);
    h_done(&p);
}

/* ---- bind and connect ---- */

TEST(raw_bind_fixes_source) {
    struct hpair p;
    h_up(&p);
    struct in6_addr a2 = h_addr_add(&p, p.a, "2001:db8::11");
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);

    /* Without bind, source selection picks ::1 (longest match for ::2). */
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    expect_datagram(b, payload, sizeof(payload), &p.addr_a);
    h_bind(a, &a2);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    expect_datagram(b, payload, sizeof(payload), &a2);
    h_done(&p);
}

TEST(raw_bind_filters_destination) {
    struct hpair p;
    h_up(&p);
    struct in6_addr b2 = h_addr_add(&p, p.b, "2001:db8::22");
    int a = h_sock(&p, p.a, 253);
    int bound = h_sock(&p, p.b, 253);
    int any = h_sock(&p, p.b, 253);
    const uint8_t to1[] = "to ::2", to2[] = "to ::22";

    h_bind(bound, &b2);
    h_send_ok(a, &p.addr_b, to1, sizeof(to1));
    h_send_ok(a, &b2, to2, sizeof(to2));
    h_pump(&p);
    expect_datagram(bound, to2, sizeof(to2), &p.addr_a);
    H_NOTHING(bound);
    /* An unbound socket gets both. */
    expect_datagram(any, to1, sizeof(to1), &p.addr_a);
    expect_datagram(any, to2, sizeof(to2), &p.addr_a);
    h_done(&p);
}

TEST(raw_bind_foreign_address_is_eaddrnotavail) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    struct in6_addr nowhere = h_in6("2001:db8::99");
    struct sockaddr_in6 sin6 = h_sin6(&nowhere, 0);

    CHECK_ERRNO(six_bind(a, (struct sockaddr *)&sin6, sizeof(sin6)), EADDRNOTAVAIL);
    /* B's address is foreign to A too. */
    sin6 = h_sin6(&p.addr_b, 0);
    CHECK_ERRNO(six_bind(a, (struct sockaddr *)&sin6, sizeof(sin6)), EADDRNOTAVAIL);
    /* A scope naming no interface. */
    sin6 = h_sin6(&p.addr_a, 77);
    CHECK_ERRNO(six_bind(a, (struct sockaddr *)&sin6, sizeof(sin6)), EADDRNOTAVAIL);
    /* The failed binds left the socket unbound. */
    struct sockaddr_in6 name;
    socklen_t len = sizeof(name);
    CHECK_OK(six_getsockname(a, (struct sockaddr *)&name, &len));
    CHECK(IN6_IS_ADDR_UNSPECIFIED(&name.sin6_addr));
    /* A bad family and a short address. */
    sin6 = h_sin6(&p.addr_a, 0);
    CHECK_ERRNO(six_bind(a, (struct sockaddr *)&sin6, sizeof(sin6) - 4), EINVAL);
    sin6.sin6_family = AF_INET;
    CHECK_ERRNO(six_bind(a, (struct sockaddr *)&sin6, sizeof(sin6)), EAFNOSUPPORT);
    h_done(&p);
}

TEST(raw_connect_fixes_destination_and_send_works) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    struct sockaddr_in6 peer;
    socklen_t len = sizeof(peer);

    h_connect(a, &p.addr_b);
    CHECK_EQ(CHECK_OK(six_send(a, payload, sizeof(payload), 0)), sizeof(payload));
    CHECK_OK(six_getpeername(a, (struct sockaddr *)&peer, &len));
    CHECK_EQ(len, sizeof(peer));
    CHECK_EQ(peer.sin6_family, AF_INET6);
    CHECK(h_addr_eq(&peer.sin6_addr, &p.addr_b));
    /* write-style sendmsg without a name goes to the peer too. */
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = 4};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    CHECK_EQ(CHECK_OK(six_sendmsg(a, &m, 0)), 4);
    h_pump(&p);
    expect_datagram(b, payload, sizeof(payload), &p.addr_a);
    expect_datagram(b, payload, 4, &p.addr_a);
    h_done(&p);
}

TEST(raw_connect_filters_source) {
    struct hpair p;
    h_up(&p);
    struct in6_addr a2 = h_addr_add(&p, p.a, "2001:db8::11");
    int a1 = h_sock(&p, p.a, 253);
    int a11 = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    const uint8_t from1[] = "from ::1", from11[] = "from ::11";

    h_bind(a11, &a2);
    h_connect(b, &p.addr_a);
    h_send_ok(a11, &p.addr_b, from11, sizeof(from11));
    h_send_ok(a1, &p.addr_b, from1, sizeof(from1));
    h_pump(&p);
    expect_datagram(b, from1, sizeof(from1), &p.addr_a);
    H_NOTHING(b);
    h_done(&p);
}

TEST(raw_send_without_destination_is_enotconn) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = sizeof(payload)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

    CHECK_ERRNO(six_send(a, payload, sizeof(payload), 0), ENOTCONN);
    CHECK_ERRNO(six_sendmsg(a, &m, 0), ENOTCONN);
    CHECK_ERRNO(six_sendto(a, payload, sizeof(payload), 0, NULL, 0), ENOTCONN);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, 0);
    h_done(&p);
}

TEST(raw_sendto_on_connected_is_eisconn) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    h_connect(a, &p.addr_b);
    /* ip6(4): even to the connected address itself. */
    CHECK_ERRNO(h_sendto(a, &p.addr_b, payload, sizeof(payload)), EISCONN);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, 0);
    h_pump(&p);
    H_NOTHING(b);
    h_done(&p);
}

TEST(raw_connect_twice_is_eisconn) {
    struct hpair p;
    h_up(&p);
    struct in6_addr b2 = h_addr_add(&p, p.b, "2001:db8::22");
    int a = h_sock(&p, p.a, 253);
    struct sockaddr_in6 sin6 = h_sin6(&b2, 0), peer;
    socklen_t len = sizeof(peer);

    h_connect(a, &p.addr_b);
    CHECK_ERRNO(six_connect(a, (struct sockaddr *)&sin6, sizeof(sin6)), EISCONN);
    CHECK_OK(six_getpeername(a, (struct sockaddr *)&peer, &len));
    CHECK(h_addr_eq(&peer.sin6_addr, &p.addr_b));
    h_done(&p);
}

TEST(raw_connect_af_unspec_disconnects) {
    struct hpair p;
    h_up(&p);
    struct in6_addr a2 = h_addr_add(&p, p.a, "2001:db8::11");
    int a = h_sock(&p, p.a, 253);
    int a11 = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    struct sockaddr_in6 peer;
    socklen_t len = sizeof(peer);

    h_connect(b, &p.addr_a);
    CHECK_OK(six_connect(b, &unspec, sizeof(unspec)));
    CHECK_ERRNO(six_getpeername(b, (struct sockaddr *)&peer, &len), ENOTCONN);
    CHECK_ERRNO(six_send(b, payload, sizeof(payload), 0), ENOTCONN);
    /* No longer filtering on source... */
    h_bind(a11, &a2);
    h_send_ok(a11, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    expect_datagram(b, payload, sizeof(payload), &a2);
    /* ...and sendto is allowed again, and connect works again. */
    h_send_ok(b, &p.addr_a, payload, 3);
    h_connect(b, &p.addr_a);
    h_pump(&p);
    expect_datagram(a, payload, 3, &p.addr_b);
    h_done(&p);
}

TEST(getsockname_and_getpeername) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    struct sockaddr_in6 name;
    socklen_t len = sizeof(name);

    CHECK_ERRNO(six_getpeername(a, (struct sockaddr *)&name, &len), ENOTCONN);
    CHECK_OK(six_getsockname(a, (struct sockaddr *)&name, &len));
    CHECK_EQ(len, sizeof(name));
    CHECK_EQ(name.sin6_family, AF_INET6);
    CHECK(IN6_IS_ADDR_UNSPECIFIED(&name.sin6_addr));
    /* connect fixes the source as well (BSD and Linux). */
    h_connect(a, &p.addr_b);
    len = sizeof(name);
    CHECK_OK(six_getsockname(a, (struct sockaddr *)&name, &len));
    CHECK(h_addr_eq(&name.sin6_addr, &p.addr_a));
    len = sizeof(name);
    CHECK_OK(six_getpeername(a, (struct sockaddr *)&name, &len));
    CHECK(h_addr_eq(&name.sin6_addr, &p.addr_b));
    /* A short buffer gets a truncated address and the full length. */
    uint8_t small[8];
    len = sizeof(small);
    CHECK_OK(six_getpeername(a, (struct sockaddr *)small, &len));
    CHECK_EQ(len, sizeof(struct sockaddr_in6));
    /* bind on an unconnected socket shows in getsockname. */
    int c = h_sock(&p, p.a, 253);
    h_bind(c, &p.addr_a);
    len = sizeof(name);
    CHECK_OK(six_getsockname(c, (struct sockaddr *)&name, &len));
    CHECK(h_addr_eq(&name.sin6_addr, &p.addr_a));
    h_done(&p);
}

/* ---- the IPv6 header is the stack's ---- */

TEST(raw_payload_has_no_ipv6_header) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    uint8_t big[1400];
    struct hframe f;

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7 + 3);
    /* A buffer that looks like an IPv6 header is sent as payload. */
    big[0] = 0x60;
    h_send_ok(a, &p.addr_b, big, sizeof(big));
    h_send_ok(a, &p.addr_b, big, 1);
    h_pump(&p);
    expect_datagram(b, big, sizeof(big), &p.addr_a);
    expect_datagram(b, big, 1, &p.addr_a);

    /* Hop-by-hop, destination options and an atomic fragment header in
     * front of the payload: the socket sees only the payload. */
    h_frame_ab(&p, &f, 0);
    h_pad8(&f, 60);
    h_pad8(&f, 44);
    uint8_t frag[8] = {253, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe};
    h_put(&f, frag, sizeof(frag));
    h_put(&f, payload, sizeof(payload));
    h_end(&f);
    h_inject(&p, &f);
    expect_datagram(b, payload, sizeof(payload), &p.addr_a);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 3);
    h_done(&p);
}

TEST(raw_empty_datagram_is_delivered) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    uint8_t buf[8];
    h_send_ok(a, &p.addr_b, payload, 0);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 0);
    h_done(&p);
}

/* ---- IPV6_CHECKSUM ---- */

TEST(raw_checksum_computed_on_output) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    uint8_t msg[21], buf[64];

    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_CHECKSUM), -1);
    set_int(a, IPPROTO_IPV6, IPV6_CHECKSUM, 4);
    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_CHECKSUM), 4);
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(0x31 * i + 1);
    msg[4] = 0xff;   /* garbage where the checksum goes: overwritten */
    msg[5] = 0xee;
    h_send_ok(a, &p.addr_b, msg, sizeof(msg));
    h_pump(&p);
    ssize_t n = CHECK_OK(h_recv(b, buf, sizeof(buf), NULL));
    CHECK_EQ(n, sizeof(msg));
    CHECK_MEM(buf, msg, 4);
    CHECK_MEM(buf + 6, msg + 6, sizeof(msg) - 6);
    CHECK_EQ(h_cksum(&p.addr_a, &p.addr_b, 253, buf, (size_t)n), 0);
    CHECK(buf[4] != 0xff || buf[5] != 0xee);

    /* -1 turns it off again: the bytes go as given. */
    set_int(a, IPPROTO_IPV6, IPV6_CHECKSUM, -1);
    h_send_ok(a, &p.addr_b, msg, sizeof(msg));
    h_pump(&p);
    expect_datagram(b, msg, sizeof(msg), &p.addr_a);
    h_done(&p);
}

TEST(raw_checksum_verified_on_input) {
    struct hpair p;
    h_up(&p);
    int b = h_sock(&p, p.b, 253);
    struct hframe f;
    uint8_t msg[16] = {1, 2, 3, 4, 0, 0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    set_int(b, IPPROTO_IPV6, IPV6_CHECKSUM, 4);
    h_put16(msg + 4, h_cksum(&p.addr_a, &p.addr_b, 253, msg, sizeof(msg)));
    h_frame_ab(&p, &f, 253);
    size_t off = h_put(&f, msg, sizeof(msg));
    h_end(&f);
    h_inject(&p, &f);
    expect_datagram(b, msg, sizeof(msg), &p.addr_a);

    f.b[off + 9] ^= 0x40;   /* one bit off */
    h_inject(&p, &f);
    H_NOTHING(b);
    CHECK_EQ(h_stats(p.b).raw_in_bad_checksum, 1);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 1);
    /* A datagram too short to hold the checksum fails as well. */
    h_frame_ab(&p, &f, 253);
    h_put(&f, msg, 5);
    h_end(&f);
    h_inject(&p, &f);
    H_NOTHING(b);
    CHECK_EQ(h_stats(p.b).raw_in_bad_checksum, 2);
    /* BSD's rip6_input: a checksum failure is dropped without an ICMPv6
     * error; the protocol was wanted, the packet was bad. */
    CHECK_EQ(h_stats(p.b).icmp6_out_errors, 0);
    CHECK_EQ(h_stats(p.b).ip6_in_unknown_proto, 0);
    h_done(&p);
}

TEST(raw_checksum_odd_offset_einval) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int v = 3;
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof(v)), EINVAL);
    v = 1;
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof(v)), EINVAL);
    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_CHECKSUM), -1);
    set_int(a, IPPROTO_IPV6, IPV6_CHECKSUM, 0);
    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_CHECKSUM), 0);
    h_done(&p);
}

TEST(raw_checksum_below_minus_one_einval) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int v = -2;
    set_int(a, IPPROTO_IPV6, IPV6_CHECKSUM, 6);
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof(v)), EINVAL);
    v = -1000;
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof(v)), EINVAL);
    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_CHECKSUM), 6);
    /* A value shorter than an int is improperly formed. */
    short sh = 2;
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_CHECKSUM, &sh, sizeof(sh)), EINVAL);
    h_done(&p);
}

TEST(raw_checksum_icmp6_fixed_at_2) {
    struct hpair p;
    h_up(&p);
    int i = h_icmp_sock(&p, p.a);
    int v;
    CHECK_EQ(get_int(i, IPPROTO_IPV6, IPV6_CHECKSUM), 2);
    /* ip6(4): it "cannot be relocated or turned off". */
    v = 4;
    CHECK_ERRNO(six_setsockopt(i, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof(v)), EINVAL);
    v = -1;
    CHECK_ERRNO(six_setsockopt(i, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof(v)), EINVAL);
    CHECK_EQ(get_int(i, IPPROTO_IPV6, IPV6_CHECKSUM), 2);
    h_done(&p);
}

TEST(raw_checksum_offset_past_payload_einval) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    uint8_t msg[16] = {0};

    set_int(a, IPPROTO_IPV6, IPV6_CHECKSUM, 8);
    CHECK_ERRNO(h_sendto(a, &p.addr_b, msg, 9), EINVAL);
    CHECK_ERRNO(h_sendto(a, &p.addr_b, msg, 0), EINVAL);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, 0);
    /* Exactly room for it is enough. */
    h_send_ok(a, &p.addr_b, msg, 10);
    h_pump(&p);
    uint8_t buf[16];
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 10);
    CHECK_EQ(h_cksum(&p.addr_a, &p.addr_b, 253, buf, 10), 0);
    h_done(&p);
}

/* ---- IPV6_UNICAST_HOPS and IPV6_HOPLIMIT ---- */

TEST(unicast_hops_sets_hop_limit) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    uint8_t buf[64];
    int hlim;

    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 64);
    set_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 7);
    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 7);
    /* The page's form: an int switch under the name IPV6_HOPLIMIT. */
    set_int(b, IPPROTO_IPV6, IPV6_HOPLIMIT, 1);
    CHECK_EQ(get_int(b, IPPROTO_IPV6, IPV6_HOPLIMIT), 1);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    set_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    set_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 0);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(recv_hlim(b, buf, sizeof(buf), &hlim)), sizeof(payload));
    CHECK_EQ(hlim, 7);
    CHECK_OK(recv_hlim(b, buf, sizeof(buf), &hlim));
    CHECK_EQ(hlim, 255);
    CHECK_OK(recv_hlim(b, buf, sizeof(buf), &hlim));
    CHECK_EQ(hlim, 0);
    /* Turned off, no hop limit comes. */
    set_int(b, IPPROTO_IPV6, IPV6_HOPLIMIT, 0);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_OK(recv_hlim(b, buf, sizeof(buf), &hlim));
    CHECK_EQ(hlim, -1);
    h_done(&p);
}

TEST(unicast_hops_minus_one_resets_to_64) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    uint8_t buf[64];
    int hlim;

    set_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9);
    set_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -1);
    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 64);
    set_int(b, IPPROTO_IPV6, IPV6_HOPLIMIT, 1);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_OK(recv_hlim(b, buf, sizeof(buf), &hlim));
    CHECK_EQ(hlim, 64);
    h_done(&p);
}

TEST(unicast_hops_follows_the_stack_default) {
    struct hpair p;
    struct six_stack_config ca = h_config(1);
    ca.default_hop_limit = 33;
    h_up_cfg(&p, &ca, NULL);
    int a = h_sock(&p, p.a, 253);
    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 33);
    set_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 5);
    set_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -1);
    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 33);
    h_done(&p);
}

TEST(unicast_hops_out_of_range_einval) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int v;
    set_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 17);
    v = 256;
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v)), EINVAL);
    v = -2;
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v)), EINVAL);
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, 1), EINVAL);
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, NULL, sizeof(v)), EINVAL);
    CHECK_EQ(get_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 17);
    h_done(&p);
}

TEST(hoplimit_cmsg_len_is_cmsg_len_int) {
    /* The page's EXAMPLES loop, unchanged but for the names. */
    struct hpair p;
    h_up(&p);
    int s = h_sock(&p, p.b, 253);
    int a = h_sock(&p, p.a, 253);
    struct iovec iov[2];
    u_char buf[BUFSIZ];
    struct cmsghdr *cm;
    struct msghdr m;
    struct sockaddr_in6 from;
    int found, optval, hops = -1, ncmsg = 0;
    u_char data[2048];

    (void)memset(&m, 0, sizeof(m));
    (void)memset(&iov, 0, sizeof(iov));
    iov[0].iov_base = data;
    iov[0].iov_len = sizeof(data);
    m.msg_name = &from;
    m.msg_namelen = sizeof(from);
    m.msg_iov = iov;
    m.msg_iovlen = 1;
    m.msg_control = (caddr_t)buf;
    m.msg_controllen = sizeof(buf);
    optval = 1;
    CHECK_OK(six_setsockopt(s, IPPROTO_IPV6, IPV6_HOPLIMIT, &optval, sizeof(optval)));
    set_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 42);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);

    found = 0;
    CHECK_EQ(CHECK_OK(six_recvmsg(s, &m, MSG_DONTWAIT)), sizeof(payload));
    for (cm = CMSG_FIRSTHDR(&m); cm != NULL; cm = CMSG_NXTHDR(&m, cm)) {
        ncmsg++;
        if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT &&
            cm->cmsg_len == CMSG_LEN(sizeof(int))) {
            found = 1;
            hops = *(int *)CMSG_DATA(cm);
            break;
        }
    }
    CHECK(found);
    CHECK_EQ(ncmsg, 1);
    CHECK_EQ(hops, 42);
    CHECK_EQ(m.msg_controllen, CMSG_SPACE(sizeof(int)));
    CHECK_EQ(m.msg_flags & (MSG_CTRUNC | MSG_TRUNC), 0);
    CHECK_EQ(m.msg_namelen, sizeof(from));
    CHECK(h_addr_eq(&from.sin6_addr, &p.addr_a));
    h_done(&p);
}

TEST(recv_short_control_buffer_sets_ctrunc) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_LEN(sizeof(int))];
    } ctl;
    uint8_t buf[64];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
                       .msg_controllen = sizeof(struct cmsghdr)};

    set_int(b, IPPROTO_IPV6, IPV6_HOPLIMIT, 1);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    /* Room for a header but not the int: the data comes, the cmsg not. */
    CHECK_EQ(CHECK_OK(six_recvmsg(b, &m, MSG_DONTWAIT)), sizeof(payload));
    CHECK(m.msg_flags & MSG_CTRUNC);
    CHECK(!(m.msg_flags & MSG_TRUNC));
    CHECK_EQ(m.msg_controllen, 0);
    CHECK(CMSG_FIRSTHDR(&m) == NULL);
    /* No control buffer at all. */
    m.msg_control = NULL;
    m.msg_controllen = 0;
    CHECK_EQ(CHECK_OK(six_recvmsg(b, &m, MSG_DONTWAIT)), sizeof(payload));
    CHECK(m.msg_flags & MSG_CTRUNC);
    h_done(&p);
}

TEST(recv_short_buffer_sets_trunc) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    uint8_t buf[8];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(six_recvmsg(b, &m, MSG_DONTWAIT)), sizeof(buf));
    CHECK(m.msg_flags & MSG_TRUNC);
    CHECK_MEM(buf, payload, sizeof(buf));
    /* The rest of the datagram is gone; MSG_TRUNC asks for the real
     * length (Linux). */
    m.msg_flags = 0;
    CHECK_EQ(CHECK_OK(six_recvmsg(b, &m, MSG_DONTWAIT | MSG_TRUNC)), sizeof(payload));
    CHECK(m.msg_flags & MSG_TRUNC);
    H_NOTHING(b);
    h_done(&p);
}

TEST(recv_peek_leaves_the_datagram) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    uint8_t buf[64];
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(six_recv(b, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT)), sizeof(payload));
    expect_datagram(b, payload, sizeof(payload), &p.addr_a);
    H_NOTHING(b);
    h_done(&p);
}

/* ---- options: EINVAL ---- */

TEST(unknown_ipv6_option_is_einval) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int v = 1;
    socklen_t len = sizeof(v);
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, 12345, &v, sizeof(v)), EINVAL);
    CHECK_ERRNO(six_getsockopt(a, IPPROTO_IPV6, 12345, &v, &len), EINVAL);
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, -1, &v, sizeof(v)), EINVAL);
    h_done(&p);
}

TEST(sendmsg_bad_cmsg_len_is_einval_and_sends_nothing) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(int))];
    } ctl;
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = sizeof(payload)};
    struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = ctl.b,
                       .msg_controllen = CMSG_SPACE(sizeof(int))};
    struct cmsghdr *cm = (struct cmsghdr *)ctl.b;
    int hops = 5;

    memset(&ctl, 0, sizeof(ctl));
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_HOPLIMIT;
    memcpy(CMSG_DATA(cm), &hops, sizeof(hops));
    /* Longer than the control buffer. */
    cm->cmsg_len = CMSG_SPACE(sizeof(int)) + 8;
    CHECK_ERRNO(six_sendmsg(a, &m, MSG_DONTWAIT), EINVAL);
    /* Shorter than a cmsghdr. */
    cm->cmsg_len = sizeof(struct cmsghdr) - 1;
    CHECK_ERRNO(six_sendmsg(a, &m, MSG_DONTWAIT), EINVAL);
    /* The wrong size for an int. */
    cm->cmsg_len = CMSG_LEN(2);
    CHECK_ERRNO(six_sendmsg(a, &m, MSG_DONTWAIT), EINVAL);
    /* A hop limit out of range. */
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    hops = 256;
    memcpy(CMSG_DATA(cm), &hops, sizeof(hops));
    CHECK_ERRNO(six_sendmsg(a, &m, MSG_DONTWAIT), EINVAL);
    /* A bad second object after a good first. */
    hops = 5;
    memcpy(CMSG_DATA(cm), &hops, sizeof(hops));
    struct cmsghdr *cm2 = (struct cmsghdr *)(ctl.b + CMSG_SPACE(sizeof(int)));
    cm2->cmsg_level = IPPROTO_IPV6;
    cm2->cmsg_type = IPV6_HOPLIMIT;
    cm2->cmsg_len = CMSG_SPACE(sizeof(int)) + 1;
    m.msg_controllen = sizeof(ctl.b);
    CHECK_ERRNO(six_sendmsg(a, &m, MSG_DONTWAIT), EINVAL);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, 0);
    h_pump(&p);
    H_NOTHING(b);

    /* Well formed, the hop limit applies to this packet only. */
    m.msg_controllen = CMSG_SPACE(sizeof(int));
    set_int(b, IPPROTO_IPV6, IPV6_HOPLIMIT, 1);
    CHECK_EQ(CHECK_OK(six_sendmsg(a, &m, MSG_DONTWAIT)), sizeof(payload));
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    uint8_t buf[64];
    int hlim;
    CHECK_OK(recv_hlim(b, buf, sizeof(buf), &hlim));
    CHECK_EQ(hlim, 5);
    CHECK_OK(recv_hlim(b, buf, sizeof(buf), &hlim));
    CHECK_EQ(hlim, 64);
    h_done(&p);
}

/* ---- waiting ---- */

TEST(recv_dontwait_eagain) {
    struct hpair p;
    h_up(&p);
    int b = h_sock(&p, p.b, 253);
    uint8_t buf[8];
    CHECK_ERRNO(six_recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    CHECK_ERRNO(six_recvmsg(b, &m, MSG_DONTWAIT), EAGAIN);
    h_done(&p);
}

TEST(recv_nonblock_fcntl_eagain) {
    struct hpair p;
    h_up(&p);
    int b = h_sock(&p, p.b, 253);
    uint8_t buf[8];
    int fl = (int)CHECK_OK(six_fcntl(b, F_GETFL));
    CHECK_EQ(fl & O_NONBLOCK, 0);
    CHECK_OK(six_fcntl(b, F_SETFL, fl | O_NONBLOCK));
    CHECK(six_fcntl(b, F_GETFL) & O_NONBLOCK);
    CHECK_ERRNO(six_recv(b, buf, sizeof(buf), 0), EAGAIN);
    /* SOCK_NONBLOCK at creation does the same. */
    int nb = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_RAW | SOCK_NONBLOCK, 253));
    CHECK(six_fcntl(nb, F_GETFL) & O_NONBLOCK);
    CHECK_ERRNO(six_recv(nb, buf, sizeof(buf), 0), EAGAIN);
    CHECK_OK(six_close(nb));
    h_done(&p);
}

struct waiter {
    int fd;
    struct six_stack *st;
    volatile int done;
    ssize_t rc;
    int err;
    uint64_t t0, t1;          /* the stack's clock around the call */
    uint8_t buf[64];
};

static void *recv_thread(void *arg) {
    struct waiter *w = arg;
    w->t0 = six_stack_now(w->st);
    errno = 0;
    w->rc = six_recv(w->fd, w->buf, sizeof(w->buf), 0);
    w->err = errno;
    w->t1 = six_stack_now(w->st);
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void sleep_ms(int ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int is_done(struct waiter *w) { return __atomic_load_n(&w->done, __ATOMIC_SEQ_CST); }

TEST(recv_rcvtimeo_expires_on_stack_clock) {
    struct hpair p;
    h_up(&p);
    int b = h_sock(&p, p.b, 253);
    struct timeval tv = {.tv_sec = 5, .tv_usec = 0}, got;
    socklen_t len = sizeof(got);
    struct waiter w = {.fd = b, .st = p.b};
    pthread_t t;

    CHECK_OK(six_setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
    CHECK_OK(six_getsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &got, &len));
    CHECK_EQ(got.tv_sec, 5);
    CHECK_EQ(pthread_create(&t, NULL, recv_thread, &w), 0);
    /* Real time passing does not move a manual clock. */
    sleep_ms(100);
    CHECK(!is_done(&w));
    /* Step the stack's clock by 1 s until the call gives up; bounded in
     * real time so a bug fails instead of hanging. */
    for (int i = 0; i < 400 && !is_done(&w); i++) {
        CHECK_OK(six_stack_set_time(p.b, six_stack_now(p.b) + 1000000));
        sleep_ms(10);
    }
    if (!is_done(&w)) {
        /* Unblock the thread before failing. */
        h_send_ok(h_sock(&p, p.a, 253), &p.addr_b, payload, 1);
        h_pump(&p);
    }
    pthread_join(t, NULL);
    CHECK_EQ(w.rc, -1);
    CHECK_EQ(w.err, EAGAIN);
    CHECK(w.t1 - w.t0 >= 5000000);
    h_done(&p);
}

TEST(recv_blocking_woken_by_packet) {
    struct hpair p;
    struct six_stack_config ca = h_config(1), cb = h_config(2);
    ca.clock = cb.clock = SIX_CLOCK_MONOTONIC;
    h_up_cfg(&p, &ca, &cb);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    struct timeval tv = {.tv_sec = 10, .tv_usec = 0};
    struct waiter w = {.fd = b, .st = p.b};
    pthread_t t;

    /* A timeout only so that a bug fails rather than hangs. */
    CHECK_OK(six_setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
    CHECK_OK(six_stack_start(p.a));
    CHECK_OK(six_stack_start(p.b));
    CHECK_EQ(pthread_create(&t, NULL, recv_thread, &w), 0);
    sleep_ms(50);
    CHECK(!is_done(&w));
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    pthread_join(t, NULL);
    CHECK_EQ(w.rc, sizeof(payload));
    CHECK_MEM(w.buf, payload, sizeof(payload));
    CHECK(w.t1 - w.t0 < 5000000);
    CHECK_OK(six_stack_stop(p.a));
    CHECK_OK(six_stack_stop(p.b));
    h_done(&p);
}

TEST(close_wakes_a_blocked_reader) {
    struct hpair p;
    h_up(&p);
    int b = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_RAW, 253));
    struct timeval tv = {.tv_sec = 100, .tv_usec = 0};
    struct waiter w = {.fd = b, .st = p.b};
    pthread_t t;

    CHECK_OK(six_setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
    CHECK_EQ(pthread_create(&t, NULL, recv_thread, &w), 0);
    sleep_ms(50);
    CHECK(!is_done(&w));
    CHECK_OK(six_close(b));
    for (int i = 0; i < 500 && !is_done(&w); i++)
        sleep_ms(10);
    if (!is_done(&w))
        CHECK_OK(six_stack_set_time(p.b, six_stack_now(p.b) + 200000000));
    pthread_join(t, NULL);
    CHECK_EQ(w.rc, -1);
    CHECK_EQ(w.err, EBADF);
    h_done(&p);
}

TEST(poll_reports_readable) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    struct pollfd pfd = {.fd = b, .events = POLLIN};
    uint8_t buf[64];

    CHECK_EQ(CHECK_OK(six_poll(&pfd, 1, 0)), 0);
    CHECK_EQ(CHECK_OK(poll(&pfd, 1, 0)), 0);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    pfd.revents = 0;
    CHECK_EQ(CHECK_OK(six_poll(&pfd, 1, 0)), 1);
    CHECK(pfd.revents & POLLIN);
    pfd.revents = 0;
    CHECK_EQ(CHECK_OK(poll(&pfd, 1, 0)), 1);
    CHECK(pfd.revents & POLLIN);
    /* Writable too. */
    pfd.events = POLLIN | POLLOUT;
    CHECK_EQ(CHECK_OK(six_poll(&pfd, 1, 0)), 1);
    CHECK_EQ(pfd.revents & (POLLIN | POLLOUT), POLLIN | POLLOUT);
    /* Read, and it is no longer readable, for either poll. */
    CHECK_OK(h_recv(b, buf, sizeof(buf), NULL));
    pfd.events = POLLIN;
    CHECK_EQ(CHECK_OK(six_poll(&pfd, 1, 0)), 0);
    CHECK_EQ(CHECK_OK(poll(&pfd, 1, 0)), 0);
    /* six_poll mixes in system descriptors. */
    int pipefd[2];
    CHECK_OK(pipe(pipefd));
    CHECK_EQ(write(pipefd[1], "x", 1), 1);
    struct pollfd two[2] = {{.fd = b, .events = POLLIN}, {.fd = pipefd[0], .events = POLLIN}};
    CHECK_EQ(CHECK_OK(six_poll(two, 2, 0)), 1);
    CHECK_EQ(two[0].revents, 0);
    CHECK(two[1].revents & POLLIN);
    close(pipefd[0]);
    close(pipefd[1]);
    h_done(&p);
}

TEST(descriptors_are_real_fds) {
    struct hpair p;
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    int file = open("/dev/null", O_RDONLY);
    CHECK(file >= 0);
    CHECK(s != file);
    CHECK(!six_is_socket(file));
    CHECK(six_is_socket(s));
    /* The kernel knows the descriptor. */
    CHECK(fcntl(s, F_GETFD) >= 0);
    CHECK(six_fcntl(s, F_GETFD) >= 0);
    /* A second socket gets another number, and system calls given to the
     * six_ functions on a plain descriptor still work. */
    int s2 = h_sock(&p, p.a, 253);
    CHECK(s2 != s && s2 != file);
    CHECK_EQ(CHECK_OK(six_fcntl(file, F_GETFL)) & O_ACCMODE, O_RDONLY);
    CHECK_OK(six_close(file));
    CHECK_ERRNO(fcntl(file, F_GETFD), EBADF);
    h_done(&p);
}

TEST(connected_socket_gets_icmp_error) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int other = h_sock(&p, p.a, 253);   /* unconnected: no error for it */
    uint8_t buf[64];
    int err;
    socklen_t len = sizeof(err);

    h_connect(a, &p.addr_b);
    CHECK_OK(six_send(a, payload, sizeof(payload), 0));
    h_pump(&p);
    /* B has no socket for 253: Parameter Problem code 1, pointer 6. */
    CHECK_EQ(h_stats(p.b).ip6_in_unknown_proto, 1);
    CHECK_EQ(h_stats(p.b).icmp6_out_errors, 1);
    CHECK_EQ(h_stats(p.a).icmp6_in_errors, 1);
    struct pollfd pfd = {.fd = a, .events = POLLIN};
    CHECK_EQ(CHECK_OK(six_poll(&pfd, 1, 0)), 1);
    CHECK(pfd.revents & POLLERR);
    CHECK_ERRNO(h_recv(a, buf, sizeof(buf), NULL), ECONNREFUSED);
    CHECK_ERRNO(h_recv(a, buf, sizeof(buf), NULL), EAGAIN);
    H_NOTHING(other);
    /* SO_ERROR reads (and clears) the next one. */
    CHECK_OK(six_send(a, payload, sizeof(payload), 0));
    h_pump(&p);
    CHECK_OK(six_getsockopt(a, SOL_SOCKET, SO_ERROR, &err, &len));
    CHECK_EQ(err, ECONNREFUSED);
    CHECK_ERRNO(h_recv(a, buf, sizeof(buf), NULL), EAGAIN);
    h_done(&p);
}

TEST(close_then_use_is_ebadf) {
    struct hpair p;
    h_up(&p);
    int s = (int)CHECK_OK(six_socket_on(p.a, AF_INET6, SOCK_RAW, 253));
    uint8_t buf[8];
    int v = 1;
    CHECK_OK(six_close(s));
    CHECK(!six_is_socket(s));
    CHECK_ERRNO(h_sendto(s, &p.addr_b, payload, sizeof(payload)), EBADF);
    CHECK_ERRNO(six_recv(s, buf, sizeof(buf), MSG_DONTWAIT), EBADF);
    CHECK_ERRNO(six_setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v)), EBADF);
    CHECK_ERRNO(six_close(s), EBADF);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, 0);
    h_done(&p);
}

TEST(close_frees_queued_packets) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    int b0 = h_sock(&p, p.b, 0);
    for (int i = 0; i < 5; i++)
        h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK(six_stack_pkts_in_use(p.b) >= 5);
    h_close(&p, b);
    h_close(&p, b0);
    CHECK_EQ(six_stack_pkts_in_use(p.b), 0);
    h_done(&p);
}

TEST(rcvbuf_full_drops_and_counts) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    int small = 1024;   /* the smallest: doubled to 2048 like Linux */
    uint8_t big[900];
    memset(big, 0xab, sizeof(big));
    CHECK_OK(six_setsockopt(b, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)));
    for (int i = 0; i < 4; i++)
        h_send_ok(a, &p.addr_b, big, sizeof(big));
    h_pump(&p);
    /* Each datagram is charged the whole 2 KiB buffer it sits in (like
     * Linux's truesize): the first fills 2048, the other three drop. */
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 1);
    CHECK_EQ(h_stats(p.b).raw_in_rcvbuf_full, 3);
    expect_datagram(b, big, sizeof(big), &p.addr_a);
    H_NOTHING(b);
    h_done(&p);
}

/* A socket with a full buffer is passed over before a copy is made for
 * it: with the pool down to its last buffer, the socket with room still
 * gets the packet, and nothing is counted as a lack of buffers. */
TEST(full_socket_costs_no_copy) {
    struct hpair p;
    h_up_b_two_buffers(&p);
    int a = h_sock(&p, p.a, 253);
    int full = h_sock(&p, p.b, 253);
    int room = h_sock(&p, p.b, 253);
    int small = 1024;
    CHECK_OK(six_setsockopt(full, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)));
    send_expect(&p, a, room, &p.addr_a);
    /* One buffer left, held by full's queue; the next packet takes the
     * other. */
    send_expect(&p, a, room, &p.addr_a);
    CHECK_EQ(h_stats(p.b).raw_in_rcvbuf_full, 1);
    CHECK_EQ(h_stats(p.b).ip6_in_nobufs, 0);
    h_done(&p);
}

/* A socket keeps the route and source of its last send while nothing
 * changes; every change that could alter them is seen by the next send. */
TEST(route_and_source_follow_every_change) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    send_expect(&p, a, b, &p.addr_a);

    /* A better source appears (RFC 6724 rule 8, counted up to each
     * source's prefix: ::3/127 shares 127 bits with ::2, ::1/64 64): the
     * next send takes it. */
    struct in6_addr a3 = h_in6("2001:db8::3");
    CHECK_OK(six_addr_add(p.a, p.ifa, &a3, 127, 0));
    send_expect(&p, a, b, &a3);
    /* It goes again: back to the first. */
    CHECK_OK(six_addr_del(p.a, p.ifa, &a3));
    send_expect(&p, a, b, &p.addr_a);

    /* A route is taken away: no stale answer. */
    struct in6_addr far = h_in6("2001:db9::7");
    CHECK_OK(six_route_add(p.a, &far, 64, &p.addr_b, p.ifa));
    h_send_ok(a, &far, payload, sizeof(payload));
    CHECK_OK(six_route_del(p.a, &far, 64));
    CHECK_ERRNO(h_sendto(a, &far, payload, sizeof(payload)), ENETUNREACH);
    h_done(&p);
}

TEST(send_without_a_route_is_enetunreach_and_counted) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    struct in6_addr far = h_in6("2001:db9::1");
    struct sockaddr_in6 sin6 = h_sin6(&far, 0);
    CHECK_ERRNO(h_sendto(a, &far, payload, sizeof(payload)), ENETUNREACH);
    CHECK_EQ(h_stats(p.a).ip6_out_no_route, 1);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, 0);
    CHECK_ERRNO(six_connect(a, (struct sockaddr *)&sin6, sizeof(sin6)), ENETUNREACH);
    /* A route makes it go. */
    CHECK_OK(six_route_add(p.a, &far, 64, &p.addr_b, p.ifa));
    h_send_ok(a, &far, payload, sizeof(payload));
    CHECK_EQ(h_stats(p.a).ip6_out_requests, 1);
    h_done(&p);
}

TEST(second_copy_without_a_buffer_is_counted) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b1 = h_sock(&p, p.b, 253);
    int b2 = h_sock(&p, p.b, 253);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    /* B's first allocation takes the frame off the wire; the second, a
     * copy for the second socket, fails. */
    six_stack_fail_alloc(p.b, 2);
    h_pump(&p);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 1);
    CHECK_EQ(h_stats(p.b).ip6_in_nobufs, 1);
    uint8_t buf[64];
    int got = (h_recv(b1, buf, sizeof(buf), NULL) >= 0) + (h_recv(b2, buf, sizeof(buf), NULL) >= 0);
    CHECK_EQ(got, 1);
    h_done(&p);
}

TEST(link_local_source_carries_its_scope) {
    struct hpair p;
    h_up(&p);
    struct in6_addr lla = h_linklocal(p.a, p.ifa), llb = h_linklocal(p.b, p.ifb);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    struct sockaddr_in6 to = h_sin6(&llb, p.ifa), from;
    uint8_t buf[64];
    CHECK_EQ(CHECK_OK(six_sendto(a, payload, sizeof(payload), 0, (struct sockaddr *)&to,
                                 sizeof(to))),
             sizeof(payload));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), &from)), sizeof(payload));
    CHECK(h_addr_eq(&from.sin6_addr, &lla));
    CHECK_EQ(from.sin6_scope_id, p.ifb);
    /* Global sources carry no scope. */
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_OK(h_recv(b, buf, sizeof(buf), &from));
    CHECK_EQ(from.sin6_scope_id, 0);
    h_done(&p);
}

TEST(pktinfo_with_a_foreign_source_is_eaddrnotavail) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    } ctl;
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = sizeof(payload)};
    struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
    struct cmsghdr *cm = (struct cmsghdr *)ctl.b;
    struct in6_pktinfo pi = {.ipi6_addr = p.addr_b, .ipi6_ifindex = 0};

    memset(&ctl, 0, sizeof(ctl));
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_PKTINFO;
    cm->cmsg_len = CMSG_LEN(sizeof(pi));
    memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
    CHECK_ERRNO(six_sendmsg(a, &m, MSG_DONTWAIT), EADDRNOTAVAIL);
    /* An interface that does not exist. */
    pi.ipi6_addr = p.addr_a;
    pi.ipi6_ifindex = 99;
    memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
    CHECK_ERRNO(six_sendmsg(a, &m, MSG_DONTWAIT), ENXIO);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, 0);
    /* One of ours is fine. */
    struct in6_addr a2 = h_addr_add(&p, p.a, "2001:db8::11");
    pi.ipi6_addr = a2;
    pi.ipi6_ifindex = 0;
    memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
    CHECK_OK(six_sendmsg(a, &m, MSG_DONTWAIT));
    h_pump(&p);
    expect_datagram(b, payload, sizeof(payload), &a2);
    h_done(&p);
}

TEST(multicast_default_hop_limit_is_1) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    struct in6_addr all = h_in6("ff02::1");
    struct sockaddr_in6 to = h_sin6(&all, p.ifa);
    uint8_t buf[64];
    int hlim;

    /* RFC 3493 5.2: without IPV6_MULTICAST_HOPS, multicast leaves with
     * hop limit 1 whatever IPV6_UNICAST_HOPS says. */
    set_int(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9);
    set_int(b, IPPROTO_IPV6, IPV6_HOPLIMIT, 1);
    CHECK_EQ(six_sendto(a, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)),
             sizeof(payload));
    h_pump(&p);
    CHECK_OK(recv_hlim(b, buf, sizeof(buf), &hlim));
    CHECK_EQ(hlim, 1);
    h_done(&p);
}

TEST(recv_length_over_int_max_is_fine) {
    struct hpair p;
    uint8_t buf[64];
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    /* Only the bytes the datagram needs are touched: a huge length with a
     * small real buffer is legal as long as the datagram fits. */
    CHECK_EQ(six_recv(b, buf, (size_t)UINT32_MAX, MSG_DONTWAIT), sizeof(payload));
    CHECK_MEM(buf, payload, sizeof(payload));
    h_done(&p);
}

TEST(rcvtimeo_too_long_to_count_means_forever) {
    struct hpair p;
    struct timeval huge = {.tv_sec = (time_t)(UINT64_MAX / 1000000u), .tv_usec = 0}, back;
    socklen_t len = sizeof(back);
    h_up(&p);
    int b = h_sock(&p, p.b, 253);
    CHECK_OK(six_setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &huge, sizeof(huge)));
    CHECK_OK(six_getsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &back, &len));
    CHECK_EQ(back.tv_sec, 0);
    CHECK_EQ(back.tv_usec, 0);
    h_done(&p);
}

TEST(recvmsg_without_name_leaves_namelen) {
    struct hpair p;
    uint8_t buf[64];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_namelen = 77};
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(six_recvmsg(b, &m, MSG_DONTWAIT), sizeof(payload));
    CHECK_EQ(m.msg_namelen, 77);
    h_done(&p);
}

TEST(poll_waits_when_asked_only_for_unmeetable_pollout) {
    struct hpair p;
    struct timespec t0, t1;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    h_connect(a, &p.addr_b);
    CHECK_OK(six_shutdown(a, SHUT_WR));
    struct pollfd pfd = {.fd = a, .events = POLLOUT};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* Not writable after SHUT_WR: poll must sleep out its timeout, not
     * wake at once on the (always writable) eventfd and report nothing. */
    CHECK_EQ(six_poll(&pfd, 1, 60), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 50);
    CHECK_EQ(pfd.events, POLLOUT);   /* the caller's events are left as given */
    h_done(&p);
}
