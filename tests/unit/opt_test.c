/* Unit tests for src/sock/inet6_opt.c, inet6_rth.c and inet6_option.c:
 * the RFC 3542 section 10 option routines, the RFC 3542 section 7 routing
 * header routines and the RFC 2292 section 6.3 option routines.
 *
 * Golden bytes come from RFC 8200 appendix A (RFC 2460 appendix B): option
 * X (a 4-octet and an 8-octet field, alignment 8n+2) and option Y (1-, 2-
 * and 4-octet fields, alignment 4n+3), alone and together, built the way
 * RFC 3542 appendix C builds them. Then every routine is run against
 * glibc's implementation of the same standard name on many inputs, byte
 * for byte and return value for return value, except where glibc departs
 * from the RFC; those places have tests of their own that say so.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <sixstack/opt.h>

#include "test.h"

#define OPT_X 0x3e
#define OPT_Y 0x3f

/* The fields of X and Y as RFC 3542 appendix C fills them, in network
 * byte order. */
static const uint8_t x_data[12] = {0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t y_data[7] = {0x01, 0x13, 0x31, 0x01, 0x02, 0x03, 0x04};

/* RFC 8200 appendix A, example 1: X alone, at 8n+2, no padding at all. */
static const uint8_t example1_x[16] = {
    0x00, 0x01, OPT_X, 12, 0x12, 0x34, 0x56, 0x78,
    1,    2,    3,     4,  5,    6,    7,    8,
};

/* Example 2: Y alone: Pad1 puts it at 4n+3, PadN(2) ends the header. */
static const uint8_t example2_y[16] = {
    0x00, 0x01, 0x00, OPT_Y, 7,    0x01, 0x13, 0x31,
    0x01, 0x02, 0x03, 0x04,  0x01, 0x02, 0x00, 0x00,
};

/* Example 3, first layout: X then Y, PadN(1) between, PadN(2) at the end. */
static const uint8_t example3_xy[32] = {
    0x00, 0x03, OPT_X, 12,    0x12, 0x34, 0x56, 0x78,
    1,    2,    3,     4,     5,    6,    7,    8,
    0x01, 0x01, 0x00,  OPT_Y, 7,    0x01, 0x13, 0x31,
    0x01, 0x02, 0x03,  0x04,  0x01, 0x02, 0x00, 0x00,
};

/* Example 3, second layout: Y then X, one PadN(4) between them. */
static const uint8_t example3_yx[32] = {
    0x00, 0x03, 0x00, OPT_Y, 7,    0x01, 0x13, 0x31,
    0x01, 0x02, 0x03, 0x04,  0x01, 0x04, 0x00, 0x00,
    0x00, 0x00, OPT_X, 12,   0x12, 0x34, 0x56, 0x78,
    1,    2,    3,     4,    5,    6,    7,    8,
};

/* A small fixed-seed generator, so every run tries the same inputs. */
static uint32_t rng_state = 0x2545f491u;
static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}
static unsigned rng_below(unsigned n) { return rng() % n; }

static uint8_t *exact_alloc(size_t n, uint8_t fill) {
    uint8_t *p = malloc(n);
    if (p == NULL)
        six_test_fail(__FILE__, __LINE__, "out of memory");
    memset(p, fill, n);
    return p;
}

static struct in6_addr addr_n(unsigned n) {
    struct in6_addr a;
    memset(&a, 0, sizeof(a));
    a.s6_addr[0] = 0x20;
    a.s6_addr[1] = 0x01;
    a.s6_addr[2] = 0x0d;
    a.s6_addr[3] = 0xb8;
    a.s6_addr[14] = (uint8_t)(n >> 8);
    a.s6_addr[15] = (uint8_t)n;
    return a;
}

/* ====================================================================
 * RFC 3542 section 10: six_inet6_opt_*
 * ==================================================================== */

/* Builds X then Y exactly as RFC 3542 appendix C does: a sizing pass with
 * no buffer, then the real pass, each field set with set_val. */
static int build_xy_3542(uint8_t *buf, socklen_t cap, int y_first,
                         void **xdata, void **ydata) {
    int len = six_inet6_opt_init(NULL, 0);
    for (int i = 0; i < 2; i++) {
        int is_x = (i == 0) != (y_first != 0);
        len = six_inet6_opt_append(NULL, 0, len, is_x ? OPT_X : OPT_Y,
                                   is_x ? 12 : 7, is_x ? 8 : 4, NULL);
    }
    int extlen = six_inet6_opt_finish(NULL, 0, len);
    if (extlen < 0 || (socklen_t)extlen > cap)
        return -1;

    int cur = six_inet6_opt_init(buf, (socklen_t)extlen);
    for (int i = 0; i < 2; i++) {
        int is_x = (i == 0) != (y_first != 0);
        void *db;
        cur = six_inet6_opt_append(buf, (socklen_t)extlen, cur,
                                   is_x ? OPT_X : OPT_Y, is_x ? 12 : 7,
                                   is_x ? 8 : 4, &db);
        if (cur < 0)
            return -1;
        if (is_x) {
            uint32_t v4 = htonl(0x12345678);
            uint8_t v8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
            int off = six_inet6_opt_set_val(db, 0, &v4, sizeof(v4));
            six_inet6_opt_set_val(db, off, v8, sizeof(v8));
            *xdata = db;
        } else {
            uint8_t v1 = 0x01;
            uint16_t v2 = htons(0x1331);
            uint32_t v4 = htonl(0x01020304);
            int off = six_inet6_opt_set_val(db, 0, &v1, sizeof(v1));
            off = six_inet6_opt_set_val(db, off, &v2, sizeof(v2));
            six_inet6_opt_set_val(db, off, &v4, sizeof(v4));
            *ydata = db;
        }
    }
    return six_inet6_opt_finish(buf, (socklen_t)extlen, cur);
}

TEST(opt_rfc3542_example_sizes_x_then_y_as_32_bytes) {
    int len = six_inet6_opt_init(NULL, 0);
    CHECK_EQ(len, 2);
    len = six_inet6_opt_append(NULL, 0, len, OPT_X, 12, 8, NULL);
    CHECK_EQ(len, 16);
    len = six_inet6_opt_append(NULL, 0, len, OPT_Y, 7, 4, NULL);
    CHECK_EQ(len, 28);
    CHECK_EQ(six_inet6_opt_finish(NULL, 0, len), 32);
}

TEST(opt_rfc3542_example_builds_x_at_8n2_and_y_at_4n3) {
    uint8_t *buf = exact_alloc(32, 0);
    void *xd = NULL, *yd = NULL;
    CHECK_EQ(build_xy_3542(buf, 32, 0, &xd, &yd), 32);
    CHECK_MEM(buf, example3_xy, 32);
    /* The 8-octet field of X and the 4-octet field of Y sit on their
     * natural boundaries, which is what 8n+2 and 4n+3 are for. */
    CHECK((uint8_t *)xd == buf + 4);
    CHECK((uint8_t *)yd == buf + 21);
    CHECK_EQ(((uint8_t *)xd + 4 - buf) % 8, 0);
    CHECK_EQ(((uint8_t *)yd + 3 - buf) % 4, 0);
    free(buf);
}

TEST(opt_rfc3542_example_in_y_then_x_order_builds_rfc8200_second_layout) {
    uint8_t *buf = exact_alloc(32, 0);
    void *xd = NULL, *yd = NULL;
    CHECK_EQ(build_xy_3542(buf, 32, 1, &xd, &yd), 32);
    CHECK_MEM(buf, example3_yx, 32);
    CHECK((uint8_t *)yd == buf + 5);
    CHECK((uint8_t *)xd == buf + 20);
    free(buf);
}

