/* Shared helpers for the integration tests: two stacks on an in-memory
 * link, driven by hand, through the public API only.
 *
 *      stack A                               stack B
 *   2001:db8::1/64  == memwire "a0" - "b0" ==  2001:db8::2/64
 *
 * Both stacks run on a manual clock with fixed seeds, so every run is the
 * same. Tests inject hostile frames into B (h_inject) with A's address as
 * their source: B's ICMPv6 answer then crosses the wire to A, where an
 * ICMPv6 raw socket (h_icmp_sock) reads it.
 *
 * Every test ends with h_done(), which closes the sockets the test left
 * open, checks that both stacks have every packet buffer back, and frees
 * the stacks. Each test file under tests/integ is built alone, so
 * everything here is static inline.
 */
#ifndef SIX_INTEG_HARNESS_H
#define SIX_INTEG_HARNESS_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "test.h"

#define H_ADDR_A "2001:db8::1"
#define H_ADDR_B "2001:db8::2"
#define H_MAX_SOCKS 64

struct hpair {
    struct six_stack *a, *b;
    unsigned ifa, ifb;             /* the memwire interfaces */
    struct in6_addr addr_a, addr_b;
    int socks[H_MAX_SOCKS];        /* opened through h_sock, -1 once closed */
    int nsocks;
};

static inline struct in6_addr h_in6(const char *s) {
    struct in6_addr a;
    if (inet_pton(AF_INET6, s, &a) != 1)
        six_test_fail(__FILE__, __LINE__, "bad address literal %s", s);
    return a;
}

static inline struct sockaddr_in6 h_sin6(const struct in6_addr *a, unsigned scope) {
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = *a;
    sin6.sin6_scope_id = scope;
    return sin6;
}

static inline struct six_stats h_stats(struct six_stack *st) {
    struct six_stats s;
    six_stack_stats(st, &s);
    return s;
}

static inline void h_privileged(int yes) {
    struct six_creds c = {.uid = yes ? 0 : 1000, .gid = yes ? 0 : 1000, .privileged = yes};
    six_set_creds(&c);
}

/* A config for test stacks: manual clock, the given seed, defaults else,
 * except that addresses are usable at once (no duplicate address
 * detection) and interfaces neither solicit routers nor follow their
 * advertisements: tests of those turn them back on. */
static inline struct six_stack_config h_config(uint64_t seed) {
    struct six_stack_config cfg;
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = seed;
    cfg.dad_transmits = 0;
    cfg.autoconf = 0;
    return cfg;
}

/* Two stacks joined by a memwire pair, with cfg_a/cfg_b (NULL: h_config). */
static inline void h_up_cfg(struct hpair *p, const struct six_stack_config *cfg_a,
                            const struct six_stack_config *cfg_b) {
    struct six_stack_config ca = h_config(1), cb = h_config(2);

    memset(p, 0, sizeof(*p));
    h_privileged(1);
    p->a = six_stack_new(cfg_a ? cfg_a : &ca);
    p->b = six_stack_new(cfg_b ? cfg_b : &cb);
    CHECK(p->a != NULL);
    CHECK(p->b != NULL);
    CHECK_OK(six_memwire_pair(p->a, "a0", p->b, "b0", NULL, &p->ifa, &p->ifb));
    p->addr_a = h_in6(H_ADDR_A);
    p->addr_b = h_in6(H_ADDR_B);
    CHECK_OK(six_addr_add(p->a, p->ifa, &p->addr_a, 64, 0));
    CHECK_OK(six_addr_add(p->b, p->ifb, &p->addr_b, 64, 0));
}

static inline void h_up(struct hpair *p) { h_up_cfg(p, NULL, NULL); }

/* The pair with B down to two packet buffers (small; no large one, or a
 * small packet would borrow it): for tests of running out. */
static inline void h_up_b_two_buffers(struct hpair *p) {
    struct six_stack_config cb = h_config(2);
    cb.pkt_small_max = 2;
    cb.pkt_large_max = 0;
    h_up_cfg(p, NULL, &cb);
}

/* An extra address on A's or B's link interface. */
static inline struct in6_addr h_addr_add(struct hpair *p, struct six_stack *st, const char *s) {
    struct in6_addr a = h_in6(s);
    CHECK_OK(six_addr_add(st, st == p->a ? p->ifa : p->ifb, &a, 64, 0));
    return a;
}

/* The link-local address the stack gave interface ifindex (RFC 4291 2.1:
 * every interface has one; config linklocal). */
static inline struct in6_addr h_linklocal(struct six_stack *st, unsigned ifindex) {
    struct six_addr_info ai[16];
    int n = six_addr_list(st, ifindex, ai, 16);
    for (int i = 0; i < n && i < 16; i++)
        if (ai[i].addr.s6_addr[0] == 0xfe && (ai[i].addr.s6_addr[1] & 0xc0) == 0x80)
            return ai[i].addr;
    six_test_fail(__FILE__, __LINE__, "interface %u has no link-local address", ifindex);
    return ai[0].addr;
}

