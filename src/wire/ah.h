/* The Authentication Header (RFC 4302 2).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Next Header   |  Payload Len  |          RESERVED             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Security Parameters Index (SPI)               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Sequence Number Field                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Integrity Check Value-ICV (variable)           |
 *
 * Payload Len is the header's length in 4-octet units minus 2; in IPv6
 * the whole header is a multiple of 8 octets (RFC 4302 2.2).
 */
#ifndef SIX_WIRE_AH_H
#define SIX_WIRE_AH_H

#include <stddef.h>
#include <stdint.h>

#define SIX_AH_FIXED_LEN 12
#define SIX_AH_OFF_ICV 12

struct six_ah_repr {
    uint8_t nxt;
    size_t len;        /* the whole header, ICV and its padding included */
    uint32_t spi;
    uint32_t seq;
};

/* Parses the AH at buf[0..avail). Returns 0, -EMSGSIZE (shorter than
 * the fixed part or than its length says) or -EBADMSG (a length IPv6
 * does not allow). */
int six_ah_parse(const uint8_t *buf, size_t avail, struct six_ah_repr *r);
/* Writes r's header with an ICV field of zeros (r->len bytes). */
void six_ah_emit(const struct six_ah_repr *r, uint8_t *buf);

#endif
