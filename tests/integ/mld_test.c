/* MLD listener behaviour (RFC 3810, RFC 2710 compatibility) on a
 * multi-access segment, four stacks on manual clocks:
 *
 *   Q fe80::1 2001:db8::1 (the querier: a test socket) --+
 *   B fe80::2 2001:db8::2 (listener)                    --+-- segment
 *   C fe80::3 2001:db8::3 (listener)                    --+
 *   D fe80::4 2001:db8::4 (listener)                    --+
 *
 * Q plays the router with a raw ICMPv6 socket: it sends crafted queries
 * (Router Alert as a sticky hop-by-hop header, hop limit 1, link-local
 * source by source selection) and reads the reports, having joined
 * ff02::16, ff02::2 and the groups MLDv1 reports go to. */
#include <stdlib.h>

#include "harness.h"

#define NST 4
enum { Q, B, C, D };

struct net {
    struct six_segment *seg;
    struct six_stack *st[NST];
    unsigned ifx[NST];
    struct in6_addr ll[NST], gl[NST];
    int q;                     /* Q's raw ICMPv6 socket */
};

static const struct in6_addr any = IN6ADDR_ANY_INIT;
static const uint8_t ra_hbh[8] = {0, 0, 0x05, 0x02, 0, 0, 0x01, 0x00};

static void net_pump(struct net *n) {
    h_pump_stacks(n->st, NST);
}

static void advance(struct net *n, uint64_t us) {
    for (int i = 0; i < NST; i++)
        CHECK_OK(six_stack_set_time(n->st[i], six_stack_now(n->st[i]) + us));
    net_pump(n);
}

static void q_join(struct net *n, const struct in6_addr *g) {
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = *g, .ipv6mr_interface = n->ifx[Q]};
    CHECK_OK(six_setsockopt(n->q, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)));
}

/* Reads and drops everything waiting on Q's socket. */
static void drain(struct net *n) {
    uint8_t buf[2048];
    while (six_recv(n->q, buf, sizeof(buf), MSG_DONTWAIT) >= 0) {
    }
}

static void net_up_mtu(struct net *n, unsigned mtu) {
    struct six_memwire_config wc = {.mtu = mtu, .queue_len = 256};
    static const char *gl[NST] = {"2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4"};
    int one = 1, off = 0;
    struct icmp6_filter f;

    memset(n, 0, sizeof(*n));
    h_privileged(1);
    n->seg = six_segment_new(mtu ? &wc : NULL);
    CHECK(n->seg != NULL);
    for (int i = 0; i < NST; i++) {
        struct six_stack_config cfg = h_config((uint64_t)i + 41);
        n->st[i] = six_stack_new(&cfg);
        CHECK(n->st[i] != NULL);
        n->ifx[i] = (unsigned)CHECK_OK(six_segment_attach(n->seg, n->st[i], "s0"));
        n->ll[i] = h_linklocal(n->st[i], n->ifx[i]);
        n->gl[i] = h_in6(gl[i]);
        CHECK_OK(six_addr_add(n->st[i], n->ifx[i], &n->gl[i], 64, 0));
    }
    /* Whatever the stacks report on their own (solicited-node groups,
     * once neighbour discovery joins them) is over before the tests. */
    advance(n, 5000000);
    n->q = (int)CHECK_OK(six_socket_on(n->st[Q], AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(131, &f);
    ICMP6_FILTER_SETPASS(132, &f);
    ICMP6_FILTER_SETPASS(143, &f);
    CHECK_OK(six_setsockopt(n->q, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)));
    CHECK_OK(six_setsockopt(n->q, IPPROTO_IPV6, IPV6_HOPOPTS, ra_hbh, sizeof(ra_hbh)));
    CHECK_OK(six_setsockopt(n->q, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)));
    CHECK_OK(six_setsockopt(n->q, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)));
    CHECK_OK(six_setsockopt(n->q, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &one, sizeof(one)));
    CHECK_OK(six_setsockopt(n->q, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)));
    q_join(n, &(struct in6_addr){{{0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16}}});
    q_join(n, &(struct in6_addr){{{0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02}}});
    advance(n, 5000000);
    drain(n);
}

static void net_up(struct net *n) { net_up_mtu(n, 0); }

static void net_done(struct net *n) {
    CHECK_OK(six_close(n->q));
    net_pump(n);
    for (int i = 0; i < NST; i++)
        CHECK_EQ(six_stack_pkts_in_use(n->st[i]), 0);
    for (int i = 0; i < NST; i++)
        six_stack_free(n->st[i]);
    six_segment_free(n->seg);
    six_set_creds(NULL);
}

/* ---- what Q reads ---- */

struct rec {
    uint8_t type;
    struct in6_addr group;
    unsigned nsrc;
    struct in6_addr srcs[8];
};

struct msg {
    uint8_t type;
    struct in6_addr from, to;
    int hlim;
    int router_alert;
    uint8_t b[2048];
    size_t len;
    unsigned nrec;
    struct rec recs[128];
};

