/* libFuzzer harness: IPsec input with SAs installed. Each input is the
 * payload of an IPv6 packet from 2001:db8::1 to the stack's 2001:db8::2
 * whose Next Header is ESP, AH or IPComp (the input's first byte picks
 * which), received on a memwire interface and taken through the whole
 * input path: SA lookup, the replay window, ICV checks, decryption,
 * padding, inflation, tunnel decapsulation, the walk of what is inside,
 * the inbound policy, UDP delivery.
 *
 * SAs the fuzzer can satisfy without a key, so that it gets past the
 * cryptography: ESP with NULL encryption and no integrity (SPI 0x100 in
 * transport mode, 0x101 in tunnel mode), IPComp (CPI 0x300 transport,
 * 0x301 tunnel); and ones it cannot, for the failure paths: ESP with
 * AES-GCM-16 (0x102), AES-CBC + HMAC with ESN (0x103), AH (0x200). The
 * inbound policy wants ESP for UDP to port 7, which a socket reads. Every
 * input meets the SAs as new (their windows would make runs depend on
 * order): an SA that counted a packet is deleted and added again after
 * the input; the others are as they were added (setting one up costs far
 * more than the input: a DEFLATE stream, cipher contexts). After each
 * input no packet buffer may be out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sixstack/ipsec.h>
#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "fuzz_stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct six_stack *st, *peer;
static unsigned if_st;
static int udp_fd;
static uint64_t now_us;
static struct in6_addr a_peer, a_st;

static struct six_sa sa(uint8_t proto, uint32_t spi, enum six_ipsec_mode mode) {
    struct six_sa s;
    memset(&s, 0, sizeof(s));
    s.src = a_peer;
    s.dst = a_st;
    s.proto = proto;
    s.spi = spi;
    s.mode = mode;
    s.replay_window = proto == SIX_IPSEC_PROTO_IPCOMP ? 0 : 64;
    return s;
}

static void add(const struct six_sa *s) {
    if (six_sa_add(st, s) < 0)
        die("six_sa_add");
}

#define NSAS 7
static struct six_sa sas[NSAS];

static void make_sas(void) {
    struct six_sa *s = sas;
    *s = sa(SIX_IPSEC_PROTO_ESP, 0x100, SIX_IPSEC_MODE_TRANSPORT);
    s->enc = SIX_ENC_NULL;
    *++s = sa(SIX_IPSEC_PROTO_ESP, 0x101, SIX_IPSEC_MODE_TUNNEL);
    s->enc = SIX_ENC_NULL;
    *++s = sa(SIX_IPSEC_PROTO_ESP, 0x102, SIX_IPSEC_MODE_TRANSPORT);
    s->enc = SIX_ENC_AES_GCM_16;
    s->enc_key_len = 20;
    *++s = sa(SIX_IPSEC_PROTO_ESP, 0x103, SIX_IPSEC_MODE_TRANSPORT);
    s->enc = SIX_ENC_AES_CBC;
    s->enc_key_len = 16;
    s->auth = SIX_AUTH_HMAC_SHA256_128;
    s->auth_key_len = 32;
    s->esn = 1;
    *++s = sa(SIX_IPSEC_PROTO_AH, 0x200, SIX_IPSEC_MODE_TRANSPORT);
    s->auth = SIX_AUTH_HMAC_SHA256_128;
    s->auth_key_len = 32;
    *++s = sa(SIX_IPSEC_PROTO_IPCOMP, 0x300, SIX_IPSEC_MODE_TRANSPORT);
    s->comp = SIX_COMP_DEFLATE;
    *++s = sa(SIX_IPSEC_PROTO_IPCOMP, 0x301, SIX_IPSEC_MODE_TUNNEL);
    s->comp = SIX_COMP_DEFLATE;
    for (int i = 0; i < NSAS; i++)
        add(&sas[i]);
}

/* Each SA as new again: the ones an input used (a packet counted, the
 * replay window moved) are deleted and added again. An SA's counters
 * are all that an input can change in it: the lifetimes have no limits,
 * and IPComp keeps nothing from one packet to the next. */
static void renew_sas(void) {
    for (int i = 0; i < NSAS; i++) {
        const struct six_sa *s = &sas[i];
        struct six_sa_stats ss;
        if (six_sa_get_stats(st, &s->dst, s->proto, s->spi, &ss) == 0 && ss.packets == 0 &&
            ss.bytes == 0 && ss.seq_in_top == 0 && ss.seq_out == 0)
            continue;
        if (six_sa_del(st, &s->src, &s->dst, s->proto, s->spi) < 0 && errno != ESRCH)
            die("six_sa_del");
        add(s);
    }
}

static void setup(void) {
    struct six_stack_config cfg;
    struct six_sp sp;
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(7)};

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 1;
    cfg.dad_transmits = 0;
    cfg.autoconf = 0;
    stack_pair(&cfg, "mw0", NULL, &st, &peer, &if_st, &(unsigned){0});
    add_addr(st, if_st, "2001:db8::2");
    inet_pton(AF_INET6, "2001:db8::1", &a_peer);
    inet_pton(AF_INET6, "2001:db8::2", &a_st);
    six_sp_init(&sp);
    sp.ul_proto = IPPROTO_UDP;
    sp.dport = 7;
    sp.dir = SIX_SP_IN;
    sp.action = SIX_SP_PROTECT;
    sp.nreq = 1;
    sp.req[0].proto = SIX_IPSEC_PROTO_ESP;
    sp.req[0].level = SIX_SP_LEVEL_USE;
    if (six_sp_add(st, &sp) < 0)
        die("six_sp_add");
    sin6.sin6_addr = a_st;
    if ((udp_fd = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0)) < 0 ||
        six_bind(udp_fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)
        die("udp");
    make_sas();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint8_t protos[4] = {50, 51, 108, 50};
    static uint8_t frame[40 + 65535];
    static uint64_t frags_seen;
    static char buf[65536];

    if (!st)
        setup();
    if (size < 1 || size - 1 > 65535)
        return 0;
    memset(frame, 0, 40);
    frame[0] = 0x60;
    frame[4] = (uint8_t)((size - 1) >> 8);
    frame[5] = (uint8_t)(size - 1);
    frame[6] = protos[data[0] & 3];
    frame[7] = 64;
    memcpy(frame + 8, &a_peer, 16);
    memcpy(frame + 24, &a_st, 16);
    memcpy(frame + 40, data + 1, size - 1);
    now_us += 1000;
    six_stack_poll(st, now_us);
    six_if_inject(st, if_st, frame, 40 + size - 1);
    settle_stacks((struct six_stack *[]){peer, st}, 2, now_us, 4);
    /* A fragment found inside waits 60 s for the rest: move past that,
     * so the pools can be checked. */
    struct six_stats stats;
    six_stack_stats(st, &stats);
    if (stats.reass_in_frags != frags_seen) {
        frags_seen = stats.reass_in_frags;
        now_us += 61ull * 1000000;
        six_stack_poll(st, now_us);
        six_stack_poll(peer, now_us);
    }
    while (six_recv(udp_fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
        ;
    if (six_stack_pkts_in_use(st) != 0 || six_stack_pkts_in_use(peer) != 0) {
        fprintf(stderr, "ipsec_fuzz: %u + %u packet buffers still out\n",
                six_stack_pkts_in_use(st), six_stack_pkts_in_use(peer));
        abort();
    }
    renew_sas();
    return 0;
}
