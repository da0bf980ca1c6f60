/* Neighbor Discovery messages and options (RFC 4861 section 4).
 *
 * Every message starts with the ICMPv6 header (type, code, checksum) and
 * then a fixed part; options follow, each a multiple of 8 octets:
 *
 *  Neighbor Solicitation (135)        Neighbor Advertisement (136)
 *  +-------+-------+---------------+  +-+-+-+---------+---------------+
 *  | Type  | Code  |   Checksum    |  | Type  | Code  |   Checksum    |
 *  +-------+-------+---------------+  +-+-+-+---------+---------------+
 *  |           Reserved            |  |R|S|O|      Reserved           |
 *  +-------------------------------+  +-+-+-+-------------------------+
 *  |   Target Address (16 octets)  |  |   Target Address (16 octets)  |
 *  +-------------------------------+  +-------------------------------+
 *  |   Options ...                    |   Options ...
 *
 *  Router Solicitation (133): Reserved (4), Options.
 *  Router Advertisement (134): Cur Hop Limit (1), M|O|reserved (1),
 *    Router Lifetime (2), Reachable Time (4), Retrans Timer (4), Options.
 *  Redirect (137): Reserved (4), Target (16), Destination (16), Options.
 *
 *  Option: Type (1), Length (1, in units of 8 octets, never 0), data.
 *   1 Source Link-Layer Address   2 Target Link-Layer Address
 *   3 Prefix Information (length 4): Prefix Length, L|A|reserved, Valid
 *     Lifetime (4), Preferred Lifetime (4), Reserved2 (4), Prefix (16)
 *   4 Redirected Header: Reserved (6), the redirected packet
 *   5 MTU (length 1): Reserved (2), MTU (4)
 */
#ifndef SIX_WIRE_ND_H
#define SIX_WIRE_ND_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define SIX_ND_NS_LEN 24
#define SIX_ND_NA_LEN 24
#define SIX_ND_RS_LEN 8
#define SIX_ND_RA_LEN 16
#define SIX_ND_REDIRECT_LEN 40

/* Neighbor Advertisement flags (the first octet of the word). */
#define SIX_ND_NA_ROUTER 0x80
#define SIX_ND_NA_SOLICITED 0x40
#define SIX_ND_NA_OVERRIDE 0x20
/* Router Advertisement flags. */
#define SIX_ND_RA_MANAGED 0x80
#define SIX_ND_RA_OTHER 0x40

#define SIX_ND_OPT_SLLA 1
#define SIX_ND_OPT_TLLA 2
#define SIX_ND_OPT_PREFIX 3
#define SIX_ND_OPT_REDIRECTED 4
#define SIX_ND_OPT_MTU 5

/* Prefix Information flags. */
#define SIX_ND_PREFIX_ONLINK 0x80
#define SIX_ND_PREFIX_AUTO 0x40

/* The most link-layer address bytes an option may carry here. */
#define SIX_ND_LLADDR_MAX 16

struct six_nd_prefix {
    uint8_t plen;
    uint8_t flags;              /* SIX_ND_PREFIX_* */
    uint32_t valid;             /* seconds; 0xffffffff is infinity */
    uint32_t preferred;
    struct in6_addr prefix;
};

struct six_nd_repr {
    uint8_t type;
    uint8_t code;
    uint8_t flags;              /* NA: R S O; RA: M O */
    struct in6_addr target;     /* NS, NA, Redirect */
    struct in6_addr dest;       /* Redirect */
    uint8_t cur_hlim;           /* RA */
    uint16_t router_lifetime;   /* RA, seconds */
    uint32_t reachable_ms;      /* RA */
    uint32_t retrans_ms;        /* RA */
    /* Options, found by six_nd_parse (NULL/0 when absent; the first of
     * each kind counts). lladdr is the Source (NS, RS, RA) or Target (NA,
     * Redirect) Link-Layer Address option's data, with its padding. */
    const uint8_t *lladdr;
    size_t lladdr_len;
    int lladdr_wrong_kind;      /* the other link-layer option was there */
    uint32_t mtu;               /* RA: MTU option, 0 when absent */
    const uint8_t *opts;        /* every option, for six_nd_prefix_next */
    size_t opts_len;
};

/* Parses an ND message (the whole ICMPv6 message, checksum not checked).
 * Returns 0; -ENOMSG when the type is not 133..137; -EMSGSIZE when len
 * is below the type's fixed part; -EINVAL when an option has length 0 or
 * runs past the message, or a Prefix Information or MTU option has the
 * wrong length (RFC 4861 4.6.2, 4.6.4). Borrows buf; pointers point in. */
int six_nd_parse(const uint8_t *buf, size_t len, struct six_nd_repr *out);

/* Walks the Prefix Information options of a parsed message: *pos starts
 * at 0. Returns 1 with *out filled, 0 when there are no more. */
int six_nd_prefix_next(const struct six_nd_repr *r, size_t *pos, struct six_nd_prefix *out);

/* Emits an NS, NA or RS (what a host sends): the fixed part from r, then
 * a Source (NS, RS) or Target (NA) Link-Layer Address option with lladdr
 * when lladdr_len > 0, padded to 8 octets. The checksum is left zero.
 * Returns the length, or -ENOSPC when cap is too small, -EINVAL for
 * another type or an lladdr over SIX_ND_LLADDR_MAX. */
int six_nd_emit(const struct six_nd_repr *r, const uint8_t *lladdr, size_t lladdr_len,
                uint8_t *out, size_t cap);

#endif
