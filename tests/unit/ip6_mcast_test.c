/* Unit tests for src/ip6/mcast.c's source filters: users' filters merged
 * into the interface state of RFC 3810 4.2, the notifications MLD gets,
 * the link filter calls, the source limit, and failures that change
 * nothing. A bare struct six_ip6 over a core, with one memwire port so
 * that the link filter is counted. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "ip6/ip6.h"
#include "test.h"
#include "wire/ipv6.h"

struct fx {
    struct six_core core;
    struct six_ip6 ip6;
    struct six_wire *wire;
    unsigned a;
    int events[16];
    unsigned nevents;
};

static struct in6_addr A6(const char *s) {
    struct in6_addr a;
    if (inet_pton(AF_INET6, s, &a) != 1)
        six_test_fail(__FILE__, __LINE__, "bad address %s", s);
    return a;
}

static void record(void *ctx, struct six_mcast_entry *e, int what) {
    struct fx *f = ctx;
    (void)e;
    if (f->nevents < 16)
        f->events[f->nevents++] = what;
}

static void fx_up(struct fx *f) {
    struct six_stack_config cfg;
    struct six_if *ifp = calloc(1, sizeof(*ifp));

    memset(f, 0, sizeof(*f));
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 1;
    CHECK_EQ(six__core_init(&f->core, &cfg), 0);
    six__ip6_init(&f->ip6, &f->core, 64);
    f->ip6.mcast_notify = record;
    f->ip6.mcast_ctx = f;
    CHECK(ifp != NULL);
    snprintf(ifp->name, sizeof(ifp->name), "a");
    ifp->core = &f->core;
    f->wire = six__wire_new(1500, 4, 0, 0);
    CHECK(f->wire != NULL);
    CHECK_EQ(six__wire_attach(f->wire, ifp), 0);
    six__wire_put(f->wire);
    f->a = (unsigned)six__ip6_if_add(&f->ip6, ifp);
}

static void fx_down(struct fx *f) {
    six__ip6_fini(&f->ip6);
    six__core_fini(&f->core);
}

static int state(struct fx *f, const struct in6_addr *g, struct in6_addr *out, unsigned max,
                 unsigned *n) {
    struct six_mcast_entry *e = six__ip6_mcast_find(&f->ip6, f->a, g);
    int mode = -1;
    CHECK(e != NULL);
    *n = six__ip6_mcast_state(e, &mode, out, max);
    return mode;
}

static int has(const struct in6_addr *list, unsigned n, const struct in6_addr *a) {
    for (unsigned i = 0; i < n; i++)
        if (IN6_ARE_ADDR_EQUAL(&list[i], a))
            return 1;
    return 0;
}

TEST(mcast_include_users_merge_to_union) {
    struct fx f;
    struct in6_addr g = A6("ff3e::1"), s1 = A6("2001:db8::1"), s2 = A6("2001:db8::2");
    struct in6_addr l1[] = {s1}, l2[] = {s1, s2}, out[4];
    struct six_mcast_filter u1 = {MCAST_INCLUDE, 1, l1}, u2 = {MCAST_INCLUDE, 2, l2};
    unsigned n;

    fx_up(&f);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, NULL, &u1), 0);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, NULL, &u2), 0);
    CHECK_EQ(state(&f, &g, out, 4, &n), MCAST_INCLUDE);
    CHECK_EQ(n, 2);
    CHECK(has(out, n, &s1) && has(out, n, &s2));
    /* u2 leaves: s1 stays (u1 still includes it), s2 goes. */
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, &u2, NULL), 0);
    CHECK_EQ(state(&f, &g, out, 4, &n), MCAST_INCLUDE);
    CHECK_EQ(n, 1);
    CHECK(has(out, n, &s1));
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, &u1, NULL), 0);
    CHECK(six__ip6_mcast_find(&f.ip6, f.a, &g) == NULL);
    CHECK_EQ(f.nevents, 4);
    CHECK_EQ(f.events[0], SIX_MC_JOINED);
    CHECK_EQ(f.events[1], SIX_MC_CHANGED);
    CHECK_EQ(f.events[2], SIX_MC_CHANGED);
    CHECK_EQ(f.events[3], SIX_MC_LEFT);
    CHECK_EQ(f.core.stats.link_mcast_filter_adds, 1);
    CHECK_EQ(f.core.stats.link_mcast_filter_dels, 1);
    fx_down(&f);
}

