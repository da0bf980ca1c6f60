/* Path MTU discovery through the public API (RFC 8201; RFC 3542 11.3 and
 * 11.4): Packet Too Big messages injected into A lower the estimate for
 * the destination of the packet they quote, which the next send and
 * IPV6_PATHMTU show; the estimate ages back to the link MTU on the stack
 * clock; the sockets concerned hear of it (IPV6_RECVPATHMTU notices,
 * EMSGSIZE on connected sockets). Sends are judged on A's capture.
 *
 *   A 2001:db8::1 --- memwire, MTU 1500 --- B 2001:db8::2
 *   PTBs come "from" B (a router on the path would do the same).
 */
#include <poll.h>

#include "hcap.h"

#define SEC 1000000ull

static uint8_t payload[4096];

static void set_int(int fd, int name, int v) {
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, name, &v, sizeof(v)));
}

/* Injects into A a Packet Too Big reporting mtu, quoting the start of a
 * packet from src to dst of protocol nxt whose first upper-layer bytes
 * are l4 (l4_len). */
static void ptb_quoting(struct hpair *p, const struct in6_addr *src, const struct in6_addr *dst,
                        uint8_t nxt, const void *l4, size_t l4_len, uint32_t mtu) {
    static struct hframe f;
    uint8_t q[1232];
    size_t qlen = 40 + 1000;

    memset(q, 0xab, sizeof(q));
    memset(q, 0, 40);
    q[0] = 0x60;
    h_put16(q + 4, 1400);
    q[6] = nxt;
    q[7] = 64;
    memcpy(q + 8, src, 16);
    memcpy(q + 24, dst, 16);
    memcpy(q + 40, l4, l4_len);
    h_ip6(&f, &p->addr_b, &p->addr_a, 58, 64);
    h_icmp6(&f, ICMP6_PACKET_TOO_BIG, 0, mtu, q, qlen);
    CHECK_OK(six_if_inject(p->a, p->ifa, f.b, f.len));
    h_pump(p);
}

/* A PTB about a raw (protocol 253) packet from A to dst. */
static void ptb(struct hpair *p, const struct in6_addr *dst, uint32_t mtu) {
    uint8_t l4[8] = {0};
    ptb_quoting(p, &p->addr_a, dst, 253, l4, sizeof(l4), mtu);
}

/* A PTB about a UDP datagram from A's sport to dst's dport. */
static void ptb_udp(struct hpair *p, const struct in6_addr *dst, uint16_t sport, uint16_t dport,
                    uint32_t mtu) {
    uint8_t l4[8] = {0};
    h_put16(l4, sport);
    h_put16(l4 + 2, dport);
    ptb_quoting(p, &p->addr_a, dst, IPPROTO_UDP, l4, sizeof(l4), mtu);
}

/* A raw socket on B for protocol 253, so that B takes A's packets
 * instead of answering them with Parameter Problems. */
static void b_listens(struct hpair *p) { h_sock(p, p->b, 253); }

/* How many frames a send of len bytes from fd to dst (NULL: connected)
 * puts on the wire. */
static int frames_for(struct hpair *p, int fd, const struct in6_addr *dst, size_t len,
                      unsigned *largest) {
    struct hcap c;
    int n;

    hcap_start(&c, p->a, p->ifa, "send");
    if (dst)
        h_send_ok(fd, dst, payload, len);
    else
        CHECK_EQ(six_send(fd, payload, len, 0), len);
    h_pump(p);
    hcap_stop(&c);
    n = hcap_from(&c, &p->addr_a);
    *largest = 0;
    for (int i = 0; i < n; i++)
        if (c.f[i].len > *largest)
            *largest = c.f[i].len;
    hcap_free(&c);
    return n;
}

static uint32_t pathmtu(int fd) {
    struct ip6_mtuinfo mi;
    socklen_t len = sizeof(mi);
    CHECK_OK(six_getsockopt(fd, IPPROTO_IPV6, IPV6_PATHMTU, &mi, &len));
    return mi.ip6m_mtu;
}

/* Reads a notice: no data, the name, one IPV6_PATHMTU object. */
struct notice {
    ssize_t rc;
    struct sockaddr_in6 from;
    struct ip6_mtuinfo mi;
    int nobj;
    int flags;
};

