/* Generic interface calls: capture and the fault wrapper around the
 * driver, Ethernet framing checked on the way in. */
#include <stdlib.h>

#include "link/link.h"

int six__if_tx(struct six_if *ifp, struct six_pkt *pkt) {
    if (ifp->capture)
        six__capture_write(ifp, pkt->data, pkt->len);
    if (ifp->fault)
        return six__fault_tx(ifp, pkt);
    return ifp->ops->tx(ifp, pkt);
}

int six__if_tx_now(struct six_if *ifp, struct six_pkt *pkt) { return ifp->ops->tx(ifp, pkt); }

void six__if_deliver(struct six_if *ifp, struct six_pkt *pkt) {
    if (ifp->fault)
        six__fault_rx(ifp, pkt);
    else
        six__if_deliver_now(ifp, pkt);
}

void six__if_deliver_now(struct six_if *ifp, struct six_pkt *pkt) {
    if (ifp->capture)
        six__capture_write(ifp, pkt->data, pkt->len);
    pkt->ifindex = ifp->index;
    /* Only bytes that never left this node keep a checksum unverified. */
    if (!(ifp->flags & SIX_IFF_LOOPBACK))
        pkt->flags &= ~(uint32_t)SIX_PKT_CSUM_OK;
    if ((ifp->flags & SIX_IFF_ETHERNET) && six__ether_input(ifp, pkt) < 0)
        return;
    ifp->input(ifp->input_ctx, ifp, pkt);
}

void six__if_destroy(struct six_if *ifp) {
    six__fault_destroy(ifp);
    six__capture_close(ifp);
    if (ifp->ops && ifp->ops->destroy)
        ifp->ops->destroy(ifp);
    ifp->ops = NULL;
    ifp->priv = NULL;
    free(ifp->llgroups);
    ifp->llgroups = NULL;
    ifp->nllgroups = ifp->llgroups_cap = 0;
}

int six__if_mcast_filter(struct six_if *ifp, const struct in6_addr *g, int add) {
    /* Ethernet keeps its filter itself, whatever the driver under it. */
    if (ifp->flags & SIX_IFF_ETHERNET) {
        if (!add) {
            six__if_ll_leave(ifp, g);
            return 0;
        }
        return six__if_ll_join(ifp, g);
    }
    if (!ifp->ops || !ifp->ops->mcast_filter)
        return 0;
    return ifp->ops->mcast_filter(ifp, g, add);
}
