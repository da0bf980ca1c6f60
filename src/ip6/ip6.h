/* The IPv6 layer: interfaces table, addresses, routes, source selection,
 * input (validation and the extension header walk) and output (header
 * construction, routing, hand-off to the link).
 *
 * RFCs to read before editing: RFC 8200 (sections 3, 4, 4.5, 5, 8), RFC
 * 4291 (addresses), RFC 6724 (source selection), RFC 5095 (RH0), RFC 6946
 * (atomic fragments), RFC 8201 (path MTU discovery), RFC 7739 (fragment
 * identifications), RFC 7112 (header chain in the first fragment);
 * for reassembly, reass.h.
 *
 * The layers above plug in through function pointers (upper-layer
 * handlers, raw delivery, ICMPv6 error generation), so this layer never
 * includes theirs.
 */
#ifndef SIX_IP6_IP6_H
#define SIX_IP6_IP6_H

#include <netinet/in.h>
#include <stdint.h>

#include <sixstack/socket.h>

#include "core/core.h"
#include "core/hash.h"
#include "ip6/reass.h"
#include "link/link.h"

#define SIX_MAX_IFS 32
/* Most extension headers ip6_input walks before giving up on a packet. */
#define SIX_MAX_EXT_HDRS 16

struct six_addr_entry {
    struct in6_addr addr;
    unsigned plen;
    unsigned ifindex;
    unsigned flags;        /* SIX_ADDR_* */
    /* Kept here, driven by addrconf (RFC 4862): lifetimes on the stack
     * clock (SIX_NEVER: infinite), and duplicate address detection. */
    uint64_t valid_until;
    uint64_t preferred_until;
    uint64_t dad_next;     /* when the next DAD step is due */
    uint8_t dad_left;      /* DAD solicitations still to send */
    uint8_t dad_counter;   /* RFC 7217 DAD_Counter of a stable address */
};

/* Internal address flags, above the public SIX_ADDR_* ones. */
enum {
    /* The address makes no connected route: its prefix is on-link only
     * if a router says so (RFC 5942; SLAAC addresses). */
    SIX_ADDR_NOPREFIXROUTE = 1 << 16,
};

/* An address that is assigned in the RFC 4862 sense: usable as a source
 * and as a destination (not tentative, not duplicated). */
static inline int six__addr_usable(const struct six_addr_entry *e) {
    return !(e->flags & (SIX_ADDR_TENTATIVE | SIX_ADDR_DUPLICATED));
}

enum {
    SIX_RT_CONNECTED = 1 << 0, /* the prefix is on-link */
    SIX_RT_PREFIX = 1 << 1,    /* on-link by a router's prefix option */
    SIX_RT_ROUTER = 1 << 2,    /* ::/0 through the selected default router */
    SIX_RT_REDIRECT = 1 << 3,  /* a host route a redirect made */
};

struct six_route {
    struct in6_addr prefix;
    unsigned plen;
    struct in6_addr gateway;   /* :: for on-link */
    unsigned ifindex;
    unsigned flags;
};

/* A source named by the filters of a group's users: how many include it
 * and how many exclude it (RFC 3810 4.2 merges them). */
struct six_mcast_src {
    struct in6_addr addr;
    unsigned in, ex;
};

/* Most distinct sources the filters of one group on one interface may
 * name together (beyond: ENOBUFS). */
#define SIX_MCAST_ENTRY_MAX_SRCS 256

/* One group joined on one interface, by however many users (sockets,
 * the stack itself for solicited-node groups), each with a filter. */
/* Owners an entry lists (the sockets joined; ip6 keeps them opaque). */
#define SIX_MC_OWNERS 2

/* Slots are cache-line aligned on 64-bit hosts (one line per lookup); a
 * microcontroller without a cache keeps them small. */
#define SIX_MC_SLOT_ALIGN (sizeof(void *) == 8 ? 64 : sizeof(void *))

/* A slot of the membership table (open addressing, ip6/mcast.c). What
 * input needs of a group sits in it, so that a packet to the group reads
 * one slot and no entry: the group and interface, and the first
 * SIX_MC_OWNERS owners (sockets) that joined, each with whether it takes
 * any source (UDP input finds a socket's membership here, instead of in
 * the socket's own list: six__ip6_mcast_owned); nowners counts every
 * owner, listed or not. Slots move as the table changes: a pointer to one
 * is good during one input call only. */
