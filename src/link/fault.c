/* Link impairment: a wrapper around any interface that drops, duplicates,
 * reorders and delays its frames, for tests of what sits above (TCP's loss
 * recovery above all) on links that misbehave the same way every run.
 *
 * It sits between the driver and the rest of the stack (capture
 * included): frames the stack sends pass it on their way to the driver,
 * frames the driver receives pass it on their way up. So a capture shows
 * what IPv6 sent and what it was given, and a frame the wrapper drops is
 * in the capture of one side only.
 *
 * Every frame draws the same four numbers from its direction's generator
 * (drop, duplicate, reorder, jitter) whatever happens to it, so the fate
 * of the nth frame depends only on the seed and n. Held frames wait in a
 * heap ordered by release time (then by arrival, so equal times keep their
 * order) of at most `limit` frames, released by a timer on the stack's
 * clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"

#define PPM 1000000u
#define FAULT_LIMIT_DEFAULT 1024u
#define FAULT_LIMIT_MAX 65536u
#define FAULT_REORDER_US_DEFAULT 1000u

struct held {
    uint64_t when;
    uint64_t seq;            /* arrival order, for ties */
    struct six_pkt *pkt;
};

struct fault_dir {
    struct six_if *ifp;
    int rx;                  /* 1: frames going up; 0: going to the driver */
    uint64_t rng;            /* splitmix64 state */
    uint64_t seq;
    uint64_t last_when;      /* release time of the last in-order frame */
    struct held *heap;
    unsigned len;
    struct six_timer timer;
};

struct six_link_fault {
    struct six_fault cfg;
    struct fault_dir dir[2]; /* [0] transmit, [1] receive */
};

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit state, every output
 * a bijective mix of it, so any seed gives a full-period stream. */
