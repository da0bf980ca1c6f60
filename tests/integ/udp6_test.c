/* UDP sockets between two stacks (harness.h: A 2001:db8::1 and B
 * 2001:db8::2 on a memwire pair), through the public API: send and
 * receive, bind rules, ephemeral ports, demultiplexing, the checksum,
 * ICMPv6 errors, ancillary data and privileges. */
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "harness.h"
#include "port/port.h"

#define PORT_B 5000

static int u_sock(struct hpair *p, struct six_stack *st) {
    int fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0));
    CHECK(p->nsocks < H_MAX_SOCKS);
    p->socks[p->nsocks++] = fd;
    return fd;
}

static struct sockaddr_in6 u_sin6(const struct in6_addr *a, uint16_t port) {
    struct sockaddr_in6 sin6 = h_sin6(a, 0);
    sin6.sin6_port = htons(port);
    return sin6;
}

static int u_bind(int fd, const struct in6_addr *a, uint16_t port) {
    struct sockaddr_in6 sin6 = u_sin6(a, port);
    return six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6));
}

static int u_connect(int fd, const struct in6_addr *a, uint16_t port) {
    struct sockaddr_in6 sin6 = u_sin6(a, port);
    return six_connect(fd, (struct sockaddr *)&sin6, sizeof(sin6));
}

static ssize_t u_sendto(int fd, const struct in6_addr *to, uint16_t port, const void *buf,
                        size_t len) {
    struct sockaddr_in6 sin6 = u_sin6(to, port);
    return six_sendto(fd, buf, len, 0, (struct sockaddr *)&sin6, sizeof(sin6));
}

static uint16_t u_port(int fd) {
    struct sockaddr_in6 sin6;
    socklen_t len = sizeof(sin6);
    CHECK_OK(six_getsockname(fd, (struct sockaddr *)&sin6, &len));
    return ntohs(sin6.sin6_port);
}

static const struct in6_addr any = IN6ADDR_ANY_INIT;

/* A UDP datagram from A to B's port, checksum filled (cksum_override
 * replaces it when non-negative), UDP length field = udp_len or, when 0,
 * the true length. */
static void u_frame(struct hpair *p, struct hframe *f, uint16_t sport, uint16_t dport,
                    const char *data, uint16_t udp_len, int cksum_override) {
    size_t n = strlen(data), off;
    uint8_t hdr[8] = {0};

    h_frame_ab(p, f, IPPROTO_UDP);
    h_put16(hdr, sport);
    h_put16(hdr + 2, dport);
    h_put16(hdr + 4, udp_len ? udp_len : (uint16_t)(8 + n));
    off = h_put(f, hdr, sizeof(hdr));
    h_put(f, data, n);
    h_end(f);
    h_put16(f->b + off + 6, cksum_override >= 0 ? (uint16_t)cksum_override
                                                : h_cksum(&p->addr_a, &p->addr_b, 17,
                                                          f->b + off, f->len - off));
}

TEST(udp_datagram_crosses_with_ports) {
    struct hpair p;
    char buf[64];
    struct sockaddr_in6 from;

    h_up(&p);
    int b = u_sock(&p, p.b), a = u_sock(&p, p.a);
    CHECK_OK(u_bind(b, &any, PORT_B));
    CHECK_EQ(CHECK_OK(u_sendto(a, &p.addr_b, PORT_B, "hello", 5)), 5);
    h_pump(&p);
    /* Sending bound A to an ephemeral port of the default range. */
    uint16_t pa = u_port(a);
    CHECK(pa >= 10000);
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), &from)), 5);
    CHECK_MEM(buf, "hello", 5);
    CHECK(h_addr_eq(&from.sin6_addr, &p.addr_a));
    CHECK_EQ(ntohs(from.sin6_port), pa);
    /* The answer goes back to where the datagram came from. */
    CHECK_EQ(CHECK_OK(six_sendto(b, "world", 5, 0, (struct sockaddr *)&from, sizeof(from))), 5);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(a, buf, sizeof(buf), &from)), 5);
    CHECK_MEM(buf, "world", 5);
    CHECK_EQ(ntohs(from.sin6_port), PORT_B);
    CHECK_EQ(h_stats(p.b).udp_in_delivered, 1);
    CHECK_EQ(h_stats(p.a).udp_out_datagrams, 1);
    h_done(&p);
}

TEST(udp_loopback_on_one_stack) {
    struct hpair p;
    char buf[16];

    h_up(&p);
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    int r = u_sock(&p, p.a), s = u_sock(&p, p.a);
    CHECK_OK(u_bind(r, &lo, 7));
    CHECK_OK(u_sendto(s, &lo, 7, "x", 1));
    /* Delivered before sendto returned. */
    CHECK_EQ(CHECK_OK(h_recv(r, buf, sizeof(buf), NULL)), 1);
    h_done(&p);
}

