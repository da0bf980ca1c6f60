/* libFuzzer harness for TCP input: segments injected into a stack that
 * has a listener and an established connection, through the whole path
 * (checksum, demultiplexing, every step of RFC 9293 3.10.7, SYN cookies,
 * SACK, timestamps, the answers sent back and the peer's reaction).
 *
 * Every input starts from the same state (so every run is the same, and
 * an input that crashes does so alone too): B listens on port 80 and has
 * accepted a connection from A (2001:db8::1, a real sixstack peer on a
 * memwire pair). The stacks are made once and rewound after each input
 * (six__stack_rewind: clock, generator, counters, TCP's secrets and
 * tables back as they were), or made anew when an input left a timer
 * other than TCP's running. The input is a series of records:
 *
 *   ctl (1 byte) | len (1 byte) | len bytes of TCP segment (header first)
 *
 * ctl bit 0: the segment is for the established connection (A's port to
 *            80), else for the listener from port 40000 of A's address;
 *     bit 1: the sequence number is taken as an offset from B's rcv_nxt,
 *     bit 2: the acknowledgment number as an offset from B's snd_una
 *            (so the fuzzer reaches in-window cases at once);
 *     bit 3: the checksum is filled in (else left as the input has it);
 *     bits 4-5: the stack clock moves 0, 40 ms, 1 s or 60 s first;
 *     bit 6: B's socket sends 3000 bytes first;
 *     bit 7: B's socket reads what it has first.
 * At the end the sockets close and the clock runs ten minutes (every
 * timer fires); then no packet buffer may be out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "fuzz_stack.h"
#include "sock/sock.h"
#include "stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct world {
    struct six_stack *a, *b;   /* NULL: to be made */
    unsigned if_a, if_b;
    int l, c, s;
    uint64_t now;
    uint64_t next;             /* what the last pump returned */
};

/* Where every input's clock starts. */
#define START_US 1000000

/* Polls A and B until a round in which neither sent a packet and no
 * timer is due (at most 6 rounds; this bare link queues nothing for
 * neighbour discovery). Returns the next timer once quiet (UINT64_MAX:
 * none is set), 0 if the rounds ran out. */
static uint64_t pump(struct world *w) {
    return w->next = settle_stacks_by((struct six_stack *[]){w->a, w->b}, 2, w->now, 6,
                                      SETTLE_NOTHING_SENT);
}

/* Both stacks rewound to the start: 0, or -1 with errno. */
static int rewind_world(struct world *w) {
    int rc = six__stack_rewind(w->a, START_US);
    if (rc == 0)
        rc = six__stack_rewind(w->b, START_US);
    w->now = START_US;
    errno = -rc;
    return rc < 0 ? -1 : 0;
}

/* The stacks, their link and addresses, run until no timer is left (the
 * new addresses' multicast reports), then rewound. */
static void make_world(struct world *w) {
    struct six_stack_config cfg;
    uint64_t next;

    six_stack_config_init(&cfg);
    cfg.clock = SIX_CLOCK_MANUAL;
    cfg.seed = 7;
    cfg.dad_transmits = 0;
    cfg.autoconf = 0;
    cfg.tcp_max_half_open = 4;      /* cookies after four */
    /* A bare link has no neighbour discovery, and no fragment or Packet
     * Too Big reaches either stack: small tables. */
    cfg.nd_cache_max = 2;
    cfg.reass_max_datagrams = 2;
    cfg.pmtu_cache_max = 2;
    /* 16 frames a side, not 256 (384 KB): no input of the corpus fills
     * them (link_rx_ring_full stays 0). */
    struct six_memwire_config wc = {.queue_len = 16};
    stack_pair(&cfg, "mw0", &wc, &w->a, &w->b, &w->if_a, &w->if_b);
    add_addr(w->a, w->if_a, "2001:db8::1");
    add_addr(w->b, w->if_b, "2001:db8::2");
    w->now = 0;
    for (int i = 0; (next = pump(w)) != UINT64_MAX; i++) {
        if (i == 1000)
            die("the new stacks never went quiet");
        if (next > w->now)
            w->now = next;
    }
    if (rewind_world(w) < 0)
        die("rewinding new stacks");
}

static void free_world(struct world *w) {
    six_stack_free(w->a);
    six_stack_free(w->b);
    w->a = w->b = NULL;
}

