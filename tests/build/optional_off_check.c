/* Linked against a library built with every optional part off
 * (optional_parts_off.sh), without libpcap: capture, replay, TAP and TUN
 * and IPsec answer EOPNOTSUPP and change nothing, and the rest of the stack works (a
 * UDP datagram over loopback). Prints what failed; exit status 0 or 1. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <sixstack/ipsec.h>
#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

static int failures;

static void expect_eopnotsupp(const char *what, int rc) {
    if (rc != -1 || errno != EOPNOTSUPP) {
        printf("FAIL %s: rc %d errno %d, want -1 EOPNOTSUPP\n", what, rc, errno);
        failures++;
    }
}

int main(void) {
    struct six_stack_config cfg;
    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 1;
    struct six_stack *st = six_stack_new(&cfg);
    if (!st) {
        perror("six_stack_new");
        return 1;
    }
    expect_eopnotsupp("six_if_capture", six_if_capture(st, 1, "/dev/null"));
    expect_eopnotsupp("six_if_replay", six_if_replay(st, 1, "/dev/null", NULL));
    expect_eopnotsupp("six_if_add_tap", six_if_add_tap(st, "sixoff0", NULL));
    expect_eopnotsupp("six_if_add_tun", six_if_add_tun(st, "sixoff1", NULL));
    if (six_if_nametoindex(st, "sixoff0") != 0 || six_if_nametoindex(st, "sixoff1") != 0) {
        printf("FAIL a refused TAP/TUN left an interface behind\n");
        failures++;
    }

    struct six_sa sa = {.proto = SIX_IPSEC_PROTO_ESP, .spi = 0x1000, .enc = SIX_ENC_NULL};
    struct six_sp sp;
    six_sp_init(&sp);
    expect_eopnotsupp("six_sa_add", six_sa_add(st, &sa));
    expect_eopnotsupp("six_sp_add", six_sp_add(st, &sp));
    expect_eopnotsupp("six_sa_flush", six_sa_flush(st));
    expect_eopnotsupp("six_setkey_apply", six_setkey_apply(st, "flush;", NULL, 0));
    int lvl = SIX_IPSEC_LEVEL_REQUIRE, s6 = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0);
    expect_eopnotsupp("IPV6_ESP_TRANS_LEVEL require",
                      six_setsockopt(s6, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &lvl, sizeof(lvl)));
    lvl = SIX_IPSEC_LEVEL_DEFAULT;
    if (six_setsockopt(s6, IPPROTO_IPV6, IPV6_ESP_TRANS_LEVEL, &lvl, sizeof(lvl)) != 0) {
        printf("FAIL the default IPsec level refused\n");
        failures++;
    }
    six_close(s6);

    struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
                              .sin6_port = htons(7)};
    int rx = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0);
    int tx = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0);
    char buf[16] = {0};
    if (rx < 0 || tx < 0 || six_bind(rx, (struct sockaddr *)&lo, sizeof(lo)) < 0 ||
        six_sendto(tx, "still here", 10, 0, (struct sockaddr *)&lo, sizeof(lo)) != 10 ||
        six_recv(rx, buf, sizeof(buf), MSG_DONTWAIT) != 10 || memcmp(buf, "still here", 10)) {
        perror("FAIL UDP over loopback");
        failures++;
    }
    six_close(rx);
    six_close(tx);
    six_stack_free(st);
    if (!failures)
        printf("optional parts off: capture, replay, TAP, TUN, IPsec refused; UDP works\n");
    return failures ? 1 : 0;
}
