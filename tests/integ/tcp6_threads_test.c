/* TCP with blocking calls: two stacks running in threads of their own
 * (monotonic clock) on a memwire pair; a server thread accepts and echoes,
 * the main thread connects, sends and reads back. Every blocking call has
 * an SO_RCVTIMEO/SO_SNDTIMEO safety net so a missed wakeup fails instead of
 * hanging. CHECK runs on the main thread only. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/time.h>

#include "harness.h"

#define PORT 7
#define TOTAL (1u << 20)

static struct six_stack_config mono_config(uint64_t seed) {
    struct six_stack_config cfg;
    six_stack_config_init(&cfg);
    cfg.seed = seed;
    return cfg;
}

static void timeouts(int fd, long sec) {
    struct timeval tv = {.tv_sec = sec, .tv_usec = 0};
    six_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    six_setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

struct server {
    pthread_t th;
    int listener;
    size_t echoed;
    int err;
};

/* Accepts one connection and echoes until EOF. */
static void *server_main(void *arg) {
    struct server *sv = arg;
    static uint8_t buf[65536];
    int fd = six_accept(sv->listener, NULL, NULL);

    if (fd < 0) {
        sv->err = errno;
        return NULL;
    }
    timeouts(fd, 10);
    for (;;) {
        ssize_t n = six_recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) {
            if (n < 0)
                sv->err = errno;
            break;
        }
        if (six_send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n) {
            sv->err = errno;
            break;
        }
        sv->echoed += (size_t)n;
    }
    six_close(fd);
    return NULL;
}

TEST(tcp_blocking_echo_between_threads) {
    struct six_stack_config ca = mono_config(1), cb = mono_config(2);
    struct server sv = {0};
    struct hpair p;
    struct sockaddr_in6 sin6;
    uint8_t *src = malloc(TOTAL), *back = malloc(TOTAL);

    CHECK(src && back);
    for (size_t i = 0; i < TOTAL; i++)
        src[i] = (uint8_t)(i ^ (i >> 9));
    h_up_cfg(&p, &ca, &cb);
    CHECK_OK(six_stack_start(p.a));
    CHECK_OK(six_stack_start(p.b));
    sv.listener = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_STREAM, 0));
    timeouts(sv.listener, 10);
    sin6 = h_sin6(&p.addr_b, 0);
    sin6.sin6_port = htons(PORT);
    CHECK_OK(six_bind(sv.listener, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(sv.listener, 1));
    CHECK(pthread_create(&sv.th, NULL, server_main, &sv) == 0);

    int c = (int)CHECK_OK(six_socket_on(p.a, AF_INET6, SOCK_STREAM, 0));
    timeouts(c, 10);
    CHECK_OK(six_connect(c, (struct sockaddr *)&sin6, sizeof(sin6)));
    /* Send in a second thread's absence: interleave so neither side's
     * buffers fill for good (the echo needs us to read). */
    size_t sent = 0, got = 0;
    while (got < TOTAL) {
        if (sent < TOTAL) {
            size_t n = TOTAL - sent < 65536 ? TOTAL - sent : 65536;
            CHECK_EQ(six_send(c, src + sent, n, 0), (ssize_t)n);
            sent += n;
        }
        while (got < sent) {
            ssize_t n = six_recv(c, back + got, sent - got, 0);
            CHECK(n > 0);
            got += (size_t)n;
        }
    }
    CHECK_MEM(src, back, TOTAL);
    CHECK_OK(six_shutdown(c, SHUT_WR));
    uint8_t x;
    CHECK_EQ(six_recv(c, &x, 1, 0), 0);    /* the server's FIN */
    pthread_join(sv.th, NULL);
    CHECK_EQ(sv.err, 0);
    CHECK_EQ(sv.echoed, TOTAL);
    CHECK_OK(six_close(c));
    CHECK_OK(six_close(sv.listener));
    CHECK_OK(six_stack_stop(p.a));
    CHECK_OK(six_stack_stop(p.b));
    free(src);
    free(back);
    h_done(&p);
}

/* A non-blocking connect waited for with six_poll(POLLOUT) from another
 * thread's stack: poll sleeps (no spinning on the always-writable
 * descriptor) and wakes when the handshake ends; SO_ERROR is 0. A second
 * poll, for POLLIN, waits for data. */
TEST(tcp_poll_waits_for_connect_and_data) {
    struct six_stack_config ca = mono_config(3), cb = mono_config(4);
    struct hpair p;
    struct sockaddr_in6 sin6;
    int err = -1;
    socklen_t elen = sizeof(err);

    h_up_cfg(&p, &ca, &cb);
    CHECK_OK(six_stack_start(p.a));
    CHECK_OK(six_stack_start(p.b));
    int l = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_STREAM, 0));
    sin6 = h_sin6(&p.addr_b, 0);
    sin6.sin6_port = htons(PORT);
    CHECK_OK(six_bind(l, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(l, 4));
    int c = (int)CHECK_OK(six_socket_on(p.a, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int rc = six_connect(c, (struct sockaddr *)&sin6, sizeof(sin6));
    CHECK(rc == 0 || errno == EINPROGRESS);
    struct pollfd pfd = {.fd = c, .events = POLLOUT};
    CHECK_EQ(six_poll(&pfd, 1, 5000), 1);
    CHECK(pfd.revents & POLLOUT);
    CHECK_OK(six_getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &elen));
    CHECK_EQ(err, 0);
    int s = (int)CHECK_OK(six_accept(l, NULL, NULL));
    pfd = (struct pollfd){.fd = c, .events = POLLIN};
    CHECK_EQ(six_poll(&pfd, 1, 50), 0);       /* nothing yet: a real wait */
    CHECK_EQ(six_send(s, "ping", 4, 0), 4);
    CHECK_EQ(six_poll(&pfd, 1, 5000), 1);
    CHECK(pfd.revents & POLLIN);
    char buf[8];
    CHECK_EQ(six_recv(c, buf, sizeof(buf), 0), 4);
    CHECK_OK(six_close(s));
    CHECK_OK(six_close(c));
    CHECK_OK(six_close(l));
    CHECK_OK(six_stack_stop(p.a));
    CHECK_OK(six_stack_stop(p.b));
    h_done(&p);
}
