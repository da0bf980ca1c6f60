/* libFuzzer harness for reassembly: every input is a stream of fragments
 * of a few datagrams, injected one by one into a stack whose reassembly
 * limits are small (so eviction, the per-source and per-datagram limits
 * and the memory limit are all within reach), with the clock moving and
 * allocations failing where the input says.
 *
 * The input is a series of 6-byte records, each one fragment (the first
 * 64; the rest is ignored):
 *
 *   byte 0  bits 0-1  datagram (identification 0..3)
 *           bit  2    source (2001:db8::1 or 2001:db8::3)
 *           bit  3    a destination options header before the Fragment
 *                     header
 *           bits 4-5  Next Header in the Fragment header: 253, ICMPv6,
 *                     UDP, destination options
 *           bit  6    move the clock forward byte 5 seconds first
 *           bit  7    make allocation 1 + (byte 5 & 3) fail meanwhile
 *   byte 1  fragment offset, low 8 bits (units of 8 bytes)
 *   byte 2  bits 0-4: offset, high 5 bits; bit 7: M
 *   byte 3  length, units of 8 bytes
 *   byte 4  bits 0-2: length, extra bytes; bits 3-7: a pattern XORed
 *           into the data (0: the datagram's own bytes, so that repeated
 *           ranges are exact duplicates)
 *   byte 5  seconds (bit 6) / failing allocation (bit 7); with ICMPv6 in
 *           a first fragment, also picks the message type
 *
 * After the stream the clock moves past the 60 s timeout; then no packet
 * buffer may be out, every socket is drained, and what the stack sent
 * (Parameter Problems, Time Exceeded) must have reached the peer well
 * formed. Anything else aborts. FRAG_FUZZ_STATS=1 in the environment
 * prints the stack's counters after each input (to see what one did).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "fuzz_stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REC 6
/* Records after the 64th are ignored: every limit of the stack's
 * reassembly (12 fragments a datagram, 6 datagrams, 4 a source, 24 KB)
 * is reached well within 64 fragments, and the seeds and long-run corpus
 * reach every edge within them too (fuzz with -max_len=384). */
#define MAX_RECS 64

static struct six_stack *st, *peer;
static unsigned if_st;
static int fds[3];
static uint64_t now_us;
static struct in6_addr us, srcs[2];

static void setup(void) {
    static const int protos[3] = {0, IPPROTO_ICMPV6, 253};
    struct six_stack_config cfg;
    struct six_creds root = {.uid = 0, .gid = 0, .privileged = 1};
    unsigned if_peer;

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 0xf4a9;
    cfg.icmp6_rate = 1000;
    cfg.icmp6_burst = 1000;
    cfg.reass_max_datagrams = 6;
    cfg.reass_max_per_source = 4;
    cfg.reass_max_frags = 12;
    cfg.reass_max_bytes = 24 * 1024;
    stack_pair(&cfg, "mw0", NULL, &st, &peer, &if_st, &if_peer);
    add_addr(st, if_st, "2001:db8::2");
    add_addr(peer, if_peer, "2001:db8::1");
    add_addr(peer, if_peer, "2001:db8::3");
    inet_pton(AF_INET6, "2001:db8::2", &us);
    inet_pton(AF_INET6, "2001:db8::1", &srcs[0]);
    inet_pton(AF_INET6, "2001:db8::3", &srcs[1]);
    six_set_creds(&root);
    for (int i = 0; i < 3; i++)
        if ((fds[i] = six_socket_on(st, AF_INET6, SOCK_RAW, protos[i])) < 0)
            die("six_socket_on");
}

static void drain(int fd) {
    static uint8_t buf[65536];
    for (int n = 0; n < 10000; n++) {
        ssize_t r = six_recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
    }
    fprintf(stderr, "frag_fuzz: socket never drained\n");
    abort();
}

static void drain_all(void) {
    for (int i = 0; i < 3; i++)
        drain(fds[i]);
}

/* Runs both stacks until idle, then drains the sockets if the stack
 * delivered anything since the last drain (every packet that reaches a
 * socket counts in ip6_in_delivers; most fragments complete nothing). */
static void settle(void) {
    static uint64_t drained_at;
    struct six_stats s;

    settle_stacks_by((struct six_stack *[]){peer, st}, 2, now_us, 4, SETTLE_NOTHING_SENT);
    six_stack_stats(st, &s);
    if (s.ip6_in_delivers != drained_at) {
        drained_at = s.ip6_in_delivers;
        drain_all();
    }
}

