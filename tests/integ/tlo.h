/* TCP over ::1 on one stack, for tests (tcp_lo_test, tcp_rcvq_test): a
 * listener and connections through it, on the stack's manual clock. */
#ifndef SIX_TEST_TLO_H
#define SIX_TEST_TLO_H

#include "harness.h"

/* Runs what st has to do now (the clock does not move). */
static inline void tlo_run(struct six_stack *st) {
    for (int i = 0; i < 10; i++)
        six_stack_poll(st, six_stack_now(st));
}

/* A client connected to the listener l on [::1]:port: its end, the
 * server's end in *s. */
static inline int tlo_connect(struct six_stack *st, uint16_t port, int l, int *s) {
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
                                .sin6_port = htons(port)};
    int c = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int rc = six_connect(c, (struct sockaddr *)&sin6, sizeof(sin6));
    CHECK(rc == 0 || errno == EINPROGRESS);
    tlo_run(st);
    *s = (int)CHECK_OK(six_accept(l, NULL, NULL));
    return c;
}

/* A listener on [::1]:port with SO_RCVBUF rcvbuf (0: the default), not
 * yet listening. */
static inline int tlo_listener(struct six_stack *st, uint16_t port, int rcvbuf) {
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
                                .sin6_port = htons(port)};
    int l = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    if (rcvbuf)
        CHECK_OK(six_setsockopt(l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
    CHECK_OK(six_bind(l, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(l, 8));
    return l;
}

/* A listener on [::1]:port and a connection through it (client end *c,
 * server end *s); returns the listener. */
static inline int tlo_pair(struct six_stack *st, uint16_t port, int *c, int *s) {
    int l = tlo_listener(st, port, 0);
    *c = tlo_connect(st, port, l, s);
    return l;
}

/* Closes the three and frees st, nothing left behind. */
static inline void tlo_done(struct six_stack *st, int c, int s, int l) {
    CHECK_OK(six_close(c));
    CHECK_OK(six_close(s));
    CHECK_OK(six_close(l));
    tlo_run(st);
    CHECK_EQ(six_stack_pkts_in_use(st), 0);
    six_stack_free(st);
}

#endif
