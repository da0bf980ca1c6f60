/* RFC 2292 section 6.3: hop-by-hop and destination options kept inside an
 * ancillary data object, the form ip6(4) names for the IPV6_HOPOPTS and
 * IPV6_DSTOPTS data of recvmsg and sendmsg.
 *
 * Read first: RFC 2292 section 6 (6.3.1 to 6.3.7), RFC 8200 section 4.2
 * (option TLVs, Pad1, PadN) and appendix A (the alignment term xn+y and
 * its examples X at 8n+2, Y at 4n+3).
 *
 * The object is one struct cmsghdr whose data is the extension header:
 *
 *   cmsghdr | Next Header | Hdr Ext Len | options ... | padding to 8n |
 *
 * After every append the header is whole: padded to a multiple of 8 bytes
 * with Hdr Ext Len and cmsg_len saying so, so it may be sent at any point.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sixstack/opt.h>

#include "wire/ext.h"

/* Next Header and Hdr Ext Len come before the first option. */
#define OPT_HDR_MIN 2
/* (255 + 1) * 8: the longest header Hdr Ext Len can describe. */
#define OPT_HDR_MAX 2048

/* RFC 2292 6.3.2: only these two ancillary data types carry options. */
static int is_opts_type(int type) {
    return type == IPV6_HOPOPTS || type == IPV6_DSTOPTS;
}

static int is_opts_cmsg(const struct cmsghdr *cmsg) {
    return cmsg != NULL && cmsg->cmsg_level == IPPROTO_IPV6 &&
           is_opts_type(cmsg->cmsg_type);
}

/* The first offset at or after from of the form x*n + y, n >= 0 (RFC 8200
 * appendix A). x is a power of two, so the distance to the next offset with
 * the right remainder is (y - base) mod x, computed as a mask. */
static size_t align_xy(size_t from, int x, int y) {
    size_t base = from > (size_t)y ? from : (size_t)y;
    return base + (((size_t)y - base) & ((size_t)x - 1));
}

int six_inet6_option_space(int nbytes) {
    if (nbytes < 0 || nbytes > OPT_HDR_MAX - OPT_HDR_MIN)
        return -1;
    size_t hdr = ((size_t)nbytes + OPT_HDR_MIN + 7) & ~(size_t)7;
    return (int)CMSG_SPACE(hdr);
}

int six_inet6_option_init(void *bp, struct cmsghdr **cmsgp, int type) {
    if (bp == NULL || cmsgp == NULL || !is_opts_type(type))
        return -1;
    struct cmsghdr *cmsg = bp;
    /* Clears any padding members the host's cmsghdr may have. */
    memset(cmsg, 0, sizeof(*cmsg));
    cmsg->cmsg_len = CMSG_LEN(0);
    cmsg->cmsg_level = IPPROTO_IPV6;
    cmsg->cmsg_type = type;
    *cmsgp = cmsg;
    return 0;
}

/* Makes room for an option of optlen bytes in an object being built: at
 * the first offset of the form multx*n + plusy after what the header holds
 * so far, with padding before it and after it up to a multiple of 8, and
 * Hdr Ext Len and cmsg_len updated. The Next Header byte is left for the
 * stack to fill in. Returns where the option goes, or NULL with the object
 * unchanged when an argument is invalid or the header would outgrow 2048
 * bytes. */
static uint8_t *opt_reserve(struct cmsghdr *cmsg, size_t optlen, int multx,
                            int plusy) {
    if (!is_opts_cmsg(cmsg) || cmsg->cmsg_len < CMSG_LEN(0))
        return NULL;
    if (multx != 1 && multx != 2 && multx != 4 && multx != 8)
        return NULL;
    if (plusy < 0 || plusy > 7)
        return NULL;
    size_t used = cmsg->cmsg_len - CMSG_LEN(0);
    /* Only a header this file left behind is appended to. */
    if (used % 8 != 0 || used > OPT_HDR_MAX)
        return NULL;
    size_t from = used == 0 ? OPT_HDR_MIN : used;
    size_t at = align_xy(from, multx, plusy);
    size_t end = at + optlen;
    size_t total = (end + 7) & ~(size_t)7;
    if (total > OPT_HDR_MAX)
        return NULL;
    uint8_t *hdr = CMSG_DATA(cmsg);
    six_opt_pad(hdr + from, at - from);
    six_opt_pad(hdr + end, total - end);
    hdr[1] = (uint8_t)(total / 8 - 1);
    cmsg->cmsg_len = CMSG_LEN(total);
    return hdr + at;
}

int six_inet6_option_append(struct cmsghdr *cmsg, const uint8_t *typep,
                            int multx, int plusy) {
    /* RFC 2292 6.3.3: types 0 and 1 are Pad1 and PadN, inserted only by
     * this code. */
    if (typep == NULL || typep[0] == SIX_OPT_PAD1 || typep[0] == SIX_OPT_PADN)
        return -1;
    size_t optlen = 2 + (size_t)typep[1];
    uint8_t *at = opt_reserve(cmsg, optlen, multx, plusy);
    if (at == NULL)
        return -1;
    memmove(at, typep, optlen);
    return 0;
}

