/* Unit tests for src/wire/nd.c: Neighbor Discovery messages and options
 * (RFC 4861 section 4). Golden bytes built by scapy. */
#include <arpa/inet.h>
#include <errno.h>

#include "test.h"
#include "wire/icmp6.h"
#include "wire/nd.h"

/* NS for fe80::2 with a Source Link-Layer Address 02:00:00:00:00:01. */
static const uint8_t ns[32] = {
    0x87, 0x00, 0x7a, 0x97, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x80, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x02, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
};
/* NA for 2001:db8::2, R and S set, TLLA 02:00:00:00:00:02. */
static const uint8_t na[32] = {
    0x88, 0x00, 0x88, 0xe1, 0xc0, 0x00, 0x00, 0x00, 0x20, 0x01, 0x0d,
    0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x02, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
};
/* RA: hop limit 64, O (and a router preference bit), lifetime 1800 s,
 * reachable 30000 ms, retrans 1000 ms; SLLA 02:00:00:00:00:03; MTU 1400;
 * prefix 2001:db8:1::/64 L A, valid 86400, preferred 14400. */
static const uint8_t ra[64] = {
    0x86, 0x00, 0xb2, 0xd7, 0x40, 0x48, 0x07, 0x08, 0x00, 0x00, 0x75, 0x30, 0x00,
    0x00, 0x03, 0xe8, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x03, 0x05, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x05, 0x78, 0x03, 0x04, 0x40, 0xc0, 0x00, 0x01, 0x51,
    0x80, 0x00, 0x00, 0x38, 0x40, 0x00, 0x00, 0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static struct in6_addr addr(const char *s) {
    struct in6_addr a;
    CHECK_EQ(inet_pton(AF_INET6, s, &a), 1);
    return a;
}

TEST(nd_parse_reads_golden_ns) {
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    struct in6_addr t = addr("fe80::2");
    struct six_nd_repr r;
    CHECK_EQ(six_nd_parse(ns, sizeof(ns), &r), 0);
    CHECK_EQ(r.type, SIX_ICMP6_NEIGHBOR_SOLICIT);
    CHECK_EQ(r.code, 0);
    CHECK_MEM(&r.target, &t, 16);
    CHECK_EQ(r.lladdr_len, 6);
    CHECK_MEM(r.lladdr, mac, 6);
    CHECK(!r.lladdr_wrong_kind);
}

TEST(nd_parse_reads_golden_na) {
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 2};
    struct in6_addr t = addr("2001:db8::2");
    struct six_nd_repr r;
    CHECK_EQ(six_nd_parse(na, sizeof(na), &r), 0);
    CHECK_EQ(r.type, SIX_ICMP6_NEIGHBOR_ADVERT);
    CHECK_EQ(r.flags, SIX_ND_NA_ROUTER | SIX_ND_NA_SOLICITED);
    CHECK_MEM(&r.target, &t, 16);
    CHECK_MEM(r.lladdr, mac, 6);
}

TEST(nd_parse_reads_golden_ra_and_its_prefix) {
    struct in6_addr p = addr("2001:db8:1::");
    struct six_nd_repr r;
    struct six_nd_prefix pi;
    size_t pos = 0;

    CHECK_EQ(six_nd_parse(ra, sizeof(ra), &r), 0);
    CHECK_EQ(r.cur_hlim, 64);
    CHECK(r.flags & SIX_ND_RA_OTHER);
    CHECK(!(r.flags & SIX_ND_RA_MANAGED));
    CHECK_EQ(r.router_lifetime, 1800);
    CHECK_EQ(r.reachable_ms, 30000);
    CHECK_EQ(r.retrans_ms, 1000);
    CHECK_EQ(r.mtu, 1400);
    CHECK_EQ(r.lladdr[5], 3);
    CHECK_EQ(six_nd_prefix_next(&r, &pos, &pi), 1);
    CHECK_EQ(pi.plen, 64);
    CHECK_EQ(pi.flags, SIX_ND_PREFIX_ONLINK | SIX_ND_PREFIX_AUTO);
    CHECK_EQ(pi.valid, 86400);
    CHECK_EQ(pi.preferred, 14400);
    CHECK_MEM(&pi.prefix, &p, 16);
    CHECK_EQ(six_nd_prefix_next(&r, &pos, &pi), 0);
}

TEST(nd_parse_rejects_other_types) {
    static const uint8_t echo[8] = {128, 0, 0, 0, 0, 0, 0, 0};
    struct six_nd_repr r;
    CHECK_EQ(six_nd_parse(echo, sizeof(echo), &r), -ENOMSG);
    CHECK_EQ(six_nd_parse(echo, 0, &r), -ENOMSG);
}

TEST(nd_parse_rejects_messages_below_fixed_part) {
    struct six_nd_repr r;
    for (size_t n = 1; n < SIX_ND_NS_LEN; n++)
        CHECK_EQ(six_nd_parse(ns, n, &r), -EMSGSIZE);
    for (size_t n = 1; n < SIX_ND_RA_LEN; n++)
        CHECK_EQ(six_nd_parse(ra, n, &r), -EMSGSIZE);
    /* The fixed part alone, without options, is a valid message. */
    CHECK_EQ(six_nd_parse(ns, SIX_ND_NS_LEN, &r), 0);
    CHECK(r.lladdr == NULL);
}

