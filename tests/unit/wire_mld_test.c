/* Unit tests for src/wire/mld.c: MLDv1 messages (RFC 2710 3), the MLDv2
 * Query (RFC 3810 5.1) with its exponential codes, and the MLDv2 Report
 * with records of every type (5.2). Golden bytes written from the RFC
 * diagrams; the emitted ones are also decoded by tshark in
 * tests/interop/mld_tshark.sh. */
#include <errno.h>
#include <stdlib.h>

#include "test.h"
#include "wire/icmp6.h"
#include "wire/mld.h"

static uint8_t *exact_copy(const uint8_t *src, size_t n) {
    uint8_t *p = malloc(n ? n : 1);
    CHECK(p != NULL);
    if (n)
        memcpy(p, src, n);
    return p;
}

static struct in6_addr addr(uint8_t first, uint8_t second, uint8_t last) {
    struct in6_addr a;
    memset(&a, 0, sizeof(a));
    a.s6_addr[0] = first;
    a.s6_addr[1] = second;
    a.s6_addr[15] = last;
    return a;
}

/* MLDv1 Report for ff1e::5 (delay and reserved zero). */
static const uint8_t v1_report[24] = {
    0x83, 0x00, 0xab, 0xcd, 0x00, 0x00, 0x00, 0x00, 0xff, 0x1e, 0, 0, 0, 0, 0, 0,
    0,    0,    0,    0,    0,    0,    0,    0x05,
};

/* MLDv2 general query: Max Resp Code 10000 (10 s), S=1, QRV 2, QQIC 125,
 * no sources. */
static const uint8_t v2_general[28] = {
    0x82, 0x00, 0x00, 0x00, 0x27, 0x10, 0x00, 0x00, 0, 0, 0, 0, 0, 0,
    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0x0a, 0x7d, 0x00, 0x00,
};

/* MLDv2 group-and-source query for ff1e::7 from 2001:db8::9 and
 * 2001:db8::a, Max Resp Code 0x8123 (exp 0, mant 0x123: 0x1123 << 3). */
static const uint8_t v2_gss[60] = {
    0x82, 0x00, 0x00, 0x00, 0x81, 0x23, 0x00, 0x00,
    0xff, 0x1e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,
    0x03, 0x96, 0x00, 0x02,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,
};

/* MLDv2 Report, 2 records: TO_EX(ff02::1:ff00:1) with no source, then
 * ALLOW(ff1e::7) with source 2001:db8::9 and one word of aux data. */
static const uint8_t v2_report[8 + 20 + 40] = {
    0x8f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x04, 0x00, 0x00, 0x00,
    0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x01,
    0x05, 0x01, 0x00, 0x01,
    0xff, 0x1e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09,
    0xde, 0xad, 0xbe, 0xef,
};

TEST(mld_hbh_is_router_alert_mld_padded_to_8) {
    CHECK_EQ(six_mld_hbh[2], 5);       /* Router Alert */
    CHECK_EQ(six_mld_hbh[3], 2);
    CHECK_EQ(six_mld_hbh[4] << 8 | six_mld_hbh[5], 0);   /* value 0: MLD */
    CHECK_EQ(six_mld_hbh[6], 1);       /* PadN, no data */
    CHECK_EQ(six_mld_hbh[7], 0);
}

TEST(mld1_parse_reads_golden_report) {
    struct six_mld1_repr r;
    CHECK_EQ(six_mld1_parse(v1_report, sizeof(v1_report), &r), 0);
    CHECK_EQ(r.type, SIX_ICMP6_MLD_REPORT);
    CHECK_EQ(r.max_resp_delay, 0);
    struct in6_addr g = addr(0xff, 0x1e, 5);
    CHECK_MEM(&r.group, &g, 16);
}

TEST(mld1_emit_gives_golden_bytes_back) {
    struct six_mld1_repr r = {.type = SIX_ICMP6_MLD_REPORT, .group = addr(0xff, 0x1e, 5)};
    uint8_t out[24];
    six_mld1_emit(&r, out);
    uint8_t want[24];
    memcpy(want, v1_report, 24);
    want[2] = want[3] = 0;   /* emit leaves the checksum to the caller */
    CHECK_MEM(out, want, 24);
}

TEST(mld1_parse_rejects_short_accepts_longer) {
    struct six_mld1_repr r;
    for (size_t n = 0; n < 24; n++) {
        uint8_t *b = exact_copy(v1_report, n);
        int rc = six_mld1_parse(b, n, &r);
        free(b);
        CHECK_EQ(rc, -EMSGSIZE);
    }
    uint8_t longer[30] = {0};
    memcpy(longer, v1_report, 24);
    CHECK_EQ(six_mld1_parse(longer, sizeof(longer), &r), 0);
}

