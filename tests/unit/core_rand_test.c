/* Unit tests for the random numbers of src/core/core.c: a non-zero seed
 * repeats, different seeds differ, seed 0 draws from the system, and
 * six__rand_below is in range and uniform. Every statistical bound below
 * runs on a fixed seed, so the result is the same on every run: it cannot
 * flake, and the bounds are loose enough that any sound generator passes
 * while a biased or stuck one fails. */
#include "core/core.h"
#include "test.h"

static void core_up(struct six_core *c, uint64_t seed) {
    struct six_stack_config cfg;
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = seed;
    CHECK_EQ(six__core_init(c, &cfg), 0);
}

TEST(rand_same_seed_gives_the_same_sequence) {
    struct six_core a, b;

    core_up(&a, 42);
    core_up(&b, 42);
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(six__rand64(&a), six__rand64(&b));
    six__core_fini(&a);
    six__core_fini(&b);
}

TEST(rand_reseeding_restarts_the_sequence) {
    struct six_core c;
    uint64_t first[16];

    core_up(&c, 7);
    for (int i = 0; i < 16; i++)
        first[i] = six__rand64(&c);
    six__rand_seed(&c, 7);
    for (int i = 0; i < 16; i++)
        CHECK_EQ(six__rand64(&c), first[i]);
    six__core_fini(&c);
}

/* The generator the header promises: splitmix64 spreading the seed over a
 * xoshiro256** state, written out here from the published algorithms so
 * that a change of generator (and of every seeded test's outcome) shows. */
static uint64_t ref_splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t ref_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t ref_next(uint64_t s[4]) {
    uint64_t result = ref_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ref_rotl(s[3], 45);
    return result;
}

TEST(rand_seeded_sequence_is_splitmix_seeded_xoshiro256starstar) {
    struct six_core c;
    uint64_t s[4], x = 12345;

    for (int i = 0; i < 4; i++)
        s[i] = ref_splitmix(&x);
    core_up(&c, 12345);
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(six__rand64(&c), ref_next(s));
    six__core_fini(&c);
}

TEST(rand_different_seeds_give_different_sequences) {
    struct six_core a, b;
    int same = 0;

    core_up(&a, 1);
    core_up(&b, 2);
    for (int i = 0; i < 1000; i++)
        same += six__rand64(&a) == six__rand64(&b);
    CHECK(same <= 1);
    six__core_fini(&a);
    six__core_fini(&b);
}

TEST(rand_seed_zero_is_unpredictable) {
    struct six_core a, b;
    int same = 0;

    core_up(&a, 0);
    core_up(&b, 0);
    for (int i = 0; i < 64; i++)
        same += six__rand64(&a) == six__rand64(&b);
    CHECK(same <= 1);
    six__core_fini(&a);
    six__core_fini(&b);
}

TEST(rand_seed_zero_never_leaves_the_all_zero_state) {
    struct six_core c;
    uint64_t v = 0;

    /* Seed 0 must not leave the all-zero xoshiro state, which only ever
     * yields zeros. */
    core_up(&c, 0);
    for (int i = 0; i < 4; i++)
        v |= six__rand64(&c);
    CHECK(v != 0);
    six__core_fini(&c);
}

TEST(rand_below_stays_in_range) {
    static const uint32_t bounds[] = {1, 2, 3, 7, 10, 1000, 65537, 1u << 31, 0xfffffffeu,
                                      0xffffffffu};
    struct six_core c;

    core_up(&c, 99);
    for (size_t b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++)
        for (int i = 0; i < 20000; i++) {
            uint32_t v = six__rand_below(&c, bounds[b]);
            if (v >= bounds[b])
                six_test_fail(__FILE__, __LINE__, "%u >= %u", (unsigned)v, (unsigned)bounds[b]);
        }
    six__core_fini(&c);
}

TEST(rand_below_one_is_always_zero) {
    struct six_core c;

    core_up(&c, 3);
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(six__rand_below(&c, 1), 0);
    six__core_fini(&c);
}

/* Pearson's chi-square over k buckets. */
static double chi_square(const unsigned *counts, unsigned k, unsigned n) {
    double expect = (double)n / k, chi = 0;
    for (unsigned i = 0; i < k; i++) {
        double d = counts[i] - expect;
        chi += d * d / expect;
    }
    return chi;
}

/* For 9 and 99 degrees of freedom, a uniform source exceeds 40 and 180 with
 * probability below 1e-5; with the fixed seed the statistic is one
 * number, far from those bounds for any sound generator. */
TEST(rand_below_is_roughly_uniform_over_small_bounds) {
    struct six_core c;
    unsigned c10[10] = {0}, c100[100] = {0};

    core_up(&c, 2024);
    for (int i = 0; i < 100000; i++)
        c10[six__rand_below(&c, 10)]++;
    for (int i = 0; i < 100000; i++)
        c100[six__rand_below(&c, 100)]++;
    CHECK(chi_square(c10, 10, 100000) < 40.0);
    CHECK(chi_square(c100, 100, 100000) < 180.0);
    six__core_fini(&c);
}

/* A large bound is where a modulo-based reduction would skew: with
 * bound = 3 * 2^30, values below 2^32 mod bound would come up twice as
 * often. Bucket the top third against the bottom two. */
TEST(rand_below_is_uniform_for_a_bound_near_two_to_the_32) {
    struct six_core c;
    const uint32_t bound = 3u << 30;
    unsigned thirds[3] = {0};

    core_up(&c, 77);
    for (int i = 0; i < 90000; i++)
        thirds[six__rand_below(&c, bound) / (1u << 30)]++;
    CHECK(chi_square(thirds, 3, 90000) < 25.0);
    six__core_fini(&c);
}

TEST(rand64_sets_every_bit_about_half_the_time) {
    struct six_core c;
    unsigned ones[64] = {0};

    core_up(&c, 555);
    for (int i = 0; i < 20000; i++) {
        uint64_t v = six__rand64(&c);
        for (int b = 0; b < 64; b++)
            ones[b] += (v >> b) & 1;
    }
    /* 20000 fair coins: mean 10000, sd ~71; 9500..10500 is 7 sd. */
    for (int b = 0; b < 64; b++)
        if (ones[b] < 9500 || ones[b] > 10500)
            six_test_fail(__FILE__, __LINE__, "bit %d set %u times", b, ones[b]);
    six__core_fini(&c);
}

/* With the largest bound every bit of the result should be live: a
 * reduction that drew from too few random bits leaves the low ones stuck. */
TEST(rand_below_the_largest_bound_sets_every_bit_about_half_the_time) {
    struct six_core c;
    unsigned ones[32] = {0};

    core_up(&c, 31337);
    for (int i = 0; i < 20000; i++) {
        uint32_t v = six__rand_below(&c, 0xffffffffu);
        for (int b = 0; b < 32; b++)
            ones[b] += (v >> b) & 1;
    }
    for (int b = 0; b < 32; b++)
        if (ones[b] < 9500 || ones[b] > 10500)
            six_test_fail(__FILE__, __LINE__, "bit %d set %u times", b, ones[b]);
    six__core_fini(&c);
}
