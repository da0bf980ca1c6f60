/* SipHash-2-4, see hash.h; written from the paper's definition. The
 * state is four 64-bit words set from the key and four constants; each
 * 8-byte little-endian message word goes through two SipRounds; the last
 * word holds the leftover bytes and the length (mod 256) in its top byte;
 * finalisation is four SipRounds. */
#include "core/hash.h"

struct sip {
    uint64_t v0, v1, v2, v3;
};

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static void sipround(struct sip *s) {
    s->v0 += s->v1;
    s->v1 = rotl(s->v1, 13) ^ s->v0;
    s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl(s->v3, 16) ^ s->v2;
    s->v0 += s->v3;
    s->v3 = rotl(s->v3, 21) ^ s->v0;
    s->v2 += s->v1;
    s->v1 = rotl(s->v1, 17) ^ s->v2;
    s->v2 = rotl(s->v2, 32);
}

static void compress(struct sip *s, uint64_t m) {
    s->v3 ^= m;
    sipround(s);
    sipround(s);
    s->v0 ^= m;
}

/* n (< 8) bytes as the low bytes of a little-endian word. */
static uint64_t load_le(const uint8_t *p, size_t n) {
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)p[i] << (8 * i);
    return w;
}

uint64_t six__siphash(const struct six_hash_key *key, const void *data, size_t len) {
    const uint8_t *p = data;
    struct sip s = {
        .v0 = key->k0 ^ 0x736f6d6570736575ull,   /* "somepseu" */
        .v1 = key->k1 ^ 0x646f72616e646f6dull,   /* "dorandom" */
        .v2 = key->k0 ^ 0x6c7967656e657261ull,   /* "lygenera" */
        .v3 = key->k1 ^ 0x7465646279746573ull,   /* "tedbytes" */
    };
    size_t left = len;

    for (; left >= 8; p += 8, left -= 8)
        compress(&s, load_le(p, 8));
    compress(&s, load_le(p, left) | (uint64_t)(len & 0xff) << 56);
    s.v2 ^= 0xff;
    for (int i = 0; i < 4; i++)
        sipround(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
