/* The anti-replay window of RFC 4303 3.4.3 with extended sequence numbers
 * (appendix A2): a bitmap of the last `window` sequence numbers below and
 * at the highest one accepted.
 *
 * The check comes before the ICV is verified (cheap rejection), the
 * update after (RFC 4303 3.4.3: only authenticated packets move the
 * window).
 */
#include <string.h>

#include "ipsec/ipsec.h"

/* Seq numbers inferred for ESN use at least this window (RFC 4303 A2.2
 * needs one; an SA with anti-replay off still has to guess the high
 * half). */
#define ESN_MIN_WINDOW 64u

uint64_t six__replay_infer(const struct six_replay *r, uint32_t seq_lo) {
    uint32_t w = r->window > ESN_MIN_WINDOW ? r->window : ESN_MIN_WINDOW;
    uint32_t top_lo = (uint32_t)r->top, top_hi = (uint32_t)(r->top >> 32);
    uint32_t bottom = top_lo - w + 1;   /* modulo 2^32 */
    uint32_t hi = top_hi;

    if (!r->esn)
        return seq_lo;
    if (top_lo >= w - 1) {
        /* Case A: the window lies within one subspace; a low half below
         * it belongs to the next one. */
        if (seq_lo < bottom)
            hi++;
    } else if (seq_lo >= bottom && top_hi > 0) {
        /* Case B: the window straddles two subspaces; a low half at or
         * above its bottom is still in the previous one. */
        hi--;
    }
    return (uint64_t)hi << 32 | seq_lo;
}

static int bit_get(const struct six_replay *r, uint64_t i) {
    return (int)(r->bits[i / 64] >> (i % 64) & 1);
}

int six__replay_check(const struct six_replay *r, uint64_t seq) {
    /* The first packet is 1 (RFC 4303 3.3.3): 0 never comes. */
    if (seq == 0)
        return -1;
    if (!r->window || seq > r->top)
        return 0;
    if (r->top - seq >= r->window)
        return -1;   /* left of the window */
    return bit_get(r, r->top - seq) ? -1 : 0;
}

/* Words of the bitmap the window uses (the rest are never read): a
 * 64-packet window shifts one word per packet, not the 16 of the largest. */
static unsigned words_used(const struct six_replay *r) {
    return r->window ? (r->window + 63) / 64 : 1;
}

/* Shifts the bitmap by n places (towards older). */
static void shift(struct six_replay *r, uint64_t n) {
    unsigned used = words_used(r);

    if (n >= 64u * used) {
        memset(r->bits, 0, used * sizeof(r->bits[0]));
        return;
    }
    unsigned words = (unsigned)(n / 64), bits = (unsigned)(n % 64);
    for (int i = (int)used - 1; i >= 0; i--) {
        uint64_t v = i >= (int)words ? r->bits[i - words] << bits : 0;
        if (bits && i > (int)words)
            v |= r->bits[i - words - 1] >> (64 - bits);
        r->bits[i] = v;
    }
}

void six__replay_update(struct six_replay *r, uint64_t seq) {
    if (seq > r->top) {
        shift(r, seq - r->top);
        r->top = seq;
        r->bits[0] |= 1;
    } else if (r->top - seq < 64u * words_used(r)) {
        uint64_t i = r->top - seq;
        r->bits[i / 64] |= (uint64_t)1 << (i % 64);
    }
}
