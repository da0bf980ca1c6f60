/* sixstack-host: a sixstack host on a TAP (or TUN) interface, reachable
 * by real programs: it answers ICMPv6 echo, resolves and is resolved by
 * neighbour discovery, joins multicast groups, optionally echoes UDP and
 * TCP on a port (host_tcp.c), replays a capture as input, pings someone,
 * sends them UDP datagrams or a TCP stream to echo, impairs its link for
 * tests (-F), logs what its stack does, prints "ready" when it is, and
 * exits cleanly on SIGINT or SIGTERM. See docs/man/sixstack-host.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <sixstack/ipsec.h>
#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "host_tcp.h"

#define MAX_LIST 16

struct opts {
    const char *dev;
    int tun;
    const char *addrs[MAX_LIST];
    int naddrs;
    const char *routes[MAX_LIST];
    int nroutes;
    const char *groups[MAX_LIST];
    int ngroups;
    const char *capture;
    const char *ping;
    const char *udp_to;   /* -U ADDR[%DEV],PORT */
    int echo_port;        /* -u PORT, 0: none */
    const char *replay;   /* -R FILE */
    const char *keys;     /* -k FILE: setkey(8) syntax */
    int esp_level;        /* -e LEVEL: IPV6_ESP_TRANS_LEVEL of -p and -U */
    int count;
    int size;
    double interval;
    double wait;
    struct six_tap_config tap;
    int no_linklocal;
    uint64_t seed;
    int quiet;
    int autoconf;
    int tcp_port;         /* -T PORT, 0: none */
    const char *tcp_to;   /* -C ADDR[%DEV],PORT */
    uint64_t tcp_bytes;   /* -b BYTES */
    int fault_set;        /* -F SPEC */
    struct six_fault fault;
};

static const char *prog = "sixstack-host";

void logline(const char *fmt, ...) {
    struct timespec ts;
    va_list ap;

    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(stderr, "%s[%ld.%03ld]: ", prog, (long)ts.tv_sec, ts.tv_nsec / 1000000);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void stack_log(void *ctx, const char *line) {
    (void)ctx;
    logline("%s", line);
}

static void usage(int code) {
    fprintf(code ? stderr : stdout,
            "usage: %s -i DEV [-t] [-a ADDR/PLEN]... [-r PREFIX/PLEN[,GATEWAY]]...\n"
            "       [-g GROUP]... [-m MAC] [-M MTU] [-w FILE.pcap] [-n] [-A] [-S SEED]\n"
            "       [-u PORT] [-R FILE.pcap] [-F drop=PCT,dup=PCT,reorder=PCT,delay=MS,...]\n"
            "       [-k SETKEY-FILE] [-e use|require|unique]\n"
            "       [-T PORT] [-p ADDR[%%DEV] | -U ADDR[%%DEV],PORT | -C ADDR[%%DEV],PORT [-b BYTES]]\n"
            "       [-c COUNT] [-s SIZE] [-I SECONDS] [-W SECONDS] [-q]\n",
            prog);
    exit(code);
}

static int parse_mac(const char *s, uint8_t mac[6]) {
    unsigned v[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 255)
            return -1;
        mac[i] = (uint8_t)v[i];
    }
    return 0;
}

/* One number of -F: a percentage into parts per million, or milliseconds
 * into microseconds, or a plain count. Returns -1 when it is not one or
 * is out of range. */
static int fault_number(const char *key, const char *val, uint32_t *out) {
    char *end;
    double v = strtod(val, &end), scale = 1, max = UINT32_MAX - 1;

    if (end == val || v < 0)
        return -1;
    if (!strcmp(key, "drop") || !strcmp(key, "dup") || !strcmp(key, "reorder")) {
        scale = 10000, max = 1000000;   /* percent */
        if (*end == '%')
            end++;
    } else if (!strcmp(key, "delay") || !strcmp(key, "jitter") || !strcmp(key, "gap")) {
        scale = 1000;                   /* milliseconds */
    }
    if (*end || v * scale > max)
        return -1;
    *out = (uint32_t)(v * scale + 0.5);
    return 0;
}