/* RFC 2292 6.3.4: datalen is the value of the option's data length byte,
 * so the option takes 2 + datalen bytes from the returned type byte on.
 * (glibc and KAME reserve only datalen bytes.) */
uint8_t *six_inet6_option_alloc(struct cmsghdr *cmsg, int datalen, int multx,
                                int plusy) {
    if (datalen < 0 || datalen > 255)
        return NULL;
    return opt_reserve(cmsg, 2 + (size_t)datalen, multx, plusy);
}

/* The options header of a received object and its length from Hdr Ext
 * Len, or NULL when the object is not an options object or its cmsg_len
 * does not cover the whole header. Hdr Ext Len is read only once the two
 * preamble bytes are known to be there. */
static uint8_t *recv_hdr(const struct cmsghdr *cmsg, size_t *len) {
    if (!is_opts_cmsg(cmsg) || cmsg->cmsg_len < CMSG_LEN(OPT_HDR_MIN))
        return NULL;
    /* RFC 2292 hands back writable pointers into a const object, as its
     * prototypes do; nothing here writes through them. */
    uint8_t *hdr = (uint8_t *)CMSG_DATA(cmsg);
    size_t n = ((size_t)hdr[1] + 1) * 8;
    if (cmsg->cmsg_len < CMSG_LEN(n))
        return NULL;
    *len = n;
    return hdr;
}

/* The size of the option at off in hdr[0..len), type and length bytes
 * included, or 0 when it runs past len. Pad1 has no length byte (RFC 8200
 * 4.2). */
static size_t opt_size(const uint8_t *hdr, size_t len, size_t off) {
    if (hdr[off] == SIX_OPT_PAD1)
        return 1;
    if (len - off < 2)
        return 0;
    size_t n = 2 + (size_t)hdr[off + 1];
    return n <= len - off ? n : 0;
}

/* Where a walk resumes: at the first option when *tptrp is NULL, else just
 * past the option *tptrp points at, which must lie in the option area and
 * inside the header. Returns the offset, or 0 when *tptrp is not such an
 * option (0 is never a valid resume point, being the Next Header byte).
 * The pointer is compared as an address so that one pointing elsewhere
 * entirely is refused without undefined pointer arithmetic. */
static size_t walk_resume(const uint8_t *hdr, size_t len, const uint8_t *p) {
    if (p == NULL)
        return OPT_HDR_MIN;
    uintptr_t a = (uintptr_t)p, h = (uintptr_t)hdr;
    if (a < h + OPT_HDR_MIN || a >= h + len)
        return 0;
    size_t off = a - h;
    size_t n = opt_size(hdr, len, off);
    return n == 0 ? 0 : off + n;
}

/* RFC 2292 6.3.5: an error must leave *tptrp non-NULL so the caller can
 * tell it from the end of the options. When the caller's pointer is still
 * NULL, the start of the object's data is the nearest honest place. */
static int walk_error(const struct cmsghdr *cmsg, uint8_t **tptrp) {
    if (*tptrp == NULL && cmsg != NULL)
        *tptrp = (uint8_t *)CMSG_DATA(cmsg);
    return -1;
}

/* Walks from *tptrp to the next option of the given type, or to the next
 * option of any type (padding included) when type is negative. */
static int option_walk(const struct cmsghdr *cmsg, uint8_t **tptrp,
                       int type) {
    if (tptrp == NULL)
        return -1;
    size_t len;
    uint8_t *hdr = recv_hdr(cmsg, &len);
    if (hdr == NULL)
        return walk_error(cmsg, tptrp);
    size_t off = walk_resume(hdr, len, *tptrp);
    if (off == 0)
        return walk_error(cmsg, tptrp);
    for (; off < len; off += opt_size(hdr, len, off)) {
        /* An option running past the header is an error, reported at that
         * option. */
        if (opt_size(hdr, len, off) == 0) {
            *tptrp = hdr + off;
            return -1;
        }
        if (type < 0 || hdr[off] == type) {
            *tptrp = hdr + off;
            return 0;
        }
    }
    *tptrp = NULL;
    return -1;
}

int six_inet6_option_next(const struct cmsghdr *cmsg, uint8_t **tptrp) {
    return option_walk(cmsg, tptrp, -1);
}

int six_inet6_option_find(const struct cmsghdr *cmsg, uint8_t **tptrp,
                          int type) {
    /* A type outside 0..255 matches nothing; it must not turn the search
     * into option_walk's "any option". */
    if (type < 0)
        type = 256;
    return option_walk(cmsg, tptrp, type);
}
