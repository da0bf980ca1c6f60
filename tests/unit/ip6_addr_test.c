/* Unit tests for src/ip6/addr.c: routes (longest-prefix match, the default
 * route, interface-constrained lookup, add/delete errors, connected routes
 * made by addresses), addresses (add, delete, find, the refusals),
 * multicast memberships (refcounts, all-nodes) and RFC 6724 source
 * address selection, one test per rule.
 *
 * Each test builds a bare struct six_ip6 over a core with three
 * interfaces driven by the loopback driver, named "lo" (holding ::1, as
 * in a stack), "a" and "b"; the driver does not matter here, only the
 * indexes. Selection tests add the candidates in both orders, on fresh
 * tables, so that a rule cannot pass by the luck of table order. The
 * examples marked "RFC 6724 10.1" are that section's source address
 * examples. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "ip6/ip6.h"
#include "test.h"
#include "wire/ipv6.h"

struct fx {
    struct six_core core;
    struct six_ip6 ip6;
    unsigned lo, a, b;
};

static struct in6_addr A6(const char *s) {
    struct in6_addr a;
    if (inet_pton(AF_INET6, s, &a) != 1)
        six_test_fail(__FILE__, __LINE__, "bad address %s", s);
    return a;
}

static int addr_is(const struct in6_addr *a, const char *s) {
    struct in6_addr b = A6(s);
    return IN6_ARE_ADDR_EQUAL(a, &b);
}

static const char *str6(const struct in6_addr *a, char buf[INET6_ADDRSTRLEN]) {
    return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static unsigned add_if(struct fx *f, const char *name) {
    struct six_if *ifp = calloc(1, sizeof(*ifp));
    int idx;

    CHECK(ifp != NULL);
    snprintf(ifp->name, sizeof(ifp->name), "%s", name);
    CHECK_EQ(six__loopback_init(ifp), 0);
    idx = six__ip6_if_add(&f->ip6, ifp);
    CHECK(idx > 0);
    return (unsigned)idx;
}

static void fx_up(struct fx *f) {
    struct six_stack_config cfg;
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 1;
    CHECK_EQ(six__core_init(&f->core, &cfg), 0);
    six__ip6_init(&f->ip6, &f->core, 64);
    f->lo = add_if(f, "lo");
    f->a = add_if(f, "a");
    f->b = add_if(f, "b");
    CHECK_EQ(six__ip6_addr_add(&f->ip6, f->lo, &lo, 128, 0), 0);
}

static void fx_down(struct fx *f) {
    CHECK_EQ(six__pools_in_use(&f->core.pools), 0);
    six__ip6_fini(&f->ip6);
    six__core_fini(&f->core);
}

static void addr(struct fx *f, unsigned ifindex, const char *a, unsigned plen, unsigned flags) {
    struct in6_addr x = A6(a);
    int rc = six__ip6_addr_add(&f->ip6, ifindex, &x, plen, flags);
    if (rc != 0)
        six_test_fail(__FILE__, __LINE__, "addr_add %s/%u: %d", a, plen, rc);
}

static void route(struct fx *f, const char *prefix, unsigned plen, unsigned ifindex) {
    struct in6_addr p = A6(prefix);
    int rc = six__ip6_route_add(&f->ip6, &p, plen, NULL, ifindex, 0);
    if (rc != 0)
        six_test_fail(__FILE__, __LINE__, "route_add %s/%u: %d", prefix, plen, rc);
}

/* The plen of the route lookup finds for dst (out of ifindex, or any), or
 * -1 when there is none. */
static int lookup_plen(struct fx *f, const char *dst, unsigned ifindex) {
    struct in6_addr d = A6(dst);
    const struct six_route *r = six__ip6_route_lookup(&f->ip6, &d, ifindex);
    return r ? (int)r->plen : -1;
}

/* ---- routes ---- */

