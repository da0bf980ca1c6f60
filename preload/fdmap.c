/* The table of sixstack descriptors (see preload.h). Lookups are lock-free
 * reads of one int, so every interposed call on a system descriptor pays
 * one load; changes take a mutex. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "preload.h"

/* Descriptors up to this number can be sixstack sockets; a socket whose
 * eventfd lands higher is refused (EMFILE) by socket(). */
#define PRELOAD_MAX_FD 65536

/* primary + 1 for every descriptor of a socket, 0 for the others. */
static _Atomic int map[PRELOAD_MAX_FD];
/* Descriptors per socket, by primary. */
static int refs[PRELOAD_MAX_FD];
static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;

int preload_primary(int fd) {
    if (fd < 0 || fd >= PRELOAD_MAX_FD)
        return -1;
    return atomic_load_explicit(&map[fd], memory_order_acquire) - 1;
}

void preload_map_new(int fd) {
    pthread_mutex_lock(&map_lock);
    refs[fd] = 1;
    atomic_store(&map[fd], fd + 1);
    pthread_mutex_unlock(&map_lock);
}

void preload_map_copy(int copy, int primary) {
    pthread_mutex_lock(&map_lock);
    refs[primary]++;
    atomic_store(&map[copy], primary + 1);
    pthread_mutex_unlock(&map_lock);
}

int preload_map_drop(int fd, int *hidden) {
    int p, last;

    *hidden = 0;
    pthread_mutex_lock(&map_lock);
    p = atomic_load(&map[fd]) - 1;
    if (p < 0) {
        pthread_mutex_unlock(&map_lock);
        return -1;
    }
    last = --refs[p] == 0;
    if (fd != p || last)
        atomic_store(&map[fd], 0);
    else
        *hidden = 1;   /* the number stays the socket's until the last copy goes */
    if (last && p != fd)
        atomic_store(&map[p], 0);
    pthread_mutex_unlock(&map_lock);
    return last ? p : -1;
}

int preload_fd_fits(int fd) {
    return fd >= 0 && fd < PRELOAD_MAX_FD;
}
