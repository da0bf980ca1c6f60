/* IPv6 fixed header (RFC 8200 section 3) and addresses.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Traffic Class |           Flow Label                  |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Payload Length        |  Next Header  |   Hop Limit   |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Source Address (16 octets)                  |  8
 *  |                Destination Address (16 octets)                |  24
 */
#ifndef SIX_WIRE_IPV6_H
#define SIX_WIRE_IPV6_H

#include <endian.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SIX_IP6_HDR_LEN 40
#define SIX_IP6_OFF_PLEN 4
#define SIX_IP6_OFF_NXT 6
#define SIX_IP6_OFF_HLIM 7
#define SIX_IP6_OFF_SRC 8
#define SIX_IP6_OFF_DST 24
#define SIX_IP6_MIN_MTU 1280

struct six_ip6_repr {
    uint8_t tclass;
    uint32_t flow;   /* 20 bits */
    uint16_t plen;   /* payload length: bytes after the fixed header */
    uint8_t nxt;
    uint8_t hlim;
    struct in6_addr src;
    struct in6_addr dst;
};

/* Parses the fixed header of buf[0..len).
 * Returns 0, -EMSGSIZE when len < 40 or the payload length claims more bytes
 * than len holds (bytes beyond 40 + plen are link padding and allowed),
 * -EPROTONOSUPPORT when the version is not 6. A payload length of zero
 * (jumbogram, RFC 2675) is accepted here; the caller decides. */
int six_ip6_parse(const uint8_t *buf, size_t len, struct six_ip6_repr *out);

/* The same for a header quoted in an ICMPv6 error (RFC 4443 2.4(c)), whose
 * payload is cut short: the payload length is not checked against len. */
int six_ip6_parse_quoted(const uint8_t *buf, size_t len, struct six_ip6_repr *out);

/* Writes all 40 bytes of the fixed header. */
void six_ip6_emit(const struct six_ip6_repr *r, uint8_t out[static SIX_IP6_HDR_LEN]);

/* Address classification (RFC 4291). The small ones are inline: every
 * packet asks them several times. */
/* RFC 4291 section 2.5.2: ::/128. */
static inline int six_addr_is_unspecified(const struct in6_addr *a) {
    uint64_t w[2];
    memcpy(w, a->s6_addr, 16);
    return (w[0] | w[1]) == 0;
}

/* RFC 4291 section 2.5.3: ::1/128. Two words: a memcmp with a constant
 * was still a library call on every packet. */
static inline int six_addr_is_loopback(const struct in6_addr *a) {
    uint64_t w[2];
    memcpy(w, a->s6_addr, 16);
    return w[0] == 0 && w[1] == htobe64(1);
}

/* RFC 4291 section 2.7: ff00::/8. */
static inline int six_addr_is_multicast(const struct in6_addr *a) {
    return a->s6_addr[0] == 0xff;
}

/* RFC 4291 section 2.5.6: fe80::/10. */
static inline int six_addr_is_linklocal(const struct in6_addr *a) {
    return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}

int six_addr_is_v4mapped(const struct in6_addr *a);       /* ::ffff:0:0/96 */
/* The scope of an address as RFC 6724 section 3.1 defines it:
 * 0x1 interface-local, 0x2 link-local, 0x5 site-local, 0xe global
 * (multicast: the scope field). Loopback is link-local (RFC 4007 section 4),
 * IPv4-mapped follows RFC 6724 section 3.2, and the unspecified address,
 * which has no scope, gives 0. */
static inline int six_addr_scope(const struct in6_addr *a);
/* six_addr_scope of ::/8: the unspecified, loopback and IPv4-mapped
 * addresses live there. */
int six__addr_scope_low(const struct in6_addr *a);

/* Inline (it is on every send and in every source comparison): one byte
 * decides, except in ::/8. */
static inline int six_addr_scope(const struct in6_addr *a) {
    uint8_t b0 = a->s6_addr[0], b1 = a->s6_addr[1];

    if (b0 == 0xff)
        return b1 & 0x0f;
    if (b0 == 0xfe && (b1 & 0xc0) == 0x80)
        return 0x2;
    if (b0 == 0xfe && (b1 & 0xc0) == 0xc0)
        return 0x5;   /* the deprecated site-local fec0::/10 (RFC 3879) */
    return b0 ? 0xe : six__addr_scope_low(a);
}
/* Number of leading bits a and b share (0..128). */
int six_addr_common_prefix(const struct in6_addr *a, const struct in6_addr *b);
/* Whether the first plen bits of a and prefix are equal (plen 0..128; any
 * other plen never matches). */
int six_addr_prefix_match(const struct in6_addr *a, const struct in6_addr *prefix, int plen);
/* The solicited-node multicast group ff02::1:ffXX:XXXX of a. */
void six_addr_solicited_node(const struct in6_addr *a, struct in6_addr *out);

#endif