TEST(route_lookup_picks_the_longest_matching_prefix) {
    struct fx f;

    fx_up(&f);
    route(&f, "2001:db8::", 32, f.a);
    route(&f, "2001:db8:1::", 48, f.a);
    route(&f, "2001:db8:1:2::", 64, f.a);
    route(&f, "2001:db8:1:2::7", 128, f.a);
    CHECK_EQ(lookup_plen(&f, "2001:db8:1:2::7", 0), 128);
    CHECK_EQ(lookup_plen(&f, "2001:db8:1:2::8", 0), 64);
    CHECK_EQ(lookup_plen(&f, "2001:db8:1:3::1", 0), 48);
    CHECK_EQ(lookup_plen(&f, "2001:db8:2::1", 0), 32);
    CHECK_EQ(lookup_plen(&f, "2001:db9::1", 0), -1);
    fx_down(&f);
}

TEST(route_lookup_order_of_adding_does_not_matter) {
    struct fx f;

    fx_up(&f);
    route(&f, "2001:db8:1:2::", 64, f.a);
    route(&f, "2001:db8:1::", 48, f.b);
    route(&f, "2001:db8::", 32, f.a);
    CHECK_EQ(lookup_plen(&f, "2001:db8:1:2::8", 0), 64);
    CHECK_EQ(lookup_plen(&f, "2001:db8:1:3::1", 0), 48);
    fx_down(&f);
}

TEST(route_default_matches_what_nothing_else_does) {
    struct fx f;
    const struct six_route *r;
    struct in6_addr d = A6("3fff::1");

    fx_up(&f);
    CHECK_EQ(lookup_plen(&f, "3fff::1", 0), -1);
    route(&f, "::", 0, f.b);
    route(&f, "2001:db8::", 32, f.a);
    r = six__ip6_route_lookup(&f.ip6, &d, 0);
    CHECK(r != NULL);
    CHECK_EQ(r->plen, 0);
    CHECK_EQ(r->ifindex, f.b);
    CHECK_EQ(lookup_plen(&f, "2001:db8::1", 0), 32);
    fx_down(&f);
}

TEST(route_lookup_on_an_interface_ignores_routes_of_others) {
    struct fx f;
    const struct six_route *r;
    struct in6_addr d = A6("2001:db8:1::1");

    fx_up(&f);
    route(&f, "2001:db8:1::", 48, f.a);
    route(&f, "2001:db8::", 32, f.b);
    r = six__ip6_route_lookup(&f.ip6, &d, f.b);
    CHECK(r != NULL);
    CHECK_EQ(r->plen, 32);
    CHECK_EQ(r->ifindex, f.b);
    CHECK_EQ(lookup_plen(&f, "2001:db8:1::1", f.a), 48);
    CHECK_EQ(lookup_plen(&f, "2001:db8:1::1", f.lo), -1);
    fx_down(&f);
}

TEST(route_add_keeps_the_gateway_and_zeroes_host_bits) {
    struct fx f;
    struct in6_addr p = A6("2001:db8:1:2:3::9"), gw = A6("fe80::1"), d = A6("2001:db8:1::1");
    const struct six_route *r;

    fx_up(&f);
    CHECK_EQ(six__ip6_route_add(&f.ip6, &p, 48, &gw, f.a, 0), 0);
    r = six__ip6_route_lookup(&f.ip6, &d, 0);
    CHECK(r != NULL);
    CHECK(addr_is(&r->prefix, "2001:db8:1::"));
    CHECK(IN6_ARE_ADDR_EQUAL(&r->gateway, &gw));
    CHECK_EQ(r->flags, 0);
    fx_down(&f);
}

TEST(route_add_of_an_existing_prefix_is_eexist) {
    struct fx f;
    struct in6_addr p = A6("2001:db8:1::"), same = A6("2001:db8:1::ffff");

    fx_up(&f);
    CHECK_EQ(six__ip6_route_add(&f.ip6, &p, 48, NULL, f.a, 0), 0);
    CHECK_EQ(six__ip6_route_add(&f.ip6, &p, 48, NULL, f.a, 0), -EEXIST);
    CHECK_EQ(six__ip6_route_add(&f.ip6, &same, 48, NULL, f.b, 0), -EEXIST);
    /* Same bits, another length: another route. */
    CHECK_EQ(six__ip6_route_add(&f.ip6, &p, 64, NULL, f.a, 0), 0);
    CHECK_EQ(f.ip6.nroutes, 2);
    fx_down(&f);
}

