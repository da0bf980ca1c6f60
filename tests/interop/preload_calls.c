/* A plain program (not linked with sixstack) that run_preload_calls.sh
 * runs under sixstack-run with no device (loopback only): every call the
 * preload library intercepts, on sixstack sockets and next to the
 * kernel's descriptors, each checked for what a program expects. Prints
 * "ok: ..." per part and exits 1 at the first failure. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(c)                                                                   \
    do {                                                                           \
        if (!(c)) {                                                                \
            fprintf(stderr, "FAIL line %d: %s (errno %s)\n", __LINE__, #c,         \
                    strerror(errno));                                              \
            exit(1);                                                               \
        }                                                                          \
    } while (0)

static struct sockaddr_in6 loop6(uint16_t port) {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port),
                             .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    return a;
}

/* A UDP socket on [::1]:port (0: any), connected to peer when non-zero. */
static int udp(uint16_t port, uint16_t peer) {
    struct sockaddr_in6 a = loop6(port), b = loop6(peer);
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    CHECK(fd >= 0);
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    if (peer)
        CHECK(connect(fd, (struct sockaddr *)&b, sizeof(b)) == 0);
    return fd;
}

static void on_alarm(int sig) { (void)sig; }

int main(void) {
    char buf[64];
    int a, b, k, c, p[2];

    /* Families: IPv6 is sixstack's (its sockets answer SO_DOMAIN), the
     * rest the kernel's. */
    a = udp(7001, 7002);
    b = udp(7002, 7001);
    k = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(k >= 0);
    {
        struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t l = sizeof(in);
        CHECK(bind(k, (struct sockaddr *)&in, sizeof(in)) == 0);
        CHECK(getsockname(k, (struct sockaddr *)&in, &l) == 0 && in.sin_port != 0);
    }
    CHECK(socketpair(AF_INET6, SOCK_DGRAM, 0, p) < 0 && errno == EOPNOTSUPP);
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, p) == 0);
    printf("ok: families\n");

    /* read/write, readv/writev, sendmmsg/recvmmsg */
    CHECK(write(a, "one", 3) == 3);
    CHECK(read(b, buf, sizeof(buf)) == 3 && memcmp(buf, "one", 3) == 0);
    {
        struct iovec v[2] = {{"tw", 2}, {"o", 1}};
        char x[2], y[8];
        struct iovec r[2] = {{x, 2}, {y, sizeof(y)}};
        CHECK(writev(a, v, 2) == 3);
        CHECK(readv(b, r, 2) == 3 && memcmp(x, "tw", 2) == 0 && y[0] == 'o');
    }
    {
        struct iovec v[2] = {{"m1", 2}, {"m2", 2}};
        struct mmsghdr m[2] = {{.msg_hdr = {.msg_iov = &v[0], .msg_iovlen = 1}},
                               {.msg_hdr = {.msg_iov = &v[1], .msg_iovlen = 1}}};
        char r1[8], r2[8];
        struct iovec rv[2] = {{r1, sizeof(r1)}, {r2, sizeof(r2)}};
        struct mmsghdr rm[2] = {{.msg_hdr = {.msg_iov = &rv[0], .msg_iovlen = 1}},
                                {.msg_hdr = {.msg_iov = &rv[1], .msg_iovlen = 1}}};
        CHECK(sendmmsg(a, m, 2, 0) == 2);
        CHECK(recvmmsg(b, rm, 2, MSG_WAITFORONE, NULL) == 2);
        CHECK(rm[0].msg_len == 2 && rm[1].msg_len == 2 && memcmp(r2, "m2", 2) == 0);
    }
    printf("ok: read, write, readv, writev, sendmmsg, recvmmsg\n");

    /* ioctl and fcntl */
    {
        int n = -1, on = 1;
        CHECK(send(a, "12345", 5, 0) == 5);
        CHECK(ioctl(b, FIONREAD, &n) == 0 && n == 5);
        CHECK(recv(b, buf, sizeof(buf), 0) == 5);
        CHECK(ioctl(b, FIONBIO, &on) == 0);
        CHECK(recv(b, buf, sizeof(buf), 0) < 0 && errno == EAGAIN);
        CHECK(fcntl(b, F_GETFL) & O_NONBLOCK);
        CHECK(fcntl(b, F_SETFL, 0) == 0 && !(fcntl(b, F_GETFL) & O_NONBLOCK));
        CHECK(recv(b, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN);
        CHECK(fcntl(b, F_SETFD, FD_CLOEXEC) == 0 && fcntl(b, F_GETFD) == FD_CLOEXEC);
        CHECK(ioctl(b, 0x89ff, &n) < 0 && errno == ENOTTY);
    }
    printf("ok: ioctl FIONREAD FIONBIO, fcntl\n");

    /* The dup family: copies reach the same socket; it lives until the
     * last one closes. */
    {
        int d = dup(b), d2 = fcntl(b, F_DUPFD_CLOEXEC, 100), d3 = 200;
        struct sockaddr_in6 name;
        socklen_t l = sizeof(name);
        CHECK(d >= 0 && d2 >= 100);
        CHECK(dup2(b, d3) == d3 && dup3(b, 201, O_CLOEXEC) == 201);
        CHECK(close(b) == 0);
        CHECK(send(a, "dup", 3, 0) == 3);
        CHECK(recv(d, buf, sizeof(buf), 0) == 3);
        CHECK(getsockname(d3, (struct sockaddr *)&name, &l) == 0 && ntohs(name.sin6_port) == 7002);
        CHECK(close(d) == 0 && close(d2) == 0 && close(d3) == 0);
        CHECK(getsockname(201, (struct sockaddr *)&name, &l) == 0);
        CHECK(close(201) == 0);
        /* The last copy closed the socket: its port is free again. */
        b = udp(7002, 7001);
    }
    printf("ok: dup, dup2, dup3, F_DUPFD_CLOEXEC, close\n");

    /* Waiting over a pipe (the kernel's) and a socket (sixstack's). */
    CHECK(pipe(p) == 0);
    {
        struct pollfd f[2] = {{.fd = p[0], .events = POLLIN}, {.fd = b, .events = POLLIN}};
        fd_set r;
        struct timeval tv = {0, 200000};
        struct timespec ts = {0, 200000000};
        sigset_t none;
        int e = epoll_create1(0);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = b}, out;

        CHECK(poll(f, 2, 100) == 0);
        CHECK(send(a, "p", 1, 0) == 1);
        CHECK(poll(f, 2, 1000) == 1 && f[1].revents == POLLIN && f[0].revents == 0);
        CHECK(write(p[1], "x", 1) == 1);
        CHECK(ppoll(f, 2, &ts, NULL) == 2);
        FD_ZERO(&r);
        FD_SET(p[0], &r);
        FD_SET(b, &r);
        CHECK(select(b > p[0] ? b + 1 : p[0] + 1, &r, NULL, NULL, &tv) == 2);
        CHECK(read(p[0], buf, 1) == 1 && recv(b, buf, sizeof(buf), 0) == 1);
        FD_ZERO(&r);
        FD_SET(b, &r);
        sigemptyset(&none);
        CHECK(pselect(b + 1, &r, NULL, NULL, &ts, &none) == 0 && !FD_ISSET(b, &r));
        CHECK(e >= 0 && epoll_ctl(e, EPOLL_CTL_ADD, b, &ev) == 0);
        CHECK(send(a, "e", 1, 0) == 1);
        CHECK(epoll_wait(e, &out, 1, 1000) == 1 && out.data.fd == b);
        CHECK(recv(b, buf, sizeof(buf), 0) == 1);
        close(e);
    }
    printf("ok: poll, ppoll, select, pselect, epoll\n");

    /* A signal interrupts a blocking receive. */
    {
        struct sigaction sa = {.sa_handler = on_alarm};
        sigaction(SIGALRM, &sa, NULL);
        alarm(1);
        CHECK(recv(b, buf, sizeof(buf), 0) < 0 && errno == EINTR);
    }
    printf("ok: EINTR\n");

    /* Interfaces are sixstack's: lo only (no device). */
    {
        struct if_nameindex *ni = if_nameindex();
        struct ifreq ifr = {0};
        struct ifaddrs *ifa, *i;
        int six = 0;
        char name[IF_NAMESIZE];

        CHECK(if_nametoindex("lo") == 1 && if_indextoname(1, name) && strcmp(name, "lo") == 0);
        CHECK(if_nametoindex("eth-none") == 0);
        CHECK(ni && ni[0].if_index == 1 && ni[1].if_index == 0);
        if_freenameindex(ni);
        strcpy(ifr.ifr_name, "lo");
        CHECK(ioctl(b, SIOCGIFINDEX, &ifr) == 0 && ifr.ifr_ifindex == 1);
        CHECK(ioctl(b, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0);
        CHECK(getifaddrs(&ifa) == 0);
        for (i = ifa; i; i = i->ifa_next)
            if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6) {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)i->ifa_addr;
                CHECK(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) && strcmp(i->ifa_name, "lo") == 0);
                six++;
            }
        CHECK(six == 1);
        freeifaddrs(ifa);
    }
    printf("ok: if_nametoindex, if_indextoname, if_nameindex, SIOCGIF*, getifaddrs\n");

    /* setsourcefilter reaches sixstack (the kernel would say ENOTSOCK). */
    {
        struct sockaddr_in6 g = {.sin6_family = AF_INET6};
        uint32_t mode, n = 0;
        inet_pton(AF_INET6, "ff15::1", &g.sin6_addr);
        CHECK(setsourcefilter(b, 1, (struct sockaddr *)&g, sizeof(g), MCAST_EXCLUDE, 0, NULL) < 0 &&
              errno == EADDRNOTAVAIL);
        CHECK(getsourcefilter(b, 1, (struct sockaddr *)&g, sizeof(g), &mode, &n, NULL) < 0 &&
              errno == EADDRNOTAVAIL);
    }
    printf("ok: setsourcefilter, getsourcefilter\n");

    /* fork: the child cannot use its parent's sockets. */
    {
        pid_t pid = fork();
        int st;
        if (pid == 0) {
            int ok = send(a, "c", 1, 0) < 0 && errno == EBADF &&
                     socket(AF_INET6, SOCK_DGRAM, 0) < 0 && errno == EAFNOSUPPORT &&
                     close(a) == 0;
            _exit(ok ? 0 : 1);
        }
        CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CHECK(send(a, "after", 5, 0) == 5 && recv(b, buf, sizeof(buf), 0) == 5);
    }
    printf("ok: fork\n");

    /* TCP: listen, a non-blocking connect, a blocking accept, data both
     * ways, a file sent with sendfile. */
    {
        struct sockaddr_in6 l6 = loop6(7100), peer;
        socklen_t pl = sizeof(peer);
        int ls = socket(AF_INET6, SOCK_STREAM, 0), cs = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        int as, one = 1, tmp;
        char path[] = "/tmp/preload_callsXXXXXX", got[6000];
        static char file[5000];
        off_t off = 0;
        size_t n = 0;

        CHECK(ls >= 0 && cs >= 0);
        /* A blocking accept() that cannot succeed fails at once, as on
         * Linux (EINVAL), on a socket that is not listening or with flags
         * it does not know: both waited for a connection for ever. */
        CHECK(accept(ls, NULL, NULL) < 0 && errno == EINVAL);
        CHECK(setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
        CHECK(bind(ls, (struct sockaddr *)&l6, sizeof(l6)) == 0 && listen(ls, 4) == 0);
        CHECK(accept4(ls, NULL, NULL, 0x40000000) < 0 && errno == EINVAL);
        CHECK(connect(cs, (struct sockaddr *)&l6, sizeof(l6)) == 0 || errno == EINPROGRESS);
        as = accept4(ls, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
        CHECK(as >= 0 && peer.sin6_family == AF_INET6);
        {
            struct pollfd f = {.fd = cs, .events = POLLOUT};
            CHECK(poll(&f, 1, 2000) == 1 && (f.revents & POLLOUT));
        }
        CHECK(write(cs, "tcp!", 4) == 4);
        CHECK(read(as, buf, sizeof(buf)) == 4 && memcmp(buf, "tcp!", 4) == 0);
        memset(file, 'f', sizeof(file));
        CHECK((tmp = mkstemp(path)) >= 0 && write(tmp, file, sizeof(file)) == (ssize_t)sizeof(file));
        unlink(path);
        CHECK(sendfile(as, tmp, &off, sizeof(file)) == (ssize_t)sizeof(file) && off == sizeof(file));
        while (n < sizeof(file)) {
            struct pollfd f = {.fd = cs, .events = POLLIN};
            ssize_t r;
            CHECK(poll(&f, 1, 2000) == 1);
            CHECK((r = recv(cs, got + n, sizeof(got) - n, 0)) > 0);
            n += (size_t)r;
        }
        CHECK(n == sizeof(file) && memcmp(got, file, n) == 0);

        /* Edge-triggered EPOLLOUT: once at registration, not again while
         * nothing changes (run_http.sh's nginx needs the one after a full
         * send: over ::1 a full send buffer stalls in sixstack's TCP). */
        {
            int e = epoll_create1(0);
            struct epoll_event ev = {.events = EPOLLOUT | EPOLLET, .data.u64 = 77}, out;

            CHECK(e >= 0 && epoll_ctl(e, EPOLL_CTL_ADD, cs, &ev) == 0);
            CHECK(epoll_wait(e, &out, 1, 1000) == 1 && out.data.u64 == 77 && (out.events & EPOLLOUT));
            CHECK(epoll_wait(e, &out, 1, 100) == 0);
            ev.events = EPOLLOUT;   /* level-triggered: at every call */
            CHECK(epoll_ctl(e, EPOLL_CTL_MOD, cs, &ev) == 0);
            CHECK(epoll_wait(e, &out, 1, 100) == 1 && epoll_wait(e, &out, 1, 100) == 1);
            close(e);
        }
        CHECK(close(tmp) == 0 && close(as) == 0 && close(cs) == 0 && close(ls) == 0);
    }
    printf("ok: listen, connect, accept4, sendfile, edge-triggered EPOLLOUT\n");
    c = close(a) | close(b) | close(k);
    CHECK(c == 0);
    printf("ok: all\n");
    return 0;
}
