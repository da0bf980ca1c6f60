/* IPv6 input against hostile and odd packets: frames built byte by byte
 * are injected into B as if they came from A over the link; each test
 * checks B's counters, what B's sockets got, and the ICMPv6 answer A's
 * ICMPv6 raw socket reads (RFC 8200 sections 3-4, RFC 4443, RFC 5095,
 * RFC 6946). */
#include "harness.h"

static const uint8_t data[] = "upper-layer data";

/* The common setup: a pair, a protocol-253 socket on B (so 253 is a
 * protocol B knows) and an ICMPv6 socket on A to read B's answers. */
struct env {
    struct hpair p;
    int b253;
    int icmp_a;
};

static void env_up(struct env *e) {
    h_up(&e->p);
    e->b253 = h_sock(&e->p, e->p.b, 253);
    e->icmp_a = h_icmp_sock(&e->p, e->p.a);
}

/* B got exactly data on its 253 socket. */
static void expect_delivered(struct env *e) {
    uint8_t buf[256];
    struct sockaddr_in6 from;
    ssize_t n = CHECK_OK(h_recv(e->b253, buf, sizeof(buf), &from));
    CHECK_EQ(n, sizeof(data));
    CHECK_MEM(buf, data, sizeof(data));
    CHECK(h_addr_eq(&from.sin6_addr, &e->p.addr_a));
    H_NOTHING(e->b253);
}

/* Nothing reached B's socket and no ICMPv6 message came back to A. */
static void expect_silent_drop(struct env *e) {
    H_NOTHING(e->b253);
    H_NOTHING(e->icmp_a);
    CHECK_EQ(h_stats(e->p.b).icmp6_out_msgs, 0);
    CHECK_EQ(h_stats(e->p.b).raw_in_delivered, 0);
}

/* A frame from A to B: the IPv6 header naming nxt; the caller appends. */
static void start(struct env *e, struct hframe *f, uint8_t nxt) {
    h_frame_ab(&e->p, f, nxt);
}

static void finish_and_inject(struct env *e, struct hframe *f) {
    h_put(f, data, sizeof(data));
    h_end(f);
    h_inject(&e->p, f);
}

/* ---- the fixed header ---- */

TEST(bad_version_dropped) {
    struct env e;
    struct hframe f;
    env_up(&e);
    for (int v = 0; v < 16; v++) {
        if (v == 6)
            continue;
        start(&e, &f, 253);
        f.b[0] = (uint8_t)(v << 4);
        finish_and_inject(&e, &f);
    }
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_version, 15);
    CHECK_EQ(h_stats(e.p.b).ip6_in_receives, 15);
    expect_silent_drop(&e);
    /* The traffic class shares the byte: version 6 with any class is
     * fine. */
    start(&e, &f, 253);
    f.b[0] = 0x6f;
    f.b[1] = 0xf0;
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    h_done(&e.p);
}

TEST(truncated_header_dropped) {
    struct env e;
    struct hframe f;
    env_up(&e);
    start(&e, &f, 253);
    h_end(&f);
    for (size_t len = 0; len < 40; len += 13) {
        CHECK_OK(six_if_inject(e.p.b, e.p.ifb, f.b, len));
    }
    CHECK_OK(six_if_inject(e.p.b, e.p.ifb, f.b, 39));
    h_pump(&e.p);
    CHECK_EQ(h_stats(e.p.b).ip6_in_truncated, 5);
    expect_silent_drop(&e);
    h_done(&e.p);
}

TEST(lying_payload_length_dropped) {
    struct env e;
    struct hframe f;
    env_up(&e);
    start(&e, &f, 253);
    h_put(&f, data, sizeof(data));
    h_put16(f.b + 4, (uint16_t)(sizeof(data) + 1));   /* one byte more than sent */
    h_inject(&e.p, &f);
    h_put16(f.b + 4, 0xffff);
    h_inject(&e.p, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_truncated, 2);
    expect_silent_drop(&e);
    h_done(&e.p);
}

TEST(bytes_past_payload_length_are_link_padding) {
    struct env e;
    struct hframe f;
    env_up(&e);
    start(&e, &f, 253);
    finish_and_inject(&e, &f);   /* sets the payload length... */
    expect_delivered(&e);
    h_zero(&f, 22);               /* ...and then the frame grows */
    h_inject(&e.p, &f);
    expect_delivered(&e);
    CHECK_EQ(h_stats(e.p.b).ip6_in_truncated, 0);
    h_done(&e.p);
}

