/* Neighbour discovery (RFC 4861) between stacks on an in-memory Ethernet
 * segment, on manual clocks: address resolution and its queue, the NUD
 * states and their timers, failed resolution, and NS/NA validity checks
 * on hand-made frames from a fake neighbour (MAC 02:aa:bb:cc:dd:ee).
 *
 * ReachableTime is random in [15 s, 45 s) (RFC 4861 6.3.2), so tests wait
 * 14 s for "still reachable" and 46 s for "surely stale". */
#include "eseg.h"

#define EXPERIMENT_PROTO 253
#define SEC 1000000ull

static const uint8_t fake_mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
static const uint8_t fake_mac2[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x77};

static void ping(struct six_stack *st, int fd, const struct in6_addr *to, unsigned scope) {
    uint8_t req[16] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0, 1, 'n', 'd'};
    struct sockaddr_in6 sin6 = h_sin6(to, scope);
    (void)st;
    CHECK_EQ(CHECK_OK(six_sendto(fd, req, sizeof(req), MSG_DONTWAIT, (struct sockaddr *)&sin6,
                                 sizeof(sin6))),
             sizeof(req));
}

static int state_of(struct eseg *s, int i, const struct in6_addr *a, uint8_t mac[6]) {
    return six_neigh_get(s->st[i], s->ifx[i], a, mac);
}

/* A then B resolve each other through one ping: A solicits B (multicast
 * to B's solicited-node group), B learns A from the solicitation's SLLA
 * (STALE, then DELAY as it answers), A learns B from the solicited NA
 * (REACHABLE). C never sees the solicitation: its filter keeps B's
 * solicited-node MAC out. */
TEST(ping_resolves_the_neighbour_and_gets_its_reply) {
    struct eseg s;
    uint8_t buf[64], mac[6];

    es_up(&s, 3);
    int fa = es_icmp_only(s.st[0], ICMP6_ECHO_REPLY);
    ping(s.st[0], fa, &s.addr[1], 0);
    es_pump(&s);
    CHECK_EQ(CHECK_OK(h_recv(fa, buf, sizeof(buf), NULL)), 16);
    CHECK_EQ(state_of(&s, 0, &s.addr[1], mac), SIX_NUD_REACHABLE);
    CHECK_MEM(mac, s.mac[1], 6);
    CHECK_EQ(state_of(&s, 1, &s.addr[0], mac), SIX_NUD_DELAY);
    CHECK_MEM(mac, s.mac[0], 6);
    CHECK_EQ(h_stats(s.st[0]).nd_out_ns, 1);
    CHECK_EQ(h_stats(s.st[1]).nd_in_ns, 1);
    CHECK_EQ(h_stats(s.st[1]).nd_out_na, 1);
    CHECK_EQ(h_stats(s.st[0]).nd_in_na, 1);
    CHECK_EQ(h_stats(s.st[2]).nd_in_ns, 0);
    CHECK_ERRNO(state_of(&s, 2, &s.addr[0], NULL), ENOENT);
    /* A second ping needs no solicitation. */
    ping(s.st[0], fa, &s.addr[1], 0);
    es_pump(&s);
    CHECK_EQ(CHECK_OK(h_recv(fa, buf, sizeof(buf), NULL)), 16);
    CHECK_EQ(h_stats(s.st[0]).nd_out_ns, 1);
    six_close(fa);
    es_done(&s);
}

static struct in6_addr linklocal_of(const uint8_t mac[6]) {
    struct in6_addr a;
    memset(&a, 0, sizeof(a));
    a.s6_addr[0] = 0xfe;
    a.s6_addr[1] = 0x80;
    a.s6_addr[8] = mac[0] ^ 2;
    a.s6_addr[9] = mac[1];
    a.s6_addr[10] = mac[2];
    a.s6_addr[11] = 0xff;
    a.s6_addr[12] = 0xfe;
    a.s6_addr[13] = mac[3];
    a.s6_addr[14] = mac[4];
    a.s6_addr[15] = mac[5];
    return a;
}

/* With SIX_ADDR_GEN_EUI64 each Ethernet interface has its EUI-64
 * link-local address (RFC 4862 5.3, RFC 2464 4), and it is reachable
 * through resolution too. */
