/* Output fragmentation through the public API (RFC 8200 4.5; RFC 3542
 * 11.1 IPV6_USE_MIN_MTU and 11.2 IPV6_DONTFRAG, as options, sticky
 * options and ancillary data). What crosses the wire is read back from
 * A's capture (hcap.h) and checked fragment by fragment: the peer does
 * not reassemble yet, so its sockets cannot be the judge.
 */
#include "hcap.h"

static void set_int(int fd, int name, int v) {
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, name, &v, sizeof(v)));
}

/* Ancillary data built one object at a time. */
struct anc {
    struct {
        _Alignas(struct cmsghdr) uint8_t b[4096];
    } u;
    size_t len;
};

static void anc_add(struct anc *a, int type, const void *data, size_t n) {
    struct cmsghdr *cm = (struct cmsghdr *)(void *)(a->u.b + a->len);
    CHECK(a->len + CMSG_SPACE(n) <= sizeof(a->u.b));
    memset(cm, 0, CMSG_SPACE(n));
    cm->cmsg_len = CMSG_LEN(n);
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = type;
    memcpy(CMSG_DATA(cm), data, n);
    a->len += CMSG_SPACE(n);
}

static void anc_int(struct anc *a, int type, int v) { anc_add(a, type, &v, sizeof(v)); }

static ssize_t send_anc(int fd, const struct in6_addr *to, const void *buf, size_t len,
                        const struct anc *a) {
    struct sockaddr_in6 sin6 = h_sin6(to, 0);
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr m = {.msg_name = &sin6, .msg_namelen = sizeof(sin6), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = a ? (void *)a->u.b : NULL,
                       .msg_controllen = a ? a->len : 0};
    return six_sendmsg(fd, &m, MSG_DONTWAIT);
}

static uint8_t payload[65536];

static void fill_payload(void) {
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)(i * 13 + 5);
}

/* Captures what A sends while f runs; keeps A's frames only. */
#define CAPTURE(p, c, tag, body)                                             \
    do {                                                                     \
        hcap_start((c), (p)->a, (p)->ifa, (tag));                            \
        body;                                                                \
        h_pump(p);                                                           \
        hcap_stop(c);                                                        \
        hcap_from((c), &(p)->addr_a);                                        \
    } while (0)

/* Checks that c's frames are exactly one raw packet of len payload bytes
 * with no extension headers, in n fragments of at most mtu bytes. */
static void expect_fragments(const struct hcap *c, int n, unsigned mtu, size_t len) {
    static uint8_t got[65536];
    uint32_t ident;
    uint8_t nxt;

    CHECK_EQ(c->n, n);
    CHECK_EQ(hcap_reassemble(c, 0, n, mtu, got, sizeof(got), &ident, &nxt), len);
    CHECK_EQ(nxt, 253);
    CHECK_EQ(hcap_frag(&c->f[0]).unfrag, 40);
    CHECK_MEM(got, payload, len);
}

TEST(large_send_goes_in_fragments_at_the_link_mtu) {
    struct hpair p;
    struct hcap c;

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    uint64_t req0 = h_stats(p.a).ip6_out_requests;
    CAPTURE(&p, &c, "big", h_send_ok(s, &p.addr_b, payload, 3000));
    /* 1448 + 1448 + 104 (RFC 8200 4.5: multiples of 8 but the last). */
    expect_fragments(&c, 3, 1500, 3000);
    CHECK_EQ(c.f[0].len, 1496);
    CHECK_EQ(c.f[2].len, 40 + 8 + 104);
    struct six_stats st = h_stats(p.a);
    CHECK_EQ(st.frag_out_datagrams, 1);
    CHECK_EQ(st.frag_out_fragments, 3);
    CHECK_EQ(st.ip6_out_requests, req0 + 1);
    hcap_free(&c);
    h_done(&p);
}

TEST(packet_that_fits_goes_whole) {
    struct hpair p;
    struct hcap c;

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    CAPTURE(&p, &c, "fits", h_send_ok(s, &p.addr_b, payload, 1460));
    CHECK_EQ(c.n, 1);
    CHECK_EQ(c.f[0].len, 1500);
    CHECK(!hcap_frag(&c.f[0]).is_frag);   /* no atomic fragments (RFC 8021) */
    CHECK_EQ(h_stats(p.a).frag_out_datagrams, 0);
    hcap_free(&c);
    h_done(&p);
}

