/* Frames as they crossed a link, for the tests that must see the wire
 * itself (fragments, which the peer does not hand to sockets): an
 * interface's capture (six_if_capture) read back with libpcap, and a
 * fragment view of each frame. Everything is static inline, as in
 * harness.h.
 *
 *   struct hcap c;
 *   hcap_start(&c, p.a, p.ifa, "tag");  ... traffic ...  hcap_stop(&c);
 *   c.n frames in c.f[], oldest first (sent and received alike).
 */
#ifndef SIX_INTEG_HCAP_H
#define SIX_INTEG_HCAP_H

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

#define HCAP_MAX 128

struct hcap_frame {
    uint32_t len;
    uint8_t b[9216];
};

struct hcap {
    struct six_stack *st;
    unsigned ifindex;
    char path[128];
    int n;
    struct hcap_frame *f;   /* HCAP_MAX of them */
};

static inline void hcap_start(struct hcap *c, struct six_stack *st, unsigned ifindex,
                              const char *tag) {
    memset(c, 0, sizeof(*c));
    c->st = st;
    c->ifindex = ifindex;
    snprintf(c->path, sizeof(c->path), "/tmp/sixstack-hcap-%ld-%s.pcap", (long)getpid(), tag);
    CHECK_OK(six_if_capture(st, ifindex, c->path));
}

/* Stops the capture and reads every frame; the file is removed. */
static inline void hcap_stop(struct hcap *c) {
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *bytes;
    pcap_t *pc;

    CHECK_OK(six_if_capture(c->st, c->ifindex, NULL));
    free(c->f);
    c->f = calloc(HCAP_MAX, sizeof(*c->f));
    CHECK(c->f != NULL);
    c->n = 0;
    if (!(pc = pcap_open_offline(c->path, err)))
        six_test_fail(__FILE__, __LINE__, "pcap_open_offline(%s): %s", c->path, err);
    while (pcap_next_ex(pc, &h, &bytes) == 1) {
        CHECK(c->n < HCAP_MAX);
        CHECK(h->caplen == h->len && h->caplen <= sizeof(c->f[0].b));
        c->f[c->n].len = h->caplen;
        memcpy(c->f[c->n].b, bytes, h->caplen);
        c->n++;
    }
    pcap_close(pc);
    unlink(c->path);
}

static inline void hcap_free(struct hcap *c) {
    free(c->f);
    c->f = NULL;
}

/* Keeps only the frames whose IPv6 source is src; returns how many. */
static inline int hcap_from(struct hcap *c, const struct in6_addr *src) {
    int k = 0;
    for (int i = 0; i < c->n; i++)
        if (c->f[i].len >= 40 && memcmp(c->f[i].b + 8, src, 16) == 0)
            c->f[k++] = c->f[i];
    c->n = k;
    return k;
}

/* A frame's fragment header, found by walking the extension headers it
 * names before it. */
struct hfrag {
    int is_frag;
    size_t unfrag;       /* bytes before the Fragment header */
    size_t nxt_off;      /* the Next Header byte that says 44 */
    uint8_t nxt;         /* the Fragment header's Next Header */
    uint16_t offset;     /* in bytes */
    int more;
    uint32_t ident;
    const uint8_t *data; /* the piece */
    size_t data_len;
};

static inline struct hfrag hcap_frag(const struct hcap_frame *fr) {
    struct hfrag r;
    size_t off = 40, nxt_off = 6;
    uint8_t nxt = fr->b[6];

    memset(&r, 0, sizeof(r));
    while (nxt == 0 || nxt == 43 || nxt == 60) {
        CHECK(off + 8 <= fr->len);
        nxt_off = off;
        nxt = fr->b[off];
        off += ((size_t)fr->b[off + 1] + 1) * 8;
    }
    if (nxt != 44)
        return r;
    CHECK(off + 8 <= fr->len);
    CHECK_EQ(h_get16(fr->b + 4), fr->len - 40);
    r.is_frag = 1;
    r.unfrag = off;
    r.nxt_off = nxt_off;
    r.nxt = fr->b[off];
    r.offset = (uint16_t)(h_get16(fr->b + off + 2) & 0xfff8);
    r.more = fr->b[off + 3] & 1;
    r.ident = h_get32(fr->b + off + 4);
    r.data = fr->b + off + 8;
    r.data_len = fr->len - off - 8;
    return r;
}

/* Checks that frames [first, first + n) are the fragments of one packet,
 * in order, each at most mtu bytes, and reassembles the fragmentable part
 * into out (cap bytes). Returns its length; *ident and *nxt get the
 * identification and the first fragmentable header's type. */
static inline size_t hcap_reassemble(const struct hcap *c, int first, int n, unsigned mtu,
                                     uint8_t *out, size_t cap, uint32_t *ident, uint8_t *nxt) {
    size_t next = 0;
    struct hfrag f0 = hcap_frag(&c->f[first]);

    CHECK(f0.is_frag);
    for (int i = first; i < first + n; i++) {
        struct hfrag f = hcap_frag(&c->f[i]);
        CHECK(f.is_frag);
        CHECK(c->f[i].len <= mtu);
        /* The same unfragmentable part, Payload Length aside. */
        CHECK_EQ(f.unfrag, f0.unfrag);
        CHECK_MEM(c->f[i].b, c->f[first].b, 4);
        CHECK_MEM(c->f[i].b + 6, c->f[first].b + 6, f0.unfrag - 6);
        CHECK_EQ(f.ident, f0.ident);
        CHECK_EQ(f.nxt, f0.nxt);
        CHECK_EQ(f.offset, next);
        CHECK_EQ(f.more, i < first + n - 1);
        if (f.more)
            CHECK_EQ(f.data_len % 8, 0);
        CHECK(next + f.data_len <= cap);
        memcpy(out + next, f.data, f.data_len);
        next += f.data_len;
    }
    *ident = f0.ident;
    *nxt = f0.nxt;
    return next;
}

#endif
