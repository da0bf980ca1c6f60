/* Interfaces with the application's own driver (six_if_add_netdev): two
 * stacks whose drivers are this test, carrying frames between them by
 * hand, the way a firmware's Ethernet driver does (transmit out, and
 * six_if_inject for what it receives). */
#include "harness.h"

enum { QLEN = 16, FRAME_MAX = 1600 };

/* What one side transmitted, waiting for the test to deliver it. */
struct queue {
    unsigned n, dropped;
    size_t len[QLEN];
    uint8_t frame[QLEN][FRAME_MAX];
};

static int transmit(void *ctx, const void *frame, size_t len) {
    struct queue *q = ctx;
    if (q->n == QLEN || len > FRAME_MAX) {
        q->dropped++;
        return -1;
    }
    memcpy(q->frame[q->n], frame, len);
    q->len[q->n++] = len;
    return 0;
}

struct link {
    struct six_stack *st[2];
    unsigned ifindex[2];
    struct queue out[2];
};

static const uint8_t mac0[6] = {0x02, 0, 0, 0, 0, 0x10}, mac1[6] = {0x02, 0, 0, 0, 0, 0x11};

static void link_up(struct link *l) {
    static struct six_stack_config cfg[2];

    memset(l, 0, sizeof(*l));
    for (int i = 0; i < 2; i++) {
        struct six_netdev dev = {.ethernet = 1, .transmit = transmit, .ctx = &l->out[i]};
        memcpy(dev.mac, i ? mac1 : mac0, 6);
        cfg[i] = h_config((uint64_t)i + 1);
        l->st[i] = six_stack_new(&cfg[i]);
        CHECK(l->st[i] != NULL);
        l->ifindex[i] = (unsigned)CHECK_OK(six_if_add_netdev(l->st[i], "eth0", &dev));
    }
}

/* Delivers what each side sent to the other until both are quiet. */
static unsigned link_pump(struct link *l) {
    unsigned moved = 0;
    for (int round = 0; round < 50; round++) {
        unsigned before = moved;
        for (int i = 0; i < 2; i++) {
            struct queue q = l->out[i];
            l->out[i].n = 0;
            for (unsigned k = 0; k < q.n; k++, moved++)
                CHECK_OK(six_if_inject(l->st[!i], l->ifindex[!i], q.frame[k], q.len[k]));
        }
        if (moved == before)
            return moved;
    }
    CHECK(!"the link never went quiet");
    return moved;
}

static void link_down(struct link *l) {
    six_stack_free(l->st[0]);
    six_stack_free(l->st[1]);
}

TEST(netdev_carries_udp_after_neighbour_discovery) {
    struct link l;
    struct in6_addr a = h_in6("fe80::1"), b = h_in6("fe80::2");
    struct sockaddr_in6 to = h_sin6(&b, 0), from;
    uint8_t mac[6];
    char buf[16];
    int tx, rx;

    link_up(&l);
    CHECK_OK(six_if_hwaddr(l.st[1], l.ifindex[1], mac));
    CHECK_MEM(mac, mac1, 6);
    CHECK_OK(six_addr_add(l.st[0], l.ifindex[0], &a, 64, 0));
    CHECK_OK(six_addr_add(l.st[1], l.ifindex[1], &b, 64, 0));
    to.sin6_scope_id = l.ifindex[0];
    to.sin6_port = htons(9);
    rx = (int)CHECK_OK(six_socket_on(l.st[1], AF_INET6, SOCK_DGRAM, 0));
    tx = (int)CHECK_OK(six_socket_on(l.st[0], AF_INET6, SOCK_DGRAM, 0));
    {
        struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
        CHECK_OK(six_bind(rx, (struct sockaddr *)&any, sizeof(any)));
    }
    link_pump(&l);
    CHECK_EQ(six_sendto(tx, "over netdev", 11, 0, (struct sockaddr *)&to, sizeof(to)), 11);
    /* A neighbour solicitation, its advertisement, then the datagram. */
    CHECK(link_pump(&l) >= 3);
    CHECK_EQ(h_recv(rx, buf, sizeof(buf), &from), 11);
    CHECK_MEM(buf, "over netdev", 11);
    CHECK(IN6_IS_ADDR_LINKLOCAL(&from.sin6_addr));
    CHECK_EQ(from.sin6_scope_id, l.ifindex[1]);
    six_close(tx);
    six_close(rx);
    link_down(&l);
}

TEST(netdev_transmit_failure_is_a_drop_not_an_error_later) {
    struct link l;
    struct in6_addr a = h_in6("fe80::1"), b = h_in6("fe80::2");
    struct sockaddr_in6 to = h_sin6(&b, 0);
    int tx;

    link_up(&l);
    CHECK_OK(six_addr_add(l.st[0], l.ifindex[0], &a, 64, 0));
    to.sin6_scope_id = l.ifindex[0];
    to.sin6_port = htons(9);
    tx = (int)CHECK_OK(six_socket_on(l.st[0], AF_INET6, SOCK_DGRAM, 0));
    l.out[0].n = QLEN;   /* the controller's queue is full */
    six_sendto(tx, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
    CHECK(l.out[0].dropped >= 1);
    l.out[0].n = 0;
    CHECK_EQ(six_sendto(tx, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);
    six_close(tx);
    link_down(&l);
}

TEST(netdev_refuses_bad_configs) {
    struct six_stack_config cfg = h_config(3);
    struct six_stack *st = six_stack_new(&cfg);
    struct queue q;
    struct six_netdev dev = {.ethernet = 1, .transmit = transmit, .ctx = &q};

    memcpy(dev.mac, mac0, 6);
    CHECK_ERRNO(six_if_add_netdev(st, "eth0", NULL), EINVAL);
    dev.transmit = NULL;
    CHECK_ERRNO(six_if_add_netdev(st, "eth0", &dev), EINVAL);
    dev.transmit = transmit;
    dev.mtu = 1279;
    CHECK_ERRNO(six_if_add_netdev(st, "eth0", &dev), EINVAL);
    dev.mtu = 0;
    dev.mac[0] = 0x03;   /* a group address */
    CHECK_ERRNO(six_if_add_netdev(st, "eth0", &dev), EINVAL);
    memset(dev.mac, 0, 6);
    CHECK_ERRNO(six_if_add_netdev(st, "eth0", &dev), EINVAL);
    memcpy(dev.mac, mac0, 6);
    CHECK_OK(six_if_add_netdev(st, "eth0", &dev));
    CHECK_ERRNO(six_if_add_netdev(st, "eth0", &dev), EEXIST);
    six_stack_free(st);
}
