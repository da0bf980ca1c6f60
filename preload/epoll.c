/* epoll over sixstack sockets. A socket's eventfd tells the kernel when
 * the socket becomes readable, which is all epoll can see of it: it is
 * always writable, and it stays readable until looked at (the lazy
 * lowering). So a sixstack descriptor is registered with the kernel for
 * EPOLLIN only, tagged with its number, and this library keeps what the
 * program asked (events, data); epoll_wait then reports each socket's
 * exact events (six_poll) under the program's data:
 *  - level-triggered: whatever the socket shows now, at every call;
 *  - edge-triggered: its events when its eventfd fired (an edge), and
 *    EPOLLOUT once after registration and once after each send that
 *    found the socket full (EAGAIN), when it can send again;
 *  - EPOLLONESHOT: one report, then nothing until EPOLL_CTL_MOD.
 * Every call checks the sixstack sockets of the set: fine for the
 * hundreds of connections of the programs tested, linear beyond. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include <sixstack/socket.h>

#include "calls.h"
#include "preload.h"
#include "real.h"

#define TAG 0x5349585300000000ull   /* "SIXS" in the top half of the data */
#define TAG_MASK 0xffffffff00000000ull

struct entry {
    struct entry *next;
    int epfd, fd;
    uint32_t events;        /* what the program asked */
    epoll_data_t data;      /* and its data */
    int out_pending;        /* edge-triggered: EPOLLOUT to report */
    int disabled;           /* EPOLLONESHOT reported */
};

static struct entry *entries;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int (*real_epoll_ctl)(int, int, int, struct epoll_event *);
static int (*real_epoll_wait)(int, struct epoll_event *, int, int);
static int (*real_epoll_pwait)(int, struct epoll_event *, int, int, const sigset_t *);

__attribute__((constructor(103))) static void find_epoll(void) {
    real_epoll_ctl = (int (*)(int, int, int, struct epoll_event *))preload_find("epoll_ctl");
    real_epoll_wait = (int (*)(int, struct epoll_event *, int, int))preload_find("epoll_wait");
    real_epoll_pwait = (int (*)(int, struct epoll_event *, int, int, const sigset_t *))preload_find(
        "epoll_pwait");
}

static struct entry **find(int epfd, int fd) {
    struct entry **pp;
    for (pp = &entries; *pp; pp = &(*pp)->next)
        if ((*pp)->epfd == epfd && (*pp)->fd == fd)
            return pp;
    return pp;
}

void preload_epoll_forget(int fd) {
    struct entry **pp;

    if (!entries)
        return;
    pthread_mutex_lock(&lock);
    for (pp = &entries; *pp;) {
        if ((*pp)->fd == fd || (*pp)->epfd == fd) {
            struct entry *e = *pp;
            *pp = e->next;
            free(e);
        } else {
            pp = &(*pp)->next;
        }
    }
    pthread_mutex_unlock(&lock);
}

