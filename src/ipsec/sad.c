/* The Security Association Database (RFC 4301 4.4.2): SAs hashed by SPI
 * and protocol, looked up on input by (destination, protocol, SPI) and on
 * output by (source, destination, protocol, mode). Lifetimes (RFC 4301
 * 4.4.2.1) run on the stack clock: one timer for the layer fires at the
 * earliest limit in seconds of any SA (an idle SA expires on time), and
 * every use checks them too (no packet goes out on an SA a moment past
 * its end because the timer has not run yet).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/ipsec.h"
#include "wire/ipv6.h"

static unsigned bucket(uint8_t proto, uint32_t spi) {
    uint32_t h = spi * 2654435761u ^ proto;
    return (h >> 16 ^ h) % SIX_SAD_BUCKETS;
}

static int is_aead(enum six_ipsec_enc e) {
    return e == SIX_ENC_AES_GCM_16 || e == SIX_ENC_CHACHA20_POLY1305;
}

static int key_len_ok(const struct six_sa *sa) {
    unsigned k = sa->enc_key_len;

    switch (sa->enc) {
    case SIX_ENC_NONE:
    case SIX_ENC_NULL:
        return k == 0;
    case SIX_ENC_AES_GCM_16:
        return k == 20 || k == 28 || k == 36;
    case SIX_ENC_CHACHA20_POLY1305:
        return k == 36;
    case SIX_ENC_AES_CBC:
        return k == 16 || k == 24 || k == 32;
    }
    return 0;
}

int six__ipsec_sa_valid(const struct six_sa *sa) {
    if (sa->enc_key_len > SIX_SA_KEY_MAX || sa->auth_key_len > SIX_SA_KEY_MAX ||
        sa->replay_window > SIX_SA_REPLAY_MAX || !key_len_ok(sa) ||
        (sa->mode != SIX_IPSEC_MODE_TRANSPORT && sa->mode != SIX_IPSEC_MODE_TUNNEL))
        return -EINVAL;
    if (sa->auth != SIX_AUTH_NONE &&
        (sa->auth != SIX_AUTH_HMAC_SHA256_128 || sa->auth_key_len != 32))
        return -EINVAL;
    if (sa->auth == SIX_AUTH_NONE && sa->auth_key_len)
        return -EINVAL;
    switch (sa->proto) {
    case SIX_IPSEC_PROTO_ESP:
        /* RFC 4303 2.1: SPIs 1-255 are reserved, 0 is never sent. RFC
         * 4303 3.2: an AEAD brings its own integrity; CBC needs one. */
        if (sa->spi < 256 || sa->enc == SIX_ENC_NONE || sa->comp != SIX_COMP_NONE ||
            (is_aead(sa->enc) && sa->auth != SIX_AUTH_NONE) ||
            (sa->enc == SIX_ENC_AES_CBC && sa->auth == SIX_AUTH_NONE))
            return -EINVAL;
        return 0;
    case SIX_IPSEC_PROTO_IPCOMP:
        /* RFC 3173 3.3: CPIs are 16 bits; 0-255 are well-known or
         * reserved. No keys, no sequence numbers. */
        if (sa->spi < 256 || sa->spi > 0xffff || sa->enc != SIX_ENC_NONE ||
            sa->auth != SIX_AUTH_NONE || sa->comp != SIX_COMP_DEFLATE || sa->esn ||
            sa->replay_window)
            return -EINVAL;
        return 0;
    case SIX_IPSEC_PROTO_AH:
        /* RFC 4302: integrity only, HMAC-SHA-256-128 here. */
        if (sa->spi < 256 || sa->enc != SIX_ENC_NONE || sa->comp != SIX_COMP_NONE ||
            sa->auth != SIX_AUTH_HMAC_SHA256_128)
            return -EINVAL;
        return 0;
    default:
        return -EINVAL;
    }
}

static void set_sizes(struct six__sa *s) {
    switch (s->cfg.enc) {
    case SIX_ENC_AES_GCM_16:
    case SIX_ENC_CHACHA20_POLY1305:
        s->iv_len = 8;
        s->block = 4;
        s->icv_len = 16;
        return;
    case SIX_ENC_AES_CBC:
        s->iv_len = 16;
        s->block = 16;
        break;
    default:
        s->iv_len = 0;
        s->block = 4;   /* RFC 4303 2.4: 4-byte alignment */
        break;
    }
    s->icv_len = s->cfg.auth == SIX_AUTH_HMAC_SHA256_128 ? 16 : 0;
}

/* added + seconds on the stack clock (SIX_NEVER for 0, or past it). */
static uint64_t limit_at(uint64_t added, uint64_t seconds) {
    if (!seconds || seconds > (SIX_NEVER - added) / 1000000u)
        return SIX_NEVER;
    return added + seconds * 1000000u;
}

/* When s's lifetime next needs a look: its soft limit until counted,
 * its hard one. */
