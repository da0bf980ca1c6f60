/* Moving bytes between the application's iovecs and a TCB's rings: one
 * copy in on send, one copy out on receive. */
#include <errno.h>
#include <sys/socket.h>

#include "tcp/tcp.h"

/* Walks msg's iovecs from byte skip, calling fn on up to len bytes in
 * pieces. */
static size_t iov_walk(const struct msghdr *msg, size_t skip, size_t len,
                       void (*fn)(void *ctx, uint8_t *p, size_t n), void *ctx) {
    size_t done = 0;

    for (size_t i = 0; i < msg->msg_iovlen && done < len; i++) {
        size_t n = msg->msg_iov[i].iov_len;
        uint8_t *p = msg->msg_iov[i].iov_base;
        if (skip >= n) {
            skip -= n;
            continue;
        }
        p += skip;
        n -= skip;
        skip = 0;
        if (n > len - done)
            n = len - done;
        fn(ctx, p, n);
        done += n;
    }
    return done;
}

struct ring_io {
    struct six_tcp_ring *r;
    uint32_t off;
};

static void to_ring(void *ctx, uint8_t *p, size_t n) {
    struct ring_io *io = ctx;
    six__ring_copy_in(io->r, io->off, p, (uint32_t)n);
    io->off += (uint32_t)n;
}

static void from_ring(void *ctx, uint8_t *p, size_t n) {
    struct ring_io *io = ctx;
    six__ring_copy_out(io->r, io->off, p, (uint32_t)n);
    io->off += (uint32_t)n;
}

long six__tcp_send(struct six_tcb *t, const struct msghdr *msg, size_t skip, size_t len) {
    uint32_t room = six__tcp_send_room(t);
    struct ring_io io;
    size_t n;

    if (room == 0)
        return 0;
    if (len > room)
        len = room;
    if (six__ring_fit(t->tcp, &t->snd, t->snd.len + (uint32_t)len, t->sndbuf) < 0)
        return -ENOBUFS;
    io.r = &t->snd;
    io.off = t->snd.len;
    n = iov_walk(msg, skip, len, to_ring, &io);
    t->snd.len += (uint32_t)n;
    t->when[SIX_TCPT_RING] = SIX_NEVER;
    return (long)n;
}

size_t six__tcp_recv(struct six_tcb *t, struct msghdr *msg, size_t skip, size_t len, int peek) {
    struct ring_io io = {.r = &t->rcv, .off = peek ? (uint32_t)skip : 0};
    uint32_t avail = t->rcv.len - io.off;
    size_t n;

    if (len > avail)
        len = avail;
    n = iov_walk(msg, skip, len, from_ring, &io);
    if (peek || n == 0)
        return n;
    six__ring_drop(&t->rcv, (uint32_t)n);
    t->when[SIX_TCPT_RING] = SIX_NEVER;
    /* Given back a while after the last segment arrived (no clock read
     * per receive; a reader slower than that frees it at once). */
    if (t->rcv.len == 0 && t->n_ooo == 0)
        six__tcp_set_timer(t, SIX_TCPT_RING, t->last_rcv + SIX_TCP_RING_IDLE_US);
    /* A window update when reading opened the window by enough to matter
     * (RFC 9293 3.8.6.2.2: by min(half the buffer, an MSS) or more; two
     * MSS here, as Linux, so bulk transfer keeps flowing). */
    if (six__tcp_synchronized(t) && !t->fin_rcvd) {
        uint32_t room = t->rcvbuf - t->rcv.len, most = 65535u << t->rcv_wscale;
        uint32_t adv = t->rcv_adv - t->rcv_nxt;
        uint32_t step = 2u * t->mss < t->rcvbuf / 2 ? 2u * t->mss : t->rcvbuf / 2;
        if (room > most)
            room = most;     /* all a header can say (no window scale: 64 KiB) */
        if (room >= adv + step) {
            t->ack_now = 1;
            six__tcp_output(t);
        }
    }
    return n;
}
