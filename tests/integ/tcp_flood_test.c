/* TCP under a SYN flood (RFC 4987): a million SYNs from spoofed sources,
 * injected into B on the stack clock, leave B's memory bounded (half-open
 * connections capped, the rest answered with SYN cookies) while a
 * connection established before keeps working and a new legitimate one
 * still succeeds. */
#include <malloc.h>
#include <stdlib.h>

#include "tseg.h"

#define FLOOD 1000000
#define HALF_OPEN_MAX 256

static int sanitized(void) {
#if defined(__SANITIZE_ADDRESS__)
    return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return 1;
#endif
#endif
    return 0;
}

/* Small messages go at once (no Nagle waiting for delayed ACKs: this
 * clock moves only when the test says). */
static void nodelay(int fd) {
    int one = 1;
    CHECK_OK(six_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
}

static int accept_one(struct hpair *p, int l) {
    int fd = (int)CHECK_OK(six_accept4(l, NULL, NULL, SOCK_NONBLOCK));
    p->socks[p->nsocks++] = fd;
    nodelay(fd);
    return fd;
}

static int connect_a(struct hpair *p) {
    struct sockaddr_in6 to = h_sin6(&p->addr_b, 0);
    int fd = (int)CHECK_OK(six_socket_on(p->a, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    p->socks[p->nsocks++] = fd;
    to.sin6_port = htons(TS_PORT);
    nodelay(fd);
    CHECK_ERRNO(six_connect(fd, (struct sockaddr *)&to, sizeof(to)), EINPROGRESS);
    return fd;
}

static void echo_check(struct hpair *p, int c, int s, const char *msg) {
    char buf[64];
    size_t n = strlen(msg);
    CHECK_EQ(CHECK_OK(six_send(c, msg, n, 0)), (ssize_t)n);
    h_pump(p);
    ssize_t got = six_recv(s, buf, sizeof(buf), 0);
    if (got != (ssize_t)n)
        six_test_fail(__FILE__, __LINE__, "%s: got %zd (%s)", msg, got, strerror(errno));
    CHECK_MEM(buf, msg, n);
}

TEST(tcp_syn_flood_keeps_memory_bounded_and_service_up) {
    struct six_stack_config ca = h_config(1), cb = h_config(2);
    static struct hframe f;
    struct hpair p;
    int flood = sanitized() ? FLOOD / 10 : FLOOD;
    uint64_t rng = 0x9e3779b97f4a7c15ull;

    cb.tcp_max_half_open = HALF_OPEN_MAX;
    h_up_cfg(&p, &ca, &cb);
    static const struct in6_addr any = IN6ADDR_ANY_INIT;
    int l = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    p.socks[p.nsocks++] = l;
    struct sockaddr_in6 sin6 = h_sin6(&any, 0);
    sin6.sin6_port = htons(TS_PORT);
    CHECK_OK(six_bind(l, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(l, 1024));   /* the stack-wide cap binds first */

    int c1 = connect_a(&p);
    h_pump(&p);
    int s1 = accept_one(&p, l);
    echo_check(&p, c1, s1, "before");

    size_t heap0 = mallinfo2().uordblks;
    /* Spoofed SYNs: random sources in 2001:db8::/64 (B's answers cross to
     * A, which drops them: not its address), random ports and ISNs. */
    h_ip6(&f, &p.addr_a, &p.addr_b, IPPROTO_TCP, 64);
    uint8_t tcp[24] = {0, 0, 0, TS_PORT, 0, 0, 0, 0, 0, 0, 0, 0, 0x60, SIX_TCP_SYN, 0xff, 0xff,
                       0, 0, 0, 0, 2, 4, 0x05, 0xa0};
    size_t off = h_put(&f, tcp, sizeof(tcp));
    h_end(&f);
    for (int i = 0; i < flood; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        memcpy(f.b + 8 + 8, &rng, 8);
        f.b[8 + 15] |= 0x10;                /* never ::1 or ::2 */
        memcpy(f.b + off, &rng, 2);         /* source port */
        memcpy(f.b + off + 4, (uint8_t *)&rng + 2, 4);
        h_put16(f.b + off + 16, 0);
        h_put16(f.b + off + 16, h_cksum((struct in6_addr *)(f.b + 8), &p.addr_b, IPPROTO_TCP,
                                        f.b + off, f.len - off));
        CHECK_OK(six_if_inject(p.b, p.ifb, f.b, f.len));
        if (i % 128 == 0)
            h_pump(&p);
        if (i == flood / 2) {
            /* Mid-flood, the old connection still works... */
            echo_check(&p, c1, s1, "during");
            /* ...and a new one gets through (a cookie, the half-open
             * table being full). */
            int c2 = connect_a(&p);
            h_pump(&p);
            int s2 = accept_one(&p, l);
            echo_check(&p, c2, s2, "new one");
            echo_check(&p, s2, c2, "and back");
        }
    }
    h_pump(&p);
    struct six_stats sb = h_stats(p.b);
    CHECK(sb.tcp_syn_cookies_sent >= (uint64_t)flood - HALF_OPEN_MAX - 1);
    CHECK_EQ(sb.tcp_syn_cookies_ok, 1);
    /* Bounded: the half-open connections and their table, nothing per
     * SYN past them (mallinfo counts nothing under ASan). */
    size_t heap1 = mallinfo2().uordblks;
    if (!sanitized())
        CHECK(heap1 < heap0 + (1u << 20));
    echo_check(&p, c1, s1, "after");
    /* The half-open ones give up after their SYN-ACK retries. */
    for (int i = 0; i < 10; i++)
        h_advance(&p, 60000000);
    CHECK(h_stats(p.b).tcp_conn_timeouts >= HALF_OPEN_MAX);
    h_done(&p);
}
