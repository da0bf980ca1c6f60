/* Reassembly through the public API (RFC 8200 4.5, RFC 5722, RFC 6946,
 * RFC 7112, RFC 6980): fragments built byte by byte are injected into B
 * as if A had sent them; each test checks what B's sockets got, B's
 * counters, and the ICMPv6 errors that reach A's ICMPv6 socket, byte by
 * byte where it matters. Time moves only on the stacks' manual clocks.
 *
 * Pictures show fragments by byte offset in the fragmentable part:
 *
 *     0       8       16
 *     |=======|              a fragment holding bytes 0..7 ('|' ends)
 */
#include <stdlib.h>

#include "harness.h"

#define SEC 1000000ull
#define PROTO 253
#define NH_FRAG 44

/* A datagram to cut into fragments: the headers that go before the
 * Fragment header in every fragment (whole, their last Next Header byte
 * set to 44 by the builder), the protocol the Fragment header names, and
 * the fragmentable part. */
struct dgram {
    uint8_t unfrag[64];
    size_t unfrag_len;
    uint8_t unfrag_first;     /* the type of unfrag's first header */
    size_t unfrag_last;       /* offset in unfrag of its last header */
    uint8_t nxt;
    uint32_t ident;
    uint8_t payload[65536];
    size_t len;
    struct in6_addr src;
};

struct env {
    struct hpair p;
    int b253;      /* protocol 253 on B */
    int icmp_a;    /* A's view of B's errors */
    unsigned base_a, base_b;
};

static struct dgram dg, dg2;   /* big: static */
static struct hframe fr;

static void env_up_cfg(struct env *e, const struct six_stack_config *cfg_b) {
    h_up_cfg(&e->p, NULL, cfg_b);
    e->b253 = h_sock(&e->p, e->p.b, PROTO);
    e->icmp_a = h_icmp_sock(&e->p, e->p.a);
}

static void env_up(struct env *e) { env_up_cfg(e, NULL); }

/* A test config for B with reassembly limits changed by the caller. */
static struct six_stack_config cfg_b(void) { return h_config(2); }

static void dgram_init(struct dgram *d, struct env *e, size_t len, uint32_t ident) {
    memset(d, 0, sizeof(*d));
    d->nxt = PROTO;
    d->ident = ident;
    d->len = len;
    d->src = e->p.addr_a;
    for (size_t i = 0; i < len; i++)
        d->payload[i] = (uint8_t)(i * 13 + ident + (i >> 8));
}

/* Adds an 8-byte header of the given type (hop-by-hop or destination
 * options, PadN only, with data byte tag) to the unfragmentable part. */
static void dgram_unfrag8(struct dgram *d, uint8_t type, uint8_t tag) {
    uint8_t h[8] = {NH_FRAG, 0, 1, 4, tag, tag, tag, tag};
    if (d->unfrag_len == 0)
        d->unfrag_first = type;
    else
        d->unfrag[d->unfrag_last] = type;
    d->unfrag_last = d->unfrag_len;
    memcpy(d->unfrag + d->unfrag_len, h, sizeof(h));
    d->unfrag_len += sizeof(h);
}

/* The fragment holding payload[off..off+len) with M = more, in fr. */
static void build(struct env *e, const struct dgram *d, size_t off, size_t len, int more) {
    uint8_t fh[8] = {d->nxt, 0, (uint8_t)(off >> 8), (uint8_t)((off & 0xf8) | (more ? 1 : 0)),
                     (uint8_t)(d->ident >> 24), (uint8_t)(d->ident >> 16),
                     (uint8_t)(d->ident >> 8), (uint8_t)d->ident};
    h_ip6(&fr, &d->src, &e->p.addr_b, d->unfrag_len ? d->unfrag_first : NH_FRAG, 64);
    if (d->unfrag_len)
        h_put(&fr, d->unfrag, d->unfrag_len);
    h_put(&fr, fh, sizeof(fh));
    if (len)
        h_put(&fr, d->payload + off, len);
    h_end(&fr);
}

static void send_frag(struct env *e, const struct dgram *d, size_t off, size_t len, int more) {
    build(e, d, off, len, more);
    h_inject(&e->p, &fr);
}

/* The fragments of d, each carrying up to per bytes, listed in order. */
struct cut {
    size_t off[9000], len[9000];
    int more[9000];
    size_t n;
};
static struct cut cut;

static void cut_up(const struct dgram *d, size_t per) {
    cut.n = 0;
    for (size_t off = 0; off < d->len; off += per) {
        size_t len = d->len - off < per ? d->len - off : per;
        cut.off[cut.n] = off;
        cut.len[cut.n] = len;
        cut.more[cut.n] = off + len < d->len;
        cut.n++;
    }
}

static void send_piece(struct env *e, const struct dgram *d, size_t i) {
    send_frag(e, d, cut.off[i], cut.len[i], cut.more[i]);
}