TEST(route_add_refuses_a_bad_length_or_interface) {
    struct fx f;
    struct in6_addr p = A6("2001:db8::");

    fx_up(&f);
    CHECK_EQ(six__ip6_route_add(&f.ip6, &p, 129, NULL, f.a, 0), -EINVAL);
    CHECK_EQ(six__ip6_route_add(&f.ip6, &p, 32, NULL, 0, 0), -ENODEV);
    CHECK_EQ(six__ip6_route_add(&f.ip6, &p, 32, NULL, 9, 0), -ENODEV);
    CHECK_EQ(six__ip6_route_add(&f.ip6, &p, 32, NULL, SIX_MAX_IFS + 1, 0), -ENODEV);
    CHECK_EQ(f.ip6.nroutes, 0);
    fx_down(&f);
}

TEST(route_del_removes_the_route_and_lookup_falls_back) {
    struct fx f;
    struct in6_addr p = A6("2001:db8:1::");

    fx_up(&f);
    route(&f, "2001:db8::", 32, f.a);
    route(&f, "2001:db8:1::", 48, f.a);
    CHECK_EQ(six__ip6_route_del(&f.ip6, &p, 48), 0);
    CHECK_EQ(lookup_plen(&f, "2001:db8:1::1", 0), 32);
    fx_down(&f);
}

TEST(route_del_of_an_unknown_route_is_esrch) {
    struct fx f;
    struct in6_addr p = A6("2001:db8:1::");

    fx_up(&f);
    CHECK_EQ(six__ip6_route_del(&f.ip6, &p, 48), -ESRCH);
    route(&f, "2001:db8:1::", 48, f.a);
    CHECK_EQ(six__ip6_route_del(&f.ip6, &p, 64), -ESRCH);
    CHECK_EQ(six__ip6_route_del(&f.ip6, &p, 48), 0);
    CHECK_EQ(six__ip6_route_del(&f.ip6, &p, 48), -ESRCH);
    fx_down(&f);
}

TEST(addr_add_makes_a_connected_route_for_its_prefix) {
    struct fx f;
    struct in6_addr d = A6("2001:db8:5::99");
    const struct six_route *r;

    fx_up(&f);
    addr(&f, f.b, "2001:db8:5::2", 64, 0);
    r = six__ip6_route_lookup(&f.ip6, &d, 0);
    CHECK(r != NULL);
    CHECK_EQ(r->plen, 64);
    CHECK_EQ(r->ifindex, f.b);
    CHECK(r->flags & SIX_RT_CONNECTED);
    CHECK(six_addr_is_unspecified(&r->gateway));
    CHECK(addr_is(&r->prefix, "2001:db8:5::"));
    fx_down(&f);
}

TEST(addr_add_with_a_full_length_prefix_makes_no_route) {
    struct fx f;

    fx_up(&f);
    addr(&f, f.a, "2001:db8:5::2", 128, 0);
    CHECK_EQ(f.ip6.nroutes, 0);
    /* Nor does ::1/128 on lo (fx_up added it). */
    CHECK_EQ(lookup_plen(&f, "::1", 0), -1);
    fx_down(&f);
}

TEST(addr_add_beside_an_existing_route_for_its_prefix_succeeds) {
    struct fx f;

    fx_up(&f);
    route(&f, "2001:db8:5::", 64, f.a);
    addr(&f, f.a, "2001:db8:5::2", 64, 0);
    addr(&f, f.a, "2001:db8:5::3", 64, 0);
    CHECK_EQ(f.ip6.nroutes, 1);
    CHECK_EQ(f.ip6.naddrs, 3);
    fx_down(&f);
}

TEST(addr_del_removes_the_connected_route_it_made) {
    struct fx f;
    struct in6_addr a = A6("2001:db8:5::2");

    fx_up(&f);
    addr(&f, f.b, "2001:db8:5::2", 64, 0);
    CHECK_EQ(six__ip6_addr_del(&f.ip6, f.b, &a), 0);
    CHECK_EQ(lookup_plen(&f, "2001:db8:5::99", 0), -1);
    fx_down(&f);
}

TEST(addr_del_keeps_the_connected_route_while_another_address_has_the_prefix) {
    struct fx f;
    struct in6_addr a = A6("2001:db8:5::2");

    fx_up(&f);
    addr(&f, f.b, "2001:db8:5::2", 64, 0);
    addr(&f, f.b, "2001:db8:5::3", 64, 0);
    CHECK_EQ(six__ip6_addr_del(&f.ip6, f.b, &a), 0);
    CHECK_EQ(lookup_plen(&f, "2001:db8:5::99", 0), 64);
    fx_down(&f);
}

