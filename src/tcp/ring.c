/* Byte rings for the send and receive buffers: allocated on first use at
 * their full size, given back by the TCB's timer once they have stayed
 * empty (tcp.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp.h"

int six__ring_reserve(struct six_tcp_ring *r, uint32_t cap) {
    if (r->buf)
        return 0;
    if (!(r->buf = malloc(cap)))
        return -ENOBUFS;
    r->cap = cap;
    r->head = 0;
    r->len = 0;
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
    if (r->len == 0)
        r->head = 0;
}

void six__ring_free(struct six_tcp_ring *r) {
    free(r->buf);
    r->buf = NULL;
    r->cap = r->head = r->len = 0;
}