/* RFC 4861 4.6: an option with length zero makes the message invalid. */
TEST(nd_parse_rejects_zero_length_option) {
    uint8_t m[32];
    struct six_nd_repr r;
    memcpy(m, ns, sizeof(m));
    m[25] = 0;
    CHECK_EQ(six_nd_parse(m, sizeof(m), &r), -EINVAL);
}

TEST(nd_parse_rejects_option_past_the_end) {
    uint8_t m[32];
    struct six_nd_repr r;
    memcpy(m, ns, sizeof(m));
    m[25] = 2;   /* 16 bytes, only 8 left */
    CHECK_EQ(six_nd_parse(m, sizeof(m), &r), -EINVAL);
    /* A lone type byte with no length byte is malformed too. */
    CHECK_EQ(six_nd_parse(ns, 25, &r), -EINVAL);
}

TEST(nd_parse_rejects_wrong_length_prefix_and_mtu_options) {
    uint8_t m[64];
    struct six_nd_repr r;
    memcpy(m, ra, sizeof(m));
    m[25] = 2;   /* MTU option claiming 16 bytes: swallows the prefix's */
    CHECK_EQ(six_nd_parse(m, 40, &r), -EINVAL);
    memcpy(m, ra, sizeof(m));
    m[33] = 3;   /* prefix option of 24 bytes */
    CHECK_EQ(six_nd_parse(m, 56, &r), -EINVAL);
}

TEST(nd_parse_notes_the_wrong_link_layer_option) {
    uint8_t m[32];
    struct six_nd_repr r;
    memcpy(m, ns, sizeof(m));
    m[24] = SIX_ND_OPT_TLLA;   /* an NS carries the source's, not a target's */
    CHECK_EQ(six_nd_parse(m, sizeof(m), &r), 0);
    CHECK(r.lladdr == NULL);
    CHECK(r.lladdr_wrong_kind);
}

TEST(nd_parse_skips_unknown_options) {
    uint8_t m[40];
    struct six_nd_repr r;
    memcpy(m, ns, 24);
    m[24] = 200;   /* unknown, 8 bytes: RFC 4861 4.6 says ignore it */
    m[25] = 1;
    memset(m + 26, 0, 6);
    memcpy(m + 32, ns + 24, 8);
    CHECK_EQ(six_nd_parse(m, sizeof(m), &r), 0);
    CHECK(r.lladdr == m + 34);
}

TEST(nd_emit_ns_matches_golden_bytes_but_checksum) {
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    struct six_nd_repr r = {.type = SIX_ICMP6_NEIGHBOR_SOLICIT, .target = addr("fe80::2")};
    uint8_t out[64], want[32];

    memset(out, 0xa5, sizeof(out));
    CHECK_EQ(six_nd_emit(&r, mac, 6, out, sizeof(out)), 32);
    memcpy(want, ns, sizeof(want));
    want[2] = want[3] = 0;
    CHECK_MEM(out, want, 32);
}

TEST(nd_emit_na_with_flags_matches_golden_bytes_but_checksum) {
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 2};
    struct six_nd_repr r = {.type = SIX_ICMP6_NEIGHBOR_ADVERT,
                            .flags = SIX_ND_NA_ROUTER | SIX_ND_NA_SOLICITED,
                            .target = addr("2001:db8::2")};
    uint8_t out[32], want[32];

    CHECK_EQ(six_nd_emit(&r, mac, 6, out, sizeof(out)), 32);
    memcpy(want, na, sizeof(want));
    want[2] = want[3] = 0;
    CHECK_MEM(out, want, 32);
}

TEST(nd_emit_rs_without_option_is_eight_bytes) {
    struct six_nd_repr r = {.type = SIX_ICMP6_ROUTER_SOLICIT};
    static const uint8_t want[8] = {133, 0, 0, 0, 0, 0, 0, 0};
    uint8_t out[8];
    CHECK_EQ(six_nd_emit(&r, NULL, 0, out, sizeof(out)), 8);
    CHECK_MEM(out, want, 8);
}

TEST(nd_emit_refuses_small_buffers_and_router_messages) {
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 2};
    struct six_nd_repr r = {.type = SIX_ICMP6_NEIGHBOR_SOLICIT};
    uint8_t out[64];
    CHECK_EQ(six_nd_emit(&r, mac, 6, out, 31), -ENOSPC);
    r.type = SIX_ICMP6_ROUTER_ADVERT;
    CHECK_EQ(six_nd_emit(&r, mac, 6, out, sizeof(out)), -EINVAL);
    r.type = SIX_ICMP6_ECHO_REQUEST;
    CHECK_EQ(six_nd_emit(&r, mac, 6, out, sizeof(out)), -EINVAL);
}
