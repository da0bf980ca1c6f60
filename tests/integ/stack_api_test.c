/* The stack management API: interfaces, MTU, addresses, routes, source
 * selection, statistics, clock, injection, and their errors. */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static const uint8_t payload[16] = "stack api test!";

TEST(if_index_and_name_round_trip) {
    struct hpair p;
    char name[IF_NAMESIZE];
    h_up(&p);
    CHECK_EQ(six_if_nametoindex(p.a, "lo"), 1);
    CHECK_EQ(six_if_nametoindex(p.a, "a0"), p.ifa);
    CHECK_EQ(six_if_nametoindex(p.a, "nope"), 0);
    CHECK_EQ(six_if_nametoindex(p.a, NULL), 0);
    CHECK(six_if_indextoname(p.a, p.ifa, name) != NULL);
    CHECK(strcmp(name, "a0") == 0);
    errno = 0;
    CHECK(six_if_indextoname(p.a, 99, name) == NULL);
    CHECK_EQ(errno, ENXIO);
    h_done(&p);
}

TEST(memwire_pair_rejects_bad_arguments) {
    struct hpair p;
    struct six_memwire_config small = {.mtu = 1279};
    unsigned x, y;
    h_up(&p);
    CHECK_ERRNO(six_memwire_pair(p.a, "x0", p.a, "x1", NULL, &x, &y), EINVAL);
    CHECK_ERRNO(six_memwire_pair(p.a, "x0", p.b, "x1", &small, &x, &y), EINVAL);
    /* A name already taken on B leaves A without the half-made port. */
    CHECK_ERRNO(six_memwire_pair(p.a, "x0", p.b, "b0", NULL, &x, &y), EEXIST);
    CHECK_EQ(six_if_nametoindex(p.a, "x0"), 0);
    CHECK_ERRNO(six_memwire_pair(p.a, "", p.b, "x1", NULL, &x, &y), EINVAL);
    h_done(&p);
}

TEST(mtu_limits_and_too_big_sends) {
    struct hpair p;
    uint8_t big[1500];
    h_up(&p);
    CHECK_EQ(six_if_mtu(p.a, p.ifa), 1500);
    CHECK_EQ(six_if_mtu(p.a, 1), 65535);
    CHECK_ERRNO(six_if_mtu(p.a, 77), ENXIO);
    CHECK_ERRNO(six_if_set_mtu(p.a, p.ifa, 1279), EINVAL);
    CHECK_ERRNO(six_if_set_mtu(p.a, 77, 1400), ENXIO);
    CHECK_OK(six_if_set_mtu(p.a, p.ifa, 1280));
    CHECK_EQ(six_if_mtu(p.a, p.ifa), 1280);
    int s = h_sock(&p, p.a, 253);
    memset(big, 1, sizeof(big));
    /* 1240 + 40 = 1280 fits; one byte more goes in two fragments. */
    CHECK_EQ(h_sendto(s, &p.addr_b, big, 1240), 1240);
    CHECK_EQ(h_stats(p.a).frag_out_datagrams, 0);
    CHECK_EQ(h_sendto(s, &p.addr_b, big, 1241), 1241);
    CHECK_EQ(h_stats(p.a).frag_out_datagrams, 1);
    CHECK_EQ(h_stats(p.a).frag_out_fragments, 2);
    CHECK_EQ(h_stats(p.a).ip6_out_too_big, 0);
    h_done(&p);
}

TEST(addr_add_rejects_bad_input) {
    struct hpair p;
    struct in6_addr mc = h_in6("ff02::5"), any = h_in6("::"), x = h_in6("2001:db8:1::1");
    h_up(&p);
    CHECK_ERRNO(six_addr_add(p.a, p.ifa, &mc, 64, 0), EINVAL);
    CHECK_ERRNO(six_addr_add(p.a, p.ifa, &any, 64, 0), EINVAL);
    CHECK_ERRNO(six_addr_add(p.a, p.ifa, &x, 129, 0), EINVAL);
    CHECK_ERRNO(six_addr_add(p.a, 77, &x, 64, 0), ENODEV);
    CHECK_ERRNO(six_addr_add(p.a, p.ifa, &p.addr_a, 64, 0), EEXIST);
    CHECK_ERRNO(six_addr_del(p.a, p.ifa, &x), EADDRNOTAVAIL);
    CHECK_OK(six_addr_add(p.a, p.ifa, &x, 64, 0));
    CHECK_OK(six_addr_del(p.a, p.ifa, &x));
    h_done(&p);
}

