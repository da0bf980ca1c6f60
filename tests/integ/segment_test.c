/* Three stacks on one six_segment (a hub: every frame reaches every other
 * member), driven by hand on manual clocks with fixed seeds:
 *
 *   A 2001:db8::1/64 --+
 *   B 2001:db8::2/64 --+-- segment
 *   C 2001:db8::3/64 --+
 *
 * Each stack keeps what is addressed to it: unicast reaches only its
 * destination, all-nodes multicast reaches everyone. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <stdlib.h>

#include "harness.h"

#define NST 3
#define EXPERIMENT_PROTO 253

struct seg3 {
    struct six_segment *seg;
    struct six_stack *st[NST];
    unsigned ifx[NST];
    struct in6_addr addr[NST];
};

static void seg_up(struct seg3 *s) {
    static const char *addrs[NST] = {"2001:db8::1", "2001:db8::2", "2001:db8::3"};
    static const char *names[NST] = {"a0", "b0", "c0"};

    memset(s, 0, sizeof(*s));
    h_privileged(1);
    s->seg = six_segment_new(NULL);
    CHECK(s->seg != NULL);
    for (int i = 0; i < NST; i++) {
        struct six_stack_config cfg = h_config((uint64_t)i + 11);
        s->st[i] = six_stack_new(&cfg);
        CHECK(s->st[i] != NULL);
        s->ifx[i] = (unsigned)CHECK_OK(six_segment_attach(s->seg, s->st[i], names[i]));
        CHECK(s->ifx[i] != 0);
        CHECK_EQ(six_if_nametoindex(s->st[i], names[i]), s->ifx[i]);
        s->addr[i] = h_in6(addrs[i]);
        CHECK_OK(six_addr_add(s->st[i], s->ifx[i], &s->addr[i], 64, 0));
    }
}

/* Polls every stack until none receives or sends anything more. */
static void seg_pump(struct seg3 *s) {
    h_pump_stacks(s->st, NST);
}

/* Checks that every stack has all its buffers back (sockets closed by the
 * caller), then frees the stacks and only then the segment. */
static void seg_done(struct seg3 *s) {
    seg_pump(s);
    for (int i = 0; i < NST; i++)
        CHECK_EQ(six_stack_pkts_in_use(s->st[i]), 0);
    for (int i = 0; i < NST; i++) {
        six_stack_free(s->st[i]);
        s->st[i] = NULL;
    }
    six_segment_free(s->seg);
    s->seg = NULL;
    six_set_creds(NULL);
}

static int raw_on(struct six_stack *st, int proto) {
    return (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_RAW, proto));
}

TEST(unicast_reaches_only_its_destination) {
    struct seg3 s;
    static const uint8_t msg[] = "to C only";
    uint8_t buf[256];
    struct sockaddr_in6 from;

    seg_up(&s);
    int fa = raw_on(s.st[0], EXPERIMENT_PROTO);
    int fb = raw_on(s.st[1], EXPERIMENT_PROTO);
    int fc = raw_on(s.st[2], EXPERIMENT_PROTO);
    struct six_stats b0 = h_stats(s.st[1]), c0 = h_stats(s.st[2]);

    h_send_ok(fa, &s.addr[2], msg, sizeof(msg));
    seg_pump(&s);

    /* C got it, from A. */
    CHECK_EQ(CHECK_OK(h_recv(fc, buf, sizeof(buf), &from)), sizeof(msg));
    CHECK_MEM(buf, msg, sizeof(msg));
    CHECK(h_addr_eq(&from.sin6_addr, &s.addr[0]));
    H_NOTHING(fc);

    /* B saw the frame on the hub, kept nothing, and said why. */
    H_NOTHING(fb);
    struct six_stats b1 = h_stats(s.st[1]), c1 = h_stats(s.st[2]);
    CHECK_EQ(b1.ip6_in_receives - b0.ip6_in_receives, 1);
    CHECK_EQ(b1.ip6_in_not_for_us - b0.ip6_in_not_for_us, 1);
    CHECK_EQ(b1.ip6_in_delivers - b0.ip6_in_delivers, 0);
    CHECK_EQ(c1.ip6_in_delivers - c0.ip6_in_delivers, 1);
    CHECK_EQ(c1.ip6_in_not_for_us - c0.ip6_in_not_for_us, 0);
    /* and the sender does not get its own unicast back. */
    H_NOTHING(fa);

    CHECK_OK(six_close(fa));
    CHECK_OK(six_close(fb));
    CHECK_OK(six_close(fc));
    seg_done(&s);
}

/* An echo request to all-nodes from A: B and C answer, and with
 * IPV6_MULTICAST_LOOP on (the default) A's copy comes back to A, which
 * answers itself too, as Linux does. */