TEST(link_of_1280_gets_fragments_of_1280) {
    struct hpair p;
    struct hcap c;

    fill_payload();
    h_up(&p);
    CHECK_OK(six_if_set_mtu(p.a, p.ifa, 1280));
    int s = h_sock(&p, p.a, 253);
    CAPTURE(&p, &c, "1280", h_send_ok(s, &p.addr_b, payload, 5000));
    /* 1232 per fragment: 5 fragments. */
    expect_fragments(&c, 5, 1280, 5000);
    for (int i = 0; i < 4; i++)
        CHECK_EQ(c.f[i].len, 1280);
    hcap_free(&c);
    h_done(&p);
}

TEST(every_extension_header_split_around_the_fragment_header) {
    struct hpair p;
    struct hcap c;
    struct anc a = {.len = 0};
    static uint8_t got[8192];
    uint8_t hbh[8] = {0, 0, 1, 4, 0, 0, 0, 0};
    uint8_t dst1[16] = {0, 1, 1, 12};
    uint8_t rth[8] = {0, 0, 0, 0};   /* type 0, no addresses, Segments Left 0 */
    uint8_t dst2[24] = {0, 2, 0x1e, 20};   /* an unknown skippable option */
    uint32_t ident;
    uint8_t nxt;

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    anc_add(&a, IPV6_HOPOPTS, hbh, sizeof(hbh));
    anc_add(&a, IPV6_RTHDRDSTOPTS, dst1, sizeof(dst1));
    anc_add(&a, IPV6_RTHDR, rth, sizeof(rth));
    anc_add(&a, IPV6_DSTOPTS, dst2, sizeof(dst2));
    CAPTURE(&p, &c, "ext", CHECK_EQ(send_anc(s, &p.addr_b, payload, 3000, &a), 3000));
    CHECK_EQ(c.n, 3);
    size_t n = hcap_reassemble(&c, 0, 3, 1500, got, sizeof(got), &ident, &nxt);
    /* Unfragmentable: IPv6, HbH, Dst1, RH; the RH's Next Header is 44. */
    struct hfrag f = hcap_frag(&c.f[0]);
    CHECK_EQ(f.unfrag, 40 + 8 + 16 + 8);
    CHECK_EQ(f.nxt_off, 40 + 8 + 16);
    CHECK_EQ(c.f[0].b[6], 0);
    CHECK_EQ(c.f[0].b[40], 60);
    CHECK_EQ(c.f[0].b[48], 43);
    /* Fragmentable: Dst2 (in the first fragment only), then the data. */
    CHECK_EQ(nxt, 60);
    CHECK_EQ(n, 24 + 3000);
    CHECK_EQ(got[0], 253);
    CHECK_MEM(got + 1, dst2 + 1, 23);
    CHECK_MEM(got + 24, payload, 3000);
    hcap_free(&c);
    h_done(&p);
}

TEST(consecutive_packets_get_consecutive_identifications) {
    struct hpair p;
    struct hcap c;

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    CAPTURE(&p, &c, "ids", {
        h_send_ok(s, &p.addr_b, payload, 2000);
        h_send_ok(s, &p.addr_b, payload, 2000);
    });
    CHECK_EQ(c.n, 4);
    CHECK_EQ(hcap_frag(&c.f[0]).ident, hcap_frag(&c.f[1]).ident);
    CHECK_EQ(hcap_frag(&c.f[2]).ident, hcap_frag(&c.f[0]).ident + 1);
    hcap_free(&c);
    h_done(&p);
}

TEST(dontfrag_refuses_with_emsgsize_and_sends_nothing) {
    struct hpair p;
    struct hcap c;

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    set_int(s, IPV6_DONTFRAG, 1);
    CAPTURE(&p, &c, "df", {
        CHECK_ERRNO(h_sendto(s, &p.addr_b, payload, 1461), EMSGSIZE);
        h_send_ok(s, &p.addr_b, payload, 1460);
    });
    CHECK_EQ(c.n, 1);
    CHECK_EQ(c.f[0].len, 1500);
    CHECK_EQ(h_stats(p.a).frag_out_dontfrag, 1);
    CHECK_EQ(h_stats(p.a).frag_out_datagrams, 0);
    hcap_free(&c);
    h_done(&p);
}

