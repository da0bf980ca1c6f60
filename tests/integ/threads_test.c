/* Stacks in threads of their own (six_stack_start, monotonic clock),
 * blocking calls woken from other threads, the default stack, system
 * sockets passing through, and epoll on a sixstack descriptor.
 *
 * CHECK may only run on the main thread (it longjmps): worker threads
 * record what they saw and the main thread checks it. Every blocking call
 * a worker makes has an SO_RCVTIMEO safety net, so a wakeup that never
 * comes fails the test instead of hanging it. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define EXPERIMENT_PROTO 253
#define SAFETY_S 10

static struct six_stack_config mono_config(uint64_t seed) {
    struct six_stack_config cfg;
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MONOTONIC;
    cfg.seed = seed;
    return cfg;
}

static void sleep_ms(long ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static void set_rcvtimeo(int fd, long sec) {
    struct timeval tv = {.tv_sec = sec, .tv_usec = 0};
    CHECK_OK(six_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
}

/* A thread blocked in six_recvfrom on one descriptor. */
struct receiver {
    pthread_t th;
    int fd;
    atomic_int entered, done;
    ssize_t n;
    int err;
    uint8_t buf[256];
    struct sockaddr_in6 from;
};

static void *receiver_main(void *arg) {
    struct receiver *r = arg;
    socklen_t flen = sizeof(r->from);

    atomic_store(&r->entered, 1);
    errno = 0;
    r->n = six_recvfrom(r->fd, r->buf, sizeof(r->buf), 0, (struct sockaddr *)&r->from, &flen);
    r->err = errno;
    atomic_store(&r->done, 1);
    return NULL;
}

/* Starts the receiver and gives it time to block; checks it did. */
static void receiver_start(struct receiver *r, int fd) {
    memset(r, 0, sizeof(*r));
    r->fd = fd;
    CHECK_EQ(pthread_create(&r->th, NULL, receiver_main, r), 0);
    while (!atomic_load(&r->entered))
        sleep_ms(1);
    sleep_ms(50);
    CHECK(!atomic_load(&r->done));
}

/* Joins the receiver, failing (not hanging) if it does not return soon. */
static void receiver_join(struct receiver *r, int within_s) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += within_s;
    int rc = pthread_timedjoin_np(r->th, NULL, &ts);
    if (rc != 0) {
        pthread_detach(r->th);
        six_test_fail(__FILE__, __LINE__, "receiver still blocked after %d s", within_s);
    }
}

/* Two started stacks on a memwire pair, monotonic clocks. */
static void up_threaded(struct hpair *p) {
    struct six_stack_config ca = mono_config(1), cb = mono_config(2);
    h_up_cfg(p, &ca, &cb);
    CHECK_OK(six_stack_start(p->a));
    CHECK_OK(six_stack_start(p->b));
}

/* Stops the threads, then the harness's checks and frees. */
static void done_threaded(struct hpair *p) {
    CHECK_OK(six_stack_stop(p->a));
    CHECK_OK(six_stack_stop(p->b));
    h_done(p);
}

TEST(blocking_recv_woken_by_packet_from_other_stack) {
    struct hpair p;
    struct receiver r;
    static const uint8_t msg[] = "wake up";

    up_threaded(&p);
    int fa = h_sock(&p, p.a, EXPERIMENT_PROTO);
    int fb = h_sock(&p, p.b, EXPERIMENT_PROTO);
    set_rcvtimeo(fb, SAFETY_S);

    receiver_start(&r, fb);
    /* Sent from the main thread on A; A's link hands the frame to B's
     * ring and B's own thread must wake to deliver it. */
    h_send_ok(fa, &p.addr_b, msg, sizeof(msg));
    receiver_join(&r, SAFETY_S + 5);
    CHECK_EQ(r.n, sizeof(msg));
    CHECK_MEM(r.buf, msg, sizeof(msg));
    CHECK(h_addr_eq(&r.from.sin6_addr, &p.addr_a));
    done_threaded(&p);
}

TEST(close_while_blocked_in_recv_returns_ebadf) {
    struct hpair p;
    struct receiver r;

    up_threaded(&p);
    int fb = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_RAW, EXPERIMENT_PROTO));
    set_rcvtimeo(fb, SAFETY_S);
    receiver_start(&r, fb);
    CHECK_OK(six_close(fb));
    receiver_join(&r, 5);
    CHECK_EQ(r.n, -1);
    CHECK_EQ(r.err, EBADF);
    done_threaded(&p);
}

/* six_stack_stop only stops the stack's thread: a caller blocked in recv
 * stays blocked (its socket is still open). six_stack_free then closes the
 * socket under it and it returns -1/EBADF. */
