/* The bare port's types and inline calls (see port/port.h): one thread of
 * control and no operating system, so locks and wake-ups do nothing. */
#ifndef SIX_PORT_BARE_PORT_OS_H
#define SIX_PORT_BARE_PORT_OS_H

#include <errno.h>

/* Descriptors (one per socket and one per stack) and the arena all the
 * stack's memory comes from: set when building (CMake SIX_BARE_MAX_FDS,
 * SIX_BARE_ARENA_BYTES). */
#ifndef SIX_BARE_MAX_FDS
#define SIX_BARE_MAX_FDS 16
#endif
#ifndef SIX_BARE_ARENA_BYTES
#define SIX_BARE_ARENA_BYTES 65536
#endif
/* Descriptor numbers start above 0, 1 and 2, as a reader expects. */
#define SIX_BARE_FD_BASE 3

typedef int six_port_mutex;
typedef int six_port_cond;
typedef int six_port_thread;
typedef int six_port_once_flag;

#define SIX_PORT_MUTEX_INITIALIZER 0
#define SIX_PORT_ONCE_INIT 0
#define SIX_PORT_THREAD_LOCAL
/* No system behind the public calls: a descriptor that is not sixstack's
 * does not exist. */
#define SIX_PORT_SYSCALL(call) (errno = EBADF, -1)
/* Nor sockets of other families. */
#define SIX_PORT_SOCKET(domain, type, protocol) (errno = EAFNOSUPPORT, -1)
/* The descriptor table's shape (sock/socktab.c): one small chunk. */
#define SIX_PORT_FD_CHUNK_BITS 5
#define SIX_PORT_FD_CHUNKS ((SIX_BARE_FD_BASE + SIX_BARE_MAX_FDS + 31) / 32)

static inline void six_port_mutex_lock(six_port_mutex *m) { (void)m; }
static inline void six_port_mutex_unlock(six_port_mutex *m) { (void)m; }
static inline void six_port_cond_broadcast(six_port_cond *c) { (void)c; }

#endif
