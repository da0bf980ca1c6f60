/* Router discovery (RFC 4861 6), SLAAC (RFC 4862 5.5) and redirects
 * (RFC 4861 8) between stacks on an in-memory Ethernet segment on manual
 * clocks. Stack 0 (and 2 when there is one) plays the router: it sends
 * hand-made Router Advertisements and Redirects through a raw ICMPv6
 * socket (hop limit 255, from its link-local address); stack 1 is the
 * host under test, with autoconfiguration on. */
#include "eseg.h"

#define SEC 1000000ull
#define MS 1000ull
#define R 0   /* the router */
#define H 1   /* the host */

/* Segment stacks with autoconfiguration on and DAD as given. */
static void up(struct eseg *s, int n, unsigned dad) {
    struct six_stack_config cfg = h_config(0);
    cfg.autoconf = 1;
    cfg.dad_transmits = dad;
    /* The stacks standing in for routers say so in their NAs, as routers
     * do (RFC 4861 7.2.5 would drop them from the router list else). */
    cfg.nd_router_flag = 1;
    es_up_cfg(s, n, &cfg);
}

static void set_int(int fd, int level, int name, int v) {
    CHECK_OK(six_setsockopt(fd, level, name, &v, sizeof(v)));
}

/* A raw ICMPv6 socket on stack i that sends with hop limit 255. */
static int router_sock(struct eseg *s, int i) {
    int fd = es_raw(s->st[i], IPPROTO_ICMPV6);
    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
    set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)s->ifx[i]);
    return fd;
}

struct ra {
    uint8_t code, cur_hlim, flags;
    uint16_t lifetime;
    uint32_t reachable, retrans;
    uint8_t opts[512];
    size_t optlen;
};

static struct ra ra_new(uint16_t lifetime) {
    struct ra r;
    memset(&r, 0, sizeof(r));
    r.lifetime = lifetime;
    return r;
}

static void opt_prefix(struct ra *r, const char *prefix, uint8_t plen, uint8_t flags,
                       uint32_t valid, uint32_t pref) {
    uint8_t *o = r->opts + r->optlen;
    struct in6_addr p = h_in6(prefix);
    memset(o, 0, 32);
    o[0] = ND_OPT_PREFIX_INFORMATION;
    o[1] = 4;
    o[2] = plen;
    o[3] = flags;
    for (int i = 0; i < 4; i++) {
        o[4 + i] = (uint8_t)(valid >> (24 - 8 * i));
        o[8 + i] = (uint8_t)(pref >> (24 - 8 * i));
    }
    memcpy(o + 16, &p, 16);
    r->optlen += 32;
}

static void opt_mtu(struct ra *r, uint32_t mtu) {
    uint8_t *o = r->opts + r->optlen;
    memset(o, 0, 8);
    o[0] = ND_OPT_MTU;
    o[1] = 1;
    for (int i = 0; i < 4; i++)
        o[4 + i] = (uint8_t)(mtu >> (24 - 8 * i));
    r->optlen += 8;
}

static void opt_lla(struct ra *r, uint8_t type, const uint8_t mac[6]) {
    uint8_t *o = r->opts + r->optlen;
    o[0] = type;
    o[1] = 1;
    memcpy(o + 2, mac, 6);
    r->optlen += 8;
}

#define PFX_LA (ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO)

static size_t ra_bytes(const struct ra *r, uint8_t *b) {
    memset(b, 0, 16);
    b[0] = ND_ROUTER_ADVERT;
    b[1] = r->code;
    b[4] = r->cur_hlim;
    b[5] = r->flags;
    b[6] = (uint8_t)(r->lifetime >> 8);
    b[7] = (uint8_t)r->lifetime;
    for (int i = 0; i < 4; i++) {
        b[8 + i] = (uint8_t)(r->reachable >> (24 - 8 * i));
        b[12 + i] = (uint8_t)(r->retrans >> (24 - 8 * i));
    }
    memcpy(b + 16, r->opts, r->optlen);
    return 16 + r->optlen;
}

/* Router i advertises r to all-nodes, and everyone settles. */
static void send_ra(struct eseg *s, int i, const struct ra *r) {
    uint8_t b[16 + 512];
    struct in6_addr all = h_in6("ff02::1");
    struct sockaddr_in6 to = h_sin6(&all, s->ifx[i]);
    int fd = router_sock(s, i);
    size_t n = ra_bytes(r, b);
    CHECK_EQ(CHECK_OK(six_sendto(fd, b, n, 0, (struct sockaddr *)&to, sizeof(to))), n);
    six_close(fd);
    es_pump(s);
}

/* The usual advertisement: router lifetime 1800 s, the router's MAC, one
 * prefix 2001:db8:1::/64 on-link and autonomous. */
static struct ra ra_std(struct eseg *s, uint32_t valid, uint32_t pref) {
    struct ra r = ra_new(1800);
    opt_lla(&r, ND_OPT_SOURCE_LINKADDR, s->mac[R]);
    opt_prefix(&r, "2001:db8:1::", 64, PFX_LA, valid, pref);
    return r;
}

/* The host's address with flags want among its flags, in prefix/64. */
static int find_addr(struct eseg *s, const char *prefix, struct six_addr_info *out) {
    struct six_addr_info a[16];
    struct in6_addr p = h_in6(prefix);
    int n = six_addr_list(s->st[H], s->ifx[H], a, 16);
    for (int i = 0; i < n && i < 16; i++)
        if (memcmp(&a[i].addr, &p, 8) == 0) {
            if (out)
                *out = a[i];
            return 1;
        }
    return 0;
}

