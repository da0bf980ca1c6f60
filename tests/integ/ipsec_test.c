/* IPsec between two stacks on a memwire link, through the public API:
 * ESP transport and tunnel mode with every algorithm, replayed, tampered
 * and unknown packets dropped and counted, the inbound policy, the
 * socket levels, lifetimes, and the API's errors.
 *
 * Each test installs an SA each way on both stacks (A->B SPI 0x1001,
 * B->A SPI 0x2002) and policies that ask for ESP on A's and B's traffic
 * to each other; captures on A's interface show what crossed the wire.
 */
#include <sixstack/ipsec.h>

#include <zlib.h>

#include "hcap.h"

#define SPI_AB 0x1001
#define SPI_BA 0x2002
#define PORT 7000

struct alg {
    const char *name;
    enum six_ipsec_enc enc;
    unsigned eklen;
    enum six_ipsec_auth auth;
    int esn;
};

static const struct alg algs[] = {
    {"aes-gcm-16/128", SIX_ENC_AES_GCM_16, 20, SIX_AUTH_NONE, 0},
    {"aes-gcm-16/256+esn", SIX_ENC_AES_GCM_16, 36, SIX_AUTH_NONE, 1},
    {"chacha20-poly1305", SIX_ENC_CHACHA20_POLY1305, 36, SIX_AUTH_NONE, 0},
    {"aes-cbc+hmac-sha256", SIX_ENC_AES_CBC, 16, SIX_AUTH_HMAC_SHA256_128, 0},
    {"aes-cbc-256+hmac-sha256+esn", SIX_ENC_AES_CBC, 32, SIX_AUTH_HMAC_SHA256_128, 1},
    {"null+hmac-sha256", SIX_ENC_NULL, 0, SIX_AUTH_HMAC_SHA256_128, 0},
};

static struct six_sa make_sa(const struct in6_addr *src, const struct in6_addr *dst, uint32_t spi,
                             const struct alg *a, enum six_ipsec_mode mode) {
    struct six_sa sa;
    memset(&sa, 0, sizeof(sa));
    sa.src = *src;
    sa.dst = *dst;
    sa.proto = SIX_IPSEC_PROTO_ESP;
    sa.spi = spi;
    sa.mode = mode;
    sa.enc = a->enc;
    sa.enc_key_len = a->eklen;
    for (unsigned i = 0; i < a->eklen; i++)
        sa.enc_key[i] = (uint8_t)(spi + 7 * i);
    sa.auth = a->auth;
    if (a->auth) {
        sa.auth_key_len = 32;
        for (unsigned i = 0; i < 32; i++)
            sa.auth_key[i] = (uint8_t)(spi ^ (3 * i));
    }
    sa.replay_window = 64;
    sa.esn = a->esn;
    return sa;
}

/* Both SAs on both stacks. */
static void add_sas(struct hpair *p, const struct alg *a, enum six_ipsec_mode mode) {
    struct six_sa ab = make_sa(&p->addr_a, &p->addr_b, SPI_AB, a, mode);
    struct six_sa ba = make_sa(&p->addr_b, &p->addr_a, SPI_BA, a, mode);
    CHECK_OK(six_sa_add(p->a, &ab));
    CHECK_OK(six_sa_add(p->a, &ba));
    CHECK_OK(six_sa_add(p->b, &ab));
    CHECK_OK(six_sa_add(p->b, &ba));
}

static struct six_sp host_sp(const struct in6_addr *src, const struct in6_addr *dst,
                             enum six_sp_dir dir, enum six_ipsec_mode mode, uint8_t ul) {
    struct six_sp sp;
    six_sp_init(&sp);
    sp.src = *src;
    sp.dst = *dst;
    sp.src_plen = sp.dst_plen = 128;
    sp.ul_proto = ul;
    sp.dir = dir;
    sp.action = SIX_SP_PROTECT;
    sp.nreq = 1;
    sp.req[0].proto = SIX_IPSEC_PROTO_ESP;
    sp.req[0].mode = mode;
    sp.req[0].level = SIX_SP_LEVEL_REQUIRE;
    if (mode == SIX_IPSEC_MODE_TUNNEL) {
        sp.req[0].tsrc = *src;
        sp.req[0].tdst = *dst;
    }
    return sp;
}

/* ESP required for ul traffic both ways, on both stacks. */
static void add_policies(struct hpair *p, enum six_ipsec_mode mode, uint8_t ul) {
    struct six_sp a_out = host_sp(&p->addr_a, &p->addr_b, SIX_SP_OUT, mode, ul);
    struct six_sp a_in = host_sp(&p->addr_b, &p->addr_a, SIX_SP_IN, mode, ul);
    struct six_sp b_out = host_sp(&p->addr_b, &p->addr_a, SIX_SP_OUT, mode, ul);
    struct six_sp b_in = host_sp(&p->addr_a, &p->addr_b, SIX_SP_IN, mode, ul);
    CHECK_OK(six_sp_add(p->a, &a_out));
    CHECK_OK(six_sp_add(p->a, &a_in));
    CHECK_OK(six_sp_add(p->b, &b_out));
    CHECK_OK(six_sp_add(p->b, &b_in));
}

static int udp_sock(struct hpair *p, struct six_stack *st, const struct in6_addr *addr,
                    uint16_t port) {
    int fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 sin6 = h_sin6(addr, 0);
    sin6.sin6_port = htons(port);
    CHECK_OK(six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK(p->nsocks < H_MAX_SOCKS);
    p->socks[p->nsocks++] = fd;
    return fd;
}

static ssize_t udp_send(int fd, const struct in6_addr *to, uint16_t port, const void *buf,
                        size_t len) {
    struct sockaddr_in6 sin6 = h_sin6(to, 0);
    sin6.sin6_port = htons(port);
    return six_sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sin6, sizeof(sin6));
}

static int contains(const uint8_t *hay, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

/* Sends msg from fd_from to `to` port, checks fd_to gets it. */
static void udp_roundtrip_port(struct hpair *p, int fd_from, int fd_to, const struct in6_addr *to,
                               uint16_t port, const char *msg) {
    char buf[4096];
    CHECK_EQ(CHECK_OK(udp_send(fd_from, to, port, msg, strlen(msg))), strlen(msg));
    h_pump(p);
    CHECK_EQ(CHECK_OK(h_recv(fd_to, buf, sizeof(buf), NULL)), strlen(msg));
    CHECK_MEM(buf, msg, strlen(msg));
}

static void udp_roundtrip(struct hpair *p, int fd_from, int fd_to, const struct in6_addr *to,
                          const char *msg) {
    udp_roundtrip_port(p, fd_from, fd_to, to, PORT, msg);
}

TEST(esp_transport_udp_both_ways_every_algorithm) {
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        struct hpair p;
        struct hcap c;
        h_up(&p);
        add_sas(&p, &algs[i], SIX_IPSEC_MODE_TRANSPORT);
        add_policies(&p, SIX_IPSEC_MODE_TRANSPORT, SIX_SP_ANY);
        int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
        hcap_start(&c, p.a, p.ifa, "esp");
        for (int k = 0; k < 3; k++) {
            udp_roundtrip(&p, ua, ub, &p.addr_b, "secret from a to b");
            udp_roundtrip(&p, ub, ua, &p.addr_a, "secret from b to a");
        }
        hcap_stop(&c);
        /* Every frame on the wire is ESP; none shows the text, except
         * with NULL encryption, which hides nothing by design. */
        CHECK_EQ(c.n, 6);
        for (int k = 0; k < c.n; k++) {
            CHECK_EQ(c.f[k].b[6], 50);
            CHECK_EQ(contains(c.f[k].b, c.f[k].len, "secret"), algs[i].enc == SIX_ENC_NULL);
        }
        hcap_free(&c);
        CHECK_EQ(h_stats(p.a).ipsec_out_esp, 3);
        CHECK_EQ(h_stats(p.b).ipsec_in_esp, 3);
        CHECK_EQ(h_stats(p.a).ipsec_in_esp, 3);
        struct six_sa_stats ss;
        CHECK_OK(six_sa_get_stats(p.a, &p.addr_b, SIX_IPSEC_PROTO_ESP, SPI_AB, &ss));
        CHECK_EQ(ss.seq_out, 3);
        CHECK_OK(six_sa_get_stats(p.b, &p.addr_b, SIX_IPSEC_PROTO_ESP, SPI_AB, &ss));
        CHECK_EQ(ss.seq_in_top, 3);
        h_done(&p);
    }
}