static struct notice read_notice(int fd, int flags, size_t ctl_len) {
    struct notice n;
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } ctl;
    uint8_t buf[64];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_name = &n.from, .msg_namelen = sizeof(n.from), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = ctl_len};

    memset(&n, 0, sizeof(n));
    memset(&n.mi, 0xee, sizeof(n.mi));
    n.rc = six_recvmsg(fd, &m, flags | MSG_DONTWAIT);
    n.flags = m.msg_flags;
    if (n.rc < 0)
        return n;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
        n.nobj++;
        CHECK_EQ(cm->cmsg_level, IPPROTO_IPV6);
        CHECK_EQ(cm->cmsg_type, IPV6_PATHMTU);
        CHECK_EQ(cm->cmsg_len, CMSG_LEN(sizeof(struct ip6_mtuinfo)));
        memcpy(&n.mi, CMSG_DATA(cm), sizeof(n.mi));
    }
    return n;
}

TEST(ptb_lowers_the_path_mtu_and_the_next_send_fragments_smaller) {
    struct hpair p;
    unsigned largest;

    h_up(&p);
    b_listens(&p);
    int s = h_sock(&p, p.a, 253);
    h_connect(s, &p.addr_b);
    CHECK_EQ(pathmtu(s), 1500);
    CHECK_EQ(frames_for(&p, s, NULL, 1400, &largest), 1);
    ptb(&p, &p.addr_b, 1300);
    CHECK_EQ(h_stats(p.a).pmtu_ptb_received, 1);
    CHECK_EQ(h_stats(p.a).pmtu_updates, 1);
    CHECK_EQ(pathmtu(s), 1300);
    CHECK_ERRNO(h_recv(s, payload, sizeof(payload), NULL), EMSGSIZE);
    CHECK_EQ(frames_for(&p, s, NULL, 1400, &largest), 2);
    CHECK_EQ(largest, 1296);   /* 40 + 8 + 1248 */
    /* Other destinations keep the link MTU. */
    struct in6_addr c = h_addr_add(&p, p.b, "2001:db8::3");
    int t = h_sock(&p, p.a, 253);
    CHECK_EQ(frames_for(&p, t, &c, 1400, &largest), 1);
    h_done(&p);
}

TEST(ptb_below_1280_is_discarded) {
    struct hpair p;
    unsigned largest;

    h_up(&p);
    b_listens(&p);
    int s = h_sock(&p, p.a, 253);
    h_connect(s, &p.addr_b);
    ptb(&p, &p.addr_b, 1279);
    ptb(&p, &p.addr_b, 576);
    CHECK_EQ(h_stats(p.a).pmtu_ptb_too_small, 2);
    CHECK_EQ(h_stats(p.a).pmtu_updates, 0);
    CHECK_EQ(pathmtu(s), 1500);
    CHECK_EQ(frames_for(&p, s, NULL, 1400, &largest), 1);
    /* Nothing reached the socket either. */
    H_NOTHING(s);
    ptb(&p, &p.addr_b, 1280);
    CHECK_EQ(pathmtu(s), 1280);
    h_done(&p);
}

TEST(ptb_above_the_link_mtu_or_the_estimate_is_ignored) {
    struct hpair p;

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    h_connect(s, &p.addr_b);
    ptb(&p, &p.addr_b, 1600);
    ptb(&p, &p.addr_b, 1500);
    CHECK_EQ(pathmtu(s), 1500);
    ptb(&p, &p.addr_b, 1400);
    CHECK_ERRNO(h_recv(s, payload, sizeof(payload), NULL), EMSGSIZE);
    ptb(&p, &p.addr_b, 1450);
    ptb(&p, &p.addr_b, 1400);
    CHECK_EQ(pathmtu(s), 1400);
    CHECK_EQ(h_stats(p.a).pmtu_ptb_not_lower, 4);
    /* Ignored messages tell the socket nothing. */
    H_NOTHING(s);
    h_done(&p);
}