TEST(opt_single_options_build_rfc8200_examples_1_and_2) {
    uint8_t *buf = exact_alloc(16, 0);
    void *db;
    int cur = six_inet6_opt_init(buf, 16);
    cur = six_inet6_opt_append(buf, 16, cur, OPT_X, 12, 8, &db);
    CHECK_EQ(cur, 16);
    memcpy(db, x_data, sizeof(x_data));
    CHECK_EQ(six_inet6_opt_finish(buf, 16, cur), 16);
    CHECK_MEM(buf, example1_x, 16);

    memset(buf, 0, 16);
    cur = six_inet6_opt_init(buf, 16);
    cur = six_inet6_opt_append(buf, 16, cur, OPT_Y, 7, 4, &db);
    CHECK_EQ(cur, 12);
    memcpy(db, y_data, sizeof(y_data));
    CHECK_EQ(six_inet6_opt_finish(buf, 16, cur), 16);
    CHECK_MEM(buf, example2_y, 16);
    free(buf);
}

TEST(opt_next_walks_rfc3542_example_skipping_padding) {
    uint8_t buf[32];
    memcpy(buf, example3_xy, sizeof(buf));
    uint8_t type = 0;
    socklen_t len = 0;
    void *db = NULL;
    int off = six_inet6_opt_next(buf, 32, 0, &type, &len, &db);
    CHECK_EQ(off, 16);
    CHECK_EQ(type, OPT_X);
    CHECK_EQ(len, 12);
    CHECK((uint8_t *)db == buf + 4);
    off = six_inet6_opt_next(buf, 32, off, &type, &len, &db);
    CHECK_EQ(off, 28);
    CHECK_EQ(type, OPT_Y);
    CHECK_EQ(len, 7);
    CHECK((uint8_t *)db == buf + 21);
    /* Only the final PadN is left, and padding is never returned. */
    CHECK_EQ(six_inet6_opt_next(buf, 32, off, &type, &len, &db), -1);
}

TEST(opt_find_and_get_val_read_back_rfc3542_example_fields) {
    uint8_t buf[32];
    memcpy(buf, example3_xy, sizeof(buf));
    socklen_t len = 0;
    void *db = NULL;
    int off = six_inet6_opt_find(buf, 32, 0, OPT_Y, &len, &db);
    CHECK_EQ(off, 28);
    CHECK_EQ(len, 7);
    uint8_t v1;
    uint16_t v2;
    uint32_t v4;
    int f = six_inet6_opt_get_val(db, 0, &v1, sizeof(v1));
    f = six_inet6_opt_get_val(db, f, &v2, sizeof(v2));
    f = six_inet6_opt_get_val(db, f, &v4, sizeof(v4));
    CHECK_EQ(f, 7);
    CHECK_EQ(v1, 0x01);
    CHECK_EQ(ntohs(v2), 0x1331);
    CHECK_EQ(ntohl(v4), 0x01020304);
    /* The search goes on after the option found; there is no other Y,
     * and no X after offset 16. */
    CHECK_EQ(six_inet6_opt_find(buf, 32, off, OPT_Y, &len, &db), -1);
    CHECK_EQ(six_inet6_opt_find(buf, 32, 16, OPT_X, &len, &db), -1);
    CHECK_EQ(six_inet6_opt_find(buf, 32, 0, OPT_X, &len, &db), 16);
}

TEST(opt_init_without_buffer_returns_2_for_any_length) {
    CHECK_EQ(six_inet6_opt_init(NULL, 0), 2);
    CHECK_EQ(six_inet6_opt_init(NULL, 7), 2);
    CHECK_EQ(six_inet6_opt_init(NULL, 100000), 2);
}

TEST(opt_init_sets_hdr_ext_len_in_8_byte_units_after_the_first) {
    uint8_t *buf = exact_alloc(2048, 0xaa);
    CHECK_EQ(six_inet6_opt_init(buf, 8), 2);
    CHECK_EQ(buf[1], 0);
    CHECK_EQ(six_inet6_opt_init(buf, 24), 2);
    CHECK_EQ(buf[1], 2);
    CHECK_EQ(six_inet6_opt_init(buf, 2048), 2);
    CHECK_EQ(buf[1], 255);
    /* The Next Header byte is the stack's to fill in. */
    CHECK_EQ(buf[0], 0xaa);
    free(buf);
}

TEST(opt_init_rejects_lengths_an_options_header_cannot_have) {
    uint8_t buf[8] = {0};
    CHECK_EQ(six_inet6_opt_init(buf, 0), -1);
    CHECK_EQ(six_inet6_opt_init(buf, 4), -1);
    CHECK_EQ(six_inet6_opt_init(buf, 12), -1);
    CHECK_EQ(six_inet6_opt_init(buf, 2056), -1);
    CHECK_EQ(buf[1], 0);
}

TEST(opt_append_rejects_pad1_and_padn_types) {
    uint8_t buf[16];
    void *db;
    CHECK_EQ(six_inet6_opt_append(buf, 16, 2, 0, 4, 4, &db), -1);
    CHECK_EQ(six_inet6_opt_append(buf, 16, 2, 1, 4, 4, &db), -1);
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 2, 2, 4, 4, NULL), 8);
}

TEST(opt_append_rejects_alignment_other_than_1_2_4_8) {
    static const uint8_t bad[] = {0, 3, 5, 6, 7, 9, 16, 255};
    for (size_t i = 0; i < sizeof(bad); i++)
        CHECK_EQ(six_inet6_opt_append(NULL, 0, 2, 7, 32, bad[i], NULL), -1);
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 2, 7, 32, 1, NULL), 36);
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 2, 7, 32, 8, NULL), 40);
}

TEST(opt_append_rejects_alignment_above_data_length) {
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 2, 7, 3, 4, NULL), -1);
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 2, 7, 7, 8, NULL), -1);
    /* RFC 3542 10.2 says align may not exceed len, so an option with no
     * data cannot be appended at all, whatever the alignment. */
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 2, 7, 0, 1, NULL), -1);
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 2, 7, 4, 4, NULL), 8);
}

TEST(opt_append_rejects_data_longer_than_255) {
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 2, 7, 256, 1, NULL), -1);
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 2, 7, 255, 1, NULL), 259);
}

TEST(opt_append_rejects_offsets_inside_the_preamble) {
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 1, 7, 4, 1, NULL), -1);
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 0, 7, 4, 1, NULL), -1);
    CHECK_EQ(six_inet6_opt_append(NULL, 0, -8, 7, 4, 1, NULL), -1);
}

TEST(opt_append_fails_when_option_and_padding_overflow_buffer) {
    uint8_t *buf = exact_alloc(16, 0x5a);
    void *db = buf;
    /* Y at offset 10: end 19, padded to 20, one byte too many. */
    CHECK_EQ(six_inet6_opt_append(buf, 16, 10, OPT_Y, 7, 4, &db), -1);
    CHECK((uint8_t *)db == buf);
    for (int i = 0; i < 16; i++)
        CHECK_EQ(buf[i], 0x5a);
    /* An option ending exactly at the end of the buffer fits. */
    CHECK_EQ(six_inet6_opt_append(buf, 16, 2, OPT_X, 12, 8, &db), 16);
    free(buf);
}

TEST(opt_append_without_buffer_ignores_extlen) {
    CHECK_EQ(six_inet6_opt_append(NULL, 8, 2, OPT_X, 12, 8, NULL), 16);
}