/* The next message on Q's socket; 0 when none waits. */
static int next_msg(struct net *n, struct msg *m) {
    struct sockaddr_in6 from;
    uint8_t ctl[512];
    struct iovec iov = {.iov_base = m->b, .iov_len = sizeof(m->b)};
    struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
                        .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
    ssize_t r = six_recvmsg(n->q, &mh, MSG_DONTWAIT);

    if (r < 0) {
        CHECK_EQ(errno, EAGAIN);
        return 0;
    }
    CHECK(r >= 8);
    memset(&m->to, 0, sizeof(m->to));
    m->len = (size_t)r;
    m->type = m->b[0];
    m->from = from.sin6_addr;
    m->hlim = -1;
    m->router_alert = 0;
    m->nrec = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_type == IPV6_HOPLIMIT)
            memcpy(&m->hlim, CMSG_DATA(cm), sizeof(int));
        if (cm->cmsg_type == IPV6_HOPOPTS)
            m->router_alert = memcmp(CMSG_DATA(cm) + 2, ra_hbh + 2, 4) == 0;
        if (cm->cmsg_type == IPV6_PKTINFO)
            memcpy(&m->to, CMSG_DATA(cm), 16);
    }
    if (m->type == 143) {
        size_t off = 8;
        unsigned nrec = h_get16(m->b + 6);
        for (unsigned i = 0; i < nrec && i < 128; i++) {
            struct rec *rc = &m->recs[m->nrec++];
            CHECK(off + 20 <= m->len);
            rc->type = m->b[off];
            CHECK_EQ(m->b[off + 1], 0);
            rc->nsrc = h_get16(m->b + off + 2);
            memcpy(&rc->group, m->b + off + 4, 16);
            for (unsigned k = 0; k < rc->nsrc && k < 8; k++)
                memcpy(&rc->srcs[k], m->b + off + 20 + 16 * k, 16);
            off += 20 + 16 * (size_t)rc->nsrc;
        }
        CHECK_EQ(off, m->len);
    } else if (m->len >= 24) {
        memcpy(&m->recs[0].group, m->b + 8, 16);
    }
    return 1;
}

/* Every message sent as MLD must be: hop limit 1, Router Alert. */
static void check_form(const struct msg *m) {
    CHECK_EQ(m->hlim, 1);
    CHECK(m->router_alert);
}

/* Reads the next MLDv2 report from node `who` (messages of others are
 * skipped). Returns 0 when none. */
static int report_from(struct net *n, int who, struct msg *m) {
    while (next_msg(n, m)) {
        if (!h_addr_eq(&m->from, &n->ll[who]))
            continue;
        check_form(m);
        return 1;
    }
    return 0;
}

/* The record for g in m, or NULL. */
static const struct rec *rec_for(const struct msg *m, const struct in6_addr *g) {
    for (unsigned i = 0; i < m->nrec; i++)
        if (h_addr_eq(&m->recs[i].group, g))
            return &m->recs[i];
    return NULL;
}

/* Expects exactly one record for g from `who` with that type and the
 * given sources (in any order). */
static void expect_record(const struct msg *m, const struct in6_addr *g, uint8_t type,
                          const struct in6_addr *srcs, unsigned nsrc) {
    const struct rec *r = rec_for(m, g);
    CHECK(r != NULL);
    CHECK_EQ(r->type, type);
    CHECK_EQ(r->nsrc, nsrc);
    for (unsigned i = 0; i < nsrc; i++) {
        int found = 0;
        for (unsigned k = 0; k < r->nsrc; k++)
            found |= h_addr_eq(&r->srcs[k], &srcs[i]);
        CHECK(found);
    }
}

/* ---- what Q sends ---- */

/* A query from Q to dst (ff02::1 or the group) of len bytes. */
static void q_send(struct net *n, const struct in6_addr *dst, const uint8_t *q, size_t len) {
    struct sockaddr_in6 to = h_sin6(dst, n->ifx[Q]);
    CHECK_EQ(CHECK_OK(six_sendto(n->q, q, len, 0, (struct sockaddr *)&to, sizeof(to))), len);
    net_pump(n);
}

static const struct in6_addr all_nodes = {{{0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}};

/* An MLDv2 query for g (:: general) with max response delay ms and
 * nsrc sources; returns its length. */
static size_t v2_query(uint8_t *q, const struct in6_addr *g, uint16_t ms,
                       const struct in6_addr *srcs, unsigned nsrc) {
    memset(q, 0, 28);
    q[0] = 130;
    h_put16(q + 4, ms);
    memcpy(q + 8, g, 16);
    q[24] = 2;     /* QRV 2 */
    q[25] = 125;   /* QQIC 125 s */
    h_put16(q + 26, (uint16_t)nsrc);
    for (unsigned i = 0; i < nsrc; i++)
        memcpy(q + 28 + 16 * i, &srcs[i], 16);
    return 28 + 16 * (size_t)nsrc;
}

static size_t v1_query(uint8_t *q, const struct in6_addr *g, uint16_t ms) {
    memset(q, 0, 24);
    q[0] = 130;
    h_put16(q + 4, ms);
    memcpy(q + 8, g, 16);
    return 24;
}

/* A UDP socket on st joined to g on its segment interface. */
static int joiner(struct net *n, int who, const struct in6_addr *g) {
    int fd = (int)CHECK_OK(six_socket_on(n->st[who], AF_INET6, SOCK_DGRAM, 0));
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = *g, .ipv6mr_interface = n->ifx[who]};
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)));
    return fd;
}

static struct six_stats st_of(struct net *n, int who) { return h_stats(n->st[who]); }

/* ---- joining and leaving ---- */

