/* Multicast Listener Discovery, the listener (host) side: MLDv2 (RFC
 * 3810) with MLDv1 compatibility (RFC 2710, RFC 3810 section 8).
 *
 * ip6 tells MLD when the merged filter state of a group on an interface
 * changes (ip6->mcast_notify); MLD reports the change, answers queries
 * after random delays, and falls back to MLDv1 while an MLDv1 querier is
 * heard. Timers run on the stack clock, delays come from the stack's
 * seedable random.
 *
 * RFCs to read before editing: RFC 3810 sections 4 (state), 5 (messages
 * and validity), 6 (listener behaviour), 8 (MLDv1 interoperation), 9
 * (timers and defaults); RFC 2710 sections 3-4 (MLDv1 messages and host
 * behaviour); RFC 2711 (Router Alert); RFC 3590 (the source of reports
 * before a link-local address exists).
 */
#ifndef SIX_ICMP6_MLD_H
#define SIX_ICMP6_MLD_H

#include <stdint.h>

#include "ip6/ip6.h"
#include "wire/ipv6.h"

/* Defaults of RFC 3810 section 9. */
#define SIX_MLD_ROBUSTNESS 2            /* 9.1 Robustness Variable */
#define SIX_MLD_QUERY_INTERVAL_S 125    /* 9.2 Query Interval */
#define SIX_MLD_QRI_MS 10000            /* 9.3 Query Response Interval */
#define SIX_MLD_URI_MS 1000             /* 9.11 Unsolicited Report Interval */

struct mld_group;
struct six_mld;

/* Per interface (RFC 3810 6.2 and 8.2). */
struct six_mld_if {
    struct six_mld *mld;
    unsigned ifindex;
    int v1;                    /* Host Compatibility Mode is MLDv1 */
    uint8_t qrv;               /* robustness learned from the querier */
    uint32_t qi_s;             /* query interval learned from the querier */
    struct six_timer general;  /* the pending answer to a General Query */
    struct six_timer v1_timer; /* Older Version Querier Present */
};

struct six_mld {
    struct six_ip6 *ip6;
    struct six_mld_if ifs[SIX_MAX_IFS + 1];
    /* Groups left whose last State Change Report is still being
     * retransmitted (RFC 3810 6.1). */
    struct mld_group *leaving;
};

/* Plugs MLD into ip6's membership notifications. */
void six__mld_init(struct six_mld *mld, struct six_ip6 *ip6);
/* Frees what MLD still holds (after ip6 forgot every group). */
void six__mld_fini(struct six_mld *mld);

static inline int six__mld_is_mld(uint8_t type) {
    return type == 130 || type == 131 || type == 132 || type == 143;
}

/* An MLD message received (type 130, 131, 132 or 143) with its checksum
 * verified; borrows pkt (data at its IPv6 header, meta filled by input).
 * Invalid messages are counted and ignored. */
void six__mld_input(struct six_mld *mld, struct six_pkt *pkt, const struct six_ip6_repr *h);

#endif
