/* TCP over ::1 on one stack, the benchmarks' path: segments that never
 * leave the node carry no computed checksum (tcp/output.c), but a capture
 * on lo must still show correct ones, as anything a user can open in
 * Wireshark; a connection keeps sending past 2 GiB; accept() gives a
 * socket its listener's credentials. */
#include <netinet/tcp.h>
#include <poll.h>

#include "hcap.h"
#include "tlo.h"
#include "sock/sock.h"
#include "tcp/tcp.h"
#include "wire/cksum.h"

#define PORT 5556

/* Every TCP segment in c (IPv6 header, then TCP) has a correct checksum;
 * returns how many there were. */
static int check_tcp_cksums(const struct hcap *c) {
    int n = 0;
    for (int i = 0; i < c->n; i++) {
        const uint8_t *b = c->f[i].b;
        struct in6_addr src, dst;
        if (c->f[i].len < 60 || (b[0] >> 4) != 6 || b[6] != IPPROTO_TCP)
            continue;
        memcpy(&src, b + 8, 16);
        memcpy(&dst, b + 24, 16);
        if (!six_cksum_ip6_ok(&src, &dst, IPPROTO_TCP, b + 40, c->f[i].len - 40))
            six_test_fail(__FILE__, __LINE__, "frame %d: bad TCP checksum", i);
        n++;
    }
    return n;
}

TEST(tcp_on_lo_captured_with_correct_checksums) {
    struct six_stack_config cfg = h_config(7);
    struct six_stack *st = six_stack_new(&cfg);
    unsigned lo;
    struct hcap cap;
    char buf[64];
    int c, s, l;

    CHECK(st != NULL);
    CHECK((lo = six_if_nametoindex(st, "lo")) != 0);
    hcap_start(&cap, st, lo, "tcplo");
    l = tlo_pair(st, PORT, &c, &s);
    CHECK_EQ(CHECK_OK(six_send(c, "checked", 7, 0)), 7);
    tlo_run(st);
    CHECK_EQ(CHECK_OK(six_recv(s, buf, sizeof(buf), 0)), 7);
    CHECK_MEM(buf, "checked", 7);
    hcap_stop(&cap);
    /* SYN, SYN-ACK, ACK and the data at least, each seen once or more. */
    CHECK(check_tcp_cksums(&cap) >= 4);
    hcap_free(&cap);

    /* Without a capture the same connection still carries data both ways
     * (input trusts loopback's unchecked segments). */
    CHECK_EQ(CHECK_OK(six_send(s, "back", 4, 0)), 4);
    tlo_run(st);
    CHECK_EQ(CHECK_OK(six_recv(c, buf, sizeof(buf), 0)), 4);
    CHECK_MEM(buf, "back", 4);
    tlo_done(st, c, s, l);
}

/* Past 2 GiB sent, snd_una is no longer "after" the ISS in sequence
 * arithmetic: whether the SYN was acknowledged must not be judged that
 * way (sending stopped for good at 2 GiB). The client's ISS is moved back
 * by 2^31 instead of sending 2 GiB. */
TEST(tcp_keeps_sending_past_2_gib) {
    struct six_stack_config cfg = h_config(8);
    struct six_stack *st = six_stack_new(&cfg);
    char buf[64];
    int c, s, l;

    CHECK(st != NULL);
    l = tlo_pair(st, PORT + 1, &c, &s);
    struct six_sock *so = six__sock_acquire(c);
    CHECK(so != NULL && so->tcb != NULL);
    so->tcb->iss = so->tcb->snd_una - 0x80000000u;
    six__sock_release(so);
    CHECK_EQ(CHECK_OK(six_send(c, "far on", 6, 0)), 6);
    tlo_run(st);
    CHECK_EQ(CHECK_OK(six_recv(s, buf, sizeof(buf), MSG_DONTWAIT)), 6);
    CHECK_MEM(buf, "far on", 6);
    tlo_done(st, c, s, l);
}

