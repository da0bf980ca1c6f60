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

#endif
