/* six_if_replay: a session captured on one stack, replayed into a fresh
 * stack configured the same way, reaches that stack's sockets and counters
 * as it reached the first's (bare IPv6 and Ethernet links); a filter
 * picks records; link types are matched to the interface; every error
 * path (no interface, missing file, not a pcap file, wrong link type, bad
 * filter, a file cut inside a record) has its errno; records longer than
 * a packet buffer are counted, records cut by the snapshot length arrive
 * cut. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "eseg.h"

static void tmp_path(char *buf, size_t n, const char *tag) {
    snprintf(buf, n, "/tmp/sixstack-replay-%ld-%s.pcap", (long)getpid(), tag);
}

/* A UDP socket on st bound to [::]:port. */
static int udp_on(struct six_stack *st, uint16_t port) {
    int u = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 sin6 = h_sin6(&in6addr_any, 0);
    sin6.sin6_port = htons(port);
    CHECK_OK(six_bind(u, (struct sockaddr *)&sin6, sizeof(sin6)));
    return u;
}

static void udp_send(int fd, const struct in6_addr *to, uint16_t port, const void *buf,
                     size_t len) {
    struct sockaddr_in6 sin6 = h_sin6(to, 0);
    sin6.sin6_port = htons(port);
    CHECK_EQ(CHECK_OK(six_sendto(fd, buf, len, 0, (struct sockaddr *)&sin6, sizeof(sin6))), len);
}

/* The datagrams A sends to B's port 7000: two short ones and one of 4000
 * bytes, which leaves A in three fragments. */
static uint8_t big[4000];
static const char *const small[2] = {"first datagram", "second one"};

static void expect_datagrams(int u) {
    static uint8_t buf[8192];
    CHECK_EQ(CHECK_OK(h_recv(u, buf, sizeof(buf), NULL)), strlen(small[0]));
    CHECK_MEM(buf, small[0], strlen(small[0]));
    CHECK_EQ(CHECK_OK(h_recv(u, buf, sizeof(buf), NULL)), strlen(small[1]));
    CHECK_MEM(buf, small[1], strlen(small[1]));
    CHECK_EQ(CHECK_OK(h_recv(u, buf, sizeof(buf), NULL)), sizeof(big));
    CHECK_MEM(buf, big, sizeof(big));
    H_NOTHING(u);
}

/* The session, on p: A sends the datagrams and two echo requests to B,
 * whose link is captured to path. B answers the pings (two frames back).
 * 7 frames from A (2 + 3 fragments + 2 requests), 2 from B. */
static void session(struct hpair *p, const char *path) {
    static const uint8_t echo[8] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0, 1};
    int a = h_icmp_sock(p, p->a), ua = udp_on(p->a, 6000), ub = udp_on(p->b, 7000);

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7);
    CHECK_OK(six_if_capture(p->b, p->ifb, path));
    udp_send(ua, &p->addr_b, 7000, small[0], strlen(small[0]));
    udp_send(ua, &p->addr_b, 7000, small[1], strlen(small[1]));
    udp_send(ua, &p->addr_b, 7000, big, sizeof(big));
    h_send_ok(a, &p->addr_b, echo, sizeof(echo));
    h_send_ok(a, &p->addr_b, echo, sizeof(echo));
    h_pump(p);
    CHECK_OK(six_if_capture(p->b, p->ifb, NULL));
    expect_datagrams(ub);
    CHECK_EQ(h_stats(p->b).reass_ok, 1);
    CHECK_EQ(h_stats(p->b).icmp6_out_echo_replies, 2);
    CHECK_OK(six_close(ua));
    CHECK_OK(six_close(ub));
}

TEST(replay_bare_session_reaches_fresh_stack) {
    struct hpair p, q;
    struct hicmp m;
    char path[128];

    tmp_path(path, sizeof(path), "bare");
    h_up(&p);
    session(&p, path);
    h_done(&p);

    /* A fresh pair configured the same way: B' gets what B got. The
     * filter keeps A's frames only. */
    h_up(&q);
    int a = h_icmp_sock(&q, q.a), ub = udp_on(q.b, 7000);
    CHECK_EQ(CHECK_OK(six_if_replay(q.b, q.ifb, path, "src host " H_ADDR_A)), 7);
    h_pump(&q);
    expect_datagrams(ub);
    struct six_stats s = h_stats(q.b);
    CHECK_EQ(s.ip6_in_receives, 7);
    CHECK_EQ(s.reass_in_frags, 3);
    CHECK_EQ(s.reass_ok, 1);
    CHECK_EQ(s.udp_in_delivered, 3);
    CHECK_EQ(s.icmp6_in_echo_requests, 2);
    CHECK_EQ(s.icmp6_out_echo_replies, 2);
    CHECK_EQ(s.ip6_in_not_for_us, 0);
    /* B's replies crossed the wire to A (who never sent the requests). */
    h_icmp_read(a, &m);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);
    CHECK_EQ(m.word, 0x12340001);
    h_icmp_read(a, &m);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);

    /* Without the filter every record goes in, B's own replies too: to A,
     * not to B', they are dropped as not ours. */
    CHECK_EQ(CHECK_OK(six_if_replay(q.b, q.ifb, path, NULL)), 9);
    h_pump(&q);
    expect_datagrams(ub);
    s = h_stats(q.b);
    CHECK_EQ(s.ip6_in_receives, 16);
    CHECK_EQ(s.ip6_in_not_for_us, 2);
    CHECK_EQ(s.udp_in_delivered, 6);
    CHECK_EQ(s.icmp6_out_echo_replies, 4);
    CHECK_OK(six_close(ub));
    unlink(path);
    h_done(&q);
}

