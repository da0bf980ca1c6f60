/* libFuzzer harness for a stack on an Ethernet link: every input is a
 * series of Ethernet frames received on an in-memory Ethernet interface,
 * so neighbour discovery (NS, NA, RA, redirects, the cache and its
 * queues), MLD, the Ethernet receive filter and everything above them see
 * hostile bytes.
 *
 * Input layout: records of [len_hi, len_lo, clock step, frame bytes...].
 * A frame whose destination MAC starts with 00 gets the stack's own MAC
 * there (a random one from its seed), so that unicast is reachable.
 * After each frame the stack's clock moves by the step in units of 100 ms
 * (so NUD, MLD and reassembly timers fire), and both stacks run. After
 * the input the clock moves far ahead so every timer that holds packets
 * (resolution queues, reassembly) lets go; then no packet buffer may be
 * out, or the harness aborts.
 *
 * The stack: 2001:db8::2/64 and a link-local address on "eth0", paired
 * with a peer (2001:db8::1); a raw ICMPv6 socket, a UDP socket on port 7
 * in group ff02::fb, every receive option on.
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

static struct six_stack *st, *peer;
static unsigned if_st;
static int fds[2];
static uint64_t now_us;
static uint8_t our_mac[6];

static void setup(void) {
    struct six_stack_config cfg;
    struct six_memwire_config wc = {.ethernet = 1};
    struct six_creds root = {.uid = 0, .gid = 0, .privileged = 1};
    unsigned if_peer;
    int one = 1;

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 0xe7e7;
    cfg.icmp6_rate = 1000;
    cfg.icmp6_burst = 1000;
    /* Addresses usable at once, so that the seeds reach what they aim at
     * from the first input (nd_fuzz covers DAD); advertisements are
     * followed (autoconf stays on). */
    cfg.dad_transmits = 0;
    stack_pair(&cfg, "eth0", &wc, &st, &peer, &if_st, &if_peer);
    add_addr(st, if_st, "2001:db8::2");
    add_addr(peer, if_peer, "2001:db8::1");
    if (six_if_hwaddr(st, if_st, our_mac) < 0)
        die("six_if_hwaddr");
    six_set_creds(&root);
    fds[0] = six_socket_on(st, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
    fds[1] = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0);
    if (fds[0] < 0 || fds[1] < 0)
        die("socket");
    struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = htons(7)};
    struct ipv6_mreq mdns = {.ipv6mr_interface = if_st};
    inet_pton(AF_INET6, "ff02::fb", &mdns.ipv6mr_multiaddr);
    if (six_bind(fds[1], (struct sockaddr *)&any, sizeof(any)) < 0 ||
        six_setsockopt(fds[1], IPPROTO_IPV6, IPV6_JOIN_GROUP, &mdns, sizeof(mdns)) < 0)
        die("udp setup");
    for (int i = 0; i < 2; i++) {
        six_setsockopt(fds[i], IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
        six_setsockopt(fds[i], IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one));
        six_setsockopt(fds[i], IPPROTO_IPV6, IPV6_RECVHOPOPTS, &one, sizeof(one));
    }
}

static uint64_t run_both(void) {
    return settle_stacks((struct six_stack *[]){peer, st}, 2, now_us, 4);
}

static void drain(int fd) {
    static uint8_t buf[65536], ctl[1024] __attribute__((aligned(8)));
    for (int n = 0; n < 10000; n++) {
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                             .msg_controllen = sizeof(ctl)};
        if (six_recvmsg(fd, &msg, MSG_DONTWAIT) < 0 && errno == EAGAIN)
            return;
    }
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!st)
        setup();
    while (size >= 3) {
        size_t len = (size_t)data[0] << 8 | data[1];
        uint8_t step = data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        static uint8_t frame[65536];
        memcpy(frame, data, len);
        if (len >= 6 && frame[0] == 0)
            memcpy(frame, our_mac, 6);
        six_if_inject(st, if_st, frame, len);
        data += len;
        size -= len;
        now_us += (uint64_t)step * 100000;
        run_both();
    }
    /* Long enough for resolution to fail, reassembly to time out and
     * every MLD or ND retransmission to be done. */
    for (int i = 0; i < 8; i++) {
        now_us += 30 * 1000000ull;
        /* No timer set: the steps left would only move the clock. */
        if (run_both() == UINT64_MAX) {
            now_us += (7 - i) * 30 * 1000000ull;
            break;
        }
    }
    drain(fds[0]);
    drain(fds[1]);
    /* ETHER_FUZZ_STATS=1 shows what the inputs reached (seed checking). */
    if (getenv("ETHER_FUZZ_STATS"))
        six_stats_print(st, stderr);
    if (six_stack_pkts_in_use(st) != 0 || six_stack_pkts_in_use(peer) != 0) {
        fprintf(stderr, "ether_input_fuzz: %u + %u packet buffers still out\n",
                six_stack_pkts_in_use(st), six_stack_pkts_in_use(peer));
        abort();
    }
    return 0;
}
