/* Interfaces and the link drivers under them.
 *
 * A driver is two calls: tx takes one frame, rx moves received frames up
 * through six__if_deliver(). A frame is a bare IPv6 packet, or on an
 * Ethernet interface (SIX_IFF_ETHERNET) an Ethernet II frame: ether.c adds
 * the header on the way out (six__ether_output) and checks, filters and
 * strips it on the way in, so the layer above always sees IPv6 packets.
 * Capture (pcap) sits in the generic six__if_tx/six__if_deliver wrappers,
 * so every driver has it, and it sees whole frames.
 *
 * RFCs to read before editing ether.c: RFC 2464 (IPv6 over Ethernet).
 */
#ifndef SIX_LINK_LINK_H
#define SIX_LINK_LINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include "core/core.h"
#include "wire/ether.h"

struct six_if;
struct six_capture;
struct six_link_fault;

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
    /* Optional: a descriptor that becomes readable when frames wait (the
     * threaded run loop polls it), or -1. */
    int (*fd)(const struct six_if *ifp);
};

/* A link-layer multicast address the interface accepts, with the number
 * of IPv6 groups that map onto it. */
struct six_llgroup {
    uint8_t mac[SIX_ETH_ALEN];
    unsigned refs;
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
    struct six_link_fault *fault;  /* impairment wrapper (fault.c), or NULL */
    /* Ethernet interfaces: our MAC, and the receive filter: multicast
     * MACs of joined groups, and a count of "every group" joins. */
    uint8_t hwaddr[SIX_ETH_ALEN];
    struct six_llgroup *llgroups;
    unsigned nllgroups, llgroups_cap;
    unsigned allmulti;
};

/* Sends pkt (consumed) through ifp's driver, capturing it first, through
 * the fault wrapper when there is one. */
int six__if_tx(struct six_if *ifp, struct six_pkt *pkt);
/* Hands a received packet (consumed) to the layer above, capturing it,
 * after the fault wrapper when there is one. */
void six__if_deliver(struct six_if *ifp, struct six_pkt *pkt);
/* The same past the fault wrapper: what it calls for the frames it lets
 * through. */
int six__if_tx_now(struct six_if *ifp, struct six_pkt *pkt);
void six__if_deliver_now(struct six_if *ifp, struct six_pkt *pkt);
/* Frees the driver and the capture; ifp stays the caller's. */
void six__if_destroy(struct six_if *ifp);
/* Opens (add 1) or closes (0) the driver's multicast filter to g, when it
 * has one. Returns 0 or the driver's negative errno. */
int six__if_mcast_filter(struct six_if *ifp, const struct in6_addr *g, int add);

/* ---- Ethernet (ether.c) ---- */
/* Makes ifp an Ethernet interface with MAC mac (SIX_IFF_ETHERNET). */
void six__ether_setup(struct six_if *ifp, const uint8_t mac[SIX_ETH_ALEN]);
/* A random locally administered unicast MAC from the stack's random. */
void six__ether_random_mac(struct six_core *core, uint8_t mac[SIX_ETH_ALEN]);
/* Prepends an Ethernet header to pkt (data at its IPv6 header) for
 * destination dst and sends it. Consumes pkt. Returns 0, -ENOBUFS (link
 * queue full) or -EINVAL (no headroom). */
int six__ether_output(struct six_if *ifp, const uint8_t dst[SIX_ETH_ALEN], struct six_pkt *pkt);
/* The same to the MAC of IPv6 multicast group g (RFC 2464 7). Consumes
 * pkt. */
int six__ether_output_mcast(struct six_if *ifp, const struct in6_addr *g, struct six_pkt *pkt);
/* Checks a received frame's header against the filter, notes link-layer
 * multicast in pkt->ll_mcast and strips the header. Returns 0, or a
 * negative errno after freeing pkt (counted). Consumes pkt on failure. */
int six__ether_input(struct six_if *ifp, struct six_pkt *pkt);
/* The receive filter follows IPv6 group membership: ip6 calls these on
 * the first join and the last leave of a group on ifp (the unspecified
 * group stands for every group). No-ops on other interfaces. */
