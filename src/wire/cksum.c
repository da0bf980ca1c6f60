/* The Internet checksum with the IPv6 pseudo-header.
 *
 * Read before editing: RFC 1071 (the algorithm; section 2 lists the
 * properties this file leans on: the sum is commutative and associative,
 * it does not depend on byte order, and carries can be deferred), RFC 1624
 * (why 0x0000 and 0xffff are the same one's-complement value) and RFC 8200
 * section 8.1 (the pseudo-header, and that a UDP checksum of zero must be
 * sent as 0xffff).
 *
 * Why the fast sum is correct. One's-complement addition of 16-bit words is
 * addition modulo 0xffff, where 0x0000 and 0xffff both stand for zero. Since
 * 2^16 = 1 modulo 0xffff, a 32- or 64-bit word loaded in the machine's own
 * byte order is, modulo 0xffff, just the sum of the 16-bit words inside it,
 * so one wide add does the work of two or four word adds; and since 2^64 = 1
 * modulo 0xffff as well, a carry out of a 64-bit accumulator is added back at
 * the bottom (end-around carry) instead of being lost. On a little-endian
 * machine every 16-bit word comes out byte-swapped; a byte swap is
 * multiplication by 256 modulo 0xffff, so swapping the folded native-order
 * sum yields the big-endian sum (RFC 1071 section 2(B)). A trailing odd byte
 * is the first byte of a word whose second byte is zero, which is what a
 * zero-padded load gives in either byte order.
 *
 * Every add below keeps its value nonzero whenever any input byte was
 * nonzero (an end-around carry add of a and b is zero only when both are),
 * so the folded results are bit-for-bit those of the byte-pair reference,
 * not merely equal modulo 0xffff. The tests rely on that.
 */
#include "wire/cksum.h"

#include <string.h>

/* The vector code is for x86-64, where SSE2 is the baseline and AVX2 is
 * common; elsewhere the portable scalar code runs. */
#if defined(__x86_64__)
#include <immintrin.h>
#define CKSUM_X86 1
#else
#define CKSUM_X86 0
#endif

#if !defined(__BYTE_ORDER__) || (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ && \
                                 __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__)
#error "cksum.c needs to know the host byte order"
#endif

/* Below this many bytes the scalar code is as fast or faster: the vector
 * code pays a fixed cost (constants, horizontal sum, vzeroupper) that a few
 * loop trips do not win back. On an AMD Zen 4 the two were level at 128 to
 * 144 bytes (6.9 and 7.1 ns at 128; 8.3 and 7.3 ns at 192). */
#define VECTOR_MIN 128

/* Adds with the carry out of bit 63 wrapped back into bit 0, which keeps the
 * value exact modulo 0xffff (2^64 - 1 is a multiple of 0xffff). Compilers
 * turn this into add + adc. */
static inline uint64_t add_carry(uint64_t a, uint64_t b) {
    uint64_t s = a + b;
    return s + (s < b);
}

/* Folds a 64-bit sum to 16 bits with end-around carries. Four steps are
 * enough: the bounds after each are 2^33 - 2, 0x2fffe, 0x10001, 0xffff. */
static inline uint16_t fold16(uint64_t s) {
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    return (uint16_t)s;
}

/* Unaligned native-order loads; memcpy compiles to a plain load and keeps
 * the access free of alignment and aliasing undefined behaviour. */
static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline uint32_t load32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline uint16_t load16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The native-order value of a 16-bit word whose first byte is b and whose
 * second byte is the zero padding of an odd length. */
static inline uint16_t odd_byte(uint8_t b) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return b;
#else
    return (uint16_t)(b << 8);
#endif
}

/* The native-order sum of p[0..len), exact modulo 0xffff, in any byte order.
 * Four independent accumulators let the adds of a 32-byte step run in
 * parallel; each add + adc pair only waits on its own accumulator. */
