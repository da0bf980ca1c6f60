/* ICMPv6 message header parse/emit.
 *
 * Read before editing: RFC 4443 sections 2.1 (message format), 2.3 (the
 * checksum, which needs the pseudo-header and so lives in cksum.h) and 3-4
 * (what the type-specific word holds for each message).
 *
 * Pure functions: no allocation, no I/O, no global state. */
#include "wire/icmp6.h"

#include <errno.h>

#include "wire/bytes.h"

/* Every ICMPv6 message we handle has at least the 4-byte type/code/checksum
 * header and the 4-byte type-specific word (RFC 4443 sections 3 and 4), so
 * anything shorter is malformed. Borrows buf; body points into it. */
int six_icmp6_parse(const uint8_t *buf, size_t len, struct six_icmp6_repr *out) {
    if (len < SIX_ICMP6_HDR_LEN)
        return -EMSGSIZE;
    out->type = buf[0];
    out->code = buf[1];
    out->cksum = six_get16(buf + SIX_ICMP6_OFF_CKSUM);
    out->word = six_get32(buf + 4);
    out->body = buf + SIX_ICMP6_HDR_LEN;
    out->body_len = len - SIX_ICMP6_HDR_LEN;
    return 0;
}

/* The checksum is left zero: it covers the body and the pseudo-header
 * (RFC 4443 section 2.3), which the caller fills in afterwards. */
void six_icmp6_emit_header(uint8_t type, uint8_t code, uint32_t word,
                           uint8_t out[static SIX_ICMP6_HDR_LEN]) {
    out[0] = type;
    out[1] = code;
    six_put16(out + SIX_ICMP6_OFF_CKSUM, 0);
    six_put32(out + 4, word);
}
