/* libFuzzer harness: every input is one frame received on a memwire
 * interface of a stack, through the whole input path (header checks, the
 * extension header walk, ICMPv6, raw socket delivery, the errors and
 * replies sent back) and out through recvmsg() with every ancillary
 * object a socket can ask for.
 *
 * The stack is made once: manual clock, fixed seed, 2001:db8::2/64 and
 * fe80::2/64 on "mw0", paired with a second stack (2001:db8::1) that
 * takes what the first sends. Raw sockets are open for protocol 0, ICMPv6
 * and 253, with privileged credentials; UDP sockets on port 7, on port
 * 5353 twice (both in ff02::fb, so a datagram is copied) and one on port
 * 9000 connected to [2001:db8::1]:4001. After each input both stacks run
 * until idle and every socket is drained; then no packet buffer may be
 * out, or the harness aborts (a leak or a lost reference).
 *
 * Fault injection rides on the link padding: a frame whose last byte is
 * 0xa5 makes packet allocation number 1 + (second-to-last byte % 4) fail
 * while it is processed (bytes past the payload length are padding to
 * the stack, so the packet itself is unchanged). That covers the ENOBUFS
 * paths: copies for a second socket, replies, errors.
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
/* Raw sockets for protocol 0, ICMPv6 and 253, then UDP sockets. */
#define NRAW 3
#define NFDS (NRAW + 4)
static int fds[NFDS];
static uint64_t now_us;

/* Turns a receive option on; options the socket layer does not know yet
 * are skipped, so the harness keeps building while they are added. */
static void opt_on(int fd, int name, int required) {
    int on = 1;
    if (six_setsockopt(fd, IPPROTO_IPV6, name, &on, sizeof(on)) < 0 && required)
        die("setsockopt");
}

static void udp_bind(int fd, const char *addr, uint16_t port) {
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    int one = 1;
    if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) != 1 ||
        six_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)
        die("udp bind");
}

static void udp_setup(unsigned ifindex) {
    struct ipv6_mreq mdns = {.ipv6mr_interface = ifindex};
    struct sockaddr_in6 peer_port = {.sin6_family = AF_INET6, .sin6_port = htons(4001)};

    udp_bind(fds[NRAW], "::", 7);
    udp_bind(fds[NRAW + 1], "::", 5353);
    udp_bind(fds[NRAW + 2], "ff02::fb", 5353);
    udp_bind(fds[NRAW + 3], "::", 9000);
    inet_pton(AF_INET6, "ff02::fb", &mdns.ipv6mr_multiaddr);
    inet_pton(AF_INET6, "2001:db8::1", &peer_port.sin6_addr);
    if (six_setsockopt(fds[NRAW + 1], IPPROTO_IPV6, IPV6_JOIN_GROUP, &mdns, sizeof(mdns)) < 0 ||
        six_setsockopt(fds[NRAW + 2], IPPROTO_IPV6, IPV6_JOIN_GROUP, &mdns, sizeof(mdns)) < 0 ||
        six_connect(fds[NRAW + 3], (struct sockaddr *)&peer_port, sizeof(peer_port)) < 0)
        die("udp setup");
}

