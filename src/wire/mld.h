/* Multicast Listener Discovery messages: MLDv1 (RFC 2710 section 3) and
 * MLDv2 (RFC 3810 section 5). Every MLD message is an ICMPv6 message; the
 * functions here take and write whole messages, ICMPv6 header included,
 * with the checksum left to the caller (it needs the pseudo-header).
 *
 * MLDv1 Query (130), Report (131), Done (132): 24 bytes.
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Maximum Response Delay    |          Reserved             |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Multicast Address (16 octets)               |  8
 *
 * MLDv2 Query (130, RFC 3810 5.1): the v1 layout, then
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Resv  |S| QRV |     QQIC      |     Number of Sources (N)     |  24
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Source Address [1..N] (16 octets each)        |  28
 * where the delay field is the Maximum Response Code (5.1.3).
 *
 * MLDv2 Report (143, RFC 3810 5.2):
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Type = 143   |    Reserved   |           Checksum            |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Reserved            |Nr of Mcast Address Records (M)|  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Multicast Address Record [1..M]              |  8
 * each record:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Record Type  |  Aux Data Len |     Number of Sources (N)     |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Multicast Address (16 octets)                |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Source Address [1..N] (16 each)              |  20
 *  |                  Auxiliary Data (Aux Data Len 32-bit words)   |
 */
#ifndef SIX_WIRE_MLD_H
#define SIX_WIRE_MLD_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define SIX_MLD1_LEN 24
#define SIX_MLD2_QUERY_MIN 28
#define SIX_MLD2_REPORT_HDR 8
#define SIX_MLD2_RECORD_MIN 20

/* Record types (RFC 3810 5.2.12). */
#define SIX_MLD2_IS_IN 1      /* MODE_IS_INCLUDE */
#define SIX_MLD2_IS_EX 2      /* MODE_IS_EXCLUDE */
#define SIX_MLD2_TO_IN 3      /* CHANGE_TO_INCLUDE_MODE */
#define SIX_MLD2_TO_EX 4      /* CHANGE_TO_EXCLUDE_MODE */
#define SIX_MLD2_ALLOW 5      /* ALLOW_NEW_SOURCES */
#define SIX_MLD2_BLOCK 6      /* BLOCK_OLD_SOURCES */

/* The hop-by-hop header every MLD message carries (RFC 3810 5, RFC 2710
 * 3): Router Alert (RFC 2711) with value 0, "MLD", then a PadN of 0 data
 * bytes to fill 8 bytes. Byte 0 (Next Header) is filled by output. */
#define SIX_MLD_HBH_LEN 8
extern const uint8_t six_mld_hbh[SIX_MLD_HBH_LEN];

/* A query of either version. Version by length (RFC 3810 8.1): 24 bytes is
 * MLDv1, 28 or more MLDv2. */
struct six_mld_query_repr {
    int v2;
    uint16_t max_resp_code;      /* as sent; v1: the delay itself */
    uint32_t max_resp_ms;        /* decoded Maximum Response Delay */
    struct in6_addr group;       /* :: for a general query */
    /* MLDv2 only (zero for v1): */
    int s_flag;                  /* Suppress Router-Side Processing */
    uint8_t qrv;                 /* Querier's Robustness Variable */
    uint8_t qqic;
    uint32_t qqi_s;              /* decoded Querier's Query Interval */
    uint16_t nsrc;
    const uint8_t *srcs;         /* nsrc addresses, 16 bytes each */
};

/* Parses a query (type 130) of len bytes. Returns 0; -EMSGSIZE when len
 * is below 24, between 25 and 27 (RFC 3810 8.1: neither version; to be
 * ignored), or too short for Number of Sources; -EINVAL when the type is
 * not 130. Borrows buf; srcs points into it. */
int six_mld_query_parse(const uint8_t *buf, size_t len, struct six_mld_query_repr *out);

/* Writes a query: 24 bytes for v1, 28 + 16 * nsrc for v2 (srcs read from
 * r->srcs). Checksum zero. Returns the bytes written. */
size_t six_mld_query_emit(const struct six_mld_query_repr *r, uint8_t *out);

/* An MLDv1 Report or Done (or v1 Query, read the same way). */
struct six_mld1_repr {
    uint8_t type;
    uint16_t max_resp_delay;
    struct in6_addr group;
};

/* Parses an MLDv1 message of len bytes (RFC 2710 3: at least 24; more is
 * allowed and ignored). Returns 0, -EMSGSIZE. */
int six_mld1_parse(const uint8_t *buf, size_t len, struct six_mld1_repr *out);
/* Writes 24 bytes, checksum zero. */
void six_mld1_emit(const struct six_mld1_repr *r, uint8_t out[static SIX_MLD1_LEN]);

/* ---- MLDv2 Report ---- */
struct six_mld2_record {
    uint8_t type;
    uint8_t aux_words;
    uint16_t nsrc;
    struct in6_addr group;
    const uint8_t *srcs;         /* nsrc addresses, 16 bytes each */
    const uint8_t *aux;          /* aux_words * 4 bytes */
};

/* Walks the records of a report. */
struct six_mld2_iter {
    const uint8_t *buf;
    size_t len;
    size_t off;
    unsigned left;               /* records the header promised, not yet read */
};

/* Checks a report's header (type 143, at least 8 bytes) and starts a walk
 * over its records. Returns the number of records promised, -EMSGSIZE or
 * -EINVAL (type). Borrows buf. */
int six_mld2_report_parse(const uint8_t *buf, size_t len, struct six_mld2_iter *it);
/* Returns 1 and the next record, 0 after the last promised one, or
 * -EMSGSIZE when a record runs past the message (the walk stays there). */
int six_mld2_next(struct six_mld2_iter *it, struct six_mld2_record *out);

/* Bytes of a record with nsrc sources and no auxiliary data. */
static inline size_t six_mld2_record_len(unsigned nsrc) { return 20 + (size_t)nsrc * 16; }
/* Writes a report header announcing nrec records, checksum zero. */
void six_mld2_report_emit_header(uint16_t nrec, uint8_t out[static SIX_MLD2_REPORT_HDR]);
/* Writes a record (no auxiliary data: RFC 3810 5.2.10 says senders put
 * none); returns its length. */
size_t six_mld2_record_emit(uint8_t type, const struct in6_addr *group,
                            const struct in6_addr *srcs, uint16_t nsrc, uint8_t *out);

/* ---- The exponential codes ---- */
/* Maximum Response Code to milliseconds (RFC 3810 5.1.3). */
uint32_t six_mld_mrc_decode(uint16_t code);
/* The smallest code whose delay is at least ms, capped at the largest
 * (ms past it gives 0xffff). */
uint16_t six_mld_mrc_encode(uint32_t ms);
/* QQIC to seconds (RFC 3810 5.1.9). */
uint32_t six_mld_qqic_decode(uint8_t code);
uint8_t six_mld_qqic_encode(uint32_t seconds);

#endif