static int nrouters(struct eseg *s, struct six_router_info *out) {
    return six_router_list(s->st[H], out, out ? 4 : 0);
}

/* ---- Router Solicitations ---- */

/* A socket on the router that sees solicitations: it joins all-routers
 * (ff02::2) as a router would. */
static int rs_listener(struct eseg *s) {
    struct ipv6_mreq m = {.ipv6mr_multiaddr = h_in6("ff02::2"), .ipv6mr_interface = s->ifx[R]};
    int fd = es_icmp_only(s->st[R], ND_ROUTER_SOLICIT);
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)));
    es_pump(s);
    return fd;
}

/* RFC 4861 6.3.7: MAX_RTR_SOLICITATIONS (3) solicitations, the first
 * within MAX_RTR_SOLICITATION_DELAY (1 s), then RTR_SOLICITATION_INTERVAL
 * (4 s) apart, from the link-local address with our MAC. */
TEST(host_sends_three_router_solicitations_four_seconds_apart) {
    struct eseg s;
    uint8_t buf[64];
    struct sockaddr_in6 from;

    up(&s, 2, 0);
    int fr = rs_listener(&s);
    es_advance(&s, 1 * SEC, 0);
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 1);
    CHECK_EQ(CHECK_OK(h_recv(fr, buf, sizeof(buf), &from)), 16);
    struct in6_addr ll = es_linklocal(&s, H);
    CHECK(h_addr_eq(&from.sin6_addr, &ll));
    CHECK_EQ(buf[8], ND_OPT_SOURCE_LINKADDR);
    CHECK_MEM(buf + 10, s.mac[H], 6);
    /* A host ignores solicitations (only routers answer them). */
    CHECK_EQ(h_stats(s.st[R]).nd_in_rs_ignored, 1);
    es_advance(&s, 2990 * MS, 10 * MS);   /* 3.99 s: the second is >= 4 s */
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 1);
    es_advance(&s, 1010 * MS, 10 * MS);   /* 5 s */
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 2);
    es_advance(&s, 2990 * MS, 10 * MS);   /* 7.99 s */
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 2);
    es_advance(&s, 1010 * MS, 10 * MS);   /* 9 s */
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 3);
    es_advance(&s, 30 * SEC, SEC);
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 3);
    six_close(fr);
    es_done(&s);
}

/* 6.3.7: a valid advertisement ends the solicitations. */
TEST(router_advertisement_stops_the_solicitations) {
    struct eseg s;
    up(&s, 2, 0);
    es_advance(&s, 1 * SEC, 0);
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 1);
    struct ra r = ra_new(600);
    send_ra(&s, R, &r);
    es_advance(&s, 20 * SEC, SEC);
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 1);
    CHECK_EQ(h_stats(s.st[H]).nd_in_ra, 1);
    es_done(&s);
}

/* 6.3.7: while the link-local address is tentative the solicitation
 * comes from :: and carries no Source Link-Layer Address option. */
TEST(solicitation_from_unspecified_while_link_local_is_tentative) {
    struct eseg s;
    uint8_t buf[64];
    struct sockaddr_in6 from;

    up(&s, 2, 1);
    int fr = rs_listener(&s);
    es_advance(&s, 999 * MS, 0);   /* DAD of the link-local takes 1 s */
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 1);
    CHECK_EQ(CHECK_OK(h_recv(fr, buf, sizeof(buf), &from)), 8);
    CHECK(IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr));
    es_advance(&s, 5 * SEC, SEC);
    CHECK_EQ(CHECK_OK(h_recv(fr, buf, sizeof(buf), &from)), 16);
    struct in6_addr ll = es_linklocal(&s, H);
    CHECK(h_addr_eq(&from.sin6_addr, &ll));
    six_close(fr);
    es_done(&s);
}

/* With autoconfiguration off nothing is solicited and advertisements
 * are ignored (counted); six_if_set_autoconf turns it on. */
TEST(autoconf_off_ignores_advertisements_until_turned_on) {
    struct eseg s;
    es_up(&s, 2);   /* h_config: autoconf 0 */
    es_advance(&s, 10 * SEC, SEC);
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 0);
    struct ra r = ra_std(&s, 3600, 1800);
    send_ra(&s, R, &r);
    CHECK_EQ(h_stats(s.st[H]).nd_in_ra_ignored, 1);
    CHECK_EQ(nrouters(&s, NULL), 0);
    CHECK(!find_addr(&s, "2001:db8:1::", NULL));
    CHECK_OK(six_if_set_autoconf(s.st[H], s.ifx[H], 1));
    es_advance(&s, 1 * SEC, 0);
    CHECK_EQ(h_stats(s.st[H]).nd_out_rs, 1);
    send_ra(&s, R, &r);
    CHECK_EQ(nrouters(&s, NULL), 1);
    CHECK(find_addr(&s, "2001:db8:1::", NULL));
    /* Off again: later advertisements are ignored, what was learnt
     * stays. */
    CHECK_OK(six_if_set_autoconf(s.st[H], s.ifx[H], 0));
    send_ra(&s, R, &r);
    CHECK_EQ(h_stats(s.st[H]).nd_in_ra_ignored, 2);
    CHECK_EQ(nrouters(&s, NULL), 1);
    CHECK_ERRNO(six_if_set_autoconf(s.st[H], 1, 1), EOPNOTSUPP);   /* loopback */
    CHECK_ERRNO(six_if_set_autoconf(s.st[H], 99, 1), ENXIO);
    es_done(&s);
}

