/* SACK (RFC 2018) on the sending side: the scoreboard of what the peer
 * holds above snd_una, and RFC 6675's loss recovery over it. Simplified
 * from RFC 6675 where it costs little: every byte below the highest SACKed
 * one that is not SACKed counts as lost once recovery starts (IsLost with
 * DupThresh segments SACKed above it holds for all but the last few). */
#include <string.h>

#include "tcp/tcp.h"

int six__ranges_add(struct six_tcp_sack *r, uint8_t *count, unsigned max, uint32_t left,
                    uint32_t right, int evict) {
    unsigned n = *count, i = 0;

    while (i < n && six_seq_lt(r[i].right, left))
        i++;
    if (i < n && six_seq_le(r[i].left, right)) {
        /* Overlaps or touches r[i], and maybe those after it. */
        if (six_seq_lt(left, r[i].left))
            r[i].left = left;
        if (six_seq_gt(right, r[i].right))
            r[i].right = right;
        while (i + 1 < n && six_seq_le(r[i + 1].left, r[i].right)) {
            if (six_seq_gt(r[i + 1].right, r[i].right))
                r[i].right = r[i + 1].right;
            memmove(&r[i + 1], &r[i + 2], (n - i - 2) * sizeof(*r));
            n--;
        }
        *count = (uint8_t)n;
        return (int)i;
    }
    if (n == max) {
        if (!evict || i == n)
            return -1;
        n--;                      /* the highest range makes room */
    }
    memmove(&r[i + 1], &r[i], (n - i) * sizeof(*r));
    r[i].left = left;
    r[i].right = right;
    *count = (uint8_t)(n + 1);
    return (int)i;
}

void six__sack_update(struct six_tcb *t, const struct six_tcp_opts *opt) {
    for (unsigned i = 0; i < opt->nsack; i++) {
        uint32_t l = opt->sack[i].left, r = opt->sack[i].right;
        /* RFC 2018 / RFC 5961: only blocks inside what was sent. */
        if (!six_seq_lt(l, r) || six_seq_le(r, t->snd_una) || six_seq_gt(r, t->snd_max))
            continue;
        if (six_seq_lt(l, t->snd_una))
            l = t->snd_una;
        /* Full: the highest range goes (the lowest matter most). */
        six__ranges_add(t->sacked, &t->n_sacked, SIX_TCP_SACKED_MAX, l, r, 1);
    }
}

void six__sack_trim(struct six_tcb *t) {
    unsigned k = 0;
    for (unsigned i = 0; i < t->n_sacked; i++) {
        struct six_tcp_sack s = t->sacked[i];
        if (six_seq_le(s.right, t->snd_una))
            continue;
        if (six_seq_lt(s.left, t->snd_una))
            s.left = t->snd_una;
        t->sacked[k++] = s;
    }
    t->n_sacked = (uint8_t)k;
}

uint32_t six__sack_bytes(const struct six_tcb *t) {
    uint32_t n = 0;
    for (unsigned i = 0; i < t->n_sacked; i++)
        n += t->sacked[i].right - t->sacked[i].left;
    return n;
}

/* SACKed bytes in [from, to). */
static uint32_t sacked_in(const struct six_tcb *t, uint32_t from, uint32_t to) {
    uint32_t n = 0;
    for (unsigned i = 0; i < t->n_sacked; i++) {
        uint32_t l = t->sacked[i].left, r = t->sacked[i].right;
        if (six_seq_lt(l, from))
            l = from;
        if (six_seq_gt(r, to))
            r = to;
        if (six_seq_lt(l, r))
            n += r - l;
    }
    return n;
}

uint32_t six__sack_pipe(const struct six_tcb *t) {
    uint32_t flight = t->snd_max - t->snd_una, lost = 0;

    if (t->n_sacked && t->in_recovery) {
        uint32_t high = t->sacked[t->n_sacked - 1].right;
        uint32_t from = six_seq_gt(t->high_rxt, t->snd_una) ? t->high_rxt : t->snd_una;
        /* Holes above what recovery already resent are lost, not in the
         * network. */
        if (six_seq_lt(from, high))
            lost = (high - from) - sacked_in(t, from, high);
    }
    return flight - six__sack_bytes(t) - lost;
}

uint32_t six__sack_next_hole(const struct six_tcb *t, uint32_t from, uint32_t *start) {
    if (six_seq_lt(from, t->snd_una))
        from = t->snd_una;
    for (unsigned i = 0; i < t->n_sacked; i++) {
        if (six_seq_lt(from, t->sacked[i].left)) {
            *start = from;
            return t->sacked[i].left - from;
        }
        if (six_seq_lt(from, t->sacked[i].right))
            from = t->sacked[i].right;
    }
    return 0;
}

void six__sack_recover(struct six_tcb *t) {
    for (int guard = 0; guard < 64; guard++) {
        uint32_t pipe = six__sack_pipe(t), start, len;
        if (pipe + t->mss > t->cwnd)
            return;
        len = six__sack_next_hole(t, t->high_rxt, &start);
        if (len == 0)
            return;               /* no hole: new data, by output() */
        if (len > t->mss)
            len = t->mss;
        SIX_STAT(t->tcp->core, tcp_out_retransmits);
        t->rtt_timing = 0;
        six__tcp_send_seg(t, start, len, SIX_TCP_ACK);
        t->high_rxt = start + len;
    }
}
