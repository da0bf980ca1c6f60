/* Multicast over UDP on a multi-access segment (a hub: every frame reaches
 * every other member), four stacks on manual clocks:
 *
 *   A 2001:db8::1 (sender) --+
 *   B 2001:db8::2 (member) --+-- segment "s"
 *   C 2001:db8::3 (member) --+
 *   D 2001:db8::4 (not)    --+
 *
 * A also sits on a second segment "t" with E (2001:db8:1::5), to test
 * which interface a multicast datagram leaves by. */
#include "harness.h"
#include "sock/sock.h"   /* six__memb_tag: groups whose tags collide */

#define NST 5
#define PORT 9000

struct net {
    struct six_segment *s, *t;
    struct six_stack *st[NST];
    unsigned ifx[NST];       /* each stack's interface on its segment */
    unsigned a_t;            /* A's interface on t */
    struct in6_addr addr[NST];
};

enum { A, B, C, D, E };

static const struct in6_addr any = IN6ADDR_ANY_INIT;

static void net_up(struct net *n) {
    static const char *addrs[NST] = {"2001:db8::1", "2001:db8::2", "2001:db8::3",
                                     "2001:db8::4", "2001:db8:1::5"};
    memset(n, 0, sizeof(*n));
    h_privileged(1);
    n->s = six_segment_new(NULL);
    n->t = six_segment_new(NULL);
    CHECK(n->s && n->t);
    for (int i = 0; i < NST; i++) {
        struct six_stack_config cfg = h_config((uint64_t)i + 21);
        n->st[i] = six_stack_new(&cfg);
        CHECK(n->st[i] != NULL);
        n->ifx[i] = (unsigned)CHECK_OK(six_segment_attach(i == E ? n->t : n->s, n->st[i], "s0"));
        n->addr[i] = h_in6(addrs[i]);
        CHECK_OK(six_addr_add(n->st[i], n->ifx[i], &n->addr[i], 64, 0));
    }
    n->a_t = (unsigned)CHECK_OK(six_segment_attach(n->t, n->st[A], "t0"));
    struct in6_addr a_t = h_in6("2001:db8:1::1");
    CHECK_OK(six_addr_add(n->st[A], n->a_t, &a_t, 64, 0));
}

static void net_pump(struct net *n) {
    h_pump_stacks(n->st, NST);
}

static void net_done(struct net *n) {
    net_pump(n);
    for (int i = 0; i < NST; i++)
        CHECK_EQ(six_stack_pkts_in_use(n->st[i]), 0);
    for (int i = 0; i < NST; i++)
        six_stack_free(n->st[i]);
    six_segment_free(n->s);
    six_segment_free(n->t);
    six_set_creds(NULL);
}

/* A UDP socket on st bound to [::]:PORT (SO_REUSEPORT, so several may). */
static int listener(struct six_stack *st) {
    int fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0)), one = 1;
    struct sockaddr_in6 sin6 = h_sin6(&any, 0);
    sin6.sin6_port = htons(PORT);
    CHECK_OK(six_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
    CHECK_OK(six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)));
    return fd;
}

static void join(int fd, const struct in6_addr *g, unsigned ifindex) {
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = *g, .ipv6mr_interface = ifindex};
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)));
}

static void leave(int fd, const struct in6_addr *g, unsigned ifindex) {
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = *g, .ipv6mr_interface = ifindex};
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &mr, sizeof(mr)));
}

static void send_to_group(int fd, const struct in6_addr *g, unsigned scope, const char *msg) {
    struct sockaddr_in6 to = h_sin6(g, scope);
    to.sin6_port = htons(PORT);
    CHECK_EQ(CHECK_OK(six_sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&to, sizeof(to))),
             strlen(msg));
}

/* Reads one datagram if there is one: returns its hop limit (from the
 * cmsg), or -1 when none waits. */
static int got(int fd, const char *want) {
    char buf[64], ctl[128];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                       .msg_controllen = sizeof(ctl)};
    ssize_t r = six_recvmsg(fd, &m, MSG_DONTWAIT);
    int hl = -2;

    if (r < 0) {
        CHECK_EQ(errno, EAGAIN);
        return -1;
    }
    CHECK_EQ(r, strlen(want));
    CHECK_MEM(buf, want, (size_t)r);
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
        if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT)
            memcpy(&hl, CMSG_DATA(cm), sizeof(int));
    CHECK(hl >= 0);
    return hl;
}