/* ---- SLAAC and the prefix list ---- */

/* RFC 4862 5.5.3 (d), 5.4: the address is made tentative, passes DAD
 * (one solicitation, RetransTimer of silence) and becomes preferred;
 * the prefix is on-link, the router is the default router. */
TEST(slaac_address_is_tentative_then_preferred) {
    struct eseg s;
    struct six_addr_info a;
    struct six_router_info rt[4];
    struct six_prefix_info px[4];
    struct in6_addr src, far = h_in6("2001:db8:1::99"), ll;

    up(&s, 2, 1);
    es_advance(&s, 2 * SEC, SEC);   /* the static and link-local addresses pass DAD */
    struct ra r = ra_std(&s, 3600, 1800);
    send_ra(&s, R, &r);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK_EQ(a.flags, SIX_ADDR_AUTOCONF | SIX_ADDR_TENTATIVE);
    CHECK_EQ(a.prefix_len, 64);
    CHECK_EQ(a.valid_s, 3600);
    CHECK_EQ(a.preferred_s, 1800);
    /* Tentative: not a source. */
    CHECK_OK(six_select_source(s.st[H], &far, 0, &src));
    CHECK(!h_addr_eq(&src, &a.addr));
    CHECK_EQ(h_stats(s.st[H]).nd_slaac_addrs, 1);
    es_advance(&s, 1 * SEC, 0);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK_EQ(a.flags, SIX_ADDR_AUTOCONF);
    CHECK_OK(six_select_source(s.st[H], &far, 0, &src));
    CHECK(h_addr_eq(&src, &a.addr));
    /* Router and prefix lists. */
    CHECK_EQ(nrouters(&s, rt), 1);
    ll = es_linklocal(&s, R);
    CHECK(h_addr_eq(&rt[0].addr, &ll));
    CHECK_EQ(rt[0].ifindex, s.ifx[H]);
    CHECK_EQ(rt[0].lifetime_s, 1799);
    CHECK(rt[0].selected);
    CHECK_EQ(six_prefix_list(s.st[H], px, 4), 1);
    struct in6_addr want = h_in6("2001:db8:1::");
    CHECK(h_addr_eq(&px[0].prefix, &want));
    CHECK_EQ(px[0].prefix_len, 64);
    CHECK_EQ(px[0].valid_s, 3599);
    /* The router's MAC was learnt from its advertisement. */
    uint8_t mac[6];
    CHECK_EQ(six_neigh_get(s.st[H], s.ifx[H], &ll, mac), SIX_NUD_STALE);
    CHECK_MEM(mac, s.mac[R], 6);
    es_done(&s);
}

/* Sends one datagram on fd to dst and checks that rx (on the stack that
 * owns dst) receives it from src. */
static void expect_source(struct eseg *s, int fd, const struct in6_addr *dst, int rx,
                          const struct in6_addr *src) {
    uint8_t buf[64];
    struct sockaddr_in6 from;
    socklen_t len = sizeof(from);

    h_send_ok(fd, dst, "src?", 4);
    es_pump(s);
    CHECK_EQ(six_recvfrom(rx, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &len), 4);
    CHECK(h_addr_eq(&from.sin6_addr, src));
}

/* Preferred lifetime over: deprecated, and RFC 6724 rule 3 picks the
 * static address for new traffic; valid lifetime over: the address and
 * the on-link prefix go. */
TEST(slaac_lifetimes_deprecate_then_remove_the_address) {
    struct eseg s;
    struct six_addr_info a;
    struct in6_addr src, far = h_in6("2001:db8:1::99");

    up(&s, 2, 0);
    /* far is the router's too, so it shows the source of what H sends. */
    CHECK_OK(six_addr_add(s.st[R], s.ifx[R], &far, 64, 0));
    int from_h = es_raw(s.st[R], 253), to_far = es_raw(s.st[H], 253);
    struct ra r = ra_std(&s, 60, 20);
    send_ra(&s, R, &r);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK_OK(six_select_source(s.st[H], &far, 0, &src));
    CHECK(h_addr_eq(&src, &a.addr));   /* rule 8: the longer match */
    expect_source(&s, to_far, &far, from_h, &a.addr);
    es_advance(&s, 20 * SEC, SEC);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK_EQ(a.flags, SIX_ADDR_AUTOCONF | SIX_ADDR_DEPRECATED);
    CHECK_EQ(a.preferred_s, 0);
    CHECK_EQ(h_stats(s.st[H]).nd_addrs_deprecated, 1);
    CHECK_OK(six_select_source(s.st[H], &far, 0, &src));
    CHECK(h_addr_eq(&src, &s.addr[H]));   /* rule 3 */
    /* The socket that sent before the change sees it too. */
    expect_source(&s, to_far, &far, from_h, &s.addr[H]);
    six_close(from_h);
    six_close(to_far);
    /* Still valid: it is still ours as a destination. */
    CHECK(six_addr_list(s.st[H], s.ifx[H], NULL, 0) == 3);
    es_advance(&s, 40 * SEC, SEC);
    CHECK(!find_addr(&s, "2001:db8:1::", NULL));
    CHECK_EQ(h_stats(s.st[H]).nd_addrs_expired, 1);
    CHECK_EQ(six_prefix_list(s.st[H], NULL, 0), 0);
    CHECK_EQ(h_stats(s.st[H]).nd_prefixes_expired, 1);
    es_done(&s);
}

