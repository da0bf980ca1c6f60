/* An RFC 3542 program: sends itself a raw IPv6 packet over ::1 with a hop
 * limit and a hop-by-hop options header given as ancillary data, and
 * prints what the receiving socket learns: source, pktinfo destination,
 * hop limit and the hop-by-hop header's options.
 *
 * Built twice like every example: against sixstack (USE_SIXSTACK, via
 * <sixstack/compat.h>) and against the kernel (as root).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip6.h>
#include <arpa/inet.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef USE_SIXSTACK
#include <sixstack/compat.h>
#endif

#define PROTO 253   /* RFC 3692: for experiments */

/* A hop-by-hop header with one option of type 0x1e (skip if unknown)
 * carrying four bytes, built with the RFC 3542 routines. */
static socklen_t build_hbh(void *buf, socklen_t cap) {
    static uint8_t data[4] = {0xca, 0xfe, 0xf0, 0x0d};
    void *d;
    int off = inet6_opt_init(NULL, 0);
    off = inet6_opt_append(NULL, 0, off, 0x1e, sizeof(data), 4, NULL);
    int len = inet6_opt_finish(NULL, 0, off);
    if (len < 0 || len > (int)cap)
        errx(1, "hop-by-hop header does not fit");
    off = inet6_opt_init(buf, (socklen_t)len);
    off = inet6_opt_append(buf, (socklen_t)len, off, 0x1e, sizeof(data), 4, &d);
    inet6_opt_set_val(d, 0, data, sizeof(data));
    inet6_opt_finish(buf, (socklen_t)len, off);
    return (socklen_t)len;
}

static void send_one(int s, const struct sockaddr_in6 *to, int hops) {
    union {
        struct cmsghdr align;
        unsigned char b[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(64)];
    } ctl;
    unsigned char hbh[64];
    socklen_t hbh_len = build_hbh(hbh, sizeof(hbh));
    const char msg[] = "rfc3542";
    struct iovec iov = {.iov_base = (void *)msg, .iov_len = sizeof(msg)};
    struct msghdr m;
    struct cmsghdr *cm;

    memset(&ctl, 0, sizeof(ctl));
    memset(&m, 0, sizeof(m));
    m.msg_name = (void *)to;
    m.msg_namelen = sizeof(*to);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.b;
    m.msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(hbh_len);
    cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_HOPLIMIT;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &hops, sizeof(hops));
    cm = CMSG_NXTHDR(&m, cm);
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_HOPOPTS;
    cm->cmsg_len = CMSG_LEN(hbh_len);
    memcpy(CMSG_DATA(cm), hbh, hbh_len);
    if (sendmsg(s, &m, 0) == -1)
        err(1, "sendmsg");
}

static void print_hbh(const void *hdr, socklen_t len) {
    int off = 0;
    uint8_t type;
    socklen_t olen;
    void *data;

    while ((off = inet6_opt_next((void *)hdr, len, off, &type, &olen, &data)) != -1) {
        printf("hop-by-hop option 0x%02x, %u bytes:", type, (unsigned)olen);
        for (socklen_t i = 0; i < olen; i++)
            printf(" %02x", ((unsigned char *)data)[i]);
        printf("\n");
    }
}

static void recv_one(int r) {
    union {
        struct cmsghdr align;
        unsigned char b[512];
    } ctl;
    unsigned char data[256];
    struct sockaddr_in6 from;
    struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
    struct msghdr m;
    char text[INET6_ADDRSTRLEN];
    ssize_t n;

    memset(&m, 0, sizeof(m));
    m.msg_name = &from;
    m.msg_namelen = sizeof(from);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.b;
    m.msg_controllen = sizeof(ctl.b);
    if ((n = recvmsg(r, &m, 0)) == -1)
        err(1, "recvmsg");
    printf("%zd bytes from %s\n", n, inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof(text)));
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
        if (cm->cmsg_level != IPPROTO_IPV6)
            continue;
        if (cm->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
            printf("pktinfo: to %s\n", inet_ntop(AF_INET6, &pi.ipi6_addr, text, sizeof(text)));
        } else if (cm->cmsg_type == IPV6_HOPLIMIT) {
            int h;
            memcpy(&h, CMSG_DATA(cm), sizeof(h));
            printf("hop limit: %d\n", h);
        } else if (cm->cmsg_type == IPV6_HOPOPTS) {
            print_hbh(CMSG_DATA(cm), (socklen_t)(cm->cmsg_len - CMSG_LEN(0)));
        }
    }
}

int main(int argc, char **argv) {
    struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int hops = argc > 1 ? atoi(argv[1]) : 5, on = 1, r, s;

    if ((r = socket(AF_INET6, SOCK_RAW, PROTO)) == -1 ||
        (s = socket(AF_INET6, SOCK_RAW, PROTO)) == -1)
        err(1, "socket");
    if (bind(r, (struct sockaddr *)&lo, sizeof(lo)) == -1)
        err(1, "bind");
    if (setsockopt(r, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) == -1 ||
        setsockopt(r, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) == -1 ||
        setsockopt(r, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &on, sizeof(on)) == -1)
        err(1, "setsockopt");
    send_one(s, &lo, hops);
    recv_one(r);
    close(s);
    close(r);
    return 0;
}
