/* Neighbor Discovery message parse/emit.
 *
 * Read before editing: RFC 4861 sections 4.1-4.6 (formats) and 7.1.1,
 * 7.1.2, 6.1 (what receivers check; the checks that need the IP header
 * are the caller's, in icmp6/nd.c).
 *
 * Pure functions: no allocation, no I/O, no global state. */
#include "wire/nd.h"

#include <errno.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/icmp6.h"

/* The fixed part of each ND message, or 0 for other types. */
static size_t fixed_len(uint8_t type) {
    switch (type) {
    case SIX_ICMP6_ROUTER_SOLICIT:
        return SIX_ND_RS_LEN;
    case SIX_ICMP6_ROUTER_ADVERT:
        return SIX_ND_RA_LEN;
    case SIX_ICMP6_NEIGHBOR_SOLICIT:
        return SIX_ND_NS_LEN;
    case SIX_ICMP6_NEIGHBOR_ADVERT:
        return SIX_ND_NA_LEN;
    case SIX_ICMP6_REDIRECT:
        return SIX_ND_REDIRECT_LEN;
    default:
        return 0;
    }
}

/* The link-layer option a message of this type carries. */
static uint8_t lladdr_kind(uint8_t type) {
    return type == SIX_ICMP6_NEIGHBOR_ADVERT || type == SIX_ICMP6_REDIRECT ? SIX_ND_OPT_TLLA
                                                                           : SIX_ND_OPT_SLLA;
}

static void parse_fixed(const uint8_t *buf, struct six_nd_repr *out) {
    switch (out->type) {
    case SIX_ICMP6_ROUTER_ADVERT:
        out->cur_hlim = buf[4];
        out->flags = buf[5];
        out->router_lifetime = six_get16(buf + 6);
        out->reachable_ms = six_get32(buf + 8);
        out->retrans_ms = six_get32(buf + 12);
        break;
    case SIX_ICMP6_NEIGHBOR_SOLICIT:
    case SIX_ICMP6_NEIGHBOR_ADVERT:
        out->flags = buf[4];
        memcpy(&out->target, buf + 8, 16);
        break;
    case SIX_ICMP6_REDIRECT:
        memcpy(&out->target, buf + 8, 16);
        memcpy(&out->dest, buf + 24, 16);
        break;
    default:
        break;
    }
}

/* Checks one option at o (avail bytes to the message's end) and records
 * the ones the repr names. Returns its length or -EINVAL. */
static long parse_option(const uint8_t *o, size_t avail, struct six_nd_repr *out) {
    size_t olen;

    /* RFC 4861 4.6: "Nodes MUST silently discard an ND packet that
     * contains an option with length zero." */
    if (avail < 2 || o[1] == 0)
        return -EINVAL;
    olen = (size_t)o[1] * 8;
    if (olen > avail)
        return -EINVAL;
    if (o[0] == SIX_ND_OPT_PREFIX && o[1] != 4)
        return -EINVAL;
    if (o[0] == SIX_ND_OPT_MTU && o[1] != 1)
        return -EINVAL;
    if (o[0] == lladdr_kind(out->type) && !out->lladdr) {
        out->lladdr = o + 2;
        out->lladdr_len = olen - 2;
    } else if (o[0] == SIX_ND_OPT_SLLA || o[0] == SIX_ND_OPT_TLLA) {
        if (o[0] != lladdr_kind(out->type))
            out->lladdr_wrong_kind = 1;
    } else if (o[0] == SIX_ND_OPT_MTU && out->type == SIX_ICMP6_ROUTER_ADVERT && !out->mtu) {
        out->mtu = six_get32(o + 4);
    }
    return (long)olen;
}

/* Borrows buf. */
int six_nd_parse(const uint8_t *buf, size_t len, struct six_nd_repr *out) {
    size_t flen, off;

    memset(out, 0, sizeof(*out));
    if (len < 1 || !(flen = fixed_len(buf[0])))
        return -ENOMSG;
    if (len < flen)
        return -EMSGSIZE;
    out->type = buf[0];
    out->code = buf[1];
    parse_fixed(buf, out);
    out->opts = buf + flen;
    out->opts_len = len - flen;
    for (off = flen; off < len;) {
        long n = parse_option(buf + off, len - off, out);
        if (n < 0)
            return (int)n;
        off += (size_t)n;
    }
    return 0;
}

int six_nd_prefix_next(const struct six_nd_repr *r, size_t *pos, struct six_nd_prefix *out) {
    while (*pos + 2 <= r->opts_len) {
        const uint8_t *o = r->opts + *pos;
        *pos += (size_t)o[1] * 8;
        if (o[0] != SIX_ND_OPT_PREFIX)
            continue;
        out->plen = o[2];
        out->flags = o[3];
        out->valid = six_get32(o + 4);
        out->preferred = six_get32(o + 8);
        memcpy(&out->prefix, o + 16, 16);
        return 1;
    }
    return 0;
}

int six_nd_emit(const struct six_nd_repr *r, const uint8_t *lladdr, size_t lladdr_len,
                uint8_t *out, size_t cap) {
    size_t flen = fixed_len(r->type);
    size_t olen = lladdr_len ? (lladdr_len + 2 + 7) / 8 * 8 : 0;

    if (r->type == SIX_ICMP6_ROUTER_ADVERT || r->type == SIX_ICMP6_REDIRECT || !flen ||
        lladdr_len > SIX_ND_LLADDR_MAX)
        return -EINVAL;
    if (flen + olen > cap)
        return -ENOSPC;
    memset(out, 0, flen + olen);
    out[0] = r->type;
    out[1] = r->code;
    if (r->type != SIX_ICMP6_ROUTER_SOLICIT) {
        out[4] = r->type == SIX_ICMP6_NEIGHBOR_ADVERT ? r->flags : 0;
        memcpy(out + 8, &r->target, 16);
    }
    if (olen) {
        out[flen] = lladdr_kind(r->type);
        out[flen + 1] = (uint8_t)(olen / 8);
        memcpy(out + flen + 2, lladdr, lladdr_len);
    }
    return (int)(flen + olen);
}
