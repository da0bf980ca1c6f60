/* ESP on single packets, inside the layer: sequence numbers at the
 * 32-bit boundary, with ESN (carried on, both halves authenticated, the
 * window following) and without (the SA is used up: RFC 4303 3.3.3). */
#include <errno.h>
#include <string.h>

#include "ipsec/ipsec.h"
#include "test.h"
#include "wire/ipv6.h"

struct rig {
    struct six_core core;
    struct six_ip6 ip6;   /* only its hook fields are touched */
    struct six_ipsec *ips;
    struct six__sa *sa;
};

static void rig_up(struct rig *g, int esn) {
    struct six_stack_config cfg;
    struct six_sa sa;
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 1;
    memset(g, 0, sizeof(*g));
    CHECK_EQ(six__core_init(&g->core, &cfg), 0);
    CHECK((g->ips = six__ipsec_new(&g->core, &g->ip6)) != NULL);
    memset(&sa, 0, sizeof(sa));
    sa.src.s6_addr[15] = 1;
    sa.dst.s6_addr[15] = 2;
    sa.proto = SIX_IPSEC_PROTO_ESP;
    sa.spi = 0x1234;
    sa.enc = SIX_ENC_AES_GCM_16;
    sa.enc_key_len = 20;
    sa.replay_window = 64;
    sa.esn = esn;
    CHECK_EQ(six__ipsec_sa_add(g->ips, &sa), 0);
    CHECK((g->sa = six__sad_find(g->ips, &sa.dst, SIX_IPSEC_PROTO_ESP, 0x1234)) != NULL);
}

static void rig_down(struct rig *g) {
    six__ipsec_free(g->ips);
    CHECK_EQ(six__pools_in_use(&g->core.pools), 0);
    six__core_fini(&g->core);
}

/* A packet from ::1 to ::2 carrying 8 bytes of UDP-ish payload. */
static struct six_pkt *packet(struct rig *g) {
    struct six_pkt *p = six__pkt_alloc(&g->core.pools, SIX_PKT_HEADROOM, 48);
    struct six_ip6_repr h = {.plen = 8, .nxt = 17, .hlim = 64, .src = g->sa->cfg.src,
                             .dst = g->sa->cfg.dst};
    CHECK(p != NULL);
    six_ip6_emit(&h, p->data);
    memcpy(p->data + 40, "payload!", 8);
    return p;
}

/* Sends one packet through ESP and opens it again: 0 or -1. */
static int roundtrip(struct rig *g, uint32_t *seq_lo) {
    struct six_pkt *p = packet(g);
    struct six__sa *used;
    uint8_t nxt;
    int rc = six__esp_output(g->ips, g->sa, p, 40, SIX_IP6_OFF_NXT);
    if (rc == 0) {
        *seq_lo = (uint32_t)p->data[44] << 24 | (uint32_t)p->data[45] << 16 |
                  (uint32_t)p->data[46] << 8 | p->data[47];
        rc = six__esp_input(g->ips, p, 40, SIX_IP6_OFF_NXT, &nxt, &used);
        if (rc == 0) {
            CHECK_EQ(nxt, 17);
            CHECK_EQ(p->len, 48);
            CHECK_MEM(p->data + 40, "payload!", 8);
        }
    }
    six__pkt_free(p);
    return rc;
}

TEST(esn_carries_on_past_2_to_the_32) {
    struct rig g;
    uint32_t lo;
    rig_up(&g, 1);
    g.sa->seq_out = 0xfffffffdull;
    g.sa->replay.top = 0xfffffff0ull;
    CHECK_EQ(roundtrip(&g, &lo), 0);
    CHECK_EQ(lo, 0xfffffffe);
    CHECK_EQ(roundtrip(&g, &lo), 0);
    CHECK_EQ(lo, 0xffffffff);
    CHECK_EQ(roundtrip(&g, &lo), 0);   /* 2^32: the low half is 0 on the wire */
    CHECK_EQ(lo, 0);
    CHECK_EQ(g.sa->replay.top, 0x100000000ull);
    CHECK_EQ(roundtrip(&g, &lo), 0);
    CHECK_EQ(g.sa->replay.top, 0x100000001ull);
    CHECK_EQ(g.core.stats.ipsec_in_esp, 4);
    CHECK_EQ(g.core.stats.ipsec_in_auth_failed, 0);
    rig_down(&g);
}

TEST(esn_high_half_is_authenticated) {
    struct rig g;
    uint32_t lo;
    rig_up(&g, 1);
    /* The sender is in the next subspace, the receiver's window far
     * behind in the previous one: it infers the wrong high half, and the
     * ICV (over both halves) says so. */
    g.sa->seq_out = 0x100000005ull;
    g.sa->replay.top = 0x20;
    CHECK_EQ(roundtrip(&g, &lo), -1);
    CHECK_EQ(g.core.stats.ipsec_in_auth_failed, 1);
    rig_down(&g);
}

TEST(without_esn_the_sa_is_used_up_at_2_to_the_32) {
    struct rig g;
    uint32_t lo;
    rig_up(&g, 0);
    g.sa->seq_out = 0xfffffffeull;
    CHECK_EQ(roundtrip(&g, &lo), 0);
    CHECK_EQ(lo, 0xffffffff);
    struct six_pkt *p = packet(&g);
    CHECK_EQ(six__esp_output(g.ips, g.sa, p, 40, SIX_IP6_OFF_NXT), -EOVERFLOW);
    six__pkt_free(p);
    CHECK_EQ(g.core.stats.ipsec_out_seq_overflow, 1);
    rig_down(&g);
}
