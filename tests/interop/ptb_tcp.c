/* netns_ptb.sh's TCP side: a sixstack stack on the TAP device DEV (address
 * 2001:db8:6::2/64, default route via 2001:db8:6::1) connects to
 * [PEER]:PORT, sends BYTES bytes (a pattern) and shuts down its side,
 * then reads what the peer answers until it closes and prints it. Then
 * the counters of interest, one "name value" line each.
 *
 *   ptb_tcp DEV PEER PORT BYTES
 *
 * Exit 0 when the connection carried everything both ways. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

static int fail(const char *what) {
    fprintf(stderr, "ptb_tcp: %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv) {
    struct six_stack_config cfg;
    struct in6_addr me, gw, any = IN6ADDR_ANY_INIT;
    struct sockaddr_in6 to = {.sin6_family = AF_INET6};
    static char buf[65536];
    struct timeval tv = {.tv_sec = 10};
    struct six_stats s;
    long n, sent = 0, total;
    int ifx, fd;

    if (argc != 5)
        return fprintf(stderr, "usage: ptb_tcp DEV PEER PORT BYTES\n"), 2;
    total = atol(argv[4]);
    six_stack_config_init(&cfg);
    cfg.seed = 11;
    cfg.dad_transmits = 0;
    cfg.autoconf = 0;
    struct six_stack *st = six_stack_new(&cfg);
    if (!st || (ifx = six_if_add_tap(st, argv[1], NULL)) < 0)
        return fail("stack or TAP");
    inet_pton(AF_INET6, "2001:db8:6::2", &me);
    inet_pton(AF_INET6, "2001:db8:6::1", &gw);
    inet_pton(AF_INET6, argv[2], &to.sin6_addr);
    to.sin6_port = htons((uint16_t)atoi(argv[3]));
    if (six_addr_add(st, (unsigned)ifx, &me, 64, SIX_ADDR_NODAD) < 0 ||
        six_route_add(st, &any, 0, &gw, (unsigned)ifx) < 0 || six_stack_start(st) < 0)
        return fail("configure");
    if ((fd = six_socket_on(st, AF_INET6, SOCK_STREAM, 0)) < 0)
        return fail("socket");
    six_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (six_connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0)
        return fail("connect");
    for (long i = 0; i < (long)sizeof(buf); i++)
        buf[i] = (char)(i * 7);
    while (sent < total) {
        long want = total - sent < (long)sizeof(buf) ? total - sent : (long)sizeof(buf);
        if ((n = six_send(fd, buf, (size_t)want, 0)) < 0)
            return fail("send");
        sent += n;
    }
    six_shutdown(fd, SHUT_WR);
    while ((n = six_recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
        buf[n] = 0;
        fputs(buf, stdout);
    }
    if (n < 0)
        return fail("recv");
    six_close(fd);
    six_stack_stats(st, &s);
    printf("\npmtu_ptb_received %llu\npmtu_updates %llu\n",
           (unsigned long long)s.pmtu_ptb_received, (unsigned long long)s.pmtu_updates);
    six_stack_free(st);
    return 0;
}
