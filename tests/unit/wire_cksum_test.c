/* Tests for wire/cksum.c: the Internet checksum (RFC 1071) and the IPv6
 * pseudo-header (RFC 8200 section 8.1).
 *
 * The fast sum is checked against the byte-pair reference six_cksum_add_ref
 * on seeded pseudo-random data; the reference itself is checked against the
 * RFC 1071 example and against two packets whose checksums Wireshark
 * (tshark 4) reported as correct. Comparisons are of folded sums: the fast
 * code and the reference add up words in different groupings, so their
 * unfolded 64-bit sums differ, but the folded values are equal bit for bit
 * (see the comment at the top of cksum.c). */
#include "test.h"
#include "wire/bytes.h"
#include "wire/cksum.h"

#include <stdlib.h>

/* A fixed-seed xorshift64 generator, so every run checks the same bytes and
 * a failure can be reproduced. */
static uint64_t rng_state;

static void rng_seed(uint64_t seed) {
    rng_state = seed ? seed : 1;
}

static uint64_t rng_next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void rng_fill(uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(rng_next() >> 56);
}

/* The folded (uncomplemented) sum, the form RFC 1071 writes its examples in. */
static uint16_t folded(uint64_t sum) {
    return (uint16_t)~six_cksum_finish(sum);
}

static struct in6_addr addr(const char *hex32) {
    struct in6_addr a;
    for (int i = 0; i < 16; i++) {
        unsigned v;
        sscanf(hex32 + 2 * i, "%2x", &v);
        a.s6_addr[i] = (uint8_t)v;
    }
    return a;
}

/* RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0x2ddf0, which
 * folds to 0xddf2. */
static const uint8_t rfc1071_bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

/* An ICMPv6 Echo Request from fe80::1 to fe80::2, identifier 0x1a2b,
 * sequence 1, with Linux ping's 56 data bytes (a timestamp, then
 * 0x10..0x37). tshark: "Checksum: 0xa0e4 [correct]". */
static const uint8_t echo_request[] = {
    0x80, 0x00, 0xa0, 0xe4, 0x1a, 0x2b, 0x00, 0x01, /* type, code, cksum, id, seq */
    0x65, 0xf1, 0xa2, 0xb3, 0x00, 0x00, 0x00, 0x00, /* timestamp */
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
    0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
    0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};
#define ECHO_SRC "fe800000000000000000000000000001"
#define ECHO_DST "fe800000000000000000000000000002"
#define ECHO_CKSUM 0xa0e4

/* A UDP datagram carrying a DNS query (AAAA example.com) from
 * [2001:db8::1234]:40000 to [2001:db8::53]:53; 37 bytes, an odd length.
 * tshark: "Checksum: 0x4bd8 [correct]". */
static const uint8_t dns_query[] = {
    0x9c, 0x40, 0x00, 0x35, 0x00, 0x25, 0x4b, 0xd8, /* ports, length, cksum */
    0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DNS */
    0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00,
    0x00, 0x1c, 0x00, 0x01,
};
#define DNS_SRC "20010db8000000000000000000001234"
#define DNS_DST "20010db8000000000000000000000053"
#define DNS_CKSUM 0x4bd8

TEST(cksum_rfc1071_example) {
    CHECK_EQ(folded(six_cksum_add(0, rfc1071_bytes, sizeof rfc1071_bytes)), 0xddf2);
    CHECK_EQ(folded(six_cksum_add_ref(0, rfc1071_bytes, sizeof rfc1071_bytes)), 0xddf2);
    /* The unfolded reference sum is the plain sum of the four words. */
    CHECK_EQ(six_cksum_add_ref(0, rfc1071_bytes, sizeof rfc1071_bytes), 0x2ddf0);
    CHECK_EQ(six_cksum_finish(0x2ddf0), 0x220d);
}

TEST(cksum_small_vectors) {
    static const uint8_t one[] = {0xab};
    static const uint8_t three[] = {0x12, 0x34, 0x56};
    CHECK_EQ(six_cksum_add(0, NULL, 0), 0);
    CHECK_EQ(six_cksum_add(0x1234, NULL, 0), 0x1234);
    /* An odd trailing byte is the high byte of a word padded with zero. */
    CHECK_EQ(folded(six_cksum_add(0, one, 1)), 0xab00);
    CHECK_EQ(folded(six_cksum_add(0, three, 3)), 0x1234 + 0x5600);
    /* A carry out of bit 15 comes back in at bit 0. */
    static const uint8_t carry[] = {0xff, 0xff, 0x00, 0x02};
    CHECK_EQ(folded(six_cksum_add(0, carry, 4)), 0x0002);
}