static void setup(void) {
    static const int protos[3] = {0, IPPROTO_ICMPV6, 253};
    struct six_stack_config cfg;
    struct six_creds root = {.uid = 0, .gid = 0, .privileged = 1};
    unsigned if_peer;

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 0x5eed;
    /* Errors are rate limited on the stack's clock; the harness moves it
     * a millisecond per input, so a roomy bucket keeps the error path
     * reachable for every input instead of the first ten. */
    cfg.icmp6_rate = 1000;
    cfg.icmp6_burst = 1000;
    stack_pair(&cfg, "mw0", NULL, &st, &peer, &if_st, &if_peer);
    add_addr(st, if_st, "2001:db8::2");
    add_addr(st, if_st, "fe80::2");
    add_addr(peer, if_peer, "2001:db8::1");
    add_addr(peer, if_peer, "fe80::1");

    six_set_creds(&root);
    for (int i = 0; i < NFDS; i++) {
        if (i < NRAW)
            fds[i] = six_socket_on(st, AF_INET6, SOCK_RAW, protos[i]);
        else
            fds[i] = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0);
        if (fds[i] < 0)
            die("six_socket_on");
        opt_on(fds[i], IPV6_HOPLIMIT, 1);
        opt_on(fds[i], IPV6_RECVPKTINFO, 1);
        opt_on(fds[i], IPV6_RECVTCLASS, 1);
        opt_on(fds[i], IPV6_RECVHOPOPTS, 0);
        opt_on(fds[i], IPV6_RECVDSTOPTS, 0);
        opt_on(fds[i], IPV6_RECVRTHDR, 0);
    }
    udp_setup(if_st);
}

/* Reads everything queued on fd, with a control buffer for the ancillary
 * data. A pending socket error is returned once by recvmsg; anything but
 * EAGAIN goes round again. */
static void drain(int fd) {
    static uint8_t buf[65536];
    static uint8_t ctl[4096] __attribute__((aligned(8)));

    for (int n = 0; n < 10000; n++) {
        struct sockaddr_in6 from;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
        struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof(from),
                             .msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = ctl, .msg_controllen = sizeof(ctl)};
        ssize_t r = six_recvmsg(fd, &msg, MSG_DONTWAIT);

        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (r >= 0) {
            /* Walk the ancillary data the way an application would. */
            for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
                if (cm->cmsg_len < CMSG_LEN(0) || cm->cmsg_len > msg.msg_controllen)
                    abort();
        }
    }
    fprintf(stderr, "ip6_input_fuzz: socket never drained\n");
    abort();
}

/* Whatever the input, what st sends must be well formed: the peer never
 * finds a bad version, length, source, extension header or ICMPv6
 * checksum in it. */
static void check_peer_saw_only_good_packets(void) {
    struct six_stats s;

    six_stack_stats(peer, &s);
    if (s.ip6_in_bad_version || s.ip6_in_truncated || s.ip6_in_bad_src ||
        s.ip6_in_bad_ext || s.ip6_in_hbh_not_first || s.icmp6_in_bad_checksum ||
        s.icmp6_in_truncated || s.udp_in_bad_checksum || s.udp_in_bad_length) {
        fprintf(stderr, "ip6_input_fuzz: the stack sent a malformed packet\n");
        six_stats_print(peer, stderr);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint64_t frags_seen;
    struct six_stats stats;

    if (!st)
        setup();
    now_us += 1000;
    six_stack_poll(st, now_us);
    if (size >= 2 && data[size - 1] == 0xa5)
        six_stack_fail_alloc(st, 1 + data[size - 2] % 4u);
    six_if_inject(st, if_st, data, size);
    six_stack_fail_alloc(st, 0);
    /* What st sent reaches peer, and whatever peer answers comes back. */
    settle_stacks((struct six_stack *[]){peer, st}, 2, now_us, 4);
    /* A fragment waits in reassembly for 60 s: move past that, so the
     * timeout path runs too (frag_fuzz feeds whole fragment streams) and
     * the pools can be checked. */
    six_stack_stats(st, &stats);
    if (stats.reass_in_frags != frags_seen) {
        frags_seen = stats.reass_in_frags;
        now_us += 61ull * 1000000;
        settle_stacks((struct six_stack *[]){st, peer}, 2, now_us, 4);
    }
    for (int i = 0; i < NFDS; i++)
        drain(fds[i]);
    if (six_stack_pkts_in_use(st) != 0 || six_stack_pkts_in_use(peer) != 0) {
        fprintf(stderr, "ip6_input_fuzz: %u + %u packet buffers still out\n",
                six_stack_pkts_in_use(st), six_stack_pkts_in_use(peer));
        abort();
    }
    check_peer_saw_only_good_packets();
    return 0;
}