TEST(ptb_quoting_a_packet_we_did_not_send_is_ignored) {
    struct hpair p;
    static struct hframe f;
    uint8_t l4[8] = {0};
    struct in6_addr stranger = h_in6("2001:db8::99");

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    h_connect(s, &p.addr_b);
    ptb_quoting(&p, &stranger, &p.addr_b, 253, l4, sizeof(l4), 1300);
    CHECK_EQ(h_stats(p.a).pmtu_ptb_not_ours, 1);
    /* Too short to quote a header: whose packet it was is unknown. */
    h_ip6(&f, &p.addr_b, &p.addr_a, 58, 64);
    h_icmp6(&f, ICMP6_PACKET_TOO_BIG, 0, 1300, l4, sizeof(l4));
    CHECK_OK(six_if_inject(p.a, p.ifa, f.b, f.len));
    h_pump(&p);
    CHECK_EQ(h_stats(p.a).pmtu_ptb_not_ours, 2);
    CHECK_EQ(pathmtu(s), 1500);
    H_NOTHING(s);
    h_done(&p);
}

TEST(estimate_ages_back_to_the_link_mtu_after_ten_minutes) {
    struct hpair p;
    unsigned largest;

    h_up(&p);
    b_listens(&p);
    int s = h_sock(&p, p.a, 253);
    h_connect(s, &p.addr_b);
    ptb(&p, &p.addr_b, 1300);
    h_advance(&p, 600 * SEC - 1);
    CHECK_EQ(pathmtu(s), 1300);
    CHECK_EQ(h_stats(p.a).pmtu_expired, 0);
    h_advance(&p, 1);
    CHECK_EQ(h_stats(p.a).pmtu_expired, 1);
    CHECK_EQ(pathmtu(s), 1500);
    CHECK_EQ(frames_for(&p, s, NULL, 1400, &largest), 1);
    h_done(&p);
}

TEST(aging_time_comes_from_the_config) {
    struct hpair p;
    struct six_stack_config ca = h_config(1);

    ca.pmtu_expire_s = 5;
    h_up_cfg(&p, &ca, NULL);
    int s = h_sock(&p, p.a, 253);
    h_connect(s, &p.addr_b);
    ptb(&p, &p.addr_b, 1300);
    h_advance(&p, 5 * SEC - 1);
    CHECK_EQ(pathmtu(s), 1300);
    h_advance(&p, 1);
    CHECK_EQ(pathmtu(s), 1500);
    h_done(&p);
}

TEST(config_defaults_are_256_entries_and_600_seconds) {
    struct six_stack_config cfg;
    six_stack_config_init(&cfg);
    CHECK_EQ(cfg.pmtu_cache_max, 256);
    CHECK_EQ(cfg.pmtu_expire_s, 600);
}

/* ---- what sockets hear (RFC 3542 11.3) ---- */

TEST(recvpathmtu_delivers_a_notice_without_data) {
    struct hpair p;
    struct notice n;

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    set_int(s, IPV6_RECVPATHMTU, 1);
    ptb(&p, &p.addr_b, 1300);
    struct pollfd pfd = {.fd = s, .events = POLLIN};
    CHECK_EQ(six_poll(&pfd, 1, 0), 1);
    CHECK(pfd.revents & POLLIN);
    /* MSG_PEEK leaves it; the next read takes it. */
    n = read_notice(s, MSG_PEEK, 256);
    CHECK_EQ(n.rc, 0);
    n = read_notice(s, 0, 256);
    CHECK_EQ(n.rc, 0);
    CHECK_EQ(n.flags, 0);
    CHECK_EQ(n.nobj, 1);
    CHECK_EQ(n.mi.ip6m_mtu, 1300);
    CHECK_EQ(n.mi.ip6m_addr.sin6_family, AF_INET6);
    CHECK(h_addr_eq(&n.mi.ip6m_addr.sin6_addr, &p.addr_b));
    CHECK(h_addr_eq(&n.from.sin6_addr, &p.addr_b));
    CHECK_EQ(h_stats(p.a).pmtu_notices, 1);
    H_NOTHING(s);
    CHECK_EQ(six_poll(&pfd, 1, 0), 0);
    h_done(&p);
}

