/* Ethernet under IPv6 on an in-memory Ethernet segment: framing (RFC
 * 2464), the multicast MAC mapping, the receive filter driven by group
 * membership, drops of frames that are not ours or not IPv6, and RFC 4443
 * 2.4(e.3) (no error for a link-layer multicast). */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "eseg.h"

#define EXPERIMENT_PROTO 253

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static int join(int fd, const char *group, unsigned ifindex, int opt) {
    struct ipv6_mreq m = {.ipv6mr_interface = ifindex};
    m.ipv6mr_multiaddr = h_in6(group);
    return six_setsockopt(fd, IPPROTO_IPV6, opt, &m, sizeof(m));
}

static void send_group(int fd, const char *group, unsigned ifindex, const void *msg, size_t n) {
    struct in6_addr g = h_in6(group);
    struct sockaddr_in6 to = h_sin6(&g, ifindex);
    CHECK_EQ(CHECK_OK(six_sendto(fd, msg, n, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to))),
             n);
}

TEST(multicast_goes_out_as_3333_frame_and_capture_is_ethernet) {
    struct eseg s;
    char path[] = "/tmp/six-ether-XXXXXX";
    int tmp = mkstemp(path);
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *ph;
    const u_char *frame;
    static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
    uint8_t buf[64];

    CHECK(tmp >= 0);
    close(tmp);
    es_up(&s, 3);
    CHECK_OK(six_if_capture(s.st[0], s.ifx[0], path));
    int f0 = es_raw(s.st[0], EXPERIMENT_PROTO);
    int f1 = es_raw(s.st[1], EXPERIMENT_PROTO);
    int f2 = es_raw(s.st[2], EXPERIMENT_PROTO);
    send_group(f0, "ff02::1", s.ifx[0], "hello", 5);
    es_pump(&s);
    CHECK_EQ(CHECK_OK(h_recv(f1, buf, sizeof(buf), NULL)), 5);
    CHECK_EQ(CHECK_OK(h_recv(f2, buf, sizeof(buf), NULL)), 5);
    CHECK_OK(six_if_capture(s.st[0], s.ifx[0], NULL));

    pcap_t *pc = pcap_open_offline(path, err);
    CHECK(pc != NULL);
    CHECK_EQ(pcap_datalink(pc), DLT_EN10MB);
    CHECK_EQ(pcap_next_ex(pc, &ph, &frame), 1);
    CHECK_EQ(ph->caplen, 14 + 40 + 5);
    CHECK_MEM(frame, all_nodes_mac, 6);
    CHECK_MEM(frame + 6, s.mac[0], 6);
    CHECK_EQ(h_get16(frame + 12), 0x86dd);
    CHECK_EQ(frame[14] >> 4, 6);
    pcap_close(pc);
    unlink(path);
    six_close(f0);
    six_close(f1);
    six_close(f2);
    es_done(&s);
}

TEST(segment_macs_are_local_unicast_and_distinct) {
    struct eseg s;
    uint8_t mac[6];
    es_up(&s, 3);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(s.mac[i][0] & 0x03, 0x02);
        for (int j = 0; j < i; j++)
            CHECK(memcmp(s.mac[i], s.mac[j], 6) != 0);
    }
    /* The loopback interface has no MAC. */
    CHECK_ERRNO(six_if_hwaddr(s.st[0], 1, mac), EOPNOTSUPP);
    CHECK_ERRNO(six_if_hwaddr(s.st[0], 99, mac), ENXIO);
    es_done(&s);
}

/* The filter follows membership: a group's MAC gets through while some
 * socket has the group joined, and only on that stack. */
TEST(joining_a_group_opens_the_filter_and_leaving_closes_it) {
    struct eseg s;
    uint8_t buf[64];

    es_up(&s, 3);
    int f0 = es_raw(s.st[0], EXPERIMENT_PROTO);
    int f1 = es_raw(s.st[1], EXPERIMENT_PROTO);
    int f2 = es_raw(s.st[2], EXPERIMENT_PROTO);
    CHECK_OK(join(f1, "ff02::1234", s.ifx[1], IPV6_JOIN_GROUP));
    /* The MLD reports of the joins cross first: they are not counted. */
    es_pump(&s);
    struct six_stats b0 = h_stats(s.st[1]), c0 = h_stats(s.st[2]);
    send_group(f0, "ff02::1234", s.ifx[0], "grp", 3);
    es_pump(&s);
    CHECK_EQ(CHECK_OK(h_recv(f1, buf, sizeof(buf), NULL)), 3);
    H_NOTHING(f2);
    struct six_stats b1 = h_stats(s.st[1]), c1 = h_stats(s.st[2]);
    CHECK_EQ(b1.link_rx_filtered - b0.link_rx_filtered, 0);
    /* C's filter kept the frame out before IPv6 saw it. */
    CHECK_EQ(c1.link_rx_filtered - c0.link_rx_filtered, 1);
    CHECK_EQ(c1.ip6_in_receives - c0.ip6_in_receives, 0);

    CHECK_OK(join(f1, "ff02::1234", s.ifx[1], IPV6_LEAVE_GROUP));
    send_group(f0, "ff02::1234", s.ifx[0], "grp", 3);
    es_pump(&s);
    H_NOTHING(f1);
    CHECK_EQ(h_stats(s.st[1]).link_rx_filtered - b1.link_rx_filtered, 1);
    six_close(f0);
    six_close(f1);
    six_close(f2);
    es_done(&s);
}

