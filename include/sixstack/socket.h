/* sixstack sockets: the BSD socket calls with a six_ prefix.
 *
 * They take the host's own types (struct sockaddr_in6, struct msghdr, the
 * CMSG macros) and the host's constant values (AF_INET6, SOCK_RAW,
 * IPPROTO_IPV6, IPV6_*, errno). A sixstack descriptor is a real file
 * descriptor of the process (an eventfd that is readable exactly when the
 * socket is), so it never collides with the process's other descriptors
 * and epoll users can wait on it. Calls given a descriptor that is not a
 * sixstack socket pass it to the system call of the same name.
 *
 * Sockets block by default; O_NONBLOCK (six_fcntl), MSG_DONTWAIT and
 * SO_RCVTIMEO/SO_SNDTIMEO behave as on Linux. Timeouts run on the stack's
 * clock. Errors: -1 and errno.
 */
#ifndef SIXSTACK_SOCKET_H
#define SIXSTACK_SOCKET_H

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <sixstack/sixstack.h>

#ifdef __cplusplus
extern "C" {
#endif

/* IPPROTO_IPV6 options of ip6(4) that glibc does not define. Where Linux's
 * own UAPI headers reserve a number, that number; BSD's values for the
 * IPV6_PORTRANGE arguments; otherwise numbers of sixstack's own, far from
 * any the kernel uses. */
/* The page's name for what Linux calls IPV6_2292PKTOPTIONS. */
#if !defined(IPV6_PKTOPTIONS) && defined(IPV6_2292PKTOPTIONS)
#define IPV6_PKTOPTIONS IPV6_2292PKTOPTIONS
#endif
/* Linux's flow information options (<linux/in6.h>, which glibc's headers
 * do not include). */
#ifndef IPV6_FLOWINFO
#define IPV6_FLOWINFO 11
#endif
#ifndef IPV6_FLOWINFO_SEND
#define IPV6_FLOWINFO_SEND 33
#endif
#ifndef IPV6_USE_MIN_MTU
#define IPV6_USE_MIN_MTU 63
#endif
#ifndef IPV6_PORTRANGE
#define IPV6_PORTRANGE 0x5300
#define IPV6_PORTRANGE_DEFAULT 0
#define IPV6_PORTRANGE_HIGH 1
#define IPV6_PORTRANGE_LOW 2
#endif
#ifndef IPV6_FAITH
#define IPV6_FAITH 0x5301
#endif
#ifndef IPV6_AUTH_LEVEL
#define IPV6_AUTH_LEVEL 0x5302
#define IPV6_ESP_TRANS_LEVEL 0x5303
#define IPV6_ESP_NETWORK_LEVEL 0x5304
#define IPV6_IPCOMP_LEVEL 0x5305
#endif
/* The values of the IPsec level options (as BSD and Linux number them). */
#define SIX_IPSEC_LEVEL_DEFAULT 0
#define SIX_IPSEC_LEVEL_USE 1
#define SIX_IPSEC_LEVEL_REQUIRE 2
#define SIX_IPSEC_LEVEL_UNIQUE 3

/* Creates a socket on the calling thread's stack (six_use_stack), or the
 * default stack. AF_INET6 with SOCK_RAW (any proto; 0 means IPPROTO_RAW
 * for output) is served by sixstack; SOCK_RAW needs privileged credentials
 * (EACCES). Other families are handed to the system's socket(). */
int six_socket(int domain, int type, int protocol);
/* The same on a given stack. */
int six_socket_on(struct six_stack *st, int domain, int type, int protocol);

int six_bind(int fd, const struct sockaddr *addr, socklen_t len);
/* TCP (SOCK_STREAM): listen, accept and accept4 (SOCK_NONBLOCK,
 * SOCK_CLOEXEC) as on Linux. */
int six_listen(int fd, int backlog);
int six_accept(int fd, struct sockaddr *addr, socklen_t *len);
int six_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int six_connect(int fd, const struct sockaddr *addr, socklen_t len);
ssize_t six_send(int fd, const void *buf, size_t len, int flags);
ssize_t six_sendto(int fd, const void *buf, size_t len, int flags,
                   const struct sockaddr *to, socklen_t tolen);
ssize_t six_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t six_recv(int fd, void *buf, size_t len, int flags);
ssize_t six_recvfrom(int fd, void *buf, size_t len, int flags,
                     struct sockaddr *from, socklen_t *fromlen);
ssize_t six_recvmsg(int fd, struct msghdr *msg, int flags);
int six_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int six_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int six_getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int six_getpeername(int fd, struct sockaddr *addr, socklen_t *len);
int six_shutdown(int fd, int how);
int six_close(int fd);
/* F_GETFL/F_SETFL (O_NONBLOCK) and F_GETFD/F_SETFD on sixstack sockets. */
int six_fcntl(int fd, int cmd, ...);
int six_ioctl(int fd, unsigned long req, ...);
/* poll(2) over any mix of sixstack and system descriptors. */
int six_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);

/* Whether fd is a sixstack socket. */
int six_is_socket(int fd);

#ifdef __cplusplus
}
#endif

#endif