TEST(route_via_gateway_reaches_far_prefix) {
    struct hpair p;
    struct in6_addr far = h_in6("2001:db8:f::"), far_b = h_in6("2001:db8:f::2");
    uint8_t buf[64];
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    CHECK_ERRNO(h_sendto(a, &far_b, payload, sizeof(payload)), ENETUNREACH);
    CHECK_OK(six_addr_add(p.b, p.ifb, &far_b, 64, 0));
    CHECK_OK(six_route_add(p.a, &far, 48, &p.addr_b, p.ifa));
    CHECK_ERRNO(six_route_add(p.a, &far, 48, &p.addr_b, p.ifa), EEXIST);
    CHECK_ERRNO(six_route_add(p.a, &far, 129, NULL, p.ifa), EINVAL);
    CHECK_ERRNO(six_route_add(p.a, &far, 32, NULL, 77), ENODEV);
    int b = h_sock(&p, p.b, 253);
    h_send_ok(a, &far_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(h_recv(b, buf, sizeof(buf), NULL), sizeof(payload));
    CHECK_OK(six_route_del(p.a, &far, 48));
    CHECK_ERRNO(six_route_del(p.a, &far, 48), ESRCH);
    CHECK_ERRNO(h_sendto(a, &far_b, payload, sizeof(payload)), ENETUNREACH);
    h_done(&p);
}

TEST(default_route_catches_everything) {
    struct hpair p;
    struct in6_addr any = h_in6("::"), dst = h_in6("2001:db8:77::9"), src;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    CHECK_ERRNO(h_sendto(a, &dst, payload, sizeof(payload)), ENETUNREACH);
    CHECK_OK(six_route_add(p.a, &any, 0, &p.addr_b, p.ifa));
    CHECK_EQ(h_sendto(a, &dst, payload, sizeof(payload)), sizeof(payload));
    CHECK_OK(six_select_source(p.a, &dst, 0, &src));
    CHECK(h_addr_eq(&src, &p.addr_a));
    h_done(&p);
}

TEST(select_source_without_addresses_is_eaddrnotavail) {
    struct six_stack_config cfg = h_config(9);
    struct six_stack *st = six_stack_new(&cfg);
    struct in6_addr dst = h_in6("2001:db8::9"), src;
    CHECK(st != NULL);
    /* Only ::1 exists, and the loopback address never leaves the node. */
    CHECK_ERRNO(six_select_source(st, &dst, 0, &src), EADDRNOTAVAIL);
    six_stack_free(st);
}

TEST(stats_names_cover_every_counter) {
    struct six_stats s;
    const char *doc = NULL;
    unsigned n = 0;
    while (six_stats_name(n, &doc)) {
        CHECK(doc != NULL && *doc != 0);
        n++;
    }
    CHECK_EQ(n, sizeof(s) / sizeof(uint64_t));
    CHECK(strcmp(six_stats_name(0, NULL), "ip6_in_receives") == 0);
}

TEST(stats_print_lists_nonzero_counters) {
    struct hpair p;
    char *text = NULL;
    size_t len = 0;
    FILE *f;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    f = open_memstream(&text, &len);
    CHECK(f != NULL);
    six_stats_print(p.b, f);
    fclose(f);
    CHECK(strstr(text, "ip6_in_receives") != NULL);
    CHECK(strstr(text, "icmp6_in_echo_requests") == NULL);
    free(text);
    h_done(&p);
}

TEST(set_time_needs_a_manual_clock) {
    struct six_stack *st = six_stack_new(NULL);
    CHECK(st != NULL);
    CHECK_ERRNO(six_stack_set_time(st, 5), EINVAL);
    six_stack_free(st);
}

TEST(manual_clock_moves_only_forward) {
    struct hpair p;
    h_up(&p);
    CHECK_EQ(six_stack_now(p.a), 0);
    CHECK_OK(six_stack_set_time(p.a, 1000));
    CHECK_OK(six_stack_set_time(p.a, 10));
    CHECK_EQ(six_stack_now(p.a), 1000);
    six_stack_poll(p.a, 5000);
    CHECK_EQ(six_stack_now(p.a), 5000);
    h_done(&p);
}

TEST(inject_rejects_unknown_interface_and_oversize) {
    struct hpair p;
    static uint8_t frame[70000];
    h_up(&p);
    CHECK_ERRNO(six_if_inject(p.b, 77, frame, 60), ENXIO);
    CHECK_ERRNO(six_if_inject(p.b, p.ifb, frame, sizeof(frame)), EMSGSIZE);
    h_done(&p);
}

TEST(stack_start_twice_is_ealready) {
    struct six_stack *st = six_stack_new(NULL);
    CHECK(st != NULL);
    CHECK_OK(six_stack_start(st));
    CHECK_ERRNO(six_stack_start(st), EALREADY);
    CHECK_OK(six_stack_stop(st));
    CHECK_OK(six_stack_stop(st));
    six_stack_free(st);
}

/* RFC 4291 2.1: every interface but lo gets a link-local address, bare
 * IPv6 links too (memwire: no neighbour discovery, so no DAD, usable at
 * once even with DAD on); traffic between two of them works; config
 * linklocal 0 leaves them out. */
TEST(every_interface_has_a_link_local_address) {
    struct six_stack_config ca = h_config(1), cb = h_config(2);
    struct six_addr_info ai[8];
    struct hpair p;
    uint8_t buf[16];
    struct sockaddr_in6 from;

    ca.dad_transmits = cb.dad_transmits = 1;
    h_up_cfg(&p, &ca, &cb);
    struct in6_addr lla = h_linklocal(p.a, p.ifa), llb = h_linklocal(p.b, p.ifb);
    int n = six_addr_list(p.a, p.ifa, ai, 8);
    CHECK_EQ(n, 2);   /* 2001:db8::1 and the link-local one */
    for (int i = 0; i < n; i++)
        CHECK((ai[i].flags & SIX_ADDR_TENTATIVE) == 0);
    CHECK_EQ(six_addr_list(p.a, six_if_nametoindex(p.a, "lo"), ai, 8), 1);   /* ::1 */
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    struct sockaddr_in6 to = h_sin6(&llb, p.ifa);
    CHECK_EQ(CHECK_OK(six_sendto(a, "ll", 2, 0, (struct sockaddr *)&to, sizeof(to))), 2);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(b, buf, sizeof(buf), &from)), 2);
    CHECK(h_addr_eq(&from.sin6_addr, &lla));
    h_done(&p);

    ca.linklocal = cb.linklocal = 0;
    h_up_cfg(&p, &ca, &cb);
    CHECK_EQ(six_addr_list(p.a, p.ifa, ai, 8), 1);
    h_done(&p);
}
