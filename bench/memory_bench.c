/* Memory figures, sixstack beside lwIP 2.1.3:
 *
 *  - bytes per socket: the heap growth (glibc's mallinfo2().uordblks, the
 *    bytes in allocated chunks) around opening 10,000 UDP sockets, each
 *    bound to a port of its own, and 10,000 raw sockets, divided by the
 *    count. It includes what grows with the count (hash tables, the
 *    descriptor table), not the kernel's side of each socket's eventfd;
 *  - bytes per multicast membership: the growth around 10,000 joins, 20
 *    per socket (the BSD limit) on 500 sockets;
 *  - bytes per reassembly in progress: the growth around 10,000 datagrams
 *    waiting for fragments, each with its 1280-byte first fragment held,
 *    plus the table slot the stack allocates for it when it is made.
 *
 * lwIP's are measured the same way in the same process (lwip_ref.c): its
 * UDP PCB (callback API), its socket (lwip_socket: netconn, mailbox, PCB),
 * an MLD group on its netif, and a datagram in its reassembly queue. The
 * code sizes are bench/code_size.sh's. No timing: one run is exact.
 *
 *     memory_bench [count]
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "bench.h"
#include "lwip_ref.h"

#define BASE_PORT 20000
#define GROUPS_PER_SOCKET 20

static size_t heap_in_use(void) {
    return mallinfo2().uordblks;
}

static struct six_stack *stack_with(unsigned max_sockets) {
    struct six_stack_config cfg;

    six_stack_config_init(&cfg);
    cfg.max_sockets = max_sockets;
    struct six_stack *st = six_stack_new(&cfg);
    if (!st) {
        perror("six_stack_new");
        exit(1);
    }
    return st;
}

/* Heap bytes per socket of the given type, over count sockets (UDP ones
 * bound to ports of their own). */
static double socket_bytes(int type, int count) {
    struct six_stack *st = stack_with((unsigned)count + 16);
    int *fds = calloc((size_t)count, sizeof(*fds));
    int n = 0;

    size_t h0 = heap_in_use();
    for (; n < count; n++) {
        struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
                                    .sin6_port = htons((uint16_t)(BASE_PORT + n))};
        fds[n] = six_socket_on(st, AF_INET6, type, type == SOCK_RAW ? 253 : 0);
        if (fds[n] < 0 ||
            (type == SOCK_DGRAM && six_bind(fds[n], (struct sockaddr *)&sin6, sizeof(sin6)) < 0)) {
            perror("memory_bench: socket");
            exit(1);
        }
    }
    size_t h1 = heap_in_use();
    for (int i = 0; i < n; i++)
        six_close(fds[i]);
    free(fds);
    six_stack_free(st);
    return (double)(h1 - h0) / count;
}

/* Heap bytes per membership, count joins on the loopback interface. */
static double membership_bytes(int count) {
    int nsock = (count + GROUPS_PER_SOCKET - 1) / GROUPS_PER_SOCKET;
    struct six_stack *st = stack_with((unsigned)nsock + 16);
    int *fds = calloc((size_t)nsock, sizeof(*fds));

    for (int i = 0; i < nsock; i++)
        if ((fds[i] = six_socket_on(st, AF_INET6, SOCK_DGRAM, 0)) < 0) {
            perror("memory_bench: socket");
            exit(1);
        }
    size_t h0 = heap_in_use();
    for (int g = 0; g < count; g++) {
        struct ipv6_mreq mr = {.ipv6mr_multiaddr = bench_group(g), .ipv6mr_interface = 1};
        if (six_setsockopt(fds[g / GROUPS_PER_SOCKET], IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
                           sizeof(mr)) < 0) {
            perror("memory_bench: join");
            exit(1);
        }
    }
    size_t h1 = heap_in_use();
    for (int i = 0; i < nsock; i++)
        six_close(fds[i]);
    free(fds);
    six_stack_free(st);
    return (double)(h1 - h0) / count;
}

/* The first fragment (offset 0, more to come) of datagram id from
 * 2001:db8::1 to 2001:db8::2: a 1280-byte packet. */
static void first_fragment(uint8_t f[1280], uint32_t id) {
    memset(f, 0, 1280);
    f[0] = 0x60;
    f[4] = (1280 - 40) >> 8;
    f[5] = (1280 - 40) & 0xff;
    f[6] = 44; /* Fragment header */
    f[7] = 64;
    inet_pton(AF_INET6, "2001:db8::1", f + 8);
    inet_pton(AF_INET6, "2001:db8::2", f + 24);
    f[40] = 17;
    f[43] = 1; /* offset 0, M = 1 */
    f[44] = (uint8_t)(id >> 24);
    f[45] = (uint8_t)(id >> 16);
    f[46] = (uint8_t)(id >> 8);
    f[47] = (uint8_t)id;
}

