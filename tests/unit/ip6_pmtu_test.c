/* Unit tests for src/ip6/pmtu.c: Packet Too Big checks (ours, RFC 8201 4's
 * bounds, a path off this node), the per-destination estimates and their
 * zones, aging on the stack clock (timer and lookup), eviction from a
 * full cache, and the MTU output uses (link, cache, IPV6_USE_MIN_MTU).
 *
 * A bare struct six_ip6 over a manual-clock core, with "lo" (loopback,
 * ::1) and two links "a" and "b" of MTU 1500 holding 2001:db8:a::1/64 and
 * 2001:db8:b::1/64, and a default route out of "a". */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "ip6/ip6.h"
#include "test.h"
#include "wire/ipv6.h"

#define SEC 1000000ull

struct fx {
    struct six_core core;
    struct six_ip6 ip6;
    unsigned lo, a, b;
    struct in6_addr us;   /* on "a" */
};

static struct in6_addr A6(const char *s) {
    struct in6_addr a;
    if (inet_pton(AF_INET6, s, &a) != 1)
        six_test_fail(__FILE__, __LINE__, "bad address %s", s);
    return a;
}

static unsigned add_if(struct fx *f, const char *name, int loopback) {
    struct six_if *ifp = calloc(1, sizeof(*ifp));
    int idx;

    CHECK(ifp != NULL);
    snprintf(ifp->name, sizeof(ifp->name), "%s", name);
    CHECK_EQ(six__loopback_init(ifp), 0);
    if (!loopback) {
        /* The driver does not matter here; a link is not loopback. */
        ifp->flags = SIX_IFF_MULTICAST;
        ifp->mtu = 1500;
    }
    idx = six__ip6_if_add(&f->ip6, ifp);
    CHECK(idx > 0);
    return (unsigned)idx;
}

static void fx_up_cfg(struct fx *f, unsigned max, unsigned expire_s) {
    struct six_stack_config cfg;
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT, any = IN6ADDR_ANY_INIT;
    struct in6_addr b = A6("2001:db8:b::1");

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 3;
    CHECK_EQ(six__core_init(&f->core, &cfg), 0);
    six__ip6_init(&f->ip6, &f->core, 64);
    CHECK_EQ(six__pmtu_init(&f->ip6, max, (uint64_t)expire_s * SEC), 0);
    f->lo = add_if(f, "lo", 1);
    f->a = add_if(f, "a", 0);
    f->b = add_if(f, "b", 0);
    f->us = A6("2001:db8:a::1");
    CHECK_EQ(six__ip6_addr_add(&f->ip6, f->lo, &lo, 128, 0), 0);
    CHECK_EQ(six__ip6_addr_add(&f->ip6, f->a, &f->us, 64, 0), 0);
    CHECK_EQ(six__ip6_addr_add(&f->ip6, f->b, &b, 64, 0), 0);
    CHECK_EQ(six__ip6_route_add(&f->ip6, &any, 0, NULL, f->a, 0), 0);
}

static void fx_up(struct fx *f) { fx_up_cfg(f, 256, 600); }

static void fx_down(struct fx *f) {
    six__ip6_fini(&f->ip6);
    six__core_fini(&f->core);
}

static struct six_stats *stats(struct fx *f) { return &f->core.stats; }

/* A PTB on "a" quoting a packet from us to dst. */
static uint32_t ptb(struct fx *f, const char *dst, uint32_t mtu) {
    struct in6_addr d = A6(dst);
    return six__ip6_ptb(&f->ip6, &f->us, &d, f->a, mtu);
}

/* What output would use to dst (routed; ifindex for scoped ones). */
static unsigned mtu_to(struct fx *f, const char *dst, unsigned ifindex, int minmtu) {
    struct six_ip6_out o = {.dst = A6(dst), .ifindex = ifindex, .minmtu = minmtu};
    struct six_if *ifp;
    CHECK_EQ(six__ip6_route_out(&f->ip6, &o, &ifp), 0);
    return six__ip6_path_mtu(&f->ip6, &o, ifp);
}

static void advance(struct fx *f, uint64_t us) {
    six__clock_set(&f->core, six__now(&f->core) + us);
    six__timers_run(&f->core);
}

