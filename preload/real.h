/* The C library's own socket and descriptor calls, found with
 * dlsym(RTLD_NEXT) behind this library's interposers.
 *
 * Two users: the interposers, for every descriptor that is not a sixstack
 * socket; and the stack linked into this library, whose own calls (the
 * eventfd of each socket, the TAP device, the system fallbacks of six_*)
 * must never come back into the interposers. Its archive is rewritten at
 * build time (objcopy --redefine-syms, preload/CMakeLists.txt) so that its
 * reference to, say, `read` becomes `six__sys_read`, defined in real.c. */
#ifndef SIX_PRELOAD_REAL_H
#define SIX_PRELOAD_REAL_H

#include <ifaddrs.h>
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* X(return type, name, (parameters), (arguments)) for every call with a
 * fixed argument list; fcntl, fcntl64 and ioctl are variadic, done by hand.
 * preload/CMakeLists.txt's PRELOAD_RENAMED must list the same names. */
#define PRELOAD_FIXED_CALLS(X)                                                              \
    X(int, socket, (int d, int t, int p), (d, t, p))                                        \
    X(int, socketpair, (int d, int t, int p, int sv[2]), (d, t, p, sv))                     \
    X(int, bind, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))               \
    X(int, connect, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))            \
    X(int, listen, (int fd, int n), (fd, n))                                                \
    X(int, accept, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))                  \
    X(int, accept4, (int fd, struct sockaddr *a, socklen_t *l, int f), (fd, a, l, f))       \
    X(ssize_t, send, (int fd, const void *b, size_t n, int f), (fd, b, n, f))               \
    X(ssize_t, sendto,                                                                      \
      (int fd, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l),      \
      (fd, b, n, f, a, l))                                                                  \
    X(ssize_t, sendmsg, (int fd, const struct msghdr *m, int f), (fd, m, f))                \
    X(int, sendmmsg, (int fd, struct mmsghdr *v, unsigned n, int f), (fd, v, n, f))         \
    X(ssize_t, recv, (int fd, void *b, size_t n, int f), (fd, b, n, f))                     \
    X(ssize_t, recvfrom,                                                                    \
      (int fd, void *b, size_t n, int f, struct sockaddr *a, socklen_t *l),                 \
      (fd, b, n, f, a, l))                                                                  \
    X(ssize_t, recvmsg, (int fd, struct msghdr *m, int f), (fd, m, f))                      \
    X(int, recvmmsg, (int fd, struct mmsghdr *v, unsigned n, int f, struct timespec *t),    \
      (fd, v, n, f, t))                                                                     \
    X(ssize_t, read, (int fd, void *b, size_t n), (fd, b, n))                               \
    X(ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))                        \
    X(ssize_t, readv, (int fd, const struct iovec *v, int n), (fd, v, n))                   \
    X(ssize_t, writev, (int fd, const struct iovec *v, int n), (fd, v, n))                  \
    X(int, close, (int fd), (fd))                                                           \
    X(int, shutdown, (int fd, int how), (fd, how))                                          \
    X(int, dup, (int fd), (fd))                                                             \
    X(int, dup2, (int fd, int to), (fd, to))                                                \
    X(int, dup3, (int fd, int to, int f), (fd, to, f))                                      \
    X(int, getsockopt, (int fd, int lv, int n, void *v, socklen_t *l), (fd, lv, n, v, l))   \
    X(int, setsockopt, (int fd, int lv, int n, const void *v, socklen_t l),                 \
      (fd, lv, n, v, l))                                                                    \
    X(int, getsockname, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))             \
    X(int, getpeername, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))             \
    X(int, poll, (struct pollfd *p, nfds_t n, int t), (p, n, t))                            \
    X(int, ppoll, (struct pollfd *p, nfds_t n, const struct timespec *t, const sigset_t *s), \
      (p, n, t, s))                                                                         \
    X(int, select, (int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t),             \
      (n, r, w, e, t))                                                                      \
    X(int, pselect,                                                                         \
      (int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t, const sigset_t *s), \
      (n, r, w, e, t, s))

/* The C library's functions (never NULL after preload_real_init). */
struct preload_real {
#define PRELOAD_REAL_FIELD(ret, name, params, args) ret(*name) params;
    PRELOAD_FIXED_CALLS(PRELOAD_REAL_FIELD)
#undef PRELOAD_REAL_FIELD
    int (*fcntl)(int fd, int cmd, ...);
    int (*ioctl)(int fd, unsigned long req, ...);
    int (*getifaddrs)(struct ifaddrs **out);
    void (*freeifaddrs)(struct ifaddrs *ifa);
};
extern struct preload_real real;

/* Finds them all; safe to call more than once. */
void preload_real_init(void);

/* The names the stack's archive calls instead of the C library's. */
#define PRELOAD_SYS_DECL(ret, name, params, args) ret six__sys_##name params;
PRELOAD_FIXED_CALLS(PRELOAD_SYS_DECL)
#undef PRELOAD_SYS_DECL
int six__sys_fcntl(int fd, int cmd, ...);
int six__sys_fcntl64(int fd, int cmd, ...);
int six__sys_ioctl(int fd, unsigned long req, ...);

#endif