TEST(multicast_source_dropped) {
    struct env e;
    struct hframe f;
    struct in6_addr mc = h_in6("ff02::1"), mc2 = h_in6("ff0e::1234");
    env_up(&e);
    h_ip6(&f, &mc, &e.p.addr_b, 253, 64);
    finish_and_inject(&e, &f);
    h_ip6(&f, &mc2, &e.p.addr_b, 253, 64);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_src, 2);
    /* RFC 4443 2.4(e): no error to a multicast source either. */
    expect_silent_drop(&e);
    h_done(&e.p);
}

TEST(loopback_source_from_a_link_dropped) {
    struct env e;
    struct hframe f;
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    env_up(&e);
    /* RFC 4291 2.5.3: never from a link, as source or destination. */
    h_ip6(&f, &lo, &e.p.addr_b, 253, 64);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_src, 1);
    h_ip6(&f, &e.p.addr_a, &lo, 253, 64);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_dst, 1);
    expect_silent_drop(&e);
    h_done(&e.p);
}

TEST(unspecified_destination_dropped) {
    struct env e;
    struct hframe f;
    struct in6_addr any = IN6ADDR_ANY_INIT;
    env_up(&e);
    h_ip6(&f, &e.p.addr_a, &any, 253, 64);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_dst, 1);
    expect_silent_drop(&e);
    h_done(&e.p);
}

TEST(packet_not_for_us_dropped) {
    struct env e;
    struct hframe f;
    struct in6_addr other = h_in6("2001:db8::99"), group = h_in6("ff02::1:2");
    env_up(&e);
    h_ip6(&f, &e.p.addr_a, &other, 253, 64);
    finish_and_inject(&e, &f);
    /* A group B has not joined. */
    h_ip6(&f, &e.p.addr_a, &group, 253, 64);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_not_for_us, 2);
    expect_silent_drop(&e);
    h_done(&e.p);
}

TEST(all_nodes_multicast_delivered) {
    struct env e;
    struct hframe f;
    struct in6_addr all = h_in6("ff02::1");
    env_up(&e);
    h_ip6(&f, &e.p.addr_a, &all, 253, 1);
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    h_done(&e.p);
}

/* ---- hop-by-hop and destination options ---- */

TEST(hop_by_hop_not_first_is_pp_code_1) {
    struct env e;
    struct hframe f;
    env_up(&e);
    /* IPv6 -> destination options (40) -> hop-by-hop (48) -> 253 */
    start(&e, &f, 60);
    h_pad8(&f, 0);
    h_pad8(&f, 253);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_hbh_not_first, 1);
    /* The pointer is the byte that named hop-by-hop: the destination
     * options header's Next Header, at 40. */
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_NEXTHEADER, 40);
    H_NOTHING(e.b253);
    /* Two hop-by-hop headers: the second is not first either. */
    start(&e, &f, 0);
    h_pad8(&f, 0);
    h_pad8(&f, 253);
    finish_and_inject(&e, &f);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_NEXTHEADER, 40);
    CHECK_EQ(h_stats(e.p.b).ip6_in_hbh_not_first, 2);
    H_NOTHING(e.b253);
    h_done(&e.p);
}

TEST(hop_by_hop_first_is_processed_and_delivered) {
    struct env e;
    struct hframe f;
    env_up(&e);
    start(&e, &f, 0);
    h_pad8(&f, 253);
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    /* Router Alert is fine on a host. */
    start(&e, &f, 0);
    uint8_t ra[8] = {253, 0, 0x05, 2, 0, 0, 1, 0};
    h_put(&f, ra, sizeof(ra));
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_msgs, 0);
    h_done(&e.p);
}

TEST(unknown_option_00_skipped_and_delivered) {
    struct env e;
    struct hframe f;
    env_up(&e);
    start(&e, &f, 60);
    h_opts8(&f, 253, 0x1e);
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    start(&e, &f, 0);
    h_opts8(&f, 253, 0x3e);   /* 00, may change en route */
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_option, 0);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_msgs, 0);
    h_done(&e.p);
}