/* RFC 3810 4.2: EXCLUDE = intersection of the exclude lists minus the
 * union of the include lists. */
TEST(mcast_exclude_merge_is_intersection_minus_includes) {
    struct fx f;
    struct in6_addr g = A6("ff3e::2"), s1 = A6("2001:db8::1"), s2 = A6("2001:db8::2"),
                    s3 = A6("2001:db8::3");
    struct in6_addr x1[] = {s1, s2, s3}, x2[] = {s2, s3}, i1[] = {s3}, out[4];
    struct six_mcast_filter e1 = {MCAST_EXCLUDE, 3, x1}, e2 = {MCAST_EXCLUDE, 2, x2},
                            in = {MCAST_INCLUDE, 1, i1};
    unsigned n;

    fx_up(&f);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, NULL, &e1), 0);
    CHECK_EQ(state(&f, &g, out, 4, &n), MCAST_EXCLUDE);
    CHECK_EQ(n, 3);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, NULL, &e2), 0);
    CHECK_EQ(state(&f, &g, out, 4, &n), MCAST_EXCLUDE);
    CHECK_EQ(n, 2);
    CHECK(has(out, n, &s2) && has(out, n, &s3));
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, NULL, &in), 0);
    CHECK_EQ(state(&f, &g, out, 4, &n), MCAST_EXCLUDE);
    CHECK_EQ(n, 1);
    CHECK(has(out, n, &s2));
    /* Counting only (max 0). */
    CHECK_EQ(state(&f, &g, NULL, 0, &n), MCAST_EXCLUDE);
    CHECK_EQ(n, 1);
    /* e1 switches to INCLUDE {s1}: e2 alone excludes {s2, s3}, minus the
     * includes {s1, s3}. */
    struct in6_addr i2[] = {s1};
    struct six_mcast_filter e1b = {MCAST_INCLUDE, 1, i2};
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, &e1, &e1b), 0);
    CHECK_EQ(state(&f, &g, out, 4, &n), MCAST_EXCLUDE);
    CHECK_EQ(n, 1);
    CHECK(has(out, n, &s2));
    /* The excluding user leaves: INCLUDE {s1, s3}. */
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, &e2, NULL), 0);
    CHECK_EQ(state(&f, &g, out, 4, &n), MCAST_INCLUDE);
    CHECK_EQ(n, 2);
    CHECK(has(out, n, &s1) && has(out, n, &s3));
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, &in, NULL), 0);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, &e1b, NULL), 0);
    CHECK(six__ip6_mcast_find(&f.ip6, f.a, &g) == NULL);
    fx_down(&f);
}

TEST(mcast_any_source_join_is_exclude_nothing) {
    struct fx f;
    struct in6_addr g = A6("ff1e::3"), out[1];
    unsigned n;

    fx_up(&f);
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &g), 0);
    CHECK_EQ(state(&f, &g, out, 1, &n), MCAST_EXCLUDE);
    CHECK_EQ(n, 0);
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.a, &g), 0);
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.a, &g), -EADDRNOTAVAIL);
    fx_down(&f);
}

