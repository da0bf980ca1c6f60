/* Duplicate address detection (RFC 4862 5.4) and stable interface
 * identifiers (RFC 7217) between stacks on an in-memory Ethernet segment
 * on manual clocks. */
#include "eseg.h"

#define SEC 1000000ull
#define MS 1000ull

static struct six_stack_config dad_cfg(unsigned transmits) {
    struct six_stack_config cfg = h_config(0);
    cfg.dad_transmits = transmits;
    return cfg;
}

/* The flags of a on stack i's interface, or -1 when it has no such
 * address. */
static int flags_of(struct eseg *s, int i, const struct in6_addr *a) {
    struct six_addr_info l[16];
    int n = six_addr_list(s->st[i], s->ifx[i], l, 16);
    for (int k = 0; k < n && k < 16; k++)
        if (h_addr_eq(&l[k].addr, a))
            return (int)l[k].flags;
    return -1;
}

static void ping(int fd, const struct in6_addr *to) {
    uint8_t req[8] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 7, 0, 1};
    h_send_ok(fd, to, req, sizeof(req));
}

/* A static address is tentative for RetransTimer after its one probe: no
 * source, no destination, no answer to solicitations; then it is ours. */
TEST(static_address_is_tentative_until_dad_passes) {
    struct eseg s;
    struct six_stack_config cfg = dad_cfg(1);
    struct in6_addr a = h_in6("2001:db8:7::2"), src;
    uint8_t buf[64];

    es_up_cfg(&s, 2, &cfg);
    es_advance(&s, 2 * SEC, SEC);   /* es_up's addresses pass */
    CHECK_EQ(h_stats(s.st[1]).nd_dad_ok, 2);
    CHECK_OK(six_addr_add(s.st[1], s.ifx[1], &a, 64, 0));
    CHECK_EQ(flags_of(&s, 1, &a), SIX_ADDR_TENTATIVE);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[1]).nd_out_dad_ns, 3);
    CHECK_OK(six_select_source(s.st[1], &a, 0, &src));
    CHECK(!h_addr_eq(&src, &a));
    /* A bound socket cannot send from it. */
    int fb = es_raw(s.st[1], 253);
    h_bind(fb, &a);
    CHECK_ERRNO(h_sendto(fb, &s.addr[0], "x", 1), EADDRNOTAVAIL);
    /* Stack 0 cannot reach it: the solicitation is not answered. */
    CHECK_OK(six_route_add(s.st[0], &a, 128, NULL, s.ifx[0]));
    int fa = es_raw(s.st[0], IPPROTO_ICMPV6);
    ping(fa, &a);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[1]).nd_in_ns_tentative, 1);
    es_advance(&s, 1 * SEC, 0);
    CHECK_EQ(flags_of(&s, 1, &a), 0);
    CHECK_EQ(h_stats(s.st[1]).nd_dad_ok, 3);
    h_send_ok(fb, &s.addr[0], "x", 1);
    es_advance(&s, 3 * SEC, SEC);   /* stack 0's resolution gave up */
    ping(fa, &a);
    es_pump(&s);
    CHECK_OK(h_recv(fa, buf, sizeof(buf), NULL));   /* the reply */
    six_close(fa);
    six_close(fb);
    es_done(&s);
}

/* Source of the datagram rx (raw, 253) receives after fd sends one to to. */
static struct in6_addr source_seen(struct eseg *s, int fd, const struct in6_addr *to, int rx) {
    struct sockaddr_in6 from;
    socklen_t len = sizeof(from);
    uint8_t buf[8];

    h_send_ok(fd, to, "x", 1);
    es_pump(s);
    CHECK_EQ(six_recvfrom(rx, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &len), 1);
    return from.sin6_addr;
}

/* An address that passes DAD becomes a source at once, also for a socket
 * that already sent to the same destination from another one. */
