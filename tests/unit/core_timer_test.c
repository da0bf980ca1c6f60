/* Unit tests for src/core/timer.c and the clock and waiting parts of
 * src/core/core.c: the timer heap (order, equal deadlines, re-arming,
 * cancelling from anywhere, timers re-arming themselves), the manual clock
 * and six__core_wait's deadline.
 *
 * The heap is checked from the inside after every operation (parent no
 * later than child, every timer's heap_idx naming its own slot), and a
 * long seeded random run compares what fires against a plain sorted
 * reference. Tests that wait on another thread arm alarm() first, so a
 * missed wake-up fails the test instead of hanging it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core.h"
#include "test.h"

static void core_up(struct six_core *c, enum six_clock_mode mode) {
    struct six_stack_config cfg;
    six_stack_config_init(&cfg);
    cfg.clock = mode;
    cfg.seed = 1;
    CHECK_EQ(six__core_init(c, &cfg), 0);
}

/* The heap's own invariants: n armed timers, every parent due no later
 * than its children, every timer's heap_idx its own slot. */
static void check_heap(const struct six_core *c, unsigned n) {
    CHECK_EQ(c->heap_len, n);
    for (unsigned i = 0; i < c->heap_len; i++) {
        CHECK_EQ(c->heap[i]->heap_idx, i);
        if (i > 0)
            CHECK(c->heap[(i - 1) / 2]->when <= c->heap[i]->when);
    }
}

/* What fired, in order: the deadline of each timer when it ran. */
struct log {
    uint64_t when[64];
    int id[64];
    unsigned n;
};

struct tmr {
    struct six_timer t;
    struct log *log;
    int id;
};

static void log_fire(struct six_timer *t, void *arg) {
    struct tmr *m = arg;
    /* Disarmed before its function runs (core.h). */
    CHECK(!six__timer_armed(t));
    CHECK(m->log->n < 64);
    m->log->when[m->log->n] = t->when;
    m->log->id[m->log->n] = m->id;
    m->log->n++;
}

static void tmr_init(struct tmr *m, struct log *log, int id) {
    m->log = log;
    m->id = id;
    six__timer_init(&m->t, log_fire, m);
}

/* ---- firing order ---- */

TEST(timers_fire_in_deadline_order) {
    static const uint64_t when[] = {50, 10, 40, 70, 20, 60, 30};
    struct six_core c;
    struct tmr m[7];
    struct log log = {0};

    core_up(&c, SIX_CLOCK_MANUAL);
    for (int i = 0; i < 7; i++) {
        tmr_init(&m[i], &log, i);
        CHECK_EQ(six__timer_arm(&c, &m[i].t, when[i]), 0);
    }
    check_heap(&c, 7);
    six__clock_set(&c, 100);
    CHECK_EQ(six__timers_run(&c), SIX_NEVER);
    CHECK_EQ(log.n, 7);
    for (unsigned i = 0; i < 7; i++)
        CHECK_EQ(log.when[i], 10 * (i + 1));
    check_heap(&c, 0);
    six__core_fini(&c);
}

TEST(timers_fire_only_once_due_and_deadline_is_inclusive) {
    struct six_core c;
    struct tmr a, b;
    struct log log = {0};

    core_up(&c, SIX_CLOCK_MANUAL);
    tmr_init(&a, &log, 1);
    tmr_init(&b, &log, 2);
    six__timer_arm(&c, &a.t, 100);
    six__timer_arm(&c, &b.t, 200);
    six__clock_set(&c, 99);
    CHECK_EQ(six__timers_run(&c), 100);
    CHECK_EQ(log.n, 0);
    six__clock_set(&c, 100);
    CHECK_EQ(six__timers_run(&c), 200);
    CHECK_EQ(log.n, 1);
    CHECK_EQ(log.id[0], 1);
    CHECK(!six__timer_armed(&a.t));
    CHECK(six__timer_armed(&b.t));
    six__core_fini(&c);
}

