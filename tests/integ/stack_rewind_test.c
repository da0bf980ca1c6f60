/* six__stack_rewind (src/stack.h): two stacks that ran a TCP exchange and
 * were rewound run it again frame for frame, byte for byte (ISNs,
 * timestamps, ports, neighbour discovery on an Ethernet link), with the
 * same counters; a stack that is not quiet, or whose runs cannot repeat
 * (no manual clock, no fixed seed), is refused and left alone. And
 * six__stack_sent, the other internal call of src/stack.h. */
#include <netinet/tcp.h>

#include "hcap.h"
#include "stack.h"

#define T0 5000000ull   /* where the rewound clocks start */

/* Two stacks on a memwire pair (Ethernet or bare), addresses added. */
static void up(struct hpair *p, int ethernet) {
    struct six_stack_config ca = h_config(1), cb = h_config(2);
    struct six_memwire_config wc = {.ethernet = ethernet};

    memset(p, 0, sizeof(*p));
    h_privileged(1);
    CHECK((p->a = six_stack_new(&ca)) != NULL);
    CHECK((p->b = six_stack_new(&cb)) != NULL);
    CHECK_OK(six_memwire_pair(p->a, "a0", p->b, "b0", &wc, &p->ifa, &p->ifb));
    p->addr_a = h_in6(H_ADDR_A);
    p->addr_b = h_in6(H_ADDR_B);
    CHECK_OK(six_addr_add(p->a, p->ifa, &p->addr_a, 64, 0));
    CHECK_OK(six_addr_add(p->b, p->ifb, &p->addr_b, 64, 0));
}

/* Runs both stacks, their clocks jumping to the next timer, until no
 * timer is left (the multicast reports of new addresses, TIME-WAIT). */
static void quiesce(struct hpair *p) {
    for (int i = 0; i < 1000; i++) {
        uint64_t now = six_stack_now(p->a), na, nb, next;
        h_pump(p);
        na = six_stack_poll(p->a, now);
        nb = six_stack_poll(p->b, now);
        next = na < nb ? na : nb;
        if (next == UINT64_MAX)
            return;
        CHECK_OK(six_stack_set_time(p->a, next > now ? next : now));
        CHECK_OK(six_stack_set_time(p->b, next > now ? next : now));
    }
    six_test_fail(__FILE__, __LINE__, "quiesce: timers never ran out");
}

static void rewind_both(struct hpair *p) {
    CHECK_EQ(six__stack_rewind(p->a, T0), 0);
    CHECK_EQ(six__stack_rewind(p->b, T0), 0);
    CHECK_EQ(six_stack_now(p->a), T0);
    CHECK_EQ(six_stack_now(p->b), T0);
}

struct run {
    struct hcap cap;                 /* B's link, both ways */
    struct six_stats sa, sb;
};

/* A Packet Too Big (MTU 1280) into st on ifindex, from peer's address,
 * about a packet st (at self) sent peer. */
static void ptb_to(struct six_stack *st, unsigned ifindex, const struct in6_addr *peer,
                   const struct in6_addr *self) {
    static struct hframe f;
    uint8_t invoking[48] = {0x60, 0, 0, 0, 0, 8, IPPROTO_TCP, 64};

    memcpy(invoking + 8, self, 16);
    memcpy(invoking + 24, peer, 16);
    h_ip6(&f, peer, self, IPPROTO_ICMPV6, 64);
    h_icmp6(&f, 2, 0, 1280, invoking, sizeof(invoking));
    CHECK_OK(six_if_inject(st, ifindex, f.b, f.len));
}

/* A learns a path MTU of 1280 toward B (a Packet Too Big from B's
 * address) and sends B a UDP datagram too big for it: fragments, whose
 * identification comes from a key drawn on first use, as the path MTU
 * cache's is. */
static void fragments(struct hpair *p) {
    static char big[2000];
    struct sockaddr_in6 to = h_sin6(&p->addr_b, 0);
    int u;

    ptb_to(p->a, p->ifa, &p->addr_b, &p->addr_a);
    u = (int)CHECK_OK(six_socket_on(p->a, AF_INET6, SOCK_DGRAM, 0));
    to.sin6_port = htons(9);
    CHECK_EQ(CHECK_OK(six_sendto(u, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to))),
             sizeof(big));
    CHECK_OK(six_close(u));
    h_pump(p);
    CHECK(h_stats(p->a).frag_out_datagrams == 1);
}

