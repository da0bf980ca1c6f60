/* Moving bytes between the application's iovecs and a TCB's buffers: one
 * copy in on send (into the send ring), one copy out on receive (from the
 * packets of the receive queue, then from the receive ring). */
#include <errno.h>
#include <string.h>
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

/* ---- the receive queue ---- */

/* Shorter data is copied (into the ring, or after the queue's last
 * packet): a 64-byte copy costs less than keeping a packet, and a buffer
 * held for a few bytes wastes the receive buffer's room. */
#define SIX_TCP_KEEP_MIN 1024u

/* pkt may stay in the receive queue when nobody else holds it, someone
 * may read it (a socket, or a listener's child a socket will accept; a
 * closed socket's connection holds nothing in the pools), nothing of the
 * stream waits in the ring (the queue is read first), the socket's
 * receive memory (ring and queued buffers) stays within its buffer size
 * and the stack's TCP memory within its bound, and its pool keeps half
 * its buffers free: packets held for a slow reader must never leave the
 * stack without buffers for everything else (ACKs included); past that,
 * data is copied into the ring as before. */
static int may_keep(const struct six_tcb *t, const struct six_pkt *pkt) {
    const struct six_tcp *tcp = t->tcp;
    const struct six_pool *pool = pkt->pool;

    return pkt->refs == 1 && (t->owner || t->parent) && t->rcv.len == 0 && t->n_ooo == 0 &&
           (uint64_t)t->rcvq_mem + t->rcv.cap + pkt->cap <= t->rcvbuf &&
           tcp->mem_used + pkt->cap <= tcp->mem_max && pool && pool->out <= pool->max / 2;
}

/* Room after the data of the queue's last packet for len more bytes:
 * the short segment that ends a write then joins the full one before it
 * (one copy, no buffer held). Not where the packet is shared. */
static struct six_pkt *tail_room(const struct six_tcb *t, uint32_t len) {
    struct six_pkt *last = t->rcvq.tail;

    if (!last || last->refs != 1 || t->rcv.len || t->n_ooo)
        return NULL;
    return (size_t)(last->buf + last->cap - (last->data + last->len)) >= len ? last : NULL;
}

int six__tcp_rcvq_take(struct six_tcb *t, struct six_pkt *pkt, const uint8_t *data, uint32_t len) {
    struct six_pkt *last;

    if (len < SIX_TCP_KEEP_MIN) {
        if (!(last = tail_room(t, len)))
            return 0;
        memcpy(last->data + last->len, data, len);
        last->len += len;
        t->rcvq_bytes += len;
        return 1;
    }
    if (!may_keep(t, pkt))
        return 0;
    six__pkt_ref(pkt);
    pkt->data += data - pkt->data;
    pkt->len = len;
    six__pktq_push(&t->rcvq, pkt);
    t->rcvq_bytes += len;
    t->rcvq_mem += pkt->cap;
    t->tcp->mem_used += pkt->cap;
    return 1;
}

/* Frees the queue's first packet. */
static void rcvq_free_head(struct six_tcb *t) {
    struct six_pkt *pkt = six__pktq_pop(&t->rcvq);

    t->rcvq_bytes -= pkt->len;
    t->rcvq_mem -= pkt->cap;
    t->tcp->mem_used -= pkt->cap;
    six__pkt_free(pkt);
}

void six__tcp_rcvq_purge(struct six_tcb *t) {
    while (t->rcvq.head)
        rcvq_free_head(t);
}

/* A reader's place in the stream: off bytes into the queue's packet pkt,
 * then (pkt NULL) ring_off bytes into the receive ring. */
struct rcv_io {
    struct six_tcb *t;
    const struct six_pkt *pkt;
    uint32_t off, ring_off;
};

/* The place at byte at of the readable stream. */
static void rcv_seek(struct six_tcb *t, uint32_t at, struct rcv_io *io) {
    io->t = t;
    io->pkt = t->rcvq.head;
    while (io->pkt && at >= io->pkt->len) {
        at -= io->pkt->len;
        io->pkt = io->pkt->next;
    }
    io->off = io->pkt ? at : 0;
    io->ring_off = io->pkt ? 0 : at;
}

static void from_stream(void *ctx, uint8_t *p, size_t n) {
    struct rcv_io *io = ctx;

    while (n && io->pkt) {
        uint32_t k = io->pkt->len - io->off;
        if (k > n)
            k = (uint32_t)n;
        memcpy(p, io->pkt->data + io->off, k);
        p += k;
        n -= k;
        io->off += k;
        if (io->off == io->pkt->len) {
            io->pkt = io->pkt->next;
            io->off = 0;
        }
    }
    if (n) {
        six__ring_copy_out(&io->t->rcv, io->ring_off, p, (uint32_t)n);
        io->ring_off += (uint32_t)n;
    }
}

/* Consumes the first n readable bytes: the queue's, then the ring's. */
static void rcv_consume(struct six_tcb *t, uint32_t n) {
    struct six_pkt *pkt;

    while (n && (pkt = t->rcvq.head)) {
        if (n < pkt->len) {
            pkt->data += n;
            pkt->len -= n;
            t->rcvq_bytes -= n;
            return;
        }
        n -= pkt->len;
        rcvq_free_head(t);
    }
    if (n)
        six__ring_drop(&t->rcv, n);
}

size_t six__tcp_recv(struct six_tcb *t, struct msghdr *msg, size_t skip, size_t len, int peek) {
    uint32_t from = peek ? (uint32_t)skip : 0;
    uint32_t avail = six__tcp_readable(t) - from;
    struct rcv_io io;
    size_t n;

    if (len > avail)
        len = avail;
    rcv_seek(t, from, &io);
    n = iov_walk(msg, skip, len, from_stream, &io);
    if (peek || n == 0)
        return n;
    rcv_consume(t, (uint32_t)n);
    t->when[SIX_TCPT_RING] = SIX_NEVER;
    /* Given back a while after the last segment arrived (no clock read
     * per receive; a reader slower than that frees it at once). */
    if (t->rcv.len == 0 && t->n_ooo == 0)
        six__tcp_set_timer(t, SIX_TCPT_RING, t->last_rcv + SIX_TCP_RING_IDLE_US);
    /* A window update when reading opened the window by enough to matter
     * (RFC 9293 3.8.6.2.2: by min(half the buffer, an MSS) or more; two
     * MSS here, as Linux, so bulk transfer keeps flowing). */
    if (six__tcp_synchronized(t) && !t->fin_rcvd) {
        uint32_t held = six__tcp_readable(t);
        uint32_t room = t->rcvbuf > held ? t->rcvbuf - held : 0, most = 65535u << t->rcv_wscale;
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
