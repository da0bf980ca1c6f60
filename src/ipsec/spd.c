/* The Security Policy Database (RFC 4301 4.4.1): an ordered list of
 * policies per direction, searched first match. Selectors: source and
 * destination prefixes, upper-layer protocol, ports (UDP, TCP) or the
 * ICMPv6 type and code (RFC 4301 4.4.1.1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ipsec/ipsec.h"
#include "wire/bytes.h"
#include "wire/ext.h"

void six_sp_init(struct six_sp *sp) {
    memset(sp, 0, sizeof(*sp));
    sp->ul_proto = SIX_SP_ANY;
    sp->icmp6_type = -1;
    sp->icmp6_code = -1;
}

int six__ipsec_sp_valid(const struct six_sp *sp) {
    if (sp->src_plen > 128 || sp->dst_plen > 128 || sp->icmp6_type < -1 ||
        sp->icmp6_type > 255 || sp->icmp6_code < -1 || sp->icmp6_code > 255 ||
        (sp->icmp6_code >= 0 && sp->icmp6_type < 0) || sp->dir > SIX_SP_OUT || sp->action > SIX_SP_PROTECT ||
        sp->nreq > SIX_SP_REQ_MAX || (sp->action == SIX_SP_PROTECT) != (sp->nreq > 0))
        return -EINVAL;
    for (unsigned i = 0; i < sp->nreq; i++) {
        const struct six_sp_req *r = &sp->req[i];
        if (r->level > SIX_SP_LEVEL_UNIQUE || (r->reqid && r->level != SIX_SP_LEVEL_UNIQUE) ||
            (r->mode != SIX_IPSEC_MODE_TRANSPORT && r->mode != SIX_IPSEC_MODE_TUNNEL) ||
            (r->proto != SIX_IPSEC_PROTO_ESP && r->proto != SIX_IPSEC_PROTO_AH &&
             r->proto != SIX_IPSEC_PROTO_IPCOMP))
            return -EINVAL;
        /* A tunnel must be the outermost protection: nothing is applied
         * to the outer header afterwards. */
        if (r->mode == SIX_IPSEC_MODE_TUNNEL && i != sp->nreq - 1)
            return -EINVAL;
    }
    return 0;
}

static int prefix_match(const struct in6_addr *a, const struct in6_addr *p, unsigned plen) {
    unsigned bytes = plen / 8, bits = plen % 8;

    if (memcmp(a, p, bytes) != 0)
        return 0;
    if (bits) {
        uint8_t mask = (uint8_t)(0xff << (8 - bits));
        if ((a->s6_addr[bytes] ^ p->s6_addr[bytes]) & mask)
            return 0;
    }
    return 1;
}

/* Two policies with the same selector and direction. */
static int same_selector(const struct six_sp *a, const struct six_sp *b) {
    return a->dir == b->dir && a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
           prefix_match(&a->src, &b->src, a->src_plen) &&
           prefix_match(&a->dst, &b->dst, a->dst_plen) && a->ul_proto == b->ul_proto &&
           a->sport == b->sport && a->dport == b->dport && a->icmp6_type == b->icmp6_type &&
           a->icmp6_code == b->icmp6_code;
}

static struct six_sp *find(struct six_ipsec *ips, const struct six_sp *sp, unsigned *idx) {
    for (unsigned i = 0; i < ips->nsp[sp->dir]; i++)
        if (same_selector(&ips->spd[sp->dir][i], sp)) {
            *idx = i;
            return &ips->spd[sp->dir][i];
        }
    return NULL;
}

int six__ipsec_sp_add(struct six_ipsec *ips, const struct six_sp *sp) {
    unsigned i, d = sp->dir;
    int rc;

    if ((rc = six__ipsec_sp_valid(sp)) < 0)
        return rc;
    if (find(ips, sp, &i))
        return -EEXIST;
    rc = six__grow_array((void **)&ips->spd[d], &ips->spd_cap[d], ips->nsp[d] + 1, 8,
                         SIX_SPD_MAX, sizeof(struct six_sp));
    if (rc < 0)
        return rc;
    ips->spd[d][ips->nsp[d]++] = *sp;
    return 0;
}

int six__ipsec_sp_del(struct six_ipsec *ips, const struct six_sp *sp) {
    unsigned i;

    if (sp->dir > SIX_SP_OUT || !find(ips, sp, &i))
        return -ESRCH;
    memmove(&ips->spd[sp->dir][i], &ips->spd[sp->dir][i + 1],
            (ips->nsp[sp->dir] - i - 1) * sizeof(struct six_sp));
    ips->nsp[sp->dir]--;
    return 0;
}

int six__ipsec_sp_flush(struct six_ipsec *ips) {
    ips->nsp[SIX_SP_IN] = ips->nsp[SIX_SP_OUT] = 0;
    return 0;
}

static int sp_matches(const struct six_sp *sp, const struct six__sel *sel) {
    if (sp->ul_proto != SIX_SP_ANY && sp->ul_proto != sel->proto)
        return 0;
    if (!prefix_match(sel->src, &sp->src, sp->src_plen) ||
        !prefix_match(sel->dst, &sp->dst, sp->dst_plen))
        return 0;
    if ((sp->sport && sp->sport != sel->sport) || (sp->dport && sp->dport != sel->dport))
        return 0;
    return (sp->icmp6_type < 0 || sp->icmp6_type == sel->icmp6_type) &&
           (sp->icmp6_code < 0 || sp->icmp6_code == sel->icmp6_code);
}

const struct six_sp *six__spd_lookup(const struct six_ipsec *ips, enum six_sp_dir dir,
                                     const struct six__sel *sel) {
    for (unsigned i = 0; i < ips->nsp[dir]; i++)
        if (sp_matches(&ips->spd[dir][i], sel))
            return &ips->spd[dir][i];
    return NULL;
}

void six__sel_ports(struct six__sel *sel, uint8_t proto, const uint8_t *buf, size_t len) {
    sel->proto = proto;
    sel->sport = sel->dport = 0;
    sel->icmp6_type = sel->icmp6_code = -1;
    if ((proto == SIX_NH_UDP || proto == SIX_NH_TCP) && len >= 4) {
        sel->sport = six_get16(buf);
        sel->dport = six_get16(buf + 2);
    } else if (proto == SIX_NH_ICMPV6 && len >= 2) {
        sel->icmp6_type = buf[0];
        sel->icmp6_code = buf[1];
    }
}