/* A fixed-seed shuffle (xorshift), the same on every run. */
static void shuffle(size_t *order, size_t n, uint64_t seed) {
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n; i > 1; i--) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        size_t j = (size_t)(seed % i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

/* B's 253 socket got exactly d's payload, from d's source. */
static void expect_whole(int fd, const struct dgram *d) {
    static uint8_t buf[70000];
    struct sockaddr_in6 from;
    ssize_t n = CHECK_OK(h_recv(fd, buf, sizeof(buf), &from));
    CHECK_EQ(n, d->len);
    CHECK_MEM(buf, d->payload, d->len);
    CHECK(h_addr_eq(&from.sin6_addr, &d->src));
}

static void expect_nothing(struct env *e) {
    H_NOTHING(e->b253);
    H_NOTHING(e->icmp_a);
}

/* Moves both clocks by us and lets timers fire. */
static void advance(struct env *e, uint64_t us) { h_advance(&e->p, us); }

static void done(struct env *e) { h_done(&e->p); }

/* ---- the order fragments come in ---- */

TEST(reass_in_order_delivered) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 3000, 1);
    cut_up(&dg, 1448);
    for (size_t i = 0; i < cut.n; i++)
        send_piece(&e, &dg, i);
    expect_whole(e.b253, &dg);
    expect_nothing(&e);
    struct six_stats s = h_stats(e.p.b);
    CHECK_EQ(s.reass_in_frags, 3);
    CHECK_EQ(s.reass_ok, 1);
    CHECK_EQ(s.ip6_in_delivers, 1);
    CHECK_EQ(s.raw_in_delivered, 1);
    done(&e);
}

TEST(reass_reversed_delivered) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 20000, 2);
    cut_up(&dg, 1000);
    for (size_t i = cut.n; i-- > 0;)
        send_piece(&e, &dg, i);
    expect_whole(e.b253, &dg);
    expect_nothing(&e);
    CHECK_EQ(h_stats(e.p.b).reass_ok, 1);
    done(&e);
}

TEST(reass_shuffled_delivered) {
    struct env e;
    size_t order[64];
    env_up(&e);
    for (uint64_t seed = 1; seed <= 8; seed++) {
        dgram_init(&dg, &e, 65535 - 8 * seed, (uint32_t)(100 + seed));
        cut_up(&dg, 1448);
        CHECK(cut.n <= 64);
        shuffle(order, cut.n, seed * 0x9e3779b97f4a7c15ull);
        for (size_t i = 0; i < cut.n; i++)
            send_piece(&e, &dg, order[i]);
        expect_whole(e.b253, &dg);
    }
    expect_nothing(&e);
    CHECK_EQ(h_stats(e.p.b).reass_ok, 8);
    done(&e);
}

TEST(reass_largest_datagram_delivered) {
    struct env e;
    env_up(&e);
    /* 65535 bytes of payload after the IPv6 header: the Fragment header
     * goes, so the fragmentable part may be all of it. */
    dgram_init(&dg, &e, 65535, 3);
    cut_up(&dg, 1448);
    for (size_t i = 0; i < cut.n; i++)
        send_piece(&e, &dg, i);
    expect_whole(e.b253, &dg);
    CHECK_EQ(h_stats(e.p.b).reass_too_big, 0);
    done(&e);
}

TEST(reass_interleaved_datagrams_kept_apart) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 4000, 7);
    dgram_init(&dg2, &e, 4000, 8);   /* same source and destination */
    cut_up(&dg, 1000);
    for (size_t i = 0; i < cut.n; i++) {
        send_piece(&e, &dg, i);
        send_piece(&e, &dg2, cut.n - 1 - i);
    }
    expect_whole(e.b253, &dg);
    expect_whole(e.b253, &dg2);
    CHECK_EQ(h_stats(e.p.b).reass_ok, 2);
    done(&e);
}

/* ---- duplicates and overlaps ---- */

TEST(reass_exact_duplicates_dropped_datagram_delivered_once) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 4000, 9);
    cut_up(&dg, 1448);
    /* Every fragment twice, the last one only once. */
    send_piece(&e, &dg, 0);
    send_piece(&e, &dg, 0);
    send_piece(&e, &dg, 1);
    send_piece(&e, &dg, 0);
    send_piece(&e, &dg, 1);
    send_piece(&e, &dg, 2);
    expect_whole(e.b253, &dg);
    H_NOTHING(e.b253);
    struct six_stats s = h_stats(e.p.b);
    CHECK_EQ(s.reass_dup, 3);
    CHECK_EQ(s.reass_overlap, 0);
    CHECK_EQ(s.reass_ok, 1);
    expect_nothing(&e);
    done(&e);
}

TEST(reass_overlap_discards_whole_datagram_silently) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 24, 10);
    /*   0       8       16      24
     *   |=======|=======|              A: 0..15, M = 1
     *           |=======|=======|      B: 8..23, M = 0: bytes 8..15 twice
     * RFC 5722: the whole datagram goes, and no ICMPv6 error. */
    send_frag(&e, &dg, 0, 16, 1);
    send_frag(&e, &dg, 8, 16, 0);
    CHECK_EQ(h_stats(e.p.b).reass_overlap, 1);
    /* What would have completed it without B comes too late. */
    send_frag(&e, &dg, 16, 8, 0);
    CHECK_EQ(h_stats(e.p.b).reass_dead, 1);
    expect_nothing(&e);
    /* Its 60 s end without Time Exceeded, though fragment 0 came. */
    advance(&e, 60 * SEC);
    expect_nothing(&e);
    CHECK_EQ(h_stats(e.p.b).reass_timeout, 0);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_msgs, 0);
    /* After that the identification is free again. */
    send_frag(&e, &dg, 0, 16, 1);
    send_frag(&e, &dg, 16, 8, 0);
    expect_whole(e.b253, &dg);
    done(&e);
}