TEST(recvpathmtu_keeps_the_newest_notice_and_goes_first) {
    struct hpair p;
    struct notice n;
    struct in6_addr c = h_in6("2001:db8::3");
    uint8_t buf[16];

    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    set_int(a, IPV6_RECVPATHMTU, 1);
    /* A datagram from B waits on a; then two notices. */
    int from_b = h_sock(&p, p.b, 253);
    h_send_ok(from_b, &p.addr_a, "hello", 5);
    h_pump(&p);
    ptb(&p, &p.addr_b, 1400);
    ptb(&p, &c, 1300);
    n = read_notice(a, 0, 256);
    CHECK_EQ(n.rc, 0);
    CHECK_EQ(n.mi.ip6m_mtu, 1300);
    CHECK(h_addr_eq(&n.mi.ip6m_addr.sin6_addr, &c));
    CHECK_EQ(h_recv(a, buf, sizeof(buf), NULL), 5);
    H_NOTHING(a);
    h_done(&p);
}

TEST(recvpathmtu_turned_off_drops_the_waiting_notice) {
    struct hpair p;

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    set_int(s, IPV6_RECVPATHMTU, 1);
    ptb(&p, &p.addr_b, 1300);
    set_int(s, IPV6_RECVPATHMTU, 0);
    H_NOTHING(s);
    struct pollfd pfd = {.fd = s, .events = POLLIN};
    CHECK_EQ(six_poll(&pfd, 1, 0), 0);
    h_done(&p);
}

TEST(notice_that_does_not_fit_sets_ctrunc) {
    struct hpair p;
    struct notice n;

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    set_int(s, IPV6_RECVPATHMTU, 1);
    ptb(&p, &p.addr_b, 1300);
    n = read_notice(s, 0, CMSG_LEN(4));
    CHECK_EQ(n.rc, 0);
    CHECK(n.flags & MSG_CTRUNC);
    CHECK_EQ(n.nobj, 0);
    h_done(&p);
}

TEST(connected_socket_gets_emsgsize_once) {
    struct hpair p;

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    h_connect(s, &p.addr_b);
    ptb(&p, &p.addr_b, 1300);
    CHECK_ERRNO(h_recv(s, payload, sizeof(payload), NULL), EMSGSIZE);
    H_NOTHING(s);
    CHECK_EQ(h_stats(p.a).pmtu_errors, 1);
    h_done(&p);
}

TEST(connected_socket_with_recvpathmtu_gets_the_notice_not_the_error) {
    struct hpair p;
    struct notice n;

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    h_connect(s, &p.addr_b);
    set_int(s, IPV6_RECVPATHMTU, 1);
    ptb(&p, &p.addr_b, 1300);
    n = read_notice(s, 0, 256);
    CHECK_EQ(n.rc, 0);
    CHECK_EQ(n.mi.ip6m_mtu, 1300);
    H_NOTHING(s);
    h_done(&p);
}

TEST(ptb_reaches_only_the_sockets_it_concerns) {
    struct hpair p;
    struct in6_addr c = h_in6("2001:db8::3");

    h_up(&p);
    struct in6_addr a2 = h_addr_add(&p, p.a, "2001:db8::11");
    int to_b = h_sock(&p, p.a, 253);
    int to_c = h_sock(&p, p.a, 253);
    int bound_other = h_sock(&p, p.a, 253);
    int other_proto = h_sock(&p, p.a, 254);
    int unconnected = h_sock(&p, p.a, 253);
    int any_proto = h_sock(&p, p.a, 0);
    h_connect(to_b, &p.addr_b);
    h_connect(to_c, &c);
    h_bind(bound_other, &a2);
    h_connect(bound_other, &p.addr_b);
    h_connect(other_proto, &p.addr_b);
    h_connect(any_proto, &p.addr_b);
    ptb(&p, &p.addr_b, 1300);
    CHECK_ERRNO(h_recv(to_b, payload, sizeof(payload), NULL), EMSGSIZE);
    /* Protocol 0 sockets see every protocol (as for other errors). */
    CHECK_ERRNO(h_recv(any_proto, payload, sizeof(payload), NULL), EMSGSIZE);
    H_NOTHING(to_c);
    H_NOTHING(bound_other);
    H_NOTHING(other_proto);
    H_NOTHING(unconnected);
    CHECK_EQ(h_stats(p.a).pmtu_errors, 2);
    h_done(&p);
}

