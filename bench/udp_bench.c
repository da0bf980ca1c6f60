/* UDP figures:
 *
 *  1. send+receive over loopback through the whole socket API (sendto,
 *     recvfrom on ::1), sixstack against the Linux kernel's UDP sockets and
 *     lwIP 2.1.3's UDP PCBs (its callback API, no sockets: lwip_ref.c) in
 *     the same run, 64 and 1400 byte payloads; targets 20x the kernel and
 *     2x lwIP;
 *  2. the input path alone: a datagram (64 and 1400 B of payload)
 *     injected into an interface (six_if_inject: copy in, IPv6 input, UDP
 *     demux, queue) and read with recv, with 1, 100 and 10,000 bound
 *     sockets: the cost per packet must not grow with the count;
 *  3. the same for multicast with 1, 100 and 10,000 groups joined (20 per
 *     socket, the BSD limit, each socket on a port of its own).
 *
 * The three counts of 2 (and of 3) live side by side and their runs are
 * interleaved, so that other processes' noise hits them alike; timing
 * starts once the joins' MLD reports are all sent (settle).
 *
 * Targets are reported as PASS or MISS, never enforced; the input
 * cost must stay within 10% from 1 to 10,000 sockets or groups.
 *
 * Medians of 5 runs.   udp_bench [iterations]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "bench.h"
#include "lwip_ref.h"

#define RUNS 5
#define BASE_PORT 20000
#define TARGETS 256

/* ---- 1. loopback send+receive ---- */

struct api {
    int (*socket)(int, int, int);
    int (*bind)(int, const struct sockaddr *, socklen_t);
    ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    ssize_t (*recv)(int, void *, size_t, int);
    int (*close)(int);
};

static struct six_stack *loop_stack;
static int six_socket_loop(int d, int t, int p) { return six_socket_on(loop_stack, d, t, p); }
static const struct api six_api = {six_socket_loop, six_bind, six_sendto, six_recv, six_close};
static const struct api kernel_api = {socket, bind, sendto, recv, close};

/* Packets per second, or -errno. */
static double loopback_run(const struct api *api, size_t size, long iters) {
    struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
                              .sin6_port = htons(BASE_PORT - 1)};
    static unsigned char out[2048], in[2048];
    int tx = api->socket(AF_INET6, SOCK_DGRAM, 0), rx = api->socket(AF_INET6, SOCK_DGRAM, 0);
    double t0;

    if (tx < 0 || rx < 0 || api->bind(rx, (struct sockaddr *)&to, sizeof(to)) < 0)
        return -errno;
    memset(out, 0x5a, size);
    t0 = bench_now_s();
    for (long i = 0; i < iters; i++) {
        if (api->sendto(tx, out, size, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)size ||
            api->recv(rx, in, sizeof(in), 0) != (ssize_t)size) {
            perror("udp loopback");
            exit(1);
        }
    }
    double t = bench_now_s() - t0;
    api->close(tx);
    api->close(rx);
    return (double)iters / t;
}

static void loopback_figures(long iters) {
    size_t sizes[] = {64, 1400};
    const char *lwip_why = lwip_ref_init() == 0 ? NULL
                           : lwip_ref_missing()  ? lwip_ref_missing()
                                                 : "lwIP failed to start";

    for (size_t i = 0; i < 2; i++) {
        double six[RUNS], kern[RUNS], lw[RUNS];
        for (int r = 0; r < RUNS; r++) {
            six[r] = loopback_run(&six_api, sizes[i], iters);
            kern[r] = loopback_run(&kernel_api, sizes[i], iters / 4);
            lw[r] = lwip_why ? -1 : lwip_ref_udp_pps(sizes[i], iters);
        }
        double s = bench_median(six, RUNS), k = bench_median(kern, RUNS), l = -1;
        if (!lwip_why && (l = bench_median(lw, RUNS), lw[0] < 0)) {   /* sorted: any failure */
            l = -1;
            lwip_why = "lwIP run failed";
        }
        bench_report_sendrecv("udp loopback", "udp", sizes[i], s, k, l, lwip_why);
    }
}

/* ---- 2 and 3. the input path ---- */

struct rx_host {
    struct six_stack *st, *peer;
    unsigned ifx;
    struct in6_addr src, dst;
    int *fds;
    int nfds;
};

