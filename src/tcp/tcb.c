/* TCBs: the connection and port tables, opening and closing.
 *
 * Demultiplexing: connections sit in a hash table keyed by a SipHash of
 * the 4-tuple under a per-stack secret, so a remote host cannot pile
 * connections into one bucket, and finding a segment's connection costs
 * the same with one connection or ten thousand. Every TCB that holds a
 * local port (bound, listening, or given one by connect()) also sits in a
 * table by port: bind conflicts, ephemeral ports and listener lookup use
 * it. A listener's children share its port and are only in the first.
 *
 * ISNs: RFC 6528, M + F(4-tuple, secret), M a 4 microsecond clock.
 *
 * The tables and the secrets are made on first use (the stack's first
 * stream socket or TCB), not with the stack: a board that never speaks TCP
 * keeps their RAM. Until then every lookup finds nothing, so a segment
 * gets the RST a closed port gives, with nothing allocated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp.h"
#include "wire/ipv6.h"

#define CONNS_MIN 64
#define BINDS_MIN 64
#define RESERVED_PORTS 1024

const char *six__tcp_state_name(int state) {
    static const char *const names[] = {
        "CLOSED",     "LISTEN",     "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",  "LAST-ACK",     "TIME-WAIT",
    };
    return state >= 0 && state <= SIX_TCP_TIME_WAIT ? names[state] : "?";
}

int six__tcp_init(struct six_tcp *tcp, struct six_core *core, struct six_ip6 *ip6) {
    memset(tcp, 0, sizeof(*tcp));
    tcp->core = core;
    tcp->ip6 = ip6;
    tcp->half_open_max = 1024;
    tcp->mem_max = (size_t)256 << 20;
    tcp->time_wait_max = 65536;
    tcp->port_first = 10000;
    tcp->port_last = 65535;
    ip6->upper[IPPROTO_TCP] = six__tcp_input;
    ip6->upper_ctx[IPPROTO_TCP] = tcp;
    return 0;
}

int six__tcp_tables(struct six_tcp *tcp) {
    struct six_tcb **conns, **binds;
    struct six_tcp_keys *keys;

    if (tcp->conns)
        return 0;
    conns = calloc(CONNS_MIN, sizeof(*conns));
    binds = calloc(BINDS_MIN, sizeof(*binds));
    keys = malloc(sizeof(*keys));
    if (!conns || !binds || !keys) {
        free(conns);
        free(binds);
        free(keys);
        return -ENOBUFS;
    }
    six__rand_key(tcp->core, &keys->hash, sizeof(keys->hash));
    six__rand_key(tcp->core, &keys->isn, sizeof(keys->isn));
    six__rand_key(tcp->core, &keys->cookie, sizeof(keys->cookie));
    tcp->keys = keys;
    tcp->conns = conns;
    tcp->binds = binds;
    tcp->conns_mask = CONNS_MIN - 1;
    tcp->binds_mask = BINDS_MIN - 1;
    return 0;
}

static void free_chain(struct six_tcb *t) {
    while (t) {
        struct six_tcb *next = t->next_conn;
        t->owner = NULL;
        six__tcp_free(t);
        t = next;
    }
}

/* Empties the lookup's memory of recent connections (conns changed). */
static void recent_forget(struct six_tcp *tcp) {
    memset(tcp->recent, 0, sizeof(tcp->recent));
}

void six__tcp_fini(struct six_tcp *tcp) {
    if (!tcp->conns)
        return;
    recent_forget(tcp);
    /* Listeners and bound TCBs are gone with their sockets; what is left
     * are connections living on alone. */
    for (unsigned i = 0; i <= tcp->conns_mask; i++) {
        struct six_tcb *chain = tcp->conns[i];
        tcp->conns[i] = NULL;
        for (struct six_tcb *t = chain; t; t = t->next_conn)
            t->in_conns = 0;
        free_chain(chain);
    }
    free(tcp->conns);
    free(tcp->binds);
    free(tcp->keys);
    tcp->conns = tcp->binds = NULL;
    tcp->keys = NULL;
}

/* ---- the 4-tuple table ---- */