TEST(udp_connect_fixes_peer_source_and_filters) {
    struct hpair p;
    struct sockaddr_in6 sin6;
    socklen_t len = sizeof(sin6);
    char buf[16];

    h_up(&p);
    int a = u_sock(&p, p.a), b = u_sock(&p, p.b), b2 = u_sock(&p, p.b);
    CHECK_OK(u_bind(b, &any, PORT_B));
    CHECK_ERRNO(six_getpeername(a, (struct sockaddr *)&sin6, &len), ENOTCONN);
    CHECK_OK(u_connect(a, &p.addr_b, PORT_B));
    CHECK_ERRNO(u_connect(a, &p.addr_b, PORT_B), EISCONN);
    CHECK_OK(six_getsockname(a, (struct sockaddr *)&sin6, &len));
    CHECK(h_addr_eq(&sin6.sin6_addr, &p.addr_a));
    CHECK(ntohs(sin6.sin6_port) != 0);
    len = sizeof(sin6);
    CHECK_OK(six_getpeername(a, (struct sockaddr *)&sin6, &len));
    CHECK(h_addr_eq(&sin6.sin6_addr, &p.addr_b));
    CHECK_EQ(ntohs(sin6.sin6_port), PORT_B);
    CHECK_EQ(CHECK_OK(six_send(a, "abc", 3, 0)), 3);
    CHECK_ERRNO(u_sendto(a, &p.addr_b, PORT_B, "x", 1), EISCONN);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 3);
    /* A datagram from another port of B does not match the connection:
     * no socket wants it, and A answers port unreachable. */
    CHECK_OK(u_sendto(b2, &p.addr_a, u_port(a), "no", 2));
    h_pump(&p);
    H_NOTHING(a);
    CHECK_EQ(h_stats(p.a).udp_in_no_port, 1);
    /* From the peer's port it gets through. */
    CHECK_OK(u_sendto(b, &p.addr_a, u_port(a), "yes", 3));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(a, buf, sizeof(buf), NULL)), 3);
    h_done(&p);
}

TEST(udp_disconnect_keeps_port_drops_address) {
    struct hpair p;
    struct sockaddr_in6 sin6;
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    socklen_t len = sizeof(sin6);

    h_up(&p);
    int a = u_sock(&p, p.a);
    CHECK_OK(u_connect(a, &p.addr_b, PORT_B));
    uint16_t port = u_port(a);
    CHECK_OK(six_connect(a, &unspec, sizeof(unspec)));
    CHECK_OK(six_getsockname(a, (struct sockaddr *)&sin6, &len));
    CHECK(h_addr_eq(&sin6.sin6_addr, &any));
    CHECK_EQ(ntohs(sin6.sin6_port), port);
    CHECK_ERRNO(six_getpeername(a, (struct sockaddr *)&sin6, &len), ENOTCONN);
    CHECK_ERRNO(six_send(a, "x", 1, 0), ENOTCONN);
    h_done(&p);
}

TEST(udp_closed_port_refuses_connected_sender) {
    struct hpair p;
    char buf[16];

    h_up(&p);
    int a = u_sock(&p, p.a), lone = u_sock(&p, p.a), icmp = h_icmp_sock(&p, p.a);
    CHECK_OK(u_connect(a, &p.addr_b, 6000));
    CHECK_OK(six_send(a, "?", 1, 0));
    CHECK_OK(u_sendto(lone, &p.addr_b, 6000, "?", 1));
    h_pump(&p);
    CHECK_EQ(h_stats(p.b).udp_in_no_port, 2);
    /* RFC 4443 3.1: Destination Unreachable, code 4, quoting the datagram. */
    struct hicmp m;
    h_icmp_read(icmp, &m);
    CHECK_EQ(m.type, ICMP6_DST_UNREACH);
    CHECK_EQ(m.code, ICMP6_DST_UNREACH_NOPORT);
    CHECK_EQ(h_get16(m.msg + 8 + 40 + 2), 6000);
    CHECK_ERRNO(h_recv(a, buf, sizeof(buf), NULL), ECONNREFUSED);
    /* Reported once; an unconnected socket learns nothing. */
    H_NOTHING(a);
    H_NOTHING(lone);
    h_done(&p);
}

TEST(udp_zero_checksum_dropped) {
    struct hpair p;
    struct hframe f;

    h_up(&p);
    int b = u_sock(&p, p.b), icmp = h_icmp_sock(&p, p.a);
    CHECK_OK(u_bind(b, &any, PORT_B));
    u_frame(&p, &f, 1234, PORT_B, "data", 0, 0);
    h_inject(&p, &f);
    H_NOTHING(b);
    CHECK_EQ(h_stats(p.b).udp_in_zero_checksum, 1);
    H_NOTHING(icmp);
    h_done(&p);
}

TEST(udp_bad_checksum_dropped) {
    struct hpair p;
    struct hframe f;
    char buf[16];

    h_up(&p);
    int b = u_sock(&p, p.b);
    CHECK_OK(u_bind(b, &any, PORT_B));
    u_frame(&p, &f, 1234, PORT_B, "data", 0, -1);
    f.b[f.len - 1] ^= 1;
    h_inject(&p, &f);
    H_NOTHING(b);
    CHECK_EQ(h_stats(p.b).udp_in_bad_checksum, 1);
    /* The same frame intact arrives. */
    f.b[f.len - 1] ^= 1;
    h_inject(&p, &f);
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 4);
    h_done(&p);
}

TEST(udp_length_field_checked) {
    struct hpair p;
    struct hframe f;
    char buf[16];

    h_up(&p);
    int b = u_sock(&p, p.b);
    CHECK_OK(u_bind(b, &any, PORT_B));
    /* Below the header's own size, and past the packet: dropped. */
    u_frame(&p, &f, 1234, PORT_B, "data", 7, -1);
    h_inject(&p, &f);
    u_frame(&p, &f, 1234, PORT_B, "data", 13, -1);
    h_inject(&p, &f);
    H_NOTHING(b);
    CHECK_EQ(h_stats(p.b).udp_in_bad_length, 2);
    /* Shorter than the packet: the rest is not the datagram's. The
     * checksum covers the UDP length only. */
    u_frame(&p, &f, 1234, PORT_B, "data", 10, -1);
    size_t off = 40;
    h_put16(f.b + off + 6, 0);
    h_put16(f.b + off + 6, h_cksum(&p.addr_a, &p.addr_b, 17, f.b + off, 10));
    h_inject(&p, &f);
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 2);
    CHECK_MEM(buf, "da", 2);
    h_done(&p);
}

