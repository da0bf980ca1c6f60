/* What the benchmarks share: a clock, medians, and the line that reports a
 * figure against its target (issue 7). Targets are reported, never
 * enforced: benchmarks do not fail on figures. bench/run.sh collects the
 * lines starting with "target", "memory" and "code" into the summary. */
#ifndef SIX_BENCH_H
#define SIX_BENCH_H

#include <stdio.h>
#include <stdlib.h>
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

#endif
