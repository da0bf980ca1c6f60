/* sixstack IPsec: the Security Association Database (SAD) and the Security
 * Policy Database (SPD) of RFC 4301, configured through this C API or from
 * a setkey(8)-syntax file (six_setkey_load).
 *
 * A stack built with SIX_IPSEC=OFF has none of it: every call here fails
 * with EOPNOTSUPP, and the socket options IPV6_AUTH_LEVEL & co. refuse any
 * level but the default.
 *
 * Errors as everywhere in sixstack: -1 with errno set.
 */
#ifndef SIXSTACK_IPSEC_H
#define SIXSTACK_IPSEC_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct six_stack;

/* Security protocols, by their Next Header values. */
#define SIX_IPSEC_PROTO_ESP 50
#define SIX_IPSEC_PROTO_AH 51
#define SIX_IPSEC_PROTO_IPCOMP 108

enum six_ipsec_mode {
    SIX_IPSEC_MODE_TRANSPORT = 0,
    SIX_IPSEC_MODE_TUNNEL = 1,
};

/* Encryption (ESP), with setkey's names. The AEADs take the key followed
 * by a 4-byte salt (RFC 4106 8.1, RFC 7634 2): 20, 28 or 36 bytes for
 * aes-gcm-16, 36 for chacha20-poly1305. aes-cbc takes 16, 24 or 32. */
enum six_ipsec_enc {
    SIX_ENC_NONE = 0,          /* AH, IPComp */
    SIX_ENC_NULL,              /* RFC 2410 "null" */
    SIX_ENC_AES_GCM_16,        /* RFC 4106 "aes-gcm-16": 16-byte ICV */
    SIX_ENC_CHACHA20_POLY1305, /* RFC 7634 "chacha20-poly1305" */
    SIX_ENC_AES_CBC,           /* RFC 3602 "aes-cbc" (with an auth algorithm) */
};

/* Integrity (ESP with null or aes-cbc, AH), with setkey's names. */
enum six_ipsec_auth {
    SIX_AUTH_NONE = 0,
    SIX_AUTH_HMAC_SHA256_128,  /* RFC 4868 "hmac-sha256": 32-byte key, 16-byte ICV */
};

/* Compression (IPComp). */
enum six_ipsec_comp {
    SIX_COMP_NONE = 0,
    SIX_COMP_DEFLATE,          /* RFC 2394 "deflate" */
};

/* Lifetime limits of an SA, 0 for none: bytes protected or checked, and
 * seconds of the stack clock since the SA was added. At a soft limit the
 * SA is counted (ipsec_sa_soft_expired) and goes on; at a hard limit it
 * is deleted (ipsec_sa_hard_expired). */
struct six_sa_lifetime {
    uint64_t bytes;
    uint64_t seconds;
};

#define SIX_SA_KEY_MAX 64
#define SIX_SA_REPLAY_MAX 1024

/* One Security Association: one direction of traffic from src to dst. */
struct six_sa {
    struct in6_addr src, dst;
    uint8_t proto;             /* SIX_IPSEC_PROTO_* */
    uint32_t spi;              /* host order; >= 256 (RFC 4303 2.1); IPComp: the CPI, < 65536 */
    enum six_ipsec_mode mode;
    enum six_ipsec_enc enc;
    uint8_t enc_key[SIX_SA_KEY_MAX];
    unsigned enc_key_len;
    enum six_ipsec_auth auth;
    uint8_t auth_key[SIX_SA_KEY_MAX];
    unsigned auth_key_len;
    enum six_ipsec_comp comp;
    /* Anti-replay window in packets (RFC 4303 3.4.3), 0 to turn it off,
     * at most SIX_SA_REPLAY_MAX. */
    unsigned replay_window;
    int esn;                   /* 64-bit extended sequence numbers (RFC 4303 2.2.1) */
    struct six_sa_lifetime soft, hard;
    /* The policy request this SA is bound to (setkey -u; a request at
     * level unique:N takes only SAs whose reqid is N), 0 for none. */
    uint32_t reqid;
};

/* Adds an SA. EEXIST: one with the same (dst, proto, spi); EINVAL: a field
 * out of range (key length, algorithm for the protocol, SPI); ENOBUFS:
 * table full (4096). */