/* A later advertisement with a preferred lifetime makes a deprecated
 * address preferred again; 0 deprecates at once. */
TEST(preferred_lifetime_is_reset_by_each_advertisement) {
    struct eseg s;
    struct six_addr_info a;
    struct in6_addr far = h_in6("2001:db8:1::99");
    up(&s, 2, 0);
    CHECK_OK(six_addr_add(s.st[R], s.ifx[R], &far, 64, 0));
    int from_h = es_raw(s.st[R], 253), to_far = es_raw(s.st[H], 253);
    struct ra r = ra_std(&s, 7200, 0);
    send_ra(&s, R, &r);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK(a.flags & SIX_ADDR_DEPRECATED);
    expect_source(&s, to_far, &far, from_h, &s.addr[H]);   /* rule 3 */
    r = ra_std(&s, 7200, 100);
    send_ra(&s, R, &r);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK(!(a.flags & SIX_ADDR_DEPRECATED));
    CHECK_EQ(a.preferred_s, 100);
    expect_source(&s, to_far, &far, from_h, &a.addr);      /* rule 8 again */
    six_close(from_h);
    six_close(to_far);
    es_done(&s);
}

/* RFC 4862 5.5.3 (e): the two-hour rule. */
TEST(valid_lifetime_follows_the_two_hour_rule) {
    struct eseg s;
    struct six_addr_info a;
    up(&s, 2, 0);
    struct ra r = ra_std(&s, 3 * 3600, 60);
    send_ra(&s, R, &r);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK_EQ(a.valid_s, 3 * 3600);
    /* 1: longer than what is left: taken. */
    r = ra_std(&s, 4 * 3600, 60);
    send_ra(&s, R, &r);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK_EQ(a.valid_s, 4 * 3600);
    /* 3: 60 s, with more than two hours left: two hours. */
    r = ra_std(&s, 60, 60);
    send_ra(&s, R, &r);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK_EQ(a.valid_s, 7200);
    CHECK_EQ(a.preferred_s, 60);
    /* 2: two hours or less left: a shorter lifetime is ignored. */
    es_advance(&s, 600 * SEC, 60 * SEC);
    r = ra_std(&s, 0, 0);
    send_ra(&s, R, &r);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK_EQ(a.valid_s, 6600);
    /* 1 again: more than two hours is always taken. */
    r = ra_std(&s, 7201, 60);
    send_ra(&s, R, &r);
    CHECK(find_addr(&s, "2001:db8:1::", &a));
    CHECK_EQ(a.valid_s, 7201);
    es_done(&s);
}

/* RFC 4862 5.5.3 (b), (c) and the 64-bit identifier; RFC 4861 6.3.4:
 * link-local prefixes are ignored. A /48 is still on-link. */
TEST(prefix_options_that_cannot_be_used_are_ignored) {
    struct eseg s;
    struct six_prefix_info px[4];
    up(&s, 2, 0);
    struct ra r = ra_new(0);
    opt_prefix(&r, "fe80::", 64, PFX_LA, 3600, 1800);
    opt_prefix(&r, "2001:db8:2::", 64, PFX_LA, 100, 200);   /* preferred > valid */
    opt_prefix(&r, "2001:db8:3::", 48, PFX_LA, 3600, 1800);
    opt_prefix(&r, "2001:db8:4::", 64, 0, 3600, 1800);      /* neither flag */
    send_ra(&s, R, &r);
    CHECK_EQ(h_stats(s.st[H]).nd_in_ra_bad_prefix, 3);
    CHECK_EQ(six_addr_list(s.st[H], s.ifx[H], NULL, 0), 2);   /* static, link-local */
    CHECK_EQ(six_prefix_list(s.st[H], px, 4), 2);             /* :2:/64 and :3:/48 */
    CHECK_EQ(nrouters(&s, NULL), 0);                          /* lifetime 0 */
    es_done(&s);
}

/* An on-link prefix without the A flag makes its destinations direct;
 * a valid lifetime of 0 removes it. */
TEST(on_link_prefix_is_routed_directly_until_its_lifetime_ends) {
    struct eseg s;
    up(&s, 3, 0);
    struct in6_addr b = h_in6("2001:db8:5::3");
    CHECK_OK(six_addr_add(s.st[2], s.ifx[2], &b, 64, 0));
    struct ra r = ra_new(0);
    opt_prefix(&r, "2001:db8:5::", 64, ND_OPT_PI_FLAG_ONLINK, 3600, 3600);
    send_ra(&s, R, &r);
    int fd = es_raw(s.st[H], 253);
    h_send_ok(fd, &b, "x", 1);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[2]).raw_in_no_socket, 1);   /* it arrived, directly */
    r = ra_new(0);
    opt_prefix(&r, "2001:db8:5::", 64, ND_OPT_PI_FLAG_ONLINK, 0, 0);
    send_ra(&s, R, &r);
    CHECK_EQ(six_prefix_list(s.st[H], NULL, 0), 0);
    CHECK_ERRNO(h_sendto(fd, &b, "x", 1), ENETUNREACH);
    six_close(fd);
    es_done(&s);
}

