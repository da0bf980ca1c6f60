/* Raw IPv6 socket send + receive through the stack over loopback, against
 * the Linux kernel doing the same over its own ::1 in the same run.
 *
 * Each iteration sends one datagram of the given size on a raw socket of
 * protocol 253 to ::1 and receives it on another, through the whole socket
 * API (sendto, recvfrom). Figures: packets per second (median of 5 runs)
 * and the ratio sixstack / kernel. The kernel needs root (raw sockets);
 * without it its figure is skipped and said so.
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

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
    t0 = now_s();
    for (long i = 0; i < iters; i++) {
        if (api->sendto(tx, out, size, 0, (struct sockaddr *)&lo, sizeof(lo)) != (ssize_t)size ||
            api->recvfrom(rx, in, sizeof(in), 0, NULL, NULL) != (ssize_t)size) {
            perror(api->name);
            exit(1);
        }
    }
    t1 = now_s();
    api->close(tx);
    api->close(rx);
    return (double)iters / (t1 - t0);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_run(const struct api *api, size_t size, long iters) {
    double v[RUNS];
    for (int i = 0; i < RUNS; i++)
        if ((v[i] = run(api, size, iters)) < 0)
            return v[i];
    qsort(v, RUNS, sizeof(v[0]), cmp_double);
    return v[RUNS / 2];
}

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 200000;
    size_t sizes[] = {64, 1400};

    six_set_creds(&(struct six_creds){.uid = 0, .gid = 0, .privileged = 1});
    if (!(bench_stack = six_stack_new(NULL))) {
        perror("six_stack_new");
        return 1;
    }
    printf("raw IPv6 send+receive over loopback, %ld packets a run, median of %d runs\n",
           iters, RUNS);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        double six = median_run(&sixstack_api, sizes[i], iters);
        double kern = median_run(&kernel_api, sizes[i], iters / 4);

        printf("raw %5zu B: sixstack %10.0f pkt/s (%6.0f ns/pkt)", sizes[i], six, 1e9 / six);
        if (kern > 0)
            printf("  kernel %9.0f pkt/s  ratio %.2fx\n", kern, six / kern);
        else
            printf("  kernel: skipped (%s)\n", strerror((int)-kern));
    }
    six_stack_free(bench_stack);
    return 0;
}