/* Fragments as above; then A connects to B's port 80, data goes both
 * ways (3000 bytes from B: more than a segment, ACKed with timestamps),
 * everyone closes, and the stacks run until TIME-WAIT is over. */
static void exchange(struct hpair *p, struct run *r) {
    struct sockaddr_in6 sin6 = h_sin6(&p->addr_b, 0);
    static char buf[4000];
    int l, c, s;

    hcap_start(&r->cap, p->b, p->ifb, "rewind");
    fragments(p);
    sin6.sin6_port = htons(80);
    l = (int)CHECK_OK(six_socket_on(p->b, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    c = (int)CHECK_OK(six_socket_on(p->a, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(six_bind(l, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(l, 4));
    CHECK(six_connect(c, (struct sockaddr *)&sin6, sizeof(sin6)) == 0 || errno == EINPROGRESS);
    h_pump(p);
    s = (int)CHECK_OK(six_accept4(l, NULL, NULL, SOCK_NONBLOCK));
    CHECK_EQ(CHECK_OK(six_send(c, "hello", 5, 0)), 5);
    memset(buf, 'd', 3000);
    CHECK_EQ(CHECK_OK(six_send(s, buf, 3000, 0)), 3000);
    h_advance(p, 50000);
    CHECK_EQ(CHECK_OK(six_recv(s, buf, sizeof(buf), 0)), 5);
    CHECK_EQ(CHECK_OK(six_recv(c, buf, sizeof(buf), 0)), 3000);
    CHECK_OK(six_close(c));
    CHECK_OK(six_close(s));
    CHECK_OK(six_close(l));
    quiesce(p);
    hcap_stop(&r->cap);
    r->sa = h_stats(p->a);
    r->sb = h_stats(p->b);
}

static void check_same(const struct run *x, const struct run *y) {
    CHECK(x->cap.n >= 8);
    CHECK_EQ(x->cap.n, y->cap.n);
    for (int i = 0; i < x->cap.n; i++) {
        CHECK_EQ(x->cap.f[i].len, y->cap.f[i].len);
        CHECK_MEM(x->cap.f[i].b, y->cap.f[i].b, x->cap.f[i].len);
    }
    CHECK_MEM(&x->sa, &y->sa, sizeof(x->sa));
    CHECK_MEM(&x->sb, &y->sb, sizeof(x->sb));
}

static void repeats(int ethernet) {
    struct hpair p;
    struct run first, second;

    up(&p, ethernet);
    quiesce(&p);
    rewind_both(&p);     /* the clock moves forward here */
    exchange(&p, &first);
    CHECK(six_stack_now(p.a) > T0 + 60000000);
    rewind_both(&p);     /* and back here */
    exchange(&p, &second);
    check_same(&first, &second);
    hcap_free(&first.cap);
    hcap_free(&second.cap);
    h_done(&p);
}

TEST(rewound_stacks_repeat_a_tcp_exchange) { repeats(0); }

/* The neighbours the first run resolved are forgotten: the second run
 * solicits them again, as the first did. */
TEST(rewound_stacks_repeat_it_on_ethernet) { repeats(1); }

TEST(rewind_refuses_a_stack_that_is_not_quiet) {
    struct hpair p;
    int fd;

    up(&p, 1);
    /* New addresses' multicast reports are due: timers are armed. */
    CHECK_EQ(six__stack_rewind(p.b, T0), -EBUSY);
    quiesce(&p);
    fd = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_STREAM, 0));
    uint64_t now = six_stack_now(p.b);
    CHECK(now != T0);
    CHECK_EQ(six__stack_rewind(p.b, T0), -EBUSY);
    CHECK_EQ(six_stack_now(p.b), now);      /* nothing changed */
    CHECK_OK(six_close(fd));
    CHECK_EQ(six__stack_rewind(p.b, T0), 0);
    h_done(&p);
}

TEST(rewind_refuses_a_stack_that_cannot_repeat) {
    struct six_stack_config cfg = h_config(0);     /* seed from the system */
    struct six_stack *st = six_stack_new(&cfg);

    CHECK(st != NULL);
    CHECK_EQ(six__stack_rewind(st, T0), -EINVAL);
    six_stack_free(st);
    cfg = h_config(3);
    cfg.clock = SIX_CLOCK_MONOTONIC;
    CHECK((st = six_stack_new(&cfg)) != NULL);
    CHECK_EQ(six__stack_rewind(st, T0), -EINVAL);
    six_stack_free(st);
}

/* A buffer allocation set to fail (six_stack_fail_alloc) is cleared with
 * the pools. */
TEST(rewind_clears_an_injected_allocation_failure) {
    struct hpair p;
    struct hframe f;

    up(&p, 0);
    quiesce(&p);
    six_stack_fail_alloc(p.b, 1);
    CHECK_EQ(six__stack_rewind(p.b, T0), 0);
    h_frame_ab(&p, &f, IPPROTO_NONE);
    h_end(&f);
    CHECK_EQ(six_if_inject(p.b, p.ifb, f.b, f.len), 0);
    h_done(&p);
}

/* The ICMPv6 error budget is full again, even for a rewind to the time
 * the stack is at (where the bucket would not have refilled). */
TEST(rewind_refills_the_icmp6_error_budget) {
    struct six_stack_config ca = h_config(1), cb = h_config(2);
    struct hpair p;
    struct hframe f;

    cb.icmp6_rate = 1;
    cb.icmp6_burst = 2;
    h_up_cfg(&p, &ca, &cb);
    quiesce(&p);
    /* An unknown next header: a Parameter Problem each, two in a burst. */
    h_frame_ab(&p, &f, 200);
    h_end(&f);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3; i++)
            h_inject(&p, &f);
        CHECK_EQ(h_stats(p.b).icmp6_out_errors, 2);
        CHECK_EQ(h_stats(p.b).icmp6_err_rate_limited, 1);
        CHECK_EQ(six__stack_rewind(p.b, six_stack_now(p.b)), 0);
    }
    h_done(&p);
}

/* Connections whose sockets are gone but which still retry (a FIN the
 * peer never answers) are dropped with TCP's state; another timer still
 * makes the stack busy. */
TEST(rewind_drops_connections_still_retrying) {
    struct sockaddr_in6 sin6;
    struct hpair p;
    int l, c, s;

    up(&p, 0);
    quiesce(&p);
    sin6 = h_sin6(&p.addr_b, 0);
    sin6.sin6_port = htons(80);
    l = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    c = (int)CHECK_OK(six_socket_on(p.a, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(six_bind(l, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(l, 4));
    CHECK(six_connect(c, (struct sockaddr *)&sin6, sizeof(sin6)) == 0 || errno == EINPROGRESS);
    h_pump(&p);
    s = (int)CHECK_OK(six_accept4(l, NULL, NULL, SOCK_NONBLOCK));
    CHECK_OK(six_close(s));
    CHECK_OK(six_close(l));
    CHECK_OK(six_close(c));
    /* A's FIN and B's are never delivered: both retransmit. */
    CHECK(six_stack_poll(p.a, six_stack_now(p.a)) != UINT64_MAX);
    CHECK_EQ(six__stack_rewind(p.a, T0), 0);
    CHECK_EQ(six_stack_poll(p.a, T0), UINT64_MAX);
    /* B also has a path MTU to forget in ten minutes: busy, left as it
     * was. */
    ptb_to(p.b, p.ifb, &p.addr_a, &p.addr_b);
    CHECK_EQ(six__stack_rewind(p.b, T0), -EBUSY);
    CHECK(six_stack_poll(p.b, six_stack_now(p.b)) != UINT64_MAX);
    /* The frames in flight were never read: drop them before h_done. */
    quiesce(&p);
    CHECK_EQ(six__stack_rewind(p.a, T0), 0);
    CHECK_EQ(six__stack_rewind(p.b, T0), 0);
    h_done(&p);
}

/* six__stack_sent: the packets a stack sent, as its ip6_out_requests. */
TEST(stack_sent_counts_the_packets_sent) {
    struct hpair p;
    struct hframe f;
    uint64_t before;

    h_up(&p);
    quiesce(&p);
    before = six__stack_sent(p.b);
    CHECK_EQ(before, h_stats(p.b).ip6_out_requests);
    h_frame_ab(&p, &f, IPPROTO_ICMPV6);
    h_icmp6(&f, 128, 0, 0x00010001, "ping", 4);     /* an echo request */
    h_inject(&p, &f);
    CHECK_EQ(six__stack_sent(p.b), before + 1);     /* the reply */
    CHECK_EQ(six__stack_sent(p.b), h_stats(p.b).ip6_out_requests);
    h_done(&p);
}