/* Limits from the config: prefixes, SLAAC addresses, routers. */
TEST(router_prefix_and_address_tables_are_bounded) {
    struct eseg s;
    struct six_stack_config cfg = h_config(0);
    cfg.autoconf = 1;
    cfg.ra_max_prefixes = 2;
    cfg.slaac_max_addrs = 1;
    cfg.ra_max_routers = 1;
    es_up_cfg(&s, 3, &cfg);
    struct ra r = ra_new(600);
    opt_prefix(&r, "2001:db8:1::", 64, PFX_LA, 3600, 1800);
    opt_prefix(&r, "2001:db8:2::", 64, PFX_LA, 3600, 1800);
    opt_prefix(&r, "2001:db8:3::", 64, PFX_LA, 3600, 1800);
    send_ra(&s, R, &r);
    CHECK_EQ(six_prefix_list(s.st[H], NULL, 0), 2);
    CHECK_EQ(six_addr_list(s.st[H], s.ifx[H], NULL, 0), 3);
    CHECK_EQ(h_stats(s.st[H]).nd_ra_table_full, 3);   /* 1 prefix, 2 addresses */
    r = ra_new(600);
    send_ra(&s, 2, &r);
    CHECK_EQ(nrouters(&s, NULL), 1);
    CHECK_EQ(h_stats(s.st[H]).nd_ra_table_full, 4);
    es_done(&s);
}

/* ---- the default router ---- */

/* 6.3.4: the default route goes through the router until its lifetime
 * ends; lifetime 0 removes it at once. */
TEST(default_route_through_the_router_until_its_lifetime_ends) {
    struct eseg s;
    struct in6_addr far = h_in6("2001:db8:99::1");
    up(&s, 2, 0);
    int fd = es_raw(s.st[H], 253);
    CHECK_ERRNO(h_sendto(fd, &far, "x", 1), ENETUNREACH);
    struct ra r = ra_new(30);
    opt_lla(&r, ND_OPT_SOURCE_LINKADDR, s.mac[R]);
    send_ra(&s, R, &r);
    struct six_stats r0 = h_stats(s.st[R]);
    h_send_ok(fd, &far, "x", 1);
    es_pump(&s);
    /* It reached the router (which does not forward). */
    CHECK_EQ(h_stats(s.st[R]).ip6_in_not_for_us - r0.ip6_in_not_for_us, 1);
    es_advance(&s, 29 * SEC, SEC);
    CHECK_EQ(nrouters(&s, NULL), 1);
    es_advance(&s, 1 * SEC, 0);
    CHECK_EQ(nrouters(&s, NULL), 0);
    CHECK_EQ(h_stats(s.st[H]).nd_routers_expired, 1);
    CHECK_ERRNO(h_sendto(fd, &far, "x", 1), ENETUNREACH);
    send_ra(&s, R, &r);
    CHECK_EQ(nrouters(&s, NULL), 1);
    r.lifetime = 0;
    send_ra(&s, R, &r);
    CHECK_EQ(nrouters(&s, NULL), 0);
    CHECK_ERRNO(h_sendto(fd, &far, "x", 1), ENETUNREACH);
    six_close(fd);
    es_done(&s);
}

/* A default route added by hand is not replaced by a router's. */
TEST(static_default_route_wins_over_advertised_routers) {
    struct eseg s;
    struct in6_addr any = h_in6("::"), gw = h_in6("2001:db8::3");
    struct six_router_info rt[4];
    up(&s, 2, 0);
    CHECK_OK(six_route_add(s.st[H], &any, 0, &gw, s.ifx[H]));
    struct ra r = ra_new(600);
    send_ra(&s, R, &r);
    CHECK_EQ(nrouters(&s, rt), 1);
    CHECK(!rt[0].selected);
    r.lifetime = 0;
    send_ra(&s, R, &r);
    CHECK_OK(six_route_del(s.st[H], &any, 0));   /* still there */
    es_done(&s);
}

/* 6.3.6: two routers, the first is used while it answers; when it stops
 * answering (its neighbour entry fails), the other takes over. */
TEST(default_router_selection_moves_off_an_unreachable_router) {
    struct eseg s;
    struct six_router_info rt[4];
    struct in6_addr far = h_in6("2001:db8:99::1");

    up(&s, 3, 0);
    struct in6_addr ll0 = es_linklocal(&s, 0), ll2 = es_linklocal(&s, 2);
    struct ra r = ra_new(600);
    opt_lla(&r, ND_OPT_SOURCE_LINKADDR, s.mac[0]);
    send_ra(&s, 0, &r);
    r = ra_new(600);
    opt_lla(&r, ND_OPT_SOURCE_LINKADDR, s.mac[2]);
    send_ra(&s, 2, &r);
    CHECK_EQ(nrouters(&s, rt), 2);
    CHECK(rt[0].selected && h_addr_eq(&rt[0].addr, &ll0));
    CHECK(!rt[1].selected);
    /* Router 0 loses its link-local address: it answers no probe. */
    CHECK_OK(six_addr_del(s.st[0], s.ifx[0], &ll0));
    int fd = es_raw(s.st[H], 253);
    h_send_ok(fd, &far, "x", 1);
    es_advance(&s, 9 * SEC, SEC);   /* DELAY 5 s, then 3 probes 1 s apart */
    CHECK_ERRNO(six_neigh_get(s.st[H], s.ifx[H], &ll0, NULL), ENOENT);
    CHECK_EQ(nrouters(&s, rt), 2);
    CHECK(h_addr_eq(&rt[0].addr, &ll2) && rt[0].selected);
    struct six_stats c0 = h_stats(s.st[2]);
    h_send_ok(fd, &far, "x", 1);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[2]).ip6_in_not_for_us - c0.ip6_in_not_for_us, 1);
    six_close(fd);
    es_done(&s);
}