TEST(members_receive_non_members_do_not) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::1234");

    net_up(&n);
    int sa = (int)CHECK_OK(six_socket_on(n.st[A], AF_INET6, SOCK_DGRAM, 0));
    int b = listener(n.st[B]), c1 = listener(n.st[C]), c2 = listener(n.st[C]);
    int d = listener(n.st[D]);
    join(b, &g, 0);             /* 0: the default multicast interface */
    join(c1, &g, n.ifx[C]);
    join(c2, &g, n.ifx[C]);     /* the same group twice on one stack */
    net_pump(&n);               /* the MLD reports of the joins reach D too */
    uint64_t d_before = h_stats(n.st[D]).ip6_in_not_for_us;
    send_to_group(sa, &g, n.ifx[A], "one");
    net_pump(&n);
    /* Default IPV6_MULTICAST_HOPS is 1 (RFC 3493 5.2). */
    CHECK_EQ(got(b, "one"), 1);
    CHECK_EQ(got(c1, "one"), 1);
    CHECK_EQ(got(c2, "one"), 1);
    CHECK_EQ(got(d, "one"), -1);
    CHECK_EQ(h_stats(n.st[D]).ip6_in_not_for_us - d_before, 1);
    /* E is on the other segment: nothing crossed. */
    CHECK_EQ(h_stats(n.st[E]).ip6_in_receives, 0);

    /* Leave on B, close one of C's: the rest still receive. */
    leave(b, &g, 0);
    CHECK_OK(six_close(c1));
    send_to_group(sa, &g, n.ifx[A], "two");
    net_pump(&n);
    CHECK_EQ(got(b, "two"), -1);
    CHECK_EQ(got(c2, "two"), 1);
    /* Closing the last member drops the stack's membership. */
    CHECK_OK(six_close(c2));
    uint64_t c_before = h_stats(n.st[C]).ip6_in_not_for_us;
    send_to_group(sa, &g, n.ifx[A], "three");
    net_pump(&n);
    CHECK_EQ(h_stats(n.st[C]).ip6_in_not_for_us - c_before, 1);
    CHECK_OK(six_close(sa));
    CHECK_OK(six_close(b));
    CHECK_OK(six_close(d));
    net_done(&n);
}

TEST(loop_delivers_to_own_members_unless_off) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::77");
    int off = 0;

    net_up(&n);
    int sa = (int)CHECK_OK(six_socket_on(n.st[A], AF_INET6, SOCK_DGRAM, 0));
    int ma = listener(n.st[A]), b = listener(n.st[B]);
    join(ma, &g, n.ifx[A]);
    join(b, &g, n.ifx[B]);
    int v = -1;
    socklen_t vl = sizeof(v);
    CHECK_OK(six_getsockopt(sa, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &v, &vl));
    CHECK_EQ(v, 1);
    send_to_group(sa, &g, n.ifx[A], "loop");
    net_pump(&n);
    CHECK_EQ(got(ma, "loop"), 1);
    CHECK_EQ(got(b, "loop"), 1);
    CHECK_OK(six_setsockopt(sa, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)));
    send_to_group(sa, &g, n.ifx[A], "noloop");
    net_pump(&n);
    CHECK_EQ(got(ma, "noloop"), -1);
    CHECK_EQ(got(b, "noloop"), 1);
    CHECK_OK(six_close(sa));
    CHECK_OK(six_close(ma));
    CHECK_OK(six_close(b));
    net_done(&n);
}

