/* lwIP 2.1.3 from Debian's liblwip-dev, driven in process as the
 * benchmarks' reference (see lwip_ref.h for what each figure is).
 *
 * How Debian built it (its lwipopts.h, in /usr/include/lwip): NO_SYS=0, so
 * lwIP runs with threads: a tcpip thread, mailboxes, and the core lock
 * (LWIP_TCPIP_CORE_LOCKING=1) that any other thread must hold to call the
 * raw API. LWIP_NETIF_LOOPBACK=1 but LWIP_HAVE_LOOPIF=0: there is no loop
 * interface of lwIP's own; any netif queues packets addressed to one of its
 * own addresses, and netif_poll() delivers the queue.
 *
 * So this file starts lwIP with tcpip_init() (lwip_init() alone leaves the
 * tcpip mailbox unset, and netif_loop_output() posts a "poll" message to it
 * in a threaded build: an assertion), adds a netif of its own holding ::1,
 * and runs every measurement in the calling thread with the core lock held
 * for the whole run. Each round trip: pbuf_alloc + pbuf_take (as an
 * application sends), raw_sendto / udp_sendto to ::1, netif_poll() of the
 * netif, which runs ip6_input and the receiving PCB's callback in this same
 * thread; the callback counts the packet and frees it.
 *
 * The "poll" message netif_loop_output() posts to the tcpip thread on every
 * send is part of what this build of lwIP costs; the tcpip thread itself
 * cannot run while the lock is held, and finds the queue empty afterwards
 * (perf: the mailbox post is under 2 % of lwIP's time per packet).
 */
#include "lwip_ref.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lwip/init.h>
#include <lwip/ip6_addr.h>
#include <lwip/mld6.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/raw.h>
#include <lwip/sockets.h>
#include <lwip/tcpip.h>
#include <lwip/tcp.h>
#include <lwip/udp.h>
#include <lwip/priv/tcp_priv.h>

#define LWIP_REF_PORT 20000
#define LWIP_REF_PROTO 253

static struct netif loop_if;
static int state; /* 0 not started, 1 up, -1 failed */
static long received;
static size_t received_len;

const char *lwip_ref_missing(void) {
    return NULL;
}

/* Frames that would leave the netif (MLD reports, router solicitations)
 * go nowhere: only packets to ::1, which lwIP loops before calling this,
 * matter here. lwIP keeps ownership of p. */
static err_t loop_if_output(struct netif *nif, struct pbuf *p, const ip6_addr_t *dst) {
    (void)nif;
    (void)p;
    (void)dst;
    return ERR_OK;
}

static err_t loop_if_init(struct netif *nif) {
    nif->name[0] = 'l';
    nif->name[1] = 'o';
    nif->output_ip6 = loop_if_output;
    nif->mtu = 65535;
    return ERR_OK;
}