TEST(addr_del_keeps_a_route_that_was_not_made_by_an_address) {
    struct fx f;
    struct in6_addr a = A6("2001:db8:5::2");

    fx_up(&f);
    route(&f, "2001:db8:5::", 64, f.b);
    addr(&f, f.b, "2001:db8:5::2", 64, 0);
    CHECK_EQ(six__ip6_addr_del(&f.ip6, f.b, &a), 0);
    CHECK_EQ(lookup_plen(&f, "2001:db8:5::99", 0), 64);
    fx_down(&f);
}

/* ---- addresses ---- */

TEST(addr_add_then_find_returns_the_entry) {
    struct fx f;
    struct in6_addr a = A6("2001:db8::2"), other = A6("2001:db8::3");
    const struct six_addr_entry *e;

    fx_up(&f);
    addr(&f, f.a, "2001:db8::2", 64, SIX_ADDR_DEPRECATED);
    e = six__ip6_addr_find(&f.ip6, &a);
    CHECK(e != NULL);
    CHECK(IN6_ARE_ADDR_EQUAL(&e->addr, &a));
    CHECK_EQ(e->plen, 64);
    CHECK_EQ(e->ifindex, f.a);
    CHECK_EQ(e->flags, SIX_ADDR_DEPRECATED);
    CHECK(six__ip6_addr_find(&f.ip6, &other) == NULL);
    fx_down(&f);
}

TEST(addr_add_twice_on_one_interface_is_eexist) {
    struct fx f;
    struct in6_addr a = A6("2001:db8::2");

    fx_up(&f);
    addr(&f, f.a, "2001:db8::2", 64, 0);
    CHECK_EQ(six__ip6_addr_add(&f.ip6, f.a, &a, 64, 0), -EEXIST);
    CHECK_EQ(six__ip6_addr_add(&f.ip6, f.a, &a, 48, 0), -EEXIST);
    fx_down(&f);
}

TEST(addr_del_removes_the_address) {
    struct fx f;
    struct in6_addr a = A6("2001:db8::2"), b = A6("2001:db8::3");

    fx_up(&f);
    addr(&f, f.a, "2001:db8::2", 64, 0);
    addr(&f, f.a, "2001:db8::3", 64, 0);
    CHECK_EQ(six__ip6_addr_del(&f.ip6, f.a, &a), 0);
    CHECK(six__ip6_addr_find(&f.ip6, &a) == NULL);
    CHECK(six__ip6_addr_find(&f.ip6, &b) != NULL);
    fx_down(&f);
}

TEST(addr_del_of_an_address_not_on_that_interface_is_eaddrnotavail) {
    struct fx f;
    struct in6_addr a = A6("2001:db8::2");

    fx_up(&f);
    CHECK_EQ(six__ip6_addr_del(&f.ip6, f.a, &a), -EADDRNOTAVAIL);
    addr(&f, f.a, "2001:db8::2", 64, 0);
    CHECK_EQ(six__ip6_addr_del(&f.ip6, f.b, &a), -EADDRNOTAVAIL);
    CHECK(six__ip6_addr_find(&f.ip6, &a) != NULL);
    fx_down(&f);
}

TEST(addr_add_refuses_multicast_and_unspecified_with_einval) {
    struct fx f;
    struct in6_addr m = A6("ff02::1"), any = A6("::");

    fx_up(&f);
    CHECK_EQ(six__ip6_addr_add(&f.ip6, f.a, &m, 64, 0), -EINVAL);
    CHECK_EQ(six__ip6_addr_add(&f.ip6, f.a, &any, 64, 0), -EINVAL);
    CHECK_EQ(f.ip6.naddrs, 1);   /* ::1 only */
    fx_down(&f);
}

TEST(addr_add_refuses_a_prefix_longer_than_128_with_einval) {
    struct fx f;
    struct in6_addr a = A6("2001:db8::2");

    fx_up(&f);
    CHECK_EQ(six__ip6_addr_add(&f.ip6, f.a, &a, 129, 0), -EINVAL);
    CHECK(six__ip6_addr_find(&f.ip6, &a) == NULL);
    fx_down(&f);
}