/* An echo request from A's raw ICMPv6 socket and B's reply, both in ESP. */
TEST(esp_transport_ping_both_ways) {
    struct hpair p;
    struct hicmp m;
    h_up(&p);
    add_sas(&p, &algs[0], SIX_IPSEC_MODE_TRANSPORT);
    add_policies(&p, SIX_IPSEC_MODE_TRANSPORT, IPPROTO_ICMPV6);
    int fd = h_icmp_sock(&p, p.a);
    struct hframe f;
    h_ip6(&f, &p.addr_a, &p.addr_b, 58, 64);
    uint8_t req[8] = {128, 0, 0, 0, 0x12, 0x34, 0, 1};
    h_send_ok(fd, &p.addr_b, req, sizeof(req));
    h_pump(&p);
    h_icmp_read(fd, &m);
    CHECK_EQ(m.type, 129);
    CHECK_EQ(m.word, 0x12340001);
    CHECK_EQ(h_stats(p.b).ipsec_in_esp, 1);
    CHECK_EQ(h_stats(p.b).ipsec_out_esp, 1);
    CHECK_EQ(h_stats(p.a).ipsec_in_esp, 1);
    h_done(&p);
}

/* Sends one datagram A->B under ESP and returns its frame as captured. */
static void one_esp_frame(struct hpair *p, int ua, int ub, struct hcap_frame *out) {
    struct hcap c;
    hcap_start(&c, p->a, p->ifa, "one");
    udp_roundtrip(p, ua, ub, &p->addr_b, "once");
    hcap_stop(&c);
    CHECK_EQ(c.n, 1);
    *out = c.f[0];
    hcap_free(&c);
}

static void setup_ab(struct hpair *p, int *ua, int *ub) {
    h_up(p);
    add_sas(p, &algs[0], SIX_IPSEC_MODE_TRANSPORT);
    add_policies(p, SIX_IPSEC_MODE_TRANSPORT, SIX_SP_ANY);
    *ua = udp_sock(p, p->a, &p->addr_a, PORT);
    *ub = udp_sock(p, p->b, &p->addr_b, PORT);
}

static void inject_b(struct hpair *p, const uint8_t *b, size_t len) {
    CHECK_OK(six_if_inject(p->b, p->ifb, b, len));
    h_pump(p);
}

TEST(replayed_packet_dropped_and_counted) {
    struct hpair p;
    struct hcap_frame *fr = malloc(sizeof(*fr));
    int ua, ub;
    setup_ab(&p, &ua, &ub);
    one_esp_frame(&p, ua, ub, fr);
    inject_b(&p, fr->b, fr->len);
    CHECK_EQ(h_stats(p.b).ipsec_in_replay, 1);
    CHECK_EQ(h_stats(p.b).icmp6_out_errors, 0);
    H_NOTHING(ub);
    free(fr);
    h_done(&p);
}

TEST(tampered_packet_dropped_and_counted) {
    struct hpair p;
    struct hcap_frame *fr = malloc(sizeof(*fr));
    int ua, ub;
    setup_ab(&p, &ua, &ub);
    one_esp_frame(&p, ua, ub, fr);
    /* A fresh sequence number (so the window lets it through), then one
     * bit of ciphertext flipped: the ICV does not match. */
    fr->b[40 + 7] = 9;
    fr->b[40 + 20] ^= 0x10;
    inject_b(&p, fr->b, fr->len);
    CHECK_EQ(h_stats(p.b).ipsec_in_auth_failed, 1);
    CHECK_EQ(h_stats(p.b).icmp6_out_errors, 0);
    H_NOTHING(ub);
    /* The forged number did not move the window: 9 is still good. */
    struct six_sa_stats ss;
    CHECK_OK(six_sa_get_stats(p.b, &p.addr_b, SIX_IPSEC_PROTO_ESP, SPI_AB, &ss));
    CHECK_EQ(ss.seq_in_top, 1);
    free(fr);
    h_done(&p);
}

TEST(unknown_spi_dropped_and_counted) {
    struct hpair p;
    struct hcap_frame *fr = malloc(sizeof(*fr));
    int ua, ub;
    setup_ab(&p, &ua, &ub);
    one_esp_frame(&p, ua, ub, fr);
    fr->b[40 + 3] ^= 0x55;
    inject_b(&p, fr->b, fr->len);
    CHECK_EQ(h_stats(p.b).ipsec_in_no_sa, 1);
    CHECK_EQ(h_stats(p.b).icmp6_out_errors, 0);   /* no Parameter Problem either */
    /* The right SPI on an ESP too short for its SA (header, IV, 4
     * bytes): malformed. */
    fr->b[40 + 3] ^= 0x55;
    fr->b[40 + 7] = 5;
    h_put16(fr->b + 4, 20);
    inject_b(&p, fr->b, 40 + 20);
    CHECK_EQ(h_stats(p.b).ipsec_in_malformed, 1);
    CHECK_EQ(h_stats(p.b).ipsec_in_no_sa, 1);
    free(fr);
    h_done(&p);
}

/* A clear datagram where B's inbound policy wants ESP: dropped, counted. */
TEST(clear_packet_against_inbound_policy_dropped) {
    struct hpair p;
    h_up(&p);
    struct six_sp b_in = host_sp(&p.addr_a, &p.addr_b, SIX_SP_IN, SIX_IPSEC_MODE_TRANSPORT,
                                 IPPROTO_UDP);
    CHECK_OK(six_sp_add(p.b, &b_in));
    int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, "clear", 5)), 5);
    h_pump(&p);
    H_NOTHING(ub);
    CHECK_EQ(h_stats(p.b).ipsec_in_policy, 1);
    CHECK_EQ(h_stats(p.b).udp_in_no_port, 0);
    CHECK_EQ(h_stats(p.b).icmp6_out_errors, 0);
    /* Other protocols are not the policy's: ICMPv6 echo still works. */
    int fd = h_icmp_sock(&p, p.a);
    uint8_t req[8] = {128, 0, 0, 0, 0, 1, 0, 1};
    struct hicmp m;
    h_send_ok(fd, &p.addr_b, req, sizeof(req));
    h_pump(&p);
    h_icmp_read(fd, &m);
    CHECK_EQ(m.type, 129);
    h_done(&p);
}

TEST(discard_policy_refuses_send_with_eperm) {
    struct hpair p;
    h_up(&p);
    struct six_sp sp = host_sp(&p.addr_a, &p.addr_b, SIX_SP_OUT, 0, IPPROTO_UDP);
    sp.action = SIX_SP_DISCARD;
    sp.nreq = 0;
    CHECK_OK(six_sp_add(p.a, &sp));
    int ua = udp_sock(&p, p.a, &p.addr_a, PORT);
    CHECK_ERRNO(udp_send(ua, &p.addr_b, PORT, "x", 1), EPERM);
    CHECK_EQ(h_stats(p.a).ipsec_out_discard, 1);
    h_done(&p);
}

/* The page's levels on a socket, with no system policy at all. */
TEST(socket_require_level_without_sa_sends_nothing) {
    struct hpair p;
    struct hcap c;
    int v = SIX_IPSEC_LEVEL_REQUIRE, got = -1;
    socklen_t len = sizeof(got);
    h_up(&p);
    int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    CHECK_OK(six_setsockopt(ua, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &v, sizeof(v)));
    CHECK_OK(six_getsockopt(ua, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &got, &len));
    CHECK_EQ(got, SIX_IPSEC_LEVEL_REQUIRE);
    hcap_start(&c, p.a, p.ifa, "req");
    CHECK_ERRNO(udp_send(ua, &p.addr_b, PORT, "must not leak", 13), EAGAIN);
    h_pump(&p);
    hcap_stop(&c);
    CHECK_EQ(c.n, 0);
    hcap_free(&c);
    CHECK_EQ(h_stats(p.a).ipsec_out_no_sa, 1);
    H_NOTHING(ub);
    /* Use: without an SA the datagram goes in the clear. */
    v = SIX_IPSEC_LEVEL_USE;
    CHECK_OK(six_setsockopt(ua, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &v, sizeof(v)));
    udp_roundtrip(&p, ua, ub, &p.addr_b, "clear is fine");
    /* With the SAs there, require protects (no policy needed). */
    add_sas(&p, &algs[2], SIX_IPSEC_MODE_TRANSPORT);
    v = SIX_IPSEC_LEVEL_REQUIRE;
    CHECK_OK(six_setsockopt(ua, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &v, sizeof(v)));
    hcap_start(&c, p.a, p.ifa, "req2");
    udp_roundtrip(&p, ua, ub, &p.addr_b, "protected");
    hcap_stop(&c);
    CHECK_EQ(c.n, 1);
    CHECK_EQ(c.f[0].b[6], 50);
    hcap_free(&c);
    /* Out of range: EINVAL, nothing changed. */
    v = 4;
    CHECK_ERRNO(six_setsockopt(ua, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &v, sizeof(v)), EINVAL);
    len = sizeof(got);
    CHECK_OK(six_getsockopt(ua, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &got, &len));
    CHECK_EQ(got, SIX_IPSEC_LEVEL_REQUIRE);
    h_done(&p);
}

