/* The basic IPPROTO_IPV6 options of ip6(4): ranges, resets, what getsockopt
 * returns, their effect on the packets sent, and the options refused
 * because sixstack cannot give what they ask. */
#include <stdio.h>

#include "harness.h"

static const uint8_t payload[] = "sockopt test";

static void set_int(int fd, int name, int v) {
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, name, &v, sizeof(v)));
}

static int set_int_rc(int fd, int name, int v) {
    return six_setsockopt(fd, IPPROTO_IPV6, name, &v, sizeof(v));
}

static int get_int(int fd, int name) {
    int v = 0x5a5a5a5a;
    socklen_t len = sizeof(v);
    CHECK_OK(six_getsockopt(fd, IPPROTO_IPV6, name, &v, &len));
    CHECK_EQ(len, sizeof(int));
    return v;
}

/* Receives one datagram and returns the int of the cmsg of type want
 * (-1 when absent). */
static int recv_cmsg_int(int fd, int want) {
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } ctl;
    uint8_t buf[256];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
                       .msg_controllen = sizeof(ctl.b)};
    int v = -1;

    CHECK_OK(six_recvmsg(fd, &m, MSG_DONTWAIT));
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
        if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == want &&
            cm->cmsg_len == CMSG_LEN(sizeof(int)))
            memcpy(&v, CMSG_DATA(cm), sizeof(int));
    return v;
}

/* Sends payload to dst with one int ancillary object of type type. */
static void send_with_cmsg(int fd, const struct sockaddr_in6 *dst, int type, int v) {
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = sizeof(payload)};
    struct msghdr m = {.msg_name = (void *)dst, .msg_namelen = sizeof(*dst), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = type;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &v, sizeof(v));
    CHECK_EQ(six_sendmsg(fd, &m, 0), sizeof(payload));
}

TEST(tclass_sets_traffic_class_and_minus_one_resets) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    set_int(b, IPV6_RECVTCLASS, 1);
    CHECK_EQ(get_int(a, IPV6_TCLASS), 0);
    set_int(a, IPV6_TCLASS, 0xb8);
    CHECK_EQ(get_int(a, IPV6_TCLASS), 0xb8);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    set_int(a, IPV6_TCLASS, -1);
    CHECK_EQ(get_int(a, IPV6_TCLASS), 0);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(recv_cmsg_int(b, IPV6_TCLASS), 0xb8);
    CHECK_EQ(recv_cmsg_int(b, IPV6_TCLASS), 0);
    h_done(&p);
}

TEST(tclass_out_of_range_is_einval_and_changes_nothing) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    set_int(a, IPV6_TCLASS, 7);
    CHECK_ERRNO(set_int_rc(a, IPV6_TCLASS, 256), EINVAL);
    CHECK_ERRNO(set_int_rc(a, IPV6_TCLASS, -2), EINVAL);
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_TCLASS, "x", 1), EINVAL);
    CHECK_EQ(get_int(a, IPV6_TCLASS), 7);
    h_done(&p);
}

TEST(tclass_ancillary_data_wins_over_the_option) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    set_int(b, IPV6_RECVTCLASS, 1);
    set_int(a, IPV6_TCLASS, 0xb8);
    /* ip6(4): ancillary data is considered before the basic options. */
    send_with_cmsg(a, &to, IPV6_TCLASS, 0x20);
    /* -1 in ancillary data means "the default": the option's value. */
    send_with_cmsg(a, &to, IPV6_TCLASS, -1);
    h_pump(&p);
    CHECK_EQ(recv_cmsg_int(b, IPV6_TCLASS), 0x20);
    CHECK_EQ(recv_cmsg_int(b, IPV6_TCLASS), 0xb8);
    h_done(&p);
}

TEST(multicast_hops_apply_to_multicast_only) {
    struct hpair p;
    struct in6_addr all = h_in6("ff02::1");
    struct sockaddr_in6 to = h_sin6(&all, 0);
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    set_int(b, IPV6_HOPLIMIT, 1);
    CHECK_EQ(get_int(a, IPV6_MULTICAST_HOPS), 1);
    CHECK_ERRNO(set_int_rc(a, IPV6_MULTICAST_HOPS, 256), EINVAL);
    CHECK_ERRNO(set_int_rc(a, IPV6_MULTICAST_HOPS, -2), EINVAL);
    set_int(a, IPV6_MULTICAST_HOPS, 5);
    set_int(a, IPV6_MULTICAST_IF, (int)p.ifa);
    CHECK_EQ(six_sendto(a, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)),
             sizeof(payload));
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    set_int(a, IPV6_MULTICAST_HOPS, -1);
    CHECK_EQ(get_int(a, IPV6_MULTICAST_HOPS), 1);
    h_pump(&p);
    CHECK_EQ(recv_cmsg_int(b, IPV6_HOPLIMIT), 5);
    CHECK_EQ(recv_cmsg_int(b, IPV6_HOPLIMIT), 64);
    h_done(&p);
}

TEST(multicast_if_must_exist_and_is_returned) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    CHECK_EQ(get_int(a, IPV6_MULTICAST_IF), 0);
    CHECK_ERRNO(set_int_rc(a, IPV6_MULTICAST_IF, 77), ENXIO);
    set_int(a, IPV6_MULTICAST_IF, (int)p.ifa);
    CHECK_EQ(get_int(a, IPV6_MULTICAST_IF), p.ifa);
    set_int(a, IPV6_MULTICAST_IF, 0);
    CHECK_EQ(get_int(a, IPV6_MULTICAST_IF), 0);
    h_done(&p);
}

