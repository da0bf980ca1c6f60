/* In-memory wires between stacks of one process: a point-to-point pair or
 * a multi-access segment (a hub: every frame reaches every other port).
 *
 * Each port owns a receive ring of fixed slots, like a NIC. Sending copies
 * the frame into the ring of every other port under that ring's lock and
 * notifies the owning stack; the owner's rx copies frames out into its own
 * packet buffers. Stacks never share buffers, so each keeps its own
 * bounded memory. Lock order: a stack's lock, then the wire's, then a
 * ring's; the wire's lock is never held while taking a stack's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"

struct port {
    struct six_wire *wire;
    struct six_if *ifp;
    six_port_mutex ring_lock;
    unsigned head, count;        /* ring of queue_len slots */
    uint32_t *lens;
    uint8_t *slots;              /* queue_len * mtu bytes */
};

struct six_wire {
    six_port_mutex lock;
    unsigned refs;
    unsigned mtu;
    unsigned queue_len;
    int point_to_point;
    int ethernet;
    unsigned frame_max;          /* mtu, plus the Ethernet header */
    unsigned nports;
    struct port **ports;
};

struct six_wire *six__wire_new(unsigned mtu, unsigned queue_len, int point_to_point,
                               int ethernet) {
    struct six_wire *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    six_port_mutex_init(&w->lock);
    w->refs = 1;
    w->mtu = mtu;
    w->queue_len = queue_len;
    w->point_to_point = point_to_point;
    w->ethernet = ethernet;
    w->frame_max = mtu + (ethernet ? SIX_ETH_HDR_LEN : 0);
    return w;
}

static void wire_unref_locked(struct six_wire *w) {
    if (--w->refs > 0) {
        six_port_mutex_unlock(&w->lock);
        return;
    }
    six_port_mutex_unlock(&w->lock);
    six_port_mutex_fini(&w->lock);
    free(w->ports);
    free(w);
}

void six__wire_put(struct six_wire *w) {
    six_port_mutex_lock(&w->lock);
    wire_unref_locked(w);
}

/* Copies a frame into p's ring; returns -ENOBUFS when the ring is full. */
static int port_enqueue(struct port *p, const uint8_t *data, uint32_t len) {
    struct six_wire *w = p->wire;
    int rc = 0;

    six_port_mutex_lock(&p->ring_lock);
    if (p->count == w->queue_len) {
        rc = -ENOBUFS;
    } else {
        unsigned slot = (p->head + p->count) % w->queue_len;
        memcpy(p->slots + (size_t)slot * w->frame_max, data, len);
        p->lens[slot] = len;
        p->count++;
    }
    six_port_mutex_unlock(&p->ring_lock);
    if (rc == 0 && p->ifp->notify)
        p->ifp->notify(p->ifp->notify_ctx);
    return rc;
}

/* Consumes pkt. */
static int memwire_tx(struct six_if *ifp, struct six_pkt *pkt) {
    struct port *self = ifp->priv;
    struct six_wire *w = self->wire;
    int rc = 0;

    if (pkt->len > w->frame_max) {
        six__pkt_free(pkt);
        return -EMSGSIZE;
    }
    six_port_mutex_lock(&w->lock);
    for (unsigned i = 0; i < w->nports; i++) {
        struct port *p = w->ports[i];
        if (p == self)
            continue;
        /* A full ring on the far side is that receiver's drop, counted
         * by the sender too: there is nobody else to count it. */
        if (port_enqueue(p, pkt->data, pkt->len) < 0) {
            SIX_STAT(ifp->core, link_rx_ring_full);
            rc = -ENOBUFS;
        }
    }
    six_port_mutex_unlock(&w->lock);
    six__pkt_free(pkt);
    return w->point_to_point ? rc : 0;
}

static unsigned memwire_rx(struct six_if *ifp, unsigned budget) {
    struct port *p = ifp->priv;
    struct six_wire *w = p->wire;
    unsigned n = 0;

    while (n < budget) {
        struct six_pkt *pkt;
        uint32_t len;

        six_port_mutex_lock(&p->ring_lock);
        if (p->count == 0) {
            six_port_mutex_unlock(&p->ring_lock);
            break;
        }
        len = p->lens[p->head];
        pkt = six__pkt_alloc(&ifp->core->pools, SIX_PKT_HEADROOM, len);
        if (pkt)
            memcpy(pkt->data, p->slots + (size_t)p->head * w->frame_max, len);
        p->head = (p->head + 1) % w->queue_len;
        p->count--;
        six_port_mutex_unlock(&p->ring_lock);
        n++;
        if (!pkt) {
            SIX_STAT(ifp->core, ip6_in_nobufs);
            continue;
        }
        six__if_deliver(ifp, pkt);
    }
    return n;
}

static void memwire_destroy(struct six_if *ifp) {
    struct port *p = ifp->priv;
    struct six_wire *w = p->wire;

    six_port_mutex_lock(&w->lock);
    for (unsigned i = 0; i < w->nports; i++) {
        if (w->ports[i] == p) {
            w->ports[i] = w->ports[--w->nports];
            break;
        }
    }
    six_port_mutex_fini(&p->ring_lock);
    free(p->lens);
    free(p->slots);
    free(p);
    wire_unref_locked(w);
}

/* A hub delivers every frame to every port and the receiver's IPv6
 * layer keeps what is addressed to it, so there is no filter to program:
 * the calls are only counted, for tests. An Ethernet port must open its
 * filter to the group's 33:33:xx:xx:xx:xx address (RFC 2464 7). */
static int memwire_mcast_filter(struct six_if *ifp, const struct in6_addr *g, int add) {
    (void)g;
    if (add)
        SIX_STAT(ifp->core, link_mcast_filter_adds);
    else
        SIX_STAT(ifp->core, link_mcast_filter_dels);
    return 0;
}

static const struct six_link_ops memwire_ops = {
    .tx = memwire_tx,
    .rx = memwire_rx,
    .destroy = memwire_destroy,
    .mcast_filter = memwire_mcast_filter,
};

int six__wire_attach(struct six_wire *w, struct six_if *ifp) {
    struct port *p = calloc(1, sizeof(*p));
    struct port **ports;
    int rc = -ENOMEM;

    if (!p)
        return -ENOMEM;
    p->lens = calloc(w->queue_len, sizeof(*p->lens));
    p->slots = malloc((size_t)w->queue_len * w->frame_max);
    if (!p->lens || !p->slots)
        goto fail;
    six_port_mutex_lock(&w->lock);
    if (w->point_to_point && w->nports == 2) {
        six_port_mutex_unlock(&w->lock);
        rc = -EISCONN;
        goto fail;
    }
    ports = realloc(w->ports, (w->nports + 1) * sizeof(*ports));
    if (!ports) {
        six_port_mutex_unlock(&w->lock);
        goto fail;
    }
    six_port_mutex_init(&p->ring_lock);
    p->wire = w;
    p->ifp = ifp;
    w->ports = ports;
    w->ports[w->nports++] = p;
    w->refs++;
    six_port_mutex_unlock(&w->lock);
    ifp->ops = &memwire_ops;
    ifp->priv = p;
    ifp->mtu = w->mtu;
    ifp->flags = SIX_IFF_MULTICAST | (w->point_to_point ? SIX_IFF_POINTTOPOINT : 0);
    if (w->ethernet) {
        uint8_t mac[SIX_ETH_ALEN];
        six__ether_random_mac(ifp->core, mac);
        six__ether_setup(ifp, mac);
    }
    return 0;
fail:
    free(p->lens);
    free(p->slots);
    free(p);
    return rc;
}