TEST(dontfrag_as_ancillary_data_wins_over_the_option) {
    struct hpair p;
    struct hcap c;
    struct anc on = {.len = 0}, off = {.len = 0};

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    anc_int(&on, IPV6_DONTFRAG, 7);   /* non-zero is on */
    anc_int(&off, IPV6_DONTFRAG, 0);
    CAPTURE(&p, &c, "dfanc", {
        CHECK_ERRNO(send_anc(s, &p.addr_b, payload, 2000, &on), EMSGSIZE);
        set_int(s, IPV6_DONTFRAG, 1);
        CHECK_EQ(send_anc(s, &p.addr_b, payload, 2000, &off), 2000);
        CHECK_ERRNO(send_anc(s, &p.addr_b, payload, 2000, NULL), EMSGSIZE);
    });
    expect_fragments(&c, 2, 1500, 2000);
    CHECK_EQ(h_stats(p.a).frag_out_dontfrag, 2);
    hcap_free(&c);
    h_done(&p);
}

TEST(dontfrag_on_udp_is_emsgsize_too) {
    struct hpair p;

    fill_payload();
    h_up(&p);
    int u = (int)CHECK_OK(six_socket_on(p.a, AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    to.sin6_port = htons(9);
    set_int(u, IPV6_DONTFRAG, 1);
    CHECK_ERRNO(six_sendto(u, payload, 1453, 0, (struct sockaddr *)&to, sizeof(to)), EMSGSIZE);
    /* 1452 + 8 + 40 = 1500. */
    CHECK_EQ(six_sendto(u, payload, 1452, 0, (struct sockaddr *)&to, sizeof(to)), 1452);
    CHECK_OK(six_close(u));
    h_done(&p);
}

TEST(udp_datagram_in_fragments_keeps_its_header_and_checksum_whole) {
    struct hpair p;
    struct hcap c;
    static uint8_t got[8192];
    uint32_t ident;
    uint8_t nxt;

    fill_payload();
    h_up(&p);
    int u = (int)CHECK_OK(six_socket_on(p.a, AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    to.sin6_port = htons(4000);
    CAPTURE(&p, &c, "udp",
            CHECK_EQ(six_sendto(u, payload, 4000, 0, (struct sockaddr *)&to, sizeof(to)), 4000));
    CHECK_EQ(c.n, 3);
    size_t n = hcap_reassemble(&c, 0, 3, 1500, got, sizeof(got), &ident, &nxt);
    CHECK_EQ(nxt, IPPROTO_UDP);
    CHECK_EQ(n, 8 + 4000);
    CHECK_EQ(h_get16(got + 2), 4000);
    CHECK_EQ(h_get16(got + 4), 8 + 4000);
    CHECK_EQ(h_cksum(&p.addr_a, &p.addr_b, IPPROTO_UDP, got, n), 0);
    CHECK_MEM(got + 8, payload, 4000);
    CHECK_OK(six_close(u));
    hcap_free(&c);
    h_done(&p);
}

/* ---- IPV6_USE_MIN_MTU (RFC 3542 11.1) ---- */

static void join_if(int fd, unsigned ifindex) {
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)));
}

TEST(use_min_mtu_default_caps_multicast_only) {
    struct hpair p;
    struct hcap c;
    struct in6_addr all = h_in6("ff02::1");

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    h_bind(s, &p.addr_a);   /* CAPTURE keeps frames from addr_a */
    join_if(s, p.ifa);
    CAPTURE(&p, &c, "mm1", h_send_ok(s, &p.addr_b, payload, 1400));
    CHECK_EQ(c.n, 1);
    hcap_free(&c);
    CAPTURE(&p, &c, "mm2", h_send_ok(s, &all, payload, 1400));
    CHECK_EQ(c.n, 2);
    CHECK_EQ(c.f[0].len, 1280);
    CHECK(hcap_frag(&c.f[0]).is_frag);
    hcap_free(&c);
    h_done(&p);
}

TEST(use_min_mtu_zero_sends_multicast_at_the_path_mtu) {
    struct hpair p;
    struct hcap c;
    struct in6_addr all = h_in6("ff02::1");

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    h_bind(s, &p.addr_a);   /* CAPTURE keeps frames from addr_a */
    join_if(s, p.ifa);
    set_int(s, IPV6_USE_MIN_MTU, 0);
    CAPTURE(&p, &c, "mm0", h_send_ok(s, &all, payload, 1400));
    CHECK_EQ(c.n, 1);
    CHECK_EQ(c.f[0].len, 1440);
    hcap_free(&c);
    h_done(&p);
}

TEST(use_min_mtu_one_caps_unicast_too) {
    struct hpair p;
    struct hcap c;

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    set_int(s, IPV6_USE_MIN_MTU, 1);
    CAPTURE(&p, &c, "mmu", h_send_ok(s, &p.addr_b, payload, 1400));
    expect_fragments(&c, 2, 1280, 1400);
    hcap_free(&c);
    h_done(&p);
}

TEST(use_min_mtu_precedence_ancillary_then_sticky_then_option) {
    struct hpair p;
    struct hcap c;
    struct anc zero = {.len = 0}, one = {.len = 0}, sticky = {.len = 0};

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    anc_int(&zero, IPV6_USE_MIN_MTU, 0);
    anc_int(&one, IPV6_USE_MIN_MTU, 1);
    anc_int(&sticky, IPV6_USE_MIN_MTU, 1);
    set_int(s, IPV6_USE_MIN_MTU, 0);
    CAPTURE(&p, &c, "prec", {
        /* Ancillary 1 over the option's 0: fragments (2). */
        CHECK_EQ(send_anc(s, &p.addr_b, payload, 1400, &one), 1400);
        /* Sticky 1 (IPV6_PKTOPTIONS) over the option's 0: fragments (2). */
        CHECK_OK(six_setsockopt(s, IPPROTO_IPV6, IPV6_PKTOPTIONS, sticky.u.b,
                                (socklen_t)sticky.len));
        h_send_ok(s, &p.addr_b, payload, 1400);
        /* Ancillary 0 over the sticky 1: whole (1). */
        CHECK_EQ(send_anc(s, &p.addr_b, payload, 1400, &zero), 1400);
    });
    CHECK_EQ(c.n, 5);
    CHECK_EQ(c.f[4].len, 1440);
    CHECK_EQ(h_stats(p.a).frag_out_datagrams, 2);
    hcap_free(&c);
    h_done(&p);
}

TEST(use_min_mtu_ancillary_value_out_of_range_is_einval) {
    struct hpair p;
    struct anc bad = {.len = 0};

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    anc_int(&bad, IPV6_USE_MIN_MTU, 2);
    CHECK_ERRNO(send_anc(s, &p.addr_b, payload, 10, &bad), EINVAL);
    h_done(&p);
}

TEST(pktoptions_reads_back_use_min_mtu_and_dontfrag) {
    struct hpair p;
    struct anc in = {.len = 0};
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } out;
    socklen_t len = sizeof(out);
    int seen = 0;

    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    anc_int(&in, IPV6_USE_MIN_MTU, -1);
    anc_int(&in, IPV6_DONTFRAG, 1);
    CHECK_OK(six_setsockopt(s, IPPROTO_IPV6, IPV6_PKTOPTIONS, in.u.b, (socklen_t)in.len));
    CHECK_OK(six_getsockopt(s, IPPROTO_IPV6, IPV6_PKTOPTIONS, out.b, &len));
    struct msghdr m = {.msg_control = out.b, .msg_controllen = len};
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
        int v;
        memcpy(&v, CMSG_DATA(cm), sizeof(v));
        if (cm->cmsg_type == IPV6_USE_MIN_MTU && v == -1)
            seen |= 1;
        if (cm->cmsg_type == IPV6_DONTFRAG && v == 1)
            seen |= 2;
    }
    CHECK_EQ(seen, 3);
    h_done(&p);
}