TEST(reass_overlap_from_below_and_inside_detected) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 40, 11);
    /*   0       8       16      24      32      40
     *                   |=======|=======|              A: 16..31
     *           |=======|=======|                      B: 8..23, before A
     * the new fragment comes first in the list, and its end overlaps A. */
    send_frag(&e, &dg, 16, 16, 1);
    send_frag(&e, &dg, 8, 16, 1);
    CHECK_EQ(h_stats(e.p.b).reass_overlap, 1);
    /*   0       8       16      24      32      40
     *   |===============================|              C: 0..31
     *           |=======|                              D: 8..15, inside C */
    dg.ident = 12;
    send_frag(&e, &dg, 0, 32, 1);
    send_frag(&e, &dg, 8, 8, 1);
    CHECK_EQ(h_stats(e.p.b).reass_overlap, 2);
    /* Same place, same length, other bytes: not a duplicate. */
    dg.ident = 13;
    send_frag(&e, &dg, 0, 16, 1);
    dg.payload[3] ^= 0xff;
    send_frag(&e, &dg, 0, 16, 1);
    CHECK_EQ(h_stats(e.p.b).reass_overlap, 3);
    CHECK_EQ(h_stats(e.p.b).reass_dup, 0);
    /* Same range and bytes, but now claiming to be the last: not a
     * duplicate either (it would change the datagram's length). */
    dg.ident = 14;
    send_frag(&e, &dg, 8, 8, 1);
    send_frag(&e, &dg, 8, 8, 0);
    CHECK_EQ(h_stats(e.p.b).reass_overlap, 4);
    expect_nothing(&e);
    advance(&e, 60 * SEC);
    expect_nothing(&e);
    done(&e);
}

TEST(reass_fragments_disagreeing_on_the_end_discard_datagram) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 64, 15);
    /*   0       8       16      24      32
     *           |=======|              M = 0: the datagram ends at 16
     *                           |====  past its end: discarded */
    send_frag(&e, &dg, 8, 8, 0);
    send_frag(&e, &dg, 24, 8, 1);
    CHECK_EQ(h_stats(e.p.b).reass_bad_end, 1);
    /* A last fragment that ends before data already held. */
    dg.ident = 16;
    send_frag(&e, &dg, 16, 8, 1);
    send_frag(&e, &dg, 8, 8, 0);
    CHECK_EQ(h_stats(e.p.b).reass_bad_end, 2);
    /* Two last fragments with different ends. */
    dg.ident = 17;
    send_frag(&e, &dg, 8, 8, 0);
    send_frag(&e, &dg, 24, 8, 0);
    CHECK_EQ(h_stats(e.p.b).reass_bad_end, 3);
    advance(&e, 60 * SEC);
    expect_nothing(&e);
    CHECK_EQ(h_stats(e.p.b).reass_ok, 0);
    done(&e);
}

/* ---- missing fragments and the 60 s timeout ---- */

TEST(reass_missing_fragment_times_out_with_time_exceeded) {
    struct env e;
    struct hicmp m;
    uint8_t first[1500];
    size_t first_len;
    env_up(&e);
    dgram_init(&dg, &e, 3000, 20);
    cut_up(&dg, 1000);
    build(&e, &dg, cut.off[0], cut.len[0], 1);
    memcpy(first, fr.b, fr.len);
    first_len = fr.len;
    send_piece(&e, &dg, 0);
    advance(&e, 10 * SEC);
    send_piece(&e, &dg, 2);   /* the middle never comes */
    /* RFC 8200 4.5: 60 s from the first-arriving fragment, not the last. */
    advance(&e, 50 * SEC - 1);
    expect_nothing(&e);
    CHECK_EQ(h_stats(e.p.b).reass_timeout, 0);
    advance(&e, 1);
    CHECK_EQ(h_stats(e.p.b).reass_timeout, 1);
    /* Time Exceeded code 1, quoting the first fragment from its IPv6
     * header on (RFC 4443 3.3). */
    h_icmp_read(e.icmp_a, &m);
    CHECK_EQ(m.type, ICMP6_TIME_EXCEEDED);
    CHECK_EQ(m.code, ICMP6_TIME_EXCEED_REASSEMBLY);
    CHECK_EQ(m.word, 0);
    CHECK(h_addr_eq(&m.from.sin6_addr, &e.p.addr_b));
    CHECK_EQ(m.len, 8 + first_len);
    CHECK_MEM(m.msg + 8, first, first_len);
    expect_nothing(&e);
    H_NOTHING(e.b253);
    /* The timer is gone with the datagram. */
    CHECK(six_stack_poll(e.p.b, six_stack_now(e.p.b)) == UINT64_MAX);
    done(&e);
}

TEST(reass_timeout_without_first_fragment_is_silent) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 3000, 21);
    cut_up(&dg, 1000);
    send_piece(&e, &dg, 1);
    send_piece(&e, &dg, 2);
    advance(&e, 60 * SEC);
    CHECK_EQ(h_stats(e.p.b).reass_timeout, 1);
    expect_nothing(&e);
    CHECK_EQ(h_stats(e.p.b).icmp6_out_msgs, 0);
    done(&e);
}

TEST(reass_truncated_datagrams_each_time_out_once) {
    struct env e;
    env_up(&e);
    /* Several datagrams, each missing its last fragment, started a
     * second apart: each expires 60 s after its own start. */
    for (uint32_t i = 0; i < 5; i++) {
        dgram_init(&dg, &e, 3000, 30 + i);
        cut_up(&dg, 1448);
        send_piece(&e, &dg, 0);
        send_piece(&e, &dg, 1);
        advance(&e, SEC);
    }
    advance(&e, 54 * SEC);   /* 59 s after the first began */
    CHECK_EQ(h_stats(e.p.b).reass_timeout, 0);
    for (unsigned i = 1; i <= 5; i++) {
        advance(&e, SEC);
        CHECK_EQ(h_stats(e.p.b).reass_timeout, i);
        struct hicmp m;
        h_icmp_read(e.icmp_a, &m);
        CHECK_EQ(m.type, ICMP6_TIME_EXCEEDED);
        /* The quoted Fragment header names the datagram. */
        CHECK_EQ(h_get32(m.msg + 8 + 40 + 4), 30 + i - 1);
    }
    expect_nothing(&e);
    done(&e);
}