/* Polls the n stacks in st until none receives or sends anything more
 * (no counter moves in a round); fails the test if they never settle. */
static inline void h_pump_stacks(struct six_stack *const *st, int n) {
    for (int round = 0; round < 200; round++) {
        int moved = 0;
        for (int i = 0; i < n; i++) {
            struct six_stats before = h_stats(st[i]), after;
            six_stack_poll(st[i], six_stack_now(st[i]));
            after = h_stats(st[i]);
            moved |= memcmp(&before, &after, sizeof(before)) != 0;
        }
        if (!moved)
            return;
    }
    six_test_fail(__FILE__, __LINE__, "h_pump_stacks: the stacks never settled");
}

/* Polls both stacks until neither receives nor sends anything more. */
static inline void h_pump(struct hpair *p) {
    struct six_stack *st[2] = {p->a, p->b};
    h_pump_stacks(st, 2);
}

/* Moves both manual clocks forward by us microseconds. */
static inline void h_advance(struct hpair *p, uint64_t us) {
    CHECK_OK(six_stack_set_time(p->a, six_stack_now(p->a) + us));
    CHECK_OK(six_stack_set_time(p->b, six_stack_now(p->b) + us));
    h_pump(p);
}

/* A raw socket on st, remembered so that h_done closes it. */
static inline int h_sock(struct hpair *p, struct six_stack *st, int proto) {
    int fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_RAW, proto));
    CHECK(p->nsocks < H_MAX_SOCKS);
    p->socks[p->nsocks++] = fd;
    return fd;
}

static inline void h_close(struct hpair *p, int fd) {
    for (int i = 0; i < p->nsocks; i++)
        if (p->socks[i] == fd)
            p->socks[i] = -1;
    CHECK_OK(six_close(fd));
}

/* Closes what the test left open, checks that every packet buffer is back
 * in its pool (before the stacks go: freeing would hide a leak), frees. */
static inline void h_done(struct hpair *p) {
    for (int i = 0; i < p->nsocks; i++)
        if (p->socks[i] >= 0) {
            CHECK_OK(six_close(p->socks[i]));
            p->socks[i] = -1;
        }
    h_pump(p);
    CHECK_EQ(six_stack_pkts_in_use(p->a), 0);
    CHECK_EQ(six_stack_pkts_in_use(p->b), 0);
    six_stack_free(p->a);
    six_stack_free(p->b);
    p->a = p->b = NULL;
    six_set_creds(NULL);
}

/* ---- sending and receiving ---- */

static inline void h_bind(int fd, const struct in6_addr *a) {
    struct sockaddr_in6 sin6 = h_sin6(a, 0);
    CHECK_OK(six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
}

static inline void h_connect(int fd, const struct in6_addr *a) {
    struct sockaddr_in6 sin6 = h_sin6(a, 0);
    CHECK_OK(six_connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
}

static inline ssize_t h_sendto(int fd, const struct in6_addr *to, const void *buf, size_t len) {
    struct sockaddr_in6 sin6 = h_sin6(to, 0);
    return six_sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sin6, sizeof(sin6));
}

/* Sends and checks that the whole datagram went. */
static inline void h_send_ok(int fd, const struct in6_addr *to, const void *buf, size_t len) {
    CHECK_EQ(CHECK_OK(h_sendto(fd, to, buf, len)), len);
}

/* One datagram without waiting; from may be NULL. */
static inline ssize_t h_recv(int fd, void *buf, size_t len, struct sockaddr_in6 *from) {
    socklen_t flen = sizeof(*from);
    if (!from)
        return six_recv(fd, buf, len, MSG_DONTWAIT);
    memset(from, 0, sizeof(*from));
    return six_recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)from, &flen);
}

/* Checks that nothing is waiting on fd. */
#define H_NOTHING(fd)                                                       \
    do {                                                                    \
        uint8_t _buf[64];                                                   \
        CHECK_ERRNO(h_recv((fd), _buf, sizeof(_buf), NULL), EAGAIN);        \
    } while (0)

static inline int h_addr_eq(const struct in6_addr *a, const struct in6_addr *b) {
    return memcmp(a, b, 16) == 0;
}

/* ---- frames built byte by byte ---- */

struct hframe {
    uint8_t b[66000];
    size_t len;
};

static inline void h_put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline uint16_t h_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t h_get32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Starts a frame with an IPv6 header (payload length filled by h_end). */
static inline void h_ip6(struct hframe *f, const struct in6_addr *src, const struct in6_addr *dst,
                         uint8_t nxt, uint8_t hlim) {
    memset(f->b, 0, 40);
    f->b[0] = 0x60;
    f->b[6] = nxt;
    f->b[7] = hlim;
    memcpy(f->b + 8, src, 16);
    memcpy(f->b + 24, dst, 16);
    f->len = 40;
}

