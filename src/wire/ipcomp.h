/* The IPComp header (RFC 3173 2.2).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |     Flags     | Compression Parameter Index  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#ifndef SIX_WIRE_IPCOMP_H
#define SIX_WIRE_IPCOMP_H

#include <stddef.h>
#include <stdint.h>

#define SIX_IPCOMP_HDR_LEN 4

struct six_ipcomp_repr {
    uint8_t nxt;
    uint16_t cpi;
};

/* Parses buf[0..avail). Returns 0, -EMSGSIZE, or -EBADMSG (Flags not 0:
 * RFC 3173 2.2 reserves them). */
int six_ipcomp_parse(const uint8_t *buf, size_t avail, struct six_ipcomp_repr *r);
void six_ipcomp_emit(const struct six_ipcomp_repr *r, uint8_t *buf);

#endif