TEST(multicast_loop_is_zero_or_one) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    CHECK_EQ(get_int(a, IPV6_MULTICAST_LOOP), 1);
    CHECK_ERRNO(set_int_rc(a, IPV6_MULTICAST_LOOP, 2), EINVAL);
    set_int(a, IPV6_MULTICAST_LOOP, 0);
    CHECK_EQ(get_int(a, IPV6_MULTICAST_LOOP), 0);
    h_done(&p);
}

TEST(v6only_cannot_be_turned_off) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    /* DragonFly's reading of the page: there is no IPv4 to allow. */
    CHECK_EQ(get_int(a, IPV6_V6ONLY), 1);
    CHECK_ERRNO(set_int_rc(a, IPV6_V6ONLY, 0), EOPNOTSUPP);
    set_int(a, IPV6_V6ONLY, 1);
    CHECK_EQ(get_int(a, IPV6_V6ONLY), 1);
    h_done(&p);
}

TEST(faith_is_refused_when_asked_for) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    CHECK_EQ(get_int(a, IPV6_FAITH), 0);
    CHECK_ERRNO(set_int_rc(a, IPV6_FAITH, 1), EOPNOTSUPP);
    set_int(a, IPV6_FAITH, 0);
    h_done(&p);
}

/* With IPsec built the four levels are kept (and used: ipsec_test.c); a
 * build without it refuses them (tests/build/optional_off_check.c). */
TEST(ipsec_levels_kept_each_on_its_own) {
    static const int names[] = {IPV6_AUTH_LEVEL, IPV6_ESP_TRANS_LEVEL, IPV6_ESP_NETWORK_LEVEL,
                                IPV6_IPCOMP_LEVEL};
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        CHECK_EQ(get_int(a, names[i]), SIX_IPSEC_LEVEL_DEFAULT);
        set_int(a, names[i], SIX_IPSEC_LEVEL_USE);
        CHECK_EQ(get_int(a, names[i]), SIX_IPSEC_LEVEL_USE);
        set_int(a, names[i], (int)(SIX_IPSEC_LEVEL_REQUIRE + i % 2));
        CHECK_ERRNO(set_int_rc(a, names[i], 4), EINVAL);
        CHECK_ERRNO(set_int_rc(a, names[i], -1), EINVAL);
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        CHECK_EQ(get_int(a, names[i]), (int)(SIX_IPSEC_LEVEL_REQUIRE + i % 2));
    h_done(&p);
}

TEST(portrange_takes_the_three_policies) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    CHECK_EQ(get_int(a, IPV6_PORTRANGE), IPV6_PORTRANGE_DEFAULT);
    set_int(a, IPV6_PORTRANGE, IPV6_PORTRANGE_LOW);
    CHECK_EQ(get_int(a, IPV6_PORTRANGE), IPV6_PORTRANGE_LOW);
    set_int(a, IPV6_PORTRANGE, IPV6_PORTRANGE_HIGH);
    CHECK_EQ(get_int(a, IPV6_PORTRANGE), IPV6_PORTRANGE_HIGH);
    CHECK_ERRNO(set_int_rc(a, IPV6_PORTRANGE, 3), EINVAL);
    CHECK_ERRNO(set_int_rc(a, IPV6_PORTRANGE, -1), EINVAL);
    CHECK_EQ(get_int(a, IPV6_PORTRANGE), IPV6_PORTRANGE_HIGH);
    h_done(&p);
}

TEST(use_min_mtu_and_dontfrag_values) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    CHECK_EQ(get_int(a, IPV6_USE_MIN_MTU), -1);
    set_int(a, IPV6_USE_MIN_MTU, 1);
    CHECK_EQ(get_int(a, IPV6_USE_MIN_MTU), 1);
    CHECK_ERRNO(set_int_rc(a, IPV6_USE_MIN_MTU, 2), EINVAL);
    CHECK_ERRNO(set_int_rc(a, IPV6_USE_MIN_MTU, -2), EINVAL);
    CHECK_EQ(get_int(a, IPV6_DONTFRAG), 0);
    set_int(a, IPV6_DONTFRAG, 5);
    CHECK_EQ(get_int(a, IPV6_DONTFRAG), 1);
    h_done(&p);
}

TEST(getsockopt_short_buffer_is_truncated_like_the_kernel) {
    struct hpair p;
    uint8_t one = 0xee;
    socklen_t len = 1;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    set_int(a, IPV6_UNICAST_HOPS, 0x42);
    CHECK_OK(six_getsockopt(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &one, &len));
    CHECK_EQ(len, 1);
    CHECK_EQ(one, 0x42);   /* little-endian hosts: the low byte */
    h_done(&p);
}

/* Reads one datagram; copies the data of the first cmsg of type want into
 * out (up to cap) and returns its data length, -1 when absent. */
static int recv_cmsg_bytes(int fd, int want, uint8_t *out, size_t cap, int *msg_flags,
                           size_t ctl_len) {
    union {
        struct cmsghdr align;
        uint8_t b[512];
    } ctl;
    uint8_t buf[256];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
                       .msg_controllen = ctl_len};
    int n = -1;

    CHECK_OK(six_recvmsg(fd, &m, MSG_DONTWAIT));
    *msg_flags = m.msg_flags;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
        if (cm->cmsg_level != IPPROTO_IPV6 || cm->cmsg_type != want || n >= 0)
            continue;
        n = (int)(cm->cmsg_len - CMSG_LEN(0));
        CHECK((size_t)n <= cap);
        memcpy(out, CMSG_DATA(cm), (size_t)n);
    }
    return n;
}

/* A frame A -> B: hop-by-hop, destination options, routing header with
 * Segments Left 0, destination options, then protocol 253. */
