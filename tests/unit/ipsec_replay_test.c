/* The anti-replay window and ESN inference (RFC 4303 3.4.3, A2). */
#include "ipsec/ipsec.h"
#include "test.h"

static void take(struct six_replay *r, uint64_t seq) {
    CHECK_EQ(six__replay_check(r, seq), 0);
    six__replay_update(r, seq);
}

TEST(replay_window_rejects_duplicates_and_old) {
    struct six_replay r = {.window = 64};

    CHECK_EQ(six__replay_check(&r, 0), -1);   /* never sent */
    take(&r, 1);
    take(&r, 3);
    CHECK_EQ(six__replay_check(&r, 1), -1);
    CHECK_EQ(six__replay_check(&r, 3), -1);
    take(&r, 2);                             /* late, inside the window */
    take(&r, 100);
    CHECK_EQ(six__replay_check(&r, 36), -1);   /* left of the window: 100 - 64 */
    take(&r, 37);                            /* the window's last place */
    CHECK_EQ(six__replay_check(&r, 37), -1);
}

TEST(replay_window_large_shifts_keep_bits) {
    struct six_replay r = {.window = 1024};

    take(&r, 5);
    take(&r, 5 + 130);     /* a shift across words */
    CHECK_EQ(six__replay_check(&r, 5), -1);
    take(&r, 6);
    take(&r, 5 + 1023);    /* 5 is now the window's last place */
    CHECK_EQ(six__replay_check(&r, 5), -1);
    CHECK_EQ(six__replay_check(&r, 4), -1);
    CHECK_EQ(six__replay_check(&r, 7), 0);
    take(&r, 5 + 5000);    /* far ahead: the whole window is new */
    CHECK_EQ(six__replay_check(&r, 5 + 5000 - 1), 0);
}

TEST(replay_window_off_accepts_repeats) {
    struct six_replay r = {.window = 0};
    take(&r, 7);
    take(&r, 7);
    take(&r, 1);
}

TEST(esn_inference_across_the_32_bit_boundary) {
    struct six_replay r = {.window = 128, .esn = 1};

    take(&r, 0xfffffff0u);
    /* A low half that wrapped is in the next subspace (case A). */
    CHECK_EQ(six__replay_infer(&r, 5), 0x100000005ull);
    take(&r, six__replay_infer(&r, 5));
    CHECK_EQ(r.top, 0x100000005ull);
    /* Now the window straddles: a low half near the top of the old
     * subspace is still the old one (case B); a replay of it is caught. */
    CHECK_EQ(six__replay_infer(&r, 0xfffffff0u), 0xfffffff0ull);
    CHECK_EQ(six__replay_check(&r, six__replay_infer(&r, 0xfffffff0u)), -1);
    CHECK_EQ(six__replay_check(&r, six__replay_infer(&r, 0xfffffff1u)), 0);
    /* Without ESN the low half is the number. */
    struct six_replay plain = {.window = 128};
    CHECK_EQ(six__replay_infer(&plain, 5), 5);
}
