/* What the benchmarks share: a clock, medians, and the line that reports a
 * figure against its target. Targets are reported, never
 * enforced: benchmarks do not fail on figures. bench/run.sh collects the
 * lines starting with "target", "memory" and "code" into the summary. */
#ifndef SIX_BENCH_H
#define SIX_BENCH_H

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n values (sorts them). */
static inline double bench_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof(v[0]), bench_cmp_double);
    return v[n / 2];
}

/* The g-th of the benchmarks' multicast groups: ff1e::g. */
static inline struct in6_addr bench_group(uint32_t g) {
    struct in6_addr a = {.s6_addr = {0xff, 0x1e}};
    a.s6_addr[12] = (uint8_t)(g >> 24);
    a.s6_addr[13] = (uint8_t)(g >> 16);
    a.s6_addr[14] = (uint8_t)(g >> 8);
    a.s6_addr[15] = (uint8_t)g;
    return a;
}

/* One summary line: what, the measured ratio, and PASS or MISS against
 * need (at least need when at_least, else at most). A ratio that could not
 * be measured (<= 0) is "skipped" with the reason. */
static inline void bench_target(const char *what, double ratio, int at_least, double need,
                                const char *why_skipped) {
    if (ratio <= 0) {
        printf("target %-40s %8s  need %s %5.2fx  skipped (%s)\n", what, "-",
               at_least ? ">=" : "<=", need, why_skipped ? why_skipped : "not measured");
        return;
    }
    int pass = at_least ? ratio >= need : ratio <= need;
    printf("target %-40s %7.2fx  need %s %5.2fx  %s\n", what, ratio, at_least ? ">=" : "<=", need,
           pass ? "PASS" : "MISS");
}

/* One send+receive line (label, e.g. "raw" or "udp loopback") beside the
 * kernel's (k, or -errno) and lwIP's (l, or -1 with lwip_why), then its two
 * targets, named "<name> send+recv <size> B vs ...". */
static inline void bench_report_sendrecv(const char *label, const char *name, size_t size,
                                         double s, double k, double l, const char *lwip_why) {
    char what[64];

    printf("%s %4zu B: sixstack %8.0f pkt/s (%3.0f ns)", label, size, s, 1e9 / s);
    if (k > 0)
        printf("  kernel %7.0f", k);
    else
        printf("  kernel: skipped (%s)", strerror((int)-k));
    if (l > 0)
        printf("  lwIP %8.0f", l);
    else
        printf("  lwIP: skipped (%s)", lwip_why);
    if (k > 0)
        printf("  %5.2fx kernel", s / k);
    if (l > 0)
        printf("  %4.2fx lwIP", s / l);
    printf("\n");
    snprintf(what, sizeof(what), "%s send+recv %4zu B vs lwIP", name, size);
    bench_target(what, l > 0 ? s / l : -1, 1, 2.0, lwip_why);
    snprintf(what, sizeof(what), "%s send+recv %4zu B vs kernel", name, size);
    bench_target(what, k > 0 ? s / k : -1, 1, 20.0, k < 0 ? strerror((int)-k) : NULL);
}

#endif
