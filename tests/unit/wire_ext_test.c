/* Unit tests for src/wire/ext.c: extension header preambles, the option
 * walker, padding, the routing header (type 0) and the fragment header
 * (RFC 8200 sections 4.1 to 4.5). Lying length fields must be refused
 * before any byte they cover is read; buffers are heap copies of exact
 * size so that ASan catches a read past them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "test.h"
#include "wire/ext.h"

static uint8_t *exact_copy(const uint8_t *src, size_t n) {
    uint8_t *p = malloc(n);
    CHECK(p != NULL || n == 0);
    if (n)
        memcpy(p, src, n);
    return p;
}

static struct in6_addr addr(const char *s) {
    struct in6_addr a;
    if (inet_pton(AF_INET6, s, &a) != 1)
        six_test_fail(__FILE__, __LINE__, "bad address %s", s);
    return a;
}

/* ---- six_nh_is_ext ---- */

TEST(nh_is_ext_accepts_every_listed_header) {
    static const uint8_t ext[] = {0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254};
    for (size_t i = 0; i < sizeof(ext); i++)
        if (!six_nh_is_ext(ext[i]))
            six_test_fail(__FILE__, __LINE__, "%u", ext[i]);
}

TEST(nh_is_ext_rejects_upper_layers_and_no_next_header) {
    static const uint8_t not_ext[] = {1, 4, 6, 17, 41, 58, 59, 132, 136, 255};
    for (size_t i = 0; i < sizeof(not_ext); i++)
        if (six_nh_is_ext(not_ext[i]))
            six_test_fail(__FILE__, __LINE__, "%u", not_ext[i]);
}

/* ---- six_ext_parse ---- */

/* A hop-by-hop header as MLD sends it: next header ICMPv6, Router Alert
 * (value 0, MLD), PadN of 0 data bytes. */
static const uint8_t hbh_mld[8] = {0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00};

TEST(ext_parse_reads_golden_hop_by_hop) {
    struct six_ext_repr r;
    CHECK_EQ(six_ext_parse(hbh_mld, sizeof(hbh_mld), &r), 0);
    CHECK_EQ(r.nxt, 58);
    CHECK_EQ(r.len, 8);
}