struct six_mcast_slot {
    _Alignas(SIX_MC_SLOT_ALIGN) struct in6_addr group;
    unsigned ifindex;
    uint32_t lo;                   /* low half of the hash: the home slot */
    struct six_mcast_entry *e;     /* NULL: the slot is empty */
    const void *owner[SIX_MC_OWNERS];
    uint8_t owner_any[SIX_MC_OWNERS];
    unsigned nowners, nlisted;
};

struct six_mcast_entry {
    struct in6_addr group;
    unsigned ifindex;
    unsigned refs;                 /* users */
    unsigned nex;                  /* users in EXCLUDE mode */
    struct six_mcast_src *srcs;    /* every source some user names */
    unsigned nsrcs, srcs_cap;
    void *mld;                     /* the MLD layer's state for it */
};

/* One destination's path MTU estimate (RFC 8201 5.2: kept per
 * destination). */
struct six_pmtu_entry {
    struct six_pmtu_entry *next;          /* hash chain */
    struct six_pmtu_entry *older, *newer; /* by last lowering */
    struct in6_addr dst;
    unsigned zone;                        /* interface of a scoped dst, else 0 */
    uint32_t mtu;
    uint64_t expires;                     /* stack clock; SIX_NEVER without aging */
};

/* The path MTU cache (pmtu.c): a keyed hash of at most max entries, also
 * kept in the order they were last lowered, which is the order they age
 * out in and the order they are evicted in when the cache is full. */
struct six_pmtu {
    struct six_pmtu_entry **hash;
    unsigned mask;                        /* buckets - 1 */
    unsigned count, max;
    struct six_pmtu_entry *oldest, *newest;
    uint64_t expire_us;                   /* 0: estimates never age */
    struct six_timer timer;               /* at the oldest entry's expiry */
    struct six_hash_key key;
    int keyed;
};

/* One user's filter on a group (RFC 3810 4.1, RFC 3678): MCAST_INCLUDE or
 * MCAST_EXCLUDE (the host's values) and its sources. An any-source join
 * (IPV6_JOIN_GROUP) is EXCLUDE with no sources. */
struct six_mcast_filter {
    int mode;
    unsigned nsrc;
    const struct in6_addr *srcs;
};

/* What mcast_notify is told. */
enum {
    SIX_MC_FORGET = -1,  /* interface or stack going: drop state, send nothing */
    SIX_MC_LEFT = 0,     /* the last user left */
    SIX_MC_JOINED = 1,   /* the first user joined */
    SIX_MC_CHANGED = 2,  /* users or filters changed: the merged state may have */
};

struct six_ip6;
struct six_ip6_out;
/* Upper-layer input (ICMPv6, UDP): consumes pkt; pkt->meta says where the
 * upper-layer header is. */
typedef void (*six_ip6_upper_fn)(void *ctx, struct six_pkt *pkt);
/* Raw socket delivery: borrows pkt; returns how many sockets queued it,
 * or a negative value when none did but the packet was dropped as bad by
 * a socket that wanted its protocol (no ICMPv6 error is due then). */
typedef int (*six_ip6_raw_fn)(void *ctx, struct six_pkt *pkt);
/* ICMPv6 error about pkt (borrowed, data at its IPv6 header). */
typedef void (*six_ip6_error_fn)(void *ctx, struct six_pkt *pkt, uint8_t type,
                                 uint8_t code, uint32_t param);

/* Sends pkt (consumed; data at its IPv6 header) on ifp to the unicast
 * neighbour nexthop, resolving its link-layer address first. Returns 0
 * when sent or queued, or a negative errno. */
typedef int (*six_ip6_resolve_fn)(void *ctx, struct six_if *ifp, const struct in6_addr *nexthop,
                                  struct six_pkt *pkt);
/* An address was added (added 1) or removed (0). */
typedef void (*six_ip6_addr_fn)(void *ctx, const struct six_addr_entry *a, int added);