/* ---- link parameters ---- */

/* 6.3.4: the MTU option sets the link MTU (within 1280 and the link's
 * own), and output fragments to it. */
TEST(mtu_option_sets_the_link_mtu_within_bounds) {
    struct eseg s;
    static uint8_t payload[1400];
    up(&s, 2, 0);
    struct ra r = ra_new(0);
    opt_mtu(&r, 1400);
    send_ra(&s, R, &r);
    CHECK_EQ(six_if_mtu(s.st[H], s.ifx[H]), 1400);
    int fd = es_raw(s.st[H], 253);
    h_send_ok(fd, &s.addr[R], payload, 1380);   /* 1420 bytes: fragmented */
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[H]).frag_out_datagrams, 1);
    h_send_ok(fd, &s.addr[R], payload, 1360);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[H]).frag_out_datagrams, 1);
    r = ra_new(0);
    opt_mtu(&r, 1279);
    send_ra(&s, R, &r);
    r = ra_new(0);
    opt_mtu(&r, 1501);
    send_ra(&s, R, &r);
    CHECK_EQ(h_stats(s.st[H]).nd_in_ra_bad_mtu, 2);
    CHECK_EQ(six_if_mtu(s.st[H], s.ifx[H]), 1400);
    r = ra_new(0);
    opt_mtu(&r, 1500);
    send_ra(&s, R, &r);
    CHECK_EQ(six_if_mtu(s.st[H], s.ifx[H]), 1500);
    six_close(fd);
    es_done(&s);
}

/* 6.3.4: Cur Hop Limit becomes the default hop limit; Retrans Timer
 * spaces the solicitations of address resolution; Reachable Time bounds
 * REACHABLE (a random factor in [0.5, 1.5)). Zero leaves each alone. */
TEST(hop_limit_retrans_timer_and_reachable_time_are_adopted) {
    struct eseg s;
    struct in6_addr nobody = h_in6("2001:db8::99");
    int v;
    socklen_t len = sizeof(v);

    up(&s, 2, 0);
    struct ra r = ra_new(0);
    r.cur_hlim = 42;
    r.retrans = 300;
    r.reachable = 2000;
    send_ra(&s, R, &r);
    int fd = es_raw(s.st[H], 253);
    CHECK_OK(six_getsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, &len));
    CHECK_EQ(v, 42);
    h_send_ok(fd, &nobody, "x", 1);
    es_advance(&s, 600 * MS, 300 * MS);
    CHECK_EQ(h_stats(s.st[H]).nd_out_ns, 3);
    CHECK_EQ(h_stats(s.st[H]).nd_resolve_failed, 0);
    es_advance(&s, 300 * MS, 0);
    CHECK_EQ(h_stats(s.st[H]).nd_resolve_failed, 1);
    /* Reachable for at most 3 s now. */
    int fa = es_raw(s.st[H], IPPROTO_ICMPV6);
    uint8_t req[8] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1};
    h_send_ok(fa, &s.addr[R], req, sizeof(req));
    es_pump(&s);
    CHECK_EQ(six_neigh_get(s.st[H], s.ifx[H], &s.addr[R], NULL), SIX_NUD_REACHABLE);
    es_advance(&s, 3 * SEC, 0);
    CHECK_EQ(six_neigh_get(s.st[H], s.ifx[H], &s.addr[R], NULL), SIX_NUD_STALE);
    /* Zeros change nothing; a Retrans Timer over a minute is ignored. */
    r = ra_new(0);
    r.retrans = 60001;
    send_ra(&s, R, &r);
    CHECK_OK(six_getsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, &len));
    CHECK_EQ(v, 42);
    h_send_ok(fd, &nobody, "y", 1);
    es_advance(&s, 900 * MS, 300 * MS);
    CHECK_EQ(h_stats(s.st[H]).nd_resolve_failed, 2);
    six_close(fa);
    six_close(fd);
    es_done(&s);
}

/* ---- invalid advertisements (RFC 4861 6.1.2) ---- */

/* Sends r from router R with the socket tweaked by how, and checks the
 * host dropped it on counter and learnt nothing. */
#define EXPECT_RA_DROPPED(s, bytes, n, fd, counter)                                \
    do {                                                                           \
        struct six_stats _h0 = h_stats((s)->st[H]), _h1;                           \
        struct in6_addr _all = h_in6("ff02::1");                                   \
        struct sockaddr_in6 _to = h_sin6(&_all, (s)->ifx[R]);                      \
        CHECK_OK(six_sendto((fd), (bytes), (n), 0, (struct sockaddr *)&_to,        \
                            sizeof(_to)));                                         \
        es_pump(s);                                                                \
        _h1 = h_stats((s)->st[H]);                                                 \
        CHECK_EQ(_h1.counter - _h0.counter, 1);                                    \
        CHECK_EQ(_h1.nd_in_ra - _h0.nd_in_ra, 0);                                  \
        CHECK_EQ(nrouters((s), NULL), 0);                                          \
        CHECK(!find_addr((s), "2001:db8:1::", NULL));                              \
    } while (0)

