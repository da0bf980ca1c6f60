/* Stacks on an in-memory Ethernet segment (a hub carrying Ethernet
 * frames), driven by hand on manual clocks with fixed seeds:
 *
 *   st[0] 2001:db8::1/64 --+
 *   st[1] 2001:db8::2/64 --+-- Ethernet segment (MACs from the seeds)
 *   st[2] 2001:db8::3/64 --+
 *
 * Each interface also has its link-local address (es_linklocal). es_done() checks
 * every stack has all its packet buffers back, then frees everything.
 */
#ifndef SIX_INTEG_ESEG_H
#define SIX_INTEG_ESEG_H

#include "harness.h"

#define ES_MAX 3

struct eseg {
    struct six_segment *seg;
    int n;
    struct six_stack *st[ES_MAX];
    unsigned ifx[ES_MAX];
    struct in6_addr addr[ES_MAX];
    uint8_t mac[ES_MAX][6];
};

static inline void es_up_cfg(struct eseg *s, int n, const struct six_stack_config *cfg) {
    static const char *addrs[ES_MAX] = {"2001:db8::1", "2001:db8::2", "2001:db8::3"};
    static const char *names[ES_MAX] = {"e0", "e1", "e2"};
    struct six_memwire_config wc = {.ethernet = 1};

    memset(s, 0, sizeof(*s));
    h_privileged(1);
    s->n = n;
    s->seg = six_segment_new(&wc);
    CHECK(s->seg != NULL);
    for (int i = 0; i < n; i++) {
        struct six_stack_config c = cfg ? *cfg : h_config(0);
        c.clock = SIX_CLOCK_MANUAL;
        c.seed = (uint64_t)i + 101;
        s->st[i] = six_stack_new(&c);
        CHECK(s->st[i] != NULL);
        s->ifx[i] = (unsigned)CHECK_OK(six_segment_attach(s->seg, s->st[i], names[i]));
        CHECK_OK(six_if_hwaddr(s->st[i], s->ifx[i], s->mac[i]));
        s->addr[i] = h_in6(addrs[i]);
        CHECK_OK(six_addr_add(s->st[i], s->ifx[i], &s->addr[i], 64, 0));
    }
}

static inline void es_up(struct eseg *s, int n) { es_up_cfg(s, n, NULL); }

/* Polls every stack until none receives or sends anything more. */
static inline void es_pump(struct eseg *s) {
    h_pump_stacks(s->st, s->n);
}

/* Moves every clock forward by us microseconds, in steps of at most
 * step_us (0: one step), pumping after each. */
static inline void es_advance(struct eseg *s, uint64_t us, uint64_t step_us) {
    uint64_t done = 0;
    if (!step_us)
        step_us = us;
    while (done < us) {
        uint64_t d = us - done < step_us ? us - done : step_us;
        for (int i = 0; i < s->n; i++)
            CHECK_OK(six_stack_set_time(s->st[i], six_stack_now(s->st[i]) + d));
        es_pump(s);
        done += d;
    }
}

/* The link-local address of stack i's interface (made when it was
 * added: stable by default, EUI-64 with SIX_ADDR_GEN_EUI64). */
static inline struct in6_addr es_linklocal(struct eseg *s, int i) {
    return h_linklocal(s->st[i], s->ifx[i]);
}

static inline void es_done(struct eseg *s) {
    es_pump(s);
    for (int i = 0; i < s->n; i++)
        CHECK_EQ(six_stack_pkts_in_use(s->st[i]), 0);
    for (int i = 0; i < s->n; i++) {
        six_stack_free(s->st[i]);
        s->st[i] = NULL;
    }
    six_segment_free(s->seg);
    s->seg = NULL;
    six_set_creds(NULL);
}

static inline int es_raw(struct six_stack *st, int proto) {
    return (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_RAW, proto));
}

/* An ICMPv6 socket on st that passes only the given type. */
static inline int es_icmp_only(struct six_stack *st, int type) {
    struct icmp6_filter f;
    int fd = es_raw(st, IPPROTO_ICMPV6);
    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(type, &f);
    CHECK_OK(six_setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)));
    return fd;
}

/* Starts an Ethernet frame (dst, src, IPv6) around an IPv6 header; the
 * IPv6 packet is built at f->b + 14 with the h_* helpers' offsets, so
 * use ef_* below instead of h_end/h_icmp6. */
struct eframe {
    uint8_t b[2048];
    size_t len;          /* of the whole frame */
};

static inline void ef_start(struct eframe *f, const uint8_t dst[6], const uint8_t src[6],
                            uint16_t type) {
    memcpy(f->b, dst, 6);
    memcpy(f->b + 6, src, 6);
    f->b[12] = (uint8_t)(type >> 8);
    f->b[13] = (uint8_t)type;
    f->len = 14;
}

/* Appends an IPv6 packet built with the hframe helpers. */
static inline void ef_ip6(struct eframe *f, const struct hframe *p) {
    CHECK(f->len + p->len <= sizeof(f->b));
    memcpy(f->b + f->len, p->b, p->len);
    f->len += p->len;
}

static inline void es_inject(struct eseg *s, int i, const struct eframe *f) {
    CHECK_OK(six_if_inject(s->st[i], s->ifx[i], f->b, f->len));
    es_pump(s);
}

#endif
