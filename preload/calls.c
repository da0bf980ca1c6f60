/* The socket calls: each asks the table whether its descriptor is a
 * sixstack socket, and sends it to sixstack (by the socket's primary
 * descriptor) or to the C library. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <sixstack/socket.h>

#include "calls.h"
#include "preload.h"
#include "real.h"

void *preload_find(const char *name) {
    return dlsym(RTLD_NEXT, name);
}

ssize_t preload_sent(int p, ssize_t rc, size_t want) {
    if ((rc < 0 && errno == EAGAIN) || (rc >= 0 && (size_t)rc < want)) {
        int e = errno;
        preload_epoll_send_blocked(p);
        errno = e;
    }
    return rc;
}

int preload_sock(int fd) {
    int p = preload_primary(fd);

    if (p >= 0 && preload_forked) {
        /* A forked child never enters its parent's stack (start.c). */
        errno = EBADF;
        return -2;
    }
    return p;
}

/* Failures a program meets when it asks for something sixstack does not
 * do: logged at SIXSTACK_LOG=3, the list of what is not supported. */
void preload_note_failure(const char *call, int level, int name) {
    int e = errno;
    if (e == ENOPROTOOPT || e == EINVAL || e == EOPNOTSUPP || e == ENOTTY ||
        e == EPROTONOSUPPORT || e == ESOCKTNOSUPPORT || e == EAFNOSUPPORT)
        preload_log(PLOG_CALLS, "unsupported: %s(%d, %d): %s", call, level, name, strerror(e));
    errno = e;
}

/* Records a new socket's descriptor (from socket or accept): fd, or -1
 * with EMFILE when the table cannot hold it (the socket is closed). */
static int adopt(int fd) {
    if (!preload_fd_fits(fd)) {
        six_close(fd);
        errno = EMFILE;
        return -1;
    }
    preload_map_new(fd);
    return fd;
}

int socket(int domain, int type, int proto) {
    struct six_stack *st;
    int fd;

    if (domain != AF_INET6)
        return real.socket(domain, type, proto);
    if (!(st = preload_stack()))
        return -1;
    fd = six_socket_on(st, domain, type, proto);
    if (fd < 0) {
        preload_note_failure("socket", type, proto);
        return -1;
    }
    preload_log(PLOG_CALLS, "socket(AF_INET6, %d, %d) = %d", type, proto, fd);
    return adopt(fd);
}

int socketpair(int domain, int type, int proto, int sv[2]) {
    if (domain == AF_INET6) {
        errno = EOPNOTSUPP;   /* as Linux: no pairs of IPv6 sockets */
        return -1;
    }
    return real.socketpair(domain, type, proto, sv);
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int bind(int fd, const struct sockaddr *a, socklen_t l) {
    ON_SIX(fd, p, real.bind(fd, a, l));
    return six_bind(p, a, l);
}

int connect(int fd, const struct sockaddr *a, socklen_t l) {
    ON_SIX(fd, p, real.connect(fd, a, l));
    return six_connect(p, a, l);
}

int listen(int fd, int n) {
    ON_SIX(fd, p, real.listen(fd, n));
    return six_listen(p, n);
}

/* Milliseconds until deadline (0: none, -1 ms), rounded up; -1 with errno
 * EAGAIN once it has passed. */
static int ms_until(int64_t deadline, int *ms) {
    int64_t left;

    *ms = -1;
    if (!deadline)
        return 0;
    if ((left = deadline - now_us()) <= 0) {
        errno = EAGAIN;
        return -1;
    }
    *ms = (int)((left + 999) / 1000);
    return 0;
}

/* Waits, in the system's poll on the socket's eventfd (so that a signal
 * interrupts it with EINTR), until p shows one of events or the deadline
 * (0: none) passes: 0 ready, -1 with errno EINTR or EAGAIN. */
static int wait_events(int p, short events, int64_t deadline) {
    for (;;) {
        struct pollfd pf = {.fd = p, .events = events};
        int ms;

        if (six_poll(&pf, 1, 0) != 0)
            return 0;
        if (ms_until(deadline, &ms) < 0)
            return -1;
        /* six_poll asked the socket to raise its eventfd for these events
         * too; a short wait bounds what it cannot signal. */
        if (ms < 0 || ms > 10)
            ms = 10;
        pf.events = POLLIN;
        if (real.poll(&pf, 1, ms) < 0)
            return -1;
    }
}

int accept4(int fd, struct sockaddr *a, socklen_t *l, int flags) {
    int n;
    ON_SIX(fd, p, real.accept4(fd, a, l, flags));
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
        errno = EINVAL;     /* before waiting, as Linux */
        return -1;
    }
    if (!(six_fcntl(p, F_GETFL) & O_NONBLOCK) && wait_events(p, POLLIN, 0) < 0)
        return -1;
    if ((n = six_accept4(p, a, l, flags)) < 0)
        return -1;
    preload_log(PLOG_CALLS, "accept(%d) = %d", p, n);
    return adopt(n);
}