void preload_epoll_send_blocked(int fd) {
    if (!entries)
        return;
    pthread_mutex_lock(&lock);
    for (struct entry *e = entries; e; e = e->next)
        if (preload_primary(e->fd) == fd)
            e->out_pending = 1;
    pthread_mutex_unlock(&lock);
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) {
    struct epoll_event kev;
    struct entry **pp, *e;
    int rc;
    ON_SIX(fd, p, real_epoll_ctl(epfd, op, fd, ev));
    (void)p;
    if (op != EPOLL_CTL_DEL) {
        if (!ev) {
            errno = EFAULT;
            return -1;
        }
        kev.events = EPOLLIN | (ev->events & (EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE));
        kev.data.u64 = TAG | (uint32_t)fd;
    }
    if ((rc = real_epoll_ctl(epfd, op, fd, op == EPOLL_CTL_DEL ? ev : &kev)) < 0)
        return rc;
    pthread_mutex_lock(&lock);
    pp = find(epfd, fd);
    if (op == EPOLL_CTL_DEL) {
        if ((e = *pp)) {
            *pp = e->next;
            free(e);
        }
    } else {
        if (!(e = *pp) && (e = calloc(1, sizeof(*e)))) {
            e->epfd = epfd;
            e->fd = fd;
            *pp = e;
        }
        if (e) {
            e->events = ev->events;
            e->data = ev->data;
            e->out_pending = 1;
            e->disabled = 0;
        }
    }
    pthread_mutex_unlock(&lock);
    if (op != EPOLL_CTL_DEL && !e) {
        real_epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* The socket's events now, as epoll bits (asking for POLLOUT also asks the
 * socket to raise its eventfd when it can send again). */
static uint32_t now_events(const struct entry *e) {
    struct pollfd pf = {.fd = preload_primary(e->fd), .events = POLLIN | POLLPRI | POLLRDHUP};
    uint32_t r = 0;

    if (e->events & EPOLLOUT)
        pf.events |= POLLOUT;
    if (pf.fd < 0 || six_poll(&pf, 1, 0) <= 0)
        return 0;
    if (pf.revents & POLLIN)
        r |= EPOLLIN;
    if (pf.revents & POLLPRI)
        r |= EPOLLPRI;
    if (pf.revents & POLLOUT)
        r |= EPOLLOUT;
    if (pf.revents & POLLRDHUP)
        r |= EPOLLRDHUP;
    if (pf.revents & POLLERR)
        r |= EPOLLERR;
    if (pf.revents & POLLHUP)
        r |= EPOLLHUP;
    return r;
}

/* What e reports now (fired: its eventfd gave an edge). */
static uint32_t report(struct entry *e, int fired) {
    uint32_t ev, want = e->events | EPOLLERR | EPOLLHUP, r;

    if (e->disabled)
        return 0;
    ev = now_events(e) & want;
    if (!(e->events & EPOLLET))
        r = ev;
    else
        r = (fired ? ev : 0) | (e->out_pending ? ev & EPOLLOUT : 0);
    if (r & EPOLLOUT)
        e->out_pending = 0;
    if (r && (e->events & EPOLLONESHOT))
        e->disabled = 1;
    return r;
}

static int has_entries(int epfd) {
    int yes = 0;
    if (!entries || preload_forked)
        return 0;
    pthread_mutex_lock(&lock);
    for (struct entry *e = entries; e && !yes; e = e->next)
        yes = e->epfd == epfd;
    pthread_mutex_unlock(&lock);
    return yes;
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Adds e's report r to out (n of max used). */
static int put(struct epoll_event *out, int n, int max, const struct entry *e, uint32_t r) {
    if (!r || n >= max)
        return n;
    out[n].events = r;
    out[n].data = e->data;
    return n + 1;
}

static int wait_mixed(int epfd, struct epoll_event *out, int max, int timeout,
                      const sigset_t *mask) {
    int64_t deadline = timeout > 0 ? mono_ms() + timeout : 0;

    for (;;) {
        struct epoll_event k[64];
        int n = 0, kn, left = timeout;

        /* Level-triggered sockets and pending EPOLLOUTs first: ready ones
         * make the kernel's wait a poll. */
        pthread_mutex_lock(&lock);
        for (struct entry *e = entries; e && n < max; e = e->next)
            if (e->epfd == epfd)
                n = put(out, n, max, e, report(e, 0));
        pthread_mutex_unlock(&lock);
        if (timeout > 0 && (left = (int)(deadline - mono_ms())) < 0)
            left = 0;
        kn = mask ? real_epoll_pwait(epfd, k, max - n < 64 ? max - n : 64, n ? 0 : left, mask)
                  : real_epoll_wait(epfd, k, max - n < 64 ? max - n : 64, n ? 0 : left);
        if (kn < 0)
            return n ? n : -1;
        pthread_mutex_lock(&lock);
        for (int i = 0; i < kn; i++) {
            struct entry *e;
            if ((k[i].data.u64 & TAG_MASK) != TAG) {
                if (n < max)
                    out[n++] = k[i];
                continue;
            }
            e = *find(epfd, (int)(uint32_t)k[i].data.u64);
            if (!e)
                continue;
            /* Merged with a level-triggered report made above, if any. */
            {
                uint32_t r = report(e, 1);
                int j;
                for (j = 0; j < n; j++)
                    if (out[j].data.u64 == e->data.u64)
                        break;
                if (j < n)
                    out[j].events |= r;
                else if (r && n < max)
                    out[n++] = (struct epoll_event){.events = r, .data = e->data};
            }
        }
        pthread_mutex_unlock(&lock);
        if (n || timeout == 0 || (timeout > 0 && mono_ms() >= deadline))
            return n;
    }
}

int epoll_wait(int epfd, struct epoll_event *out, int max, int timeout) {
    if (!has_entries(epfd))
        return real_epoll_wait(epfd, out, max, timeout);
    return wait_mixed(epfd, out, max, timeout, NULL);
}

int epoll_pwait(int epfd, struct epoll_event *out, int max, int timeout, const sigset_t *mask) {
    if (!has_entries(epfd))
        return real_epoll_pwait(epfd, out, max, timeout, mask);
    return wait_mixed(epfd, out, max, timeout, mask);
}
