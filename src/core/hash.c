/* SipHash-2-4: see hash.h. Written from the paper's description: the
 * state is four 64-bit words, message words are read little-endian, the
 * last word carries the length in its top byte. The state lives in locals
 * and the round is a macro, so that it stays in registers. */
#include "core/hash.h"

#define ROTL(x, k) (((x) << (k)) | ((x) >> (64 - (k))))

#define SIPROUND                                                            \
    do {                                                                    \
        v0 += v1;                                                           \
        v1 = ROTL(v1, 13) ^ v0;                                             \
        v0 = ROTL(v0, 32);                                                  \
        v2 += v3;                                                           \
        v3 = ROTL(v3, 16) ^ v2;                                             \
        v0 += v3;                                                           \
        v3 = ROTL(v3, 21) ^ v0;                                             \
        v2 += v1;                                                           \
        v1 = ROTL(v1, 17) ^ v2;                                             \
        v2 = ROTL(v2, 32);                                                  \
    } while (0)

/* Two compression rounds over one message word. */
#define ABSORB(m)                                                           \
    do {                                                                    \
        uint64_t m_ = (m);                                                  \
        v3 ^= m_;                                                           \
        SIPROUND;                                                           \
        SIPROUND;                                                           \
        v0 ^= m_;                                                           \
    } while (0)

/* Eight bytes, little-endian (compilers make this one load). */
static inline uint64_t load8(const uint8_t *p) {
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
           (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

uint64_t six__siphash(const struct six_hash_key *key, const void *data, size_t len) {
    const uint8_t *p = data;
    uint64_t v0 = key->k0 ^ 0x736f6d6570736575ull;
    uint64_t v1 = key->k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = key->k0 ^ 0x6c7967656e657261ull;
    uint64_t v3 = key->k1 ^ 0x7465646279746573ull;
    size_t whole = len & ~(size_t)7;
    uint64_t last = (uint64_t)(len & 0xff) << 56;

    for (size_t i = 0; i < whole; i += 8)
        ABSORB(load8(p + i));
    for (size_t i = 0; i < (len & 7); i++)
        last |= (uint64_t)p[whole + i] << (8 * i);
    ABSORB(last);
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}
