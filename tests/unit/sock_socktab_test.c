/* The descriptor table's lookups run without a lock (src/sock/socktab.c):
 * a closed socket, and a freed stack, are only given back after every
 * lookup that may have loaded the old entry has finished. These tests stop
 * a thread inside that window (a test hook) and check that the closing
 * thread's free waits for it, and that the stopped lookup then finds the
 * descriptor gone instead of using freed memory (which ASan would catch). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "sock/sock.h"
#include "test.h"

static _Thread_local int stop_here;
static atomic_int in_window, let_go;

static void hold_in_window(int fd) {
    (void)fd;
    if (!stop_here)
        return;
    atomic_store(&in_window, 1);
    while (!atomic_load(&let_go))
        sched_yield();
}

static void sleep_ms(long ms) {
    struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
    nanosleep(&ts, NULL);
}

struct looker {
    pthread_t t;
    int fd;
    int found;        /* six_is_socket's answer */
};

static void *look(void *arg) {
    struct looker *l = arg;
    stop_here = 1;
    l->found = six_is_socket(l->fd);
    return NULL;
}

struct closer {
    pthread_t t;
    struct six_stack *st;
    int fd;
    int free_stack;   /* 0: close fd and enough others for a batch free */
    atomic_int done;
};

static void *close_things(void *arg) {
    struct closer *c = arg;
    if (c->free_stack) {
        six_stack_free(c->st);
    } else {
        six_close(c->fd);
        for (int i = 0; i < SIX_RETIRE_BATCH; i++)
            six_close(six_socket_on(c->st, AF_INET6, SOCK_DGRAM, 0));
    }
    atomic_store(&c->done, 1);
    return NULL;
}

static struct six_stack *stack_up(void) {
    struct six_stack_config cfg;
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 7;
    struct six_stack *st = six_stack_new(&cfg);
    CHECK(st != NULL);
    return st;
}

/* A looker stopped in the window; the closer runs; checks it cannot finish
 * until the looker is let go, and that the looker then sees no socket. */
static void race(int free_stack) {
    struct six_stack *st = stack_up();
    struct looker l = {.fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0))};
    struct closer c = {.st = st, .fd = l.fd, .free_stack = free_stack};

    atomic_store(&in_window, 0);
    atomic_store(&let_go, 0);
    six__socktab_window_hook = hold_in_window;
    CHECK_EQ(pthread_create(&l.t, NULL, look, &l), 0);
    while (!atomic_load(&in_window))
        sched_yield();
    CHECK_EQ(pthread_create(&c.t, NULL, close_things, &c), 0);
    sleep_ms(100);
    CHECK(!atomic_load(&c.done));   /* waiting for the looker */
    atomic_store(&let_go, 1);
    pthread_join(l.t, NULL);
    pthread_join(c.t, NULL);
    six__socktab_window_hook = NULL;
    CHECK(atomic_load(&c.done));
    CHECK_EQ(l.found, 0);
    if (!free_stack)
        six_stack_free(st);
}

TEST(batch_free_waits_for_a_lookup_in_its_window) { race(0); }

TEST(stack_free_waits_for_a_lookup_in_its_window) { race(1); }

/* A descriptor number the system hands out again after a close names the
 * new socket, never the old one. */
TEST(reused_number_names_the_new_socket) {
    struct six_stack *st = stack_up();
    int a = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0));
    int type = 0;
    socklen_t len = sizeof(type);

    six_set_creds(&(struct six_creds){.privileged = 1});   /* for SOCK_RAW */
    CHECK_OK(six_close(a));
    CHECK(!six_is_socket(a));
    int b = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_RAW, 253));
    CHECK_EQ(b, a);   /* the lowest free number, as POSIX says */
    CHECK_OK(six_getsockopt(b, SOL_SOCKET, SO_TYPE, &type, &len));
    CHECK_EQ(type, SOCK_RAW);
    CHECK_OK(six_close(b));
    six_stack_free(st);
    six_set_creds(NULL);
}