struct six_ip6 {
    struct six_core *core;
    struct six_if *ifs[SIX_MAX_IFS + 1];   /* by index; [0] unused */
    unsigned ifs_hi;                       /* highest index ever used */
    struct six_if *loopback;               /* where our own addresses go */
    uint8_t default_hlim;

    struct six_addr_entry *addrs;
    unsigned naddrs, addrs_cap;
    struct six_route *routes;
    unsigned nroutes, routes_cap;
    /* Moves on with every change that can alter what route_out answers
     * (interfaces, addresses and their flags, routes); a struct
     * six_route_cache is good while it has not moved. */
    uint64_t route_gen;
    /* Memberships, hashed by (group, interface) with a per-stack key,
     * open addressing (mcast.c). */
    struct six_mcast_slot *mc_slots;
    unsigned mc_mask, mc_count;
    unsigned mc_all_count;       /* entries for the unspecified group */
    uint64_t mc_key;
    /* Told when a group is first joined (SIX_MC_JOINED) or last left
     * (SIX_MC_LEFT) on an interface, or its users' filters change
     * (SIX_MC_CHANGED), which MLD reports; or forgotten with its
     * interface or stack (SIX_MC_FORGET: drop any state, send nothing). */
    void (*mcast_notify)(void *ctx, struct six_mcast_entry *e, int joined);
    void *mcast_ctx;
    /* Multicast copies looped back to this stack's own members
     * (IPV6_MULTICAST_LOOP), delivered on the next poll of the links as
     * if received on pkt->ifindex. */
    struct six_pktq mloop;

    six_ip6_upper_fn upper[256];
    void *upper_ctx[256];
    six_ip6_raw_fn raw_input;
    void *raw_ctx;
    six_ip6_error_fn send_error;
    void *error_ctx;

    struct six_pmtu pmtu;
    /* Fragment identifications (frag_out.c, RFC 7739). */
    struct six_hash_key frag_key;
    int frag_keyed;
    uint32_t frag_ctr[64];
    /* Output on interfaces that resolve neighbours (SIX_IFF_ETHERNET):
     * neighbour discovery frames the packet for nexthop or queues it. */
    six_ip6_resolve_fn resolve;
    void *resolve_ctx;
    /* Told after an address is added (added 1) or removed (0). */
    six_ip6_addr_fn addr_event;
    void *addr_event_ctx;

    struct six_reass reass;

    /* IPsec (ipsec/ipsec.c installs them when built; NULL otherwise).
     * ipsec_input opens the ESP, AH or IPComp header proto at off (named
     * by the byte at nxt_off) in place (*pkt may be replaced by a larger
     * buffer): returns the protocol it protected, the walk going on at
     * off, or -1 when the packet is to be dropped (counted; the caller frees it, and sends no ICMPv6
     * error). ipsec_check judges a packet about to be delivered against
     * the inbound policies (borrowed; 0 deliver, -1 drop, counted).
     * ipsec_output applies the outbound policy and the socket's levels
     * to a packet built from o: 0 to send *pkt (maybe replaced), 1 to
     * send it as *tun says out of *ifp (a tunnel), or a negative errno
     * (*pkt freed and NULL). */
    int (*ipsec_input)(void *ctx, struct six_pkt **pkt, size_t off, size_t nxt_off,
                       uint8_t proto);
    int (*ipsec_check)(void *ctx, struct six_pkt *pkt);
    int (*ipsec_output)(void *ctx, struct six_pkt **pkt, const struct six_ip6_out *o,
                        struct six_ip6_out *tun, struct six_if **ifp);
    /* The most bytes ipsec_output would add to a packet built from o whose
     * upper-layer header starts with l4[0..len) (ports or ICMPv6 type, for
     * the selectors): what a transport's segment size leaves room for. */
    size_t (*ipsec_overhead)(void *ctx, const struct six_ip6_out *o, const uint8_t *l4,
                             size_t len);
    void *ipsec_ctx;
};

void six__ip6_init(struct six_ip6 *ip6, struct six_core *core, uint8_t default_hlim);
void six__ip6_fini(struct six_ip6 *ip6);

/* ---- interfaces ---- */
/* Gives ifp the next free index, wires its input to ip6 and adds it.
 * The driver must already be set up. Returns the index or -ENOSPC. */