TEST(opt_append_refuses_header_longer_than_2048) {
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 1790, 7, 255, 1, NULL), 2047);
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 1792, 7, 255, 1, NULL), -1);
    CHECK_EQ(six_inet6_opt_append(NULL, 0, 2049, 7, 1, 1, NULL), -1);
}

TEST(opt_append_pads_with_pad1_for_one_byte_and_padn_beyond) {
    uint8_t buf[16];
    void *db;
    memset(buf, 0xee, sizeof(buf));
    /* Offset 2, 1 data byte, align 1: no padding at all. */
    CHECK_EQ(six_inet6_opt_append(buf, 16, 2, 9, 1, 1, &db), 5);
    CHECK_EQ(buf[2], 9);
    CHECK_EQ(buf[3], 1);
    /* Offset 3, 2 data bytes, align 2: it would end at 7, so one Pad1
     * moves it to end at 8. */
    memset(buf, 0xee, sizeof(buf));
    CHECK_EQ(six_inet6_opt_append(buf, 16, 3, 9, 2, 2, &db), 8);
    CHECK_EQ(buf[3], 0x00);
    CHECK_EQ(buf[4], 9);
    /* Offset 2, 4 data bytes, align 4: it ends at 8 as it is. */
    memset(buf, 0xee, sizeof(buf));
    CHECK_EQ(six_inet6_opt_append(buf, 16, 2, 9, 4, 4, &db), 8);
    CHECK_EQ(buf[2], 9);
    /* Offset 3, 8 data bytes, align 8: it would end at 13; a 3-byte PadN
     * moves it to end at 16, its data on the 8-byte boundary. */
    memset(buf, 0xee, sizeof(buf));
    CHECK_EQ(six_inet6_opt_append(buf, 16, 3, 9, 8, 8, &db), 16);
    static const uint8_t padn3[] = {0x01, 0x01, 0x00, 9, 8};
    CHECK_MEM(buf + 3, padn3, sizeof(padn3));
    CHECK((uint8_t *)db == buf + 8);
}

TEST(opt_finish_pads_to_a_multiple_of_8) {
    uint8_t buf[16];
    memset(buf, 0xee, sizeof(buf));
    CHECK_EQ(six_inet6_opt_finish(buf, 16, 15), 16);
    CHECK_EQ(buf[15], 0x00);
    memset(buf, 0xee, sizeof(buf));
    CHECK_EQ(six_inet6_opt_finish(buf, 16, 10), 16);
    static const uint8_t padn6[] = {0x01, 0x04, 0, 0, 0, 0};
    CHECK_MEM(buf + 10, padn6, sizeof(padn6));
    memset(buf, 0xee, sizeof(buf));
    CHECK_EQ(six_inet6_opt_finish(buf, 16, 16), 16);
    for (int i = 0; i < 16; i++)
        CHECK_EQ(buf[i], 0xee);
    CHECK_EQ(six_inet6_opt_finish(NULL, 0, 2), 8);
}

TEST(opt_finish_rejects_short_buffer_and_preamble_offsets) {
    uint8_t buf[16];
    CHECK_EQ(six_inet6_opt_finish(buf, 8, 10), -1);
    CHECK_EQ(six_inet6_opt_finish(buf, 16, 1), -1);
    CHECK_EQ(six_inet6_opt_finish(NULL, 0, 0), -1);
    CHECK_EQ(six_inet6_opt_finish(NULL, 0, 2049), -1);
    CHECK_EQ(six_inet6_opt_finish(NULL, 0, 2048), 2048);
}

TEST(opt_set_and_get_val_return_the_next_field_offset) {
    uint8_t data[8] = {0};
    uint16_t v = htons(0xbeef), w = 0;
    CHECK_EQ(six_inet6_opt_set_val(data, 2, &v, sizeof(v)), 4);
    CHECK_EQ(data[2], 0xbe);
    CHECK_EQ(data[3], 0xef);
    CHECK_EQ(six_inet6_opt_get_val(data, 2, &w, sizeof(w)), 4);
    CHECK_EQ(w, v);
    CHECK_EQ(six_inet6_opt_set_val(data, 5, NULL, 0), 5);
}

TEST(opt_next_rejects_offsets_inside_the_preamble) {
    uint8_t buf[8] = {0, 0, 7, 0, 1, 2, 0, 0};
    uint8_t t;
    socklen_t l;
    void *d;
    CHECK_EQ(six_inet6_opt_next(buf, 8, 1, &t, &l, &d), -1);
    CHECK_EQ(six_inet6_opt_next(buf, 8, -1, &t, &l, &d), -1);
    CHECK_EQ(six_inet6_opt_next(buf, 8, 0, &t, &l, &d), 4);
    CHECK_EQ(six_inet6_opt_next(buf, 8, 8, &t, &l, &d), -1);
    CHECK_EQ(six_inet6_opt_next(buf, 8, 100, &t, &l, &d), -1);
}

TEST(opt_next_stops_at_option_running_past_the_header) {
    /* Heap copies of exact size: ASan fails the test if the length byte
     * past the end is read. */
    static const uint8_t last_type[8] = {0, 0, 0x01, 0x02, 0, 0, 0x00, 0x07};
    static const uint8_t last_padn[8] = {0, 0, 0x01, 0x03, 0, 0, 0, 0x01};
    static const uint8_t long_opt[8] = {0, 0, 0x07, 0x05, 1, 2, 3, 4};
    const uint8_t *cases[] = {last_type, last_padn, long_opt};
    for (size_t i = 0; i < 3; i++) {
        uint8_t *buf = exact_alloc(8, 0);
        memcpy(buf, cases[i], 8);
        uint8_t t;
        socklen_t l;
        void *d;
        CHECK_EQ(six_inet6_opt_next(buf, 8, 0, &t, &l, &d), -1);
        CHECK_EQ(six_inet6_opt_find(buf, 8, 0, 0x42, &l, &d), -1);
        free(buf);
    }
}

TEST(opt_find_returns_padding_when_asked_for_it) {
    uint8_t buf[8] = {0, 0, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00};
    socklen_t l = 99;
    void *d = NULL;
    CHECK_EQ(six_inet6_opt_find(buf, 8, 0, 0, &l, &d), 3);
    CHECK_EQ(l, 0);
    CHECK((uint8_t *)d == buf + 3);
    CHECK_EQ(six_inet6_opt_find(buf, 8, 0, 1, &l, &d), 7);
    CHECK_EQ(l, 2);
    CHECK((uint8_t *)d == buf + 5);
}

/* Where RFC 3542 and glibc part ways: for an option whose data length is
 * not a multiple of its alignment, glibc pads so that the *data* starts on
 * the boundary, which puts X at offset 6 (its 8-octet field at 12) and Y's
 * 4-octet field at 27. The RFC example's fields are aligned only when the
 * option's end is, as here. */
TEST(opt_append_aligns_option_end_where_glibc_aligns_data_start) {
    void *ours = NULL, *theirs = NULL;
    uint8_t a[32], b[32];
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    CHECK_EQ(six_inet6_opt_append(a, 32, 2, OPT_X, 12, 8, &ours), 16);
    CHECK_EQ(inet6_opt_append(b, 32, 2, OPT_X, 12, 8, &theirs), 20);
    CHECK((uint8_t *)ours == a + 4);
    CHECK((uint8_t *)theirs == b + 8);
}

/* Every argument combination on which the RFC and glibc agree: all errors,
 * and every option whose length is a multiple of its alignment. */