TEST(reass_completed_datagram_leaves_no_timer) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 100, 22);
    send_frag(&e, &dg, 0, 48, 1);
    CHECK(six_stack_poll(e.p.b, six_stack_now(e.p.b)) == six_stack_now(e.p.b) + 60 * SEC);
    send_frag(&e, &dg, 48, 52, 0);
    CHECK(six_stack_poll(e.p.b, six_stack_now(e.p.b)) == UINT64_MAX);
    expect_whole(e.b253, &dg);
    done(&e);
}

/* ---- a fragment on its own: RFC 8200 4.5 and RFC 7112 errors ---- */

TEST(reass_length_not_multiple_of_8_is_pp_at_payload_length) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 100, 40);
    /* M = 1 and 12 bytes: Parameter Problem code 0 at byte 4. */
    send_frag(&e, &dg, 0, 12, 1);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_HEADER, 4);
    send_frag(&e, &dg, 16, 20, 1);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_HEADER, 4);
    /* With headers before the Fragment header the pointer stays on the
     * Payload Length. */
    dgram_unfrag8(&dg, 60, 0);
    send_frag(&e, &dg, 0, 9, 1);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_HEADER, 4);
    CHECK_EQ(h_stats(e.p.b).reass_bad_len, 3);
    /* The last fragment may have any length. */
    send_frag(&e, &dg, 0, 16, 1);
    dg.len = 21;
    send_frag(&e, &dg, 16, 5, 0);
    expect_whole(e.b253, &dg);
    expect_nothing(&e);
    done(&e);
}

TEST(reass_past_65535_is_pp_at_fragment_offset) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 65536, 41);
    /* 65528 + 16 = 65544 > 65535: code 0 at the Fragment Offset, byte 2
     * of the Fragment header at 40. */
    send_frag(&e, &dg, 65528, 8, 0);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_HEADER, 42);
    CHECK_EQ(h_stats(e.p.b).reass_too_big, 1);
    send_frag(&e, &dg, 65528, 7, 0);            /* exactly 65535: fine */
    H_NOTHING(e.icmp_a);
    /* Headers before the Fragment header count too, and move the
     * pointer: 8 + 65520 + 8 is 65536. */
    dgram_unfrag8(&dg, 60, 0);
    send_frag(&e, &dg, 65520, 8, 1);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_HEADER, 50);
    CHECK_EQ(h_stats(e.p.b).reass_too_big, 2);
    advance(&e, 60 * SEC);
    expect_nothing(&e);
    done(&e);
}

TEST(reass_first_fragment_without_upper_header_is_pp_code_3) {
    struct env e;
    env_up(&e);
    /* RFC 7112: the first fragment ends inside a destination options
     * header of the fragmentable part. */
    dgram_init(&dg, &e, 64, 42);
    dg.nxt = 60;
    dg.payload[0] = PROTO;
    dg.payload[1] = 2;          /* 24 bytes */
    send_frag(&e, &dg, 0, 16, 1);
    H_EXPECT_PP(e.icmp_a, 3, 0);
    /* Behind headers on both sides of the Fragment header, a UDP header
     * that is not there at all, and a TCP header cut at 16 of its 20
     * bytes. */
    dgram_init(&dg, &e, 64, 43);
    dgram_unfrag8(&dg, 60, 0);
    dg.nxt = 60;
    uint8_t opts[8] = {17, 0, 1, 4, 0, 0, 0, 0};
    memcpy(dg.payload, opts, sizeof(opts));
    send_frag(&e, &dg, 0, 8, 1);
    H_EXPECT_PP(e.icmp_a, 3, 0);
    dg.ident = 44;
    dg.payload[0] = 6;
    send_frag(&e, &dg, 0, 24, 1);
    H_EXPECT_PP(e.icmp_a, 3, 0);
    /* No ICMPv6 header: dropped the same, but the error is not sent, as
     * the packet might be an ICMPv6 error itself (RFC 4443 2.4(e)). */
    dg.ident = 45;
    dg.payload[0] = 58;
    send_frag(&e, &dg, 0, 8, 1);
    H_NOTHING(e.icmp_a);
    CHECK_EQ(h_stats(e.p.b).icmp6_err_suppressed, 1);
    CHECK_EQ(h_stats(e.p.b).reass_first_short, 4);
    /* Later fragments alone never trigger it, and the datagram they
     * belong to times out without its first fragment: silently. */
    send_frag(&e, &dg, 8, 8, 0);
    advance(&e, 60 * SEC);
    expect_nothing(&e);
    CHECK_EQ(h_stats(e.p.b).reass_first_short, 4);
    done(&e);
}

TEST(reass_first_fragment_with_whole_chain_accepted) {
    struct env e;
    env_up(&e);
    /* Destination options, then protocol 253, whose header this stack
     * does not know: the chain is whole. */
    dgram_init(&dg, &e, 64, 45);
    dg.nxt = 60;
    memset(dg.payload, 0, 16);
    dg.payload[0] = PROTO;
    dg.payload[1] = 0;
    dg.payload[2] = 1;   /* PadN */
    dg.payload[3] = 4;
    send_frag(&e, &dg, 0, 8, 1);
    H_NOTHING(e.icmp_a);
    send_frag(&e, &dg, 8, 56, 0);
    /* The socket gets what follows the destination options. */
    static uint8_t buf[128];
    CHECK_EQ(CHECK_OK(h_recv(e.b253, buf, sizeof(buf), NULL)), 56);
    CHECK_MEM(buf, dg.payload + 8, 56);
    CHECK_EQ(h_stats(e.p.b).reass_first_short, 0);
    done(&e);
}