TEST(stop_then_free_while_blocked_in_recv) {
    struct hpair p;
    struct receiver r;

    up_threaded(&p);
    int fb = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_RAW, EXPERIMENT_PROTO));
    set_rcvtimeo(fb, SAFETY_S);
    receiver_start(&r, fb);

    CHECK_OK(six_stack_stop(p.b));
    sleep_ms(50);
    CHECK(!atomic_load(&r.done));

    CHECK_EQ(six_stack_pkts_in_use(p.b), 0);
    six_stack_free(p.b);
    p.b = NULL;
    receiver_join(&r, 5);
    CHECK_EQ(r.n, -1);
    CHECK_EQ(r.err, EBADF);
    CHECK(!six_is_socket(fb));

    CHECK_OK(six_stack_stop(p.a));
    CHECK_EQ(six_stack_pkts_in_use(p.a), 0);
    six_stack_free(p.a);
    six_set_creds(NULL);
}

/* The same without stopping first: six_stack_free on a running stack. */
TEST(free_running_stack_while_blocked_in_recv) {
    struct hpair p;
    struct receiver r;

    up_threaded(&p);
    int fb = (int)CHECK_OK(six_socket_on(p.b, AF_INET6, SOCK_RAW, EXPERIMENT_PROTO));
    set_rcvtimeo(fb, SAFETY_S);
    receiver_start(&r, fb);

    six_stack_free(p.b);
    p.b = NULL;
    receiver_join(&r, 5);
    CHECK_EQ(r.n, -1);
    CHECK_EQ(r.err, EBADF);

    CHECK_OK(six_stack_stop(p.a));
    six_stack_free(p.a);
    six_set_creds(NULL);
}

/* No six_use_stack: six_socket() makes the default stack on first use,
 * with lo holding ::1 and a thread of its own that answers the echo. */
TEST(default_stack_answers_echo_to_loopback) {
    struct icmp6_filter filt;
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    uint8_t req[16] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0xbe, 0xef, 0x00, 0x07,
                       'd', 'e', 'f', 'a', 'u', 'l', 't', '!'};
    uint8_t buf[256];
    struct sockaddr_in6 from;
    socklen_t flen = sizeof(from);

    h_privileged(1);
    six_use_stack(NULL);
    int fd = (int)CHECK_OK(six_socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
    CHECK(six_is_socket(fd));
    struct six_stack *def = six_default_stack();
    CHECK(def != NULL);
    CHECK_EQ(six_if_nametoindex(def, "lo"), 1);
    CHECK(six_default_stack() == def);

    ICMP6_FILTER_SETBLOCKALL(&filt);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filt);
    CHECK_OK(six_setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)));
    set_rcvtimeo(fd, SAFETY_S);
    uint64_t replies0 = h_stats(def).icmp6_out_echo_replies;

    struct sockaddr_in6 to = h_sin6(&lo, 0);
    CHECK_EQ(CHECK_OK(six_sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to))),
             sizeof(req));
    /* Blocking: only the default stack's own thread can deliver this. */
    ssize_t n = CHECK_OK(six_recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen));
    CHECK_EQ(n, sizeof(req));
    CHECK_EQ(buf[0], ICMP6_ECHO_REPLY);
    CHECK_MEM(buf + 4, req + 4, sizeof(req) - 4);
    CHECK(h_addr_eq(&from.sin6_addr, &lo));
    CHECK_EQ(h_stats(def).icmp6_out_echo_replies - replies0, 1);

    CHECK_OK(six_close(fd));
    CHECK(!six_is_socket(fd));
    CHECK_EQ(six_stack_pkts_in_use(def), 0);
    six_set_creds(NULL);
}

/* Other families are the system's: a real kernel socket comes back. */
TEST(af_inet_dgram_is_a_kernel_socket) {
    int fd = (int)CHECK_OK(six_socket(AF_INET, SOCK_DGRAM, 0));
    CHECK(!six_is_socket(fd));
    int type = 0;
    socklen_t len = sizeof(type);
    CHECK_OK(six_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len));
    CHECK_EQ(type, SOCK_DGRAM);
    struct sockaddr_in sin = {.sin_family = AF_INET};
    len = sizeof(sin);
    CHECK_OK(six_getsockname(fd, (struct sockaddr *)&sin, &len));
    CHECK_EQ(sin.sin_family, AF_INET);
    CHECK_OK(six_close(fd));
    /* It really was closed by the system. */
    CHECK_ERRNO(fcntl(fd, F_GETFD), EBADF);
}

/* A sixstack descriptor in epoll: EPOLLIN as soon as a packet is queued
 * and while one is; after the last is read it stays until a receive finds
 * the queue empty (the eventfd is lowered lazily, see ARCHITECTURE).
 * Manual clocks, so "before" is exact: the frame sits in B's ring until B
 * is polled. */