TEST(opt_append_matches_glibc_bytes_and_results) {
    static const uint8_t aligns[] = {0, 1, 2, 3, 4, 8, 16};
    static const uint8_t types[] = {0, 1, 2, 0xc2};
    static const socklen_t extlens[] = {0, 8, 16, 24, 40, 64};
    uint8_t a[72], b[72];
    int compared = 0;
    for (int offset = -1; offset < 48; offset++)
        for (socklen_t len = 0; len <= 33; len++)
            for (size_t ai = 0; ai < sizeof(aligns); ai++)
                for (size_t ti = 0; ti < sizeof(types); ti++)
                    for (size_t ei = 0; ei < 6; ei++)
                        for (int with_buf = 0; with_buf < 2; with_buf++) {
                            uint8_t al = aligns[ai];
                            int valid = types[ti] > 1 &&
                                        (al == 1 || al == 2 || al == 4 ||
                                         al == 8) &&
                                        al <= len;
                            /* glibc compares a negative offset as unsigned
                             * and would write before the buffer. */
                            if (offset < 0 || (valid && len % al != 0))
                                continue;
                            memset(a, 0x77, sizeof(a));
                            memset(b, 0x77, sizeof(b));
                            void *da = NULL, *dbp = NULL;
                            socklen_t el = extlens[ei];
                            int ra = six_inet6_opt_append(
                                with_buf ? a : NULL, el, offset, types[ti],
                                len, al, &da);
                            int rb = inet6_opt_append(with_buf ? b : NULL, el,
                                                      offset, types[ti], len,
                                                      al, &dbp);
                            if (ra != rb)
                                six_test_fail(__FILE__, __LINE__,
                                              "off %d len %u align %u type "
                                              "%u extlen %u buf %d: %d vs %d",
                                              offset, len, al, types[ti], el,
                                              with_buf, ra, rb);
                            CHECK_MEM(a, b, sizeof(a));
                            CHECK_EQ(da == NULL ? -1 : (uint8_t *)da - a,
                                     dbp == NULL ? -1 : (uint8_t *)dbp - b);
                            compared++;
                        }
    CHECK(compared > 10000);
}

TEST(opt_init_and_finish_match_glibc) {
    uint8_t a[2100], b[2100];
    for (socklen_t el = 0; el <= 2100; el++) {
        memset(a, 0x33, 16);
        memset(b, 0x33, 16);
        CHECK_EQ(six_inet6_opt_init(a, el), inet6_opt_init(b, el));
        CHECK_MEM(a, b, 16);
        CHECK_EQ(six_inet6_opt_init(NULL, el), inet6_opt_init(NULL, el));
    }
    for (int off = 0; off <= 2048; off++) {
        socklen_t el = (socklen_t)(off + rng_below(16));
        if (el > sizeof(a))
            el = sizeof(a);
        memset(a, 0x44, sizeof(a));
        memset(b, 0x44, sizeof(b));
        CHECK_EQ(six_inet6_opt_finish(a, el, off), inet6_opt_finish(b, el, off));
        CHECK_MEM(a, b, sizeof(a));
        CHECK_EQ(six_inet6_opt_finish(NULL, 0, off), inet6_opt_finish(NULL, 0, off));
    }
}

/* Fills hdr[2..len) with a random run of options: mostly well formed,
 * with padding of both kinds, sometimes ending in one that runs past. */
static void random_options(uint8_t *hdr, size_t len) {
    size_t off = 2;
    hdr[0] = (uint8_t)rng();
    hdr[1] = (uint8_t)(len / 8 - 1);
    while (off < len) {
        unsigned pick = rng_below(10);
        if (pick < 2) {
            hdr[off++] = 0x00;
            continue;
        }
        uint8_t type = pick < 4 ? 0x01 : (uint8_t)(2 + rng_below(6));
        uint8_t dl = (uint8_t)rng_below(rng_below(8) == 0 ? 40 : 8);
        hdr[off++] = type;
        if (off < len)
            hdr[off++] = dl;
        for (unsigned i = 0; i < dl && off < len; i++)
            hdr[off++] = (uint8_t)rng();
    }
}

TEST(opt_next_and_find_match_glibc_on_random_headers) {
    for (int round = 0; round < 3000; round++) {
        size_t len = 8 * (1 + rng_below(5));
        /* glibc reads a length byte one past extlen when an option starts
         * on the last byte; 8 spare bytes keep that read inside this
         * allocation. sixstack never reads past extlen. */
        uint8_t *hdr = exact_alloc(len + 8, 0);
        random_options(hdr, len);
        socklen_t el = (socklen_t)len;
        int oa = 0, ob = 0;
        for (int step = 0; step < 64; step++) {
            uint8_t ta = 0, tb = 0;
            socklen_t la = 0, lb = 0;
            void *da = NULL, *dbp = NULL;
            oa = six_inet6_opt_next(hdr, el, oa, &ta, &la, &da);
            ob = inet6_opt_next(hdr, el, ob, &tb, &lb, &dbp);
            CHECK_EQ(oa, ob);
            if (oa < 0)
                break;
            CHECK_EQ(ta, tb);
            CHECK_EQ(la, lb);
            CHECK(da == dbp);
        }
        for (int want = 0; want < 8; want++) {
            oa = ob = 0;
            for (int step = 0; step < 64; step++) {
                socklen_t la = 0, lb = 0;
                void *da = NULL, *dbp = NULL;
                oa = six_inet6_opt_find(hdr, el, oa, (uint8_t)want, &la, &da);
                ob = inet6_opt_find(hdr, el, ob, (uint8_t)want, &lb, &dbp);
                CHECK_EQ(oa, ob);
                if (oa < 0)
                    break;
                CHECK_EQ(la, lb);
                CHECK(da == dbp);
            }
        }
        free(hdr);
    }
}

/* ====================================================================
 * RFC 3542 section 7: six_inet6_rth_*
 * ==================================================================== */

TEST(rth_space_is_8_bytes_plus_16_per_segment) {
    CHECK_EQ(six_inet6_rth_space(SIX_IPV6_RTHDR_TYPE_0, 0), 8);
    CHECK_EQ(six_inet6_rth_space(SIX_IPV6_RTHDR_TYPE_0, 1), 24);
    CHECK_EQ(six_inet6_rth_space(SIX_IPV6_RTHDR_TYPE_0, 2), 40);
    CHECK_EQ(six_inet6_rth_space(SIX_IPV6_RTHDR_TYPE_0, 127), 2040);
    CHECK_EQ(SIX_IPV6_RTHDR_TYPE_0, IPV6_RTHDR_TYPE_0);
}

TEST(rth_space_is_0_for_more_than_127_segments_or_another_type) {
    CHECK_EQ(six_inet6_rth_space(SIX_IPV6_RTHDR_TYPE_0, 128), 0);
    CHECK_EQ(six_inet6_rth_space(SIX_IPV6_RTHDR_TYPE_0, -1), 0);
    CHECK_EQ(six_inet6_rth_space(1, 1), 0);
    CHECK_EQ(six_inet6_rth_space(2, 1), 0);
}

TEST(rth_space_matches_glibc) {
    for (int type = -2; type < 5; type++)
        for (int seg = -3; seg < 260; seg++)
            CHECK_EQ(six_inet6_rth_space(type, seg), inet6_rth_space(type, seg));
}

TEST(rth_init_zeroes_only_the_header_and_sets_its_length) {
    uint8_t *buf = exact_alloc(64, 0xaa);
    CHECK(six_inet6_rth_init(buf, 64, SIX_IPV6_RTHDR_TYPE_0, 3) == buf);
    static const uint8_t hdr[8] = {0, 6, 0, 0, 0, 0, 0, 0};
    CHECK_MEM(buf, hdr, 8);
    for (int i = 8; i < 56; i++)
        CHECK_EQ(buf[i], 0);
    for (int i = 56; i < 64; i++)
        CHECK_EQ(buf[i], 0xaa);
    CHECK_EQ(six_inet6_rth_segments(buf), 3);
    free(buf);
}