TEST(invalid_router_advertisements_are_dropped_and_counted) {
    struct eseg s;
    uint8_t b[16 + 512];
    size_t n;

    up(&s, 2, 0);
    struct ra r = ra_std(&s, 3600, 1800);
    int fd = router_sock(&s, R);
    n = ra_bytes(&r, b);
    /* Hop limit below 255. */
    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 254);
    EXPECT_RA_DROPPED(&s, b, n, fd, nd_in_bad_hlim);
    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
    /* Code not 0. */
    b[1] = 1;
    EXPECT_RA_DROPPED(&s, b, n, fd, nd_in_bad_code);
    b[1] = 0;
    /* Shorter than 16 bytes. */
    EXPECT_RA_DROPPED(&s, b, 12, fd, nd_in_truncated);
    /* An option of length 0. */
    b[16 + 1] = 0;
    EXPECT_RA_DROPPED(&s, b, n, fd, nd_in_bad_option);
    b[16 + 1] = 1;
    /* A prefix option that is not 32 bytes. */
    b[16 + 8 + 1] = 3;
    EXPECT_RA_DROPPED(&s, b, n, fd, nd_in_bad_option);
    b[16 + 8 + 1] = 4;
    /* A source that is not link-local. */
    h_bind(fd, &s.addr[R]);
    EXPECT_RA_DROPPED(&s, b, n, fd, nd_in_ra_bad_src);
    six_close(fd);
    /* The control: the same bytes from the link-local address pass. */
    send_ra(&s, R, &r);
    CHECK_EQ(nrouters(&s, NULL), 1);
    es_done(&s);
}

/* ---- redirects (RFC 4861 8) ---- */

/* Router R redirects the host about dst to target (TLLA mac unless
 * NULL), from src (NULL: its link-local address). */
static void send_redirect(struct eseg *s, int from, const struct in6_addr *target,
                          const struct in6_addr *dst, const uint8_t *mac, int hops,
                          const struct in6_addr *src) {
    uint8_t b[48];
    size_t n = 40;
    struct in6_addr to = es_linklocal(s, H);
    struct sockaddr_in6 sin6 = h_sin6(&to, s->ifx[from]);
    int fd = router_sock(s, from);

    memset(b, 0, sizeof(b));
    b[0] = ND_REDIRECT;
    memcpy(b + 8, target, 16);
    memcpy(b + 24, dst, 16);
    if (mac) {
        b[40] = ND_OPT_TARGET_LINKADDR;
        b[41] = 1;
        memcpy(b + 42, mac, 6);
        n = 48;
    }
    set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, hops);
    if (src)
        h_bind(fd, src);
    CHECK_EQ(CHECK_OK(six_sendto(fd, b, n, 0, (struct sockaddr *)&sin6, sizeof(sin6))), n);
    six_close(fd);
    es_pump(s);
}

/* The host with router R as its default router (and 2 another node). */
static void redirect_setup(struct eseg *s) {
    up(s, 3, 0);
    struct ra r = ra_new(1800);
    opt_lla(&r, ND_OPT_SOURCE_LINKADDR, s->mac[R]);
    send_ra(s, R, &r);
}

/* 8.3: a redirect to a better router: a host route through the target,
 * whose MAC the host learns; traffic for dst then goes there. */
TEST(redirect_to_a_better_router_is_followed) {
    struct eseg s;
    struct in6_addr dst = h_in6("2001:db8:99::5");
    uint8_t mac[6];

    redirect_setup(&s);
    struct in6_addr t = es_linklocal(&s, 2);
    send_redirect(&s, R, &t, &dst, s.mac[2], 255, NULL);
    CHECK_EQ(h_stats(s.st[H]).nd_in_redirect, 1);
    CHECK_EQ(six_neigh_get(s.st[H], s.ifx[H], &t, mac), SIX_NUD_STALE);
    CHECK_MEM(mac, s.mac[2], 6);
    int fd = es_raw(s.st[H], 253);
    struct six_stats c0 = h_stats(s.st[2]), r0 = h_stats(s.st[R]);
    h_send_ok(fd, &dst, "x", 1);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[2]).ip6_in_not_for_us - c0.ip6_in_not_for_us, 1);
    CHECK_EQ(h_stats(s.st[R]).ip6_in_not_for_us - r0.ip6_in_not_for_us, 0);
    /* Other destinations still go to the default router. */
    struct in6_addr other = h_in6("2001:db8:99::6");
    h_send_ok(fd, &other, "x", 1);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[R]).ip6_in_not_for_us - r0.ip6_in_not_for_us, 1);
    /* The redirect goes with the router that sent it. */
    struct ra r = ra_new(0);
    send_ra(&s, R, &r);
    CHECK_ERRNO(h_sendto(fd, &dst, "x", 1), ENETUNREACH);
    six_close(fd);
    es_done(&s);
}

/* A second redirect for the same destination, from the router the first
 * one named, changes the route in place: a socket that sent through the
 * first target sends through the new one. */
TEST(second_redirect_moves_the_route_again) {
    struct eseg s;
    struct in6_addr dst = h_in6("2001:db8:99::5");

    redirect_setup(&s);
    struct in6_addr t = es_linklocal(&s, 2), llr = es_linklocal(&s, R);
    send_redirect(&s, R, &t, &dst, s.mac[2], 255, NULL);
    int fd = es_raw(s.st[H], 253);
    struct six_stats c0 = h_stats(s.st[2]), r0 = h_stats(s.st[R]);
    h_send_ok(fd, &dst, "x", 1);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[2]).ip6_in_not_for_us - c0.ip6_in_not_for_us, 1);
    send_redirect(&s, 2, &llr, &dst, s.mac[R], 255, NULL);
    CHECK_EQ(h_stats(s.st[H]).nd_in_redirect, 2);
    h_send_ok(fd, &dst, "x", 1);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[R]).ip6_in_not_for_us - r0.ip6_in_not_for_us, 1);
    CHECK_EQ(h_stats(s.st[2]).ip6_in_not_for_us - c0.ip6_in_not_for_us, 1);
    six_close(fd);
    es_done(&s);
}

