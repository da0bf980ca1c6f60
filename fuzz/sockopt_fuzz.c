/* libFuzzer harness for what applications hand the socket layer:
 * setsockopt values (every IPPROTO_IPV6 option, IPV6_PKTOPTIONS and the
 * sticky headers among them) and sendmsg ancillary data.
 *
 * Input layout, all of it untrusted:
 *   byte 0      which option (index into the table below) and, divided
 *               by the table's size, which socket: raw 253, raw ICMPv6
 *               or UDP
 *   byte 1      how many bytes of the rest are the option value
 *   then        the value, then the control data for two sendmsg to ::1
 *               (and one more without it)
 *
 * After each input the socket is closed and the stack must have every
 * packet buffer back, or the harness aborts. ASan catches any read or
 * write outside what was given; LSan any sticky copy not freed.
 *
 * libFuzzer runs LSan after an input that allocated more than it freed,
 * and gives up leak checking after a thousand such inputs. A closed
 * socket waits for a batch before it is freed (sock/socktab.c), which
 * would make nearly every input look like a leak: the harness, the
 * stack's only thread, frees each closed socket at once instead.
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "sock/sock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct six_stack *st;
static struct six_socks *socks;

static const struct {
    int level, name;
} opts[] = {
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS},   {IPPROTO_IPV6, IPV6_MULTICAST_HOPS},
    {IPPROTO_IPV6, IPV6_MULTICAST_IF},   {IPPROTO_IPV6, IPV6_MULTICAST_LOOP},
    {IPPROTO_IPV6, IPV6_TCLASS},         {IPPROTO_IPV6, IPV6_RECVTCLASS},
    {IPPROTO_IPV6, IPV6_PKTINFO},        {IPPROTO_IPV6, IPV6_RECVPKTINFO},
    {IPPROTO_IPV6, IPV6_HOPLIMIT},       {IPPROTO_IPV6, IPV6_RECVHOPLIMIT},
    {IPPROTO_IPV6, IPV6_HOPOPTS},        {IPPROTO_IPV6, IPV6_DSTOPTS},
    {IPPROTO_IPV6, IPV6_RTHDR},          {IPPROTO_IPV6, IPV6_RTHDRDSTOPTS},
    {IPPROTO_IPV6, IPV6_PKTOPTIONS},     {IPPROTO_IPV6, IPV6_CHECKSUM},
    {IPPROTO_IPV6, IPV6_V6ONLY},         {IPPROTO_IPV6, IPV6_PORTRANGE},
    {IPPROTO_IPV6, IPV6_USE_MIN_MTU},    {IPPROTO_IPV6, IPV6_DONTFRAG},
    {IPPROTO_IPV6, IPV6_FAITH},          {IPPROTO_IPV6, IPV6_AUTH_LEVEL},
    {IPPROTO_ICMPV6, ICMP6_FILTER},      {SOL_SOCKET, SO_RCVTIMEO},
    {SOL_SOCKET, SO_RCVBUF},             {IPPROTO_IPV6, 12345},
    {IPPROTO_IPV6, IPV6_JOIN_GROUP},     {IPPROTO_IPV6, IPV6_LEAVE_GROUP},
    {IPPROTO_IPV6, IPV6_NEXTHOP},        {SOL_SOCKET, SO_REUSEPORT},
};

static void setup(void) {
    struct six_stack_config cfg;
    struct six_creds root = {.uid = 0, .gid = 0, .privileged = 1};

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 1;
    if (!(st = six_stack_new(&cfg))) {
        perror("six_stack_new");
        abort();
    }
    six_set_creds(&root);
    int fd = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0);
    struct six_sock *s = six__sock_acquire(fd);
    if (!s)
        abort();
    socks = s->socks;
    six__sock_release(s);
    six_close(fd);
}

/* No grace period to wait: no other thread can be looking. */
static void free_closed_sockets(void) {
    struct six_sock *list = socks->retired;

    socks->retired = NULL;
    socks->nretired = 0;
    while (list) {
        struct six_sock *next = list->next_all;
        free(list);
        list = next;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    static const uint8_t payload[32];
    uint8_t *value, *control, buf[64], cbuf[512];
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = sizeof(payload)};
    struct msghdr m = {.msg_name = &lo, .msg_namelen = sizeof(lo), .msg_iov = &iov,
                       .msg_iovlen = 1};
    size_t vlen, clen;
    socklen_t glen;
    int fd, which;

    if (!st)
        setup();
    if (size < 2)
        return 0;
    which = data[0] % (int)(sizeof(opts) / sizeof(opts[0]));
    vlen = data[1];
    if (vlen > size - 2)
        vlen = size - 2;
    clen = size - 2 - vlen;
    /* Exact-size heap copies: ASan sees any read past what was given. */
    value = malloc(vlen ? vlen : 1);
    control = malloc(clen ? clen : 1);
    memcpy(value, data + 2, vlen);
    memcpy(control, data + 2 + vlen, clen);

    switch ((data[0] / (int)(sizeof(opts) / sizeof(opts[0]))) % 3) {
    case 0:
        fd = six_socket_on(st, AF_INET6, SOCK_RAW, 253);
        break;
    case 1:
        fd = six_socket_on(st, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
        break;
    default:
        /* To the discard port: nobody listens, an error comes back. */
        lo.sin6_port = htons(9);
        fd = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0);
        break;
    }
    if (fd < 0)
        abort();
    six_setsockopt(fd, opts[which].level, opts[which].name, vlen ? value : NULL,
                   (socklen_t)vlen);
    glen = sizeof(cbuf);
    six_getsockopt(fd, opts[which].level, opts[which].name, cbuf, &glen);
    m.msg_control = clen ? control : NULL;
    m.msg_controllen = clen;
    six_sendmsg(fd, &m, MSG_DONTWAIT);
    /* Again with the control data, then without: the second and third
     * sends may be answered from the socket's route cache. */
    six_sendmsg(fd, &m, MSG_DONTWAIT);
    m.msg_control = NULL;
    m.msg_controllen = 0;
    six_sendmsg(fd, &m, MSG_DONTWAIT);
    while (six_recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0) {
    }
    six_close(fd);
    free_closed_sockets();
    six_stack_poll(st, 0);
    free(value);
    free(control);
    if (six_stack_pkts_in_use(st) != 0) {
        fprintf(stderr, "sockopt_fuzz: %u packet buffers out after close\n",
                six_stack_pkts_in_use(st));
        abort();
    }
    return 0;
}
