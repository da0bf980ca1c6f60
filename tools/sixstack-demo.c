/* sixstack-demo: two hosts on an in-memory link doing real work through
 * the public API.
 *
 *  1. alice sends raw IPv6 packets with a chosen hop limit; bob runs the
 *     EXAMPLES code of ip6(4), unchanged, and prints "hop limit: N";
 *  2. alice pings bob over a raw ICMPv6 socket (echo request / reply);
 *  3. alice sends a protocol bob does not speak and her connected socket
 *     reports the ICMPv6 Parameter Problem bob answers with;
 *  4. UDP: bob echoes alice's datagrams on port 7, and receives what she
 *     sends to a multicast group he joined;
 *  5. both print their statistics.
 *
 * Every frame on the link is written to a pcap file that Wireshark opens.
 *
 *     sixstack-demo [-o capture.pcap] [-t hop-limit] [-c ping-count]
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#define EXPERIMENT_PROTO 253  /* RFC 3692 */
#define UNSPOKEN_PROTO 254

void ip6_page_example(int s);  /* examples/ip6_hoplimit.c */

struct host {
    const char *name;
    struct six_stack *st;
    unsigned ifindex;
    struct in6_addr addr;
};

static struct sockaddr_in6 sockaddr_of(const struct in6_addr *a) {
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = *a};
    return sin6;
}

static void make_host(struct host *h, const char *name, const char *addr) {
    struct six_stack_config cfg;

    six_stack_config_init(&cfg);
    h->name = name;
    if (!(h->st = six_stack_new(&cfg)))
        err(1, "six_stack_new");
    inet_pton(AF_INET6, addr, &h->addr);
}

static void add_address(struct host *h) {
    if (six_addr_add(h->st, h->ifindex, &h->addr, 64, 0) < 0)
        err(1, "%s: six_addr_add", h->name);
    if (six_stack_start(h->st) < 0)
        err(1, "%s: six_stack_start", h->name);
}

/* ---- 1: the page's example on bob ---- */

struct example_run {
    struct host *bob;
    int sock;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int ready;
};

/* Bob's thread: the page's code, verbatim, on a raw socket of bob's. */
static void *bob_runs_example(void *arg) {
    struct example_run *run = arg;
    int one = 1;

    six_use_stack(run->bob->st);
    /* The example sets IPV6_HOPLIMIT itself; doing it here as well means
     * no packet can slip in before it does. */
    six_setsockopt(run->sock, IPPROTO_IPV6, IPV6_HOPLIMIT, &one, sizeof(one));
    pthread_mutex_lock(&run->lock);
    run->ready = 1;
    pthread_cond_signal(&run->cond);
    pthread_mutex_unlock(&run->lock);
    ip6_page_example(run->sock);
    return NULL;
}