/* -F KEY=VALUE,...: the link impairment of six_if_set_fault. */
static int parse_fault(const char *spec, struct six_fault *f) {
    char buf[256], *save = NULL, *item;

    if (strlen(spec) >= sizeof(buf))
        return -1;
    memcpy(buf, spec, strlen(spec) + 1);
    memset(f, 0, sizeof(*f));
    f->dirs = SIX_FAULT_TX | SIX_FAULT_RX;
    for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *val = strchr(item, '=');
        uint32_t n;
        if (!val)
            return -1;
        *val++ = '\0';
        if (!strcmp(item, "dir")) {
            f->dirs = !strcmp(val, "tx")   ? SIX_FAULT_TX
                      : !strcmp(val, "rx") ? SIX_FAULT_RX
                      : !strcmp(val, "both") ? SIX_FAULT_TX | SIX_FAULT_RX : 0;
            if (!f->dirs)
                return -1;
            continue;
        }
        if (!strcmp(item, "seed")) {
            f->seed = strtoull(val, NULL, 0);
            continue;
        }
        if (fault_number(item, val, &n) < 0)
            return -1;
        if (!strcmp(item, "drop"))
            f->drop_ppm = n;
        else if (!strcmp(item, "dup"))
            f->dup_ppm = n;
        else if (!strcmp(item, "reorder"))
            f->reorder_ppm = n;
        else if (!strcmp(item, "delay"))
            f->delay_us = n;
        else if (!strcmp(item, "jitter"))
            f->jitter_us = n;
        else if (!strcmp(item, "gap"))
            f->reorder_us = n;
        else if (!strcmp(item, "limit"))
            f->limit = n;
        else
            return -1;
    }
    return 0;
}