int lwip_ref_init(void) {
    ip6_addr_t one;
    s8_t idx = -1;

    if (state)
        return state > 0 ? 0 : -1;
    state = -1;
    tcpip_init(NULL, NULL);
    LOCK_TCPIP_CORE();
    if (netif_add_noaddr(&loop_if, NULL, loop_if_init, netif_input)) {
        ip6_addr_set_loopback(&one);
        if (netif_add_ip6_address(&loop_if, &one, &idx) == ERR_OK && idx >= 0) {
            /* Preferred at once: duplicate address detection would only
             * delay the address, and ::1 is never on a real link. */
            netif_ip6_addr_set_state(&loop_if, idx, IP6_ADDR_PREFERRED);
            netif_set_up(&loop_if);
            netif_set_link_up(&loop_if);
            netif_set_default(&loop_if);
            state = 1;
        }
    }
    UNLOCK_TCPIP_CORE();
    return state > 0 ? 0 : -1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Receive callbacks: the packet is ours to free (raw: returning 1 says it
 * was eaten, so lwIP neither frees it nor offers it further). */
static u8_t on_raw(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *from) {
    (void)arg;
    (void)pcb;
    (void)from;
    received++;
    received_len = p->tot_len;
    pbuf_free(p);
    return 1;
}

static void on_udp(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *from,
                   u16_t port) {
    (void)arg;
    (void)pcb;
    (void)from;
    (void)port;
    received++;
    received_len = p->tot_len;
    pbuf_free(p);
}

static unsigned char payload[65536];

double lwip_ref_raw_pps(size_t size, long iters) {
    ip_addr_t to = IPADDR6_INIT_HOST(0, 0, 0, 1);
    struct raw_pcb *rx, *tx;
    double t = 0;
    int ok = 0;

    if (lwip_ref_init() < 0 || size > sizeof(payload))
        return -1;
    memset(payload, 0xa5, size);
    LOCK_TCPIP_CORE();
    rx = raw_new_ip_type(IPADDR_TYPE_V6, LWIP_REF_PROTO);
    tx = raw_new_ip_type(IPADDR_TYPE_V6, LWIP_REF_PROTO);
    if (rx && tx && raw_bind(rx, &to) == ERR_OK) {
        raw_recv(rx, on_raw, NULL);
        received = 0;
        double t0 = now_s();
        long i;
        for (i = 0; i < iters; i++) {
            /* PBUF_IP: room for the IPv6 header in front of the payload. */
            struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)size, PBUF_RAM);
            if (!p)
                break;
            pbuf_take(p, payload, (u16_t)size);
            err_t e = raw_sendto(tx, p, &to);
            pbuf_free(p);
            if (e != ERR_OK)
                break;
            netif_poll(&loop_if);
        }
        t = now_s() - t0;
        /* A raw PCB receives the IPv6 header with the payload. */
        ok = i == iters && received == iters && received_len == size + 40;
    }
    if (rx)
        raw_remove(rx);
    if (tx)
        raw_remove(tx);
    UNLOCK_TCPIP_CORE();
    return ok ? (double)iters / t : -1;
}

double lwip_ref_udp_pps(size_t size, long iters) {
    ip_addr_t to = IPADDR6_INIT_HOST(0, 0, 0, 1);
    struct udp_pcb *rx, *tx;
    double t = 0;
    int ok = 0;

    if (lwip_ref_init() < 0 || size > 65507)
        return -1;
    memset(payload, 0x5a, size);
    LOCK_TCPIP_CORE();
    rx = udp_new_ip_type(IPADDR_TYPE_V6);
    tx = udp_new_ip_type(IPADDR_TYPE_V6);
    if (rx && tx && udp_bind(rx, &to, LWIP_REF_PORT) == ERR_OK) {
        udp_recv(rx, on_udp, NULL);
        received = 0;
        double t0 = now_s();
        long i;
        for (i = 0; i < iters; i++) {
            /* PBUF_TRANSPORT: room for the UDP and IPv6 headers. */
            struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)size, PBUF_RAM);
            if (!p)
                break;
            pbuf_take(p, payload, (u16_t)size);
            err_t e = udp_sendto(tx, p, &to, LWIP_REF_PORT);
            pbuf_free(p);
            if (e != ERR_OK)
                break;
            netif_poll(&loop_if);
        }
        t = now_s() - t0;
        ok = i == iters && received == iters && received_len == size;
    }
    if (rx)
        udp_remove(rx);
    if (tx)
        udp_remove(tx);
    UNLOCK_TCPIP_CORE();
    return ok ? (double)iters / t : -1;
}

/* ---- memory ---- */

static size_t heap_in_use(void) {
    return mallinfo2().uordblks;
}

static void measure_pcbs(struct lwip_ref_memory *m, int count) {
    struct udp_pcb **pcbs = calloc((size_t)count, sizeof(*pcbs));
    int n = 0;

    if (!pcbs)
        return;
    LOCK_TCPIP_CORE();
    size_t h0 = heap_in_use();
    for (; n < count; n++) {
        if (!(pcbs[n] = udp_new_ip_type(IPADDR_TYPE_V6)))
            break;
        if (udp_bind(pcbs[n], IP6_ADDR_ANY, (u16_t)(LWIP_REF_PORT + 1 + n)) != ERR_OK) {
            udp_remove(pcbs[n]);
            break;
        }
    }
    size_t h1 = heap_in_use();
    for (int i = 0; i < n; i++)
        udp_remove(pcbs[i]);
    UNLOCK_TCPIP_CORE();
    free(pcbs);
    m->pcbs = n;
    m->pcb_bytes = n ? (double)(h1 - h0) / n : 0;
}