TEST(udp_bind_errors) {
    struct hpair p;
    struct in6_addr other = h_in6("2001:db8::99");

    h_up(&p);
    int s1 = u_sock(&p, p.b), s2 = u_sock(&p, p.b);
    CHECK_ERRNO(u_bind(s1, &other, PORT_B), EADDRNOTAVAIL);
    CHECK_OK(u_bind(s1, &any, PORT_B));
    CHECK_ERRNO(u_bind(s1, &any, PORT_B + 1), EINVAL);
    CHECK_ERRNO(u_bind(s2, &any, PORT_B), EADDRINUSE);
    /* Without SO_REUSEADDR the wildcard covers every address. */
    CHECK_ERRNO(u_bind(s2, &p.addr_b, PORT_B), EADDRINUSE);
    /* A failed bind changed nothing: s2 can still bind elsewhere. */
    CHECK_OK(u_bind(s2, &p.addr_b, PORT_B + 1));
    CHECK_EQ(u_port(s2), PORT_B + 1);
    struct sockaddr_in6 bad = u_sin6(&any, 1);
    bad.sin6_family = AF_INET;
    CHECK_ERRNO(six_bind(s2, (struct sockaddr *)&bad, sizeof(bad)), EAFNOSUPPORT);
    h_done(&p);
}