TEST(reass_empty_fragment_with_more_dropped) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 16, 46);
    send_frag(&e, &dg, 8, 0, 1);
    CHECK_EQ(h_stats(e.p.b).reass_empty, 1);
    CHECK_EQ(h_stats(e.p.b).reass_in_frags, 1);
    /* Nothing waits for it. */
    CHECK(six_stack_poll(e.p.b, six_stack_now(e.p.b)) == UINT64_MAX);
    expect_nothing(&e);
    done(&e);
}

/* ---- what the reassembled packet carries ---- */

/* Receives one datagram on fd with its ancillary data into ctl. */
static ssize_t recv_with_ctl(int fd, uint8_t *buf, size_t len, uint8_t *ctl, size_t *ctl_len) {
    struct iovec iov = {.iov_base = buf, .iov_len = len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                       .msg_controllen = *ctl_len};
    ssize_t n = six_recvmsg(fd, &m, MSG_DONTWAIT);
    *ctl_len = m.msg_controllen;
    return n;
}

/* The data of the cmsg of the given type in ctl, or NULL. */
static const uint8_t *find_cmsg(uint8_t *ctl, size_t ctl_len, int type, size_t *len) {
    struct msghdr m = {.msg_control = ctl, .msg_controllen = ctl_len};
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
        if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == type) {
            *len = cm->cmsg_len - CMSG_LEN(0);
            return CMSG_DATA(cm);
        }
    return NULL;
}

TEST(reass_unfragmentable_headers_of_first_fragment_reach_recvmsg) {
    struct env e;
    int on = 1;
    static uint8_t buf[4096];
    uint8_t ctl[512] __attribute__((aligned(8)));
    size_t ctl_len = sizeof(ctl), n;
    const uint8_t *hbh, *dst;
    env_up(&e);
    CHECK_OK(six_setsockopt(e.b253, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &on, sizeof(on)));
    CHECK_OK(six_setsockopt(e.b253, IPPROTO_IPV6, IPV6_RECVDSTOPTS, &on, sizeof(on)));
    CHECK_OK(six_setsockopt(e.b253, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)));
    dgram_init(&dg, &e, 2000, 50);
    dgram_unfrag8(&dg, 0, 0x11);    /* hop-by-hop, tagged 0x11 */
    dgram_unfrag8(&dg, 60, 0x22);   /* destination options, tagged 0x22 */
    /* The second fragment goes first, with other tags and hop limit:
     * only the offset-0 fragment's headers are kept (RFC 8200 4.5). */
    dg2 = dg;
    dg2.unfrag[4] = dg2.unfrag[12] = 0x99;
    build(&e, &dg2, 1448, 552, 0);
    fr.b[7] = 7;
    h_inject(&e.p, &fr);
    build(&e, &dg, 0, 1448, 1);
    fr.b[7] = 33;
    h_inject(&e.p, &fr);
    ssize_t got = CHECK_OK(recv_with_ctl(e.b253, buf, sizeof(buf), ctl, &ctl_len));
    CHECK_EQ(got, 2000);
    CHECK_MEM(buf, dg.payload, 2000);
    hbh = find_cmsg(ctl, ctl_len, IPV6_HOPOPTS, &n);
    CHECK(hbh != NULL);
    CHECK_EQ(n, 8);
    CHECK_EQ(hbh[0], 60);     /* Next Header as in the packet */
    CHECK_EQ(hbh[4], 0x11);
    dst = find_cmsg(ctl, ctl_len, IPV6_DSTOPTS, &n);
    CHECK(dst != NULL);
    CHECK_EQ(n, 8);
    /* The Fragment header is gone: the destination options now name the
     * upper-layer protocol, from the first fragment's Fragment header. */
    CHECK_EQ(dst[0], PROTO);
    CHECK_EQ(dst[4], 0x22);
    const uint8_t *hl = find_cmsg(ctl, ctl_len, IPV6_HOPLIMIT, &n);
    CHECK(hl != NULL);
    int hlim;
    memcpy(&hlim, hl, sizeof(hlim));
    CHECK_EQ(hlim, 33);
    done(&e);
}

TEST(reass_later_fragments_next_header_ignored) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 2000, 51);
    dg2 = dg;
    dg2.nxt = 59;   /* the others say No Next Header: ignored */
    send_frag(&e, &dg2, 1448, 552, 0);
    send_frag(&e, &dg, 0, 1448, 1);
    expect_whole(e.b253, &dg);
    done(&e);
}

TEST(reass_headers_after_fragment_header_processed_once) {
    struct env e;
    env_up(&e);
    /* The fragmentable part starts with destination options holding an
     * unknown option of action 10: one Parameter Problem code 2, pointing
     * into the reassembled packet (the Fragment header gone), after
     * reassembly and not before. */
    dgram_init(&dg, &e, 64, 52);
    dg.nxt = 60;
    uint8_t opts[8] = {PROTO, 0, 0x9e, 4, 1, 2, 3, 4};
    memcpy(dg.payload, opts, sizeof(opts));
    send_frag(&e, &dg, 0, 32, 1);
    H_NOTHING(e.icmp_a);
    send_frag(&e, &dg, 32, 32, 0);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_OPTION, 40 + 2);
    H_NOTHING(e.icmp_a);
    H_NOTHING(e.b253);
    CHECK_EQ(h_stats(e.p.b).ip6_in_bad_option, 1);
    /* A hop-by-hop header there is not first: code 1 at the byte that
     * named it, which is now the IPv6 header's Next Header. */
    dgram_init(&dg, &e, 64, 53);
    dg.nxt = 0;
    memcpy(dg.payload, opts, sizeof(opts));
    dg.payload[2] = 1;   /* PadN */
    send_frag(&e, &dg, 0, 32, 1);
    send_frag(&e, &dg, 32, 32, 0);
    H_EXPECT_PP(e.icmp_a, ICMP6_PARAMPROB_NEXTHEADER, 6);
    CHECK_EQ(h_stats(e.p.b).ip6_in_hbh_not_first, 1);
    expect_nothing(&e);
    done(&e);
}

