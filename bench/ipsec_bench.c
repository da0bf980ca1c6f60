/* ESP over loopback: UDP send + receive of 1400-byte datagrams through
 * sixstack with ESP transport mode (AES-GCM-128, ChaCha20-Poly1305), beside
 * the same datagrams without IPsec and the same crypto calls alone (one
 * seal and one open of the same bytes with the same table sixstack uses),
 * all in the same run.
 *
 * Figures: nanoseconds per packet, and the stack's share of an ESP
 * packet's time, (ESP - crypto) / ESP, against the target (under 15 %),
 * reported, not enforced; then what IPsec itself adds around the crypto
 * (policy lookup, SA, headers, padding, window), ESP - plain - crypto, as
 * its own share of the ESP packet.
 *
 * The three are measured in many short rounds, one after the other in
 * each round, and every figure is the median over the rounds (the shares
 * are medians of each round's share): on a shared machine the load moves
 * between long runs, much less within one round. Time is the thread's
 * CPU time (everything here runs on the calling thread, nothing waits):
 * on a loaded machine wall time also counts the time other processes had
 * the core, into whichever of the three was running.
 *
 * Linux XFRM between two namespaces would be the kernel's reference: this
 * machine's kernel has no IPv6 ESP and no AEAD, and a User-mode Linux
 * guest is no place to measure, so it is skipped and said so.
 *
 *     ipsec_bench [packets per round]
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sixstack/ipsec.h>
#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "bench.h"
#include "ipsec/crypto.h"

#define ROUNDS 25
#define SIZE 1400
#define PORT 9000

static const struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;

/* This thread's CPU time in seconds. */
static double cpu_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct alg {
    const char *name;
    enum six_ipsec_enc enc;
};

/* A stack with ESP on UDP over ::1 (enc NONE: no IPsec at all). */
static struct six_stack *make_stack(enum six_ipsec_enc enc) {
    struct six_stack *st = six_stack_new(NULL);
    if (!st) {
        perror("six_stack_new");
        exit(1);
    }
    if (enc == SIX_ENC_NONE)
        return st;
    struct six_sa sa;
    memset(&sa, 0, sizeof(sa));
    sa.src = sa.dst = lo;
    sa.proto = SIX_IPSEC_PROTO_ESP;
    sa.spi = 0x1000;
    sa.enc = enc;
    sa.enc_key_len = enc == SIX_ENC_AES_GCM_16 ? 20 : 36;
    for (unsigned i = 0; i < sa.enc_key_len; i++)
        sa.enc_key[i] = (uint8_t)(i * 11 + 1);
    sa.replay_window = 64;
    struct six_sp sp;
    six_sp_init(&sp);
    sp.src = sp.dst = lo;
    sp.src_plen = sp.dst_plen = 128;
    sp.ul_proto = IPPROTO_UDP;
    sp.dir = SIX_SP_OUT;
    sp.action = SIX_SP_PROTECT;
    sp.nreq = 1;
    sp.req[0].proto = SIX_IPSEC_PROTO_ESP;
    sp.req[0].level = SIX_SP_LEVEL_REQUIRE;
    if (six_sa_add(st, &sa) < 0 || six_sp_add(st, &sp) < 0) {
        perror("six_sa_add/six_sp_add");
        exit(1);
    }
    return st;
}

/* Nanoseconds per UDP send + receive of SIZE bytes over ::1 on st. */
static double udp_ns(struct six_stack *st, long iters) {
    struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
                              .sin6_port = htons(PORT)};
    static unsigned char out[SIZE], in[65536];
    int rx = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0);
    int tx = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0);

    if (rx < 0 || tx < 0 || six_bind(rx, (struct sockaddr *)&to, sizeof(to)) < 0) {
        perror("sockets");
        exit(1);
    }
    memset(out, 0x5a, sizeof(out));
    double t0 = cpu_now_s();
    for (long i = 0; i < iters; i++) {
        if (six_sendto(tx, out, SIZE, 0, (struct sockaddr *)&to, sizeof(to)) != SIZE ||
            six_recvfrom(rx, in, sizeof(in), 0, NULL, NULL) != SIZE) {
            perror("udp over loopback");
            exit(1);
        }
    }
    double t1 = cpu_now_s();
    six_close(tx);
    six_close(rx);
    return (t1 - t0) * 1e9 / (double)iters;
}

