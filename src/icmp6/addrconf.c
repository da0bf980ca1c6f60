/* Address autoconfiguration: see addrconf.h. */
#include "icmp6/addrconf.h"

#include <arpa/inet.h>
#include <string.h>

#include "wire/ether.h"

int six__addrconf_linklocal(struct six_ip6 *ip6, struct six_if *ifp) {
    struct in6_addr ll;
    char a[INET6_ADDRSTRLEN];
    int rc;

    if (!(ifp->flags & SIX_IFF_ETHERNET))
        return 0;
    memset(&ll, 0, sizeof(ll));
    ll.s6_addr[0] = 0xfe;
    ll.s6_addr[1] = 0x80;
    six_eth_eui64(ifp->hwaddr, ll.s6_addr + 8);
    rc = six__ip6_addr_add(ip6, ifp->index, &ll, 64, 0);
    if (rc == 0) {
        inet_ntop(AF_INET6, &ll, a, sizeof(a));
        six__log(ip6->core, "addrconf: %s: link-local address %s", ifp->name, a);
    }
    return rc;
}