TEST(mld_query_v1_by_length_24) {
    uint8_t q[24] = {0x82, 0, 0, 0, 0x03, 0xe8, 0, 0};
    struct six_mld_query_repr r;
    CHECK_EQ(six_mld_query_parse(q, sizeof(q), &r), 0);
    CHECK_EQ(r.v2, 0);
    CHECK_EQ(r.max_resp_ms, 1000);
    CHECK_EQ(r.nsrc, 0);
}

TEST(mld_query_v2_general_golden) {
    struct six_mld_query_repr r;
    struct in6_addr any = IN6ADDR_ANY_INIT;
    uint8_t *b = exact_copy(v2_general, sizeof(v2_general));
    CHECK_EQ(six_mld_query_parse(b, sizeof(v2_general), &r), 0);
    free(b);
    CHECK_EQ(r.v2, 1);
    CHECK_EQ(r.max_resp_ms, 10000);
    CHECK_EQ(r.s_flag, 1);
    CHECK_EQ(r.qrv, 2);
    CHECK_EQ(r.qqi_s, 125);
    CHECK_EQ(r.nsrc, 0);
    CHECK_MEM(&r.group, &any, 16);
}

TEST(mld_query_v2_sources_and_exponential_code) {
    struct six_mld_query_repr r;
    CHECK_EQ(six_mld_query_parse(v2_gss, sizeof(v2_gss), &r), 0);
    CHECK_EQ(r.max_resp_ms, 0x1123u << 3);
    CHECK_EQ(r.s_flag, 0);
    CHECK_EQ(r.qrv, 3);
    /* QQIC 0x96: exp 1, mant 6: (0x16) << 4 = 352 s. */
    CHECK_EQ(r.qqi_s, 352);
    CHECK_EQ(r.nsrc, 2);
    CHECK(r.srcs == v2_gss + 28);
    CHECK_EQ(r.srcs[31], 0x0a);
}

TEST(mld_query_emit_round_trips) {
    struct six_mld_query_repr r, back;
    uint8_t out[60];
    CHECK_EQ(six_mld_query_parse(v2_gss, sizeof(v2_gss), &r), 0);
    CHECK_EQ(six_mld_query_emit(&r, out), sizeof(v2_gss));
    CHECK_MEM(out, v2_gss, sizeof(v2_gss));
    CHECK_EQ(six_mld_query_parse(out, sizeof(v2_gss), &back), 0);
    CHECK_EQ(back.max_resp_ms, r.max_resp_ms);
    r.v2 = 0;
    r.max_resp_code = 500;
    CHECK_EQ(six_mld_query_emit(&r, out), 24);
    CHECK_EQ(six_mld_query_parse(out, 24, &back), 0);
    CHECK_EQ(back.v2, 0);
    CHECK_EQ(back.max_resp_ms, 500);
}

TEST(mld_query_rejects_bad_lengths_and_type) {
    struct six_mld_query_repr r;
    /* RFC 3810 8.1: 25..27 bytes is neither version. */
    for (size_t n = 0; n < 28; n++) {
        if (n == 24)
            continue;
        uint8_t *b = exact_copy(v2_gss, n);
        int rc = six_mld_query_parse(b, n, &r);
        free(b);
        if (rc != -EMSGSIZE)
            six_test_fail(__FILE__, __LINE__, "len %zu: %d", n, rc);
    }
    /* Number of Sources promises more than the message holds. */
    for (size_t n = 28; n < sizeof(v2_gss); n++) {
        uint8_t *b = exact_copy(v2_gss, n);
        int rc = six_mld_query_parse(b, n, &r);
        free(b);
        if (rc != -EMSGSIZE)
            six_test_fail(__FILE__, __LINE__, "len %zu: %d", n, rc);
    }
    CHECK_EQ(six_mld_query_parse(v1_report, sizeof(v1_report), &r), -EINVAL);
}

TEST(mld_mrc_codes_round_trip_and_round_up) {
    CHECK_EQ(six_mld_mrc_decode(0x7fff), 32767);
    CHECK_EQ(six_mld_mrc_decode(0x8000), 32768);
    CHECK_EQ(six_mld_mrc_decode(0xffff), 0x1fffu << 10);
    CHECK_EQ(six_mld_mrc_encode(1234), 1234);
    CHECK_EQ(six_mld_mrc_encode(32768), 0x8000);
    /* 65530 is past exponent 0's largest (65528): exponent 1, mant 0. */
    CHECK_EQ(six_mld_mrc_encode(65530), 0x9000);
    CHECK_EQ(six_mld_mrc_decode(0x9000), 65536);
    CHECK_EQ(six_mld_mrc_encode(UINT32_MAX), 0xffff);
    for (uint32_t ms = 0; ms <= (0x1fffu << 10); ms += 7919) {
        uint32_t got = six_mld_mrc_decode(six_mld_mrc_encode(ms));
        if (got < ms || (ms < 0x8000 && got != ms))
            six_test_fail(__FILE__, __LINE__, "ms %u -> %u", (unsigned)ms, (unsigned)got);
    }
}

