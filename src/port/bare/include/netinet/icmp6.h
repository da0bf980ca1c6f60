/* ICMPv6 socket API types and constants (RFC 3542 section 2.2 and 3.2)
 * for the bare port; Linux's numbers and filter layout (a set bit blocks
 * its type). */
#ifndef SIX_BARE_NETINET_ICMP6_H
#define SIX_BARE_NETINET_ICMP6_H

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

struct icmp6_hdr {
    uint8_t icmp6_type;
    uint8_t icmp6_code;
    uint16_t icmp6_cksum;
    union {
        uint32_t icmp6_un_data32[1];
        uint16_t icmp6_un_data16[2];
        uint8_t icmp6_un_data8[4];
    } icmp6_dataun;
};
#define icmp6_data32 icmp6_dataun.icmp6_un_data32
#define icmp6_data16 icmp6_dataun.icmp6_un_data16
#define icmp6_data8 icmp6_dataun.icmp6_un_data8
#define icmp6_pptr icmp6_data32[0]
#define icmp6_mtu icmp6_data32[0]
#define icmp6_id icmp6_data16[0]
#define icmp6_seq icmp6_data16[1]

#define ICMP6_DST_UNREACH 1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROB 4
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define MLD_LISTENER_QUERY 130
#define MLD_LISTENER_REPORT 131
#define MLD_LISTENER_REDUCTION 132
#define ND_ROUTER_SOLICIT 133
#define ND_ROUTER_ADVERT 134
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define ND_REDIRECT 137

#define ICMP6_DST_UNREACH_NOROUTE 0
#define ICMP6_DST_UNREACH_ADMIN 1
#define ICMP6_DST_UNREACH_BEYONDSCOPE 2
#define ICMP6_DST_UNREACH_ADDR 3
#define ICMP6_DST_UNREACH_NOPORT 4
#define ICMP6_TIME_EXCEED_TRANSIT 0
#define ICMP6_TIME_EXCEED_REASSEMBLY 1
#define ICMP6_PARAMPROB_HEADER 0
#define ICMP6_PARAMPROB_NEXTHEADER 1
#define ICMP6_PARAMPROB_OPTION 2

/* Neighbor Discovery's option types and flags (RFC 4861 section 4). */
#define ND_OPT_SOURCE_LINKADDR 1
#define ND_OPT_TARGET_LINKADDR 2
#define ND_OPT_PREFIX_INFORMATION 3
#define ND_OPT_REDIRECTED_HEADER 4
#define ND_OPT_MTU 5
#define ND_OPT_PI_FLAG_ONLINK 0x80
#define ND_OPT_PI_FLAG_AUTO 0x40
#define ND_RA_FLAG_MANAGED 0x80
#define ND_RA_FLAG_OTHER 0x40
#define ND_NA_FLAG_ROUTER 0x80
#define ND_NA_FLAG_SOLICITED 0x40
#define ND_NA_FLAG_OVERRIDE 0x20

#define ICMP6_FILTER 1
struct icmp6_filter {
    uint32_t icmp6_filt[8];
};
#define ICMP6_FILTER_WILLPASS(type, f) (((f)->icmp6_filt[(type) >> 5] & (1u << ((type) & 31))) == 0)
#define ICMP6_FILTER_WILLBLOCK(type, f) (((f)->icmp6_filt[(type) >> 5] & (1u << ((type) & 31))) != 0)
#define ICMP6_FILTER_SETPASS(type, f) ((f)->icmp6_filt[(type) >> 5] &= ~(1u << ((type) & 31)))
#define ICMP6_FILTER_SETBLOCK(type, f) ((f)->icmp6_filt[(type) >> 5] |= (1u << ((type) & 31)))
#define ICMP6_FILTER_SETPASSALL(f) memset((f), 0, sizeof(struct icmp6_filter))
#define ICMP6_FILTER_SETBLOCKALL(f) memset((f), 0xff, sizeof(struct icmp6_filter))

#endif