TEST(link_local_address_is_eui64_and_answers_ping) {
    struct eseg s;
    struct six_stack_config cfg = h_config(0);
    struct in6_addr ll1;
    uint8_t buf[64];

    cfg.addr_gen_mode = SIX_ADDR_GEN_EUI64;
    es_up_cfg(&s, 2, &cfg);
    ll1 = linklocal_of(s.mac[1]);
    struct in6_addr got = es_linklocal(&s, 1);
    CHECK(h_addr_eq(&ll1, &got));
    int fa = es_icmp_only(s.st[0], ICMP6_ECHO_REPLY);
    ping(s.st[0], fa, &ll1, s.ifx[0]);
    es_pump(&s);
    CHECK_EQ(CHECK_OK(h_recv(fa, buf, sizeof(buf), NULL)), 16);
    CHECK_EQ(state_of(&s, 0, &ll1, NULL), SIX_NUD_REACHABLE);
    six_close(fa);
    es_done(&s);
}

TEST(no_link_local_address_when_the_config_says_so) {
    struct eseg s;
    struct six_stack_config cfg = h_config(0);
    struct in6_addr ll0, src;

    cfg.linklocal = 0;
    es_up_cfg(&s, 1, &cfg);
    ll0 = linklocal_of(s.mac[0]);
    /* The only source for a link-local destination is the global one. */
    CHECK_OK(six_select_source(s.st[0], &ll0, s.ifx[0], &src));
    CHECK(h_addr_eq(&src, &s.addr[0]));
    es_done(&s);
}

/* RFC 4861 7.2.2: packets wait while the address resolves; the queue
 * holds nd_queue_len (3) and a new arrival replaces the oldest. After
 * MAX_MULTICAST_SOLICIT (3) solicitations RetransTimer (1 s) apart,
 * every waiting packet gets Destination Unreachable code 3, and a
 * connected socket learns EHOSTUNREACH. */
TEST(failed_resolution_answers_each_queued_packet_with_address_unreachable) {
    struct eseg s;
    struct in6_addr nobody = h_in6("2001:db8::99");
    uint8_t buf[256];

    es_up(&s, 2);
    int fe = es_icmp_only(s.st[0], ICMP6_DST_UNREACH);
    int fd = es_raw(s.st[0], EXPERIMENT_PROTO);
    for (uint8_t i = 0; i < 5; i++)
        h_send_ok(fd, &nobody, &i, 1);
    es_pump(&s);
    CHECK_EQ(state_of(&s, 0, &nobody, NULL), SIX_NUD_INCOMPLETE);
    CHECK_EQ(h_stats(s.st[0]).nd_queue_drops, 2);
    CHECK_EQ(h_stats(s.st[0]).nd_out_ns, 1);
    H_NOTHING(fe);
    es_advance(&s, 1 * SEC, 0);
    CHECK_EQ(h_stats(s.st[0]).nd_out_ns, 2);
    es_advance(&s, 1 * SEC, 0);
    CHECK_EQ(h_stats(s.st[0]).nd_out_ns, 3);
    H_NOTHING(fe);
    es_advance(&s, 1 * SEC, 0);
    CHECK_EQ(h_stats(s.st[0]).nd_out_ns, 3);
    CHECK_EQ(h_stats(s.st[0]).nd_resolve_failed, 1);
    CHECK_ERRNO(state_of(&s, 0, &nobody, NULL), ENOENT);
    /* The three newest packets (payloads 2, 3, 4) come back quoted. */
    for (uint8_t i = 2; i < 5; i++) {
        ssize_t n = CHECK_OK(h_recv(fe, buf, sizeof(buf), NULL));
        CHECK_EQ(n, 8 + 40 + 1);
        CHECK_EQ(buf[0], ICMP6_DST_UNREACH);
        CHECK_EQ(buf[1], ICMP6_DST_UNREACH_ADDR);
        CHECK_MEM(buf + 8 + 24, &nobody, 16);
        CHECK_EQ(buf[8 + 40], i);
    }
    H_NOTHING(fe);
    six_close(fe);
    six_close(fd);
    es_done(&s);
}

TEST(connected_socket_learns_ehostunreach_from_failed_resolution) {
    struct eseg s;
    struct in6_addr nobody = h_in6("2001:db8::99");
    uint8_t buf[16];

    es_up(&s, 1);
    int fd = es_raw(s.st[0], EXPERIMENT_PROTO);
    h_connect(fd, &nobody);
    CHECK_OK(six_send(fd, "x", 1, MSG_DONTWAIT));
    es_advance(&s, 3 * SEC, SEC);
    CHECK_ERRNO(h_recv(fd, buf, sizeof(buf), NULL), EHOSTUNREACH);
    six_close(fd);
    es_done(&s);
}