TEST(join_reports_robustness_times_within_the_interval) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::101");
    struct msg m;

    net_up(&n);
    uint64_t adds = st_of(&n, B).link_mcast_filter_adds;
    int fd = joiner(&n, B, &g);
    net_pump(&n);
    /* At once: CHANGE_TO_EXCLUDE_MODE with no sources, to ff02::16 from
     * B's link-local address. */
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 4, NULL, 0);
    CHECK_EQ(m.nrec, 1);
    CHECK(h_addr_eq(&m.to, &(struct in6_addr){{{0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                 0x16}}}));
    CHECK_EQ(st_of(&n, B).link_mcast_filter_adds - adds, 1);
    /* Once more (robustness 2) within the Unsolicited Report Interval. */
    int steps = 0;
    while (!report_from(&n, B, &m)) {
        CHECK(++steps <= 10);
        advance(&n, 100000);
    }
    expect_record(&m, &g, 4, NULL, 0);
    CHECK(steps >= 1);
    /* Then silence. */
    advance(&n, 10000000);
    CHECK(!report_from(&n, B, &m));
    CHECK_EQ(st_of(&n, B).mld_out_reports, 2);
    CHECK_OK(six_close(fd));
    net_done(&n);
}

TEST(leave_reports_to_include_nothing_twice) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::102");
    struct msg m;

    net_up(&n);
    int fd = joiner(&n, B, &g);
    advance(&n, 2000000);
    drain(&n);
    uint64_t dels = st_of(&n, B).link_mcast_filter_dels;
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = g, .ipv6mr_interface = n.ifx[B]};
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &mr, sizeof(mr)));
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 3, NULL, 0);
    CHECK_EQ(st_of(&n, B).link_mcast_filter_dels - dels, 1);
    advance(&n, 1000000);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 3, NULL, 0);
    advance(&n, 10000000);
    CHECK(!report_from(&n, B, &m));
    CHECK_OK(six_close(fd));
    net_done(&n);
}

TEST(close_leaves_and_reports) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::103");
    struct msg m;

    net_up(&n);
    int fd = joiner(&n, C, &g);
    advance(&n, 2000000);
    drain(&n);
    CHECK_OK(six_close(fd));
    net_pump(&n);
    CHECK(report_from(&n, C, &m));
    expect_record(&m, &g, 3, NULL, 0);
    advance(&n, 2000000);
    net_done(&n);
}

/* A second socket on the same group changes nothing on the wire; the
 * first leaving neither. */
TEST(second_member_on_a_stack_is_silent) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::104");
    struct msg m;

    net_up(&n);
    int f1 = joiner(&n, B, &g);
    advance(&n, 2000000);
    drain(&n);
    int f2 = joiner(&n, B, &g);
    CHECK_OK(six_close(f1));
    advance(&n, 2000000);
    CHECK(!report_from(&n, B, &m));
    CHECK_OK(six_close(f2));
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 3, NULL, 0);
    advance(&n, 2000000);
    net_done(&n);
}

/* RFC 3810 6: never all-nodes, never interface-local; solicited-node
 * and other link-scope groups are reported. */
TEST(all_nodes_and_interface_local_never_reported) {
    struct net n;
    struct msg m;
    struct in6_addr il = h_in6("ff01::5"), sn = h_in6("ff02::1:ff00:2"), ll = h_in6("ff02::5");

    net_up(&n);
    int f1 = joiner(&n, B, &all_nodes), f2 = joiner(&n, B, &il);
    advance(&n, 2000000);
    CHECK(!report_from(&n, B, &m));
    int f3 = joiner(&n, B, &sn), f4 = joiner(&n, B, &ll);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &sn, 4, NULL, 0);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &ll, 4, NULL, 0);
    CHECK_OK(six_close(f1));
    CHECK_OK(six_close(f2));
    CHECK_OK(six_close(f3));
    CHECK_OK(six_close(f4));
    advance(&n, 2000000);
    net_done(&n);
}

/* RFC 3590: a node without a link-local address reports from ::. */
TEST(report_from_unspecified_without_link_local) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::105");
    struct msg m;

    net_up(&n);
    CHECK_OK(six_addr_del(n.st[D], n.ifx[D], &n.ll[D]));
    int fd = joiner(&n, D, &g);
    net_pump(&n);
    CHECK(next_msg(&n, &m));
    CHECK(h_addr_eq(&m.from, &any));
    check_form(&m);
    expect_record(&m, &g, 4, NULL, 0);
    CHECK_OK(six_close(fd));
    advance(&n, 2000000);
    net_done(&n);
}

/* ---- queries ---- */

TEST(general_query_answered_within_max_resp_delay) {
    struct net n;
    struct in6_addr g1 = h_in6("ff1e::201"), g2 = h_in6("ff1e::202");
    struct msg m;
    uint8_t q[64];

    net_up(&n);
    int fb = joiner(&n, B, &g1), fc = joiner(&n, C, &g2);
    advance(&n, 2000000);
    drain(&n);
    uint64_t rb = st_of(&n, B).mld_out_reports, rc = st_of(&n, C).mld_out_reports;
    q_send(&n, &all_nodes, q, v2_query(q, &any, 2000, NULL, 0));
    CHECK_EQ(st_of(&n, B).mld_in_queries, 1);
    int got_b = 0, got_c = 0;
    for (int step = 0; step <= 20; step++) {
        while (next_msg(&n, &m)) {
            check_form(&m);
            if (h_addr_eq(&m.from, &n.ll[B])) {
                expect_record(&m, &g1, 2, NULL, 0);   /* MODE_IS_EXCLUDE */
                got_b++;
            } else if (h_addr_eq(&m.from, &n.ll[C])) {
                expect_record(&m, &g2, 2, NULL, 0);
                got_c++;
            }
        }
        if (step < 20)
            advance(&n, 100000);
    }
    CHECK_EQ(got_b, 1);
    CHECK_EQ(got_c, 1);
    /* One report each, no retransmission of a Current State Report. */
    advance(&n, 10000000);
    CHECK_EQ(st_of(&n, B).mld_out_reports - rb, 1);
    CHECK_EQ(st_of(&n, C).mld_out_reports - rc, 1);
    CHECK_OK(six_close(fb));
    CHECK_OK(six_close(fc));
    advance(&n, 2000000);
    net_done(&n);
}

