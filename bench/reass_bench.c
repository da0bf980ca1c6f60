/* Reassembly: throughput, and the cost of one fragment against how many
 * datagrams are waiting.
 *
 * Fragments are injected into a stack's link interface (six_if_inject,
 * which copies each frame into a packet buffer as a NIC driver would) as
 * if they had crossed a path of MTU 1280: 1232 bytes of data each. Their
 * Fragment header names No Next Header, so a reassembled datagram ends
 * right after reassembly and the figures are the input path's, not a
 * socket's.
 *
 *  1. Throughput for datagrams of 1500 bytes (1460 of payload: 2
 *     fragments) and 64 KiB (65535 of payload: 54 fragments): datagrams/s
 *     and payload bytes/s, with memcpy of the same payload, buffer to
 *     buffer, as the reference ratio (reassembly copies every byte twice:
 *     frame into buffer, buffer into the datagram).
 *  2. Nanoseconds per fragment while 1, 1,000 and 100,000 incomplete
 *     datagrams wait in the table: two-fragment datagrams are completed
 *     among them. The lookup is a keyed hash, so the figure should stay
 *     flat; what grows is cache misses in a larger table. An atomic
 *     fragment (no reassembly at all) is the floor.
 *
 * Medians of 3 runs. A manual clock stands still, so nothing times out.
 *
 *     reass_bench [scale]     (scale < 1 for a quick run, e.g. 0.1)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sixstack/sixstack.h>

#include "bench.h"

#define RUNS 3
#define PER_FRAG 1232   /* 1280 - 40 (IPv6) - 8 (Fragment) */
#define NO_NEXT 59

static struct six_stack *st, *peer;
static unsigned ifx;
static struct in6_addr src, dst;

struct frame {
    uint8_t b[40 + 8 + PER_FRAG];
    size_t len;
};

static void fail(const char *what) {
    fprintf(stderr, "reass_bench: %s\n", what);
    exit(1);
}

static void setup(unsigned in_flight) {
    struct six_stack_config cfg;

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 42;
    cfg.pkt_small_max = in_flight + 4096;
    cfg.pkt_large_max = 64;
    cfg.reass_max_datagrams = in_flight + 1024;
    cfg.reass_max_per_source = 0;
    cfg.reass_max_frags = 64;
    cfg.reass_max_bytes = (size_t)(in_flight + 4096) * 4096;
    if (!(st = six_stack_new(&cfg)) || !(peer = six_stack_new(&cfg)))
        fail("six_stack_new");
    if (six_memwire_pair(st, "b0", peer, "a0", NULL, &ifx, &(unsigned){0}) < 0)
        fail("six_memwire_pair");
    if (six_addr_add(st, ifx, &dst, 64, 0) < 0)
        fail("six_addr_add");
}

/* Lets whatever still waits time out, then checks every buffer is back. */
static void teardown(void) {
    six_stack_poll(st, six_stack_now(st) + 61 * 1000000ull);
    six_stack_poll(peer, six_stack_now(peer) + 61 * 1000000ull);
    if (six_stack_pkts_in_use(st) != 0)
        fail("packet buffers left out");
    six_stack_free(st);
    six_stack_free(peer);
}

/* The fragment holding payload bytes off..off+len of a datagram. */
static void make(struct frame *f, size_t off, size_t len, int more, const uint8_t *payload) {
    memset(f->b, 0, 48);
    f->b[0] = 0x60;
    f->b[4] = (uint8_t)((8 + len) >> 8);
    f->b[5] = (uint8_t)(8 + len);
    f->b[6] = 44;
    f->b[7] = 64;
    memcpy(f->b + 8, &src, 16);
    memcpy(f->b + 24, &dst, 16);
    f->b[40] = NO_NEXT;
    f->b[42] = (uint8_t)(off >> 8);
    f->b[43] = (uint8_t)((off & 0xf8) | (more ? 1 : 0));
    memcpy(f->b + 48, payload + off, len);
    f->len = 48 + len;
}

static void set_ident(struct frame *f, uint32_t ident) {
    f->b[44] = (uint8_t)(ident >> 24);
    f->b[45] = (uint8_t)(ident >> 16);
    f->b[46] = (uint8_t)(ident >> 8);
    f->b[47] = (uint8_t)ident;
}

static void inject(const struct frame *f) {
    if (six_if_inject(st, ifx, f->b, f->len) < 0)
        fail("six_if_inject");
}

static uint64_t reassembled(void) {
    struct six_stats s;
    six_stack_stats(st, &s);
    return s.reass_ok;
}

/* ---- 1. throughput ---- */

static struct frame frames[64];
static uint8_t payload[65536], sink[65536];