static uint64_t sum_scalar(const uint8_t *p, size_t len) {
    uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (; len >= 32; p += 32, len -= 32) {
        a0 = add_carry(a0, load64(p));
        a1 = add_carry(a1, load64(p + 8));
        a2 = add_carry(a2, load64(p + 16));
        a3 = add_carry(a3, load64(p + 24));
    }
    for (; len >= 8; p += 8, len -= 8)
        a0 = add_carry(a0, load64(p));
    /* The last 0..7 bytes: fixed-size loads rather than a variable-length
     * memcpy, which would be a library call. t stays below 2^34. */
    uint64_t t = 0;
    if (len & 4) {
        t += load32(p);
        p += 4;
    }
    if (len & 2) {
        t += load16(p);
        p += 2;
    }
    if (len & 1)
        t += odd_byte(p[0]);
    a0 = add_carry(a0, t);
    return add_carry(add_carry(a0, a1), add_carry(a2, a3));
}

#if CKSUM_X86
/* The vector sums widen 16-bit words with pmaddwd against a vector of ones:
 * it multiplies pairs of signed words and adds adjacent products into a
 * 32-bit lane, one instruction for a widening pairwise add. It reads words as
 * signed, so each word first has its top bit flipped (xor 0x8000), which maps
 * an unsigned u to the signed u - 32768 exactly; the 32768 per word is added
 * back once per block. A lane changes by at most 65536 per step, so a block
 * of at most 32767 steps cannot overflow a signed 32-bit lane, even with the
 * four accumulators added together; we use 16384. The block sum is then
 * exact and nonnegative, and goes into a 64-bit accumulator with an
 * end-around carry.
 *
 * These functions take an even len of at least one vector, so that the last
 * partial vector can be loaded as the whole vector that ends at p + len, with
 * the bytes already counted masked to zero (a zero word contributes -32768
 * after the flip and +32768 from the bias, so nothing). That load starts at
 * an even offset from data, keeping the word phase, and saves a scalar tail.
 * An odd last byte is left to the caller. */
#define BLOCK_STEPS 16384

#define FF8 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
/* Loading a vector of w bytes at tail_mask + 32 - w + k gives a mask that
 * keeps its last k bytes. */
static const uint8_t tail_mask[64] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    FF8, FF8, FF8, FF8,
};

static uint64_t sum_sse2(const uint8_t *p, size_t len) {
    const __m128i flip = _mm_set1_epi16(INT16_MIN);
    const __m128i ones = _mm_set1_epi16(1);
    uint64_t acc = 0;
#define STEP128(a, x) a = _mm_add_epi32(a, _mm_madd_epi16(_mm_xor_si128(x, flip), ones))
#define LOAD128(q) _mm_loadu_si128((const __m128i *)(const void *)(q))
    while (len > 0) {
        size_t n = len < (size_t)BLOCK_STEPS * 16 ? len : (size_t)BLOCK_STEPS * 16;
        const uint8_t *end = p + (n & ~(size_t)63);
        __m128i a0 = _mm_setzero_si128(), a1 = _mm_setzero_si128();
        __m128i a2 = _mm_setzero_si128(), a3 = _mm_setzero_si128();
        for (; p != end; p += 64) {
            STEP128(a0, LOAD128(p));
            STEP128(a1, LOAD128(p + 16));
            STEP128(a2, LOAD128(p + 32));
            STEP128(a3, LOAD128(p + 48));
        }
        size_t r = n & 63;
        if (r >= 16) {
            STEP128(a1, LOAD128(p));
            if (r >= 32) {
                STEP128(a2, LOAD128(p + 16));
                if (r >= 48)
                    STEP128(a3, LOAD128(p + 32));
            }
        }
        if (r & 15) {
            __m128i m = LOAD128(tail_mask + 16 + (r & 15));
            STEP128(a0, _mm_and_si128(LOAD128(p + r - 16), m));
        }
        p += r;
        __m128i a = _mm_add_epi32(_mm_add_epi32(a0, a1), _mm_add_epi32(a2, a3));
        int32_t lanes[4];
        _mm_storeu_si128((__m128i *)(void *)lanes, a);
        int64_t s = (int64_t)lanes[0] + lanes[1] + lanes[2] + lanes[3];
        /* Every step, the masked one included, carried 8 biased words. */
        s += (int64_t)((n + 15) / 16) * 8 * 32768;
        acc = add_carry(acc, (uint64_t)s);
        len -= n;
    }
#undef STEP128
#undef LOAD128
    return acc;
}