static uint64_t fault_rand(struct fault_dir *d) {
    uint64_t z = (d->rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound), bound > 0 (the bias of a 64-bit draw reduced to
 * a bound under 2^32 is below 2^-32: irrelevant for rates). */
static uint32_t fault_below(struct fault_dir *d, uint32_t bound) {
    return (uint32_t)(((fault_rand(d) >> 32) * (uint64_t)bound) >> 32);
}

static int held_before(const struct held *a, const struct held *b) {
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_push(struct fault_dir *d, struct held h) {
    unsigned i = d->len++;
    while (i > 0) {
        unsigned parent = (i - 1) / 2;
        if (!held_before(&h, &d->heap[parent]))
            break;
        d->heap[i] = d->heap[parent];
        i = parent;
    }
    d->heap[i] = h;
}

static struct six_pkt *heap_pop(struct fault_dir *d) {
    struct six_pkt *top = d->heap[0].pkt;
    struct held last = d->heap[--d->len];
    unsigned i = 0;

    for (;;) {
        unsigned child = 2 * i + 1;
        if (child >= d->len)
            break;
        if (child + 1 < d->len && held_before(&d->heap[child + 1], &d->heap[child]))
            child++;
        if (!held_before(&d->heap[child], &last))
            break;
        d->heap[i] = d->heap[child];
        i = child;
    }
    if (d->len > 0)
        d->heap[i] = last;
    return top;
}

/* Passes pkt (consumed) on in d's direction: to the driver or up. */
static int fault_emit(struct fault_dir *d, struct six_pkt *pkt) {
    if (d->rx) {
        six__if_deliver_now(d->ifp, pkt);
        return 0;
    }
    return six__if_tx_now(d->ifp, pkt);
}

static void fault_release(struct six_timer *t, void *arg) {
    struct fault_dir *d = arg;
    struct six_core *core = d->ifp->core;
    uint64_t now = six__now(core);

    (void)t;
    /* Each frame leaves the heap before it is passed on: passing it may
     * bring another frame into this wrapper (a loopback echoes, an input
     * answers), which then finds the heap whole. */
    while (d->len > 0 && d->heap[0].when <= now) {
        int rc = fault_emit(d, heap_pop(d));
        if (rc < 0 && !d->rx)
            SIX_STAT(core, link_tx_errors);
    }
    if (d->len > 0)
        six__timer_arm(core, &d->timer, d->heap[0].when);
}

/* Holds pkt (consumed) until when; -ENOBUFS (pkt dropped) when full. */
static int fault_hold(struct six_link_fault *f, struct fault_dir *d, struct six_pkt *pkt,
                      uint64_t when) {
    struct six_if *ifp = d->ifp;

    if (d->len == f->cfg.limit) {
        SIX_STAT(ifp->core, link_fault_overflow);
        six__pkt_free(pkt);
        return -ENOBUFS;
    }
    heap_push(d, (struct held){.when = when, .seq = d->seq++, .pkt = pkt});
    if (!six__timer_armed(&d->timer) || d->timer.when > d->heap[0].when) {
        six__timer_arm(ifp->core, &d->timer, d->heap[0].when);
        /* A stack thread asleep until its old next timer must look again. */
        if (ifp->notify)
            ifp->notify(ifp->notify_ctx);
    }
    return 0;
}

/* What happens to one frame, drawn before anything is done with it. */
struct fate {
    int drop, dup, reorder;
    uint64_t delay;
};

static struct fate fault_draw(const struct six_fault *cfg, struct fault_dir *d) {
    uint32_t r_drop = fault_below(d, PPM), r_dup = fault_below(d, PPM);
    uint32_t r_reorder = fault_below(d, PPM);
    uint32_t r_jitter = cfg->jitter_us ? fault_below(d, cfg->jitter_us + 1) : 0;
    struct fate fate = {
        .drop = r_drop < cfg->drop_ppm,
        .dup = r_dup < cfg->dup_ppm,
        .reorder = r_reorder < cfg->reorder_ppm,
        .delay = (uint64_t)cfg->delay_us + r_jitter,
    };
    if (cfg->jitter_us == 0)
        (void)fault_below(d, 1);   /* the same four draws every frame */
    return fate;
}

/* Consumes pkt. Returns what the driver returned for a frame passed at
 * once, 0 for a frame dropped or held, -ENOBUFS when the hold is full. */
static int fault_frame(struct six_link_fault *f, struct fault_dir *d, struct six_pkt *pkt) {
    struct six_core *core = d->ifp->core;
    uint64_t now = six__now(core), when;
    struct fate fate = fault_draw(&f->cfg, d);
    struct six_pkt *copy = NULL;
    int rc;

    SIX_STAT(core, link_fault_frames);
    if (fate.drop) {
        SIX_STAT(core, link_fault_dropped);
        six__pkt_free(pkt);
        return 0;
    }
    if (fate.dup) {
        if ((copy = six__pkt_clone(&core->pools, pkt)))
            SIX_STAT(core, link_fault_duplicated);
        else
            SIX_STAT(core, ip6_in_nobufs);
    }
    /* In-order frames never overtake each other, whatever their jitter: a
     * link delays, it does not reorder; reordering is its own draw. */
    when = now + fate.delay;
    if (when < d->last_when)
        when = d->last_when;
    if (fate.reorder) {
        SIX_STAT(core, link_fault_reordered);
        when += f->cfg.reorder_us;
    } else {
        d->last_when = when;
    }
    if (when <= now && d->len == 0) {
        rc = fault_emit(d, pkt);
        if (copy)
            fault_emit(d, copy);
        return rc;
    }
    SIX_STAT(core, link_fault_delayed);
    rc = fault_hold(f, d, pkt, when);
    if (copy)
        fault_hold(f, d, copy, when);
    return rc;
}

int six__fault_tx(struct six_if *ifp, struct six_pkt *pkt) {
    struct six_link_fault *f = ifp->fault;
    if (!(f->cfg.dirs & SIX_FAULT_TX))
        return six__if_tx_now(ifp, pkt);
    return fault_frame(f, &f->dir[0], pkt);
}

void six__fault_rx(struct six_if *ifp, struct six_pkt *pkt) {
    struct six_link_fault *f = ifp->fault;
    if (!(f->cfg.dirs & SIX_FAULT_RX)) {
        six__if_deliver_now(ifp, pkt);
        return;
    }
    (void)fault_frame(f, &f->dir[1], pkt);
}

static int fault_check(const struct six_fault *cfg) {
    if (!cfg->dirs || (cfg->dirs & ~(unsigned)(SIX_FAULT_TX | SIX_FAULT_RX)))
        return -EINVAL;
    if (cfg->drop_ppm > PPM || cfg->dup_ppm > PPM || cfg->reorder_ppm > PPM)
        return -EINVAL;
    if (cfg->limit > FAULT_LIMIT_MAX || cfg->jitter_us == UINT32_MAX)
        return -EINVAL;
    return 0;
}

/* Releases every held frame at once (emit 1) or drops them (0), frees f. */
static void fault_free(struct six_if *ifp, struct six_link_fault *f, int emit) {
    for (int i = 0; i < 2; i++) {
        struct fault_dir *d = &f->dir[i];
        six__timer_cancel(ifp->core, &d->timer);
        while (d->len > 0) {
            struct six_pkt *pkt = heap_pop(d);
            if (emit)
                fault_emit(d, pkt);
            else
                six__pkt_free(pkt);
        }
        free(d->heap);
    }
    free(f);
}

int six__fault_set(struct six_if *ifp, const struct six_fault *cfg) {
    struct six_link_fault *f, *old = ifp->fault;
    uint64_t seed;
    int rc;

    if (cfg && (rc = fault_check(cfg)) < 0)
        return rc;
    /* The old wrapper goes first, its frames released into the link as it
     * was: the new one starts empty. */
    ifp->fault = NULL;
    if (old)
        fault_free(ifp, old, 1);
    if (!cfg)
        return 0;
    if (!(f = calloc(1, sizeof(*f))))
        return -ENOMEM;
    f->cfg = *cfg;
    if (!f->cfg.limit)
        f->cfg.limit = FAULT_LIMIT_DEFAULT;
    if (!f->cfg.reorder_us)
        f->cfg.reorder_us = FAULT_REORDER_US_DEFAULT;
    seed = cfg->seed ? cfg->seed : six__rand64(ifp->core);
    for (int i = 0; i < 2; i++) {
        f->dir[i].ifp = ifp;
        f->dir[i].rx = i;
        six__timer_init(&f->dir[i].timer, fault_release, &f->dir[i]);
    }
    /* Two streams from one seed: receive starts from transmit's first
     * output, not at a shifted copy of transmit's sequence. */
    f->dir[0].rng = seed;
    f->dir[1].rng = fault_rand(&f->dir[0]);
    f->dir[0].rng = seed;
    for (int i = 0; i < 2; i++) {
        if (!(f->dir[i].heap = calloc(f->cfg.limit, sizeof(*f->dir[i].heap)))) {
            fault_free(ifp, f, 0);
            return -ENOMEM;
        }
    }
    ifp->fault = f;
    return 0;
}

void six__fault_destroy(struct six_if *ifp) {
    if (ifp->fault)
        fault_free(ifp, ifp->fault, 0);
    ifp->fault = NULL;
}
