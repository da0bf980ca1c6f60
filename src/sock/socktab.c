/* The process-wide descriptor table: fd -> socket. A two-level array of
 * pointers (chunks made on first use) behind a rwlock; lookups take the
 * read lock only long enough to lock the socket's stack. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "sock/sock.h"

#define CHUNK_BITS 10
#define CHUNK_SIZE (1u << CHUNK_BITS)
#define NCHUNKS 4096u   /* descriptors up to 4M */

static pthread_rwlock_t tab_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct six_sock **chunks[NCHUNKS];

static struct six_sock **slot(int fd, int create) {
    unsigned c, i;

    if (fd < 0 || (unsigned)fd >= NCHUNKS * CHUNK_SIZE)
        return NULL;
    c = (unsigned)fd >> CHUNK_BITS;
    i = (unsigned)fd & (CHUNK_SIZE - 1);
    if (!chunks[c]) {
        if (!create)
            return NULL;
        chunks[c] = calloc(CHUNK_SIZE, sizeof(*chunks[c]));
        if (!chunks[c])
            return NULL;
    }
    return &chunks[c][i];
}

int six__socktab_insert(struct six_sock *s) {
    struct six_sock **p;
    int rc = 0;

    pthread_rwlock_wrlock(&tab_lock);
    p = slot(s->fd, 1);
    if (p)
        *p = s;
    else
        rc = -EMFILE;
    pthread_rwlock_unlock(&tab_lock);
    return rc;
}

void six__socktab_remove(int fd) {
    struct six_sock **p;

    pthread_rwlock_wrlock(&tab_lock);
    p = slot(fd, 0);
    if (p)
        *p = NULL;
    pthread_rwlock_unlock(&tab_lock);
}

struct six_sock *six__sock_acquire(int fd) {
    struct six_sock **p, *s = NULL;

    pthread_rwlock_rdlock(&tab_lock);
    p = slot(fd, 0);
    if (p && *p) {
        s = *p;
        /* Taking the stack's lock before letting go of the table keeps
         * close() (which needs the table's write lock first) from freeing
         * s in between. */
        pthread_mutex_lock(&s->socks->core->lock);
    }
    pthread_rwlock_unlock(&tab_lock);
    if (!s)
        return NULL;
    if (s->closing) {
        pthread_mutex_unlock(&s->socks->core->lock);
        return NULL;
    }
    s->busy++;
    return s;
}

static void sock_free(struct six_sock *s) {
    six__opts_release(&s->sticky);
    free(s->memb);
    free(s);
}

void six__sock_release(struct six_sock *s) {
    struct six_core *core = s->socks->core;

    if (--s->busy == 0 && s->closing) {
        struct six_socks *socks = s->socks;
        sock_free(s);
        /* six__socks_fini may be waiting for the last one. */
        socks->closed_busy--;
        six__core_wake(core);
    }
    pthread_mutex_unlock(&core->lock);
}

void six__sock_close_locked(struct six_sock *s) {
    struct six_socks *socks = s->socks;
    struct six_sock **pp;

    /* close() and six_stack_free() can both reach here for one socket;
     * only the first closes it (a second close(fd) could close another
     * file that took the number meanwhile). */
    if (s->closed)
        return;
    s->closed = 1;
    s->closing = 1;
    if (s->ops->detach)
        s->ops->detach(s);
    /* ip6(4): memberships are dropped when the socket is closed. */
    six__sock_leave_all(s);
    for (pp = &socks->all; *pp; pp = &(*pp)->next_all) {
        if (*pp == s) {
            *pp = s->next_all;
            break;
        }
    }
    socks->nsocks--;
    six__pktq_purge(&s->rxq);
    s->rx_bytes = 0;
    close(s->fd);
    /* Blocked callers wake, see closing and return EBADF; the last one
     * frees the socket. */
    six__core_wake(socks->core);
    if (s->busy == 0)
        sock_free(s);
    else
        socks->closed_busy++;
}