TEST(unknown_option_01_silent_drop) {
    struct env e;
    struct hframe f;
    env_up(&e);
    start(&e, &f, 60);
    h_opts8(&f, 253, 0x5e);
    finish_and_inject(&e, &f);
    start(&e, &f, 0);
    h_opts8(&f, 253, 0x5e);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_option, 2);
    expect_silent_drop(&e);
    h_done(&e.p);
}

TEST(unknown_option_10_pp_code_2_at_the_type_byte) {
    struct env e;
    struct hframe f;
    struct in6_addr all = h_in6("ff02::1");
    env_up(&e);
    /* The option is the second one of its header: PadN (2 bytes) then
     * the unknown type at 40 + 2 + 2 = 44. */
    start(&e, &f, 60);
    uint8_t dst[8] = {253, 0, 1, 0, 0x9e, 2, 0xaa, 0xbb};
    h_put(&f, dst, sizeof(dst));
    finish_and_inject(&e, &f);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_OPTION, 44);
    /* In hop-by-hop, after a destination-options-free start: 42. */
    start(&e, &f, 0);
    h_opts8(&f, 253, 0x9e);
    finish_and_inject(&e, &f);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_OPTION, 42);
    /* RFC 8200 4.2: "regardless of whether or not the packet's
     * Destination Address was a multicast address". */
    h_ip6(&f, &e.p.addr_a, &all, 60, 64);
    h_opts8(&f, 253, 0x9e);
    finish_and_inject(&e, &f);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_OPTION, 42);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_option, 3);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_errors, 3);
    H_NOTHING(e.b253);
    h_done(&e.p);
}

TEST(unknown_option_11_pp_unless_multicast) {
    struct env e;
    struct hframe f;
    struct in6_addr all = h_in6("ff02::1");
    env_up(&e);
    start(&e, &f, 60);
    h_opts8(&f, 253, 0xde);
    finish_and_inject(&e, &f);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_OPTION, 42);
    h_ip6(&f, &e.p.addr_a, &all, 60, 64);
    h_opts8(&f, 253, 0xde);
    finish_and_inject(&e, &f);
    H_NOTHING(e.icmp_a);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_option, 2);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_errors, 1);
    H_NOTHING(e.b253);
    h_done(&e.p);
}

TEST(option_running_past_its_header_dropped) {
    struct env e;
    struct hframe f;
    env_up(&e);
    /* An 8-byte header whose PadN claims 10 bytes of data: the length
     * byte at 43 is the erroneous field (FreeBSD's ip6_process_hopopts
     * points there too). */
    start(&e, &f, 60);
    uint8_t bad[8] = {253, 0, 1, 10, 0, 0, 0, 0};
    h_put(&f, bad, sizeof(bad));
    /* The bytes the option claims do exist after the header: they must
     * not be read as part of it. */
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_ext, 1);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_HEADER, 43);
    /* A type byte as the header's last byte, with no room for a length. */
    start(&e, &f, 0);
    uint8_t cut[8] = {253, 0, 1, 3, 0, 0, 0, 0x1e};
    h_put(&f, cut, sizeof(cut));
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_ext, 2);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_HEADER, 47);
    H_NOTHING(e.b253);
    CHECK_EQ(h_stats(e.p.b).raw_in_delivered, 0);
    h_done(&e.p);
}

TEST(extension_header_length_past_the_packet_dropped) {
    struct env e;
    struct hframe f;
    env_up(&e);
    /* Hdr Ext Len 200 says 1608 bytes; the packet has 8 + data. */
    start(&e, &f, 60);
    uint8_t h[8] = {253, 200, 1, 4, 0, 0, 0, 0};
    h_put(&f, h, sizeof(h));
    finish_and_inject(&e, &f);
    start(&e, &f, 0);
    h[1] = 3;
    h_put(&f, h, sizeof(h));
    finish_and_inject(&e, &f);
    /* A routing header cut short, and a lone Next Header byte. */
    start(&e, &f, 43);
    uint8_t rh[4] = {253, 0, 0, 0};
    h_put(&f, rh, sizeof(rh));
    h_end(&f);
    h_inject(&e.p, &f);
    start(&e, &f, 60);
    h_put(&f, rh, 1);
    h_end(&f);
    h_inject(&e.p, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_ext, 4);
    expect_silent_drop(&e);
    h_done(&e.p);
}

/* ---- routing and fragment headers ---- */

