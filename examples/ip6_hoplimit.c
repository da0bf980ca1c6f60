/* The EXAMPLES program of ip6(4), unchanged, made into a whole program:
 * it sends itself a raw IPv6 packet over ::1 with a chosen hop limit and
 * prints the hop limit of the packet it receives.
 *
 * Built twice: with USE_SIXSTACK, against sixstack through
 * <sixstack/compat.h> (the only change a sockets program needs); without,
 * against the kernel's own sockets (run it as root: raw sockets).
 *
 *     example_ip6_hoplimit [hop-limit]
 *
 * The lines between "ip6(4) EXAMPLES begin" and "end" are the page's,
 * character for character (\en in the page's mdoc source is \n).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef USE_SIXSTACK
#include <sixstack/compat.h>
#else
/* Linux keeps the page's (RFC 2292) int switch under its 2292 name; the
 * RFC 3542 IPV6_HOPLIMIT is only an ancillary data type there. */
#undef IPV6_HOPLIMIT
#define IPV6_HOPLIMIT IPV6_2292HOPLIMIT
#endif

/* RFC 3692 sets protocol 253 aside for experiments like this one. */
#define EXPERIMENT_PROTO 253

/* Receives one packet on s and prints its hop limit, as the page does. */
void ip6_page_example(int s);

void ip6_page_example(int s) {
    struct sockaddr_in6 from;
    /* ---- ip6(4) EXAMPLES begin ---- */
    // clang-format off
struct iovec iov[2];
u_char buf[BUFSIZ];
struct cmsghdr *cm;
struct msghdr m;
int found, optval;
u_char data[2048];

/* Create socket. */

(void)memset(&m, 0, sizeof(m));
(void)memset(&iov, 0, sizeof(iov));

iov[0].iov_base = data;         /* buffer for packet payload */
iov[0].iov_len = sizeof(data);  /* expected packet length */

m.msg_name = &from;             /* sockaddr_in6 of peer */
m.msg_namelen = sizeof(from);
m.msg_iov = iov;
m.msg_iovlen = 1;
m.msg_control = (caddr_t)buf;   /* buffer for control messages */
m.msg_controllen = sizeof(buf);

/*
 * Enable the hop limit value from received packets to be
 * returned along with the payload.
 */
optval = 1;
if (setsockopt(s, IPPROTO_IPV6, IPV6_HOPLIMIT, &optval,
    sizeof(optval)) == -1)
        err(1, "setsockopt");

found = 0;
while (!found) {
        if (recvmsg(s, &m, 0) == -1)
                err(1, "recvmsg");
        for (cm = CMSG_FIRSTHDR(&m); cm != NULL;
             cm = CMSG_NXTHDR(&m, cm)) {
                if (cm->cmsg_level == IPPROTO_IPV6 &&
                    cm->cmsg_type == IPV6_HOPLIMIT &&
                    cm->cmsg_len == CMSG_LEN(sizeof(int))) {
                        found = 1;
                        (void)printf("hop limit: %d\n",
                            *(int *)CMSG_DATA(cm));
                        break;
                }
        }
}
    // clang-format on
    /* ---- ip6(4) EXAMPLES end ---- */
}

#ifndef IP6_EXAMPLE_NO_MAIN
int main(int argc, char **argv) {
    struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int hops = argc > 1 ? atoi(argv[1]) : 7;
    const char msg[] = "hello from ip6(4)";
    int r, s;

    if ((r = socket(AF_INET6, SOCK_RAW, EXPERIMENT_PROTO)) == -1)
        err(1, "socket (receiver)");
    if (bind(r, (struct sockaddr *)&lo, sizeof(lo)) == -1)
        err(1, "bind");
    if ((s = socket(AF_INET6, SOCK_RAW, EXPERIMENT_PROTO)) == -1)
        err(1, "socket (sender)");
    if (setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) == -1)
        err(1, "setsockopt IPV6_UNICAST_HOPS");
    /* The option is set before the packet goes out, so it cannot miss. */
    {
        int one = 1;
        if (setsockopt(r, IPPROTO_IPV6, IPV6_HOPLIMIT, &one, sizeof(one)) == -1)
            err(1, "setsockopt IPV6_HOPLIMIT");
    }
    if (sendto(s, msg, sizeof(msg), 0, (struct sockaddr *)&lo, sizeof(lo)) == -1)
        err(1, "sendto");
    ip6_page_example(r);
    close(s);
    close(r);
    return 0;
}
#endif