TEST(rth_init_rejects_short_buffer_bad_type_and_segment_count) {
    uint8_t *buf = exact_alloc(2048, 0xaa);
    CHECK(six_inet6_rth_init(buf, 39, SIX_IPV6_RTHDR_TYPE_0, 2) == NULL);
    CHECK(six_inet6_rth_init(buf, 40, SIX_IPV6_RTHDR_TYPE_0, 2) == buf);
    CHECK(six_inet6_rth_init(buf, 2048, SIX_IPV6_RTHDR_TYPE_0, 128) == NULL);
    CHECK(six_inet6_rth_init(buf, 2048, SIX_IPV6_RTHDR_TYPE_0, -1) == NULL);
    CHECK(six_inet6_rth_init(buf, 2048, 2, 1) == NULL);
    CHECK(six_inet6_rth_init(NULL, 2048, SIX_IPV6_RTHDR_TYPE_0, 1) == NULL);
    free(buf);
}

TEST(rth_add_appends_in_order_and_counts_segments_left) {
    uint8_t buf[56];
    CHECK(six_inet6_rth_init(buf, sizeof(buf), SIX_IPV6_RTHDR_TYPE_0, 3) == buf);
    for (unsigned i = 0; i < 3; i++) {
        struct in6_addr a = addr_n(i + 1);
        CHECK_EQ(six_inet6_rth_add(buf, &a), 0);
        CHECK_EQ(buf[3], i + 1);
    }
    for (unsigned i = 0; i < 3; i++) {
        struct in6_addr a = addr_n(i + 1);
        CHECK_MEM(buf + 8 + 16 * i, &a, 16);
        CHECK_MEM(six_inet6_rth_getaddr(buf, (int)i), &a, 16);
    }
}

TEST(rth_add_fails_once_the_header_is_full) {
    uint8_t buf[24];
    struct in6_addr a = addr_n(1);
    CHECK(six_inet6_rth_init(buf, sizeof(buf), SIX_IPV6_RTHDR_TYPE_0, 1) == buf);
    CHECK_EQ(six_inet6_rth_add(buf, &a), 0);
    CHECK_EQ(six_inet6_rth_add(buf, &a), -1);
    CHECK_EQ(buf[3], 1);
    CHECK(six_inet6_rth_init(buf, sizeof(buf), SIX_IPV6_RTHDR_TYPE_0, 0) == buf);
    CHECK_EQ(six_inet6_rth_add(buf, &a), -1);
}

TEST(rth_add_refuses_segments_left_beyond_the_addresses) {
    /* A header whose Segments Left already exceeds its room: glibc's
     * unsigned subtraction wraps and it writes past the header. */
    uint8_t *buf = exact_alloc(24, 0);
    struct in6_addr a = addr_n(1);
    buf[1] = 2;
    buf[3] = 5;
    CHECK_EQ(six_inet6_rth_add(buf, &a), -1);
    free(buf);
}

TEST(rth_routines_reject_a_routing_type_other_than_0) {
    uint8_t buf[40];
    struct in6_addr a = addr_n(1);
    CHECK(six_inet6_rth_init(buf, sizeof(buf), SIX_IPV6_RTHDR_TYPE_0, 2) == buf);
    buf[2] = 2;
    CHECK_EQ(six_inet6_rth_add(buf, &a), -1);
    CHECK_EQ(six_inet6_rth_segments(buf), -1);
    CHECK(six_inet6_rth_getaddr(buf, 0) == NULL);
    CHECK_EQ(six_inet6_rth_reverse(buf, buf), -1);
    CHECK_EQ(inet6_rth_segments(buf), -1);
    CHECK(inet6_rth_getaddr(buf, 0) == NULL);
    CHECK_EQ(inet6_rth_reverse(buf, buf), -1);
}

TEST(rth_getaddr_refuses_indexes_outside_the_header) {
    uint8_t buf[40];
    CHECK(six_inet6_rth_init(buf, sizeof(buf), SIX_IPV6_RTHDR_TYPE_0, 2) == buf);
    CHECK(six_inet6_rth_getaddr(buf, -1) == NULL);
    CHECK(six_inet6_rth_getaddr(buf, 2) == NULL);
    CHECK((uint8_t *)six_inet6_rth_getaddr(buf, 1) == buf + 24);
}

/* RFC 2460 4.4: Hdr Ext Len of a type 0 header is twice its number of
 * addresses. glibc rounds an odd value down and works on the rest. */
TEST(rth_odd_hdr_ext_len_is_a_malformed_header) {
    uint8_t buf[40];
    struct in6_addr a = addr_n(1);
    CHECK(six_inet6_rth_init(buf, sizeof(buf), SIX_IPV6_RTHDR_TYPE_0, 2) == buf);
    buf[1] = 3;
    CHECK_EQ(six_inet6_rth_segments(buf), -1);
    CHECK(six_inet6_rth_getaddr(buf, 0) == NULL);
    CHECK_EQ(six_inet6_rth_add(buf, &a), -1);
    CHECK_EQ(six_inet6_rth_reverse(buf, buf), -1);
    CHECK_EQ(inet6_rth_segments(buf), 1);
}

TEST(rth_reverse_reverses_addresses_and_sets_segments_left) {
    for (int n = 0; n <= 127; n += (n < 6 ? 1 : 11)) {
        socklen_t sp = six_inet6_rth_space(SIX_IPV6_RTHDR_TYPE_0, n);
        uint8_t *in = exact_alloc(sp, 0), *out = exact_alloc(sp, 0xcc);
        CHECK(six_inet6_rth_init(in, sp, SIX_IPV6_RTHDR_TYPE_0, n) == in);
        in[0] = IPPROTO_UDP;
        for (int i = 0; i < n; i++) {
            struct in6_addr a = addr_n((unsigned)i);
            CHECK_EQ(six_inet6_rth_add(in, &a), 0);
        }
        in[3] = 0; /* as received at the final destination */
        CHECK_EQ(six_inet6_rth_reverse(in, out), 0);
        CHECK_EQ(out[0], IPPROTO_UDP);
        CHECK_EQ(out[1], 2 * n);
        CHECK_EQ(out[2], 0);
        CHECK_EQ(out[3], n);
        for (int i = 0; i < n; i++) {
            struct in6_addr a = addr_n((unsigned)(n - 1 - i));
            CHECK_MEM(out + 8 + 16 * i, &a, 16);
        }
        /* In place gives the same bytes. */
        CHECK_EQ(six_inet6_rth_reverse(in, in), 0);
        CHECK_MEM(in, out, sp);
        free(in);
        free(out);
    }
}

