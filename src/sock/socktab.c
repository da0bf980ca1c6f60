/* The process-wide descriptor table: fd -> socket, read without a lock.
 *
 * A two-level array of atomic pointers (chunks made on first use, never
 * freed). A lookup loads the slot, locks the socket's stack and checks the
 * slot still names a socket that is not closing. What makes the unlocked
 * load safe is that a closed socket's memory, and a freed stack's, are
 * only given back after a grace period: every thread that was between
 * loading a slot and locking a stack has left that window.
 *
 * The platform layer keeps the readers' windows and waits out the grace
 * periods (port/linux/grace.c: per-thread records and membarrier(2)).
 *
 * Closed sockets wait on their stack's retired list and are freed in
 * batches of SIX_RETIRE_BATCH, one grace period each; a stack's fini frees
 * the rest after one more. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "sock/sock.h"

#define CHUNK_BITS SIX_PORT_FD_CHUNK_BITS
#define CHUNK_SIZE (1u << CHUNK_BITS)
#define NCHUNKS SIX_PORT_FD_CHUNKS

typedef _Atomic(struct six_sock *) slot_t;

static six_port_mutex chunk_lock = SIX_PORT_MUTEX_INITIALIZER;
static _Atomic(slot_t *) chunks[NCHUNKS];

void six__socktab_synchronize(void) { six_port_synchronize(); }

void (*six__socktab_window_hook)(int fd);

/* ---- the table ---- */

/* fd's slot, or NULL when fd is out of range or its chunk was never made. */
static inline slot_t *slot(int fd) {
    slot_t *chunk;

    if (fd < 0 || (unsigned)fd >= NCHUNKS * CHUNK_SIZE)
        return NULL;
    chunk = atomic_load_explicit(&chunks[(unsigned)fd >> CHUNK_BITS], memory_order_acquire);
    return chunk ? &chunk[(unsigned)fd & (CHUNK_SIZE - 1)] : NULL;
}

/* The same, making fd's chunk when it is missing (insertions only). */
static slot_t *slot_make(int fd) {
    slot_t *p = slot(fd), *chunk;
    unsigned c = (unsigned)fd >> CHUNK_BITS;

    if (p || fd < 0 || (unsigned)fd >= NCHUNKS * CHUNK_SIZE)
        return p;
    six_port_mutex_lock(&chunk_lock);
    chunk = atomic_load(&chunks[c]);
    if (!chunk && (chunk = calloc(CHUNK_SIZE, sizeof(*chunk))))
        atomic_store_explicit(&chunks[c], chunk, memory_order_release);
    six_port_mutex_unlock(&chunk_lock);
    return chunk ? &chunk[(unsigned)fd & (CHUNK_SIZE - 1)] : NULL;
}

int six__socktab_insert(struct six_sock *s) {
    slot_t *p = slot_make(s->fd);

    if (!p)
        return -EMFILE;
    atomic_store_explicit(p, s, memory_order_release);
    return 0;
}

void six__socktab_remove(struct six_sock *s) {
    slot_t *p = slot(s->fd);
    struct six_sock *was = s;

    /* Only while it still names s: the number may have been reused. */
    if (p)
        atomic_compare_exchange_strong(p, &was, NULL);
}

struct six_sock *six__sock_acquire(int fd) {
    slot_t *p = slot(fd);
    struct six_sock *s;
    struct six_port_reader *r;

    if (!p || !atomic_load_explicit(p, memory_order_relaxed))
        return NULL;   /* not ours: no window needed */
    r = six_port_read_begin();
    s = atomic_load_explicit(p, memory_order_acquire);
    if (six__socktab_window_hook)
        six__socktab_window_hook(fd);
    if (s) {
        six__core_lock(s->socks->core);
        /* Checked before leaving the window: once out, only our busy mark
         * keeps s from being retired and freed. */
        if (s->closing || atomic_load_explicit(p, memory_order_relaxed) != s) {
            six__core_unlock(s->socks->core);
            s = NULL;
        } else {
            s->busy++;
            six__core_hold_now(s->socks->core);
        }
    }
    six_port_read_end(r);
    return s;
}

static void sock_retire(struct six_sock *s) {
    struct six_socks *socks = s->socks;

    six__opts_release(&s->sticky);
    free(s->memb);
    s->memb = NULL;
    s->next_all = socks->retired;
    socks->retired = s;
    socks->nretired++;
}

void six__socks_free_retired(struct six_sock *list) {
    six__socktab_synchronize();
    while (list) {
        struct six_sock *next = list->next_all;
        free(list);
        list = next;
    }
}

/* The retired sockets, when there are enough for a grace period. */
static struct six_sock *take_batch(struct six_socks *socks) {
    struct six_sock *batch = socks->retired;

    if (socks->nretired < SIX_RETIRE_BATCH)
        return NULL;
    socks->retired = NULL;
    socks->nretired = 0;
    return batch;
}

void six__sock_release(struct six_sock *s) {
    struct six_socks *socks = s->socks;
    struct six_core *core = socks->core;
    struct six_sock *batch;

    if (--s->busy == 0 && s->closing) {
        sock_retire(s);
        /* six__socks_fini may be waiting for the last one. */
        socks->closed_busy--;
        six__core_wake(core);
    }
    batch = take_batch(socks);
    six__core_drop_now(core);
    six__core_unlock(core);
    if (batch)
        six__socks_free_retired(batch);
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
    /* Before close(): the number is free for reuse after it. */
    six__socktab_remove(s);
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
    six__sock_errq_purge(s);
    six_port_signal_close(s->fd);
    /* Blocked callers wake, see closing and return EBADF; the last one
     * retires the socket. */
    six__core_wake(socks->core);
    if (s->busy == 0)
        sock_retire(s);
    else
        socks->closed_busy++;
}