TEST(addr_add_on_an_unknown_interface_is_enodev) {
    struct fx f;
    struct in6_addr a = A6("2001:db8::2");

    fx_up(&f);
    CHECK_EQ(six__ip6_addr_add(&f.ip6, 0, &a, 64, 0), -ENODEV);
    CHECK_EQ(six__ip6_addr_add(&f.ip6, 4, &a, 64, 0), -ENODEV);
    CHECK_EQ(six__ip6_addr_add(&f.ip6, SIX_MAX_IFS + 1, &a, 64, 0), -ENODEV);
    CHECK(six__ip6_addr_find(&f.ip6, &a) == NULL);
    fx_down(&f);
}

TEST(addr_is_local_excludes_anycast) {
    struct fx f;
    struct in6_addr u = A6("2001:db8::2"), any = A6("2001:db8::"), none = A6("2001:db8::9");

    fx_up(&f);
    addr(&f, f.a, "2001:db8::2", 64, 0);
    addr(&f, f.a, "2001:db8::", 64, SIX_ADDR_ANYCAST);
    CHECK(six__ip6_addr_is_local(&f.ip6, &u));
    CHECK(!six__ip6_addr_is_local(&f.ip6, &any));
    CHECK(six__ip6_addr_find(&f.ip6, &any) != NULL);
    CHECK(!six__ip6_addr_is_local(&f.ip6, &none));
    fx_down(&f);
}

TEST(addr_table_grows_past_its_first_allocation) {
    struct fx f;

    fx_up(&f);
    for (unsigned i = 1; i <= 40; i++) {
        char s[64];
        snprintf(s, sizeof(s), "2001:db8:%x::1", i);
        addr(&f, f.a, s, 64, 0);
    }
    CHECK_EQ(f.ip6.naddrs, 41);
    CHECK_EQ(f.ip6.nroutes, 40);
    {
        struct in6_addr x = A6("2001:db8:28::1");
        CHECK(six__ip6_addr_find(&f.ip6, &x) != NULL);
    }
    CHECK_EQ(lookup_plen(&f, "2001:db8:28::77", 0), 64);
    fx_down(&f);
}

/* ---- multicast membership ---- */

TEST(mcast_join_twice_needs_two_leaves) {
    struct fx f;
    struct in6_addr g = A6("ff02::1:3");

    fx_up(&f);
    CHECK(!six__ip6_mcast_member(&f.ip6, f.a, &g));
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &g), 0);
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &g), 0);
    CHECK(six__ip6_mcast_member(&f.ip6, f.a, &g));
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.a, &g), 0);
    CHECK(six__ip6_mcast_member(&f.ip6, f.a, &g));
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.a, &g), 0);
    CHECK(!six__ip6_mcast_member(&f.ip6, f.a, &g));
    fx_down(&f);
}

TEST(mcast_join_rejects_unicast_group_and_unknown_interface) {
    struct fx f;
    struct in6_addr uc = A6("2001:db8::1"), g = A6("ff02::1:3");

    fx_up(&f);
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &uc), -EINVAL);
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, 30, &g), -ENODEV);
    CHECK(!six__ip6_mcast_member(&f.ip6, 30, &g));
    fx_down(&f);
}

TEST(mcast_leave_without_join_is_eaddrnotavail) {
    struct fx f;
    struct in6_addr g = A6("ff02::1:3");

    fx_up(&f);
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.a, &g), -EADDRNOTAVAIL);
    six__ip6_mcast_join(&f.ip6, f.a, &g);
    six__ip6_mcast_leave(&f.ip6, f.a, &g);
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.a, &g), -EADDRNOTAVAIL);
    fx_down(&f);
}

TEST(mcast_membership_is_per_interface) {
    struct fx f;
    struct in6_addr g = A6("ff02::fb");

    fx_up(&f);
    six__ip6_mcast_join(&f.ip6, f.a, &g);
    CHECK(six__ip6_mcast_member(&f.ip6, f.a, &g));
    CHECK(!six__ip6_mcast_member(&f.ip6, f.b, &g));
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.b, &g), -EADDRNOTAVAIL);
    CHECK(six__ip6_mcast_member(&f.ip6, f.a, &g));
    fx_down(&f);
}