TEST(ptb_lowers_the_estimate_of_the_quoted_destination_only) {
    struct fx f;
    fx_up(&f);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1500);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1400), 1400);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1400);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::8", 0, SIX_MINMTU_NEVER), 1500);
    CHECK_EQ(stats(&f)->pmtu_updates, 1);
    /* Lower again: lowered again. */
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1300), 1300);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1300);
    CHECK_EQ(f.ip6.pmtu.count, 1);
    fx_down(&f);
}

TEST(ptb_below_1280_is_discarded_and_1280_is_taken) {
    struct fx f;
    fx_up(&f);
    /* RFC 8201 4: "must discard it". */
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1279), 0);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 68), 0);
    CHECK_EQ(stats(&f)->pmtu_ptb_too_small, 2);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1500);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1280), 1280);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1280);
    fx_down(&f);
}

TEST(ptb_never_raises_the_estimate_nor_passes_the_link_mtu) {
    struct fx f;
    fx_up(&f);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1500), 0);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 9000), 0);
    CHECK_EQ(f.ip6.pmtu.count, 0);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1400), 1400);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1400), 0);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1450), 0);
    CHECK_EQ(stats(&f)->pmtu_ptb_not_lower, 4);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1400);
    fx_down(&f);
}

TEST(ptb_about_a_packet_we_did_not_send_is_ignored) {
    struct fx f;
    struct in6_addr other = A6("2001:db8:a::77"), d = A6("2001:db8:1::9");
    fx_up(&f);
    CHECK_EQ(six__ip6_ptb(&f.ip6, &other, &d, f.a, 1300), 0);
    CHECK_EQ(stats(&f)->pmtu_ptb_not_ours, 1);
    CHECK_EQ(f.ip6.pmtu.count, 0);
    fx_down(&f);
}

TEST(ptb_for_a_destination_off_no_link_is_ignored) {
    struct fx f;
    fx_up(&f);
    /* Our own address goes through loopback; no PTB can be about it. */
    CHECK_EQ(ptb(&f, "2001:db8:b::1", 1300), 0);
    CHECK_EQ(ptb(&f, "::1", 1300), 0);
    CHECK_EQ(stats(&f)->pmtu_ptb_no_path, 2);
    struct in6_addr none = IN6ADDR_ANY_INIT;
    CHECK_EQ(six__ip6_route_del(&f.ip6, &none, 0), 0);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1300), 0);
    CHECK_EQ(stats(&f)->pmtu_ptb_no_path, 3);
    fx_down(&f);
}

TEST(scoped_destinations_keep_one_estimate_per_zone) {
    struct fx f;
    struct in6_addr ll = A6("fe80::9");
    fx_up(&f);
    CHECK_EQ(six__ip6_ptb(&f.ip6, &f.us, &ll, f.a, 1300), 1300);
    CHECK_EQ(mtu_to(&f, "fe80::9", f.a, SIX_MINMTU_NEVER), 1300);
    CHECK_EQ(mtu_to(&f, "fe80::9", f.b, SIX_MINMTU_NEVER), 1500);
    CHECK_EQ(six__ip6_ptb(&f.ip6, &f.us, &ll, f.b, 1400), 1400);
    CHECK_EQ(mtu_to(&f, "fe80::9", f.b, SIX_MINMTU_NEVER), 1400);
    CHECK_EQ(mtu_to(&f, "fe80::9", f.a, SIX_MINMTU_NEVER), 1300);
    CHECK_EQ(f.ip6.pmtu.count, 2);
    fx_down(&f);
}

TEST(estimate_ages_back_to_the_link_mtu_on_the_timer) {
    struct fx f;
    fx_up(&f);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1300), 1300);
    CHECK_EQ(six__timers_next(&f.core), 600 * SEC);
    advance(&f, 600 * SEC - 1);
    CHECK_EQ(f.ip6.pmtu.count, 1);
    CHECK_EQ(stats(&f)->pmtu_expired, 0);
    advance(&f, 1);
    /* The timer removed it, without any lookup. */
    CHECK_EQ(f.ip6.pmtu.count, 0);
    CHECK_EQ(stats(&f)->pmtu_expired, 1);
    CHECK_EQ(six__timers_next(&f.core), SIX_NEVER);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1500);
    fx_down(&f);
}

