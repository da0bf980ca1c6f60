/* IPv6 fixed header parse/emit and address helpers.
 *
 * Read before editing: RFC 8200 section 3 (the fixed header), RFC 4291
 * (address architecture: sections 2.4, 2.5.2, 2.5.3, 2.5.5.2, 2.5.6, 2.7,
 * 2.7.1), RFC 4007 section 4 (scopes) and RFC 6724 section 3 (the scope
 * comparison that source address selection uses).
 *
 * Pure functions: no allocation, no I/O, no global state. */
#include "wire/ipv6.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#include "wire/bytes.h"

/* Parses and validates the fixed header; borrows buf. */
int six_ip6_parse(const uint8_t *buf, size_t len, struct six_ip6_repr *out) {
    int rc = six_ip6_parse_quoted(buf, len, out);
    if (rc < 0)
        return rc;
    /* The payload length must fit in what we were given; bytes beyond it are
     * link-layer padding (e.g. Ethernet's 60-byte minimum) and are allowed. */
    if (out->plen > len - SIX_IP6_HDR_LEN)
        return -EMSGSIZE;
    return 0;
}

int six_ip6_parse_quoted(const uint8_t *buf, size_t len, struct six_ip6_repr *out) {
    if (len < SIX_IP6_HDR_LEN)
        return -EMSGSIZE;
    uint32_t word0 = six_get32(buf);
    /* RFC 8200 section 3: the version field is 4 bits and must be 6. */
    if (word0 >> 28 != 6)
        return -EPROTONOSUPPORT;
    uint16_t plen = six_get16(buf + SIX_IP6_OFF_PLEN);
    out->tclass = (uint8_t)(word0 >> 20);
    out->flow = word0 & 0xfffff;
    out->plen = plen;
    out->nxt = buf[SIX_IP6_OFF_NXT];
    out->hlim = buf[SIX_IP6_OFF_HLIM];
    memcpy(&out->src, buf + SIX_IP6_OFF_SRC, 16);
    memcpy(&out->dst, buf + SIX_IP6_OFF_DST, 16);
    return 0;
}

/* Writes every byte of the fixed header; a flow label wider than 20 bits is
 * cut to 20 so it cannot spill into the traffic class. */
void six_ip6_emit(const struct six_ip6_repr *r, uint8_t out[static SIX_IP6_HDR_LEN]) {
    uint32_t word0 = (uint32_t)6 << 28 | (uint32_t)r->tclass << 20 | (r->flow & 0xfffff);
    six_put32(out, word0);
    six_put16(out + SIX_IP6_OFF_PLEN, r->plen);
    out[SIX_IP6_OFF_NXT] = r->nxt;
    out[SIX_IP6_OFF_HLIM] = r->hlim;
    memcpy(out + SIX_IP6_OFF_SRC, &r->src, 16);
    memcpy(out + SIX_IP6_OFF_DST, &r->dst, 16);
}

/* The address as two 64-bit words in memory order; every address test on
 * the per-packet path is then two compares, not sixteen. */
/* RFC 4291 section 2.5.5.2: ::ffff:0:0/96. */
int six_addr_is_v4mapped(const struct in6_addr *a) {
    static const uint8_t prefix[12] = {[10] = 0xff, [11] = 0xff};
    return memcmp(a->s6_addr, prefix, sizeof(prefix)) == 0;
}

/* RFC 6724 section 3.2: an IPv4 address (here, mapped) in 127/8 or
 * 169.254/16 has link-local scope; every other one is global. */
static int v4mapped_scope(const struct in6_addr *a) {
    const uint8_t *v4 = a->s6_addr + 12;
    if (v4[0] == 127 || (v4[0] == 169 && v4[1] == 254))
        return 0x2;
    return 0xe;
}

/* RFC 6724 section 3.1 maps unicast scopes onto the multicast scope values
 * so the two can be compared (six_addr_scope in ipv6.h does the rest). The
 * loopback address counts as link-local (RFC 4007 section 4); the
 * unspecified address has no scope at all (RFC 4007 section 11.1), which
 * we report as 0, below every real scope. */
int six__addr_scope_low(const struct in6_addr *a) {
    uint64_t hi, lo;

    /* Two words, not three memcmp: ::1 takes this path on every packet. */
    memcpy(&hi, a->s6_addr, 8);
    memcpy(&lo, a->s6_addr + 8, 8);
    if (hi != 0)
        return 0xe;
    if (lo == 0)
        return 0x0;                         /* :: */
    if (lo == htobe64(1))
        return 0x2;                         /* ::1 */
    if ((lo & htobe64(0xffffffff00000000ull)) == htobe64(0x0000ffff00000000ull))
        return v4mapped_scope(a);           /* ::ffff:0:0/96 */
    return 0xe;
}

/* Counts leading equal bits: whole bytes first, then the bits of the first
 * byte that differs (RFC 6724 section 2.2 CommonPrefixLen). */
int six_addr_common_prefix(const struct in6_addr *a, const struct in6_addr *b) {
    int bits = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t diff = a->s6_addr[i] ^ b->s6_addr[i];
        if (diff == 0) {
            bits += 8;
            continue;
        }
        while (!(diff & 0x80)) {
            bits++;
            diff = (uint8_t)(diff << 1);
        }
        break;
    }
    return bits;
}

/* A plen outside 0..128 is not a prefix length and never matches. */
int six_addr_prefix_match(const struct in6_addr *a, const struct in6_addr *prefix, int plen) {
    if (plen < 0 || plen > 128)
        return 0;
    return six_addr_common_prefix(a, prefix) >= plen;
}

/* RFC 4291 section 2.7.1: ff02:0:0:0:0:1:ff00::/104 followed by the low 24
 * bits of the unicast or anycast address. */
void six_addr_solicited_node(const struct in6_addr *a, struct in6_addr *out) {
    struct in6_addr g;
    memset(&g, 0, sizeof(g));
    g.s6_addr[0] = 0xff;
    g.s6_addr[1] = 0x02;
    g.s6_addr[11] = 0x01;
    g.s6_addr[12] = 0xff;
    memcpy(g.s6_addr + 13, a->s6_addr + 13, 3);
    *out = g;
}