TEST(mld_qqic_codes_round_trip) {
    CHECK_EQ(six_mld_qqic_decode(125), 125);
    CHECK_EQ(six_mld_qqic_decode(0x80), 128);
    CHECK_EQ(six_mld_qqic_decode(0xff), 0x1fu << 10);
    CHECK_EQ(six_mld_qqic_encode(125), 125);
    CHECK_EQ(six_mld_qqic_encode(352), 0x96);
    CHECK_EQ(six_mld_qqic_encode(1000000), 0xff);
    for (uint32_t s = 0; s < 31744; s += 13) {
        uint32_t got = six_mld_qqic_decode(six_mld_qqic_encode(s));
        if (got < s)
            six_test_fail(__FILE__, __LINE__, "s %u -> %u", (unsigned)s, (unsigned)got);
    }
}

TEST(mld2_report_walks_golden_records) {
    struct six_mld2_iter it;
    struct six_mld2_record rec;
    uint8_t *b = exact_copy(v2_report, sizeof(v2_report));

    CHECK_EQ(six_mld2_report_parse(b, sizeof(v2_report), &it), 2);
    CHECK_EQ(six_mld2_next(&it, &rec), 1);
    CHECK_EQ(rec.type, SIX_MLD2_TO_EX);
    CHECK_EQ(rec.nsrc, 0);
    CHECK_EQ(rec.group.s6_addr[12], 0xff);
    CHECK_EQ(six_mld2_next(&it, &rec), 1);
    CHECK_EQ(rec.type, SIX_MLD2_ALLOW);
    CHECK_EQ(rec.nsrc, 1);
    CHECK_EQ(rec.aux_words, 1);
    CHECK_EQ(rec.srcs[15], 0x09);
    CHECK_EQ(rec.aux[0], 0xde);
    CHECK_EQ(six_mld2_next(&it, &rec), 0);
    free(b);
}

TEST(mld2_report_emit_every_record_type) {
    uint8_t out[8 + 6 * 36];
    struct in6_addr g = addr(0xff, 0x1e, 7), s = addr(0x20, 0x01, 9);
    size_t off = SIX_MLD2_REPORT_HDR;
    struct six_mld2_iter it;
    struct six_mld2_record rec;

    six_mld2_report_emit_header(6, out);
    for (uint8_t t = SIX_MLD2_IS_IN; t <= SIX_MLD2_BLOCK; t++)
        off += six_mld2_record_emit(t, &g, &s, 1, out + off);
    CHECK_EQ(off, sizeof(out));
    CHECK_EQ(out[0], 143);
    CHECK_EQ(six_mld2_report_parse(out, off, &it), 6);
    for (uint8_t t = SIX_MLD2_IS_IN; t <= SIX_MLD2_BLOCK; t++) {
        CHECK_EQ(six_mld2_next(&it, &rec), 1);
        CHECK_EQ(rec.type, t);
        CHECK_EQ(rec.nsrc, 1);
        CHECK_EQ(rec.aux_words, 0);
        CHECK_MEM(&rec.group, &g, 16);
        CHECK_MEM(rec.srcs, &s, 16);
    }
    CHECK_EQ(six_mld2_next(&it, &rec), 0);
    /* The golden report, re-emitted without its aux data. */
    uint8_t first[28];
    struct in6_addr sn = {{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 1}}};
    CHECK_EQ(six_mld2_record_emit(SIX_MLD2_TO_EX, &sn, NULL, 0, first), 20);
    CHECK_MEM(first, v2_report + 8, 20);
}

TEST(mld2_report_truncated_records_are_errors) {
    struct six_mld2_iter it;
    struct six_mld2_record rec;

    for (size_t n = 0; n < 8; n++)
        CHECK_EQ(six_mld2_report_parse(v2_report, n, &it), -EMSGSIZE);
    CHECK_EQ(six_mld2_report_parse(v1_report, sizeof(v1_report), &it), -EINVAL);
    /* Every cut inside the records: the walk fails where the cut is, and
     * stays there. */
    for (size_t n = 8; n < sizeof(v2_report); n++) {
        uint8_t *b = exact_copy(v2_report, n);
        int rc, got = 0;
        CHECK_EQ(six_mld2_report_parse(b, n, &it), 2);
        while ((rc = six_mld2_next(&it, &rec)) == 1)
            got++;
        CHECK_EQ(rc, -EMSGSIZE);
        CHECK_EQ(six_mld2_next(&it, &rec), -EMSGSIZE);
        CHECK_EQ(got, n >= 28 ? 1 : 0);
        free(b);
    }
    /* A record count larger than the records: the walk fails at the end. */
    uint8_t more[sizeof(v2_report)];
    memcpy(more, v2_report, sizeof(more));
    more[7] = 3;
    CHECK_EQ(six_mld2_report_parse(more, sizeof(more), &it), 3);
    CHECK_EQ(six_mld2_next(&it, &rec), 1);
    CHECK_EQ(six_mld2_next(&it, &rec), 1);
    CHECK_EQ(six_mld2_next(&it, &rec), -EMSGSIZE);
}
