/* The platform layer: everything sixstack needs from a system, behind one
 * small interface. Nothing above src/port/ calls the operating system or
 * includes a header of it (scripts/check-layers.sh fails when something
 * does); it calls these functions instead.
 *
 * Two implementations, chosen when building (CMake's SIX_PORT):
 *   linux/  threads, eventfd descriptors, getrandom, membarrier;
 *   bare/   no operating system: one thread of control, the application
 *           drives the stack with six_stack_poll(), descriptors are small
 *           numbers whose readiness six_poll() reports, memory comes from
 *           a static arena, randomness from a hook the application sets.
 * docs/ARCHITECTURE.md ("The platform layer") says how to write a third.
 *
 * Conventions: functions that can fail return 0 (or a descriptor) or a
 * negative errno. The types (six_port_mutex, six_port_cond, ...) and the
 * cheapest calls, inline, come from the implementation's port_os.h.
 */
#ifndef SIX_PORT_PORT_H
#define SIX_PORT_PORT_H

#include <stddef.h>
#include <stdint.h>

#include <sixstack/socket.h>

#ifdef SIX_PORT_BARE
#include "port/bare/port_os.h"
#else
#include "port/linux/port_os.h"
#endif

/* "No deadline" for six_port_cond_wait (the same value as SIX_NEVER). */
#define SIX_PORT_FOREVER UINT64_MAX

/* ---- clock ---- */
/* A monotonic clock in microseconds, from an arbitrary origin. */
uint64_t six_port_mono_us(void);
/* The wall clock in microseconds since the epoch (receive timestamps);
 * 0 where the system has none. */
uint64_t six_port_wall_us(void);

/* ---- randomness ----
 * len unpredictable bytes (seeds and hash keys). -ENOSYS when the system
 * has no source (bare: no hook set); the core then falls back to what it
 * has (documented in core.h). */
int six_port_random(void *out, size_t len);

/* ---- locks and condition waits ----
 * six_port_mutex_lock/unlock and six_port_cond_broadcast are inline in
 * port_os.h (they are on every packet's path). */
int six_port_mutex_init(six_port_mutex *m);
void six_port_mutex_fini(six_port_mutex *m);
int six_port_cond_init(six_port_cond *c);
void six_port_cond_fini(six_port_cond *c);
/* Waits (m held) until broadcast or until six_port_mono_us() reaches
 * until_us (SIX_PORT_FOREVER: no deadline). Returns 0 when woken (maybe
 * spuriously), -ETIMEDOUT, or -EWOULDBLOCK when nothing could ever wake
 * it (bare: there is no other thread). */
int six_port_cond_wait(six_port_cond *c, six_port_mutex *m, uint64_t until_us);

/* ---- threads ---- */
/* Runs fn(arg) in a new thread; -ENOTSUP where there are none (bare). */
int six_port_thread_start(six_port_thread *t, void *(*fn)(void *), void *arg);
void six_port_thread_join(six_port_thread *t);
/* Runs fn once per process, however many threads ask at once. */
void six_port_once(six_port_once_flag *once, void (*fn)(void));

/* ---- grace periods ----
 * For the descriptor table (sock/socktab.c), read without a lock: memory
 * a reader may still be looking at is given back only after
 * six_port_synchronize() has seen every reader leave its window. */
struct six_port_reader;
struct six_port_reader *six_port_read_begin(void);
void six_port_read_end(struct six_port_reader *r);
void six_port_synchronize(void);

/* ---- the "socket became ready" signal ----
 * A socket's descriptor is a signal: a number the application can poll
 * (linux: an eventfd, so the system's poll and epoll work on it; bare: a
 * small number that only six_poll knows). Raising an already raised
 * signal, or lowering a lowered one, changes nothing. */
int six_port_signal_open(void);
int six_port_signal_raise(int fd);
int six_port_signal_lower(int fd);
void six_port_signal_close(int fd);
/* The close-on-exec flag of a signal (F_GETFD, F_SETFD). */
int six_port_signal_fdflags(int fd, int cmd, int arg);

/* ---- descriptors that are not sixstack's ----
 * The public calls hand them to the system (linux), or answer EBADF where
 * there is none (bare). On bare, six_port_poll sees only signals and
 * answers -EWOULDBLOCK rather than wait for one: nothing can raise it
 * meanwhile. All return a count (poll) or 0, or a negative errno. */
int six_port_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);
int six_port_close(int fd);
int six_port_fcntl(int fd, int cmd, long arg);
int six_port_ioctl(int fd, unsigned long req, void *arg);

/* ---- SIGPIPE ----
 * What a write to a connection the peer closed raises in the calling
 * thread without MSG_NOSIGNAL (linux: SIGPIPE, as the kernel does; bare:
 * nothing, there are no signals). */
void six_port_sigpipe(void);

/* ---- credentials ---- */
/* The ids sockets are created with when the thread set none; privileged
 * iff uid is 0 (bare: the application is the only user, uid 0). */
void six_port_ids(unsigned *uid, unsigned *gid);

#endif
