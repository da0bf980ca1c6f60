/* IPsec (RFC 4301): the Security Association Database (sad.c), the
 * Security Policy Database (spd.c), the transforms (esp.c; each a set of
 * functions over one packet and one SA), the anti-replay window
 * (replay.c), and the processing that ties them to ip6 (ipsec.c: the
 * output hook of RFC 4301 5.1, the input hooks of 5.2). The crypto
 * library sits behind crypto.h's table.
 *
 * RFCs to read before editing: RFC 4301 (4.4 databases, 5.1 output, 5.2
 * input), RFC 4303 (ESP), RFC 4106, RFC 7634, RFC 4868, RFC 2410.
 *
 * ip6 sits below this layer: it calls in through the pointers stack.c
 * installs (six_ip6.ipsec_*), never by name.
 */
#ifndef SIX_IPSEC_IPSEC_H
#define SIX_IPSEC_IPSEC_H

#include <stdint.h>

#include <sixstack/ipsec.h>

#include "core/core.h"
#include "ip6/ip6.h"
#include "ipsec/crypto.h"

#define SIX_SAD_MAX 4096
#define SIX_SPD_MAX 1024
/* A build without IPsec (SIX_IPSEC=OFF) on a small board sets it lower:
 * the table is part of every stack's struct even when nothing uses it. */
#ifndef SIX_SAD_BUCKETS
#define SIX_SAD_BUCKETS 256
#endif
#define SIX_REPLAY_WORDS (SIX_SA_REPLAY_MAX / 64)
/* An IPComp SA's buffer: the largest payload an IPv6 packet holds. */
#define SIX_IPCOMP_SCRATCH 65536u

/* The anti-replay state of an inbound SA (RFC 4303 3.4.3, appendix A):
 * top is the highest sequence number accepted, bit i of the bitmap says
 * whether top - i was. */
struct six_replay {
    uint64_t top;
    uint64_t bits[SIX_REPLAY_WORDS];
    unsigned window;   /* 0: off */
    int esn;
};

/* Inferred 64-bit sequence number of a received low half (RFC 4303 A2.2);
 * without ESN, the low half itself. */
uint64_t six__replay_infer(const struct six_replay *r, uint32_t seq_lo);
/* 0 when seq may be accepted, -1 when it is a replay or too old (or 0). */
int six__replay_check(const struct six_replay *r, uint64_t seq);
/* Records seq as received (after its ICV was verified). */
void six__replay_update(struct six_replay *r, uint64_t seq);

/* One SA as kept: the API's description plus its running state. */
struct six__sa {
    struct six__sa *next;          /* hash chain */
    struct six__sa *next_all;      /* every SA, newest first */
    struct six_sa cfg;
    struct six_crypto_sa *crypto;
    struct six_comp *comp;         /* IPComp: the streams */
    uint8_t *scratch;              /* IPComp: SIX_IPCOMP_SCRATCH bytes */
    uint64_t seq_out;              /* last sequence number sent */
    struct six_replay replay;
    uint64_t added;                /* stack clock */
    uint64_t packets, bytes;
    int soft_done;                 /* the soft limit was counted */
    /* Sizes of the transform, from the algorithms. */
    uint8_t iv_len, block, icv_len;
};

struct six_ipsec {
    struct six_core *core;
    struct six_ip6 *ip6;
    const struct six_crypto_ops *crypto;
    const struct six_comp_ops *comp;
    struct six__sa *sad[SIX_SAD_BUCKETS];
    struct six__sa *all;            /* newest first: output lookups */
    unsigned nsa;
    struct six_sp *spd[2];          /* by direction, in order added */
    unsigned nsp[2], spd_cap[2];
    /* Lifetimes in seconds: armed for the earliest soft or hard limit
     * of any SA (sad.c). */
    struct six_timer life_timer;
};

/* Created with the stack and hooked into ip6 (stack.c); NULL when memory
 * is short. */
struct six_ipsec *six__ipsec_new(struct six_core *core, struct six_ip6 *ip6);
void six__ipsec_free(struct six_ipsec *ips);

/* The C API's work (the public wrappers lock and convert errors). */
int six__ipsec_sa_add(struct six_ipsec *ips, const struct six_sa *sa);
int six__ipsec_sa_del(struct six_ipsec *ips, const struct in6_addr *src,
                      const struct in6_addr *dst, uint8_t proto, uint32_t spi);
int six__ipsec_sa_flush(struct six_ipsec *ips);
int six__ipsec_sa_stats(struct six_ipsec *ips, const struct in6_addr *dst, uint8_t proto,
                        uint32_t spi, struct six_sa_stats *out);
int six__ipsec_sp_add(struct six_ipsec *ips, const struct six_sp *sp);
int six__ipsec_sp_del(struct six_ipsec *ips, const struct six_sp *sp);
int six__ipsec_sp_flush(struct six_ipsec *ips);
/* Checks an SA description; 0 or -EINVAL. */
int six__ipsec_sa_valid(const struct six_sa *sa);
int six__ipsec_sp_valid(const struct six_sp *sp);

/* Applies setkey(8)-syntax text (setkey.c): all of it or, when a
 * statement is wrong, nothing (-EINVAL, err says "line N: why"). */
int six__setkey_apply(struct six_ipsec *ips, const char *text, char *err, size_t errlen);

/* Whether this build has IPsec (the socket options ask). */
int six__ipsec_built(void);