/* RFC 4861 7.3.3: REACHABLE lasts ReachableTime, then STALE; using a
 * STALE entry sends at once and goes DELAY; after DELAY_FIRST_PROBE_TIME
 * (5 s) PROBE sends a unicast solicitation, and the answer (solicited)
 * makes it REACHABLE again. */
TEST(reachable_goes_stale_then_delay_probe_and_reachable_again) {
    struct eseg s;
    uint8_t buf[64];

    es_up(&s, 3);
    int fa = es_icmp_only(s.st[0], ICMP6_ECHO_REPLY);
    ping(s.st[0], fa, &s.addr[1], 0);
    es_pump(&s);
    CHECK_OK(h_recv(fa, buf, sizeof(buf), NULL));
    es_advance(&s, 14 * SEC, 0);
    CHECK_EQ(state_of(&s, 0, &s.addr[1], NULL), SIX_NUD_REACHABLE);
    es_advance(&s, 32 * SEC, 0);
    CHECK_EQ(state_of(&s, 0, &s.addr[1], NULL), SIX_NUD_STALE);

    struct six_stats a0 = h_stats(s.st[0]), c0 = h_stats(s.st[2]);
    ping(s.st[0], fa, &s.addr[1], 0);
    es_pump(&s);
    CHECK_OK(h_recv(fa, buf, sizeof(buf), NULL));   /* sent without waiting */
    CHECK_EQ(state_of(&s, 0, &s.addr[1], NULL), SIX_NUD_DELAY);
    CHECK_EQ(h_stats(s.st[0]).nd_out_ns, a0.nd_out_ns);
    es_advance(&s, 4 * SEC, 0);
    CHECK_EQ(state_of(&s, 0, &s.addr[1], NULL), SIX_NUD_DELAY);
    es_advance(&s, 1 * SEC, 0);
    CHECK_EQ(h_stats(s.st[0]).nd_out_ns, a0.nd_out_ns + 1);
    CHECK_EQ(state_of(&s, 0, &s.addr[1], NULL), SIX_NUD_REACHABLE);
    /* The probe was unicast: C's filter kept it out. */
    CHECK_EQ(h_stats(s.st[2]).nd_in_ns, c0.nd_in_ns);
    CHECK(h_stats(s.st[2]).link_rx_filtered > c0.link_rx_filtered);
    six_close(fa);
    es_done(&s);
}

/* A neighbour that stops answering: PROBE sends MAX_UNICAST_SOLICIT (3)
 * probes RetransTimer apart, then the entry is deleted; the next packet
 * resolves afresh. */
TEST(silent_neighbour_is_probed_three_times_then_deleted) {
    struct eseg s;
    uint8_t buf[64];

    es_up(&s, 2);
    int fa = es_icmp_only(s.st[0], ICMP6_ECHO_REPLY);
    ping(s.st[0], fa, &s.addr[1], 0);
    es_pump(&s);
    CHECK_OK(h_recv(fa, buf, sizeof(buf), NULL));
    es_advance(&s, 46 * SEC, 0);
    /* B loses the address: it no longer answers for it. */
    CHECK_OK(six_addr_del(s.st[1], s.ifx[1], &s.addr[1]));
    struct six_stats a0 = h_stats(s.st[0]), b0 = h_stats(s.st[1]);
    ping(s.st[0], fa, &s.addr[1], 0);
    es_advance(&s, 5 * SEC, 0);
    CHECK_EQ(state_of(&s, 0, &s.addr[1], NULL), SIX_NUD_PROBE);
    es_advance(&s, 2 * SEC, SEC);
    CHECK_EQ(state_of(&s, 0, &s.addr[1], NULL), SIX_NUD_PROBE);
    CHECK_EQ(h_stats(s.st[0]).nd_out_ns, a0.nd_out_ns + 3);
    es_advance(&s, 1 * SEC, 0);
    CHECK_ERRNO(state_of(&s, 0, &s.addr[1], NULL), ENOENT);
    CHECK_EQ(h_stats(s.st[0]).nd_unreachable, a0.nd_unreachable + 1);
    /* B dropped the ping and the three probes: not its address now. */
    CHECK_EQ(h_stats(s.st[1]).ip6_in_not_for_us - b0.ip6_in_not_for_us, 4);
    six_close(fa);
    es_done(&s);
}

/* ---- hand-made ND messages into B ---- */