/* lwIP's sockets go through its netconn layer, which takes the core lock
 * itself: called without it. The build allows NUM_SOCKETS of them. */
static void measure_sockets(struct lwip_ref_memory *m, int count) {
    int *fds = calloc((size_t)count, sizeof(*fds));
    int n = 0;

    if (!fds)
        return;
    size_t h0 = heap_in_use();
    for (; n < count; n++)
        if ((fds[n] = lwip_socket(AF_INET6, SOCK_DGRAM, 0)) < 0)
            break;
    size_t h1 = heap_in_use();
    for (int i = 0; i < n; i++)
        lwip_close(fds[i]);
    free(fds);
    m->sockets = n;
    m->socket_bytes = n ? (double)(h1 - h0) / n : 0;
}

static ip6_addr_t group_addr(int g) {
    ip6_addr_t a;
    IP6_ADDR(&a, PP_HTONL(0xff1e0000UL), 0, 0, lwip_htonl((u32_t)g));
    ip6_addr_clear_zone(&a);
    return a;
}

static void measure_groups(struct lwip_ref_memory *m, int count) {
    int n = 0;

    LOCK_TCPIP_CORE();
    size_t h0 = heap_in_use();
    for (; n < count; n++) {
        ip6_addr_t g = group_addr(n);
        if (mld6_joingroup_netif(&loop_if, &g) != ERR_OK)
            break;
    }
    size_t h1 = heap_in_use();
    for (int i = 0; i < n; i++) {
        ip6_addr_t g = group_addr(i);
        mld6_leavegroup_netif(&loop_if, &g);
    }
    UNLOCK_TCPIP_CORE();
    m->groups = n;
    m->group_bytes = n ? (double)(h1 - h0) / n : 0;
}

/* The first fragment (offset 0, more to come) of datagram id: a 1280-byte
 * packet to ::1, 1232 bytes of UDP data. */
static struct pbuf *first_fragment(u32_t id) {
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 1280, PBUF_RAM);
    u8_t *b;

    if (!p)
        return NULL;
    b = p->payload;
    memset(b, 0, 1280);
    b[0] = 0x60;
    b[4] = (1280 - 40) >> 8;
    b[5] = (1280 - 40) & 0xff;
    b[6] = 44; /* Fragment header */
    b[7] = 64;
    b[8] = 0x20; /* source 2001:db8::2 */
    b[9] = 0x01;
    b[10] = 0x0d;
    b[11] = 0xb8;
    b[23] = 2;
    b[39] = 1; /* destination ::1 */
    b[40] = 17;
    b[43] = 1; /* offset 0, M = 1 */
    b[44] = (u8_t)(id >> 24);
    b[45] = (u8_t)(id >> 16);
    b[46] = (u8_t)(id >> 8);
    b[47] = (u8_t)id;
    return p;
}

/* lwIP bounds the fragments it holds by IP_REASS_MAX_PBUFS (10 in this
 * build), beyond which it drops the oldest datagram: measured below it. */
static void measure_reass(struct lwip_ref_memory *m, int count) {
    int n = 0;

    if (count > IP_REASS_MAX_PBUFS - 1)
        count = IP_REASS_MAX_PBUFS - 1;
    LOCK_TCPIP_CORE();
    size_t h0 = heap_in_use();
    for (; n < count; n++) {
        struct pbuf *p = first_fragment((u32_t)n + 1);
        if (!p)
            break;
        /* The netif's input function consumes p, whatever it returns. */
        if (loop_if.input(p, &loop_if) != ERR_OK)
            break;
    }
    size_t h1 = heap_in_use();
    UNLOCK_TCPIP_CORE();
    /* The datagrams stay until lwIP's reassembly timer drops them. */
    m->reass = n;
    m->reass_bytes = n ? (double)(h1 - h0) / n : 0;
}

int lwip_ref_memory(struct lwip_ref_memory *m, int count) {
    memset(m, 0, sizeof(*m));
    if (lwip_ref_init() < 0)
        return -1;
    measure_pcbs(m, count);
    measure_sockets(m, count);
    measure_groups(m, count);
    measure_reass(m, count);
    return 0;
}