__attribute__((target("avx2"))) static uint64_t sum_avx2(const uint8_t *p, size_t len) {
    const __m256i flip = _mm256_set1_epi16(INT16_MIN);
    const __m256i ones = _mm256_set1_epi16(1);
    uint64_t acc = 0;
#define STEP256(a, x) a = _mm256_add_epi32(a, _mm256_madd_epi16(_mm256_xor_si256(x, flip), ones))
#define LOAD256(q) _mm256_loadu_si256((const __m256i *)(const void *)(q))
    while (len > 0) {
        size_t n = len < (size_t)BLOCK_STEPS * 32 ? len : (size_t)BLOCK_STEPS * 32;
        const uint8_t *end = p + (n & ~(size_t)127);
        __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
        __m256i a2 = _mm256_setzero_si256(), a3 = _mm256_setzero_si256();
        for (; p != end; p += 128) {
            STEP256(a0, LOAD256(p));
            STEP256(a1, LOAD256(p + 32));
            STEP256(a2, LOAD256(p + 64));
            STEP256(a3, LOAD256(p + 96));
        }
        size_t r = n & 127;
        if (r >= 32) {
            STEP256(a1, LOAD256(p));
            if (r >= 64) {
                STEP256(a2, LOAD256(p + 32));
                if (r >= 96)
                    STEP256(a3, LOAD256(p + 64));
            }
        }
        if (r & 31) {
            __m256i m = LOAD256(tail_mask + (r & 31));
            STEP256(a0, _mm256_and_si256(LOAD256(p + r - 32), m));
        }
        p += r;
        __m256i a = _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3));
        /* Sign-extend the eight lanes to 64 bits before adding them up. */
        __m256i w = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(a)),
                                     _mm256_cvtepi32_epi64(_mm256_extracti128_si256(a, 1)));
        __m128i h = _mm_add_epi64(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
        int64_t s = _mm_cvtsi128_si64(h) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(h, h));
        /* Every step, the masked one included, carried 16 biased words. */
        s += (int64_t)((n + 31) / 32) * 16 * 32768;
        acc = add_carry(acc, (uint64_t)s);
        len -= n;
    }
#undef STEP256
#undef LOAD256
    /* Clear the upper halves of the ymm registers before returning to code
     * that may use legacy SSE encodings; with dirty upper halves those run
     * far slower (we measured the SSE2 loop, and glibc's memcpy, at under
     * half speed). GCC 12 does not insert this itself here. */
    _mm256_zeroupper();
    return acc;
}
#endif

/* The best implementation this CPU runs, found once. Concurrent first calls
 * may both probe; they store the same value, and the relaxed atomics keep
 * that benign race defined. */
static int best_impl = -1;

static int probe_impl(void) {
#if CKSUM_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        return SIX__CKSUM_AVX2;
    return SIX__CKSUM_SSE2;
#else
    return SIX__CKSUM_SCALAR;
#endif
}

static int chosen_impl(void) {
    int impl = __atomic_load_n(&best_impl, __ATOMIC_RELAXED);
    if (impl < 0) {
        impl = probe_impl();
        __atomic_store_n(&best_impl, impl, __ATOMIC_RELAXED);
    }
    return impl;
}

static uint64_t sum_native(int impl, const uint8_t *p, size_t len) {
#if CKSUM_X86
    /* The vector code takes the even part, of at least one vector. */
    size_t even = len & ~(size_t)1;
    uint64_t last = len & 1 ? odd_byte(p[even]) : 0;
    if (impl == SIX__CKSUM_AVX2 && even >= 32)
        return add_carry(sum_avx2(p, even), last);
    if (impl == SIX__CKSUM_SSE2 && even >= 16)
        return add_carry(sum_sse2(p, even), last);
#else
    (void)impl;
#endif
    return sum_scalar(p, len);
}

