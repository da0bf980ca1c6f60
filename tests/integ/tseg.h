/* "Segment in, segment out" tests of TCP (in the spirit of smoltcp's
 * socket tests): the test plays the peer of stack B byte by byte.
 *
 * Segments come from PEER (2001:db8::99, on no stack) to B's address,
 * injected into B's link interface; B's answers to PEER cross the memwire
 * to A, which drops them (not its address), and are read back from a
 * capture of B's interface. The clock is the manual one of harness.h.
 *
 *   struct tpeer t; ts_up(&t);
 *   ts_in(&t, &(struct tseg){.flags = SIX_TCP_SYN, .seq = 1000, ...});
 *   struct tseg out[8]; int n = ts_out(&t, out, 8);
 */
#ifndef SIX_INTEG_TSEG_H
#define SIX_INTEG_TSEG_H

#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>

#include "hcap.h"
#include "wire/tcp.h"

#define TS_PEER "2001:db8::99"
#define TS_PEER_PORT 40000
#define TS_PORT 80

struct tseg {
    uint16_t sport, dport;        /* 0: the defaults (peer port, TS_PORT) */
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win;                 /* 0 means 0 only with zero_win */
    int zero_win;
    struct six_tcp_opts opt;
    int bad_cksum;                /* ts_in: a wrong checksum */
    const void *data;
    size_t len;
    uint8_t bytes[2048];          /* ts_out: the data received */
    uint8_t hlim, tclass;         /* ts_out: from the IPv6 header */
};

struct tpeer {
    struct hpair p;
    struct in6_addr peer;
    struct hcap cap;
    int ncap;
};

static inline void ts_cap_start(struct tpeer *t) {
    char tag[32];
    snprintf(tag, sizeof(tag), "tseg%d", t->ncap++);
    hcap_start(&t->cap, t->p.b, t->p.ifb, tag);
}

/* As ts_up, with the stacks' configurations (NULL: h_config). */
static inline void ts_up_cfg(struct tpeer *t, const struct six_stack_config *cfg_a,
                             const struct six_stack_config *cfg_b) {
    memset(t, 0, sizeof(*t));
    h_up_cfg(&t->p, cfg_a, cfg_b);
    t->peer = h_in6(TS_PEER);
    ts_cap_start(t);
}

static inline void ts_up(struct tpeer *t) { ts_up_cfg(t, NULL, NULL); }

/* Injects one segment from the peer into B. */
static inline void ts_in(struct tpeer *t, const struct tseg *s) {
    static struct hframe f;
    struct six_tcp_repr r;
    uint8_t hdr[SIX_TCP_MAX_HDR_LEN];
    size_t off, hlen;

    memset(&r, 0, sizeof(r));
    r.sport = s->sport ? s->sport : TS_PEER_PORT;
    r.dport = s->dport ? s->dport : TS_PORT;
    r.seq = s->seq;
    r.ack = s->ack;
    r.flags = s->flags;
    r.win = s->win || s->zero_win ? s->win : 65535;
    r.opt = s->opt;
    hlen = six_tcp_emit(&r, hdr);
    h_ip6(&f, &t->peer, &t->p.addr_b, IPPROTO_TCP, 64);
    off = h_put(&f, hdr, hlen);
    if (s->len)
        h_put(&f, s->data, s->len);
    h_end(&f);
    h_put16(f.b + off + SIX_TCP_OFF_CKSUM,
            h_cksum(&t->peer, &t->p.addr_b, IPPROTO_TCP, f.b + off, f.len - off) ^
                (s->bad_cksum ? 0x0101 : 0));
    CHECK_OK(six_if_inject(t->p.b, t->p.ifb, f.b, f.len));
    h_pump(&t->p);
}

/* The segments B sent to the peer since the last call, oldest first. */
static inline int ts_out(struct tpeer *t, struct tseg *out, int max) {
    int n = 0;

    h_pump(&t->p);
    hcap_stop(&t->cap);
    for (int i = 0; i < t->cap.n; i++) {
        const struct hcap_frame *fr = &t->cap.f[i];
        struct six_tcp_repr r;
        if (fr->len < 60 || memcmp(fr->b + 8, &t->p.addr_b, 16) != 0 ||
            memcmp(fr->b + 24, &t->peer, 16) != 0 || fr->b[6] != IPPROTO_TCP)
            continue;
        CHECK_EQ(h_cksum(&t->p.addr_b, &t->peer, IPPROTO_TCP, fr->b + 40, fr->len - 40), 0);
        CHECK_EQ(six_tcp_parse(fr->b + 40, fr->len - 40, &r), 0);
        CHECK(n < max);
        memset(&out[n], 0, sizeof(out[n]));
        out[n].sport = r.sport;
        out[n].dport = r.dport;
        out[n].seq = r.seq;
        out[n].ack = r.ack;
        out[n].flags = r.flags;
        out[n].win = r.win;
        out[n].opt = r.opt;
        out[n].hlim = fr->b[7];
        out[n].tclass = (uint8_t)((fr->b[0] & 0x0f) << 4 | fr->b[1] >> 4);
        out[n].len = fr->len - 40 - r.hdr_len;
        CHECK(out[n].len <= sizeof(out[n].bytes));
        memcpy(out[n].bytes, fr->b + 40 + r.hdr_len, out[n].len);
        n++;
    }
    hcap_free(&t->cap);
    ts_cap_start(t);
    return n;
}

/* Exactly one segment out; returns it. */
static inline struct tseg ts_out1(struct tpeer *t) {
    static struct tseg out[16];
    int n = ts_out(t, out, 16);
    if (n != 1)
        six_test_fail(__FILE__, __LINE__, "want one segment out, got %d", n);
    return out[0];
}

static inline void ts_none(struct tpeer *t) {
    static struct tseg out[16];
    int n = ts_out(t, out, 16);
    if (n != 0)
        six_test_fail(__FILE__, __LINE__, "want no segment out, got %d (flags %#x)", n,
                      out[0].flags);
}

static inline void ts_done(struct tpeer *t) {
    hcap_stop(&t->cap);
    hcap_free(&t->cap);
    h_done(&t->p);
}

/* A listening socket on B's TS_PORT with that backlog. */
static inline int ts_listen_backlog(struct tpeer *t, int backlog) {
    static const struct in6_addr any = IN6ADDR_ANY_INIT;
    int fd = (int)CHECK_OK(six_socket_on(t->p.b, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    struct sockaddr_in6 sin6 = h_sin6(&any, 0);
    sin6.sin6_port = htons(TS_PORT);
    t->p.socks[t->p.nsocks++] = fd;
    CHECK_OK(six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(fd, backlog));
    return fd;
}

static inline int ts_listen(struct tpeer *t) { return ts_listen_backlog(t, 8); }

#endif
