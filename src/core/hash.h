/* A keyed hash for values that must not be guessable from outside: path
 * MTU cache buckets (their keys come off the wire, in Packet Too Big
 * messages) and fragment identifications (RFC 7739). SipHash-2-4 (J.-P.
 * Aumasson and D. J. Bernstein, "SipHash: a fast short-input PRF", 2012):
 * without the key, its outputs cannot be predicted or steered.
 */
#ifndef SIX_CORE_HASH_H
#define SIX_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

struct six_hash_key {
    uint64_t k0, k1;
};

/* SipHash-2-4 of data[0..len) under key. */
uint64_t six__siphash(const struct six_hash_key *key, const void *data, size_t len);

#endif
