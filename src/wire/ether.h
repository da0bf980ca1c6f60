/* Ethernet II framing for IPv6 (RFC 2464) and the MAC addresses IPv6 uses.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |             Destination MAC address (6 octets)               |  0
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   Source MAC (6 octets)      +
 *  |                                                               |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     EtherType (0x86DD)        |   payload: the IPv6 packet ...   12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * No preamble, no frame check sequence: TAP devices and pcap files carry
 * frames without them. Frames shorter than 60 bytes are padded by the
 * sender's NIC, not here (a TAP peer accepts short frames).
 */
#ifndef SIX_WIRE_ETHER_H
#define SIX_WIRE_ETHER_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define SIX_ETH_ALEN 6
#define SIX_ETH_HDR_LEN 14
#define SIX_ETH_OFF_TYPE 12
#define SIX_ETHERTYPE_IPV6 0x86dd

struct six_eth_repr {
    uint8_t dst[SIX_ETH_ALEN];
    uint8_t src[SIX_ETH_ALEN];
    uint16_t type;
};

/* Parses the 14-byte header of a frame of len bytes. Returns 0 or
 * -EMSGSIZE when len < 14. */
int six_eth_parse(const uint8_t *buf, size_t len, struct six_eth_repr *out);
/* Writes all 14 bytes of the header. */
void six_eth_emit(const struct six_eth_repr *r, uint8_t out[static SIX_ETH_HDR_LEN]);

/* The group bit (I/G, the least significant bit of the first octet):
 * multicast and broadcast destinations. */
int six_eth_is_group(const uint8_t mac[static SIX_ETH_ALEN]);
int six_eth_is_broadcast(const uint8_t mac[static SIX_ETH_ALEN]);
int six_eth_is_zero(const uint8_t mac[static SIX_ETH_ALEN]);
/* RFC 2464 section 7: the MAC of IPv6 multicast group g is 33:33 followed
 * by the last four octets of g. */
void six_eth_mcast_mac(const struct in6_addr *g, uint8_t out[static SIX_ETH_ALEN]);
/* RFC 2464 section 4 and RFC 4291 appendix A: the modified EUI-64
 * interface identifier of a MAC: ff:fe in the middle and the
 * universal/local bit inverted. */
void six_eth_eui64(const uint8_t mac[static SIX_ETH_ALEN], uint8_t iid[static 8]);

#endif