static uint32_t tuple_hash(const struct six_tcp *tcp, const struct in6_addr *laddr,
                           const struct in6_addr *faddr, uint16_t lport, uint16_t fport) {
    uint8_t k[36];
    memcpy(k, laddr, 16);
    memcpy(k + 16, faddr, 16);
    memcpy(k + 32, &lport, 2);
    memcpy(k + 34, &fport, 2);
    return (uint32_t)six__siphash(&tcp->keys->hash, k, sizeof(k));
}

static struct six_tcb **conn_bucket(struct six_tcp *tcp, const struct six_tcb *t) {
    return &tcp->conns[tuple_hash(tcp, &t->laddr, &t->faddr, t->lport, t->fport) &
                       tcp->conns_mask];
}

/* Doubles the table when it holds more connections than buckets; on
 * failure chains grow longer. */
static void conns_grow(struct six_tcp *tcp) {
    unsigned n = (tcp->conns_mask + 1) * 2;
    struct six_tcb **old = tcp->conns, **t;
    unsigned old_n = tcp->conns_mask + 1;

    if (tcp->nconns <= old_n || !(t = calloc(n, sizeof(*t))))
        return;
    tcp->conns = t;
    tcp->conns_mask = n - 1;
    for (unsigned i = 0; i < old_n; i++) {
        struct six_tcb *c = old[i], *next;
        for (; c; c = next) {
            struct six_tcb **b = conn_bucket(tcp, c);
            next = c->next_conn;
            c->next_conn = *b;
            *b = c;
        }
    }
    free(old);
}

int six__tcp_conns_insert(struct six_tcb *t) {
    struct six_tcp *tcp = t->tcp;
    struct six_tcb **b = conn_bucket(tcp, t);

    recent_forget(tcp);
    t->next_conn = *b;
    *b = t;
    t->in_conns = 1;
    tcp->nconns++;
    conns_grow(tcp);
    return 0;
}

static void conns_remove(struct six_tcb *t) {
    struct six_tcb **pp;

    if (!t->in_conns)
        return;
    recent_forget(t->tcp);
    for (pp = conn_bucket(t->tcp, t); *pp; pp = &(*pp)->next_conn) {
        if (*pp == t) {
            *pp = t->next_conn;
            break;
        }
    }
    t->in_conns = 0;
    t->tcp->nconns--;
}

/* Whether t is the connection of a segment from src/sport to dst/dport. */
static int is_tuple(const struct six_tcb *t, const struct in6_addr *src,
                    const struct in6_addr *dst, uint16_t sport, uint16_t dport) {
    return t->lport == dport && t->fport == sport && IN6_ARE_ADDR_EQUAL(&t->faddr, src) &&
           IN6_ARE_ADDR_EQUAL(&t->laddr, dst);
}

struct six_tcb *six__tcp_lookup(struct six_tcp *tcp, const struct in6_addr *src,
                                const struct in6_addr *dst, uint16_t sport, uint16_t dport) {
    struct six_tcb *t;

    if (!tcp->conns)
        return NULL;    /* TCP never used: no connection */
    for (unsigned i = 0; i < SIX_TCP_RECENT; i++)
        if ((t = tcp->recent[i]) && is_tuple(t, src, dst, sport, dport))
            return t;
    t = tcp->conns[tuple_hash(tcp, dst, src, dport, sport) & tcp->conns_mask];
    for (; t; t = t->next_conn) {
        if (is_tuple(t, src, dst, sport, dport)) {
            tcp->recent[tcp->recent_next++ % SIX_TCP_RECENT] = t;
            return t;
        }
    }
    return NULL;
}

/* ---- the port table ---- */

static struct six_tcb **bind_bucket(struct six_tcp *tcp, uint16_t port) {
    return &tcp->binds[port & tcp->binds_mask];
}

static void binds_grow(struct six_tcp *tcp) {
    unsigned n = (tcp->binds_mask + 1) * 2, old_n = tcp->binds_mask + 1;
    struct six_tcb **old = tcp->binds, **t;

    if (tcp->nbinds <= old_n || !(t = calloc(n, sizeof(*t))))
        return;
    tcp->binds = t;
    tcp->binds_mask = n - 1;
    for (unsigned i = 0; i < old_n; i++) {
        struct six_tcb *c = old[i], *next;
        for (; c; c = next) {
            struct six_tcb **b = bind_bucket(tcp, c->lport);
            next = c->next_bind;
            c->next_bind = *b;
            *b = c;
        }
    }
    free(old);
}

