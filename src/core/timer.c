/* Timers: a binary min-heap of pointers to timers embedded in their
 * owners. Arm, cancel and pop are O(log n). */
#include "core/core.h"

#include <errno.h>
#include <stdlib.h>

void six__timer_init(struct six_timer *t, six_timer_fn fn, void *arg) {
    t->when = 0;
    t->fn = fn;
    t->arg = arg;
    t->heap_idx = -1;
}

static void heap_place(struct six_core *c, unsigned i, struct six_timer *t) {
    c->heap[i] = t;
    t->heap_idx = (int)i;
}

static void sift_up(struct six_core *c, unsigned i) {
    struct six_timer *t = c->heap[i];
    while (i > 0) {
        unsigned parent = (i - 1) / 2;
        if (c->heap[parent]->when <= t->when)
            break;
        heap_place(c, i, c->heap[parent]);
        i = parent;
    }
    heap_place(c, i, t);
}

static void sift_down(struct six_core *c, unsigned i) {
    struct six_timer *t = c->heap[i];
    for (;;) {
        unsigned child = 2 * i + 1;
        if (child >= c->heap_len)
            break;
        if (child + 1 < c->heap_len && c->heap[child + 1]->when < c->heap[child]->when)
            child++;
        if (t->when <= c->heap[child]->when)
            break;
        heap_place(c, i, c->heap[child]);
        i = child;
    }
    heap_place(c, i, t);
}

static int heap_reserve(struct six_core *c) {
    unsigned cap;
    struct six_timer **heap;

    if (c->heap_len < c->heap_cap)
        return 0;
    cap = c->heap_cap ? c->heap_cap * 2 : 64;
    heap = realloc(c->heap, cap * sizeof(*heap));
    if (!heap)
        return -ENOBUFS;
    c->heap = heap;
    c->heap_cap = cap;
    return 0;
}

void six__timer_cancel(struct six_core *c, struct six_timer *t) {
    struct six_timer *moved;
    unsigned i, last;

    if (t->heap_idx < 0)
        return;
    i = (unsigned)t->heap_idx;
    last = --c->heap_len;
    t->heap_idx = -1;
    if (i == last)
        return;
    moved = c->heap[last];
    heap_place(c, i, moved);
    sift_down(c, i);
    sift_up(c, (unsigned)moved->heap_idx);
}

int six__timer_arm(struct six_core *c, struct six_timer *t, uint64_t when) {
    int rc;

    six__timer_cancel(c, t);
    if ((rc = heap_reserve(c)) < 0)
        return rc;
    if (t == c->firing && when <= c->firing_at)
        c->refired = 1;
    t->when = when;
    heap_place(c, c->heap_len++, t);
    sift_up(c, (unsigned)t->heap_idx);
    return 0;
}

uint64_t six__timers_next(const struct six_core *c) {
    return c->heap_len ? c->heap[0]->when : SIX_NEVER;
}

uint64_t six__timers_run(struct six_core *c) {
    uint64_t now = six__now(c);

    while (c->heap_len && c->heap[0]->when <= now) {
        struct six_timer *t = c->heap[0];
        uint64_t fired_at = t->when;

        six__timer_cancel(c, t);
        c->firing = t;
        c->firing_at = fired_at;
        c->refired = 0;
        t->fn(t, t->arg);
        c->firing = NULL;
        /* A timer that re-armed itself no later than the time it just
         * fired at would fire forever here: it waits for the next run.
         * (t itself is not read: its function may have freed it.) */
        if (c->refired)
            break;
    }
    return six__timers_next(c);
}