TEST(mcast_leaving_one_group_keeps_the_others) {
    struct fx f;
    struct in6_addr g1 = A6("ff02::1:1"), g2 = A6("ff02::1:2"), g3 = A6("ff05::1:3");

    fx_up(&f);
    six__ip6_mcast_join(&f.ip6, f.a, &g1);
    six__ip6_mcast_join(&f.ip6, f.a, &g2);
    six__ip6_mcast_join(&f.ip6, f.a, &g3);
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.a, &g1), 0);
    CHECK(!six__ip6_mcast_member(&f.ip6, f.a, &g1));
    CHECK(six__ip6_mcast_member(&f.ip6, f.a, &g2));
    CHECK(six__ip6_mcast_member(&f.ip6, f.a, &g3));
    fx_down(&f);
}

TEST(mcast_all_nodes_is_always_joined_on_every_interface) {
    struct fx f;
    struct in6_addr ll = A6("ff02::1"), il = A6("ff01::1");

    fx_up(&f);
    CHECK(six__ip6_mcast_member(&f.ip6, f.lo, &ll));
    CHECK(six__ip6_mcast_member(&f.ip6, f.a, &ll));
    CHECK(six__ip6_mcast_member(&f.ip6, f.b, &il));
    /* A join and its leave do not take it away. */
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &ll), 0);
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.a, &ll), 0);
    CHECK(six__ip6_mcast_member(&f.ip6, f.a, &ll));
    fx_down(&f);
}

/* RFC 4291 2.7.1 names ff01::1 and ff02::1 only: other scopes, flags or
 * group IDs, and unicast addresses whose low bytes look alike, are not
 * all-nodes. */
TEST(mcast_all_nodes_is_only_ff01_1_and_ff02_1) {
    static const char *not_all_nodes[] = {"ff05::1", "ff0e::1", "ff12::1", "ff02::2",
                                          "ff02::1:1", "2001::1", "2002::1", "fe01::1"};
    struct fx f;

    fx_up(&f);
    for (size_t i = 0; i < sizeof(not_all_nodes) / sizeof(not_all_nodes[0]); i++) {
        struct in6_addr g = A6(not_all_nodes[i]);
        if (six__ip6_mcast_member(&f.ip6, f.a, &g))
            six_test_fail(__FILE__, __LINE__, "%s counted as all-nodes", not_all_nodes[i]);
    }
    fx_down(&f);
}

/* ---- RFC 6724 source address selection ---- */

struct cand {
    const char *addr;
    unsigned plen;
    unsigned flags;
    int on_b;      /* on interface b instead of a */
};

/* Selects a source for dst (out of interface a, b or none) among cands,
 * added in order and then in reverse order on a fresh table; both must
 * give `want` (NULL: -EADDRNOTAVAIL). */
static void expect_src(int line, const char *dst, char out, const struct cand *cands,
                       size_t n, const char *want) {
    for (int pass = 0; pass < 2; pass++) {
        struct fx f;
        struct in6_addr d = A6(dst), src;
        unsigned ifindex;
        char buf[INET6_ADDRSTRLEN];
        int rc;

        fx_up(&f);
        ifindex = out == 'a' ? f.a : out == 'b' ? f.b : 0;
        for (size_t k = 0; k < n; k++) {
            const struct cand *c = &cands[pass == 0 ? k : n - 1 - k];
            addr(&f, c->on_b ? f.b : f.a, c->addr, c->plen, c->flags);
        }
        rc = six__ip6_select_src(&f.ip6, &d, ifindex, &src);
        if (!want) {
            if (rc != -EADDRNOTAVAIL)
                six_test_fail(__FILE__, line, "dst %s: want EADDRNOTAVAIL, got %d (%s)", dst,
                              rc, rc == 0 ? str6(&src, buf) : "-");
        } else if (rc != 0) {
            six_test_fail(__FILE__, line, "dst %s: want %s, got %d", dst, want, rc);
        } else if (!addr_is(&src, want)) {
            six_test_fail(__FILE__, line, "dst %s (%s order): want %s, got %s", dst,
                          pass ? "reverse" : "forward", want, str6(&src, buf));
        }
        fx_down(&f);
    }
}