/* A socket at require refuses what arrives in the clear, takes ESP. */
TEST(socket_require_level_refuses_clear_input) {
    struct hpair p;
    int v = SIX_IPSEC_LEVEL_REQUIRE;
    h_up(&p);
    int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    CHECK_OK(six_setsockopt(ub, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &v, sizeof(v)));
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, "clear", 5)), 5);
    h_pump(&p);
    H_NOTHING(ub);
    CHECK_EQ(h_stats(p.b).ipsec_in_sock_policy, 1);
    add_sas(&p, &algs[0], SIX_IPSEC_MODE_TRANSPORT);
    CHECK_OK(six_setsockopt(ua, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &v, sizeof(v)));
    udp_roundtrip(&p, ua, ub, &p.addr_b, "protected");
    /* AH is required too now: no AH came, refused. */
    CHECK_OK(six_setsockopt(ub, IPPROTO_IPV6, IPV6_AUTH_LEVEL, &v, sizeof(v)));
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, "esp only", 8)), 8);
    h_pump(&p);
    H_NOTHING(ub);
    CHECK_EQ(h_stats(p.b).ipsec_in_sock_policy, 2);
    h_done(&p);
}

/* 3000 bytes under ESP: protected first, fragmented after (RFC 4301
 * 5.1), reassembled and opened by B. */
TEST(esp_fragmented_payload) {
    struct hpair p;
    struct hcap c;
    static char big[3001], buf[4000];
    int ua, ub;
    setup_ab(&p, &ua, &ub);
    memset(big, 'z', 3000);
    hcap_start(&c, p.a, p.ifa, "frag");
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, big, 3000)), 3000);
    h_pump(&p);
    hcap_stop(&c);
    CHECK_EQ(CHECK_OK(h_recv(ub, buf, sizeof(buf), NULL)), 3000);
    CHECK_MEM(buf, big, 3000);
    CHECK_EQ(c.n, 3);
    for (int k = 0; k < c.n; k++) {
        struct hfrag fr = hcap_frag(&c.f[k]);
        CHECK(fr.is_frag);
        CHECK_EQ(fr.nxt, 50);   /* the fragments carry ESP */
    }
    hcap_free(&c);
    CHECK_EQ(h_stats(p.b).reass_ok, 1);
    CHECK_EQ(h_stats(p.b).ipsec_in_esp, 1);
    h_done(&p);
}

TEST(esp_tunnel_mode_both_ways) {
    static const struct alg *use[] = {&algs[0], &algs[2], &algs[3]};
    for (size_t i = 0; i < 3; i++) {
        struct hpair p;
        struct hcap c;
        h_up(&p);
        add_sas(&p, use[i], SIX_IPSEC_MODE_TUNNEL);
        add_policies(&p, SIX_IPSEC_MODE_TUNNEL, IPPROTO_UDP);
        int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
        hcap_start(&c, p.a, p.ifa, "tun");
        udp_roundtrip(&p, ua, ub, &p.addr_b, "tunnelled a to b");
        udp_roundtrip(&p, ub, ua, &p.addr_a, "tunnelled b to a");
        hcap_stop(&c);
        CHECK_EQ(c.n, 2);
        CHECK_EQ(c.f[0].b[6], 50);
        CHECK_EQ(c.f[1].b[6], 50);
        hcap_free(&c);
        CHECK_EQ(h_stats(p.b).ipsec_in_esp, 1);
        CHECK_EQ(h_stats(p.b).ipsec_in_policy, 0);
        h_done(&p);
    }
}

/* A tunnel SA's packets do not meet a transport policy, nor the other
 * way round: RFC 4301 5.2 checks how a packet was protected. */
TEST(tunnel_packet_against_transport_policy_dropped) {
    struct hpair p;
    h_up(&p);
    add_sas(&p, &algs[0], SIX_IPSEC_MODE_TUNNEL);
    struct six_sp a_out = host_sp(&p.addr_a, &p.addr_b, SIX_SP_OUT, SIX_IPSEC_MODE_TUNNEL,
                                  IPPROTO_UDP);
    struct six_sp b_in = host_sp(&p.addr_a, &p.addr_b, SIX_SP_IN, SIX_IPSEC_MODE_TRANSPORT,
                                 IPPROTO_UDP);
    CHECK_OK(six_sp_add(p.a, &a_out));
    CHECK_OK(six_sp_add(p.b, &b_in));
    int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, "x", 1)), 1);
    h_pump(&p);
    H_NOTHING(ub);
    CHECK_EQ(h_stats(p.b).ipsec_in_esp, 1);
    CHECK_EQ(h_stats(p.b).ipsec_in_policy, 1);
    h_done(&p);
}

/* NULL encryption without integrity lets the test write the trailer:
 * padding that is not 1, 2, 3, ... is dropped and counted. */
TEST(bad_padding_dropped_and_counted) {
    struct hpair p;
    const struct alg null_alg = {"null", SIX_ENC_NULL, 0, SIX_AUTH_NONE, 0};
    struct hframe f;
    h_up(&p);
    struct six_sa ab = make_sa(&p.addr_a, &p.addr_b, SPI_AB, &null_alg, 0);
    CHECK_OK(six_sa_add(p.b, &ab));
    int ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    /* ESP(SPI, seq 1) | UDP 8 + "hi" | pad 1 2 | pad len 2 | nxt 17:
     * 10 + 2 + 2 = 14, not a multiple of 4; so "hi!!" (12) + 2 pad + 2 = 16. */
    h_frame_ab(&p, &f, 50);
    uint8_t esp[8] = {0, 0, 0x10, 0x01, 0, 0, 0, 1};
    h_put(&f, esp, 8);
    uint8_t udp[12] = {0x1b, 0x58, 0x1b, 0x58, 0, 12, 0, 0, 'h', 'i', '!', '!'};
    size_t uoff = h_put(&f, udp, 12);
    uint8_t trailer[4] = {1, 2, 2, 17};
    h_put(&f, trailer, 4);
    h_end(&f);
    /* The UDP checksum over the inner datagram. */
    h_put16(f.b + uoff + 6, h_cksum(&p.addr_a, &p.addr_b, 17, f.b + uoff, 12));
    inject_b(&p, f.b, f.len);
    char buf[16];
    CHECK_EQ(CHECK_OK(h_recv(ub, buf, sizeof(buf), NULL)), 4);
    CHECK_EQ(h_stats(p.b).ipsec_in_esp, 1);
    /* Same with padding 7 7 (seq 2): dropped. */
    f.b[40 + 7] = 2;
    f.b[40 + 8 + 12] = 7;
    f.b[40 + 8 + 13] = 7;
    inject_b(&p, f.b, f.len);
    H_NOTHING(ub);
    CHECK_EQ(h_stats(p.b).ipsec_in_bad_padding, 1);
    /* Pad Length past the payload (seq 3): dropped. */
    f.b[40 + 7] = 3;
    f.b[40 + 8 + 14] = 200;
    inject_b(&p, f.b, f.len);
    CHECK_EQ(h_stats(p.b).ipsec_in_bad_padding, 2);
    h_done(&p);
}

