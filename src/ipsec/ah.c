/* AH (RFC 4302) over one packet and one SA, with HMAC-SHA-256-128: the
 * ICV covers the IPv6 header and the extension headers before AH with
 * their mutable parts zeroed (3.3.3.1: class, flow label and hop limit;
 * the data of options whose type says they change en route), AH itself
 * with a zero ICV field, and everything after it; with ESN, the high half
 * of the sequence number after all of that (3.3.3.2.2). The header is 12
 * octets, the 16-octet ICV and 4 octets of padding: 32, a multiple of 8
 * as IPv6 asks (2.6).
 */
#include <errno.h>
#include <string.h>

#include "ipsec/ipsec.h"
#include "wire/ah.h"
#include "wire/bytes.h"
#include "wire/ext.h"
#include "wire/ipv6.h"

#define AH_LEN 32
/* Most bytes of headers before AH that the ICV computation copies to
 * zero their mutable parts (beyond: EMSGSIZE on output, dropped on
 * input). */
#define AH_MAX_PREFIX 1024

size_t six__ah_len(void) { return AH_LEN; }

/* Zeroes the data of the options in opts[0..len) whose type has the
 * "may change en route" bit (RFC 8200 4.2). */
static void zero_mutable_options(uint8_t *opts, size_t len) {
    size_t i = 0;

    while (i < len) {
        if (opts[i] == 0) {          /* Pad1 */
            i++;
            continue;
        }
        if (i + 2 > len || i + 2 + opts[i + 1] > len)
            return;                  /* malformed: ip6 input never lets it by */
        if (opts[i] & 0x20)
            memset(opts + i + 2, 0, opts[i + 1]);
        i += 2 + (size_t)opts[i + 1];
    }
}

/* The ICV of pkt with its AH at off (ICV field zero) for seq. */
static int icv(struct six_ipsec *ips, const struct six__sa *sa, const struct six_pkt *pkt,
               size_t off, uint64_t seq, uint8_t out[16]) {
    uint8_t pre[AH_MAX_PREFIX], hi[4], nxt;
    size_t p = SIX_IP6_HDR_LEN;

    if (off > sizeof(pre))
        return -EMSGSIZE;
    memcpy(pre, pkt->data, off);
    pre[0] &= 0xf0;                  /* version kept; class and flow zeroed */
    pre[1] = pre[2] = pre[3] = 0;
    pre[SIX_IP6_OFF_HLIM] = 0;
    nxt = pre[SIX_IP6_OFF_NXT];
    while (p + 8 <= off && (nxt == SIX_NH_HOPOPTS || nxt == SIX_NH_DSTOPTS ||
                            nxt == SIX_NH_ROUTING)) {
        size_t len = ((size_t)pre[p + 1] + 1) * 8;
        if (p + len > off)
            break;
        if (nxt != SIX_NH_ROUTING)
            zero_mutable_options(pre + p + 2, len - 2);
        nxt = pre[p];
        p += len;
    }
    six_put32(hi, (uint32_t)(seq >> 32));
    struct six_crypto_iov v[3] = {
        {pre, off}, {pkt->data + off, pkt->len - off}, {hi, sa->cfg.esn ? 4 : 0}};
    return ips->crypto->mac(sa->crypto, v, 3, out) < 0 ? -EIO : 0;
}

int six__ah_output(struct six_ipsec *ips, struct six__sa *sa, struct six_pkt *pkt, size_t off,
                   size_t nxt_off) {
    struct six_ah_repr r = {.nxt = pkt->data[nxt_off], .len = AH_LEN, .spi = sa->cfg.spi};
    uint64_t seq;
    int rc;

    if (!sa->cfg.esn && sa->seq_out >= UINT32_MAX) {
        SIX_STAT(ips->core, ipsec_out_seq_overflow);
        return -EOVERFLOW;
    }
    if (off > AH_MAX_PREFIX)
        return -EMSGSIZE;
    seq = ++sa->seq_out;
    r.seq = (uint32_t)seq;
    six__ipsec_open_gap(pkt, off, AH_LEN);
    six_ah_emit(&r, pkt->data + off);
    pkt->data[nxt_off] = SIX_NH_AH;
    if ((rc = icv(ips, sa, pkt, off, seq, pkt->data + off + SIX_AH_OFF_ICV)) < 0) {
        SIX_STAT(ips->core, ipsec_crypto_errors);
        return rc;
    }
    SIX_STAT(ips->core, ipsec_out_ah);
    return 0;
}

int six__ah_input(struct six_ipsec *ips, struct six_pkt *pkt, size_t off, size_t nxt_off,
                  uint8_t *nxt, struct six__sa **sa_out) {
    struct six_ah_repr r;
    uint8_t got[16], want[16];
    struct six__sa *sa;
    uint64_t seq;

    if (six_ah_parse(pkt->data + off, pkt->len - off, &r) < 0 || off > AH_MAX_PREFIX) {
        SIX_STAT(ips->core, ipsec_in_malformed);
        return -1;
    }
    if (!(sa = six__sad_find_in(ips, pkt, SIX_IPSEC_PROTO_AH, r.spi)))
        return -1;
    if (r.len < SIX_AH_FIXED_LEN + 16) {
        SIX_STAT(ips->core, ipsec_in_malformed);
        return -1;
    }
    if (six__sad_seq_in(ips, sa, r.seq, &seq) < 0)
        return -1;
    memcpy(got, pkt->data + off + SIX_AH_OFF_ICV, 16);
    /* Only the ICV is zeroed: the padding after it counts as sent, as
     * Linux computes it (RFC 4302 2.6 leaves padding content to the sender). */
    memset(pkt->data + off + SIX_AH_OFF_ICV, 0, 16);
    if (icv(ips, sa, pkt, off, seq, want) < 0) {
        SIX_STAT(ips->core, ipsec_crypto_errors);
        return -1;
    }
    if (six__crypto_memneq(got, want, 16)) {
        SIX_STAT(ips->core, ipsec_in_auth_failed);
        return -1;
    }
    six__replay_update(&sa->replay, seq);
    if (six__sad_charge(ips, sa, pkt->len - off - r.len) < 0)
        return -1;
    *nxt = r.nxt;
    six__ipsec_close_gap(pkt, off, r.len);
    pkt->data[nxt_off] = r.nxt;
    *sa_out = sa;
    SIX_STAT(ips->core, ipsec_in_ah);
    return 0;
}