TEST(multicast_hops_zero_one_two) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::88");

    net_up(&n);
    int sa = (int)CHECK_OK(six_socket_on(n.st[A], AF_INET6, SOCK_DGRAM, 0));
    int ma = listener(n.st[A]), b = listener(n.st[B]);
    join(ma, &g, n.ifx[A]);
    join(b, &g, n.ifx[B]);
    net_pump(&n);               /* A's MLD report of its join reaches B */
    uint64_t sent = h_stats(n.st[B]).ip6_in_receives;
    /* Hop limit 0: this node only. */
    int hops = 0;
    CHECK_OK(six_setsockopt(sa, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)));
    send_to_group(sa, &g, n.ifx[A], "zero");
    net_pump(&n);
    CHECK_EQ(got(ma, "zero"), 0);
    CHECK_EQ(got(b, "zero"), -1);
    CHECK_EQ(h_stats(n.st[B]).ip6_in_receives, sent);
    for (hops = 1; hops <= 2; hops++) {
        CHECK_OK(six_setsockopt(sa, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)));
        send_to_group(sa, &g, n.ifx[A], "hops");
        net_pump(&n);
        CHECK_EQ(got(ma, "hops"), hops);
        CHECK_EQ(got(b, "hops"), hops);
    }
    /* -1 is the default again. */
    hops = -1;
    CHECK_OK(six_setsockopt(sa, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)));
    send_to_group(sa, &g, n.ifx[A], "dflt");
    net_pump(&n);
    CHECK_EQ(got(b, "dflt"), 1);
    CHECK_OK(six_close(sa));
    CHECK_OK(six_close(ma));
    CHECK_OK(six_close(b));
    net_done(&n);
}

TEST(memberships_filter_what_a_socket_sees) {
    struct net n;
    struct in6_addr g1 = h_in6("ff1e::1"), g2 = h_in6("ff1e::2");

    net_up(&n);
    int sa = (int)CHECK_OK(six_socket_on(n.st[A], AF_INET6, SOCK_DGRAM, 0));
    int only1 = listener(n.st[B]), only2 = listener(n.st[B]), none = listener(n.st[B]);
    join(only1, &g1, n.ifx[B]);
    join(only2, &g2, n.ifx[B]);
    send_to_group(sa, &g1, n.ifx[A], "g1");
    net_pump(&n);
    CHECK_EQ(got(only1, "g1"), 1);
    CHECK_EQ(got(only2, "g1"), -1);
    /* A socket that joined nothing sees every group its stack accepts
     * on its port (BSD and Linux). */
    CHECK_EQ(got(none, "g1"), 1);
    CHECK_EQ(h_stats(n.st[B]).udp_in_mcast_filtered, 1);
    CHECK_OK(six_close(sa));
    CHECK_OK(six_close(only1));
    CHECK_OK(six_close(only2));
    CHECK_OK(six_close(none));
    net_done(&n);
}

/* Groups ff1e::N (N from *next on) whose one-byte membership tags on
 * ifindex equal want's. */
static struct in6_addr same_tag(uint8_t want, unsigned ifindex, uint32_t *next) {
    for (;; (*next)++) {
        struct in6_addr g = h_in6("ff1e::");
        g.s6_addr[12] = (uint8_t)(*next >> 24);
        g.s6_addr[13] = (uint8_t)(*next >> 16);
        g.s6_addr[14] = (uint8_t)(*next >> 8);
        g.s6_addr[15] = (uint8_t)*next;
        if (six__memb_tag(ifindex, &g) == want) {
            (*next)++;
            return g;
        }
    }
}

/* A socket's memberships are found by one-byte tags, which collide: with
 * three groups of one tag (two joined, one not), each joined group is
 * delivered whatever its place in the list, and the third is filtered. */
TEST(memberships_with_colliding_tags) {
    struct net n;
    uint32_t next = 0x100;

    net_up(&n);
    struct in6_addr g1 = h_in6("ff1e::1");
    uint8_t tag = six__memb_tag(n.ifx[B], &g1);
    struct in6_addr g2 = same_tag(tag, n.ifx[B], &next), other = same_tag(tag, n.ifx[B], &next);
    struct in6_addr g3 = h_in6("ff1e::3");
    int sa = (int)CHECK_OK(six_socket_on(n.st[A], AF_INET6, SOCK_DGRAM, 0));
    int b = listener(n.st[B]), joins_other = listener(n.st[B]);
    join(b, &g1, n.ifx[B]);
    join(b, &g3, n.ifx[B]);
    join(b, &g2, n.ifx[B]);
    join(joins_other, &other, n.ifx[B]);   /* so B's stack accepts it */
    send_to_group(sa, &g1, n.ifx[A], "g1");
    send_to_group(sa, &g2, n.ifx[A], "g2");
    send_to_group(sa, &other, n.ifx[A], "other");
    net_pump(&n);
    CHECK_EQ(got(b, "g1"), 1);
    CHECK_EQ(got(b, "g2"), 1);
    CHECK_EQ(got(b, "other"), -1);
    CHECK_EQ(got(joins_other, "other"), 1);
    CHECK_OK(six_close(sa));
    CHECK_OK(six_close(b));
    CHECK_OK(six_close(joins_other));
    net_done(&n);
}