TEST(routing_header_segments_left_is_pp_code_0_at_type) {
    struct env e;
    struct hframe f;
    env_up(&e);
    /* RFC 5095: type 0 is never processed; RFC 8200 4.4: with segments
     * left, an unrecognised type is Parameter Problem code 0 pointing at
     * the Routing Type field (40 + 2). */
    for (uint8_t type = 0; type < 5; type++) {
        start(&e, &f, 43);
        uint8_t rh[24] = {253, 2, type, 1};
        memcpy(rh + 8, &e.p.addr_b, 16);
        h_put(&f, rh, sizeof(rh));
        finish_and_inject(&e, &f);
        H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_HEADER, 42);
    }
    /* Behind a destination options header the pointer moves along. */
    start(&e, &f, 60);
    h_pad8(&f, 43);
    uint8_t rh[24] = {253, 2, 0, 1};
    h_put(&f, rh, sizeof(rh));
    finish_and_inject(&e, &f);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_HEADER, 50);
    CHECK_EQ(h_stats(e.p.b).ip6_in_rthdr_bad, 6);
    H_NOTHING(e.b253);
    h_done(&e.p);
}

TEST(routing_header_segments_left_zero_ignored) {
    struct env e;
    struct hframe f;
    env_up(&e);
    start(&e, &f, 43);
    uint8_t rh[24] = {253, 2, 0, 0};
    h_put(&f, rh, sizeof(rh));
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    start(&e, &f, 43);
    uint8_t rh4[8] = {253, 0, 4, 0};   /* an unknown type, segments left 0 */
    h_put(&f, rh4, sizeof(rh4));
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    CHECK_EQ(h_stats(e.p.b).ip6_in_rthdr_bad, 0);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_msgs, 0);
    h_done(&e.p);
}

TEST(atomic_fragment_delivered) {
    struct env e;
    struct hframe f;
    env_up(&e);
    /* RFC 6946: offset 0 and M = 0 is a whole packet. */
    start(&e, &f, 44);
    uint8_t fh[8] = {253, 0, 0, 0, 0x12, 0x34, 0x56, 0x78};
    h_put(&f, fh, sizeof(fh));
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    /* The reserved bits are ignored on reception. */
    start(&e, &f, 44);
    fh[1] = 0xff;
    fh[3] = 0x06;
    h_put(&f, fh, sizeof(fh));
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    CHECK_EQ(h_stats(e.p.b).reass_atomic, 2);
    CHECK_EQ(h_stats(e.p.b).reass_in_frags, 0);
    h_done(&e.p);
}

TEST(non_atomic_fragments_go_to_reassembly) {
    struct env e;
    struct hframe f;
    env_up(&e);
    /* The first 16 bytes of data at offset 0 with M = 1, then the last
     * byte at offset 16 (reass_test.c has the rest). */
    start(&e, &f, 44);
    uint8_t first[8] = {253, 0, 0x00, 0x01, 0, 0, 0, 9};
    h_put(&f, first, sizeof(first));
    h_put(&f, data, 16);
    h_end(&f);
    h_inject(&e.p, &f);
    /* ip6(4): fragments never reach a raw socket. */
    expect_silent_drop(&e);
    start(&e, &f, 44);
    uint8_t last[8] = {253, 0, 0x00, 0x10, 0, 0, 0, 9};
    h_put(&f, last, sizeof(last));
    h_put(&f, data + 16, sizeof(data) - 16);
    h_end(&f);
    h_inject(&e.p, &f);
    expect_delivered(&e);
    CHECK_EQ(h_stats(e.p.b).reass_in_frags, 2);
    CHECK_EQ(h_stats(e.p.b).reass_ok, 1);
    h_done(&e.p);
}

/* ---- the end of the chain ---- */

TEST(no_next_header_counted) {
    struct env e;
    struct hframe f;
    env_up(&e);
    start(&e, &f, 59);
    finish_and_inject(&e, &f);
    start(&e, &f, 60);
    h_pad8(&f, 59);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_no_next_header, 2);
    CHECK_EQ(h_stats(e.p.b).ip6_in_unknown_proto, 0);
    expect_silent_drop(&e);
    h_done(&e.p);
}