TEST(ptb_still_reaches_icmpv6_raw_sockets_as_a_message) {
    struct hpair p;
    struct hicmp m;

    h_up(&p);
    int icmp = h_icmp_sock(&p, p.a);
    ptb(&p, &p.addr_b, 1300);
    ptb(&p, &p.addr_b, 1000);   /* ignored by path MTU, still a message */
    h_icmp_read(icmp, &m);
    CHECK_EQ(m.type, ICMP6_PACKET_TOO_BIG);
    CHECK_EQ(m.word, 1300);
    h_icmp_read(icmp, &m);
    CHECK_EQ(m.word, 1000);
    h_done(&p);
}

TEST(dontfrag_refusal_with_recvpathmtu_leaves_a_notice) {
    struct hpair p;
    struct notice n;

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    set_int(s, IPV6_DONTFRAG, 1);
    set_int(s, IPV6_RECVPATHMTU, 1);
    ptb(&p, &p.addr_b, 1400);
    n = read_notice(s, 0, 256);
    CHECK_EQ(n.mi.ip6m_mtu, 1400);
    CHECK_ERRNO(h_sendto(s, &p.addr_b, payload, 1361), EMSGSIZE);
    n = read_notice(s, 0, 256);
    CHECK_EQ(n.rc, 0);
    CHECK_EQ(n.mi.ip6m_mtu, 1400);
    CHECK(h_addr_eq(&n.mi.ip6m_addr.sin6_addr, &p.addr_b));
    /* IPV6_USE_MIN_MTU refused it: the notice says 1280. */
    set_int(s, IPV6_USE_MIN_MTU, 1);
    CHECK_ERRNO(h_sendto(s, &p.addr_b, payload, 1300), EMSGSIZE);
    n = read_notice(s, 0, 256);
    CHECK_EQ(n.mi.ip6m_mtu, 1280);
    /* Without the option, only EMSGSIZE. */
    set_int(s, IPV6_RECVPATHMTU, 0);
    CHECK_ERRNO(h_sendto(s, &p.addr_b, payload, 1300), EMSGSIZE);
    H_NOTHING(s);
    h_done(&p);
}

TEST(pathmtu_option_needs_a_connection_and_ignores_use_min_mtu) {
    struct hpair p;
    struct ip6_mtuinfo mi;
    socklen_t len = sizeof(mi);

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    CHECK_ERRNO(six_getsockopt(s, IPPROTO_IPV6, IPV6_PATHMTU, &mi, &len), ENOTCONN);
    h_connect(s, &p.addr_b);
    set_int(s, IPV6_USE_MIN_MTU, 1);
    CHECK_EQ(pathmtu(s), 1500);
    ptb(&p, &p.addr_b, 1320);
    CHECK_EQ(pathmtu(s), 1320);
    CHECK_OK(six_if_set_mtu(p.a, p.ifa, 1300));
    CHECK_EQ(pathmtu(s), 1300);
    h_done(&p);
}

/* ---- UDP ---- */

