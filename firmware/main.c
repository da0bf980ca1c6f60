/* The board demo's firmware: sixstack on an MPS2 board's LAN9118 with no
 * operating system. It brings up eth0 with a link-local address, SLAAC
 * (when a router advertises a prefix) and a static address, answers ping,
 * echoes UDP on port 7 (to its addresses and to the group it joins), and
 * prints what it does through semihosting. `make board-demo` runs it in
 * QEMU attached to a TAP in a network namespace (scripts/board-demo.sh).
 *
 * The main loop is the whole scheduler: hand the controller's frames to
 * the stack, run its timers, answer the echo socket, repeat. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <sixstack/bare.h>
#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "lan9118.h"

/* The static address and the group the echo port joins (set with -D when
 * building; the interop test and the demo script use these). */
#ifndef BOARD_ADDR
#define BOARD_ADDR "fd00:6::2"
#endif
#ifndef BOARD_GROUP
#define BOARD_GROUP "ff02::6:1"
#endif
#define ECHO_PORT 7

static uintptr_t nic = LAN9118_BASE;

/* The controller's 25 MHz counter, widened to 64 bits: the loop reads it
 * far more often than every 171 s, when it wraps. */
static uint64_t now_us(void) {
    static uint32_t last;
    static uint64_t high;
    uint32_t t = lan9118_ticks(nic);

    if (t < last)
        high += 1ull << 32;
    last = t;
    return (high | t) / 25;
}

/* No hardware generator on this board: a xorshift seeded from the MAC and
 * the time the first draw comes (a real product uses its TRNG here). */
static uint64_t rng_state;
static int random_bytes(void *out, size_t len) {
    uint8_t *p = out;
    if (!rng_state)
        rng_state = 0x9e3779b97f4a7c15ull ^ ((uint64_t)lan9118_ticks(nic) << 17);
    for (size_t i = 0; i < len; i++) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        p[i] = (uint8_t)(rng_state >> 24);
    }
    return 0;
}

/* The stack's region (picolibc.ld): __stack_size bytes (the linker's
 * symbol is the size) below __stack. It is painted at start so that its
 * high-water mark can be read later. */
extern uint8_t __stack_size[], __stack[];
#define STACK_BOTTOM (__stack - (uintptr_t)__stack_size)
#define PAINT 0xa5u

static void stack_paint(void) {
    /* Below the live frames, with a margin for this function's own. */
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0) - 64;
    for (uint8_t *p = STACK_BOTTOM; (uintptr_t)p < sp; p++)
        *p = PAINT;
}

static size_t stack_used(void) {
    uint8_t *p = STACK_BOTTOM;
    while (p < __stack && *p == PAINT)
        p++;
    return (size_t)(__stack - p);
}

static int transmit(void *ctx, const void *frame, size_t len) {
    (void)ctx;
    return lan9118_transmit(nic, frame, len);
}

struct board {
    struct six_stack *st;
    unsigned ifindex;
};

static void received(void *ctx, const uint8_t *frame, size_t len) {
    struct board *b = ctx;
    /* Errors are the stack's to count (six_stack_stats). */
    (void)six_if_inject(b->st, b->ifindex, frame, len);
}

static void log_line(void *ctx, const char *line) {
    (void)ctx;
    printf("sixstack: %s\n", line);
}

/* The smallest configuration that still serves the demo: a few buffers,
 * two sockets, small tables. */
static void board_config(struct six_stack_config *cfg) {
    six_stack_config_init(cfg);
    cfg->pkt_small_max = BOARD_SMALL_BUFS;
    cfg->pkt_large_max = BOARD_LARGE_BUFS;
    cfg->max_sockets = 2;
    cfg->rcvbuf = 4 * 2048;
    cfg->pmtu_cache_max = 4;
    cfg->nd_cache_max = 4;
    cfg->nd_queue_len = 2;
    cfg->reass_max_datagrams = 2;
    cfg->reass_max_per_source = 2;
    cfg->reass_max_frags = 8;
    cfg->reass_max_bytes = 8192;
    cfg->ra_max_routers = 1;
    cfg->ra_max_prefixes = 2;
    cfg->slaac_max_addrs = 2;
    cfg->redirect_max = 2;
}

