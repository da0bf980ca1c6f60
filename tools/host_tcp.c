/* sixstack-host's TCP modes: an echo server (-T) and a client that sends
 * bytes and checks they come back (-C). Non-blocking sockets and six_poll,
 * so that the server shares one loop with the UDP echo and the signals.
 */
#include "host_tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <sixstack/socket.h>

#define ECHO_MAX_CONNS 64
#define CHUNK 65536

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *peer_str(int fd, char *buf, size_t len) {
    struct sockaddr_in6 a;
    socklen_t alen = sizeof(a);
    char s[INET6_ADDRSTRLEN] = "?";

    if (six_getpeername(fd, (struct sockaddr *)&a, &alen) == 0)
        inet_ntop(AF_INET6, &a.sin6_addr, s, sizeof(s));
    snprintf(buf, len, "[%s]:%u", s, ntohs(a.sin6_port));
    return buf;
}

/* ---- the echo server ---- */

struct echo_conn {
    int fd;
    int eof;                 /* the peer has half-closed */
    size_t off, len;         /* bytes waiting in buf[off, off + len) */
    uint64_t total;
    char peer[INET6_ADDRSTRLEN + 10];
    uint8_t buf[CHUNK];
};

struct tcp_echo {
    int lfd;
    int port;
    int n;
    struct echo_conn *conns[ECHO_MAX_CONNS];
};

struct tcp_echo *tcp_echo_open(struct six_stack *st, int port) {
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    struct tcp_echo *e = calloc(1, sizeof(*e));
    int one = 1;