TEST(dontfrag_with_use_min_mtu_refuses_above_1280) {
    struct hpair p;

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    set_int(s, IPV6_USE_MIN_MTU, 1);
    set_int(s, IPV6_DONTFRAG, 1);
    CHECK_ERRNO(h_sendto(s, &p.addr_b, payload, 1241), EMSGSIZE);
    h_send_ok(s, &p.addr_b, payload, 1240);
    h_done(&p);
}

TEST(use_min_mtu_leaves_packets_to_this_node_whole) {
    struct hpair p;
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    static uint8_t got[4096];

    fill_payload();
    h_up(&p);
    int rx = h_sock(&p, p.a, 253);
    int s = h_sock(&p, p.a, 253);
    set_int(s, IPV6_USE_MIN_MTU, 1);
    set_int(s, IPV6_DONTFRAG, 1);
    h_send_ok(s, &lo, payload, 3000);
    h_send_ok(s, &p.addr_a, payload, 3000);
    CHECK_EQ(h_recv(rx, got, sizeof(got), NULL), 3000);
    CHECK_MEM(got, payload, 3000);
    CHECK_EQ(h_recv(rx, got, sizeof(got), NULL), 3000);
    CHECK_EQ(h_stats(p.a).frag_out_datagrams, 0);
    h_done(&p);
}

