/* The process-wide descriptor table: fd -> socket, read without a lock.
 *
 * A two-level array of atomic pointers (chunks made on first use, never
 * freed). A lookup loads the slot, locks the socket's stack and checks the
 * slot still names a socket that is not closing. What makes the unlocked
 * load safe is that a closed socket's memory, and a freed stack's, are
 * only given back after a grace period: every thread that was between
 * loading a slot and locking a stack has left that window.
 *
 * Each thread has a reader record whose sequence number is odd while it is
 * in the window. Entering costs a store and a compiler barrier: the other
 * side of the barrier is paid by the rare writer, with membarrier(2)
 * (Linux 4.14), which makes every running thread of the process execute a
 * full barrier. Where membarrier is missing (or under ThreadSanitizer,
 * which does not model it), readers pay a full barrier themselves.
 *
 * Closed sockets wait on their stack's retired list and are freed in
 * batches of SIX_RETIRE_BATCH, one grace period each; a stack's fini frees
 * the rest after one more. */
#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sock/sock.h"

#define CHUNK_BITS 10
#define CHUNK_SIZE (1u << CHUNK_BITS)
#define NCHUNKS 4096u   /* descriptors up to 4M */

#if defined(__SANITIZE_THREAD__)
#define SIX_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SIX_TSAN 1
#endif
#endif

typedef _Atomic(struct six_sock *) slot_t;

static pthread_mutex_t chunk_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(slot_t *) chunks[NCHUNKS];

/* ---- readers and grace periods ---- */

struct reader {
    atomic_ulong seq;           /* odd: between loading a slot and locking */
    atomic_int in_use;          /* a live thread owns it */
    struct reader *next;        /* records are reused, never freed */
};

static _Atomic(struct reader *) readers;
static _Thread_local struct reader *my_reader;
static pthread_key_t reader_key;
static pthread_once_t reader_once = PTHREAD_ONCE_INIT;
static int use_membarrier;
/* Threads that could not get a record (out of memory) take this shared;
 * a grace period takes it exclusively. */
static pthread_rwlock_t no_record_lock = PTHREAD_RWLOCK_INITIALIZER;

static void reader_gone(void *r) { atomic_store(&((struct reader *)r)->in_use, 0); }

static void readers_init(void) {
    pthread_key_create(&reader_key, reader_gone);
#ifndef SIX_TSAN
    use_membarrier = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
#endif
}

static struct reader *reader_register(void) {
    struct reader *r;

    pthread_once(&reader_once, readers_init);
    for (r = atomic_load(&readers); r; r = r->next) {
        int free_one = 0;
        if (atomic_compare_exchange_strong(&r->in_use, &free_one, 1))
            break;
    }
    if (!r) {
        if (!(r = calloc(1, sizeof(*r))))
            return NULL;
        atomic_store(&r->in_use, 1);
        r->next = atomic_load(&readers);
        while (!atomic_compare_exchange_weak(&readers, &r->next, r))
            ;
    }
    pthread_setspecific(reader_key, r);
    my_reader = r;
    return r;
}

static struct reader *reader_enter(void) {
    struct reader *r = my_reader ? my_reader : reader_register();
    unsigned long v;

    if (!r) {
        pthread_rwlock_rdlock(&no_record_lock);
        return NULL;
    }
    v = atomic_load_explicit(&r->seq, memory_order_relaxed) + 1;
    if (use_membarrier) {
        atomic_store_explicit(&r->seq, v, memory_order_relaxed);
        atomic_signal_fence(memory_order_seq_cst);
    } else {
        atomic_exchange(&r->seq, v);
    }
    return r;
}

static void reader_exit(struct reader *r) {
    if (!r) {
        pthread_rwlock_unlock(&no_record_lock);
        return;
    }
    atomic_store_explicit(&r->seq, atomic_load_explicit(&r->seq, memory_order_relaxed) + 1,
                          memory_order_release);
}

void six__socktab_synchronize(void) {
    pthread_once(&reader_once, readers_init);
    if (!use_membarrier || syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
        atomic_thread_fence(memory_order_seq_cst);
    for (struct reader *r = atomic_load(&readers); r; r = r->next) {
        unsigned long v = atomic_load_explicit(&r->seq, memory_order_acquire);
        /* The window is a few instructions and a mutex: yield, not sleep. */
        while ((v & 1) && atomic_load_explicit(&r->seq, memory_order_acquire) == v)
            sched_yield();
    }
    pthread_rwlock_wrlock(&no_record_lock);
    pthread_rwlock_unlock(&no_record_lock);
}

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
    pthread_mutex_lock(&chunk_lock);
    chunk = atomic_load(&chunks[c]);
    if (!chunk && (chunk = calloc(CHUNK_SIZE, sizeof(*chunk))))
        atomic_store_explicit(&chunks[c], chunk, memory_order_release);
    pthread_mutex_unlock(&chunk_lock);
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
    struct reader *r;

    if (!p || !atomic_load_explicit(p, memory_order_relaxed))
        return NULL;   /* not ours: no window needed */
    r = reader_enter();
    s = atomic_load_explicit(p, memory_order_acquire);
    if (six__socktab_window_hook)
        six__socktab_window_hook(fd);
    if (s) {
        pthread_mutex_lock(&s->socks->core->lock);
        /* Checked before leaving the window: once out, only our busy mark
         * keeps s from being retired and freed. */
        if (s->closing || atomic_load_explicit(p, memory_order_relaxed) != s) {
            pthread_mutex_unlock(&s->socks->core->lock);
            s = NULL;
        } else {
            s->busy++;
        }
    }
    reader_exit(r);
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
    pthread_mutex_unlock(&core->lock);
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
    close(s->fd);
    /* Blocked callers wake, see closing and return EBADF; the last one
     * retires the socket. */
    six__core_wake(socks->core);
    if (s->busy == 0)
        sock_retire(s);
    else
        socks->closed_busy++;
}