TEST(udp_reuse_options_share_ports) {
    struct hpair p;
    struct in6_addr group = h_in6("ff12::7");
    int one = 1;

    h_up(&p);
    int w = u_sock(&p, p.b), sp = u_sock(&p, p.b), r1 = u_sock(&p, p.b), r2 = u_sock(&p, p.b);
    int m1 = u_sock(&p, p.b), m2 = u_sock(&p, p.b), m3 = u_sock(&p, p.b);
    CHECK_OK(u_bind(w, &any, PORT_B));
    /* SO_REUSEADDR: a specific address beside the wildcard. */
    CHECK_OK(six_setsockopt(sp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
    int v = 0;
    socklen_t vl = sizeof(v);
    CHECK_OK(six_getsockopt(sp, SOL_SOCKET, SO_REUSEADDR, &v, &vl));
    CHECK_EQ(v, 1);
    CHECK_OK(u_bind(sp, &p.addr_b, PORT_B));
    /* SO_REUSEPORT on both: the very same address and port. */
    CHECK_OK(six_setsockopt(r1, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
    CHECK_OK(six_setsockopt(r2, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
    CHECK_OK(u_bind(r1, &p.addr_b, PORT_B + 1));
    CHECK_OK(u_bind(r2, &p.addr_b, PORT_B + 1));
    /* A multicast address: SO_REUSEADDR is enough, on both. */
    CHECK_OK(six_setsockopt(m1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
    CHECK_OK(six_setsockopt(m2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
    CHECK_OK(u_bind(m1, &group, PORT_B + 2));
    CHECK_OK(u_bind(m2, &group, PORT_B + 2));
    CHECK_ERRNO(u_bind(m3, &group, PORT_B + 2), EADDRINUSE);
    h_done(&p);
}

TEST(udp_reserved_ports_need_privilege) {
    struct hpair p;

    h_up(&p);
    h_privileged(0);
    int u = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    p.socks[p.nsocks++] = u;
    CHECK_ERRNO(u_bind(u, &any, 53), EACCES);
    int low = IPV6_PORTRANGE_LOW;
    CHECK_OK(six_setsockopt(u, IPPROTO_IPV6, IPV6_PORTRANGE, &low, sizeof(low)));
    CHECK_ERRNO(u_bind(u, &any, 0), EACCES);
    CHECK_OK(u_bind(u, &any, 1024));
    h_privileged(1);
    int r = u_sock(&p, p.b);
    CHECK_OK(u_bind(r, &any, 53));
    int lr = u_sock(&p, p.b);
    CHECK_OK(six_setsockopt(lr, IPPROTO_IPV6, IPV6_PORTRANGE, &low, sizeof(low)));
    CHECK_OK(u_bind(lr, &any, 0));
    CHECK(u_port(lr) >= 600 && u_port(lr) <= 1023);
    h_done(&p);
}

TEST(udp_port_ranges_and_exhaustion) {
    struct hpair p;
    unsigned first, last;
    int high = IPV6_PORTRANGE_HIGH;

    h_up(&p);
    CHECK_OK(six_stack_get_portrange(p.b, IPV6_PORTRANGE_HIGH, &first, &last));
    CHECK_EQ(first, 49152);
    CHECK_EQ(last, 65535);
    int h = u_sock(&p, p.b);
    CHECK_OK(six_setsockopt(h, IPPROTO_IPV6, IPV6_PORTRANGE, &high, sizeof(high)));
    CHECK_OK(u_bind(h, &any, 0));
    CHECK(u_port(h) >= 49152);
    CHECK_ERRNO(six_stack_set_portrange(p.b, IPV6_PORTRANGE_DEFAULT, 40003, 40001), EINVAL);
    CHECK_ERRNO(six_stack_set_portrange(p.b, IPV6_PORTRANGE_DEFAULT, 0, 10), EINVAL);
    CHECK_ERRNO(six_stack_set_portrange(p.b, 7, 1, 10), EINVAL);
    CHECK_OK(six_stack_set_portrange(p.b, IPV6_PORTRANGE_DEFAULT, 40001, 40003));
    int s[4], seen = 0;
    for (int i = 0; i < 3; i++) {
        s[i] = u_sock(&p, p.b);
        CHECK_OK(u_bind(s[i], &any, 0));
        uint16_t port = u_port(s[i]);
        CHECK(port >= 40001 && port <= 40003);
        seen |= 1 << (port - 40001);
    }
    CHECK_EQ(seen, 7);
    s[3] = u_sock(&p, p.b);
    CHECK_ERRNO(u_bind(s[3], &any, 0), EADDRNOTAVAIL);
    /* An unbound socket cannot send either: no port to send from. */
    CHECK_ERRNO(u_sendto(s[3], &p.addr_a, 9, "x", 1), EADDRNOTAVAIL);
    /* A closed socket gives its port back. */
    h_close(&p, s[1]);
    CHECK_OK(u_bind(s[3], &any, 0));
    h_done(&p);
}

TEST(udp_ephemeral_ports_are_random) {
    struct hpair p;
    uint16_t ports[8];
    int sequential = 1;

    h_up(&p);
    for (int i = 0; i < 8; i++) {
        int s = u_sock(&p, p.a);
        CHECK_OK(u_bind(s, &any, 0));
        ports[i] = u_port(s);
        if (i && ports[i] != ports[i - 1] + 1)
            sequential = 0;
    }
    CHECK(!sequential);
    CHECK(ports[0] != 10000);
    /* Another seed, another first port. */
    struct six_stack_config cfg = h_config(77);
    struct six_stack *st = six_stack_new(&cfg);
    CHECK(st != NULL);
    int s = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0));
    CHECK_OK(u_bind(s, &any, 0));
    CHECK(u_port(s) != ports[0]);
    CHECK_OK(six_close(s));
    six_stack_free(st);
    h_done(&p);
}

TEST(udp_most_specific_socket_wins) {
    struct hpair p;
    char buf[16];
    int one = 1;

    h_up(&p);
    int wild = u_sock(&p, p.b), spec = u_sock(&p, p.b), conn = u_sock(&p, p.b);
    int a = u_sock(&p, p.a), a2 = u_sock(&p, p.a);
    CHECK_OK(u_bind(a, &any, 4000));
    CHECK_OK(u_bind(a2, &any, 4001));
    CHECK_OK(six_setsockopt(spec, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
    CHECK_OK(six_setsockopt(conn, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
    CHECK_OK(six_setsockopt(spec, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
    CHECK_OK(u_bind(wild, &any, PORT_B));
    CHECK_OK(u_bind(spec, &p.addr_b, PORT_B));
    CHECK_OK(u_bind(conn, &p.addr_b, PORT_B));
    CHECK_OK(u_connect(conn, &p.addr_a, 4000));
    /* From A:4000: the connected socket. From A:4001: the bound one. */
    CHECK_OK(u_sendto(a, &p.addr_b, PORT_B, "c", 1));
    CHECK_OK(u_sendto(a2, &p.addr_b, PORT_B, "s", 1));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(conn, buf, sizeof(buf), NULL)), 1);
    CHECK_EQ(buf[0], 'c');
    CHECK_EQ(CHECK_OK(h_recv(spec, buf, sizeof(buf), NULL)), 1);
    CHECK_EQ(buf[0], 's');
    H_NOTHING(wild);
    /* To an address only the wildcard covers. */
    struct in6_addr b2 = h_addr_add(&p, p.b, "2001:db8::22");
    CHECK_OK(u_sendto(a, &b2, PORT_B, "w", 1));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(wild, buf, sizeof(buf), NULL)), 1);
    CHECK_EQ(buf[0], 'w');
    h_done(&p);
}

TEST(udp_many_sockets_each_get_their_datagram) {
    struct hpair p;
    enum { N = 300 };
    static int fds[N];
    struct six_stack_config cfg = h_config(2);

    cfg.max_sockets = N + 8;
    h_up_cfg(&p, NULL, &cfg);
    int a = u_sock(&p, p.a);
    for (int i = 0; i < N; i++) {
        fds[i] = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_DGRAM, 0));
        CHECK_OK(u_bind(fds[i], &any, (uint16_t)(20000 + i)));
    }
    for (int i = 0; i < N; i += 7) {
        CHECK_OK(u_sendto(a, &p.addr_b, (uint16_t)(20000 + i), &i, sizeof(i)));
        h_pump(&p);
        int got;
        CHECK_EQ(CHECK_OK(h_recv(fds[i], &got, sizeof(got), NULL)), sizeof(got));
        CHECK_EQ(got, i);
    }
    for (int i = 0; i < N; i++)
        CHECK_OK(six_close(fds[i]));
    h_done(&p);
}

TEST(udp_send_errors) {
    struct hpair p;
    static char big[65536];

    h_up(&p);
    int a = u_sock(&p, p.a);
    CHECK_ERRNO(u_sendto(a, &p.addr_b, 0, "x", 1), EINVAL);
    CHECK_ERRNO(u_connect(a, &p.addr_b, 0), EADDRNOTAVAIL);
    CHECK_ERRNO(u_sendto(a, &p.addr_b, 9, big, 65528), EMSGSIZE);
    CHECK_ERRNO(six_send(a, "x", 1, 0), ENOTCONN);
    struct in6_addr far = h_in6("2001:db9::1");
    CHECK_ERRNO(u_sendto(a, &far, 9, "x", 1), ENETUNREACH);
    /* Nothing above bound the socket. */
    CHECK_EQ(u_port(a), 0);
    h_done(&p);
}

TEST(udp_truncation_and_fionread) {
    struct hpair p;
    char buf[4];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    int n = 0;

    h_up(&p);
    int b = u_sock(&p, p.b), a = u_sock(&p, p.a);
    CHECK_OK(u_bind(b, &any, PORT_B));
    CHECK_OK(u_sendto(a, &p.addr_b, PORT_B, "0123456789", 10));
    h_pump(&p);
    CHECK_OK(six_ioctl(b, FIONREAD, &n));
    CHECK_EQ(n, 10);
    CHECK_EQ(CHECK_OK(six_recvmsg(b, &msg, MSG_PEEK | MSG_TRUNC)), 10);
    CHECK(msg.msg_flags & MSG_TRUNC);
    CHECK_EQ(CHECK_OK(six_recvmsg(b, &msg, 0)), 4);
    CHECK_MEM(buf, "0123", 4);
    CHECK(msg.msg_flags & MSG_TRUNC);
    H_NOTHING(b);
    h_done(&p);
}

TEST(udp_ancillary_data_on_receive_and_send) {
    struct hpair p;
    char buf[16], ctl[256];
    int one = 1;

    h_up(&p);
    int b = u_sock(&p, p.b), a = u_sock(&p, p.a);
    CHECK_OK(u_bind(b, &any, PORT_B));
    CHECK_OK(six_setsockopt(b, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)));
    CHECK_OK(six_setsockopt(b, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)));
    /* The hop limit from ancillary data, for this datagram only. */
    struct sockaddr_in6 to = u_sin6(&p.addr_b, PORT_B);
    struct iovec iov = {.iov_base = "hi", .iov_len = 2};
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } c;
    struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof(c.b)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_HOPLIMIT;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    int hl = 9;
    memcpy(CMSG_DATA(cm), &hl, sizeof(hl));
    CHECK_EQ(CHECK_OK(six_sendmsg(a, &m, 0)), 2);
    h_pump(&p);

    struct iovec riov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr r = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = ctl,
                       .msg_controllen = sizeof(ctl)};
    CHECK_EQ(CHECK_OK(six_recvmsg(b, &r, 0)), 2);
    int got_hl = -1, got_pi = 0;
    for (cm = CMSG_FIRSTHDR(&r); cm; cm = CMSG_NXTHDR(&r, cm)) {
        if (cm->cmsg_type == IPV6_HOPLIMIT)
            memcpy(&got_hl, CMSG_DATA(cm), sizeof(int));
        if (cm->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
            CHECK(h_addr_eq(&pi.ipi6_addr, &p.addr_b));
            CHECK_EQ(pi.ipi6_ifindex, p.ifb);
            got_pi = 1;
        }
    }
    CHECK_EQ(got_hl, 9);
    CHECK(got_pi);
    /* Malformed ancillary data: EINVAL and nothing sent. */
    cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_len = CMSG_LEN(2);
    CHECK_ERRNO(six_sendmsg(a, &m, 0), EINVAL);
    CHECK_EQ(h_stats(p.a).udp_out_datagrams, 1);
    h_done(&p);
}

/* Issue 3's privilege rules, testable now that an unprivileged process
 * can have a socket: ip6(4) says the option headers need privilege. */
TEST(udp_unprivileged_option_headers_refused) {
    struct hpair p;
    int one = 1, zero = 0;
    uint8_t hbh[8] = {0, 0, 1, 4, 0, 0, 0, 0};
    struct ipv6_mreq all = {.ipv6mr_interface = 0};

    h_up(&p);
    h_privileged(0);
    int u = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_DGRAM, 0));
    p.socks[p.nsocks++] = u;
    CHECK_ERRNO(six_setsockopt(u, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &one, sizeof(one)), EPERM);
    CHECK_ERRNO(six_setsockopt(u, IPPROTO_IPV6, IPV6_RECVDSTOPTS, &one, sizeof(one)), EPERM);
    CHECK_ERRNO(six_setsockopt(u, IPPROTO_IPV6, IPV6_RECVRTHDR, &one, sizeof(one)), EPERM);
    CHECK_ERRNO(six_setsockopt(u, IPPROTO_IPV6, IPV6_HOPOPTS, &one, sizeof(one)), EPERM);
    CHECK_ERRNO(six_setsockopt(u, IPPROTO_IPV6, IPV6_HOPOPTS, hbh, sizeof(hbh)), EPERM);
    CHECK_ERRNO(six_setsockopt(u, IPPROTO_IPV6, IPV6_JOIN_GROUP, &all, sizeof(all)), EPERM);
    /* Nothing changed; turning a switch off and pktinfo need nothing. */
    int v = -1;
    socklen_t vl = sizeof(v);
    CHECK_OK(six_getsockopt(u, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &v, &vl));
    CHECK_EQ(v, 0);
    CHECK_OK(six_setsockopt(u, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &zero, sizeof(zero)));
    CHECK_OK(six_setsockopt(u, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)));
    /* Raw sockets are refused outright. */
    CHECK_ERRNO(six_socket_on(p.b, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), EACCES);
    h_privileged(1);
    int r = u_sock(&p, p.b);
    CHECK_OK(six_setsockopt(r, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &one, sizeof(one)));
    h_done(&p);
}

/* One control object of type t carrying n bytes of h, in ctl. */
static size_t u_cmsg(void *ctl, int t, const uint8_t *h, size_t n) {
    struct cmsghdr *cm = ctl;
    memset(ctl, 0, CMSG_SPACE(n));
    cm->cmsg_len = CMSG_LEN(n);
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = t;
    memcpy(CMSG_DATA(cm), h, n);
    return CMSG_SPACE(n);
}

/* sendmsg to B's port with one control object; returns its result. */
static ssize_t u_send_cmsg(struct hpair *p, int fd, int t, const uint8_t *h, size_t n) {
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(64)];
    } ctl;
    struct sockaddr_in6 to = u_sin6(&p->addr_b, PORT_B);
    struct iovec iov = {.iov_base = (void *)"opt", .iov_len = 3};
    struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = ctl.b};
    m.msg_controllen = u_cmsg(ctl.b, t, h, n);
    return six_sendmsg(fd, &m, 0);
}

