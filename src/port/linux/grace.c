/* Grace periods for readers that take no lock (port/port.h), here for the
 * descriptor table (sock/socktab.c).
 *
 * Each thread has a reader record whose sequence number is odd while it is
 * in its window. Entering costs a store and a compiler barrier: the other
 * side of the barrier is paid by the rare writer, with membarrier(2)
 * (Linux 4.14), which makes every running thread of the process execute a
 * full barrier. Where membarrier is missing (or under ThreadSanitizer,
 * which does not model it), readers pay a full barrier themselves. */
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "port/port.h"

#if defined(__SANITIZE_THREAD__)
#define SIX_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SIX_TSAN 1
#endif
#endif

struct six_port_reader {
    atomic_ulong seq;           /* odd: in the window */
    atomic_int in_use;          /* a live thread owns it */
    struct six_port_reader *next; /* records are reused, never freed */
};

static _Atomic(struct six_port_reader *) readers;
static _Thread_local struct six_port_reader *my_reader;
static pthread_key_t reader_key;
static pthread_once_t reader_once = PTHREAD_ONCE_INIT;
static int use_membarrier;
/* Threads that could not get a record (out of memory) take this shared;
 * a grace period takes it exclusively. */
static pthread_rwlock_t no_record_lock = PTHREAD_RWLOCK_INITIALIZER;

static void reader_gone(void *r) { atomic_store(&((struct six_port_reader *)r)->in_use, 0); }

static void readers_init(void) {
    pthread_key_create(&reader_key, reader_gone);
#ifndef SIX_TSAN
    use_membarrier = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
#endif
}

static struct six_port_reader *reader_register(void) {
    struct six_port_reader *r;

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

struct six_port_reader *six_port_read_begin(void) {
    struct six_port_reader *r = my_reader ? my_reader : reader_register();
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

void six_port_read_end(struct six_port_reader *r) {
    if (!r) {
        pthread_rwlock_unlock(&no_record_lock);
        return;
    }
    atomic_store_explicit(&r->seq, atomic_load_explicit(&r->seq, memory_order_relaxed) + 1,
                          memory_order_release);
}

void six_port_synchronize(void) {
    pthread_once(&reader_once, readers_init);
    if (!use_membarrier || syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
        atomic_thread_fence(memory_order_seq_cst);
    for (struct six_port_reader *r = atomic_load(&readers); r; r = r->next) {
        unsigned long v = atomic_load_explicit(&r->seq, memory_order_acquire);
        /* The window is a few instructions and a mutex: yield, not sleep. */
        while ((v & 1) && atomic_load_explicit(&r->seq, memory_order_acquire) == v)
            sched_yield();
    }
    pthread_rwlock_wrlock(&no_record_lock);
    pthread_rwlock_unlock(&no_record_lock);
}