static uint64_t life_deadline(const struct six__sa *s) {
    uint64_t soft = s->soft_done ? SIX_NEVER : limit_at(s->added, s->cfg.soft.seconds);
    uint64_t hard = limit_at(s->added, s->cfg.hard.seconds);
    return soft < hard ? soft : hard;
}

static void life_arm(struct six_ipsec *ips, uint64_t when) {
    if (when != SIX_NEVER &&
        (!six__timer_armed(&ips->life_timer) || when < ips->life_timer.when))
        six__timer_arm(ips->core, &ips->life_timer, when);
}

int six__ipsec_sa_add(struct six_ipsec *ips, const struct six_sa *sa) {
    struct six__sa *s;
    int rc;

    if ((rc = six__ipsec_sa_valid(sa)) < 0)
        return rc;
    if (six__sad_find(ips, &sa->dst, sa->proto, sa->spi))
        return -EEXIST;
    if (ips->nsa >= SIX_SAD_MAX)
        return -ENOBUFS;
    if (!(s = calloc(1, sizeof(*s))))
        return -ENOBUFS;
    s->cfg = *sa;
    set_sizes(s);
    if (sa->enc != SIX_ENC_NONE || sa->auth != SIX_AUTH_NONE) {
        s->crypto = ips->crypto->sa_new(sa->enc, sa->enc_key, sa->enc_key_len, sa->auth,
                                        sa->auth_key, sa->auth_key_len);
        if (!s->crypto) {
            free(s);
            return -EINVAL;
        }
    }
    if (sa->comp != SIX_COMP_NONE &&
        (!(s->comp = ips->comp->comp_new()) || !(s->scratch = malloc(SIX_IPCOMP_SCRATCH)))) {
        if (s->comp)
            ips->comp->comp_free(s->comp);
        free(s);
        return -ENOBUFS;
    }
    s->replay.window = sa->replay_window;
    s->replay.esn = sa->esn;
    s->added = six__now(ips->core);
    unsigned b = bucket(sa->proto, sa->spi);
    s->next = ips->sad[b];
    ips->sad[b] = s;
    s->next_all = ips->all;
    ips->all = s;
    ips->nsa++;
    life_arm(ips, life_deadline(s));
    return 0;
}

static void sa_destroy(struct six_ipsec *ips, struct six__sa *s) {
    if (s->crypto)
        ips->crypto->sa_free(s->crypto);
    if (s->comp)
        ips->comp->comp_free(s->comp);
    free(s->scratch);
    memset(s, 0, sizeof(*s));   /* keys */
    free(s);
}

/* Unlinks and frees s. */
static void sa_remove(struct six_ipsec *ips, struct six__sa *s) {
    struct six__sa **pp = &ips->sad[bucket(s->cfg.proto, s->cfg.spi)];

    while (*pp != s)
        pp = &(*pp)->next;
    *pp = s->next;
    for (pp = &ips->all; *pp != s; pp = &(*pp)->next_all)
        ;
    *pp = s->next_all;
    ips->nsa--;
    sa_destroy(ips, s);
}

int six__ipsec_sa_del(struct six_ipsec *ips, const struct in6_addr *src,
                      const struct in6_addr *dst, uint8_t proto, uint32_t spi) {
    struct six__sa *s = six__sad_find(ips, dst, proto, spi);

    if (!s || !IN6_ARE_ADDR_EQUAL(&s->cfg.src, src))
        return -ESRCH;
    sa_remove(ips, s);
    return 0;
}

int six__ipsec_sa_flush(struct six_ipsec *ips) {
    while (ips->all)
        sa_remove(ips, ips->all);
    return 0;
}

int six__ipsec_sa_stats(struct six_ipsec *ips, const struct in6_addr *dst, uint8_t proto,
                        uint32_t spi, struct six_sa_stats *out) {
    struct six__sa *s = six__sad_find(ips, dst, proto, spi);

    if (!s)
        return -ESRCH;
    *out = (struct six_sa_stats){.seq_out = s->seq_out, .seq_in_top = s->replay.top,
                                 .packets = s->packets, .bytes = s->bytes};
    return 0;
}

/* Whether s's hard lifetime in seconds has ended (counted, then the
 * caller deletes it). */
static int time_over(struct six_ipsec *ips, const struct six__sa *s) {
    /* The clock is read only for SAs that have a limit in time: it is
     * not free on the per-packet path. */
    return s->cfg.hard.seconds && six__now(ips->core) >= limit_at(s->added, s->cfg.hard.seconds);
}

/* One log line about s (the stack's log: the notice a key manager would
 * get from KAME or Linux, for whoever rekeys). */
