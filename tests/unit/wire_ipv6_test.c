/* Unit tests for src/wire/ipv6.c: the fixed header (RFC 8200 section 3) and
 * the address helpers (RFC 4291, RFC 6724 section 3). Golden bytes in, repr
 * out; emit then parse; every truncation and a lying payload length. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "test.h"
#include "wire/ipv6.h"

/* Version 6, traffic class 0xab, flow label 0xcdef1, payload length 4,
 * next header 58 (ICMPv6), hop limit 255, fe80::1 -> ff02::1, then a
 * 4-byte payload. */
static const uint8_t golden[] = {
    0x6a, 0xbc, 0xde, 0xf1, 0x00, 0x04, 0x3a, 0xff,
    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0xde, 0xad, 0xbe, 0xef,
};

static struct in6_addr addr(const char *s) {
    struct in6_addr a;
    if (inet_pton(AF_INET6, s, &a) != 1)
        six_test_fail(__FILE__, __LINE__, "bad address %s", s);
    return a;
}

/* A heap copy of exactly n bytes, so that ASan flags any read past n. */
static uint8_t *exact_copy(const uint8_t *src, size_t n) {
    uint8_t *p = malloc(n);
    CHECK(p != NULL || n == 0);
    if (n)
        memcpy(p, src, n);
    return p;
}

TEST(ip6_parse_reads_golden_header) {
    struct six_ip6_repr r;
    CHECK_EQ(six_ip6_parse(golden, sizeof(golden), &r), 0);
    CHECK_EQ(r.tclass, 0xab);
    CHECK_EQ(r.flow, 0xcdef1);
    CHECK_EQ(r.plen, 4);
    CHECK_EQ(r.nxt, 58);
    CHECK_EQ(r.hlim, 255);
    struct in6_addr src = addr("fe80::1"), dst = addr("ff02::1");
    CHECK_MEM(&r.src, &src, 16);
    CHECK_MEM(&r.dst, &dst, 16);
}

TEST(ip6_parse_rejects_version_4) {
    uint8_t b[sizeof(golden)];
    memcpy(b, golden, sizeof(b));
    b[0] = (uint8_t)(0x40 | (b[0] & 0x0f));
    struct six_ip6_repr r;
    CHECK_EQ(six_ip6_parse(b, sizeof(b), &r), -EPROTONOSUPPORT);
}

TEST(ip6_parse_rejects_version_0_and_15) {
    uint8_t b[sizeof(golden)];
    memcpy(b, golden, sizeof(b));
    struct six_ip6_repr r;
    b[0] = 0x0a;
    CHECK_EQ(six_ip6_parse(b, sizeof(b), &r), -EPROTONOSUPPORT);
    b[0] = 0xfa;
    CHECK_EQ(six_ip6_parse(b, sizeof(b), &r), -EPROTONOSUPPORT);
}

TEST(ip6_parse_rejects_truncation_at_every_length) {
    for (size_t n = 0; n < sizeof(golden); n++) {
        uint8_t *b = exact_copy(golden, n);
        struct six_ip6_repr r;
        int rc = six_ip6_parse(b, n, &r);
        free(b);
        if (rc != -EMSGSIZE)
            six_test_fail(__FILE__, __LINE__, "len %zu: got %d", n, rc);
    }
}

TEST(ip6_parse_rejects_payload_length_past_buffer) {
    uint8_t b[sizeof(golden)];
    memcpy(b, golden, sizeof(b));
    b[5] = 5; /* one more than the 4 payload bytes we hold */
    struct six_ip6_repr r;
    CHECK_EQ(six_ip6_parse(b, sizeof(b), &r), -EMSGSIZE);
    b[4] = 0xff;
    b[5] = 0xff;
    CHECK_EQ(six_ip6_parse(b, sizeof(b), &r), -EMSGSIZE);
}

