/* six_if_capture: the files it writes are read back with libpcap itself
 * (pcap_open_offline), with link type LINKTYPE_RAW and, byte for byte, the
 * packets each interface sent and received, in order, stamped with the
 * stack's clock. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

struct cap_pkt {
    struct timeval ts;
    uint32_t len;
    uint8_t data[2048];
};

/* Reads every packet of path; checks the link type on the way. */
static int read_capture(const char *path, struct cap_pkt *out, int max) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    struct pcap_pkthdr *h;
    const u_char *bytes;
    int n = 0, rc;

    if (!pc)
        six_test_fail(__FILE__, __LINE__, "pcap_open_offline(%s): %s", path, err);
    CHECK_EQ(pcap_datalink(pc), DLT_RAW);
    while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
        CHECK(n < max);
        CHECK_EQ(h->caplen, h->len);
        CHECK(h->caplen <= sizeof(out[n].data));
        out[n].ts = h->ts;
        out[n].len = h->caplen;
        memcpy(out[n].data, bytes, h->caplen);
        n++;
    }
    CHECK_EQ(rc, PCAP_ERROR_BREAK);   /* the end of the file, not an error */
    pcap_close(pc);
    return n;
}

/* The 32-bit link type field of the file header (offset 20), in the
 * file's own byte order, which its magic number tells. */
static uint32_t file_linktype(const char *path) {
    uint8_t hdr[24];
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    CHECK_EQ(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
    fclose(f);
    if (hdr[0] == 0xd4 || hdr[0] == 0x4d)   /* little-endian magic */
        return (uint32_t)hdr[20] | (uint32_t)hdr[21] << 8 | (uint32_t)hdr[22] << 16 |
               (uint32_t)hdr[23] << 24;
    return h_get32(hdr + 20);
}

static void tmp_path(char *buf, size_t n, const char *tag) {
    snprintf(buf, n, "/tmp/sixstack-pcap-%ld-%s.pcap", (long)getpid(), tag);
}

/* An ICMPv6 message as a frame, checksum included. */
static void icmp_frame(struct hframe *f, const struct in6_addr *src, const struct in6_addr *dst,
                       uint8_t type, uint32_t word, const void *body, size_t len) {
    h_ip6(f, src, dst, 58, 64);
    h_icmp6(f, type, 0, word, body, len);
}

static void expect_pkt(const struct cap_pkt *c, const struct hframe *f, uint64_t t_us) {
    CHECK_EQ(c->len, f->len);
    CHECK_MEM(c->data, f->b, f->len);
    CHECK_EQ(c->ts.tv_sec, t_us / 1000000);
    CHECK_EQ(c->ts.tv_usec, t_us % 1000000);
}

TEST(capture_holds_exact_packets_sent_and_received) {
    struct hpair p;
    char pa[128], pb[128];
    struct cap_pkt *got = calloc(8, sizeof(*got));
    static struct hframe req, reply, inj, pp;
    const uint8_t body[] = "echo me";

    CHECK(got != NULL);
    tmp_path(pa, sizeof(pa), "a");
    tmp_path(pb, sizeof(pb), "b");
    h_up(&p);
    int a = h_icmp_sock(&p, p.a);
    CHECK_OK(six_if_capture(p.a, p.ifa, pa));
    CHECK_OK(six_if_capture(p.b, p.ifb, pb));

    /* An echo exchange at t = 1.5 s. */
    h_advance(&p, 1500000);
    uint8_t msg[8 + sizeof(body)] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0x77, 0x77, 0, 1};
    memcpy(msg + 8, body, sizeof(body));
    h_send_ok(a, &p.addr_b, msg, sizeof(msg));
    h_pump(&p);
    icmp_frame(&req, &p.addr_a, &p.addr_b, ICMP6_ECHO_REQUEST, 0x77770001, body, sizeof(body));
    icmp_frame(&reply, &p.addr_b, &p.addr_a, ICMP6_ECHO_REPLY, 0x77770001, body, sizeof(body));

    /* A frame injected into B at t = 2.25 s, and B's Parameter Problem. */
    h_advance(&p, 750000);
    h_frame_ab(&p, &inj, 254);
    h_put(&inj, body, sizeof(body));
    h_end(&inj);
    h_inject(&p, &inj);
    h_ip6(&pp, &p.addr_b, &p.addr_a, 58, 64);
    h_icmp6(&pp, ICMP6_PARAM_PROB, ICMP6_PARAMPROB_NEXTHEADER, 6, inj.b, inj.len);

    /* Stopping the capture closes the file; later traffic is not in it. */
    CHECK_OK(six_if_capture(p.a, p.ifa, NULL));
    CHECK_OK(six_if_capture(p.b, p.ifb, NULL));
    h_send_ok(a, &p.addr_b, msg, sizeof(msg));
    h_pump(&p);

    CHECK_EQ(file_linktype(pa), 101);   /* LINKTYPE_RAW */
    CHECK_EQ(file_linktype(pb), 101);

    /* A: sent the request, received the reply and the error. */
    CHECK_EQ(read_capture(pa, got, 8), 3);
    expect_pkt(&got[0], &req, 1500000);
    expect_pkt(&got[1], &reply, 1500000);
    expect_pkt(&got[2], &pp, 2250000);
    /* B: the mirror image, with the injected frame in its place. */
    CHECK_EQ(read_capture(pb, got, 8), 4);
    expect_pkt(&got[0], &req, 1500000);
    expect_pkt(&got[1], &reply, 1500000);
    expect_pkt(&got[2], &inj, 2250000);
    expect_pkt(&got[3], &pp, 2250000);

    unlink(pa);
    unlink(pb);
    free(got);
    h_done(&p);
}

TEST(capture_errors) {
    struct hpair p;
    h_up(&p);
    CHECK_ERRNO(six_if_capture(p.a, 99, "/tmp/never-written.pcap"), ENXIO);
    CHECK_ERRNO(six_if_capture(p.a, 99, NULL), ENXIO);
    CHECK(six_if_capture(p.a, p.ifa, "/nonexistent-dir/x.pcap") == -1);
    /* Stopping a capture that never started is fine. */
    CHECK_OK(six_if_capture(p.a, p.ifa, NULL));
    h_done(&p);
}

TEST(capture_reopen_replaces_the_file) {
    struct hpair p;
    char p1[128], p2[128];
    struct cap_pkt *got = calloc(4, sizeof(*got));
    static struct hframe f;
    CHECK(got != NULL);
    tmp_path(p1, sizeof(p1), "r1");
    tmp_path(p2, sizeof(p2), "r2");
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    h_sock(&p, p.b, 253);   /* so that B takes 253 without an error */
    CHECK_OK(six_if_capture(p.a, p.ifa, p1));
    h_send_ok(a, &p.addr_b, "one", 3);
    CHECK_OK(six_if_capture(p.a, p.ifa, p2));
    h_send_ok(a, &p.addr_b, "two", 3);
    CHECK_OK(six_if_capture(p.a, p.ifa, NULL));
    h_pump(&p);
    CHECK_EQ(read_capture(p1, got, 4), 1);
    h_frame_ab(&p, &f, 253);
    h_put(&f, "one", 3);
    h_end(&f);
    expect_pkt(&got[0], &f, 0);
    CHECK_EQ(read_capture(p2, got, 4), 1);
    memcpy(f.b + 40, "two", 3);
    expect_pkt(&got[0], &f, 0);
    H_NOTHING(a);
    unlink(p1);
    unlink(p2);
    free(got);
    h_done(&p);
}