TEST(mcast_source_limit_is_enobufs_and_changes_nothing) {
    struct fx f;
    struct in6_addr g = A6("ff3e::4");
    static struct in6_addr many[SIX_MCAST_ENTRY_MAX_SRCS + 1];
    struct six_mcast_filter full = {MCAST_INCLUDE, SIX_MCAST_ENTRY_MAX_SRCS, many},
                            over = {MCAST_INCLUDE, SIX_MCAST_ENTRY_MAX_SRCS + 1, many};
    unsigned n;

    fx_up(&f);
    for (unsigned i = 0; i <= SIX_MCAST_ENTRY_MAX_SRCS; i++) {
        many[i] = A6("2001:db8::");
        many[i].s6_addr[14] = (uint8_t)(i >> 8);
        many[i].s6_addr[15] = (uint8_t)i;
    }
    /* A first join over the limit makes no entry at all. */
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, NULL, &over), -ENOBUFS);
    CHECK(six__ip6_mcast_find(&f.ip6, f.a, &g) == NULL);
    CHECK_EQ(f.nevents, 0);
    CHECK_EQ(f.core.stats.link_mcast_filter_adds, 0);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, NULL, &full), 0);
    /* A second user naming one source more fails and changes nothing. */
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, NULL, &over), -ENOBUFS);
    CHECK_EQ(six__ip6_mcast_find(&f.ip6, f.a, &g)->refs, 1);
    CHECK_EQ(state(&f, &g, NULL, 0, &n), MCAST_INCLUDE);
    CHECK_EQ(n, SIX_MCAST_ENTRY_MAX_SRCS);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, &full, NULL), 0);
    fx_down(&f);
}

TEST(mcast_update_errors) {
    struct fx f;
    struct in6_addr g = A6("ff1e::5"), u = A6("2001:db8::5");
    struct six_mcast_filter asm_ = {MCAST_EXCLUDE, 0, NULL};

    fx_up(&f);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &u, NULL, &asm_), -EINVAL);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, 9, &g, NULL, &asm_), -ENODEV);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, &asm_, &asm_), -EADDRNOTAVAIL);
    CHECK_EQ(six__ip6_mcast_update(&f.ip6, f.a, &g, &asm_, NULL), -EADDRNOTAVAIL);
    CHECK_EQ(f.nevents, 0);
    fx_down(&f);
}

/* An interface going forgets its groups with SIX_MC_FORGET, and the link
 * filter is not called (the driver is being destroyed). */
TEST(mcast_interface_removal_forgets) {
    struct fx f;
    struct in6_addr g = A6("ff1e::6");

    fx_up(&f);
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &g), 0);
    six__ip6_if_remove(&f.ip6, f.a);
    CHECK_EQ(f.nevents, 2);
    CHECK_EQ(f.events[1], SIX_MC_FORGET);
    CHECK_EQ(f.core.stats.link_mcast_filter_dels, 0);
    fx_down(&f);
}

/* All-nodes (ff01::1, ff02::1) is a member on every interface without a
 * join; its neighbours in every byte are not. */
TEST(mcast_member_all_nodes_without_a_join) {
    static const char *members[] = {"ff01::1", "ff02::1"};
    static const char *not_members[] = {"ff03::1", "ff02::2", "ff02::101", "fe02::1",
                                        "2001::1", "ff02:0:0:1::1", "ff02::1:0:0:1", "::1"};
    struct fx f;

    fx_up(&f);
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        struct in6_addr g = A6(members[i]);
        if (!six__ip6_mcast_member(&f.ip6, f.a, &g))
            six_test_fail(__FILE__, __LINE__, "%s is not a member", members[i]);
    }
    for (size_t i = 0; i < sizeof(not_members) / sizeof(not_members[0]); i++) {
        struct in6_addr g = A6(not_members[i]);
        if (six__ip6_mcast_member(&f.ip6, f.a, &g))
            six_test_fail(__FILE__, __LINE__, "%s is a member", not_members[i]);
    }
    fx_down(&f);
}

/* A group's slot lists its first two owners (sockets) with whether they
 * take any source; six__ip6_mcast_owned answers from it only while the
 * list is complete, else "not known" (-1) so that the socket's own list
 * decides. */
