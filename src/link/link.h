/* Interfaces and the link drivers under them.
 *
 * A driver is two calls: tx takes one IPv6 packet, rx moves received frames
 * up through six__if_deliver(). Capture (pcap) sits in the generic
 * six__if_tx/six__if_deliver wrappers, so every driver has it.
 */
#ifndef SIX_LINK_LINK_H
#define SIX_LINK_LINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include "core/core.h"

struct six_if;
struct six_capture;

struct six_link_ops {
    /* Sends pkt (consumed). Returns 0, or -ENOBUFS when the link's queue
     * is full (the packet is dropped and counted). */
    int (*tx)(struct six_if *ifp, struct six_pkt *pkt);
    /* Delivers up to budget waiting frames; returns how many. */
    unsigned (*rx)(struct six_if *ifp, unsigned budget);
    /* Detaches from the medium and frees priv; ifp itself is the
     * caller's. */
    void (*destroy)(struct six_if *ifp);
    /* Optional: the link-layer multicast receive filter. ip6 calls it
     * with add 1 when the first user of group g comes on the interface
     * and 0 when the last goes; g :: stands for every group. All-nodes
     * (ff02::1) is never passed: a link accepts it always. Returns 0 or
     * a negative errno (the join then fails). */
    int (*mcast_filter)(struct six_if *ifp, const struct in6_addr *g, int add);
};

/* The layer above (ip6_input) takes received packets through this. */
typedef void (*six_if_input_fn)(void *ctx, struct six_if *ifp, struct six_pkt *pkt);
/* Tells the owning stack, from any thread, that frames are waiting. */
typedef void (*six_if_notify_fn)(void *ctx);

struct six_if {
    struct six_core *core;
    unsigned index;
    char name[IF_NAMESIZE];
    unsigned mtu;
    unsigned flags;               /* SIX_IFF_* */
    const struct six_link_ops *ops;
    void *priv;
    six_if_input_fn input;
    void *input_ctx;
    six_if_notify_fn notify;
    void *notify_ctx;
    struct six_capture *capture;
};

/* Sends pkt (consumed) through ifp's driver, capturing it first. */
int six__if_tx(struct six_if *ifp, struct six_pkt *pkt);
/* Hands a received packet (consumed) to the layer above, capturing it. */
void six__if_deliver(struct six_if *ifp, struct six_pkt *pkt);
/* Frees the driver and the capture; ifp stays the caller's. */
void six__if_destroy(struct six_if *ifp);
/* Opens (add 1) or closes (0) the driver's multicast filter to g, when it
 * has one. Returns 0 or the driver's negative errno. */
int six__if_mcast_filter(struct six_if *ifp, const struct in6_addr *g, int add);

/* ---- loopback ---- */
int six__loopback_init(struct six_if *ifp);

/* ---- in-memory wires ---- */
struct six_wire;
/* A wire joining ports; a pair is a wire with two ports. */
struct six_wire *six__wire_new(unsigned mtu, unsigned queue_len, int point_to_point);
/* Drops the creator's reference; the wire lives while ports remain. */
void six__wire_put(struct six_wire *w);
/* Makes ifp a port of w (sets ops, priv, mtu, flags). */
int six__wire_attach(struct six_wire *w, struct six_if *ifp);

/* ---- capture ---- */
/* Opens a pcap file (LINKTYPE_RAW) for ifp; replaces any earlier one. */
int six__capture_open(struct six_if *ifp, const char *path);
void six__capture_close(struct six_if *ifp);
void six__capture_write(struct six_if *ifp, const uint8_t *data, uint32_t len);

#endif