static void frame_with_headers(struct hpair *p, struct hframe *f, size_t off[4]) {
    static const uint8_t rth[24] = {60, 2, 0, 0};   /* type 0, one address */
    h_frame_ab(p, f, 0);
    off[0] = h_opts8(f, 60, 0x1e);      /* hop-by-hop, option action 00 */
    off[1] = h_opts8(f, 43, 0x1f);      /* destination options before routing */
    off[2] = h_put(f, rth, sizeof(rth));
    off[3] = h_pad8(f, 253);            /* destination options after routing */
    h_put(f, payload, sizeof(payload));
    h_end(f);
}

TEST(received_option_headers_come_as_ancillary_data) {
    struct hpair p;
    static struct hframe f;
    size_t off[4];
    uint8_t got[64];
    int flags;
    h_up(&p);
    int b = h_sock(&p, p.b, 253);
    /* The page's int forms, then RFC 3542's names. */
    set_int(b, IPV6_HOPOPTS, 1);
    set_int(b, IPV6_RECVRTHDR, 1);
    CHECK_EQ(get_int(b, IPV6_HOPOPTS), 1);
    CHECK_EQ(get_int(b, IPV6_RTHDR), 1);
    CHECK_EQ(get_int(b, IPV6_DSTOPTS), 0);
    frame_with_headers(&p, &f, off);
    h_inject(&p, &f);
    h_inject(&p, &f);
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_HOPOPTS, got, sizeof(got), &flags, 512), 8);
    CHECK_MEM(got, f.b + off[0], 8);
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_RTHDR, got, sizeof(got), &flags, 512), 24);
    CHECK_MEM(got, f.b + off[2], 24);
    set_int(b, IPV6_DSTOPTS, 1);
    h_inject(&p, &f);
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_DSTOPTS, got, sizeof(got), &flags, 512), 8);
    CHECK_MEM(got, f.b + off[1], 8);
    CHECK_EQ(flags & MSG_CTRUNC, 0);
    h_done(&p);
}

TEST(received_headers_that_do_not_fit_set_ctrunc) {
    struct hpair p;
    static struct hframe f;
    size_t off[4];
    uint8_t got[64];
    int flags;
    h_up(&p);
    int b = h_sock(&p, p.b, 253);
    set_int(b, IPV6_RECVHOPOPTS, 1);
    set_int(b, IPV6_RECVRTHDR, 1);
    frame_with_headers(&p, &f, off);
    h_inject(&p, &f);
    /* Room for the hop-by-hop object only. */
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_HOPOPTS, got, sizeof(got), &flags, CMSG_SPACE(8)), 8);
    CHECK(flags & MSG_CTRUNC);
    h_done(&p);
}

TEST(option_header_privilege_is_the_sockets_creators) {
    static const int names[] = {IPV6_HOPOPTS, IPV6_DSTOPTS, IPV6_RTHDR, IPV6_RECVHOPOPTS,
                                IPV6_RECVDSTOPTS, IPV6_RECVRTHDR};
    struct hpair p;
    h_up(&p);
    /* ip6(4): receiving option headers requires privilege. It is the
     * socket's creator's (privileged here: raw sockets cannot exist
     * otherwise), not the calling thread's: a thread without privilege
     * still sets them. The EPERM side needs an unprivileged socket, which
     * UDP sockets will be. */
    int priv = h_sock(&p, p.b, 253);
    struct six_creds user = {.uid = 1000, .gid = 1000, .privileged = 0};
    six_set_creds(&user);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        set_int(priv, names[i], 1);
    h_privileged(1);
    h_done(&p);
}

TEST(pktinfo_int_form_needs_no_privilege_and_reports_arrival) {
    struct hpair p;
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } ctl;
    uint8_t buf[64];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
                       .msg_controllen = sizeof(ctl.b)};
    struct in6_pktinfo pi;
    int found = 0;
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    set_int(b, IPV6_PKTINFO, 1);
    CHECK_EQ(get_int(b, IPV6_RECVPKTINFO), 1);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_OK(six_recvmsg(b, &m, MSG_DONTWAIT));
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
        if (cm->cmsg_type == IPV6_PKTINFO && cm->cmsg_len == CMSG_LEN(sizeof(pi))) {
            memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
            found = 1;
        }
    CHECK(found);
    CHECK(h_addr_eq(&pi.ipi6_addr, &p.addr_b));
    CHECK_EQ(pi.ipi6_ifindex, p.ifb);
    h_done(&p);
}

/* ---- sticky options and the page's precedence rule ---- */

/* Builds a control buffer of int objects (type, value pairs). */
static size_t build_ints(uint8_t *buf, size_t cap, const int *tv, int n) {
    struct msghdr m = {.msg_control = buf, .msg_controllen = cap};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    size_t used = 0;
    for (int i = 0; i < n; i++, cm = CMSG_NXTHDR(&m, cm)) {
        cm->cmsg_level = IPPROTO_IPV6;
        cm->cmsg_type = tv[2 * i];
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &tv[2 * i + 1], sizeof(int));
        used += CMSG_SPACE(sizeof(int));
    }
    return used;
}

static void set_pktoptions_ints(int fd, const int *tv, int n) {
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    size_t len = build_ints(ctl.b, sizeof(ctl.b), tv, n);
    CHECK_OK(six_setsockopt(fd, IPPROTO_IPV6, IPV6_PKTOPTIONS, ctl.b, (socklen_t)len));
}