static int udp_on(struct hpair *p, uint16_t port) {
    int u = (int)CHECK_OK(six_socket_on(p->a, AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 sin6 = h_sin6(&p->addr_a, 0);
    sin6.sin6_port = htons(port);
    CHECK_OK(six_bind(u, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK(p->nsocks < H_MAX_SOCKS);
    p->socks[p->nsocks++] = u;
    return u;
}

static void udp_connect(int u, const struct in6_addr *a, uint16_t port) {
    struct sockaddr_in6 sin6 = h_sin6(a, 0);
    sin6.sin6_port = htons(port);
    CHECK_OK(six_connect(u, (struct sockaddr *)&sin6, sizeof(sin6)));
}

TEST(udp_connected_socket_gets_emsgsize_and_others_nothing) {
    struct hpair p;

    h_up(&p);
    int conn = udp_on(&p, 5000);
    int other_peer_port = udp_on(&p, 5001);
    int other_port = udp_on(&p, 5002);
    udp_connect(conn, &p.addr_b, 4000);
    udp_connect(other_peer_port, &p.addr_b, 4001);
    ptb_udp(&p, &p.addr_b, 5000, 4000, 1300);
    ptb_udp(&p, &p.addr_b, 5001, 4000, 1280);
    CHECK_ERRNO(h_recv(conn, payload, sizeof(payload), NULL), EMSGSIZE);
    H_NOTHING(other_peer_port);
    H_NOTHING(other_port);
    /* The cache is per destination, whoever sent. */
    CHECK_EQ(pathmtu(other_peer_port), 1280);
    h_done(&p);
}

TEST(udp_socket_with_recvpathmtu_gets_a_notice_naming_the_port) {
    struct hpair p;
    struct notice n;

    h_up(&p);
    int u = udp_on(&p, 5000);
    set_int(u, IPV6_RECVPATHMTU, 1);
    ptb_udp(&p, &p.addr_b, 5000, 4000, 1300);
    n = read_notice(u, 0, 256);
    CHECK_EQ(n.rc, 0);
    CHECK_EQ(n.nobj, 1);
    CHECK_EQ(n.mi.ip6m_mtu, 1300);
    CHECK_EQ(ntohs(n.mi.ip6m_addr.sin6_port), 4000);
    CHECK(h_addr_eq(&n.mi.ip6m_addr.sin6_addr, &p.addr_b));
    CHECK_EQ(ntohs(n.from.sin6_port), 4000);
    /* An unconnected socket without the option learns nothing. */
    set_int(u, IPV6_RECVPATHMTU, 0);
    ptb_udp(&p, &p.addr_b, 5000, 4000, 1290);
    H_NOTHING(u);
    h_done(&p);
}

TEST(udp_send_after_ptb_goes_in_smaller_fragments) {
    struct hpair p;
    struct hcap c;

    h_up(&p);
    int u = udp_on(&p, 5000);
    udp_connect(u, &p.addr_b, 4000);
    ptb_udp(&p, &p.addr_b, 5000, 4000, 1280);
    CHECK_ERRNO(h_recv(u, payload, sizeof(payload), NULL), EMSGSIZE);
    hcap_start(&c, p.a, p.ifa, "udp");
    CHECK_EQ(six_send(u, payload, 1400, 0), 1400);
    h_pump(&p);
    hcap_stop(&c);
    CHECK_EQ(hcap_from(&c, &p.addr_a), 2);
    CHECK_EQ(c.f[0].len, 1280);
    hcap_free(&c);
    h_done(&p);
}

TEST(notice_for_a_link_local_destination_names_its_zone) {
    struct hpair p;
    struct notice n;
    struct in6_addr ll = h_in6("fe80::2");

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    set_int(s, IPV6_RECVPATHMTU, 1);
    ptb(&p, &ll, 1300);
    n = read_notice(s, 0, 256);
    CHECK_EQ(n.rc, 0);
    CHECK(h_addr_eq(&n.mi.ip6m_addr.sin6_addr, &ll));
    CHECK_EQ(n.mi.ip6m_addr.sin6_scope_id, p.ifa);
    CHECK_EQ(n.from.sin6_scope_id, p.ifa);
    h_done(&p);
}

TEST(udp_socket_bound_to_a_group_still_hears_of_its_datagrams) {
    struct hpair p;
    struct notice n;

    h_up(&p);
    int u = (int)CHECK_OK(six_socket_on(p.a, AF_INET6, SOCK_DGRAM, 0));
    p.socks[p.nsocks++] = u;
    struct sockaddr_in6 g = h_sin6(&(struct in6_addr){0}, 0);
    g.sin6_addr = h_in6("ff02::1:3");
    g.sin6_scope_id = p.ifa;
    g.sin6_port = htons(5353);
    CHECK_OK(six_bind(u, (struct sockaddr *)&g, sizeof(g)));
    set_int(u, IPV6_RECVPATHMTU, 1);
    ptb_udp(&p, &p.addr_b, 5353, 5353, 1300);
    n = read_notice(u, 0, 256);
    CHECK_EQ(n.rc, 0);
    CHECK_EQ(n.mi.ip6m_mtu, 1300);
    h_done(&p);
}