static void host_up(struct rx_host *h, int max_sockets) {
    struct six_stack_config cfg;
    unsigned ifp;

    six_stack_config_init(&cfg);
    cfg.max_sockets = (unsigned)max_sockets + 8;
    h->st = six_stack_new(&cfg);
    h->peer = six_stack_new(NULL);
    if (!h->st || !h->peer || six_memwire_pair(h->st, "in0", h->peer, "p0", NULL, &h->ifx, &ifp) < 0) {
        perror("bench stacks");
        exit(1);
    }
    inet_pton(AF_INET6, "2001:db8::1", &h->src);
    inet_pton(AF_INET6, "2001:db8::2", &h->dst);
    six_addr_add(h->st, h->ifx, &h->dst, 64, 0);
    h->fds = calloc((size_t)max_sockets, sizeof(int));
    h->nfds = 0;
}

static void host_down(struct rx_host *h) {
    for (int i = 0; i < h->nfds; i++)
        six_close(h->fds[i]);
    free(h->fds);
    six_stack_free(h->st);
    six_stack_free(h->peer);
}

static int bound_socket(struct rx_host *h, uint16_t port) {
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    int fd = six_socket_on(h->st, AF_INET6, SOCK_DGRAM, 0);
    if (fd < 0 || six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
        perror("bench socket");
        exit(1);
    }
    h->fds[h->nfds++] = fd;
    return fd;
}