TEST(timers_with_equal_deadlines_all_fire_in_one_run) {
    struct six_core c;
    struct tmr m[4];
    struct log log = {0};
    int seen[4] = {0};

    core_up(&c, SIX_CLOCK_MANUAL);
    for (int i = 0; i < 4; i++)
        tmr_init(&m[i], &log, i);
    six__timer_arm(&c, &m[0].t, 10);
    six__timer_arm(&c, &m[1].t, 11);
    six__timer_arm(&c, &m[2].t, 10);
    six__timer_arm(&c, &m[3].t, 10);
    check_heap(&c, 4);
    six__clock_set(&c, 10);
    CHECK_EQ(six__timers_run(&c), 11);
    CHECK_EQ(log.n, 3);
    for (unsigned i = 0; i < log.n; i++) {
        CHECK_EQ(log.when[i], 10);
        seen[log.id[i]]++;
    }
    CHECK(seen[0] == 1 && seen[2] == 1 && seen[3] == 1 && seen[1] == 0);
    check_heap(&c, 1);
    six__core_fini(&c);
}

/* ---- arming, re-arming, cancelling ---- */

TEST(timer_rearm_moves_it_instead_of_adding_a_second_entry) {
    struct six_core c;
    struct tmr a, b;
    struct log log = {0};

    core_up(&c, SIX_CLOCK_MANUAL);
    tmr_init(&a, &log, 1);
    tmr_init(&b, &log, 2);
    six__timer_arm(&c, &a.t, 10);
    six__timer_arm(&c, &b.t, 20);
    six__timer_arm(&c, &a.t, 30);     /* later */
    check_heap(&c, 2);
    CHECK_EQ(six__timers_next(&c), 20);
    six__clock_set(&c, 25);
    CHECK_EQ(six__timers_run(&c), 30);
    CHECK_EQ(log.n, 1);
    CHECK_EQ(log.id[0], 2);
    six__timer_arm(&c, &a.t, 5);      /* earlier than now: due at once */
    check_heap(&c, 1);
    CHECK_EQ(six__timers_next(&c), 5);
    CHECK_EQ(six__timers_run(&c), SIX_NEVER);
    CHECK_EQ(log.n, 2);
    CHECK_EQ(log.id[1], 1);
    CHECK_EQ(log.when[1], 5);
    six__core_fini(&c);
}

TEST(timer_cancel_disarms_and_is_idempotent) {
    struct six_core c;
    struct tmr a, b;
    struct log log = {0};

    core_up(&c, SIX_CLOCK_MANUAL);
    tmr_init(&a, &log, 1);
    tmr_init(&b, &log, 2);
    CHECK(!six__timer_armed(&a.t));
    six__timer_cancel(&c, &a.t);      /* never armed: nothing happens */
    six__timer_arm(&c, &a.t, 10);
    six__timer_arm(&c, &b.t, 20);
    CHECK(six__timer_armed(&a.t));
    six__timer_cancel(&c, &a.t);
    six__timer_cancel(&c, &a.t);
    CHECK(!six__timer_armed(&a.t));
    check_heap(&c, 1);
    six__clock_set(&c, 100);
    six__timers_run(&c);
    CHECK_EQ(log.n, 1);
    CHECK_EQ(log.id[0], 2);
    six__core_fini(&c);
}

/* Cancelling the timer in each slot of a 15-timer heap in turn leaves a
 * valid heap that still fires the other 14 in order. */