TEST(cksum_echo_request_verifies) {
    struct in6_addr src = addr(ECHO_SRC), dst = addr(ECHO_DST);
    CHECK(six_cksum_ip6_ok(&src, &dst, IPPROTO_ICMPV6, echo_request, sizeof echo_request));
    CHECK_EQ(six_get16(echo_request + 2), ECHO_CKSUM);
}

TEST(cksum_echo_request_recomputed) {
    struct in6_addr src = addr(ECHO_SRC), dst = addr(ECHO_DST);
    uint8_t pkt[sizeof echo_request];
    memcpy(pkt, echo_request, sizeof pkt);
    six_put16(pkt + 2, 0);
    CHECK_EQ(six_cksum_ip6(&src, &dst, IPPROTO_ICMPV6, pkt, sizeof pkt), ECHO_CKSUM);
}

TEST(cksum_udp_datagram_verifies) {
    struct in6_addr src = addr(DNS_SRC), dst = addr(DNS_DST);
    CHECK(six_cksum_ip6_ok(&src, &dst, IPPROTO_UDP, dns_query, sizeof dns_query));
    /* The pseudo-header takes part: the same bytes as ICMPv6, or to another
     * address, do not verify. (Swapping source and destination would: the
     * sum does not see the order of its words.) */
    CHECK(!six_cksum_ip6_ok(&src, &dst, IPPROTO_ICMPV6, dns_query, sizeof dns_query));
    struct in6_addr other = addr("20010db8000000000000000000000054");
    CHECK(!six_cksum_ip6_ok(&src, &other, IPPROTO_UDP, dns_query, sizeof dns_query));
}

TEST(cksum_udp_datagram_recomputed) {
    struct in6_addr src = addr(DNS_SRC), dst = addr(DNS_DST);
    uint8_t pkt[sizeof dns_query];
    memcpy(pkt, dns_query, sizeof pkt);
    six_put16(pkt + 6, 0);
    CHECK_EQ(six_cksum_ip6(&src, &dst, IPPROTO_UDP, pkt, sizeof pkt), DNS_CKSUM);
}

/* RFC 8200 section 8.1: a computed UDP checksum of zero goes out as 0xffff.
 * Setting a payload word to the checksum the packet would otherwise get
 * makes the sum 0xffff, whose complement is zero. */
TEST(cksum_ip6_never_returns_zero) {
    struct in6_addr src = addr(DNS_SRC), dst = addr(DNS_DST);
    uint8_t pkt[sizeof dns_query];
    memcpy(pkt, dns_query, sizeof pkt);
    six_put16(pkt + 6, 0);
    six_put16(pkt + 8, 0); /* the DNS id, an even offset */
    uint16_t c = six_cksum_ip6(&src, &dst, IPPROTO_UDP, pkt, sizeof pkt);
    six_put16(pkt + 8, c);
    CHECK_EQ(six_cksum_ip6(&src, &dst, IPPROTO_UDP, pkt, sizeof pkt), 0xffff);
    six_put16(pkt + 6, 0xffff);
    CHECK(six_cksum_ip6_ok(&src, &dst, IPPROTO_UDP, pkt, sizeof pkt));
}

/* The same bytes as TCP or ICMPv6: zero goes out as zero (RFC 1624; the
 * UDP rule is UDP's, and tshark flags a TCP 0xffff as bad). */
TEST(cksum_ip6_zero_stays_zero_beside_udp) {
    struct in6_addr src = addr(DNS_SRC), dst = addr(DNS_DST);
    static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_ICMPV6};
    uint8_t pkt[sizeof dns_query];

    for (size_t i = 0; i < sizeof protos; i++) {
        memcpy(pkt, dns_query, sizeof pkt);
        six_put16(pkt + 6, 0);
        six_put16(pkt + 8, 0);
        uint16_t c = six_cksum_ip6(&src, &dst, protos[i], pkt, sizeof pkt);
        six_put16(pkt + 8, c);
        CHECK_EQ(six_cksum_ip6(&src, &dst, protos[i], pkt, sizeof pkt), 0);
        CHECK(six_cksum_ip6_ok(&src, &dst, protos[i], pkt, sizeof pkt));
    }
}

