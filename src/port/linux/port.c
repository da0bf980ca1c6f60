/* The Linux port: clock, randomness, locks, threads, eventfd signals and
 * the system's own descriptors (port/port.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "port/port.h"

uint64_t six_port_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t six_port_wall_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int six_port_random(void *out, size_t len) {
    uint8_t *p = out;

    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int six_port_mutex_init(six_port_mutex *m) {
    return pthread_mutex_init(m, NULL) == 0 ? 0 : -ENOMEM;
}

void six_port_mutex_fini(six_port_mutex *m) { pthread_mutex_destroy(m); }

int six_port_cond_init(six_port_cond *c) {
    pthread_condattr_t ca;
    int rc;

    /* Timed waits on the monotonic clock, so a wall clock step does not
     * stretch or cut a SO_RCVTIMEO. */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
    return rc == 0 ? 0 : -ENOMEM;
}

void six_port_cond_fini(six_port_cond *c) { pthread_cond_destroy(c); }

int six_port_cond_wait(six_port_cond *c, six_port_mutex *m, uint64_t until_us) {
    struct timespec ts;

    if (until_us == SIX_PORT_FOREVER) {
        pthread_cond_wait(c, m);
        return 0;
    }
    ts.tv_sec = (time_t)(until_us / 1000000u);
    ts.tv_nsec = (long)(until_us % 1000000u) * 1000;
    return pthread_cond_timedwait(c, m, &ts) == ETIMEDOUT ? -ETIMEDOUT : 0;
}

int six_port_thread_start(six_port_thread *t, void *(*fn)(void *), void *arg) {
    return -pthread_create(t, NULL, fn, arg);
}

void six_port_thread_join(six_port_thread *t) { pthread_join(*t, NULL); }

void six_port_once(six_port_once_flag *once, void (*fn)(void)) { pthread_once(once, fn); }

/* ---- signals: one eventfd each ---- */

int six_port_signal_open(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int six_port_signal_raise(int fd) {
    uint64_t v = 1;
    return write(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? 0 : -errno;
}

int six_port_signal_lower(int fd) {
    uint64_t v;
    return read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? 0 : -errno;
}

void six_port_signal_close(int fd) { close(fd); }

int six_port_signal_fdflags(int fd, int cmd, int arg) {
    int r = fcntl(fd, cmd, arg);
    return r < 0 ? -errno : r;
}

/* ---- the system's descriptors ---- */

int six_port_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms) {
    int rc = poll(fds, nfds, timeout_ms);
    return rc < 0 ? -errno : rc;
}

int six_port_close(int fd) { return close(fd) < 0 ? -errno : 0; }

int six_port_fcntl(int fd, int cmd, long arg) {
    int rc = fcntl(fd, cmd, arg);
    return rc < 0 ? -errno : rc;
}

int six_port_ioctl(int fd, unsigned long req, void *arg) {
    int rc = ioctl(fd, req, arg);
    return rc < 0 ? -errno : rc;
}

void six_port_ids(unsigned *uid, unsigned *gid) {
    *uid = geteuid();
    *gid = getegid();
}

void six_port_sigpipe(void) {
    raise(SIGPIPE);
}