TEST(sa_lifetimes_soft_and_hard) {
    struct hpair p;
    int ua, ub;
    h_up(&p);
    struct six_sa ab = make_sa(&p.addr_a, &p.addr_b, SPI_AB, &algs[0], 0);
    ab.soft.seconds = 5;
    ab.hard.seconds = 10;
    CHECK_OK(six_sa_add(p.a, &ab));
    ab.soft = (struct six_sa_lifetime){.bytes = 100};
    ab.hard = (struct six_sa_lifetime){.bytes = 200};
    CHECK_OK(six_sa_add(p.b, &ab));
    struct six_sp a_out = host_sp(&p.addr_a, &p.addr_b, SIX_SP_OUT, 0, IPPROTO_UDP);
    CHECK_OK(six_sp_add(p.a, &a_out));
    ua = udp_sock(&p, p.a, &p.addr_a, PORT);
    ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    udp_roundtrip(&p, ua, ub, &p.addr_b, "first");
    CHECK_EQ(h_stats(p.a).ipsec_sa_soft_expired, 0);
    h_advance(&p, 6000000);
    udp_roundtrip(&p, ua, ub, &p.addr_b, "after the soft limit");
    CHECK_EQ(h_stats(p.a).ipsec_sa_soft_expired, 1);
    /* B's SA has checked 13 + 28 bytes of payload; 100 trips it soft. */
    char big[120];
    memset(big, 'b', sizeof(big));
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, big, 60)), 60);
    h_pump(&p);
    CHECK_EQ(h_stats(p.b).ipsec_sa_soft_expired, 1);
    /* Past 200 bytes B deletes its SA: the packet that crosses is dropped. */
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, big, 120)), 120);
    h_pump(&p);
    CHECK_EQ(h_stats(p.b).ipsec_sa_hard_expired, 1);
    struct six_sa_stats ss;
    CHECK_ERRNO(six_sa_get_stats(p.b, &p.addr_b, SIX_IPSEC_PROTO_ESP, SPI_AB, &ss), ESRCH);
    /* A's SA dies at 10 s of the stack clock: sends then fail. */
    h_advance(&p, 5000000);
    CHECK_ERRNO(udp_send(ua, &p.addr_b, PORT, "late", 4), EAGAIN);
    CHECK_EQ(h_stats(p.a).ipsec_sa_hard_expired, 1);
    h_done(&p);
}

TEST(sa_and_policy_api_errors) {
    struct hpair p;
    h_up(&p);
    struct six_sa sa = make_sa(&p.addr_a, &p.addr_b, SPI_AB, &algs[0], 0);
    CHECK_OK(six_sa_add(p.a, &sa));
    CHECK_ERRNO(six_sa_add(p.a, &sa), EEXIST);
    struct six_sa bad = sa;
    bad.spi = 7;   /* reserved */
    CHECK_ERRNO(six_sa_add(p.a, &bad), EINVAL);
    bad = sa;
    bad.spi = 0x3000;
    bad.enc_key_len = 16;   /* GCM wants the salt too */
    CHECK_ERRNO(six_sa_add(p.a, &bad), EINVAL);
    bad = sa;
    bad.spi = 0x3000;
    bad.auth = SIX_AUTH_HMAC_SHA256_128;   /* an AEAD with an auth algorithm */
    bad.auth_key_len = 32;
    CHECK_ERRNO(six_sa_add(p.a, &bad), EINVAL);
    bad = sa;
    bad.spi = 0x3000;
    bad.enc = SIX_ENC_AES_CBC;   /* CBC without integrity */
    bad.enc_key_len = 16;
    CHECK_ERRNO(six_sa_add(p.a, &bad), EINVAL);
    bad = sa;
    bad.spi = 0x3000;
    bad.replay_window = SIX_SA_REPLAY_MAX + 1;
    CHECK_ERRNO(six_sa_add(p.a, &bad), EINVAL);
    CHECK_ERRNO(six_sa_del(p.a, &p.addr_b, &p.addr_b, SIX_IPSEC_PROTO_ESP, SPI_AB), ESRCH);
    CHECK_OK(six_sa_del(p.a, &p.addr_a, &p.addr_b, SIX_IPSEC_PROTO_ESP, SPI_AB));
    CHECK_ERRNO(six_sa_del(p.a, &p.addr_a, &p.addr_b, SIX_IPSEC_PROTO_ESP, SPI_AB), ESRCH);

    struct six_sp sp = host_sp(&p.addr_a, &p.addr_b, SIX_SP_OUT, 0, IPPROTO_UDP);
    CHECK_OK(six_sp_add(p.a, &sp));
    CHECK_ERRNO(six_sp_add(p.a, &sp), EEXIST);
    struct six_sp bsp = sp;
    bsp.src_plen = 129;
    CHECK_ERRNO(six_sp_add(p.a, &bsp), EINVAL);
    bsp = sp;
    bsp.ul_proto = IPPROTO_TCP;
    bsp.nreq = 0;   /* protect with nothing */
    CHECK_ERRNO(six_sp_add(p.a, &bsp), EINVAL);
    CHECK_OK(six_sp_del(p.a, &sp));
    CHECK_ERRNO(six_sp_del(p.a, &sp), ESRCH);
    CHECK_OK(six_sp_add(p.a, &sp));
    CHECK_OK(six_sp_flush(p.a));
    CHECK_ERRNO(six_sp_del(p.a, &sp), ESRCH);
    CHECK_OK(six_sa_add(p.a, &sa));
    CHECK_OK(six_sa_flush(p.a));
    struct six_sa_stats ss;
    CHECK_ERRNO(six_sa_get_stats(p.a, &p.addr_b, SIX_IPSEC_PROTO_ESP, SPI_AB, &ss), ESRCH);
    h_done(&p);
}

/* Not a check of its own: writes ESP traffic for tests/interop/
 * ipsec_tshark.sh to judge, with tshark's esp_sa table of the keys.
 * SIX_IPSEC_PCAP names the capture, SIX_IPSEC_UAT the table; without
 * them the case only runs the traffic. One port per algorithm and mode:
 * 7001 + i in transport mode, 7101 + i in tunnel mode, i in algs[]. */
TEST(capture_for_tshark) {
    const char *pcap = getenv("SIX_IPSEC_PCAP"), *uat = getenv("SIX_IPSEC_UAT");
    static const char *ws_enc[] = {
        [SIX_ENC_NULL] = "NULL",
        [SIX_ENC_AES_GCM_16] = "AES-GCM with 16 octet ICV [RFC4106]",
        [SIX_ENC_AES_CBC] = "AES-CBC [RFC3602]",
    };
    FILE *u = uat ? fopen(uat, "w") : NULL;
    struct hpair p;
    h_up(&p);
    if (pcap)
        CHECK_OK(six_if_capture(p.a, p.ifa, pcap));
    for (int mode = 0; mode < 2; mode++) {
        for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
            uint16_t port = (uint16_t)(7001 + 100 * mode + i);
            uint32_t spi_ab = 0x10000 + port, spi_ba = 0x20000 + port;
            struct six_sa ab = make_sa(&p.addr_a, &p.addr_b, spi_ab, &algs[i], mode);
            struct six_sa ba = make_sa(&p.addr_b, &p.addr_a, spi_ba, &algs[i], mode);
            CHECK_OK(six_sa_add(p.a, &ab));
            CHECK_OK(six_sa_add(p.a, &ba));
            CHECK_OK(six_sa_add(p.b, &ab));
            CHECK_OK(six_sa_add(p.b, &ba));
            struct six_sp a_out = host_sp(&p.addr_a, &p.addr_b, SIX_SP_OUT, mode, IPPROTO_UDP);
            struct six_sp b_out = host_sp(&p.addr_b, &p.addr_a, SIX_SP_OUT, mode, IPPROTO_UDP);
            a_out.dport = port;
            b_out.sport = port;
            CHECK_OK(six_sp_add(p.a, &a_out));
            CHECK_OK(six_sp_add(p.b, &b_out));
            /* tshark 4.0 has no ChaCha20-Poly1305 for ESP: no entry. */
            for (int k = 0; u && algs[i].enc != SIX_ENC_CHACHA20_POLY1305 && k < 2; k++) {
                const struct six_sa *sa = k ? &ba : &ab;
                char src[64], dst[64];
                inet_ntop(AF_INET6, &sa->src, src, sizeof(src));
                inet_ntop(AF_INET6, &sa->dst, dst, sizeof(dst));
                fprintf(u, "\"IPv6\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x", src, dst, sa->spi,
                        ws_enc[sa->enc]);
                for (unsigned b = 0; b < sa->enc_key_len; b++)
                    fprintf(u, "%02x", sa->enc_key[b]);
                fprintf(u, "\",\"%s\",\"0x", sa->auth ? "HMAC-SHA-256-128 [RFC4868]" : "NULL");
                for (unsigned b = 0; b < sa->auth_key_len; b++)
                    fprintf(u, "%02x", sa->auth_key[b]);
                fprintf(u, "\"\n");
            }
            int ua = udp_sock(&p, p.a, &p.addr_a, port), ub = udp_sock(&p, p.b, &p.addr_b, port);
            char msg[64];
            snprintf(msg, sizeof(msg), "plain text %s %s", algs[i].name,
                     mode ? "tunnel" : "transport");
            udp_roundtrip_port(&p, ua, ub, &p.addr_b, port, msg);
            udp_roundtrip_port(&p, ub, ua, &p.addr_a, port, msg);
            h_close(&p, ua);
            h_close(&p, ub);
        }
    }
    if (pcap)
        CHECK_OK(six_if_capture(p.a, p.ifa, NULL));
    if (u)
        fclose(u);
    h_done(&p);
}