TEST(pktoptions_round_trip_and_zero_length_reset) {
    struct hpair p;
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } got, want;
    socklen_t len = sizeof(got.b);
    const int tv[] = {IPV6_HOPLIMIT, 9, IPV6_TCLASS, 0x10};
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    memset(&want, 0, sizeof(want));
    size_t n = build_ints(want.b, sizeof(want.b), tv, 2);
    set_pktoptions_ints(a, tv, 2);
    CHECK_OK(six_getsockopt(a, IPPROTO_IPV6, IPV6_PKTOPTIONS, got.b, &len));
    CHECK_EQ(len, n);
    CHECK_MEM(got.b, want.b, n);
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTOPTIONS, NULL, 0));
    len = sizeof(got.b);
    CHECK_OK(six_getsockopt(a, IPPROTO_IPV6, IPV6_PKTOPTIONS, got.b, &len));
    CHECK_EQ(len, 0);
    h_done(&p);
}

TEST(pktoptions_malformed_is_einval_and_changes_nothing) {
    struct hpair p;
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } ctl;
    const int keep[] = {IPV6_HOPLIMIT, 9}, bad_value[] = {IPV6_HOPLIMIT, 300},
              unknown[] = {IPV6_CHECKSUM, 1};
    socklen_t len;
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    set_pktoptions_ints(a, keep, 1);
    memset(&ctl, 0, sizeof(ctl));
    len = (socklen_t)build_ints(ctl.b, sizeof(ctl.b), bad_value, 1);
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTOPTIONS, ctl.b, len), EINVAL);
    len = (socklen_t)build_ints(ctl.b, sizeof(ctl.b), unknown, 1);
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTOPTIONS, ctl.b, len), EINVAL);
    len = (socklen_t)build_ints(ctl.b, sizeof(ctl.b), keep, 1);
    ((struct cmsghdr *)(void *)ctl.b)->cmsg_len = 200;   /* lies */
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTOPTIONS, ctl.b, len), EINVAL);
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTOPTIONS, ctl.b, 4096), EINVAL);
    /* Still the sticky hop limit 9. */
    int b = h_sock(&p, p.b, 253);
    set_int(b, IPV6_HOPLIMIT, 1);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(recv_cmsg_int(b, IPV6_HOPLIMIT), 9);
    h_done(&p);
}

TEST(precedence_hop_limit_ancillary_sticky_basic_default) {
    struct hpair p;
    struct sockaddr_in6 to;
    const int sticky[] = {IPV6_HOPLIMIT, 6};
    h_up(&p);
    to = h_sin6(&p.addr_b, 0);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    set_int(b, IPV6_HOPLIMIT, 1);
    set_int(a, IPV6_UNICAST_HOPS, 5);
    set_pktoptions_ints(a, sticky, 1);
    send_with_cmsg(a, &to, IPV6_HOPLIMIT, 7);          /* 1st: ancillary */
    h_send_ok(a, &p.addr_b, payload, sizeof(payload)); /* 2nd: sticky */
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTOPTIONS, NULL, 0));
    h_send_ok(a, &p.addr_b, payload, sizeof(payload)); /* 3rd: basic */
    set_int(a, IPV6_UNICAST_HOPS, -1);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload)); /* the default */
    h_pump(&p);
    CHECK_EQ(recv_cmsg_int(b, IPV6_HOPLIMIT), 7);
    CHECK_EQ(recv_cmsg_int(b, IPV6_HOPLIMIT), 6);
    CHECK_EQ(recv_cmsg_int(b, IPV6_HOPLIMIT), 5);
    CHECK_EQ(recv_cmsg_int(b, IPV6_HOPLIMIT), 64);
    h_done(&p);
}

TEST(precedence_traffic_class_ancillary_sticky_basic) {
    struct hpair p;
    struct sockaddr_in6 to;
    const int sticky[] = {IPV6_TCLASS, 0x28};
    h_up(&p);
    to = h_sin6(&p.addr_b, 0);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    set_int(b, IPV6_RECVTCLASS, 1);
    set_int(a, IPV6_TCLASS, 0x10);
    set_pktoptions_ints(a, sticky, 1);
    send_with_cmsg(a, &to, IPV6_TCLASS, 0x48);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTOPTIONS, NULL, 0));
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(recv_cmsg_int(b, IPV6_TCLASS), 0x48);
    CHECK_EQ(recv_cmsg_int(b, IPV6_TCLASS), 0x28);
    CHECK_EQ(recv_cmsg_int(b, IPV6_TCLASS), 0x10);
    h_done(&p);
}

/* Sends to ff02::1 with sin6_scope_id scope, optionally with a pktinfo
 * ancillary object naming ifindex. */
static void send_mcast(int fd, unsigned scope, unsigned anc_ifindex) {
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    } ctl;
    struct in6_addr all = h_in6("ff02::1");
    struct sockaddr_in6 to = h_sin6(&all, scope);
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = sizeof(payload)};
    struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
                       .msg_iovlen = 1};
    if (anc_ifindex) {
        struct in6_pktinfo pi = {.ipi6_ifindex = anc_ifindex};
        struct cmsghdr *cm;
        memset(&ctl, 0, sizeof(ctl));
        m.msg_control = ctl.b;
        m.msg_controllen = sizeof(ctl.b);
        cm = CMSG_FIRSTHDR(&m);
        cm->cmsg_level = IPPROTO_IPV6;
        cm->cmsg_type = IPV6_PKTINFO;
        cm->cmsg_len = CMSG_LEN(sizeof(pi));
        memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
    }
    CHECK_EQ(six_sendmsg(fd, &m, 0), sizeof(payload));
}

/* The interface B received the next datagram on (from its pktinfo). */
static unsigned arrival(int fd) {
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } ctl;
    uint8_t buf[64];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
                       .msg_controllen = sizeof(ctl.b)};
    struct in6_pktinfo pi = {0};
    CHECK_OK(six_recvmsg(fd, &m, MSG_DONTWAIT));
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
        if (cm->cmsg_type == IPV6_PKTINFO)
            memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
    return pi.ipi6_ifindex;
}

