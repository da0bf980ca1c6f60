/* libFuzzer harness: router discovery, redirects, DAD and SLAAC. Every
 * input makes a fresh stack on an in-memory Ethernet segment (manual
 * clock, fixed seed, autoconfiguration on, one DAD probe, tables of two
 * routers, two prefixes, two SLAAC addresses and two redirects) and is a
 * series of records, each one ND message with hop limit 255 injected into
 * it:
 *
 *   ctl   bits 0-1 source (fe80::1, fe80::2, ::, 2001:db8::9), bit 2
 *         destination (ff02::1, else 2001:db8::2, ours), bits 3-5 the
 *         clock moves that many 700 ms steps first
 *   len   message bytes that follow (the type byte is made 133..137)
 *
 * After the records the clock runs on from timer to timer until no timer
 * is left (past every lifetime a message may have set), and no packet
 * buffer may be out, or the harness aborts. ND_FUZZ_POLLS=1 prints how
 * many polls that took. Fuzz with -max_len=1024 (five or more records:
 * every table here holds two entries). See fuzz/make-nd-corpus.py for the
 * seeds.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sixstack/sixstack.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint16_t fold(uint32_t sum) {
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The ICMPv6 checksum over the pseudo-header and msg. */
static uint16_t cksum(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len) {
    uint32_t sum = 58 + (uint32_t)len;
    for (int i = 0; i < 16; i += 2)
        sum += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(msg[i] << 8 | msg[i + 1]);
    if (len & 1)
        sum += (uint32_t)msg[len - 1] << 8;
    return fold(sum);
}

static size_t frame(uint8_t ctl, const uint8_t *msg, size_t len, const uint8_t mac[6],
                    uint8_t *f) {
    static const char *srcs[4] = {"fe80::1", "fe80::2", "::", "2001:db8::9"};
    static const uint8_t smac[6] = {0x02, 0xaa, 0, 0, 0, 1}, allmac[6] = {0x33, 0x33, 0, 0, 0, 1};
    uint8_t *ip = f + 14, *m = f + 54;
    int mcast = (ctl >> 2) & 1;

    memcpy(f, mcast ? allmac : mac, 6);
    memcpy(f + 6, smac, 6);
    f[12] = 0x86, f[13] = 0xdd;
    memset(ip, 0, 40);
    ip[0] = 0x60;
    ip[4] = (uint8_t)(len >> 8), ip[5] = (uint8_t)len;
    ip[6] = 58, ip[7] = 255;
    inet_pton(AF_INET6, srcs[ctl & 3], ip + 8);
    inet_pton(AF_INET6, mcast ? "ff02::1" : "2001:db8::2", ip + 24);
    memcpy(m, msg, len);
    m[0] = (uint8_t)(133 + m[0] % 5);
    m[2] = m[3] = 0;
    uint16_t c = cksum(ip + 8, ip + 24, m, len);
    m[2] = (uint8_t)(c >> 8), m[3] = (uint8_t)c;
    return 54 + len;
}

#define END_POLLS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t f[14 + 40 + 256];
    /* The segment has no other station: its queue only ever holds what
     * is injected (nothing, here), so a short one saves a large
     * allocation per input. */
    struct six_memwire_config wc = {.ethernet = 1, .queue_len = 4};
    struct six_stack_config cfg;
    struct six_segment *seg = six_segment_new(&wc);
    struct six_stack *st;
    struct in6_addr a;
    uint64_t now = 0;
    uint8_t mac[6];
    int ifx;

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 0x4d;
    cfg.ra_max_routers = cfg.ra_max_prefixes = cfg.slaac_max_addrs = cfg.redirect_max = 2;
    cfg.nd_cache_max = 8;
    /* No fragments and no Packet Too Big reach this stack: small tables
     * (made anew for every input) for reassembly and path MTU. */
    cfg.reass_max_datagrams = 2;
    cfg.pmtu_cache_max = 2;
    if (!seg || !(st = six_stack_new(&cfg)) || (ifx = six_segment_attach(seg, st, "e0")) < 0)
        abort();
    six_if_hwaddr(st, (unsigned)ifx, mac);
    inet_pton(AF_INET6, "2001:db8::2", &a);
    six_addr_add(st, (unsigned)ifx, &a, 64, SIX_ADDR_NODAD);
    for (size_t off = 0; off + 2 <= size;) {
        uint8_t ctl = data[off], len = data[off + 1];
        off += 2;
        if (len < 4 || len > size - off || len > 200)
            break;
        now += (uint64_t)((ctl >> 3) & 7) * 700000;
        six_stack_poll(st, now);
        six_if_inject(st, (unsigned)ifx, f, frame(ctl, data + off, len, mac, f));
        off += len;
    }
    /* The clock runs on from timer to timer (each at least a second after
     * the last, so that a chain that re-arms at once still moves) until
     * none is set, or for at most END_POLLS polls and then one jump past
     * every lifetime. */
    int polls = 0;
    for (uint64_t t; polls < END_POLLS && (t = six_stack_poll(st, now)) != UINT64_MAX; polls++)
        now = t > now + 1000000 ? t : now + 1000000;
    if (polls == END_POLLS)
        for (int i = 0; i < 4; i++)
            six_stack_poll(st, now += 0xffffffffull * 1000000);
    /* What the last timers sent (an ICMPv6 error to ourselves after a
     * failed resolution sits on loopback) is received by a later poll. */
    six_stack_poll(st, now += 1000000);
    if (getenv("ND_FUZZ_POLLS"))
        fprintf(stderr, "polls %d\n", polls);
    if (six_stack_pkts_in_use(st) != 0) {
        fprintf(stderr, "nd_fuzz: %u packet buffers out at the end\n", six_stack_pkts_in_use(st));
        six_stats_print(st, stderr);
        abort();
    }
    six_stack_free(st);
    six_segment_free(seg);
    return 0;
}
