/* Differential test of the IPPROTO_IPV6 socket options: one program, built
 * twice like every example (against sixstack through <sixstack/compat.h>
 * with USE_SIXSTACK, and against the kernel without). It tries a list of
 * values on every RFC 3542 option both support and prints one line per
 * attempt:
 *
 *     <socket> <option> set <value> -> ok|<ERRNAME>; get -> <value>|<ERRNAME>
 *     <socket> <option> get -> <value>|<ERRNAME>          (the default)
 *
 * then sends itself a packet over ::1 with ancillary data and prints what
 * arrives, and the errors of malformed ancillary data. Every attempt runs on
 * a fresh socket, so a value one side accepts and the other refuses changes
 * only its own line. The text before " -> " is the line's key;
 * tests/interop/ip6opt_diff.sh compares the two outputs, leaving out the
 * keys tests/interop/ip6opt_diff.expected lists as intended differences.
 *
 * Only RFC 3542 names are used: on Linux the RFC 2292 ones are the
 * IPV6_2292* names, with other numbers. Run the kernel variant as root.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef USE_SIXSTACK
#include <sixstack/compat.h>
#endif

/* RFC 3692 sets protocol 253 aside for experiments. */
#define EXPERIMENT_PROTO 253

enum kind { RAW253, ICMP6, UDP };
static const char *kind_name[] = {"raw253", "icmp6", "udp"};
/* The UDP port the traffic part uses on ::1. */
#define UDP_PORT 47123

static const char *errname(int e) {
    static char other[16];
    switch (e) {
#define E(x) \
    case x:  \
        return #x;
        E(EINVAL) E(ENOPROTOOPT) E(EOPNOTSUPP) E(ENXIO) E(ENODEV) E(EPERM) E(EACCES)
        E(EFAULT) E(EADDRNOTAVAIL) E(ENOBUFS) E(EMSGSIZE) E(ENOTCONN) E(EAFNOSUPPORT)
        E(EDESTADDRREQ) E(ENOTSOCK) E(EBADF) E(ENOMEM) E(EAGAIN) E(ENETUNREACH)
        E(EHOSTUNREACH) E(ENOSYS) E(ENOENT) E(ECONNREFUSED) E(E2BIG) E(EISCONN)
        E(ERANGE) E(EPROTONOSUPPORT) E(EADDRINUSE)
#undef E
    default:
        snprintf(other, sizeof(other), "E%d", e);
        return other;
    }
}

static int open_kind(enum kind k) {
    int s = k == UDP ? socket(AF_INET6, SOCK_DGRAM, 0)
                     : socket(AF_INET6, SOCK_RAW, k == RAW253 ? EXPERIMENT_PROTO : IPPROTO_ICMPV6);
    if (s == -1) {
        printf("socket %s -> %s\n", kind_name[k], errname(errno));
        exit(2);
    }
    return s;
}

/* Prints what getsockopt returns: an int if it is int-sized, an ICMPv6
 * filter as the types it passes, anything else as its length and bytes. */
static void print_get(int s, int level, int opt) {
    unsigned char buf[256];
    socklen_t len = sizeof(buf);
    memset(buf, 0xa5, sizeof(buf));
    if (getsockopt(s, level, opt, buf, &len) == -1) {
        printf("%s", errname(errno));
        return;
    }
    if (level == IPPROTO_ICMPV6 && opt == ICMP6_FILTER && len == sizeof(struct icmp6_filter)) {
        struct icmp6_filter f;
        int pass = 0;
        memcpy(&f, buf, sizeof(f));
        for (int t = 0; t < 256; t++)
            pass += ICMP6_FILTER_WILLPASS(t, &f) ? 1 : 0;
        printf("filter passes %d types%s", pass,
               ICMP6_FILTER_WILLPASS(ICMP6_ECHO_REPLY, &f) ? " incl. echo reply" : "");
        return;
    }
    if (len == sizeof(int)) {
        int v;
        memcpy(&v, buf, sizeof(v));
        printf("%d", v);
        return;
    }
    printf("len %u", (unsigned)len);
    if (len > 0)
        printf(" ");
    for (socklen_t i = 0; i < len && i < sizeof(buf); i++)
        printf("%02x", buf[i]);
}

static void show_default(enum kind k, const char *name, int level, int opt) {
    int s = open_kind(k);
    printf("%s %s get -> ", kind_name[k], name);
    print_get(s, level, opt);
    printf("\n");
    close(s);
}