/* The pseudo-header sum equals the sum of the 40 bytes RFC 8200 section 8.1
 * draws, including a length above 65535 (a jumbogram's). */
TEST(cksum_pseudo_matches_header_bytes) {
    struct in6_addr src = addr(DNS_SRC), dst = addr(DNS_DST);
    uint8_t ph[40];
    memcpy(ph, src.s6_addr, 16);
    memcpy(ph + 16, dst.s6_addr, 16);
    six_put32(ph + 32, 0x00012345);
    six_put32(ph + 36, IPPROTO_UDP);
    CHECK_EQ(folded(six_cksum_pseudo(&src, &dst, 0x00012345, IPPROTO_UDP)),
             folded(six_cksum_add_ref(0, ph, sizeof ph)));
}

/* Every single-bit error changes the sum by a power of two, never a multiple
 * of 0xffff, so each must fail verification. */
TEST(cksum_one_bit_corruption_fails) {
    struct in6_addr src = addr(ECHO_SRC), dst = addr(ECHO_DST);
    uint8_t pkt[sizeof echo_request];
    for (size_t bit = 0; bit < 8 * sizeof pkt; bit++) {
        memcpy(pkt, echo_request, sizeof pkt);
        pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK(!six_cksum_ip6_ok(&src, &dst, IPPROTO_ICMPV6, pkt, sizeof pkt));
    }
    struct in6_addr usrc = addr(DNS_SRC), udst = addr(DNS_DST);
    uint8_t upkt[sizeof dns_query];
    for (size_t bit = 0; bit < 8 * sizeof upkt; bit++) {
        memcpy(upkt, dns_query, sizeof upkt);
        upkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK(!six_cksum_ip6_ok(&usrc, &udst, IPPROTO_UDP, upkt, sizeof upkt));
    }
    /* A bit flipped in the pseudo-header (the source address) fails too. */
    src.s6_addr[15] ^= 0x04;
    CHECK(!six_cksum_ip6_ok(&src, &dst, IPPROTO_ICMPV6, echo_request, sizeof echo_request));
}

/* Every length 0..2048 at every alignment 0..63, against the reference. */
TEST(cksum_random_matches_reference) {
    enum { MAXLEN = 2048, MAXOFF = 64 };
    uint8_t *buf = malloc(MAXLEN + MAXOFF);
    CHECK(buf != NULL);
    rng_seed(0x5158c4ec1f0a2b3dull);
    rng_fill(buf, MAXLEN + MAXOFF);
    for (size_t off = 0; off < MAXOFF; off++) {
        for (size_t len = 0; len <= MAXLEN; len++) {
            uint64_t start = rng_next() >> 40;
            uint16_t want = folded(six_cksum_add_ref(start, buf + off, len));
            uint16_t got = folded(six_cksum_add(start, buf + off, len));
            if (got != want) {
                free(buf);
                CHECK_EQ(got, want);
            }
        }
    }
    free(buf);
}

/* Every implementation the CPU runs agrees with the reference and so with
 * the others, across the vector/scalar boundaries and odd tails. */
TEST(cksum_vector_and_scalar_agree) {
    enum { MAXLEN = 1100, MAXOFF = 40 };
    static const int impls[] = {SIX__CKSUM_SCALAR, SIX__CKSUM_SSE2, SIX__CKSUM_AVX2};
    uint8_t *buf = malloc(MAXLEN + MAXOFF);
    CHECK(buf != NULL);
    rng_seed(42);
    rng_fill(buf, MAXLEN + MAXOFF);
    int ran = 0;
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++) {
        if (!six__cksum_impl_available(impls[i])) {
            printf("  (implementation %d not available on this CPU)\n", impls[i]);
            continue;
        }
        ran++;
        for (size_t off = 0; off < MAXOFF; off++) {
            for (size_t len = 0; len <= MAXLEN; len++) {
                uint16_t want = folded(six_cksum_add_ref(7, buf + off, len));
                uint16_t got = folded(six__cksum_add_impl(impls[i], 7, buf + off, len));
                if (got != want) {
                    fprintf(stderr, "  impl %d off %zu len %zu\n", impls[i], off, len);
                    free(buf);
                    CHECK_EQ(got, want);
                }
            }
        }
    }
    free(buf);
    CHECK(ran >= 1);
}