TEST(rth_build_and_reverse_match_glibc_byte_for_byte) {
    for (int n = 0; n <= 127; n++) {
        socklen_t sp = six_inet6_rth_space(SIX_IPV6_RTHDR_TYPE_0, n);
        uint8_t *a = exact_alloc(sp + 8, 0x5a), *b = exact_alloc(sp + 8, 0x5a);
        CHECK(six_inet6_rth_init(a, sp, SIX_IPV6_RTHDR_TYPE_0, n) == a);
        CHECK(inet6_rth_init(b, sp, IPV6_RTHDR_TYPE_0, n) == b);
        CHECK(six_inet6_rth_init(a, sp - 1, SIX_IPV6_RTHDR_TYPE_0, n) == NULL);
        CHECK(inet6_rth_init(b, sp - 1, IPV6_RTHDR_TYPE_0, n) == NULL);
        for (int i = 0; i <= n; i++) {
            struct in6_addr x = addr_n((unsigned)(i * 7 + n));
            CHECK_EQ(six_inet6_rth_add(a, &x), inet6_rth_add(b, &x));
        }
        CHECK_MEM(a, b, sp + 8);
        CHECK_EQ(six_inet6_rth_segments(a), inet6_rth_segments(b));
        for (int i = -1; i <= n; i++) {
            struct in6_addr *pa = six_inet6_rth_getaddr(a, i);
            struct in6_addr *pb = inet6_rth_getaddr(b, i);
            CHECK_EQ(pa == NULL ? -1 : (uint8_t *)pa - a,
                     pb == NULL ? -1 : (uint8_t *)pb - b);
        }
        uint8_t *ra = exact_alloc(sp, 0x11), *rb = exact_alloc(sp, 0x11);
        CHECK_EQ(six_inet6_rth_reverse(a, ra), inet6_rth_reverse(b, rb));
        CHECK_MEM(ra, rb, sp);
        CHECK_EQ(six_inet6_rth_reverse(a, a), inet6_rth_reverse(b, b));
        CHECK_MEM(a, b, sp + 8);
        free(a);
        free(b);
        free(ra);
        free(rb);
    }
}

/* ====================================================================
 * RFC 2292 section 6.3: six_inet6_option_*
 * ==================================================================== */

/* glibc marks its RFC 2292 routines deprecated in favour of RFC 3542's,
 * and these tests call them only to compare sixstack's against them, so
 * the warning is silenced for these wrappers and nowhere else. (The
 * linker still notes that they are obsolete.) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int glibc_option_space(int n) { return inet6_option_space(n); }
static int glibc_option_init(void *bp, struct cmsghdr **c, int type) {
    return inet6_option_init(bp, c, type);
}
static int glibc_option_append(struct cmsghdr *c, const uint8_t *t, int x,
                               int y) {
    return inet6_option_append(c, t, x, y);
}
static uint8_t *glibc_option_alloc(struct cmsghdr *c, int n, int x, int y) {
    return inet6_option_alloc(c, n, x, y);
}
static int glibc_option_next(const struct cmsghdr *c, uint8_t **p) {
    return inet6_option_next(c, p);
}
static int glibc_option_find(const struct cmsghdr *c, uint8_t **p, int t) {
    return inet6_option_find(c, p, t);
}
#pragma GCC diagnostic pop

/* Room for any object these tests build, aligned for a cmsghdr. */
union cbuf {
    struct cmsghdr align;
    uint8_t b[CMSG_SPACE(2048)];
};

static const uint8_t x_tlv[14] = {OPT_X, 12, 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t y_tlv[9] = {OPT_Y, 7, 0x01, 0x13, 0x31, 0x01, 0x02, 0x03, 0x04};

static struct cmsghdr *start_dstopts(union cbuf *buf) {
    struct cmsghdr *c = NULL;
    memset(buf, 0, sizeof(*buf));
    CHECK_EQ(six_inet6_option_init(buf, &c, IPV6_DSTOPTS), 0);
    CHECK(c == &buf->align);
    return c;
}

TEST(option_space_counts_cmsghdr_preamble_and_padding) {
    /* X: 12 data bytes, type, length, no leading padding (y = 2 is the
     * preamble itself). */
    CHECK_EQ(six_inet6_option_space(14), CMSG_SPACE(16));
    CHECK_EQ(six_inet6_option_space(0), CMSG_SPACE(8));
    CHECK_EQ(six_inet6_option_space(6), CMSG_SPACE(8));
    CHECK_EQ(six_inet6_option_space(7), CMSG_SPACE(16));
    CHECK_EQ(six_inet6_option_space(2046), CMSG_SPACE(2048));
}

TEST(option_space_rejects_negative_and_oversized_options) {
    CHECK_EQ(six_inet6_option_space(-1), -1);
    CHECK_EQ(six_inet6_option_space(2047), -1);
}

TEST(option_space_matches_glibc) {
    for (int n = 0; n <= 2046; n++)
        CHECK_EQ(six_inet6_option_space(n), glibc_option_space(n));
}

TEST(option_init_makes_an_empty_ipv6_object) {
    union cbuf buf;
    memset(&buf, 0x66, sizeof(buf));
    struct cmsghdr *c = NULL;
    CHECK_EQ(six_inet6_option_init(&buf, &c, IPV6_HOPOPTS), 0);
    CHECK(c == &buf.align);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(0));
    CHECK_EQ(c->cmsg_level, IPPROTO_IPV6);
    CHECK_EQ(c->cmsg_type, IPV6_HOPOPTS);
    CHECK_EQ(six_inet6_option_init(&buf, &c, IPV6_DSTOPTS), 0);
    CHECK_EQ(c->cmsg_type, IPV6_DSTOPTS);
}

TEST(option_init_rejects_types_other_than_hopopts_and_dstopts) {
    union cbuf buf;
    struct cmsghdr *c = NULL;
    CHECK_EQ(six_inet6_option_init(&buf, &c, IPV6_RTHDR), -1);
    CHECK_EQ(six_inet6_option_init(&buf, &c, IPV6_PKTINFO), -1);
    CHECK_EQ(six_inet6_option_init(&buf, &c, 0), -1);
    CHECK(c == NULL);
    CHECK_EQ(six_inet6_option_init(NULL, &c, IPV6_HOPOPTS), -1);
    CHECK_EQ(six_inet6_option_init(&buf, NULL, IPV6_HOPOPTS), -1);
    for (int t = -1; t < 80; t++) {
        struct cmsghdr *ca = NULL, *cb = NULL;
        union cbuf a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        CHECK_EQ(six_inet6_option_init(&a, &ca, t), glibc_option_init(&b, &cb, t));
        CHECK_MEM(&a, &b, sizeof(struct cmsghdr));
    }
}

TEST(option_append_builds_rfc8200_example_1) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 2), 0);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(16));
    CHECK_MEM(CMSG_DATA(c), example1_x, 16);
}

TEST(option_append_builds_rfc8200_example_2) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    CHECK_EQ(six_inet6_option_append(c, y_tlv, 4, 3), 0);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(16));
    CHECK_MEM(CMSG_DATA(c), example2_y, 16);
}

TEST(option_append_builds_rfc8200_example_3_x_then_y) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 2), 0);
    CHECK_EQ(six_inet6_option_append(c, y_tlv, 4, 3), 0);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(32));
    CHECK_MEM(CMSG_DATA(c), example3_xy, 32);
}

/* Y then X puts both options where RFC 8200's second layout has them
 * (Y at 3, X at 18), but the gap between them is two padding options, the
 * PadN that ended the header after Y and a new one, not one PadN(4): every
 * append leaves a whole header behind, and RFC 2292 has no call that says
 * which option is the last. */
TEST(option_append_y_then_x_puts_both_on_their_boundaries) {
    static const uint8_t yx[32] = {
        0x00, 0x03, 0x00, OPT_Y, 7,    0x01, 0x13, 0x31,
        0x01, 0x02, 0x03, 0x04,  0x01, 0x02, 0x00, 0x00,
        0x01, 0x00, OPT_X, 12,   0x12, 0x34, 0x56, 0x78,
        1,    2,    3,     4,    5,    6,    7,    8,
    };
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    CHECK_EQ(six_inet6_option_append(c, y_tlv, 4, 3), 0);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(16));
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 2), 0);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(32));
    CHECK_MEM(CMSG_DATA(c), yx, 32);
}

