/* TCP's per-stack tables (the 4-tuple hash, the port table, the secrets)
 * are made by the stack's first stream socket, not with the stack: a stack
 * that never uses TCP pays nothing for them (the board's RAM), still
 * answers a segment with a RST, and running out of memory when they are
 * made is an error of socket(), not a crash.
 *
 * The heap is read with glibc's mallinfo2; under a sanitizer it counts
 * nothing and the allocator cannot be replaced, so those checks are left
 * out there (the behaviour around them still runs). */
#include <malloc.h>
#include <stdlib.h>

#include "harness.h"

#define PORT 8080

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* What the tables take at the least: two tables of 64 buckets. */
#define TABLES_MIN_BYTES (2 * 64 * sizeof(void *))

#if !SANITIZED
/* Fault injection: when fail_in is n > 0, the n-th malloc or calloc from
 * now fails (and fail_in drops to 0). The rest go to glibc. */
static int fail_in;
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);

static int failing_now(void) { return fail_in > 0 && --fail_in == 0; }

void *malloc(size_t n) { return failing_now() ? NULL : __libc_malloc(n); }
void *calloc(size_t n, size_t size) { return failing_now() ? NULL : __libc_calloc(n, size); }
#endif

static size_t heap_in_use(void) { return mallinfo2().uordblks; }

static struct sockaddr_in6 sin6_port(const struct in6_addr *a, uint16_t port) {
    struct sockaddr_in6 sin6 = h_sin6(a, 0);
    sin6.sin6_port = htons(port);
    return sin6;
}

static int stream_sock(struct hpair *p, struct six_stack *st) {
    int fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK(p->nsocks < H_MAX_SOCKS);
    p->socks[p->nsocks++] = fd;
    return fd;
}

static int so_error(int fd) {
    int err = -1;
    socklen_t len = sizeof(err);
    CHECK_OK(six_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
    return err;
}

/* A SYN from A's address to B's PORT, where nothing listens, injected
 * into B: B answers with a RST (A, without TCP either, lets it be). */
static void syn_to_closed_port(struct hpair *p) {
    static struct hframe f;
    uint8_t tcp[20] = {0};
    size_t off;

    h_frame_ab(p, &f, IPPROTO_TCP);
    h_put16(tcp, 40000);
    h_put16(tcp + 2, PORT);
    tcp[7] = 1;             /* seq 1 */
    tcp[12] = 5 << 4;       /* 20-byte header */
    tcp[13] = 0x02;         /* SYN */
    h_put16(tcp + 14, 8192);
    off = h_put(&f, tcp, sizeof(tcp));
    h_end(&f);
    h_put16(f.b + off + 16, h_cksum(&p->addr_a, &p->addr_b, IPPROTO_TCP, f.b + off, 20));
    h_inject(p, &f);
}

/* B never had a stream socket: the SYNs it gets are answered as by a
 * closed port, with nothing allocated, and its tables are made only by
 * its first stream socket (which costs them; the second does not). */
TEST(a_stack_without_stream_sockets_has_no_tcp_tables) {
    struct hpair p;
    size_t h0, h1, h2;

    h_up(&p);
    syn_to_closed_port(&p);     /* the first one warms the path up */
    CHECK_EQ(h_stats(p.b).tcp_out_rsts, 1);
    CHECK_EQ(h_stats(p.a).tcp_in_no_conn, 1);
    h0 = heap_in_use();
    syn_to_closed_port(&p);
    h1 = heap_in_use();
    CHECK_EQ(h_stats(p.b).tcp_out_rsts, 2);
    CHECK_EQ(h_stats(p.a).tcp_in_no_conn, 2);
    if (!SANITIZED)
        CHECK_EQ(h1, h0);

    /* What a stack's first socket of any kind makes (its part of the
     * descriptor table) is made before the count starts. */
    p.socks[p.nsocks++] = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_DGRAM, 0));
    h0 = heap_in_use();
    stream_sock(&p, p.b);
    h1 = heap_in_use();
    stream_sock(&p, p.b);
    h2 = heap_in_use();
    if (!SANITIZED)
        CHECK(h1 - h0 >= (h2 - h1) + TABLES_MIN_BYTES);
    h_done(&p);
}

