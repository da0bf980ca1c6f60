/* UDP header parse/emit.
 *
 * Read before editing: RFC 768 (the header), RFC 8200 section 8.1 (the
 * checksum is mandatory over IPv6), RFC 2675 section 4 (a jumbogram's UDP
 * length of zero, which parse rejects and the caller may special-case).
 *
 * Pure functions: no allocation, no I/O, no global state. */
#include "wire/udp.h"

#include <errno.h>

#include "wire/bytes.h"

/* The length field covers header and data (RFC 768), so it cannot be below
 * the 8-byte header, and must not claim bytes we do not hold. Bytes past it
 * are ignored, as the header comment says. Borrows buf. */
int six_udp_parse(const uint8_t *buf, size_t avail, struct six_udp_repr *out) {
    if (avail < SIX_UDP_HDR_LEN)
        return -EMSGSIZE;
    uint16_t len = six_get16(buf + 4);
    if (len < SIX_UDP_HDR_LEN)
        return -EINVAL;
    if (len > avail)
        return -EMSGSIZE;
    out->sport = six_get16(buf);
    out->dport = six_get16(buf + 2);
    out->len = len;
    out->cksum = six_get16(buf + SIX_UDP_OFF_CKSUM);
    return 0;
}

/* Writes every byte of the header from the repr, checksum included as given
 * (zero while the caller computes it over the pseudo-header). */
void six_udp_emit(const struct six_udp_repr *r, uint8_t out[static SIX_UDP_HDR_LEN]) {
    six_put16(out, r->sport);
    six_put16(out + 2, r->dport);
    six_put16(out + 4, r->len);
    six_put16(out + SIX_UDP_OFF_CKSUM, r->cksum);
}
