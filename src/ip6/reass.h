/* IPv6 reassembly.
 *
 * RFCs to read before editing: RFC 8200 section 4.5 (the procedure, its
 * errors and the 60 s limit), RFC 5722 (overlapping fragments), RFC 6946
 * (atomic fragments, handled by input.c before this), RFC 7112 (the first
 * fragment carries the whole header chain), RFC 6980 (no Neighbor
 * Discovery in fragments, checked by input.c on the result), RFC 4443 3.3
 * (Time Exceeded code 1).
 *
 * A datagram is found by (source, destination, identification, zone) in a
 * hash table keyed from the stack's random numbers: O(1) however many
 * datagrams are in flight. Its fragments are the received packets
 * themselves, kept whole on a list sorted by offset, and copied once into
 * one buffer when the last hole closes. All datagrams share the same
 * timeout, so the list of datagrams in arrival order is also the list of
 * deadlines and the eviction order: one core timer, armed for the oldest.
 *
 * Memory is bounded three ways, each from the stack's config: table slots
 * (preallocated), datagrams per source, and the bytes of packet buffers
 * held; a new datagram or fragment that would pass a limit evicts the
 * oldest datagram (of that source, for the per-source limit) first.
 */
#ifndef SIX_IP6_REASS_H
#define SIX_IP6_REASS_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "core/hash.h"
#include "wire/ext.h"
#include "wire/ipv6.h"

/* RFC 8200 4.5: reassembly is abandoned 60 s after the first-arriving
 * fragment. */
#define SIX_REASS_TIMEOUT_US (60ull * 1000000ull)

struct six_ip6;
struct six_reass_dgram;   /* private to reass.c */
struct six_reass_src;

struct six_reass {
    struct six_ip6 *ip6;
    struct six_hash_key key;
    unsigned mask;                         /* buckets - 1 */
    struct six_reass_dgram *slots;         /* max_dgrams, allocated once */
    struct six_reass_dgram *free_dgrams;
    struct six_reass_dgram **buckets;
    struct six_reass_src *srcs;            /* as many as slots */
    struct six_reass_src *free_srcs;
    struct six_reass_src **src_buckets;
    struct six_reass_dgram *oldest, *newest;   /* arrival order */
    unsigned ndgrams;
    size_t bytes;                          /* buffer bytes held */
    unsigned max_dgrams, max_per_src, max_frags;
    size_t max_bytes;
    struct six_timer timer;                /* armed for the oldest */
};

/* Where a fragment's Fragment header sits (in) and, once a datagram is
 * complete, where the input walk goes on in the reassembled packet (out). */
struct six_reass_pos {
    size_t off;       /* in: the Fragment header; out: the header after it */
    size_t nxt_off;   /* the byte that names that header */
    int nhdrs;        /* headers walked before it */
    uint8_t nxt;      /* out: the header's type */
};

/* Sets r up with the limits in cfg (reass_max_datagrams 0: reassembly
 * off). Returns 0 or -ENOMEM. */
int six__reass_init(struct six_reass *r, struct six_ip6 *ip6,
                    const struct six_stack_config *cfg);
/* Frees every waiting fragment and the table. Safe on a zeroed r. */
void six__reass_fini(struct six_reass *r);

/* Takes a fragment that is not atomic: *pkt with data at its IPv6 header
 * h (already checked, headers before the Fragment header processed), f
 * its parsed Fragment header at pos->off. Consumes *pkt. Returns 0 when
 * the fragment was queued or dropped (*pkt NULL), 1 when it completed its
 * datagram: *pkt is then the reassembled packet (the first fragment's
 * unfragmentable part and metadata, no Fragment header, Payload Length and
 * Next Header fixed) and pos says where its walk resumes. */
int six__reass_input(struct six_reass *r, struct six_pkt **pkt, const struct six_ip6_repr *h,
                     const struct six_frag_repr *f, struct six_reass_pos *pos);

/* Datagrams waiting, and the longest hash chain (for tests and the
 * bench: the lookup's cost). */
static inline unsigned six__reass_count(const struct six_reass *r) { return r->ndgrams; }
unsigned six__reass_max_chain(const struct six_reass *r);

#endif