/* ip6(4): the option headers need privilege. Each of the four, whether
 * given as ancillary data, as a sticky option or inside IPV6_PKTOPTIONS:
 * refused with EPERM and nothing sent for an unprivileged socket, sent
 * for a privileged one. */
TEST(udp_option_headers_need_privilege_every_way) {
    static const int names[] = {IPV6_HOPOPTS, IPV6_DSTOPTS, IPV6_RTHDRDSTOPTS, IPV6_RTHDR};
    /* Option headers with one PadN; a type 0 routing header with no
     * addresses left to visit. */
    static const uint8_t opts[8] = {0, 0, 1, 4, 0, 0, 0, 0}, rth[8] = {0};
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(64)];
    } ctl;
    struct hpair p;
    char buf[8];

    h_up(&p);
    int b = u_sock(&p, p.b);
    CHECK_OK(u_bind(b, &any, PORT_B));
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const uint8_t *h = names[i] == IPV6_RTHDR ? rth : opts;
        uint64_t sent = h_stats(p.a).udp_out_datagrams;
        socklen_t cl = (socklen_t)u_cmsg(ctl.b, names[i], h, 8);

        h_privileged(0);
        int u = u_sock(&p, p.a);
        h_privileged(1);
        CHECK_ERRNO(u_send_cmsg(&p, u, names[i], h, 8), EPERM);
        CHECK_ERRNO(six_setsockopt(u, IPPROTO_IPV6, names[i], h, 8), EPERM);
        CHECK_ERRNO(six_setsockopt(u, IPPROTO_IPV6, IPV6_PKTOPTIONS, ctl.b, cl), EPERM);
        /* Nothing was sent and nothing stuck. */
        CHECK_OK(u_sendto(u, &p.addr_b, PORT_B, "x", 1));
        CHECK_EQ(h_stats(p.a).udp_out_datagrams, sent + 1);
        h_pump(&p);
        CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 1);
        socklen_t gl = sizeof(buf);
        CHECK_OK(six_getsockopt(u, IPPROTO_IPV6, names[i], buf, &gl));
        CHECK_EQ(gl, 0);

        int r = u_sock(&p, p.a);
        CHECK_EQ(CHECK_OK(u_send_cmsg(&p, r, names[i], h, 8)), 3);
        CHECK_OK(six_setsockopt(r, IPPROTO_IPV6, names[i], h, 8));
        CHECK_OK(six_setsockopt(r, IPPROTO_IPV6, IPV6_PKTOPTIONS, ctl.b, cl));
        CHECK_OK(u_sendto(r, &p.addr_b, PORT_B, "yz", 2));
        h_pump(&p);
        CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 3);
        CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 2);
    }
    h_done(&p);
}