static void try_buf(enum kind k, const char *name, int level, int opt, const char *desc,
                    const void *val, socklen_t len) {
    int s = open_kind(k);
    printf("%s %s set %s -> ", kind_name[k], name, desc);
    if (setsockopt(s, level, opt, val, len) == -1)
        printf("%s", errname(errno));
    else
        printf("ok");
    printf("; get -> ");
    print_get(s, level, opt);
    printf("\n");
    close(s);
}

static void try_int_len(enum kind k, const char *name, int level, int opt, int v, socklen_t len) {
    char desc[48];
    if (len == sizeof(int))
        snprintf(desc, sizeof(desc), "%d", v);
    else
        snprintf(desc, sizeof(desc), "%d (optlen %u)", v, (unsigned)len);
    try_buf(k, name, level, opt, desc, &v, len);
}

/* The default, then each of vals, then a short optlen. */
static void int_option(enum kind k, const char *name, int opt, const int *vals, int n) {
    show_default(k, name, IPPROTO_IPV6, opt);
    for (int i = 0; i < n; i++)
        try_int_len(k, name, IPPROTO_IPV6, opt, vals[i], sizeof(int));
    try_int_len(k, name, IPPROTO_IPV6, opt, 1, 2);
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define OPT(x) #x, x

static void options(void) {
    static const int hops[] = {0, 1, 9, 255, -1, -2, 256};
    static const int boolish[] = {0, 1, 2, -1};
    static const int mcif[] = {0, 9999};
    static const int tclass[] = {0, 0x20, 255, -1, -2, 256};
    static const int cksum[] = {-1, 0, 2, 4, 3, 1, -2, 256};
    static const int icmp_cksum[] = {-1, 2, 4, 3};

    int_option(RAW253, OPT(IPV6_UNICAST_HOPS), hops, N(hops));
    int_option(RAW253, OPT(IPV6_MULTICAST_HOPS), hops, N(hops));
    int_option(RAW253, OPT(IPV6_MULTICAST_LOOP), boolish, N(boolish));
    int_option(RAW253, OPT(IPV6_MULTICAST_IF), mcif, N(mcif));
    int_option(RAW253, OPT(IPV6_TCLASS), tclass, N(tclass));
    int_option(RAW253, OPT(IPV6_RECVTCLASS), boolish, N(boolish));
    int_option(RAW253, OPT(IPV6_RECVPKTINFO), boolish, N(boolish));
    int_option(RAW253, OPT(IPV6_RECVHOPLIMIT), boolish, N(boolish));
    int_option(RAW253, OPT(IPV6_RECVHOPOPTS), boolish, N(boolish));
    int_option(RAW253, OPT(IPV6_RECVDSTOPTS), boolish, N(boolish));
    int_option(RAW253, OPT(IPV6_RECVRTHDR), boolish, N(boolish));
    int_option(RAW253, OPT(IPV6_CHECKSUM), cksum, N(cksum));
    int_option(ICMP6, OPT(IPV6_CHECKSUM), icmp_cksum, N(icmp_cksum));
    int_option(RAW253, OPT(IPV6_V6ONLY), boolish, N(boolish));
    int_option(RAW253, OPT(IPV6_DONTFRAG), boolish, N(boolish));

    /* Sticky IPV6_PKTINFO: ::1 on no particular interface. */
    {
        struct in6_pktinfo pi;
        memset(&pi, 0, sizeof(pi));
        pi.ipi6_addr = in6addr_loopback;
        pi.ipi6_ifindex = 0;
        show_default(RAW253, "IPV6_PKTINFO", IPPROTO_IPV6, IPV6_PKTINFO);
        try_buf(RAW253, "IPV6_PKTINFO", IPPROTO_IPV6, IPV6_PKTINFO, "{::1,0}", &pi, sizeof(pi));
        try_buf(RAW253, "IPV6_PKTINFO", IPPROTO_IPV6, IPV6_PKTINFO, "{::1,0} (optlen 8)", &pi, 8);
    }

    /* Sticky IPV6_HOPOPTS and IPV6_DSTOPTS: one 8-byte header holding a
     * PadN option, then the same header claiming 16 bytes. */
    {
        static const unsigned char good[8] = {0, 0, 1, 4, 0, 0, 0, 0};
        static const unsigned char liar[8] = {0, 1, 1, 4, 0, 0, 0, 0};
        static const struct {
            const char *name;
            int opt;
        } hdr[] = {{OPT(IPV6_HOPOPTS)}, {OPT(IPV6_DSTOPTS)}};
        for (int i = 0; i < N(hdr); i++) {
            show_default(RAW253, hdr[i].name, IPPROTO_IPV6, hdr[i].opt);
            try_buf(RAW253, hdr[i].name, IPPROTO_IPV6, hdr[i].opt, "padn8", good, sizeof(good));
            try_buf(RAW253, hdr[i].name, IPPROTO_IPV6, hdr[i].opt, "padn8-len-lies-16", liar,
                    sizeof(liar));
        }
    }

    /* ICMP6_FILTER, level IPPROTO_ICMPV6. */
    {
        struct icmp6_filter f;
        show_default(ICMP6, "ICMP6_FILTER", IPPROTO_ICMPV6, ICMP6_FILTER);
        ICMP6_FILTER_SETBLOCKALL(&f);
        try_buf(ICMP6, "ICMP6_FILTER", IPPROTO_ICMPV6, ICMP6_FILTER, "blockall", &f, sizeof(f));
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
        try_buf(ICMP6, "ICMP6_FILTER", IPPROTO_ICMPV6, ICMP6_FILTER, "pass-echo-reply", &f, sizeof(f));
        ICMP6_FILTER_SETBLOCKALL(&f);
        try_buf(ICMP6, "ICMP6_FILTER", IPPROTO_ICMPV6, ICMP6_FILTER, "blockall (optlen 4)", &f, 4);
        show_default(RAW253, "ICMP6_FILTER", IPPROTO_ICMPV6, ICMP6_FILTER);
        try_buf(RAW253, "ICMP6_FILTER", IPPROTO_ICMPV6, ICMP6_FILTER, "blockall", &f, sizeof(f));
    }

    /* The same options on a UDP socket. */
    int_option(UDP, OPT(IPV6_UNICAST_HOPS), hops, N(hops));
    int_option(UDP, OPT(IPV6_MULTICAST_HOPS), hops, N(hops));
    int_option(UDP, OPT(IPV6_TCLASS), tclass, N(tclass));
    int_option(UDP, OPT(IPV6_RECVPKTINFO), boolish, N(boolish));
    int_option(UDP, OPT(IPV6_RECVHOPLIMIT), boolish, N(boolish));
    int_option(UDP, OPT(IPV6_RECVTCLASS), boolish, N(boolish));
    int_option(UDP, OPT(IPV6_CHECKSUM), cksum, N(cksum));
    int_option(UDP, OPT(IPV6_DONTFRAG), boolish, N(boolish));

    /* An option name neither knows. */
    {
        int one = 1;
        show_default(RAW253, "IPV6_UNKNOWN_9999", IPPROTO_IPV6, 9999);
        try_buf(RAW253, "IPV6_UNKNOWN_9999", IPPROTO_IPV6, 9999, "1", &one, sizeof(one));
    }
}

static const char marker[] = "ip6opt_diff payload";

static void on(int s, int opt, const char *name) {
    int one = 1;
    if (setsockopt(s, IPPROTO_IPV6, opt, &one, sizeof(one)) == -1) {
        printf("setup %s -> %s\n", name, errname(errno));
        exit(2);
    }
}

/* Receives until our payload arrives or the timeout; prints what came with
 * it. Returns 0 if it arrived. */
static int receive(int r, const char *tag) {
    for (;;) {
        unsigned char data[2048];
        union {
            unsigned char b[1024];
            struct cmsghdr align;
        } ctl;
        struct sockaddr_in6 from;
        struct iovec iov = {data, sizeof(data)};
        struct msghdr m;
        memset(&m, 0, sizeof(m));
        m.msg_name = &from;
        m.msg_namelen = sizeof(from);
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = ctl.b;
        m.msg_controllen = sizeof(ctl.b);
        ssize_t n = recvmsg(r, &m, 0);
        if (n == -1) {
            printf("%s recv -> %s\n", tag, errname(errno));
            return -1;
        }
        if ((size_t)n != sizeof(marker) || memcmp(data, marker, sizeof(marker)) != 0)
            continue; /* someone else's packet */
        char a[INET6_ADDRSTRLEN];
        int hl = 0, tc = 0, pi = 0;
        printf("%s recv -> %zd bytes from %s%s\n", tag, n,
               inet_ntop(AF_INET6, &from.sin6_addr, a, sizeof(a)),
               (m.msg_flags & MSG_CTRUNC) ? " MSG_CTRUNC" : "");
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level != IPPROTO_IPV6) {
                printf("%s recv cmsg level %d type %d\n", tag, c->cmsg_level, c->cmsg_type);
                continue;
            }
            if (c->cmsg_type == IPV6_HOPLIMIT && c->cmsg_len == CMSG_LEN(sizeof(int))) {
                int v;
                memcpy(&v, CMSG_DATA(c), sizeof(v));
                printf("%s recv hoplimit -> %d\n", tag, v);
                hl++;
            } else if (c->cmsg_type == IPV6_TCLASS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
                int v;
                memcpy(&v, CMSG_DATA(c), sizeof(v));
                printf("%s recv tclass -> 0x%02x\n", tag, v);
                tc++;
            } else if (c->cmsg_type == IPV6_PKTINFO &&
                       c->cmsg_len == CMSG_LEN(sizeof(struct in6_pktinfo))) {
                struct in6_pktinfo p;
                memcpy(&p, CMSG_DATA(c), sizeof(p));
                printf("%s recv pktinfo addr -> %s\n", tag,
                       inet_ntop(AF_INET6, &p.ipi6_addr, a, sizeof(a)));
                printf("%s recv pktinfo ifindex -> %s\n", tag,
                       p.ipi6_ifindex ? "given" : "zero");
                pi++;
            } else {
                printf("%s recv cmsg type %d len %zu\n", tag, c->cmsg_type,
                       (size_t)c->cmsg_len);
            }
        }
        printf("%s recv counts -> hoplimit %d tclass %d pktinfo %d\n", tag, hl, tc, pi);
        return 0;
    }
}

