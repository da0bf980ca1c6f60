/* IPsec left out (SIX_IPSEC=OFF): no SAD, no SPD, no hooks in ip6, no
 * libcrypto. Every configuration call says EOPNOTSUPP, and the socket
 * options keep refusing every level but the default. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/ipsec.h"

int six__ipsec_built(void) { return 0; }

struct six_ipsec *six__ipsec_new(struct six_core *core, struct six_ip6 *ip6) {
    struct six_ipsec *ips = calloc(1, sizeof(*ips));
    if (ips) {
        ips->core = core;
        ips->ip6 = ip6;
    }
    return ips;
}

void six__ipsec_free(struct six_ipsec *ips) { free(ips); }

void six_sp_init(struct six_sp *sp) {
    memset(sp, 0, sizeof(*sp));
    sp->ul_proto = SIX_SP_ANY;
    sp->icmp6_type = -1;
    sp->icmp6_code = -1;
}

int six__ipsec_sa_add(struct six_ipsec *ips, const struct six_sa *sa) {
    (void)ips, (void)sa;
    return -EOPNOTSUPP;
}

int six__ipsec_sa_del(struct six_ipsec *ips, const struct in6_addr *src,
                      const struct in6_addr *dst, uint8_t proto, uint32_t spi) {
    (void)ips, (void)src, (void)dst, (void)proto, (void)spi;
    return -EOPNOTSUPP;
}

int six__ipsec_sa_flush(struct six_ipsec *ips) {
    (void)ips;
    return -EOPNOTSUPP;
}

int six__ipsec_sa_stats(struct six_ipsec *ips, const struct in6_addr *dst, uint8_t proto,
                        uint32_t spi, struct six_sa_stats *out) {
    (void)ips, (void)dst, (void)proto, (void)spi, (void)out;
    return -EOPNOTSUPP;
}

int six__ipsec_sp_add(struct six_ipsec *ips, const struct six_sp *sp) {
    (void)ips, (void)sp;
    return -EOPNOTSUPP;
}

int six__ipsec_sp_del(struct six_ipsec *ips, const struct six_sp *sp) {
    (void)ips, (void)sp;
    return -EOPNOTSUPP;
}

int six__ipsec_sp_flush(struct six_ipsec *ips) {
    (void)ips;
    return -EOPNOTSUPP;
}

int six__setkey_apply(struct six_ipsec *ips, const char *text, char *err, size_t errlen) {
    (void)ips, (void)text;
    if (err && errlen)
        snprintf(err, errlen, "IPsec is not built in (SIX_IPSEC=OFF)");
    return -EOPNOTSUPP;
}
