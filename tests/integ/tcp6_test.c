/* TCP sockets between two stacks (harness.h: A 2001:db8::1 and B
 * 2001:db8::2 on a memwire pair), through the public API, driven by hand
 * on the manual clock: handshake, data both ways, close, refusal, reset,
 * half-close, bulk transfer, readiness. */
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>

#include "harness.h"
#include "sock/sock.h"
#include "tcp/tcp.h"
#include "wire/tcp.h"

#define PORT 8080

static int t_sock(struct hpair *p, struct six_stack *st) {
    int fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK(p->nsocks < H_MAX_SOCKS);
    p->socks[p->nsocks++] = fd;
    return fd;
}

static void t_track(struct hpair *p, int fd) {
    CHECK(p->nsocks < H_MAX_SOCKS);
    p->socks[p->nsocks++] = fd;
}

static struct sockaddr_in6 t_sin6(const struct in6_addr *a, uint16_t port) {
    struct sockaddr_in6 sin6 = h_sin6(a, 0);
    sin6.sin6_port = htons(port);
    return sin6;
}

static int t_listen(struct hpair *p, struct six_stack *st, uint16_t port) {
    static const struct in6_addr any = IN6ADDR_ANY_INIT;
    int fd = t_sock(p, st);
    struct sockaddr_in6 sin6 = t_sin6(&any, port);
    CHECK_OK(six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(fd, 16));
    return fd;
}

static int t_connect(int fd, const struct in6_addr *a, uint16_t port) {
    struct sockaddr_in6 sin6 = t_sin6(a, port);
    return six_connect(fd, (struct sockaddr *)&sin6, sizeof(sin6));
}

static int t_so_error(int fd) {
    int err = -1;
    socklen_t len = sizeof(err);
    CHECK_OK(six_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
    return err;
}

static short t_revents(int fd, short events) {
    struct pollfd pfd = {.fd = fd, .events = events};
    CHECK(six_poll(&pfd, 1, 0) >= 0);
    return pfd.revents;
}

/* A connected pair: *c on A connected to *s on B (accepted). */
static void t_pair(struct hpair *p, int *c, int *s) {
    int l = t_listen(p, p->b, PORT);
    *c = t_sock(p, p->a);
    CHECK_ERRNO(t_connect(*c, &p->addr_b, PORT), EINPROGRESS);
    h_pump(p);
    *s = (int)CHECK_OK(six_accept4(l, NULL, NULL, SOCK_NONBLOCK));
    t_track(p, *s);
    CHECK_EQ(t_so_error(*c), 0);
    h_close(p, l);
}

TEST(tcp_handshake_data_and_close) {
    struct hpair p;
    struct sockaddr_in6 peer;
    socklen_t plen = sizeof(peer);
    char buf[64];

    h_up(&p);
    int l = t_listen(&p, p.b, PORT);
    int c = t_sock(&p, p.a);
    CHECK_ERRNO(t_connect(c, &p.addr_b, PORT), EINPROGRESS);
    CHECK_ERRNO(six_accept(l, NULL, NULL), EAGAIN);
    CHECK(!(t_revents(c, POLLOUT) & POLLOUT));
    h_pump(&p);
    CHECK(t_revents(l, POLLIN) & POLLIN);
    int s = (int)CHECK_OK(six_accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK));
    t_track(&p, s);
    CHECK_EQ(plen, sizeof(peer));
    CHECK_MEM(&peer.sin6_addr, &p.addr_a, 16);
    CHECK(t_revents(c, POLLOUT) & POLLOUT);
    CHECK_EQ(t_so_error(c), 0);
    /* A second connect on a connected socket: EISCONN (ip6(4)). */
    CHECK_ERRNO(t_connect(c, &p.addr_b, PORT), EISCONN);

    CHECK_EQ(CHECK_OK(six_send(c, "hello", 5, 0)), 5);
    h_pump(&p);
    CHECK(t_revents(s, POLLIN) & POLLIN);
    CHECK_EQ(CHECK_OK(six_recv(s, buf, sizeof(buf), 0)), 5);
    CHECK_MEM(buf, "hello", 5);
    CHECK_ERRNO(six_recv(s, buf, sizeof(buf), 0), EAGAIN);
    CHECK_EQ(CHECK_OK(six_send(s, "world!", 6, 0)), 6);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(six_recv(c, buf, sizeof(buf), 0)), 6);
    CHECK_MEM(buf, "world!", 6);

    /* The client closes: the server reads EOF, then closes too. */
    h_close(&p, c);
    h_pump(&p);
    CHECK(t_revents(s, POLLIN | POLLRDHUP) & POLLRDHUP);
    CHECK_EQ(CHECK_OK(six_recv(s, buf, sizeof(buf), 0)), 0);
    h_close(&p, s);
    h_pump(&p);
    /* A sits in TIME_WAIT for 2 MSL, then forgets the connection. */
    h_advance(&p, 61000000);
    h_done(&p);
}