TEST(precedence_outgoing_interface_all_four_levels) {
    struct hpair p;
    unsigned a1, b1;
    h_up(&p);
    /* A second link between A and B tells the interfaces apart. */
    CHECK_OK(six_memwire_pair(p.a, "a1", p.b, "b1", NULL, &a1, &b1));
    struct in6_addr a1_addr = h_in6("2001:db8:1::1"), b1_addr = h_in6("2001:db8:1::2");
    CHECK_OK(six_addr_add(p.a, a1, &a1_addr, 64, 0));
    CHECK_OK(six_addr_add(p.b, b1, &b1_addr, 64, 0));
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    struct in6_pktinfo sticky = {.ipi6_ifindex = p.ifa};
    set_int(b, IPV6_RECVPKTINFO, 1);

    /* Each is read before the next is sent: the two links are drained
     * one after the other, so arrival order is not send order. */
    send_mcast(a, p.ifa, 0);                  /* 4th: sin6_scope_id */
    h_pump(&p);
    CHECK_EQ(arrival(b), p.ifb);
    set_int(a, IPV6_MULTICAST_IF, (int)a1);
    send_mcast(a, p.ifa, 0);                  /* 3rd: IPV6_MULTICAST_IF */
    h_pump(&p);
    CHECK_EQ(arrival(b), b1);
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTINFO, &sticky, sizeof(sticky)));
    send_mcast(a, a1, 0);                     /* 2nd: sticky pktinfo */
    h_pump(&p);
    CHECK_EQ(arrival(b), p.ifb);
    send_mcast(a, p.ifa, a1);                 /* 1st: ancillary pktinfo */
    h_pump(&p);
    CHECK_EQ(arrival(b), b1);
    h_done(&p);
}

TEST(sticky_pktinfo_sets_source_and_reads_back) {
    struct hpair p;
    struct in6_pktinfo pi, back;
    socklen_t len = sizeof(back);
    struct sockaddr_in6 from;
    uint8_t buf[64];
    h_up(&p);
    struct in6_addr extra = h_addr_add(&p, p.a, "2001:db8::77");
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    memset(&pi, 0, sizeof(pi));
    pi.ipi6_addr = extra;
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi)));
    CHECK_OK(six_getsockopt(a, IPPROTO_IPV6, IPV6_PKTINFO, &back, &len));
    CHECK_EQ(len, sizeof(back));
    CHECK(h_addr_eq(&back.ipi6_addr, &extra));
    /* The int length still reads the page's switch. */
    CHECK_EQ(get_int(a, IPV6_PKTINFO), 0);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(h_recv(b, buf, sizeof(buf), &from), sizeof(payload));
    CHECK(h_addr_eq(&from.sin6_addr, &extra));
    pi.ipi6_ifindex = 77;
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi)), ENXIO);
    /* An all-zero pktinfo removes it. */
    memset(&pi, 0, sizeof(pi));
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi)));
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(h_recv(b, buf, sizeof(buf), &from), sizeof(payload));
    CHECK(h_addr_eq(&from.sin6_addr, &p.addr_a));
    h_done(&p);
}

/* ---- extension headers on send ---- */

#include <sixstack/opt.h>

/* An 8n-byte destination/hop-by-hop header holding one option of type
 * 0x1e (action 00: skipped by receivers) with data bytes, built with the
 * RFC 3542 routines. Returns its length. */
static int build_opts(uint8_t *buf, socklen_t cap, uint8_t fill) {
    uint8_t data[4];
    void *databuf;
    int off, len;

    /* RFC 3542 10's two passes: measure, then build in exactly that. */
    off = six_inet6_opt_init(NULL, 0);
    off = six_inet6_opt_append(NULL, 0, off, 0x1e, sizeof(data), 4, NULL);
    len = six_inet6_opt_finish(NULL, 0, off);
    CHECK(len > 0 && len <= (int)cap);
    memset(data, fill, sizeof(data));
    off = six_inet6_opt_init(buf, (socklen_t)len);
    CHECK(off > 0);
    off = six_inet6_opt_append(buf, (socklen_t)len, off, 0x1e, sizeof(data), 4, &databuf);
    CHECK(off > 0);
    six_inet6_opt_set_val(databuf, 0, data, sizeof(data));
    CHECK_EQ(six_inet6_opt_finish(buf, (socklen_t)len, off), len);
    return len;
}

/* Sends with one header object of cmsg type `type`. */
static void send_with_header(int fd, const struct sockaddr_in6 *dst, int type, const uint8_t *h,
                             size_t n) {
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(256)];
    } ctl;
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = sizeof(payload)};
    struct msghdr m = {.msg_name = (void *)dst, .msg_namelen = sizeof(*dst), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = ctl.b,
                       .msg_controllen = CMSG_SPACE(n)};
    struct cmsghdr *cm;
    memset(&ctl, 0, sizeof(ctl));
    cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = type;
    cm->cmsg_len = CMSG_LEN(n);
    memcpy(CMSG_DATA(cm), h, n);
    CHECK_EQ(six_sendmsg(fd, &m, 0), sizeof(payload));
}