/* ---- SAD (sad.c) ---- */
/* The SA for (dst, proto, spi), or NULL; one whose hard lifetime ended
 * is deleted (and counted) instead. */
struct six__sa *six__sad_find(struct six_ipsec *ips, const struct in6_addr *dst,
                              uint8_t proto, uint32_t spi);
/* The newest live SA from src to dst of proto and mode (of reqid when
 * not 0), or NULL. */
struct six__sa *six__sad_find_out(struct six_ipsec *ips, const struct in6_addr *src,
                                  const struct in6_addr *dst, uint8_t proto,
                                  enum six_ipsec_mode mode, uint32_t reqid);
/* The SA a received packet (data at its IPv6 header) names with spi:
 * (its destination, proto, spi), and from its source when the SA has one.
 * NULL when none (counted ipsec_in_no_sa). */
struct six__sa *six__sad_find_in(struct six_ipsec *ips, const struct six_pkt *pkt,
                                 uint8_t proto, uint32_t spi);
/* The 64-bit sequence number of a received low half, checked against
 * sa's window: 0 with *seq, or -1 (counted ipsec_in_replay). */
int six__sad_seq_in(struct six_ipsec *ips, const struct six__sa *sa, uint32_t lo, uint64_t *seq);
/* The life_timer's function: counts the soft limits reached, deletes the
 * SAs whose hard limit is (counted), re-arms for the next. */
void six__sad_life_timer(struct six_timer *tm, void *arg);
/* Charges len bytes to sa's lifetime: 0, or -ETIMEDOUT when its hard
 * limit is reached (the SA is deleted: sa is gone). */
int six__sad_charge(struct six_ipsec *ips, struct six__sa *sa, size_t len);

/* ---- SPD (spd.c) ---- */
/* The selector fields of one packet. */
struct six__sel {
    const struct in6_addr *src, *dst;
    uint8_t proto;
    uint16_t sport, dport;   /* 0 when the protocol has none */
    int icmp6_type;          /* -1 unless ICMPv6 */
    int icmp6_code;
};
/* The first policy of direction dir whose selector matches, or NULL. */
const struct six_sp *six__spd_lookup(const struct six_ipsec *ips, enum six_sp_dir dir,
                                     const struct six__sel *sel);
/* Reads the selector fields of the upper-layer header proto at
 * buf[0..len) (ports, ICMPv6 type) into sel. */
void six__sel_ports(struct six__sel *sel, uint8_t proto, const uint8_t *buf, size_t len);

/* ---- ESP (esp.c) ---- */
/* Bytes ESP adds in front of and after a payload of len bytes. */
size_t six__esp_head_len(const struct six__sa *sa);
size_t six__esp_tail_len(const struct six__sa *sa, size_t len);
/* Protects pkt (a whole IPv6 packet with head and tail room for ESP):
 * the bytes from off on become ESP's payload, nxt_off is the Next Header
 * byte that named them. Returns 0, or -EOVERFLOW (sequence numbers used
 * up) / -EIO. */
int six__esp_output(struct six_ipsec *ips, struct six__sa *sa, struct six_pkt *pkt,
                    size_t off, size_t nxt_off);
/* Checks and opens the ESP header at off of pkt (a whole IPv6 packet);
 * on success the packet holds the payload where the ESP header was and
 * *nxt its protocol. Returns 0 or -1 (dropped reason counted; the caller
 * frees). *sa_out: the SA used. */
int six__esp_input(struct six_ipsec *ips, struct six_pkt *pkt, size_t off, size_t nxt_off,
                   uint8_t *nxt, struct six__sa **sa_out);

/* ---- AH (ah.c) ---- */
/* Bytes AH adds (the same for every SA here: HMAC-SHA-256-128). */
size_t six__ah_len(void);
/* As six__esp_output and six__esp_input, for AH. */
int six__ah_output(struct six_ipsec *ips, struct six__sa *sa, struct six_pkt *pkt, size_t off,
                   size_t nxt_off);
int six__ah_input(struct six_ipsec *ips, struct six_pkt *pkt, size_t off, size_t nxt_off,
                  uint8_t *nxt, struct six__sa **sa_out);

/* ---- IPComp (ipcomp.c) ---- */
/* Compresses what follows off when it is worth it (else leaves pkt as it
 * is, counted): 0 either way. */
int six__ipcomp_output(struct six_ipsec *ips, struct six__sa *sa, struct six_pkt *pkt,
                       size_t off, size_t nxt_off);
/* Inflates the IPComp payload at off; *pp may be replaced by a larger
 * buffer. 0, or -1 (dropped, counted; the caller frees *pp). */
int six__ipcomp_input(struct six_ipsec *ips, struct six_pkt **pp, size_t off, size_t nxt_off,
                      uint8_t *nxt, struct six__sa **sa_out);

/* ---- packet surgery shared by the transforms (ipsec.c) ---- */
/* Opens a gap of n bytes at off by moving the bytes before it n bytes to
 * the front (into headroom); grows the Payload Length. */
void six__ipsec_open_gap(struct six_pkt *pkt, size_t off, size_t n);
/* Removes n bytes at off by moving the bytes before it n bytes to the
 * back; shrinks the Payload Length. */
void six__ipsec_close_gap(struct six_pkt *pkt, size_t off, size_t n);
/* Adds len to the Payload Length field (negative: removes). */
void six__ipsec_adjust_plen(struct six_pkt *pkt, long delta);

#endif