#define FAKE_LL "fe80::aa"

static size_t lla_opt(uint8_t *out, uint8_t type, const uint8_t mac[6]) {
    out[0] = type;
    out[1] = 1;
    memcpy(out + 2, mac, 6);
    return 8;
}

struct ndmsg {
    const uint8_t *dmac;        /* NULL: B's MAC */
    const uint8_t *smac;        /* NULL: fake_mac */
    struct in6_addr src, dst;
    uint8_t hlim;
    uint8_t type, code;
    uint32_t word;
    struct in6_addr target;
    uint8_t opts[64];
    size_t optlen;
    size_t cut;                 /* bytes to cut off the message's end */
};

/* A default message: NS from fe80::aa (SLLA fake_mac) to B's global
 * address, unicast to B's MAC, for B's global address. */
static struct ndmsg ns_to_b(struct eseg *s) {
    struct ndmsg m;
    memset(&m, 0, sizeof(m));
    m.src = h_in6(FAKE_LL);
    m.dst = s->addr[1];
    m.hlim = 255;
    m.type = ND_NEIGHBOR_SOLICIT;
    m.target = s->addr[1];
    m.optlen = lla_opt(m.opts, ND_OPT_SOURCE_LINKADDR, fake_mac);
    return m;
}

static struct ndmsg na_to_b(struct eseg *s, const char *target, uint32_t flags,
                            const uint8_t mac[6]) {
    struct ndmsg m;
    memset(&m, 0, sizeof(m));
    m.src = h_in6(target);
    m.dst = s->addr[1];
    m.hlim = 255;
    m.type = ND_NEIGHBOR_ADVERT;
    m.word = flags;
    m.target = h_in6(target);
    if (mac)
        m.optlen = lla_opt(m.opts, ND_OPT_TARGET_LINKADDR, mac);
    return m;
}

static void send_nd(struct eseg *s, const struct ndmsg *m) {
    struct hframe p;
    struct eframe f;
    uint8_t body[16 + 64];
    size_t off;

    h_ip6(&p, &m->src, &m->dst, IPPROTO_ICMPV6, m->hlim);
    memcpy(body, &m->target, 16);
    memcpy(body + 16, m->opts, m->optlen);
    off = h_icmp6(&p, m->type, m->code, m->word, body, 16 + m->optlen);
    if (m->cut) {
        p.len -= m->cut;
        h_end(&p);
        h_icmp6_fix(&p, off);
    }
    ef_start(&f, m->dmac ? m->dmac : s->mac[1], m->smac ? m->smac : fake_mac, 0x86dd);
    ef_ip6(&f, &p);
    es_inject(s, 1, &f);
}

/* Sends m to B and checks that B dropped it on the named counter without
 * learning anything or answering. */
#define EXPECT_DROPPED(s, m, counter)                                          \
    do {                                                                       \
        struct six_stats _b0 = h_stats((s)->st[1]), _b1;                       \
        struct in6_addr _src = (m)->src;                                       \
        send_nd((s), (m));                                                     \
        _b1 = h_stats((s)->st[1]);                                             \
        CHECK_EQ(_b1.counter - _b0.counter, 1);                                \
        CHECK_EQ(_b1.nd_out_na - _b0.nd_out_na, 0);                            \
        CHECK_EQ(_b1.nd_in_ns - _b0.nd_in_ns, 0);                              \
        CHECK_EQ(_b1.nd_in_na - _b0.nd_in_na, 0);                              \
        if (!IN6_IS_ADDR_UNSPECIFIED(&_src))                                   \
            CHECK_ERRNO(six_neigh_get((s)->st[1], (s)->ifx[1], &_src, NULL),   \
                        ENOENT);                                               \
    } while (0)

/* The control: a valid NS is answered and its SLLA learnt (RFC 4861
 * 7.2.3: a new entry is STALE; answering uses it, so DELAY). */
TEST(valid_ns_is_answered_and_its_source_learnt) {
    struct eseg s;
    struct ndmsg m;
    uint8_t mac[6];

    es_up(&s, 2);
    m = ns_to_b(&s);
    send_nd(&s, &m);
    CHECK_EQ(h_stats(s.st[1]).nd_in_ns, 1);
    CHECK_EQ(h_stats(s.st[1]).nd_out_na, 1);
    CHECK_EQ(six_neigh_get(s.st[1], s.ifx[1], &m.src, mac), SIX_NUD_DELAY);
    CHECK_MEM(mac, fake_mac, 6);
    /* A solicitation with a new MAC replaces it (STALE again, then DELAY
     * as the answer goes out). */
    m.optlen = lla_opt(m.opts, ND_OPT_SOURCE_LINKADDR, fake_mac2);
    send_nd(&s, &m);
    CHECK_EQ(six_neigh_get(s.st[1], s.ifx[1], &m.src, mac), SIX_NUD_DELAY);
    CHECK_MEM(mac, fake_mac2, 6);
    es_done(&s);
}

