/* Packet buffers and their pools.
 *
 * A packet is one allocation: this header, then headroom, then data. Input
 * keeps data at the IPv6 header for the packet's whole life, so a socket
 * queue can hand recvmsg() the header fields and option headers without
 * copying them out first. Packets are reference counted so one buffer can
 * sit on several raw sockets' queues at once; a queued packet is read-only.
 *
 * Pools: two size classes, each with a limit from the stack's config.
 * Buffers are allocated on first need and kept on a free list afterwards,
 * so the steady state allocates nothing. An empty pool is ENOBUFS.
 */
#ifndef SIX_CORE_PKT_H
#define SIX_CORE_PKT_H

#include <stddef.h>
#include <stdint.h>

/* Small buffers hold an Ethernet frame with headroom; large ones the
 * largest IPv6 packet. A build for a small memory makes them smaller
 * (CMake SIX_PKT_SMALL_BYTES, SIX_PKT_LARGE_BYTES: a microcontroller with
 * 32 KiB of RAM cannot hold one 64 KiB buffer); longer datagrams are then
 * refused (EMSGSIZE) or dropped like any that finds no buffer. */
#ifdef SIX_PKT_SMALL_BYTES
#define SIX_PKT_SMALL ((unsigned)SIX_PKT_SMALL_BYTES)
#else
#define SIX_PKT_SMALL 2048u
#endif
#ifdef SIX_PKT_LARGE_BYTES
#define SIX_PKT_LARGE ((unsigned)SIX_PKT_LARGE_BYTES)
#else
#define SIX_PKT_LARGE (65535u + 40u + 256u)
#endif
/* Headroom left in front of data by six_pkt_alloc(): room for the IPv6
 * header, a few extension headers and a link header. */
#define SIX_PKT_HEADROOM 128u

/* What ip6_input learned about a received packet, kept with it so that the
 * socket layer can build recvmsg's ancillary data. Offsets are from data
 * (the IPv6 header); 0 means absent. */
struct six_pkt_meta {
    uint16_t l4_off;      /* upper-layer header */
    uint8_t l4_proto;     /* upper-layer protocol */
    uint16_t hbh_off, hbh_len;
    uint16_t dst1_off, dst1_len;  /* destination options before routing */
    uint16_t rth_off, rth_len;
    uint16_t dst2_off, dst2_len;  /* destination options after routing */
    /* While the packet is a fragment waiting for reassembly
     * (ip6/reass.c): where its fragmentable part starts, and that part's
     * offset in the original packet. */
    uint32_t frag_data;
    uint16_t frag_off;
    /* Stack time it was queued on a socket that asked for receive
     * timestamps (SO_TIMESTAMP, SO_TIMESTAMPNS). */
    uint64_t rx_us;
    /* The IPsec protections input removed (SIX_PKT_SEC_*), for the
     * policy checks before delivery. */
    uint8_t ipsec;
    /* ip6 input: its membership slot for the destination (a struct
     * six_mcast_slot), or NULL; read during that input call only. */
    const void *mc_entry;
};

enum {
    SIX_PKT_SEC_ESP = 1 << 0,         /* ESP, transport mode */
    SIX_PKT_SEC_ESP_TUNNEL = 1 << 1,  /* ESP, tunnel mode */
    SIX_PKT_SEC_AH = 1 << 2,
    SIX_PKT_SEC_AH_TUNNEL = 1 << 3,
    SIX_PKT_SEC_COMP = 1 << 4,        /* IPComp */
    SIX_PKT_SEC_DECAP = 1 << 5,       /* a tunnel's inner packet follows */
};

struct six_pool;

enum {
    /* The upper-layer checksum was computed by this node and the bytes
     * have not left it: loopback input need not verify it again (links
     * clear it on delivery). */
    SIX_PKT_CSUM_OK = 1 << 0,
};

struct six_pkt {
    struct six_pkt *next;   /* link for whichever single queue owns it */
    struct six_pool *pool;
    uint8_t *data;
    uint32_t len;
    uint32_t cap;           /* bytes of buf[] */
    uint32_t refs;
    uint32_t ifindex;       /* arrival interface on input */
    uint32_t flags;         /* SIX_PKT_* */
    uint8_t ll_mcast;       /* input: sent to a link-layer multicast or
                               broadcast address (RFC 4443 2.4(e.3)) */
    struct six_pkt_meta meta;
    uint8_t buf[];
};

struct six_pool {
    size_t bufsize;         /* bytes of buf[] in each packet */
    unsigned max;           /* most packets out at once */
    unsigned out;           /* packets currently out */
    unsigned made;          /* packets ever allocated (<= max) */
    struct six_pkt *free;
};

struct six_pools {
    struct six_pool small;
    struct six_pool large;
    unsigned fail_nth;      /* fault injection: fail the nth allocation */
    uint64_t failures;
};

void six__pools_init(struct six_pools *p, unsigned small_max, unsigned large_max);
/* Frees every buffer on the free lists (packets still out are leaked and
 * reported by six__pools_in_use()). */
void six__pools_fini(struct six_pools *p);
unsigned six__pools_in_use(const struct six_pools *p);

/* A packet with room for headroom + len bytes; data at buf + headroom and
 * len set to len (contents uninitialised). NULL when the pool is empty or
 * the size is over SIX_PKT_LARGE. refs = 1. */
struct six_pkt *six__pkt_alloc(struct six_pools *p, size_t headroom, size_t len);
/* A copy of pkt's data, arrival interface and input metadata in a new
 * buffer (no headroom), or NULL when the pools are empty. */
struct six_pkt *six__pkt_clone(struct six_pools *p, const struct six_pkt *pkt);
/* Drops one reference; the last returns the buffer to its pool. NULL ok. */
void six__pkt_free(struct six_pkt *pkt);
static inline struct six_pkt *six__pkt_ref(struct six_pkt *pkt) {
    pkt->refs++;
    return pkt;
}
/* Bytes free in front of data. */
static inline size_t six__pkt_headroom(const struct six_pkt *pkt) {
    return (size_t)(pkt->data - pkt->buf);
}
/* Grows data forwards by n bytes (n <= headroom) and returns the new
 * start. */
static inline uint8_t *six__pkt_push(struct six_pkt *pkt, size_t n) {
    pkt->data -= n;
    pkt->len += (uint32_t)n;
    return pkt->data;
}

/* A FIFO of packets linked through next. */
struct six_pktq {
    struct six_pkt *head, *tail;
    unsigned count;
};
void six__pktq_push(struct six_pktq *q, struct six_pkt *pkt);
struct six_pkt *six__pktq_pop(struct six_pktq *q);
void six__pktq_purge(struct six_pktq *q);

#endif
