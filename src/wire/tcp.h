/* TCP header and options (RFC 9293 3.1; options: MSS RFC 9293 3.2,
 * window scale and timestamps RFC 7323, SACK-permitted and SACK RFC 2018).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Source Port          |       Destination Port        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        Sequence Number                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Acknowledgment Number                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Data |       |C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *   |       |       |R|E|G|K|H|T|N|N|                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Checksum            |         Urgent Pointer        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Options (data offset - 5 words)            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#ifndef SIX_WIRE_TCP_H
#define SIX_WIRE_TCP_H

#include <stddef.h>
#include <stdint.h>

#define SIX_TCP_HDR_LEN 20
#define SIX_TCP_MAX_HDR_LEN 60
#define SIX_TCP_OFF_CKSUM 16

enum {
    SIX_TCP_FIN = 0x01,
    SIX_TCP_SYN = 0x02,
    SIX_TCP_RST = 0x04,
    SIX_TCP_PSH = 0x08,
    SIX_TCP_ACK = 0x10,
    SIX_TCP_URG = 0x20,
    SIX_TCP_ECE = 0x40,
    SIX_TCP_CWR = 0x80,
};

/* Option kinds. */
enum {
    SIX_TCPOPT_EOL = 0,
    SIX_TCPOPT_NOP = 1,
    SIX_TCPOPT_MSS = 2,
    SIX_TCPOPT_WS = 3,
    SIX_TCPOPT_SACK_OK = 4,
    SIX_TCPOPT_SACK = 5,
    SIX_TCPOPT_TS = 8,
};

/* RFC 7323 2.3: a shift above 14 is taken as 14. */
#define SIX_TCP_MAX_WSCALE 14
/* SACK blocks a header can carry (4 without timestamps, 3 with). */
#define SIX_TCP_MAX_SACK 4

struct six_tcp_sack {
    uint32_t left, right;
};

/* The options of one segment; has_* say which were present (and well
 * formed: an option of the wrong length is ignored). */
struct six_tcp_opts {
    uint8_t has_mss, has_ws, sack_ok, has_ts;
    uint8_t wscale;         /* clamped to SIX_TCP_MAX_WSCALE */
    uint8_t nsack;          /* SACK blocks */
    uint16_t mss;
    uint32_t tsval, tsecr;
    struct six_tcp_sack sack[SIX_TCP_MAX_SACK];
};

struct six_tcp_repr {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;          /* SIX_TCP_* */
    uint8_t hdr_len;        /* bytes, options included (parse only) */
    uint16_t win;           /* as on the wire (unscaled) */
    uint16_t cksum;
    uint16_t urg;
    struct six_tcp_opts opt;
};

/* Parses the header of a segment of avail bytes. Returns 0, -EMSGSIZE
 * when avail is below 20 or below the data offset, -EINVAL for a data
 * offset below 5 words. Options: a malformed one (length below 2 or past
 * the header) ends the walk, the ones before it stand (as Linux). */
int six_tcp_parse(const uint8_t *buf, size_t avail, struct six_tcp_repr *out);

/* Bytes of header (with options, padded to words) six_tcp_emit writes. */
size_t six_tcp_hdr_len(const struct six_tcp_repr *r);

/* Writes the header and its options (MSS, window scale, SACK-permitted,
 * timestamps and SACK blocks as r->opt says; at most as many SACK blocks
 * as fit in 40 bytes of options), every byte, checksum as r->cksum.
 * Returns the bytes written (six_tcp_hdr_len(r)). out must have room for
 * SIX_TCP_MAX_HDR_LEN. */
size_t six_tcp_emit(const struct six_tcp_repr *r, uint8_t out[static SIX_TCP_MAX_HDR_LEN]);

#endif
