/* Unit tests for six__ranges_add (src/tcp/sack.c): the sorted, merged
 * sequence ranges behind both the receiver's out-of-order list and the
 * sender's SACK scoreboard, across the sequence-number wrap. */
#include "tcp/tcp.h"
#include "test.h"

static void check_ranges(const struct six_tcp_sack *r, unsigned n, const uint32_t *want, unsigned nwant,
                         int line) {
    if (n != nwant)
        six_test_fail(__FILE__, line, "%u ranges, want %u", n, nwant);
    for (unsigned i = 0; i < n; i++)
        if (r[i].left != want[2 * i] || r[i].right != want[2 * i + 1])
            six_test_fail(__FILE__, line, "range %u is [%u, %u), want [%u, %u)", i, r[i].left,
                          r[i].right, want[2 * i], want[2 * i + 1]);
}
#define RANGES(r, n, ...)                                                                        \
    do {                                                                                         \
        static const uint32_t w_[] = {__VA_ARGS__};                                              \
        check_ranges(r, n, w_, sizeof(w_) / sizeof(w_[0]) / 2, __LINE__);                        \
    } while (0)

TEST(ranges_sorted_and_merged) {
    struct six_tcp_sack r[4];
    uint8_t n = 0;

    CHECK_EQ(six__ranges_add(r, &n, 4, 100, 200, 0), 0);
    CHECK_EQ(six__ranges_add(r, &n, 4, 300, 400, 0), 1);
    CHECK_EQ(six__ranges_add(r, &n, 4, 10, 20, 0), 0);          /* below all: first */
    RANGES(r, n, 10, 20, 100, 200, 300, 400);
    CHECK_EQ(six__ranges_add(r, &n, 4, 200, 250, 0), 1);        /* touches: grows */
    RANGES(r, n, 10, 20, 100, 250, 300, 400);
    CHECK_EQ(six__ranges_add(r, &n, 4, 150, 350, 0), 1);        /* bridges two */
    RANGES(r, n, 10, 20, 100, 400);
    CHECK_EQ(six__ranges_add(r, &n, 4, 0, 1000, 0), 0);         /* covers all */
    RANGES(r, n, 0, 1000);
    CHECK_EQ(six__ranges_add(r, &n, 4, 10, 20, 0), 0);          /* inside: nothing new */
    RANGES(r, n, 0, 1000);
}

TEST(ranges_across_the_wrap) {
    struct six_tcp_sack r[4];
    uint8_t n = 0;

    CHECK_EQ(six__ranges_add(r, &n, 4, 10, 20, 0), 0);
    CHECK_EQ(six__ranges_add(r, &n, 4, 0xfffffff0u, 0xfffffffau, 0), 0);  /* before 10 */
    RANGES(r, n, 0xfffffff0u, 0xfffffffau, 10, 20);
    CHECK_EQ(six__ranges_add(r, &n, 4, 0xfffffffau, 10, 0), 0);           /* joins both */
    RANGES(r, n, 0xfffffff0u, 20);
}

TEST(ranges_full_keeps_or_evicts) {
    struct six_tcp_sack r[3];
    uint8_t n = 0;

    six__ranges_add(r, &n, 3, 100, 110, 0);
    six__ranges_add(r, &n, 3, 200, 210, 0);
    six__ranges_add(r, &n, 3, 300, 310, 0);
    /* Full, without evict: a new range is refused, a merge still works. */
    CHECK_EQ(six__ranges_add(r, &n, 3, 150, 160, 0), -1);
    CHECK_EQ(six__ranges_add(r, &n, 3, 400, 410, 0), -1);
    CHECK_EQ(six__ranges_add(r, &n, 3, 210, 220, 0), 1);
    RANGES(r, n, 100, 110, 200, 220, 300, 310);
    /* With evict: the highest makes room for a lower one, never for a
     * new highest. */
    CHECK_EQ(six__ranges_add(r, &n, 3, 400, 410, 1), -1);
    CHECK_EQ(six__ranges_add(r, &n, 3, 150, 160, 1), 1);
    RANGES(r, n, 100, 110, 150, 160, 200, 220);
}
