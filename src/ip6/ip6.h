/* The IPv6 layer: interfaces table, addresses, routes, source selection,
 * input (validation and the extension header walk) and output (header
 * construction, routing, hand-off to the link).
 *
 * RFCs to read before editing: RFC 8200 (sections 3, 4, 8), RFC 4291
 * (addresses), RFC 6724 (source selection), RFC 5095 (RH0), RFC 6946
 * (atomic fragments).
 *
 * The layers above plug in through function pointers (upper-layer
 * handlers, raw delivery, ICMPv6 error generation), so this layer never
 * includes theirs.
 */
#ifndef SIX_IP6_IP6_H
#define SIX_IP6_IP6_H

#include <netinet/in.h>
#include <stdint.h>

#include "core/core.h"
#include "link/link.h"

#define SIX_MAX_IFS 32
/* Most extension headers ip6_input walks before giving up on a packet. */
#define SIX_MAX_EXT_HDRS 16

struct six_addr_entry {
    struct in6_addr addr;
    unsigned plen;
    unsigned ifindex;
    unsigned flags;        /* SIX_ADDR_* */
};

enum {
    SIX_RT_CONNECTED = 1 << 0, /* made by an address: the prefix is on-link */
};

struct six_route {
    struct in6_addr prefix;
    unsigned plen;
    struct in6_addr gateway;   /* :: for on-link */
    unsigned ifindex;
    unsigned flags;
};

/* One group joined on one interface, by however many users (sockets,
 * the stack itself for solicited-node groups). */
struct six_mcast_entry {
    struct in6_addr group;
    unsigned ifindex;
    unsigned refs;
    struct six_mcast_entry *next;  /* hash chain */
    void *mld;                     /* the MLD layer's state for it */
};

struct six_ip6;
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

struct six_ip6 {
    struct six_core *core;
    struct six_if *ifs[SIX_MAX_IFS + 1];   /* by index; [0] unused */
    struct six_if *loopback;               /* where our own addresses go */
    uint8_t default_hlim;

    struct six_addr_entry *addrs;
    unsigned naddrs, addrs_cap;
    struct six_route *routes;
    unsigned nroutes, routes_cap;
    /* Memberships, hashed by (group, interface) with a per-stack key. */
    struct six_mcast_entry **mc_hash;
    unsigned mc_mask, mc_count;
    uint64_t mc_key;
    /* Told when a group is first joined (joined = 1) or last left (0) on
     * an interface, which MLD reports, or forgotten with its interface or
     * stack (-1: drop any state, send nothing). */
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

/* ---- addresses ---- */
int six__ip6_addr_add(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *a,
                      unsigned plen, unsigned flags);
int six__ip6_addr_del(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *a);
/* The entry for a if it is assigned to some interface (any interface:
 * the weak host model of RFC 1122 3.3.4.2), else NULL. */
const struct six_addr_entry *six__ip6_addr_find(const struct six_ip6 *ip6,
                                                const struct in6_addr *a);
/* Whether a is one of ours and usable as a source (not anycast). */
int six__ip6_addr_is_local(const struct six_ip6 *ip6, const struct in6_addr *a);
/* RFC 6724 section 5 source selection. ifindex: the outgoing interface,
 * or 0. Returns 0 or -EADDRNOTAVAIL. */
int six__ip6_select_src(const struct six_ip6 *ip6, const struct in6_addr *dst,
                        unsigned ifindex, struct in6_addr *src);

/* ---- multicast membership (refcounted, per interface) ----
 * The unspecified group stands for every group (ip6(4)). */
/* The first multicast-capable interface that is not loopback, or NULL. */
struct six_if *six__ip6_default_mcast_if(const struct six_ip6 *ip6);
int six__ip6_mcast_join(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g);
int six__ip6_mcast_leave(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g);
int six__ip6_mcast_member(const struct six_ip6 *ip6, unsigned ifindex,
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
};

/* Resolves what output would do for dst without sending: the interface
 * and the source address (when o->src is ::). Returns 0, -ENETUNREACH,
 * -EADDRNOTAVAIL or -EINVAL (link-local or multicast destination without
 * an interface). */
int six__ip6_route_out(const struct six_ip6 *ip6, struct six_ip6_out *o,
                       struct six_if **ifp_out);

/* Bytes of extension headers o will emit. */
size_t six__ip6_ext_len(const struct six_ip6_out *o);

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
 * neighbour nexthop. The single place where output meets the link, so
 * that neighbour resolution can sit here. Consumes pkt. Returns 0 or
 * -ENOBUFS. */
int six__ip6_link_out(struct six_ip6 *ip6, struct six_if *ifp,
                      const struct in6_addr *nexthop, struct six_pkt *pkt);

/* ---- input ---- */
/* The interface input function (six_if_input_fn): consumes pkt. */
void six__ip6_input(void *ctx, struct six_if *ifp, struct six_pkt *pkt);

#endif