TEST(address_that_passes_dad_becomes_the_source) {
    struct eseg s;
    struct six_stack_config cfg = dad_cfg(1);
    struct in6_addr a = h_in6("2001:db8:7::2"), peer = h_in6("2001:db8:7::1"), got;

    es_up_cfg(&s, 2, &cfg);
    es_advance(&s, 2 * SEC, SEC);
    CHECK_OK(six_addr_add(s.st[0], s.ifx[0], &peer, 64, SIX_ADDR_NODAD));
    CHECK_OK(six_addr_add(s.st[1], s.ifx[1], &a, 64, 0));
    int fd = es_raw(s.st[1], 253), rx = es_raw(s.st[0], 253);
    got = source_seen(&s, fd, &peer, rx);
    CHECK(h_addr_eq(&got, &s.addr[1]));   /* a is tentative */
    es_advance(&s, 1 * SEC, 0);
    CHECK_EQ(flags_of(&s, 1, &a), 0);
    got = source_seen(&s, fd, &peer, rx);
    CHECK(h_addr_eq(&got, &a));           /* RFC 6724 rule 8 */
    six_close(fd);
    six_close(rx);
    es_done(&s);
}

/* RFC 4862 5.4: packets to a tentative address are dropped. */
TEST(packets_to_a_tentative_address_are_dropped) {
    struct eseg s;
    struct six_stack_config cfg = dad_cfg(1);
    es_up_cfg(&s, 2, &cfg);
    struct six_stats b0 = h_stats(s.st[1]);
    struct hframe p;
    struct eframe f;
    h_ip6(&p, &s.addr[0], &s.addr[1], 253, 64);
    h_zero(&p, 4);
    h_end(&p);
    ef_start(&f, s.mac[1], s.mac[0], 0x86dd);
    ef_ip6(&f, &p);
    CHECK_OK(six_if_inject(s.st[1], s.ifx[1], f.b, f.len));
    CHECK_EQ(h_stats(s.st[1]).ip6_in_not_for_us - b0.ip6_in_not_for_us, 1);
    es_done(&s);
}

/* DupAddrDetectTransmits solicitations RetransTimer apart, from ::, to
 * the solicited-node group, no SLLA; the address is ours RetransTimer
 * after the last. */
TEST(dad_sends_its_probes_retrans_timer_apart) {
    struct eseg s;
    struct six_stack_config cfg = dad_cfg(3);
    uint8_t buf[64];
    struct sockaddr_in6 from;

    es_up_cfg(&s, 2, &cfg);
    es_advance(&s, 4 * SEC, SEC);
    struct in6_addr a = h_in6("2001:db8::1:5"), sn = h_in6("ff02::1:ff01:5");
    struct ipv6_mreq m = {.ipv6mr_multiaddr = sn, .ipv6mr_interface = s.ifx[0]};
    int fl = es_raw(s.st[0], IPPROTO_ICMPV6);
    CHECK_OK(six_setsockopt(fl, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)));
    es_pump(&s);
    struct six_stats b0 = h_stats(s.st[1]);
    CHECK_OK(six_addr_add(s.st[1], s.ifx[1], &a, 64, 0));
    es_pump(&s);
    for (int k = 1; k <= 3; k++) {
        CHECK_EQ(h_stats(s.st[1]).nd_out_dad_ns - b0.nd_out_dad_ns, k);
        CHECK_EQ(flags_of(&s, 1, &a), SIX_ADDR_TENTATIVE);
        es_advance(&s, 999 * MS, 0);
        CHECK_EQ(h_stats(s.st[1]).nd_out_dad_ns - b0.nd_out_dad_ns, k);
        es_advance(&s, 1 * MS, 0);
    }
    CHECK_EQ(flags_of(&s, 1, &a), 0);
    /* What went on the wire: an NS from ::, for a, 24 bytes. */
    ssize_t n;
    int seen = 0;
    while ((n = h_recv(fl, buf, sizeof(buf), &from)) > 0)
        if (buf[0] == ND_NEIGHBOR_SOLICIT) {
            CHECK_EQ(n, 24);
            CHECK(IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr));
            CHECK_MEM(buf + 8, &a, 16);
            seen++;
        }
    CHECK_EQ(seen, 3);
    six_close(fl);
    es_done(&s);
}

/* dad_transmits 0, or SIX_ADDR_NODAD: usable at once, nothing sent;
 * loopback and anycast addresses never run DAD. */