/* Appends n bytes; returns the offset they start at. */
static inline size_t h_put(struct hframe *f, const void *bytes, size_t n) {
    size_t off = f->len;
    CHECK(f->len + n <= sizeof(f->b));
    memcpy(f->b + f->len, bytes, n);
    f->len += n;
    return off;
}

/* Appends n zero bytes. */
static inline size_t h_zero(struct hframe *f, size_t n) {
    size_t off = f->len;
    CHECK(f->len + n <= sizeof(f->b));
    memset(f->b + f->len, 0, n);
    f->len += n;
    return off;
}

/* Sets the payload length from the frame's length. */
static inline void h_end(struct hframe *f) { h_put16(f->b + 4, (uint16_t)(f->len - 40)); }

/* The RFC 1071 sum of the IPv6 pseudo-header and data, folded and
 * complemented (0 when data, checksum included, verifies). */
static inline uint16_t h_cksum(const struct in6_addr *src, const struct in6_addr *dst,
                               uint8_t nxt, const uint8_t *data, size_t len) {
    uint32_t sum = 0;
    for (int i = 0; i < 16; i += 2) {
        sum += h_get16(src->s6_addr + i);
        sum += h_get16(dst->s6_addr + i);
    }
    sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + nxt;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += h_get16(data + i);
    if (len & 1)
        sum += (uint32_t)data[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Fills the ICMPv6 checksum of the message at off (to the frame's end). */
static inline void h_icmp6_fix(struct hframe *f, size_t off) {
    struct in6_addr src, dst;
    memcpy(&src, f->b + 8, 16);
    memcpy(&dst, f->b + 24, 16);
    h_put16(f->b + off + 2, 0);
    h_put16(f->b + off + 2, h_cksum(&src, &dst, 58, f->b + off, f->len - off));
}

/* Appends an ICMPv6 message (type, code, word, body) and its checksum. */
static inline size_t h_icmp6(struct hframe *f, uint8_t type, uint8_t code, uint32_t word,
                             const void *body, size_t body_len) {
    uint8_t hdr[8] = {type, code, 0, 0, (uint8_t)(word >> 24), (uint8_t)(word >> 16),
                      (uint8_t)(word >> 8), (uint8_t)word};
    size_t off = h_put(f, hdr, sizeof(hdr));
    if (body_len)
        h_put(f, body, body_len);
    h_end(f);
    h_icmp6_fix(f, off);
    return off;
}

/* Appends an 8-byte destination options or hop-by-hop header holding one
 * option of the given type with 4 bytes of data (and PadN before it). */
static inline size_t h_opts8(struct hframe *f, uint8_t nxt, uint8_t opt_type) {
    uint8_t h[8] = {nxt, 0, opt_type, 4, 0xde, 0xad, 0xbe, 0xef};
    return h_put(f, h, sizeof(h));
}

/* Appends an 8-byte options header with nothing but padding. */
static inline size_t h_pad8(struct hframe *f, uint8_t nxt) {
    uint8_t h[8] = {nxt, 0, 1, 4, 0, 0, 0, 0};
    return h_put(f, h, sizeof(h));
}

/* Injects f into B's link interface as if it had arrived from A, then lets
 * B's answers cross to A. */
static inline void h_inject(struct hpair *p, const struct hframe *f) {
    CHECK_OK(six_if_inject(p->b, p->ifb, f->b, f->len));
    h_pump(p);
}

/* A frame from A's address to B's with an upper-layer payload. */
static inline void h_frame_ab(struct hpair *p, struct hframe *f, uint8_t nxt) {
    h_ip6(f, &p->addr_a, &p->addr_b, nxt, 64);
}

/* ---- reading ICMPv6 answers ---- */

/* An ICMPv6 raw socket on st that passes everything. */
static inline int h_icmp_sock(struct hpair *p, struct six_stack *st) {
    return h_sock(p, st, IPPROTO_ICMPV6);
}

struct hicmp {
    uint8_t type, code;
    uint32_t word;           /* pointer, MTU, or ident << 16 | seq */
    struct sockaddr_in6 from;
    uint8_t msg[2048];       /* the whole message as received */
    size_t len;
};

/* Reads one ICMPv6 message from fd (which must have one waiting). */
static inline void h_icmp_read(int fd, struct hicmp *m) {
    ssize_t n = CHECK_OK(h_recv(fd, m->msg, sizeof(m->msg), &m->from));
    CHECK(n >= 8);
    m->len = (size_t)n;
    m->type = m->msg[0];
    m->code = m->msg[1];
    m->word = h_get32(m->msg + 4);
}

/* Reads one message and checks it is a Parameter Problem of code with the
 * given pointer. */
#define H_EXPECT_PP(fd, want_code, want_ptr)                                \
    do {                                                                    \
        struct hicmp _m;                                                    \
        h_icmp_read((fd), &_m);                                             \
        CHECK_EQ(_m.type, ICMP6_PARAM_PROB);                                \
        CHECK_EQ(_m.code, (want_code));                                     \
        CHECK_EQ(_m.word, (want_ptr));                                      \
    } while (0)

#endif
