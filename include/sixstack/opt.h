/* Building and parsing IPv6 option headers and routing headers.
 *
 * Three families, each with the exact semantics of the RFC that defines it,
 * under a six_ prefix (<sixstack/opt_compat.h> maps the standard names):
 *
 *   six_inet6_option_*  RFC 2292 section 6.3: hop-by-hop and destination
 *                       options kept inside an ancillary data object
 *                       (struct cmsghdr). ip6(4) names these for reading
 *                       the IPV6_HOPOPTS and IPV6_DSTOPTS data of recvmsg.
 *   six_inet6_opt_*     RFC 3542 section 10: the same headers in a plain
 *                       buffer, for IPV6_HOPOPTS / IPV6_DSTOPTS /
 *                       IPV6_RTHDRDSTOPTS as sticky options or ancillary
 *                       data.
 *   six_inet6_rth_*     RFC 3542 section 7: routing headers (type 0).
 *
 * Alignment follows RFC 8200 appendix A (RFC 2460 appendix B): an option
 * with alignment requirement xn+y starts at an offset, counted from the
 * start of the extension header, of that form. Gaps are filled with Pad1
 * (one byte) or PadN (two or more bytes, zero data). Every header built
 * here is a multiple of 8 bytes long and at most 2048 bytes, the most its
 * 8-bit Hdr Ext Len field can describe. The Next Header byte of a header
 * is left alone: the stack writes it when the packet is sent.
 *
 * Errors are reported as the RFCs say: -1 (or NULL, or 0 for
 * six_inet6_rth_space). These functions never set errno and hold no state,
 * so any thread may call them at any time.
 *
 * The prototypes match the host's declarations of the standard names
 * parameter for parameter, so that a program written for them compiles
 * unchanged against the six_ names.
 */
#ifndef SIXSTACK_OPT_H
#define SIXSTACK_OPT_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- RFC 2292 section 6.3: options in an ancillary data object ---- */

/* Returns the bytes of ancillary data space (CMSG_SPACE) needed for one
 * option whose leading padding (the y of xn+y), type byte, length byte and
 * data together take nbytes, including the 2-byte extension header
 * preamble and the padding to a multiple of 8. Returns -1 when nbytes is
 * negative or no extension header could hold it (nbytes > 2046). */
int six_inet6_option_space(int nbytes);

/* Starts an ancillary data object at bp (which must be suitably aligned for
 * a struct cmsghdr and large enough for every option to come) holding no
 * option yet: cmsg_level IPPROTO_IPV6, cmsg_type type, cmsg_len CMSG_LEN(0).
 * Points *cmsgp at it. type must be IPV6_HOPOPTS or IPV6_DSTOPTS.
 * Returns 0, or -1 (bp or cmsgp NULL, or another type). */
int six_inet6_option_init(void *bp, struct cmsghdr **cmsgp, int type);

/* Appends a copy of the option at typep (type byte, length byte, then
 * typep[1] data bytes) to an object begun by six_inet6_option_init(), at
 * the first offset of the form multx*n + plusy (n >= 0) not before the end
 * of the previous option, padding the gap. The header is then padded to a
 * multiple of 8 and its Hdr Ext Len and cmsg_len updated. multx must be 1,
 * 2, 4 or 8 and plusy 0 to 7; the option type must be 2 to 255 (0 and 1
 * are Pad1 and PadN, which this function inserts itself). Returns 0, or -1
 * with the object unchanged when an argument is invalid, cmsg is not such
 * an object, or the header would exceed 2048 bytes. */
int six_inet6_option_append(struct cmsghdr *cmsg, const uint8_t *typep,
                            int multx, int plusy);

/* Like six_inet6_option_append(), but reserves room for an option whose
 * data length byte will be datalen (0 to 255), that is 2 + datalen bytes,
 * and returns a pointer to where its type byte goes, for the caller to
 * build the option in place. Returns NULL on the errors of
 * six_inet6_option_append(), or when datalen is out of range. */
uint8_t *six_inet6_option_alloc(struct cmsghdr *cmsg, int datalen, int multx,
                                int plusy);

/* Walks the options of an IPV6_HOPOPTS or IPV6_DSTOPTS object (Pad1 and
 * PadN included). Set *tptrp to NULL before the first call; each call that
 * returns 0 leaves *tptrp on the type byte of the next option, whose whole
 * length lies inside the header. At the end returns -1 with *tptrp NULL;
 * on an error (another level or type, a cmsg_len shorter than the header,
 * an option running past the header, *tptrp outside it) returns -1 with
 * *tptrp not NULL. */
int six_inet6_option_next(const struct cmsghdr *cmsg, uint8_t **tptrp);

/* Like six_inet6_option_next(), but skips to the next option of the given
 * type after *tptrp (from the first option when *tptrp is NULL). Returns 0
 * with *tptrp on it; -1 with *tptrp NULL when there is none; -1 with
 * *tptrp not NULL on an error. */
int six_inet6_option_find(const struct cmsghdr *cmsg, uint8_t **tptrp,
                          int type);