static void sa_log(struct six_ipsec *ips, const struct six__sa *s, const char *what) {
    const char *proto = s->cfg.proto == SIX_IPSEC_PROTO_ESP  ? "esp"
                        : s->cfg.proto == SIX_IPSEC_PROTO_AH ? "ah"
                                                             : "ipcomp";
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

    inet_ntop(AF_INET6, &s->cfg.src, src, sizeof(src));
    inet_ntop(AF_INET6, &s->cfg.dst, dst, sizeof(dst));
    six__log(ips->core, "ipsec: SA %s %s %s 0x%lx: %s", src, dst, proto,
             (unsigned long)s->cfg.spi, what);
}

/* s's hard limit is reached: counted, logged, deleted. */
static void expire_hard(struct six_ipsec *ips, struct six__sa *s) {
    SIX_STAT(ips->core, ipsec_sa_hard_expired);
    sa_log(ips, s, "hard lifetime reached, deleted");
    sa_remove(ips, s);
}

static void soft_check(struct six_ipsec *ips, struct six__sa *s) {
    if (s->soft_done)
        return;
    if ((s->cfg.soft.seconds && six__now(ips->core) >= limit_at(s->added, s->cfg.soft.seconds)) ||
        (s->cfg.soft.bytes && s->bytes >= s->cfg.soft.bytes)) {
        s->soft_done = 1;
        SIX_STAT(ips->core, ipsec_sa_soft_expired);
        sa_log(ips, s, "soft lifetime reached");
    }
}

void six__sad_life_timer(struct six_timer *tm, void *arg) {
    struct six_ipsec *ips = arg;
    struct six__sa *s, *next_sa;
    uint64_t next = SIX_NEVER;

    (void)tm;
    for (s = ips->all; s; s = next_sa) {
        next_sa = s->next_all;
        if (time_over(ips, s)) {
            expire_hard(ips, s);
            continue;
        }
        soft_check(ips, s);
        uint64_t d = life_deadline(s);
        if (d < next)
            next = d;
    }
    life_arm(ips, next);
}

struct six__sa *six__sad_find(struct six_ipsec *ips, const struct in6_addr *dst,
                              uint8_t proto, uint32_t spi) {
    for (struct six__sa *s = ips->sad[bucket(proto, spi)]; s; s = s->next) {
        if (s->cfg.spi != spi || s->cfg.proto != proto || !IN6_ARE_ADDR_EQUAL(&s->cfg.dst, dst))
            continue;
        if (time_over(ips, s)) {
            expire_hard(ips, s);
            return NULL;
        }
        soft_check(ips, s);
        return s;
    }
    return NULL;
}

struct six__sa *six__sad_find_out(struct six_ipsec *ips, const struct in6_addr *src,
                                  const struct in6_addr *dst, uint8_t proto,
                                  enum six_ipsec_mode mode, uint32_t reqid) {
    /* Output SAs are few and found by addresses: a walk of the list,
     * newest first (what a key daemon added last wins). */
    struct six__sa *s = ips->all, *next;

    for (; s; s = next) {
        next = s->next_all;
        if (s->cfg.proto != proto || s->cfg.mode != mode || (reqid && s->cfg.reqid != reqid) ||
            !IN6_ARE_ADDR_EQUAL(&s->cfg.dst, dst) || !IN6_ARE_ADDR_EQUAL(&s->cfg.src, src))
            continue;
        if (time_over(ips, s)) {
            expire_hard(ips, s);
            continue;
        }
        soft_check(ips, s);
        return s;
    }
    return NULL;
}

struct six__sa *six__sad_find_in(struct six_ipsec *ips, const struct six_pkt *pkt,
                                 uint8_t proto, uint32_t spi) {
    struct in6_addr src, dst;
    struct six__sa *sa;

    memcpy(&src, pkt->data + SIX_IP6_OFF_SRC, sizeof(src));
    memcpy(&dst, pkt->data + SIX_IP6_OFF_DST, sizeof(dst));
    sa = six__sad_find(ips, &dst, proto, spi);
    if (!sa || (!IN6_IS_ADDR_UNSPECIFIED(&sa->cfg.src) && !IN6_ARE_ADDR_EQUAL(&sa->cfg.src, &src))) {
        SIX_STAT(ips->core, ipsec_in_no_sa);
        return NULL;
    }
    return sa;
}

int six__sad_seq_in(struct six_ipsec *ips, const struct six__sa *sa, uint32_t lo, uint64_t *seq) {
    *seq = six__replay_infer(&sa->replay, lo);
    if (six__replay_check(&sa->replay, *seq) < 0) {
        SIX_STAT(ips->core, ipsec_in_replay);
        return -1;
    }
    return 0;
}

int six__sad_charge(struct six_ipsec *ips, struct six__sa *s, size_t len) {
    s->packets++;
    s->bytes += len;
    if (s->cfg.hard.bytes && s->bytes > s->cfg.hard.bytes) {
        expire_hard(ips, s);
        return -ETIMEDOUT;
    }
    soft_check(ips, s);
    return 0;
}
