/* Unit tests for src/wire/icmp6.c: the ICMPv6 header (RFC 4443 section 2.1)
 * and the type-specific word of errors and echo messages. */
#include <errno.h>
#include <stdlib.h>

#include "test.h"
#include "wire/icmp6.h"

/* An Echo Request from ::1 to ::1, identifier 0x1234, sequence 1, data
 * "abcd", with its real checksum (0xa8bb over the pseudo-header). */
static const uint8_t echo[12] = {
    0x80, 0x00, 0xa8, 0xbb, 0x12, 0x34, 0x00, 0x01, 'a', 'b', 'c', 'd',
};

static uint8_t *exact_copy(const uint8_t *src, size_t n) {
    uint8_t *p = malloc(n);
    CHECK(p != NULL || n == 0);
    if (n)
        memcpy(p, src, n);
    return p;
}

TEST(icmp6_parse_reads_golden_echo_request) {
    struct six_icmp6_repr r;
    CHECK_EQ(six_icmp6_parse(echo, sizeof(echo), &r), 0);
    CHECK_EQ(r.type, SIX_ICMP6_ECHO_REQUEST);
    CHECK_EQ(r.code, 0);
    CHECK_EQ(r.cksum, 0xa8bb);
    CHECK_EQ(r.word >> 16, 0x1234);
    CHECK_EQ(r.word & 0xffff, 1);
    CHECK(r.body == echo + 8);
    CHECK_EQ(r.body_len, 4);
    CHECK_MEM(r.body, "abcd", 4);
}

TEST(icmp6_parse_reads_packet_too_big_mtu) {
    static const uint8_t ptb[8] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00};
    struct six_icmp6_repr r;
    CHECK_EQ(six_icmp6_parse(ptb, sizeof(ptb), &r), 0);
    CHECK_EQ(r.type, SIX_ICMP6_PACKET_TOO_BIG);
    CHECK_EQ(r.word, 1280);
}

TEST(icmp6_parse_reads_parameter_problem_pointer) {
    static const uint8_t pp[8] = {0x04, 0x02, 0x12, 0x34, 0x00, 0x00, 0x00, 0x2a};
    struct six_icmp6_repr r;
    CHECK_EQ(six_icmp6_parse(pp, sizeof(pp), &r), 0);
    CHECK_EQ(r.type, SIX_ICMP6_PARAM_PROB);
    CHECK_EQ(r.code, SIX_ICMP6_PP_OPTION);
    CHECK_EQ(r.word, 42);
}

TEST(icmp6_parse_accepts_header_without_body) {
    struct six_icmp6_repr r;
    CHECK_EQ(six_icmp6_parse(echo, SIX_ICMP6_HDR_LEN, &r), 0);
    CHECK_EQ(r.body_len, 0);
}

TEST(icmp6_parse_rejects_truncation_below_header) {
    for (size_t n = 0; n < SIX_ICMP6_HDR_LEN; n++) {
        uint8_t *b = exact_copy(echo, n);
        struct six_icmp6_repr r;
        int rc = six_icmp6_parse(b, n, &r);
        free(b);
        if (rc != -EMSGSIZE)
            six_test_fail(__FILE__, __LINE__, "len %zu: got %d", n, rc);
    }
}

TEST(icmp6_emit_header_writes_golden_bytes_with_zero_checksum) {
    uint8_t b[SIX_ICMP6_HDR_LEN];
    memset(b, 0xff, sizeof(b));
    six_icmp6_emit_header(SIX_ICMP6_ECHO_REQUEST, 0, 0x12340001, b);
    CHECK_MEM(b, "\x80\x00\x00\x00\x12\x34\x00\x01", 8);
}

TEST(icmp6_emit_then_parse_round_trips) {
    uint8_t b[SIX_ICMP6_HDR_LEN];
    six_icmp6_emit_header(SIX_ICMP6_DST_UNREACH, SIX_ICMP6_DU_NOPORT, 0, b);
    struct six_icmp6_repr r;
    CHECK_EQ(six_icmp6_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(r.type, SIX_ICMP6_DST_UNREACH);
    CHECK_EQ(r.code, SIX_ICMP6_DU_NOPORT);
    CHECK_EQ(r.cksum, 0);
    CHECK_EQ(r.word, 0);
}

TEST(icmp6_is_error_below_128) {
    CHECK(six_icmp6_is_error(SIX_ICMP6_DST_UNREACH));
    CHECK(six_icmp6_is_error(127));
    CHECK(!six_icmp6_is_error(SIX_ICMP6_ECHO_REQUEST));
    CHECK(!six_icmp6_is_error(255));
}