/* ---- AH (RFC 4302) ---- */

static struct six_sa ah_sa(const struct in6_addr *src, const struct in6_addr *dst, uint32_t spi,
                           enum six_ipsec_mode mode) {
    const struct alg a = {"ah", SIX_ENC_NONE, 0, SIX_AUTH_HMAC_SHA256_128, 0};
    struct six_sa sa = make_sa(src, dst, spi, &a, mode);
    sa.proto = SIX_IPSEC_PROTO_AH;
    return sa;
}

static void add_ah_sas(struct hpair *p, enum six_ipsec_mode mode, int esn) {
    struct six_sa ab = ah_sa(&p->addr_a, &p->addr_b, 0x3001, mode);
    struct six_sa ba = ah_sa(&p->addr_b, &p->addr_a, 0x3002, mode);
    ab.esn = ba.esn = esn;
    CHECK_OK(six_sa_add(p->a, &ab));
    CHECK_OK(six_sa_add(p->a, &ba));
    CHECK_OK(six_sa_add(p->b, &ab));
    CHECK_OK(six_sa_add(p->b, &ba));
}

/* Policies asking for AH (and ESP inside it when with_esp), both ways. */
static void add_ah_policies(struct hpair *p, enum six_ipsec_mode mode, int with_esp) {
    struct six_sp sps[4] = {
        host_sp(&p->addr_a, &p->addr_b, SIX_SP_OUT, mode, IPPROTO_UDP),
        host_sp(&p->addr_b, &p->addr_a, SIX_SP_IN, mode, IPPROTO_UDP),
        host_sp(&p->addr_b, &p->addr_a, SIX_SP_OUT, mode, IPPROTO_UDP),
        host_sp(&p->addr_a, &p->addr_b, SIX_SP_IN, mode, IPPROTO_UDP),
    };
    for (int i = 0; i < 4; i++) {
        sps[i].req[0].proto = SIX_IPSEC_PROTO_AH;
        if (with_esp) {
            sps[i].req[1] = sps[i].req[0];
            sps[i].req[0].proto = SIX_IPSEC_PROTO_ESP;
            sps[i].req[0].mode = SIX_IPSEC_MODE_TRANSPORT;
            sps[i].nreq = 2;
        }
        CHECK_OK(six_sp_add(i < 2 ? p->a : p->b, &sps[i]));
    }
}

TEST(ah_transport_and_tunnel_udp_both_ways) {
    for (int mode = 0; mode < 2; mode++) {
        struct hpair p;
        struct hcap c;
        h_up(&p);
        add_ah_sas(&p, mode, mode);   /* ESN in tunnel mode */
        add_ah_policies(&p, mode, 0);
        int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
        hcap_start(&c, p.a, p.ifa, "ah");
        udp_roundtrip(&p, ua, ub, &p.addr_b, "authenticated a to b");
        udp_roundtrip(&p, ub, ua, &p.addr_a, "authenticated b to a");
        hcap_stop(&c);
        CHECK_EQ(c.n, 2);
        for (int k = 0; k < 2; k++) {
            CHECK_EQ(c.f[k].b[6], 51);
            /* AH's Next Header: the inner packet, or UDP. */
            CHECK_EQ(c.f[k].b[40], mode ? 41 : 17);
            CHECK_EQ(c.f[k].b[40 + 1], 6);    /* 32 octets: 12 + ICV 16 + 4 padding */
            CHECK(contains(c.f[k].b, c.f[k].len, "authenticated"));   /* integrity only */
        }
        hcap_free(&c);
        CHECK_EQ(h_stats(p.b).ipsec_in_ah, 1);
        CHECK_EQ(h_stats(p.a).ipsec_in_ah, 1);
        h_done(&p);
    }
}

/* The ICV covers immutable fields and data, not the hop limit or the
 * class and flow label, which may change on the way. B learns its SAs
 * only after A's two packets came (dropped: no SA), so the test can hand
 * it changed copies of packets it has not accepted. */
TEST(ah_icv_covers_immutable_fields_only) {
    struct hpair p;
    struct hcap c;
    static struct hcap_frame f1, f2;
    char buf[16];
    h_up(&p);
    struct six_sa ab = ah_sa(&p.addr_a, &p.addr_b, 0x3001, 0);
    CHECK_OK(six_sa_add(p.a, &ab));
    struct six_sp out = host_sp(&p.addr_a, &p.addr_b, SIX_SP_OUT, 0, IPPROTO_UDP);
    out.req[0].proto = SIX_IPSEC_PROTO_AH;
    CHECK_OK(six_sp_add(p.a, &out));
    int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    hcap_start(&c, p.a, p.ifa, "ahm");
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, "first", 5)), 5);
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, "second", 6)), 6);
    h_pump(&p);
    hcap_stop(&c);
    CHECK_EQ(c.n, 2);
    f1 = c.f[0];
    f2 = c.f[1];
    hcap_free(&c);
    CHECK_EQ(h_stats(p.b).ipsec_in_no_sa, 2);
    CHECK_OK(six_sa_add(p.b, &ab));
    /* Hop limit, class and flow label changed: still authentic. */
    f1.b[7] = 3;
    f1.b[1] |= 0x0a;
    f1.b[3] = 0x77;
    inject_b(&p, f1.b, f1.len);
    CHECK_EQ(CHECK_OK(h_recv(ub, buf, sizeof(buf), NULL)), 5);
    CHECK_EQ(h_stats(p.b).ipsec_in_ah, 1);
    /* One byte of the data changed: the ICV does not match. */
    f2.b[f2.len - 1] ^= 1;
    inject_b(&p, f2.b, f2.len);
    H_NOTHING(ub);
    CHECK_EQ(h_stats(p.b).ipsec_in_auth_failed, 1);
    /* The next header AH names is immutable too. */
    f2.b[f2.len - 1] ^= 1;
    f2.b[40] = 59;
    inject_b(&p, f2.b, f2.len);
    CHECK_EQ(h_stats(p.b).ipsec_in_auth_failed, 2);
    h_done(&p);
}

/* ESP inside AH (setkey's esp/transport//require ah/transport//require):
 * both applied on output, both removed and required on input. */
TEST(esp_inside_ah_both_ways) {
    struct hpair p;
    struct hcap c;
    h_up(&p);
    add_sas(&p, &algs[0], SIX_IPSEC_MODE_TRANSPORT);
    add_ah_sas(&p, 0, 0);
    add_ah_policies(&p, 0, 1);
    int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    hcap_start(&c, p.a, p.ifa, "espah");
    udp_roundtrip(&p, ua, ub, &p.addr_b, "both a to b");
    udp_roundtrip(&p, ub, ua, &p.addr_a, "both b to a");
    hcap_stop(&c);
    CHECK_EQ(c.n, 2);
    CHECK_EQ(c.f[0].b[6], 51);
    CHECK_EQ(c.f[0].b[40], 50);
    CHECK(!contains(c.f[0].b, c.f[0].len, "both"));
    hcap_free(&c);
    CHECK_EQ(h_stats(p.b).ipsec_in_ah, 1);
    CHECK_EQ(h_stats(p.b).ipsec_in_esp, 1);
    CHECK_EQ(h_stats(p.b).ipsec_in_policy, 0);
    /* ESP alone where the policy wants AH too: refused by B's policy. */
    CHECK_OK(six_sp_flush(p.a));
    struct six_sp esp_only = host_sp(&p.addr_a, &p.addr_b, SIX_SP_OUT, 0, IPPROTO_UDP);
    CHECK_OK(six_sp_add(p.a, &esp_only));
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, "esp only", 8)), 8);
    h_pump(&p);
    H_NOTHING(ub);
    CHECK_EQ(h_stats(p.b).ipsec_in_policy, 1);
    h_done(&p);
}

/* ---- IPComp (RFC 3173) with DEFLATE ---- */