static void all_nodes_echo(int loop) {
    struct seg3 s;
    struct icmp6_filter filt;
    uint8_t req[8 + 16] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0x00, 0x01,
                           'a', 'l', 'l', '-', 'n', 'o', 'd', 'e', 's', 0};
    struct in6_addr all_nodes = h_in6("ff02::1");
    int got_b = 0, got_c = 0, got_a = 0, others = 0;
    struct in6_addr ll[3];

    seg_up(&s);
    /* To ff02::1 A sends from its link-local address, so the answers come
     * from theirs. */
    for (int i = 0; i < 3; i++)
        ll[i] = h_linklocal(s.st[i], s.ifx[i]);
    int fa = raw_on(s.st[0], IPPROTO_ICMPV6);
    CHECK_OK(six_setsockopt(fa, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof(loop)));
    ICMP6_FILTER_SETBLOCKALL(&filt);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filt);
    CHECK_OK(six_setsockopt(fa, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)));
    struct six_stats b0 = h_stats(s.st[1]), c0 = h_stats(s.st[2]);

    struct sockaddr_in6 to = h_sin6(&all_nodes, s.ifx[0]);
    CHECK_EQ(CHECK_OK(six_sendto(fa, req, sizeof(req), MSG_DONTWAIT, (struct sockaddr *)&to,
                                 sizeof(to))),
             sizeof(req));
    seg_pump(&s);

    for (;;) {
        uint8_t buf[256];
        struct sockaddr_in6 from;
        ssize_t n = h_recv(fa, buf, sizeof(buf), &from);
        if (n < 0) {
            CHECK_EQ(errno, EAGAIN);
            break;
        }
        CHECK_EQ(n, sizeof(req));
        CHECK_EQ(buf[0], ICMP6_ECHO_REPLY);
        CHECK_EQ(buf[1], 0);
        CHECK_MEM(buf + 4, req + 4, sizeof(req) - 4); /* id, seq, data echoed */
        if (h_addr_eq(&from.sin6_addr, &ll[1]))
            got_b++;
        else if (h_addr_eq(&from.sin6_addr, &ll[2]))
            got_c++;
        else if (h_addr_eq(&from.sin6_addr, &ll[0]))
            got_a++;
        else
            others++;
    }
    CHECK_EQ(got_b, 1);
    CHECK_EQ(got_c, 1);
    CHECK_EQ(got_a, loop);
    CHECK_EQ(others, 0);
    CHECK_EQ(h_stats(s.st[1]).icmp6_in_echo_requests - b0.icmp6_in_echo_requests, 1);
    CHECK_EQ(h_stats(s.st[1]).icmp6_out_echo_replies - b0.icmp6_out_echo_replies, 1);
    CHECK_EQ(h_stats(s.st[2]).icmp6_in_echo_requests - c0.icmp6_in_echo_requests, 1);
    CHECK_EQ(h_stats(s.st[2]).icmp6_out_echo_replies - c0.icmp6_out_echo_replies, 1);

    CHECK_OK(six_close(fa));
    seg_done(&s);
}

TEST(all_nodes_echo_answered_by_every_member) { all_nodes_echo(1); }
TEST(all_nodes_echo_without_loop_skips_sender) { all_nodes_echo(0); }

/* Traffic on the segment, sockets still open with data queued, then the
 * documented order: stacks first, segment last. ASan/LSan (SIX_SANITIZE)
 * turn any leak or use after free here into a failure. */
TEST(segment_free_after_stacks) {
    struct seg3 s;
    static const uint8_t msg[] = "queued at free";

    seg_up(&s);
    int fa = raw_on(s.st[0], EXPERIMENT_PROTO);
    int fc = raw_on(s.st[2], EXPERIMENT_PROTO);
    h_send_ok(fa, &s.addr[2], msg, sizeof(msg));
    h_send_ok(fa, &s.addr[1], msg, sizeof(msg));
    seg_pump(&s);
    CHECK(six_stack_pkts_in_use(s.st[2]) > 0); /* queued on fc */
    /* Frames left in rings: sent but never polled by the receivers. */
    h_send_ok(fa, &s.addr[2], msg, sizeof(msg));
    h_send_ok(fa, &s.addr[1], msg, sizeof(msg));

    for (int i = 0; i < NST; i++) {
        six_stack_free(s.st[i]);
        s.st[i] = NULL;
    }
    /* Freeing the stack closed its sockets: the descriptors are gone. */
    CHECK(!six_is_socket(fa));
    CHECK(!six_is_socket(fc));
    six_segment_free(s.seg);
    six_set_creds(NULL);

    /* A second segment, half its members freed and the rest still
     * talking, then everything freed. */
    seg_up(&s);
    six_stack_free(s.st[1]);
    s.st[1] = NULL;
    fa = raw_on(s.st[0], EXPERIMENT_PROTO);
    fc = raw_on(s.st[2], EXPERIMENT_PROTO);
    h_send_ok(fa, &s.addr[2], msg, sizeof(msg));
    for (int i = 0; i < NST; i += 2)
        six_stack_poll(s.st[i], six_stack_now(s.st[i]));
    uint8_t buf[64];
    CHECK_EQ(CHECK_OK(h_recv(fc, buf, sizeof(buf), NULL)), sizeof(msg));
    CHECK_OK(six_close(fa));
    CHECK_OK(six_close(fc));
    for (int i = 0; i < NST; i += 2) {
        CHECK_EQ(six_stack_pkts_in_use(s.st[i]), 0);
        six_stack_free(s.st[i]);
    }
    six_segment_free(s.seg);
    six_set_creds(NULL);
}