/* 8.3: target == destination: the destination is on-link. */
TEST(redirect_to_the_destination_itself_makes_it_on_link) {
    struct eseg s;
    redirect_setup(&s);
    struct in6_addr dst = h_in6("2001:db8:77::3");
    CHECK_OK(six_addr_add(s.st[2], s.ifx[2], &dst, 64, 0));
    send_redirect(&s, R, &dst, &dst, s.mac[2], 255, NULL);
    CHECK_EQ(h_stats(s.st[H]).nd_in_redirect, 1);
    int fd = es_raw(s.st[H], 253);
    h_send_ok(fd, &dst, "x", 1);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[2]).raw_in_no_socket, 1);
    six_close(fd);
    es_done(&s);
}

/* 8.1: each check on its own. */
TEST(invalid_redirects_are_dropped_and_counted) {
    struct eseg s;
    struct in6_addr dst = h_in6("2001:db8:99::5"), mc = h_in6("ff0e::1");
    struct in6_addr global_target = h_in6("2001:db8::3");

    redirect_setup(&s);
    struct in6_addr t = es_linklocal(&s, 2);
    /* Not from the current first hop for dst. */
    send_redirect(&s, 2, &t, &dst, s.mac[2], 255, NULL);
    CHECK_EQ(h_stats(s.st[H]).nd_in_redirect_bad, 1);
    /* Not from a link-local address. */
    send_redirect(&s, R, &t, &dst, s.mac[2], 255, &s.addr[R]);
    CHECK_EQ(h_stats(s.st[H]).nd_in_redirect_bad, 2);
    /* A target neither link-local nor the destination. */
    send_redirect(&s, R, &global_target, &dst, s.mac[2], 255, NULL);
    CHECK_EQ(h_stats(s.st[H]).nd_in_redirect_bad, 3);
    /* A multicast destination. */
    send_redirect(&s, R, &t, &mc, s.mac[2], 255, NULL);
    CHECK_EQ(h_stats(s.st[H]).nd_in_redirect_bad, 4);
    /* Hop limit below 255. */
    send_redirect(&s, R, &t, &dst, s.mac[2], 64, NULL);
    CHECK_EQ(h_stats(s.st[H]).nd_in_bad_hlim, 1);
    CHECK_EQ(h_stats(s.st[H]).nd_in_redirect, 0);
    /* dst still goes through the default router. */
    int fd = es_raw(s.st[H], 253);
    struct six_stats r0 = h_stats(s.st[R]);
    h_send_ok(fd, &dst, "x", 1);
    es_pump(&s);
    CHECK_EQ(h_stats(s.st[R]).ip6_in_not_for_us - r0.ip6_in_not_for_us, 1);
    six_close(fd);
    es_done(&s);
}

/* RFC 4861 7.2.5: a router that advertises itself (NA) with the Router
 * flag clear is no longer a router: it leaves the default router list
 * and the default route goes with it. */
TEST(neighbour_advertisement_without_router_flag_removes_the_router) {
    struct eseg s;
    struct in6_addr far = h_in6("2001:db8:99::1");
    struct in6_addr r_ll, h_ll;
    uint8_t na[32];

    up(&s, 2, 0);
    r_ll = es_linklocal(&s, R);
    h_ll = es_linklocal(&s, H);
    struct ra r = ra_new(1800);
    opt_lla(&r, ND_OPT_SOURCE_LINKADDR, s.mac[R]);
    send_ra(&s, R, &r);
    CHECK_EQ(nrouters(&s, NULL), 1);
    int fd = router_sock(&s, R);
    struct sockaddr_in6 to = h_sin6(&h_ll, s.ifx[R]);
    memset(na, 0, sizeof(na));
    na[0] = ND_NEIGHBOR_ADVERT;
    na[4] = 0x20;   /* Override only: Router and Solicited clear */
    memcpy(na + 8, &r_ll, 16);
    na[24] = ND_OPT_TARGET_LINKADDR;
    na[25] = 1;
    memcpy(na + 26, s.mac[R], 6);
    /* With the Router flag still set nothing changes. */
    na[4] = 0xa0;
    CHECK_EQ(CHECK_OK(six_sendto(fd, na, sizeof(na), 0, (struct sockaddr *)&to, sizeof(to))),
             sizeof(na));
    es_pump(&s);
    CHECK_EQ(nrouters(&s, NULL), 1);
    na[4] = 0x20;
    CHECK_EQ(CHECK_OK(six_sendto(fd, na, sizeof(na), 0, (struct sockaddr *)&to, sizeof(to))),
             sizeof(na));
    es_pump(&s);
    CHECK_EQ(nrouters(&s, NULL), 0);
    six_close(fd);
    int u = es_raw(s.st[H], 253);
    CHECK_ERRNO(h_sendto(u, &far, "x", 1), ENETUNREACH);
    six_close(u);
    es_done(&s);
}