static void demo_hop_limit(struct host *alice, struct host *bob, int hops) {
    struct example_run run = {.bob = bob, .lock = PTHREAD_MUTEX_INITIALIZER,
                              .cond = PTHREAD_COND_INITIALIZER};
    struct sockaddr_in6 to = sockaddr_of(&bob->addr);
    const char payload[] = "raw IPv6 from alice";
    pthread_t t;
    int s;

    printf("== 1. ip6(4) EXAMPLES: bob prints the hop limit of alice's packet\n");
    printf("bob:   runs the page's example code on a raw socket of protocol %d\n",
           EXPERIMENT_PROTO);
    if ((run.sock = six_socket_on(bob->st, AF_INET6, SOCK_RAW, EXPERIMENT_PROTO)) < 0)
        err(1, "bob: socket");
    pthread_create(&t, NULL, bob_runs_example, &run);
    pthread_mutex_lock(&run.lock);
    while (!run.ready)
        pthread_cond_wait(&run.cond, &run.lock);
    pthread_mutex_unlock(&run.lock);

    if ((s = six_socket_on(alice->st, AF_INET6, SOCK_RAW, EXPERIMENT_PROTO)) < 0)
        err(1, "alice: socket");
    if (six_setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0)
        err(1, "alice: IPV6_UNICAST_HOPS");
    printf("alice: sending protocol %d with hop limit %d to bob\n", EXPERIMENT_PROTO, hops);
    if (six_sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
        err(1, "alice: sendto");
    pthread_join(t, NULL);
    six_close(s);
    six_close(run.sock);
}

/* ---- 2: ping ---- */

static double elapsed_ms(const struct timespec *a, const struct timespec *b) {
    return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void demo_ping(struct host *alice, struct host *bob, int count) {
    struct sockaddr_in6 to = sockaddr_of(&bob->addr);
    struct timeval timeout = {.tv_sec = 2};
    struct icmp6_filter filter;
    char addr[INET6_ADDRSTRLEN];
    int s, received = 0;

    printf("\n== 2. ping: alice -> bob over a raw ICMPv6 socket\n");
    if ((s = six_socket_on(alice->st, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)) < 0)
        err(1, "alice: socket");
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    six_setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
    six_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    inet_ntop(AF_INET6, &bob->addr, addr, sizeof(addr));
    printf("PING %s: 56 data bytes\n", addr);
    for (int seq = 1; seq <= count; seq++) {
        uint8_t req[64] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0, (uint8_t)seq};
        uint8_t reply[1500];
        struct timespec t0, t1;
        struct sockaddr_in6 from;
        socklen_t fromlen = sizeof(from);
        ssize_t n;

        for (size_t i = 8; i < sizeof(req); i++)
            req[i] = (uint8_t)i;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (six_sendto(s, req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
            err(1, "alice: sendto");
        n = six_recvfrom(s, reply, sizeof(reply), 0, (struct sockaddr *)&from, &fromlen);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (n < 0) {
            printf("icmp_seq=%d: %s\n", seq, strerror(errno));
            continue;
        }
        inet_ntop(AF_INET6, &from.sin6_addr, addr, sizeof(addr));
        printf("%zd bytes from %s: icmp_seq=%d time=%.3f ms%s\n", n, addr, reply[7],
               elapsed_ms(&t0, &t1),
               n == (ssize_t)sizeof(req) && memcmp(reply + 8, req + 8, sizeof(req) - 8) == 0
                   ? ""
                   : " (payload differs!)");
        received++;
    }
    printf("--- %d packets transmitted, %d received\n", count, received);
    six_close(s);
}

/* ---- 3: an ICMPv6 error reaches the socket it concerns ---- */

static void demo_error(struct host *alice, struct host *bob) {
    struct sockaddr_in6 to = sockaddr_of(&bob->addr);
    struct timeval timeout = {.tv_sec = 2};
    char buf[64];
    int s;

    printf("\n== 3. alice sends protocol %d, which bob does not speak\n", UNSPOKEN_PROTO);
    if ((s = six_socket_on(alice->st, AF_INET6, SOCK_RAW, UNSPOKEN_PROTO)) < 0)
        err(1, "alice: socket");
    six_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    if (six_connect(s, (struct sockaddr *)&to, sizeof(to)) < 0)
        err(1, "alice: connect");
    if (six_send(s, "anyone?", 7, 0) < 0)
        err(1, "alice: send");
    if (six_recv(s, buf, sizeof(buf), 0) < 0)
        printf("alice: recv: %s (bob answered ICMPv6 Parameter Problem, "
               "unrecognized Next Header)\n", strerror(errno));
    else
        printf("alice: recv returned data, which it should not\n");
    six_close(s);
}

/* ---- 4: UDP echo and multicast ---- */

#define ECHO_PORT 7
#define GROUP "ff1e::42"

static int udp_socket(struct host *h, uint16_t port) {
    struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    struct timeval timeout = {.tv_sec = 2};
    int s = six_socket_on(h->st, AF_INET6, SOCK_DGRAM, 0);

    if (s < 0 || six_bind(s, (struct sockaddr *)&any, sizeof(any)) < 0)
        err(1, "%s: UDP socket", h->name);
    six_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    return s;
}

/* Bob reads one datagram and sends it back where it came from. */
static void bob_echoes(int s) {
    struct sockaddr_in6 from;
    socklen_t flen = sizeof(from);
    char buf[256];
    ssize_t n = six_recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);

    if (n < 0)
        err(1, "bob: recvfrom");
    six_sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
}

static void demo_udp(struct host *alice, struct host *bob, int count) {
    struct sockaddr_in6 to = sockaddr_of(&bob->addr), from;
    struct ipv6_mreq mr = {.ipv6mr_interface = bob->ifindex};
    char buf[256], addr[INET6_ADDRSTRLEN];
    int sb = udp_socket(bob, ECHO_PORT), sa = udp_socket(alice, 0);

    printf("\n== 4. UDP: bob echoes on port %d and joins %s\n", ECHO_PORT, GROUP);
    inet_pton(AF_INET6, GROUP, &mr.ipv6mr_multiaddr);
    if (six_setsockopt(sb, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) < 0)
        err(1, "bob: IPV6_JOIN_GROUP");
    to.sin6_port = htons(ECHO_PORT);
    for (int i = 1; i <= count; i++) {
        int len = snprintf(buf, sizeof(buf), "datagram %d", i);
        if (six_sendto(sa, buf, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
            err(1, "alice: sendto");
        bob_echoes(sb);
        ssize_t n = six_recv(sa, buf, sizeof(buf) - 1, 0);
        if (n < 0)
            err(1, "alice: recv");
        buf[n] = 0;
        printf("alice: echo from bob: \"%s\"\n", buf);
    }
    /* To the group: out of alice's link interface, hop limit 1. */
    to = sockaddr_of(&mr.ipv6mr_multiaddr);
    to.sin6_port = htons(ECHO_PORT);
    to.sin6_scope_id = alice->ifindex;
    six_sendto(sa, "hello, group", 12, 0, (struct sockaddr *)&to, sizeof(to));
    socklen_t flen = sizeof(from);
    ssize_t n = six_recvfrom(sb, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &flen);
    if (n < 0)
        err(1, "bob: multicast recvfrom");
    buf[n] = 0;
    printf("bob: \"%s\" to %s from %s\n", buf, GROUP,
           inet_ntop(AF_INET6, &from.sin6_addr, addr, sizeof(addr)));
    six_close(sa);
    six_close(sb);
}

int main(int argc, char **argv) {
    struct host alice, bob;
    const char *pcap = "sixstack-demo.pcap";
    int hops = 42, count = 4, opt;

    while ((opt = getopt(argc, argv, "o:t:c:")) != -1) {
        switch (opt) {
        case 'o': pcap = optarg; break;
        case 't': hops = atoi(optarg); break;
        case 'c': count = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: %s [-o capture.pcap] [-t hop-limit] [-c count]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Raw sockets need privilege, as ip6(4) says; the demo grants it. */
    six_set_creds(&(struct six_creds){.uid = 0, .gid = 0, .privileged = 1});
    make_host(&alice, "alice", "2001:db8::a");
    make_host(&bob, "bob", "2001:db8::b");
    if (six_memwire_pair(alice.st, "wire0", bob.st, "wire0", NULL, &alice.ifindex,
                         &bob.ifindex) < 0)
        err(1, "six_memwire_pair");
    if (six_if_capture(alice.st, alice.ifindex, pcap) < 0)
        err(1, "capture to %s", pcap);
    add_address(&alice);
    add_address(&bob);
    printf("alice 2001:db8::a/64 <-- in-memory link --> bob 2001:db8::b/64\n\n");

    demo_hop_limit(&alice, &bob, hops);
    demo_ping(&alice, &bob, count);
    demo_error(&alice, &bob);
    demo_udp(&alice, &bob, count);

    printf("\n== 5. statistics\n-- alice\n");
    six_stats_print(alice.st, stdout);
    printf("-- bob\n");
    six_stats_print(bob.st, stdout);
    six_if_capture(alice.st, alice.ifindex, NULL);
    six_stack_free(alice.st);
    six_stack_free(bob.st);
    printf("\ncapture of the link: %s\n", pcap);
    return 0;
}