static void add_ipcomp(struct hpair *p, int with_esp) {
    struct six_sa ab, ba;
    memset(&ab, 0, sizeof(ab));
    ab.src = p->addr_a;
    ab.dst = p->addr_b;
    ab.proto = SIX_IPSEC_PROTO_IPCOMP;
    ab.spi = 0x400;
    ab.comp = SIX_COMP_DEFLATE;
    ba = ab;
    ba.src = p->addr_b;
    ba.dst = p->addr_a;
    ba.spi = 0x401;
    CHECK_OK(six_sa_add(p->a, &ab));
    CHECK_OK(six_sa_add(p->a, &ba));
    CHECK_OK(six_sa_add(p->b, &ab));
    CHECK_OK(six_sa_add(p->b, &ba));
    struct six_sp out = host_sp(&p->addr_a, &p->addr_b, SIX_SP_OUT, 0, IPPROTO_UDP);
    out.req[0].proto = SIX_IPSEC_PROTO_IPCOMP;
    out.req[0].level = SIX_SP_LEVEL_USE;
    if (with_esp) {
        out.req[1] = (struct six_sp_req){.proto = SIX_IPSEC_PROTO_ESP,
                                         .level = SIX_SP_LEVEL_REQUIRE};
        out.nreq = 2;
    }
    CHECK_OK(six_sp_add(p->a, &out));
}

TEST(ipcomp_compresses_what_shrinks) {
    struct hpair p;
    struct hcap c;
    static char big[20000], buf[20001], noise[1000];
    h_up(&p);
    add_ipcomp(&p, 0);
    int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = "the same words again and again "[i % 31];
    uint64_t x = 88172645463325252ull;   /* xorshift: bytes that do not compress */
    for (size_t i = 0; i < sizeof(noise); i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        noise[i] = (char)x;
    }
    hcap_start(&c, p.a, p.ifa, "comp");
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, big, 1000)), 1000);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(ub, buf, sizeof(buf), NULL)), 1000);
    CHECK_MEM(buf, big, 1000);
    udp_roundtrip(&p, ua, ub, &p.addr_b, "short");          /* under 90 bytes */
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, noise, sizeof(noise))), sizeof(noise));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(ub, buf, sizeof(buf), NULL)), sizeof(noise));
    CHECK_MEM(buf, noise, sizeof(noise));
    /* 20000 bytes compress into one small packet, inflated by B into a
     * buffer of the large pool. */
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, big, sizeof(big))), sizeof(big));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(ub, buf, sizeof(buf), NULL)), sizeof(big));
    CHECK_MEM(buf, big, sizeof(big));
    hcap_stop(&c);
    CHECK_EQ(c.n, 4);
    CHECK_EQ(c.f[0].b[6], 108);
    CHECK(c.f[0].len < 200);
    CHECK_EQ(c.f[1].b[6], 17);
    CHECK_EQ(c.f[2].b[6], 17);
    CHECK_EQ(c.f[3].b[6], 108);
    CHECK(c.f[3].len < 1280);
    hcap_free(&c);
    CHECK_EQ(h_stats(p.a).ipsec_out_ipcomp, 2);
    CHECK_EQ(h_stats(p.a).ipsec_out_ipcomp_skipped, 2);
    CHECK_EQ(h_stats(p.b).ipsec_in_ipcomp, 2);
    h_done(&p);
}

TEST(ipcomp_inside_esp) {
    struct hpair p;
    struct hcap c;
    static char big[1200], buf[1300];
    h_up(&p);
    add_ipcomp(&p, 1);
    add_sas(&p, &algs[2], SIX_IPSEC_MODE_TRANSPORT);
    int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    memset(big, 'q', sizeof(big));
    hcap_start(&c, p.a, p.ifa, "compesp");
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, big, sizeof(big))), sizeof(big));
    h_pump(&p);
    hcap_stop(&c);
    CHECK_EQ(CHECK_OK(h_recv(ub, buf, sizeof(buf), NULL)), sizeof(big));
    CHECK_EQ(c.n, 1);
    CHECK_EQ(c.f[0].b[6], 50);
    CHECK(c.f[0].len < 200);   /* compressed before encryption */
    hcap_free(&c);
    CHECK_EQ(h_stats(p.b).ipsec_in_esp, 1);
    CHECK_EQ(h_stats(p.b).ipsec_in_ipcomp, 1);
    h_done(&p);
}

/* What B cannot inflate, or would inflate past what an IPv6 packet
 * holds, is dropped and counted. */
TEST(ipcomp_garbage_and_bombs_dropped) {
    struct hpair p;
    struct hframe f;
    h_up(&p);
    add_ipcomp(&p, 0);
    int ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    h_frame_ab(&p, &f, 108);
    uint8_t hdr[4] = {17, 0, 0x04, 0x00};
    h_put(&f, hdr, 4);
    uint8_t junk[64];
    memset(junk, 0xff, sizeof(junk));
    h_put(&f, junk, sizeof(junk));
    h_end(&f);
    inject_b(&p, f.b, f.len);
    CHECK_EQ(h_stats(p.b).ipsec_in_comp_failed, 1);
    /* A stream of 1 MB of zeros (a stored zlib deflate of zeros is ~1 KB). */
    static uint8_t zeros[1 << 20], z[8192];
    z_stream s;
    memset(&s, 0, sizeof(s));
    CHECK(deflateInit2(&s, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) == Z_OK);
    s.next_in = zeros;
    s.avail_in = sizeof(zeros);
    s.next_out = z;
    s.avail_out = sizeof(z);
    CHECK(deflate(&s, Z_FINISH) == Z_STREAM_END);
    size_t zn = sizeof(z) - s.avail_out;
    deflateEnd(&s);
    h_frame_ab(&p, &f, 108);
    h_put(&f, hdr, 4);
    h_put(&f, z, zn);
    h_end(&f);
    inject_b(&p, f.b, f.len);
    CHECK_EQ(h_stats(p.b).ipsec_in_comp_failed, 2);
    /* Flags other than 0: malformed. Unknown CPI: no SA. */
    h_frame_ab(&p, &f, 108);
    uint8_t bad_flags[4] = {17, 1, 0x04, 0x00};
    h_put(&f, bad_flags, 4);
    h_put(&f, junk, 8);
    h_end(&f);
    inject_b(&p, f.b, f.len);
    CHECK_EQ(h_stats(p.b).ipsec_in_malformed, 1);
    f.b[41] = 0;
    f.b[43] = 0x99;
    inject_b(&p, f.b, f.len);
    CHECK_EQ(h_stats(p.b).ipsec_in_no_sa, 1);
    H_NOTHING(ub);
    CHECK_EQ(h_stats(p.b).icmp6_out_errors, 0);
    h_done(&p);
}

/* What ESP adds can take a packet over the path MTU: it then leaves in
 * fragments, unless the socket said IPV6_DONTFRAG (EMSGSIZE, nothing
 * sent). */
TEST(esp_growth_over_the_mtu_fragments_or_refuses_with_dontfrag) {
    struct hpair p;
    struct hcap c;
    static char big[1452], buf[1500];
    int ua, ub, on = 1;
    setup_ab(&p, &ua, &ub);
    memset(big, 'm', sizeof(big));   /* 1452 + 8 + 40: exactly 1500 in the clear */
    hcap_start(&c, p.a, p.ifa, "mtu");
    CHECK_EQ(CHECK_OK(udp_send(ua, &p.addr_b, PORT, big, sizeof(big))), sizeof(big));
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(ub, buf, sizeof(buf), NULL)), sizeof(big));
    CHECK_OK(six_setsockopt(ua, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof(on)));
    CHECK_ERRNO(udp_send(ua, &p.addr_b, PORT, big, sizeof(big)), EMSGSIZE);
    h_pump(&p);
    hcap_stop(&c);
    CHECK_EQ(c.n, 2);   /* the first datagram's two fragments, nothing after */
    CHECK(hcap_frag(&c.f[0]).is_frag);
    hcap_free(&c);
    CHECK_EQ(h_stats(p.a).frag_out_dontfrag, 1);
    H_NOTHING(ub);
    h_done(&p);
}

/* A tunnel between other addresses than the inner packet's, as between
 * two gateways: A's 2001:db8:a::1 talks to B's 2001:db8:b::1 through an
 * ESP tunnel from A's link address to B's; the wire shows only those. */