TEST(tcp_connect_to_closed_port_is_refused) {
    struct hpair p;

    h_up(&p);
    int c = t_sock(&p, p.a);
    CHECK_ERRNO(t_connect(c, &p.addr_b, PORT), EINPROGRESS);
    h_pump(&p);
    CHECK(h_stats(p.b).tcp_in_no_conn == 1);
    CHECK(t_revents(c, POLLOUT) & (POLLERR | POLLHUP));
    CHECK_EQ(t_so_error(c), ECONNREFUSED);
    h_done(&p);
}

TEST(tcp_close_with_unread_data_resets_peer) {
    struct hpair p;
    char buf[16];
    int c, s;

    h_up(&p);
    t_pair(&p, &c, &s);
    CHECK_EQ(CHECK_OK(six_send(c, "data", 4, 0)), 4);
    h_pump(&p);
    h_close(&p, s);           /* 4 bytes unread: RST (RFC 2525 2.17) */
    h_pump(&p);
    CHECK_ERRNO(six_recv(c, buf, sizeof(buf), 0), ECONNRESET);
    CHECK_ERRNO(six_send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    h_done(&p);
}

TEST(tcp_half_close_keeps_other_direction) {
    struct hpair p;
    char buf[16];
    int c, s;

    h_up(&p);
    t_pair(&p, &c, &s);
    CHECK_OK(six_shutdown(c, SHUT_WR));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(six_recv(s, buf, sizeof(buf), 0)), 0);
    CHECK_ERRNO(six_send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(CHECK_OK(six_send(s, "late", 4, 0)), 4);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(six_recv(c, buf, sizeof(buf), 0)), 4);
    CHECK_MEM(buf, "late", 4);
    h_close(&p, s);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(six_recv(c, buf, sizeof(buf), 0)), 0);
    h_close(&p, c);
    h_advance(&p, 61000000);
    h_done(&p);
}

TEST(tcp_bulk_transfer_arrives_intact) {
    struct hpair p;
    const size_t total = 4u << 20;
    uint8_t *src = malloc(total), *dst = malloc(total);
    size_t sent = 0, got = 0;
    int c, s;

    CHECK(src && dst);
    for (size_t i = 0; i < total; i++)
        src[i] = (uint8_t)(i * 7 + (i >> 13));
    h_up(&p);
    t_pair(&p, &c, &s);
    for (int round = 0; got < total && round < 100000; round++) {
        if (sent < total) {
            ssize_t n = six_send(c, src + sent, total - sent, 0);
            if (n > 0)
                sent += (size_t)n;
            else
                CHECK(errno == EAGAIN);
        }
        h_pump(&p);
        for (;;) {
            ssize_t n = six_recv(s, dst + got, total - got, 0);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        if (sent == total && got < total)
            h_advance(&p, 50000);
    }
    CHECK_EQ(got, total);
    CHECK_MEM(src, dst, total);
    CHECK_EQ(h_stats(p.a).tcp_out_retransmits, 0);
    free(src);
    free(dst);
    h_done(&p);
}

TEST(tcp_peek_and_waitall_partial) {
    struct hpair p;
    char buf[16];
    int c, s;

    h_up(&p);
    t_pair(&p, &c, &s);
    CHECK_EQ(CHECK_OK(six_send(c, "abcdef", 6, 0)), 6);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(six_recv(s, buf, 3, MSG_PEEK)), 3);
    CHECK_MEM(buf, "abc", 3);
    CHECK_EQ(CHECK_OK(six_recv(s, buf, 4, 0)), 4);
    CHECK_MEM(buf, "abcd", 4);
    CHECK_EQ(CHECK_OK(six_recv(s, buf, sizeof(buf), 0)), 2);
    CHECK_MEM(buf, "ef", 2);
    h_done(&p);
}