/* -b: a count of bytes with an optional k, M or G (powers of 1024). */
static int parse_bytes(const char *s, uint64_t *out) {
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;

    if (end == s || *s == '-')
        return -1;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'M')
        shift = 20;
    else if (*end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (*end || v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static void add_list(const char **list, int *n, const char *v) {
    if (*n == MAX_LIST) {
        fprintf(stderr, "%s: at most %d of each list option\n", prog, MAX_LIST);
        exit(2);
    }
    list[(*n)++] = v;
}

/* -e: an IPsec level by its setkey name. */
static int parse_level(const char *s) {
    if (!strcmp(s, "use"))
        return SIX_IPSEC_LEVEL_USE;
    if (!strcmp(s, "require"))
        return SIX_IPSEC_LEVEL_REQUIRE;
    if (!strcmp(s, "unique"))
        return SIX_IPSEC_LEVEL_UNIQUE;
    return -1;
}

/* The -e level on a socket of -p or -U (nothing without -e). */
static int set_esp_level(int fd, const struct opts *o) {
    if (!o->esp_level)
        return 0;
    return six_setsockopt(fd, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &o->esp_level,
                          sizeof(o->esp_level));
}

/* -k: the SAs and policies of a setkey(8)-syntax file, all or none. */
static int load_keys(struct six_stack *st, const char *path) {
    char err[256], *text;
    long n;
    FILE *f = fopen(path, "r");

    if (!f) {
        logline("%s: %s", path, strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0 ||
        !(text = calloc(1, (size_t)n + 1)) || fread(text, 1, (size_t)n, f) != (size_t)n) {
        logline("%s: cannot read it", path);
        fclose(f);
        return -1;
    }
    fclose(f);
    int rc = six_setkey_apply(st, text, err, sizeof(err));
    free(text);
    if (rc < 0) {
        logline("%s: %s", path, errno == EINVAL ? err : strerror(errno));
        return -1;
    }
    logline("SAs and policies loaded from %s", path);
    return 0;
}

static void parse_args(int argc, char **argv, struct opts *o) {
    int c;

    memset(o, 0, sizeof(*o));
    o->count = 3;
    o->size = 56;
    o->interval = 0.2;
    o->wait = 2;
    o->tcp_bytes = 1 << 20;
    while ((c = getopt(argc, argv, "i:ta:r:g:m:M:w:nAS:p:U:u:T:C:b:R:F:k:e:c:s:I:W:qh")) != -1) {
        switch (c) {
        case 'i': o->dev = optarg; break;
        case 't': o->tun = 1; break;
        case 'a': add_list(o->addrs, &o->naddrs, optarg); break;
        case 'r': add_list(o->routes, &o->nroutes, optarg); break;
        case 'g': add_list(o->groups, &o->ngroups, optarg); break;
        case 'm':
            if (parse_mac(optarg, o->tap.mac) < 0)
                usage(2);
            o->tap.set_mac = 1;
            break;
        case 'M': o->tap.mtu = (unsigned)atoi(optarg); break;
        case 'w': o->capture = optarg; break;
        case 'n': o->no_linklocal = 1; break;
        case 'A': o->autoconf = 1; break;
        case 'S': o->seed = strtoull(optarg, NULL, 0); break;
        case 'p': o->ping = optarg; break;
        case 'U': o->udp_to = optarg; break;
        case 'u':
            o->echo_port = atoi(optarg);
            if (o->echo_port < 1 || o->echo_port > 65535)
                usage(2);
            break;
        case 'T':
            o->tcp_port = atoi(optarg);
            if (o->tcp_port < 1 || o->tcp_port > 65535)
                usage(2);
            break;
        case 'C': o->tcp_to = optarg; break;
        case 'b':
            if (parse_bytes(optarg, &o->tcp_bytes) < 0)
                usage(2);
            break;
        case 'R': o->replay = optarg; break;
        case 'F':
            if (parse_fault(optarg, &o->fault) < 0) {
                fprintf(stderr, "%s: bad -F %s\n", prog, optarg);
                usage(2);
            }
            o->fault_set = 1;
            break;
        case 'k': o->keys = optarg; break;
        case 'e':
            if ((o->esp_level = parse_level(optarg)) < 0) {
                fprintf(stderr, "%s: bad -e %s\n", prog, optarg);
                usage(2);
            }
            break;
        case 'c': o->count = atoi(optarg); break;
        case 's': o->size = atoi(optarg); break;
        case 'I': o->interval = atof(optarg); break;
        case 'W': o->wait = atof(optarg); break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    if (!o->dev || optind != argc || o->count < 1 || o->size < 0 || o->size > 65000 ||
        (!!o->ping + !!o->udp_to + !!o->tcp_to) > 1)
        usage(2);
}

/* "ADDR/PLEN" into a and *plen (128 when no /PLEN). */
static int parse_prefix(const char *s, struct in6_addr *a, unsigned *plen) {
    char buf[INET6_ADDRSTRLEN + 8];
    char *slash;

    size_t n = strlen(s);

    if (n >= sizeof(buf))
        return -1;   /* longer than any address with a prefix length */
    memcpy(buf, s, n + 1);
    *plen = 128;
    if ((slash = strchr(buf, '/'))) {
        *slash = 0;
        *plen = (unsigned)atoi(slash + 1);
    }
    return inet_pton(AF_INET6, buf, a) == 1 && *plen <= 128 ? 0 : -1;
}

static int configure(struct six_stack *st, unsigned ifx, const struct opts *o) {
    for (int i = 0; i < o->naddrs; i++) {
        struct in6_addr a;
        unsigned plen;
        if (parse_prefix(o->addrs[i], &a, &plen) < 0 || six_addr_add(st, ifx, &a, plen, 0) < 0) {
            logline("address %s: %s", o->addrs[i], errno ? strerror(errno) : "malformed");
            return -1;
        }
        logline("address %s on %s", o->addrs[i], o->dev);
    }
    for (int i = 0; i < o->nroutes; i++) {
        char buf[128], *gw;
        struct in6_addr p, g;
        unsigned plen;
        snprintf(buf, sizeof(buf), "%s", o->routes[i]);
        if ((gw = strchr(buf, ',')))
            *gw++ = 0;
        if (parse_prefix(buf, &p, &plen) < 0 || (gw && inet_pton(AF_INET6, gw, &g) != 1) ||
            six_route_add(st, &p, plen, gw ? &g : NULL, ifx) < 0) {
            logline("route %s: %s", o->routes[i], errno ? strerror(errno) : "malformed");
            return -1;
        }
        logline("route %s on %s", o->routes[i], o->dev);
    }
    return 0;
}

/* Groups are joined on a raw socket kept open for the program's life. */
static int join_groups(struct six_stack *st, unsigned ifx, const struct opts *o, int *fd) {
    *fd = -1;
    if (!o->ngroups)
        return 0;
    if ((*fd = six_socket_on(st, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)) < 0)
        return -1;
    for (int i = 0; i < o->ngroups; i++) {
        struct ipv6_mreq m = {.ipv6mr_interface = ifx};
        if (inet_pton(AF_INET6, o->groups[i], &m.ipv6mr_multiaddr) != 1 ||
            six_setsockopt(*fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)) < 0) {
            logline("group %s: %s", o->groups[i], errno ? strerror(errno) : "malformed");
            return -1;
        }
        logline("joined %s on %s", o->groups[i], o->dev);
    }
    return 0;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Waits up to ms for a signal in set; returns it, or 0. */
static int wait_signal(const sigset_t *set, double ms) {
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
                          .tv_nsec = (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6)};
    int sig = sigtimedwait(set, NULL, &ts);
    return sig > 0 ? sig : 0;
}

/* One echo: waits up to wait_ms for the reply with our id and seq (the
 * first may wait for address resolution, whose solicitations go out a
 * second apart). Returns 1 when it came, 0 when not, -sig when a signal
 * came. */
static int echo_once(int fd, const struct sockaddr_in6 *to, uint16_t id, uint16_t seq, int size,
                     double wait_ms, const sigset_t *sigs) {
    static uint8_t req[65536], rep[65536];
    struct sockaddr_in6 from;
    double start = now_ms();

    req[0] = ICMP6_ECHO_REQUEST;
    req[1] = 0;
    req[4] = (uint8_t)(id >> 8);
    req[5] = (uint8_t)id;
    req[6] = (uint8_t)(seq >> 8);
    req[7] = (uint8_t)seq;
    for (int i = 0; i < size; i++)
        req[8 + i] = (uint8_t)i;
    if (six_sendto(fd, req, 8 + (size_t)size, 0, (const struct sockaddr *)to, sizeof(*to)) < 0) {
        logline("ping: sendto: %s", strerror(errno));
        return 0;
    }
    while (now_ms() - start < wait_ms) {
        socklen_t flen = sizeof(from);
        ssize_t n = six_recvfrom(fd, rep, sizeof(rep), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
        int sig;
        if (n >= 8 && rep[0] == ICMP6_ECHO_REPLY && rep[4] == (uint8_t)(id >> 8) &&
            rep[5] == (uint8_t)id && rep[6] == (uint8_t)(seq >> 8) && rep[7] == (uint8_t)seq) {
            char a[INET6_ADDRSTRLEN];
            inet_ntop(AF_INET6, &from.sin6_addr, a, sizeof(a));
            printf("%zd bytes from %s: icmp_seq=%u time=%.3f ms\n", n, a, seq,
                   now_ms() - start);
            fflush(stdout);
            return n == 8 + size && memcmp(rep + 8, req + 8, (size_t)size) == 0;
        }
        if (n < 0 && errno != EAGAIN)
            logline("ping: %s", strerror(errno));
        if ((sig = wait_signal(sigs, 5)))
            return -sig;
    }
    return 0;
}

/* "ADDR[%DEV]" (up to its first comma) into *to, port 0. */
static int parse_target(struct six_stack *st, const char *s, struct sockaddr_in6 *to) {
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], *pct, *comma;

    memset(to, 0, sizeof(*to));
    to->sin6_family = AF_INET6;
    snprintf(buf, sizeof(buf), "%s", s);
    if ((comma = strchr(buf, ',')))
        *comma = 0;
    if ((pct = strchr(buf, '%'))) {
        *pct++ = 0;
        to->sin6_scope_id = six_if_nametoindex(st, pct);
    }
    return inet_pton(AF_INET6, buf, &to->sin6_addr) == 1 ? 0 : -1;
}

static const char *addr_str(const struct in6_addr *a, char buf[INET6_ADDRSTRLEN]) {
    return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* Pings o->ping; returns the number of replies. */
static int do_ping(struct six_stack *st, const struct opts *o, const sigset_t *sigs) {
    struct sockaddr_in6 to;
    struct icmp6_filter f;
    int fd, got = 0;

    if (parse_target(st, o->ping, &to) < 0) {
        logline("ping: bad address %s", o->ping);
        return 0;
    }
    if ((fd = six_socket_on(st, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)) < 0 ||
        set_esp_level(fd, o) < 0) {
        logline("ping: socket: %s", strerror(errno));
        return 0;
    }
    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
    six_setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
    printf("PING %s: %d data bytes\n", o->ping, o->size);
    for (int i = 0; i < o->count; i++) {
        int r = echo_once(fd, &to, (uint16_t)getpid(), (uint16_t)(i + 1), o->size,
                          o->wait * 1000, sigs);
        if (r < 0)
            break;
        got += r;
        if (i + 1 < o->count && wait_signal(sigs, o->interval * 1000))
            break;
    }
    printf("%d packets transmitted, %d received\n", o->count, got);
    fflush(stdout);
    six_close(fd);
    return got;
}

/* ---- UDP ---- */

/* The echo socket of -u: bound to [::]:port, a member of every -g group
 * (UDP sockets receive multicast only for groups they joined), asking for
 * each datagram's destination (IPV6_RECVPKTINFO) so that the echo leaves
 * from the address it was sent to. Its receive buffer is large: a -R
 * replay brings datagrams in back to back, before the echo is served. */
static int echo_socket(struct six_stack *st, unsigned ifx, const struct opts *o) {
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)o->echo_port)};
    int fd, on = 1, rcvbuf = 1 << 20;

    if ((fd = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0)) < 0 ||
        six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0 ||
        six_setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0 ||
        six_setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) < 0) {
        logline("udp echo port %d: %s", o->echo_port, strerror(errno));
        return -1;
    }
    for (int i = 0; i < o->ngroups; i++) {
        struct ipv6_mreq m = {.ipv6mr_interface = ifx};
        if (inet_pton(AF_INET6, o->groups[i], &m.ipv6mr_multiaddr) != 1 ||
            six_setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)) < 0) {
            logline("udp echo: group %s: %s", o->groups[i], strerror(errno));
            return -1;
        }
    }
    logline("udp echo on port %d", o->echo_port);
    return fd;
}

