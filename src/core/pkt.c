/* Packet buffers: see pkt.h. */
#include "core/pkt.h"

#include <stdlib.h>
#include <string.h>

static void pool_init(struct six_pool *pool, size_t bufsize, unsigned max) {
    pool->bufsize = bufsize;
    pool->max = max;
    pool->out = 0;
    pool->made = 0;
    pool->free = NULL;
}

void six__pools_init(struct six_pools *p, unsigned small_max, unsigned large_max) {
    pool_init(&p->small, SIX_PKT_SMALL, small_max);
    pool_init(&p->large, SIX_PKT_LARGE, large_max);
    p->fail_nth = 0;
    p->failures = 0;
}

static void pool_fini(struct six_pool *pool) {
    while (pool->free) {
        struct six_pkt *pkt = pool->free;
        pool->free = pkt->next;
        free(pkt);
    }
    pool->made = pool->out;
}

void six__pools_fini(struct six_pools *p) {
    pool_fini(&p->small);
    pool_fini(&p->large);
}

unsigned six__pools_in_use(const struct six_pools *p) {
    return p->small.out + p->large.out;
}

/* Fault injection: counts allocations down to the one that must fail. */
static int injected_failure(struct six_pools *p) {
    if (p->fail_nth == 0)
        return 0;
    if (--p->fail_nth > 0)
        return 0;
    return 1;
}

static struct six_pkt *pool_get(struct six_pool *pool) {
    struct six_pkt *pkt = pool->free;
    if (pkt) {
        pool->free = pkt->next;
    } else {
        if (pool->made >= pool->max)
            return NULL;
        pkt = malloc(sizeof(*pkt) + pool->bufsize);
        if (!pkt)
            return NULL;
        pkt->pool = pool;
        pkt->cap = (uint32_t)pool->bufsize;
        pool->made++;
    }
    pool->out++;
    return pkt;
}

struct six_pkt *six__pkt_alloc(struct six_pools *p, size_t headroom, size_t len) {
    size_t need = headroom + len;
    struct six_pool *pool;
    struct six_pkt *pkt;

    if (need > SIX_PKT_LARGE || injected_failure(p)) {
        p->failures++;
        return NULL;
    }
    pool = need <= SIX_PKT_SMALL ? &p->small : &p->large;
    pkt = pool_get(pool);
    /* A small request may borrow a large buffer when the small pool is dry. */
    if (!pkt && pool == &p->small)
        pkt = pool_get(&p->large);
    if (!pkt) {
        p->failures++;
        return NULL;
    }
    pkt->next = NULL;
    pkt->data = pkt->buf + headroom;
    pkt->len = (uint32_t)len;
    pkt->refs = 1;
    pkt->ifindex = 0;
    pkt->flags = 0;
    pkt->ll_mcast = 0;
    pkt->meta = (struct six_pkt_meta){0};
    return pkt;
}

void six__pkt_free(struct six_pkt *pkt) {
    struct six_pool *pool;

    if (!pkt || --pkt->refs > 0)
        return;
    pool = pkt->pool;
    pkt->next = pool->free;
    pool->free = pkt;
    pool->out--;
}

void six__pktq_push(struct six_pktq *q, struct six_pkt *pkt) {
    pkt->next = NULL;
    if (q->tail)
        q->tail->next = pkt;
    else
        q->head = pkt;
    q->tail = pkt;
    q->count++;
}

struct six_pkt *six__pktq_pop(struct six_pktq *q) {
    struct six_pkt *pkt = q->head;
    if (!pkt)
        return NULL;
    q->head = pkt->next;
    if (!q->head)
        q->tail = NULL;
    q->count--;
    pkt->next = NULL;
    return pkt;
}

void six__pktq_purge(struct six_pktq *q) {
    struct six_pkt *pkt;
    while ((pkt = six__pktq_pop(q)))
        six__pkt_free(pkt);
}

struct six_pkt *six__pkt_clone(struct six_pools *p, const struct six_pkt *pkt) {
    struct six_pkt *c = six__pkt_alloc(p, 0, pkt->len);
    if (!c)
        return NULL;
    memcpy(c->data, pkt->data, pkt->len);
    c->ifindex = pkt->ifindex;
    c->meta = pkt->meta;
    c->flags = pkt->flags;
    return c;
}