/* RFC 3810 6.2 rule 1: a second General Query while an answer is
 * pending sooner adds no answer. */
TEST(general_query_while_one_pending_answers_once) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::203");
    uint8_t q[64];

    net_up(&n);
    int fb = joiner(&n, B, &g);
    advance(&n, 2000000);
    uint64_t rb = st_of(&n, B).mld_out_reports;
    q_send(&n, &all_nodes, q, v2_query(q, &any, 10000, NULL, 0));
    q_send(&n, &all_nodes, q, v2_query(q, &any, 10000, NULL, 0));
    q_send(&n, &all_nodes, q, v2_query(q, &any, 10000, NULL, 0));
    advance(&n, 11000000);
    CHECK_EQ(st_of(&n, B).mld_in_queries, 3);
    CHECK_EQ(st_of(&n, B).mld_out_reports - rb, 1);
    drain(&n);
    CHECK_OK(six_close(fb));
    advance(&n, 2000000);
    net_done(&n);
}

TEST(group_specific_query_answered_by_members_only) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::204"), other = h_in6("ff1e::205");
    struct msg m;
    uint8_t q[64];

    net_up(&n);
    int fb = joiner(&n, B, &g), fc = joiner(&n, C, &other);
    advance(&n, 2000000);
    drain(&n);
    uint64_t rc = st_of(&n, C).mld_out_reports;
    /* Sent to all-nodes so that C hears it too. */
    q_send(&n, &all_nodes, q, v2_query(q, &g, 1000, NULL, 0));
    advance(&n, 1100000);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 2, NULL, 0);
    CHECK_EQ(m.nrec, 1);
    CHECK(!report_from(&n, B, &m));
    CHECK_EQ(st_of(&n, C).mld_in_queries, 1);
    CHECK_EQ(st_of(&n, C).mld_out_reports, rc);
    CHECK_OK(six_close(fb));
    CHECK_OK(six_close(fc));
    advance(&n, 2000000);
    net_done(&n);
}

TEST(max_resp_delay_zero_answers_at_once) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::206");
    struct msg m;
    uint8_t q[64];

    net_up(&n);
    int fb = joiner(&n, B, &g);
    advance(&n, 2000000);
    drain(&n);
    /* To the group itself, as a router sends it; from the link-local
     * address (source selection would pick the global one for ff1e::). */
    struct in6_pktinfo pi = {.ipi6_addr = n.ll[Q], .ipi6_ifindex = n.ifx[Q]};
    CHECK_OK(six_setsockopt(n.q, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi)));
    q_send(&n, &g, q, v2_query(q, &g, 0, NULL, 0));
    CHECK_EQ(st_of(&n, B).mld_in_queries, 1);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 2, NULL, 0);
    CHECK_OK(six_close(fb));
    advance(&n, 2000000);
    net_done(&n);
}

/* ---- invalid queries ---- */

static void expect_ignored(struct net *n, uint64_t *invalid, uint64_t *truncated) {
    struct msg m;
    advance(n, 3000000);
    CHECK(!report_from(n, B, &m));
    CHECK_EQ(st_of(n, B).mld_in_queries, 0);
    *invalid = st_of(n, B).mld_in_invalid;
    *truncated = st_of(n, B).mld_in_truncated;
}

TEST(invalid_queries_dropped_and_counted) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::301");
    uint8_t q[64];
    uint64_t inv = 0, tr = 0, inv0, tr0;
    int hops = 2, hops1 = 1;

    net_up(&n);
    int fb = joiner(&n, B, &g);
    advance(&n, 2000000);
    drain(&n);
    size_t len = v2_query(q, &any, 1000, NULL, 0);
    /* Hop limit 2. */
    CHECK_OK(six_setsockopt(n.q, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)));
    q_send(&n, &all_nodes, q, len);
    expect_ignored(&n, &inv0, &tr0);
    CHECK_EQ(inv0, 1);
    CHECK_OK(six_setsockopt(n.q, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops1, sizeof(hops1)));
    /* A global source (RFC 3810 5.1.14). */
    struct in6_pktinfo pi = {.ipi6_addr = n.gl[Q], .ipi6_ifindex = n.ifx[Q]};
    CHECK_OK(six_setsockopt(n.q, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi)));
    q_send(&n, &all_nodes, q, len);
    expect_ignored(&n, &inv, &tr);
    CHECK_EQ(inv, inv0 + 1);
    memset(&pi, 0, sizeof(pi));
    CHECK_OK(six_setsockopt(n.q, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi)));
    /* No Router Alert. */
    CHECK_OK(six_setsockopt(n.q, IPPROTO_IPV6, IPV6_HOPOPTS, NULL, 0));
    q_send(&n, &all_nodes, q, len);
    expect_ignored(&n, &inv, &tr);
    CHECK_EQ(inv, inv0 + 2);
    CHECK_OK(six_setsockopt(n.q, IPPROTO_IPV6, IPV6_HOPOPTS, ra_hbh, sizeof(ra_hbh)));
    /* 26 bytes: neither version (RFC 3810 8.1). */
    q_send(&n, &all_nodes, q, 26);
    expect_ignored(&n, &inv, &tr);
    CHECK_EQ(tr, 1);
    /* More sources than the message holds. */
    h_put16(q + 26, 3);
    q_send(&n, &all_nodes, q, len + 16);
    expect_ignored(&n, &inv, &tr);
    CHECK_EQ(tr, 2);
    /* A unicast address where the group goes. */
    len = v2_query(q, &n.gl[B], 1000, NULL, 0);
    q_send(&n, &all_nodes, q, len);
    expect_ignored(&n, &inv, &tr);
    CHECK_EQ(inv, inv0 + 3);
    /* And a good one is answered. */
    struct msg m;
    q_send(&n, &all_nodes, q, v2_query(q, &any, 1000, NULL, 0));
    advance(&n, 1100000);
    CHECK(report_from(&n, B, &m));
    CHECK_OK(six_close(fb));
    advance(&n, 2000000);
    net_done(&n);
}