TEST(unknown_next_header_is_pp_code_1) {
    struct env e;
    struct hframe f;
    env_up(&e);
    start(&e, &f, 254);   /* nobody on B wants 254 */
    finish_and_inject(&e, &f);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_NEXTHEADER, 6);
    /* After extension headers: the last one's Next Header byte. */
    start(&e, &f, 0);
    h_pad8(&f, 60);
    h_pad8(&f, 254);
    finish_and_inject(&e, &f);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_NEXTHEADER, 48);
    CHECK_EQ(h_stats(e.p.b).ip6_in_unknown_proto, 2);
    CHECK_EQ(h_stats(e.p.b).raw_in_no_socket, 2);
    h_done(&e.p);
}

TEST(too_many_extension_headers_dropped) {
    struct env e;
    struct hframe f;
    env_up(&e);
    start(&e, &f, 60);
    for (int i = 0; i < 40; i++)
        h_pad8(&f, 60);
    h_pad8(&f, 253);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_too_many_ext, 1);
    expect_silent_drop(&e);
    /* A handful is fine. */
    start(&e, &f, 60);
    for (int i = 0; i < 4; i++)
        h_pad8(&f, 60);
    h_pad8(&f, 253);
    finish_and_inject(&e, &f);
    expect_delivered(&e);
    h_done(&e.p);
}

/* ---- ICMPv6 ---- */

TEST(icmp6_bad_checksum_dropped) {
    struct env e;
    struct hframe f;
    env_up(&e);
    int bi = h_icmp_sock(&e.p, e.p.b);
    start(&e, &f, 58);
    size_t off = h_icmp6(&f, ICMP6_ECHO_REQUEST, 0, 0x00010001, data, sizeof(data));
    f.b[off + 2] ^= 1;
    h_inject(&e.p, &f);
    /* And a message for the sockets, also bad. */
    start(&e, &f, 58);
    off = h_icmp6(&f, 200, 0, 0, data, sizeof(data));
    f.b[off + 12] ^= 0x80;
    h_inject(&e.p, &f);
    CHECK_EQ(h_stats(e.p.b).icmp6_in_bad_checksum, 2);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_echo_replies, 0);
    H_NOTHING(bi);
    H_NOTHING(e.icmp_a);
    h_done(&e.p);
}

TEST(icmp6_truncated_dropped) {
    struct env e;
    struct hframe f;
    env_up(&e);
    int bi = h_icmp_sock(&e.p, e.p.b);
    start(&e, &f, 58);
    uint8_t four[4] = {200, 0, 0, 0};
    h_put(&f, four, sizeof(four));
    h_end(&f);
    h_icmp6_fix(&f, 40);
    h_inject(&e.p, &f);
    CHECK_EQ(h_stats(e.p.b).icmp6_in_truncated, 1);
    H_NOTHING(bi);
    h_done(&e.p);
}

TEST(echo_request_to_loopback_answered) {
    struct hpair p;
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    struct hicmp m;
    h_up(&p);
    int a = h_icmp_sock(&p, p.a);
    uint8_t req[8 + 5] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0xab, 0xcd, 0, 7, 'h', 'e', 'l', 'l', 'o'};
    h_send_ok(a, &lo, req, sizeof(req));
    /* Loopback traffic is delivered before the send returns. */
    h_icmp_read(a, &m);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);
    CHECK_EQ(m.word, 0xabcd0007);
    CHECK_EQ(m.len, sizeof(req));
    CHECK_MEM(m.msg + 8, req + 8, 5);
    CHECK(h_addr_eq(&m.from.sin6_addr, &lo));
    /* The request itself never reaches the socket. */
    H_NOTHING(a);
    CHECK_EQ(h_stats(p.a).icmp6_in_echo_requests, 1);
    CHECK_EQ(h_stats(p.a).icmp6_out_echo_replies, 1);
    CHECK_EQ(h_stats(p.b).ip6_in_receives, 0);
    h_done(&p);
}