static void binds_insert(struct six_tcb *t) {
    struct six_tcb **b = bind_bucket(t->tcp, t->lport);
    t->next_bind = *b;
    *b = t;
    t->in_binds = 1;
    t->tcp->nbinds++;
    binds_grow(t->tcp);
}

static void binds_remove(struct six_tcb *t) {
    struct six_tcb **pp;

    if (!t->in_binds)
        return;
    for (pp = bind_bucket(t->tcp, t->lport); *pp; pp = &(*pp)->next_bind) {
        if (*pp == t) {
            *pp = t->next_bind;
            break;
        }
    }
    t->in_binds = 0;
    t->tcp->nbinds--;
}

struct six_tcb *six__tcp_lookup_listener(struct six_tcp *tcp, const struct in6_addr *dst,
                                         uint16_t dport, unsigned ifindex) {
    struct six_tcb *wild = NULL;

    if (!tcp->binds)
        return NULL;
    for (struct six_tcb *t = *bind_bucket(tcp, dport); t; t = t->next_bind) {
        if (t->lport != dport || t->state != SIX_TCP_LISTEN)
            continue;
        if (t->scope && six_addr_scope(dst) <= 2 && t->scope != ifindex &&
            !six_addr_is_loopback(dst))
            continue;
        if (IN6_ARE_ADDR_EQUAL(&t->laddr, dst))
            return t;
        if (six_addr_is_unspecified(&t->laddr))
            wild = t;
    }
    return wild;
}

/* Whether t may take port at addr (BSD rules, as Linux applies them to
 * TCP): an overlapping address conflicts unless both set SO_REUSEPORT,
 * or the newcomer set SO_REUSEADDR and the holder is in TIME_WAIT or set
 * it too and is not listening. */
static int port_conflict(const struct six_tcb *t, const struct in6_addr *addr, uint16_t port) {
    for (const struct six_tcb *o = *bind_bucket(t->tcp, port); o; o = o->next_bind) {
        if (o == t || o->lport != port)
            continue;
        if (!IN6_ARE_ADDR_EQUAL(&o->laddr, addr) && !six_addr_is_unspecified(addr) &&
            !six_addr_is_unspecified(&o->laddr))
            continue;
        if (t->reuseport && o->reuseport)
            continue;
        if (t->reuseaddr &&
            (o->state == SIX_TCP_TIME_WAIT || (o->reuseaddr && o->state != SIX_TCP_LISTEN)))
            continue;
        return 1;
    }
    return 0;
}

static int port_used(struct six_tcp *tcp, uint16_t port) {
    for (const struct six_tcb *o = *bind_bucket(tcp, port); o; o = o->next_bind)
        if (o->lport == port)
            return 1;
    return 0;
}

/* A free ephemeral port at random, probing upwards (RFC 6056 3.3.1). */
static int ephemeral_port(struct six_tcp *tcp) {
    uint32_t n = (uint32_t)tcp->port_last - tcp->port_first + 1;
    uint32_t at = six__rand_below(tcp->core, n);

    for (uint32_t i = 0; i < n; i++) {
        uint16_t port = (uint16_t)(tcp->port_first + (at + i) % n);
        if (!port_used(tcp, port))
            return port;
    }
    return -EADDRNOTAVAIL;
}

int six__tcp_bind(struct six_tcb *t, const struct in6_addr *addr, uint16_t port, unsigned scope,
                  int privileged) {
    int rc;

    if (t->in_binds || t->state != SIX_TCP_CLOSED)
        return -EINVAL;
    if (port && port < RESERVED_PORTS && !privileged)
        return -EACCES;
    if (port && port_conflict(t, addr, port))
        return -EADDRINUSE;
    if (!port) {
        if ((rc = ephemeral_port(t->tcp)) < 0)
            return rc;
        port = (uint16_t)rc;
    }
    t->laddr = *addr;
    t->lport = port;
    t->scope = six_addr_scope(addr) <= 2 ? scope : 0;
    binds_insert(t);
    return 0;
}