int six__if_ll_join(struct six_if *ifp, const struct in6_addr *g);
void six__if_ll_leave(struct six_if *ifp, const struct in6_addr *g);
/* Whether a frame to dst gets through ifp's filter. */
int six__if_ll_accepts(const struct six_if *ifp, const uint8_t dst[SIX_ETH_ALEN]);

/* ---- loopback ---- */
int six__loopback_init(struct six_if *ifp);

/* ---- in-memory wires ---- */
struct six_wire;
/* A wire joining ports; a pair is a wire with two ports. An Ethernet wire
 * carries Ethernet frames of up to mtu bytes of IPv6 each; its ports get
 * random MACs. */
struct six_wire *six__wire_new(unsigned mtu, unsigned queue_len, int point_to_point,
                               int ethernet);
/* Drops the creator's reference; the wire lives while ports remain. */
void six__wire_put(struct six_wire *w);
/* Makes ifp a port of w (sets ops, priv, mtu, flags). */
int six__wire_attach(struct six_wire *w, struct six_if *ifp);

/* ---- the application's own driver (netdev.c) ---- */
/* Makes ifp an interface whose frames go out through dev->transmit.
 * Returns 0, -EINVAL (no transmit call, MTU out of [1280, 65535], a group
 * or zero MAC on Ethernet) or -ENOMEM. */
int six__netdev_init(struct six_if *ifp, const struct six_netdev *dev);

/* ---- TAP and TUN (tap.c) ---- */
/* Opens the kernel interface dev through /dev/net/tun (creating it when
 * it does not exist, which needs CAP_NET_ADMIN) as a TAP (tap 1: Ethernet
 * frames, MAC mac or random when NULL) or a TUN (tap 0: bare IP packets)
 * and makes ifp its driver. Returns 0 or a negative errno from the
 * kernel (-ENOENT no /dev/net/tun, -EPERM, -EBUSY ...). */
int six__tap_open(struct six_if *ifp, const char *dev, int tap, const uint8_t *mac,
                  unsigned mtu);

/* ---- capture ---- */
/* Opens a pcap file for ifp (LINKTYPE_ETHERNET on Ethernet interfaces,
 * LINKTYPE_RAW otherwise); replaces any earlier one. */
int six__capture_open(struct six_if *ifp, const char *path);
void six__capture_close(struct six_if *ifp);
void six__capture_write(struct six_if *ifp, const uint8_t *data, uint32_t len);

/* ---- fault: seeded drop, duplicate, reorder and delay (fault.c) ----
 * Sits between the driver and the rest (capture included): see fault.c. */
/* Installs cfg on ifp (replacing any earlier wrapper, whose held frames go
 * out at once), or removes it (cfg NULL). Returns 0, -EINVAL for a bad
 * cfg, -ENOMEM. */
int six__fault_set(struct six_if *ifp, const struct six_fault *cfg);
/* Frees the wrapper and drops its held frames (the interface is going). */
void six__fault_destroy(struct six_if *ifp);
/* The wrapper's two directions; each consumes pkt. */
int six__fault_tx(struct six_if *ifp, struct six_pkt *pkt);
void six__fault_rx(struct six_if *ifp, struct six_pkt *pkt);

/* ---- replay: a pcap file as input ---- */
struct six_replay;
/* Opens path for reading into an interface that is Ethernet (ethernet 1:
 * the file must be LINKTYPE_ETHERNET) or not (LINKTYPE_RAW or
 * LINKTYPE_IPV6); filter, when not NULL, is a libpcap filter expression
 * (pcap-filter(7)) that records must match. Returns 0 and the reader in
 * *out, or -errno from opening the file, -EINVAL when it is not a pcap
 * file or the filter does not compile, -EMEDIUMTYPE for another link
 * type, -ENOMEM. */
int six__replay_open(struct six_replay **out, const char *path, int ethernet,
                     const char *filter);
/* The next record that matches the filter: returns 1 with its bytes in
 * *data and *len (valid until the next call), 0 at the end of the file,
 * -EIO when the file is cut short or unreadable. */
int six__replay_next(struct six_replay *r, const uint8_t **data, uint32_t *len);
void six__replay_close(struct six_replay *r);

#endif