TEST(udp_socket_options_of_other_types_refused) {
    struct hpair p;
    int v = 2;
    socklen_t vl = sizeof(v);
    struct icmp6_filter f;

    h_up(&p);
    int u = u_sock(&p, p.a);
    CHECK_ERRNO(six_setsockopt(u, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof(v)), ENOPROTOOPT);
    CHECK_ERRNO(six_getsockopt(u, IPPROTO_IPV6, IPV6_CHECKSUM, &v, &vl), ENOPROTOOPT);
    ICMP6_FILTER_SETPASSALL(&f);
    CHECK_ERRNO(six_setsockopt(u, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)), EOPNOTSUPP);
    CHECK_ERRNO(six_socket_on(p.a, AF_INET6, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
    CHECK_OK(six_getsockopt(u, SOL_SOCKET, SO_TYPE, &v, &vl));
    CHECK_EQ(v, SOCK_DGRAM);
    CHECK_OK(six_getsockopt(u, SOL_SOCKET, SO_PROTOCOL, &v, &vl));
    CHECK_EQ(v, IPPROTO_UDP);
    h_done(&p);
}

TEST(udp_receive_buffer_limit) {
    struct hpair p;
    int small = 1024;

    h_up(&p);
    int b = u_sock(&p, p.b), a = u_sock(&p, p.a);
    CHECK_OK(u_bind(b, &any, PORT_B));
    CHECK_OK(six_setsockopt(b, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)));
    for (int i = 0; i < 4; i++)
        CHECK_OK(u_sendto(a, &p.addr_b, PORT_B, "x", 1));
    h_pump(&p);
    /* 2 KiB of buffer, charged a whole packet buffer each. */
    CHECK_EQ(h_stats(p.b).udp_in_rcvbuf_full, 3);
    h_done(&p);
}