TEST(each_lowering_restarts_the_entry_clock) {
    struct fx f;
    fx_up(&f);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1400), 1400);
    advance(&f, 300 * SEC);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1300), 1300);
    advance(&f, 300 * SEC);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1300);
    advance(&f, 300 * SEC);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1500);
    fx_down(&f);
}

TEST(lookup_drops_an_expired_estimate_before_the_timer_runs) {
    struct fx f;
    fx_up(&f);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1300), 1300);
    six__clock_set(&f.core, 600 * SEC);   /* no timers run */
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1500);
    CHECK_EQ(stats(&f)->pmtu_expired, 1);
    six__timers_run(&f.core);
    CHECK_EQ(stats(&f)->pmtu_expired, 1);
    fx_down(&f);
}

TEST(expiry_zero_keeps_estimates) {
    struct fx f;
    fx_up_cfg(&f, 8, 0);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1300), 1300);
    CHECK_EQ(six__timers_next(&f.core), SIX_NEVER);
    advance(&f, 1000000 * SEC);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1300);
    fx_down(&f);
}

TEST(full_cache_evicts_the_entry_lowered_longest_ago) {
    struct fx f;
    fx_up_cfg(&f, 2, 600);
    CHECK_EQ(ptb(&f, "2001:db8:1::1", 1400), 1400);
    advance(&f, SEC);
    CHECK_EQ(ptb(&f, "2001:db8:1::2", 1400), 1400);
    advance(&f, SEC);
    CHECK_EQ(ptb(&f, "2001:db8:1::1", 1300), 1300);   /* ::1 is newest now */
    CHECK_EQ(ptb(&f, "2001:db8:1::3", 1350), 1350);
    CHECK_EQ(stats(&f)->pmtu_evicted, 1);
    CHECK_EQ(f.ip6.pmtu.count, 2);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::2", 0, SIX_MINMTU_NEVER), 1500);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::1", 0, SIX_MINMTU_NEVER), 1300);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::3", 0, SIX_MINMTU_NEVER), 1350);
    /* The timer now follows the oldest left: ::1, lowered at 2 s. */
    CHECK_EQ(six__timers_next(&f.core), 602 * SEC);
    fx_down(&f);
}

TEST(cache_of_size_zero_takes_nothing) {
    struct fx f;
    fx_up_cfg(&f, 0, 600);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1300), 0);
    CHECK_EQ(stats(&f)->pmtu_ptb_no_room, 1);
    CHECK_EQ(stats(&f)->pmtu_updates, 0);
    fx_down(&f);
}

TEST(output_mtu_follows_use_min_mtu) {
    struct fx f;
    fx_up(&f);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1400), 1400);
    /* RFC 3542 11.1: -1 (default) caps multicast only; 1 caps all; 0 none. */
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_MCAST), 1400);
    CHECK_EQ(mtu_to(&f, "ff02::1", f.a, SIX_MINMTU_MCAST), 1280);
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_ALWAYS), 1280);
    CHECK_EQ(mtu_to(&f, "ff02::1", f.a, SIX_MINMTU_NEVER), 1500);
    /* A packet to this node has no path: loopback ignores both. */
    CHECK_EQ(mtu_to(&f, "::1", 0, SIX_MINMTU_NEVER), 65535);
    CHECK_EQ(mtu_to(&f, "::1", 0, SIX_MINMTU_ALWAYS), 65535);
    CHECK_EQ(mtu_to(&f, "2001:db8:b::1", 0, SIX_MINMTU_ALWAYS), 65535);
    fx_down(&f);
}

TEST(link_mtu_below_the_estimate_wins) {
    struct fx f;
    fx_up(&f);
    CHECK_EQ(ptb(&f, "2001:db8:1::9", 1400), 1400);
    six__ip6_if(&f.ip6, f.a)->mtu = 1300;
    CHECK_EQ(mtu_to(&f, "2001:db8:1::9", 0, SIX_MINMTU_NEVER), 1300);
    fx_down(&f);
}
