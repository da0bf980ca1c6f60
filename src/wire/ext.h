/* IPv6 extension headers (RFC 8200 section 4): the generic header, the
 * hop-by-hop and destination options headers with their TLV options, the
 * routing header and the fragment header.
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |  Hdr Ext Len  |   ... (Hdr Ext Len + 1) * 8 bytes in all
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#ifndef SIX_WIRE_EXT_H
#define SIX_WIRE_EXT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* Protocol numbers used as Next Header values. */
#define SIX_NH_HOPOPTS 0
#define SIX_NH_TCP 6
#define SIX_NH_IPV6 41
#define SIX_NH_UDP 17
#define SIX_NH_ROUTING 43
#define SIX_NH_FRAGMENT 44
#define SIX_NH_ESP 50
#define SIX_NH_AH 51
#define SIX_NH_ICMPV6 58
#define SIX_NH_NONE 59
#define SIX_NH_DSTOPTS 60
#define SIX_NH_IPCOMP 108
#define SIX_NH_RAW 255

/* Whether nxt names an extension header that RFC 8200 section 4.1 lists
 * (hop-by-hop, routing, fragment, destination options, AH, ESP, mobility,
 * HIP, shim6, and the experimental 253/254). */
int six_nh_is_ext(uint8_t nxt);

struct six_ext_repr {
    uint8_t nxt;   /* next header */
    size_t len;    /* whole header in bytes: (Hdr Ext Len + 1) * 8 */
};

/* Parses a generic (hop-by-hop, destination options or routing) extension
 * header at buf[0..avail). Returns 0, or -EMSGSIZE when avail < 2 or the
 * length field claims more than avail holds. */
int six_ext_parse(const uint8_t *buf, size_t avail, struct six_ext_repr *out);

/* ---- Options (hop-by-hop and destination options, RFC 8200 4.2) ----
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
 *  |  Option Type  |  Opt Data Len |  Option Data
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
 * Pad1 (type 0) is a single byte with no length. */
#define SIX_OPT_PAD1 0x00
#define SIX_OPT_PADN 0x01
#define SIX_OPT_JUMBO 0xc2
#define SIX_OPT_ROUTER_ALERT 0x05

/* The action for an unrecognised option: its top two bits (RFC 8200 4.2). */
enum six_opt_action {
    SIX_OPT_ACT_SKIP = 0,           /* 00: skip over this option */
    SIX_OPT_ACT_DISCARD = 1,        /* 01: discard silently */
    SIX_OPT_ACT_DISCARD_ICMP = 2,   /* 10: discard, Parameter Problem code 2 */
    SIX_OPT_ACT_DISCARD_ICMP_UC = 3 /* 11: same, only if dst not multicast */
};
static inline enum six_opt_action six_opt_action(uint8_t type) {
    return (enum six_opt_action)(type >> 6);
}
/* Whether the option's data may change en route (third-highest bit). */
static inline int six_opt_may_change(uint8_t type) { return (type >> 5) & 1; }

struct six_opt {
    uint8_t type;
    uint8_t len;          /* Opt Data Len (0 for Pad1) */
    const uint8_t *data;  /* len bytes (NULL for Pad1) */
    size_t off;           /* offset of the type byte from the header start */
};

struct six_opt_iter {
    const uint8_t *hdr;
    size_t off;
    size_t end;
};

/* Iterates the options of a hop-by-hop or destination options header of
 * hdr_len bytes (as given by six_ext_parse), starting after its 2-byte
 * preamble. */
void six_opt_iter_init(struct six_opt_iter *it, const uint8_t *hdr, size_t hdr_len);
/* Returns 1 and fills *out with the next option (Pad1 and PadN included),
 * 0 at the end, -EMSGSIZE when an option's length runs past the header
 * (out->off then tells where). */
int six_opt_iter_next(struct six_opt_iter *it, struct six_opt *out);

/* Writes n bytes of padding: nothing for 0, Pad1 for 1, PadN otherwise
 * (one PadN for n <= 257; a run of them beyond). Returns n. */
size_t six_opt_pad(uint8_t *out, size_t n);

/* Writes the 2-byte preamble of an extension header of len bytes
 * (len a multiple of 8, 8..2048). */
void six_ext_emit(uint8_t nxt, size_t len, uint8_t *out);

/* ---- Routing header (RFC 8200 4.4) ----
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |  Hdr Ext Len  |  Routing Type | Segments Left |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     type-specific data                        |
 */
#define SIX_RTHDR_OFF_TYPE 2
#define SIX_RTHDR_OFF_SEGLEFT 3
#define SIX_RTHDR_TYPE0 0

struct six_rthdr_repr {
    uint8_t nxt;
    uint8_t type;
    uint8_t segleft;
    size_t len;             /* whole header in bytes */
    const uint8_t *data;    /* type-specific data, after the first 4 bytes */
    size_t data_len;
};

/* Returns 0, or -EMSGSIZE when avail < 8 or the length lies. */
int six_rthdr_parse(const uint8_t *buf, size_t avail, struct six_rthdr_repr *out);

/* Type 0 (deprecated by RFC 5095, still built and reversed by the RFC 3542
 * API): 4 reserved bytes then Hdr Ext Len / 2 addresses. Returns the number
 * of addresses, or -EINVAL when the type is not 0, Hdr Ext Len is odd, or
 * (for a repr built by hand) len and data_len disagree with it. */
int six_rthdr0_naddr(const struct six_rthdr_repr *r);
/* Copies address i (0-based) of a type 0 header. Returns 0, or -EINVAL
 * when six_rthdr0_naddr() fails or i is not below it (out untouched). */
int six_rthdr0_addr(const struct six_rthdr_repr *r, int i, struct in6_addr *out);

/* ---- Fragment header (RFC 8200 4.5) ----
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Identification                        |
 */
#define SIX_FRAG_HDR_LEN 8

struct six_frag_repr {
    uint8_t nxt;
    uint16_t offset;  /* in bytes (a multiple of 8) */
    int more;         /* M flag */
    uint32_t ident;
};

/* Returns 0, or -EMSGSIZE when avail < 8. */
int six_frag_parse(const uint8_t *buf, size_t avail, struct six_frag_repr *out);
/* Writes all 8 bytes (reserved fields zero). */
void six_frag_emit(const struct six_frag_repr *r, uint8_t out[static SIX_FRAG_HDR_LEN]);

#endif
