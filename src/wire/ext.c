/* IPv6 extension headers: the generic preamble, hop-by-hop and destination
 * option TLVs, the routing header (and its deprecated type 0) and the
 * fragment header.
 *
 * Read before editing: RFC 8200 sections 4 to 4.5 (and 4.1 for the order
 * and the list of extension headers), the IANA "IPv6 Extension Header
 * Types" registry, RFC 5095 (type 0 routing header deprecated), RFC 3542
 * section 7 (the type 0 layout the API still builds).
 *
 * Every length field is checked against the bytes we hold before anything
 * it covers is read: picoTCP's option walkers trusted them and became
 * CVE-2020-17441/17442/17445. Pure functions: no allocation, no I/O. */
#include "wire/ext.h"

#include <errno.h>
#include <string.h>

#include "wire/bytes.h"

/* Mobility (RFC 6275), HIP (RFC 7401) and Shim6 (RFC 5533) are in the IANA
 * registry of extension headers that RFC 8200 section 4.1 refers to, as are
 * the experimental values 253 and 254 (RFC 3692). */
#define NH_MOBILITY 135
#define NH_HIP 139
#define NH_SHIM6 140
#define NH_EXP1 253
#define NH_EXP2 254

int six_nh_is_ext(uint8_t nxt) {
    switch (nxt) {
    case SIX_NH_HOPOPTS:
    case SIX_NH_ROUTING:
    case SIX_NH_FRAGMENT:
    case SIX_NH_DSTOPTS:
    case SIX_NH_AH:
    case SIX_NH_ESP:
    case NH_MOBILITY:
    case NH_HIP:
    case NH_SHIM6:
    case NH_EXP1:
    case NH_EXP2:
        return 1;
    default:
        return 0;
    }
}

/* The whole length of a generic extension header from its Hdr Ext Len
 * byte: 8-octet units, not counting the first 8 octets (RFC 8200 4.3). */
static size_t ext_len(uint8_t hdr_ext_len) {
    return ((size_t)hdr_ext_len + 1) * 8;
}

/* Borrows buf. */
int six_ext_parse(const uint8_t *buf, size_t avail, struct six_ext_repr *out) {
    if (avail < 2)
        return -EMSGSIZE;
    size_t len = ext_len(buf[1]);
    if (len > avail)
        return -EMSGSIZE;
    out->nxt = buf[0];
    out->len = len;
    return 0;
}

/* The options start after the Next Header and Hdr Ext Len bytes (RFC 8200
 * 4.3). A header shorter than that preamble simply has no options. */
void six_opt_iter_init(struct six_opt_iter *it, const uint8_t *hdr, size_t hdr_len) {
    it->hdr = hdr;
    it->off = 2;
    it->end = hdr_len;
}

/* Reads one option at it->off. Pad1 is the only option without a length
 * byte (RFC 8200 4.2). Both the length byte and the data it announces must
 * lie inside the header before either is read or handed out. On an error
 * the iterator does not advance, so calling again returns the same error. */
int six_opt_iter_next(struct six_opt_iter *it, struct six_opt *out) {
    size_t off = it->off;
    if (off >= it->end)
        return 0;
    out->off = off;
    out->type = it->hdr[off];
    out->len = 0;
    out->data = NULL;
    if (out->type == SIX_OPT_PAD1) {
        it->off = off + 1;
        return 1;
    }
    if (it->end - off < 2)
        return -EMSGSIZE;
    uint8_t len = it->hdr[off + 1];
    if ((size_t)len > it->end - off - 2)
        return -EMSGSIZE;
    out->len = len;
    out->data = it->hdr + off + 2;
    it->off = off + 2 + len;
    return 1;
}

/* PadN of n bytes (2..257): type, length, then zeros (RFC 8200 4.2). */
static void padn(uint8_t *out, size_t n) {
    out[0] = SIX_OPT_PADN;
    out[1] = (uint8_t)(n - 2);
    memset(out + 2, 0, n - 2);
}

/* Pad1 for one byte, else PadN (RFC 8200 4.2). More than 257 bytes cannot
 * fit one PadN, so a run of them is written rather than a length byte that
 * silently wraps. */
size_t six_opt_pad(uint8_t *out, size_t n) {
    size_t done = 0;
    while (n - done > 257) {
        padn(out + done, 257);
        done += 257;
    }
    if (n - done == 1)
        out[done] = SIX_OPT_PAD1;
    else if (n - done >= 2)
        padn(out + done, n - done);
    return n;
}

/* The inverse of ext_len; len is a multiple of 8 in 8..2048. */
void six_ext_emit(uint8_t nxt, size_t len, uint8_t *out) {
    out[0] = nxt;
    out[1] = (uint8_t)(len / 8 - 1);
}

/* A routing header is at least 8 bytes (RFC 8200 4.4) and its length field
 * must fit in what we hold. Borrows buf. */
int six_rthdr_parse(const uint8_t *buf, size_t avail, struct six_rthdr_repr *out) {
    if (avail < 8)
        return -EMSGSIZE;
    size_t len = ext_len(buf[1]);
    if (len > avail)
        return -EMSGSIZE;
    out->nxt = buf[0];
    out->type = buf[SIX_RTHDR_OFF_TYPE];
    out->segleft = buf[SIX_RTHDR_OFF_SEGLEFT];
    out->len = len;
    out->data = buf + 4;
    out->data_len = len - 4;
    return 0;
}

/* RFC 2460 section 4.4 (type 0): 4 reserved bytes then Hdr Ext Len / 2
 * addresses, so Hdr Ext Len must be even. The length is re-checked against
 * data_len because a repr may have been built by hand, not by parse. */
int six_rthdr0_naddr(const struct six_rthdr_repr *r) {
    if (r->type != SIX_RTHDR_TYPE0 || r->len < 8 || r->len % 8 != 0)
        return -EINVAL;
    size_t hdr_ext_len = r->len / 8 - 1;
    if (hdr_ext_len % 2 != 0)
        return -EINVAL;
    size_t naddr = hdr_ext_len / 2;
    if (r->data_len < 4 + naddr * 16)
        return -EINVAL;
    return (int)naddr;
}

/* Checks i against the header's own count before reading. */
int six_rthdr0_addr(const struct six_rthdr_repr *r, int i, struct in6_addr *out) {
    int n = six_rthdr0_naddr(r);
    if (n < 0)
        return n;
    if (i < 0 || i >= n)
        return -EINVAL;
    memcpy(out, r->data + 4 + (size_t)i * 16, 16);
    return 0;
}

/* RFC 8200 4.5: the reserved byte and the two Res bits are ignored on
 * reception. Borrows buf. */
int six_frag_parse(const uint8_t *buf, size_t avail, struct six_frag_repr *out) {
    if (avail < SIX_FRAG_HDR_LEN)
        return -EMSGSIZE;
    uint16_t offlg = six_get16(buf + 2);
    out->nxt = buf[0];
    out->offset = offlg & 0xfff8;
    out->more = offlg & 1;
    out->ident = six_get32(buf + 4);
    return 0;
}

/* The offset is in bytes and already a multiple of 8, so it sits in the
 * top 13 bits of the word as is; reserved fields are written as zero (RFC
 * 8200 4.5). */
void six_frag_emit(const struct six_frag_repr *r, uint8_t out[static SIX_FRAG_HDR_LEN]) {
    out[0] = r->nxt;
    out[1] = 0;
    six_put16(out + 2, (uint16_t)((r->offset & 0xfff8) | (r->more ? 1 : 0)));
    six_put32(out + 4, r->ident);
}