/* A datagram's byte at offset o is ((o * 7 + ident) & 0xff) ^ pattern,
 * which repeats every 256 bytes: the bytes for each (ident, pattern)
 * from offset 0 to 256 + the longest fragment, made once, so that a
 * fragment's data is one copy (byte by byte, it was most of the
 * harness's time). */
#define DATA_MAX (255 * 8 + 7)
static uint8_t data_tab[4][32][256 + DATA_MAX];

static void make_data_tab(void) {
    for (unsigned ident = 0; ident < 4; ident++)
        for (unsigned pattern = 0; pattern < 32; pattern++)
            for (unsigned o = 0; o < sizeof(data_tab[0][0]); o++)
                data_tab[ident][pattern][o] = (uint8_t)((o * 7 + ident) ^ pattern);
}

/* The frame for one record. Returns its length. */
static size_t build(const uint8_t *r, uint8_t *f) {
    static const uint8_t nxts[4] = {253, 58, 17, 60};
    unsigned ident = r[0] & 3, off = (unsigned)(r[1] | (r[2] & 0x1f) << 8) * 8;
    unsigned len = r[3] * 8u + (r[4] & 7), pattern = r[4] >> 3;
    int more = r[2] >> 7, dst = (r[0] >> 3) & 1;
    uint8_t nxt = nxts[(r[0] >> 4) & 3];
    size_t n = 40;

    memset(f, 0, 40);
    f[0] = 0x60;
    f[6] = dst ? 60 : 44;
    f[7] = 64;
    memcpy(f + 8, &srcs[(r[0] >> 2) & 1], 16);
    memcpy(f + 24, &us, 16);
    if (dst) {
        static const uint8_t opts[8] = {44, 0, 1, 4, 0, 0, 0, 0};
        memcpy(f + n, opts, 8);
        n += 8;
    }
    f[n] = nxt;
    f[n + 1] = 0;
    f[n + 2] = (uint8_t)(off >> 8);
    f[n + 3] = (uint8_t)((off & 0xf8) | more);
    f[n + 4] = f[n + 5] = f[n + 6] = 0;
    f[n + 7] = (uint8_t)ident;
    n += 8;
    memcpy(f + n, &data_tab[ident][pattern][off & 0xff], len);
    if (off == 0 && len > 0) {
        static const uint8_t types[8] = {128, 135, 136, 133, 130, 1, 4, 129};
        if (nxt == 58)
            f[n] = types[r[5] & 7];
        if (nxt == 60 && len > 1)
            f[n + 1] = 0;   /* an 8-byte options header, mostly */
    }
    n += len;
    f[4] = (uint8_t)((n - 40) >> 8);
    f[5] = (uint8_t)(n - 40);
    return n;
}

static void check_peer_saw_only_good_packets(void) {
    struct six_stats s;

    six_stack_stats(peer, &s);
    if (s.ip6_in_bad_version || s.ip6_in_truncated || s.ip6_in_bad_src ||
        s.ip6_in_bad_ext || s.ip6_in_hbh_not_first || s.icmp6_in_bad_checksum ||
        s.icmp6_in_truncated) {
        fprintf(stderr, "frag_fuzz: the stack sent a malformed packet\n");
        six_stats_print(peer, stderr);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t frame[40 + 8 + 8 + DATA_MAX + 8];

    if (!st) {
        setup();
        make_data_tab();
    }
    if (size > MAX_RECS * REC)
        size = MAX_RECS * REC;
    for (size_t at = 0; at + REC <= size; at += REC) {
        const uint8_t *r = data + at;
        size_t n = build(r, frame);

        if (r[0] & 0x40)
            now_us += (uint64_t)r[5] * 1000000;
        six_stack_poll(st, now_us);
        if (r[0] & 0x80)
            six_stack_fail_alloc(st, 1 + (r[5] & 3u));
        six_if_inject(st, if_st, frame, n);
        six_stack_fail_alloc(st, 0);
        settle();
    }
    /* Past every timeout: nothing may be left waiting. */
    now_us += 61ull * 1000000;
    settle();
    drain_all();
    if (six_stack_pkts_in_use(st) != 0 || six_stack_pkts_in_use(peer) != 0) {
        fprintf(stderr, "frag_fuzz: %u + %u packet buffers still out\n",
                six_stack_pkts_in_use(st), six_stack_pkts_in_use(peer));
        abort();
    }
    if (six_stack_poll(st, now_us) != UINT64_MAX) {
        fprintf(stderr, "frag_fuzz: a timer is still armed with nothing waiting\n");
        abort();
    }
    check_peer_saw_only_good_packets();
    if (getenv("FRAG_FUZZ_STATS"))
        six_stats_print(st, stderr);
    return 0;
}