TEST(epoll_reports_readable_when_packet_queued) {
    struct hpair p;
    struct epoll_event ev = {.events = EPOLLIN}, out[4];
    static const uint8_t msg[] = "epoll me";
    uint8_t buf[64];

    h_up(&p);
    int fa = h_sock(&p, p.a, EXPERIMENT_PROTO);
    int fb = h_sock(&p, p.b, EXPERIMENT_PROTO);
    int ep = (int)CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    ev.data.u32 = 0xb0b;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fb, &ev));

    CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
    h_send_ok(fa, &p.addr_b, msg, sizeof(msg));
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);      /* in B's ring, not queued */
    six_stack_poll(p.b, six_stack_now(p.b));
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);
    CHECK_EQ(out[0].data.u32, 0xb0b);
    CHECK(out[0].events & EPOLLIN);
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);      /* level-triggered */

    /* Two queued: still readable after the first read, not after both. */
    h_send_ok(fa, &p.addr_b, msg, sizeof(msg));
    six_stack_poll(p.b, six_stack_now(p.b));
    CHECK_EQ(CHECK_OK(h_recv(fb, buf, sizeof(buf), NULL)), sizeof(msg));
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);
    CHECK_EQ(CHECK_OK(h_recv(fb, buf, sizeof(buf), NULL)), sizeof(msg));
    H_NOTHING(fb);                               /* EAGAIN lowers it */
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
    /* six_poll lowers a stale eventfd itself: no spurious wake-up. */
    h_send_ok(fa, &p.addr_b, msg, sizeof(msg));
    six_stack_poll(p.b, six_stack_now(p.b));
    CHECK_EQ(CHECK_OK(h_recv(fb, buf, sizeof(buf), NULL)), sizeof(msg));
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);      /* stale */
    struct pollfd pfd = {.fd = fb, .events = POLLIN};
    CHECK_EQ(six_poll(&pfd, 1, 0), 0);
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);

    CHECK_OK(close(ep));
    h_done(&p);
}

/* ---- the descriptor table under churn ---- */

#define CHURN_SOCKS 8
#define CHURN_PORT 7100

struct churn {
    struct six_stack *st;
    int rx;                       /* bound to CHURN_PORT, never closed */
    atomic_int fds[CHURN_SOCKS];  /* closed and remade all along */
    atomic_int stop;
    atomic_long sent, bad_errno;
};

/* Sends from whichever sockets the table holds now, while the main thread
 * closes and remakes them (descriptor numbers come back at once). A call
 * on a number being closed may fail, but only as "not a socket of ours
 * any more" would: EBADF from sixstack, or the system's answer for an
 * eventfd or a closed number. */
static void *churn_worker(void *arg) {
    struct churn *c = arg;
    struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
                              .sin6_port = htons(CHURN_PORT)};
    unsigned k = 0;
    uint8_t buf[64];

    while (!atomic_load(&c->stop)) {
        int fd = atomic_load(&c->fds[k++ % CHURN_SOCKS]);
        if (six_sendto(fd, "churn", 5, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) == 5)
            atomic_fetch_add(&c->sent, 1);
        else if (errno != EBADF && errno != ENOTSOCK)
            atomic_fetch_add(&c->bad_errno, 1);
        (void)six_recv(c->rx, buf, sizeof(buf), MSG_DONTWAIT);
    }
    return NULL;
}

/* Two threads send from sockets while the main thread closes and remakes
 * them 20,000 times (retired sockets are freed in batches, after grace
 * periods that must wait for lookups in flight); under ASan (make test) a
 * socket freed too early is a use after free (with the grace period taken
 * out, ASan reported one in each of five runs). The workers race the
 * descriptor numbers on purpose, as a careless program would, so the
 * system calls on them race (tests/build/tsan.sh leaves libc's accesses
 * unchecked for this case); sixstack's own memory stays safe, which
 * tests/build/tsan.sh checks. */
TEST(socket_calls_race_closes_and_reused_numbers) {
    static struct churn c;
    pthread_t w[2];
    struct six_stack_config cfg = mono_config(9);
    struct sockaddr_in6 port = {.sin6_family = AF_INET6, .sin6_port = htons(CHURN_PORT)};

    memset(&c, 0, sizeof(c));
    c.st = six_stack_new(&cfg);
    CHECK(c.st != NULL);
    c.rx = (int)CHECK_OK(six_socket_on(c.st, AF_INET6, SOCK_DGRAM, 0));
    CHECK_OK(six_bind(c.rx, (struct sockaddr *)&port, sizeof(port)));
    for (int i = 0; i < CHURN_SOCKS; i++)
        atomic_store(&c.fds[i], (int)CHECK_OK(six_socket_on(c.st, AF_INET6, SOCK_DGRAM, 0)));
    for (int i = 0; i < 2; i++)
        CHECK_EQ(pthread_create(&w[i], NULL, churn_worker, &c), 0);
    for (int round = 0; round < 20000; round++) {
        int i = round % CHURN_SOCKS;
        CHECK_OK(six_close(atomic_load(&c.fds[i])));
        atomic_store(&c.fds[i], (int)CHECK_OK(six_socket_on(c.st, AF_INET6, SOCK_DGRAM, 0)));
    }
    atomic_store(&c.stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(w[i], NULL);
    CHECK(atomic_load(&c.sent) > 0);
    CHECK_EQ(atomic_load(&c.bad_errno), 0);
    for (int i = 0; i < CHURN_SOCKS; i++)
        CHECK_OK(six_close(atomic_load(&c.fds[i])));
    CHECK_OK(six_close(c.rx));
    six_stack_free(c.st);
}