/* The stack trusts the checksums it computed itself on loopback, not ones
 * a raw socket wrote: a bad one over ::1 is still dropped. */
TEST(udp_bad_checksum_from_raw_socket_over_loopback_dropped) {
    struct hpair p;
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    uint8_t dgram[12] = {0x30, 0x39, 0x00, 0x07, 0x00, 12, 0xde, 0xad, 'o', 'o', 'p', 's'};
    char buf[16];

    h_up(&p);
    int r = u_sock(&p, p.a), raw = h_sock(&p, p.a, IPPROTO_UDP);
    CHECK_OK(u_bind(r, &lo, 7));
    h_send_ok(raw, &lo, dgram, sizeof(dgram));
    H_NOTHING(r);
    CHECK_EQ(h_stats(p.a).udp_in_bad_checksum, 1);
    /* A good checksum from the raw socket gets through. */
    h_put16(dgram + 6, 0);
    h_put16(dgram + 6, h_cksum(&lo, &lo, IPPROTO_UDP, dgram, sizeof(dgram)));
    h_send_ok(raw, &lo, dgram, sizeof(dgram));
    CHECK_EQ(CHECK_OK(h_recv(r, buf, sizeof(buf), NULL)), 4);
    h_done(&p);
}

/* Multicast to two members: a member whose buffer is full is passed over
 * before a copy is made for it, so with B's pool down to its last buffer
 * the member with room still gets the datagram. */
TEST(udp_full_member_costs_no_copy) {
    struct hpair p;
    h_up_b_two_buffers(&p);
    struct in6_addr g = h_in6("ff1e::77");
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = g, .ipv6mr_interface = p.ifb};
    struct sockaddr_in6 to = u_sin6(&g, PORT_B);
    int a = u_sock(&p, p.a), full = u_sock(&p, p.b), room = u_sock(&p, p.b);
    int one = 1, small = 1024;
    char buf[16];

    to.sin6_scope_id = p.ifa;
    for (int i = 0; i < 2; i++) {
        int fd = i ? room : full;
        CHECK_OK(six_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
        CHECK_OK(u_bind(fd, &any, PORT_B));
        CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)));
    }
    CHECK_OK(six_setsockopt(full, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)));
    h_pump(&p);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(CHECK_OK(six_sendto(a, "hi", 2, 0, (struct sockaddr *)&to, sizeof(to))), 2);
        h_pump(&p);
        CHECK_EQ(six_recv(room, buf, sizeof(buf), MSG_DONTWAIT), 2);
    }
    CHECK_EQ(h_stats(p.b).udp_in_rcvbuf_full, 1);
    CHECK_EQ(h_stats(p.b).ip6_in_nobufs, 0);
    h_done(&p);
}

/* ---- SOL_SOCKET options and their datagram meaning ---- */

/* SO_KEEPALIVE (no connection to keep) and SO_BROADCAST (no broadcast in
 * IPv6) mean nothing on a datagram socket: refused, not ignored. */
TEST(udp_keepalive_and_broadcast_refused) {
    static const int names[] = {SO_KEEPALIVE, SO_BROADCAST};
    struct hpair p;
    int one = 1, v;
    socklen_t vl = sizeof(v);

    h_up(&p);
    int u = u_sock(&p, p.a), r = h_sock(&p, p.a, 253);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        CHECK_ERRNO(six_setsockopt(u, SOL_SOCKET, names[i], &one, sizeof(one)), ENOPROTOOPT);
        CHECK_ERRNO(six_setsockopt(r, SOL_SOCKET, names[i], &one, sizeof(one)), ENOPROTOOPT);
        CHECK_ERRNO(six_getsockopt(u, SOL_SOCKET, names[i], &v, &vl), ENOPROTOOPT);
    }
    h_done(&p);
}

/* SO_SNDBUF bounds the datagram a send takes (what getsockopt reads: the
 * value asked for, doubled as Linux does); beyond it EMSGSIZE and nothing
 * sent. */