TEST(ns_with_hop_limit_below_255_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = ns_to_b(&s);
    m.hlim = 254;
    EXPECT_DROPPED(&s, &m, nd_in_bad_hlim);
    es_done(&s);
}

TEST(ns_with_code_not_zero_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = ns_to_b(&s);
    m.code = 1;
    EXPECT_DROPPED(&s, &m, nd_in_bad_code);
    es_done(&s);
}

TEST(ns_shorter_than_24_bytes_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = ns_to_b(&s);
    m.optlen = 0;
    m.cut = 4;
    EXPECT_DROPPED(&s, &m, nd_in_truncated);
    es_done(&s);
}

TEST(ns_with_zero_length_option_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = ns_to_b(&s);
    m.opts[1] = 0;
    EXPECT_DROPPED(&s, &m, nd_in_bad_option);
    es_done(&s);
}

TEST(ns_with_option_past_the_end_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = ns_to_b(&s);
    m.opts[1] = 3;
    EXPECT_DROPPED(&s, &m, nd_in_bad_option);
    es_done(&s);
}

/* RFC 2464 8: an Ethernet link-layer address option is 8 octets. */
TEST(ns_with_sixteen_byte_slla_is_dropped_on_ethernet) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = ns_to_b(&s);
    m.opts[1] = 2;
    memset(m.opts + 8, 0, 8);
    m.optlen = 16;
    EXPECT_DROPPED(&s, &m, nd_in_bad_option);
    es_done(&s);
}

TEST(ns_for_a_multicast_target_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = ns_to_b(&s);
    m.target = h_in6("ff02::1");
    EXPECT_DROPPED(&s, &m, nd_in_bad_target);
    es_done(&s);
}

TEST(ns_for_an_address_not_ours_is_ignored) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = ns_to_b(&s);
    m.target = h_in6("2001:db8::77");
    /* Valid, so counted as received, but neither answered nor learnt. */
    struct six_stats b0 = h_stats(s.st[1]);
    send_nd(&s, &m);
    CHECK_EQ(h_stats(s.st[1]).nd_in_not_our_target - b0.nd_in_not_our_target, 1);
    CHECK_EQ(h_stats(s.st[1]).nd_out_na - b0.nd_out_na, 0);
    CHECK_ERRNO(six_neigh_get(s.st[1], s.ifx[1], &m.src, NULL), ENOENT);
    es_done(&s);
}

/* RFC 4861 7.1.1: from the unspecified address (duplicate address
 * detection) the destination must be a solicited-node group and there
 * must be no SLLA. */
TEST(dad_ns_to_a_non_solicited_node_destination_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
    es_up(&s, 2);
    m = ns_to_b(&s);
    m.src = h_in6("::");
    m.dst = h_in6("ff02::1");
    m.dmac = all_nodes_mac;
    m.optlen = 0;
    EXPECT_DROPPED(&s, &m, nd_in_bad_dad_ns);
    es_done(&s);
}

TEST(dad_ns_with_slla_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    uint8_t sn_mac[6] = {0x33, 0x33, 0xff, 0, 0, 2};
    es_up(&s, 2);
    m = ns_to_b(&s);
    m.src = h_in6("::");
    m.dst = h_in6("ff02::1:ff00:2");
    m.dmac = sn_mac;
    EXPECT_DROPPED(&s, &m, nd_in_bad_dad_ns);
    es_done(&s);
}

/* RFC 4861 7.2.4: a valid DAD probe for our address is answered to
 * all-nodes, not solicited; nothing is learnt from it. */
