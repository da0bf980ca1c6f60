/* Unit tests for the multicast scope checks of src/ip6/input.c: which
 * multicast destinations a packet from a link, or from loopback, may
 * carry (RFC 4291 2.7 with its verified erratum 3480).
 *
 * A bare struct six_ip6 with two interfaces on the loopback driver: "lo"
 * keeps its loopback flag, "link" has it cleared and so stands for any
 * link to other nodes. Packets go in through six__if_deliver, as a driver
 * hands them up; a stub upper layer for protocol 253 counts what is
 * delivered. (The whole input path through the public API is in
 * tests/integ/ip6_input_test.c.) */
#include <arpa/inet.h>
#include <stdlib.h>

#include "ip6/ip6.h"
#include "test.h"
#include "wire/ipv6.h"

struct fx {
    struct six_core core;
    struct six_ip6 ip6;
    struct six_if *lo, *link;
    unsigned delivered;
};

static void upper(void *ctx, struct six_pkt *pkt) {
    struct fx *f = ctx;
    f->delivered++;
    six__pkt_free(pkt);
}

static struct six_if *add_if(struct fx *f, const char *name, int loopback) {
    struct six_if *ifp = calloc(1, sizeof(*ifp));

    CHECK(ifp != NULL);
    snprintf(ifp->name, sizeof(ifp->name), "%s", name);
    CHECK_EQ(six__loopback_init(ifp), 0);
    if (!loopback)
        ifp->flags = SIX_IFF_MULTICAST;
    CHECK(six__ip6_if_add(&f->ip6, ifp) > 0);
    return ifp;
}

static void fx_up(struct fx *f) {
    struct six_stack_config cfg;
    struct in6_addr ll;

    memset(f, 0, sizeof(*f));
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 1;
    CHECK_EQ(six__core_init(&f->core, &cfg), 0);
    six__ip6_init(&f->ip6, &f->core, 64);
    f->ip6.upper[253] = upper;
    f->ip6.upper_ctx[253] = f;
    f->lo = add_if(f, "lo", 1);
    f->link = add_if(f, "link", 0);
    inet_pton(AF_INET6, "fe80::2", &ll);
    CHECK_EQ(six__ip6_addr_add(&f->ip6, f->link->index, &ll, 64, 0), 0);
}

static void fx_down(struct fx *f) {
    CHECK_EQ(six__pools_in_use(&f->core.pools), 0);
    six__ip6_fini(&f->ip6);
    six__core_fini(&f->core);
}

/* Hands ifp a protocol-253 packet from fe80::1 to dst. */
static void receive(struct fx *f, struct six_if *ifp, const char *dst) {
    struct six_ip6_repr h = {.plen = 8, .nxt = 253, .hlim = 1};
    struct six_pkt *pkt = six__pkt_alloc(&f->core.pools, SIX_PKT_HEADROOM, 48);

    CHECK(pkt != NULL);
    CHECK(inet_pton(AF_INET6, "fe80::1", &h.src) == 1);
    CHECK(inet_pton(AF_INET6, dst, &h.dst) == 1);
    six_ip6_emit(&h, pkt->data);
    memset(pkt->data + SIX_IP6_HDR_LEN, 0, 8);
    six__if_deliver(ifp, pkt);
}

TEST(interface_local_multicast_from_a_link_is_dropped) {
    struct fx f;

    fx_up(&f);
    receive(&f, f.link, "ff01::1");
    CHECK_EQ(f.delivered, 0);
    CHECK_EQ(f.core.stats.ip6_in_bad_dst, 1);
    fx_down(&f);
}

TEST(interface_local_multicast_on_loopback_is_delivered) {
    struct fx f;

    fx_up(&f);
    receive(&f, f.lo, "ff01::1");
    CHECK_EQ(f.delivered, 1);
    CHECK_EQ(f.core.stats.ip6_in_bad_dst, 0);
    fx_down(&f);
}

TEST(link_local_all_nodes_from_a_link_is_delivered) {
    struct fx f;

    fx_up(&f);
    receive(&f, f.link, "ff02::1");
    CHECK_EQ(f.delivered, 1);
    fx_down(&f);
}

TEST(reserved_scope_zero_multicast_is_dropped) {
    struct fx f;

    fx_up(&f);
    receive(&f, f.link, "ff00::1");
    receive(&f, f.lo, "ff00::1");
    CHECK_EQ(f.delivered, 0);
    fx_down(&f);
}