/* ---- RFC 3542 section 10: options in a buffer ---- */

/* Returns 2, the length of an empty options header. When extbuf is not
 * NULL, also sets its Hdr Ext Len for an extlen-byte header; extlen must
 * then be a positive multiple of 8, at most 2048, or -1 is returned. */
int six_inet6_opt_init(void *extbuf, socklen_t extlen);

/* Returns the length of the header after appending, at offset (the value
 * returned by the previous call), an option of the given type with len
 * data bytes, preceded by the padding that makes the option end at a
 * multiple of align. RFC 3542 builds options as RFC 8200 appendix A lays
 * them out, largest field last, so the end alignment puts that field on
 * its natural boundary: options X (len 12, align 8) and Y (len 7, align 4)
 * land at 8n+2 and 4n+3. When extbuf is not NULL, also writes the padding,
 * type and length into the extlen-byte buffer and, when databufp is not
 * NULL, points *databufp at the option's data. Returns -1 when offset < 2,
 * type is 0 or 1, len > 255, align is not 1, 2, 4 or 8 or exceeds len, the
 * result would exceed 2048, or (extbuf not NULL) it would exceed extlen. */
int six_inet6_opt_append(void *extbuf, socklen_t extlen, int offset,
                         uint8_t type, socklen_t len, uint8_t align,
                         void **databufp);

/* Returns offset rounded up to a multiple of 8, the final length of the
 * header; when extbuf is not NULL, also writes the Pad1 or PadN that fills
 * the gap. Returns -1 when offset < 2, or the result exceeds 2048 or (extbuf
 * not NULL) extlen. */
int six_inet6_opt_finish(void *extbuf, socklen_t extlen, int offset);

/* Copies vallen bytes from val into an option's data at offset (0 is the
 * byte after the length byte). Returns offset + vallen, the offset for the
 * next field. */
int six_inet6_opt_set_val(void *databuf, int offset, void *val,
                          socklen_t vallen);

/* Returns the next option after offset (0 for the first) of the extlen-byte
 * header at extbuf, skipping Pad1 and PadN: sets *typep, *lenp (data
 * length) and *databufp (its data) and returns the offset just past it,
 * for the next call. Returns -1 at the end, when offset is 1 or negative,
 * or when an option runs past extlen. */
int six_inet6_opt_next(void *extbuf, socklen_t extlen, int offset,
                       uint8_t *typep, socklen_t *lenp, void **databufp);

/* Like six_inet6_opt_next(), but returns only an option of the given type
 * (Pad1 and PadN included when asked for). */
int six_inet6_opt_find(void *extbuf, socklen_t extlen, int offset,
                       uint8_t type, socklen_t *lenp, void **databufp);

/* Copies vallen bytes at offset of an option's data into val. Returns
 * offset + vallen. */
int six_inet6_opt_get_val(void *databuf, int offset, void *val,
                          socklen_t vallen);

/* ---- RFC 3542 section 7: routing headers ---- */

/* The one routing header type these functions build (RFC 3542 section 7),
 * equal to the host's IPV6_RTHDR_TYPE_0 where the host has one. RFC 5095
 * forbids processing type 0 headers in transit; an application may still
 * build, receive and reverse them. */
#define SIX_IPV6_RTHDR_TYPE_0 0

/* Returns the bytes of a routing header of the given type holding segments
 * addresses: 8 + 16 * segments for type 0 (SIX_IPV6_RTHDR_TYPE_0), which
 * takes 0 to 127. Returns 0 for another type or segment count. */
socklen_t six_inet6_rth_space(int type, int segments);

/* Zeroes six_inet6_rth_space(type, segments) bytes at bp and makes them an
 * empty routing header of that type sized for segments addresses
 * (Segments Left 0). Returns bp, or NULL when bp is NULL, type or segments
 * are invalid, or bp_len is too small. */
void *six_inet6_rth_init(void *bp, socklen_t bp_len, int type, int segments);

/* Adds *addr after the addresses already in the routing header at bp and
 * increments Segments Left. Returns 0, or -1 when the header is full, is
 * not type 0, or its length is not that of a type 0 header. */
int six_inet6_rth_add(void *bp, const struct in6_addr *addr);

/* Writes to out the routing header at in with its addresses in reverse
 * order and Segments Left set to their number, to send a reply back along
 * the route. in and out may be the same buffer (but must not otherwise
 * overlap). Returns 0, or -1 when in is not a well-formed type 0 header. */
int six_inet6_rth_reverse(const void *in, void *out);

/* Returns the number of addresses in the routing header at bp, or -1 when
 * it is not a well-formed type 0 header (Hdr Ext Len must be even). */
int six_inet6_rth_segments(const void *bp);

/* Returns a pointer to address index (0 to six_inet6_rth_segments() - 1)
 * of the routing header at bp, or NULL when there is no such address. */
struct in6_addr *six_inet6_rth_getaddr(const void *bp, int index);

#ifdef __cplusplus
}
#endif

#endif