TEST(option_alloc_reserves_data_length_plus_type_and_length) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    uint8_t *p = six_inet6_option_alloc(c, 12, 8, 2);
    CHECK(p == CMSG_DATA(c) + 2);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(16));
    memcpy(p, x_tlv, sizeof(x_tlv));
    p = six_inet6_option_alloc(c, 7, 4, 3);
    CHECK(p == CMSG_DATA(c) + 19);
    memcpy(p, y_tlv, sizeof(y_tlv));
    CHECK_EQ(c->cmsg_len, CMSG_LEN(32));
    CHECK_MEM(CMSG_DATA(c), example3_xy, 32);
}

TEST(option_append_honours_every_xn_plus_y) {
    for (int x = 1; x <= 8; x *= 2)
        for (int y = 0; y < 8; y++)
            for (int dl = 0; dl < 20; dl++) {
                union cbuf buf;
                struct cmsghdr *c = start_dstopts(&buf);
                uint8_t tlv[22] = {0x21, (uint8_t)dl};
                CHECK_EQ(six_inet6_option_append(c, tlv, 1, 0), 0);
                size_t used = c->cmsg_len - CMSG_LEN(0);
                uint8_t *p = six_inet6_option_alloc(c, dl, x, y);
                CHECK(p != NULL);
                size_t off = (size_t)(p - CMSG_DATA(c));
                /* The first xn+y at or after the 8-byte boundary the header
                 * ended on, so less than x bytes after it. */
                CHECK_EQ(off % (size_t)x, (size_t)(y % x));
                CHECK(off >= (size_t)y && off >= used && off < used + (size_t)x);
                CHECK_EQ((c->cmsg_len - CMSG_LEN(0)) % 8, 0);
                CHECK(c->cmsg_len - CMSG_LEN(0) >= off + 2 + (size_t)dl);
            }
}

/* In xn+y, n counts from 0, so y itself is the earliest offset even when
 * it exceeds x: 1n+7 puts a first option at 7, behind a PadN(5), not at 2
 * (KAME reduces y modulo x) and not at 9 (glibc adds y to the preamble). */
TEST(option_alignment_term_with_y_above_x_starts_no_earlier_than_y) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    uint8_t *p = six_inet6_option_alloc(c, 0, 1, 7);
    CHECK(p == CMSG_DATA(c) + 7);
    static const uint8_t padn5[5] = {0x01, 0x03, 0x00, 0x00, 0x00};
    CHECK_MEM(CMSG_DATA(c) + 2, padn5, 5);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(16));
    /* Past y, the remainder modulo x is all that counts: 2n+3 after an
     * 8-byte header is offset 9. */
    p[0] = 0x21;
    p[1] = 0;
    CHECK(six_inet6_option_alloc(c, 0, 2, 3) == CMSG_DATA(c) + 17);
}

TEST(option_append_rejects_bad_alignment_and_pad_types) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    static const uint8_t pad1[1] = {0x00}, padn[3] = {0x01, 0x01, 0x00};
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 3, 0), -1);
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 0, 0), -1);
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 16, 0), -1);
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 8), -1);
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, -1), -1);
    CHECK_EQ(six_inet6_option_append(c, pad1, 1, 0), -1);
    CHECK_EQ(six_inet6_option_append(c, padn, 1, 0), -1);
    CHECK_EQ(six_inet6_option_append(c, NULL, 1, 0), -1);
    CHECK(six_inet6_option_alloc(c, -1, 1, 0) == NULL);
    CHECK(six_inet6_option_alloc(c, 256, 1, 0) == NULL);
    CHECK(six_inet6_option_alloc(c, 4, 5, 0) == NULL);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(0));
}

TEST(option_append_rejects_an_object_init_did_not_start) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    c->cmsg_type = IPV6_RTHDR;
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 2), -1);
    c->cmsg_type = IPV6_DSTOPTS;
    c->cmsg_level = SOL_SOCKET;
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 2), -1);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_len = CMSG_LEN(3);
    CHECK(six_inet6_option_alloc(c, 1, 1, 0) == NULL);
    c->cmsg_len = 1;
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 2), -1);
    CHECK_EQ(six_inet6_option_append(NULL, x_tlv, 8, 2), -1);
}

TEST(option_append_stops_at_2048_bytes_leaving_the_object_whole) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    uint8_t big[257] = {0x22, 255};
    /* The first 257-byte option starts after the 2-byte preamble and the
     * header is padded to 264; each next one starts on that boundary and
     * adds 264 more. Seven make 1848 bytes; an eighth would make 2112. */
    int n = 0;
    while (six_inet6_option_append(c, big, 1, 0) == 0)
        n++;
    CHECK_EQ(n, 7);
    socklen_t before = (socklen_t)c->cmsg_len;
    CHECK_EQ(before, CMSG_LEN(1848));
    CHECK_EQ(CMSG_DATA(c)[1], 1848 / 8 - 1);
    CHECK(six_inet6_option_alloc(c, 255, 1, 0) == NULL);
    CHECK_EQ(c->cmsg_len, before);
    /* A smaller one still fits up to exactly 2048. */
    uint8_t *p = six_inet6_option_alloc(c, 198, 1, 0);
    CHECK(p == CMSG_DATA(c) + 1848);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(2048));
    CHECK_EQ(CMSG_DATA(c)[1], 255);
}

TEST(option_next_walks_every_option_then_ends_with_null) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 2), 0);
    CHECK_EQ(six_inet6_option_append(c, y_tlv, 4, 3), 0);
    uint8_t *d = CMSG_DATA(c);
    /* RFC 2292 returns padding too: X, PadN, Y, PadN. */
    static const int at[] = {2, 16, 19, 28};
    uint8_t *p = NULL;
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(six_inet6_option_next(c, &p), 0);
        CHECK(p == d + at[i]);
    }
    CHECK_EQ(six_inet6_option_next(c, &p), -1);
    CHECK(p == NULL);
}

TEST(option_find_finds_each_option_of_a_type_then_null) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    CHECK_EQ(six_inet6_option_append(c, y_tlv, 4, 3), 0);
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 2), 0);
    CHECK_EQ(six_inet6_option_append(c, y_tlv, 4, 3), 0);
    uint8_t *d = CMSG_DATA(c), *p = NULL;
    CHECK_EQ(six_inet6_option_find(c, &p, OPT_Y), 0);
    CHECK(p == d + 3);
    CHECK_EQ(six_inet6_option_find(c, &p, OPT_Y), 0);
    CHECK(p == d + 35);
    CHECK_EQ(p[1], 7);
    CHECK_EQ(six_inet6_option_find(c, &p, OPT_Y), -1);
    CHECK(p == NULL);
    CHECK_EQ(six_inet6_option_find(c, &p, OPT_X), 0);
    CHECK(p == d + 18);
    CHECK_EQ(six_inet6_option_find(c, &p, 0x99), -1);
    CHECK(p == NULL);
    CHECK_EQ(six_inet6_option_find(c, &p, -1), -1);
    CHECK(p == NULL);
}

