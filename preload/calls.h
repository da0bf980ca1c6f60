/* Shared by the interposers (calls.c, io.c, wait.c, ifaces.c). */
#ifndef SIX_PRELOAD_CALLS_H
#define SIX_PRELOAD_CALLS_H

#include <sys/socket.h>

/* fd's socket's primary descriptor; -1 for a system descriptor; -2 with
 * errno EBADF for an inherited one in a forked child. */
int preload_sock(int fd);
/* A blocking receive that signals interrupt (calls.c). */
ssize_t preload_recvmsg(int p, struct msghdr *m, int flags);
void preload_note_failure(const char *call, int level, int name);
/* Buffer overflow caught by a _chk call: abort as the C library does. */
_Noreturn void preload_chk_fail(void);
/* The C library's function name (dlsym RTLD_NEXT), or NULL. */
void *preload_find(const char *name);
/* epoll.c: a descriptor closed; a send on socket p found it full. */
void preload_epoll_forget(int fd);
void preload_epoll_send_blocked(int p);
/* What a send on socket p returned (want bytes asked): a send that found
 * the socket full is told to epoll (edge-triggered EPOLLOUT). */
ssize_t preload_sent(int p, ssize_t rc, size_t want);

/* The start of every interposer: p is fd's socket, or the call goes to
 * the C library (call_real), or fails (EBADF in a forked child). */
#define ON_SIX(fd, p, call_real)  \
    int p = preload_sock(fd);     \
    if (p == -2)                  \
        return -1;                \
    if (p < 0)                    \
        return call_real;

#endif