int six__ip6_if_add(struct six_ip6 *ip6, struct six_if *ifp);
struct six_if *six__ip6_if(const struct six_ip6 *ip6, unsigned ifindex);
struct six_if *six__ip6_if_byname(const struct six_ip6 *ip6, const char *name);
/* Removes one interface with its addresses, routes and memberships. */
void six__ip6_if_remove(struct six_ip6 *ip6, unsigned ifindex);
/* Removes and destroys every interface (driver, capture, struct). */
void six__ip6_if_destroy_all(struct six_ip6 *ip6);
/* Runs every interface's rx; returns the frames delivered. */
unsigned six__ip6_poll_links(struct six_ip6 *ip6, unsigned budget);
/* Delivers what this stack sent itself (loopback, multicast to its own
 * members) and nothing from the outside: cheap enough for every receive
 * and close, which may leave a segment for ::1 behind. */
unsigned six__ip6_poll_loopback(struct six_ip6 *ip6, unsigned budget);

/* ---- addresses ---- */
int six__ip6_addr_add(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *a,
                      unsigned plen, unsigned flags);
int six__ip6_addr_del(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *a);
/* The entry for a if it is assigned to some interface (any interface:
 * the weak host model of RFC 1122 3.3.4.2), else NULL. */
const struct six_addr_entry *six__ip6_addr_find(const struct six_ip6 *ip6,
                                                const struct in6_addr *a);
/* The entry for a on ifindex, or NULL. */
struct six_addr_entry *six__ip6_addr_get(struct six_ip6 *ip6, unsigned ifindex,
                                         const struct in6_addr *a);
/* Whether a is one of ours and usable as a source (not anycast, not
 * tentative or duplicated: RFC 4862 5.4). */
int six__ip6_addr_is_local(const struct six_ip6 *ip6, const struct in6_addr *a);
/* RFC 6724 section 5 source selection. ifindex: the outgoing interface,
 * or 0. Returns 0 or -EADDRNOTAVAIL. */
int six__ip6_select_src(const struct six_ip6 *ip6, const struct in6_addr *dst,
                        unsigned ifindex, struct in6_addr *src);

/* ---- multicast membership (refcounted, per interface) ----
 * The unspecified group stands for every group (ip6(4)). */
/* The first multicast-capable interface that is not loopback, or NULL. */
struct six_if *six__ip6_default_mcast_if(const struct six_ip6 *ip6);
/* An any-source join and its leave: one user more or less. */
int six__ip6_mcast_join(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g);
int six__ip6_mcast_leave(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g);
/* One user's filter on g changes from old to new_: old NULL is a join, new_
 * NULL a leave. The first join opens the link's multicast filter to g.
 * Returns 0, -EINVAL (g not multicast), -ENODEV (no such interface),
 * -EADDRNOTAVAIL (leaving or changing a group not joined), -ENOBUFS
 * (memory, or more than SIX_MCAST_ENTRY_MAX_SRCS sources), or what the
 * link's filter said; nothing changes on failure. */
int six__ip6_mcast_update(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g,
                          const struct six_mcast_filter *old,
                          const struct six_mcast_filter *new_);
/* The interface state of e merged from its users' filters (RFC 3810
 * 4.2): *mode is MCAST_EXCLUDE when any user excludes (sources: those
 * every excluding user excludes and no user includes), else MCAST_INCLUDE
 * (sources: those any user includes). Writes up to max sources to out
 * (NULL with max 0 only counts) and returns how many there are. */
unsigned six__ip6_mcast_state(const struct six_mcast_entry *e, int *mode, struct in6_addr *out,
                              unsigned max);
int six__ip6_mcast_member(const struct six_ip6 *ip6, unsigned ifindex,
                          const struct in6_addr *g);
/* Owner bookkeeping for six_mcast_entry.owner: after a join (ADD), a
 * change of filter (SET) and before a leave (DEL) of owner's membership
 * of g on ifindex; any: the membership takes every source (EXCLUDE {}). */
enum { SIX_MC_OWNER_ADD, SIX_MC_OWNER_SET, SIX_MC_OWNER_DEL };
void six__ip6_mcast_owner(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g,
                          const void *owner, int op, int any);