/* A connects to B's PORT, where nothing listens: refused. */
static void refused_connect(struct hpair *p) {
    int c = stream_sock(p, p->a);
    struct sockaddr_in6 to = sin6_port(&p->addr_b, PORT);

    CHECK_ERRNO(six_connect(c, (struct sockaddr *)&to, sizeof(to)), EINPROGRESS);
    h_pump(p);
    CHECK_EQ(so_error(c), ECONNREFUSED);
    h_close(p, c);
}

/* Tables made late serve connections as tables made early did: a
 * handshake, data both ways, a close, on stacks whose first TCP packet
 * was a refused SYN. */
TEST(tcp_works_after_the_tables_are_made_late) {
    static const struct in6_addr any = IN6ADDR_ANY_INIT;
    struct hpair p;
    char buf[16];

    h_up(&p);
    refused_connect(&p);
    int l = stream_sock(&p, p.b);
    struct sockaddr_in6 at = sin6_port(&any, PORT), to = sin6_port(&p.addr_b, PORT);
    CHECK_OK(six_bind(l, (struct sockaddr *)&at, sizeof(at)));
    CHECK_OK(six_listen(l, 4));
    int c = stream_sock(&p, p.a);
    CHECK_ERRNO(six_connect(c, (struct sockaddr *)&to, sizeof(to)), EINPROGRESS);
    h_pump(&p);
    int s = (int)CHECK_OK(six_accept4(l, NULL, NULL, SOCK_NONBLOCK));
    p.socks[p.nsocks++] = s;
    CHECK_EQ(CHECK_OK(six_send(c, "ping", 4, 0)), 4);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(six_recv(s, buf, sizeof(buf), 0)), 4);
    CHECK_MEM(buf, "ping", 4);
    CHECK_EQ(CHECK_OK(six_send(s, "pong", 4, 0)), 4);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(six_recv(c, buf, sizeof(buf), 0)), 4);
    CHECK_MEM(buf, "pong", 4);
    h_close(&p, c);
    h_close(&p, s);
    h_pump(&p);
    h_advance(&p, 61000000);    /* TIME_WAIT ends */
    h_done(&p);
}

/* Each allocation of the first stream socket fails in turn: socket()
 * says ENOBUFS or ENOMEM, leaks nothing, and the next try works. Then the
 * same for the connection's first allocation. */
TEST(running_out_while_making_the_tables_is_an_error_not_a_crash) {
#if SANITIZED
    return;     /* the allocator cannot be replaced under a sanitizer */
#else
    struct hpair p;
    int fd, failures = 0;
    size_t h0;

    h_up(&p);
    /* A first socket makes what every socket shares (the descriptor
     * table). */
    six_close((int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_DGRAM, 0)));
    h0 = heap_in_use();
    for (int nth = 1;; nth++) {
        /* Each failure is repeated: a leak would add up, where glibc's
         * per-thread cache of freed chunks only makes the count jitter. */
        for (int again = 0; again < 50; again++) {
            fail_in = nth;
            fd = six_socket_on(p.b, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
            int hit = fail_in == 0;
            fail_in = 0;
            if (fd >= 0) {
                CHECK(!hit);
                break;
            }
            CHECK(hit);
            CHECK(errno == ENOBUFS || errno == ENOMEM);
        }
        if (fd >= 0)
            break;
        CHECK(heap_in_use() < h0 + 4096);
        failures++;
    }
    /* The tables' allocations come first, then the socket's own. */
    CHECK(failures >= 3);
    p.socks[p.nsocks++] = fd;

    /* The connection's TCB: connect() fails cleanly, then works. */
    struct sockaddr_in6 to = sin6_port(&p.addr_a, PORT);
    fail_in = 1;
    CHECK_ERRNO(six_connect(fd, (struct sockaddr *)&to, sizeof(to)), ENOBUFS);
    CHECK_EQ(fail_in, 0);
    CHECK_ERRNO(six_connect(fd, (struct sockaddr *)&to, sizeof(to)), EINPROGRESS);
    h_pump(&p);
    CHECK_EQ(so_error(fd), ECONNREFUSED);
    h_done(&p);
#endif
}
