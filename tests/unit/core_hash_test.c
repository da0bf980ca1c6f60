/* Unit tests for src/core/hash.c (SipHash-2-4 against the test vectors of
 * the SipHash paper: key 00 01 .. 0f, messages 00 01 .. of each length)
 * and six__rand_key in src/core/core.c (repeatable when seeded, from the
 * system otherwise, and never a draw from the shared generator then). */
#include "core/core.h"
#include "core/hash.h"
#include "test.h"

static struct six_hash_key paper_key(void) {
    /* Bytes 00..0f read as two little-endian words. */
    return (struct six_hash_key){.k0 = 0x0706050403020100ull, .k1 = 0x0f0e0d0c0b0a0908ull};
}

static void counting(uint8_t *m, size_t n) {
    for (size_t i = 0; i < n; i++)
        m[i] = (uint8_t)i;
}

TEST(siphash_empty_message_vector) {
    struct six_hash_key k = paper_key();
    CHECK_EQ(six__siphash(&k, "", 0), 0x726fdb47dd0e0e31ull);
}

TEST(siphash_fifteen_byte_vector_from_the_paper) {
    struct six_hash_key k = paper_key();
    uint8_t m[15];
    counting(m, sizeof(m));
    CHECK_EQ(six__siphash(&k, m, sizeof(m)), 0xa129ca6149be45e5ull);
}

TEST(siphash_eight_byte_vector_crosses_a_word) {
    /* Length 8: one whole word, then a final word holding only the
     * length (vector 8 of the reference set). */
    struct six_hash_key k = paper_key();
    uint8_t m[8];
    counting(m, sizeof(m));
    CHECK_EQ(six__siphash(&k, m, sizeof(m)), 0x93f5f5799a932462ull);
}

TEST(siphash_depends_on_key_and_every_byte) {
    struct six_hash_key k = paper_key(), k2 = paper_key();
    uint8_t m[32];
    uint64_t h;

    counting(m, sizeof(m));
    h = six__siphash(&k, m, sizeof(m));
    k2.k1 ^= 1;
    CHECK(six__siphash(&k2, m, sizeof(m)) != h);
    for (size_t i = 0; i < sizeof(m); i++) {
        m[i] ^= 0x80;
        CHECK(six__siphash(&k, m, sizeof(m)) != h);
        m[i] ^= 0x80;
    }
    CHECK(six__siphash(&k, m, sizeof(m) - 1) != h);
}

static void core_up(struct six_core *c, uint64_t seed) {
    struct six_stack_config cfg;
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = seed;
    CHECK_EQ(six__core_init(c, &cfg), 0);
}

TEST(rand_key_repeats_with_a_fixed_seed) {
    struct six_core a, b;
    uint8_t ka[20], kb[20];

    core_up(&a, 9);
    core_up(&b, 9);
    six__rand_key(&a, ka, sizeof(ka));
    six__rand_key(&b, kb, sizeof(kb));
    CHECK_MEM(ka, kb, sizeof(ka));
    six__core_fini(&a);
    six__core_fini(&b);
}

TEST(rand_key_unseeded_comes_from_the_system_not_the_generator) {
    struct six_core a, b;
    uint64_t ka[2], kb[2];
    uint64_t before[4];

    core_up(&a, 0);
    core_up(&b, 0);
    memcpy(before, a.rng, sizeof(before));
    six__rand_key(&a, ka, sizeof(ka));
    six__rand_key(&b, kb, sizeof(kb));
    /* Two 128-bit draws from getrandom() agree with probability 2^-128. */
    CHECK(ka[0] != kb[0] || ka[1] != kb[1]);
    /* The shared generator did not move: its outputs (ports, hash keys)
     * tell nothing about the key. */
    CHECK_MEM(a.rng, before, sizeof(before));
    six__core_fini(&a);
    six__core_fini(&b);
}