/* What g's slot says of owner: 1 a member taking any source, 0 no
 * member, -1 not known here (a source filter, or more owners than the
 * slot lists). */
static inline int six__ip6_mcast_owned(const struct six_mcast_slot *g, const void *owner) {
    for (unsigned i = 0; i < SIX_MC_OWNERS; i++)
        if (g->owner[i] == owner)
            return g->owner_any[i] ? 1 : -1;
    return g->nlisted == g->nowners ? 0 : -1;
}
/* The slot of g joined on ifindex, or NULL: input's lookup (the pointer is
 * good until the table changes). */
const struct six_mcast_slot *six__ip6_mcast_lookup(const struct six_ip6 *ip6, unsigned ifindex,
                                                   const struct in6_addr *g);
/* The entry for g joined on ifindex, or NULL. */
struct six_mcast_entry *six__ip6_mcast_find(const struct six_ip6 *ip6, unsigned ifindex,
                                            const struct in6_addr *g);
/* Calls fn for every group joined on ifindex (0: on every interface). */
void six__ip6_mcast_foreach(struct six_ip6 *ip6, unsigned ifindex,
                            void (*fn)(void *arg, struct six_mcast_entry *e), void *arg);
/* Forgets every membership of an interface being removed (no notify). */
void six__ip6_mcast_remove_if(struct six_ip6 *ip6, unsigned ifindex);
void six__ip6_mcast_fini(struct six_ip6 *ip6);

/* ---- routes ---- */
int six__ip6_route_add(struct six_ip6 *ip6, const struct in6_addr *prefix, unsigned plen,
                       const struct in6_addr *gw, unsigned ifindex, unsigned flags);
int six__ip6_route_del(struct six_ip6 *ip6, const struct in6_addr *prefix, unsigned plen);
/* The route for exactly prefix/plen, or NULL; the caller may change its
 * gateway, interface and flags. */
struct six_route *six__ip6_route_find(struct six_ip6 *ip6, const struct in6_addr *prefix,
                                      unsigned plen);
/* Longest-prefix match for dst; when ifindex is non-zero only routes out
 * of that interface count. NULL when none matches. */
const struct six_route *six__ip6_route_lookup(const struct six_ip6 *ip6,
                                              const struct in6_addr *dst, unsigned ifindex);

/* ---- output ---- */
struct six_ip6_out {
    struct in6_addr src;     /* :: to let the stack choose */
    struct in6_addr dst;
    unsigned ifindex;        /* outgoing interface, 0 to route */
    int via_neighbour;       /* ifindex reaches dst through the neighbour
                                in nexthop, named by the caller
                                (IPV6_NEXTHOP): no route lookup */
    struct in6_addr nexthop; /* the neighbour the packet goes to: filled
                                by route_out (a route's gateway, else
                                dst) unless via_neighbour */
    int mcast_loop;          /* IPV6_MULTICAST_LOOP: a multicast copy
                                for this stack's own members */
    int minmtu;              /* SIX_MINMTU_*: IPV6_USE_MIN_MTU */
    int dontfrag;            /* IPV6_DONTFRAG: EMSGSIZE, not fragments */
    uint8_t nxt;             /* upper-layer protocol */
    uint8_t hlim;
    uint8_t tclass;
    uint32_t flow;
    /* Extension headers to emit in RFC 8200 4.1 order; each a whole header
     * whose Next Header byte output fills in. NULL when absent. */
    const uint8_t *hbh;
    size_t hbh_len;
    const uint8_t *dst1;     /* before a routing header (only with rth) */
    size_t dst1_len;
    const uint8_t *rth;
    size_t rth_len;
    const uint8_t *dst2;
    size_t dst2_len;
    /* The sending socket's IPsec levels (IPV6_AUTH_LEVEL & co.), one
     * byte per SIX_IPSEC_SL_* slot; 0: the system policy alone. */
    uint32_t ipsec_levels;
};

/* Slots of six_ip6_out.ipsec_levels. */
enum {
    SIX_IPSEC_SL_AUTH = 0,
    SIX_IPSEC_SL_ESP_TRANS = 1,
    SIX_IPSEC_SL_ESP_NETWORK = 2,
    SIX_IPSEC_SL_IPCOMP = 3,
};

