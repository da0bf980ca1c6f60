/* The setkey(8)-syntax reader: a whole configuration applied to two
 * stacks carries traffic; every bad statement is reported with its line
 * and leaves the tables as they were. */
#include <sixstack/ipsec.h>

#include "harness.h"

static const char config_a[] =
    "# A's side: ESP with AES-GCM-16 both ways for UDP to port 7000\n"
    "flush;\n"
    "spdflush;\n"
    "add 2001:db8::1 2001:db8::2 esp 0x1001 -m transport -r 8\n"
    "    -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f1011121314 ;\n"
    "add 2001:db8::2 2001:db8::1 esp 4098\n"
    "    -E aes-cbc \"sixteen byte key\" -A hmac-sha256 "
    "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;\n"
    "spdadd 2001:db8::1 2001:db8::2[7000] udp -P out ipsec esp/transport//require;\n"
    "spdadd 2001:db8::2[7000] 2001:db8::1 udp -P in ipsec esp/transport//require; # trailing\n";

static const char config_b[] =
    "add 2001:db8::1 2001:db8::2 esp 0x1001 -m transport -r 8\n"
    "    -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f1011121314 ;\n"
    "add 2001:db8::2 2001:db8::1 esp 4098 -E aes-cbc \"sixteen byte key\"\n"
    "    -A hmac-sha256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;\n"
    "spdadd 2001:db8::2[7000] 2001:db8::1 udp -P out ipsec esp/transport//require;\n"
    "spdadd 2001:db8::1 2001:db8::2[7000] udp -P in ipsec esp/transport//require;\n";

static int udp_on(struct six_stack *st, const struct in6_addr *a, uint16_t port) {
    int fd = (int)CHECK_OK(six_socket_on(st, AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 s = h_sin6(a, 0);
    s.sin6_port = htons(port);
    CHECK_OK(six_bind(fd, (struct sockaddr *)&s, sizeof(s)));
    return fd;
}

TEST(setkey_config_carries_traffic_both_ways) {
    struct hpair p;
    char err[200], buf[64];
    h_up(&p);
    CHECK_OK(six_setkey_apply(p.a, config_a, err, sizeof(err)));
    CHECK_OK(six_setkey_apply(p.b, config_b, err, sizeof(err)));
    int ua = udp_on(p.a, &p.addr_a, 5000), ub = udp_on(p.b, &p.addr_b, 7000);
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    to.sin6_port = htons(7000);
    CHECK_EQ(CHECK_OK(six_sendto(ua, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to))), 5);
    h_pump(&p);
    struct sockaddr_in6 from;
    CHECK_EQ(CHECK_OK(h_recv(ub, buf, sizeof(buf), &from)), 5);
    CHECK_EQ(h_stats(p.b).ipsec_in_esp, 1);
    CHECK_EQ(CHECK_OK(six_sendto(ub, "back", 4, 0, (struct sockaddr *)&from, sizeof(from))), 4);
    h_pump(&p);
    CHECK_EQ(CHECK_OK(h_recv(ua, buf, sizeof(buf), NULL)), 4);
    CHECK_EQ(h_stats(p.a).ipsec_in_esp, 1);
    CHECK_EQ(h_stats(p.a).ipsec_out_esp, 1);
    six_close(ua);
    six_close(ub);
    h_done(&p);
}

/* The SA A->B of config_a exists (its stats can be read). */
static int has_sa(struct six_stack *st, const char *dst, uint32_t spi) {
    struct six_sa_stats ss;
    struct in6_addr d = h_in6(dst);
    return six_sa_get_stats(st, &d, SIX_IPSEC_PROTO_ESP, spi, &ss) == 0;
}

/* Applies text, which must fail on line `line` with nothing applied. */
static void bad(const char *text, unsigned line, const char *says) {
    struct hpair p;
    char err[200], want[32];
    h_up(&p);
    CHECK_ERRNO(six_setkey_apply(p.a, text, err, sizeof(err)), EINVAL);
    snprintf(want, sizeof(want), "line %u: ", line);
    if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, says))
        six_test_fail(__FILE__, __LINE__, "for %s: got \"%s\", want \"%s...%s\"", text, err,
                      want, says);
    CHECK(!has_sa(p.a, "2001:db8::2", 0x1001));
    /* No policy either: a clear datagram still goes. */
    int u = udp_on(p.a, &p.addr_a, 5000);
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    to.sin6_port = htons(7000);
    CHECK_EQ(CHECK_OK(six_sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof(to))), 1);
    six_close(u);
    h_done(&p);
}

#define GOOD_SA "add 2001:db8::1 2001:db8::2 esp 0x1001 -E aes-gcm-16 0x" \
                "0102030405060708090a0b0c0d0e0f1011121314;\n"