/* ---- MLDv1 compatibility (RFC 3810 8.2, RFC 2710) ---- */

TEST(v1_querier_turns_to_v1_reports_and_done_then_back) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::401"), g2 = h_in6("ff1e::402"), g3 = h_in6("ff1e::403");
    struct msg m;
    uint8_t q[64];

    net_up(&n);
    q_join(&n, &g);
    q_join(&n, &g2);
    int fb = joiner(&n, B, &g);
    advance(&n, 2000000);
    drain(&n);
    /* An MLDv1 General Query: B answers with an MLDv1 Report to g. */
    q_send(&n, &all_nodes, q, v1_query(q, &any, 1000));
    CHECK_EQ(st_of(&n, B).mld_in_v1_queries, 1);
    advance(&n, 1100000);
    CHECK(report_from(&n, B, &m));
    CHECK_EQ(m.type, 131);
    CHECK_EQ(m.len, 24);
    CHECK(h_addr_eq(&m.to, &g));
    CHECK(h_addr_eq(&m.recs[0].group, &g));
    /* A join in MLDv1 mode: Reports, no MLDv2. */
    int fb2 = joiner(&n, B, &g2);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    CHECK_EQ(m.type, 131);
    CHECK(h_addr_eq(&m.recs[0].group, &g2));
    advance(&n, 1000000);
    CHECK(report_from(&n, B, &m));
    CHECK_EQ(m.type, 131);
    /* A leave: Done to all routers (B sent the last Report). */
    CHECK_OK(six_close(fb));
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    CHECK_EQ(m.type, 132);
    CHECK(h_addr_eq(&m.to, &(struct in6_addr){{{0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                 2}}}));
    CHECK(h_addr_eq(&m.recs[0].group, &g));
    advance(&n, 5000000);
    CHECK(!report_from(&n, B, &m));
    CHECK_EQ(st_of(&n, B).mld_out_v1_dones, 1);
    /* Older Version Querier Present Timeout: 2 * 125 s + 10 s. */
    advance(&n, 250000000);
    CHECK_EQ(st_of(&n, B).mld_v2_mode_resumed, 0);
    advance(&n, 6000000);
    CHECK_EQ(st_of(&n, B).mld_v2_mode_resumed, 1);
    int fb3 = joiner(&n, B, &g3);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    CHECK_EQ(m.type, 143);
    expect_record(&m, &g3, 4, NULL, 0);
    CHECK_OK(six_close(fb2));
    CHECK_OK(six_close(fb3));
    advance(&n, 2000000);
    net_done(&n);
}

/* RFC 2710 4: another node's Report cancels ours; and having not sent
 * the last Report, the node sends no Done. */
TEST(v1_report_of_another_suppresses_ours) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::404");
    struct msg m;
    uint8_t q[64];

    net_up(&n);
    q_join(&n, &g);
    int fb = joiner(&n, B, &g), fc = joiner(&n, C, &g);
    advance(&n, 2000000);
    q_send(&n, &all_nodes, q, v1_query(q, &any, 10000));
    drain(&n);
    /* Whoever answers first silences the other: one Report in all. */
    uint64_t before = st_of(&n, B).mld_out_v1_reports + st_of(&n, C).mld_out_v1_reports;
    for (int i = 0; i < 110; i++)
        advance(&n, 100000);
    CHECK_EQ(st_of(&n, B).mld_out_v1_reports + st_of(&n, C).mld_out_v1_reports - before, 1);
    int b_reported = st_of(&n, B).mld_out_v1_reports > 0;
    drain(&n);
    /* The silent one leaves without a Done. */
    CHECK_OK(six_close(b_reported ? fc : fb));
    net_pump(&n);
    CHECK(!next_msg(&n, &m));
    CHECK_OK(six_close(b_reported ? fb : fc));
    net_pump(&n);
    CHECK(next_msg(&n, &m));
    CHECK_EQ(m.type, 132);
    advance(&n, 2000000);
    net_done(&n);
}

/* ---- many groups ---- */

