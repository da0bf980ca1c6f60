/* What the harnesses that run whole stacks share: failing loudly while
 * they set up, addresses, and a stack with a peer on a memwire pair. */
#ifndef SIX_FUZZ_STACK_H
#define SIX_FUZZ_STACK_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sixstack/sixstack.h>

#include "stack.h"

/* Set-up failed: that is the harness's fault, never an input's. */
static inline void die(const char *what) {
    fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(errno));
    abort();
}

static inline void add_addr(struct six_stack *s, unsigned ifindex, const char *text) {
    struct in6_addr a;
    if (inet_pton(AF_INET6, text, &a) != 1 || six_addr_add(s, ifindex, &a, 64, 0) < 0)
        die(text);
}

/* *st and *peer made from cfg and joined by a memwire pair (wc NULL: bare
 * IPv6) whose interfaces are both called name. */
static inline void stack_pair(const struct six_stack_config *cfg, const char *name,
                       const struct six_memwire_config *wc, struct six_stack **st,
                       struct six_stack **peer, unsigned *if_st, unsigned *if_peer) {
    if (!(*st = six_stack_new(cfg)) || !(*peer = six_stack_new(cfg)))
        die("six_stack_new");
    if (six_memwire_pair(*st, name, *peer, name, wc, if_st, if_peer) < 0)
        die("six_memwire_pair");
}

/* What settle_stacks waits for: a round in which no counter of any stack
 * moved, or (on links without neighbour discovery) one in which no stack
 * sent a packet. */
enum settle_rule { SETTLE_NO_COUNTER_MOVED, SETTLE_NOTHING_SENT };

/* Polls the stacks in turn (a round: each of st[0..n-1] once) at now_us,
 * at most max_rounds rounds, and stops early after a quiet round (rule)
 * that left no timer due. A round that changed no counter sent no packet
 * (ip6_out_requests is a counter), so every queue a stack drained stayed
 * empty, and the rounds after it would do nothing. SETTLE_NOTHING_SENT
 * stops a round earlier, and reads one counter (six__stack_sent) instead
 * of copying all of them: each poll drains its links, so every frame sent
 * before a round in which nobody sent was received in it. It holds only
 * where every frame on a link was counted when sent: neighbour discovery
 * sends queued packets when an advertisement comes, uncounted. The result
 * is the fixed count's; what it saves is the idle polls.
 * Returns the earliest timer of that quiet round (UINT64_MAX: no timer is
 * set on any of them, so nothing happens until a frame is injected), or
 * 0 when the rounds ran out first. */
#define SETTLE_MAX 4
static inline int settle_moved(struct six_stack *st, enum settle_rule rule,
                               struct six_stats *seen) {
    static struct six_stats now;

    if (rule == SETTLE_NOTHING_SENT) {
        uint64_t sent = six__stack_sent(st);
        if (sent == seen->ip6_out_requests)
            return 0;
        seen->ip6_out_requests = sent;
        return 1;
    }
    six_stack_stats(st, &now);
    if (memcmp(&now, seen, sizeof(now)) == 0)
        return 0;
    *seen = now;
    return 1;
}

static inline uint64_t settle_stacks_by(struct six_stack *const *st, int n, uint64_t now_us,
                                        int max_rounds, enum settle_rule rule) {
    static struct six_stats seen[SETTLE_MAX];

    if (n > SETTLE_MAX)
        abort();
    for (int i = 0; i < n; i++)
        settle_moved(st[i], rule, &seen[i]);
    for (int round = 0; round < max_rounds; round++) {
        uint64_t next = UINT64_MAX;
        int quiet = 1;
        for (int i = 0; i < n; i++) {
            uint64_t t = six_stack_poll(st[i], now_us);
            if (t <= now_us)
                quiet = 0;
            if (t < next)
                next = t;
        }
        for (int i = 0; i < n; i++)
            if (settle_moved(st[i], rule, &seen[i]))
                quiet = 0;
        if (quiet)
            return next;
    }
    return 0;
}

static inline uint64_t settle_stacks(struct six_stack *const *st, int n, uint64_t now_us,
                                     int max_rounds) {
    return settle_stacks_by(st, n, now_us, max_rounds, SETTLE_NO_COUNTER_MOVED);
}

#endif
