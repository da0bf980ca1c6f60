/* The socket API's types and constants for the bare port, where the C
 * library (picolibc) has none. Types and numbers only: the calls are
 * sixstack's (<sixstack/socket.h>). The numbers are Linux's, so that code
 * and tests behave the same on both ports. */
#ifndef SIX_BARE_SYS_SOCKET_H
#define SIX_BARE_SYS_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>   /* struct timeval and timespec (SO_TIMESTAMP*), as glibc's does */
#include <sys/types.h>

typedef unsigned int socklen_t;
/* The most a socket call can return (POSIX puts it in <limits.h>). */
#ifndef SSIZE_MAX
#define SSIZE_MAX ((ssize_t)(SIZE_MAX >> 1))
#endif
typedef uint16_t sa_family_t;

struct iovec {
    void *iov_base;
    size_t iov_len;
};

struct sockaddr {
    sa_family_t sa_family;
    char sa_data[14];
};

struct sockaddr_storage {
    sa_family_t ss_family;
    char ss_pad[128 - sizeof(sa_family_t) - sizeof(unsigned long)];
    unsigned long ss_align;
};

struct msghdr {
    void *msg_name;
    socklen_t msg_namelen;
    struct iovec *msg_iov;
    size_t msg_iovlen;
    void *msg_control;
    size_t msg_controllen;
    int msg_flags;
};

struct cmsghdr {
    size_t cmsg_len;
    int cmsg_level;
    int cmsg_type;
};

#define CMSG_ALIGN(len) (((len) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))
#define CMSG_DATA(cmsg) ((unsigned char *)((struct cmsghdr *)(cmsg) + 1))
#define CMSG_SPACE(len) (CMSG_ALIGN(len) + CMSG_ALIGN(sizeof(struct cmsghdr)))
#define CMSG_LEN(len) (CMSG_ALIGN(sizeof(struct cmsghdr)) + (len))
#define CMSG_FIRSTHDR(mhdr)                                                                \
    ((size_t)(mhdr)->msg_controllen >= sizeof(struct cmsghdr)                              \
         ? (struct cmsghdr *)(mhdr)->msg_control                                           \
         : (struct cmsghdr *)0)
/* The next header, or NULL when it would not fit in the control buffer. */
static inline struct cmsghdr *six_bare_cmsg_next(const struct msghdr *m,
                                                 const struct cmsghdr *c) {
    unsigned char *end = (unsigned char *)m->msg_control + m->msg_controllen;
    unsigned char *next;

    if (c->cmsg_len < sizeof(struct cmsghdr))
        return (struct cmsghdr *)0;
    next = (unsigned char *)c + CMSG_ALIGN(c->cmsg_len);
    if ((size_t)(end - next) < sizeof(struct cmsghdr) || next >= end ||
        CMSG_ALIGN(((const struct cmsghdr *)(const void *)next)->cmsg_len) >
            (size_t)(end - next))
        return (struct cmsghdr *)0;
    return (struct cmsghdr *)(void *)next;
}
#define CMSG_NXTHDR(mhdr, cmsg) six_bare_cmsg_next((mhdr), (cmsg))

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define PF_UNSPEC AF_UNSPEC
#define PF_INET AF_INET
#define PF_INET6 AF_INET6

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000

#define SOL_SOCKET 1
#define SOL_RAW 255
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_REUSEPORT 15
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL 38
#define SO_DOMAIN 39

#define MSG_OOB 1
#define MSG_PEEK 2
#define MSG_CTRUNC 8
#define MSG_TRUNC 32
#define MSG_DONTWAIT 64
#define MSG_WAITALL 0x100
#define MSG_ERRQUEUE 0x2000
#define MSG_NOSIGNAL 0x4000

#define SO_LINGER 13
struct linger {
    int l_onoff;
    int l_linger;
};
#define SOMAXCONN 4096
#define SO_RCVLOWAT 18
#define SO_BINDTODEVICE 25
#define SO_TIMESTAMP 29
#define SO_TIMESTAMPNS 35
#define SCM_TIMESTAMP SO_TIMESTAMP
#define SCM_TIMESTAMPNS SO_TIMESTAMPNS

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

#endif