TEST(no_dad_when_turned_off_per_stack_or_per_address) {
    struct eseg s;
    struct six_stack_config cfg = dad_cfg(0);
    struct in6_addr a = h_in6("2001:db8::1:6"), any6 = h_in6("2001:db8::1:7");
    es_up_cfg(&s, 1, &cfg);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[0]).nd_out_dad_ns, 0);
    CHECK_EQ(flags_of(&s, 0, &s.addr[0]), 0);
    es_done(&s);

    cfg = dad_cfg(1);
    es_up_cfg(&s, 1, &cfg);
    es_advance(&s, 2 * SEC, SEC);
    struct six_stats b0 = h_stats(s.st[0]);
    CHECK_OK(six_addr_add(s.st[0], s.ifx[0], &a, 64, SIX_ADDR_NODAD));
    CHECK_EQ(flags_of(&s, 0, &a), 0);
    CHECK_OK(six_addr_add(s.st[0], s.ifx[0], &any6, 64, SIX_ADDR_ANYCAST));
    CHECK_EQ(flags_of(&s, 0, &any6), SIX_ADDR_ANYCAST);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[0]).nd_out_dad_ns, b0.nd_out_dad_ns);
    /* The state flags are the stack's. */
    CHECK_ERRNO(six_addr_add(s.st[0], s.ifx[0], &a, 64, SIX_ADDR_TENTATIVE), EINVAL);
    CHECK_ERRNO(six_addr_add(s.st[0], s.ifx[0], &a, 64, 1u << 16), EINVAL);
    es_done(&s);
}

/* RFC 4862 5.4.4: an advertisement for the tentative address (its owner
 * answering our probe) makes it a duplicate: never used, kept, marked. */
TEST(dad_detects_a_duplicate_by_advertisement) {
    struct eseg s;
    struct six_stack_config cfg = dad_cfg(1);
    struct in6_addr a = h_in6("2001:db8::1:8"), src;
    es_up_cfg(&s, 2, &cfg);
    CHECK_OK(six_addr_add(s.st[0], s.ifx[0], &a, 64, SIX_ADDR_NODAD));
    es_advance(&s, 2 * SEC, SEC);
    CHECK_OK(six_addr_add(s.st[1], s.ifx[1], &a, 64, 0));
    es_advance(&s, 2 * SEC, SEC);
    CHECK_EQ(flags_of(&s, 1, &a), SIX_ADDR_DUPLICATED);
    CHECK_EQ(h_stats(s.st[1]).nd_dad_duplicates, 1);
    CHECK_OK(six_select_source(s.st[1], &a, s.ifx[1], &src));
    CHECK(!h_addr_eq(&src, &a));
    /* It answers no solicitation: stack 0 keeps it. */
    CHECK_EQ(flags_of(&s, 0, &a), 0);
    es_done(&s);
}

/* RFC 4862 5.4.3: a solicitation from :: for our tentative address is
 * another node probing it: a duplicate. Here stack 0 probes first, and
 * stack 1 hears that probe before sending its own, so stack 0 (which
 * then hears nothing) keeps the address. */
TEST(dad_detects_a_duplicate_by_another_nodes_probe) {
    struct eseg s;
    struct six_stack_config cfg = dad_cfg(1);
    struct in6_addr a = h_in6("2001:db8::1:9");
    es_up_cfg(&s, 2, &cfg);
    es_advance(&s, 2 * SEC, SEC);
    CHECK_OK(six_addr_add(s.st[0], s.ifx[0], &a, 64, 0));
    CHECK_OK(six_addr_add(s.st[1], s.ifx[1], &a, 64, 0));
    es_advance(&s, 2 * SEC, SEC);
    CHECK_EQ(flags_of(&s, 0, &a), 0);
    CHECK_EQ(flags_of(&s, 1, &a), SIX_ADDR_DUPLICATED);
    CHECK_EQ(h_stats(s.st[0]).nd_dad_duplicates, 0);
    CHECK_EQ(h_stats(s.st[1]).nd_dad_duplicates, 1);
    CHECK_EQ(h_stats(s.st[1]).nd_in_ns_tentative, 1);
    es_done(&s);
}

/* RFC 4862 5.4.5: an EUI-64 link-local address found duplicated stops
 * autoconfiguration on the interface. */