TEST(many_groups_split_across_reports_by_mtu) {
    struct net n;
    struct msg m;
    uint8_t q[64];
    int fds[5];
    char name[32];

    net_up(&n);
    for (int k = 0; k < 100; k++) {
        int s = k / 20;
        if (k % 20 == 0)
            fds[s] = (int)CHECK_OK(six_socket_on(n.st[B], AF_INET6, SOCK_DGRAM, 0));
        snprintf(name, sizeof(name), "ff1e::5:%x", k);
        struct ipv6_mreq mr = {.ipv6mr_multiaddr = h_in6(name), .ipv6mr_interface = n.ifx[B]};
        CHECK_OK(six_setsockopt(fds[s], IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)));
    }
    advance(&n, 2000000);
    drain(&n);
    uint64_t reports = st_of(&n, B).mld_out_reports, records = st_of(&n, B).mld_out_records;
    q_send(&n, &all_nodes, q, v2_query(q, &any, 1000, NULL, 0));
    advance(&n, 1100000);
    /* 100 records of 20 bytes do not fit 1500 - 40 - 8 bytes: two
     * reports, each within the MTU, every group once. */
    unsigned seen = 0, msgs = 0;
    while (report_from(&n, B, &m)) {
        CHECK(m.len + 48 <= 1500);
        msgs++;
        for (unsigned i = 0; i < m.nrec; i++)
            if (m.recs[i].group.s6_addr[13] == 5 && m.recs[i].type == 2)
                seen++;
    }
    CHECK_EQ(msgs, 2);
    CHECK(seen == 100);
    CHECK_EQ(st_of(&n, B).mld_out_reports - reports, 2);
    CHECK(st_of(&n, B).mld_out_records - records >= 100);
    CHECK_EQ(st_of(&n, B).frag_out_datagrams, 0);
    for (int s = 0; s < 5; s++)
        CHECK_OK(six_close(fds[s]));
    advance(&n, 2000000);
    net_done(&n);
}

TEST(interface_removal_and_stack_free_while_timers_pending) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::601");
    uint8_t q[64];

    net_up(&n);
    int fb = joiner(&n, B, &g);
    q_send(&n, &all_nodes, q, v2_query(q, &any, 5000, NULL, 0));
    q_send(&n, &all_nodes, q, v2_query(q, &g, 5000, NULL, 0));
    /* B goes with a general answer, a group answer and retransmissions
     * pending: nothing may fire into freed state (ASan watches). */
    CHECK_OK(six_close(fb));
    advance(&n, 100);
    net_done(&n);
}

/* ---- source-specific multicast (RFC 3678 options, RFC 3810 records) ---- */

static void gsr(int fd, int name, unsigned ifindex, const struct in6_addr *g,
                const struct in6_addr *src) {
    struct group_source_req r;
    struct sockaddr_in6 gs = h_sin6(g, 0), ss = h_sin6(src, 0);
    memset(&r, 0, sizeof(r));
    r.gsr_interface = ifindex;
    memcpy(&r.gsr_group, &gs, sizeof(gs));
    memcpy(&r.gsr_source, &ss, sizeof(ss));
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, name, &r, sizeof(r)));
}

static void gr(int fd, int name, unsigned ifindex, const struct in6_addr *g) {
    struct group_req r;
    struct sockaddr_in6 gs = h_sin6(g, 0);
    memset(&r, 0, sizeof(r));
    r.gr_interface = ifindex;
    memcpy(&r.gr_group, &gs, sizeof(gs));
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, name, &r, sizeof(r)));
}

TEST(ssm_join_allows_sources_and_leave_blocks_them) {
    struct net n;
    struct in6_addr g = h_in6("ff3e::701"), s1 = h_in6("2001:db8::a1"), s2 = h_in6("2001:db8::a2");
    struct msg m;

    net_up(&n);
    int fd = (int)CHECK_OK(six_socket_on(n.st[B], AF_INET6, SOCK_DGRAM, 0));
    /* INCLUDE {} -> INCLUDE {s1}: ALLOW_NEW_SOURCES (s1), twice. */
    gsr(fd, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g, &s1);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 5, &s1, 1);
    advance(&n, 1000000);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 5, &s1, 1);
    gsr(fd, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g, &s2);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 5, &s2, 1);
    advance(&n, 2000000);
    drain(&n);
    /* Leaving one source blocks it; the last one too (the group goes). */
    gsr(fd, MCAST_LEAVE_SOURCE_GROUP, n.ifx[B], &g, &s1);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 6, &s1, 1);
    advance(&n, 2000000);
    drain(&n);
    gsr(fd, MCAST_LEAVE_SOURCE_GROUP, n.ifx[B], &g, &s2);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 6, &s2, 1);
    advance(&n, 2000000);
    CHECK_OK(six_close(fd));
    net_done(&n);
}

/* Two sockets' filters merge (RFC 3810 4.2) and a general query reports
 * the merged state. */
TEST(ssm_general_query_reports_merged_include) {
    struct net n;
    struct in6_addr g = h_in6("ff3e::702"), s1 = h_in6("2001:db8::a1"), s2 = h_in6("2001:db8::a2");
    struct msg m;
    uint8_t q[64];

    net_up(&n);
    int f1 = (int)CHECK_OK(six_socket_on(n.st[B], AF_INET6, SOCK_DGRAM, 0));
    int f2 = (int)CHECK_OK(six_socket_on(n.st[B], AF_INET6, SOCK_DGRAM, 0));
    gsr(f1, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g, &s1);
    gsr(f2, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g, &s2);
    advance(&n, 2000000);
    drain(&n);
    q_send(&n, &all_nodes, q, v2_query(q, &any, 1000, NULL, 0));
    advance(&n, 1100000);
    CHECK(report_from(&n, B, &m));
    struct in6_addr both[] = {s1, s2};
    expect_record(&m, &g, 1, both, 2);   /* MODE_IS_INCLUDE */
    CHECK_OK(six_close(f1));
    CHECK_OK(six_close(f2));
    advance(&n, 2000000);
    net_done(&n);
}