/* ip6(4)'s precedence for the outgoing interface: ancillary pktinfo, then
 * sticky pktinfo, then IPV6_MULTICAST_IF, then sin6_scope_id. */
TEST(outgoing_interface_precedence) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::99");

    net_up(&n);
    int sa = (int)CHECK_OK(six_socket_on(n.st[A], AF_INET6, SOCK_DGRAM, 0));
    int b = listener(n.st[B]), e = listener(n.st[E]);
    join(b, &g, n.ifx[B]);
    join(e, &g, n.ifx[E]);
    /* sin6_scope_id alone. */
    send_to_group(sa, &g, n.a_t, "scope");
    net_pump(&n);
    CHECK_EQ(got(e, "scope"), 1);
    CHECK_EQ(got(b, "scope"), -1);
    /* IPV6_MULTICAST_IF beats sin6_scope_id. */
    unsigned ifs = n.ifx[A];
    CHECK_OK(six_setsockopt(sa, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifs, sizeof(ifs)));
    send_to_group(sa, &g, n.a_t, "mif");
    net_pump(&n);
    CHECK_EQ(got(b, "mif"), 1);
    CHECK_EQ(got(e, "mif"), -1);
    /* Sticky pktinfo beats IPV6_MULTICAST_IF. */
    struct in6_pktinfo pi = {.ipi6_ifindex = n.a_t};
    CHECK_OK(six_setsockopt(sa, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi)));
    send_to_group(sa, &g, 0, "sticky");
    net_pump(&n);
    CHECK_EQ(got(e, "sticky"), 1);
    CHECK_EQ(got(b, "sticky"), -1);
    /* Ancillary pktinfo beats the sticky one. */
    struct sockaddr_in6 to = h_sin6(&g, 0);
    to.sin6_port = htons(PORT);
    struct iovec iov = {.iov_base = "anc", .iov_len = 3};
    union {
        char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
        struct cmsghdr align;
    } c;
    memset(&c, 0, sizeof(c));
    struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof(c.b)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_PKTINFO;
    cm->cmsg_len = CMSG_LEN(sizeof(pi));
    pi.ipi6_ifindex = n.ifx[A];
    memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
    CHECK_OK(six_sendmsg(sa, &m, 0));
    net_pump(&n);
    CHECK_EQ(got(b, "anc"), 1);
    CHECK_EQ(got(e, "anc"), -1);
    CHECK_OK(six_close(sa));
    CHECK_OK(six_close(b));
    CHECK_OK(six_close(e));
    net_done(&n);
}

TEST(link_local_group_joined_per_interface) {
    struct net n;
    struct in6_addr g = h_in6("ff12::5");

    net_up(&n);
    int sa = (int)CHECK_OK(six_socket_on(n.st[A], AF_INET6, SOCK_DGRAM, 0));
    int ma = listener(n.st[A]), b = listener(n.st[B]), e = listener(n.st[E]);
    /* A joins on t only; B on s; E on t. The zone decides. */
    join(ma, &g, n.a_t);
    join(b, &g, n.ifx[B]);
    join(e, &g, n.ifx[E]);
    send_to_group(sa, &g, n.ifx[A], "on-s");
    net_pump(&n);
    CHECK_EQ(got(b, "on-s"), 1);
    CHECK_EQ(got(e, "on-s"), -1);
    CHECK_EQ(got(ma, "on-s"), -1);   /* A is no member on s */
    send_to_group(sa, &g, n.a_t, "on-t");
    net_pump(&n);
    CHECK_EQ(got(e, "on-t"), 1);
    CHECK_EQ(got(ma, "on-t"), 1);
    CHECK_EQ(got(b, "on-t"), -1);
    /* Joining twice on one interface is EADDRINUSE; leaving a group not
     * joined, EADDRNOTAVAIL. */
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = g, .ipv6mr_interface = n.a_t};
    CHECK_ERRNO(six_setsockopt(ma, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)), EADDRINUSE);
    mr.ipv6mr_interface = n.ifx[A];
    CHECK_ERRNO(six_setsockopt(ma, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &mr, sizeof(mr)),
                EADDRNOTAVAIL);
    /* The same group on the other interface too. */
    join(ma, &g, n.ifx[A]);
    send_to_group(sa, &g, n.ifx[A], "both");
    net_pump(&n);
    CHECK_EQ(got(ma, "both"), 1);
    CHECK_OK(six_close(sa));
    CHECK_OK(six_close(ma));
    CHECK_OK(six_close(b));
    CHECK_OK(six_close(e));
    net_done(&n);
}