TEST(duplicated_eui64_link_local_stops_autoconfiguration) {
    struct eseg s;
    struct six_stack_config cfg = dad_cfg(1);
    cfg.addr_gen_mode = SIX_ADDR_GEN_EUI64;
    cfg.autoconf = 1;
    es_up_cfg(&s, 2, &cfg);
    struct in6_addr ll = es_linklocal(&s, 1);
    CHECK_OK(six_addr_add(s.st[0], s.ifx[0], &ll, 64, SIX_ADDR_NODAD));
    es_advance(&s, 2 * SEC, SEC);
    CHECK_EQ(flags_of(&s, 1, &ll), SIX_ADDR_DUPLICATED);
    struct six_stats b0 = h_stats(s.st[1]);
    es_advance(&s, 12 * SEC, SEC);
    CHECK_EQ(h_stats(s.st[1]).nd_out_rs, b0.nd_out_rs);
    /* Turning it on again does not start it. */
    CHECK_OK(six_if_set_autoconf(s.st[1], s.ifx[1], 1));
    es_advance(&s, 2 * SEC, SEC);
    CHECK_EQ(h_stats(s.st[1]).nd_out_rs, b0.nd_out_rs);
    es_done(&s);
}

/* ---- RFC 7217 ---- */

/* A stack alone on a segment with interface name "e1", the given secret
 * and addr_gen_mode, that took an advertisement for 2001:db8:1::/64 and
 * 2001:db8:2::/64 (injected): writes its link-local and SLAAC addresses. */
static void addresses_of(const uint8_t secret[16], int eui64, struct in6_addr out[3]) {
    struct six_stack_config cfg = h_config(9);
    struct six_memwire_config wc = {.ethernet = 1};
    struct six_segment *seg = six_segment_new(&wc);
    struct six_stack *st;
    struct six_addr_info l[8];
    struct hframe p;
    struct eframe f;
    uint8_t ra[16 + 64] = {ND_ROUTER_ADVERT, 0, 0, 0, 64, 0, 0, 0};
    static const uint8_t rmac[6] = {0x02, 1, 2, 3, 4, 5}, all[6] = {0x33, 0x33, 0, 0, 0, 1};

    cfg.autoconf = 1;
    cfg.addr_gen_mode = eui64 ? SIX_ADDR_GEN_EUI64 : SIX_ADDR_GEN_STABLE;
    memcpy(cfg.stable_secret, secret, 16);
    st = six_stack_new(&cfg);
    CHECK(st && seg);
    unsigned ifx = (unsigned)CHECK_OK(six_segment_attach(seg, st, "e1"));
    for (int k = 0; k < 2; k++) {
        uint8_t *o = ra + 16 + 32 * k;
        o[0] = 3, o[1] = 4, o[2] = 64, o[3] = 0xc0;
        o[4] = o[8] = 0x10;
        o[16] = 0x20, o[17] = 0x01, o[18] = 0x0d, o[19] = 0xb8, o[21] = (uint8_t)(k + 1);
    }
    struct in6_addr rll = h_in6("fe80::1"), alln = h_in6("ff02::1");
    h_ip6(&p, &rll, &alln, IPPROTO_ICMPV6, 255);
    h_put(&p, ra, sizeof(ra));
    h_end(&p);
    h_icmp6_fix(&p, 40);
    ef_start(&f, all, rmac, 0x86dd);
    ef_ip6(&f, &p);
    CHECK_OK(six_if_inject(st, ifx, f.b, f.len));
    int n = six_addr_list(st, ifx, l, 8);
    CHECK_EQ(n, 3);
    for (int k = 0; k < 3; k++) {
        int slot = l[k].addr.s6_addr[0] == 0xfe ? 0 : l[k].addr.s6_addr[5];
        out[slot] = l[k].addr;
    }
    CHECK_EQ(six_stack_pkts_in_use(st), 0);
    six_stack_free(st);
    six_segment_free(seg);
}

TEST(stable_identifiers_repeat_with_the_secret_and_differ_by_prefix) {
    static const uint8_t k1[16] = {1, 2, 3}, k2[16] = {4, 5, 6};
    struct in6_addr a[3], b[3], c[3], e[3];

    h_privileged(1);
    addresses_of(k1, 0, a);
    addresses_of(k1, 0, b);
    addresses_of(k2, 0, c);
    addresses_of(k1, 1, e);
    for (int k = 0; k < 3; k++) {
        CHECK(h_addr_eq(&a[k], &b[k]));          /* same inputs, same address */
        CHECK(memcmp(&a[k].s6_addr[8], &c[k].s6_addr[8], 8) != 0);   /* secret */
    }
    CHECK(memcmp(&a[1].s6_addr[8], &a[2].s6_addr[8], 8) != 0);       /* prefix */
    CHECK(memcmp(&a[0].s6_addr[8], &a[1].s6_addr[8], 8) != 0);
    /* EUI-64: one identifier for every prefix, ff:fe in the middle. */
    CHECK_MEM(&e[1].s6_addr[8], &e[2].s6_addr[8], 8);
    CHECK_MEM(&e[0].s6_addr[8], &e[1].s6_addr[8], 8);
    CHECK_EQ(e[0].s6_addr[11], 0xff);
    CHECK_EQ(e[0].s6_addr[12], 0xfe);
    six_set_creds(NULL);
}