static struct six_stack *reass_stack(unsigned datagrams, int count, unsigned *ifx,
                                     struct six_stack **peer) {
    struct six_stack_config cfg;
    struct in6_addr me;
    unsigned ifp;

    six_stack_config_init(&cfg);
    cfg.pkt_small_max = (unsigned)count + 1024;
    cfg.reass_max_datagrams = datagrams;
    cfg.reass_max_per_source = 0;
    cfg.reass_max_bytes = (size_t)count * 4096;
    struct six_stack *st = six_stack_new(&cfg);
    struct six_memwire_config wire = {.mtu = 1500, .queue_len = 16};
    *peer = six_stack_new(NULL);
    if (!st || !*peer || six_memwire_pair(st, "in0", *peer, "p0", &wire, ifx, &ifp) < 0) {
        perror("memory_bench: reassembly stacks");
        exit(1);
    }
    inet_pton(AF_INET6, "2001:db8::2", &me);
    six_addr_add(st, *ifx, &me, 64, 0);
    return st;
}

/* Heap bytes per datagram in reassembly: what holding its first fragment
 * costs, plus whatever the stack allocates for its reassembly table when
 * it is made (the difference between a stack with count slots and one with
 * none). *held: packet buffers held afterwards, to show the fragments
 * really wait. */
static double reass_bytes(int count, unsigned *held) {
    struct six_stack *peer, *st;
    unsigned ifx;
    uint8_t f[1280];

    size_t h0 = heap_in_use();
    st = reass_stack(0, count, &ifx, &peer);
    size_t h1 = heap_in_use();
    six_stack_free(st);
    six_stack_free(peer);
    size_t h2 = heap_in_use();
    st = reass_stack((unsigned)count, count, &ifx, &peer);
    unsigned before = six_stack_pkts_in_use(st);
    for (int i = 0; i < count; i++) {
        first_fragment(f, (uint32_t)i + 1);
        six_if_inject(st, ifx, f, sizeof(f));
    }
    size_t h3 = heap_in_use();
    *held = six_stack_pkts_in_use(st) - before;
    six_stack_free(st);
    six_stack_free(peer);
    return ((double)(h3 - h2) - (double)(h1 - h0)) / count;
}

static void bytes(double b) {
    if (b > 0)
        printf("%7.0f B", b);
    else
        printf("%9s", "-");
}

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 10000;
    struct lwip_ref_memory lw;
    const char *lwip_why = lwip_ref_memory(&lw, count) == 0 ? NULL
                           : lwip_ref_missing()             ? lwip_ref_missing()
                                                            : "lwIP failed to start";

    six_set_creds(&(struct six_creds){.uid = 0, .gid = 0, .privileged = 1});
    printf("memory: heap growth per object (mallinfo2), %d objects each\n", count);

    printf("memory UDP socket, bound          sixstack ");
    bytes(socket_bytes(SOCK_DGRAM, count));
    if (lwip_why)
        printf("   lwIP: skipped (%s)\n", lwip_why);
    else {
        printf("   lwIP udp_pcb ");
        bytes(lw.pcb_bytes);
        printf(" (callback API), lwip_socket ");
        bytes(lw.socket_bytes);
        printf(" (%d sockets)\n", lw.sockets);
    }

    printf("memory raw socket                 sixstack ");
    bytes(socket_bytes(SOCK_RAW, count));
    printf("\n");

    printf("memory multicast membership       sixstack ");
    bytes(membership_bytes(count));
    printf(" (+ a 1 B tag slot, 20 in every socket)");
    if (lwip_why)
        printf("   lwIP: skipped (%s)\n", lwip_why);
    else {
        printf("   lwIP mld_group ");
        bytes(lw.group_bytes);
        printf(" (%d groups on the netif)\n", lw.groups);
    }

    printf("memory reassembly in progress     sixstack ");
    unsigned held;
    bytes(reass_bytes(count, &held));
    printf(" (first fragment held: %u buffers)", held);
    if (lwip_why)
        printf("   lwIP: skipped (%s)\n", lwip_why);
    else {
        printf("   lwIP ");
        bytes(lw.reass_bytes);
        printf(" (first fragment held; %d at most: IP_REASS_MAX_PBUFS)\n", lw.reass);
    }
    return 0;
}