/* A socket accept() returns has its listener's credentials (BSD's
 * sonewconn), not those of the thread that calls accept(): a server that
 * listened as root keeps what root may do on its connections. */
TEST(accepted_socket_has_its_listeners_credentials) {
    struct six_stack_config cfg = h_config(9);
    struct six_stack *st = six_stack_new(&cfg);
    struct six_creds root = {.uid = 0, .gid = 0, .privileged = 1};
    struct six_creds user = {.uid = 1000, .gid = 1000, .privileged = 0};
    int on = 1, c, s, l;

    CHECK(st != NULL);
    six_set_creds(&root);
    l = tlo_pair(st, PORT + 2, &c, &s);
    CHECK_OK(six_close(s));
    CHECK_OK(six_close(c));
    /* The next connection is accepted by an unprivileged thread. */
    six_set_creds(&user);
    c = tlo_connect(st, PORT + 2, l, &s);
    /* ip6(4): receiving hop-by-hop options needs privilege. */
    CHECK_OK(six_setsockopt(s, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &on, sizeof(on)));
    CHECK_ERRNO(six_setsockopt(c, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &on, sizeof(on)), EPERM);
    six_set_creds(NULL);
    tlo_done(st, c, s, l);
}

/* The system's poll() on a listener's descriptor: POLLIN while a
 * connection waits; accept() leaves it raised (no system call per
 * connection), and the accept that finds nothing lowers it. */
TEST(listener_descriptor_lowered_by_the_accept_that_finds_nothing) {
    struct six_stack_config cfg = h_config(10);
    struct six_stack *st = six_stack_new(&cfg);
    int c, s, l;

    CHECK(st != NULL);
    l = tlo_pair(st, PORT + 3, &c, &s);
    struct pollfd pfd = {.fd = l, .events = POLLIN};
    CHECK_EQ(poll(&pfd, 1, 0), 1);        /* raised by the connection, still up */
    CHECK_ERRNO(six_accept(l, NULL, NULL), EAGAIN);
    CHECK_EQ(poll(&pfd, 1, 0), 0);
    tlo_done(st, c, s, l);
}

/* Large segments over lo (MSS near 64 KiB) carry their payload at a
 * cache line of the packet and the rings are aligned: 4 MiB of a pattern
 * in writes of odd sizes arrive intact and in order. */
TEST(tcp_on_lo_large_segments_arrive_intact) {
    struct six_stack_config cfg = h_config(11);
    struct six_stack *st = six_stack_new(&cfg);
    static uint8_t out[70001], in[70001];
    size_t total = 4u << 20, sent = 0, got = 0, n;
    int c, s, l;

    CHECK(st != NULL);
    l = tlo_pair(st, PORT + 4, &c, &s);
    while (got < total) {
        for (n = 0; n < sizeof(out); n++)
            out[n] = (uint8_t)((sent + n) * 7 + ((sent + n) >> 13));
        size_t want = total - sent < sizeof(out) - (sent % 97) ? total - sent
                                                                : sizeof(out) - (sent % 97);
        ssize_t w = want ? six_send(c, out, want, MSG_DONTWAIT) : 0;
        if (w > 0)
            sent += (size_t)w;
        else
            CHECK(want == 0 || errno == EAGAIN);
        ssize_t r;
        while ((r = six_recv(s, in, sizeof(in), MSG_DONTWAIT)) > 0) {
            for (ssize_t i = 0; i < r; i++)
                if (in[i] != (uint8_t)((got + (size_t)i) * 7 + ((got + (size_t)i) >> 13)))
                    six_test_fail(__FILE__, __LINE__, "byte %zu differs", got + (size_t)i);
            got += (size_t)r;
        }
        if (w <= 0 && r <= 0)
            tlo_run(st);
    }
    CHECK_EQ(sent, total);
    tlo_done(st, c, s, l);
}