static uint16_t sum16(const uint8_t *p, size_t n, uint32_t sum) {
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* An IPv6+UDP frame from src to dst:port with size bytes of payload. */
static size_t build_frame(uint8_t *f, const struct in6_addr *src, const struct in6_addr *dst,
                          uint16_t port, size_t size) {
    size_t ulen = 8 + size;
    uint8_t pseudo[40] = {0};

    memset(f, 0, 48);
    f[0] = 0x60;
    f[4] = (uint8_t)(ulen >> 8);
    f[5] = (uint8_t)ulen;
    f[6] = 17;
    f[7] = 64;
    memcpy(f + 8, src, 16);
    memcpy(f + 24, dst, 16);
    f[40] = 0x30;
    f[41] = 0x39;
    f[42] = (uint8_t)(port >> 8);
    f[43] = (uint8_t)port;
    f[44] = (uint8_t)(ulen >> 8);
    f[45] = (uint8_t)ulen;
    memset(f + 48, 0x77, size);
    memcpy(pseudo, src, 16);
    memcpy(pseudo + 16, dst, 16);
    pseudo[34] = (uint8_t)(ulen >> 8);
    pseudo[35] = (uint8_t)ulen;
    pseudo[39] = 17;
    uint16_t c = (uint16_t)~sum16(f + 40, ulen, sum16(pseudo, 40, 0));
    if (c == 0)
        c = 0xffff;   /* RFC 8200 8.1: zero means none, so send all ones */
    f[46] = (uint8_t)(c >> 8);
    f[47] = (uint8_t)c;
    return 40 + ulen;
}

struct target {
    uint8_t frame[40 + 8 + 1400];
    size_t len;
    int fd;
};

/* The payload of the input figures' datagrams. */
static size_t input_size;

/* ns per packet for inject + recv, rotating over the targets. */
static double input_run(struct rx_host *h, struct target *t, long iters) {
    uint8_t buf[1500];
    double t0 = bench_now_s();

    for (long i = 0; i < iters; i++) {
        struct target *x = &t[i % TARGETS];
        if (six_if_inject(h->st, h->ifx, x->frame, x->len) < 0 ||
            six_recv(x->fd, buf, sizeof(buf), MSG_DONTWAIT) != (ssize_t)x->len - 48) {
            perror("input path");
            exit(1);
        }
    }
    return (bench_now_s() - t0) * 1e9 / (double)iters;
}

/* One receiving host of the input figures with its targets. The three
 * counts of a figure are set up together and their runs interleaved, so
 * that a burst of noise from other processes hits them alike. */
struct input_case {
    struct rx_host h;
    struct target t[TARGETS];
};

static void unicast_setup(struct input_case *c, int nsock) {
    host_up(&c->h, nsock);
    for (int i = 0; i < nsock; i++)
        bound_socket(&c->h, (uint16_t)(BASE_PORT + i));
    for (int k = 0; k < TARGETS; k++) {
        int i = (int)(((long)k * 7919) % nsock);   /* spread over the table */
        c->t[k].fd = c->h.fds[i];
        c->t[k].len =
            build_frame(c->t[k].frame, &c->h.src, &c->h.dst, (uint16_t)(BASE_PORT + i), input_size);
    }
}

#define GROUPS_PER_SOCKET 20

static void multicast_setup(struct input_case *c, int ngroups) {
    int nsock = (ngroups + GROUPS_PER_SOCKET - 1) / GROUPS_PER_SOCKET;

    host_up(&c->h, nsock);
    for (int i = 0; i < nsock; i++)
        bound_socket(&c->h, (uint16_t)(BASE_PORT + i));
    for (int g = 0; g < ngroups; g++) {
        struct ipv6_mreq mr = {.ipv6mr_multiaddr = bench_group(g), .ipv6mr_interface = c->h.ifx};
        if (six_setsockopt(c->h.fds[g / GROUPS_PER_SOCKET], IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
                           sizeof(mr)) < 0) {
            perror("join");
            exit(1);
        }
    }
    for (int k = 0; k < TARGETS; k++) {
        int g = (int)(((long)k * 7919) % ngroups);
        struct in6_addr ga = bench_group(g);
        c->t[k].fd = c->h.fds[g / GROUPS_PER_SOCKET];
        c->t[k].len = build_frame(c->t[k].frame, &c->h.src, &ga,
                                  (uint16_t)(BASE_PORT + g / GROUPS_PER_SOCKET), input_size);
    }
}

#define NCOUNTS 3
static const int counts[NCOUNTS] = {1, 100, 10000};

/* Lets the stacks finish what their setup started before any timing:
 * every join sends an MLD report and repeats it within the Unsolicited
 * Report Interval (RFC 3810 9.11: 1 s, Robustness 2). Timed at once, the
 * 10,000-group case paid for thousands of those repeats inside its own
 * runs (its stack's timers fire when it is polled), the 1-group case for
 * one: that was not the input path's cost. */
static void settle(struct input_case *c) {
    double t0 = bench_now_s();

    while (bench_now_s() - t0 < 1.2) {
        for (int i = 0; i < NCOUNTS; i++)
            six_stack_poll(c[i].h.st, six_stack_now(c[i].h.st));
        usleep(1000);
    }
}

/* Median ns per packet for each count, runs interleaved across counts. */
static void input_figures(void (*setup)(struct input_case *, int), long iters,
                          double ns[NCOUNTS]) {
    static struct input_case c[NCOUNTS];
    double v[NCOUNTS][RUNS];

    for (int i = 0; i < NCOUNTS; i++)
        setup(&c[i], counts[i]);
    settle(c);
    for (int r = 0; r < RUNS; r++)
        for (int i = 0; i < NCOUNTS; i++)
            v[i][r] = input_run(&c[i].h, c[i].t, iters);
    for (int i = 0; i < NCOUNTS; i++) {
        ns[i] = bench_median(v[i], RUNS);
        host_down(&c[i].h);
    }
}

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 200000;

    six_set_creds(&(struct six_creds){.uid = 0, .gid = 0, .privileged = 1});
    if (!(loop_stack = six_stack_new(NULL))) {
        perror("six_stack_new");
        return 1;
    }
    printf("UDP, %ld packets a run, median of %d runs\n", iters, RUNS);
    loopback_figures(iters);
    six_stack_free(loop_stack);

    for (size_t s = 0; s < 2; s++) {
        double ns[NCOUNTS];
        char what[64];
        input_size = s ? 1400 : 64;
        input_figures(unicast_setup, iters, ns);
        for (int i = 0; i < NCOUNTS; i++)
            printf("udp input %4zu B, %5d bound sockets: %6.0f ns/pkt  (%.2fx the 1-socket cost)\n",
                   input_size, counts[i], ns[i], ns[i] / ns[0]);
        snprintf(what, sizeof(what), "udp input %4zu B 10000 sockets / 1", input_size);
        bench_target(what, ns[2] / ns[0], 0, 1.10, NULL);
        input_figures(multicast_setup, iters, ns);
        for (int i = 0; i < NCOUNTS; i++)
            printf("udp multicast input %4zu B, %5d groups joined: %6.0f ns/pkt  (%.2fx the 1-group "
                   "cost)\n", input_size, counts[i], ns[i], ns[i] / ns[0]);
        snprintf(what, sizeof(what), "udp input %4zu B 10000 groups / 1", input_size);
        bench_target(what, ns[2] / ns[0], 0, 1.10, NULL);
    }
    return 0;
}
