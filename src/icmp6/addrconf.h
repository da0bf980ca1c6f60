/* Address autoconfiguration (RFC 4862) for a host: the link-local
 * address of an interface. (Duplicate address detection and SLAAC from
 * router advertisements are not built yet.)
 *
 * RFCs to read before editing: RFC 4862 (5.3 link-local addresses),
 * RFC 4291 2.5.1 and appendix A (interface identifiers), RFC 2464 4.
 */
#ifndef SIX_ICMP6_ADDRCONF_H
#define SIX_ICMP6_ADDRCONF_H

#include "ip6/ip6.h"

/* RFC 4862 5.3: gives an Ethernet interface its link-local address,
 * fe80::/64 and the modified EUI-64 of its MAC. Returns 0 (also when
 * ifp is not Ethernet: nothing to do) or a negative errno. */
int six__addrconf_linklocal(struct six_ip6 *ip6, struct six_if *ifp);

#endif