/* ---- refusals and exhaustion ---- */

TEST(buffers_running_out_mid_fragmentation_send_nothing) {
    struct hpair p;
    struct hcap c;

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    CAPTURE(&p, &c, "nobufs", {
        /* Allocation 1 is the packet, 2 and on its fragments: the third
         * fragment's buffer fails. */
        six_stack_fail_alloc(p.a, 4);
        CHECK_ERRNO(h_sendto(s, &p.addr_b, payload, 4000), ENOBUFS);
        six_stack_fail_alloc(p.a, 0);
    });
    CHECK_EQ(c.n, 0);
    CHECK_EQ(h_stats(p.a).frag_out_nobufs, 1);
    CHECK_EQ(h_stats(p.a).frag_out_fragments, 0);
    CHECK_EQ(six_stack_pkts_in_use(p.a), 0);
    hcap_free(&c);
    h_done(&p);
}

TEST(headers_that_leave_no_room_to_fragment_are_emsgsize) {
    struct hpair p;
    struct anc a = {.len = 0};
    static uint8_t hbh[1456];

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    /* 40 + 1456 + 8 leaves no 8-byte piece in 1500. */
    hbh[1] = (uint8_t)(sizeof(hbh) / 8 - 1);
    /* PadN runs of 257 bytes fill the rest. */
    for (size_t off = 2; off < sizeof(hbh);) {
        size_t n = sizeof(hbh) - off;
        if (n > 257)
            n = 257;
        if (n == 1) {
            hbh[off] = 0;
        } else {
            hbh[off] = 1;
            hbh[off + 1] = (uint8_t)(n - 2);
        }
        off += n;
    }
    anc_add(&a, IPV6_HOPOPTS, hbh, sizeof(hbh));
    CHECK_ERRNO(send_anc(s, &p.addr_b, payload, 100, &a), EMSGSIZE);
    CHECK_EQ(h_stats(p.a).frag_out_headers_too_big, 1);
    h_done(&p);
}

TEST(payload_over_65535_is_emsgsize) {
    struct hpair p;
    struct anc a = {.len = 0};
    uint8_t hbh[8] = {0, 0, 1, 4, 0, 0, 0, 0};

    fill_payload();
    h_up(&p);
    int s = h_sock(&p, p.a, 253);
    anc_add(&a, IPV6_HOPOPTS, hbh, sizeof(hbh));
    CHECK_ERRNO(send_anc(s, &p.addr_b, payload, 65535 - 7, &a), EMSGSIZE);
    CHECK_EQ(h_stats(p.a).ip6_out_too_big, 1);
    CHECK_EQ(send_anc(s, &p.addr_b, payload, 65535 - 8, &a), 65535 - 8);
    CHECK_EQ(h_stats(p.a).frag_out_datagrams, 1);
    h_done(&p);
}

/* For tests/interop/frag_tshark.sh: with SIX_FRAG_PCAP set, A's link is
 * captured there while A sends packets tshark must reassemble: plain,
 * with every extension header, UDP, at 1280. Without it, the same traffic
 * is only sent (the case still runs in the suite). */