/* Echoes every datagram waiting on fd to its sender, logging each. */
static void echo_all(int fd) {
    static uint8_t buf[65536];
    for (;;) {
        struct sockaddr_in6 from;
        union {
            struct cmsghdr align;
            uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
        } ctl;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
        struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
                           .msg_iovlen = 1, .msg_control = ctl.b,
                           .msg_controllen = sizeof(ctl.b)};
        struct in6_pktinfo pi = {.ipi6_addr = IN6ADDR_ANY_INIT};
        char fa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN] = "?";
        ssize_t n = six_recvmsg(fd, &m, MSG_DONTWAIT), sent;

        if (n < 0) {
            if (errno != EAGAIN)
                logline("udp echo: recvmsg: %s", strerror(errno));
            return;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
            if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
                memcpy(&pi, CMSG_DATA(c), sizeof(pi));
        addr_str(&pi.ipi6_addr, da);
        /* A unicast datagram is echoed from the address it came to; a
         * multicast one from the address source selection picks. */
        if (IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr))
            pi.ipi6_addr = in6addr_any;
        iov.iov_len = (size_t)n;
        m.msg_controllen = sizeof(ctl.b);
        memset(ctl.b, 0, sizeof(ctl.b));
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(pi));
        memcpy(CMSG_DATA(c), &pi, sizeof(pi));
        m.msg_flags = 0;
        sent = six_sendmsg(fd, &m, 0);
        logline("udp echo: %zd bytes from [%s]:%u to %s%s%s", n, addr_str(&from.sin6_addr, fa),
                ntohs(from.sin6_port), da, sent == n ? ", echoed" : ", echo failed: ",
                sent == n ? "" : strerror(errno));
    }
}

