/* Interfaces whose driver is the application's (six_if_add_netdev): the
 * stack hands each frame it sends to the application's transmit call, and
 * the application hands each frame it receives to six_if_inject(). For a
 * NIC sixstack has no driver for, such as a microcontroller's Ethernet
 * controller (firmware/lan9118.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"
#include "wire/ipv6.h"

struct netdev {
    struct six_netdev dev;
};

/* Consumes pkt. */
static int netdev_tx(struct six_if *ifp, struct six_pkt *pkt) {
    struct netdev *n = ifp->priv;
    int rc = n->dev.transmit(n->dev.ctx, pkt->data, pkt->len);

    six__pkt_free(pkt);
    return rc < 0 ? -ENOBUFS : 0;
}

/* Frames come in through six_if_inject, not by polling the driver. */
static unsigned netdev_rx(struct six_if *ifp, unsigned budget) {
    (void)ifp;
    (void)budget;
    return 0;
}

static void netdev_destroy(struct six_if *ifp) { free(ifp->priv); }

static const struct six_link_ops netdev_ops = {
    .tx = netdev_tx,
    .rx = netdev_rx,
    .destroy = netdev_destroy,
};

int six__netdev_init(struct six_if *ifp, const struct six_netdev *dev) {
    struct netdev *n;
    unsigned mtu = dev->mtu ? dev->mtu : 1500;

    if (!dev->transmit || mtu < SIX_IP6_MIN_MTU || mtu > 65535)
        return -EINVAL;
    if (dev->ethernet && (six_eth_is_group(dev->mac) || six_eth_is_zero(dev->mac)))
        return -EINVAL;
    if (!(n = calloc(1, sizeof(*n))))
        return -ENOMEM;
    n->dev = *dev;
    ifp->ops = &netdev_ops;
    ifp->priv = n;
    ifp->mtu = mtu;
    if (dev->ethernet)
        six__ether_setup(ifp, dev->mac);
    else
        ifp->flags = SIX_IFF_POINTTOPOINT | SIX_IFF_MULTICAST;
    return 0;
}