/* The Ethernet session: st[0] pings st[1] twice (resolving it first),
 * st[1]'s link captured. */
static void eth_session(struct eseg *s, const char *path) {
    static const uint8_t echo[8] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0x56, 0x78, 0, 1};
    int a = (int)CHECK_OK(six_socket_on(s->st[0], AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));

    CHECK_OK(six_if_capture(s->st[1], s->ifx[1], path));
    h_send_ok(a, &s->addr[1], echo, sizeof(echo));
    es_pump(s);
    h_send_ok(a, &s->addr[1], echo, sizeof(echo));
    es_pump(s);
    CHECK_OK(six_if_capture(s->st[1], s->ifx[1], NULL));
    CHECK_EQ(h_stats(s->st[1]).icmp6_out_echo_replies, 2);
    CHECK_OK(six_close(a));
}

TEST(replay_ethernet_session_reaches_stack_with_same_mac) {
    struct eseg s, t;
    char path[128];

    tmp_path(path, sizeof(path), "eth");
    es_up(&s, 2);
    eth_session(&s, path);
    es_done(&s);

    /* Same seeds, same MACs: the frames are addressed to st[1]'s MAC.
     * NS, NA, then request and reply twice. */
    es_up(&t, 2);
    CHECK_MEM(t.mac[1], s.mac[1], 6);
    struct six_stats before = h_stats(t.st[1]);
    CHECK_EQ(CHECK_OK(six_if_replay(t.st[1], t.ifx[1], path, NULL)), 6);
    es_pump(&t);
    struct six_stats after = h_stats(t.st[1]);
    CHECK_EQ(after.nd_in_ns - before.nd_in_ns, 1);
    CHECK_EQ(after.nd_out_na - before.nd_out_na, 1);
    CHECK_EQ(after.icmp6_in_echo_requests - before.icmp6_in_echo_requests, 2);
    CHECK_EQ(after.icmp6_out_echo_replies - before.icmp6_out_echo_replies, 2);
    es_done(&t);

    /* Another MAC (another seed), the same address: the echo requests
     * (picked by a filter) are dropped by the receive filter as on a
     * wire. */
    struct six_memwire_config wc = {.ethernet = 1};
    struct six_stack_config c = h_config(999);
    struct six_segment *seg = six_segment_new(&wc);
    struct six_stack *o = six_stack_new(&c);
    CHECK(seg != NULL && o != NULL);
    unsigned ox = (unsigned)CHECK_OK(six_segment_attach(seg, o, "e1"));
    CHECK_OK(six_addr_add(o, ox, &s.addr[1], 64, 0));
    before = h_stats(o);
    CHECK_EQ(CHECK_OK(six_if_replay(o, ox, path, "icmp6 and ip6[40] == 128")), 2);
    after = h_stats(o);
    CHECK_EQ(after.link_rx_filtered - before.link_rx_filtered, 2);
    CHECK_EQ(after.icmp6_in_echo_requests, before.icmp6_in_echo_requests);
    CHECK_EQ(six_stack_pkts_in_use(o), 0);
    six_stack_free(o);
    six_segment_free(seg);
    unlink(path);
}

/* Writes the frames to a pcap file of link type dlt, each record cut to
 * at most cut bytes (0: whole). */
static void write_pcap(const char *path, int dlt, const struct hframe *const *f, int n,
                       uint32_t cut) {
    pcap_t *pc = pcap_open_dead(dlt, 262144);
    pcap_dumper_t *d;
    CHECK(pc != NULL);
    CHECK((d = pcap_dump_open(pc, path)) != NULL);
    for (int i = 0; i < n; i++) {
        struct pcap_pkthdr h = {.len = (uint32_t)f[i]->len};
        h.caplen = cut && cut < h.len ? cut : h.len;
        pcap_dump((u_char *)d, &h, f[i]->b);
    }
    pcap_dump_close(d);
    pcap_close(pc);
}

/* An echo request from A to B as a bare frame. */
static void echo_frame(struct hpair *p, struct hframe *f, size_t len) {
    static uint8_t body[65536];
    h_frame_ab(p, f, 58);
    h_icmp6(f, ICMP6_ECHO_REQUEST, 0, 0x9abc0001, body, len);
}