int six_sa_add(struct six_stack *st, const struct six_sa *sa);
/* Deletes the SA (src, dst, proto, spi). ESRCH: none. */
int six_sa_del(struct six_stack *st, const struct in6_addr *src, const struct in6_addr *dst,
               uint8_t proto, uint32_t spi);
/* Deletes every SA. */
int six_sa_flush(struct six_stack *st);

/* What an SA has done, for tests and tools. */
struct six_sa_stats {
    uint64_t seq_out;          /* last sequence number sent */
    uint64_t seq_in_top;       /* highest sequence number accepted */
    uint64_t packets, bytes;
};
int six_sa_get_stats(struct six_stack *st, const struct in6_addr *dst, uint8_t proto,
                     uint32_t spi, struct six_sa_stats *out);

enum six_sp_dir { SIX_SP_IN = 0, SIX_SP_OUT = 1 };

enum six_sp_action {
    SIX_SP_BYPASS = 0,         /* setkey "none": in the clear */
    SIX_SP_DISCARD,            /* setkey "discard" */
    SIX_SP_PROTECT,            /* setkey "ipsec": the requests below */
};

/* The levels of a request, as setkey names them (and the socket options'
 * SIX_IPSEC_LEVEL_* values). */
enum six_sp_level {
    SIX_SP_LEVEL_DEFAULT = 0,  /* policies: as require */
    SIX_SP_LEVEL_USE = 1,      /* protect when an SA exists, else clear */
    SIX_SP_LEVEL_REQUIRE = 2,  /* protect, or do not send (EAGAIN) */
    SIX_SP_LEVEL_UNIQUE = 3,   /* as require, bound to the SAs of its reqid */
};

/* One protection a policy asks for (setkey's proto/mode/src-dst/level). */
struct six_sp_req {
    uint8_t proto;             /* SIX_IPSEC_PROTO_* */
    enum six_ipsec_mode mode;
    struct in6_addr tsrc, tdst;/* tunnel endpoints (tunnel mode only) */
    enum six_sp_level level;
    /* Level unique: the SAs it may use are those of this reqid (setkey
     * unique:N, KAME's and Linux's meaning); 0 for any SA. Only unique
     * takes one. */
    uint32_t reqid;
};

#define SIX_SP_REQ_MAX 3
#define SIX_SP_ANY 255         /* ul_proto: any upper-layer protocol */

/* One Security Policy: a selector, a direction and an action. Policies
 * are searched in the order they were added; the first match decides. */
struct six_sp {
    struct in6_addr src, dst;
    unsigned src_plen, dst_plen;
    uint8_t ul_proto;          /* IPPROTO_*, or SIX_SP_ANY */
    uint16_t sport, dport;     /* host order, 0: any (UDP, TCP) */
    int icmp6_type;            /* ICMPv6 type, -1: any */
    int icmp6_code;            /* ICMPv6 code, -1: any (needs a type) */
    enum six_sp_dir dir;
    enum six_sp_action action;
    unsigned nreq;
    struct six_sp_req req[SIX_SP_REQ_MAX]; /* applied innermost first */
};

/* A policy that matches everything both ways' selectors allow: ::/0 to
 * ::/0, any protocol, any port, any type; bypass. */
void six_sp_init(struct six_sp *sp);
/* Adds a policy at the end. EEXIST: one with the same selector and
 * direction; EINVAL: a field out of range; ENOBUFS: table full (1024). */
int six_sp_add(struct six_stack *st, const struct six_sp *sp);
/* Deletes the policy with sp's selector and direction. ESRCH: none. */
int six_sp_del(struct six_stack *st, const struct six_sp *sp);
/* Deletes every policy. */
int six_sp_flush(struct six_stack *st);

/* Applies the text of a setkey(8)-syntax file (see sixstack-host(1)) to
 * st: all of it, or nothing when a line is wrong (EINVAL; err, when not
 * NULL, gets "line N: what is wrong" in errlen bytes). The stack reads no
 * files itself: the caller reads it (sixstack-host -k does). */
int six_setkey_apply(struct six_stack *st, const char *text, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