/* B's listener has accepted A's connection. */
static void up(struct world *w) {
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
    int one = 1;

    if (!w->a)
        make_world(w);
    w->l = six_socket_on(w->b, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
    w->c = six_socket_on(w->a, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (w->l < 0 || w->c < 0 || six_bind(w->l, (struct sockaddr *)&sin6, sizeof(sin6)) < 0 ||
        six_listen(w->l, 4) < 0)
        die("listener");
    six_setsockopt(w->c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    inet_pton(AF_INET6, "2001:db8::2", &sin6.sin6_addr);
    if (six_connect(w->c, (struct sockaddr *)&sin6, sizeof(sin6)) < 0 && errno != EINPROGRESS)
        die("connect");
    pump(w);
    if ((w->s = six_accept4(w->l, NULL, NULL, SOCK_NONBLOCK)) < 0)
        die("accept");
}

static void down(struct world *w) {
    six_close(w->s);
    six_close(w->c);
    six_close(w->l);
    /* Ten minutes in 60 s steps. A step before which the stacks settled
     * with no timer due by its time would find nothing queued and nothing
     * due, so it is skipped; once no timer is set at all, none is left
     * (most inputs: after one or two steps). */
    uint64_t next = 0;
    for (int i = 0; i < 12 && next != UINT64_MAX; i++) {
        w->now += 60000000;
        if (next == 0 || next <= w->now)
            next = pump(w);
    }
    if (six_stack_pkts_in_use(w->a) || six_stack_pkts_in_use(w->b)) {
        fprintf(stderr, "packet buffers still out after the input\n");
        abort();
    }
    /* TCP_FUZZ_STATS=1 prints both stacks' counters after each input (to
     * see what one did, or that a change of the harness changed nothing);
     * TCP_FUZZ_FRESH=1 makes new stacks for every input (the rewound ones
     * must give the same counters). */
    if (getenv("TCP_FUZZ_STATS")) {
        six_stats_print(w->a, stderr);
        six_stats_print(w->b, stderr);
    }
    /* Rewound for the next input (connections still retrying after ten
     * minutes are dropped with TCP's state). If another timer is left, or
     * the last pump ran out of rounds (frames may wait on the link), made
     * anew, now: an input that allocates more than it frees is run again
     * by libFuzzer (then under LeakSanitizer), so each input frees what
     * it made. */
    if (getenv("TCP_FUZZ_FRESH") || next == 0 || rewind_world(w) < 0) {
        free_world(w);
        make_world(w);
    }
}

/* B's connection's sequence state (the harness may look inside). */
static void seqs(struct world *w, uint32_t *rcv_nxt, uint32_t *snd_una, uint16_t *cport) {
    struct six_sock *s = six__sock_acquire(w->s);
    *rcv_nxt = *snd_una = 0;
    *cport = 0;
    if (!s)
        return;
    if (s->tcb) {
        *rcv_nxt = s->tcb->rcv_nxt;
        *snd_una = s->tcb->snd_una;
        *cport = s->tcb->fport;
    }
    six__sock_release(s);
}

static uint16_t cksum(const uint8_t *src, const uint8_t *dst, const uint8_t *seg, size_t len) {
    uint32_t sum = 0;
    for (int i = 0; i < 16; i += 2)
        sum += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
    sum += (uint32_t)len + IPPROTO_TCP;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(seg[i] << 8 | seg[i + 1]);
    if (len & 1)
        sum += (uint32_t)seg[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* What every injected segment's IPv6 header holds but its length: TCP
 * from A's address to B's. */
static const uint8_t ip6_header[40] = {
    0x60, [6] = IPPROTO_TCP, [7] = 64, [8] = 0x20, 0x01, 0x0d, 0xb8, [23] = 1,
    [24] = 0x20, 0x01, 0x0d, 0xb8, [39] = 2};

static void one_record(struct world *w, uint8_t ctl, const uint8_t *seg, size_t len) {
    static const uint64_t steps[4] = {0, 40000, 1000000, 60000000};
    static uint8_t frame[40 + 256];
    static uint8_t out[3000], in[4096];
    uint32_t rcv_nxt, snd_una;
    uint16_t cport;
    uint8_t *t = frame + 40;
    uint64_t step = steps[(ctl >> 4) & 3];

    w->now += step;
    if (ctl & 0x40) {
        if (!out[0])
            memset(out, 'd', sizeof(out));
        six_send(w->s, out, sizeof(out), MSG_NOSIGNAL);
    }
    if (ctl & 0x80)
        while (six_recv(w->s, in, sizeof(in), 0) > 0) {
        }
    /* No time passed, no call on the socket, no timer due: the stacks are
     * as quiet as the last pump left them (most records). */
    if (step || (ctl & 0xc0) || w->next == 0 || w->next <= w->now)
        pump(w);
    seqs(w, &rcv_nxt, &snd_una, &cport);
    memcpy(frame, ip6_header, sizeof(ip6_header));
    frame[5] = (uint8_t)len;
    memcpy(t, seg, len);
    if (len >= 4) {
        uint16_t sport = (ctl & 1) ? cport : 40000;
        t[0] = (uint8_t)(sport >> 8);
        t[1] = (uint8_t)sport;
        t[2] = 0;
        t[3] = 80;
    }
    if (len >= 8 && (ctl & 2))
        put32(t + 4, get32(t + 4) + rcv_nxt);
    if (len >= 12 && (ctl & 4))
        put32(t + 8, get32(t + 8) + snd_una);
    if (len >= 18 && (ctl & 8)) {
        t[16] = t[17] = 0;
        uint16_t c = cksum(frame + 8, frame + 24, t, len);
        t[16] = (uint8_t)(c >> 8);
        t[17] = (uint8_t)c;
    }
    six_if_inject(w->b, w->if_b, frame, 40 + len);
    pump(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct world w;

    up(&w);
    while (size >= 2) {
        uint8_t ctl = data[0], len = data[1];
        data += 2;
        size -= 2;
        if (len > size)
            len = (uint8_t)size;
        one_record(&w, ctl, data, len);
        data += len;
        size -= len;
    }
    down(&w);
    return 0;
}