/* ---- TCP ---- */

#define LWIP_REF_TCP_PORT 20001

/* One end of a connection: what it received. */
struct tcp_end {
    struct tcp_pcb *pcb;
    size_t rx;
};

static struct tcp_end *accepted; /* ends the listener accepted, in order */
static int naccepted, accepted_cap;

static err_t on_tcp_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    struct tcp_end *e = arg;
    (void)err;
    if (!p)
        return ERR_OK; /* the peer's FIN */
    e->rx += p->tot_len;
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t on_tcp_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
    struct tcp_end *e;
    (void)arg;
    if (err != ERR_OK || !pcb || naccepted == accepted_cap)
        return ERR_VAL;
    e = &accepted[naccepted++];
    e->pcb = pcb;
    e->rx = 0;
    tcp_arg(pcb, e);
    tcp_recv(pcb, on_tcp_recv);
    tcp_nagle_disable(pcb);
    return ERR_OK;
}

static err_t on_tcp_connected(void *arg, struct tcp_pcb *pcb, err_t err) {
    (void)arg;
    (void)pcb;
    return err;
}

/* Delivers what the netif looped, until nothing more comes. */
static void tcp_settle(void) {
    while (loop_if.loop_first)
        netif_poll(&loop_if);
}

/* A listener on ::1 with room for cap accepted ends. Core lock held. */
static struct tcp_pcb *tcp_listener(int cap) {
    ip_addr_t one = IPADDR6_INIT_HOST(0, 0, 0, 1);
    struct tcp_pcb *l = tcp_new_ip_type(IPADDR_TYPE_V6);

    free(accepted);
    naccepted = 0;
    accepted_cap = cap;
    accepted = calloc((size_t)cap, sizeof(*accepted));
    if (!l || !accepted || tcp_bind(l, &one, LWIP_REF_TCP_PORT) != ERR_OK) {
        if (l)
            tcp_close(l);
        return NULL;
    }
    if (!(l = tcp_listen_with_backlog(l, 255)))
        return NULL;
    tcp_accept(l, on_tcp_accept);
    return l;
}

/* Connects client end c to the listener; 0 once both ends are established
 * (the listener's accepted one is the last in accepted[]). */
static int tcp_connect_end(struct tcp_end *c) {
    ip_addr_t one = IPADDR6_INIT_HOST(0, 0, 0, 1);
    int before = naccepted;

    if (!(c->pcb = tcp_new_ip_type(IPADDR_TYPE_V6)))
        return -1;
    c->rx = 0;
    tcp_arg(c->pcb, c);
    tcp_recv(c->pcb, on_tcp_recv);
    tcp_nagle_disable(c->pcb);
    if (tcp_connect(c->pcb, &one, LWIP_REF_TCP_PORT, on_tcp_connected) != ERR_OK)
        return -1;
    tcp_settle();
    return naccepted == before + 1 && c->pcb->state == ESTABLISHED ? 0 : -1;
}

/* Sends n bytes from c to its peer end p (copied, as a socket would) and
 * delivers them. 0, or -1 when they did not all arrive. */