/* Moves as much of src as A will take and reads what B has, both ways,
 * on a clock that moves 1 ms a round, until everything arrived. */
struct flow {
    int from, to;
    const uint8_t *src;
    uint8_t *dst;
    size_t total, sent, got;
};

static void flow_step(struct flow *f) {
    if (f->sent < f->total) {
        ssize_t n = six_send(f->from, f->src + f->sent, f->total - f->sent, MSG_NOSIGNAL);
        if (n > 0)
            f->sent += (size_t)n;
        else
            CHECK(errno == EAGAIN);
    }
    for (;;) {
        ssize_t n = six_recv(f->to, f->dst + f->got, f->total - f->got, 0);
        if (n <= 0)
            break;
        f->got += (size_t)n;
    }
}

static void lossy_transfer(uint32_t drop, uint32_t dup, uint32_t reorder, int cubic) {
    struct hpair p;
    const size_t na = 1u << 20, nb = 256u << 10;
    uint8_t *a_src = malloc(na), *a_dst = malloc(na), *b_src = malloc(nb), *b_dst = malloc(nb);
    struct six_fault fa = {.seed = 11, .dirs = SIX_FAULT_TX, .drop_ppm = drop, .dup_ppm = dup,
                           .reorder_ppm = reorder, .delay_us = 1000, .jitter_us = 200};
    struct six_fault fb = fa;
    int c, s;

    CHECK(a_src && a_dst && b_src && b_dst);
    for (size_t i = 0; i < na; i++)
        a_src[i] = (uint8_t)(i * 13 + (i >> 11));
    for (size_t i = 0; i < nb; i++)
        b_src[i] = (uint8_t)(i * 5 + (i >> 7));
    fb.seed = 12;
    h_up(&p);
    t_pair(&p, &c, &s);
    if (!cubic) {
        CHECK_OK(six_setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "reno", 4));
        CHECK_OK(six_setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, "reno", 4));
    }
    CHECK_OK(six_if_set_fault(p.a, p.ifa, &fa));
    CHECK_OK(six_if_set_fault(p.b, p.ifb, &fb));
    struct flow ab = {c, s, a_src, a_dst, na, 0, 0}, ba = {s, c, b_src, b_dst, nb, 0, 0};
    for (int round = 0; round < 200000 && (ab.got < na || ba.got < nb); round++) {
        flow_step(&ab);
        flow_step(&ba);
        h_advance(&p, 1000);
    }
    CHECK_EQ(ab.got, na);
    CHECK_EQ(ba.got, nb);
    CHECK_MEM(a_src, a_dst, na);
    CHECK_MEM(b_src, b_dst, nb);
    struct six_stats sa = h_stats(p.a);
    if (drop) {
        CHECK(sa.tcp_out_retransmits > 0);
        CHECK(sa.tcp_out_fast_retransmits > 0);
    }
    if (dup)
        CHECK(h_stats(p.b).tcp_in_dup_segs > 0);
    CHECK_OK(six_if_set_fault(p.a, p.ifa, NULL));
    CHECK_OK(six_if_set_fault(p.b, p.ifb, NULL));
    free(a_src);
    free(a_dst);
    free(b_src);
    free(b_dst);
    h_done(&p);
}

TEST(tcp_transfer_survives_loss_duplication_reordering_cubic) {
    lossy_transfer(20000, 10000, 20000, 1);
}

TEST(tcp_transfer_survives_loss_duplication_reordering_reno) {
    lossy_transfer(20000, 10000, 20000, 0);
}

TEST(tcp_transfer_survives_heavy_loss) {
    lossy_transfer(100000, 0, 0, 1);
}