static int echo_socket(unsigned ifindex) {
    struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = htons(ECHO_PORT)};
    struct ipv6_mreq mr = {.ipv6mr_interface = ifindex};
    int one = 1, fd = six_socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);

    if (fd < 0 || six_bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0)
        return -1;
    inet_pton(AF_INET6, BOARD_GROUP, &mr.ipv6mr_multiaddr);
    if (six_setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) < 0)
        return -1;
    six_setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
    return fd;
}

/* One buffer for the controller's frames and the echoed datagrams: the
 * loop never needs both at once, and RAM is the scarce thing here. */
static uint8_t scratch[1536];

/* Sends back every datagram waiting on fd. */
static void echo(int fd) {
    uint8_t *buf = scratch;
    struct sockaddr_in6 from;
    socklen_t flen = sizeof(from);
    ssize_t n;

    while ((n = six_recvfrom(fd, buf, sizeof(scratch), 0, (struct sockaddr *)&from, &flen)) >= 0) {
        six_sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
        flen = sizeof(from);
    }
}

int main(void) {
    struct six_stack_config cfg;
    struct board b;
    struct six_netdev dev = {.ethernet = 1, .transmit = transmit};
    struct in6_addr addr;
    char text[INET6_ADDRSTRLEN];
    int fd, idx;

    stack_paint();
    six_bare_set_clock(now_us);
    six_bare_set_random(random_bytes);
    if (lan9118_init(nic, dev.mac) < 0) {
        printf("no LAN9118 at %#lx\n", (unsigned long)nic);
        return 1;
    }
    board_config(&cfg);
    if (!(b.st = six_stack_new(&cfg))) {
        printf("six_stack_new: %s\n", strerror(errno));
        return 1;
    }
    six_stack_set_log(b.st, log_line, NULL);
    six_use_stack(b.st);
    if ((idx = six_if_add_netdev(b.st, "eth0", &dev)) < 0) {
        printf("six_if_add_netdev: %s\n", strerror(errno));
        return 1;
    }
    b.ifindex = (unsigned)idx;
    inet_pton(AF_INET6, BOARD_ADDR, &addr);
    if (six_addr_add(b.st, b.ifindex, &addr, 64, 0) < 0)
        printf("six_addr_add: %s\n", strerror(errno));
    if ((fd = echo_socket(b.ifindex)) < 0) {
        printf("echo socket: %s\n", strerror(errno));
        return 1;
    }
    printf("board up: eth0 %02x:%02x:%02x:%02x:%02x:%02x, %s/64, UDP echo on port %d, group %s\n",
           dev.mac[0], dev.mac[1], dev.mac[2], dev.mac[3], dev.mac[4], dev.mac[5],
           inet_ntop(AF_INET6, &addr, text, sizeof(text)), ECHO_PORT, BOARD_GROUP);
    printf("arena used: %u of %u bytes\n", (unsigned)six_bare_arena_used(),
           (unsigned)SIX_BARE_ARENA_BYTES);
    for (size_t high = six_bare_arena_used(), deep = stack_used();;) {
        lan9118_poll(nic, scratch, sizeof(scratch), received, &b);
        six_stack_poll(b.st, now_us());
        echo(fd);
        /* The high-water marks of the arena and the stack, each time one
         * rises: the RAM the demo needed for what it has served so far. */
        if (six_bare_arena_used() > high || stack_used() > deep) {
            high = six_bare_arena_used();
            deep = stack_used();
            printf("arena used: %u bytes, stack used: %u of %u bytes\n", (unsigned)high,
                   (unsigned)deep, (unsigned)(uintptr_t)__stack_size);
        }
    }
}
