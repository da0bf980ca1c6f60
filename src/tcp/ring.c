/* Byte rings for the send and receive buffers. A ring grows on demand
 * (doubling from SIX_TCP_RING_MIN up to the socket's buffer size) and is
 * given back by the TCB's timer once it has stayed empty (tcp.h), so
 * memory follows what is buffered, not what could be. Every byte of ring
 * is charged to the stack's TCP memory (tcp_mem_max). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp.h"

#define SIX_TCP_RING_MIN 4096u

/* A large ring starts on a cache line: copies into it then start aligned
 * wherever the stream is at a multiple of 64 bytes (64 KiB writes, full
 * segments), and a string copy to a misaligned destination runs at a
 * third of the speed (16 bytes off, as malloc places large blocks, is
 * enough). Small rings (a microcontroller's) are not worth the bytes
 * aligning costs. aligned_alloc wants a multiple of the alignment. */
#define RING_ALIGN 64u
#define RING_ALIGN_MIN 16384u

static uint8_t *ring_alloc(uint32_t cap) {
    if (cap < RING_ALIGN_MIN)
        return malloc(cap);
    return aligned_alloc(RING_ALIGN, (cap + RING_ALIGN - 1) & ~(size_t)(RING_ALIGN - 1));
}

int six__ring_fit(struct six_tcp *tcp, struct six_tcp_ring *r, uint32_t need, uint32_t max) {
    uint32_t cap = r->cap ? r->cap : SIX_TCP_RING_MIN;
    uint8_t *buf;

    if (need <= r->cap)
        return 0;
    if (need > max)
        return -ENOBUFS;
    while (cap < need)
        cap = cap > max / 2 ? max : cap * 2;
    if (cap > max)
        cap = max;
    if (tcp->mem_used + (cap - r->cap) > tcp->mem_max) {
        SIX_STAT(tcp->core, tcp_mem_full);
        return -ENOBUFS;
    }
    if (!(buf = ring_alloc(cap)))
        return -ENOBUFS;
    /* The new ring starts at its head: bytes past len (out-of-order data
     * of a receive ring) move with the rest. */
    if (r->buf) {
        six__ring_copy_out(r, 0, buf, r->cap);
        free(r->buf);
    }
    tcp->mem_used += cap - r->cap;
    r->buf = buf;
    r->cap = cap;
    r->head = 0;
    return 0;
}

/* Copies n bytes at offset off from the head out of the ring. */
void six__ring_copy_out(const struct six_tcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n) {
    uint32_t at = r->head + off, first;

    if (at >= r->cap)
        at -= r->cap;
    first = r->cap - at < n ? r->cap - at : n;
    memcpy(dst, r->buf + at, first);
    if (n > first)
        memcpy(dst + first, r->buf, n - first);
}

/* Writes n bytes at offset off from the head (off + n <= cap); len is the
 * caller's to move. */
void six__ring_copy_in(struct six_tcp_ring *r, uint32_t off, const uint8_t *src, uint32_t n) {
    uint32_t at = r->head + off, first;

    if (at >= r->cap)
        at -= r->cap;
    first = r->cap - at < n ? r->cap - at : n;
    memcpy(r->buf + at, src, first);
    if (n > first)
        memcpy(r->buf, src + first, n - first);
}

void six__ring_drop(struct six_tcp_ring *r, uint32_t n) {
    r->head += n;
    if (r->head >= r->cap)
        r->head -= r->cap;
    r->len -= n;
}

void six__ring_free(struct six_tcp *tcp, struct six_tcp_ring *r) {
    tcp->mem_used -= r->cap;
    free(r->buf);
    r->buf = NULL;
    r->cap = r->head = r->len = 0;
}