TEST(reass_atomic_fragment_processed_alone) {
    struct env e;
    env_up(&e);
    /* RFC 6946: an atomic fragment with the identification of a datagram
     * being reassembled is delivered on its own and leaves it alone. */
    dgram_init(&dg, &e, 3000, 54);
    cut_up(&dg, 1448);
    send_piece(&e, &dg, 0);
    dgram_init(&dg2, &e, 100, 54);
    send_frag(&e, &dg2, 0, 100, 0);
    expect_whole(e.b253, &dg2);
    send_piece(&e, &dg, 1);
    send_piece(&e, &dg, 2);
    expect_whole(e.b253, &dg);
    struct six_stats s = h_stats(e.p.b);
    CHECK_EQ(s.reass_atomic, 1);
    CHECK_EQ(s.reass_in_frags, 3);
    CHECK_EQ(s.reass_ok, 1);
    done(&e);
}

/* ---- who sees fragments ---- */

TEST(reass_raw_sockets_see_only_the_reassembled_datagram) {
    struct env e;
    env_up(&e);
    int any = h_sock(&e.p, e.p.b, 0);          /* every protocol */
    int frag = h_sock(&e.p, e.p.b, NH_FRAG);   /* the Fragment header's */
    dgram_init(&dg, &e, 3000, 60);
    cut_up(&dg, 1448);
    send_piece(&e, &dg, 2);
    send_piece(&e, &dg, 0);
    H_NOTHING(any);
    H_NOTHING(frag);
    H_NOTHING(e.b253);
    send_piece(&e, &dg, 1);
    expect_whole(e.b253, &dg);
    expect_whole(any, &dg);
    H_NOTHING(any);
    H_NOTHING(frag);
    H_NOTHING(e.b253);
    done(&e);
}

/* An ICMPv6 message of type with body in d, checksummed for A -> B. */
static void icmp_dgram(struct env *e, struct dgram *d, uint8_t type, size_t len, uint32_t ident) {
    dgram_init(d, e, len, ident);
    d->nxt = 58;
    d->payload[0] = type;
    d->payload[1] = 0;
    d->payload[2] = d->payload[3] = 0;
    h_put16(d->payload + 2, h_cksum(&e->p.addr_a, &e->p.addr_b, 58, d->payload, len));
}

TEST(reass_nd_messages_in_fragments_dropped) {
    struct env e;
    env_up(&e);
    int icmp_b = h_icmp_sock(&e.p, e.p.b);
    /* RFC 6980: RS, RA, NS, NA, Redirect and SEND's CPS/CPA, fragmented,
     * are dropped after reassembly. */
    static const uint8_t nd[] = {133, 134, 135, 136, 137, 148, 149};
    for (size_t i = 0; i < sizeof(nd); i++) {
        icmp_dgram(&e, &dg, nd[i], 64, 70 + (uint32_t)i);
        send_frag(&e, &dg, 0, 32, 1);
        send_frag(&e, &dg, 32, 32, 0);
        H_NOTHING(icmp_b);
    }
    CHECK_EQ(h_stats(e.p.b).reass_nd, sizeof(nd));
    CHECK_EQ(h_stats(e.p.b).reass_ok, sizeof(nd));
    /* The same Neighbor Solicitation whole reaches the socket... */
    icmp_dgram(&e, &dg, 135, 64, 80);
    h_ip6(&fr, &e.p.addr_a, &e.p.addr_b, 58, 255);
    h_put(&fr, dg.payload, 64);
    h_end(&fr);
    h_inject(&e.p, &fr);
    uint8_t buf[128];
    CHECK_EQ(CHECK_OK(h_recv(icmp_b, buf, sizeof(buf), NULL)), 64);
    /* ...and so does other ICMPv6 in fragments (MLD is not ND). */
    icmp_dgram(&e, &dg, 130, 64, 81);
    send_frag(&e, &dg, 0, 32, 1);
    send_frag(&e, &dg, 32, 32, 0);
    CHECK_EQ(CHECK_OK(h_recv(icmp_b, buf, sizeof(buf), NULL)), 64);
    CHECK_EQ(buf[0], 130);
    CHECK_EQ(h_stats(e.p.b).reass_nd, sizeof(nd));
    done(&e);
}

TEST(reass_fragmented_echo_request_answered) {
    struct env e;
    struct hicmp m;
    env_up(&e);
    icmp_dgram(&e, &dg, 128, 200, 91);
    send_frag(&e, &dg, 0, 96, 1);
    send_frag(&e, &dg, 96, 104, 0);
    h_icmp_read(e.icmp_a, &m);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);
    CHECK_EQ(m.len, 200);
    CHECK_MEM(m.msg + 8, dg.payload + 8, 192);
    CHECK_EQ(h_stats(e.p.b).icmp6_in_echo_requests, 1);
    done(&e);
}

/* ---- limits ---- */

