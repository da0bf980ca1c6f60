/* Unit tests for src/wire/tcp.c: the TCP header and its options (RFC 9293
 * 3.1-3.2, RFC 7323, RFC 2018), golden bytes in and out. */
#include <errno.h>

#include "test.h"
#include "wire/tcp.h"

/* A SYN as Linux sends it: 0x1234 -> 80, seq 0x01020304, window 65535,
 * MSS 1440, SACK-permitted, timestamps 0x11223344/0, window scale 7. */
static const uint8_t syn[40] = {
    0x12, 0x34, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00,
    0xa0, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x04, 0x05, 0xa0,                          /* MSS 1440 */
    0x04, 0x02, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44,  /* SACK-permitted, TS */
    0x00, 0x00, 0x00, 0x00,
    0x01, 0x03, 0x03, 0x07,                          /* NOP, WS 7 */
};

TEST(tcp_parse_reads_golden_syn) {
    struct six_tcp_repr r;
    CHECK_EQ(six_tcp_parse(syn, sizeof(syn), &r), 0);
    CHECK_EQ(r.sport, 0x1234);
    CHECK_EQ(r.dport, 80);
    CHECK_EQ(r.seq, 0x01020304);
    CHECK_EQ(r.ack, 0);
    CHECK_EQ(r.flags, SIX_TCP_SYN);
    CHECK_EQ(r.hdr_len, 40);
    CHECK_EQ(r.win, 0xffff);
    CHECK(r.opt.has_mss && r.opt.mss == 1440);
    CHECK(r.opt.sack_ok);
    CHECK(r.opt.has_ts && r.opt.tsval == 0x11223344 && r.opt.tsecr == 0);
    CHECK(r.opt.has_ws && r.opt.wscale == 7);
}

TEST(tcp_emit_writes_golden_syn) {
    struct six_tcp_repr r = {.sport = 0x1234, .dport = 80, .seq = 0x01020304,
                             .flags = SIX_TCP_SYN, .win = 0xffff};
    uint8_t out[SIX_TCP_MAX_HDR_LEN];

    memset(out, 0xee, sizeof(out));
    r.opt.has_mss = 1;
    r.opt.mss = 1440;
    r.opt.sack_ok = 1;
    r.opt.has_ts = 1;
    r.opt.tsval = 0x11223344;
    r.opt.has_ws = 1;
    r.opt.wscale = 7;
    CHECK_EQ(six_tcp_hdr_len(&r), 40);
    CHECK_EQ(six_tcp_emit(&r, out), 40);
    CHECK_MEM(out, syn, sizeof(syn));
}

TEST(tcp_sack_blocks_round_trip_and_fit_beside_timestamps) {
    struct six_tcp_repr r = {.sport = 1, .dport = 2, .flags = SIX_TCP_ACK}, back;
    uint8_t out[SIX_TCP_MAX_HDR_LEN];

    r.opt.has_ts = 1;
    r.opt.nsack = 4;
    for (int i = 0; i < 4; i++) {
        r.opt.sack[i].left = 1000u * (uint32_t)i;
        r.opt.sack[i].right = 1000u * (uint32_t)i + 500;
    }
    /* 12 bytes of timestamps leave room for 3 blocks (RFC 2018 3). */
    CHECK_EQ(six_tcp_emit(&r, out), 20 + 12 + 4 + 24);
    CHECK_EQ(six_tcp_parse(out, 60, &back), 0);
    CHECK_EQ(back.opt.nsack, 3);
    CHECK_EQ(back.opt.sack[2].left, 2000);
    CHECK_EQ(back.opt.sack[2].right, 2500);
    r.opt.has_ts = 0;
    CHECK_EQ(six_tcp_emit(&r, out), 20 + 4 + 32);
    CHECK_EQ(six_tcp_parse(out, 56, &back), 0);
    CHECK_EQ(back.opt.nsack, 4);
}

TEST(tcp_parse_rejects_short_and_bad_offset) {
    struct six_tcp_repr r;
    uint8_t b[40];

    memcpy(b, syn, sizeof(b));
    CHECK_EQ(six_tcp_parse(b, 19, &r), -EMSGSIZE);
    CHECK_EQ(six_tcp_parse(b, 39, &r), -EMSGSIZE);   /* offset says 40 */
    b[12] = 0x40;                                    /* 4 words: below 5 */
    CHECK_EQ(six_tcp_parse(b, 40, &r), -EINVAL);
}

TEST(tcp_malformed_option_ends_the_walk) {
    struct six_tcp_repr r;
    uint8_t b[40];

    memcpy(b, syn, sizeof(b));
    b[25] = 0;               /* SACK-permitted with length 0 */
    CHECK_EQ(six_tcp_parse(b, 40, &r), 0);
    CHECK(r.opt.has_mss);    /* before it: kept */
    CHECK(!r.opt.sack_ok && !r.opt.has_ts && !r.opt.has_ws);
    memcpy(b, syn, sizeof(b));
    b[21] = 5;               /* MSS of the wrong length: ignored */
    b[20 + 5] = 0x01;
    CHECK_EQ(six_tcp_parse(b, 40, &r), 0);
    CHECK(!r.opt.has_mss);
    memcpy(b, syn, sizeof(b));
    b[39] = 20;              /* window scale over 14: taken as 14 */
    CHECK_EQ(six_tcp_parse(b, 40, &r), 0);
    CHECK_EQ(r.opt.wscale, 14);
}