/* RFC 3810 6.3: a group-and-source-specific query is answered with the
 * queried sources the node listens to. */
TEST(group_and_source_query_answers_the_intersection) {
    struct net n;
    struct in6_addr g = h_in6("ff3e::703"), s1 = h_in6("2001:db8::a1"), s2 = h_in6("2001:db8::a2"),
                    s3 = h_in6("2001:db8::a3");
    struct msg m;
    uint8_t q[128];

    net_up(&n);
    int fb = (int)CHECK_OK(six_socket_on(n.st[B], AF_INET6, SOCK_DGRAM, 0));
    gsr(fb, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g, &s1);
    gsr(fb, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g, &s2);
    /* C excludes s3 only. */
    int fc = joiner(&n, C, &g);
    gsr(fc, MCAST_BLOCK_SOURCE, n.ifx[C], &g, &s3);
    advance(&n, 2000000);
    drain(&n);
    struct in6_addr asked[] = {s2, s3};
    q_send(&n, &all_nodes, q, v2_query(q, &g, 1000, asked, 2));
    advance(&n, 1100000);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 1, &s2, 1);
    /* C listens to every source but s3: of those asked, s2. */
    struct msg mc;
    int got_c = 0;
    while (next_msg(&n, &mc))
        if (h_addr_eq(&mc.from, &n.ll[C])) {
            expect_record(&mc, &g, 1, &s2, 1);
            got_c = 1;
        }
    CHECK(got_c);
    /* Nothing asked that B listens to: no answer at all. */
    uint64_t rb = st_of(&n, B).mld_out_reports;
    q_send(&n, &all_nodes, q, v2_query(q, &g, 1000, &s3, 1));
    advance(&n, 1100000);
    CHECK_EQ(st_of(&n, B).mld_out_reports, rb);
    CHECK_OK(six_close(fb));
    CHECK_OK(six_close(fc));
    advance(&n, 2000000);
    net_done(&n);
}

/* EXCLUDE {} -> EXCLUDE {s}: BLOCK_OLD_SOURCES; and back: ALLOW. */
TEST(block_and_unblock_report_block_and_allow) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::704"), s = h_in6("2001:db8::a1");
    struct msg m;

    net_up(&n);
    int fd = (int)CHECK_OK(six_socket_on(n.st[B], AF_INET6, SOCK_DGRAM, 0));
    gr(fd, MCAST_JOIN_GROUP, n.ifx[B], &g);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 4, NULL, 0);
    advance(&n, 2000000);
    drain(&n);
    gsr(fd, MCAST_BLOCK_SOURCE, n.ifx[B], &g, &s);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 6, &s, 1);
    advance(&n, 2000000);
    drain(&n);
    gsr(fd, MCAST_UNBLOCK_SOURCE, n.ifx[B], &g, &s);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 5, &s, 1);
    advance(&n, 2000000);
    drain(&n);
    gr(fd, MCAST_LEAVE_GROUP, n.ifx[B], &g);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 3, NULL, 0);
    advance(&n, 2000000);
    CHECK_OK(six_close(fd));
    net_done(&n);
}

/* A change while the last one is still being retransmitted: the new
 * report carries the pending source too (RFC 3810 6.1). */
TEST(changes_merge_with_pending_retransmissions) {
    struct net n;
    struct in6_addr g = h_in6("ff3e::705"), s1 = h_in6("2001:db8::a1"), s2 = h_in6("2001:db8::a2");
    struct msg m;

    net_up(&n);
    int fd = (int)CHECK_OK(six_socket_on(n.st[B], AF_INET6, SOCK_DGRAM, 0));
    gsr(fd, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g, &s1);
    gsr(fd, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g, &s2);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 5, &s1, 1);
    CHECK(report_from(&n, B, &m));
    struct in6_addr both[] = {s1, s2};
    expect_record(&m, &g, 5, both, 2);
    /* One retransmission left, for s2 only. */
    advance(&n, 1000000);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 5, &s2, 1);
    advance(&n, 2000000);
    CHECK(!report_from(&n, B, &m));
    CHECK_OK(six_close(fd));
    advance(&n, 2000000);
    net_done(&n);
}

/* ---- what UDP sockets see ---- */