TEST(entry_lists_its_owners_while_it_can) {
    struct fx f;
    struct in6_addr g = A6("ff3e::1");
    int o1, o2, o3, other;
    const struct six_mcast_slot *e;

    fx_up(&f);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &g), 0);
    e = six__ip6_mcast_lookup(&f.ip6, f.a, &g);
    CHECK(e != NULL);
    CHECK(e->e == six__ip6_mcast_find(&f.ip6, f.a, &g));
    CHECK_EQ(six__ip6_mcast_owned(e, &o1), 0);   /* no owner: none is o1 */
    six__ip6_mcast_owner(&f.ip6, f.a, &g, &o1, SIX_MC_OWNER_ADD, 1);
    six__ip6_mcast_owner(&f.ip6, f.a, &g, &o2, SIX_MC_OWNER_ADD, 0);
    CHECK_EQ(six__ip6_mcast_owned(e, &o1), 1);
    CHECK_EQ(six__ip6_mcast_owned(e, &o2), -1);   /* a source filter */
    CHECK_EQ(six__ip6_mcast_owned(e, &other), 0);
    six__ip6_mcast_owner(&f.ip6, f.a, &g, &o2, SIX_MC_OWNER_SET, 1);
    CHECK_EQ(six__ip6_mcast_owned(e, &o2), 1);
    /* A third owner is not listed: nobody unlisted is known to be out. */
    six__ip6_mcast_owner(&f.ip6, f.a, &g, &o3, SIX_MC_OWNER_ADD, 1);
    CHECK_EQ(six__ip6_mcast_owned(e, &o3), -1);
    CHECK_EQ(six__ip6_mcast_owned(e, &other), -1);
    CHECK_EQ(six__ip6_mcast_owned(e, &o1), 1);
    /* o1 leaves: its slot is free, o3 is still unlisted. */
    six__ip6_mcast_owner(&f.ip6, f.a, &g, &o1, SIX_MC_OWNER_DEL, 0);
    CHECK_EQ(six__ip6_mcast_owned(e, &o1), -1);
    CHECK_EQ(six__ip6_mcast_owned(e, &o3), -1);
    /* o3 leaves too: the list is complete again. */
    six__ip6_mcast_owner(&f.ip6, f.a, &g, &o3, SIX_MC_OWNER_DEL, 0);
    CHECK_EQ(six__ip6_mcast_owned(e, &o3), 0);
    CHECK_EQ(six__ip6_mcast_owned(e, &o2), 1);
    fx_down(&f);
}

static struct in6_addr nth_group(unsigned i) {
    struct in6_addr g = A6("ff1e::");
    g.s6_addr[13] = (uint8_t)(i >> 16);
    g.s6_addr[14] = (uint8_t)(i >> 8);
    g.s6_addr[15] = (uint8_t)i;
    return g;
}

enum { CHURN_MAX = 3000 };
static uint8_t joined[2][CHURN_MAX];

/* Joins or leaves one of n groups at random on one of ifs, steps times,
 * checking after every every-th step (and the last) that the table finds
 * exactly the groups joined. Returns how many are joined. */
static unsigned churn(struct fx *f, const unsigned ifs[2], unsigned n, unsigned steps,
                      unsigned every, unsigned count) {
    uint32_t x = 12345;

    for (unsigned step = 0; step < steps; step++) {
        x = x * 1103515245u + 12345u;
        unsigned i = (x >> 8) % n, k = (x >> 30) & 1;
        struct in6_addr g = nth_group(i);
        if (joined[k][i])
            CHECK_EQ(six__ip6_mcast_leave(&f->ip6, ifs[k], &g), 0);
        else
            CHECK_EQ(six__ip6_mcast_join(&f->ip6, ifs[k], &g), 0);
        joined[k][i] ^= 1;
        count += joined[k][i] ? 1u : -1u;
        if (step % every != 0 && step != steps - 1)
            continue;
        CHECK_EQ(f->ip6.mc_count, count);
        for (unsigned j = 0; j < n; j++)
            for (unsigned m = 0; m < 2; m++) {
                struct in6_addr gj = nth_group(j);
                struct six_mcast_entry *e = six__ip6_mcast_find(&f->ip6, ifs[m], &gj);
                CHECK_EQ(e != NULL, joined[m][j]);
                CHECK(!e || (e->ifindex == ifs[m] && IN6_ARE_ADDR_EQUAL(&e->group, &gj)));
            }
    }
    return count;
}

