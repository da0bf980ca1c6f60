/* sixstack-host: a sixstack host on a TAP (or TUN) interface, reachable
 * by real programs: it answers ICMPv6 echo, resolves and is resolved by
 * neighbour discovery, joins multicast groups, optionally pings someone,
 * logs what its stack does, prints "ready" when it is, and exits cleanly
 * on SIGINT or SIGTERM. See docs/man/sixstack-host.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

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
    int count;
    int size;
    double interval;
    double wait;
    struct six_tap_config tap;
    int no_linklocal;
    uint64_t seed;
    int quiet;
};

static const char *prog = "sixstack-host";

static void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logline(const char *fmt, ...) {
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
            "       [-g GROUP]... [-m MAC] [-M MTU] [-w FILE.pcap] [-n] [-S SEED]\n"
            "       [-p ADDR[%%DEV] [-c COUNT] [-s SIZE] [-I SECONDS] [-W SECONDS]] [-q]\n",
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

static void add_list(const char **list, int *n, const char *v) {
    if (*n == MAX_LIST) {
        fprintf(stderr, "%s: at most %d of each list option\n", prog, MAX_LIST);
        exit(2);
    }
    list[(*n)++] = v;
}

static void parse_args(int argc, char **argv, struct opts *o) {
    int c;

    memset(o, 0, sizeof(*o));
    o->count = 3;
    o->size = 56;
    o->interval = 0.2;
    o->wait = 2;
    while ((c = getopt(argc, argv, "i:ta:r:g:m:M:w:nS:p:c:s:I:W:qh")) != -1) {
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
        case 'S': o->seed = strtoull(optarg, NULL, 0); break;
        case 'p': o->ping = optarg; break;
        case 'c': o->count = atoi(optarg); break;
        case 's': o->size = atoi(optarg); break;
        case 'I': o->interval = atof(optarg); break;
        case 'W': o->wait = atof(optarg); break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    if (!o->dev || optind != argc || o->count < 1 || o->size < 0 || o->size > 65000)
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

/* Pings o->ping; returns the number of replies. */
static int do_ping(struct six_stack *st, const struct opts *o, const sigset_t *sigs) {
    struct sockaddr_in6 to = {.sin6_family = AF_INET6};
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], *pct;
    struct icmp6_filter f;
    int fd, got = 0;

    snprintf(buf, sizeof(buf), "%s", o->ping);
    if ((pct = strchr(buf, '%'))) {
        *pct++ = 0;
        to.sin6_scope_id = six_if_nametoindex(st, pct);
    }
    if (inet_pton(AF_INET6, buf, &to.sin6_addr) != 1) {
        logline("ping: bad address %s", o->ping);
        return 0;
    }
    if ((fd = six_socket_on(st, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)) < 0) {
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
    int ifx, gfd = -1, rc = 0;

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
    if (!(st = six_stack_new(&cfg))) {
        logline("six_stack_new: %s", strerror(errno));
        return 1;
    }
    if (!o.quiet)
        six_stack_set_log(st, stack_log, NULL);
    ifx = o.tun ? six_if_add_tun(st, o.dev, &o.tap) : six_if_add_tap(st, o.dev, &o.tap);
    if (ifx < 0) {
        logline("%s %s: %s", o.tun ? "tun" : "tap", o.dev, strerror(errno));
        six_stack_free(st);
        return 1;
    }
    if (o.capture && six_if_capture(st, (unsigned)ifx, o.capture) < 0)
        logline("capture %s: %s", o.capture, strerror(errno));
    if (configure(st, (unsigned)ifx, &o) < 0 || join_groups(st, (unsigned)ifx, &o, &gfd) < 0 ||
        six_stack_start(st) < 0) {
        rc = 1;
        goto out;
    }
    print_ready(st, (unsigned)ifx, &o);
    if (o.ping) {
        rc = do_ping(st, &o, &sigs) == o.count ? 0 : 1;
    } else {
        int sig;
        sigwait(&sigs, &sig);
        logline("%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
out:
    if (gfd >= 0)
        six_close(gfd);
    six_stack_stop(st);
    if (!o.quiet)
        six_stats_print(st, stderr);
    six_stack_free(st);
    return rc;
}
