/* Checksum throughput against memcpy of the same bytes.
 *
 * For each size the benchmark times six_cksum_add (the run-time chosen fast
 * path), memcpy of the same bytes into a second buffer, and the byte-pair
 * reference six_cksum_add_ref. Each figure is the median of RUNS timed runs
 * of a loop sized (by a calibration run) to last about RUN_NS, so that one
 * preempted run does not skew the result. memcpy is the yardstick because
 * it is the cheapest thing a stack could do with every byte of a packet; the
 * project's target is a checksum/memcpy ratio of at least 0.6 at 1500 bytes.
 * Buffers are small enough to stay in cache: this measures the code, not
 * the memory system. The whole run takes about 1.5 seconds.
 */
#include "wire/cksum.h"

#include "bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 7
#define RUN_NS 14000000.0
#define MAX_SIZE 65535

/* Results land here so that the compiler must compute every checksum. */
static volatile uint64_t sink;

enum kind { KIND_CKSUM, KIND_MEMCPY, KIND_REF };

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Runs iters repetitions of one kind of work over size bytes and returns the
 * elapsed nanoseconds. */
static double run_once(enum kind kind, const uint8_t *src, uint8_t *dst, size_t size,
                       long iters) {
    double t0 = now_ns();
    uint64_t acc = 0;
    switch (kind) {
    case KIND_CKSUM:
        for (long i = 0; i < iters; i++) {
            /* The empty asm makes the source look changed on every
             * iteration, so the call cannot be hoisted out of the loop. */
            __asm__ volatile("" : : "r"(src) : "memory");
            acc += six_cksum_add(0, src, size);
        }
        break;
    case KIND_MEMCPY:
        for (long i = 0; i < iters; i++) {
            memcpy(dst, src, size);
            /* The "memory" clobber says the copy may be read, so it cannot
             * be dropped or merged with the next one. */
            __asm__ volatile("" : : "r"(dst) : "memory");
        }
        acc = dst[size / 2];
        break;
    case KIND_REF:
        for (long i = 0; i < iters; i++) {
            __asm__ volatile("" : : "r"(src) : "memory");
            acc += six_cksum_add_ref(0, src, size);
        }
        break;
    }
    double t = now_ns() - t0;
    sink = acc;
    return t;
}

/* The median throughput of RUNS runs, in GB/s (10^9 bytes per second). */
static double measure(enum kind kind, const uint8_t *src, uint8_t *dst, size_t size) {
    /* Calibrate: grow the loop until it lasts long enough to time, then
     * scale it to RUN_NS. This also warms the caches and the predictor. */
    long iters = 16;
    double t;
    while ((t = run_once(kind, src, dst, size, iters)) < 1e6)
        iters *= 2;
    iters = (long)((double)iters * RUN_NS / t);
    if (iters < 1)
        iters = 1;
    double gbps[RUNS];
    for (int r = 0; r < RUNS; r++) {
        t = run_once(kind, src, dst, size, iters);
        gbps[r] = (double)size * (double)iters / t;
    }
    return bench_median(gbps, RUNS);
}

int main(void) {
    static const size_t sizes[] = {64, 576, 1500, 9000, 65535};
    /* 64-byte alignment, as packet buffers would have; a distinct
     * destination so memcpy really moves the bytes. */
    uint8_t *src = aligned_alloc(64, MAX_SIZE + 64);
    uint8_t *dst = aligned_alloc(64, MAX_SIZE + 64);
    if (!src || !dst) {
        fprintf(stderr, "cksum_bench: out of memory\n");
        return 1;
    }
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < MAX_SIZE + 64; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        src[i] = (uint8_t)x;
    }
    memset(dst, 0, MAX_SIZE + 64);
    double ratio1500 = -1;

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        double ck = measure(KIND_CKSUM, src, dst, n);
        double mc = measure(KIND_MEMCPY, src, dst, n);
        double ref = measure(KIND_REF, src, dst, n);
        printf("cksum %zuB: %.1f GB/s  memcpy: %.1f GB/s  ratio %.2f  (ref %.1f GB/s)\n", n, ck,
               mc, ck / mc, ref);
        if (n == 1500)
            ratio1500 = ck / mc;
    }
    bench_target("cksum 1500 B vs memcpy", ratio1500, 1, 0.6, NULL);
    free(src);
    free(dst);
    return 0;
}