TEST(echo_reply_payload_equals_request_payload) {
    struct env e;
    struct hframe f;
    struct hicmp m;
    uint8_t body[1200];
    env_up(&e);
    for (size_t i = 0; i < sizeof(body); i++)
        body[i] = (uint8_t)(i ^ 0x5a);
    start(&e, &f, 58);
    h_icmp6(&f, ICMP6_ECHO_REQUEST, 0, 0x4242002a, body, sizeof(body));
    h_inject(&e.p, &f);
    h_icmp_read(e.icmp_a, &m);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);
    CHECK_EQ(m.code, 0);
    CHECK_EQ(m.word, 0x4242002a);
    CHECK_EQ(m.len, 8 + sizeof(body));
    CHECK_MEM(m.msg + 8, body, sizeof(body));
    CHECK(h_addr_eq(&m.from.sin6_addr, &e.p.addr_b));
    CHECK_EQ(h_cksum(&e.p.addr_b, &e.p.addr_a, 58, m.msg, m.len), 0);
    /* An empty echo works as well. */
    start(&e, &f, 58);
    h_icmp6(&f, ICMP6_ECHO_REQUEST, 0, 0x00010002, NULL, 0);
    h_inject(&e.p, &f);
    h_icmp_read(e.icmp_a, &m);
    CHECK_EQ(m.len, 8);
    CHECK_EQ(m.word, 0x00010002);
    h_done(&e.p);
}

TEST(echo_request_to_all_nodes_answered_from_unicast) {
    struct env e;
    struct hframe f;
    struct hicmp m;
    struct in6_addr all = h_in6("ff02::1");
    env_up(&e);
    h_ip6(&f, &e.p.addr_a, &all, 58, 1);
    h_icmp6(&f, ICMP6_ECHO_REQUEST, 0, 0x00090009, data, sizeof(data));
    h_inject(&e.p, &f);
    h_icmp_read(e.icmp_a, &m);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);
    CHECK(h_addr_eq(&m.from.sin6_addr, &e.p.addr_b));
    h_done(&e.p);
}

TEST(error_quotes_the_invoking_packet_within_1280_bytes) {
    struct env e;
    struct hframe f;
    struct hicmp m;
    env_up(&e);
    /* Small: the whole packet is quoted. */
    start(&e, &f, 254);
    finish_and_inject(&e, &f);
    h_icmp_read(e.icmp_a, &m);
    CHECK_EQ(m.type, ICMP6_PARAM_PROB);
    CHECK_EQ(m.len, 8 + f.len);
    CHECK_MEM(m.msg + 8, f.b, f.len);
    /* Large: as much as fits in 1280 bytes with the error's own headers
     * (RFC 4443 2.4(c)): 1280 - 40 - 8 = 1232 bytes of quote. */
    start(&e, &f, 254);
    for (int i = 0; i < 1400; i++) {
        uint8_t byte = (uint8_t)(i * 13);
        h_put(&f, &byte, 1);
    }
    h_end(&f);
    h_inject(&e.p, &f);
    h_icmp_read(e.icmp_a, &m);
    CHECK_EQ(m.type, ICMP6_PARAM_PROB);
    CHECK_EQ(40 + m.len, 1280);
    CHECK_MEM(m.msg + 8, f.b, 1232);
    CHECK_EQ(h_cksum(&e.p.addr_b, &e.p.addr_a, 58, m.msg, m.len), 0);
    h_done(&e.p);
}

TEST(error_never_answers_an_icmp6_error) {
    struct env e;
    struct hframe f;
    env_up(&e);
    /* An ICMPv6 error behind a destination options header whose option
     * asks for a Parameter Problem: RFC 4443 2.4(e.1) forbids it. */
    uint8_t quoted[48] = {0x60};
    uint8_t types[] = {ICMP6_DST_UNREACH, ICMP6_PACKET_TOO_BIG, ICMP6_TIME_EXCEEDED,
                       ICMP6_PARAM_PROB, 127, ND_REDIRECT};
    for (size_t i = 0; i < sizeof(types); i++) {
        start(&e, &f, 60);
        h_opts8(&f, 58, 0x9e);
        h_icmp6(&f, types[i], 0, 0, quoted, sizeof(quoted));
        h_inject(&e.p, &f);
    }
    CHECK_EQ(h_stats(e.p.b).icmp6_err_suppressed, sizeof(types));
    CHECK_EQ(h_stats(e.p.b).icmp6_out_msgs, 0);
    H_NOTHING(e.icmp_a);
    /* An informational message in the same packet is answered. */
    start(&e, &f, 60);
    h_opts8(&f, 58, 0x9e);
    h_icmp6(&f, ICMP6_ECHO_REPLY, 0, 0, quoted, sizeof(quoted));
    h_inject(&e.p, &f);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_OPTION, 42);
    h_done(&e.p);
}