TEST(reass_too_many_fragments_discard_datagram) {
    struct env e;
    struct six_stack_config cfg = cfg_b();
    cfg.reass_max_frags = 4;
    env_up_cfg(&e, &cfg);
    dgram_init(&dg, &e, 48, 100);
    for (size_t off = 0; off < 32; off += 8)
        send_frag(&e, &dg, off, 8, 1);
    CHECK_EQ(h_stats(e.p.b).reass_too_many_frags, 0);
    send_frag(&e, &dg, 32, 8, 1);   /* the fifth */
    CHECK_EQ(h_stats(e.p.b).reass_too_many_frags, 1);
    send_frag(&e, &dg, 40, 8, 0);
    CHECK_EQ(h_stats(e.p.b).reass_dead, 1);
    /* Four fragments in all are fine. */
    dgram_init(&dg, &e, 32, 101);
    for (size_t off = 0; off < 32; off += 8)
        send_frag(&e, &dg, off, 8, off + 8 < 32);
    expect_whole(e.b253, &dg);
    advance(&e, 60 * SEC);
    expect_nothing(&e);
    done(&e);
}

TEST(reass_table_full_evicts_oldest) {
    struct env e;
    struct six_stack_config cfg = cfg_b();
    cfg.reass_max_datagrams = 4;
    cfg.reass_max_per_source = 0;
    env_up_cfg(&e, &cfg);
    /* Five datagrams begin; the fifth pushes out the first. */
    for (uint32_t i = 0; i < 5; i++) {
        dgram_init(&dg, &e, 16, 200 + i);
        send_frag(&e, &dg, 0, 8, 1);
    }
    CHECK_EQ(h_stats(e.p.b).reass_evict_full, 1);
    for (uint32_t i = 1; i < 5; i++) {
        dgram_init(&dg, &e, 16, 200 + i);
        send_frag(&e, &dg, 8, 8, 0);
        expect_whole(e.b253, &dg);
    }
    /* The first's last fragment starts it over; it never completes, and
     * without its first fragment it times out silently. */
    dgram_init(&dg, &e, 16, 200);
    send_frag(&e, &dg, 8, 8, 0);
    H_NOTHING(e.b253);
    advance(&e, 60 * SEC);
    CHECK_EQ(h_stats(e.p.b).reass_timeout, 1);
    expect_nothing(&e);
    done(&e);
}

TEST(reass_per_source_limit_evicts_that_sources_oldest) {
    struct env e;
    struct six_stack_config cfg = cfg_b();
    cfg.reass_max_datagrams = 8;
    cfg.reass_max_per_source = 2;
    env_up_cfg(&e, &cfg);
    struct in6_addr other = h_in6("2001:db8::3");
    /* The other source starts one, then A starts three: A's first goes,
     * not the other source's older datagram. */
    dgram_init(&dg2, &e, 16, 300);
    dg2.src = other;
    send_frag(&e, &dg2, 0, 8, 1);
    for (uint32_t i = 0; i < 3; i++) {
        dgram_init(&dg, &e, 16, 301 + i);
        send_frag(&e, &dg, 0, 8, 1);
    }
    CHECK_EQ(h_stats(e.p.b).reass_evict_src, 1);
    CHECK_EQ(h_stats(e.p.b).reass_evict_full, 0);
    send_frag(&e, &dg2, 8, 8, 0);
    expect_whole(e.b253, &dg2);
    for (uint32_t i = 1; i < 3; i++) {
        dgram_init(&dg, &e, 16, 301 + i);
        send_frag(&e, &dg, 8, 8, 0);
        expect_whole(e.b253, &dg);
    }
    dgram_init(&dg, &e, 16, 301);
    send_frag(&e, &dg, 8, 8, 0);
    H_NOTHING(e.b253);
    advance(&e, 60 * SEC);
    expect_nothing(&e);
    done(&e);
}

TEST(reass_memory_limit_evicts_oldest) {
    struct env e;
    struct six_stack_config cfg = cfg_b();
    /* Room for four small buffers (2 KiB each and a header), not five. */
    cfg.reass_max_bytes = 4 * 2048 + 1024;
    env_up_cfg(&e, &cfg);
    for (uint32_t i = 0; i < 5; i++) {
        dgram_init(&dg, &e, 16, 400 + i);
        send_frag(&e, &dg, 0, 8, 1);
    }
    CHECK_EQ(h_stats(e.p.b).reass_evict_mem, 1);
    for (uint32_t i = 1; i < 5; i++) {
        dgram_init(&dg, &e, 16, 400 + i);
        send_frag(&e, &dg, 8, 8, 0);
        expect_whole(e.b253, &dg);
    }
    /* A datagram that cannot fit alone is dropped when it outgrows the
     * limit, and its later fragments start over (and time out). */
    dgram_init(&dg, &e, 8000, 410);
    cut_up(&dg, 1448);
    for (size_t i = 0; i < cut.n; i++)
        send_piece(&e, &dg, i);
    H_NOTHING(e.b253);
    CHECK(h_stats(e.p.b).reass_evict_mem >= 2);
    advance(&e, 60 * SEC);
    done(&e);
}

TEST(reass_pool_exhaustion_drops_datagram_and_leaks_nothing) {
    struct env e;
    env_up(&e);
    dgram_init(&dg, &e, 3000, 500);
    cut_up(&dg, 1448);
    send_piece(&e, &dg, 0);
    send_piece(&e, &dg, 1);
    /* Allocation 1 receives the last fragment, 2 would hold the whole. */
    six_stack_fail_alloc(e.p.b, 2);
    send_piece(&e, &dg, 2);
    six_stack_fail_alloc(e.p.b, 0);
    CHECK_EQ(h_stats(e.p.b).reass_nobufs, 1);
    CHECK_EQ(h_stats(e.p.b).reass_ok, 0);
    expect_nothing(&e);
    /* Nothing waits any more. */
    CHECK(six_stack_poll(e.p.b, six_stack_now(e.p.b)) == UINT64_MAX);
    /* And the next datagram goes through. */
    dg.ident = 501;
    for (size_t i = 0; i < cut.n; i++)
        send_piece(&e, &dg, i);
    expect_whole(e.b253, &dg);
    done(&e);
}