/* Two groups sharing a MAC (the same last 32 bits): the MAC stays open
 * until the last of them is left. */
TEST(groups_sharing_a_mac_keep_it_open_until_both_leave) {
    struct eseg s;
    uint8_t buf[64];

    es_up(&s, 2);
    int f0 = es_raw(s.st[0], EXPERIMENT_PROTO);
    int f1 = es_raw(s.st[1], EXPERIMENT_PROTO);
    CHECK_OK(join(f1, "ff02::5:1234", s.ifx[1], IPV6_JOIN_GROUP));
    CHECK_OK(join(f1, "ff05::5:1234", s.ifx[1], IPV6_JOIN_GROUP));
    CHECK_OK(join(f1, "ff02::5:1234", s.ifx[1], IPV6_LEAVE_GROUP));
    send_group(f0, "ff05::5:1234", s.ifx[0], "x", 1);
    es_pump(&s);
    CHECK_EQ(CHECK_OK(h_recv(f1, buf, sizeof(buf), NULL)), 1);
    six_close(f0);
    six_close(f1);
    es_done(&s);
}

/* ip6(4): joining the unspecified group takes every group: the link
 * filter lets every multicast MAC through. */
TEST(joining_every_group_makes_the_filter_allmulti) {
    struct eseg s;
    uint8_t buf[64];

    es_up(&s, 2);
    int f0 = es_raw(s.st[0], EXPERIMENT_PROTO);
    int f1 = es_raw(s.st[1], EXPERIMENT_PROTO);
    CHECK_OK(join(f1, "::", s.ifx[1], IPV6_JOIN_GROUP));
    send_group(f0, "ff02::777", s.ifx[0], "x", 1);
    es_pump(&s);
    CHECK_EQ(CHECK_OK(h_recv(f1, buf, sizeof(buf), NULL)), 1);
    six_close(f0);
    six_close(f1);
    es_done(&s);
}

static void frame_to_b(struct eseg *s, struct eframe *f, const uint8_t dst[6], uint16_t type,
                       uint8_t proto) {
    struct hframe p;
    h_ip6(&p, &s->addr[0], &s->addr[1], proto, 64);
    h_zero(&p, 8);
    h_end(&p);
    ef_start(f, dst, s->mac[0], type);
    ef_ip6(f, &p);
}

TEST(frames_for_another_mac_are_filtered_and_counted) {
    struct eseg s;
    struct eframe f;
    static const uint8_t other[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

    es_up(&s, 2);
    struct six_stats b0 = h_stats(s.st[1]);
    frame_to_b(&s, &f, other, 0x86dd, EXPERIMENT_PROTO);
    es_inject(&s, 1, &f);
    struct six_stats b1 = h_stats(s.st[1]);
    CHECK_EQ(b1.link_rx_filtered - b0.link_rx_filtered, 1);
    CHECK_EQ(b1.ip6_in_receives - b0.ip6_in_receives, 0);
    /* The same frame to B's MAC gets in (and, no socket wanting it, is
     * an unknown protocol). */
    frame_to_b(&s, &f, s.mac[1], 0x86dd, EXPERIMENT_PROTO);
    es_inject(&s, 1, &f);
    CHECK_EQ(h_stats(s.st[1]).ip6_in_unknown_proto - b1.ip6_in_unknown_proto, 1);
    es_done(&s);
}

TEST(non_ipv6_and_short_frames_are_dropped_and_counted) {
    struct eseg s;
    struct eframe f;

    es_up(&s, 2);
    struct six_stats b0 = h_stats(s.st[1]);
    frame_to_b(&s, &f, s.mac[1], 0x0800, EXPERIMENT_PROTO);
    es_inject(&s, 1, &f);
    f.len = 13;
    es_inject(&s, 1, &f);
    struct six_stats b1 = h_stats(s.st[1]);
    CHECK_EQ(b1.link_rx_not_ipv6 - b0.link_rx_not_ipv6, 1);
    CHECK_EQ(b1.link_rx_bad_frame - b0.link_rx_bad_frame, 1);
    CHECK_EQ(b1.ip6_in_receives - b0.ip6_in_receives, 0);
    es_done(&s);
}

/* RFC 4443 2.4(e.3): no error message in response to a packet sent to a
 * link-layer multicast or broadcast address. The same packet to B's own
 * MAC gets its Parameter Problem. */
TEST(no_icmp_error_for_a_packet_sent_to_link_broadcast) {
    struct eseg s;
    struct eframe f;

    es_up(&s, 2);
    struct six_stats b0 = h_stats(s.st[1]);
    frame_to_b(&s, &f, bcast, 0x86dd, 254);
    es_inject(&s, 1, &f);
    struct six_stats b1 = h_stats(s.st[1]);
    CHECK_EQ(b1.ip6_in_unknown_proto - b0.ip6_in_unknown_proto, 1);
    CHECK_EQ(b1.icmp6_err_suppressed - b0.icmp6_err_suppressed, 1);
    frame_to_b(&s, &f, s.mac[1], 0x86dd, 254);
    es_inject(&s, 1, &f);
    struct six_stats b2 = h_stats(s.st[1]);
    CHECK_EQ(b2.icmp6_err_suppressed - b1.icmp6_err_suppressed, 0);
    es_done(&s);
}
