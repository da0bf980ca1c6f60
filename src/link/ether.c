/* Ethernet framing under IPv6 (RFC 2464): the header on the way out, the
 * header check and the receive filter on the way in.
 *
 * The filter does what a NIC's does: a frame gets through when it is for
 * our MAC, for the broadcast address, or for the multicast MAC of a group
 * some layer above joined (all-nodes always, RFC 4291 2.8). The groups
 * come from ip6's membership table through six__if_ll_join/leave, so MLD
 * (later) and sockets' IPV6_JOIN_GROUP drive it without knowing about it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"
#include "wire/ipv6.h"

void six__ether_setup(struct six_if *ifp, const uint8_t mac[SIX_ETH_ALEN]) {
    memcpy(ifp->hwaddr, mac, SIX_ETH_ALEN);
    ifp->flags |= SIX_IFF_ETHERNET | SIX_IFF_MULTICAST;
}

void six__ether_random_mac(struct six_core *core, uint8_t mac[SIX_ETH_ALEN]) {
    uint64_t r = six__rand64(core);
    for (int i = 0; i < SIX_ETH_ALEN; i++)
        mac[i] = (uint8_t)(r >> (8 * i));
    /* IEEE 802: bit 0x02 of the first octet marks a locally administered
     * address, bit 0x01 a group address. */
    mac[0] = (uint8_t)((mac[0] | 0x02) & ~0x01);
}

/* Consumes pkt. */
int six__ether_output(struct six_if *ifp, const uint8_t dst[SIX_ETH_ALEN], struct six_pkt *pkt) {
    struct six_eth_repr e = {.type = SIX_ETHERTYPE_IPV6};

    if (six__pkt_headroom(pkt) < SIX_ETH_HDR_LEN) {
        SIX_STAT(ifp->core, link_tx_no_headroom);
        six__pkt_free(pkt);
        return -EINVAL;
    }
    memcpy(e.dst, dst, SIX_ETH_ALEN);
    memcpy(e.src, ifp->hwaddr, SIX_ETH_ALEN);
    six_eth_emit(&e, six__pkt_push(pkt, SIX_ETH_HDR_LEN));
    return six__if_tx(ifp, pkt);
}

/* Consumes pkt. */
int six__ether_output_mcast(struct six_if *ifp, const struct in6_addr *g, struct six_pkt *pkt) {
    uint8_t mac[SIX_ETH_ALEN];
    six_eth_mcast_mac(g, mac);
    return six__ether_output(ifp, mac, pkt);
}

static int llgroup_index(const struct six_if *ifp, const uint8_t mac[SIX_ETH_ALEN]) {
    for (unsigned i = 0; i < ifp->nllgroups; i++)
        if (memcmp(ifp->llgroups[i].mac, mac, SIX_ETH_ALEN) == 0)
            return (int)i;
    return -1;
}

int six__if_ll_accepts(const struct six_if *ifp, const uint8_t dst[SIX_ETH_ALEN]) {
    static const uint8_t all_nodes[SIX_ETH_ALEN] = {0x33, 0x33, 0, 0, 0, 1};

    if (!six_eth_is_group(dst))
        return memcmp(dst, ifp->hwaddr, SIX_ETH_ALEN) == 0;
    return six_eth_is_broadcast(dst) || ifp->allmulti ||
           memcmp(dst, all_nodes, SIX_ETH_ALEN) == 0 || llgroup_index(ifp, dst) >= 0;
}

int six__if_ll_join(struct six_if *ifp, const struct in6_addr *g) {
    uint8_t mac[SIX_ETH_ALEN];
    int i;

    if (!(ifp->flags & SIX_IFF_ETHERNET))
        return 0;
    if (six_addr_is_unspecified(g)) {
        ifp->allmulti++;
        return 0;
    }
    six_eth_mcast_mac(g, mac);
    /* Several groups share a MAC (only 32 bits of the group make it in):
     * the MAC stays in the filter while any of them is joined. */
    if ((i = llgroup_index(ifp, mac)) >= 0) {
        ifp->llgroups[i].refs++;
        return 0;
    }
    if (ifp->nllgroups == ifp->llgroups_cap) {
        unsigned ncap = ifp->llgroups_cap ? ifp->llgroups_cap * 2 : 8;
        struct six_llgroup *n = realloc(ifp->llgroups, ncap * sizeof(*n));
        if (!n)
            return -ENOBUFS;
        ifp->llgroups = n;
        ifp->llgroups_cap = ncap;
    }
    memcpy(ifp->llgroups[ifp->nllgroups].mac, mac, SIX_ETH_ALEN);
    ifp->llgroups[ifp->nllgroups++].refs = 1;
    return 0;
}

void six__if_ll_leave(struct six_if *ifp, const struct in6_addr *g) {
    uint8_t mac[SIX_ETH_ALEN];
    int i;

    if (!(ifp->flags & SIX_IFF_ETHERNET))
        return;
    if (six_addr_is_unspecified(g)) {
        if (ifp->allmulti)
            ifp->allmulti--;
        return;
    }
    six_eth_mcast_mac(g, mac);
    if ((i = llgroup_index(ifp, mac)) >= 0 && --ifp->llgroups[i].refs == 0)
        ifp->llgroups[i] = ifp->llgroups[--ifp->nllgroups];
}

/* Consumes pkt on failure. */
int six__ether_input(struct six_if *ifp, struct six_pkt *pkt) {
    struct six_eth_repr e;
    int rc = 0;

    if (six_eth_parse(pkt->data, pkt->len, &e) < 0) {
        SIX_STAT(ifp->core, link_rx_bad_frame);
        rc = -EMSGSIZE;
    } else if (!six__if_ll_accepts(ifp, e.dst)) {
        /* A hub (or a TAP in promiscuous company) shows us frames for
         * others: a NIC's filter would have kept them out. */
        SIX_STAT(ifp->core, link_rx_filtered);
        rc = -EADDRNOTAVAIL;
    } else if (e.type != SIX_ETHERTYPE_IPV6) {
        SIX_STAT(ifp->core, link_rx_not_ipv6);
        rc = -EPROTONOSUPPORT;
    }
    if (rc < 0) {
        six__pkt_free(pkt);
        return rc;
    }
    pkt->ll_mcast = (uint8_t)six_eth_is_group(e.dst);
    pkt->data += SIX_ETH_HDR_LEN;
    pkt->len -= SIX_ETH_HDR_LEN;
    return 0;
}
