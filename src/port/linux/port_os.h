/* The Linux port's types and inline calls (see port/port.h). The only
 * place above the drivers where Linux's and POSIX's headers come in. */
#ifndef SIX_PORT_LINUX_PORT_OS_H
#define SIX_PORT_LINUX_PORT_OS_H

#include <pthread.h>
#include <sys/socket.h>

typedef pthread_mutex_t six_port_mutex;
typedef pthread_cond_t six_port_cond;
typedef pthread_t six_port_thread;
typedef pthread_once_t six_port_once_flag;

#define SIX_PORT_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
#define SIX_PORT_ONCE_INIT PTHREAD_ONCE_INIT
/* Per-thread variables (the thread's credentials and stack). */
#define SIX_PORT_THREAD_LOCAL _Thread_local
/* A public call on a descriptor that is not sixstack's: the system's. */
#define SIX_PORT_SYSCALL(call) (call)
/* A socket of another family than AF_INET6: the system's. */
#define SIX_PORT_SOCKET(domain, type, protocol) socket(domain, type, protocol)
/* The descriptor table's shape (sock/socktab.c): descriptors up to 4M. */
#define SIX_PORT_FD_CHUNK_BITS 10
#define SIX_PORT_FD_CHUNKS 4096u

static inline void six_port_mutex_lock(six_port_mutex *m) { pthread_mutex_lock(m); }
static inline void six_port_mutex_unlock(six_port_mutex *m) { pthread_mutex_unlock(m); }
static inline void six_port_cond_broadcast(six_port_cond *c) { pthread_cond_broadcast(c); }

#endif