TEST(capture_for_tshark) {
    struct hpair p;
    struct anc a = {.len = 0};
    uint8_t hbh[8] = {0, 0, 1, 4, 0, 0, 0, 0};
    uint8_t dst1[16] = {0, 1, 1, 12};
    uint8_t rth[8] = {0, 0, 0, 0};
    uint8_t dst2[8] = {0, 0, 1, 4};
    const char *path = getenv("SIX_FRAG_PCAP");

    fill_payload();
    h_up(&p);
    if (path)
        CHECK_OK(six_if_capture(p.a, p.ifa, path));
    int s = h_sock(&p, p.a, IPPROTO_ICMPV6);
    /* An echo request tshark can decode once reassembled. */
    payload[0] = 128;
    payload[1] = 0;
    payload[2] = payload[3] = 0;
    h_send_ok(s, &p.addr_b, payload, 3000);
    anc_add(&a, IPV6_HOPOPTS, hbh, sizeof(hbh));
    anc_add(&a, IPV6_RTHDRDSTOPTS, dst1, sizeof(dst1));
    anc_add(&a, IPV6_RTHDR, rth, sizeof(rth));
    anc_add(&a, IPV6_DSTOPTS, dst2, sizeof(dst2));
    CHECK_EQ(send_anc(s, &p.addr_b, payload, 2500, &a), 2500);
    int u = (int)CHECK_OK(six_socket_on(p.a, AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    to.sin6_port = htons(4000);
    CHECK_EQ(six_sendto(u, payload, 5000, 0, (struct sockaddr *)&to, sizeof(to)), 5000);
    CHECK_OK(six_if_set_mtu(p.a, p.ifa, 1280));
    CHECK_EQ(six_sendto(u, payload, 3333, 0, (struct sockaddr *)&to, sizeof(to)), 3333);
    h_pump(&p);
    if (path)
        CHECK_OK(six_if_capture(p.a, p.ifa, NULL));
    CHECK_OK(six_close(u));
    CHECK_EQ(h_stats(p.a).frag_out_datagrams, 4);
    h_done(&p);
}

TEST(link_refusing_a_fragment_drops_the_rest) {
    struct six_stack_config ca = h_config(1), cb = h_config(2);
    struct six_memwire_config wire = {.mtu = 1500, .queue_len = 2};
    struct in6_addr a6 = h_in6(H_ADDR_A), b6 = h_in6(H_ADDR_B);
    unsigned ifa, ifb;

    fill_payload();
    h_privileged(1);
    struct six_stack *a = six_stack_new(&ca), *b = six_stack_new(&cb);
    CHECK(a && b);
    CHECK_OK(six_memwire_pair(a, "a0", b, "b0", &wire, &ifa, &ifb));
    CHECK_OK(six_addr_add(a, ifa, &a6, 64, 0));
    CHECK_OK(six_addr_add(b, ifb, &b6, 64, 0));
    int s = (int)CHECK_OK(six_socket_on(a, AF_INET6, SOCK_RAW, 253));
    /* B's ring takes two frames before B runs: the third of four
     * fragments is refused, and the fourth is not even tried. */
    CHECK_ERRNO(h_sendto(s, &b6, payload, 5000), ENOBUFS);
    struct six_stats st = h_stats(a);
    CHECK_EQ(st.frag_out_datagrams, 1);
    CHECK_EQ(st.frag_out_fragments, 2);
    CHECK_EQ(st.ip6_out_link_drops, 1);
    CHECK_OK(six_close(s));
    six_stack_poll(b, six_stack_now(b));
    /* B keeps the two fragments for reassembly until their 60 s are up;
     * its Time Exceeded then reaches A. */
    CHECK_EQ(h_stats(b).reass_in_frags, 2);
    six_stack_poll(b, six_stack_now(b) + 60 * 1000000ull);
    CHECK_EQ(h_stats(b).reass_timeout, 1);
    six_stack_poll(a, six_stack_now(a));
    CHECK_EQ(six_stack_pkts_in_use(a), 0);
    CHECK_EQ(six_stack_pkts_in_use(b), 0);
    six_stack_free(a);
    six_stack_free(b);
    six_set_creds(NULL);
}