int accept(int fd, struct sockaddr *a, socklen_t *l) {
    ON_SIX(fd, p, real.accept(fd, a, l));
    return accept4(fd, a, l, 0);
}

int getsockname(int fd, struct sockaddr *a, socklen_t *l) {
    ON_SIX(fd, p, real.getsockname(fd, a, l));
    return six_getsockname(p, a, l);
}

int getpeername(int fd, struct sockaddr *a, socklen_t *l) {
    ON_SIX(fd, p, real.getpeername(fd, a, l));
    return six_getpeername(p, a, l);
}

int shutdown(int fd, int how) {
    ON_SIX(fd, p, real.shutdown(fd, how));
    return six_shutdown(p, how);
}

int setsockopt(int fd, int level, int name, const void *v, socklen_t l) {
    int rc;
    ON_SIX(fd, p, real.setsockopt(fd, level, name, v, l));
    if ((rc = six_setsockopt(p, level, name, v, l)) < 0)
        preload_note_failure("setsockopt", level, name);
    return rc;
}

int getsockopt(int fd, int level, int name, void *v, socklen_t *l) {
    int rc;
    ON_SIX(fd, p, real.getsockopt(fd, level, name, v, l));
    if ((rc = six_getsockopt(p, level, name, v, l)) < 0)
        preload_note_failure("getsockopt", level, name);
    return rc;
}

/* ---- sending ---- */

ssize_t sendmsg(int fd, const struct msghdr *m, int flags) {
    ON_SIX(fd, p, real.sendmsg(fd, m, flags));
    return preload_sent(p, six_sendmsg(p, m, flags), 1);
}

ssize_t sendto(int fd, const void *b, size_t n, int flags, const struct sockaddr *a,
               socklen_t l) {
    ON_SIX(fd, p, real.sendto(fd, b, n, flags, a, l));
    return preload_sent(p, six_sendto(p, b, n, flags, a, l), n);
}

ssize_t send(int fd, const void *b, size_t n, int flags) {
    ON_SIX(fd, p, real.send(fd, b, n, flags));
    return preload_sent(p, six_sendto(p, b, n, flags, NULL, 0), n);
}

int sendmmsg(int fd, struct mmsghdr *v, unsigned n, int flags) {
    unsigned i;
    ON_SIX(fd, p, real.sendmmsg(fd, v, n, flags));
    for (i = 0; i < n; i++) {
        ssize_t r = six_sendmsg(p, &v[i].msg_hdr, flags);
        if (r < 0)
            return i ? (int)i : -1;
        v[i].msg_len = (unsigned)r;
    }
    return (int)i;
}

/* ---- receiving ---- */


/* A blocking receive waits here, in the system's poll on the socket's
 * eventfd, rather than in the stack: a signal then interrupts it with
 * EINTR as it would the kernel's. SO_RCVTIMEO still bounds it. */
ssize_t preload_recvmsg(int p, struct msghdr *m, int flags) {
    struct timeval tv = {0};
    socklen_t tl = sizeof(tv);
    int64_t deadline = 0;

    /* MSG_WAITALL gathers in the stack, which waits for all of it. */
    if ((flags & (MSG_DONTWAIT | MSG_ERRQUEUE | MSG_WAITALL)) ||
        (six_fcntl(p, F_GETFL) & O_NONBLOCK))
        return six_recvmsg(p, m, flags);
    if (six_getsockopt(p, SOL_SOCKET, SO_RCVTIMEO, &tv, &tl) == 0 && (tv.tv_sec || tv.tv_usec))
        deadline = now_us() + (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
    for (;;) {
        struct pollfd pf = {.fd = p, .events = POLLIN};
        ssize_t n = six_recvmsg(p, m, flags | MSG_DONTWAIT);
        int ms;

        if (n >= 0 || errno != EAGAIN)
            return n;
        if (ms_until(deadline, &ms) < 0)
            return -1;
        if (real.poll(&pf, 1, ms) < 0)
            return -1;   /* EINTR */
    }
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags) {
    ON_SIX(fd, p, real.recvmsg(fd, m, flags));
    return preload_recvmsg(p, m, flags);
}

ssize_t recvfrom(int fd, void *b, size_t n, int flags, struct sockaddr *a, socklen_t *l) {
    struct iovec iov = {.iov_base = b, .iov_len = n};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t r;
    ON_SIX(fd, p, real.recvfrom(fd, b, n, flags, a, l));
    if (a && l) {
        m.msg_name = a;
        m.msg_namelen = *l;
    }
    r = preload_recvmsg(p, &m, flags);
    if (r >= 0 && a && l)
        *l = m.msg_namelen;
    return r;
}

ssize_t recv(int fd, void *b, size_t n, int flags) {
    ON_SIX(fd, p, real.recv(fd, b, n, flags));
    return recvfrom(fd, b, n, flags, NULL, NULL);
}

int recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags, struct timespec *t) {
    unsigned i;
    ON_SIX(fd, p, real.recvmmsg(fd, v, n, flags, t));
    for (i = 0; i < n; i++) {
        ssize_t r = preload_recvmsg(p, &v[i].msg_hdr, flags & ~MSG_WAITFORONE);
        if (r < 0)
            return i ? (int)i : -1;
        v[i].msg_len = (unsigned)r;
        if (flags & MSG_WAITFORONE)
            flags |= MSG_DONTWAIT;
    }
    return (int)i;
}

