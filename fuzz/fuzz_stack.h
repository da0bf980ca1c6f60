/* What the harnesses that run whole stacks share: failing loudly while
 * they set up, addresses, and a stack with a peer on a memwire pair. */
#ifndef SIX_FUZZ_STACK_H
#define SIX_FUZZ_STACK_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sixstack/sixstack.h>

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

#endif
