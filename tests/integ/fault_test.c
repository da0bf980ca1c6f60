/* The link impairment wrapper (six_if_set_fault): each impairment happens
 * at the rate asked, delays run on the stack's clock, held frames are
 * bounded, and a seed gives the same run twice.
 *
 * A sends numbered UDP datagrams to B over the memwire pair, one every
 * STEP_US of the manual clock; B notes the numbers in arrival order.
 */
#include "harness.h"

#define PORT 4000
#define STEP_US 100

struct run {
    struct hpair p;
    int tx, rx;              /* A's and B's UDP sockets */
    uint32_t got[40000];     /* numbers in arrival order */
    unsigned ngot;
};

static int udp_sock(struct six_stack *st) {
    return (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0));
}

static void run_up(struct run *r) {
    struct sockaddr_in6 sin6;

    memset(r, 0, sizeof(*r));
    h_up(&r->p);
    r->tx = udp_sock(r->p.a);
    r->rx = udp_sock(r->p.b);
    sin6 = h_sin6(&r->p.addr_b, 0);
    sin6.sin6_port = htons(PORT);
    CHECK_OK(six_bind(r->rx, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_connect(r->tx, (struct sockaddr *)&sin6, sizeof(sin6)));
}

static void run_down(struct run *r) {
    CHECK_OK(six_close(r->tx));
    CHECK_OK(six_close(r->rx));
    h_done(&r->p);
}

static void drain(struct run *r) {
    uint32_t n;
    while (h_recv(r->rx, &n, sizeof(n), NULL) == (ssize_t)sizeof(n)) {
        CHECK(r->ngot < sizeof(r->got) / sizeof(r->got[0]));
        r->got[r->ngot++] = n;
    }
}

/* Sends numbers first .. first+count-1, STEP_US apart, then lets the
 * clock run on by tail_us so that held frames come out. */
static void send_numbers(struct run *r, uint32_t first, uint32_t count, uint64_t tail_us) {
    for (uint32_t i = first; i < first + count; i++) {
        CHECK_EQ(six_send(r->tx, &i, sizeof(i), MSG_DONTWAIT), sizeof(i));
        h_advance(&r->p, STEP_US);
        drain(r);
    }
    for (uint64_t t = 0; t < tail_us; t += 1000) {
        h_advance(&r->p, 1000);
        drain(r);
    }
}

static struct six_fault fault(uint64_t seed, unsigned dirs) {
    struct six_fault f;
    memset(&f, 0, sizeof(f));
    f.seed = seed;
    f.dirs = dirs;
    return f;
}

/* Checks that count out of n is within four standard deviations of the
 * binomial mean n*ppm/1e6 (a fixed seed makes it repeatable; the width
 * makes it an honest check of the rate, not of one seed's luck). */
static void check_rate(uint64_t count, uint64_t n, uint32_t ppm) {
    double p = ppm / 1e6, mean = (double)n * p, sd = 0;
    double var = (double)n * p * (1 - p);
    for (sd = var; sd * sd > var + 1e-9 && sd > 1e-9;)
        sd = (sd + var / sd) / 2;   /* sqrt, without libm */
    if ((double)count < mean - 4 * sd - 1 || (double)count > mean + 4 * sd + 1)
        six_test_fail(__FILE__, __LINE__, "%llu of %llu: want about %.0f (+- %.0f)",
                      (unsigned long long)count, (unsigned long long)n, mean, 4 * sd);
}

TEST(drop_at_the_rate_asked) {
    static struct run r;
    struct six_fault f = fault(7, SIX_FAULT_TX);
    struct six_stats s;

    run_up(&r);
    f.drop_ppm = 50000;   /* 5 % */
    CHECK_OK(six_if_set_fault(r.p.a, r.p.ifa, &f));
    send_numbers(&r, 0, 20000, 0);
    s = h_stats(r.p.a);
    CHECK_EQ(s.link_fault_frames, 20000);
    CHECK_EQ(s.link_fault_dropped, 20000 - r.ngot);
    check_rate(s.link_fault_dropped, 20000, f.drop_ppm);
    for (unsigned i = 1; i < r.ngot; i++)
        CHECK(r.got[i] > r.got[i - 1]);   /* nothing else happened to them */
    run_down(&r);
}

TEST(duplicate_at_the_rate_asked) {
    static struct run r;
    struct six_fault f = fault(8, SIX_FAULT_TX);
    struct six_stats s;
    unsigned twice = 0;

    run_up(&r);
    f.dup_ppm = 20000;   /* 2 % */
    CHECK_OK(six_if_set_fault(r.p.a, r.p.ifa, &f));
    send_numbers(&r, 0, 20000, 0);
    s = h_stats(r.p.a);
    for (unsigned i = 1; i < r.ngot; i++) {
        CHECK(r.got[i] >= r.got[i - 1]);
        twice += r.got[i] == r.got[i - 1];   /* the copy right behind */
    }
    CHECK_EQ(r.ngot, 20000 + twice);
    CHECK_EQ(s.link_fault_duplicated, twice);
    check_rate(twice, 20000, f.dup_ppm);
    run_down(&r);
}

TEST(reorder_at_the_rate_asked) {
    static struct run r;
    struct six_fault f = fault(9, SIX_FAULT_TX);
    struct six_stats s;
    unsigned late = 0;
    uint32_t max = 0;

    run_up(&r);
    f.reorder_ppm = 30000;   /* 3 % */
    f.reorder_us = 10 * STEP_US;
    CHECK_OK(six_if_set_fault(r.p.a, r.p.ifa, &f));
    send_numbers(&r, 0, 20000, 5000);
    s = h_stats(r.p.a);
    CHECK_EQ(r.ngot, 20000);   /* every one came, some late */
    for (unsigned i = 0; i < r.ngot; i++) {
        if (i > 0 && r.got[i] < max)
            late++;
        if (r.got[i] > max)
            max = r.got[i];
    }
    CHECK_EQ(late, s.link_fault_reordered);
    check_rate(late, 20000, f.reorder_ppm);
    CHECK_EQ(six_stack_pkts_in_use(r.p.a), 0);
    run_down(&r);
}

/* Delay and jitter on the stack's clock: nothing before delay_us, all by
 * delay_us + jitter_us, in order. */
TEST(delay_and_jitter_on_the_stack_clock) {
    static struct run r;
    struct six_fault f = fault(10, SIX_FAULT_TX);
    struct six_stats s;

    run_up(&r);
    f.delay_us = 20000;
    f.jitter_us = 5000;
    CHECK_OK(six_if_set_fault(r.p.a, r.p.ifa, &f));
    for (uint32_t i = 0; i < 100; i++)
        CHECK_EQ(six_send(r.tx, &i, sizeof(i), MSG_DONTWAIT), sizeof(i));
    h_pump(&r.p);
    CHECK_EQ(six_stack_pkts_in_use(r.p.a), 100);   /* held, not lost */
    h_advance(&r.p, 19999);
    drain(&r);
    CHECK_EQ(r.ngot, 0);
    h_advance(&r.p, 1);
    drain(&r);
    CHECK(r.ngot < 100);                /* the jitter spreads them out */
    h_advance(&r.p, 5000);
    drain(&r);
    CHECK_EQ(r.ngot, 100);
    for (uint32_t i = 0; i < 100; i++)
        CHECK_EQ(r.got[i], i);          /* a delay does not reorder */
    s = h_stats(r.p.a);
    CHECK_EQ(s.link_fault_delayed, 100);
    run_down(&r);
}

/* The same seed gives the same run; another seed another. */
static unsigned mixed_run(struct run *r, uint64_t seed, uint32_t *out, unsigned max) {
    struct six_fault f = fault(seed, SIX_FAULT_TX | SIX_FAULT_RX);
    unsigned n;

    run_up(r);
    f.drop_ppm = 20000;
    f.dup_ppm = 20000;
    f.reorder_ppm = 20000;
    f.delay_us = 300;
    f.jitter_us = 200;
    f.reorder_us = 700;
    CHECK_OK(six_if_set_fault(r->p.a, r->p.ifa, &f));
    CHECK_OK(six_if_set_fault(r->p.b, r->p.ifb, &f));   /* both ways, both ends */
    send_numbers(r, 0, 3000, 3000);
    n = r->ngot < max ? r->ngot : max;
    memcpy(out, r->got, n * sizeof(*out));
    CHECK(h_stats(r->p.b).link_fault_dropped > 0);       /* B's receive side acts */
    run_down(r);
    return n;
}

TEST(same_seed_same_run) {
    static struct run r;
    static uint32_t one[4000], two[4000], other[4000];
    unsigned n1 = mixed_run(&r, 42, one, 4000);
    unsigned n2 = mixed_run(&r, 42, two, 4000);
    unsigned n3 = mixed_run(&r, 43, other, 4000);

    CHECK_EQ(n1, n2);
    CHECK_MEM(one, two, n1 * sizeof(*one));
    CHECK(n1 != n3 || memcmp(one, other, n1 * sizeof(*one)) != 0);
}

TEST(receive_side_only) {
    static struct run r;
    struct six_fault f = fault(11, SIX_FAULT_RX);

    run_up(&r);
    f.drop_ppm = 1000000;
    CHECK_OK(six_if_set_fault(r.p.a, r.p.ifa, &f));   /* A's receive side */
    send_numbers(&r, 0, 10, 0);
    CHECK_EQ(r.ngot, 10);                              /* A's sends untouched */
    CHECK_EQ(h_stats(r.p.a).link_fault_frames, 0);
    CHECK_OK(six_if_set_fault(r.p.b, r.p.ifb, &f));   /* B's receive side */
    send_numbers(&r, 10, 10, 0);
    CHECK_EQ(r.ngot, 10);
    CHECK_EQ(h_stats(r.p.b).link_fault_dropped, 10);
    run_down(&r);
}

/* At most limit frames wait; more are dropped and counted. */
TEST(held_frames_bounded) {
    static struct run r;
    struct six_fault f = fault(12, SIX_FAULT_TX);

    run_up(&r);
    f.delay_us = 1000;
    f.limit = 4;
    CHECK_OK(six_if_set_fault(r.p.a, r.p.ifa, &f));
    for (uint32_t i = 0; i < 10; i++)
        six_send(r.tx, &i, sizeof(i), MSG_DONTWAIT);
    h_pump(&r.p);
    CHECK_EQ(six_stack_pkts_in_use(r.p.a), 4);
    CHECK_EQ(h_stats(r.p.a).link_fault_overflow, 6);
    h_advance(&r.p, 1000);
    drain(&r);
    CHECK_EQ(r.ngot, 4);
    for (uint32_t i = 0; i < 4; i++)
        CHECK_EQ(r.got[i], i);
    run_down(&r);
}

/* Removing the wrapper sends what it held at once; afterwards frames pass
 * untouched. */
TEST(remove_releases_held_frames) {
    static struct run r;
    struct six_fault f = fault(13, SIX_FAULT_TX);
    uint32_t n = 99;

    run_up(&r);
    f.delay_us = 1000000;
    CHECK_OK(six_if_set_fault(r.p.a, r.p.ifa, &f));
    CHECK_EQ(six_send(r.tx, &n, sizeof(n), MSG_DONTWAIT), sizeof(n));
    h_pump(&r.p);
    drain(&r);
    CHECK_EQ(r.ngot, 0);
    CHECK_OK(six_if_set_fault(r.p.a, r.p.ifa, NULL));
    h_pump(&r.p);
    drain(&r);
    CHECK_EQ(r.ngot, 1);
    send_numbers(&r, 0, 5, 0);
    CHECK_EQ(r.ngot, 6);
    CHECK_EQ(h_stats(r.p.a).link_fault_frames, 1);
    run_down(&r);
}

/* Freeing a stack while its wrapper holds frames frees them (ASan's leak
 * check and the pool's count say so). */
TEST(stack_freed_with_frames_held) {
    static struct run r;
    struct six_fault f = fault(14, SIX_FAULT_TX | SIX_FAULT_RX);
    uint32_t n = 1;

    run_up(&r);
    f.delay_us = 1000000;
    CHECK_OK(six_if_set_fault(r.p.a, r.p.ifa, &f));
    CHECK_EQ(six_send(r.tx, &n, sizeof(n), MSG_DONTWAIT), sizeof(n));
    h_pump(&r.p);
    CHECK_EQ(six_stack_pkts_in_use(r.p.a), 1);
    CHECK_OK(six_close(r.tx));
    CHECK_OK(six_close(r.rx));
    six_stack_free(r.p.a);
    six_stack_free(r.p.b);
    six_set_creds(NULL);
}

/* Bad input: the documented errno, and the wrapper in place unchanged. */
TEST(bad_config_refused_and_changes_nothing) {
    static struct run r;
    struct six_fault good = fault(15, SIX_FAULT_TX), bad;

    run_up(&r);
    good.drop_ppm = 1000000;
    CHECK_OK(six_if_set_fault(r.p.a, r.p.ifa, &good));
    bad = good;
    bad.drop_ppm = 1000001;
    CHECK_ERRNO(six_if_set_fault(r.p.a, r.p.ifa, &bad), EINVAL);
    bad = good;
    bad.dup_ppm = 1000001;
    CHECK_ERRNO(six_if_set_fault(r.p.a, r.p.ifa, &bad), EINVAL);
    bad = good;
    bad.reorder_ppm = 1000001;
    CHECK_ERRNO(six_if_set_fault(r.p.a, r.p.ifa, &bad), EINVAL);
    bad = good;
    bad.dirs = 0;
    CHECK_ERRNO(six_if_set_fault(r.p.a, r.p.ifa, &bad), EINVAL);
    bad.dirs = 4;
    CHECK_ERRNO(six_if_set_fault(r.p.a, r.p.ifa, &bad), EINVAL);
    bad = good;
    bad.limit = 65537;
    CHECK_ERRNO(six_if_set_fault(r.p.a, r.p.ifa, &bad), EINVAL);
    CHECK_ERRNO(six_if_set_fault(r.p.a, 99, &good), ENXIO);
    send_numbers(&r, 0, 10, 0);
    CHECK_EQ(r.ngot, 0);   /* the good wrapper still drops everything */
    CHECK_EQ(h_stats(r.p.a).link_fault_dropped, 10);
    run_down(&r);
}