#define EXPECT_SRC(dst, out, want, ...)                                           \
    do {                                                                         \
        static const struct cand c_[] = {__VA_ARGS__};                           \
        expect_src(__LINE__, dst, out, c_, sizeof(c_) / sizeof(c_[0]), want);    \
    } while (0)

/* Rule 1: prefer the same address, even deprecated (RFC 6724 10.1). */
TEST(select_rule1_prefers_the_destination_itself) {
    EXPECT_SRC("2001:db8:1::1", 0, "2001:db8:1::1",
               {"2001:db8:1::1", 64, SIX_ADDR_DEPRECATED, 0}, {"2001:db8:2::1", 64, 0, 0});
}

/* Rule 2 (RFC 6724 10.1): a global destination takes the global source. */
TEST(select_rule2_global_destination_picks_the_global_source) {
    EXPECT_SRC("2001:db8:1::1", 0, "2001:db8:3::1",
               {"2001:db8:3::1", 64, 0, 0}, {"fe80::1", 64, 0, 0});
}

/* Rule 2 (RFC 6724 10.1): a site-scope multicast destination is beyond a
 * link-local source. */
TEST(select_rule2_site_multicast_destination_picks_the_global_source) {
    EXPECT_SRC("ff05::1", 'a', "2001:db8:3::1",
               {"2001:db8:3::1", 64, 0, 0}, {"fe80::1", 64, 0, 0});
}

/* Rule 2 before rule 3 (RFC 6724 10.1): a link-local destination takes the
 * link-local source even when it is deprecated. */
TEST(select_rule2_link_local_destination_picks_the_link_local_source) {
    EXPECT_SRC("fe80::1", 'a', "fe80::2",
               {"fe80::2", 64, SIX_ADDR_DEPRECATED, 0}, {"2001:db8:1::1", 64, 0, 0});
}

/* Rule 2: of two scopes both wide enough, the smaller. */
TEST(select_rule2_prefers_the_smaller_of_two_sufficient_scopes) {
    EXPECT_SRC("fec0::1", 0, "fec0::2",
               {"2001:db8::1", 64, 0, 0}, {"fec0::2", 64, 0, 0}, {"fe80::3", 64, 0, 0});
}

/* Rule 3: a preferred address beats a deprecated one that rule 8 would
 * otherwise pick. */
TEST(select_rule3_avoids_deprecated_addresses) {
    EXPECT_SRC("2001:db8:1::1", 0, "2001:db8:3::2",
               {"2001:db8:1::2", 64, SIX_ADDR_DEPRECATED, 0}, {"2001:db8:3::2", 64, 0, 0});
}

/* Rule 5: the outgoing interface's address beats another interface's that
 * rule 8 would otherwise pick. */
TEST(select_rule5_prefers_an_address_of_the_outgoing_interface) {
    EXPECT_SRC("2001:db8:1::1", 'b', "2001:db8:9::2",
               {"2001:db8:1::2", 64, 0, 0}, {"2001:db8:9::2", 64, 0, 1});
    EXPECT_SRC("2001:db8:1::1", 'a', "2001:db8:1::2",
               {"2001:db8:1::2", 64, 0, 0}, {"2001:db8:9::2", 64, 0, 1});
}

/* Rule 6: a ULA destination (fc00::/7, label 13) takes the ULA source over
 * a global one. */
TEST(select_rule6_ula_destination_prefers_the_ula_source) {
    EXPECT_SRC("fd00::1", 0, "fd12:3456::1",
               {"2001:db8::1", 64, 0, 0}, {"fd12:3456::1", 64, 0, 0});
}

/* Rule 6: a ULA source (label 13) matches no global destination (label 1),
 * so against another non-matching source rule 8 decides: 2002:db8::1
 * shares 14 bits with 2001:db8::1, fd00::1 none. */
TEST(select_rule6_ula_source_does_not_match_a_global_destination) {
    EXPECT_SRC("2001:db8::1", 0, "2002:db8::1",
               {"fd00::1", 64, 0, 0}, {"2002:db8::1", 64, 0, 0});
}