/* _FORTIFY_SOURCE turns recv and recvfrom with a known buffer into these. */
ssize_t __recv_chk(int fd, void *b, size_t n, size_t buflen, int flags);
ssize_t __recv_chk(int fd, void *b, size_t n, size_t buflen, int flags) {
    if (n > buflen)
        preload_chk_fail();
    return recv(fd, b, n, flags);
}

ssize_t __recvfrom_chk(int fd, void *b, size_t n, size_t buflen, int flags, struct sockaddr *a,
                       socklen_t *l);
ssize_t __recvfrom_chk(int fd, void *b, size_t n, size_t buflen, int flags, struct sockaddr *a,
                       socklen_t *l) {
    if (n > buflen)
        preload_chk_fail();
    return recvfrom(fd, b, n, flags, a, l);
}

/* ---- RFC 3678's full-state source filter calls ----
 * The C library makes them from MCAST_MSFILTER with its own internal
 * setsockopt, which this library cannot see: on a sixstack socket they
 * are made here. */

static int (*real_setsourcefilter)(int, uint32_t, const struct sockaddr *, socklen_t, uint32_t,
                                   uint32_t, const struct sockaddr_storage *);
static int (*real_getsourcefilter)(int, uint32_t, const struct sockaddr *, socklen_t, uint32_t *,
                                   uint32_t *, struct sockaddr_storage *);

static struct group_filter *filter_head(uint32_t ifindex, const struct sockaddr *group,
                                        socklen_t grouplen, uint32_t nsrc) {
    struct group_filter *gf;

    if (grouplen > sizeof(gf->gf_group)) {
        errno = EINVAL;
        return NULL;
    }
    if (!(gf = calloc(1, GROUP_FILTER_SIZE(nsrc)))) {
        errno = ENOMEM;
        return NULL;
    }
    gf->gf_interface = ifindex;
    memcpy(&gf->gf_group, group, grouplen);
    return gf;
}

int setsourcefilter(int fd, uint32_t ifindex, const struct sockaddr *group, socklen_t grouplen,
                    uint32_t fmode, uint32_t numsrc, const struct sockaddr_storage *slist) {
    struct group_filter *gf;
    int rc;
    ON_SIX(fd, p, real_setsourcefilter(fd, ifindex, group, grouplen, fmode, numsrc, slist));
    if (!(gf = filter_head(ifindex, group, grouplen, numsrc)))
        return -1;
    gf->gf_fmode = fmode;
    gf->gf_numsrc = numsrc;
    if (numsrc)
        memcpy(gf->gf_slist, slist, numsrc * sizeof(*slist));
    rc = six_setsockopt(p, IPPROTO_IPV6, MCAST_MSFILTER, gf, (socklen_t)GROUP_FILTER_SIZE(numsrc));
    free(gf);
    return rc;
}

int getsourcefilter(int fd, uint32_t ifindex, const struct sockaddr *group, socklen_t grouplen,
                    uint32_t *fmode, uint32_t *numsrc, struct sockaddr_storage *slist) {
    struct group_filter *gf;
    socklen_t len;
    int rc;
    ON_SIX(fd, p, real_getsourcefilter(fd, ifindex, group, grouplen, fmode, numsrc, slist));
    if (!(gf = filter_head(ifindex, group, grouplen, *numsrc)))
        return -1;
    gf->gf_numsrc = *numsrc;
    len = (socklen_t)GROUP_FILTER_SIZE(*numsrc);
    if ((rc = six_getsockopt(p, IPPROTO_IPV6, MCAST_MSFILTER, gf, &len)) == 0) {
        uint32_t n = gf->gf_numsrc < *numsrc ? gf->gf_numsrc : *numsrc;
        *fmode = gf->gf_fmode;
        if (n)
            memcpy(slist, gf->gf_slist, n * sizeof(*slist));
        *numsrc = gf->gf_numsrc;
    }
    free(gf);
    return rc;
}

__attribute__((constructor(103))) static void find_sourcefilter(void) {
    real_setsourcefilter = (int (*)(int, uint32_t, const struct sockaddr *, socklen_t, uint32_t,
                                    uint32_t, const struct sockaddr_storage *))dlsym(
        RTLD_NEXT, "setsourcefilter");
    real_getsourcefilter = (int (*)(int, uint32_t, const struct sockaddr *, socklen_t, uint32_t *,
                                    uint32_t *, struct sockaddr_storage *))dlsym(
        RTLD_NEXT, "getsourcefilter");
}
