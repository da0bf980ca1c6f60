/* UDP header (RFC 768, RFC 8200 section 8.1 for the mandatory checksum).
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Length             |           Checksum            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#ifndef SIX_WIRE_UDP_H
#define SIX_WIRE_UDP_H

#include <stddef.h>
#include <stdint.h>

#define SIX_UDP_HDR_LEN 8
#define SIX_UDP_OFF_CKSUM 6

struct six_udp_repr {
    uint16_t sport;
    uint16_t dport;
    uint16_t len;    /* header + data, as the length field says */
    uint16_t cksum;
};

/* Parses a UDP header of a datagram of avail bytes. Returns 0, -EMSGSIZE
 * when avail < 8 or the length field claims more than avail, -EINVAL when
 * the length field is below 8. (A length below avail is allowed: the rest
 * is ignored. A zero checksum is reported as is; IPv6 forbids it and the
 * caller drops it.) */
int six_udp_parse(const uint8_t *buf, size_t avail, struct six_udp_repr *out);

/* Writes the 8-byte header with the given checksum field. */
void six_udp_emit(const struct six_udp_repr *r, uint8_t out[static SIX_UDP_HDR_LEN]);

#endif
