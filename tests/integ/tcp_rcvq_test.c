/* TCP's receive queue (tcp/data.c): in-order data that arrives while the
 * receive ring is empty stays in the packets it came in, and receives
 * copy it straight out of them (a copy less per byte than through the
 * ring). What must hold: the bytes come out intact and in order through
 * MSG_PEEK, MSG_WAITALL and reads that cut packets anywhere, queue and
 * ring mixed; a short segment joins the packet before it; the queued
 * buffers count against the socket's receive buffer and the stack's TCP
 * memory; and unread data never takes more than half of a packet pool,
 * so the stack keeps buffers for everything else. One stack over ::1. */
#include <netinet/tcp.h>

#include "tlo.h"
#include "sock/sock.h"
#include "tcp/tcp.h"

#define PORT 5660

/* tlo_pair with TCP_NODELAY at both ends (every write a segment). */
static int pair(struct six_stack *st, uint16_t port, int *c, int *s) {
    int one = 1, l = tlo_pair(st, port, c, s);

    CHECK_OK(six_setsockopt(*c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
    CHECK_OK(six_setsockopt(*s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
    return l;
}

/* Byte i of the test stream. */
static uint8_t pat(size_t i) {
    return (uint8_t)(i * 13 + (i >> 9));
}

static void send_pat(int fd, size_t from, size_t n) {
    static uint8_t b[16384];
    CHECK(n <= sizeof(b));
    for (size_t i = 0; i < n; i++)
        b[i] = pat(from + i);
    CHECK_EQ(CHECK_OK(six_send(fd, b, n, 0)), (ssize_t)n);
}

/* n writes of 1500 bytes of the stream from its start, each sent at
 * once (a segment each, in a 2 KiB buffer). */
static void send_segments(struct six_stack *st, int fd, int n) {
    for (int i = 0; i < n; i++) {
        send_pat(fd, (size_t)i * 1500, 1500);
        tlo_run(st);
    }
}

static void check_pat(const uint8_t *b, size_t from, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (b[i] != pat(from + i))
            six_test_fail(__FILE__, __LINE__, "byte %zu differs", from + i);
}

/* What the connection of fd holds: the receive queue's packets and bytes,
 * the ring's bytes and whether it is allocated. */
struct held {
    unsigned pkts;
    uint32_t qbytes, qmem, ring_len, ring_cap;
    size_t stack_mem;
    unsigned small_out, small_max;
};

static struct held held_of(int fd) {
    struct six_sock *so = six__sock_acquire(fd);
    struct held h;

    CHECK(so != NULL && so->tcb != NULL);
    struct six_tcb *t = so->tcb;
    h = (struct held){t->rcvq.count,   t->rcvq_bytes,  t->rcvq_mem,
                      t->rcv.len,      t->rcv.cap,     t->tcp->mem_used,
                      t->tcp->core->pools.small.out, t->tcp->core->pools.small.max};
    six__sock_release(so);
    return h;
}

/* Three segments wait in their packets (no ring allocated); a peek across
 * two of them, then reads cut anywhere (one ending inside a packet, one
 * spanning two, MSG_WAITALL for the rest) give the stream in order; the
 * buffers go back as they are read. */
TEST(tcp_reads_straight_from_the_arrived_segments) {
    struct six_stack_config cfg = h_config(21);
    struct six_stack *st = six_stack_new(&cfg);
    static uint8_t in[9000];
    struct held h;
    int c, s, l;

    CHECK(st != NULL);
    l = pair(st, PORT, &c, &s);
    send_pat(c, 0, 3000);
    send_pat(c, 3000, 3000);
    send_pat(c, 6000, 3000);
    tlo_run(st);
    h = held_of(s);
    CHECK_EQ(h.pkts, 3);
    CHECK_EQ(h.qbytes, 9000);
    CHECK_EQ(h.ring_cap, 0);
    CHECK(h.qmem >= 9000);
    struct held full = h;

    CHECK_EQ(CHECK_OK(six_recv(s, in, 4500, MSG_PEEK)), 4500);
    check_pat(in, 0, 4500);
    CHECK_EQ(CHECK_OK(six_recv(s, in, 1000, 0)), 1000);
    check_pat(in, 0, 1000);
    CHECK_EQ(CHECK_OK(six_recv(s, in, 3500, MSG_PEEK)), 3500);
    check_pat(in, 1000, 3500);
    CHECK_EQ(CHECK_OK(six_recv(s, in, 4000, 0)), 4000);
    check_pat(in, 1000, 4000);
    h = held_of(s);
    CHECK_EQ(h.pkts, 2);          /* the first is read and gone */
    CHECK_EQ(h.qbytes, 4000);
    CHECK_EQ(CHECK_OK(six_recv(s, in, 4000, MSG_WAITALL)), 4000);
    check_pat(in, 5000, 4000);
    h = held_of(s);
    CHECK_EQ(h.pkts, 0);
    /* The buffers were charged to the stack's TCP memory while held. */
    CHECK_EQ(h.stack_mem, full.stack_mem - full.qmem);
    CHECK_ERRNO(six_recv(s, in, sizeof(in), MSG_DONTWAIT), EAGAIN);
    tlo_done(st, c, s, l);
}

/* A short segment after a queued one is copied after its data (no
 * buffer held for a few bytes); short data alone goes to the ring, and
 * while the ring holds data everything after it does too, so the stream
 * stays in order: queue, then ring. */
TEST(tcp_short_segments_join_the_queue_or_go_to_the_ring) {
    struct six_stack_config cfg = h_config(22);
    struct six_stack *st = six_stack_new(&cfg);
    static uint8_t in[8000];
    struct held h;
    int c, s, l;

    CHECK(st != NULL);
    l = pair(st, PORT + 1, &c, &s);
    send_pat(c, 0, 3000);
    send_pat(c, 3000, 20);
    tlo_run(st);
    h = held_of(s);
    CHECK_EQ(h.pkts, 1);
    CHECK_EQ(h.qbytes, 3020);
    CHECK_EQ(h.ring_len, 0);
    CHECK_EQ(CHECK_OK(six_recv(s, in, sizeof(in), 0)), 3020);
    check_pat(in, 0, 3020);

    /* Alone, 20 bytes go to the ring; a full segment after them too. */
    send_pat(c, 3020, 20);
    tlo_run(st);
    send_pat(c, 3040, 3000);
    tlo_run(st);
    h = held_of(s);
    CHECK_EQ(h.pkts, 0);
    CHECK_EQ(h.ring_len, 3020);
    CHECK_EQ(CHECK_OK(six_recv(s, in, 10, 0)), 10);
    check_pat(in, 3020, 10);
    /* Read down to empty: the next full segment is queued again, and
     * out of the queue first, the ring's older bytes ... */
    CHECK_EQ(CHECK_OK(six_recv(s, in, sizeof(in), 0)), 3010);
    check_pat(in, 3030, 3010);
    send_pat(c, 6040, 3000);
    tlo_run(st);
    h = held_of(s);
    CHECK_EQ(h.pkts, 1);
    CHECK_EQ(h.ring_len, 0);
    CHECK_EQ(CHECK_OK(six_recv(s, in, sizeof(in), 0)), 3000);
    check_pat(in, 6040, 3000);
    tlo_done(st, c, s, l);
}

/* Unread data may hold at most half of a packet pool: past that it is
 * copied into the ring and its packets go back, so that a reader that
 * does not read leaves buffers for everything else: a new connection
 * still opens and carries data. Every byte still arrives intact. */
TEST(tcp_unread_data_leaves_half_the_pool) {
    struct six_stack_config cfg = h_config(23);
    cfg.pkt_small_max = 16;
    struct six_stack *st = six_stack_new(&cfg);
    static uint8_t in[40000];
    struct held h;
    int c, s, l, c2, s2;

    CHECK(st != NULL);
    l = pair(st, PORT + 2, &c, &s);
    send_segments(st, c, 20);
    h = held_of(s);
    CHECK(h.pkts >= 4);
    CHECK(h.small_out <= h.small_max / 2);
    CHECK_EQ(h.qbytes + h.ring_len, 30000);
    CHECK(h.ring_len > 0);

    c2 = tlo_connect(st, PORT + 2, l, &s2);
    CHECK_EQ(CHECK_OK(six_send(c2, "still", 5, 0)), 5);
    tlo_run(st);
    CHECK_EQ(CHECK_OK(six_recv(s2, in, sizeof(in), 0)), 5);
    CHECK_MEM(in, "still", 5);

    CHECK_EQ(CHECK_OK(six_recv(s, in, 30000, MSG_WAITALL)), 30000);
    check_pat(in, 0, 30000);
    CHECK_OK(six_close(c2));
    CHECK_OK(six_close(s2));
    tlo_done(st, c, s, l);
}

/* The queued buffers count against the socket's receive buffer: with
 * SO_RCVBUF at 8 KiB (16 KiB held, as Linux doubles it) at most eight
 * 2 KiB buffers are held, the rest of the window's data goes to the
 * ring, and no more bytes are taken than the window advertised. */
TEST(tcp_queued_buffers_count_against_the_receive_buffer) {
    struct six_stack_config cfg = h_config(24);
    struct six_stack *st = six_stack_new(&cfg);
    static uint8_t in[40000];
    struct held h;
    int c, s, l, sz = 8192, one = 1;

    CHECK(st != NULL);
    l = tlo_listener(st, PORT + 3, sz);
    c = tlo_connect(st, PORT + 3, l, &s);
    CHECK_OK(six_setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
    send_segments(st, c, 12);
    h = held_of(s);
    CHECK(h.pkts >= 4);
    CHECK(h.qmem <= 16384);
    CHECK(h.qbytes + h.ring_len <= 16384);
    CHECK(h.qbytes + h.ring_len < 18000);
    size_t got = 0;
    ssize_t r;
    for (int round = 0; got < 18000 && round < 100; round++) {
        while ((r = six_recv(s, in + got, sizeof(in) - got, MSG_DONTWAIT)) > 0)
            got += (size_t)r;
        tlo_run(st);
    }
    CHECK_EQ(got, 18000);
    check_pat(in, 0, 18000);
    tlo_done(st, c, s, l);
}

/* The queued buffers count against the stack's TCP memory (tcp_mem_max)
 * with the rings: a reader that does not read cannot hold more. */
TEST(tcp_queued_buffers_count_against_the_stacks_tcp_memory) {
    struct six_stack_config cfg = h_config(25);
    cfg.tcp_mem_max = 24576;
    struct six_stack *st = six_stack_new(&cfg);
    static uint8_t in[40000];
    struct held h;
    int c, s, l;

    CHECK(st != NULL);
    l = pair(st, PORT + 4, &c, &s);
    send_segments(st, c, 12);
    h = held_of(s);
    CHECK(h.pkts >= 4);
    CHECK(h.stack_mem <= 24576);
    /* What was taken is the stream's start, intact. */
    CHECK_EQ(CHECK_OK(six_recv(s, in, sizeof(in), MSG_DONTWAIT)), (ssize_t)(h.qbytes + h.ring_len));
    check_pat(in, 0, h.qbytes + h.ring_len);
    tlo_done(st, c, s, l);
}