int six__tcp_listen(struct six_tcb *t, int backlog) {
    int rc;

    if (t->state == SIX_TCP_LISTEN) {
        t->backlog = (uint16_t)(backlog < 1 ? 1 : backlog > 65535 ? 65535 : backlog);
        return 0;
    }
    if (t->state != SIX_TCP_CLOSED)
        return -EINVAL;
    if (!t->in_binds) {
        static const struct in6_addr any = IN6ADDR_ANY_INIT;
        if ((rc = six__tcp_bind(t, &any, 0, 0, 1)) < 0)
            return rc;
    }
    /* Another listener on the same address and port (SO_REUSEADDR let the
     * binds share it) cannot listen too. */
    for (const struct six_tcb *o = *bind_bucket(t->tcp, t->lport); o; o = o->next_bind)
        if (o != t && o->lport == t->lport && o->state == SIX_TCP_LISTEN && !(t->reuseport && o->reuseport) &&
            (IN6_ARE_ADDR_EQUAL(&o->laddr, &t->laddr) || six_addr_is_unspecified(&o->laddr) ||
             six_addr_is_unspecified(&t->laddr)))
            return -EADDRINUSE;
    t->backlog = (uint16_t)(backlog < 1 ? 1 : backlog > 65535 ? 65535 : backlog);
    t->state = SIX_TCP_LISTEN;
    return 0;
}

uint32_t six__tcp_isn(struct six_tcp *tcp, const struct six_tcb *t) {
    uint8_t k[36];
    memcpy(k, &t->laddr, 16);
    memcpy(k + 16, &t->faddr, 16);
    memcpy(k + 32, &t->lport, 2);
    memcpy(k + 34, &t->fport, 2);
    return (uint32_t)(six__now(tcp->core) / 4) + (uint32_t)six__siphash(&tcp->keys->isn, k, sizeof(k));
}

struct six_tcb *six__tcp_new(struct six_tcp *tcp, void *owner) {
    struct six_tcb *t;

    if (six__tcp_tables(tcp) < 0 || !(t = calloc(1, sizeof(*t))))
        return NULL;
    t->tcp = tcp;
    t->owner = owner;
    t->state = SIX_TCP_CLOSED;
    t->rto_us = SIX_TCP_RTO_INIT;
    t->mss = SIX_TCP_DEFAULT_MSS;
    t->peer_mss = SIX_TCP_DEFAULT_MSS;
    t->ssthresh = UINT32_MAX;
    /* RFC 7323 5.4: timestamps start at a random offset per connection. */
    t->ts_off = (uint32_t)six__rand64(tcp->core);
    /* Linux's keepalive defaults: 2 hours idle, 75 s apart, 9 probes. */
    t->keep_idle_s = 7200;
    t->keep_intvl_s = 75;
    t->keep_cnt = 9;
    t->cc = &six__tcp_cubic;    /* Linux's default */
    t->cc->init(t);
    for (int k = 0; k < SIX_TCPT_N; k++)
        t->when[k] = SIX_NEVER;
    six__timer_init(&t->timer, six__tcp_timer, t);
    tcp->ntcbs++;
    return t;
}

int six__tcp_connect(struct six_tcb *t, const struct in6_addr *faddr, uint16_t fport,
                     unsigned scope) {
    struct six_tcp *tcp = t->tcp;
    int rc;

    if (t->state == SIX_TCP_LISTEN)
        return -EINVAL;
    if (t->state != SIX_TCP_CLOSED)
        return t->state == SIX_TCP_SYN_SENT ? -EALREADY : -EISCONN;
    if (!t->in_binds) {
        /* laddr was set by the caller (the route's source). An ephemeral
         * port whose 4-tuple is still in use (TIME-WAIT) is passed over
         * for another, as Linux checks the 4-tuple per candidate. */
        struct in6_addr la = t->laddr;
        for (int tries = 0;; tries++) {
            if ((rc = six__tcp_bind(t, &la, 0, scope, 1)) < 0)
                return rc;
            if (!six__tcp_lookup(tcp, faddr, &t->laddr, fport, t->lport))
                break;
            binds_remove(t);
            if (tries == 64)
                return -EADDRNOTAVAIL;
        }
    }
    t->faddr = *faddr;
    t->fport = fport;
    if (scope && six_addr_scope(faddr) <= 2)
        t->scope = scope;
    if (six__tcp_lookup(tcp, faddr, &t->laddr, fport, t->lport))
        return -EADDRINUSE;
    t->rcv_wscale = six__tcp_wscale_for(t->rcvbuf);
    t->iss = six__tcp_isn(tcp, t);
    t->snd_una = t->snd_nxt = t->snd_max = t->iss;
    t->mss = six__tcp_route_mss(t);
    six__tcp_conns_insert(t);
    t->state = SIX_TCP_SYN_SENT;
    rc = six__tcp_send_seg(t, t->iss, 0, SIX_TCP_SYN);
    t->snd_nxt = t->snd_max = t->iss + 1;
    six__tcp_set_timer(t, SIX_TCPT_RTX, six__now(tcp->core) + t->rto_us);
    (void)rc;
    return 0;
}