TEST(error_never_sent_to_the_unspecified_address) {
    struct env e;
    struct hframe f;
    struct in6_addr any = IN6ADDR_ANY_INIT;
    env_up(&e);
    h_ip6(&f, &any, &e.p.addr_b, 254, 64);
    finish_and_inject(&e, &f);
    h_ip6(&f, &any, &e.p.addr_b, 60, 64);
    h_opts8(&f, 253, 0x9e);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).icmp6_err_suppressed, 2);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_msgs, 0);
    /* Such a packet is still delivered when it is fine otherwise. */
    h_ip6(&f, &any, &e.p.addr_b, 253, 64);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).raw_in_delivered, 1);
    h_done(&e.p);
}

TEST(error_never_sent_for_a_multicast_destination) {
    struct env e;
    struct hframe f;
    struct in6_addr all = h_in6("ff02::1");
    env_up(&e);
    /* RFC 4443 2.4(e.3): unknown next header to a group: no error. */
    h_ip6(&f, &e.p.addr_a, &all, 254, 64);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_unknown_proto, 1);
    CHECK_EQ(h_stats(e.p.b).icmp6_err_suppressed, 1);
    H_NOTHING(e.icmp_a);
    h_done(&e.p);
}

static void inject_bad(struct env *e, int n) {
    struct hframe f;
    for (int i = 0; i < n; i++) {
        start(e, &f, 254);
        finish_and_inject(e, &f);
    }
}

static int drain_errors(int fd) {
    struct hicmp m;
    int n = 0;
    uint8_t buf[2048];
    while (h_recv(fd, buf, sizeof(buf), NULL) >= 0)
        n++;
    CHECK_EQ(errno, EAGAIN);
    (void)m;
    return n;
}

TEST(error_rate_limit_burst_then_refill) {
    struct env e;
    env_up(&e);
    /* The default bucket: 10 at once, 100 per second. */
    inject_bad(&e, 20);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_errors, 10);
    CHECK_EQ(h_stats(e.p.b).icmp6_err_rate_limited, 10);
    CHECK_EQ(drain_errors(e.icmp_a), 10);
    /* No time passed: still nothing. */
    inject_bad(&e, 3);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_errors, 10);
    CHECK_EQ(h_stats(e.p.b).icmp6_err_rate_limited, 13);
    /* 10 ms is one token at 100/s. */
    h_advance(&e.p, 10000);
    inject_bad(&e, 3);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_errors, 11);
    CHECK_EQ(h_stats(e.p.b).icmp6_err_rate_limited, 15);
    /* A long pause refills the bucket to its burst, no more. */
    h_advance(&e.p, 60 * 1000000ull);
    inject_bad(&e, 20);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_errors, 21);
    CHECK_EQ(h_stats(e.p.b).icmp6_err_rate_limited, 25);
    CHECK_EQ(drain_errors(e.icmp_a), 11);
    h_done(&e.p);
}

TEST(error_rate_limit_refills_under_a_steady_flood) {
    /* Bad packets every 5 us for 100 ms: the bucket must still refill at
     * 100 per second (10 more errors after the burst), however finely the
     * time between errors is sliced. */
    struct env e;
    env_up(&e);
    inject_bad(&e, 10);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_errors, 10);
    for (int i = 0; i < 20000; i++) {
        CHECK_OK(six_stack_set_time(e.p.b, six_stack_now(e.p.b) + 5));
        struct hframe f;
        start(&e, &f, 254);
        h_put(&f, data, sizeof(data));
        h_end(&f);
        CHECK_OK(six_if_inject(e.p.b, e.p.ifb, f.b, f.len));
        if (i % 64 == 0)
            h_pump(&e.p);
        if (i % 64 == 0)
            drain_errors(e.icmp_a);
    }
    h_pump(&e.p);
    uint64_t sent = h_stats(e.p.b).icmp6_out_errors;
    CHECK(sent >= 19 && sent <= 21);
    h_done(&e.p);
}

/* ---- buffers ---- */