TEST(esp_tunnel_between_other_endpoints) {
    struct hpair p;
    struct hcap c;
    h_up(&p);
    struct in6_addr ia = h_in6("2001:db8:a::1"), ib = h_in6("2001:db8:b::1");
    CHECK_OK(six_addr_add(p.a, p.ifa, &ia, 128, 0));
    CHECK_OK(six_addr_add(p.b, p.ifb, &ib, 128, 0));
    struct in6_addr b_net = h_in6("2001:db8:b::"), a_net = h_in6("2001:db8:a::");
    CHECK_OK(six_route_add(p.a, &b_net, 48, &p.addr_b, p.ifa));
    CHECK_OK(six_route_add(p.b, &a_net, 48, &p.addr_a, p.ifb));
    add_sas(&p, &algs[0], SIX_IPSEC_MODE_TUNNEL);
    struct six_sp out = host_sp(&ia, &ib, SIX_SP_OUT, SIX_IPSEC_MODE_TUNNEL, IPPROTO_UDP);
    out.req[0].tsrc = p.addr_a;
    out.req[0].tdst = p.addr_b;
    struct six_sp in = host_sp(&ia, &ib, SIX_SP_IN, SIX_IPSEC_MODE_TUNNEL, IPPROTO_UDP);
    CHECK_OK(six_sp_add(p.a, &out));
    CHECK_OK(six_sp_add(p.b, &in));
    int ua = udp_sock(&p, p.a, &ia, PORT), ub = udp_sock(&p, p.b, &ib, PORT);
    hcap_start(&c, p.a, p.ifa, "gw");
    udp_roundtrip(&p, ua, ub, &ib, "behind the gateways");
    hcap_stop(&c);
    CHECK_EQ(c.n, 1);
    CHECK_EQ(c.f[0].b[6], 50);
    CHECK_MEM(c.f[0].b + 8, &p.addr_a, 16);
    CHECK_MEM(c.f[0].b + 24, &p.addr_b, 16);
    hcap_free(&c);
    CHECK_EQ(h_stats(p.b).ipsec_in_esp, 1);
    CHECK_EQ(h_stats(p.b).ipsec_in_policy, 0);
    h_done(&p);
}

/* ---- TCP ---- */

static int tcp_sock(struct hpair *p, struct six_stack *st) {
    int fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK(p->nsocks < H_MAX_SOCKS);
    p->socks[p->nsocks++] = fd;
    return fd;
}

static int tcp_listen(struct hpair *p, int level) {
    static const struct in6_addr any = IN6ADDR_ANY_INIT;
    struct sockaddr_in6 sin6 = h_sin6(&any, 0);
    int fd = tcp_sock(p, p->b);
    sin6.sin6_port = htons(PORT);
    if (level)
        CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &level, sizeof(level)));
    CHECK_OK(six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_listen(fd, 4));
    return fd;
}

static void tcp_connect(struct hpair *p, int fd) {
    struct sockaddr_in6 sin6 = h_sin6(&p->addr_b, 0);
    sin6.sin6_port = htons(PORT);
    CHECK_ERRNO(six_connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)), EINPROGRESS);
    h_pump(p);
}

/* Moves len bytes from fd_from to fd_to, the clocks running for delayed
 * ACKs; checks what arrives. */
static void tcp_move(struct hpair *p, int fd_from, int fd_to, const uint8_t *data, size_t len) {
    static uint8_t got[65536];
    size_t sent = 0, recvd = 0;
    CHECK(len <= sizeof(got));
    for (int round = 0; recvd < len && round < 200; round++) {
        if (sent < len) {
            ssize_t n = six_send(fd_from, data + sent, len - sent, MSG_DONTWAIT);
            if (n > 0)
                sent += (size_t)n;
        }
        h_pump(p);
        ssize_t n;
        while ((n = six_recv(fd_to, got + recvd, sizeof(got) - recvd, MSG_DONTWAIT)) > 0)
            recvd += (size_t)n;
        h_advance(p, 50000);
    }
    CHECK_EQ(recvd, len);
    CHECK_MEM(got, data, len);
}

/* A TCP socket at require takes only what came under ESP (RFC 4301 5.2
 * with the socket's own level, as KAME's tcp6_input): a clear SYN to a
 * listener and clear data to a connection are dropped without a RST and
 * counted; ESP both ways works, and the accepted socket has the
 * listener's level. */
TEST(tcp_socket_require_level_refuses_clear_segments) {
    struct hpair p;
    int req = SIX_IPSEC_LEVEL_REQUIRE, none = SIX_IPSEC_LEVEL_DEFAULT, got = -1;
    socklen_t glen = sizeof(got);
    struct hcap c;
    char buf[64];
    h_up(&p);
    int l = tcp_listen(&p, req);
    int ca = tcp_sock(&p, p.a);
    tcp_connect(&p, ca);
    CHECK_ERRNO(six_accept(l, NULL, NULL), EAGAIN);
    CHECK(h_stats(p.b).ipsec_in_sock_policy >= 1);
    CHECK_EQ(h_stats(p.b).tcp_out_rsts, 0);
    h_close(&p, ca);

    add_sas(&p, &algs[0], SIX_IPSEC_MODE_TRANSPORT);
    ca = tcp_sock(&p, p.a);
    CHECK_OK(six_setsockopt(ca, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &req, sizeof(req)));
    hcap_start(&c, p.a, p.ifa, "tcpreq");
    tcp_connect(&p, ca);
    int sb = (int)CHECK_OK(six_accept4(l, NULL, NULL, SOCK_NONBLOCK));
    p.socks[p.nsocks++] = sb;
    CHECK_OK(six_getsockopt(sb, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &got, &glen));
    CHECK_EQ(got, SIX_IPSEC_LEVEL_REQUIRE);
    tcp_move(&p, ca, sb, (const uint8_t *)"under esp", 9);
    tcp_move(&p, sb, ca, (const uint8_t *)"back under esp", 14);
    hcap_stop(&c);
    CHECK(c.n >= 5);
    for (int k = 0; k < c.n; k++)
        CHECK_EQ(c.f[k].b[6], 50);   /* the SYN-ACK and every other segment */
    hcap_free(&c);

    /* A drops its level: its data goes in the clear, B's socket refuses it. */
    uint64_t before = h_stats(p.b).ipsec_in_sock_policy;
    CHECK_OK(six_setsockopt(ca, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &none, sizeof(none)));
    CHECK_EQ(CHECK_OK(six_send(ca, "clear", 5, 0)), 5);
    h_pump(&p);
    CHECK_ERRNO(six_recv(sb, buf, sizeof(buf), 0), EAGAIN);
    CHECK(h_stats(p.b).ipsec_in_sock_policy > before);
    h_done(&p);
}

/* TCP's MSS leaves room for ESP (transport: header, IV, padding, trailer,
 * ICV; tunnel: an IPv6 header more): full-size segments fill the link's
 * MTU without going over it, so nothing leaves in fragments. */
TEST(tcp_mss_leaves_room_for_esp) {
    static const struct {
        const struct alg *a;
        enum six_ipsec_mode mode;
    } cases[] = {{&algs[0], SIX_IPSEC_MODE_TRANSPORT},
                 {&algs[3], SIX_IPSEC_MODE_TRANSPORT},
                 {&algs[2], SIX_IPSEC_MODE_TUNNEL}};
    static uint8_t data[12000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + i / 251);
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct hpair p;
        struct hcap c;
        unsigned biggest = 0;
        h_up(&p);
        add_sas(&p, cases[k].a, cases[k].mode);
        add_policies(&p, cases[k].mode, IPPROTO_TCP);
        int l = tcp_listen(&p, 0);
        int ca = tcp_sock(&p, p.a);
        tcp_connect(&p, ca);
        int sb = (int)CHECK_OK(six_accept4(l, NULL, NULL, SOCK_NONBLOCK));
        p.socks[p.nsocks++] = sb;
        hcap_start(&c, p.a, p.ifa, "tcpmss");
        tcp_move(&p, ca, sb, data, sizeof(data));
        hcap_stop(&c);
        for (int f = 0; f < c.n; f++) {
            CHECK(!hcap_frag(&c.f[f]).is_frag);
            CHECK_EQ(c.f[f].b[6], 50);
            if (c.f[f].len > biggest)
                biggest = c.f[f].len;
        }
        hcap_free(&c);
        /* Full segments: at most the MTU, within a block and a bit of it. */
        CHECK(biggest <= 1500);
        CHECK(biggest > 1500 - 20);
        CHECK_EQ(h_stats(p.a).frag_out_fragments, 0);
        h_done(&p);
    }
}

static char life_log[1024];

static void keep_log(void *ctx, const char *line) {
    (void)ctx;
    size_t n = strlen(life_log);
    snprintf(life_log + n, sizeof(life_log) - n, "%s\n", line);
}

