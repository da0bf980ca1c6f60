/* Unit tests for src/wire/udp.c: the UDP header (RFC 768) and its length
 * field checked against the bytes we hold. */
#include <errno.h>
#include <stdlib.h>

#include "test.h"
#include "wire/udp.h"

/* Port 0x1234 -> 53, length 12 (header + 4 data bytes), checksum 0xbeef. */
static const uint8_t dgram[12] = {
    0x12, 0x34, 0x00, 0x35, 0x00, 0x0c, 0xbe, 0xef, 1, 2, 3, 4,
};

static uint8_t *exact_copy(const uint8_t *src, size_t n) {
    uint8_t *p = malloc(n);
    CHECK(p != NULL || n == 0);
    if (n)
        memcpy(p, src, n);
    return p;
}

TEST(udp_parse_reads_golden_header) {
    struct six_udp_repr r;
    CHECK_EQ(six_udp_parse(dgram, sizeof(dgram), &r), 0);
    CHECK_EQ(r.sport, 0x1234);
    CHECK_EQ(r.dport, 53);
    CHECK_EQ(r.len, 12);
    CHECK_EQ(r.cksum, 0xbeef);
}

TEST(udp_parse_rejects_avail_below_header) {
    for (size_t n = 0; n < SIX_UDP_HDR_LEN; n++) {
        uint8_t *b = exact_copy(dgram, n);
        struct six_udp_repr r;
        int rc = six_udp_parse(b, n, &r);
        free(b);
        if (rc != -EMSGSIZE)
            six_test_fail(__FILE__, __LINE__, "avail %zu: got %d", n, rc);
    }
}

/* A short buffer is a short buffer whatever its length field says: the
 * header must be whole before any of it is trusted. */
TEST(udp_parse_rejects_avail_below_header_before_reading_length) {
    static const uint8_t full[8] = {0, 7, 0, 9, 0, 7, 0, 0};
    for (size_t n = 6; n < SIX_UDP_HDR_LEN; n++) {
        uint8_t *b = exact_copy(full, n);
        struct six_udp_repr r;
        int rc = six_udp_parse(b, n, &r);
        free(b);
        if (rc != -EMSGSIZE)
            six_test_fail(__FILE__, __LINE__, "avail %zu: got %d", n, rc);
    }
}

TEST(udp_parse_rejects_truncated_datagram) {
    for (size_t n = SIX_UDP_HDR_LEN; n < sizeof(dgram); n++) {
        uint8_t *b = exact_copy(dgram, n);
        struct six_udp_repr r;
        int rc = six_udp_parse(b, n, &r);
        free(b);
        if (rc != -EMSGSIZE)
            six_test_fail(__FILE__, __LINE__, "avail %zu: got %d", n, rc);
    }
}

TEST(udp_parse_rejects_length_below_8) {
    uint8_t b[sizeof(dgram)];
    memcpy(b, dgram, sizeof(b));
    for (int len = 0; len < 8; len++) {
        b[4] = 0;
        b[5] = (uint8_t)len;
        struct six_udp_repr r;
        int rc = six_udp_parse(b, sizeof(b), &r);
        if (rc != -EINVAL)
            six_test_fail(__FILE__, __LINE__, "length %d: got %d", len, rc);
    }
}

TEST(udp_parse_rejects_length_past_buffer) {
    uint8_t b[sizeof(dgram)];
    memcpy(b, dgram, sizeof(b));
    struct six_udp_repr r;
    b[5] = 13;
    CHECK_EQ(six_udp_parse(b, sizeof(b), &r), -EMSGSIZE);
    b[4] = 0xff;
    b[5] = 0xff;
    CHECK_EQ(six_udp_parse(b, sizeof(b), &r), -EMSGSIZE);
}

TEST(udp_parse_allows_length_below_buffer) {
    uint8_t b[sizeof(dgram) + 6];
    memset(b, 0xee, sizeof(b));
    memcpy(b, dgram, sizeof(dgram));
    struct six_udp_repr r;
    CHECK_EQ(six_udp_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(r.len, 12);
}

TEST(udp_parse_accepts_empty_datagram) {
    static const uint8_t b[8] = {0, 7, 0, 9, 0, 8, 0x12, 0x34};
    struct six_udp_repr r;
    CHECK_EQ(six_udp_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(r.len, 8);
}

TEST(udp_parse_reports_zero_checksum_as_is) {
    uint8_t b[sizeof(dgram)];
    memcpy(b, dgram, sizeof(b));
    b[6] = 0;
    b[7] = 0;
    struct six_udp_repr r;
    CHECK_EQ(six_udp_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(r.cksum, 0);
}

TEST(udp_emit_writes_golden_header) {
    struct six_udp_repr r = {.sport = 0x1234, .dport = 53, .len = 12, .cksum = 0xbeef};
    uint8_t b[SIX_UDP_HDR_LEN];
    memset(b, 0x55, sizeof(b));
    six_udp_emit(&r, b);
    CHECK_MEM(b, dgram, SIX_UDP_HDR_LEN);
}

TEST(udp_emit_then_parse_round_trips) {
    struct six_udp_repr in = {.sport = 65535, .dport = 1, .len = 8, .cksum = 0xffff};
    struct six_udp_repr out;
    uint8_t b[SIX_UDP_HDR_LEN];
    six_udp_emit(&in, b);
    CHECK_EQ(six_udp_parse(b, sizeof(b), &out), 0);
    CHECK_EQ(out.sport, in.sport);
    CHECK_EQ(out.dport, in.dport);
    CHECK_EQ(out.len, in.len);
    CHECK_EQ(out.cksum, in.cksum);
}
