/* RFC 3542 section 10: building and walking hop-by-hop and destination
 * options headers held in a caller's buffer.
 *
 * Read first: RFC 3542 section 10 and its appendix C (the worked example
 * with options X and Y), RFC 8200 section 4.2 (option TLVs, Pad1, PadN)
 * and appendix A (alignment xn+y, largest field last).
 *
 * Everything here works on the caller's bytes only: no state, no errno.
 * Offsets are ints as the RFC has them; lengths are checked against the
 * 2048 bytes an 8-bit Hdr Ext Len can describe before any int is formed,
 * so no arithmetic here can overflow.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sixstack/opt.h>

#include "wire/ext.h"

/* Next Header and Hdr Ext Len come before the first option. */
#define OPT_HDR_MIN 2
/* (255 + 1) * 8: the longest header Hdr Ext Len can describe. */
#define OPT_HDR_MAX 2048

/* RFC 3542 10.2 allows exactly these alignments (none, 16, 32, 64 bit). */
static int valid_align(unsigned align) {
    return align == 1 || align == 2 || align == 4 || align == 8;
}

int six_inet6_opt_init(void *extbuf, socklen_t extlen) {
    if (extbuf != NULL) {
        /* The length must be one an options header can have. */
        if (extlen == 0 || extlen % 8 != 0 || extlen > OPT_HDR_MAX)
            return -1;
        ((uint8_t *)extbuf)[1] = (uint8_t)(extlen / 8 - 1);
    }
    return OPT_HDR_MIN;
}

/* RFC 3542 section 10 builds options by the rules of RFC 8200 appendix A:
 * fields smallest to largest, the largest (of align bytes) last. Padding
 * that makes the option *end* on a multiple of align therefore puts the
 * largest field on its natural boundary, which is how the RFC's options X
 * (len 12, align 8) and Y (len 7, align 4) come out at 8n+2 and 4n+3.
 * (glibc aligns the start of the data instead, which misplaces both.) */
int six_inet6_opt_append(void *extbuf, socklen_t extlen, int offset,
                         uint8_t type, socklen_t len, uint8_t align,
                         void **databufp) {
    if (offset < OPT_HDR_MIN || offset > OPT_HDR_MAX)
        return -1;
    /* Types 0 and 1 are Pad1 and PadN, which only this code inserts. */
    if (type == SIX_OPT_PAD1 || type == SIX_OPT_PADN)
        return -1;
    if (len > 255 || !valid_align(align) || align > len)
        return -1;
    size_t end = (size_t)offset + 2 + len;
    size_t npad = (align - end % align) % align;
    size_t total = end + npad;
    if (total > OPT_HDR_MAX)
        return -1;
    if (extbuf == NULL)
        return (int)total;
    if (total > extlen)
        return -1;
    uint8_t *p = (uint8_t *)extbuf + offset;
    six_opt_pad(p, npad);
    p[npad] = type;
    p[npad + 1] = (uint8_t)len;
    if (databufp != NULL)
        *databufp = p + npad + 2;
    return (int)total;
}

int six_inet6_opt_finish(void *extbuf, socklen_t extlen, int offset) {
    if (offset < OPT_HDR_MIN || offset > OPT_HDR_MAX)
        return -1;
    /* Every extension header is a whole number of 8-byte units. */
    size_t total = ((size_t)offset + 7) & ~(size_t)7;
    if (extbuf != NULL) {
        if (total > extlen)
            return -1;
        six_opt_pad((uint8_t *)extbuf + offset, total - (size_t)offset);
    }
    return (int)total;
}

int six_inet6_opt_set_val(void *databuf, int offset, void *val,
                          socklen_t vallen) {
    /* A zero-length copy may come with NULL pointers; memcpy may not. */
    if (vallen > 0)
        memcpy((uint8_t *)databuf + offset, val, vallen);
    return offset + (int)vallen;
}

int six_inet6_opt_get_val(void *databuf, int offset, void *val,
                          socklen_t vallen) {
    if (vallen > 0)
        memcpy(val, (const uint8_t *)databuf + offset, vallen);
    return offset + (int)vallen;
}

/* The size of the option at off in hdr[0..len), type and length bytes
 * included, or 0 when it runs past len. Pad1 has no length byte (RFC 8200
 * 4.2), and the length byte of any other option is read only once it is
 * known to lie inside the header. */
static size_t opt_size(const uint8_t *hdr, size_t len, size_t off) {
    if (hdr[off] == SIX_OPT_PAD1)
        return 1;
    if (len - off < 2)
        return 0;
    size_t n = 2 + (size_t)hdr[off + 1];
    return n <= len - off ? n : 0;
}

/* Whether the walk stops at an option of this type: want < 0 asks for any
 * option but padding (RFC 3542 10.5 never returns Pad1 or PadN), otherwise
 * for that type exactly (10.6). */
static int opt_wanted(uint8_t type, int want) {
    if (want < 0)
        return type != SIX_OPT_PAD1 && type != SIX_OPT_PADN;
    return type == want;
}

/* The walk shared by six_inet6_opt_next() and six_inet6_opt_find(): from
 * offset (0 meaning the first option) to the first wanted option, whose
 * type, data length and data it reports. Returns the offset just past it,
 * or -1 at the end of the header or at an option that runs past it. */
static int opt_walk(void *extbuf, socklen_t extlen, int offset, int want,
                    uint8_t *typep, socklen_t *lenp, void **databufp) {
    /* Offsets 1 and below are inside the preamble, which no call returns;
     * a length beyond INT_MAX could not be reported back as an offset. */
    if (extbuf == NULL || offset < 0 || offset == 1 || extlen > INT_MAX)
        return -1;
    uint8_t *hdr = extbuf;
    size_t off = offset == 0 ? OPT_HDR_MIN : (size_t)offset;
    while (off < extlen) {
        size_t n = opt_size(hdr, extlen, off);
        if (n == 0)
            return -1;
        if (opt_wanted(hdr[off], want)) {
            size_t data = n == 1 ? 1 : 2;
            if (typep != NULL)
                *typep = hdr[off];
            if (lenp != NULL)
                *lenp = (socklen_t)(n - data);
            if (databufp != NULL)
                *databufp = hdr + off + data;
            return (int)(off + n);
        }
        off += n;
    }
    return -1;
}

int six_inet6_opt_next(void *extbuf, socklen_t extlen, int offset,
                       uint8_t *typep, socklen_t *lenp, void **databufp) {
    return opt_walk(extbuf, extlen, offset, -1, typep, lenp, databufp);
}

int six_inet6_opt_find(void *extbuf, socklen_t extlen, int offset,
                       uint8_t type, socklen_t *lenp, void **databufp) {
    return opt_walk(extbuf, extlen, offset, type, NULL, lenp, databufp);
}
