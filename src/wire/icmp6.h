/* ICMPv6 messages (RFC 4443).
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   type-specific word: unused / MTU / pointer / ident+seq      |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         body ...                                 8
 */
#ifndef SIX_WIRE_ICMP6_H
#define SIX_WIRE_ICMP6_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define SIX_ICMP6_HDR_LEN 8
#define SIX_ICMP6_OFF_CKSUM 2

#define SIX_ICMP6_DST_UNREACH 1
#define SIX_ICMP6_PACKET_TOO_BIG 2
#define SIX_ICMP6_TIME_EXCEEDED 3
#define SIX_ICMP6_PARAM_PROB 4
#define SIX_ICMP6_ECHO_REQUEST 128
#define SIX_ICMP6_ECHO_REPLY 129
#define SIX_ICMP6_MLD_QUERY 130
#define SIX_ICMP6_MLD_REPORT 131
#define SIX_ICMP6_MLD_DONE 132
#define SIX_ICMP6_ROUTER_SOLICIT 133
#define SIX_ICMP6_ROUTER_ADVERT 134
#define SIX_ICMP6_NEIGHBOR_SOLICIT 135
#define SIX_ICMP6_NEIGHBOR_ADVERT 136
#define SIX_ICMP6_REDIRECT 137
#define SIX_ICMP6_MLDV2_REPORT 143
#define SIX_ICMP6_CERT_PATH_SOLICIT 148   /* SEND, RFC 3971 */
#define SIX_ICMP6_CERT_PATH_ADVERT 149

/* Destination Unreachable codes. */
#define SIX_ICMP6_DU_NOROUTE 0
#define SIX_ICMP6_DU_ADMIN 1
#define SIX_ICMP6_DU_BEYONDSCOPE 2
#define SIX_ICMP6_DU_ADDR 3
#define SIX_ICMP6_DU_NOPORT 4
#define SIX_ICMP6_DU_POLICY 5
#define SIX_ICMP6_DU_REJECT 6
/* Time Exceeded codes. */
#define SIX_ICMP6_TE_HOPLIMIT 0
#define SIX_ICMP6_TE_REASSEMBLY 1
/* Parameter Problem codes. */
#define SIX_ICMP6_PP_HEADER 0
#define SIX_ICMP6_PP_NEXTHEADER 1
#define SIX_ICMP6_PP_OPTION 2
#define SIX_ICMP6_PP_FIRSTFRAG 3   /* RFC 7112 */

struct six_icmp6_repr {
    uint8_t type;
    uint8_t code;
    uint16_t cksum;
    uint32_t word;          /* MTU, pointer, unused, or ident << 16 | seq */
    const uint8_t *body;    /* bytes after the 8-byte header */
    size_t body_len;
};

/* Whether type is an error message (types 0..127). */
static inline int six_icmp6_is_error(uint8_t type) { return type < 128; }

/* Parses an ICMPv6 message of len bytes (no checksum check: that needs the
 * pseudo-header, see cksum.h). Returns 0, or -EMSGSIZE when len < 8. */
int six_icmp6_parse(const uint8_t *buf, size_t len, struct six_icmp6_repr *out);

/* Writes the 8-byte header with a zero checksum. */
void six_icmp6_emit_header(uint8_t type, uint8_t code, uint32_t word,
                           uint8_t out[static SIX_ICMP6_HDR_LEN]);

#endif