TEST(ancillary_headers_are_sent_and_received) {
    struct hpair p;
    uint8_t hbh[64], dst[64], got[64];
    int flags;
    h_up(&p);
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    int nh = build_opts(hbh, sizeof(hbh), 0x11), nd = build_opts(dst, sizeof(dst), 0x22);
    set_int(b, IPV6_RECVHOPOPTS, 1);
    set_int(b, IPV6_RECVDSTOPTS, 1);
    send_with_header(a, &to, IPV6_HOPOPTS, hbh, (size_t)nh);
    send_with_header(a, &to, IPV6_DSTOPTS, dst, (size_t)nd);
    h_pump(&p);
    CHECK_EQ(h_stats(p.b).ip6_in_bad_option + h_stats(p.b).ip6_in_bad_ext, 0);
    /* The Next Header byte is the stack's to fill: compare the rest. */
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_HOPOPTS, got, sizeof(got), &flags, 512), nh);
    CHECK_MEM(got + 1, hbh + 1, (size_t)nh - 1);
    CHECK_EQ(got[0], 253);   /* the hop-by-hop header names the upper layer */
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_DSTOPTS, got, sizeof(got), &flags, 512), nd);
    CHECK_MEM(got + 1, dst + 1, (size_t)nd - 1);
    h_done(&p);
}

TEST(sticky_headers_are_sent_until_removed) {
    struct hpair p;
    uint8_t hbh[64] = {0}, other[64] = {0}, got[64];   /* opt_init leaves the Next Header byte */
    socklen_t len = sizeof(got);
    int flags;
    h_up(&p);
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    int nh = build_opts(hbh, sizeof(hbh), 0x33), no = build_opts(other, sizeof(other), 0x44);
    set_int(b, IPV6_RECVHOPOPTS, 1);
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_HOPOPTS, hbh, (socklen_t)nh));
    CHECK_OK(six_getsockopt(a, IPPROTO_IPV6, IPV6_HOPOPTS, got, &len));
    CHECK_EQ(len, nh);
    CHECK_MEM(got, hbh, (size_t)nh);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    /* Ancillary data wins over the sticky header. */
    send_with_header(a, &to, IPV6_HOPOPTS, other, (size_t)no);
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_HOPOPTS, NULL, 0));
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_HOPOPTS, got, sizeof(got), &flags, 512), nh);
    CHECK_MEM(got + 2, hbh + 2, (size_t)nh - 2);
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_HOPOPTS, got, sizeof(got), &flags, 512), no);
    CHECK_MEM(got + 2, other + 2, (size_t)no - 2);
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_HOPOPTS, got, sizeof(got), &flags, 512), -1);
    h_done(&p);
}

TEST(routing_header_with_destination_options_in_rfc8200_order) {
    struct hpair p;
    uint8_t rth[64], d1[64], d2[64], got[64];
    int flags;
    struct in6_addr hop = h_in6("2001:db8::99");
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    int n1 = build_opts(d1, sizeof(d1), 0x55), n2 = build_opts(d2, sizeof(d2), 0x66);
    socklen_t nr = (socklen_t)six_inet6_rth_space(IPV6_RTHDR_TYPE_0, 1);
    CHECK(six_inet6_rth_init(rth, nr, IPV6_RTHDR_TYPE_0, 1) != NULL);
    CHECK_OK(six_inet6_rth_add(rth, &hop));
    /* Segments Left 1 would ask B to route: refused (RFC 5095). */
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_RTHDR, rth, nr), EINVAL);
    rth[3] = 0;
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_RTHDR, rth, nr));
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_RTHDRDSTOPTS, d1, (socklen_t)n1));
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_DSTOPTS, d2, (socklen_t)n2));
    set_int(b, IPV6_RECVRTHDR, 1);
    set_int(b, IPV6_RECVDSTOPTS, 1);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    /* B parsed dst1, routing, dst2 in that order (else it would have
     * recorded them otherwise or dropped the packet). */
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_RTHDR, got, sizeof(got), &flags, 512), (int)nr);
    CHECK_MEM(got + 1, rth + 1, nr - 1);
    CHECK_EQ(got[0], IPPROTO_DSTOPTS);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(recv_cmsg_bytes(b, IPV6_DSTOPTS, got, sizeof(got), &flags, 512), n1);
    CHECK_MEM(got + 2, d1 + 2, (size_t)n1 - 2);
    CHECK_EQ(got[0], IPPROTO_ROUTING);
    h_done(&p);
}

TEST(malformed_headers_are_einval_and_send_nothing) {
    struct hpair p;
    uint8_t h[64];
    h_up(&p);
    struct sockaddr_in6 to = h_sin6(&p.addr_b, 0);
    int a = h_sock(&p, p.a, 253);
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(16)];
    } ctl;
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = sizeof(payload)};
    struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    int n = build_opts(h, sizeof(h), 0x77);
    uint64_t sent = h_stats(p.a).ip6_out_requests;

    /* A header whose length field says 16 bytes in 8. */
    h[1] = 1;
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_HOPOPTS, h, (socklen_t)n), EINVAL);
    memset(&ctl, 0, sizeof(ctl));
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_DSTOPTS;
    cm->cmsg_len = CMSG_LEN(8);
    memcpy(CMSG_DATA(cm), h, 8);
    CHECK_ERRNO(six_sendmsg(a, &m, 0), EINVAL);
    /* An option running past its header. */
    h[1] = 0;
    h[2] = 0x1e;
    h[3] = 9;
    memcpy(CMSG_DATA(cm), h, 8);
    CHECK_ERRNO(six_sendmsg(a, &m, 0), EINVAL);
    /* Not a multiple of 8. */
    cm->cmsg_len = CMSG_LEN(6);
    CHECK_ERRNO(six_sendmsg(a, &m, 0), EINVAL);
    CHECK_EQ(h_stats(p.a).ip6_out_requests, sent);
    h_done(&p);
}

