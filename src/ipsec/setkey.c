/* A reader for the setkey(8) syntax KAME's tools use to configure the
 * SAD and SPD (the subset sixstack-host(1) documents):
 *
 *   add SRC DST esp|ah|ipcomp SPI [-m transport|tunnel] [-r BYTES] [-esn]
 *       [-E ALG KEY] [-A ALG KEY] [-C deflate] [-lh S] [-ls S] [-bh B] [-bs B];
 *   delete SRC DST esp|ah|ipcomp SPI;
 *   flush;  spdflush;
 *   spdadd SRC[/PLEN][[PORT]] DST[/PLEN][[PORT]] UPPER -P in|out
 *       discard|none|ipsec PROTO/MODE/[TSRC-TDST]/LEVEL ...;
 *   spddelete SRC[/PLEN][[PORT]] DST[/PLEN][[PORT]] UPPER -P in|out [...];
 *
 * Keys are 0x-prefixed hex or "quoted" text; # starts a comment. The
 * whole text is read and checked first, against a model of what the
 * tables will hold (so a delete of something missing or a duplicate add
 * is caught too); only then is any of it applied: a bad line changes
 * nothing.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/ipsec.h"
#include "wire/ext.h"

enum op_kind { OP_ADD, OP_DELETE, OP_FLUSH, OP_SPDADD, OP_SPDDELETE, OP_SPDFLUSH };

struct op {
    enum op_kind kind;
    unsigned line;
    struct six_sa sa;
    struct six_sp sp;
};

struct tok {
    char s[256];
    unsigned line;
};

struct reader {
    const char *p;
    unsigned line;
    char *err;
    size_t errlen;
    struct tok *t;      /* the statement's tokens */
    unsigned nt, cap, at;
    unsigned stmt_line;
};

