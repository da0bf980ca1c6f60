/* RFC 3542 section 7: building, reading and reversing routing headers of
 * type 0.
 *
 * Read first: RFC 3542 section 7, RFC 2460 section 4.4 (the type 0 layout:
 * 4 reserved bytes, then Hdr Ext Len / 2 addresses) and RFC 5095 (type 0
 * is no longer processed in transit; an application may still build one).
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |  Hdr Ext Len  | Routing Type=0| Segments Left |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                            Reserved                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Address[1] .. Address[n], 16 bytes each      |
 *
 * Headers are read through byte offsets, never through a struct cast over
 * the caller's buffer, so any alignment of it works.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sixstack/opt.h>

#include "wire/ext.h"

#define RTH0_HDR_LEN 8
#define RTH0_ADDR_LEN 16
/* Hdr Ext Len counts 8-byte units, two per address: 2 * 127 is the most
 * that fits in its 8 bits. */
#define RTH0_MAX_SEGS 127
#define RTH_OFF_LEN 1

/* The number of addresses of the type 0 header at hdr, or -1 when hdr is
 * not a well-formed one. RFC 2460 4.4 makes Hdr Ext Len twice the number
 * of addresses, so an odd value is a malformed header, not a rounding
 * matter (glibc rounds it down). */
static int rth0_naddr(const uint8_t *hdr) {
    if (hdr[SIX_RTHDR_OFF_TYPE] != SIX_RTHDR_TYPE0)
        return -1;
    if (hdr[RTH_OFF_LEN] % 2 != 0)
        return -1;
    return hdr[RTH_OFF_LEN] / 2;
}

/* Where address i (0-based) of a type 0 header starts. */
static size_t rth0_addr_off(int i) {
    return RTH0_HDR_LEN + (size_t)i * RTH0_ADDR_LEN;
}

socklen_t six_inet6_rth_space(int type, int segments) {
    if (type != SIX_IPV6_RTHDR_TYPE_0 || segments < 0 ||
        segments > RTH0_MAX_SEGS)
        return 0;
    return (socklen_t)rth0_addr_off(segments);
}

int six_inet6_rth_segments(const void *bp) {
    if (bp == NULL)
        return -1;
    return rth0_naddr(bp);
}

/* bp_len serves only to check that the header fits (RFC 3542 7.2); bytes
 * past the header are left alone. */
void *six_inet6_rth_init(void *bp, socklen_t bp_len, int type, int segments) {
    socklen_t len = six_inet6_rth_space(type, segments);
    if (bp == NULL || len == 0 || bp_len < len)
        return NULL;
    uint8_t *hdr = bp;
    memset(hdr, 0, len);
    hdr[RTH_OFF_LEN] = (uint8_t)(2 * segments);
    hdr[SIX_RTHDR_OFF_TYPE] = (uint8_t)type;
    return bp;
}

/* Segments Left counts the addresses added so far while the header is
 * being built (RFC 3542 7.3), so it is also where the next one goes. */
int six_inet6_rth_add(void *bp, const struct in6_addr *addr) {
    if (bp == NULL || addr == NULL)
        return -1;
    uint8_t *hdr = bp;
    int n = rth0_naddr(hdr);
    int next = hdr[SIX_RTHDR_OFF_SEGLEFT];
    if (n < 0 || next >= n)
        return -1;
    memcpy(hdr + rth0_addr_off(next), addr, RTH0_ADDR_LEN);
    hdr[SIX_RTHDR_OFF_SEGLEFT] = (uint8_t)(next + 1);
    return 0;
}

/* Each pair of addresses is read in full before either is written, so in
 * and out may be the same buffer, as RFC 3542 7.4 allows. */
int six_inet6_rth_reverse(const void *in, void *out) {
    if (in == NULL || out == NULL)
        return -1;
    const uint8_t *src = in;
    uint8_t *dst = out;
    int n = rth0_naddr(src);
    if (n < 0)
        return -1;
    memmove(dst, src, RTH0_HDR_LEN);
    for (int i = 0; i < n / 2; i++) {
        uint8_t lo[RTH0_ADDR_LEN], hi[RTH0_ADDR_LEN];
        memcpy(lo, src + rth0_addr_off(i), RTH0_ADDR_LEN);
        memcpy(hi, src + rth0_addr_off(n - 1 - i), RTH0_ADDR_LEN);
        memcpy(dst + rth0_addr_off(i), hi, RTH0_ADDR_LEN);
        memcpy(dst + rth0_addr_off(n - 1 - i), lo, RTH0_ADDR_LEN);
    }
    if (n % 2 != 0)
        memmove(dst + rth0_addr_off(n / 2), src + rth0_addr_off(n / 2),
                RTH0_ADDR_LEN);
    /* The reply has every address still to visit. */
    dst[SIX_RTHDR_OFF_SEGLEFT] = (uint8_t)n;
    return 0;
}

struct in6_addr *six_inet6_rth_getaddr(const void *bp, int index) {
    if (bp == NULL)
        return NULL;
    int n = rth0_naddr(bp);
    if (n < 0 || index < 0 || index >= n)
        return NULL;
    /* RFC 3542 7.6 hands out a writable pointer into the caller's own
     * buffer, hence the cast away from const. */
    return (struct in6_addr *)((uintptr_t)bp + rth0_addr_off(index));
}