TEST(ext_parse_counts_length_in_8_byte_units_after_the_first) {
    uint8_t b[24] = {0x11, 0x02};
    struct six_ext_repr r;
    CHECK_EQ(six_ext_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(r.nxt, 17);
    CHECK_EQ(r.len, 24);
}

TEST(ext_parse_accepts_the_largest_header) {
    static uint8_t b[2048] = {0x3b, 0xff};
    struct six_ext_repr r;
    CHECK_EQ(six_ext_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(r.len, 2048);
}

TEST(ext_parse_rejects_truncation_at_every_length) {
    uint8_t full[24] = {0x11, 0x02};
    for (size_t n = 0; n < sizeof(full); n++) {
        uint8_t *b = exact_copy(full, n);
        struct six_ext_repr r;
        int rc = six_ext_parse(b, n, &r);
        free(b);
        if (rc != -EMSGSIZE)
            six_test_fail(__FILE__, __LINE__, "avail %zu: got %d", n, rc);
    }
}

TEST(ext_parse_rejects_length_field_past_buffer) {
    uint8_t b[64] = {0x3a, 0xff};
    struct six_ext_repr r;
    CHECK_EQ(six_ext_parse(b, sizeof(b), &r), -EMSGSIZE);
}

/* ---- six_opt_iter ---- */

/* A destination options header of 16 bytes mixing padding and one option:
 *   off 2  Pad1
 *   off 3  PadN, 1 data byte
 *   off 6  type 0xc9, 3 data bytes aa bb cc
 *   off 11 PadN, 3 data bytes          (ends at 16) */
static const uint8_t dst_mix[16] = {
    0x11, 0x01, 0x00, 0x01, 0x01, 0x00, 0xc9, 0x03,
    0xaa, 0xbb, 0xcc, 0x01, 0x03, 0x00, 0x00, 0x00,
};

static int next(struct six_opt_iter *it, struct six_opt *o) {
    return six_opt_iter_next(it, o);
}

TEST(opt_iter_walks_pad1_padn_and_option_mix) {
    uint8_t *b = exact_copy(dst_mix, sizeof(dst_mix));
    struct six_opt_iter it;
    struct six_opt o;
    six_opt_iter_init(&it, b, sizeof(dst_mix));
    CHECK_EQ(next(&it, &o), 1);
    CHECK_EQ(o.type, SIX_OPT_PAD1);
    CHECK_EQ(o.len, 0);
    CHECK_EQ(o.off, 2);
    CHECK_EQ(next(&it, &o), 1);
    CHECK_EQ(o.type, SIX_OPT_PADN);
    CHECK_EQ(o.len, 1);
    CHECK_EQ(o.off, 3);
    CHECK_EQ(next(&it, &o), 1);
    CHECK_EQ(o.type, 0xc9);
    CHECK_EQ(o.len, 3);
    CHECK_EQ(o.off, 6);
    CHECK(o.data == b + 8);
    CHECK_MEM(o.data, "\xaa\xbb\xcc", 3);
    CHECK_EQ(next(&it, &o), 1);
    CHECK_EQ(o.type, SIX_OPT_PADN);
    CHECK_EQ(o.len, 3);
    CHECK_EQ(o.off, 11);
    CHECK_EQ(next(&it, &o), 0);
    free(b);
}

TEST(opt_iter_reads_router_alert_value) {
    struct six_opt_iter it;
    struct six_opt o;
    six_opt_iter_init(&it, hbh_mld, sizeof(hbh_mld));
    CHECK_EQ(next(&it, &o), 1);
    CHECK_EQ(o.type, SIX_OPT_ROUTER_ALERT);
    CHECK_EQ(o.len, 2);
    CHECK_MEM(o.data, "\x00\x00", 2);
    CHECK_EQ(next(&it, &o), 1);
    CHECK_EQ(o.type, SIX_OPT_PADN);
    CHECK_EQ(o.len, 0);
    CHECK_EQ(next(&it, &o), 0);
}

TEST(opt_iter_walks_all_pad1_header) {
    uint8_t b[8] = {0x3b, 0x00};
    struct six_opt_iter it;
    struct six_opt o;
    int n = 0, rc;
    six_opt_iter_init(&it, b, sizeof(b));
    while ((rc = next(&it, &o)) == 1) {
        CHECK_EQ(o.type, SIX_OPT_PAD1);
        CHECK_EQ(o.off, 2 + n);
        n++;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(n, 6);
}

TEST(opt_iter_stops_at_option_running_past_header) {
    uint8_t full[8] = {0x3a, 0x00, 0xc9, 0x0a, 0, 0, 0, 0};
    uint8_t *b = exact_copy(full, sizeof(full));
    struct six_opt_iter it;
    struct six_opt o;
    six_opt_iter_init(&it, b, sizeof(full));
    CHECK_EQ(next(&it, &o), -EMSGSIZE);
    CHECK_EQ(o.off, 2);
    free(b);
}

TEST(opt_iter_stops_at_option_one_byte_past_header) {
    uint8_t full[8] = {0x3a, 0x00, 0xc9, 0x05, 0, 0, 0, 0};
    uint8_t *b = exact_copy(full, sizeof(full));
    struct six_opt_iter it;
    struct six_opt o;
    six_opt_iter_init(&it, b, sizeof(full));
    CHECK_EQ(next(&it, &o), -EMSGSIZE);
    CHECK_EQ(o.off, 2);
    free(b);
}

TEST(opt_iter_accepts_option_ending_exactly_at_header_end) {
    uint8_t b[8] = {0x3a, 0x00, 0xc9, 0x04, 1, 2, 3, 4};
    struct six_opt_iter it;
    struct six_opt o;
    six_opt_iter_init(&it, b, sizeof(b));
    CHECK_EQ(next(&it, &o), 1);
    CHECK_EQ(o.len, 4);
    CHECK_MEM(o.data, "\x01\x02\x03\x04", 4);
    CHECK_EQ(next(&it, &o), 0);
}

TEST(opt_iter_stops_at_length_byte_past_header) {
    /* PadN of 3 data bytes, then a type byte in the last octet with no
     * room for its length byte. */
    uint8_t full[8] = {0x3a, 0x00, 0x01, 0x03, 0, 0, 0, 0xc9};
    uint8_t *b = exact_copy(full, sizeof(full));
    struct six_opt_iter it;
    struct six_opt o;
    six_opt_iter_init(&it, b, sizeof(full));
    CHECK_EQ(next(&it, &o), 1);
    CHECK_EQ(next(&it, &o), -EMSGSIZE);
    CHECK_EQ(o.off, 7);
    CHECK_EQ(next(&it, &o), -EMSGSIZE); /* the error sticks */
    free(b);
}

TEST(opt_iter_bounds_options_by_header_length_not_buffer) {
    /* The buffer holds 16 bytes but the header is 8: an option that fits
     * the buffer yet runs past the header is refused. */
    uint8_t b[16] = {0x3a, 0x00, 0x01, 0x02, 0, 0, 0xc9, 0x04};
    struct six_opt_iter it;
    struct six_opt o;
    six_opt_iter_init(&it, b, 8);
    CHECK_EQ(next(&it, &o), 1);
    CHECK_EQ(next(&it, &o), -EMSGSIZE);
    CHECK_EQ(o.off, 6);
}

TEST(opt_iter_repeats_error_without_advancing) {
    uint8_t b[8] = {0x3a, 0x00, 0x00, 0xc9, 0x09, 0, 0, 0};
    struct six_opt_iter it;
    struct six_opt o;
    six_opt_iter_init(&it, b, sizeof(b));
    CHECK_EQ(next(&it, &o), 1);
    CHECK_EQ(next(&it, &o), -EMSGSIZE);
    CHECK_EQ(o.off, 3);
    CHECK_EQ(next(&it, &o), -EMSGSIZE);
    CHECK_EQ(o.off, 3);
}

TEST(opt_iter_finds_no_options_in_header_shorter_than_preamble) {
    uint8_t b[2] = {0x3a, 0x00};
    struct six_opt_iter it;
    struct six_opt o;
    for (size_t n = 0; n <= 2; n++) {
        six_opt_iter_init(&it, b, n);
        CHECK_EQ(next(&it, &o), 0);
    }
}

/* ---- action bits (RFC 8200 4.2) ---- */

TEST(opt_action_00_skips) {
    CHECK_EQ(six_opt_action(0x3e), SIX_OPT_ACT_SKIP);
}

TEST(opt_action_01_discards) {
    CHECK_EQ(six_opt_action(0x7e), SIX_OPT_ACT_DISCARD);
}

TEST(opt_action_10_discards_with_icmp) {
    CHECK_EQ(six_opt_action(0x9e), SIX_OPT_ACT_DISCARD_ICMP);
}

TEST(opt_action_11_discards_with_icmp_unless_multicast) {
    CHECK_EQ(six_opt_action(SIX_OPT_JUMBO), SIX_OPT_ACT_DISCARD_ICMP_UC);
}

TEST(opt_may_change_reads_third_highest_bit) {
    CHECK(six_opt_may_change(0x20));
    CHECK(six_opt_may_change(0x3f));
    CHECK(!six_opt_may_change(0xdf));
    CHECK(!six_opt_may_change(SIX_OPT_JUMBO));
}

/* ---- six_opt_pad ---- */

TEST(opt_pad_0_writes_nothing) {
    uint8_t b[1] = {0xee};
    CHECK_EQ(six_opt_pad(b, 0), 0);
    CHECK_EQ(b[0], 0xee);
}

TEST(opt_pad_1_writes_pad1) {
    uint8_t b[2] = {0xee, 0xee};
    CHECK_EQ(six_opt_pad(b, 1), 1);
    CHECK_EQ(b[0], SIX_OPT_PAD1);
    CHECK_EQ(b[1], 0xee);
}

TEST(opt_pad_2_writes_empty_padn) {
    uint8_t b[3] = {0xee, 0xee, 0xee};
    CHECK_EQ(six_opt_pad(b, 2), 2);
    CHECK_MEM(b, "\x01\x00\xee", 3);
}

TEST(opt_pad_7_writes_padn_of_zeros) {
    uint8_t b[8];
    memset(b, 0xee, sizeof(b));
    CHECK_EQ(six_opt_pad(b, 7), 7);
    CHECK_MEM(b, "\x01\x05\x00\x00\x00\x00\x00\xee", 8);
}

TEST(opt_pad_257_writes_one_full_padn) {
    uint8_t b[257], want[257] = {SIX_OPT_PADN, 255};
    memset(b, 0xee, sizeof(b));
    CHECK_EQ(six_opt_pad(b, 257), 257);
    CHECK_MEM(b, want, 257);
}

TEST(opt_pad_beyond_257_writes_a_run) {
    uint8_t b[258], want[258] = {SIX_OPT_PADN, 255};
    memset(b, 0xee, sizeof(b));
    CHECK_EQ(six_opt_pad(b, 258), 258);
    CHECK_MEM(b, want, 258); /* PadN(257) then Pad1, which is 0x00 too */
}

/* Whatever n, the padding must walk as padding options only, covering
 * exactly n bytes. */
TEST(opt_pad_output_walks_as_padding_for_every_length) {
    static uint8_t hdr[2 + 600];
    for (size_t n = 0; n <= 600; n++) {
        CHECK_EQ(six_opt_pad(hdr + 2, n), n);
        struct six_opt_iter it;
        struct six_opt o;
        size_t covered = 0;
        int rc;
        six_opt_iter_init(&it, hdr, 2 + n);
        while ((rc = next(&it, &o)) == 1) {
            CHECK(o.type == SIX_OPT_PAD1 || o.type == SIX_OPT_PADN);
            covered += o.type == SIX_OPT_PAD1 ? 1 : 2 + (size_t)o.len;
        }
        CHECK_EQ(rc, 0);
        CHECK_EQ(covered, n);
    }
}

/* ---- six_ext_emit ---- */

TEST(ext_emit_writes_golden_preamble) {
    uint8_t b[3] = {0xee, 0xee, 0xee};
    six_ext_emit(SIX_NH_UDP, 8, b);
    CHECK_MEM(b, "\x11\x00\xee", 3);
    six_ext_emit(SIX_NH_ICMPV6, 2048, b);
    CHECK_MEM(b, "\x3a\xff\xee", 3);
}

TEST(ext_emit_then_parse_round_trips) {
    uint8_t b[2048];
    for (size_t len = 8; len <= 2048; len += 8) {
        memset(b, 0, sizeof(b));
        six_ext_emit(SIX_NH_DSTOPTS, len, b);
        struct six_ext_repr r;
        CHECK_EQ(six_ext_parse(b, len, &r), 0);
        CHECK_EQ(r.nxt, SIX_NH_DSTOPTS);
        CHECK_EQ(r.len, len);
    }
}

/* ---- routing header ---- */

/* Type 0, next header ICMPv6, Hdr Ext Len 4, Segments Left 2, reserved,
 * then 2001:db8::1 and 2001:db8::2. */
static const uint8_t rh0[40] = {
    0x3a, 0x04, 0x00, 0x02, 0, 0, 0, 0,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
};

TEST(rthdr_parse_reads_golden_type0) {
    struct six_rthdr_repr r;
    CHECK_EQ(six_rthdr_parse(rh0, sizeof(rh0), &r), 0);
    CHECK_EQ(r.nxt, 58);
    CHECK_EQ(r.type, 0);
    CHECK_EQ(r.segleft, 2);
    CHECK_EQ(r.len, 40);
    CHECK(r.data == rh0 + 4);
    CHECK_EQ(r.data_len, 36);
}

TEST(rthdr_parse_rejects_truncation_at_every_length) {
    for (size_t n = 0; n < sizeof(rh0); n++) {
        uint8_t *b = exact_copy(rh0, n);
        struct six_rthdr_repr r;
        int rc = six_rthdr_parse(b, n, &r);
        free(b);
        if (rc != -EMSGSIZE)
            six_test_fail(__FILE__, __LINE__, "avail %zu: got %d", n, rc);
    }
}

TEST(rthdr_parse_rejects_length_field_past_buffer) {
    uint8_t b[sizeof(rh0)];
    memcpy(b, rh0, sizeof(b));
    b[1] = 5;
    struct six_rthdr_repr r;
    CHECK_EQ(six_rthdr_parse(b, sizeof(b), &r), -EMSGSIZE);
}

TEST(rthdr0_naddr_counts_addresses) {
    struct six_rthdr_repr r;
    CHECK_EQ(six_rthdr_parse(rh0, sizeof(rh0), &r), 0);
    CHECK_EQ(six_rthdr0_naddr(&r), 2);
}

TEST(rthdr0_naddr_is_0_for_empty_header) {
    uint8_t b[8] = {0x3a, 0x00, 0x00, 0x00};
    struct six_rthdr_repr r;
    CHECK_EQ(six_rthdr_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(six_rthdr0_naddr(&r), 0);
}

TEST(rthdr0_naddr_rejects_odd_length) {
    uint8_t b[32] = {0x3a, 0x03, 0x00, 0x01};
    struct six_rthdr_repr r;
    CHECK_EQ(six_rthdr_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(six_rthdr0_naddr(&r), -EINVAL);
}

TEST(rthdr0_naddr_rejects_type_other_than_0) {
    uint8_t b[sizeof(rh0)];
    memcpy(b, rh0, sizeof(b));
    b[SIX_RTHDR_OFF_TYPE] = 2; /* the Mobile IPv6 type (RFC 6275) */
    struct six_rthdr_repr r;
    CHECK_EQ(six_rthdr_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(six_rthdr0_naddr(&r), -EINVAL);
    b[SIX_RTHDR_OFF_TYPE] = 4; /* the segment routing header (RFC 8754) */
    CHECK_EQ(six_rthdr_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(six_rthdr0_naddr(&r), -EINVAL);
}

TEST(rthdr0_naddr_rejects_hand_built_repr_with_short_data) {
    struct six_rthdr_repr r = {.type = 0, .len = 40, .data = rh0 + 4, .data_len = 20};
    CHECK_EQ(six_rthdr0_naddr(&r), -EINVAL);
    r.len = 4;
    r.data_len = 0;
    CHECK_EQ(six_rthdr0_naddr(&r), -EINVAL);
}

TEST(rthdr0_addr_copies_each_address) {
    struct six_rthdr_repr r;
    struct in6_addr a, want1 = addr("2001:db8::1"), want2 = addr("2001:db8::2");
    CHECK_EQ(six_rthdr_parse(rh0, sizeof(rh0), &r), 0);
    CHECK_EQ(six_rthdr0_addr(&r, 0, &a), 0);
    CHECK_MEM(&a, &want1, 16);
    CHECK_EQ(six_rthdr0_addr(&r, 1, &a), 0);
    CHECK_MEM(&a, &want2, 16);
}

TEST(rthdr0_addr_rejects_index_out_of_range) {
    struct six_rthdr_repr r;
    struct in6_addr a, untouched;
    memset(&a, 0xaa, sizeof(a));
    untouched = a;
    CHECK_EQ(six_rthdr_parse(rh0, sizeof(rh0), &r), 0);
    CHECK_EQ(six_rthdr0_addr(&r, 2, &a), -EINVAL);
    CHECK_EQ(six_rthdr0_addr(&r, -1, &a), -EINVAL);
    CHECK_MEM(&a, &untouched, 16);
}

TEST(rthdr0_addr_rejects_non_type0) {
    uint8_t b[sizeof(rh0)];
    memcpy(b, rh0, sizeof(b));
    b[SIX_RTHDR_OFF_TYPE] = 2;
    struct six_rthdr_repr r;
    struct in6_addr a;
    CHECK_EQ(six_rthdr_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(six_rthdr0_addr(&r, 0, &a), -EINVAL);
}

/* ---- fragment header ---- */

/* Next header UDP, offset 1448 (181 units), M set, ident 0xdeadbeef. */
static const uint8_t frag[8] = {0x11, 0x00, 0x05, 0xa9, 0xde, 0xad, 0xbe, 0xef};

TEST(frag_parse_reads_golden_header) {
    struct six_frag_repr r;
    CHECK_EQ(six_frag_parse(frag, sizeof(frag), &r), 0);
    CHECK_EQ(r.nxt, 17);
    CHECK_EQ(r.offset, 1448);
    CHECK_EQ(r.more, 1);
    CHECK_EQ(r.ident, 0xdeadbeef);
}

TEST(frag_parse_ignores_reserved_fields) {
    uint8_t b[8] = {0x11, 0xff, 0x05, 0xae, 0xde, 0xad, 0xbe, 0xef};
    struct six_frag_repr r;
    CHECK_EQ(six_frag_parse(b, sizeof(b), &r), 0);
    CHECK_EQ(r.offset, 1448);
    CHECK_EQ(r.more, 0);
}

TEST(frag_parse_rejects_truncation_at_every_length) {
    for (size_t n = 0; n < sizeof(frag); n++) {
        uint8_t *b = exact_copy(frag, n);
        struct six_frag_repr r;
        int rc = six_frag_parse(b, n, &r);
        free(b);
        if (rc != -EMSGSIZE)
            six_test_fail(__FILE__, __LINE__, "avail %zu: got %d", n, rc);
    }
}

TEST(frag_emit_writes_golden_header) {
    struct six_frag_repr r = {.nxt = 17, .offset = 1448, .more = 1, .ident = 0xdeadbeef};
    uint8_t b[8];
    memset(b, 0xff, sizeof(b));
    six_frag_emit(&r, b);
    CHECK_MEM(b, frag, 8);
}

TEST(frag_emit_writes_last_fragment_without_m_flag) {
    struct six_frag_repr r = {.nxt = 58, .offset = 65528, .more = 0, .ident = 1};
    uint8_t b[8];
    memset(b, 0xff, sizeof(b));
    six_frag_emit(&r, b);
    CHECK_MEM(b, "\x3a\x00\xff\xf8\x00\x00\x00\x01", 8);
}

TEST(frag_emit_then_parse_round_trips) {
    struct six_frag_repr in = {.nxt = 6, .offset = 8, .more = 1, .ident = 0x01020304};
    struct six_frag_repr out;
    uint8_t b[8];
    six_frag_emit(&in, b);
    CHECK_EQ(six_frag_parse(b, sizeof(b), &out), 0);
    CHECK_EQ(out.nxt, in.nxt);
    CHECK_EQ(out.offset, in.offset);
    CHECK_EQ(out.more, in.more);
    CHECK_EQ(out.ident, in.ident);
}
