/* TCP sockets (tcp6.c): what the generic socket code calls for
 * SOCK_STREAM. */
#ifndef SIX_SOCK_TCP6_H
#define SIX_SOCK_TCP6_H

#include "sock/sock.h"

extern const struct six_proto_ops six__tcp6_ops;
/* Sets up TCP and registers its input with ip6. */
int six__tcp6_init(struct six_socks *socks, unsigned max_half_open, unsigned max_time_wait,
                   size_t mem_max);
void six__tcp6_fini(struct six_socks *socks);
int six__tcp6_listen(struct six_sock *s, int backlog);
/* Returns the new descriptor. Lock held (released while the descriptor
 * is made). */
int six__tcp6_accept(struct six_sock *s, struct sockaddr *addr, socklen_t *alen, int flags);
ssize_t six__tcp6_sendmsg(struct six_sock *s, const struct msghdr *msg, int flags);
ssize_t six__tcp6_recvmsg(struct six_sock *s, struct msghdr *msg, int flags);
int six__tcp6_shutdown(struct six_sock *s, int how);
/* Readable in poll's sense (what raises the eventfd). */
int six__tcp6_readable(const struct six_sock *s);
int six__tcp6_eventfd_ready(const struct six_sock *s);
short six__tcp6_revents(struct six_sock *s, short events);
/* The events six_poll asks of the eventfd for a poll of events. */
short six__tcp6_poll_events(struct six_sock *s, short events);
int six__tcp6_setsockopt(struct six_sock *s, int name, const void *val, socklen_t len);
int six__tcp6_getsockopt(struct six_sock *s, int name, void *val, socklen_t *len);
int six__tcp6_sol_set(struct six_sock *s, int name, const void *val, socklen_t len);
int six__tcp6_sol_get(struct six_sock *s, int name, void *val, socklen_t *len);
/* setsockopt of an option with no meaning on a TCP socket: its errno
 * (Linux's where Linux refuses it too), or 0 for the others. */
int six__tcp6_refused(int level, int name);
/* An IPPROTO_IPV6 option of s changed: the MSS follows the room its
 * headers leave, the TCB takes IPV6_RECVERR. */
void six__tcp6_ipv6_changed(struct six_sock *s);
/* close() of a socket with SO_LINGER set to a time: waits for the FIN's
 * ACK (lock held). */
void six__tcp6_linger(struct six_sock *s);
/* getsockopt(IPV6_PKTOPTIONS) of a TCP socket with receive options on
 * (RFC 2292): the options of the last segment received. */
int six__tcp6_pktoptions_get(struct six_sock *s, void *val, socklen_t *len);

#endif