TEST(replay_record_too_long_counted_and_cut_records_arrive_cut) {
    static struct hframe huge, ok, cut;
    const struct hframe *frames[3] = {&huge, &ok, &cut};
    struct hpair p;
    char path[128];

    tmp_path(path, sizeof(path), "long");
    h_up(&p);
    /* 66,000 bytes: more than a packet buffer takes (65,703 bytes of
     * frame), and than any IPv6 packet without a jumbogram. */
    echo_frame(&p, &huge, 1000);
    memset(huge.b + huge.len, 0, sizeof(huge.b) - huge.len);
    huge.len = sizeof(huge.b);
    echo_frame(&p, &ok, 100);
    echo_frame(&p, &cut, 100);
    write_pcap(path, DLT_RAW, frames, 2, 0);
    CHECK_EQ(CHECK_OK(six_if_replay(p.b, p.ifb, path, NULL)), 2);
    struct six_stats s = h_stats(p.b);
    CHECK_EQ(s.link_rx_too_long, 1);
    CHECK_EQ(s.ip6_in_receives, 1);
    CHECK_EQ(s.icmp6_in_echo_requests, 1);
    /* Cut by a 60-byte snapshot length: short of its payload length. */
    write_pcap(path, DLT_RAW, frames + 2, 1, 60);
    CHECK_EQ(CHECK_OK(six_if_replay(p.b, p.ifb, path, NULL)), 1);
    s = h_stats(p.b);
    CHECK_EQ(s.ip6_in_truncated, 1);
    CHECK_EQ(s.icmp6_in_echo_requests, 1);
    unlink(path);
    h_done(&p);
}

TEST(replay_takes_linktype_ipv6_on_bare_links) {
    static struct hframe req;
    const struct hframe *frames[1] = {&req};
    struct hpair p;
    char path[128];

    tmp_path(path, sizeof(path), "ipv6");
    h_up(&p);
    echo_frame(&p, &req, 56);
    write_pcap(path, 229 /* LINKTYPE_IPV6 */, frames, 1, 0);
    CHECK_EQ(CHECK_OK(six_if_replay(p.b, p.ifb, path, NULL)), 1);
    CHECK_EQ(h_stats(p.b).icmp6_out_echo_replies, 1);
    unlink(path);
    h_done(&p);
}

TEST(replay_errors) {
    static struct hframe req;
    const struct hframe *frames[2] = {&req, &req};
    struct hpair p;
    struct eseg s;
    char path[128], eth[128];
    FILE *f;

    tmp_path(path, sizeof(path), "err");
    tmp_path(eth, sizeof(eth), "err-eth");
    h_up(&p);
    echo_frame(&p, &req, 56);
    write_pcap(path, DLT_RAW, frames, 2, 0);

    CHECK_ERRNO(six_if_replay(p.b, 99, path, NULL), ENXIO);
    CHECK_ERRNO(six_if_replay(p.b, p.ifb, NULL, NULL), EINVAL);
    CHECK_ERRNO(six_if_replay(p.b, p.ifb, "/nonexistent-dir/x.pcap", NULL), ENOENT);
    CHECK_ERRNO(six_if_replay(p.b, p.ifb, path, "no such ( filter"), EINVAL);

    /* A bare capture into an Ethernet interface, and the reverse. */
    es_up(&s, 1);
    CHECK_ERRNO(six_if_replay(s.st[0], s.ifx[0], path, NULL), EMEDIUMTYPE);
    CHECK_OK(six_if_capture(s.st[0], s.ifx[0], eth));
    CHECK_OK(six_if_capture(s.st[0], s.ifx[0], NULL));
    CHECK_ERRNO(six_if_replay(p.b, p.ifb, eth, NULL), EMEDIUMTYPE);
    es_done(&s);
    /* Another link type altogether (LINKTYPE_LINUX_SLL). */
    write_pcap(eth, 113, frames, 1, 0);
    CHECK_ERRNO(six_if_replay(p.b, p.ifb, eth, NULL), EMEDIUMTYPE);

    /* Not a pcap file; an empty file. */
    CHECK((f = fopen(eth, "w")) != NULL);
    fputs("this is not a capture, only a text long enough to hold a header\n", f);
    fclose(f);
    CHECK_ERRNO(six_if_replay(p.b, p.ifb, eth, NULL), EINVAL);
    CHECK((f = fopen(eth, "w")) != NULL);
    fclose(f);
    CHECK_ERRNO(six_if_replay(p.b, p.ifb, eth, NULL), EINVAL);

    /* Cut inside the second record: the first was replayed, then EIO. */
    CHECK_EQ(truncate(path, 24 + 2 * 16 + (off_t)req.len + 10), 0);
    CHECK_ERRNO(six_if_replay(p.b, p.ifb, path, NULL), EIO);
    h_pump(&p);
    CHECK_EQ(h_stats(p.b).icmp6_in_echo_requests, 1);
    CHECK_EQ(h_stats(p.b).icmp6_out_echo_replies, 1);

    unlink(path);
    unlink(eth);
    h_done(&p);
}