static int fail(struct reader *r, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, unsigned line, const char *fmt, ...) {
    if (r->err && r->errlen) {
        va_list ap;
        int n = snprintf(r->err, r->errlen, "line %u: ", line);
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < r->errlen)
            vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* Reads the next statement's tokens (up to ';'). Returns 1 with a
 * statement, 0 at the end, or -EINVAL. */
static int next_statement(struct reader *r) {
    r->nt = r->at = 0;
    for (;;) {
        while (*r->p && isspace((unsigned char)*r->p))
            r->line += *r->p++ == '\n';
        if (*r->p == '#') {
            while (*r->p && *r->p != '\n')
                r->p++;
            continue;
        }
        if (!*r->p) {
            if (r->nt)
                return fail(r, r->stmt_line, "statement without its ';'");
            return 0;
        }
        if (r->nt == 0)
            r->stmt_line = r->line;
        if (*r->p == ';') {
            r->p++;
            if (r->nt == 0)
                continue;   /* an empty statement */
            return 1;
        }
        if (r->nt == r->cap) {
            unsigned cap = r->cap ? r->cap * 2 : 16;
            struct tok *t = cap <= 256 ? realloc(r->t, cap * sizeof(*t)) : NULL;
            if (!t)
                return fail(r, r->line, "statement too long");
            r->t = t;
            r->cap = cap;
        }
        struct tok *t = &r->t[r->nt++];
        size_t n = 0;
        t->line = r->line;
        if (*r->p == '"') {
            /* Quoted text, kept with its quote so keys can tell. */
            t->s[n++] = *r->p++;
            while (*r->p && *r->p != '"' && *r->p != '\n' && n < sizeof(t->s) - 1)
                t->s[n++] = *r->p++;
            if (*r->p != '"')
                return fail(r, t->line, "unterminated or too long quoted string");
            r->p++;
        } else {
            while (*r->p && !isspace((unsigned char)*r->p) && *r->p != ';' && *r->p != '#') {
                if (n >= sizeof(t->s) - 1)
                    return fail(r, t->line, "word too long");
                t->s[n++] = *r->p++;
            }
        }
        t->s[n] = 0;
    }
}

static const struct tok *peek(struct reader *r) { return r->at < r->nt ? &r->t[r->at] : NULL; }

static const struct tok *take(struct reader *r, const char *what) {
    if (r->at >= r->nt) {
        fail(r, r->stmt_line, "missing %s", what);
        return NULL;
    }
    return &r->t[r->at++];
}

static unsigned cur_line(struct reader *r) {
    return r->at < r->nt ? r->t[r->at].line : r->at ? r->t[r->at - 1].line : r->stmt_line;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out) {
    char *end;
    unsigned long long v;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_addr(struct reader *r, const struct tok *t, const char *s, struct in6_addr *a) {
    if (inet_pton(AF_INET6, s, a) != 1)
        return fail(r, t->line, "'%s' is not an IPv6 address", s);
    return 0;
}

/* A key: 0x hex or "text". */
static int parse_key(struct reader *r, const struct tok *t, uint8_t *out, unsigned *len) {
    const char *s = t->s;
    size_t n;

    if (s[0] == '"') {
        n = strlen(s + 1);
        if (n > SIX_SA_KEY_MAX)
            return fail(r, t->line, "key longer than %d bytes", SIX_SA_KEY_MAX);
        memcpy(out, s + 1, n);
        *len = (unsigned)n;
        return 0;
    }
    if (strncmp(s, "0x", 2) != 0 || (n = strlen(s + 2)) % 2 || n / 2 > SIX_SA_KEY_MAX)
        return fail(r, t->line, "key '%s' is neither 0x and an even number of hex digits "
                                "(at most %d bytes) nor \"text\"", s, SIX_SA_KEY_MAX);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (!isxdigit((unsigned char)s[2 + 2 * i]) || !isxdigit((unsigned char)s[3 + 2 * i]) ||
            sscanf(s + 2 + 2 * i, "%2x", &v) != 1)
            return fail(r, t->line, "key '%s' has a non-hex digit", s);
        out[i] = (uint8_t)v;
    }
    *len = (unsigned)(n / 2);
    return 0;
}

static int parse_proto(struct reader *r, const struct tok *t, uint8_t *proto) {
    if (!strcmp(t->s, "esp"))
        *proto = SIX_IPSEC_PROTO_ESP;
    else if (!strcmp(t->s, "ah"))
        *proto = SIX_IPSEC_PROTO_AH;
    else if (!strcmp(t->s, "ipcomp"))
        *proto = SIX_IPSEC_PROTO_IPCOMP;
    else
        return fail(r, t->line, "protocol '%s' is none of esp, ah, ipcomp", t->s);
    return 0;
}

/* SRC DST PROTO SPI, common to add and delete. */
static int sa_head(struct reader *r, struct six_sa *sa) {
    const struct tok *t;
    uint64_t spi;

    if (!(t = take(r, "source address")) || parse_addr(r, t, t->s, &sa->src) < 0 ||
        !(t = take(r, "destination address")) || parse_addr(r, t, t->s, &sa->dst) < 0 ||
        !(t = take(r, "protocol")) || parse_proto(r, t, &sa->proto) < 0 || !(t = take(r, "SPI")))
        return -EINVAL;
    if (parse_u64(t->s, UINT32_MAX, &spi) < 0)
        return fail(r, t->line, "SPI '%s' is not a 32-bit number", t->s);
    sa->spi = (uint32_t)spi;
    return 0;
}

static int enc_alg(const char *s, enum six_ipsec_enc *e) {
    static const struct {
        const char *name;
        enum six_ipsec_enc enc;
    } names[] = {{"aes-gcm-16", SIX_ENC_AES_GCM_16},
                 {"chacha20-poly1305", SIX_ENC_CHACHA20_POLY1305},
                 {"aes-cbc", SIX_ENC_AES_CBC},
                 {"rijndael-cbc", SIX_ENC_AES_CBC},
                 {"null", SIX_ENC_NULL}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(s, names[i].name)) {
            *e = names[i].enc;
            return 0;
        }
    return -1;
}

static int lifetime(struct reader *r, const struct tok *opt, uint64_t *out) {
    const struct tok *t = take(r, opt->s);
    if (!t)
        return -EINVAL;
    if (parse_u64(t->s, UINT64_MAX / 1000000, out) < 0)
        return fail(r, t->line, "%s wants a number, not '%s'", opt->s, t->s);
    return 0;
}

/* The options of add, up to the statement's end. */
static int sa_options(struct reader *r, struct six_sa *sa) {
    const struct tok *o, *t;
    uint64_t v;

    while ((o = take(r, "option")) != NULL) {
        if (!strcmp(o->s, "-m")) {
            if (!(t = take(r, "mode")))
                return -EINVAL;
            if (!strcmp(t->s, "transport") || !strcmp(t->s, "any"))
                sa->mode = SIX_IPSEC_MODE_TRANSPORT;
            else if (!strcmp(t->s, "tunnel"))
                sa->mode = SIX_IPSEC_MODE_TUNNEL;
            else
                return fail(r, t->line, "mode '%s' is neither transport nor tunnel", t->s);
        } else if (!strcmp(o->s, "-r")) {
            /* setkey counts the window in bytes: 8 packets each. */
            if (!(t = take(r, "window")) || parse_u64(t->s, SIX_SA_REPLAY_MAX / 8, &v) < 0)
                return fail(r, o->line, "-r wants a window of 0 to %d bytes",
                            SIX_SA_REPLAY_MAX / 8);
            sa->replay_window = (unsigned)v * 8;
        } else if (!strcmp(o->s, "-u")) {
            /* The reqid a policy's unique:N names. */
            if (!(t = take(r, "reqid")) || parse_u64(t->s, UINT32_MAX, &v) < 0 || !v)
                return fail(r, o->line, "-u wants a reqid from 1 to 4294967295");
            sa->reqid = (uint32_t)v;
        } else if (!strcmp(o->s, "-esn")) {
            sa->esn = 1;
        } else if (!strcmp(o->s, "-E")) {
            if (!(t = take(r, "encryption algorithm")))
                return -EINVAL;
            if (enc_alg(t->s, &sa->enc) < 0)
                return fail(r, t->line, "encryption algorithm '%s' is none of aes-gcm-16, "
                                        "chacha20-poly1305, aes-cbc, null", t->s);
            /* null takes no key (or an empty one). */
            const struct tok *k = peek(r);
            if (sa->enc != SIX_ENC_NULL || (k && (k->s[0] == '"' || !strncmp(k->s, "0x", 2)))) {
                if (!(k = take(r, "key")) || parse_key(r, k, sa->enc_key, &sa->enc_key_len) < 0)
                    return -EINVAL;
            }
        } else if (!strcmp(o->s, "-A")) {
            if (!(t = take(r, "authentication algorithm")))
                return -EINVAL;
            if (strcmp(t->s, "hmac-sha256") != 0)
                return fail(r, t->line, "authentication algorithm '%s' is not hmac-sha256", t->s);
            sa->auth = SIX_AUTH_HMAC_SHA256_128;
            if (!(t = take(r, "key")) || parse_key(r, t, sa->auth_key, &sa->auth_key_len) < 0)
                return -EINVAL;
        } else if (!strcmp(o->s, "-C")) {
            if (!(t = take(r, "compression algorithm")))
                return -EINVAL;
            if (strcmp(t->s, "deflate") != 0)
                return fail(r, t->line, "compression algorithm '%s' is not deflate", t->s);
            sa->comp = SIX_COMP_DEFLATE;
        } else if (!strcmp(o->s, "-lh")) {
            if (lifetime(r, o, &sa->hard.seconds) < 0)
                return -EINVAL;
        } else if (!strcmp(o->s, "-ls")) {
            if (lifetime(r, o, &sa->soft.seconds) < 0)
                return -EINVAL;
        } else if (!strcmp(o->s, "-bh")) {
            if (lifetime(r, o, &sa->hard.bytes) < 0)
                return -EINVAL;
        } else if (!strcmp(o->s, "-bs")) {
            if (lifetime(r, o, &sa->soft.bytes) < 0)
                return -EINVAL;
        } else {
            return fail(r, o->line, "unknown option '%s'", o->s);
        }
        if (!peek(r))
            return 0;
    }
    return -EINVAL;
}

/* ADDR[/PLEN][[PORT]] into an address, prefix length and port. */
static int sel_addr(struct reader *r, const struct tok *t, struct in6_addr *a, unsigned *plen,
                    uint16_t *port) {
    char s[sizeof(t->s)], *br, *slash;
    uint64_t v;

    snprintf(s, sizeof(s), "%s", t->s);
    *port = 0;
    *plen = 128;
    if ((br = strchr(s, '['))) {
        size_t n = strlen(br);
        if (br[n - 1] != ']')
            return fail(r, t->line, "'%s': a port goes in [brackets]", t->s);
        br[n - 1] = 0;
        if (strcmp(br + 1, "any") != 0) {
            if (parse_u64(br + 1, 65535, &v) < 0)
                return fail(r, t->line, "'%s': port is not 0-65535 or any", t->s);
            *port = (uint16_t)v;
        }
        *br = 0;
    }
    if ((slash = strchr(s, '/'))) {
        if (parse_u64(slash + 1, 128, &v) < 0)
            return fail(r, t->line, "'%s': prefix length is not 0-128", t->s);
        *plen = (unsigned)v;
        *slash = 0;
    }
    return parse_addr(r, t, s, a);
}

static int upper(struct reader *r, struct six_sp *sp) {
    const struct tok *t = take(r, "upper-layer protocol");
    uint64_t v;

    if (!t)
        return -EINVAL;
    if (!strcmp(t->s, "any"))
        sp->ul_proto = SIX_SP_ANY;
    else if (!strcmp(t->s, "udp"))
        sp->ul_proto = IPPROTO_UDP;
    else if (!strcmp(t->s, "tcp"))
        sp->ul_proto = IPPROTO_TCP;
    else if (!strcmp(t->s, "icmp6") || !strcmp(t->s, "ipv6-icmp"))
        sp->ul_proto = IPPROTO_ICMPV6;
    else if (parse_u64(t->s, 255, &v) == 0)
        sp->ul_proto = (uint8_t)v;
    else
        return fail(r, t->line, "upper-layer protocol '%s' is none of any, udp, tcp, icmp6, "
                                "or a number", t->s);
    /* icmp6 TYPE or TYPE,CODE: the type and code selectors. */
    const struct tok *n = peek(r);
    if (sp->ul_proto == IPPROTO_ICMPV6 && n && isdigit((unsigned char)n->s[0])) {
        char type[sizeof(n->s)], *comma;
        r->at++;
        snprintf(type, sizeof(type), "%s", n->s);
        if ((comma = strchr(type, ',')))
            *comma = 0;
        if (parse_u64(type, 255, &v) < 0)
            return fail(r, n->line, "ICMPv6 type '%s' is not 0-255", type);
        sp->icmp6_type = (int)v;
        if (comma && parse_u64(comma + 1, 255, &v) < 0)
            return fail(r, n->line, "ICMPv6 code '%s' is not 0-255", comma + 1);
        if (comma)
            sp->icmp6_code = (int)v;
    }
    if ((sp->sport || sp->dport) && sp->ul_proto != IPPROTO_UDP && sp->ul_proto != IPPROTO_TCP)
        return fail(r, t->line, "ports need udp or tcp");
    return 0;
}

static int level(const char *s, enum six_sp_level *l, uint32_t *reqid) {
    uint64_t v;

    *reqid = 0;
    if (!strcmp(s, "default"))
        *l = SIX_SP_LEVEL_DEFAULT;
    else if (!strcmp(s, "use"))
        *l = SIX_SP_LEVEL_USE;
    else if (!strcmp(s, "require"))
        *l = SIX_SP_LEVEL_REQUIRE;
    else if (!strcmp(s, "unique"))
        *l = SIX_SP_LEVEL_UNIQUE;
    else if (!strncmp(s, "unique:", 7) && parse_u64(s + 7, UINT32_MAX, &v) == 0 && v) {
        *l = SIX_SP_LEVEL_UNIQUE;
        *reqid = (uint32_t)v;
    }
    else
        return -1;
    return 0;
}

/* PROTO/MODE/[TSRC-TDST]/LEVEL */
static int request(struct reader *r, const struct tok *t, struct six_sp_req *q) {
    char s[sizeof(t->s)], *f[4];
    int n = 0;

    snprintf(s, sizeof(s), "%s", t->s);
    /* strtok would merge the empty endpoints field: split by hand. */
    f[n++] = s;
    for (char *c = s; *c && n < 4; c++)
        if (*c == '/') {
            *c = 0;
            f[n++] = c + 1;
        }
    if (n != 4 || strchr(f[3], '/'))
        return fail(r, t->line, "'%s' is not PROTO/MODE/SRC-DST/LEVEL", t->s);
    if (!strcmp(f[0], "esp"))
        q->proto = SIX_IPSEC_PROTO_ESP;
    else if (!strcmp(f[0], "ah"))
        q->proto = SIX_IPSEC_PROTO_AH;
    else if (!strcmp(f[0], "ipcomp"))
        q->proto = SIX_IPSEC_PROTO_IPCOMP;
    else
        return fail(r, t->line, "'%s': protocol is none of esp, ah, ipcomp", t->s);
    if (!strcmp(f[1], "transport"))
        q->mode = SIX_IPSEC_MODE_TRANSPORT;
    else if (!strcmp(f[1], "tunnel"))
        q->mode = SIX_IPSEC_MODE_TUNNEL;
    else
        return fail(r, t->line, "'%s': mode is neither transport nor tunnel", t->s);
    if (q->mode == SIX_IPSEC_MODE_TUNNEL) {
        /* IPv6 addresses hold no '-': the first one splits them. */
        char *dash = strchr(f[2], '-');
        if (!dash)
            return fail(r, t->line, "'%s': a tunnel needs SRC-DST endpoints", t->s);
        *dash = 0;
        if (parse_addr(r, t, f[2], &q->tsrc) < 0 || parse_addr(r, t, dash + 1, &q->tdst) < 0)
            return -EINVAL;
    } else if (*f[2]) {
        return fail(r, t->line, "'%s': transport mode takes no endpoints", t->s);
    }
    if (level(f[3], &q->level, &q->reqid) < 0)
        return fail(r, t->line, "'%s': level is none of default, use, require, unique, "
                                "unique:N (N from 1)", t->s);
    return 0;
}

/* SRC DST UPPER -P DIR [ACTION REQ...] (the action required when
 * need_action). */
static int sp_body(struct reader *r, struct six_sp *sp, int need_action) {
    const struct tok *t;

    six_sp_init(sp);
    if (!(t = take(r, "source")) || sel_addr(r, t, &sp->src, &sp->src_plen, &sp->sport) < 0 ||
        !(t = take(r, "destination")) ||
        sel_addr(r, t, &sp->dst, &sp->dst_plen, &sp->dport) < 0 || upper(r, sp) < 0)
        return -EINVAL;
    if (!(t = take(r, "-P")) || strcmp(t->s, "-P") != 0)
        return fail(r, cur_line(r), "expected -P and a direction");
    if (!(t = take(r, "direction")))
        return -EINVAL;
    if (!strcmp(t->s, "in"))
        sp->dir = SIX_SP_IN;
    else if (!strcmp(t->s, "out"))
        sp->dir = SIX_SP_OUT;
    else
        return fail(r, t->line, "direction '%s' is neither in nor out (a host forwards "
                                "nothing)", t->s);
    if (!need_action) {
        r->at = r->nt;   /* spddelete: the rest names the policy, not read */
        return 0;
    }
    if (!(t = take(r, "action")))
        return -EINVAL;
    if (!strcmp(t->s, "discard"))
        sp->action = SIX_SP_DISCARD;
    else if (!strcmp(t->s, "none"))
        sp->action = SIX_SP_BYPASS;
    else if (!strcmp(t->s, "ipsec"))
        sp->action = SIX_SP_PROTECT;
    else
        return fail(r, t->line, "action '%s' is none of discard, none, ipsec", t->s);
    while ((t = peek(r)) != NULL) {
        r->at++;
        if (sp->action != SIX_SP_PROTECT)
            return fail(r, t->line, "'%s' after an action that protects nothing", t->s);
        if (sp->nreq == SIX_SP_REQ_MAX)
            return fail(r, t->line, "more than %d protections", SIX_SP_REQ_MAX);
        if (request(r, t, &sp->req[sp->nreq++]) < 0)
            return -EINVAL;
    }
    if (six__ipsec_sp_valid(sp) < 0)
        return fail(r, r->stmt_line, sp->action == SIX_SP_PROTECT && !sp->nreq
                                         ? "ipsec without a protection"
                                         : "a tunnel must be the last protection");
    return 0;
}

static int statement(struct reader *r, struct op *op) {
    const struct tok *verb = take(r, "command");
    int rc = 0;

    memset(op, 0, sizeof(*op));
    op->line = r->stmt_line;
    if (!strcmp(verb->s, "add")) {
        op->kind = OP_ADD;
        op->sa.replay_window = 0;
        if ((rc = sa_head(r, &op->sa)) < 0 || (rc = sa_options(r, &op->sa)) < 0)
            return rc;
        if (six__ipsec_sa_valid(&op->sa) < 0)
            return fail(r, op->line, "this SA cannot be made (protocol, SPI at least 256, "
                                     "algorithms and key lengths must agree)");
    } else if (!strcmp(verb->s, "delete")) {
        op->kind = OP_DELETE;
        if ((rc = sa_head(r, &op->sa)) < 0)
            return rc;
    } else if (!strcmp(verb->s, "flush")) {
        op->kind = OP_FLUSH;
    } else if (!strcmp(verb->s, "spdflush")) {
        op->kind = OP_SPDFLUSH;
    } else if (!strcmp(verb->s, "spdadd")) {
        op->kind = OP_SPDADD;
        if ((rc = sp_body(r, &op->sp, 1)) < 0)
            return rc;
    } else if (!strcmp(verb->s, "spddelete")) {
        op->kind = OP_SPDDELETE;
        if ((rc = sp_body(r, &op->sp, 0)) < 0)
            return rc;
    } else {
        return fail(r, verb->line, "unknown command '%s'", verb->s);
    }
    if (peek(r))
        return fail(r, peek(r)->line, "'%s' after the end of %s", peek(r)->s, verb->s);
    return 0;
}

/* ---- the dry run: what the tables would hold ---- */

struct model {
    struct six_sa *sa;     /* keys: src, dst, proto, spi */
    unsigned nsa;
    struct six_sp *sp;
    unsigned nsp;
};

static int model_sa_find(const struct model *m, const struct six_sa *k, int match_src) {
    for (unsigned i = 0; i < m->nsa; i++)
        if (m->sa[i].spi == k->spi && m->sa[i].proto == k->proto &&
            IN6_ARE_ADDR_EQUAL(&m->sa[i].dst, &k->dst) &&
            (!match_src || IN6_ARE_ADDR_EQUAL(&m->sa[i].src, &k->src)))
            return (int)i;
    return -1;
}

static int same_sel(const struct six_sp *a, const struct six_sp *b) {
    return a->dir == b->dir && a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
           IN6_ARE_ADDR_EQUAL(&a->src, &b->src) && IN6_ARE_ADDR_EQUAL(&a->dst, &b->dst) &&
           a->ul_proto == b->ul_proto && a->sport == b->sport && a->dport == b->dport &&
           a->icmp6_type == b->icmp6_type && a->icmp6_code == b->icmp6_code;
}

static int model_sp_find(const struct model *m, const struct six_sp *k) {
    for (unsigned i = 0; i < m->nsp; i++)
        if (same_sel(&m->sp[i], k))
            return (int)i;
    return -1;
}

static int model_init(struct model *m, const struct six_ipsec *ips, unsigned extra) {
    unsigned n = 0;

    memset(m, 0, sizeof(*m));
    m->sa = calloc(ips->nsa + extra + 1, sizeof(*m->sa));
    m->sp = calloc(ips->nsp[0] + ips->nsp[1] + extra + 1, sizeof(*m->sp));
    if (!m->sa || !m->sp)
        return -ENOMEM;
    for (const struct six__sa *s = ips->all; s; s = s->next_all)
        m->sa[n++] = s->cfg;
    m->nsa = n;
    for (int d = 0; d < 2; d++)
        for (unsigned i = 0; i < ips->nsp[d]; i++)
            m->sp[m->nsp++] = ips->spd[d][i];
    return 0;
}

static int model_apply(struct reader *r, struct model *m, const struct op *op) {
    int i;

    switch (op->kind) {
    case OP_ADD:
        if (model_sa_find(m, &op->sa, 0) >= 0)
            return fail(r, op->line, "an SA with this destination, protocol and SPI exists");
        if (m->nsa >= SIX_SAD_MAX)
            return fail(r, op->line, "the SAD is full");
        m->sa[m->nsa++] = op->sa;
        return 0;
    case OP_DELETE:
        if ((i = model_sa_find(m, &op->sa, 1)) < 0)
            return fail(r, op->line, "no such SA to delete");
        m->sa[i] = m->sa[--m->nsa];
        return 0;
    case OP_FLUSH:
        m->nsa = 0;
        return 0;
    case OP_SPDFLUSH:
        m->nsp = 0;
        return 0;
    case OP_SPDADD:
        if (model_sp_find(m, &op->sp) >= 0)
            return fail(r, op->line, "a policy with this selector and direction exists");
        if (m->nsp >= SIX_SPD_MAX)
            return fail(r, op->line, "the SPD is full");
        m->sp[m->nsp++] = op->sp;
        return 0;
    case OP_SPDDELETE:
        if ((i = model_sp_find(m, &op->sp)) < 0)
            return fail(r, op->line, "no such policy to delete");
        m->sp[i] = m->sp[--m->nsp];
        return 0;
    }
    return 0;
}

static int apply(struct six_ipsec *ips, const struct op *op) {
    switch (op->kind) {
    case OP_ADD:
        return six__ipsec_sa_add(ips, &op->sa);
    case OP_DELETE:
        return six__ipsec_sa_del(ips, &op->sa.src, &op->sa.dst, op->sa.proto, op->sa.spi);
    case OP_FLUSH:
        return six__ipsec_sa_flush(ips);
    case OP_SPDADD:
        return six__ipsec_sp_add(ips, &op->sp);
    case OP_SPDDELETE:
        return six__ipsec_sp_del(ips, &op->sp);
    case OP_SPDFLUSH:
        return six__ipsec_sp_flush(ips);
    }
    return 0;
}

int six__setkey_apply(struct six_ipsec *ips, const char *text, char *err, size_t errlen) {
    struct reader r = {.p = text, .line = 1, .err = err, .errlen = errlen};
    struct op *ops = NULL;
    unsigned nops = 0, cap = 0;
    struct model m = {0};
    int rc;

    if (err && errlen)
        err[0] = 0;
    while ((rc = next_statement(&r)) > 0) {
        if (nops == cap) {
            unsigned ncap = cap ? cap * 2 : 16;
            struct op *n = ncap <= 65536 ? realloc(ops, ncap * sizeof(*ops)) : NULL;
            if (!n) {
                rc = fail(&r, r.stmt_line, "too many statements");
                goto out;
            }
            ops = n;
            cap = ncap;
        }
        if ((rc = statement(&r, &ops[nops])) < 0)
            goto out;
        nops++;
    }
    if (rc < 0)
        goto out;
    if ((rc = model_init(&m, ips, nops)) < 0)
        goto out;
    for (unsigned i = 0; i < nops; i++)
        if ((rc = model_apply(&r, &m, &ops[i])) < 0)
            goto out;
    /* Checked: now it applies (only memory can fail from here on). */
    for (unsigned i = 0; i < nops; i++)
        if ((rc = apply(ips, &ops[i])) < 0) {
            fail(&r, ops[i].line, "%s", strerror(-rc));
            goto out;
        }
    rc = 0;
out:
    free(m.sa);
    free(m.sp);
    if (ops)
        memset(ops, 0, cap * sizeof(*ops));   /* keys */
    free(ops);
    free(r.t);
    return rc;
}