TEST(dad_ns_for_our_address_is_answered_to_all_nodes) {
    struct eseg s;
    struct ndmsg m;
    uint8_t sn_mac[6] = {0x33, 0x33, 0xff, 0, 0, 2}, buf[64];
    struct sockaddr_in6 from;

    es_up(&s, 2);
    int fa = es_icmp_only(s.st[0], ND_NEIGHBOR_ADVERT);
    m = ns_to_b(&s);
    m.src = h_in6("::");
    m.dst = h_in6("ff02::1:ff00:2");
    m.dmac = sn_mac;
    m.optlen = 0;
    send_nd(&s, &m);
    CHECK_EQ(h_stats(s.st[1]).nd_out_na, 1);
    /* A saw it on all-nodes: R=0 S=0 O=1, target B's address. */
    ssize_t n = CHECK_OK(h_recv(fa, buf, sizeof(buf), &from));
    CHECK_EQ(n, 32);
    CHECK_EQ(buf[4], 0x20);
    CHECK_MEM(buf + 8, &s.addr[1], 16);
    six_close(fa);
    es_done(&s);
}

TEST(na_with_hop_limit_below_255_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = na_to_b(&s, FAKE_LL, 0x60000000, fake_mac);
    m.hlim = 64;
    EXPECT_DROPPED(&s, &m, nd_in_bad_hlim);
    es_done(&s);
}

TEST(na_to_multicast_with_solicited_flag_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
    es_up(&s, 2);
    m = na_to_b(&s, FAKE_LL, 0x60000000, fake_mac);
    m.dst = h_in6("ff02::1");
    m.dmac = all_nodes_mac;
    EXPECT_DROPPED(&s, &m, nd_in_bad_na_flags);
    es_done(&s);
}

TEST(na_for_a_multicast_target_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = na_to_b(&s, FAKE_LL, 0x20000000, fake_mac);
    m.target = h_in6("ff02::1:2");
    EXPECT_DROPPED(&s, &m, nd_in_bad_target);
    es_done(&s);
}

TEST(na_with_code_not_zero_is_dropped) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = na_to_b(&s, FAKE_LL, 0x20000000, fake_mac);
    m.code = 3;
    EXPECT_DROPPED(&s, &m, nd_in_bad_code);
    es_done(&s);
}

/* RFC 4861 7.2.5: no entry, no update (an unsolicited NA creates none). */
TEST(na_without_a_cache_entry_is_ignored) {
    struct eseg s;
    struct ndmsg m;
    struct in6_addr t = h_in6(FAKE_LL);
    es_up(&s, 2);
    m = na_to_b(&s, FAKE_LL, 0x20000000, fake_mac);
    send_nd(&s, &m);
    CHECK_EQ(h_stats(s.st[1]).nd_in_na_unsolicited, 1);
    CHECK_ERRNO(six_neigh_get(s.st[1], s.ifx[1], &t, NULL), ENOENT);
    es_done(&s);
}

TEST(na_claiming_our_address_is_counted_and_changes_nothing) {
    struct eseg s;
    struct ndmsg m;
    es_up(&s, 2);
    m = na_to_b(&s, "2001:db8::2", 0x20000000, fake_mac);
    m.src = h_in6(FAKE_LL);
    send_nd(&s, &m);
    CHECK_EQ(h_stats(s.st[1]).nd_in_na_for_ours, 1);
    es_done(&s);
}

/* Puts fe80::aa in B's cache as REACHABLE with fake_mac: B pings it,
 * and the NA is made by hand. */
static void fake_reachable(struct eseg *s, int *fd) {
    struct in6_addr fake = h_in6(FAKE_LL);
    struct ndmsg m;

    *fd = es_raw(s->st[1], EXPERIMENT_PROTO);
    struct sockaddr_in6 to = h_sin6(&fake, s->ifx[1]);
    CHECK_OK(six_sendto(*fd, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)));
    es_pump(s);
    CHECK_EQ(six_neigh_get(s->st[1], s->ifx[1], &fake, NULL), SIX_NUD_INCOMPLETE);
    m = na_to_b(s, FAKE_LL, 0x60000000, fake_mac);   /* S, O */
    m.dst = es_linklocal(s, 1);
    send_nd(s, &m);
    CHECK_EQ(six_neigh_get(s->st[1], s->ifx[1], &fake, NULL), SIX_NUD_REACHABLE);
}

/* 7.2.5: O clear and a different MAC: a REACHABLE entry goes STALE and
 * keeps its MAC; a STALE one ignores the advertisement. */
