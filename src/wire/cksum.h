/* The Internet checksum (RFC 1071) with the IPv6 pseudo-header
 * (RFC 8200 section 8.1).
 *
 *  +-----------------------------------------------+
 *  |  Source Address (16) | Destination Address (16)|
 *  |  Upper-Layer Packet Length (32)                |
 *  |  zero (24)                 |  Next Header (8)  |
 *  +-----------------------------------------------+
 */
#ifndef SIX_WIRE_CKSUM_H
#define SIX_WIRE_CKSUM_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at data to the running one's-complement sum and returns
 * the new sum, not yet folded to 16 bits. Bytes are taken as big-endian
 * 16-bit words from data[0]; when chaining calls, every chunk but the last
 * must have an even length. The result is the same whatever the alignment
 * of data. Fast: wide accumulators, vector code chosen at run time. */
uint64_t six_cksum_add(uint64_t sum, const void *data, size_t len);

/* The sum of the pseudo-header for an upper-layer packet of len bytes. */
uint64_t six_cksum_pseudo(const struct in6_addr *src, const struct in6_addr *dst,
                          uint32_t len, uint8_t nxt);

/* Folds a running sum to 16 bits and complements it: the value to store in
 * a checksum field (in host order; store with six_put16). */
uint16_t six_cksum_finish(uint64_t sum);

/* The checksum to store for an upper-layer packet data[0..len) whose
 * checksum field is zero. For UDP never 0: a computed zero is returned as
 * 0xffff, the same one's-complement value, because a zero UDP checksum
 * means "none" and is forbidden in IPv6 (RFC 8200 section 8.1); other
 * protocols (TCP, ICMPv6) get the plain complement, zero included. */
uint16_t six_cksum_ip6(const struct in6_addr *src, const struct in6_addr *dst,
                       uint8_t nxt, const void *data, size_t len);

/* Whether data[0..len) (checksum field included) verifies: the full sum,
 * pseudo-header included, folds to 0xffff. */
int six_cksum_ip6_ok(const struct in6_addr *src, const struct in6_addr *dst,
                     uint8_t nxt, const void *data, size_t len);

/* The plain byte-at-a-time reference sum, for tests and benchmarks. */
uint64_t six_cksum_add_ref(uint64_t sum, const void *data, size_t len);

/* For tests only: the implementations six_cksum_add chooses among at run
 * time, so that tests can check that each agrees with the reference. */
enum { SIX__CKSUM_SCALAR, SIX__CKSUM_SSE2, SIX__CKSUM_AVX2 };
/* For tests only: whether impl is compiled in and this CPU can run it. */
int six__cksum_impl_available(int impl);
/* For tests only: six_cksum_add forced to use impl at every length (the
 * portable scalar code when impl is not available). */
uint64_t six__cksum_add_impl(int impl, uint64_t sum, const void *data, size_t len);

#endif
