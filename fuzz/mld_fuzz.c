/* libFuzzer harness for the MLD listener: each input is one ICMPv6
 * message the harness wraps in a valid MLD packet (link-local source, hop
 * limit 1, Router Alert, correct checksum), so that the fuzzer spends its
 * time in MLD rather than in the checks before it, plus a membership
 * change and a clock step chosen by the input.
 *
 * Input: byte 0 flags (bit 0: destination all-nodes, else group byte 1
 * picks; bit 1: keep the message's own checksum; bit 2: hop limit 2;
 * bits 4-7: clock step), byte 1 a membership operation on one of three
 * UDP sockets, then the message. One stack ("mw0", fe80::2) paired with a
 * peer that takes its reports. After each input both stacks run until
 * idle; no packet buffer may stay out, and the peer must never see a
 * malformed packet from the stack.
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

#include "wire/cksum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSOCK 3
#define NGROUP 4

static struct six_stack *st, *peer;
static unsigned if_st;
static int fds[NSOCK];
static uint64_t now_us;
static struct in6_addr groups[NGROUP], sources[4], me, them;

static void setup(void) {
    struct six_stack_config cfg;
    unsigned if_peer;
    static const char *g[NGROUP] = {"ff1e::1", "ff02::1:ff00:2", "ff3e::3", "ff05::4"};

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 0x31d;
    stack_pair(&cfg, "mw0", NULL, &st, &peer, &if_st, &if_peer);
    add_addr(st, if_st, "fe80::2");
    add_addr(peer, if_peer, "fe80::1");
    inet_pton(AF_INET6, "fe80::2", &me);
    inet_pton(AF_INET6, "fe80::1", &them);
    for (int i = 0; i < NGROUP; i++)
        inet_pton(AF_INET6, g[i], &groups[i]);
    for (int i = 0; i < 4; i++) {
        inet_pton(AF_INET6, "2001:db8::", &sources[i]);
        sources[i].s6_addr[15] = (uint8_t)(i + 1);
    }
    for (int i = 0; i < NSOCK; i++)
        if ((fds[i] = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0)) < 0)
            die("six_socket_on");
    /* The peer listens to ff02::16 (and ff02::2), so that its own MLD
     * checks every report and done the stack sends. */
    int pfd = six_socket_on(peer, AF_INET6, SOCK_DGRAM, 0);
    struct ipv6_mreq mr = {.ipv6mr_interface = if_peer};
    inet_pton(AF_INET6, "ff02::16", &mr.ipv6mr_multiaddr);
    if (pfd < 0 || six_setsockopt(pfd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) < 0)
        die("peer join");
    inet_pton(AF_INET6, "ff02::2", &mr.ipv6mr_multiaddr);
    if (six_setsockopt(pfd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) < 0)
        die("peer join");
}

/* One RFC 3678 or ip6(4) membership operation; errors are expected. */
static void membership(uint8_t op) {
    static const int names[6] = {MCAST_JOIN_GROUP,        MCAST_LEAVE_GROUP,
                                 MCAST_JOIN_SOURCE_GROUP, MCAST_LEAVE_SOURCE_GROUP,
                                 MCAST_BLOCK_SOURCE,      MCAST_UNBLOCK_SOURCE};
    int fd = fds[op % NSOCK];
    unsigned kind = (op / NSOCK) % 8;
    struct sockaddr_in6 g = {.sin6_family = AF_INET6}, s = {.sin6_family = AF_INET6};
    struct group_source_req r;

    if (kind >= 6) {
        if (kind == 7) {     /* close and reopen: leaves everything */
            six_close(fd);
            fds[op % NSOCK] = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0);
        }
        return;
    }
    g.sin6_addr = groups[(op >> 5) % NGROUP];
    s.sin6_addr = sources[(op >> 6) % 4];
    memset(&r, 0, sizeof(r));
    r.gsr_interface = if_st;
    memcpy(&r.gsr_group, &g, sizeof(g));
    memcpy(&r.gsr_source, &s, sizeof(s));
    /* group_req is the head of group_source_req. */
    six_setsockopt(fd, IPPROTO_IPV6, names[kind], &r,
                   kind < 2 ? (socklen_t)sizeof(struct group_req) : (socklen_t)sizeof(r));
}

/* The MLD packet around msg, into frame; returns its length. */
static size_t wrap(uint8_t flags, uint8_t gsel, const uint8_t *msg, size_t len,
                   uint8_t *frame) {
    static const uint8_t all_nodes[16] = {0xff, 2, [15] = 1};
    static const uint8_t hbh[8] = {58, 0, 0x05, 0x02, 0, 0, 0x01, 0};
    size_t plen = 8 + len;

    memset(frame, 0, 40);
    frame[0] = 0x60;
    frame[4] = (uint8_t)(plen >> 8);
    frame[5] = (uint8_t)plen;
    frame[6] = 0;                       /* hop-by-hop */
    frame[7] = (flags & 4) ? 2 : 1;
    memcpy(frame + 8, &them, 16);
    if (flags & 1)
        memcpy(frame + 24, all_nodes, 16);
    else
        memcpy(frame + 24, &groups[gsel % NGROUP], 16);
    memcpy(frame + 40, hbh, 8);
    memcpy(frame + 48, msg, len);
    if (!(flags & 2) && len >= 4) {
        struct in6_addr src, dst;
        uint16_t c;
        memcpy(&src, frame + 8, 16);
        memcpy(&dst, frame + 24, 16);
        frame[48 + 2] = frame[48 + 3] = 0;
        c = six_cksum_ip6(&src, &dst, 58, frame + 48, len);
        frame[48 + 2] = (uint8_t)(c >> 8);
        frame[48 + 3] = (uint8_t)c;
    }
    return 48 + len;
}

static void run(void) {
    settle_stacks((struct six_stack *[]){st, peer}, 2, now_us, 8);
}

static void check(void) {
    struct six_stats s;

    if (six_stack_pkts_in_use(st) != 0 || six_stack_pkts_in_use(peer) != 0) {
        fprintf(stderr, "mld_fuzz: %u + %u packet buffers still out\n",
                six_stack_pkts_in_use(st), six_stack_pkts_in_use(peer));
        abort();
    }
    six_stack_stats(peer, &s);
    if (s.ip6_in_truncated || s.ip6_in_bad_src || s.ip6_in_bad_ext ||
        s.icmp6_in_bad_checksum || s.icmp6_in_truncated || s.mld_in_invalid) {
        fprintf(stderr, "mld_fuzz: the stack sent a malformed packet\n");
        six_stats_print(peer, stderr);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t frame[48 + 65535];

    if (!st)
        setup();
    if (size < 2 || size - 2 > 65535 - 8)
        return 0;
    membership(data[1]);
    six_if_inject(st, if_st, frame, wrap(data[0], data[1], data + 2, size - 2, frame));
    /* Steps from nothing to past the MLDv1 querier timeout (260 s). */
    now_us += (uint64_t)(data[0] >> 4) * (data[0] >> 4) * (data[0] >> 4) * 80000;
    run();
    check();
    return 0;
}
