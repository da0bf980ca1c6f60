/* What an application gives sixstack when there is no operating system
 * (the bare port: CMake -DSIX_PORT=bare, docs/ARCHITECTURE.md).
 *
 * On bare, the application drives each stack with six_stack_poll() from
 * its main loop (six_stack_start answers ENOTSUP: there are no threads),
 * and waits for sockets with six_poll() and a zero timeout. A socket call
 * that would have to wait (a blocking receive with nothing queued, a poll
 * with a timeout and nothing ready) answers EWOULDBLOCK at once: no other
 * thread could ever make it ready. Descriptors that are not sixstack's do
 * not exist (EBADF); TAP, TUN and pcap files answer EOPNOTSUPP. All the
 * stack's memory comes from a static arena (SIX_BARE_ARENA_BYTES).
 */
#ifndef SIXSTACK_BARE_H
#define SIXSTACK_BARE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The clock behind SIX_CLOCK_MONOTONIC stacks and six_poll: microseconds
 * from any origin, never going back (a timer interrupt's count). Without
 * one, time stands still: use SIX_CLOCK_MANUAL stacks. */
void six_bare_set_clock(uint64_t (*now_us)(void));

/* Unpredictable bytes (a hardware generator, or a seeded generator of
 * the application's): fill out with len bytes, return 0, or -1 when it
 * cannot. Without one, stacks whose config has no seed draw their seed
 * from the clock, and the keys of their hash tables are predictable. */
void six_bare_set_random(int (*fill)(void *out, size_t len));

/* Bytes of the arena used so far (its high-water mark: freed memory is
 * reused but the arena never shrinks). */
size_t six_bare_arena_used(void);

#ifdef __cplusplus
}
#endif

#endif