/* Datagrams per second reassembling n of the given payload size. */
static double reass_rate(size_t size, long n) {
    size_t nf = 0;
    double t0, t1;

    for (size_t off = 0; off < size; off += PER_FRAG, nf++) {
        size_t len = size - off < PER_FRAG ? size - off : PER_FRAG;
        make(&frames[nf], off, len, off + len < size, payload);
    }
    setup(0);
    t0 = bench_now_s();
    for (long i = 0; i < n; i++)
        for (size_t k = 0; k < nf; k++) {
            set_ident(&frames[k], (uint32_t)i);
            inject(&frames[k]);
        }
    t1 = bench_now_s();
    if (reassembled() != (uint64_t)n) {
        six_stats_print(st, stderr);
        fail("not every datagram was reassembled");
    }
    teardown();
    return (double)n / (t1 - t0);
}

/* The same payload through memcpy, as copies per second. */
static double memcpy_rate(size_t size, long n) {
    double t0 = bench_now_s();
    for (long i = 0; i < n; i++) {
        payload[0] = (uint8_t)i;
        memcpy(sink, payload, size);
        __asm__ volatile("" : : "r"(sink) : "memory");
    }
    return (double)n / (bench_now_s() - t0);
}

static void throughput(const char *name, size_t size, long n) {
    double r[RUNS], m[RUNS];
    for (int i = 0; i < RUNS; i++) {
        r[i] = reass_rate(size, n);
        m[i] = memcpy_rate(size, n * 20);
    }
    double dps = bench_median(r, RUNS), mps = bench_median(m, RUNS);
    printf("%-8s %5zu B payload: %9.0f datagrams/s %7.2f Gbit/s   memcpy %7.2f Gbit/s   "
           "ratio %.3f\n",
           name, size, dps, dps * (double)size * 8 / 1e9, mps * (double)size * 8 / 1e9,
           dps / mps);
}

/* ---- 2. per-fragment cost against datagrams in flight ---- */

/* Nanoseconds per fragment completing n two-fragment datagrams while
 * in_flight others wait; atomic: one atomic fragment per datagram. */
static double per_fragment(unsigned in_flight, long n, int atomic) {
    struct frame first, last, whole;
    double t0, t1;

    make(&first, 0, 8, 1, payload);
    make(&last, 8, 8, 0, payload);
    make(&whole, 0, 16, 0, payload);
    setup(in_flight);
    /* The waiting ones: a first fragment each, never completed. */
    for (unsigned i = 0; i < in_flight; i++) {
        set_ident(&first, 0x80000000u | i);
        inject(&first);
    }
    t0 = bench_now_s();
    for (long i = 0; i < n; i++) {
        if (atomic) {
            inject(&whole);
            continue;
        }
        set_ident(&first, (uint32_t)i);
        set_ident(&last, (uint32_t)i);
        inject(&first);
        inject(&last);
    }
    t1 = bench_now_s();
    if (!atomic && reassembled() != (uint64_t)n)
        fail("not every datagram was reassembled");
    teardown();
    return (t1 - t0) * 1e9 / (double)(atomic ? n : 2 * n);
}

static void in_flight_row(unsigned in_flight, long n) {
    double v[RUNS];
    for (int i = 0; i < RUNS; i++)
        v[i] = per_fragment(in_flight, n, 0);
    printf("%7u datagrams waiting: %6.0f ns per fragment\n", in_flight, bench_median(v, RUNS));
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    /* reass_bench SCALE N: only the per-fragment figure with N waiting
     * (for profiling). */
    long only = argc > 2 ? atol(argv[2]) : -1;
    long big = (long)(3000 * scale), small = (long)(200000 * scale);
    double v[RUNS];

    if (big < 1 || small < 1)
        fail("scale too small");
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)(i * 31 + 7);
    inet_pton(AF_INET6, "2001:db8::1", &src);
    inet_pton(AF_INET6, "2001:db8::2", &dst);
    if (only >= 0) {
        in_flight_row((unsigned)only, small);
        return 0;
    }
    printf("reassembly, fragments of %d bytes (MTU 1280) injected into a link, "
           "median of %d runs\n", PER_FRAG, RUNS);
    fflush(stdout);
    throughput("1500 B", 1460, small);
    throughput("64 KiB", 65535, big);
    for (int i = 0; i < RUNS; i++)
        v[i] = per_fragment(0, small, 1);
    printf("atomic fragment, no reassembly: %6.0f ns per fragment\n", bench_median(v, RUNS));
    in_flight_row(1, small);
    in_flight_row(1000, small);
    in_flight_row(100000, small);
    return 0;
}