/* Buffers longer than a vector block (16384 vector steps: 512 KiB for
 * AVX2, 256 KiB for SSE2), filled with the words that move a 32-bit lane
 * furthest (0x0000 and 0xffff both do, after the bias), then random data, in
 * every implementation. Two lengths leave a last block of a few bytes, whose
 * masked load reaches back into the block before it. */
TEST(cksum_long_buffers_do_not_overflow_lanes) {
    static const int impls[] = {SIX__CKSUM_SCALAR, SIX__CKSUM_SSE2, SIX__CKSUM_AVX2};
    static const size_t lens[] = {3 * 512 * 1024 + 77, 512 * 1024 + 10, 256 * 1024 + 7};
    const size_t max = lens[0];
    uint8_t *buf = malloc(max + 1);
    CHECK(buf != NULL);
    for (int fill = 0; fill < 3; fill++) {
        if (fill == 2) {
            rng_seed(9);
            rng_fill(buf, max + 1);
        } else {
            memset(buf, fill ? 0xff : 0x00, max + 1);
        }
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++) {
                for (size_t off = 0; off < 2; off++) {
                    uint16_t want = folded(six_cksum_add_ref(0, buf + off, lens[l]));
                    uint16_t got = folded(six__cksum_add_impl(impls[i], 0, buf + off, lens[l]));
                    if (got != want) {
                        fprintf(stderr, "  fill %d len %zu impl %d off %zu\n", fill, lens[l],
                                impls[i], off);
                        free(buf);
                        CHECK_EQ(got, want);
                    }
                }
            }
        }
    }
    free(buf);
}

/* All-ones data: any number of 0xffff words is one's-complement zero, so
 * the sum folds to 0xffff and the checksum is 0; an odd tail adds 0xff00. */
TEST(cksum_all_ones) {
    uint8_t buf[4096];
    memset(buf, 0xff, sizeof buf);
    for (size_t len = 2; len <= sizeof buf; len += len < 300 ? 2 : 998) {
        CHECK_EQ(folded(six_cksum_add(0, buf, len)), 0xffff);
        CHECK_EQ(six_cksum_finish(six_cksum_add(0, buf, len)), 0);
        CHECK_EQ(folded(six_cksum_add(0, buf, len + 1 <= sizeof buf ? len + 1 : len - 1)),
                 0xff00);
    }
    /* And all-zero data leaves the sum untouched. */
    memset(buf, 0, sizeof buf);
    CHECK_EQ(six_cksum_add(0, buf, sizeof buf), 0);
    CHECK_EQ(six_cksum_add(0, buf, 1001), 0);
}

/* Chaining: any split into even-length chunks (the last may be odd) gives
 * the one-call sum, at any alignment. */
TEST(cksum_chaining_even_chunks) {
    enum { LEN = 3001 };
    uint8_t buf[LEN + 8];
    rng_seed(2024);
    rng_fill(buf, sizeof buf);
    for (int trial = 0; trial < 500; trial++) {
        size_t off = rng_next() % 8;
        size_t len = rng_next() % (LEN + 1);
        uint16_t whole = folded(six_cksum_add(0, buf + off, len));
        uint64_t sum = 0;
        size_t done = 0;
        while (done < len) {
            size_t chunk = (rng_next() % 700) & ~(size_t)1;
            if (chunk > len - done || rng_next() % 16 == 0)
                chunk = len - done;
            sum = six_cksum_add(sum, buf + off + done, chunk);
            done += chunk;
        }
        CHECK_EQ(folded(sum), whole);
    }
}

/* The running sum can be large: a carry out of bit 63 is not lost. */
TEST(cksum_large_running_sum) {
    uint8_t buf[512];
    rng_seed(77);
    rng_fill(buf, sizeof buf);
    for (uint64_t start = UINT64_MAX - 4; start != 4; start++) {
        CHECK_EQ(folded(six_cksum_add(start, buf, sizeof buf)),
                 folded(six_cksum_add_ref(start, buf, sizeof buf)));
        CHECK_EQ(folded(six_cksum_add(start, buf, 33)), folded(six_cksum_add_ref(start, buf, 33)));
    }
}