TEST(timer_cancel_from_any_slot_keeps_heap_order) {
    static const uint64_t when[15] = {8, 3, 14, 1, 9, 12, 5, 15, 2, 7, 11, 4, 13, 6, 10};

    for (unsigned slot = 0; slot < 15; slot++) {
        struct six_core c;
        struct tmr m[15];
        struct log log = {0};
        uint64_t gone;

        core_up(&c, SIX_CLOCK_MANUAL);
        for (int i = 0; i < 15; i++) {
            tmr_init(&m[i], &log, i);
            six__timer_arm(&c, &m[i].t, when[i]);
        }
        gone = c.heap[slot]->when;
        six__timer_cancel(&c, c.heap[slot]);
        check_heap(&c, 14);
        six__clock_set(&c, 100);
        six__timers_run(&c);
        CHECK_EQ(log.n, 14);
        for (unsigned i = 1; i < log.n; i++)
            CHECK(log.when[i - 1] < log.when[i]);
        for (unsigned i = 0; i < log.n; i++)
            CHECK(log.when[i] != gone);
        six__core_fini(&c);
    }
}

/* The case a sift-down alone gets wrong: the last timer, moved into the
 * cancelled slot, is earlier than that slot's parent and must go up.
 *
 *            1                    1                     1
 *        100     2     cancel  100     2     sift up   4     2
 *      101 102  3  4   102 ->  101  4  3     ->     101 100 3
 */
TEST(timer_cancel_moves_the_last_timer_up_when_earlier_than_parent) {
    static const uint64_t when[7] = {1, 100, 2, 101, 102, 3, 4};
    struct six_core c;
    struct tmr m[7];
    struct log log = {0};

    core_up(&c, SIX_CLOCK_MANUAL);
    for (int i = 0; i < 7; i++) {
        tmr_init(&m[i], &log, i);
        six__timer_arm(&c, &m[i].t, when[i]);
    }
    CHECK(c.heap[4] == &m[4].t);    /* 102 sits under 100 */
    six__timer_cancel(&c, &m[4].t);
    check_heap(&c, 6);
    CHECK_EQ(c.heap[1]->when, 4);
    six__core_fini(&c);
}

/* A seeded xorshift for the randomised test, independent of the core's
 * own generator so that the test does not lean on what it is testing. */