TEST(na_without_override_does_not_replace_a_known_mac) {
    struct eseg s;
    struct in6_addr fake = h_in6(FAKE_LL);
    struct ndmsg m;
    uint8_t mac[6];
    int fd;

    es_up(&s, 2);
    fake_reachable(&s, &fd);
    m = na_to_b(&s, FAKE_LL, 0x40000000, fake_mac2);   /* S only */
    send_nd(&s, &m);
    CHECK_EQ(six_neigh_get(s.st[1], s.ifx[1], &fake, mac), SIX_NUD_STALE);
    CHECK_MEM(mac, fake_mac, 6);
    send_nd(&s, &m);
    CHECK_EQ(six_neigh_get(s.st[1], s.ifx[1], &fake, mac), SIX_NUD_STALE);
    CHECK_MEM(mac, fake_mac, 6);
    six_close(fd);
    es_done(&s);
}

/* 7.2.5: O set and a different MAC, unsolicited: the MAC is replaced and
 * the entry goes STALE; solicited and the same MAC: REACHABLE. */
TEST(na_with_override_replaces_the_mac_and_solicited_confirms) {
    struct eseg s;
    struct in6_addr fake = h_in6(FAKE_LL);
    struct ndmsg m;
    uint8_t mac[6];
    int fd;

    es_up(&s, 2);
    fake_reachable(&s, &fd);
    m = na_to_b(&s, FAKE_LL, 0x20000000, fake_mac2);   /* O only */
    send_nd(&s, &m);
    CHECK_EQ(six_neigh_get(s.st[1], s.ifx[1], &fake, mac), SIX_NUD_STALE);
    CHECK_MEM(mac, fake_mac2, 6);
    m = na_to_b(&s, FAKE_LL, 0x40000000, NULL);   /* S, no TLLA */
    send_nd(&s, &m);
    CHECK_EQ(six_neigh_get(s.st[1], s.ifx[1], &fake, mac), SIX_NUD_REACHABLE);
    CHECK_MEM(mac, fake_mac2, 6);
    six_close(fd);
    es_done(&s);
}

/* An INCOMPLETE entry ignores an NA without a TLLA: there is nothing to
 * resolve with (7.2.5). */
TEST(na_without_tlla_does_not_complete_resolution) {
    struct eseg s;
    struct in6_addr fake = h_in6(FAKE_LL);
    struct ndmsg m;

    es_up(&s, 2);
    int fd = es_raw(s.st[1], EXPERIMENT_PROTO);
    struct sockaddr_in6 to = h_sin6(&fake, s.ifx[1]);
    CHECK_OK(six_sendto(fd, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)));
    es_pump(&s);
    m = na_to_b(&s, FAKE_LL, 0x60000000, NULL);
    send_nd(&s, &m);
    CHECK_EQ(six_neigh_get(s.st[1], s.ifx[1], &fake, NULL), SIX_NUD_INCOMPLETE);
    es_advance(&s, 3 * SEC, SEC);   /* let it fail, so the pools empty */
    six_close(fd);
    es_done(&s);
}

/* RFC 4861 7.2.3: a solicitation carrying its sender's MAC completes an
 * INCOMPLETE entry for that sender, and what waited goes out. */
TEST(ns_with_slla_completes_a_waiting_resolution) {
    struct eseg s;
    struct in6_addr fake = h_in6(FAKE_LL);
    struct ndmsg m;
    uint8_t mac[6];

    es_up(&s, 2);
    int fd = es_raw(s.st[1], EXPERIMENT_PROTO);
    struct sockaddr_in6 to = h_sin6(&fake, s.ifx[1]);
    CHECK_OK(six_sendto(fd, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)));
    es_pump(&s);
    CHECK_EQ(six_stack_pkts_in_use(s.st[1]), 1);   /* the queued packet */
    m = ns_to_b(&s);
    send_nd(&s, &m);
    CHECK_EQ(six_neigh_get(s.st[1], s.ifx[1], &fake, mac), SIX_NUD_DELAY);
    CHECK_MEM(mac, fake_mac, 6);
    CHECK_EQ(six_stack_pkts_in_use(s.st[1]), 0);
    CHECK_EQ(h_stats(s.st[1]).nd_queue_drops, 0);
    six_close(fd);
    es_done(&s);
}

/* The cache never holds more than nd_cache_max entries: a flood of
 * solicitations from new sources evicts the least recently used. */