/* -U: sends o->count datagrams of o->size bytes to ADDR,PORT, each
 * waiting up to o->wait for its echo (the same bytes back, from any
 * address: a group's member answers from its own). Returns the number
 * echoed. */
static int do_udp(struct six_stack *st, unsigned ifx, const struct opts *o, const sigset_t *sigs) {
    static uint8_t req[65536], rep[65536];
    struct sockaddr_in6 to;
    const char *comma = strrchr(o->udp_to, ',');
    int fd, got = 0, port = comma ? atoi(comma + 1) : 0;

    if (port < 1 || port > 65535 || parse_target(st, o->udp_to, &to) < 0) {
        logline("udp: bad destination %s (ADDR[%%DEV],PORT)", o->udp_to);
        return 0;
    }
    to.sin6_port = htons((uint16_t)port);
    if ((fd = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0)) < 0 ||
        six_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifx, sizeof(ifx)) < 0 ||
        set_esp_level(fd, o) < 0) {
        logline("udp: socket: %s", strerror(errno));
        return 0;
    }
    printf("UDP %s: %d data bytes\n", o->udp_to, o->size);
    for (int i = 0; i < o->count; i++) {
        double start = now_ms();
        int done = 0, sig = 0;
        for (int k = 0; k < o->size; k++)
            req[k] = (uint8_t)(k + i + 1);
        if (six_sendto(fd, req, (size_t)o->size, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
            logline("udp: sendto: %s", strerror(errno));
        else
            while (!done && now_ms() - start < o->wait * 1000) {
                struct sockaddr_in6 from;
                socklen_t flen = sizeof(from);
                char a[INET6_ADDRSTRLEN];
                ssize_t n = six_recvfrom(fd, rep, sizeof(rep), MSG_DONTWAIT,
                                         (struct sockaddr *)&from, &flen);
                if (n == o->size && memcmp(rep, req, (size_t)n) == 0) {
                    printf("%zd bytes from [%s]:%u: seq=%d time=%.3f ms\n", n,
                           addr_str(&from.sin6_addr, a), ntohs(from.sin6_port), i + 1,
                           now_ms() - start);
                    fflush(stdout);
                    done = 1;
                } else if (n < 0 && errno != EAGAIN) {
                    logline("udp: %s", strerror(errno));
                } else if (n < 0 && (sig = wait_signal(sigs, 5))) {
                    break;
                }
            }
        got += done;
        if (sig || (i + 1 < o->count && wait_signal(sigs, o->interval * 1000)))
            break;
    }
    printf("%d datagrams sent, %d echoed\n", o->count, got);
    fflush(stdout);
    six_close(fd);
    return got;
}

/* Until SIGINT or SIGTERM (taken through a signalfd, so that one
 * six_poll also watches the sockets): echoes UDP when efd >= 0 and TCP
 * when tcp is not NULL. Returns the signal. */
static int serve(const sigset_t *sigs, int efd, struct tcp_echo *tcp) {
    struct pollfd pfd[2 + 65];
    int sfd = signalfd(-1, sigs, SFD_CLOEXEC);

    if (sfd < 0) {
        int sig;
        logline("signalfd: %s", strerror(errno));
        sigwait(sigs, &sig);
        return sig;
    }
    for (;;) {
        struct signalfd_siginfo si;
        int n = 0, ntcp = 0;

        pfd[n++] = (struct pollfd){.fd = sfd, .events = POLLIN};
        if (efd >= 0)
            pfd[n++] = (struct pollfd){.fd = efd, .events = POLLIN};
        if (tcp)
            ntcp = tcp_echo_pollfds(tcp, pfd + n, (int)(sizeof(pfd) / sizeof(pfd[0])) - n);
        if (six_poll(pfd, (nfds_t)(n + ntcp), -1) < 0 && errno != EINTR)
            break;
        if ((pfd[0].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si)) {
            close(sfd);
            return (int)si.ssi_signo;
        }
        if (efd >= 0 && pfd[1].revents)
            echo_all(efd);
        if (tcp)
            tcp_echo_serve(tcp, pfd + n, ntcp);
    }
    close(sfd);
    return SIGTERM;
}

/* Waits (at most 5 s) until no address of the interface is tentative:
 * "ready" means the addresses given are usable (duplicate address
 * detection takes a second). Addresses SLAAC makes later are logged. */
static void wait_dad(struct six_stack *st, unsigned ifx) {
    struct six_addr_info a[32];
    double start = now_ms();

    while (now_ms() - start < 5000) {
        int n = six_addr_list(st, ifx, a, 32), tentative = 0;
        for (int i = 0; i < n && i < 32; i++)
            tentative |= (a[i].flags & SIX_ADDR_TENTATIVE) != 0;
        if (!tentative)
            return;
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
}

static void print_ready(struct six_stack *st, unsigned ifx, const struct opts *o) {
    uint8_t mac[6];

    if (six_if_hwaddr(st, ifx, mac) == 0)
        printf("ready: %s index %u mac %02x:%02x:%02x:%02x:%02x:%02x mtu %d\n", o->dev, ifx,
               mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], six_if_mtu(st, ifx));
    else
        printf("ready: %s index %u (tun) mtu %d\n", o->dev, ifx, six_if_mtu(st, ifx));
    fflush(stdout);
}

int main(int argc, char **argv) {
    struct six_stack_config cfg;
    struct six_stack *st;
    struct opts o;
    sigset_t sigs;
    int ifx, gfd = -1, efd = -1, rc = 0;
    struct tcp_echo *tcp = NULL;

    parse_args(argc, argv, &o);
    /* Signals are taken with sigwait: blocked here, before any thread
     * exists, so every thread inherits the mask. A shell starts
     * background programs with SIGINT ignored, and an ignored signal is
     * discarded rather than left for sigwait: take the default
     * disposition back first. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    six_stack_config_init(&cfg);
    cfg.seed = o.seed;
    cfg.linklocal = !o.no_linklocal;
    cfg.autoconf = o.autoconf;   /* -A: router solicitations and SLAAC */
    if (!(st = six_stack_new(&cfg))) {
        logline("six_stack_new: %s", strerror(errno));
        return 1;
    }
    if (!o.quiet)
        six_stack_set_log(st, stack_log, NULL);
    /* Keys and policies before any interface: nothing leaves unprotected. */
    if (o.keys && load_keys(st, o.keys) < 0) {
        six_stack_free(st);
        return 2;
    }
    ifx = o.tun ? six_if_add_tun(st, o.dev, &o.tap) : six_if_add_tap(st, o.dev, &o.tap);
    if (ifx < 0) {
        logline("%s %s: %s", o.tun ? "tun" : "tap", o.dev, strerror(errno));
        six_stack_free(st);
        return 1;
    }
    if (o.capture && six_if_capture(st, (unsigned)ifx, o.capture) < 0)
        logline("capture %s: %s", o.capture, strerror(errno));
    if (o.fault_set && six_if_set_fault(st, (unsigned)ifx, &o.fault) < 0) {
        logline("fault: %s", strerror(errno));
        rc = 1;
        goto out;
    }
    if (configure(st, (unsigned)ifx, &o) < 0 || join_groups(st, (unsigned)ifx, &o, &gfd) < 0 ||
        (o.echo_port && (efd = echo_socket(st, (unsigned)ifx, &o)) < 0) ||
        (o.tcp_port && !(tcp = tcp_echo_open(st, o.tcp_port))) ||
        six_stack_start(st) < 0) {
        rc = 1;
        goto out;
    }
    /* Addresses pass DAD before a replay, whose frames are for them. */
    wait_dad(st, (unsigned)ifx);
    /* The capture goes in before "ready", so that ready means replayed. */
    if (o.replay) {
        int n = six_if_replay(st, (unsigned)ifx, o.replay, NULL);
        if (n < 0) {
            logline("replay %s: %s", o.replay, strerror(errno));
            rc = 1;
            goto out;
        }
        logline("replayed %d records from %s", n, o.replay);
    }
    print_ready(st, (unsigned)ifx, &o);
    if (o.ping) {
        rc = do_ping(st, &o, &sigs) == o.count ? 0 : 1;
    } else if (o.udp_to) {
        rc = do_udp(st, (unsigned)ifx, &o, &sigs) == o.count ? 0 : 1;
    } else if (o.tcp_to) {
        rc = tcp_client(st, o.tcp_to, o.tcp_bytes, o.wait < 10 ? 10 : o.wait, &sigs);
    } else {
        int sig = serve(&sigs, efd, tcp);
        logline("%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
out:
    tcp_echo_close(tcp);
    if (efd >= 0)
        six_close(efd);
    if (gfd >= 0)
        six_close(gfd);
    six_stack_stop(st);
    if (!o.quiet)
        six_stats_print(st, stderr);
    six_stack_free(st);
    return rc;
}