static uint64_t xorshift(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

#define RND_TIMERS 64

struct rnd_ctx {
    uint64_t fired_when[RND_TIMERS];
    int fired_id[RND_TIMERS];
    unsigned nfired;
};

struct rnd_tmr {
    struct six_timer t;
    struct rnd_ctx *ctx;
    int id;
};

static void rnd_fire(struct six_timer *t, void *arg) {
    struct rnd_tmr *m = arg;
    struct rnd_ctx *x = m->ctx;
    CHECK(x->nfired < RND_TIMERS);
    x->fired_when[x->nfired] = t->when;
    x->fired_id[x->nfired] = m->id;
    x->nfired++;
}

/* Thousands of random arms, re-arms, cancels and runs; after each, the
 * heap's invariants hold, and every run fires exactly the timers the
 * reference says are due, in the reference's (sorted) order. */
TEST(timer_heap_matches_sorted_reference_under_random_operations) {
    struct six_core c;
    struct rnd_tmr m[RND_TIMERS];
    struct rnd_ctx x;
    uint64_t ref[RND_TIMERS];   /* deadline of each armed timer, or SIX_NEVER */
    uint64_t seed = 0x5eed5eed5eedull, now = 0;
    unsigned armed = 0, runs = 0, fired = 0;

    core_up(&c, SIX_CLOCK_MANUAL);
    for (int i = 0; i < RND_TIMERS; i++) {
        m[i].ctx = &x;
        m[i].id = i;
        six__timer_init(&m[i].t, rnd_fire, &m[i]);
        ref[i] = SIX_NEVER;
    }
    for (int op = 0; op < 20000; op++) {
        uint64_t r = xorshift(&seed);
        unsigned i = (unsigned)(r >> 8) % RND_TIMERS;

        switch (r % 8) {
        case 0: case 1: case 2: case 3: /* arm or re-arm, often a tie */
            if (ref[i] == SIX_NEVER)
                armed++;
            ref[i] = now + (r >> 32) % 200;
            CHECK_EQ(six__timer_arm(&c, &m[i].t, ref[i]), 0);
            break;
        case 4: case 5:                  /* cancel, armed or not */
            if (ref[i] != SIX_NEVER)
                armed--;
            ref[i] = SIX_NEVER;
            six__timer_cancel(&c, &m[i].t);
            break;
        default: {                       /* advance and run */
            uint64_t due[RND_TIMERS], next = SIX_NEVER;
            unsigned ndue = 0;

            now += (r >> 32) % 60;
            six__clock_set(&c, now);
            for (int k = 0; k < RND_TIMERS; k++) {
                if (ref[k] != SIX_NEVER && ref[k] <= now)
                    due[ndue++] = ref[k];
                else if (ref[k] < next)
                    next = ref[k];
            }
            qsort(due, ndue, sizeof(due[0]), cmp_u64);
            x.nfired = 0;
            CHECK_EQ(six__timers_run(&c), next);
            CHECK_EQ(x.nfired, ndue);
            for (unsigned k = 0; k < ndue; k++) {
                CHECK_EQ(x.fired_when[k], due[k]);
                CHECK_EQ(ref[x.fired_id[k]], due[k]);
                ref[x.fired_id[k]] = SIX_NEVER;
            }
            armed -= ndue;
            fired += ndue;
            runs++;
            break;
        }
        }
        check_heap(&c, armed);
        for (int k = 0; k < RND_TIMERS; k++)
            CHECK_EQ(six__timer_armed(&m[k].t), ref[k] != SIX_NEVER);
    }
    /* The run really exercised the heap. */
    CHECK(runs > 1000 && fired > 5000);
    six__core_fini(&c);
}

/* ---- timers that re-arm from their callback ---- */

struct periodic {
    struct six_timer t;
    struct six_core *c;
    uint64_t seen[8];
    unsigned n;
    unsigned stop_after;
};

static void periodic_fire(struct six_timer *t, void *arg) {
    struct periodic *p = arg;
    CHECK(p->n < 8);
    p->seen[p->n++] = t->when;
    if (p->n < p->stop_after)
        CHECK_EQ(six__timer_arm(p->c, t, t->when + 10), 0);
}

TEST(timer_rearming_itself_fires_again_while_due_then_waits) {
    struct six_core c;
    struct periodic p = {.c = &c, .stop_after = 8};

    core_up(&c, SIX_CLOCK_MANUAL);
    six__timer_init(&p.t, periodic_fire, &p);
    six__timer_arm(&c, &p.t, 10);
    six__clock_set(&c, 35);
    /* 10, 20 and 30 are due at 35; the re-arm for 40 is not. */
    CHECK_EQ(six__timers_run(&c), 40);
    CHECK_EQ(p.n, 3);
    CHECK_EQ(p.seen[0], 10);
    CHECK_EQ(p.seen[1], 20);
    CHECK_EQ(p.seen[2], 30);
    CHECK(six__timer_armed(&p.t));
    check_heap(&c, 1);
    six__clock_set(&c, 40);
    CHECK_EQ(six__timers_run(&c), 50);
    CHECK_EQ(p.n, 4);
    six__core_fini(&c);
}

TEST(timer_not_rearmed_by_its_callback_stays_disarmed) {
    struct six_core c;
    struct periodic p = {.c = &c, .stop_after = 1};

    core_up(&c, SIX_CLOCK_MANUAL);
    six__timer_init(&p.t, periodic_fire, &p);
    six__timer_arm(&c, &p.t, 10);
    six__clock_set(&c, 1000);
    CHECK_EQ(six__timers_run(&c), SIX_NEVER);
    CHECK_EQ(p.n, 1);
    CHECK(!six__timer_armed(&p.t));
    six__core_fini(&c);
}

/* A timer living in memory its own function frees (an object that goes
 * away when its last timer fires): the run must not read it afterwards
 * (ASan checks), and later timers still fire. */
struct self_freeing {
    struct six_timer t;
    unsigned *fired;
};

static void free_self(struct six_timer *t, void *arg) {
    struct self_freeing *f = arg;
    (void)t;
    (*f->fired)++;
    free(f);
}

TEST(timer_callback_may_free_its_own_timer) {
    struct six_core c;
    unsigned fired = 0;

    core_up(&c, SIX_CLOCK_MANUAL);
    for (int i = 0; i < 3; i++) {
        struct self_freeing *f = malloc(sizeof(*f));
        CHECK(f != NULL);
        f->fired = &fired;
        six__timer_init(&f->t, free_self, f);
        six__timer_arm(&c, &f->t, 10 + (uint64_t)i);
    }
    six__clock_set(&c, 100);
    CHECK_EQ(six__timers_run(&c), SIX_NEVER);
    CHECK_EQ(fired, 3);
    six__core_fini(&c);
}

struct canceller {
    struct six_timer t;
    struct six_core *c;
    struct six_timer *victim;
};

static void cancel_other(struct six_timer *t, void *arg) {
    struct canceller *k = arg;
    (void)t;
    six__timer_cancel(k->c, k->victim);
}

TEST(timer_callback_cancelling_another_due_timer_stops_it_firing) {
    struct six_core c;
    struct canceller k = {.c = &c};
    struct tmr v;
    struct log log = {0};

    core_up(&c, SIX_CLOCK_MANUAL);
    tmr_init(&v, &log, 1);
    k.victim = &v.t;
    six__timer_init(&k.t, cancel_other, &k);
    six__timer_arm(&c, &k.t, 10);
    six__timer_arm(&c, &v.t, 20);
    six__clock_set(&c, 30);
    CHECK_EQ(six__timers_run(&c), SIX_NEVER);
    CHECK_EQ(log.n, 0);
    six__core_fini(&c);
}

/* ---- six__timers_next ---- */

TEST(timers_next_is_the_earliest_deadline_or_never) {
    struct six_core c;
    struct tmr a, b;
    struct log log = {0};

    core_up(&c, SIX_CLOCK_MANUAL);
    tmr_init(&a, &log, 1);
    tmr_init(&b, &log, 2);
    CHECK_EQ(six__timers_next(&c), SIX_NEVER);
    six__timer_arm(&c, &a.t, 300);
    CHECK_EQ(six__timers_next(&c), 300);
    six__timer_arm(&c, &b.t, 200);
    CHECK_EQ(six__timers_next(&c), 200);
    six__timer_cancel(&c, &b.t);
    CHECK_EQ(six__timers_next(&c), 300);
    six__timer_cancel(&c, &a.t);
    CHECK_EQ(six__timers_next(&c), SIX_NEVER);
    CHECK_EQ(six__timers_run(&c), SIX_NEVER);
    six__core_fini(&c);
}

TEST(timer_heap_grows_past_its_first_allocation) {
    enum { N = 1000 };
    struct six_core c;
    struct tmr *m = calloc(N, sizeof(*m));
    struct log log = {0};

    CHECK(m != NULL);
    core_up(&c, SIX_CLOCK_MANUAL);
    for (int i = 0; i < N; i++) {
        tmr_init(&m[i], &log, i);
        CHECK_EQ(six__timer_arm(&c, &m[i].t, (uint64_t)(N - i)), 0);
    }
    check_heap(&c, N);
    CHECK_EQ(six__timers_next(&c), 1);
    for (int i = 0; i < N; i++)
        six__timer_cancel(&c, &m[i].t);
    check_heap(&c, 0);
    six__core_fini(&c);
    free(m);
}

/* ---- the clock ---- */

TEST(manual_clock_starts_at_zero_and_never_goes_backwards) {
    struct six_core c;

    core_up(&c, SIX_CLOCK_MANUAL);
    CHECK_EQ(six__now(&c), 0);
    six__clock_set(&c, 1000);
    CHECK_EQ(six__now(&c), 1000);
    six__clock_set(&c, 999);
    CHECK_EQ(six__now(&c), 1000);
    six__clock_set(&c, 0);
    CHECK_EQ(six__now(&c), 1000);
    six__clock_set(&c, 1001);
    CHECK_EQ(six__now(&c), 1001);
    six__core_fini(&c);
}

TEST(manual_clock_does_not_move_by_itself) {
    struct six_core c;

    core_up(&c, SIX_CLOCK_MANUAL);
    six__clock_set(&c, 5);
    usleep(2000);
    CHECK_EQ(six__now(&c), 5);
    six__core_fini(&c);
}

TEST(monotonic_clock_ignores_clock_set_and_moves_forwards) {
    struct six_core c;
    uint64_t t0, t1;

    core_up(&c, SIX_CLOCK_MONOTONIC);
    t0 = six__now(&c);
    six__clock_set(&c, UINT64_C(1) << 50);
    usleep(2000);
    t1 = six__now(&c);
    CHECK(t1 >= t0 + 2000);
    CHECK(t1 < UINT64_C(1) << 40);
    six__core_fini(&c);
}

/* Held (a socket call, a run of the stack): one read of the clock serves
 * every question until the hold ends or the lock is waited on. */
TEST(held_clock_is_read_once_until_dropped_or_waited_on) {
    struct six_core c;
    uint64_t t0, t1, t2;

    core_up(&c, SIX_CLOCK_MONOTONIC);
    pthread_mutex_lock(&c.lock);
    six__core_hold_now(&c);
    t0 = six__now(&c);
    usleep(2000);
    CHECK_EQ(six__now(&c), t0);
    /* A wait forgets the read: time passed meanwhile. */
    CHECK_EQ(six__core_wait(&c, t0 + 1000), -ETIMEDOUT);
    t1 = six__now(&c);
    CHECK(t1 >= t0 + 2000);
    usleep(2000);
    CHECK_EQ(six__now(&c), t1);
    six__core_drop_now(&c);
    t2 = six__now(&c);
    CHECK(t2 >= t1 + 2000);
    usleep(2000);
    CHECK(six__now(&c) >= t2 + 2000);
    /* A new hold reads afresh. */
    six__core_hold_now(&c);
    CHECK(six__now(&c) >= t2 + 2000);
    six__core_drop_now(&c);
    pthread_mutex_unlock(&c.lock);
    six__core_fini(&c);
}

/* ---- six__core_wait ---- */

/* Moves c's manual clock to `to`, under the lock, once a thread waits. */
struct advancer {
    struct six_core *c;
    uint64_t to;
};

static void *advance_when_waited_on(void *arg) {
    struct advancer *a = arg;
    for (;;) {
        pthread_mutex_lock(&a->c->lock);
        if (a->c->waiters > 0) {
            six__clock_set(a->c, a->to);
            pthread_mutex_unlock(&a->c->lock);
            return NULL;
        }
        pthread_mutex_unlock(&a->c->lock);
        usleep(200);
    }
}

TEST(core_wait_times_out_when_the_manual_clock_passes_the_deadline) {
    struct six_core c;
    struct advancer a = {.c = &c, .to = 2000};
    pthread_t th;
    int rc;

    alarm(20);
    core_up(&c, SIX_CLOCK_MANUAL);
    pthread_mutex_lock(&c.lock);
    CHECK_EQ(pthread_create(&th, NULL, advance_when_waited_on, &a), 0);
    /* A wait may end early (a spurious wake-up) and return 0 while the
     * clock is short of the deadline; the wait that sees it passed must
     * say so itself, not leave it to the next call. */
    do
        rc = six__core_wait(&c, 1000);
    while (rc == 0 && six__now(&c) < 1000);
    CHECK_EQ(rc, -ETIMEDOUT);
    CHECK_EQ(six__now(&c), 2000);
    CHECK_EQ(c.waiters, 0);
    pthread_mutex_unlock(&c.lock);
    pthread_join(th, NULL);
    alarm(0);
    six__core_fini(&c);
}

TEST(core_wait_times_out_when_the_clock_reaches_the_deadline_exactly) {
    struct six_core c;
    struct advancer a = {.c = &c, .to = 1000};
    pthread_t th;
    int rc;

    alarm(20);
    core_up(&c, SIX_CLOCK_MANUAL);
    pthread_mutex_lock(&c.lock);
    CHECK_EQ(pthread_create(&th, NULL, advance_when_waited_on, &a), 0);
    do
        rc = six__core_wait(&c, 1000);
    while (rc == 0 && six__now(&c) < 1000);
    CHECK_EQ(rc, -ETIMEDOUT);
    pthread_mutex_unlock(&c.lock);
    pthread_join(th, NULL);
    alarm(0);
    six__core_fini(&c);
}

TEST(core_wait_returns_zero_when_the_clock_moves_short_of_the_deadline) {
    struct six_core c;
    struct advancer a = {.c = &c, .to = 500};
    pthread_t th;

    alarm(20);
    core_up(&c, SIX_CLOCK_MANUAL);
    pthread_mutex_lock(&c.lock);
    CHECK_EQ(pthread_create(&th, NULL, advance_when_waited_on, &a), 0);
    CHECK_EQ(six__core_wait(&c, 1000), 0);
    pthread_mutex_unlock(&c.lock);
    pthread_join(th, NULL);
    alarm(0);
    six__core_fini(&c);
}

TEST(core_wait_with_a_deadline_already_passed_returns_at_once) {
    struct six_core c;

    alarm(20);
    core_up(&c, SIX_CLOCK_MANUAL);
    six__clock_set(&c, 1000);
    pthread_mutex_lock(&c.lock);
    CHECK_EQ(six__core_wait(&c, 1000), -ETIMEDOUT);
    CHECK_EQ(six__core_wait(&c, 10), -ETIMEDOUT);
    CHECK_EQ(c.waiters, 0);
    pthread_mutex_unlock(&c.lock);
    alarm(0);
    six__core_fini(&c);
}

TEST(core_wait_on_the_monotonic_clock_times_out_in_real_time) {
    struct six_core c;
    uint64_t start, deadline;
    int rc;

    alarm(20);
    core_up(&c, SIX_CLOCK_MONOTONIC);
    pthread_mutex_lock(&c.lock);
    start = six__now(&c);
    deadline = start + 20000;
    do
        rc = six__core_wait(&c, deadline);
    while (rc == 0 && six__now(&c) < deadline);
    CHECK_EQ(rc, -ETIMEDOUT);
    CHECK(six__now(&c) >= deadline);
    pthread_mutex_unlock(&c.lock);
    alarm(0);
    six__core_fini(&c);
}

struct stuck {
    struct six_core *c;
    unsigned fired;
};

static void stuck_fire(struct six_timer *t, void *arg) {
    struct stuck *s = arg;
    s->fired++;
    CHECK(s->fired < 1000);
    six__timer_arm(s->c, t, t->when);
}

TEST(timer_rearming_at_its_own_time_waits_for_next_run) {
    struct six_core c;
    struct stuck s = {.c = &c};
    struct six_timer t;

    core_up(&c, SIX_CLOCK_MANUAL);
    six__timer_init(&t, stuck_fire, &s);
    six__timer_arm(&c, &t, 5);
    six__clock_set(&c, 5);
    /* Without the guard this run never returns. */
    CHECK_EQ(six__timers_run(&c), 5);
    CHECK_EQ(s.fired, 1);
    CHECK_EQ(six__timers_run(&c), 5);
    CHECK_EQ(s.fired, 2);
    six__timer_cancel(&c, &t);
    six__core_fini(&c);
}