TEST(rfc2292_names_are_the_pages_switches) {
    static const struct {
        int old, now;
    } names[] = {{IPV6_2292PKTINFO, IPV6_RECVPKTINFO}, {IPV6_2292HOPLIMIT, IPV6_RECVHOPLIMIT},
                 {IPV6_2292HOPOPTS, IPV6_RECVHOPOPTS}, {IPV6_2292DSTOPTS, IPV6_RECVDSTOPTS},
                 {IPV6_2292RTHDR, IPV6_RECVRTHDR}};
    struct hpair p;
    uint8_t hdr[8] = {0, 0, 1, 4, 0, 0, 0, 0};
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        CHECK_EQ(get_int(a, names[i].old), 0);
        set_int(a, names[i].old, 1);
        CHECK_EQ(get_int(a, names[i].now), 1);
        CHECK_EQ(get_int(a, names[i].old), 1);
        set_int(a, names[i].now, 0);
        CHECK_EQ(get_int(a, names[i].old), 0);
        /* Only the int switch: no sticky header under the old names. */
        CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, names[i].old, hdr, sizeof(hdr)), EINVAL);
    }
    h_done(&p);
}

/* ---- IPV6_NEXTHOP ---- */

/* A and B joined twice: a0-b0 (2001:db8::/64) and a1-b1 (2001:db8:1::/64). */
static void second_link(struct hpair *p, unsigned *a1, unsigned *b1, struct in6_addr *b1_addr) {
    struct in6_addr a1_addr = h_in6("2001:db8:1::1");
    *b1_addr = h_in6("2001:db8:1::2");
    CHECK_OK(six_memwire_pair(p->a, "a1", p->b, "b1", NULL, a1, b1));
    CHECK_OK(six_addr_add(p->a, *a1, &a1_addr, 64, 0));
    CHECK_OK(six_addr_add(p->b, *b1, b1_addr, 64, 0));
}

static void send_with_nexthop(int fd, const struct in6_addr *dst, const struct sockaddr_in6 *nh,
                              size_t nh_len, int want_errno) {
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(sizeof(struct sockaddr_in6))];
    } ctl;
    struct sockaddr_in6 to = h_sin6(dst, 0);
    struct iovec iov = {.iov_base = (void *)payload, .iov_len = sizeof(payload)};
    struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
    struct cmsghdr *cm;
    memset(&ctl, 0, sizeof(ctl));
    cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_NEXTHOP;
    cm->cmsg_len = CMSG_LEN(nh_len);
    memcpy(CMSG_DATA(cm), nh, nh_len);
    if (want_errno)
        CHECK_ERRNO(six_sendmsg(fd, &m, 0), want_errno);
    else
        CHECK_EQ(six_sendmsg(fd, &m, 0), sizeof(payload));
}

TEST(nexthop_picks_the_link_of_its_neighbour) {
    struct hpair p;
    unsigned a1, b1;
    struct in6_addr b1_addr, far = h_in6("2001:db8:99::1");
    h_up(&p);
    second_link(&p, &a1, &b1, &b1_addr);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    struct sockaddr_in6 nh = h_sin6(&b1_addr, 0), nh_far = h_sin6(&far, 0);
    set_int(b, IPV6_RECVPKTINFO, 1);
    /* B's first address is on a0's link, but the next hop is on a1's. */
    send_with_nexthop(a, &p.addr_b, &nh, sizeof(nh), 0);
    h_pump(&p);
    CHECK_EQ(arrival(b), b1);
    /* Not a neighbour: no connected route reaches it. */
    send_with_nexthop(a, &p.addr_b, &nh_far, sizeof(nh_far), EHOSTUNREACH);
    /* Malformed: short, or not AF_INET6. */
    send_with_nexthop(a, &p.addr_b, &nh, sizeof(nh) - 4, EINVAL);
    nh_far.sin6_family = AF_INET;
    send_with_nexthop(a, &p.addr_b, &nh_far, sizeof(nh_far), EINVAL);
    h_done(&p);
}

TEST(sticky_nexthop_until_removed_and_read_back) {
    struct hpair p;
    unsigned a1, b1;
    struct in6_addr b1_addr;
    struct sockaddr_in6 back;
    socklen_t len = sizeof(back);
    h_up(&p);
    second_link(&p, &a1, &b1, &b1_addr);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    struct sockaddr_in6 nh = h_sin6(&b1_addr, 0);
    set_int(b, IPV6_RECVPKTINFO, 1);
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_NEXTHOP, &nh, sizeof(nh)));
    CHECK_OK(six_getsockopt(a, IPPROTO_IPV6, IPV6_NEXTHOP, &back, &len));
    CHECK_EQ(len, sizeof(back));
    CHECK(h_addr_eq(&back.sin6_addr, &b1_addr));
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(arrival(b), b1);
    CHECK_OK(six_setsockopt(a, IPPROTO_IPV6, IPV6_NEXTHOP, NULL, 0));
    len = sizeof(back);
    CHECK_OK(six_getsockopt(a, IPPROTO_IPV6, IPV6_NEXTHOP, &back, &len));
    CHECK_EQ(len, 0);
    h_send_ok(a, &p.addr_b, payload, sizeof(payload));
    h_pump(&p);
    CHECK_EQ(arrival(b), p.ifb);
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_NEXTHOP, &nh, 8), EINVAL);
    h_done(&p);
}

TEST(pathmtu_is_the_first_hop_mtu_of_a_connected_socket) {
    struct hpair p;
    struct ip6_mtuinfo mi;
    socklen_t len = sizeof(mi);
    h_up(&p);
    int a = h_sock(&p, p.a, 253);
    CHECK_ERRNO(six_getsockopt(a, IPPROTO_IPV6, IPV6_PATHMTU, &mi, &len), ENOTCONN);
    CHECK_OK(six_if_set_mtu(p.a, p.ifa, 1400));
    h_connect(a, &p.addr_b);
    CHECK_OK(six_getsockopt(a, IPPROTO_IPV6, IPV6_PATHMTU, &mi, &len));
    CHECK_EQ(len, sizeof(mi));
    CHECK_EQ(mi.ip6m_mtu, 1400);
    CHECK(h_addr_eq(&mi.ip6m_addr.sin6_addr, &p.addr_b));
    CHECK_ERRNO(six_setsockopt(a, IPPROTO_IPV6, IPV6_PATHMTU, &mi, sizeof(mi)), ENOPROTOOPT);
    CHECK_EQ(get_int(a, IPV6_RECVPATHMTU), 0);
    set_int(a, IPV6_RECVPATHMTU, 1);
    CHECK_EQ(get_int(a, IPV6_RECVPATHMTU), 1);
    h_done(&p);
}