/* sendmsg of our payload to ::1 (port: 0 for raw) with the given control
 * buffer. */
static void send_ctl_port(int s, const char *tag, void *ctl, size_t ctllen, int port) {
    struct sockaddr_in6 lo;
    struct iovec iov = {(void *)marker, sizeof(marker)};
    struct msghdr m;
    memset(&lo, 0, sizeof(lo));
    lo.sin6_family = AF_INET6;
    lo.sin6_addr = in6addr_loopback;
    lo.sin6_port = htons((unsigned short)port);
    memset(&m, 0, sizeof(m));
    m.msg_name = &lo;
    m.msg_namelen = sizeof(lo);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = ctllen;
    printf("%s sendmsg -> ", tag);
    if (sendmsg(s, &m, 0) == -1)
        printf("%s\n", errname(errno));
    else
        printf("ok\n");
}

static void send_ctl(int s, const char *tag, void *ctl, size_t ctllen) {
    send_ctl_port(s, tag, ctl, ctllen, 0);
}

static void put_int(struct cmsghdr *c, int type, int v) {
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &v, sizeof(v));
}

static void traffic(void) {
    struct sockaddr_in6 lo;
    memset(&lo, 0, sizeof(lo));
    lo.sin6_family = AF_INET6;
    lo.sin6_addr = in6addr_loopback;
    int r = open_kind(RAW253), s = open_kind(RAW253);
    struct timeval tv = {2, 0};
    if (bind(r, (struct sockaddr *)&lo, sizeof(lo)) == -1) {
        printf("setup bind -> %s\n", errname(errno));
        exit(2);
    }
    if (setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
        printf("setup SO_RCVTIMEO -> %s\n", errname(errno));
        exit(2);
    }
    on(r, IPV6_RECVHOPLIMIT, "IPV6_RECVHOPLIMIT");
    on(r, IPV6_RECVTCLASS, "IPV6_RECVTCLASS");
    on(r, IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO");

    union {
        unsigned char b[2 * CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr hm; /* only for CMSG_FIRSTHDR/CMSG_NXTHDR over ctl */
    struct cmsghdr *c;

    /* Hop limit 9 and traffic class 0x20 as ancillary data. */
    memset(&ctl, 0, sizeof(ctl));
    memset(&hm, 0, sizeof(hm));
    hm.msg_control = ctl.b;
    hm.msg_controllen = sizeof(ctl.b);
    c = CMSG_FIRSTHDR(&hm);
    put_int(c, IPV6_HOPLIMIT, 9);
    c = CMSG_NXTHDR(&hm, c);
    put_int(c, IPV6_TCLASS, 0x20);
    send_ctl(s, "cmsg-hoplimit9-tclass0x20", ctl.b, sizeof(ctl.b));
    receive(r, "cmsg-hoplimit9-tclass0x20");

    /* Plain send: the defaults arrive. */
    send_ctl(s, "plain", NULL, 0);
    receive(r, "plain");

    /* cmsg_len larger than the control buffer. */
    memset(&ctl, 0, sizeof(ctl));
    put_int(&ctl.align, IPV6_HOPLIMIT, 9);
    ctl.align.cmsg_len = CMSG_LEN(sizeof(int)) + 64;
    send_ctl(s, "cmsg-len-past-buffer", ctl.b, CMSG_SPACE(sizeof(int)));

    /* A hop limit out of range. */
    memset(&ctl, 0, sizeof(ctl));
    put_int(&ctl.align, IPV6_HOPLIMIT, 300);
    send_ctl(s, "cmsg-hoplimit300", ctl.b, CMSG_SPACE(sizeof(int)));

    /* A traffic class out of range. */
    memset(&ctl, 0, sizeof(ctl));
    put_int(&ctl.align, IPV6_TCLASS, 256);
    send_ctl(s, "cmsg-tclass256", ctl.b, CMSG_SPACE(sizeof(int)));

    /* Whether anything got through after the malformed sends: send a good
     * packet and see that it is the next one to arrive. */
    send_ctl(s, "after-malformed", NULL, 0);
    {
        unsigned char data[2048];
        ssize_t n = recv(r, data, sizeof(data), 0);
        if (n == -1)
            printf("after-malformed first recv -> %s\n", errname(errno));
        else
            printf("after-malformed first recv -> %zd bytes\n", n);
        n = recv(r, data, sizeof(data), MSG_DONTWAIT);
        if (n == -1)
            printf("after-malformed second recv -> %s\n", errname(errno));
        else
            printf("after-malformed second recv -> %zd bytes\n", n);
    }
    close(s);
    close(r);
}

static void print_result(const char *what, int rc) {
    printf("%s -> %s\n", what, rc == -1 ? errname(errno) : "ok");
}

static int udp_bind(int s, int port) {
    struct sockaddr_in6 lo;
    memset(&lo, 0, sizeof(lo));
    lo.sin6_family = AF_INET6;
    lo.sin6_addr = in6addr_loopback;
    lo.sin6_port = htons((unsigned short)port);
    return bind(s, (struct sockaddr *)&lo, sizeof(lo));
}

/* UDP over ::1: binding rules, and ancillary data both ways. */
static void udp_traffic(void) {
    int r = open_kind(UDP), s = open_kind(UDP), r2 = open_kind(UDP), e = open_kind(UDP);
    struct timeval tv = {2, 0};
    struct sockaddr_in6 name;
    socklen_t nlen = sizeof(name);

    print_result("udp bind ::1 port", udp_bind(r, UDP_PORT));
    print_result("udp bind the same port again", udp_bind(r2, UDP_PORT));
    print_result("udp bind port 0", udp_bind(e, 0));
    getsockname(e, (struct sockaddr *)&name, &nlen);
    printf("udp bind port 0 gave a port -> %s\n", name.sin6_port ? "yes" : "no");
    setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    on(r, IPV6_RECVHOPLIMIT, "IPV6_RECVHOPLIMIT");
    on(r, IPV6_RECVTCLASS, "IPV6_RECVTCLASS");
    on(r, IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO");

    union {
        unsigned char b[2 * CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr hm;
    struct cmsghdr *c;
    memset(&ctl, 0, sizeof(ctl));
    memset(&hm, 0, sizeof(hm));
    hm.msg_control = ctl.b;
    hm.msg_controllen = sizeof(ctl.b);
    c = CMSG_FIRSTHDR(&hm);
    put_int(c, IPV6_HOPLIMIT, 9);
    c = CMSG_NXTHDR(&hm, c);
    put_int(c, IPV6_TCLASS, 0x20);
    send_ctl_port(s, "udp-cmsg-hoplimit9-tclass0x20", ctl.b, sizeof(ctl.b), UDP_PORT);
    receive(r, "udp-cmsg-hoplimit9-tclass0x20");
    send_ctl_port(s, "udp-plain", NULL, 0, UDP_PORT);
    receive(r, "udp-plain");
    send_ctl_port(s, "udp-to-port-0", NULL, 0, 0);
    close(s);
    close(r);
    close(r2);
    close(e);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    options();
    traffic();
    udp_traffic();
    return 0;
}