TEST(option_next_errors_leave_the_pointer_non_null) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 2), 0);
    uint8_t *p;

    c->cmsg_level = SOL_SOCKET;
    p = NULL;
    CHECK_EQ(six_inet6_option_next(c, &p), -1);
    CHECK(p != NULL);
    c->cmsg_level = IPPROTO_IPV6;

    c->cmsg_type = IPV6_PKTINFO;
    p = NULL;
    CHECK_EQ(six_inet6_option_find(c, &p, OPT_X), -1);
    CHECK(p != NULL);
    c->cmsg_type = IPV6_DSTOPTS;

    /* cmsg_len shorter than Hdr Ext Len says the header is. */
    c->cmsg_len = CMSG_LEN(15);
    p = NULL;
    CHECK_EQ(six_inet6_option_next(c, &p), -1);
    CHECK(p != NULL);
    c->cmsg_len = CMSG_LEN(1);
    p = NULL;
    CHECK_EQ(six_inet6_option_next(c, &p), -1);
    CHECK(p != NULL);
    c->cmsg_len = CMSG_LEN(16);

    /* A pointer outside the option area. */
    p = CMSG_DATA(c) + 1;
    CHECK_EQ(six_inet6_option_next(c, &p), -1);
    CHECK(p == CMSG_DATA(c) + 1);
    p = CMSG_DATA(c) + 16;
    CHECK_EQ(six_inet6_option_find(c, &p, OPT_X), -1);
    CHECK(p == CMSG_DATA(c) + 16);

    /* An option whose length runs past the header: the error points at
     * it. */
    CMSG_DATA(c)[3] = 13;
    p = NULL;
    CHECK_EQ(six_inet6_option_next(c, &p), -1);
    CHECK(p == CMSG_DATA(c) + 2);
    p = NULL;
    CHECK_EQ(six_inet6_option_find(c, &p, 0x77), -1);
    CHECK(p == CMSG_DATA(c) + 2);
}

TEST(option_next_never_reads_past_the_header) {
    /* An exactly sized object whose last byte starts an option: its
     * length byte would lie past the end, where ASan is watching. */
    static const uint8_t hdr[8] = {0, 0, 0x01, 0x03, 0, 0, 0, 0x07};
    struct cmsghdr *c = (struct cmsghdr *)(void *)exact_alloc(CMSG_LEN(8), 0);
    c->cmsg_len = CMSG_LEN(8);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_HOPOPTS;
    memcpy(CMSG_DATA(c), hdr, sizeof(hdr));
    uint8_t *p = NULL;
    CHECK_EQ(six_inet6_option_next(c, &p), 0);
    CHECK(p == CMSG_DATA(c) + 2);
    CHECK_EQ(six_inet6_option_next(c, &p), -1);
    CHECK(p == CMSG_DATA(c) + 7);
    p = NULL;
    CHECK_EQ(six_inet6_option_find(c, &p, 0x42), -1);
    CHECK(p == CMSG_DATA(c) + 7);
    free(c);
}

/* glibc pads the first option out to a whole multiple of x before adding
 * y, so X alone (8n+2) gets 8 bytes of padding and a 24-byte header where
 * RFC 8200 example 1 has none and 16 bytes. */
TEST(option_leading_padding_is_minimal_where_glibc_adds_a_whole_x) {
    union cbuf a, b;
    struct cmsghdr *ca = start_dstopts(&a), *cb = NULL;
    memset(&b, 0, sizeof(b));
    CHECK_EQ(glibc_option_init(&b, &cb, IPV6_DSTOPTS), 0);
    CHECK_EQ(six_inet6_option_append(ca, x_tlv, 8, 2), 0);
    CHECK_EQ(glibc_option_append(cb, x_tlv, 8, 2), 0);
    CHECK_EQ(ca->cmsg_len, CMSG_LEN(16));
    CHECK_EQ(cb->cmsg_len, CMSG_LEN(24));
}

/* glibc reserves datalen bytes from the type byte on; RFC 2292 6.3.4 has
 * datalen be the option's data length byte, two fewer. */
TEST(option_alloc_reserves_two_more_bytes_than_glibc) {
    union cbuf a, b;
    struct cmsghdr *ca = start_dstopts(&a), *cb = NULL;
    memset(&b, 0, sizeof(b));
    CHECK_EQ(glibc_option_init(&b, &cb, IPV6_DSTOPTS), 0);
    CHECK(six_inet6_option_alloc(ca, 6, 1, 0) != NULL);
    CHECK(glibc_option_alloc(cb, 6, 1, 0) != NULL);
    CHECK_EQ(ca->cmsg_len, CMSG_LEN(16));
    CHECK_EQ(cb->cmsg_len, CMSG_LEN(8));
}

/* glibc's walk ends with -1 but leaves *tptrp on the end of the header,
 * which RFC 2292 6.3.5 reserves for errors. */
TEST(option_next_ends_with_null_where_glibc_leaves_a_pointer) {
    union cbuf buf;
    struct cmsghdr *c = start_dstopts(&buf);
    CHECK_EQ(six_inet6_option_append(c, x_tlv, 8, 2), 0);
    uint8_t *pa = NULL, *pb = NULL;
    CHECK_EQ(six_inet6_option_next(c, &pa), 0);
    CHECK_EQ(glibc_option_next(c, &pb), 0);
    CHECK_EQ(six_inet6_option_next(c, &pa), -1);
    CHECK_EQ(glibc_option_next(c, &pb), -1);
    CHECK(pa == NULL);
    CHECK(pb == CMSG_DATA(c) + 16);
}

/* Random sequences of append and alloc on which RFC 2292 and glibc agree:
 * y < x everywhere, and the first option either y = 0 or x <= 2 (glibc's
 * leading padding differs only there), with glibc's alloc given the two
 * bytes more it expects. Then both walk the result. */
TEST(option_append_alloc_next_find_match_glibc_on_random_sequences) {
    for (int round = 0; round < 2000; round++) {
        union cbuf a, b;
        struct cmsghdr *ca = NULL, *cb = NULL;
        int type = rng_below(2) ? IPV6_HOPOPTS : IPV6_DSTOPTS;
        memset(&a, 0x5a, sizeof(a));
        memset(&b, 0x5a, sizeof(b));
        CHECK_EQ(six_inet6_option_init(&a, &ca, type), 0);
        CHECK_EQ(glibc_option_init(&b, &cb, type), 0);
        int nopts = 1 + (int)rng_below(6);
        for (int i = 0; i < nopts; i++) {
            int x = 1 << rng_below(4);
            int y = (int)rng_below((unsigned)x);
            if (i == 0 && x > 2)
                y = 0;
            uint8_t tlv[2 + 40];
            tlv[0] = (uint8_t)(2 + rng_below(6));
            tlv[1] = (uint8_t)rng_below(40);
            for (int k = 0; k < tlv[1]; k++)
                tlv[2 + k] = (uint8_t)rng();
            if (rng_below(2)) {
                CHECK_EQ(six_inet6_option_append(ca, tlv, x, y),
                         glibc_option_append(cb, tlv, x, y));
            } else {
                uint8_t *pa = six_inet6_option_alloc(ca, tlv[1], x, y);
                uint8_t *pb = glibc_option_alloc(cb, tlv[1] + 2, x, y);
                CHECK(pa != NULL && pb != NULL);
                CHECK_EQ(pa - a.b, pb - b.b);
                memcpy(pa, tlv, 2 + (size_t)tlv[1]);
                memcpy(pb, tlv, 2 + (size_t)tlv[1]);
            }
            CHECK_EQ(ca->cmsg_len, cb->cmsg_len);
            CHECK_MEM(a.b, b.b, sizeof(a.b));
        }
        uint8_t *pa = NULL, *pb = NULL;
        for (;;) {
            int ra = six_inet6_option_next(ca, &pa);
            int rb = glibc_option_next(cb, &pb);
            CHECK_EQ(ra, rb);
            if (ra < 0)
                break;
            CHECK_EQ(pa - a.b, pb - b.b);
        }
        for (int want = 0; want < 8; want++) {
            pa = pb = NULL;
            for (;;) {
                int ra = six_inet6_option_find(ca, &pa, want);
                int rb = glibc_option_find(cb, &pb, want);
                CHECK_EQ(ra, rb);
                if (ra < 0)
                    break;
                CHECK_EQ(pa - a.b, pb - b.b);
            }
        }
    }
}