/* ---- a stack whose only interface is the loopback one ---- */

struct lo_only {
    struct six_stack *st;
    unsigned lo;
    int member, sender;
};

static void lo_up(struct lo_only *l, const char *group) {
    struct six_stack_config cfg = h_config(31);
    struct sockaddr_in6 sin6 = h_sin6(&any, 0);
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = h_in6(group), .ipv6mr_interface = 0};

    h_privileged(1);
    CHECK((l->st = six_stack_new(&cfg)) != NULL);
    CHECK((l->lo = six_if_nametoindex(l->st, "lo")) != 0);
    l->member = (int)CHECK_OK(six_socket_on(l->st, AF_INET6, SOCK_DGRAM, 0));
    l->sender = (int)CHECK_OK(six_socket_on(l->st, AF_INET6, SOCK_DGRAM, 0));
    sin6.sin6_port = htons(PORT);
    CHECK_OK(six_bind(l->member, (struct sockaddr *)&sin6, sizeof(sin6)));
    /* ip6(4): interface 0 lets the stack choose; with lo alone, lo. */
    CHECK_OK(six_setsockopt(l->member, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)));
    /* The sender is left unbound: its source is the stack's to choose. */
    CHECK_OK(six_setsockopt(l->sender, IPPROTO_IPV6, IPV6_MULTICAST_IF, &l->lo,
                            sizeof(l->lo)));
}

static void lo_opt(struct lo_only *l, int name, int v) {
    CHECK_OK(six_setsockopt(l->sender, IPPROTO_IPV6, name, &v, sizeof(v)));
}

/* Sends tag to group and runs the stack; returns whether the member got
 * it, and checks that it came from ::1. */
static int lo_send(struct lo_only *l, const char *group, const char *tag) {
    struct sockaddr_in6 to = h_sin6(&any, 0), from;
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    socklen_t fl = sizeof(from);
    char buf[32];
    ssize_t n;

    to.sin6_addr = h_in6(group);
    to.sin6_port = htons(PORT);
    CHECK_EQ(CHECK_OK(six_sendto(l->sender, tag, strlen(tag), 0, (struct sockaddr *)&to,
                                 sizeof(to))),
             strlen(tag));
    h_pump_stacks(&l->st, 1);
    n = six_recvfrom(l->member, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
    if (n < 0) {
        CHECK_EQ(errno, EAGAIN);
        return 0;
    }
    CHECK_EQ(n, strlen(tag));
    CHECK_MEM(buf, tag, strlen(tag));
    CHECK(h_addr_eq(&from.sin6_addr, &lo));
    return 1;
}

static void lo_done(struct lo_only *l) {
    CHECK_OK(six_close(l->member));
    CHECK_OK(six_close(l->sender));
    h_pump_stacks(&l->st, 1);
    CHECK_EQ(six_stack_pkts_in_use(l->st), 0);
    six_stack_free(l->st);
}

/* Multicast through the loopback interface, as BSD's ip6_output: the
 * datagram is never transmitted there, only the loop copy is delivered,
 * so IPV6_MULTICAST_LOOP decides alone (the hop limit does not matter). An
 * unbound sender gets ::1 as its source, since the datagram stays on the
 * node; a join with interface 0 picks lo. */
TEST(mcast_loopback_interface_only) {
    static const char *groups[] = {"ff15::abcd", "ff02::1:3"};
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        struct lo_only l;

        lo_up(&l, groups[i]);
        CHECK(lo_send(&l, groups[i], "loop1"));
        lo_opt(&l, IPV6_MULTICAST_LOOP, 0);
        CHECK(!lo_send(&l, groups[i], "loop0"));
        lo_opt(&l, IPV6_MULTICAST_HOPS, 0);
        CHECK(!lo_send(&l, groups[i], "hops0"));
        lo_opt(&l, IPV6_MULTICAST_LOOP, 1);
        CHECK(lo_send(&l, groups[i], "hops0l1"));
        lo_done(&l);
    }
}