/* Whether a packet that arrived with the protections sec (SIX_PKT_SEC_*)
 * meets the socket levels levels (KAME's ipsec6_in_reject): require or
 * unique on AUTH wants AH, on ESP_TRANS ESP in transport mode, on
 * ESP_NETWORK ESP in tunnel mode; IPComp is never required of input (RFC
 * 3173 2.2 lets a sender skip it). */
static inline int six__ip6_ipsec_levels_met(uint32_t levels, unsigned sec) {
    static const struct {
        uint8_t slot, bits;
    } need[] = {
        {SIX_IPSEC_SL_AUTH, SIX_PKT_SEC_AH | SIX_PKT_SEC_AH_TUNNEL},
        {SIX_IPSEC_SL_ESP_TRANS, SIX_PKT_SEC_ESP},
        {SIX_IPSEC_SL_ESP_NETWORK, SIX_PKT_SEC_ESP_TUNNEL},
    };
    for (unsigned i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        unsigned lvl = levels >> (8 * need[i].slot) & 0xff;
        if (lvl >= SIX_IPSEC_LEVEL_REQUIRE && !(sec & need[i].bits))
            return 0;
    }
    return 1;
}

/* RFC 3542 11.1 IPV6_USE_MIN_MTU, in an order where 0 (a zeroed
 * six_ip6_out) is the RFC's default, -1. */
enum {
    SIX_MINMTU_MCAST = 0,   /* -1: 1280 for multicast, the path MTU else */
    SIX_MINMTU_NEVER,       /* 0: the path MTU always */
    SIX_MINMTU_ALWAYS,      /* 1: 1280 always */
};

/* Resolves what output would do for dst without sending: the interface
 * and the source address (when o->src is ::). Returns 0, -ENETUNREACH,
 * -EADDRNOTAVAIL or -EINVAL (link-local or multicast destination without
 * an interface). */
int six__ip6_route_out(const struct six_ip6 *ip6, struct six_ip6_out *o,
                       struct six_if **ifp_out);

/* Tells route caches that interfaces, addresses (or their flags) or
 * routes changed. The functions here that add and remove call it; code
 * that changes an entry in place (six__ip6_addr_get, six__ip6_route_find,
 * ip6->addrs[i]) must call it too, in the same locked operation. */
static inline void six__ip6_routing_changed(struct six_ip6 *ip6) { ip6->route_gen++; }

/* What route_out answered for one question (a socket keeps one: its
 * destination rarely changes between sends). */
struct six_route_cache {
    uint64_t gen;                 /* ip6->route_gen then; 0: empty */
    struct in6_addr dst, src_in;  /* the question: o->dst, o->src, */
    unsigned ifindex_in;          /* o->ifindex */
    unsigned ifindex;             /* the answer */
    struct in6_addr nexthop, src;
};

/* six__ip6_route_out, answered from c when it holds the same question and
 * nothing changed since (sends through a named neighbour, IPV6_NEXTHOP,
 * always ask). A success is kept in c. */
int six__ip6_route_out_cached(const struct six_ip6 *ip6, struct six_route_cache *c,
                              struct six_ip6_out *o, struct six_if **ifp_out);

/* Bytes of extension headers o will emit. */
size_t six__ip6_ext_len(const struct six_ip6_out *o);
/* ip6->ipsec_overhead, or 0 without IPsec. */
static inline size_t six__ip6_ipsec_overhead(const struct six_ip6 *ip6, const struct six_ip6_out *o,
                                             const uint8_t *l4, size_t len) {
    return ip6->ipsec_overhead ? ip6->ipsec_overhead(ip6->ipsec_ctx, o, l4, len) : 0;
}

/* Prepends the extension headers and the IPv6 header to pkt (data at the
 * upper-layer header, enough headroom) and sends it. Consumes pkt.
 * Returns 0 or -ENETUNREACH, -EADDRNOTAVAIL, -EMSGSIZE, -ENOBUFS,
 * -EINVAL. */
int six__ip6_output(struct six_ip6 *ip6, struct six_pkt *pkt, struct six_ip6_out *o);
/* The second half of six__ip6_output for callers that resolved the route
 * first (to checksum with the chosen source). Consumes pkt. */
