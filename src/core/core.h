/* The core every layer shares: clock, timers, randomness, statistics,
 * packet pools and the stack lock. No protocol knowledge lives here.
 *
 * Threading: everything in a stack is touched only with core.lock held.
 * Blocking waits use core.cond with that lock; whatever makes a waiter's
 * condition true calls six__core_wake().
 */
#ifndef SIX_CORE_CORE_H
#define SIX_CORE_CORE_H

#include <stdint.h>

#include <sixstack/sixstack.h>

#include "core/pkt.h"
#include "port/port.h"

#define SIX_NEVER UINT64_MAX

struct six_timer;
typedef void (*six_timer_fn)(struct six_timer *t, void *arg);

/* A timer embedded in whatever owns it; armed timers sit in the core's
 * heap (heap_idx is their slot, -1 when disarmed). */
struct six_timer {
    uint64_t when;
    six_timer_fn fn;
    void *arg;
    int heap_idx;
};

struct six_core {
    six_port_mutex lock;
    six_port_cond cond;      /* broadcast on every state change waiters see */
    unsigned waiters;        /* threads waiting on cond */

    enum six_clock_mode clock_mode;
    uint64_t manual_now;     /* the manual clock, microseconds */
    uint64_t mono_base;      /* six_port_mono_us() at creation */
    /* While a socket call or a run of the stack holds the lock
     * (six__core_hold_now), the monotonic clock is read once: a send that
     * drains a burst of segments over loopback asks for the time dozens
     * of times, and a clock read costs as much as a segment's header work
     * on some machines. now_cached is that read + 1 (0: not read yet);
     * waiting on the lock forgets it. */
    uint8_t now_held;
    uint64_t now_cached;

    uint64_t rng[4];         /* xoshiro256** state */
    int seeded;              /* the config fixed the seed */

    struct six_timer **heap; /* min-heap of armed timers by when */
    unsigned heap_len, heap_cap;
    /* The timer whose function is running, the time it fired at, and
     * whether it re-armed itself for no later than that: six__timers_run
     * learns it here without touching the timer, which its function may
     * have freed. */
    const struct six_timer *firing;
    uint64_t firing_at;
    int refired;

    struct six_pools pools;
    struct six_stats stats;

    six_log_fn log_fn;       /* NULL: no logging */
    void *log_ctx;
};

int six__core_init(struct six_core *c, const struct six_stack_config *cfg);
void six__core_fini(struct six_core *c);

/* ---- clock ---- */
uint64_t six__now(struct six_core *c);
/* The wall clock time (microseconds since the epoch) at stack time
 * stack_us, for receive timestamps: with a manual clock, stack_us itself
 * (so tests see the time they set). */
uint64_t six__wall_us(struct six_core *c, uint64_t stack_us);
/* Moves a manual clock forwards (never back) and wakes waiters. */
void six__clock_set(struct six_core *c, uint64_t now);
/* The platform's monotonic clock in microseconds. */
static inline uint64_t six__mono_us(void) { return six_port_mono_us(); }

/* ---- timers ----
 * Arming an armed timer moves it. Timers fire from six__timers_run() in
 * time order, each disarmed before its function runs (so it may re-arm,
 * or free the memory the timer lives in). */
void six__timer_init(struct six_timer *t, six_timer_fn fn, void *arg);
int six__timer_arm(struct six_core *c, struct six_timer *t, uint64_t when);
void six__timer_cancel(struct six_core *c, struct six_timer *t);
static inline int six__timer_armed(const struct six_timer *t) { return t->heap_idx >= 0; }
/* Runs every timer due at the current time; returns the next deadline or
 * SIX_NEVER. */
uint64_t six__timers_run(struct six_core *c);
uint64_t six__timers_next(const struct six_core *c);

/* ---- randomness ----
 * Seeded (repeatable) when the config's seed is non-zero, from the
 * platform's random bytes otherwise (or, where it has none, from the
 * clock and an address). Not for secrets. */
void six__rand_seed(struct six_core *c, uint64_t seed);
uint64_t six__rand64(struct six_core *c);
/* Uniform in [0, bound), bound > 0. */
uint32_t six__rand_below(struct six_core *c, uint32_t bound);
/* Key material for a keyed hash (core/hash.h) whose outputs an observer
 * must not predict: len bytes from six_port_random(), never from the generator
 * above (whose state its outputs would reveal), unless the config fixed
 * a seed: then from the generator, so that tests repeat. */
void six__rand_key(struct six_core *c, void *out, size_t len);

/* ---- logging ----
 * One line (no newline) to the stack's log function, if any, with the
 * lock held: what the stack did that a person running it wants to see
 * (neighbours found and lost, addresses configured), never per packet. */
/* Makes the array *arr (*cap items of elem bytes) hold at least need
 * items: doubling, from first, never past max. Returns 0, or -ENOBUFS
 * when need is over max or memory is short (then nothing changed). */
int six__grow_array(void **arr, unsigned *cap, unsigned need, unsigned first, unsigned max,
                    size_t elem);

void six__log(struct six_core *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- waiting ---- */
static inline void six__core_wake(struct six_core *c) {
    if (c->waiters)
        six_port_cond_broadcast(&c->cond);
}
/* Waits on c->cond (lock held) until woken or the stack clock reaches
 * deadline (SIX_NEVER: no deadline). Returns -ETIMEDOUT when the deadline
 * has passed, -EWOULDBLOCK where no other thread could wake it (the bare
 * port), 0 otherwise (the caller rechecks its condition). */
int six__core_wait(struct six_core *c, uint64_t deadline);

static inline void six__core_lock(struct six_core *c) { six_port_mutex_lock(&c->lock); }
/* Lock held: the clock is read at most once until six__core_drop_now
 * (or a wait). Only around work that never waits for time to pass
 * without six__core_wait. */
static inline void six__core_hold_now(struct six_core *c) {
    c->now_held = 1;
    c->now_cached = 0;
}
static inline void six__core_drop_now(struct six_core *c) { c->now_held = 0; }
static inline void six__core_unlock(struct six_core *c) {
    c->now_cached = 0;      /* whoever locks next reads the clock afresh */
    six_port_mutex_unlock(&c->lock);
}

#define SIX_STAT(core, name) ((core)->stats.name++)

#endif
