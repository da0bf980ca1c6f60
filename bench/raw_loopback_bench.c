/* Raw IPv6 socket send + receive through the stack over loopback, against
 * the Linux kernel doing the same over its own ::1 and lwIP 2.1.3 over its
 * loopback netif, in the same run.
 *
 * Each iteration sends one datagram of the given size on a raw socket of
 * protocol 253 to ::1 and receives it on another, through the whole socket
 * API (sendto, recvfrom). lwIP's figure is its raw PCB through its callback
 * API, no sockets (lwip_ref.c). Figures: packets per second (median of 5
 * runs, the three interleaved so that noise hits them alike) and the ratios
 * sixstack / kernel and sixstack / lwIP, against the targets (20x the
 * kernel, 2x lwIP), reported, not enforced. The kernel needs root (raw
 * sockets); without it its figure is skipped and said so.
 *
 *     raw_loopback_bench [iterations]
 */
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

#define PROTO 253
#define RUNS 5

struct api {
    const char *name;
    int (*socket)(int, int, int);
    int (*bind)(int, const struct sockaddr *, socklen_t);
    ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
    int (*close)(int);
};

static struct six_stack *bench_stack;

static int six_socket_bench(int d, int t, int p) { return six_socket_on(bench_stack, d, t, p); }

static const struct api sixstack_api = {"sixstack", six_socket_bench, six_bind, six_sendto,
                                        six_recvfrom, six_close};
static const struct api kernel_api = {"kernel", socket, bind, sendto, recvfrom, close};

/* Packets per second for one run, or -errno when sockets cannot be had. */
static double run(const struct api *api, size_t size, long iters) {
    struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    static unsigned char out[65536], in[65536];
    int tx, rx;
    double t0, t1;

    rx = api->socket(AF_INET6, SOCK_RAW, PROTO);
    tx = api->socket(AF_INET6, SOCK_RAW, PROTO);
    if (rx < 0 || tx < 0)
        return -errno;
    api->bind(rx, (struct sockaddr *)&lo, sizeof(lo));
    memset(out, 0xa5, size);
    t0 = bench_now_s();
    for (long i = 0; i < iters; i++) {
        if (api->sendto(tx, out, size, 0, (struct sockaddr *)&lo, sizeof(lo)) != (ssize_t)size ||
            api->recvfrom(rx, in, sizeof(in), 0, NULL, NULL) != (ssize_t)size) {
            perror(api->name);
            exit(1);
        }
    }
    t1 = bench_now_s();
    api->close(tx);
    api->close(rx);
    return (double)iters / (t1 - t0);
}

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 200000;
    size_t sizes[] = {64, 1400};

    six_set_creds(&(struct six_creds){.uid = 0, .gid = 0, .privileged = 1});
    if (!(bench_stack = six_stack_new(NULL))) {
        perror("six_stack_new");
        return 1;
    }
    const char *lwip_why = lwip_ref_init() == 0 ? NULL
                           : lwip_ref_missing()  ? lwip_ref_missing()
                                                 : "lwIP failed to start";
    printf("raw IPv6 send+receive over loopback, %ld packets a run (kernel %ld), "
           "median of %d runs\n", iters, iters / 4, RUNS);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        double six[RUNS], kern[RUNS], lw[RUNS];
        for (int r = 0; r < RUNS; r++) {
            six[r] = run(&sixstack_api, sizes[i], iters);
            /* Once unavailable, the kernel's figure stays -errno. */
            kern[r] = r > 0 && kern[0] < 0 ? kern[0] : run(&kernel_api, sizes[i], iters / 4);
            lw[r] = lwip_why ? -1 : lwip_ref_raw_pps(sizes[i], iters);
        }
        double s = bench_median(six, RUNS);
        double k = kern[0] < 0 ? kern[0] : bench_median(kern, RUNS);
        double l = -1;
        if (!lwip_why && (l = bench_median(lw, RUNS), lw[0] < 0)) {   /* sorted: any failure */
            l = -1;
            lwip_why = "lwIP run failed";
        }
        bench_report_sendrecv("raw", "raw", sizes[i], s, k, l, lwip_why);
    }
    six_stack_free(bench_stack);
    return 0;
}
