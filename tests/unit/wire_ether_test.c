/* Unit tests for src/wire/ether.c: the Ethernet II header and IPv6's MAC
 * mappings (RFC 2464). Golden bytes from a frame built by scapy. */
#include <arpa/inet.h>
#include <errno.h>

#include "test.h"
#include "wire/ether.h"

/* The header of a Neighbor Solicitation for fe80::2 from 02:00:00:00:00:01
 * to the target's solicited-node group's MAC. */
static const uint8_t ns_hdr[14] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x02, 0x02,
                                   0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd};

TEST(eth_parse_reads_golden_header) {
    static const uint8_t dst[6] = {0x33, 0x33, 0xff, 0, 0, 2}, src[6] = {2, 0, 0, 0, 0, 1};
    struct six_eth_repr r;
    CHECK_EQ(six_eth_parse(ns_hdr, sizeof(ns_hdr), &r), 0);
    CHECK_MEM(r.dst, dst, 6);
    CHECK_MEM(r.src, src, 6);
    CHECK_EQ(r.type, SIX_ETHERTYPE_IPV6);
}

TEST(eth_parse_rejects_short_frames) {
    struct six_eth_repr r;
    for (size_t n = 0; n < SIX_ETH_HDR_LEN; n++)
        CHECK_EQ(six_eth_parse(ns_hdr, n, &r), -EMSGSIZE);
}

TEST(eth_emit_sets_every_byte) {
    struct six_eth_repr r;
    uint8_t out[14];
    CHECK_EQ(six_eth_parse(ns_hdr, sizeof(ns_hdr), &r), 0);
    memset(out, 0xa5, sizeof(out));
    six_eth_emit(&r, out);
    CHECK_MEM(out, ns_hdr, sizeof(ns_hdr));
}

TEST(eth_mcast_mac_is_3333_and_last_four_octets) {
    struct in6_addr g;
    uint8_t mac[6];
    static const uint8_t want[6] = {0x33, 0x33, 0xff, 0x12, 0x34, 0x56};
    static const uint8_t all_nodes[6] = {0x33, 0x33, 0, 0, 0, 1};

    inet_pton(AF_INET6, "ff02::1:ff12:3456", &g);
    six_eth_mcast_mac(&g, mac);
    CHECK_MEM(mac, want, 6);
    inet_pton(AF_INET6, "ff02::1", &g);
    six_eth_mcast_mac(&g, mac);
    CHECK_MEM(mac, all_nodes, 6);
}

TEST(eth_group_and_broadcast_bits) {
    static const uint8_t uc[6] = {0x02, 0, 0, 0, 0, 1}, mc[6] = {0x33, 0x33, 0, 0, 0, 1},
                         bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, zero[6] = {0};
    CHECK(!six_eth_is_group(uc));
    CHECK(six_eth_is_group(mc));
    CHECK(six_eth_is_group(bc));
    CHECK(six_eth_is_broadcast(bc));
    CHECK(!six_eth_is_broadcast(mc));
    CHECK(six_eth_is_zero(zero));
    CHECK(!six_eth_is_zero(uc));
}

/* RFC 2464 4's example: 34-56-78-9A-BC-DE gives 36-56-78-FF-FE-9A-BC-DE. */
TEST(eth_eui64_inverts_universal_local_bit) {
    static const uint8_t mac[6] = {0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde};
    static const uint8_t want[8] = {0x36, 0x56, 0x78, 0xff, 0xfe, 0x9a, 0xbc, 0xde};
    uint8_t iid[8];
    six_eth_eui64(mac, iid);
    CHECK_MEM(iid, want, 8);
}