TEST(setkey_bad_statements_name_their_line_and_change_nothing) {
    bad(GOOD_SA "add 2001:db8::1 2001:db8::2 esp 0x1002 -E aes-gcm-16 0x01;\n", 2, "SA cannot");
    bad(GOOD_SA "add 2001:db8::1 2001:db8::2 esp 0x1003 -E blowfish 0x01;\n", 2, "blowfish");
    bad(GOOD_SA "\n\nadd 10.0.0.1 2001:db8::2 esp 0x1003 -E null;\n", 4, "not an IPv6");
    bad(GOOD_SA "add 2001:db8::1 2001:db8::2 esp 0x1003 -E null -Z;\n", 2, "unknown option");
    bad(GOOD_SA "add 2001:db8::1 2001:db8::2 esp 0x1003 -E aes-cbc 0xzz;\n", 2, "hex");
    bad(GOOD_SA "add 2001:db8::1 2001:db8::2 esp 99 -E null -A hmac-sha256 0x"
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;\n", 2,
        "SPI at least 256");
    bad(GOOD_SA GOOD_SA, 2, "exists");
    bad(GOOD_SA "delete 2001:db8::1 2001:db8::2 esp 0x7777;\n", 2, "no such SA");
    bad(GOOD_SA "spdadd ::/0 ::/0 any -P fwd none;\n", 2, "neither in nor out");
    bad(GOOD_SA "spdadd ::/0 ::/0 any -P out ipsec esp/transport//maybe;\n", 2, "level");
    bad(GOOD_SA "spdadd ::/0 ::/0 any -P out ipsec esp/tunnel//require;\n", 2, "endpoints");
    bad(GOOD_SA "spdadd ::/0 ::/200 any -P out none;\n", 2, "prefix length");
    bad(GOOD_SA "spdadd ::/0[80] ::/0 icmp6 -P out none;\n", 2, "ports need");
    bad(GOOD_SA "spdadd ::/0 ::/0 any -P out ipsec;\n", 2, "without a protection");
    bad(GOOD_SA "spdadd ::/0 ::/0 icmp6 128,256 -P out discard;\n", 2, "ICMPv6 code '256'");
    bad(GOOD_SA "spdadd ::/0 ::/0 icmp6 300,0 -P out discard;\n", 2, "ICMPv6 type '300'");
    bad(GOOD_SA "spdadd ::/0 ::/0 any -P out ipsec esp/tunnel/2001:db8::1-2001:db8::2/require "
                "esp/transport//require;\n", 2, "last protection");
    bad(GOOD_SA "spddelete ::/0 ::/0 any -P out;\n", 2, "no such policy");
    bad(GOOD_SA "frobnicate;\n", 2, "unknown command");
    bad(GOOD_SA "flush", 2, "without its ';'");
    bad(GOOD_SA "flush now;\n", 2, "after the end");
}

TEST(setkey_delete_flush_and_spd_forms) {
    struct hpair p;
    char err[200];
    h_up(&p);
    CHECK_OK(six_setkey_apply(p.a, GOOD_SA, err, sizeof(err)));
    CHECK(has_sa(p.a, "2001:db8::2", 0x1001));
    CHECK_OK(six_setkey_apply(p.a, "delete 2001:db8::1 2001:db8::2 esp 4097;", err, sizeof(err)));
    CHECK(!has_sa(p.a, "2001:db8::2", 0x1001));
    /* Added and flushed in one text: the model follows the order. */
    CHECK_OK(six_setkey_apply(p.a, GOOD_SA "flush;" GOOD_SA, err, sizeof(err)));
    CHECK(has_sa(p.a, "2001:db8::2", 0x1001));
    CHECK_OK(six_setkey_apply(p.a,
        "spdadd 2001:db8::/64[any] 2001:db8::2/128[53] udp -P out ipsec\n"
        "   esp/tunnel/2001:db8::1-2001:db8::2/unique:5;\n"
        "spdadd ::/0 ::/0 icmp6 135 -P in none;\n"
        "spdadd ::/0 ::/0 icmp6 1,4 -P in none;\n"
        "spdadd ::/0 ::/0 any -P in discard;\n", err, sizeof(err)));
    /* Each is there: the C API finds them by selector. */
    struct six_sp sp;
    six_sp_init(&sp);
    sp.src = h_in6("2001:db8::");
    sp.src_plen = 64;
    sp.dst = h_in6("2001:db8::2");
    sp.dst_plen = 128;
    sp.dport = 53;
    sp.ul_proto = IPPROTO_UDP;
    sp.dir = SIX_SP_OUT;
    CHECK_OK(six_sp_del(p.a, &sp));
    six_sp_init(&sp);
    sp.ul_proto = IPPROTO_ICMPV6;
    sp.icmp6_type = 135;
    sp.dir = SIX_SP_IN;
    CHECK_OK(six_sp_del(p.a, &sp));
    /* Type 1 code 4 is its own selector: not type 1 alone. */
    sp.icmp6_type = 1;
    CHECK_ERRNO(six_sp_del(p.a, &sp), ESRCH);
    sp.icmp6_code = 4;
    CHECK_OK(six_sp_del(p.a, &sp));
    CHECK_OK(six_setkey_apply(p.a, "spddelete ::/0 ::/0 any -P in discard;", err, sizeof(err)));
    CHECK_OK(six_setkey_apply(p.a, "spdadd ::/0 ::/0 any -P in discard; spdflush;", err,
                              sizeof(err)));
    six_sp_init(&sp);
    sp.dir = SIX_SP_IN;
    CHECK_ERRNO(six_sp_del(p.a, &sp), ESRCH);
    /* Nothing at all is fine. */
    CHECK_OK(six_setkey_apply(p.a, "# only a comment\n;;\n", err, sizeof(err)));
    h_done(&p);
}