TEST(tcp_bind_conflicts_and_reuseaddr) {
    struct hpair p;
    static const struct in6_addr any = IN6ADDR_ANY_INIT;
    int one = 1;

    h_up(&p);
    int l = t_listen(&p, p.b, PORT);
    int x = t_sock(&p, p.b);
    struct sockaddr_in6 sin6 = t_sin6(&any, PORT);
    CHECK_ERRNO(six_bind(x, (struct sockaddr *)&sin6, sizeof(sin6)), EADDRINUSE);
    /* SO_REUSEADDR does not share a port with a listener (Linux)... */
    CHECK_OK(six_setsockopt(x, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
    CHECK_ERRNO(six_bind(x, (struct sockaddr *)&sin6, sizeof(sin6)), EADDRINUSE);
    /* ...but lets a restarted server bind while its old connection sits
     * in TIME-WAIT. */
    int c, s;
    h_close(&p, l);
    l = t_listen(&p, p.a, PORT);
    c = t_sock(&p, p.b);
    CHECK_ERRNO(t_connect(c, &p.addr_a, PORT), EINPROGRESS);
    h_pump(&p);
    s = (int)CHECK_OK(six_accept(l, NULL, NULL));
    t_track(&p, s);
    h_close(&p, s);                       /* A closes first: A's TIME-WAIT */
    h_pump(&p);
    h_close(&p, c);
    h_pump(&p);
    h_close(&p, l);
    int again = t_sock(&p, p.a);
    struct sockaddr_in6 a6 = t_sin6(&p.addr_a, PORT);
    CHECK_OK(six_setsockopt(again, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
    CHECK_OK(six_bind(again, (struct sockaddr *)&a6, sizeof(a6)));
    CHECK_OK(six_listen(again, 1));
    /* Privileged ports need privilege. */
    h_privileged(0);
    int u = t_sock(&p, p.b);
    struct sockaddr_in6 low = t_sin6(&any, 80);
    CHECK_ERRNO(six_bind(u, (struct sockaddr *)&low, sizeof(low)), EACCES);
    h_privileged(1);
    h_advance(&p, 61000000);
    h_done(&p);
}

/* A forged data segment at B's rcv_nxt puts the two ends out of step: B
 * acknowledges bytes A never sent. A answers that ACK with one of its own
 * (RFC 5961 5.2), whose sequence number is now left of B's window, so B
 * answers it (RFC 9293 3.10.7.4), and so on for ever: an ACK loop, which
 * one answer per 500 ms per connection to such empty segments stops. */
TEST(tcp_forged_segment_starts_no_ack_loop) {
    static struct hframe f;
    struct hpair p;
    struct six_tcp_repr r;
    uint8_t hdr[SIX_TCP_MAX_HDR_LEN];
    int c, s;

    h_up(&p);
    t_pair(&p, &c, &s);
    struct six_sock *so = six__sock_acquire(s);
    CHECK(so && so->tcb);
    memset(&r, 0, sizeof(r));
    r.sport = so->tcb->fport;
    r.dport = PORT;
    r.seq = so->tcb->rcv_nxt;
    r.ack = so->tcb->snd_nxt;
    six__sock_release(so);
    r.flags = SIX_TCP_ACK | SIX_TCP_PSH;
    r.win = 65535;
    size_t hlen = six_tcp_emit(&r, hdr);
    h_ip6(&f, &p.addr_a, &p.addr_b, IPPROTO_TCP, 64);
    size_t off = h_put(&f, hdr, hlen);
    h_put(&f, "forged", 6);
    h_end(&f);
    h_put16(f.b + off + SIX_TCP_OFF_CKSUM,
            h_cksum(&p.addr_a, &p.addr_b, IPPROTO_TCP, f.b + off, f.len - off));
    uint64_t sent = h_stats(p.a).ip6_out_requests + h_stats(p.b).ip6_out_requests;
    CHECK_OK(six_if_inject(p.b, p.ifb, f.b, f.len));
    /* B's delayed ACK goes; then up to 200 rounds at one instant. */
    h_advance(&p, 50000);
    sent = h_stats(p.a).ip6_out_requests + h_stats(p.b).ip6_out_requests - sent;
    CHECK(sent <= 4);
    CHECK(h_stats(p.a).tcp_in_oow_acks_limited + h_stats(p.b).tcp_in_oow_acks_limited >= 1);
    h_done(&p);
}

/* One stack talking to itself over ::1 (what the benchmarks and the
 * default stack of compat.h do). */
TEST(tcp_over_loopback_on_one_stack) {
    struct six_stack_config cfg = h_config(5);
    struct six_stack *st = six_stack_new(&cfg);
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    struct sockaddr_in6 sin6 = t_sin6(&lo, 5555);
    char buf[64];

    CHECK(st != NULL);
    int l = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(six_bind(l, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(l, 4));
    int c = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int rc = six_connect(c, (struct sockaddr *)&sin6, sizeof(sin6));
    CHECK(rc == 0 || errno == EINPROGRESS);
    for (int i = 0; i < 10; i++)
        six_stack_poll(st, six_stack_now(st));
    int s = (int)CHECK_OK(six_accept(l, NULL, NULL));
    CHECK_EQ(CHECK_OK(six_send(c, "loop", 4, 0)), 4);
    for (int i = 0; i < 10; i++)
        six_stack_poll(st, six_stack_now(st));
    CHECK_EQ(CHECK_OK(six_recv(s, buf, sizeof(buf), 0)), 4);
    CHECK_MEM(buf, "loop", 4);
    struct sockaddr_in6 name;
    socklen_t nlen = sizeof(name);
    CHECK_OK(six_getpeername(s, (struct sockaddr *)&name, &nlen));
    CHECK_MEM(&name.sin6_addr, &lo, 16);
    CHECK_OK(six_getsockname(c, (struct sockaddr *)&name, &nlen));
    CHECK_MEM(&name.sin6_addr, &lo, 16);
    CHECK(name.sin6_port != 0);
    CHECK_OK(six_close(c));
    CHECK_OK(six_close(s));
    CHECK_OK(six_close(l));
    for (int i = 0; i < 10; i++)
        six_stack_poll(st, six_stack_now(st));
    CHECK_EQ(six_stack_pkts_in_use(st), 0);
    six_stack_free(st);
}

/* Over ::1 with nothing but the two sockets' own calls (no stack thread,
 * no six_stack_poll, the clock still): a writer that keeps its send
 * buffer full and a reader that drains what poll says is there move every
 * byte, and the reader sees the writer's close. The window update a read
 * sends and the FIN of a close must be delivered by those calls, as a
 * send's segments are: left in the loopback queue, the writer stalled
 * once the reader had drained 196,608 bytes. */
TEST(tcp_over_loopback_flows_without_polling_the_stack) {
    struct six_stack_config cfg = h_config(7);
    struct six_stack *st = six_stack_new(&cfg);
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    struct sockaddr_in6 sin6 = t_sin6(&lo, 5556);
    static uint8_t out[65536], in[65536];
    const size_t total = 4u << 20;
    size_t sent = 0, got = 0;
    int idle = 0;

    CHECK(st != NULL);
    int l = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(six_bind(l, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(l, 4));
    int c = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(six_connect(c, (struct sockaddr *)&sin6, sizeof(sin6)));
    int s = (int)CHECK_OK(six_accept4(l, NULL, NULL, SOCK_NONBLOCK));
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 7 + i / 251);
    while (got < total && idle < 100) {
        struct pollfd pf[2] = {{.fd = c, .events = POLLOUT}, {.fd = s, .events = POLLIN}};
        int moved = 0;
        CHECK(six_poll(pf, 2, 0) >= 0);
        /* The writer fills its buffer, then the reader takes one read. */
        while ((pf[0].revents & POLLOUT) && sent < total) {
            size_t at = sent % sizeof(out), n = sizeof(out) - at;
            ssize_t k = six_send(c, out + at, n < total - sent ? n : total - sent, 0);
            if (k <= 0)
                break;
            sent += (size_t)k;
            moved = 1;
            if (sent == total)
                CHECK_OK(six_close(c));
        }
        if (pf[1].revents & POLLIN) {
            ssize_t k = six_recv(s, in, sizeof(in), 0);
            CHECK(k > 0);
            for (ssize_t i = 0; i < k; i++)
                if (in[i] != out[(got + (size_t)i) % sizeof(out)])
                    six_test_fail(__FILE__, __LINE__, "byte %zu differs", got + (size_t)i);
            got += (size_t)k;
            moved = 1;
        }
        idle = moved ? 0 : idle + 1;
    }
    if (got < total)
        six_test_fail(__FILE__, __LINE__, "stalled: %zu of %zu bytes sent, %zu read", sent, total, got);
    /* The writer's FIN came with the last data: EOF without a poll. */
    CHECK_EQ(CHECK_OK(six_recv(s, in, sizeof(in), 0)), 0);
    CHECK_OK(six_close(s));
    CHECK_OK(six_close(l));
    six_stack_free(st);
}

/* TIME-WAIT is bounded (tcp_max_time_wait, RFC 4987's concern): past the
 * limit a closing connection is forgotten at once, and counted. */
TEST(tcp_time_wait_is_bounded) {
    struct six_stack_config ca = h_config(1), cb = h_config(2);
    struct hpair p;
    int c[3], s[3];

    ca.tcp_max_time_wait = 2;
    h_up_cfg(&p, &ca, &cb);
    for (int i = 0; i < 3; i++)
        t_pair(&p, &c[i], &s[i]);
    for (int i = 0; i < 3; i++) {        /* A closes first: A's TIME-WAIT */
        h_close(&p, c[i]);
        h_pump(&p);
        h_close(&p, s[i]);
        h_pump(&p);
    }
    CHECK_EQ(h_stats(p.a).tcp_time_wait_skipped, 1);
    CHECK_EQ(h_stats(p.b).tcp_time_wait_skipped, 0);
    h_advance(&p, 61000000);
    h_done(&p);
}

/* The stack's buffers are bounded together (tcp_mem_max): past it a send
 * fails with ENOBUFS (counted in tcp_mem_full); once a connection's data
 * is acknowledged and its ring given back, the others can send again. */
TEST(tcp_buffers_are_bounded_per_stack) {
    struct six_stack_config ca = h_config(1), cb = h_config(2);
    static char big[48 * 1024];
    static char buf[64 * 1024];
    struct hpair p;
    int c1, s1, c2, s2;

    cb.tcp_mem_max = 64 * 1024;
    h_up_cfg(&p, &ca, &cb);
    t_pair(&p, &c1, &s1);
    t_pair(&p, &c2, &s2);
    memset(big, 'b', sizeof(big));
    CHECK_EQ(CHECK_OK(six_send(s1, big, sizeof(big), 0)), (long)sizeof(big));
    CHECK_ERRNO(six_send(s2, "x", 1, 0), ENOBUFS);
    CHECK_EQ(h_stats(p.b).tcp_mem_full, 1);
    h_pump(&p);
    size_t got = 0;
    for (int i = 0; i < 100 && got < sizeof(big); i++) {
        ssize_t n = six_recv(c1, buf, sizeof(buf), 0);
        if (n > 0)
            got += (size_t)n;
        h_advance(&p, 50000);
    }
    CHECK_EQ(got, sizeof(big));
    h_advance(&p, 2000000);               /* the empty ring goes back */
    CHECK_EQ(CHECK_OK(six_send(s2, "x", 1, 0)), 1);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(six_recv(c2, buf, sizeof(buf), 0)), 1);
    h_done(&p);
}

/* Many short connections over ::1: ephemeral ports whose 4-tuple sits in
 * TIME-WAIT are passed over, never EADDRINUSE (tcpnet's finding). */
TEST(tcp_many_connections_skip_time_wait_tuples) {
    struct six_stack_config cfg = h_config(6);
    struct six_stack *st;
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    struct sockaddr_in6 sin6 = t_sin6(&lo, 6000);

    cfg.port_first = 40000;
    cfg.port_last = 40300;              /* a small range: collisions come fast */
    st = six_stack_new(&cfg);
    CHECK(st != NULL);
    int l = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(six_bind(l, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(l, 64));
    for (int i = 0; i < 250; i++) {
        int c = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
        int rc = six_connect(c, (struct sockaddr *)&sin6, sizeof(sin6));
        if (rc < 0 && errno != EINPROGRESS)
            six_test_fail(__FILE__, __LINE__, "connect %d: %s", i, strerror(errno));
        for (int k = 0; k < 4; k++)
            six_stack_poll(st, six_stack_now(st));
        int s = (int)CHECK_OK(six_accept(l, NULL, NULL));
        CHECK_OK(six_close(c));         /* the client's side waits in TIME-WAIT */
        for (int k = 0; k < 4; k++)
            six_stack_poll(st, six_stack_now(st));
        CHECK_OK(six_close(s));
        for (int k = 0; k < 4; k++)
            six_stack_poll(st, six_stack_now(st));
    }
    CHECK_OK(six_close(l));
    CHECK_EQ(six_stack_pkts_in_use(st), 0);
    six_stack_free(st);
}
