/* The loopback interface: what it sends, it receives on the next rx.
 * Sending queues the packet itself (no copy); the stack runs rx at the end
 * of the call that sent it, so ::1 traffic is delivered before send()
 * returns, without recursion from output into input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"

struct loopback {
    struct six_pktq q;
};

/* Consumes pkt. */
static int loopback_tx(struct six_if *ifp, struct six_pkt *pkt) {
    struct loopback *lo = ifp->priv;
    six__pktq_push(&lo->q, pkt);
    return 0;
}

static unsigned loopback_rx(struct six_if *ifp, unsigned budget) {
    struct loopback *lo = ifp->priv;
    unsigned n = 0;
    struct six_pkt *pkt;

    while (n < budget && (pkt = six__pktq_pop(&lo->q))) {
        six__if_deliver(ifp, pkt);
        n++;
    }
    return n;
}

static void loopback_destroy(struct six_if *ifp) {
    struct loopback *lo = ifp->priv;
    six__pktq_purge(&lo->q);
    free(lo);
}

static const struct six_link_ops loopback_ops = {
    .tx = loopback_tx,
    .rx = loopback_rx,
    .destroy = loopback_destroy,
};

int six__loopback_init(struct six_if *ifp) {
    struct loopback *lo = calloc(1, sizeof(*lo));
    if (!lo)
        return -ENOMEM;
    ifp->ops = &loopback_ops;
    ifp->priv = lo;
    /* Linux uses 65536 on lo; the largest IPv6 packet without a jumbogram
     * is 65575 bytes, so any MTU from 65535 up carries every datagram. */
    ifp->mtu = 65535;
    ifp->flags = SIX_IFF_LOOPBACK | SIX_IFF_MULTICAST;
    return 0;
}