/* Lifetimes in seconds run on the stack clock (a timer), not only when
 * an SA is used: an idle SA is counted soft at its soft limit and deleted
 * at its hard one, each with a line in the stack's log; the earliest
 * deadline of several SAs fires first and deleting an SA early leaves the
 * timer nothing to trip on. */
TEST(sa_time_lifetimes_expire_on_the_clock_when_idle) {
    struct hpair p;
    struct six_sa_stats ss;
    h_up(&p);
    life_log[0] = 0;
    six_stack_set_log(p.a, keep_log, NULL);
    struct six_sa ab = make_sa(&p.addr_a, &p.addr_b, SPI_AB, &algs[0], 0);
    ab.soft.seconds = 5;
    ab.hard.seconds = 10;
    CHECK_OK(six_sa_add(p.a, &ab));
    struct six_sa ba = make_sa(&p.addr_b, &p.addr_a, SPI_BA, &algs[0], 0);
    ba.soft.seconds = 2;
    ba.hard.seconds = 3;
    CHECK_OK(six_sa_add(p.a, &ba));
    struct six_sa gone = make_sa(&p.addr_a, &p.addr_b, 0x3003, &algs[0], 0);
    gone.hard.seconds = 1;
    CHECK_OK(six_sa_add(p.a, &gone));
    CHECK_OK(six_sa_del(p.a, &p.addr_a, &p.addr_b, SIX_IPSEC_PROTO_ESP, 0x3003));
    h_advance(&p, 1999999);
    CHECK_EQ(h_stats(p.a).ipsec_sa_soft_expired, 0);
    CHECK_EQ(h_stats(p.a).ipsec_sa_hard_expired, 0);
    h_advance(&p, 1);
    CHECK_EQ(h_stats(p.a).ipsec_sa_soft_expired, 1);
    CHECK(strstr(life_log, "ipsec: SA 2001:db8::2 2001:db8::1 esp 0x2002: soft lifetime reached\n"));
    h_advance(&p, 1000000);
    CHECK_EQ(h_stats(p.a).ipsec_sa_hard_expired, 1);
    CHECK(strstr(life_log, "ipsec: SA 2001:db8::2 2001:db8::1 esp 0x2002: hard lifetime reached, "
                           "deleted\n"));
    CHECK_ERRNO(six_sa_get_stats(p.a, &p.addr_a, SIX_IPSEC_PROTO_ESP, SPI_BA, &ss), ESRCH);
    CHECK_OK(six_sa_get_stats(p.a, &p.addr_b, SIX_IPSEC_PROTO_ESP, SPI_AB, &ss));
    h_advance(&p, 2000000);
    CHECK_EQ(h_stats(p.a).ipsec_sa_soft_expired, 2);
    CHECK_EQ(h_stats(p.a).ipsec_sa_hard_expired, 1);
    h_advance(&p, 5000000);
    CHECK_EQ(h_stats(p.a).ipsec_sa_soft_expired, 2);
    CHECK_EQ(h_stats(p.a).ipsec_sa_hard_expired, 2);
    CHECK_ERRNO(six_sa_get_stats(p.a, &p.addr_b, SIX_IPSEC_PROTO_ESP, SPI_AB, &ss), ESRCH);
    h_done(&p);
}

/* The ICMPv6 type and code selector (RFC 4301 4.4.1.1): a discard policy
 * for echo requests of code 5 refuses those and lets code 0 through; a
 * code without a type is refused by the API. */
TEST(spd_icmp6_type_and_code_selector) {
    struct hpair p;
    h_up(&p);
    struct six_sp sp;
    six_sp_init(&sp);
    sp.ul_proto = IPPROTO_ICMPV6;
    sp.icmp6_code = 5;
    sp.dir = SIX_SP_OUT;
    sp.action = SIX_SP_DISCARD;
    CHECK_ERRNO(six_sp_add(p.a, &sp), EINVAL);
    sp.icmp6_type = ICMP6_ECHO_REQUEST;
    CHECK_OK(six_sp_add(p.a, &sp));
    sp.icmp6_code = 256;
    CHECK_ERRNO(six_sp_add(p.a, &sp), EINVAL);
    int fd = h_sock(&p, p.a, IPPROTO_ICMPV6);
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    uint8_t echo[8] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1};
    CHECK_EQ(CHECK_OK(six_sendto(fd, echo, sizeof(echo), 0, (struct sockaddr *)&to, sizeof(to))),
             8);
    h_pump(&p);
    CHECK_EQ(h_stats(p.b).icmp6_in_echo_requests, 1);
    echo[1] = 5;
    CHECK_ERRNO(six_sendto(fd, echo, sizeof(echo), 0, (struct sockaddr *)&to, sizeof(to)), EPERM);
    h_pump(&p);
    CHECK_EQ(h_stats(p.b).icmp6_in_echo_requests, 1);
    CHECK_EQ(h_stats(p.a).ipsec_out_discard, 1);
    h_done(&p);
}

/* Level unique binds a policy's request to the SAs of its reqid (setkey
 * unique:N and -u N, as KAME and Linux): A holds an older SA of reqid 7
 * and a newer one without; unique:7 sends on the first, require on the
 * newest, unique:9 finds none (EAGAIN). */
TEST(unique_level_binds_the_sa_of_its_reqid) {
    struct hpair p;
    struct hcap c;
    char err[200];
    h_up(&p);
    struct six_sa bound = make_sa(&p.addr_a, &p.addr_b, SPI_AB, &algs[0], 0);
    struct six_sa other = make_sa(&p.addr_a, &p.addr_b, 0x1005, &algs[0], 0);
    CHECK_OK(six_sa_add(p.b, &bound));
    CHECK_OK(six_sa_add(p.b, &other));
    CHECK_OK(six_setkey_apply(p.a,
        "add 2001:db8::1 2001:db8::2 esp 0x1001 -u 7 -E aes-gcm-16 "
        "0x01080f161d242b323940474e555c636a71787f86;\n"
        "add 2001:db8::1 2001:db8::2 esp 0x1005 -E aes-gcm-16 "
        "0x050c131a21282f363d444b525960676e757c838a;\n"
        "spdadd 2001:db8::1 2001:db8::2 udp -P out ipsec esp/transport//unique:7;\n",
        err, sizeof(err)));
    int ua = udp_sock(&p, p.a, &p.addr_a, PORT), ub = udp_sock(&p, p.b, &p.addr_b, PORT);
    hcap_start(&c, p.a, p.ifa, "uniq");
    udp_roundtrip(&p, ua, ub, &p.addr_b, "on the bound SA");
    CHECK_OK(six_setkey_apply(p.a,
        "spddelete 2001:db8::1 2001:db8::2 udp -P out;\n"
        "spdadd 2001:db8::1 2001:db8::2 udp -P out ipsec esp/transport//require;\n",
        err, sizeof(err)));
    udp_roundtrip(&p, ua, ub, &p.addr_b, "on the newest SA");
    hcap_stop(&c);
    CHECK_EQ(c.n, 2);
    CHECK_EQ(h_get32(c.f[0].b + 40), SPI_AB);
    CHECK_EQ(h_get32(c.f[1].b + 40), 0x1005);
    hcap_free(&c);
    CHECK_OK(six_setkey_apply(p.a,
        "spddelete 2001:db8::1 2001:db8::2 udp -P out;\n"
        "spdadd 2001:db8::1 2001:db8::2 udp -P out ipsec esp/transport//unique:9;\n",
        err, sizeof(err)));
    CHECK_ERRNO(udp_send(ua, &p.addr_b, PORT, "none", 4), EAGAIN);
    /* A reqid belongs to unique only; setkey wants one from 1. */
    struct six_sp sp = host_sp(&p.addr_a, &p.addr_b, SIX_SP_OUT, 0, IPPROTO_TCP);
    sp.req[0].reqid = 7;
    CHECK_ERRNO(six_sp_add(p.a, &sp), EINVAL);
    sp.req[0].level = SIX_SP_LEVEL_UNIQUE;
    CHECK_OK(six_sp_add(p.a, &sp));
    CHECK_ERRNO(six_setkey_apply(p.a, "spdadd ::/0 ::/0 any -P out ipsec esp/transport//unique:0;",
                                 err, sizeof(err)), EINVAL);
    CHECK_ERRNO(six_setkey_apply(p.a, "add 2001:db8::1 2001:db8::2 esp 0x1009 -u 0 -E null;",
                                 err, sizeof(err)), EINVAL);
    h_done(&p);
}
