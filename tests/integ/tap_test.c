/* six_if_add_tap / six_if_add_tun argument checks: they fail before any
 * device is opened, so they run anywhere. (The driver itself is tested
 * against the kernel by tests/interop/netns_ping.sh, in a namespace.) */
#include "harness.h"

static struct six_stack *stack(void) {
    struct six_stack_config cfg = h_config(5);
    struct six_stack *st = six_stack_new(&cfg);
    CHECK(st != NULL);
    return st;
}

TEST(tap_refuses_an_mtu_below_1280_or_above_65535) {
    struct six_stack *st = stack();
    struct six_tap_config c = {.mtu = 1279};
    CHECK_ERRNO(six_if_add_tap(st, "sixbad0", &c), EINVAL);
    c.mtu = 65536;
    CHECK_ERRNO(six_if_add_tun(st, "sixbad0", &c), EINVAL);
    six_stack_free(st);
}

TEST(tap_refuses_a_group_or_zero_mac) {
    struct six_stack *st = stack();
    struct six_tap_config c = {.set_mac = 1, .mac = {0x33, 0x33, 0, 0, 0, 1}};
    CHECK_ERRNO(six_if_add_tap(st, "sixbad0", &c), EINVAL);
    memset(c.mac, 0, 6);
    CHECK_ERRNO(six_if_add_tap(st, "sixbad0", &c), EINVAL);
    six_stack_free(st);
}

TEST(tap_refuses_bad_names) {
    struct six_stack *st = stack();
    CHECK_ERRNO(six_if_add_tap(st, "", NULL), EINVAL);
    CHECK_ERRNO(six_if_add_tap(st, "a-name-far-too-long-for-linux", NULL), EINVAL);
    /* The stack already has an interface called lo. */
    CHECK_ERRNO(six_if_add_tap(st, "lo", NULL), EEXIST);
    CHECK_EQ(six_stack_pkts_in_use(st), 0);
    six_stack_free(st);
}