/* Nanoseconds per seal + open of what ESP encrypts for one datagram (UDP
 * header, data, 2 trailer bytes and padding to 4) with an 8-byte AAD. */
static double crypto_ns(enum six_ipsec_enc enc, long iters) {
    const struct six_crypto_ops *c = &six__crypto_openssl;
    uint8_t key[36], iv[8] = {0}, aad[8] = {0, 0, 0x10, 0}, tag[16];
    static uint8_t buf[8 + SIZE + 4];
    size_t len = (8 + SIZE + 2 + 3) / 4 * 4;

    for (unsigned i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(i * 11 + 1);
    struct six_crypto_sa *sa = c->sa_new(enc, key, enc == SIX_ENC_AES_GCM_16 ? 20 : 36,
                                         SIX_AUTH_NONE, NULL, 0);
    if (!sa) {
        fprintf(stderr, "crypto setup failed\n");
        exit(1);
    }
    memset(buf, 0x5a, sizeof(buf));
    double t0 = cpu_now_s();
    for (long i = 0; i < iters; i++) {
        iv[7] = (uint8_t)i;
        aad[7] = (uint8_t)i;
        if (c->aead_seal(sa, iv, aad, 8, buf, len, tag) < 0 ||
            c->aead_open(sa, iv, aad, 8, buf, len, tag) < 0) {
            fprintf(stderr, "crypto failed\n");
            exit(1);
        }
    }
    double t1 = cpu_now_s();
    c->sa_free(sa);
    return (t1 - t0) * 1e9 / (double)iters;
}

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 10000;
    static const struct alg algs[] = {{"aes-gcm-16 128", SIX_ENC_AES_GCM_16},
                                      {"chacha20-poly1305", SIX_ENC_CHACHA20_POLY1305}};
    struct six_stack *plain = make_stack(SIX_ENC_NONE);
    struct six_stack *esp[2] = {make_stack(algs[0].enc), make_stack(algs[1].enc)};
    double p[ROUNDS], e[2][ROUNDS], c[2][ROUNDS], share[2][ROUNDS], own[2][ROUNDS];

    printf("UDP send+receive of %d B over loopback, ESP transport, %ld packets a round, "
           "medians of %d rounds (ns per packet)\n", SIZE, iters, ROUNDS);
    for (int r = 0; r < ROUNDS; r++) {
        p[r] = udp_ns(plain, iters);
        for (int a = 0; a < 2; a++) {
            e[a][r] = udp_ns(esp[a], iters);
            c[a][r] = crypto_ns(algs[a].enc, iters);
            share[a][r] = (e[a][r] - c[a][r]) / e[a][r];
            own[a][r] = (e[a][r] - p[r] - c[a][r]) / e[a][r];
        }
    }
    double pm = bench_median(p, ROUNDS);
    printf("  %-20s %8.0f ns\n", "no IPsec", pm);
    for (int a = 0; a < 2; a++) {
        double em = bench_median(e[a], ROUNDS), cm = bench_median(c[a], ROUNDS);
        double sm = bench_median(share[a], ROUNDS), om = bench_median(own[a], ROUNDS);
        char what[96];
        printf("  %-20s %8.0f ns ESP, %6.0f ns the crypto alone (seal+open), IPsec around "
               "it %5.0f ns (%.0f %% of ESP), the rest of the stack %5.0f ns\n", algs[a].name,
               em, cm, om * em, 100 * om, pm);
        snprintf(what, sizeof(what), "ESP %s: stack share of a packet", algs[a].name);
        /* As a ratio for bench_target: the share, 0.15 the need. */
        bench_target(what, sm, 0, 0.15, NULL);
    }
    bench_target("ESP vs Linux XFRM between namespaces", -1, 0, 0,
                 "this kernel has no IPv6 ESP or AEAD; a UML guest is no place to measure");
    six_stack_free(plain);
    six_stack_free(esp[0]);
    six_stack_free(esp[1]);
    return 0;
}