/* Rule 6 (RFC 6724 10.1): a 6to4 destination takes the 6to4 source. */
TEST(select_rule6_6to4_destination_prefers_the_6to4_source) {
    EXPECT_SRC("2002:c633:6401::1", 0, "2002:c633:6401::d5e3:7953:13eb:22e8",
               {"2002:c633:6401::d5e3:7953:13eb:22e8", 64, 0, 0}, {"2001:db8:1::2", 64, 0, 0});
}

/* Rule 6 before rule 8: 2001:db8::1 (label 1) shares 14 bits with the 6to4
 * 2002:db8::1 (label 2) but only 3 with 3001:db8::1 (label 1). */
TEST(select_rule6_matching_label_beats_a_longer_common_prefix) {
    EXPECT_SRC("2001:db8::1", 0, "3001:db8::1",
               {"2002:db8::1", 64, 0, 0}, {"3001:db8::1", 64, 0, 0});
}

/* Rule 8 (RFC 6724 10.1): the longest matching prefix. */
TEST(select_rule8_prefers_the_longest_matching_prefix) {
    EXPECT_SRC("2001:db8:1::1", 0, "2001:db8:1::2",
               {"2001:db8:1::2", 64, 0, 0}, {"2001:db8:3::2", 64, 0, 0});
}

/* Rule 8 with RFC 6724 2.2's CommonPrefixLen: the match counts only up to
 * the source's prefix length, so 2001:db8:1:1::2/32 matches 32 bits of
 * 2001:db8:1:1::1, not 126, and 2001:db8:1:2::2/64 (62 bits) wins. */
TEST(select_rule8_counts_matching_bits_only_up_to_the_source_prefix_length) {
    EXPECT_SRC("2001:db8:1:1::1", 0, "2001:db8:1:2::2",
               {"2001:db8:1:1::2", 32, 0, 0}, {"2001:db8:1:2::2", 64, 0, 0});
}

TEST(select_never_picks_an_anycast_address) {
    EXPECT_SRC("2001:db8:1::1", 0, "2001:db8:9::1",
               {"2001:db8:1::", 64, SIX_ADDR_ANYCAST, 0}, {"2001:db8:9::1", 64, 0, 0});
    EXPECT_SRC("2001:db8:1::1", 0, NULL, {"2001:db8:1::", 64, SIX_ADDR_ANYCAST, 0});
}

TEST(select_without_a_candidate_is_eaddrnotavail) {
    struct fx f;
    struct in6_addr d = A6("2001:db8::1"), src;

    /* Only ::1, which never leaves the node. */
    fx_up(&f);
    CHECK_EQ(six__ip6_select_src(&f.ip6, &d, 0, &src), -EADDRNOTAVAIL);
    fx_down(&f);
}

TEST(select_for_the_loopback_destination_picks_loopback) {
    EXPECT_SRC("::1", 0, "::1", {"2001:db8::1", 64, 0, 0}, {"fe80::1", 64, 0, 0});
}

TEST(select_never_picks_loopback_for_a_destination_off_the_node) {
    EXPECT_SRC("fe80::9", 'a', "fe80::1", {"fe80::1", 64, 0, 0});
    EXPECT_SRC("ff02::1", 'a', "fe80::1", {"fe80::1", 64, 0, 0});
}

/* RFC 6724 4: for a link-local or multicast destination, only addresses
 * of the outgoing interface's link are candidates. */
TEST(select_link_local_destination_uses_only_outgoing_interface_addresses) {
    EXPECT_SRC("fe80::9", 'b', "fe80::2", {"fe80::1", 64, 0, 0}, {"fe80::2", 64, 0, 1});
    EXPECT_SRC("fe80::9", 'b', NULL, {"fe80::1", 64, 0, 0}, {"2001:db8::1", 64, 0, 0});
}

TEST(select_multicast_destination_uses_only_outgoing_interface_addresses) {
    EXPECT_SRC("ff0e::101", 'b', "2001:db8:b::1",
               {"2001:db8:a::1", 64, 0, 0}, {"2001:db8:b::1", 64, 0, 1});
    EXPECT_SRC("ff0e::101", 'b', NULL, {"2001:db8:a::1", 64, 0, 0});
}

/* A link-local source is only valid on its own link, whatever the
 * destination. */
TEST(select_link_local_source_never_leaves_its_interface) {
    EXPECT_SRC("2001:db8::9", 'b', NULL, {"fe80::1", 64, 0, 0});
}