TEST(cache_is_bounded_and_evicts) {
    struct eseg s;
    struct six_stack_config cfg = h_config(0);
    struct ndmsg m;
    unsigned found = 0;

    cfg.nd_cache_max = 4;
    es_up_cfg(&s, 2, &cfg);
    m = ns_to_b(&s);
    for (int i = 0; i < 10; i++) {
        m.src.s6_addr[15] = (uint8_t)(0x10 + i);
        send_nd(&s, &m);
    }
    for (int i = 0; i < 10; i++) {
        m.src.s6_addr[15] = (uint8_t)(0x10 + i);
        if (six_neigh_get(s.st[1], s.ifx[1], &m.src, NULL) >= 0)
            found++;
    }
    CHECK_EQ(found, 4);
    CHECK_EQ(h_stats(s.st[1]).nd_cache_evictions, 6);
    /* The newest stayed. */
    CHECK(six_neigh_get(s.st[1], s.ifx[1], &m.src, NULL) >= 0);
    es_done(&s);
}

/* ND messages are still seen by raw ICMPv6 sockets (RFC 3542 3.1). */
TEST(nd_messages_reach_raw_icmp6_sockets) {
    struct eseg s;
    struct ndmsg m;
    uint8_t buf[64];

    es_up(&s, 2);
    int fb = es_icmp_only(s.st[1], ND_NEIGHBOR_SOLICIT);
    m = ns_to_b(&s);
    send_nd(&s, &m);
    CHECK_EQ(CHECK_OK(h_recv(fb, buf, sizeof(buf), NULL)), 32);
    six_close(fb);
    es_done(&s);
}

/* An echo request into B from src (fake MAC): B's reply needs src
 * resolved, so each new source makes an INCOMPLETE entry. */
static void echo_from(struct eseg *s, const struct in6_addr *src) {
    struct hframe p;
    struct eframe f;
    uint8_t body[8] = {'f', 'l', 'o', 'o', 'd'};

    h_ip6(&p, src, &s->addr[1], IPPROTO_ICMPV6, 64);
    h_icmp6(&p, ICMP6_ECHO_REQUEST, 0, 0x77770001, body, sizeof(body));
    ef_start(&f, s->mac[1], fake_mac, 0x86dd);
    ef_ip6(&f, &p);
    es_inject(s, 1, &f);
}

/* RFC 6583 7.1: a flood of echo requests from new on-link sources fills
 * B's cache with INCOMPLETE entries (its replies wait for resolution);
 * the entry of A, a neighbour B is talking to, is kept ahead of them, so
 * A's pings are answered all along without B soliciting A again, and the
 * INCOMPLETE entries stay within their own limit (a quarter of the
 * cache). */
TEST(flood_of_new_neighbours_keeps_the_one_in_use) {
    struct six_stack_config cfg = h_config(0);
    struct in6_addr src = h_in6("2001:db8::1:0");
    struct eseg s;
    uint8_t buf[64];
    unsigned incomplete = 0;

    cfg.nd_cache_max = 8;
    es_up_cfg(&s, 2, &cfg);
    int fa = es_icmp_only(s.st[0], ICMP6_ECHO_REPLY);
    ping(s.st[0], fa, &s.addr[1], 0);
    es_pump(&s);
    CHECK_EQ(CHECK_OK(h_recv(fa, buf, sizeof(buf), NULL)), 16);
    uint64_t ns_b = h_stats(s.st[1]).nd_out_ns;
    for (int i = 0; i < 200; i++) {
        src.s6_addr[14] = (uint8_t)(i >> 8);
        src.s6_addr[15] = (uint8_t)i;
        echo_from(&s, &src);
        if (i % 10 == 9) {
            ping(s.st[0], fa, &s.addr[1], 0);
            es_pump(&s);
            CHECK_EQ(CHECK_OK(h_recv(fa, buf, sizeof(buf), NULL)), 16);
            CHECK(state_of(&s, 1, &s.addr[0], NULL) >= 0);
        }
    }
    es_pump(&s);
    /* B solicited the flood's sources only, never A. */
    CHECK_EQ(h_stats(s.st[1]).nd_out_ns - ns_b, 200);
    for (int i = 0; i < 200; i++) {
        src.s6_addr[14] = (uint8_t)(i >> 8);
        src.s6_addr[15] = (uint8_t)i;
        if (state_of(&s, 1, &src, NULL) == SIX_NUD_INCOMPLETE)
            incomplete++;
    }
    CHECK_EQ(incomplete, 2);
    /* Their resolution fails; A's entry is still there. */
    es_advance(&s, 4 * SEC, SEC / 2);
    CHECK(state_of(&s, 1, &s.addr[0], NULL) >= 0);
    six_close(fa);
    es_done(&s);
}