static int tcp_exchange(struct tcp_end *c, struct tcp_end *p, size_t n) {
    size_t want = p->rx + n;
    if (tcp_write(c->pcb, payload, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK ||
        tcp_output(c->pcb) != ERR_OK)
        return -1;
    tcp_settle();
    return p->rx == want ? 0 : -1;
}

/* Aborts the n client ends in cs and every accepted end, closes the
 * listener l (when there is one). Core lock held. */
static void tcp_teardown(struct tcp_end *cs, int n, struct tcp_pcb *l) {
    for (int i = 0; i < n; i++)
        tcp_abort(cs[i].pcb);
    for (int i = 0; i < naccepted; i++)
        tcp_abort(accepted[i].pcb);
    naccepted = 0;
    if (l)
        tcp_close(l);
}

double lwip_ref_tcp_bulk(size_t total, size_t write_size) {
    struct tcp_pcb *l;
    struct tcp_end c = {0};
    size_t written = 0;
    double t = 0;
    int ok = 0;

    if (lwip_ref_init() < 0 || write_size > sizeof(payload))
        return -1;
    memset(payload, 0x3c, write_size);
    LOCK_TCPIP_CORE();
    if ((l = tcp_listener(1)) && tcp_connect_end(&c) == 0) {
        struct tcp_end *s = &accepted[0];
        double t0 = now_s();
        int stalls = 0;
        while (s->rx < total && stalls < 1000) {
            size_t n = total - written, room = tcp_sndbuf(c.pcb);
            if (n > write_size)
                n = write_size;
            if (n > room)
                n = room;
            if (n > 0 && tcp_write(c.pcb, payload, (u16_t)n, TCP_WRITE_FLAG_COPY) == ERR_OK) {
                written += n;
                tcp_output(c.pcb);
                stalls = 0;
            } else {
                tcp_fasttmr(); /* a delayed ACK the sender waits for */
                stalls++;
            }
            tcp_settle();
        }
        t = now_s() - t0;
        ok = s->rx == total;
        tcp_abort(s->pcb);
    }
    if (c.pcb)
        tcp_abort(c.pcb);
    if (l)
        tcp_close(l);
    UNLOCK_TCPIP_CORE();
    return ok ? (double)total / t : -1;
}

double lwip_ref_tcp_rr(size_t size, long iters, int nconns) {
    struct tcp_pcb *l;
    struct tcp_end *cs = calloc((size_t)nconns, sizeof(*cs));
    double t = 0;
    int ok = 0, n = 0;

    if (!cs || lwip_ref_init() < 0 || size > 65535) {
        free(cs);
        return -1;
    }
    memset(payload, 0x7e, size);
    LOCK_TCPIP_CORE();
    if ((l = tcp_listener(nconns))) {
        while (n < nconns && tcp_connect_end(&cs[n]) == 0)
            n++;
        tcp_fasttmr();
        tcp_settle();
    }
    if (l && n == nconns) {
        long i;
        int k = 0;
        double t0 = now_s();
        for (i = 0; i < iters; i++) {
            if (tcp_exchange(&cs[k], &accepted[k], size) < 0 ||
                tcp_exchange(&accepted[k], &cs[k], size) < 0)
                break;
        }
        t = now_s() - t0;
        ok = i == iters;
    }
    tcp_teardown(cs, n, l);
    UNLOCK_TCPIP_CORE();
    free(cs);
    return ok ? (double)iters / t : -1;
}

double lwip_ref_tcp_cps(long iters) {
    struct tcp_pcb *l;
    double t = 0;
    long i = 0;

    if (lwip_ref_init() < 0)
        return -1;
    LOCK_TCPIP_CORE();
    if ((l = tcp_listener((int)iters))) {
        double t0 = now_s();
        for (; i < iters; i++) {
            struct tcp_end c;
            if (tcp_connect_end(&c) < 0)
                break;
            /* The client closes first and ends in TIME_WAIT; the server
             * closes on the FIN it got, its last ACK ends it. c goes out
             * of scope: the PCB in TIME_WAIT must not point at it. */
            tcp_arg(c.pcb, NULL);
            tcp_close(c.pcb);
            tcp_settle();
            tcp_close(accepted[naccepted - 1].pcb);
            tcp_settle();
        }
        t = now_s() - t0;
        tcp_close(l);
    }
    naccepted = 0;
    UNLOCK_TCPIP_CORE();
    return i == iters ? (double)iters / t : -1;
}

double lwip_ref_tcp_conn_bytes(int count) {
    struct tcp_pcb *l;
    struct tcp_end *cs = calloc((size_t)count, sizeof(*cs));
    size_t h0 = 0, h1 = 0;
    int n = 0;

    if (!cs || lwip_ref_init() < 0) {
        free(cs);
        return -1;
    }
    LOCK_TCPIP_CORE();
    if ((l = tcp_listener(count))) {
        h0 = heap_in_use();
        while (n < count && tcp_connect_end(&cs[n]) == 0)
            n++;
        tcp_fasttmr(); /* no ACK left owed: idle */
        tcp_settle();
        h1 = heap_in_use();
    }
    tcp_teardown(cs, n, l);
    UNLOCK_TCPIP_CORE();
    free(cs);
    return n == count ? (double)(h1 - h0) / (2.0 * n) : -1;
}
