/* Ethernet II header parse/emit and IPv6's MAC mappings.
 *
 * Read before editing: RFC 2464 (IPv6 over Ethernet: sections 3 frame
 * format, 4 interface identifiers, 7 multicast mapping), RFC 4291
 * appendix A (modified EUI-64).
 *
 * Pure functions: no allocation, no I/O, no global state. */
#include "wire/ether.h"

#include <errno.h>
#include <string.h>

#include "wire/bytes.h"

/* Borrows buf. */
int six_eth_parse(const uint8_t *buf, size_t len, struct six_eth_repr *out) {
    if (len < SIX_ETH_HDR_LEN)
        return -EMSGSIZE;
    memcpy(out->dst, buf, SIX_ETH_ALEN);
    memcpy(out->src, buf + SIX_ETH_ALEN, SIX_ETH_ALEN);
    out->type = six_get16(buf + SIX_ETH_OFF_TYPE);
    return 0;
}

void six_eth_emit(const struct six_eth_repr *r, uint8_t out[static SIX_ETH_HDR_LEN]) {
    memcpy(out, r->dst, SIX_ETH_ALEN);
    memcpy(out + SIX_ETH_ALEN, r->src, SIX_ETH_ALEN);
    six_put16(out + SIX_ETH_OFF_TYPE, r->type);
}

int six_eth_is_group(const uint8_t mac[static SIX_ETH_ALEN]) {
    return mac[0] & 1;
}

int six_eth_is_broadcast(const uint8_t mac[static SIX_ETH_ALEN]) {
    static const uint8_t bcast[SIX_ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    return memcmp(mac, bcast, SIX_ETH_ALEN) == 0;
}

int six_eth_is_zero(const uint8_t mac[static SIX_ETH_ALEN]) {
    static const uint8_t zero[SIX_ETH_ALEN];
    return memcmp(mac, zero, SIX_ETH_ALEN) == 0;
}

/* RFC 2464 7: 33:33 and the last four octets of the group address. */
void six_eth_mcast_mac(const struct in6_addr *g, uint8_t out[static SIX_ETH_ALEN]) {
    out[0] = 0x33;
    out[1] = 0x33;
    memcpy(out + 2, g->s6_addr + 12, 4);
}

/* RFC 2464 4: the OUI, ff:fe, the rest; RFC 4291 appendix A: invert the
 * universal/local bit (0x02 of the first octet). */
void six_eth_eui64(const uint8_t mac[static SIX_ETH_ALEN], uint8_t iid[static 8]) {
    iid[0] = mac[0] ^ 0x02;
    iid[1] = mac[1];
    iid[2] = mac[2];
    iid[3] = 0xff;
    iid[4] = 0xfe;
    iid[5] = mac[3];
    iid[6] = mac[4];
    iid[7] = mac[5];
}
