/* MLD message parse/emit.
 *
 * Read before editing: RFC 2710 section 3 (MLDv1 messages), RFC 3810
 * sections 5.1 (Query, the exponential codes of 5.1.3 and 5.1.9), 5.2
 * (Report and its records) and 8.1 (telling the query versions apart by
 * length).
 *
 * Pure functions: no allocation, no I/O, no global state. */
#include "wire/mld.h"

#include <errno.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/icmp6.h"

/* Router Alert, value 0 (RFC 2711: "Datagram contains a Multicast Listener
 * Discovery message"), then PadN with no data. */
const uint8_t six_mld_hbh[SIX_MLD_HBH_LEN] = {0, 0, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00};

/* ---- the exponential codes ---- */

/* RFC 3810 5.1.3: below 32768 the code is the delay; above, a 3-bit
 * exponent and 12-bit mantissa: (mant | 0x1000) << (exp + 3). */
uint32_t six_mld_mrc_decode(uint16_t code) {
    if (code < 0x8000)
        return code;
    return (uint32_t)((code & 0x0fff) | 0x1000) << (((code >> 12) & 7) + 3);
}

uint16_t six_mld_mrc_encode(uint32_t ms) {
    if (ms < 0x8000)
        return (uint16_t)ms;
    for (unsigned exp = 0; exp < 8; exp++) {
        unsigned shift = exp + 3;
        uint64_t mant = ((uint64_t)ms + (1u << shift) - 1) >> shift;   /* rounded up */
        if (mant <= 0x1fff)
            return (uint16_t)(0x8000 | exp << 12 | (mant & 0x0fff));
    }
    return 0xffff;
}

/* RFC 3810 5.1.9: the same scheme in 8 bits: (mant | 0x10) << (exp + 3). */
uint32_t six_mld_qqic_decode(uint8_t code) {
    if (code < 0x80)
        return code;
    return (uint32_t)((code & 0x0f) | 0x10) << (((code >> 4) & 7) + 3);
}

uint8_t six_mld_qqic_encode(uint32_t seconds) {
    if (seconds < 0x80)
        return (uint8_t)seconds;
    for (unsigned exp = 0; exp < 8; exp++) {
        unsigned shift = exp + 3;
        uint64_t mant = ((uint64_t)seconds + (1u << shift) - 1) >> shift;
        if (mant <= 0x1f)
            return (uint8_t)(0x80 | exp << 4 | (mant & 0x0f));
    }
    return 0xff;
}

/* ---- queries ---- */

/* Borrows buf. */
int six_mld_query_parse(const uint8_t *buf, size_t len, struct six_mld_query_repr *out) {
    if (len < SIX_MLD1_LEN)
        return -EMSGSIZE;
    if (buf[0] != SIX_ICMP6_MLD_QUERY)
        return -EINVAL;
    /* RFC 3810 8.1: 24 bytes is MLDv1, 28 or more MLDv2; anything else
     * is neither and is ignored. */
    if (len > SIX_MLD1_LEN && len < SIX_MLD2_QUERY_MIN)
        return -EMSGSIZE;
    memset(out, 0, sizeof(*out));
    out->max_resp_code = six_get16(buf + 4);
    memcpy(&out->group, buf + 8, 16);
    if (len == SIX_MLD1_LEN) {
        out->max_resp_ms = out->max_resp_code;
        return 0;
    }
    out->nsrc = six_get16(buf + 26);
    if ((len - SIX_MLD2_QUERY_MIN) / 16 < out->nsrc)
        return -EMSGSIZE;
    out->v2 = 1;
    out->max_resp_ms = six_mld_mrc_decode(out->max_resp_code);
    out->s_flag = (buf[24] >> 3) & 1;
    out->qrv = buf[24] & 7;
    out->qqic = buf[25];
    out->qqi_s = six_mld_qqic_decode(out->qqic);
    out->srcs = buf + SIX_MLD2_QUERY_MIN;
    return 0;
}

/* Every byte from the repr; reserved fields zero. */
size_t six_mld_query_emit(const struct six_mld_query_repr *r, uint8_t *out) {
    six_icmp6_emit_header(SIX_ICMP6_MLD_QUERY, 0, (uint32_t)r->max_resp_code << 16, out);
    memcpy(out + 8, &r->group, 16);
    if (!r->v2)
        return SIX_MLD1_LEN;
    out[24] = (uint8_t)((r->s_flag ? 0x08 : 0) | (r->qrv & 7));
    out[25] = r->qqic;
    six_put16(out + 26, r->nsrc);
    if (r->nsrc)
        memcpy(out + SIX_MLD2_QUERY_MIN, r->srcs, (size_t)r->nsrc * 16);
    return SIX_MLD2_QUERY_MIN + (size_t)r->nsrc * 16;
}

/* ---- MLDv1 ---- */

/* Borrows buf. */
int six_mld1_parse(const uint8_t *buf, size_t len, struct six_mld1_repr *out) {
    if (len < SIX_MLD1_LEN)
        return -EMSGSIZE;
    out->type = buf[0];
    out->max_resp_delay = six_get16(buf + 4);
    memcpy(&out->group, buf + 8, 16);
    return 0;
}

void six_mld1_emit(const struct six_mld1_repr *r, uint8_t out[static SIX_MLD1_LEN]) {
    six_icmp6_emit_header(r->type, 0, (uint32_t)r->max_resp_delay << 16, out);
    memcpy(out + 8, &r->group, 16);
}

/* ---- MLDv2 reports ---- */

/* Borrows buf. */
int six_mld2_report_parse(const uint8_t *buf, size_t len, struct six_mld2_iter *it) {
    if (len < SIX_MLD2_REPORT_HDR)
        return -EMSGSIZE;
    if (buf[0] != SIX_ICMP6_MLDV2_REPORT)
        return -EINVAL;
    it->buf = buf;
    it->len = len;
    it->off = SIX_MLD2_REPORT_HDR;
    it->left = six_get16(buf + 6);
    return (int)it->left;
}

int six_mld2_next(struct six_mld2_iter *it, struct six_mld2_record *out) {
    const uint8_t *p = it->buf + it->off;
    size_t avail = it->len - it->off, need;

    if (it->left == 0)
        return 0;
    if (avail < SIX_MLD2_RECORD_MIN)
        return -EMSGSIZE;
    out->type = p[0];
    out->aux_words = p[1];
    out->nsrc = six_get16(p + 2);
    need = SIX_MLD2_RECORD_MIN + (size_t)out->nsrc * 16 + (size_t)out->aux_words * 4;
    if (need > avail)
        return -EMSGSIZE;
    memcpy(&out->group, p + 4, 16);
    out->srcs = p + SIX_MLD2_RECORD_MIN;
    out->aux = out->srcs + (size_t)out->nsrc * 16;
    it->off += need;
    it->left--;
    return 1;
}

void six_mld2_report_emit_header(uint16_t nrec, uint8_t out[static SIX_MLD2_REPORT_HDR]) {
    six_icmp6_emit_header(SIX_ICMP6_MLDV2_REPORT, 0, nrec, out);
}

size_t six_mld2_record_emit(uint8_t type, const struct in6_addr *group,
                            const struct in6_addr *srcs, uint16_t nsrc, uint8_t *out) {
    out[0] = type;
    out[1] = 0;
    six_put16(out + 2, nsrc);
    memcpy(out + 4, group, 16);
    if (nsrc)
        memcpy(out + SIX_MLD2_RECORD_MIN, srcs, (size_t)nsrc * 16);
    return six_mld2_record_len(nsrc);
}