TEST(ip6_parse_allows_link_padding_after_payload) {
    uint8_t b[sizeof(golden) + 14];
    memset(b, 0xee, sizeof(b));
    memcpy(b, golden, sizeof(golden));
    struct six_ip6_repr r;
    CHECK_EQ(six_ip6_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(r.plen, 4);
}

TEST(ip6_parse_accepts_zero_payload_length) {
    uint8_t b[sizeof(golden)];
    memcpy(b, golden, sizeof(b));
    b[4] = 0;
    b[5] = 0;
    struct six_ip6_repr r;
    CHECK_EQ(six_ip6_parse(b, SIX_IP6_HDR_LEN, &r), 0);
    CHECK_EQ(r.plen, 0);
}

TEST(ip6_emit_writes_golden_header) {
    struct six_ip6_repr r = {
        .tclass = 0xab, .flow = 0xcdef1, .plen = 4, .nxt = 58, .hlim = 255,
        .src = addr("fe80::1"), .dst = addr("ff02::1"),
    };
    uint8_t out[SIX_IP6_HDR_LEN];
    memset(out, 0x55, sizeof(out));
    six_ip6_emit(&r, out);
    CHECK_MEM(out, golden, SIX_IP6_HDR_LEN);
}

TEST(ip6_emit_cuts_flow_label_to_20_bits) {
    struct six_ip6_repr r = {.tclass = 0, .flow = 0xfffffff, .plen = 0};
    uint8_t out[SIX_IP6_HDR_LEN];
    six_ip6_emit(&r, out);
    CHECK_EQ(out[0], 0x60);
    CHECK_EQ(out[1], 0x0f);
    CHECK_EQ(out[2], 0xff);
    CHECK_EQ(out[3], 0xff);
}

TEST(ip6_emit_then_parse_round_trips) {
    struct six_ip6_repr in = {
        .tclass = 0x2e, .flow = 0x12345, .plen = 0, .nxt = 17, .hlim = 1,
        .src = addr("2001:db8::1"), .dst = addr("2001:db8:ffff::2"),
    };
    uint8_t out[SIX_IP6_HDR_LEN];
    six_ip6_emit(&in, out);
    struct six_ip6_repr back;
    CHECK_EQ(six_ip6_parse(out, sizeof(out), &back), 0);
    CHECK_EQ(back.tclass, in.tclass);
    CHECK_EQ(back.flow, in.flow);
    CHECK_EQ(back.plen, in.plen);
    CHECK_EQ(back.nxt, in.nxt);
    CHECK_EQ(back.hlim, in.hlim);
    CHECK_MEM(&back.src, &in.src, 16);
    CHECK_MEM(&back.dst, &in.dst, 16);
}

TEST(addr_is_unspecified_only_for_all_zeros) {
    struct in6_addr a = addr("::");
    CHECK(six_addr_is_unspecified(&a));
    a = addr("::1");
    CHECK(!six_addr_is_unspecified(&a));
    a = addr("100::");
    CHECK(!six_addr_is_unspecified(&a));
}

TEST(addr_is_loopback_only_for_one) {
    struct in6_addr a = addr("::1");
    CHECK(six_addr_is_loopback(&a));
    a = addr("::");
    CHECK(!six_addr_is_loopback(&a));
    a = addr("::2");
    CHECK(!six_addr_is_loopback(&a));
    a = addr("1::1");
    CHECK(!six_addr_is_loopback(&a));
}

TEST(addr_is_multicast_for_ff00_slash_8) {
    struct in6_addr a = addr("ff02::1");
    CHECK(six_addr_is_multicast(&a));
    a = addr("fe80::1");
    CHECK(!six_addr_is_multicast(&a));
}

TEST(addr_is_linklocal_for_fe80_slash_10) {
    struct in6_addr a = addr("fe80::1");
    CHECK(six_addr_is_linklocal(&a));
    a = addr("febf:ffff::1");
    CHECK(six_addr_is_linklocal(&a));
    a = addr("fec0::1");
    CHECK(!six_addr_is_linklocal(&a));
    a = addr("fe40::1");
    CHECK(!six_addr_is_linklocal(&a));
    a = addr("ff02::1");
    CHECK(!six_addr_is_linklocal(&a));
}

TEST(addr_is_v4mapped_for_ffff_slash_96) {
    struct in6_addr a = addr("::ffff:192.0.2.1");
    CHECK(six_addr_is_v4mapped(&a));
    a = addr("::fffe:192.0.2.1");
    CHECK(!six_addr_is_v4mapped(&a));
    a = addr("::1:ffff:192.0.2.1");
    CHECK(!six_addr_is_v4mapped(&a));
    a = addr("::192.0.2.1");
    CHECK(!six_addr_is_v4mapped(&a));
}

TEST(addr_scope_of_multicast_is_its_scope_field) {
    static const struct {
        const char *a;
        int scope;
    } cases[] = {
        {"ff01::1", 0x1}, {"ff02::1", 0x2}, {"ff04::1", 0x4}, {"ff05::1", 0x5},
        {"ff08::1", 0x8}, {"ff0e::1", 0xe}, {"ff12::1", 0x2}, {"ff3e::1", 0xe},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct in6_addr a = addr(cases[i].a);
        if (six_addr_scope(&a) != cases[i].scope)
            six_test_fail(__FILE__, __LINE__, "%s: %d", cases[i].a, six_addr_scope(&a));
    }
}

TEST(addr_scope_of_linklocal_unicast_is_2) {
    struct in6_addr a = addr("fe80::1234");
    CHECK_EQ(six_addr_scope(&a), 0x2);
}

TEST(addr_scope_of_loopback_is_2) {
    struct in6_addr a = addr("::1");
    CHECK_EQ(six_addr_scope(&a), 0x2);
}

TEST(addr_scope_of_sitelocal_unicast_is_5) {
    struct in6_addr a = addr("fec0::1");
    CHECK_EQ(six_addr_scope(&a), 0x5);
}

TEST(addr_scope_of_global_and_ula_unicast_is_e) {
    struct in6_addr a = addr("2001:db8::1");
    CHECK_EQ(six_addr_scope(&a), 0xe);
    a = addr("fd00::1");
    CHECK_EQ(six_addr_scope(&a), 0xe);
}

TEST(addr_scope_of_unspecified_is_0) {
    struct in6_addr a = addr("::");
    CHECK_EQ(six_addr_scope(&a), 0);
}

TEST(addr_scope_of_v4mapped_follows_rfc6724_3_2) {
    struct in6_addr a = addr("::ffff:127.0.0.1");
    CHECK_EQ(six_addr_scope(&a), 0x2);
    a = addr("::ffff:169.254.1.1");
    CHECK_EQ(six_addr_scope(&a), 0x2);
    a = addr("::ffff:192.0.2.1");
    CHECK_EQ(six_addr_scope(&a), 0xe);
}

/* Returns a copy of a with bit b (0 = most significant) flipped. */
static struct in6_addr flip_bit(struct in6_addr a, int b) {
    a.s6_addr[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
    return a;
}

TEST(addr_common_prefix_is_128_for_equal_addresses) {
    struct in6_addr a = addr("2001:db8::1");
    CHECK_EQ(six_addr_common_prefix(&a, &a), 128);
}

TEST(addr_common_prefix_stops_at_first_differing_bit) {
    static const int bits[] = {0, 1, 7, 8, 63, 64, 127};
    struct in6_addr a = addr("2001:db8:1234:5678:9abc:def0:1357:9bdf");
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        struct in6_addr b = flip_bit(a, bits[i]);
        if (six_addr_common_prefix(&a, &b) != bits[i])
            six_test_fail(__FILE__, __LINE__, "bit %d: %d", bits[i],
                          six_addr_common_prefix(&a, &b));
        if (six_addr_common_prefix(&b, &a) != bits[i])
            six_test_fail(__FILE__, __LINE__, "bit %d reversed", bits[i]);
    }
}

/* For each plen, b differs from a exactly at bit plen: the first plen bits
 * match, the first plen + 1 do not. */
TEST(addr_prefix_match_at_0_1_63_64_127) {
    static const int plens[] = {0, 1, 63, 64, 127};
    struct in6_addr a = addr("fe80::2aa:ff:fe28:9c5a");
    for (size_t i = 0; i < sizeof(plens) / sizeof(plens[0]); i++) {
        int p = plens[i];
        struct in6_addr b = flip_bit(a, p);
        if (!six_addr_prefix_match(&b, &a, p))
            six_test_fail(__FILE__, __LINE__, "plen %d should match", p);
        if (six_addr_prefix_match(&b, &a, p + 1))
            six_test_fail(__FILE__, __LINE__, "plen %d should not match", p + 1);
    }
}

TEST(addr_prefix_match_128_needs_equal_addresses) {
    struct in6_addr a = addr("2001:db8::1"), b = addr("2001:db8::1");
    CHECK(six_addr_prefix_match(&a, &b, 128));
    b = flip_bit(a, 127);
    CHECK(!six_addr_prefix_match(&a, &b, 128));
}

TEST(addr_prefix_match_0_matches_anything) {
    struct in6_addr a = addr("ff02::1"), b = addr("::");
    CHECK(six_addr_prefix_match(&a, &b, 0));
}

TEST(addr_prefix_match_rejects_plen_out_of_range) {
    struct in6_addr a = addr("2001:db8::1");
    CHECK(!six_addr_prefix_match(&a, &a, -1));
    CHECK(!six_addr_prefix_match(&a, &a, 129));
}

/* RFC 4291 section 2.7.1's example: FE80::2AA:FF:FE28:9C5A. */
TEST(addr_solicited_node_keeps_low_24_bits) {
    struct in6_addr a = addr("fe80::2aa:ff:fe28:9c5a"), want = addr("ff02::1:ff28:9c5a");
    struct in6_addr out;
    memset(&out, 0xaa, sizeof(out));
    six_addr_solicited_node(&a, &out);
    CHECK_MEM(&out, &want, 16);
}

TEST(addr_solicited_node_allows_out_to_alias_input) {
    struct in6_addr a = addr("2001:db8::12:3456"), want = addr("ff02::1:ff12:3456");
    six_addr_solicited_node(&a, &a);
    CHECK_MEM(&a, &want, 16);
}

/* The inline byte test and the ::/8 word test meet at their edges. */
TEST(addr_scope_at_the_edges_of_each_range) {
    static const struct {
        const char *a;
        int scope;
    } cases[] = {
        {"::2", 0xe},              {"::1:0:0:0:1", 0xe},       {"0:0:0:1::1", 0xe},
        {"::192.0.2.1", 0xe},      {"::ffff:192.0.2.1", 0xe},  {"::ffff:127.0.0.1", 0x2},
        {"::ffff:169.254.9.9", 0x2}, {"::fffe:127.0.0.1", 0xe}, {"100::1", 0xe},
        {"fe00::1", 0xe},          {"fe7f::1", 0xe},           {"febf::1", 0x2},
        {"fec0::", 0x5},           {"feff::1", 0x5},           {"fc00::1", 0xe},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct in6_addr a = addr(cases[i].a);
        if (six_addr_scope(&a) != cases[i].scope)
            six_test_fail(__FILE__, __LINE__, "%s: %d", cases[i].a, six_addr_scope(&a));
    }
}