/* RFC 7217 6: a stable SLAAC address that collides is tried again with
 * the next DAD_Counter: a new identifier, DAD again, then preferred. */
TEST(stable_slaac_address_collision_retries_with_the_next_counter) {
    static const uint8_t k1[16] = {1, 2, 3};
    struct six_stack_config cfg = h_config(9);
    struct in6_addr mine[3];
    struct six_addr_info l[8];
    struct eseg s;

    h_privileged(1);
    addresses_of(k1, 0, mine);   /* what "e1" with k1 makes */
    cfg.autoconf = 1;
    cfg.dad_transmits = 1;
    memcpy(cfg.stable_secret, k1, 16);
    es_up_cfg(&s, 2, &cfg);
    es_advance(&s, 2 * SEC, SEC);
    CHECK_OK(six_addr_add(s.st[0], s.ifx[0], &mine[1], 64, SIX_ADDR_NODAD));
    es_pump(&s);
    /* Stack 0 advertises 2001:db8:1::/64. */
    uint8_t ra[16 + 32] = {ND_ROUTER_ADVERT, 0, 0, 0, 64, 0, 0, 0};
    uint8_t *o = ra + 16;
    o[0] = 3, o[1] = 4, o[2] = 64, o[3] = 0xc0, o[4] = 0x10, o[8] = 0x10;
    o[16] = 0x20, o[17] = 0x01, o[18] = 0x0d, o[19] = 0xb8, o[21] = 1;
    int fd = es_raw(s.st[0], IPPROTO_ICMPV6);
    int v = 255;
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &v, sizeof(v)));
    struct in6_addr alln = h_in6("ff02::1");
    struct sockaddr_in6 to = h_sin6(&alln, s.ifx[0]);
    CHECK_OK(six_sendto(fd, ra, sizeof(ra), 0, (struct sockaddr *)&to, sizeof(to)));
    six_close(fd);
    es_pump(&s);
    /* Its probe went at once and stack 0 answered it. */
    CHECK_EQ(h_stats(s.st[1]).nd_dad_duplicates, 1);
    CHECK_EQ(h_stats(s.st[1]).nd_slaac_addrs, 1);
    CHECK_EQ(flags_of(&s, 1, &mine[1]), -1);
    es_advance(&s, 3 * SEC, SEC);
    int n = six_addr_list(s.st[1], s.ifx[1], l, 8), found = 0;
    for (int k = 0; k < n && k < 8; k++)
        if (memcmp(&l[k].addr, &mine[1], 8) == 0) {
            CHECK(!h_addr_eq(&l[k].addr, &mine[1]));
            CHECK_EQ(l[k].flags, SIX_ADDR_AUTOCONF);
            CHECK_EQ(l[k].valid_s, 16 * 16777216u - 3);
            found++;
        }
    CHECK_EQ(found, 1);
    es_done(&s);
}

/* A stable link-local address that collides is tried again too, and
 * autoconfiguration carries on. */
TEST(stable_link_local_collision_retries_with_the_next_counter) {
    struct eseg s;
    struct six_stack_config cfg = dad_cfg(1);
    cfg.autoconf = 1;
    es_up_cfg(&s, 2, &cfg);
    struct in6_addr ll = es_linklocal(&s, 1);
    CHECK_OK(six_addr_add(s.st[0], s.ifx[0], &ll, 64, SIX_ADDR_NODAD));
    es_advance(&s, 3 * SEC, SEC);
    CHECK_EQ(h_stats(s.st[1]).nd_dad_duplicates, 1);
    struct in6_addr ll2 = es_linklocal(&s, 1);
    CHECK(!h_addr_eq(&ll, &ll2));
    CHECK_EQ(flags_of(&s, 1, &ll2), 0);
    CHECK(h_stats(s.st[1]).nd_out_rs > 0);
    es_done(&s);
}
