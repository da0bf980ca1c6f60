/* The bare port (port/port.h): no operating system. One thread of
 * control, so locks are empty and nothing can wake a waiter; descriptors
 * are numbers in a small table; the clock and randomness are hooks the
 * application sets (<sixstack/bare.h>). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include <sixstack/bare.h>

#include "port/port.h"

static uint64_t (*clock_hook)(void);
static int (*random_hook)(void *out, size_t len);

void six_bare_set_clock(uint64_t (*now_us)(void)) { clock_hook = now_us; }
void six_bare_set_random(int (*fill)(void *out, size_t len)) { random_hook = fill; }

uint64_t six_port_mono_us(void) { return clock_hook ? clock_hook() : 0; }

/* No calendar clock here: receive timestamps read 0 (port.h allows it). */
uint64_t six_port_wall_us(void) { return 0; }

int six_port_random(void *out, size_t len) {
    if (!random_hook)
        return -ENOSYS;
    return random_hook(out, len) == 0 ? 0 : -EIO;
}

int six_port_mutex_init(six_port_mutex *m) {
    *m = 0;
    return 0;
}
void six_port_mutex_fini(six_port_mutex *m) { (void)m; }
int six_port_cond_init(six_port_cond *c) {
    *c = 0;
    return 0;
}
void six_port_cond_fini(six_port_cond *c) { (void)c; }

int six_port_cond_wait(six_port_cond *c, six_port_mutex *m, uint64_t until_us) {
    (void)c;
    (void)m;
    (void)until_us;
    return -EWOULDBLOCK;
}

int six_port_thread_start(six_port_thread *t, void *(*fn)(void *), void *arg) {
    (void)t;
    (void)fn;
    (void)arg;
    return -ENOTSUP;
}
void six_port_thread_join(six_port_thread *t) { (void)t; }

void six_port_once(six_port_once_flag *once, void (*fn)(void)) {
    if (!*once) {
        *once = 1;
        fn();
    }
}

/* With one thread, no reader is ever inside its window while memory is
 * given back. */
struct six_port_reader *six_port_read_begin(void) { return NULL; }
void six_port_read_end(struct six_port_reader *r) { (void)r; }
void six_port_synchronize(void) {}

/* ---- signals: a table of small numbers ---- */

static uint8_t fd_open[SIX_BARE_MAX_FDS], fd_raised[SIX_BARE_MAX_FDS];

/* fd's slot, or -1 when fd is no open signal. */
static int fd_slot(int fd) {
    int i = fd - SIX_BARE_FD_BASE;
    return i >= 0 && i < SIX_BARE_MAX_FDS && fd_open[i] ? i : -1;
}

int six_port_signal_open(void) {
    for (int i = 0; i < SIX_BARE_MAX_FDS; i++) {
        if (!fd_open[i]) {
            fd_open[i] = 1;
            fd_raised[i] = 0;
            return SIX_BARE_FD_BASE + i;
        }
    }
    return -EMFILE;
}

static int signal_set(int fd, uint8_t raised) {
    int i = fd_slot(fd);
    if (i < 0)
        return -EBADF;
    fd_raised[i] = raised;
    return 0;
}

int six_port_signal_raise(int fd) { return signal_set(fd, 1); }
int six_port_signal_lower(int fd) { return signal_set(fd, 0); }

void six_port_signal_close(int fd) {
    int i = fd_slot(fd);
    if (i >= 0)
        fd_open[i] = 0;
}

/* No exec, so close-on-exec is always clear and cannot be set. */
int six_port_signal_fdflags(int fd, int cmd, int arg) {
    (void)fd;
    (void)arg;
    return cmd == F_GETFD ? 0 : -EOPNOTSUPP;
}

/* What the signals say now: readable when raised, always writable (the
 * caller narrows the events it asks); POLLNVAL for unknown numbers. */
int six_port_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms) {
    int ready = 0;

    for (nfds_t n = 0; n < nfds; n++) {
        int i = fd_slot(fds[n].fd);
        short ev = 0;

        if (fds[n].fd < 0)
            ev = 0;
        else if (i < 0)
            ev = POLLNVAL;
        else
            ev = (short)(((fd_raised[i] ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM) &
                         fds[n].events);
        fds[n].revents = ev;
        ready += ev != 0;
    }
    return ready == 0 && timeout_ms != 0 ? -EWOULDBLOCK : ready;
}

int six_port_close(int fd) {
    (void)fd;
    return -EBADF;
}

int six_port_fcntl(int fd, int cmd, long arg) {
    (void)fd;
    (void)cmd;
    (void)arg;
    return -EBADF;
}

int six_port_ioctl(int fd, unsigned long req, void *arg) {
    (void)fd;
    (void)req;
    (void)arg;
    return -EBADF;
}

void six_port_ids(unsigned *uid, unsigned *gid) {
    *uid = 0;
    *gid = 0;
}

/* No signals: the write's EPIPE is all the caller learns. */
void six_port_sigpipe(void) {}

/* ---- memory: the C library's malloc, over a static arena ---- */

static uint8_t arena[SIX_BARE_ARENA_BYTES] __attribute__((aligned(8)));
static size_t arena_top;

/* picolibc's malloc grows its heap with sbrk(): here, within the arena. */
void *sbrk(ptrdiff_t incr);
void *sbrk(ptrdiff_t incr) {
    size_t top = arena_top;

    if (incr < 0 ? (size_t)-incr > top : (size_t)incr > sizeof(arena) - top) {
        errno = ENOMEM;
        return (void *)-1;
    }
    arena_top = top + (size_t)incr;
    return arena + top;
}

size_t six_bare_arena_used(void) { return arena_top; }

const struct in6_addr in6addr_any = IN6ADDR_ANY_INIT;
const struct in6_addr in6addr_loopback = IN6ADDR_LOOPBACK_INIT;
