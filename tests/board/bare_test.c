/* What the bare port answers where an operating system would have done
 * more (<sixstack/bare.h>): no threads, no waiting, no other descriptors,
 * no TAP, a bounded descriptor table and a static arena. Runs on the board
 * only. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <sixstack/bare.h>
#include <sixstack/socket.h>

#include "test.h"

static struct six_stack *loopback_stack(void) {
    struct six_stack_config cfg;
    struct six_stack *st;

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 5;
    st = six_stack_new(&cfg);
    CHECK(st != NULL);
    return st;
}

/* A UDP socket on st bound to [::1]:port. */
static int udp_on(struct six_stack *st, uint16_t port) {
    struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_port = htons(port),
                              .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0));
    CHECK_OK(six_bind(fd, (struct sockaddr *)&lo, sizeof(lo)));
    return fd;
}

TEST(no_thread_to_start) {
    struct six_stack *st = loopback_stack();
    CHECK_ERRNO(six_stack_start(st), ENOTSUP);
    six_stack_free(st);
}

TEST(a_blocking_receive_with_nothing_queued_answers_ewouldblock) {
    struct six_stack *st = loopback_stack();
    int fd = udp_on(st, 7000);
    char buf[8];

    CHECK_ERRNO(six_recv(fd, buf, sizeof(buf), 0), EWOULDBLOCK);
    six_close(fd);
    six_stack_free(st);
}

TEST(poll_reports_readiness_and_never_waits) {
    struct six_stack *st = loopback_stack();
    int rx = udp_on(st, 7001), tx = udp_on(st, 7002);
    struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(7001),
                              .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    struct pollfd p = {.fd = rx, .events = POLLIN};
    char buf[8];

    CHECK_EQ(six_poll(&p, 1, 0), 0);
    CHECK_ERRNO(six_poll(&p, 1, 1000), EWOULDBLOCK);
    CHECK_ERRNO(six_poll(&p, 1, -1), EWOULDBLOCK);
    CHECK_EQ(six_sendto(tx, "ping", 4, 0, (struct sockaddr *)&to, sizeof(to)), 4);
    six_stack_poll(st, 1);
    CHECK_EQ(six_poll(&p, 1, -1), 1);
    CHECK_EQ(p.revents, POLLIN);
    CHECK_EQ(six_recv(rx, buf, sizeof(buf), 0), 4);
    CHECK_MEM(buf, "ping", 4);
    CHECK_EQ(six_poll(&p, 1, 0), 0);
    /* An unknown number is invalid, as poll(2) says. */
    p.fd = 2;
    CHECK_EQ(six_poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLNVAL);
    six_close(rx);
    six_close(tx);
    six_stack_free(st);
}

TEST(descriptors_that_are_not_sockets_do_not_exist) {
    struct sockaddr_in6 any = {.sin6_family = AF_INET6};
    int one = 1;

    CHECK_ERRNO(six_close(0), EBADF);
    CHECK_ERRNO(six_fcntl(1, F_GETFL, 0), EBADF);
    CHECK_ERRNO(six_ioctl(1, FIONBIO, &one), EBADF);
    CHECK_ERRNO(six_bind(2, (struct sockaddr *)&any, sizeof(any)), EBADF);
    CHECK_ERRNO(six_socket(AF_INET, SOCK_DGRAM, 0), EAFNOSUPPORT);
}

TEST(tap_and_capture_files_are_not_there) {
    struct six_stack *st = loopback_stack();
    CHECK_ERRNO(six_if_add_tap(st, "tap0", NULL), EOPNOTSUPP);
    CHECK_ERRNO(six_if_capture(st, 1, "lo.pcap"), EOPNOTSUPP);
    six_stack_free(st);
}

TEST(the_descriptor_table_is_bounded_and_reused) {
    struct six_stack *st = loopback_stack();
    static int fds[SIX_BARE_MAX_FDS];
    int n = 0, fd;

    /* One descriptor is the stack's own wake-up signal. */
    while ((fd = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0)) >= 0)
        fds[n++] = fd;
    CHECK_EQ(errno, EMFILE);
    CHECK(n >= SIX_BARE_MAX_FDS - 2 && n < SIX_BARE_MAX_FDS);
    six_close(fds[0]);
    fds[0] = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0));
    for (int i = 0; i < n; i++)
        six_close(fds[i]);
    six_stack_free(st);
}

TEST(memory_comes_from_the_arena) {
    size_t before = six_bare_arena_used();
    struct six_stack *st = loopback_stack();

    (void)before;   /* a high-water mark: earlier tests' memory is reused */
    CHECK(six_bare_arena_used() > 0);
    CHECK(six_bare_arena_used() <= SIX_BARE_ARENA_BYTES);
    six_stack_free(st);
}

/* TCP's tables are made by a stack's first stream socket (not with the
 * stack, so a firmware without TCP keeps that RAM): with the arena used
 * up, that socket is refused with ENOBUFS, and it works once memory is
 * back. */
TEST(a_stream_socket_with_the_arena_full_is_refused_then_works) {
    static void *fill[8192];
    struct six_stack *st = loopback_stack();
    struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_port = htons(7010),
                              .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int n = 0, fd;

    for (size_t size = 4096; size >= 8; size /= 2)
        while (n < 8192 && (fill[n] = malloc(size)) != NULL)
            n++;
    CHECK(n < 8192);
    fd = six_socket_on(st, AF_INET6, SOCK_STREAM, 0);
    int err = errno;
    while (n > 0)
        free(fill[--n]);
    CHECK_EQ(fd, -1);
    CHECK(err == ENOBUFS || err == ENOMEM);

    fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM, 0));
    CHECK_OK(six_bind(fd, (struct sockaddr *)&lo, sizeof(lo)));
    CHECK_OK(six_listen(fd, 1));
    six_close(fd);
    six_stack_free(st);
}