    if (!e)
        return NULL;
    e->port = port;
    if ((e->lfd = six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0 ||
        six_setsockopt(e->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        six_bind(e->lfd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0 || six_listen(e->lfd, 16) < 0) {
        logline("tcp echo port %d: %s", port, strerror(errno));
        if (e->lfd >= 0)
            six_close(e->lfd);
        free(e);
        return NULL;
    }
    logline("tcp echo on port %d", port);
    return e;
}

int tcp_echo_pollfds(const struct tcp_echo *e, struct pollfd *pfd, int max) {
    int n = 0;

    if (max < 1)
        return 0;
    pfd[n++] = (struct pollfd){.fd = e->lfd, .events = POLLIN};
    for (int i = 0; i < e->n && n < max; i++) {
        const struct echo_conn *c = e->conns[i];
        short ev = 0;
        if (!c->eof && c->off + c->len < sizeof(c->buf))
            ev |= POLLIN;
        if (c->len)
            ev |= POLLOUT;
        pfd[n++] = (struct pollfd){.fd = c->fd, .events = ev};
    }
    return n;
}

static void echo_accept(struct tcp_echo *e) {
    for (;;) {
        int fd = six_accept4(e->lfd, NULL, NULL, SOCK_NONBLOCK), one = 1;
        struct echo_conn *c;

        if (fd < 0) {
            if (errno != EAGAIN)
                logline("tcp echo: accept: %s", strerror(errno));
            return;
        }
        if (e->n == ECHO_MAX_CONNS || !(c = calloc(1, sizeof(*c)))) {
            logline("tcp echo: too many connections, one refused");
            six_close(fd);
            continue;
        }
        six_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c->fd = fd;
        peer_str(fd, c->peer, sizeof(c->peer));
        e->conns[e->n++] = c;
        logline("tcp echo: connection from %s", c->peer);
    }
}

/* Moves what can move on c; returns 0 while c lives, -1 once closed. */
static int echo_conn_step(struct echo_conn *c) {
    for (;;) {
        int moved = 0;
        size_t room = sizeof(c->buf) - c->off - c->len;
        if (!c->eof && room > 0) {
            ssize_t r = six_recv(c->fd, c->buf + c->off + c->len, room, MSG_DONTWAIT);
            if (r > 0) {
                c->len += (size_t)r;
                moved = 1;
            } else if (r == 0) {
                c->eof = 1;
                moved = 1;
            } else if (errno != EAGAIN) {
                logline("tcp echo: %s: %s after %llu bytes", c->peer, strerror(errno),
                        (unsigned long long)c->total);
                return -1;
            }
        }
        if (c->len > 0) {
            ssize_t w = six_send(c->fd, c->buf + c->off, c->len, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (w > 0) {
                c->off += (size_t)w;
                c->len -= (size_t)w;
                c->total += (uint64_t)w;
                moved = 1;
            } else if (w < 0 && errno != EAGAIN) {
                logline("tcp echo: %s: %s after %llu bytes", c->peer, strerror(errno),
                        (unsigned long long)c->total);
                return -1;
            }
        }
        if (c->len == 0)
            c->off = 0;
        else if (c->off > sizeof(c->buf) / 2) {
            memmove(c->buf, c->buf + c->off, c->len);
            c->off = 0;
        }
        if (c->eof && c->len == 0) {
            /* The peer is done sending and has everything back: our
             * half-close follows theirs. */
            logline("tcp echo: %s: %llu bytes echoed, closed", c->peer,
                    (unsigned long long)c->total);
            return -1;
        }
        if (!moved)
            return 0;
    }
}

void tcp_echo_serve(struct tcp_echo *e, const struct pollfd *pfd, int n) {
    if (n > 0 && pfd[0].revents)
        echo_accept(e);
    /* Every connection is tried, not only those poll named: one accepted
     * just now may already hold data. */
    for (int i = 0; i < e->n;) {
        struct echo_conn *c = e->conns[i];
        if (echo_conn_step(c) < 0) {
            six_close(c->fd);
            free(c);
            e->conns[i] = e->conns[--e->n];
            continue;
        }
        i++;
    }
}

void tcp_echo_close(struct tcp_echo *e) {
    if (!e)
        return;
    for (int i = 0; i < e->n; i++) {
        six_close(e->conns[i]->fd);
        free(e->conns[i]);
    }
    six_close(e->lfd);
    free(e);
}

/* ---- the client ---- */

/* The bytes of the stream: a 64 KiB random block (fixed seed) repeated,
 * each repeat XORed with a tag of its number, so that no shift of the
 * stream by less than gigabytes matches itself. */
static uint8_t pattern_block[CHUNK];

static void pattern_init(void) {
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < sizeof(pattern_block); i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pattern_block[i] = (uint8_t)(x >> 24);
    }
}

static uint8_t pattern_at(uint64_t i) {
    return pattern_block[i & (CHUNK - 1)] ^ (uint8_t)((i >> 16) ^ ((i >> 24) * 0x5b));
}

static void pattern_fill(uint8_t *buf, uint64_t from, size_t len) {
    for (size_t k = 0; k < len; k++)
        buf[k] = pattern_at(from + k);
}

/* The offset of the first byte of buf that differs from the stream at
 * from, or -1. */
static long long pattern_check(const uint8_t *buf, uint64_t from, size_t len) {
    for (size_t k = 0; k < len; k++)
        if (buf[k] != pattern_at(from + k))
            return (long long)(from + k);
    return -1;
}

static int parse_addr_port(struct six_stack *st, const char *s, struct sockaddr_in6 *to) {
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 8], *pct, *comma;
    int port;

    memset(to, 0, sizeof(*to));
    to->sin6_family = AF_INET6;
    snprintf(buf, sizeof(buf), "%s", s);
    if (!(comma = strrchr(buf, ',')))
        return -1;
    *comma++ = 0;
    port = atoi(comma);
    if (port < 1 || port > 65535)
        return -1;
    to->sin6_port = htons((uint16_t)port);
    if ((pct = strchr(buf, '%'))) {
        *pct++ = 0;
        to->sin6_scope_id = six_if_nametoindex(st, pct);
    }
    return inet_pton(AF_INET6, buf, &to->sin6_addr) == 1 ? 0 : -1;
}

static int signalled(const sigset_t *sigs) {
    struct timespec zero = {0, 0};
    return sigtimedwait(sigs, NULL, &zero) > 0;
}

/* Connects fd (non-blocking) within wait_s; 0 or -1 with errno. */
static int connect_within(int fd, const struct sockaddr_in6 *to, double wait_s) {
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t elen = sizeof(err);

    if (six_connect(fd, (const struct sockaddr *)to, sizeof(*to)) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    if (six_poll(&pfd, 1, (int)(wait_s * 1000)) == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (six_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
        return -1;
    errno = err;
    return err ? -1 : 0;
}

int tcp_client(struct six_stack *st, const char *target, uint64_t bytes, double wait_s,
               const sigset_t *sigs) {
    static uint8_t out[CHUNK], in[CHUNK];
    struct sockaddr_in6 to;
    uint64_t sent = 0, got = 0;
    long long bad = -1;
    double t0, last;
    int fd, eof = 0, shut = 0, rc = 1;

    if (parse_addr_port(st, target, &to) < 0) {
        logline("tcp: bad destination %s (ADDR[%%DEV],PORT)", target);
        return 1;
    }
    pattern_init();
    if ((fd = six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0 ||
        connect_within(fd, &to, wait_s) < 0) {
        logline("tcp: connect %s: %s", target, strerror(errno));
        if (fd >= 0)
            six_close(fd);
        return 1;
    }
    printf("TCP %s: connected, sending %llu bytes\n", target, (unsigned long long)bytes);
    fflush(stdout);
    t0 = last = now_s();
    while (!eof) {
        struct pollfd pfd = {.fd = fd, .events = (short)(POLLIN | (sent < bytes ? POLLOUT : 0))};
        int moved = 0;

        if (six_poll(&pfd, 1, 100) == 0 && (signalled(sigs) || now_s() - last > wait_s))
            break;
        if (sent < bytes) {
            size_t n = bytes - sent < CHUNK ? (size_t)(bytes - sent) : CHUNK;
            ssize_t w;
            pattern_fill(out, sent, n);
            w = six_send(fd, out, n, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (w > 0) {
                sent += (uint64_t)w;
                moved = 1;
            } else if (w < 0 && errno != EAGAIN) {
                logline("tcp: send: %s", strerror(errno));
                break;
            }
        }
        if (sent == bytes && !shut) {
            six_shutdown(fd, SHUT_WR);   /* all sent: the server's cue to finish */
            shut = 1;
        }
        for (;;) {
            ssize_t r = six_recv(fd, in, sizeof(in), MSG_DONTWAIT);
            if (r > 0) {
                long long at = pattern_check(in, got, (size_t)r);
                if (at >= 0 && bad < 0)
                    bad = at;
                got += (uint64_t)r;
                moved = 1;
                continue;
            }
            if (r == 0)
                eof = 1;
            else if (errno != EAGAIN)
                logline("tcp: recv: %s", strerror(errno));
            break;
        }
        if (moved)
            last = now_s();
        else if (pfd.revents & POLLERR)
            break;
    }
    double t = now_s() - t0;
    printf("TCP %s: %llu bytes sent, %llu back", target, (unsigned long long)sent,
           (unsigned long long)got);
    if (bad >= 0)
        printf(", DIFFERENT from byte %lld", bad);
    else if (eof && got == bytes && sent == bytes)
        printf(", same bytes");
    else
        printf(", %s", eof ? "closed early" : "gave up");
    printf(", %.3f s, %.1f Mbit/s each way\n", t, t > 0 ? (double)got * 8 / t / 1e6 : 0);
    fflush(stdout);
    rc = eof && bad < 0 && got == bytes && sent == bytes ? 0 : 1;
    six_close(fd);
    return rc;
}
