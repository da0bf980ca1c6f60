/* sixstack-host's TCP modes (host_tcp.c): the echo server of -T and the
 * client of -C. Public API only. */
#ifndef SIXSTACK_HOST_TCP_H
#define SIXSTACK_HOST_TCP_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>

#include <sixstack/sixstack.h>

/* sixstack-host's log line (stderr, with a time stamp). */
void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- -T PORT: echo every byte back on every connection ---- */
struct tcp_echo;
/* Listens on [::]:port. NULL (logged) on failure. */
struct tcp_echo *tcp_echo_open(struct six_stack *st, int port);
/* Puts the descriptors the server waits on into pfd (at most max);
 * returns how many. */
int tcp_echo_pollfds(const struct tcp_echo *e, struct pollfd *pfd, int max);
/* Serves what six_poll found ready in pfd (as filled above). */
void tcp_echo_serve(struct tcp_echo *e, const struct pollfd *pfd, int n);
void tcp_echo_close(struct tcp_echo *e);

/* ---- -C ADDR[%DEV],PORT: send bytes, check they come back ---- */
/* Connects to target, sends bytes (a pattern no shift of itself matches),
 * half-closes, reads until the server closes, and checks that the same
 * bytes came back in order; prints one summary line with the throughput.
 * Gives up after wait_s seconds without progress, or on a signal in sigs.
 * Returns 0 when every byte came back. */
int tcp_client(struct six_stack *st, const char *target, uint64_t bytes, double wait_s,
               const sigset_t *sigs);

#endif
