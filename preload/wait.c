/* poll, ppoll, select and pselect over any mix of sixstack sockets and
 * system descriptors.
 *
 * A sixstack socket's eventfd is readable when the socket is (raised at
 * once, lowered lazily: ARCHITECTURE "Descriptors"), so the system's ppoll
 * can wait on it, with the caller's signal mask, and be interrupted by a
 * signal (EINTR) like the kernel's. Each wake-up is then checked with
 * six_poll(timeout 0), which lowers stale eventfds and gives each socket's
 * exact events; a spurious one waits again for what is left of the
 * timeout. epoll needs nothing of this library: the eventfds are real
 * descriptors (the price is the lazy lowering, one spurious wake-up). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <sixstack/socket.h>

#include "calls.h"
#include "preload.h"
#include "real.h"

/* Sixstack sockets that wait to be writable are looked at again this
 * often: the eventfd tells readability only. */
#define WRITABLE_RECHECK_MS 10

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* deadline_ns < 0: no timeout. */
static int wait_mixed(struct pollfd *fds, nfds_t n, int64_t deadline_ns, const sigset_t *mask) {
    struct pollfd small[64], *tmp = n <= 64 ? small : malloc(n * sizeof(*tmp));
    int rc;

    if (!tmp) {
        errno = ENOMEM;
        return -1;
    }
    for (;;) {
        int64_t left;
        struct timespec ts, *tsp = NULL;
        int want_out = 0;

        /* The sockets as their primary descriptors, for six_poll. */
        for (nfds_t i = 0; i < n; i++) {
            int p = preload_primary(fds[i].fd);
            tmp[i] = fds[i];
            tmp[i].fd = p >= 0 ? p : fds[i].fd;
        }
        if ((rc = six_poll(tmp, n, 0)) != 0)
            break;
        left = deadline_ns < 0 ? -1 : deadline_ns - mono_ns();
        if (deadline_ns >= 0 && left <= 0)
            break;
        /* Wait: a socket's eventfd for its readability only. */
        for (nfds_t i = 0; i < n; i++) {
            if (preload_primary(fds[i].fd) < 0)
                continue;
            want_out |= (tmp[i].events & (POLLOUT | POLLWRNORM)) != 0;
            tmp[i].events &= POLLIN | POLLRDNORM | POLLPRI;
        }
        if (want_out && (left < 0 || left > WRITABLE_RECHECK_MS * 1000000))
            left = WRITABLE_RECHECK_MS * 1000000;
        if (left >= 0) {
            ts.tv_sec = left / 1000000000;
            ts.tv_nsec = left % 1000000000;
            tsp = &ts;
        }
        if ((rc = real.ppoll(tmp, n, tsp, mask)) < 0)
            break;
    }
    if (rc >= 0)
        for (nfds_t i = 0; i < n; i++)
            fds[i].revents = rc ? tmp[i].revents : 0;
    if (tmp != small)
        free(tmp);
    return rc;
}

static int any_sixstack(const struct pollfd *fds, nfds_t n) {
    if (preload_forked)
        return 0;   /* a child polls its copies of the eventfds as they are */
    for (nfds_t i = 0; i < n; i++)
        if (preload_primary(fds[i].fd) >= 0)
            return 1;
    return 0;
}

static int64_t deadline_of(const struct timespec *t) {
    return t ? mono_ns() + (int64_t)t->tv_sec * 1000000000 + t->tv_nsec : -1;
}

/* Debian 12's glibc declares poll's and ppoll's array write-only
 * (access (write_only, 1, 2)), though both read it: gcc at -O0 then warns
 * that our definitions read an uninitialised argument. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
int poll(struct pollfd *fds, nfds_t n, int timeout_ms) {
    if (!any_sixstack(fds, n))
        return real.poll(fds, n, timeout_ms);
    return wait_mixed(fds, n, timeout_ms < 0 ? -1 : mono_ns() + (int64_t)timeout_ms * 1000000,
                      NULL);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask) {
    if (!any_sixstack(fds, n))
        return real.ppoll(fds, n, t, mask);
    return wait_mixed(fds, n, deadline_of(t), mask);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

int __poll_chk(struct pollfd *fds, nfds_t n, int timeout_ms, size_t fdslen);
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout_ms, size_t fdslen) {
    if (fdslen / sizeof(*fds) < n)
        preload_chk_fail();
    return poll(fds, n, timeout_ms);
}

int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask,
                size_t fdslen);
int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask,
                size_t fdslen) {
    if (fdslen / sizeof(*fds) < n)
        preload_chk_fail();
    return ppoll(fds, n, t, mask);
}

/* select and pselect: the sets as a poll array, when a sixstack socket is
 * in them; system descriptors alone go straight to the C library. */
static int sets_have_sixstack(int nfds, fd_set *r, fd_set *w, fd_set *e) {
    if (preload_forked)
        return 0;
    for (int fd = 0; fd < nfds && fd < FD_SETSIZE; fd++)
        if (((r && FD_ISSET(fd, r)) || (w && FD_ISSET(fd, w)) || (e && FD_ISSET(fd, e))) &&
            preload_primary(fd) >= 0)
            return 1;
    return 0;
}

static int select_mixed(int nfds, fd_set *r, fd_set *w, fd_set *e, int64_t deadline_ns,
                        const sigset_t *mask) {
    struct pollfd fds[FD_SETSIZE];
    nfds_t n = 0;
    int rc, count = 0;

    if (nfds > FD_SETSIZE)
        nfds = FD_SETSIZE;
    for (int fd = 0; fd < nfds; fd++) {
        short ev = (short)((r && FD_ISSET(fd, r) ? POLLIN : 0) |
                           (w && FD_ISSET(fd, w) ? POLLOUT : 0) |
                           (e && FD_ISSET(fd, e) ? POLLPRI : 0));
        if (ev)
            fds[n++] = (struct pollfd){.fd = fd, .events = ev};
    }
    if ((rc = wait_mixed(fds, n, deadline_ns, mask)) < 0)
        return rc;
    for (nfds_t i = 0; i < n; i++) {
        int fd = fds[i].fd;
        short re = fds[i].revents;
        if (re & POLLNVAL) {
            errno = EBADF;
            return -1;
        }
        if (r && FD_ISSET(fd, r) && !(re & (POLLIN | POLLHUP | POLLERR) && ++count))
            FD_CLR(fd, r);
        if (w && FD_ISSET(fd, w) && !(re & (POLLOUT | POLLERR) && ++count))
            FD_CLR(fd, w);
        if (e && FD_ISSET(fd, e) && !(re & POLLPRI && ++count))
            FD_CLR(fd, e);
    }
    return count;
}

int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *t) {
    int64_t deadline;
    int rc;

    if (!sets_have_sixstack(nfds, r, w, e))
        return real.select(nfds, r, w, e, t);
    deadline = t ? mono_ns() + (int64_t)t->tv_sec * 1000000000 + (int64_t)t->tv_usec * 1000 : -1;
    rc = select_mixed(nfds, r, w, e, deadline, NULL);
    if (t) {
        /* Linux leaves the time not slept in *t. */
        int64_t left = deadline - mono_ns();
        if (left < 0)
            left = 0;
        t->tv_sec = left / 1000000000;
        t->tv_usec = left % 1000000000 / 1000;
    }
    return rc;
}

int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t,
            const sigset_t *mask) {
    if (!sets_have_sixstack(nfds, r, w, e))
        return real.pselect(nfds, r, w, e, t, mask);
    return select_mixed(nfds, r, w, e, deadline_of(t), mask);
}