/* Adds a native-order sum to a big-endian running sum: fold, then swap on a
 * little-endian host (RFC 1071 section 2(B)). */
static inline uint64_t add_native(uint64_t sum, uint64_t native) {
    uint16_t f = fold16(native);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    f = (uint16_t)(f << 8 | f >> 8);
#endif
    return add_carry(sum, f);
}

uint64_t six_cksum_add(uint64_t sum, const void *data, size_t len) {
    const uint8_t *p = data;
    if (len < VECTOR_MIN)
        return add_native(sum, sum_scalar(p, len));
    return add_native(sum, sum_native(chosen_impl(), p, len));
}

int six__cksum_impl_available(int impl) {
    switch (impl) {
    case SIX__CKSUM_SCALAR:
        return 1;
#if CKSUM_X86
    case SIX__CKSUM_SSE2:
        return chosen_impl() >= SIX__CKSUM_SSE2;
    case SIX__CKSUM_AVX2:
        return chosen_impl() >= SIX__CKSUM_AVX2;
#endif
    default:
        return 0;
    }
}

uint64_t six__cksum_add_impl(int impl, uint64_t sum, const void *data, size_t len) {
    if (!six__cksum_impl_available(impl))
        impl = SIX__CKSUM_SCALAR;
    return add_native(sum, sum_native(impl, data, len));
}

uint64_t six_cksum_add_ref(uint64_t sum, const void *data, size_t len) {
    const uint8_t *p = data;
    size_t i;
    for (i = 0; i + 1 < len; i += 2)
        sum = add_carry(sum, (uint64_t)p[i] << 8 | p[i + 1]);
    if (i < len)
        sum = add_carry(sum, (uint64_t)p[i] << 8);
    return sum;
}

uint64_t six_cksum_pseudo(const struct in6_addr *src, const struct in6_addr *dst,
                          uint32_t len, uint8_t nxt) {
    /* Both addresses are 16 bytes, so chaining the two calls is allowed. The
     * length is two big-endian words; the next header word is 0x00nn after
     * a zero word. */
    uint64_t sum = six_cksum_add(0, src->s6_addr, 16);
    sum = six_cksum_add(sum, dst->s6_addr, 16);
    return sum + (len >> 16) + (len & 0xffffu) + nxt;
}

uint16_t six_cksum_finish(uint64_t sum) {
    return (uint16_t)~fold16(sum);
}

uint16_t six_cksum_ip6(const struct in6_addr *src, const struct in6_addr *dst,
                       uint8_t nxt, const void *data, size_t len) {
    uint64_t sum = six_cksum_pseudo(src, dst, (uint32_t)len, nxt);
    uint16_t c = six_cksum_finish(six_cksum_add(sum, data, len));
    /* RFC 8200 section 8.1: a computed UDP checksum of zero is sent as
     * 0xffff, since zero means "no checksum", which IPv6 forbids. UDP only:
     * TCP and ICMPv6 have no such rule, and Wireshark flags their 0xffff as
     * a bad checksum (RFC 1624 says the complement of a sum is never
     * -0); Linux maps zero for UDP alone too. */
    return c || nxt != IPPROTO_UDP ? c : 0xffff;
}

int six_cksum_ip6_ok(const struct in6_addr *src, const struct in6_addr *dst,
                     uint8_t nxt, const void *data, size_t len) {
#if SIZE_MAX > UINT32_MAX
    /* The pseudo-header length field has 32 bits (RFC 8200 section 8.1). */
    if (len > UINT32_MAX)
        return 0;
#endif
    uint64_t sum = six_cksum_pseudo(src, dst, (uint32_t)len, nxt);
    return fold16(six_cksum_add(sum, data, len)) == 0xffff;
}
