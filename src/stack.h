/* What stack.c offers the library's own tools (the fuzz harnesses, the
 * tests) beyond the public API. */
#ifndef SIX_STACK_H
#define SIX_STACK_H

#include <stdint.h>

#include <sixstack/sixstack.h>

/* Puts a quiet stack back to how it was when made, keeping its
 * interfaces, addresses and routes (and what goes with them: multicast
 * memberships, interface identifiers), so that one stack can run the
 * same script many times with the same result (a fuzz harness, input
 * after input): the manual clock set to now_us (back or forth), the
 * generator reseeded from the config's seed, the counters zeroed, the
 * packet pools emptied (and six_stack_fail_alloc's count cleared), TCP's
 * secrets, tables, TIME-WAIT entries, challenge-ACK budget and the
 * connections still retrying without a socket dropped (made again with
 * the next stream socket), the ICMPv6 error budget full, the neighbour
 * and path MTU caches empty, the fragment identification key forgotten,
 * closed sockets' memory freed.
 * Quiet: no socket, no timer armed but those connections', no packet
 * buffer out; and the caller has polled until no frame waits on a link
 * (a round of six_stack_poll that changed nothing). Returns 0, -EINVAL
 * (not a manual clock, no fixed seed, or running in its own thread) or
 * -EBUSY (not quiet: nothing changed). */
int six__stack_rewind(struct six_stack *st, uint64_t now_us);

/* The packets st has sent (its ip6_out_requests counter), without the copy
 * of every counter six_stack_stats makes: for loops that poll stacks until
 * none sends anything more. */
uint64_t six__stack_sent(struct six_stack *st);

#endif