TEST(reass_off_drops_fragments_keeps_atomic) {
    struct env e;
    struct six_stack_config cfg = cfg_b();
    cfg.reass_max_datagrams = 0;
    env_up_cfg(&e, &cfg);
    dgram_init(&dg, &e, 16, 600);
    send_frag(&e, &dg, 0, 8, 1);
    send_frag(&e, &dg, 8, 8, 0);
    CHECK_EQ(h_stats(e.p.b).reass_off, 2);
    send_frag(&e, &dg, 0, 16, 0);
    expect_whole(e.b253, &dg);
    expect_nothing(&e);
    done(&e);
}

/* ---- the key ---- */

TEST(reass_key_is_source_destination_identification) {
    struct env e;
    env_up(&e);
    struct in6_addr other = h_in6("2001:db8::3");
    struct in6_addr b2 = h_addr_add(&e.p, e.p.b, "2001:db8::22");
    /* The same identification from another source, or to another of B's
     * addresses, is another datagram: halves never mix. */
    dgram_init(&dg, &e, 16, 700);
    dgram_init(&dg2, &e, 16, 700);
    dg2.src = other;
    send_frag(&e, &dg, 0, 8, 1);
    send_frag(&e, &dg2, 8, 8, 0);
    H_NOTHING(e.b253);
    build(&e, &dg, 8, 8, 0);
    memcpy(fr.b + 24, &b2, 16);
    h_inject(&e.p, &fr);
    H_NOTHING(e.b253);
    send_frag(&e, &dg, 8, 8, 0);
    expect_whole(e.b253, &dg);
    advance(&e, 60 * SEC);
    CHECK_EQ(h_stats(e.p.b).reass_timeout, 2);
    done(&e);
}

TEST(reass_link_local_datagrams_kept_apart_per_interface) {
    struct env e;
    env_up(&e);
    struct six_stack_config cc = h_config(3);
    struct six_stack *c = six_stack_new(&cc);
    unsigned ifb2, ifc;
    CHECK_OK(six_memwire_pair(e.p.b, "b1", c, "c0", NULL, &ifb2, &ifc));
    struct in6_addr ll_a = h_in6("fe80::1"), ll_b = h_in6("fe80::2");
    CHECK_OK(six_addr_add(e.p.b, e.p.ifb, &ll_b, 64, 0));
    /* fe80::1 -> fe80::2 with one identification on two links: RFC 4007
     * zones make them different datagrams. */
    dgram_init(&dg, &e, 16, 800);
    dg.src = ll_a;
    build(&e, &dg, 0, 8, 1);
    memcpy(fr.b + 24, &ll_b, 16);
    CHECK_OK(six_if_inject(e.p.b, e.p.ifb, fr.b, fr.len));
    build(&e, &dg, 8, 8, 0);
    memcpy(fr.b + 24, &ll_b, 16);
    CHECK_OK(six_if_inject(e.p.b, ifb2, fr.b, fr.len));
    H_NOTHING(e.b253);
    CHECK_OK(six_if_inject(e.p.b, e.p.ifb, fr.b, fr.len));
    expect_whole(e.b253, &dg);
    CHECK_EQ(h_stats(e.p.b).reass_ok, 1);
    six_stack_set_time(e.p.b, six_stack_now(e.p.b) + 60 * SEC);
    six_stack_poll(e.p.b, six_stack_now(e.p.b));
    CHECK_EQ(six_stack_pkts_in_use(c), 0);
    six_stack_free(c);
    done(&e);
}

/* ---- UDP, the usual passenger ---- */

TEST(reass_udp_datagram_reaches_udp_socket) {
    struct env e;
    env_up(&e);
    int u = (int)CHECK_OK(six_socket_on(e.p.b, AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 sin6 = h_sin6(&e.p.addr_b, 0);
    sin6.sin6_port = htons(5000);
    CHECK_OK(six_bind(u, (struct sockaddr *)&sin6, sizeof(sin6)));
    /* 4000 bytes of UDP (header and checksum over all of it), in three
     * fragments, middle one first. */
    dgram_init(&dg, &e, 4000, 900);
    dg.nxt = 17;
    h_put16(dg.payload, 4321);
    h_put16(dg.payload + 2, 5000);
    h_put16(dg.payload + 4, 4000);
    h_put16(dg.payload + 6, 0);
    h_put16(dg.payload + 6, h_cksum(&e.p.addr_a, &e.p.addr_b, 17, dg.payload, 4000));
    cut_up(&dg, 1448);
    send_piece(&e, &dg, 1);
    send_piece(&e, &dg, 2);
    send_piece(&e, &dg, 0);
    static uint8_t buf[8192];
    struct sockaddr_in6 from;
    socklen_t flen = sizeof(from);
    ssize_t n = CHECK_OK(six_recvfrom(u, buf, sizeof(buf), MSG_DONTWAIT,
                                      (struct sockaddr *)&from, &flen));
    CHECK_EQ(n, 3992);
    CHECK_MEM(buf, dg.payload + 8, 3992);
    CHECK_EQ(ntohs(from.sin6_port), 4321);
    CHECK_EQ(h_stats(e.p.b).udp_in_delivered, 1);
    CHECK_OK(six_close(u));
    done(&e);
}