/* ---- IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP ---- */

static int mreq_set(int fd, int name, const char *group, unsigned ifindex) {
    struct ipv6_mreq mr = {.ipv6mr_multiaddr = h_in6(group), .ipv6mr_interface = ifindex};
    return six_setsockopt(fd, IPPROTO_IPV6, name, &mr, sizeof(mr));
}

/* A sends to group on its link; returns whether B's socket got it. */
static int group_reaches_b(struct hpair *p, int a, int b, const char *group) {
    struct in6_addr g = h_in6(group);
    struct sockaddr_in6 to = h_sin6(&g, p->ifa);
    uint8_t buf[64];
    CHECK_EQ(six_sendto(a, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)),
             sizeof(payload));
    h_pump(p);
    return six_recv(b, buf, sizeof(buf), MSG_DONTWAIT) >= 0;
}

TEST(join_group_makes_its_traffic_arrive_and_leave_stops_it) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    uint64_t dropped = h_stats(p.b).ip6_in_not_for_us;
    CHECK(!group_reaches_b(&p, a, b, "ff02::1:3"));
    CHECK_EQ(h_stats(p.b).ip6_in_not_for_us, dropped + 1);
    CHECK_OK(mreq_set(b, IPV6_JOIN_GROUP, "ff02::1:3", p.ifb));
    CHECK(group_reaches_b(&p, a, b, "ff02::1:3"));
    CHECK(!group_reaches_b(&p, a, b, "ff02::1:4"));
    CHECK_OK(mreq_set(b, IPV6_LEAVE_GROUP, "ff02::1:3", p.ifb));
    CHECK(!group_reaches_b(&p, a, b, "ff02::1:3"));
    h_done(&p);
}

TEST(join_group_errors_as_bsd) {
    struct hpair p;
    struct ipv6_mreq mr = {0};
    h_up(&p);
    int b = h_sock(&p, p.b, 253);
    CHECK_ERRNO(mreq_set(b, IPV6_JOIN_GROUP, "2001:db8::5", p.ifb), EINVAL);
    CHECK_ERRNO(mreq_set(b, IPV6_JOIN_GROUP, "ff02::1:3", 77), EADDRNOTAVAIL);
    CHECK_ERRNO(six_setsockopt(b, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, 4), EINVAL);
    /* Interface 0 is the default multicast interface: b0 here. */
    CHECK_OK(mreq_set(b, IPV6_JOIN_GROUP, "ff02::1:3", 0));
    CHECK_ERRNO(mreq_set(b, IPV6_JOIN_GROUP, "ff02::1:3", p.ifb), EADDRINUSE);
    CHECK_ERRNO(mreq_set(b, IPV6_LEAVE_GROUP, "ff02::1:9", p.ifb), EADDRNOTAVAIL);
    CHECK_OK(mreq_set(b, IPV6_LEAVE_GROUP, "ff02::1:3", p.ifb));
    CHECK_ERRNO(mreq_set(b, IPV6_LEAVE_GROUP, "ff02::1:3", p.ifb), EADDRNOTAVAIL);
    h_done(&p);
}

TEST(join_group_limit_per_socket) {
    struct hpair p;
    char g[32];
    h_up(&p);
    int b = h_sock(&p, p.b, 253);
    for (int i = 0; i < 20; i++) {
        snprintf(g, sizeof(g), "ff02::2:%x", i + 1);
        CHECK_OK(mreq_set(b, IPV6_JOIN_GROUP, g, p.ifb));
    }
    CHECK_ERRNO(mreq_set(b, IPV6_JOIN_GROUP, "ff02::3:1", p.ifb), ETOOMANYREFS);
    h_done(&p);
}

TEST(close_drops_memberships_but_others_keep_theirs) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253), c = h_sock(&p, p.b, 253);
    CHECK_OK(mreq_set(b, IPV6_JOIN_GROUP, "ff02::1:3", p.ifb));
    CHECK_OK(mreq_set(c, IPV6_JOIN_GROUP, "ff02::1:3", p.ifb));
    h_close(&p, b);
    /* c still holds the group (memberships are counted per interface). */
    CHECK(group_reaches_b(&p, a, c, "ff02::1:3"));
    h_close(&p, c);
    int d = h_sock(&p, p.b, 253);
    CHECK(!group_reaches_b(&p, a, d, "ff02::1:3"));
    h_done(&p);
}

TEST(join_of_the_unspecified_group_takes_every_group) {
    struct hpair p;
    h_up(&p);
    int a = h_sock(&p, p.a, 253), b = h_sock(&p, p.b, 253);
    CHECK_OK(mreq_set(b, IPV6_JOIN_GROUP, "::", p.ifb));
    CHECK(group_reaches_b(&p, a, b, "ff02::1:77"));
    CHECK(group_reaches_b(&p, a, b, "ff05::99"));
    CHECK_OK(mreq_set(b, IPV6_LEAVE_GROUP, "::", p.ifb));
    CHECK(!group_reaches_b(&p, a, b, "ff02::1:77"));
    h_done(&p);
}