static int udp_on(struct net *n, int who, uint16_t port) {
    int fd = (int)CHECK_OK(six_socket_on(n->st[who], AF_INET6, SOCK_DGRAM, 0)), one = 1;
    struct sockaddr_in6 sin6 = h_sin6(&any, 0);
    sin6.sin6_port = htons(port);
    CHECK_OK(six_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
    CHECK_OK(six_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
    return fd;
}

static void udp_send(struct net *n, int who, const struct in6_addr *g, uint16_t port,
                     const char *text) {
    int fd = (int)CHECK_OK(six_socket_on(n->st[who], AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 to = h_sin6(g, n->ifx[who]);
    unsigned ifx = n->ifx[who];
    to.sin6_port = htons(port);
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifx, sizeof(ifx)));
    CHECK_OK(six_sendto(fd, text, strlen(text), 0, (struct sockaddr *)&to, sizeof(to)));
    CHECK_OK(six_close(fd));
    net_pump(n);
}

static int udp_got(int fd, const char *want) {
    char buf[64];
    ssize_t r = six_recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (r < 0)
        return 0;
    return (size_t)r == strlen(want) && memcmp(buf, want, (size_t)r) == 0;
}

TEST(udp_delivery_follows_each_sockets_source_filter) {
    struct net n;
    struct in6_addr g = h_in6("ff3e::801");
    const uint16_t port = 9100;

    net_up(&n);
    /* B: one socket wants C only, one everyone but C, one any source. */
    int only_c = udp_on(&n, B, port), not_c = udp_on(&n, B, port), all = udp_on(&n, B, port);
    gsr(only_c, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g, &n.gl[C]);
    gr(not_c, MCAST_JOIN_GROUP, n.ifx[B], &g);
    gsr(not_c, MCAST_BLOCK_SOURCE, n.ifx[B], &g, &n.gl[C]);
    gr(all, MCAST_JOIN_GROUP, n.ifx[B], &g);
    uint64_t filtered = st_of(&n, B).udp_in_mcast_filtered;
    udp_send(&n, C, &g, port, "from-c");
    CHECK(udp_got(only_c, "from-c"));
    CHECK(!udp_got(not_c, "from-c"));
    CHECK(udp_got(all, "from-c"));
    udp_send(&n, D, &g, port, "from-d");
    CHECK(!udp_got(only_c, "from-d"));
    CHECK(udp_got(not_c, "from-d"));
    CHECK(udp_got(all, "from-d"));
    CHECK_EQ(st_of(&n, B).udp_in_mcast_filtered - filtered, 2);
    /* Unblocking lets C through again. */
    gsr(not_c, MCAST_UNBLOCK_SOURCE, n.ifx[B], &g, &n.gl[C]);
    udp_send(&n, C, &g, port, "again");
    CHECK(udp_got(not_c, "again"));
    CHECK_OK(six_close(only_c));
    CHECK_OK(six_close(not_c));
    CHECK_OK(six_close(all));
    advance(&n, 2000000);
    net_done(&n);
}

/* A source blocked while the join's TO_EX is still being retransmitted:
 * the TO_EX record carries it, robustness times, and no BLOCK record is
 * sent separately. */
TEST(source_change_during_mode_change_restarts_to_ex) {
    struct net n;
    struct in6_addr g = h_in6("ff1e::706"), s = h_in6("2001:db8::a1");
    struct msg m;

    net_up(&n);
    int fd = joiner(&n, B, &g);
    gsr(fd, MCAST_BLOCK_SOURCE, n.ifx[B], &g, &s);
    net_pump(&n);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 4, NULL, 0);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 4, &s, 1);
    advance(&n, 1000000);
    CHECK(report_from(&n, B, &m));
    expect_record(&m, &g, 4, &s, 1);
    advance(&n, 3000000);
    CHECK(!report_from(&n, B, &m));
    CHECK_OK(six_close(fd));
    advance(&n, 2000000);
    net_done(&n);
}

/* Every MLD message sixstack sends or a querier sends it, captured on the
 * segment when SIX_MLD_PCAP names a file: tests/interop/mld_tshark.sh
 * has tshark decode it. Without the variable the case only runs. */
TEST(capture_every_mld_message) {
    struct net n;
    struct in6_addr g1 = h_in6("ff1e::901"), g2 = h_in6("ff3e::902"),
                    s1 = h_in6("2001:db8::a1"), s2 = h_in6("2001:db8::a2");
    const char *path = getenv("SIX_MLD_PCAP");
    uint8_t q[128];

    net_up(&n);
    if (path)
        CHECK_OK(six_if_capture(n.st[Q], n.ifx[Q], path));
    int f1 = joiner(&n, B, &g1);                                  /* TO_EX */
    int f2 = (int)CHECK_OK(six_socket_on(n.st[B], AF_INET6, SOCK_DGRAM, 0));
    gsr(f2, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g2, &s1);        /* ALLOW */
    gsr(f2, MCAST_JOIN_SOURCE_GROUP, n.ifx[B], &g2, &s2);
    advance(&n, 2000000);
    gsr(f2, MCAST_LEAVE_SOURCE_GROUP, n.ifx[B], &g2, &s1);       /* BLOCK */
    gsr(f1, MCAST_BLOCK_SOURCE, n.ifx[B], &g1, &s2);
    advance(&n, 2000000);
    q_send(&n, &all_nodes, q, v2_query(q, &any, 1000, NULL, 0));   /* IS_EX, IS_IN */
    advance(&n, 1100000);
    struct in6_addr asked[] = {s1, s2};
    /* Code 0x9c40: exponent 1, mantissa 0xc40: (0x1c40 << 4) ms. */
    q_send(&n, &all_nodes, q, v2_query(q, &g2, 0x9c40, asked, 2));
    advance(&n, 116000000);
    CHECK_OK(six_close(f1));                                        /* TO_IN */
    advance(&n, 2000000);
    q_join(&n, &g2);
    q_send(&n, &all_nodes, q, v1_query(q, &any, 1000));            /* MLDv1 */
    advance(&n, 1100000);
    CHECK_OK(six_close(f2));                                        /* Done */
    advance(&n, 2000000);
    CHECK(st_of(&n, B).mld_out_v1_reports >= 1);
    CHECK_EQ(st_of(&n, B).mld_out_v1_dones, 1);
    if (path)
        CHECK_OK(six_if_capture(n.st[Q], n.ifx[Q], NULL));
    drain(&n);
    net_done(&n);
}