int six__ip6_send(struct six_ip6 *ip6, struct six_pkt *pkt, const struct six_ip6_out *o,
                  struct six_if *ifp);

/* Hands one finished IPv6 packet (data at its IPv6 header) to ifp for the
 * neighbour nexthop. The single place where output meets the link:
 * bare-IPv6 links take the packet as is; Ethernet maps multicast to its
 * MAC and has ip6->resolve find unicast neighbours. Consumes pkt. Returns
 * 0 or a negative errno (-ENOBUFS, -EHOSTUNREACH). */
int six__ip6_link_out(struct six_ip6 *ip6, struct six_if *ifp,
                      const struct in6_addr *nexthop, struct six_pkt *pkt);

/* The largest packet o may send out of ifp unfragmented: the link MTU,
 * lowered by the path MTU cache and by o->minmtu (neither applies on
 * loopback: a packet to this node has no path). */
unsigned six__ip6_path_mtu(struct six_ip6 *ip6, const struct six_ip6_out *o,
                           const struct six_if *ifp);

/* ---- fragmentation (frag_out.c, RFC 8200 4.5) ---- */
/* Bytes of the unfragmentable part o's packets have: the IPv6 header,
 * hop-by-hop options and, with a routing header, the destination options
 * before it and the routing header. */
size_t six__frag_unfrag_len(const struct six_ip6_out *o);
/* Splits pkt (borrowed: a whole IPv6 packet, data at its header, whose
 * first unfrag_len bytes are its unfragmentable part) into fragments of
 * at most mtu bytes carrying identification ident, appended to q. The
 * first fragment holds at least first_min bytes of the fragmentable part
 * (RFC 7112: the whole header chain). Every buffer is taken before any is
 * filled: on failure q is left empty. Returns the number of fragments,
 * -EMSGSIZE when the unfragmentable part leaves too little room, or
 * -ENOBUFS. */
int six__frag_split(struct six_pools *pools, const struct six_pkt *pkt, size_t unfrag_len,
                    size_t first_min, unsigned mtu, uint32_t ident, struct six_pktq *q);
/* An identification for a fragmented packet from src to dst (RFC 7739). */
uint32_t six__frag_ident(struct six_ip6 *ip6, const struct in6_addr *src,
                         const struct in6_addr *dst);
/* Back to no key (the next identification draws one) and zero counters. */
void six__frag_ident_forget(struct six_ip6 *ip6);
/* Sends pkt (consumed: a whole packet built from o, larger than mtu) as
 * fragments out of ifp. Returns 0, -EMSGSIZE or -ENOBUFS (nothing sent),
 * or the link's error. */
int six__ip6_fragment(struct six_ip6 *ip6, struct six_if *ifp, const struct six_ip6_out *o,
                      struct six_pkt *pkt, unsigned mtu);

/* ---- path MTU (pmtu.c, RFC 8201) ---- */
/* Sets up an empty cache of at most max entries whose estimates go back
 * to the link MTU expire_us after they were last lowered (0: never).
 * Returns 0 or -ENOMEM. */
int six__pmtu_init(struct six_ip6 *ip6, unsigned max, uint64_t expire_us);
void six__pmtu_fini(struct six_ip6 *ip6);
/* The estimate toward dst (zone: its interface when scoped, else 0), or
 * 0 when there is none. */
uint32_t six__pmtu_lookup(struct six_ip6 *ip6, const struct in6_addr *dst, unsigned zone);
/* A Packet Too Big (RFC 4443 3.2) reporting mtu for the packet it quotes,
 * from src to dst, received on interface arrival. Checks it (the packet
 * must be ours, RFC 8201 4's bounds) and lowers the estimate. Returns the
 * new estimate, or 0 when the message changes nothing (counted). */
uint32_t six__ip6_ptb(struct six_ip6 *ip6, const struct in6_addr *src,
                      const struct in6_addr *dst, unsigned arrival, uint32_t mtu);

/* ---- input ---- */
/* The interface input function (six_if_input_fn): consumes pkt. */
void six__ip6_input(void *ctx, struct six_if *ifp, struct six_pkt *pkt);

#endif