struct six_tcb *six__tcp_accept(struct six_tcb *l) {
    struct six_tcb *c = l->acc_head;

    if (!c)
        return NULL;
    l->acc_head = c->acc_next;
    if (!l->acc_head)
        l->acc_tail = NULL;
    l->acc_count--;
    c->acc_next = NULL;
    c->parent = NULL;
    return c;
}

void six__tcp_notify_owner(struct six_tcb *t) {
    if (t->owner && t->tcp->up.notify)
        t->tcp->up.notify(t->owner);
}

/* Frees a TCB that is in no table and has no owner. */
void six__tcp_free(struct six_tcb *t) {
    struct six_tcp *tcp = t->tcp;

    conns_remove(t);
    binds_remove(t);
    six__timer_cancel(tcp->core, &t->timer);
    six__ring_free(t->tcp, &t->snd);
    six__ring_free(t->tcp, &t->rcv);
    six__tcp_rcvq_purge(t);
    if (t->state == SIX_TCP_TIME_WAIT)
        tcp->time_wait--;
    tcp->ntcbs--;
    free(t->kept_out);
    free(t);
}

/* Copies header h (len bytes, or none) to *at and moves *at past it. */
static const uint8_t *keep_hdr(uint8_t **at, const uint8_t *h, size_t len) {
    uint8_t *p = *at;

    if (!h)
        return NULL;
    memcpy(p, h, len);
    *at += len;
    return p;
}

int six__tcp_keep_out(struct six_tcb *t, const struct six_ip6_out *o) {
    size_t n = o->hbh_len + o->dst1_len + o->rth_len + o->dst2_len;
    struct six_ip6_out *k = malloc(sizeof(*k) + n);
    uint8_t *at;

    if (!k)
        return -ENOBUFS;
    *k = *o;
    at = (uint8_t *)(k + 1);
    k->hbh = keep_hdr(&at, o->hbh, o->hbh_len);
    k->dst1 = keep_hdr(&at, o->dst1, o->dst1_len);
    k->rth = keep_hdr(&at, o->rth, o->rth_len);
    k->dst2 = keep_hdr(&at, o->dst2, o->dst2_len);
    free(t->kept_out);
    t->kept_out = k;
    return 0;
}

int six__tcp_route_kept(struct six_tcb *t, struct six_ip6_out *o, struct six_if **ifp) {
    *o = *t->kept_out;
    return six__ip6_route_out(t->tcp->ip6, o, ifp);
}

/* Unlinks a child from its listener (accept queue or half-open count). */
static void unlink_child(struct six_tcb *c) {
    struct six_tcb *l = c->parent, **pp;

    if (!l)
        return;
    if (c->state == SIX_TCP_SYN_RECEIVED) {
        l->syn_count--;
        c->tcp->half_open--;
    } else {
        for (pp = &l->acc_head; *pp; pp = &(*pp)->acc_next) {
            if (*pp == c) {
                *pp = c->acc_next;
                if (l->acc_tail == c) {
                    l->acc_tail = NULL;
                    for (struct six_tcb *x = l->acc_head; x; x = x->acc_next)
                        l->acc_tail = x;
                }
                l->acc_count--;
                break;
            }
        }
    }
    c->parent = NULL;
}

