/* Core state: clock, randomness, waiting. Timers are in timer.c. */
#include "core/core.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int six__core_init(struct six_core *c, const struct six_stack_config *cfg) {
    memset(c, 0, sizeof(*c));
    if (six_port_mutex_init(&c->lock) < 0)
        return -ENOMEM;
    if (six_port_cond_init(&c->cond) < 0) {
        six_port_mutex_fini(&c->lock);
        return -ENOMEM;
    }
    c->clock_mode = cfg->clock;
    c->mono_base = six__mono_us();
    six__rand_seed(c, cfg->seed);
    c->seeded = cfg->seed != 0;
    six__pools_init(&c->pools, cfg->pkt_small_max, cfg->pkt_large_max);
    return 0;
}

void six__core_fini(struct six_core *c) {
    six__pools_fini(&c->pools);
    free(c->heap);
    c->heap = NULL;
    six_port_cond_fini(&c->cond);
    six_port_mutex_fini(&c->lock);
}

uint64_t six__now(struct six_core *c) {
    if (c->clock_mode == SIX_CLOCK_MANUAL)
        return c->manual_now;
    if (!c->now_held)
        return six__mono_us() - c->mono_base;
    if (!c->now_cached)
        c->now_cached = six__mono_us() - c->mono_base + 1;
    return c->now_cached - 1;
}

uint64_t six__wall_us(struct six_core *c, uint64_t stack_us) {
    uint64_t now = six__now(c);

    if (c->clock_mode == SIX_CLOCK_MANUAL)
        return stack_us;
    return six_port_wall_us() - (now > stack_us ? now - stack_us : 0);
}

void six__clock_set(struct six_core *c, uint64_t now) {
    if (c->clock_mode != SIX_CLOCK_MANUAL || now <= c->manual_now)
        return;
    c->manual_now = now;
    six__core_wake(c);
}

/* splitmix64 spreads a small seed over the whole xoshiro state. */
static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void six__rand_seed(struct six_core *c, uint64_t seed) {
    if (seed == 0 && six_port_random(&seed, sizeof(seed)) < 0)
        seed = six__mono_us() ^ (uint64_t)(uintptr_t)c;
    for (int i = 0; i < 4; i++)
        c->rng[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t six__rand64(struct six_core *c) {
    uint64_t *s = c->rng;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t six__rand_below(struct six_core *c, uint32_t bound) {
    /* Lemire's multiply-shift; the bias for 32-bit bounds from a 64-bit
     * draw is below 2^-32, which no caller here can notice. */
    return (uint32_t)(((six__rand64(c) >> 32) * (uint64_t)bound) >> 32);
}

void six__rand_key(struct six_core *c, void *out, size_t len) {
    uint8_t *p = out;

    if (!c->seeded && six_port_random(out, len) == 0)
        return;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t r = six__rand64(c);
        memcpy(p + i, &r, len - i < 8 ? len - i : 8);
    }
}

int six__core_wait(struct six_core *c, uint64_t deadline) {
    uint64_t until = SIX_PORT_FOREVER;
    int rc;

    if (deadline != SIX_NEVER && six__now(c) >= deadline)
        return -ETIMEDOUT;
    /* A manual clock wakes waiters when it moves (six__clock_set). */
    if (deadline != SIX_NEVER && c->clock_mode != SIX_CLOCK_MANUAL)
        until = c->mono_base + deadline;
    c->waiters++;
    rc = six_port_cond_wait(&c->cond, &c->lock, until);
    c->waiters--;
    c->now_cached = 0;      /* time passed: a held clock reads again */
    if (rc == -EWOULDBLOCK)
        return rc;
    return deadline != SIX_NEVER && six__now(c) >= deadline ? -ETIMEDOUT : 0;
}

void six__log(struct six_core *c, const char *fmt, ...) {
    char line[256];
    va_list ap;

    if (!c->log_fn)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    c->log_fn(c->log_ctx, line);
}

int six__grow_array(void **arr, unsigned *cap, unsigned need, unsigned first, unsigned max,
                    size_t elem) {
    unsigned ncap = *cap ? *cap : first;
    void *n;

    if (need <= *cap)
        return 0;
    if (need > max)
        return -ENOBUFS;
    while (ncap < need)
        ncap = ncap > max / 2 ? max : ncap * 2;
    if (ncap > max)
        ncap = max;
    if (!(n = realloc(*arr, (size_t)ncap * elem)))
        return -ENOBUFS;
    *arr = n;
    *cap = ncap;
    return 0;
}