/* The table (open addressing, entries moved back as others leave) finds
 * exactly the groups joined, through joins and leaves in a scrambled
 * order, on two interfaces: a few groups in a small table (runs of slots
 * that wrap around its end), then thousands; and after one interface
 * goes. */
TEST(mcast_table_finds_every_group_through_joins_and_leaves) {
    struct fx f;
    struct six_if *ifb = calloc(1, sizeof(*ifb));
    unsigned ifs[2], count;

    fx_up(&f);
    CHECK(ifb != NULL);
    snprintf(ifb->name, sizeof(ifb->name), "b");
    ifb->core = &f.core;
    CHECK_EQ(six__wire_attach(f.wire, ifb), 0);
    ifs[0] = f.a;
    ifs[1] = (unsigned)six__ip6_if_add(&f.ip6, ifb);
    memset(joined, 0, sizeof(joined));
    count = churn(&f, ifs, 3, 3000, 1, 0);
    count = churn(&f, ifs, CHURN_MAX, 4 * CHURN_MAX, 499, count);
    six__ip6_mcast_remove_if(&f.ip6, ifs[1]);
    for (unsigned j = 0; j < CHURN_MAX; j++) {
        struct in6_addr gj = nth_group(j);
        CHECK_EQ(six__ip6_mcast_find(&f.ip6, ifs[0], &gj) != NULL, joined[0][j]);
        CHECK(six__ip6_mcast_find(&f.ip6, ifs[1], &gj) == NULL);
        count -= joined[1][j];
    }
    CHECK_EQ(f.ip6.mc_count, count);
    fx_down(&f);
}

/* The home slot of group g on ifindex in the current table (g joined). */
static unsigned home_of(struct fx *f, unsigned ifindex, const struct in6_addr *g) {
    struct six_mcast_entry *e = six__ip6_mcast_find(&f->ip6, ifindex, g);
    CHECK(e != NULL);
    for (unsigned k = 0; k <= f->ip6.mc_mask; k++)
        if (f->ip6.mc_slots[k].e == e)
            return f->ip6.mc_slots[k].lo & f->ip6.mc_mask;
    six_test_fail(__FILE__, __LINE__, "entry in no slot");
    return 0;
}

/* The first group from nth_group(*next) on whose home slot is want. */
static struct in6_addr group_at_home(struct fx *f, unsigned want, unsigned *next) {
    for (;; (*next)++) {
        struct in6_addr g = nth_group(*next);
        CHECK_EQ(six__ip6_mcast_join(&f->ip6, f->a, &g), 0);
        unsigned home = home_of(f, f->a, &g);
        CHECK_EQ(six__ip6_mcast_leave(&f->ip6, f->a, &g), 0);
        if (home == want) {
            (*next)++;
            return g;
        }
    }
}

/* A run of slots that wraps around the table's end: the group in the
 * last slot leaves, and the one in slot 0, which is at its home, must
 * stay there (moving it back to the last slot would lose it). */
TEST(mcast_table_leave_keeps_a_run_that_wraps_around_the_end) {
    struct fx f;
    unsigned next = 0, last;

    fx_up(&f);
    struct in6_addr first = nth_group(next++);
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &first), 0);    /* makes the table */
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.a, &first), 0);
    last = f.ip6.mc_mask;
    struct in6_addr a = group_at_home(&f, last, &next), b = group_at_home(&f, last, &next),
                    c = group_at_home(&f, 0, &next);
    CHECK_EQ(f.ip6.mc_mask, last);
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &a), 0);
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &c), 0);
    CHECK_EQ(six__ip6_mcast_join(&f.ip6, f.a, &b), 0);   /* after c, in slot 1 */
    CHECK_EQ(six__ip6_mcast_leave(&f.ip6, f.a, &a), 0);
    CHECK(six__ip6_mcast_find(&f.ip6, f.a, &c) != NULL);
    CHECK(six__ip6_mcast_find(&f.ip6, f.a, &b) != NULL);
    CHECK(six__ip6_mcast_find(&f.ip6, f.a, &a) == NULL);
    fx_down(&f);
}