void six__tcp_drop(struct six_tcb *t, int err) {
    unlink_child(t);
    conns_remove(t);
    six__timer_cancel(t->tcp->core, &t->timer);
    for (int k = 0; k < SIX_TCPT_N; k++)
        t->when[k] = SIX_NEVER;
    if (t->state == SIX_TCP_TIME_WAIT)
        t->tcp->time_wait--;
    t->state = SIX_TCP_CLOSED;
    if (!t->owner) {
        six__tcp_free(t);
        return;
    }
    /* The socket keeps its TCB (and its port, as BSD does) until close. */
    if (err)
        t->so_error = (int16_t)err;
    six__ring_free(t->tcp, &t->snd);
    six__tcp_notify_owner(t);
}

void six__tcp_set_state(struct six_tcb *t, int state) {
    if (t->state == SIX_TCP_TIME_WAIT)
        t->tcp->time_wait--;
    t->state = (uint8_t)state;
    if (state == SIX_TCP_TIME_WAIT) {
        struct six_tcp *tcp = t->tcp;
        uint64_t wait = 2 * SIX_TCP_MSL_US;
        if (tcp->time_wait >= tcp->time_wait_max) {
            /* The table is full: forgotten as soon as this segment is
             * done (Linux does the same past tcp_max_tw_buckets). */
            SIX_STAT(tcp->core, tcp_time_wait_skipped);
            wait = 0;
        }
        tcp->time_wait++;
        six__ring_free(t->tcp, &t->snd);
        t->when[SIX_TCPT_RTX] = t->when[SIX_TCPT_DELACK] = SIX_NEVER;
        six__tcp_set_timer(t, SIX_TCPT_LONG, six__now(tcp->core) + wait);
    }
    six__tcp_notify_owner(t);
}

/* Resets the connection (RFC 9293 3.10.4 ABORT). */
static void abort_conn(struct six_tcb *t) {
    if (t->state >= SIX_TCP_SYN_RECEIVED && t->state != SIX_TCP_TIME_WAIT)
        six__tcp_send_ctl(t, t->snd_nxt, SIX_TCP_RST | SIX_TCP_ACK);
    six__tcp_drop(t, 0);
}

static void close_listener(struct six_tcb *l) {
    struct six_tcb *c;

    /* Children not accepted yet are reset. Half-open ones are found in the
     * connection table by their parent pointer: a scan, but only at the
     * close of a listener. */
    while ((c = six__tcp_accept(l)))
        abort_conn(c);
    if (l->syn_count) {
        struct six_tcp *tcp = l->tcp;
        for (unsigned i = 0; i <= tcp->conns_mask && l->syn_count; i++) {
            struct six_tcb *x = tcp->conns[i], *next;
            for (; x; x = next) {
                next = x->next_conn;
                if (x->parent == l)
                    abort_conn(x);
            }
        }
    }
}

void six__tcp_close(struct six_tcb *t, int abort) {
    t->owner = NULL;
    switch (t->state) {
    case SIX_TCP_LISTEN:
        close_listener(t);
        six__tcp_free(t);
        return;
    case SIX_TCP_CLOSED:
    case SIX_TCP_SYN_SENT:
        six__tcp_drop(t, 0);
        return;
    default:
        break;
    }
    /* RFC 2525 2.17 and Linux: closing with unread data resets. */
    if (abort || six__tcp_readable(t) > 0) {
        abort_conn(t);
        return;
    }
    binds_remove(t);    /* the port stays held through the 4-tuple */
    six__tcp_shutdown_wr(t);
    if (t->state == SIX_TCP_FIN_WAIT_2)
        six__tcp_set_timer(t, SIX_TCPT_LONG, six__now(t->tcp->core) + SIX_TCP_FIN_WAIT2_US);
}

void six__tcp_shutdown_wr(struct six_tcb *t) {
    switch (t->state) {
    case SIX_TCP_SYN_RECEIVED:
    case SIX_TCP_ESTABLISHED:
        t->fin_queued = 1;
        six__tcp_set_state(t, SIX_TCP_FIN_WAIT_1);
        break;
    case SIX_TCP_CLOSE_WAIT:
        t->fin_queued = 1;
        six__tcp_set_state(t, SIX_TCP_LAST_ACK);
        break;
    default:
        return;
    }
    six__tcp_output(t);
}