TEST(input_without_a_buffer_is_counted) {
    /* B has two buffers; its socket holds them both, so the third frame
     * off the wire has nowhere to go. */
    struct hpair p;
    struct six_stack_config cb = h_config(2);
    cb.pkt_small_max = 2;
    cb.pkt_large_max = 0;
    h_up_cfg(&p, NULL, &cb);
    int a = h_sock(&p, p.a, 253);
    int b = h_sock(&p, p.b, 253);
    for (int i = 0; i < 3; i++)
        h_send_ok(a, &p.addr_b, data, sizeof(data));
    h_pump(&p);
    CHECK_EQ(h_stats(p.b).ip6_in_nobufs, 1);
    CHECK_EQ(h_stats(p.b).ip6_in_receives, 2);
    CHECK_EQ(h_stats(p.b).raw_in_delivered, 2);
    /* Injecting is refused the same way. */
    struct hframe f;
    h_frame_ab(&p, &f, 253);
    h_put(&f, data, sizeof(data));
    h_end(&f);
    CHECK_ERRNO(six_if_inject(p.b, p.ifb, f.b, f.len), ENOBUFS);
    uint8_t buf[64];
    CHECK_OK(h_recv(b, buf, sizeof(buf), NULL));
    CHECK_OK(h_recv(b, buf, sizeof(buf), NULL));
    H_NOTHING(b);
    h_done(&p);
}

TEST(answers_without_a_buffer_are_not_sent) {
    struct env e;
    struct hframe f;
    env_up(&e);
    /* The injected frame takes the first allocation, the answer the
     * second. */
    start(&e, &f, 58);
    h_icmp6(&f, ICMP6_ECHO_REQUEST, 0, 1, data, sizeof(data));
    six_stack_fail_alloc(e.p.b, 2);
    h_inject(&e.p, &f);
    CHECK_EQ(h_stats(e.p.b).icmp6_in_echo_requests, 1);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_echo_replies, 0);
    CHECK_EQ(h_stats(e.p.b).ip6_out_nobufs, 1);
    start(&e, &f, 254);
    h_put(&f, data, sizeof(data));
    h_end(&f);
    six_stack_fail_alloc(e.p.b, 2);
    h_inject(&e.p, &f);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_errors, 0);
    CHECK_EQ(h_stats(e.p.b).ip6_out_nobufs, 2);
    H_NOTHING(e.icmp_a);
    /* And with buffers again, both are answered. */
    start(&e, &f, 58);
    h_icmp6(&f, ICMP6_ECHO_REQUEST, 0, 1, data, sizeof(data));
    h_inject(&e.p, &f);
    struct hicmp m;
    h_icmp_read(e.icmp_a, &m);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);
    h_done(&e.p);
}

TEST(error_to_an_unroutable_source_is_counted) {
    struct env e;
    struct hframe f;
    struct in6_addr far = h_in6("2001:db9::5");
    env_up(&e);
    h_ip6(&f, &far, &e.p.addr_b, 254, 64);
    finish_and_inject(&e, &f);
    CHECK_EQ(h_stats(e.p.b).ip6_in_unknown_proto, 1);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_errors, 0);
    CHECK_EQ(h_stats(e.p.b).ip6_out_no_route, 1);
    h_done(&e.p);
}

TEST(echo_request_to_anycast_answered_from_unicast) {
    /* RFC 4443 4.2: the reply to a request sent to an anycast address
     * comes from a unicast address of the interface it arrived on. */
    struct env e;
    struct hframe f;
    struct hicmp m;
    struct in6_addr any = h_in6("2001:db8::aa");
    env_up(&e);
    CHECK_OK(six_addr_add(e.p.b, e.p.ifb, &any, 64, SIX_ADDR_ANYCAST));
    h_ip6(&f, &e.p.addr_a, &any, 58, 64);
    h_icmp6(&f, ICMP6_ECHO_REQUEST, 0, 0x00050006, data, sizeof(data));
    h_inject(&e.p, &f);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_echo_replies, 1);
    h_icmp_read(e.icmp_a, &m);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);
    CHECK_EQ(m.word, 0x00050006);
    CHECK(h_addr_eq(&m.from.sin6_addr, &e.p.addr_b));
    /* An error about a packet to the anycast address, likewise. */
    h_ip6(&f, &e.p.addr_a, &any, 254, 64);
    finish_and_inject(&e, &f);
    h_icmp_read(e.icmp_a, &m);
    CHECK_EQ(m.type, ICMP6_PARAM_PROB);
    CHECK(h_addr_eq(&m.from.sin6_addr, &e.p.addr_b));
    h_done(&e.p);
}