TEST(udp_sndbuf_bounds_the_datagram) {
    static uint8_t big[4096];
    struct hpair p;
    int v = 1024;
    socklen_t vl = sizeof(v);

    h_up(&p);
    int b = u_sock(&p, p.b), a = u_sock(&p, p.a), r = h_sock(&p, p.a, 253);
    CHECK_OK(u_bind(b, &any, PORT_B));
    CHECK_EQ(CHECK_OK(u_sendto(a, &p.addr_b, PORT_B, big, 4096)), 4096);
    CHECK_OK(six_setsockopt(a, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
    CHECK_OK(six_setsockopt(r, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
    CHECK_OK(six_getsockopt(a, SOL_SOCKET, SO_SNDBUF, &v, &vl));
    CHECK_EQ(v, 2048);
    uint64_t sent = h_stats(p.a).ip6_out_requests;
    CHECK_ERRNO(u_sendto(a, &p.addr_b, PORT_B, big, 2049), EMSGSIZE);
    CHECK_ERRNO(h_sendto(r, &p.addr_b, big, 2049), EMSGSIZE);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, sent);
    CHECK_EQ(CHECK_OK(u_sendto(a, &p.addr_b, PORT_B, big, 2048)), 2048);
    h_send_ok(r, &p.addr_b, big, 2048);
    h_pump(&p);
    char buf[4096];
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 4096);
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 2048);
    h_done(&p);
}

/* SO_DONTROUTE: only destinations on a link of the stack's (BSD): through
 * a gateway ENETUNREACH, on-link ones as before. */
TEST(udp_dontroute_sends_on_link_only) {
    struct hpair p;
    int one = 1, v = 0;
    socklen_t vl = sizeof(v);
    struct in6_addr far = h_in6("2001:db8:99::7"), net = h_in6("2001:db8:99::");

    h_up(&p);
    CHECK_OK(six_route_add(p.a, &net, 64, &p.addr_b, p.ifa));
    int b = u_sock(&p, p.b), a = u_sock(&p, p.a), r = h_sock(&p, p.a, 253);
    CHECK_OK(u_bind(b, &any, PORT_B));
    CHECK_OK(u_sendto(a, &far, PORT_B, "gw", 2));   /* through B, without the option */
    CHECK_OK(six_setsockopt(a, SOL_SOCKET, SO_DONTROUTE, &one, sizeof(one)));
    CHECK_OK(six_setsockopt(r, SOL_SOCKET, SO_DONTROUTE, &one, sizeof(one)));
    CHECK_OK(six_getsockopt(a, SOL_SOCKET, SO_DONTROUTE, &v, &vl));
    CHECK_EQ(v, 1);
    uint64_t sent = h_stats(p.a).ip6_out_requests;
    CHECK_ERRNO(u_sendto(a, &far, PORT_B, "gw", 2), ENETUNREACH);
    CHECK_ERRNO(h_sendto(r, &far, "gw", 2), ENETUNREACH);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, sent);
    CHECK_OK(u_sendto(a, &p.addr_b, PORT_B, "on-link", 7));
    h_pump(&p);
    char buf[16];
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), NULL)), 7);
    H_NOTHING(b);   /* B routes nothing: the first went elsewhere */
    h_done(&p);
}

struct blocked_send {
    int fd;
    struct sockaddr_in6 to;
    ssize_t rc;
    int err;
    atomic_int done;
};

static void *blocked_send_main(void *arg) {
    struct blocked_send *bs = arg;
    bs->rc = six_sendto(bs->fd, "late", 4, 0, (struct sockaddr *)&bs->to, sizeof(bs->to));
    bs->err = errno;
    atomic_store(&bs->done, 1);
    return NULL;
}

/* Lets the sender thread run (bare has no threads and no nanosleep: the
 * one case that calls this is left out on the board, tests.cmake). */
static void pause_a_little(void) {
#ifndef SIX_PORT_BARE
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
#endif
}

/* Moves A's manual clock in steps of step_us until the sender is done;
 * returns how far it moved. */
static uint64_t advance_until_done(struct hpair *p, struct blocked_send *bs, uint64_t step_us) {
    uint64_t moved = 0;
    while (!atomic_load(&bs->done)) {
        pause_a_little();
        CHECK_OK(six_stack_set_time(p->a, six_stack_now(p->a) + step_us));
        moved += step_us;
        CHECK(moved < 100000000u);
    }
    return moved;
}

/* SO_SNDTIMEO bounds a blocking send: out of packet buffers (A's two held
 * by a socket that does not read), the send waits up to the timeout, on
 * the stack's clock, then EAGAIN; a buffer freed meanwhile lets it go. */
TEST(udp_sndtimeo_bounds_a_blocking_send) {
    struct six_stack_config ca = h_config(1);
    struct timeval tv = {.tv_sec = 1};
    struct blocked_send bs = {0};
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    struct hpair p;
    six_port_thread th;
    char buf[8];

    ca.pkt_small_max = 2;
    ca.pkt_large_max = 0;
    h_up_cfg(&p, &ca, NULL);
    int hold = u_sock(&p, p.a), a = u_sock(&p, p.a);
    CHECK_OK(u_bind(hold, &lo, 7));
    CHECK_OK(u_sendto(a, &lo, 7, "1", 1));
    CHECK_OK(u_sendto(a, &lo, 7, "2", 1));
    CHECK_ERRNO(u_sendto(a, &lo, 7, "3", 1), ENOBUFS);   /* no timeout: at once */
    CHECK_OK(six_setsockopt(a, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
    CHECK_ERRNO(six_sendto(a, "4", 1, MSG_DONTWAIT, (struct sockaddr *)&(struct sockaddr_in6){
                               .sin6_family = AF_INET6, .sin6_addr = lo, .sin6_port = htons(7)},
                           sizeof(struct sockaddr_in6)),
                ENOBUFS);
    bs.fd = a;
    bs.to = u_sin6(&lo, 7);
    CHECK_EQ(six_port_thread_start(&th, blocked_send_main, &bs), 0);
    uint64_t waited = advance_until_done(&p, &bs, 100000);
    six_port_thread_join(&th);
    CHECK_EQ(bs.rc, -1);
    CHECK_EQ(bs.err, EAGAIN);
    CHECK(waited >= 1000000);
    /* Again, and a buffer comes back while it waits. */
    atomic_store(&bs.done, 0);
    CHECK_EQ(six_port_thread_start(&th, blocked_send_main, &bs), 0);
    CHECK_EQ(CHECK_OK(h_recv(hold, buf, sizeof(buf), NULL)), 1);
    waited = advance_until_done(&p, &bs, 1000);
    six_port_thread_join(&th);
    CHECK_EQ(bs.rc, 4);
    CHECK(waited < 1000000);
    CHECK_EQ(CHECK_OK(h_recv(hold, buf, sizeof(buf), NULL)), 1);
    CHECK_EQ(CHECK_OK(h_recv(hold, buf, sizeof(buf), NULL)), 4);
    h_done(&p);
}
