/* TCP header parse/emit.
 *
 * Read before editing: RFC 9293 3.1 and 3.2 (header, options, the MSS
 * option), RFC 7323 2 and 3 (window scale, timestamps), RFC 2018 2 and 3
 * (SACK-permitted, SACK blocks).
 *
 * Pure functions: no allocation, no I/O, no global state. */
#include "wire/tcp.h"

#include <errno.h>
#include <string.h>

#include "wire/bytes.h"

/* One option of kind at p with len bytes (len checked against the header
 * by the caller). Options of the wrong length are ignored. */
static void parse_option(const uint8_t *p, uint8_t kind, uint8_t len,
                         struct six_tcp_opts *o) {
    switch (kind) {
    case SIX_TCPOPT_MSS:
        if (len == 4) {
            o->has_mss = 1;
            o->mss = six_get16(p + 2);
        }
        break;
    case SIX_TCPOPT_WS:
        if (len == 3) {
            o->has_ws = 1;
            o->wscale = p[2] > SIX_TCP_MAX_WSCALE ? SIX_TCP_MAX_WSCALE : p[2];
        }
        break;
    case SIX_TCPOPT_SACK_OK:
        if (len == 2)
            o->sack_ok = 1;
        break;
    case SIX_TCPOPT_TS:
        if (len == 10) {
            o->has_ts = 1;
            o->tsval = six_get32(p + 2);
            o->tsecr = six_get32(p + 6);
        }
        break;
    case SIX_TCPOPT_SACK:
        if (len >= 10 && (len - 2) % 8 == 0) {
            o->nsack = 0;
            for (unsigned i = 2; i + 8 <= len && o->nsack < SIX_TCP_MAX_SACK; i += 8) {
                o->sack[o->nsack].left = six_get32(p + i);
                o->sack[o->nsack].right = six_get32(p + i + 4);
                o->nsack++;
            }
        }
        break;
    default:
        break;
    }
}

/* Walks the options in p[0..n). Borrows p. */
static void parse_options(const uint8_t *p, size_t n, struct six_tcp_opts *o) {
    size_t i = 0;

    while (i < n) {
        uint8_t kind = p[i], len;
        if (kind == SIX_TCPOPT_EOL)
            return;
        if (kind == SIX_TCPOPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= n || (len = p[i + 1]) < 2 || len > n - i)
            return;
        parse_option(p + i, kind, len, o);
        i += len;
    }
}

/* Borrows buf. */
int six_tcp_parse(const uint8_t *buf, size_t avail, struct six_tcp_repr *out) {
    size_t hlen;

    if (avail < SIX_TCP_HDR_LEN)
        return -EMSGSIZE;
    hlen = (size_t)(buf[12] >> 4) * 4;
    if (hlen < SIX_TCP_HDR_LEN)
        return -EINVAL;
    if (hlen > avail)
        return -EMSGSIZE;
    memset(out, 0, sizeof(*out));
    out->sport = six_get16(buf);
    out->dport = six_get16(buf + 2);
    out->seq = six_get32(buf + 4);
    out->ack = six_get32(buf + 8);
    out->flags = buf[13];
    out->hdr_len = (uint8_t)hlen;
    out->win = six_get16(buf + 14);
    out->cksum = six_get16(buf + SIX_TCP_OFF_CKSUM);
    out->urg = six_get16(buf + 18);
    parse_options(buf + SIX_TCP_HDR_LEN, hlen - SIX_TCP_HDR_LEN, &out->opt);
    return 0;
}

/* SACK blocks that fit beside the other options (40 bytes in all). */
static unsigned sack_fit(const struct six_tcp_opts *o, size_t used) {
    unsigned n = o->nsack;
    while (n > 0 && used + 4 + 8u * n > 40)
        n--;
    return n;
}

/* Bytes of the fixed options (all but SACK blocks), padded as emitted. */
static size_t fixed_opts_len(const struct six_tcp_opts *o) {
    return (o->has_mss ? 4u : 0u) + (o->has_ts || o->sack_ok ? (o->has_ts ? 12u : 4u) : 0u) +
           (o->has_ws ? 4u : 0u);
}

size_t six_tcp_hdr_len(const struct six_tcp_repr *r) {
    size_t used = fixed_opts_len(&r->opt);
    unsigned ns = sack_fit(&r->opt, used);
    return SIX_TCP_HDR_LEN + used + (ns ? 4u + 8u * ns : 0u);
}

/* Emits every byte of the header; options in the order Linux sends them
 * (MSS, SACK-permitted with timestamps, window scale, SACK), each padded
 * to a word with NOPs. */
size_t six_tcp_emit(const struct six_tcp_repr *r, uint8_t out[static SIX_TCP_MAX_HDR_LEN]) {
    const struct six_tcp_opts *o = &r->opt;
    size_t len = six_tcp_hdr_len(r), i = SIX_TCP_HDR_LEN;
    unsigned ns = sack_fit(o, fixed_opts_len(o));

    six_put16(out, r->sport);
    six_put16(out + 2, r->dport);
    six_put32(out + 4, r->seq);
    six_put32(out + 8, r->ack);
    out[12] = (uint8_t)((len / 4) << 4);
    out[13] = r->flags;
    six_put16(out + 14, r->win);
    six_put16(out + SIX_TCP_OFF_CKSUM, r->cksum);
    six_put16(out + 18, r->urg);
    if (o->has_mss) {
        out[i] = SIX_TCPOPT_MSS;
        out[i + 1] = 4;
        six_put16(out + i + 2, o->mss);
        i += 4;
    }
    if (o->has_ts) {
        if (o->sack_ok) {
            out[i] = SIX_TCPOPT_SACK_OK;
            out[i + 1] = 2;
        } else {
            out[i] = out[i + 1] = SIX_TCPOPT_NOP;
        }
        out[i + 2] = SIX_TCPOPT_TS;
        out[i + 3] = 10;
        six_put32(out + i + 4, o->tsval);
        six_put32(out + i + 8, o->tsecr);
        i += 12;
    } else if (o->sack_ok) {
        out[i] = out[i + 1] = SIX_TCPOPT_NOP;
        out[i + 2] = SIX_TCPOPT_SACK_OK;
        out[i + 3] = 2;
        i += 4;
    }
    if (o->has_ws) {
        out[i] = SIX_TCPOPT_NOP;
        out[i + 1] = SIX_TCPOPT_WS;
        out[i + 2] = 3;
        out[i + 3] = o->wscale;
        i += 4;
    }
    if (ns) {
        out[i] = out[i + 1] = SIX_TCPOPT_NOP;
        out[i + 2] = SIX_TCPOPT_SACK;
        out[i + 3] = (uint8_t)(2 + 8 * ns);
        i += 4;
        for (unsigned k = 0; k < ns; k++, i += 8) {
            six_put32(out + i, o->sack[k].left);
            six_put32(out + i + 4, o->sack[k].right);
        }
    }
    return len;
}
